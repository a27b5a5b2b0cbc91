"""Preview of Seldon Core 2 ``Experiment`` traffic: split, mirror, load per replica.

Semantics (docs/ml-platform.md §2): each candidate gets ``weight / Σweights`` of the R
requests/s reaching the experiment; the mirror is an Envoy mirror policy on the same route
that copies ``min(percent, 100) / 100`` of *all* of them, on top of the split (responses
discarded). Load per replica divides a model's rate by its Model replicas, which Envoy balances
across. A ``percent`` of 0 still means "no mirrored requests" but is flagged, because Envoy
may reject the zero-weight mirror route.

``mirror_percent`` overrides every experiment's mirror percent (the notebook slider's
what-if); the override applies before the warnings, so the warnings describe the what-if.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from envlib.kustomize.core.resource import Resource

from .environments import RenderedEnv
from .workloads import SELDON_GROUP, find_hpa, get_path, hpa_targets, workloads_of

PREVIEW_COLUMNS = [
    "env",
    "experiment",
    "namespace",
    "role",
    "model",
    "weight",
    "share",
    "is_default",
    "mirror_percent",
    "rps",
    "replicas",
    "rps_per_replica",
    "file",
]
WARNING_COLUMNS = ["env", "experiment", "code", "message", "file"]


@dataclass
class _Exp:
    env: str
    res: Resource
    default: str
    candidates: list[tuple[str, float]]
    mirror: str
    percent: float | None
    resource_type: str


def _number(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _experiments(rendered: RenderedEnv, mirror_percent: float | None) -> list[_Exp]:
    out: list[_Exp] = []
    for res in rendered.resources:
        if res.kind != "Experiment" or res.gvk.group != SELDON_GROUP:
            continue
        spec = res.obj.get("spec") if isinstance(res.obj.get("spec"), dict) else {}
        assert isinstance(spec, dict)
        candidates = [
            (str(c.get("name", "")), _number(c.get("weight", 0)))
            for c in spec.get("candidates") or []
            if isinstance(c, dict)
        ]
        mirror = spec.get("mirror") if isinstance(spec.get("mirror"), dict) else None
        percent = _number(mirror.get("percent", 0)) if mirror else None
        if mirror and mirror_percent is not None:
            percent = float(mirror_percent)
        out.append(
            _Exp(
                env=rendered.name,
                res=res,
                default=str(spec.get("default") or ""),
                candidates=candidates,
                mirror=str(mirror.get("name", "")) if mirror else "",
                percent=percent,
                resource_type=str(spec.get("resourceType") or "model"),
            )
        )
    return out


def _targets(rendered: RenderedEnv, namespace: str, kind: str) -> dict[str, Resource]:
    return {
        r.name: r
        for r in rendered.resources
        if r.kind == kind and r.gvk.group == SELDON_GROUP and r.namespace == namespace
    }


def _replicas(res: Resource | None) -> float | None:
    if res is None:
        return None
    value = get_path(res.obj, ("spec", "replicas"))
    return _number(value) if value is not None else 1.0


def experiment_preview(
    envs: RenderedEnv | Sequence[RenderedEnv],
    rps: float = 100.0,
    *,
    mirror_percent: float | None = None,
) -> pd.DataFrame:
    """One row per candidate, mirror and total of every Experiment in every environment.

    ``rps`` is the incoming rate R at the experiment; ``share`` is the candidate's fraction of
    R; the ``total`` row is the whole model load (R plus mirrored copies).
    """
    items = [envs] if isinstance(envs, RenderedEnv) else list(envs)
    rows: list[dict[str, Any]] = []
    for rendered in items:
        for exp in _experiments(rendered, mirror_percent):
            kind = "Pipeline" if exp.resource_type == "pipeline" else "Model"
            models = _targets(rendered, exp.res.namespace, kind)
            total_weight = sum(w for _, w in exp.candidates)
            base = {
                "env": exp.env,
                "experiment": exp.res.name,
                "namespace": exp.res.namespace,
                "file": str(exp.res.origin),
            }
            total = 0.0
            for name, weight in exp.candidates:
                share = weight / total_weight if total_weight > 0 else 0.0
                rate = rps * share
                total += rate
                replicas = _replicas(models.get(name))
                rows.append(
                    {
                        **base,
                        "role": "candidate",
                        "model": name,
                        "weight": weight,
                        "share": share,
                        "is_default": name == exp.default,
                        "mirror_percent": None,
                        "rps": rate,
                        "replicas": replicas,
                        "rps_per_replica": rate / replicas if replicas else None,
                    }
                )
            if exp.mirror:
                percent = min(max(exp.percent or 0.0, 0.0), 100.0)
                rate = rps * percent / 100.0
                total += rate
                replicas = _replicas(models.get(exp.mirror))
                rows.append(
                    {
                        **base,
                        "role": "mirror",
                        "model": exp.mirror,
                        "weight": None,
                        "share": percent / 100.0,
                        "is_default": False,
                        "mirror_percent": exp.percent,
                        "rps": rate,
                        "replicas": replicas,
                        "rps_per_replica": rate / replicas if replicas else None,
                    }
                )
            rows.append(
                {
                    **base,
                    "role": "total",
                    "model": "",
                    "weight": total_weight,
                    "share": None,
                    "is_default": False,
                    "mirror_percent": exp.percent if exp.mirror else None,
                    "rps": total,
                    "replicas": None,
                    "rps_per_replica": None,
                }
            )
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def _server_replicas(
    rendered: RenderedEnv, model: Resource
) -> tuple[str, float | None, float | None]:
    servers = _targets(rendered, model.namespace, "Server")
    wanted = get_path(model.obj, ("spec", "server"))
    server = (
        servers.get(str(wanted))
        if wanted
        else (next(iter(servers.values())) if len(servers) == 1 else None)
    )
    if server is None:
        return "", None, None
    replicas = _replicas(server)
    maximum = get_path(server.obj, ("spec", "maxReplicas"))
    return server.name, replicas, _number(maximum) if maximum is not None else replicas


def experiment_warnings(
    envs: RenderedEnv | Sequence[RenderedEnv], *, mirror_percent: float | None = None
) -> pd.DataFrame:
    """Everything that would make the preview differ from reality (ml-platform.md §2)."""
    items = [envs] if isinstance(envs, RenderedEnv) else list(envs)
    rows: list[dict[str, Any]] = []
    for rendered in items:
        hpas = hpa_targets(rendered.resources)
        for exp in _experiments(rendered, mirror_percent):
            kind = "Pipeline" if exp.resource_type == "pipeline" else "Model"
            models = _targets(rendered, exp.res.namespace, kind)
            names = [n for n, _ in exp.candidates]

            def warn(code: str, message: str, exp: _Exp = exp) -> None:
                rows.append(
                    {
                        "env": exp.env,
                        "experiment": exp.res.name,
                        "code": code,
                        "message": message,
                        "file": str(exp.res.origin),
                    }
                )

            if not exp.candidates:
                warn("no-candidates", "no candidates: the CRD requires at least one")
            elif sum(w for _, w in exp.candidates) <= 0:
                warn("zero-weights", "candidate weights sum to 0: Envoy rejects the route")
            if exp.percent is not None and exp.percent > 100:
                warn("percent-over-100", f"mirror percent {exp.percent:g} > 100 behaves as 100")
            if exp.mirror and exp.percent == 0:
                warn(
                    "percent-zero",
                    "mirror percent 0: Envoy may reject the zero-weight mirror route (xDS NACK); "
                    "removing /spec/mirror is the safer way to turn mirroring off",
                )
            if exp.mirror and exp.mirror in names:
                warn(
                    "mirror-is-candidate",
                    f"mirror {exp.mirror!r} is also a candidate: Seldon rejects it",
                )
            if exp.default and exp.default not in names:
                warn(
                    "default-not-candidate", f"default {exp.default!r} is not among the candidates"
                )
            for name in [*names, *([exp.mirror] if exp.mirror else [])]:
                if name not in models:
                    warn(
                        "missing-model",
                        f"{kind} {name!r} is not in this environment: "
                        "the experiment never activates",
                    )
                    continue
                model = models[name]
                if kind != "Model":
                    continue
                server, server_replicas, server_max = _server_replicas(rendered, model)
                replicas = _replicas(model) or 1.0
                if server_replicas is not None and replicas > server_replicas:
                    warn(
                        "model-over-server",
                        f"Model {name!r} has {replicas:g} replicas but Server {server!r} has "
                        f"{server_replicas:g}: extra replicas cannot be scheduled",
                    )
                workload = workloads_of(model)[0]
                hpa = find_hpa(workload, hpas)
                hpa_max = get_path(hpa.obj, ("spec", "maxReplicas")) if hpa is not None else None
                if hpa_max is not None and server_max is not None and _number(hpa_max) > server_max:
                    warn(
                        "hpa-over-server",
                        f"HPA {hpa.name if hpa else ''!r} may scale Model {name!r} "
                        f"to {_number(hpa_max):g} "
                        f"replicas but Server {server!r} can have at most {server_max:g}",
                    )
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)
