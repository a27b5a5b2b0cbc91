"""The replica and resource table: one row per workload per environment, and its views.

Numbers are kept as numbers (CPU in cores, memory in bytes, parsed with
``kubernetes.utils.parse_quantity``) so that totals are exact; every quantity column has a
readable twin with the suffix ``_text`` (``2Gi``, ``500m``). Per-pod figures follow the
scheduler: regular containers and native sidecars add up, and one-shot init containers only
count when one of them asks for more than all the rest together.

Seldon ``Server`` pods are the ``mlserver`` ServerConfig merged with the Server's ``podSpec``,
so requests and limits the Server leaves unset count with Seldon's defaults (the container
view says which, in ``from_server_config``).

Seldon ``Model`` rows have replicas but no pods of their own (they are loaded into ``Server``
pods), so they carry ``model_memory`` instead of container resources and do not add to the
totals; their pods are the Server's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import quantities as q
from .environments import RenderedEnv
from .matching import key_name, logical_keys
from .workloads import Container, Workload, find_hpa, get_path, hpa_targets, workloads_of

QUANTITIES = ("cpu_request", "cpu_limit", "memory_request", "memory_limit", "gpu")
# their readable twins (``2Gi``, ``500m``), the columns the tables show
TEXT_COLUMNS = tuple(f"{column}_text" for column in QUANTITIES)
_FORMAT = {"cpu": q.format_cpu, "memory": q.format_memory, "gpu": q.format_count}
_LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")


def _gpu(values: dict[str, Any]) -> float | None:
    found = [q.parse(v) for k, v in values.items() if str(k).endswith("/gpu")]
    numbers = [f for f in found if f is not None]
    return sum(numbers) if numbers else None


def container_amounts(container: Container) -> dict[str, float | None]:
    """Requests, limits and GPUs of one container as numbers (None when unset)."""
    gpu = _gpu(container.limits)
    return {
        "cpu_request": q.parse(container.requests.get("cpu")),
        "cpu_limit": q.parse(container.limits.get("cpu")),
        "memory_request": q.parse(container.requests.get("memory")),
        "memory_limit": q.parse(container.limits.get("memory")),
        "gpu": gpu if gpu is not None else _gpu(container.requests),
    }


def pod_amounts(containers: Sequence[Container]) -> dict[str, float | None]:
    """Per-pod amounts: sum of containers and sidecars, at least the largest init container."""
    out: dict[str, float | None] = {}
    amounts = [(c.role, container_amounts(c)) for c in containers]
    for column in QUANTITIES:
        running = [a[column] for role, a in amounts if role != "init" and a[column] is not None]
        init = [a[column] for role, a in amounts if role == "init" and a[column] is not None]
        if not running and not init:
            out[column] = None
            continue
        total = sum(v for v in running if v is not None)
        out[column] = max([total, *[v for v in init if v is not None]])
    return out


def _most_verbose(levels: Sequence[str]) -> str:
    known = [lvl for lvl in levels if lvl in _LEVELS]
    if known:
        return min(known, key=_LEVELS.index)
    return next((lvl for lvl in levels if lvl), "")


def _text(column: str, value: float | None) -> str:
    kind = column.removeprefix("total_").split("_", 1)[0]
    return _FORMAT.get(kind, q.format_count)(value)


def effective_replicas(workload: Workload, hpa: Any) -> float | None:
    """Declared replicas clamped to the HPA's (or Seldon's native) min/max: what will run."""
    replicas = workload.replicas
    if replicas is None:
        return None
    low, high = workload.min_replicas, workload.max_replicas
    if hpa is not None:
        low = _number(get_path(hpa.obj, ("spec", "minReplicas")), low)
        high = _number(get_path(hpa.obj, ("spec", "maxReplicas")), high)
    if low is not None:
        replicas = max(replicas, low)
    if high is not None:
        replicas = min(replicas, high)
    return replicas


def _number(value: Any, default: float | None) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return default


def _row(env: str, workload: Workload, hpa: Any, key: str) -> dict[str, Any]:
    res = workload.resource
    per_pod = pod_amounts(workload.containers)
    replicas = effective_replicas(workload, hpa)
    levels = [lvl for c in workload.containers for _, _, lvl in c.log_settings]
    row: dict[str, Any] = {
        "env": env,
        "kind": workload.kind,
        "name": workload.name,
        "namespace": workload.namespace,
        "key": key,
        "replicas": workload.replicas,
        "effective_replicas": replicas,
        "min_replicas": workload.min_replicas,
        "max_replicas": workload.max_replicas,
        "hpa": hpa.name if hpa is not None else "",
        "hpa_min": get_path(hpa.obj, ("spec", "minReplicas")) if hpa is not None else None,
        "hpa_max": get_path(hpa.obj, ("spec", "maxReplicas")) if hpa is not None else None,
        "containers": sum(1 for c in workload.containers if c.role != "init"),
    }
    for column in QUANTITIES:
        row[column] = per_pod[column]
    for column in QUANTITIES:
        per = per_pod[column]
        row[f"total_{column}"] = (
            None if per is None or replicas is None or workload.kind == "Model" else per * replicas
        )
    for column in (*QUANTITIES, *(f"total_{c}" for c in QUANTITIES)):
        row[f"{column}_text"] = _text(column, row[column])
    row["model_memory"] = q.parse(workload.model_memory)
    row["model_memory_text"] = q.format_memory(row["model_memory"])
    row["server"] = workload.server
    row["images"] = ", ".join(c.image for c in workload.containers if c.image)
    row["tags"] = ", ".join(dict.fromkeys(c.tag for c in workload.containers if c.image))
    row["log_level"] = _most_verbose(levels)
    row["log_settings"] = "; ".join(
        f"{c.name}: {setting}={raw}"
        for c in workload.containers
        for setting, raw, _ in c.log_settings
    )
    row["file"] = str(res.origin)
    return row


def _keyed_workloads(
    rendered: RenderedEnv, beside: Sequence[RenderedEnv] = ()
) -> list[tuple[Workload, Any, str]]:
    """Each workload with its HPA and logical key; ``beside`` are the environments shown
    next to ``rendered``, whose names the keys are checked against (matching._keys)."""
    others = [env.resources for env in beside if env is not rendered]
    keys = logical_keys(rendered.resources, others)
    hpas = hpa_targets(rendered.resources)
    out: list[tuple[Workload, Any, str]] = []
    for res in rendered.resources:
        for workload in workloads_of(res):
            key = key_name(keys[id(res)])
            if workload.sub:
                key = f"{key}/{workload.sub}"
            out.append((workload, find_hpa(workload, hpas), key))
    return out


def inventory(envs: RenderedEnv | Sequence[RenderedEnv]) -> pd.DataFrame:
    """One row per workload per environment (see the module docstring for the columns)."""
    items = [envs] if isinstance(envs, RenderedEnv) else list(envs)
    rows = [
        _row(rendered.name, workload, hpa, key)
        for rendered in items
        for workload, hpa, key in _keyed_workloads(rendered, items)
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["env", "kind", "name", "namespace", "key", "replicas"])
    return frame


def containers(envs: RenderedEnv | Sequence[RenderedEnv]) -> pd.DataFrame:
    """One row per container per workload per environment, with raw and parsed amounts."""
    items = [envs] if isinstance(envs, RenderedEnv) else list(envs)
    rows: list[dict[str, Any]] = []
    for rendered in items:
        for workload, _hpa, key in _keyed_workloads(rendered, items):
            for container in workload.containers:
                amounts = container_amounts(container)
                row: dict[str, Any] = {
                    "env": rendered.name,
                    "kind": workload.kind,
                    "workload": workload.name,
                    "namespace": workload.namespace,
                    "key": key,
                    "container": container.name,
                    "role": container.role,
                    "image": container.image,
                    "tag": container.tag,
                    **amounts,
                }
                for column in QUANTITIES:
                    row[f"{column}_text"] = _text(column, amounts[column])
                row["from_server_config"] = ", ".join(container.defaulted)
                row["log_level"] = _most_verbose([lvl for _, _, lvl in container.log_settings])
                row["log_settings"] = ", ".join(f"{s}={r}" for s, r, _ in container.log_settings)
                row["file"] = str(workload.resource.origin)
                rows.append(row)
    return pd.DataFrame(rows)


def totals(inv: pd.DataFrame) -> pd.DataFrame:
    """Per environment: workloads, replicas and summed totals (Models excluded: no own pods)."""
    columns = ["env", "workloads", "replicas", *(f"total_{c}" for c in QUANTITIES)]
    if inv.empty:
        return pd.DataFrame(columns=columns)
    rows: list[dict[str, Any]] = []
    for env, group in inv.groupby("env", sort=False):
        pods = group[group["kind"] != "Model"]
        row: dict[str, Any] = {
            "env": env,
            "workloads": len(group),
            "replicas": float(pd.to_numeric(pods["effective_replicas"], errors="coerce").sum()),
        }
        for column in QUANTITIES:
            values = pd.to_numeric(pods[f"total_{column}"], errors="coerce")
            row[f"total_{column}"] = float(values.sum()) if values.notna().any() else None
            row[f"total_{column}_text"] = _text(f"total_{column}", row[f"total_{column}"])
        rows.append(row)
    return pd.DataFrame(rows)


# one workload's share of an environment's capacity: (kind, effective replicas, per pod)
Share = tuple[str, float | None, dict[str, float | None]]


def capacity_totals(
    rendered: RenderedEnv,
    known: dict[int, list[Share]] | None = None,
    record: dict[int, list[Share]] | None = None,
) -> dict[str, Any]:
    """The one row :func:`totals` gives for ``rendered``'s inventory, as a dict ({} without
    workloads), computed from the workloads directly: the promotion preview needs only
    these sums, on both revisions of every environment, and the full inventory costs several
    times more. Sums are taken as pandas takes them (missing values as 0, NumPy's order),
    so the numbers are the very same.

    ``record`` receives each resource's workload shares by ``id()``; ``known`` gives shares
    already worked out for a resource (the same object and HPAs at the other revision),
    which are then not worked out again.
    """
    hpas: dict[tuple[str, str, str], Any] | None = None
    shares: list[Share] = []
    for res in rendered.resources:
        mine = known.get(id(res)) if known else None
        if mine is None:
            found = workloads_of(res)
            if found and hpas is None:
                hpas = hpa_targets(rendered.resources)
            mine = [
                (w.kind, effective_replicas(w, find_hpa(w, hpas or {})), pod_amounts(w.containers))
                for w in found
            ]
        if record is not None:
            record[id(res)] = mine
        shares.extend(mine)
    if not shares:
        return {}
    replicas: list[float] = []
    columns: dict[str, list[float | None]] = {column: [] for column in QUANTITIES}
    for kind, count, per_pod in shares:
        if kind == "Model":
            continue
        replicas.append(0.0 if count is None else float(count))
        for column in QUANTITIES:
            per = per_pod[column]
            columns[column].append(None if per is None or count is None else per * count)
    row: dict[str, Any] = {
        "env": rendered.name,
        "workloads": len(shares),
        "replicas": float(np.array(replicas, dtype=float).sum()),
    }
    for column in QUANTITIES:
        values = columns[column]
        total = (
            float(np.array([0.0 if v is None else v for v in values], dtype=float).sum())
            if any(v is not None for v in values)
            else None
        )
        row[f"total_{column}"] = total
        row[f"total_{column}_text"] = _text(f"total_{column}", total)
    return row


SIDE_BY_SIDE = (
    "replicas",
    "effective_replicas",
    "hpa_min",
    "hpa_max",
    *TEXT_COLUMNS,
    "total_cpu_request_text",
    "total_memory_request_text",
    "tags",
    "log_level",
)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def side_by_side(inv: pd.DataFrame, metrics: Sequence[str] = SIDE_BY_SIDE) -> pd.DataFrame:
    """One row per workload, one column group per environment, and what differs.

    Columns are a two-level index ``(env, metric)``; the last column ``("", "differs")`` names
    the metrics whose values are not the same in every environment where the workload exists
    (a workload missing from an environment is marked ``missing in <env>``).
    """
    if inv.empty:
        return pd.DataFrame()
    envs = list(dict.fromkeys(inv["env"]))
    index = list(dict.fromkeys(zip(inv["kind"], inv["key"], strict=True)))
    cells: dict[tuple[str, str], dict[tuple[str, str], str]] = {}
    for row in inv.to_dict("records"):
        cells.setdefault((row["kind"], row["key"]), {})
        for metric in metrics:
            cells[(row["kind"], row["key"])][(row["env"], metric)] = _cell(row.get(metric))
    data: list[dict[tuple[str, str], str]] = []
    for ident in index:
        values = cells[ident]
        present = [env for env in envs if (env, metrics[0]) in values]
        differs = [
            metric for metric in metrics if len({values[(env, metric)] for env in present}) > 1
        ]
        differs += [f"missing in {env}" for env in envs if env not in present]
        line = {(env, metric): values.get((env, metric), "-") for env in envs for metric in metrics}
        line[("", "differs")] = ", ".join(differs)
        data.append(line)
    frame = pd.DataFrame(data, index=pd.MultiIndex.from_tuples(index, names=["kind", "workload"]))
    frame.columns = pd.MultiIndex.from_tuples(list(frame.columns), names=["env", "metric"])
    return frame
