"""Find the workloads in rendered resources: replicas, pod specs and containers.

Each workload kind keeps its pods somewhere else (``spec.template.spec``,
``spec.jobTemplate.spec.template.spec``, Seldon's ``spec.podSpec``, KServe's predictor), and its
replica count under another name (``replicas``, ``parallelism``, ``minReplicas``, a
SeldonRuntime override). This module turns all of them into one shape, :class:`Workload`, so
the inventory and the checks never look at raw paths.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from envlib.kustomize.core.resource import Resource

# kind -> path of the pod spec; replicas field (None: one per node / not a count)
_POD_TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, int | None]] = {
    "Deployment": (("spec", "template", "spec"), ("spec", "replicas"), 1),
    "StatefulSet": (("spec", "template", "spec"), ("spec", "replicas"), 1),
    "ReplicaSet": (("spec", "template", "spec"), ("spec", "replicas"), 1),
    "Rollout": (("spec", "template", "spec"), ("spec", "replicas"), 1),
    "DaemonSet": (("spec", "template", "spec"), None, None),
    "Job": (("spec", "template", "spec"), ("spec", "parallelism"), 1),
    "CronJob": (
        ("spec", "jobTemplate", "spec", "template", "spec"),
        ("spec", "jobTemplate", "spec", "parallelism"),
        1,
    ),
    "Pod": (("spec",), None, 1),
}
SELDON_GROUP = "mlops.seldon.io"
KSERVE_GROUP = "serving.kserve.io"
# Seldon's default "mlserver" ServerConfig (docs/ml-platform.md §1.3): a Server's podSpec is
# merged by container name into it, so what the Server leaves unset comes from here.
MLSERVER_DEFAULTS: dict[str, dict[str, dict[str, str]]] = {
    "mlserver": {"requests": {"cpu": "1", "memory": "1G"}, "limits": {}},
    "agent": {"requests": {"cpu": "500m", "memory": "500M"}, "limits": {}},
    "rclone": {"requests": {"cpu": "200m", "memory": "100M"}, "limits": {"memory": "256M"}},
}

_LEVEL_VAR = re.compile(r"(^|_)(LOG_?LEVEL|LOGLEVEL|VERBOSITY)$|^RUST_LOG$", re.IGNORECASE)
_DEBUG_VAR = re.compile(r"(^|_)DEBUG$", re.IGNORECASE)
_LEVEL_ARG = re.compile(r"^--?(?:log[-_.]?level|level|loglevel|v)(?:=(.+))?$", re.IGNORECASE)


def get_path(obj: Any, path: tuple[str, ...]) -> Any:
    """The value at a key path, or None."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def normalise_level(text: str, *, boolean_debug: bool = False) -> str:
    """``DEBUG``/``debug``/``true`` (for ``*_DEBUG`` vars) -> ``debug``; unknown -> lower text."""
    value = text.strip().lower()
    if boolean_debug:
        return "debug" if value in ("1", "true", "yes", "on") else ""
    if value in ("warning", "warn"):
        return "warn"
    if value in ("verbose", "debug", "trace", "all"):
        return "debug" if value != "trace" else "trace"
    if value.isdigit():  # klog -v=N: 4 and above is debug verbosity
        return "debug" if int(value) >= 4 else "info"
    return value


@dataclass
class Container:
    """One container of a workload's pod."""

    name: str
    image: str
    role: str  # "container" | "init" | "sidecar"
    requests: dict[str, Any]
    limits: dict[str, Any]
    log_settings: list[tuple[str, str, str]]  # (setting, raw value, normalised level)
    path: tuple[str | int, ...] = ()  # where the container sits in the object
    defaulted: tuple[str, ...] = ()  # resource keys filled from a Seldon ServerConfig default

    @property
    def tag(self) -> str:
        """The image tag (or ``@digest``); ``latest`` when none is given."""
        image = self.image
        if "@" in image:
            return "@" + image.split("@", 1)[1]
        tail = image.rsplit("/", 1)[-1]
        return tail.split(":", 1)[1] if ":" in tail else ("latest" if image else "")


@dataclass
class Workload:
    """A workload row before numbers are computed.

    Kind, name and namespace are the resource's (a SeldonRuntime override is named
    ``runtime/override``), so they are read from it rather than stored twice.
    """

    resource: Resource
    replicas: float | None
    containers: list[Container] = field(default_factory=list)
    min_replicas: float | None = None
    max_replicas: float | None = None
    model_memory: Any = None
    server: str = ""
    replicas_field: tuple[str | int, ...] = ()
    sub: str | None = None  # SeldonRuntime override name
    disabled: bool = False  # a SeldonRuntime component switched off

    @property
    def kind(self) -> str:
        """The resource's kind."""
        return self.resource.kind

    @property
    def name(self) -> str:
        """The resource's name, plus ``/override`` for a SeldonRuntime override."""
        base = self.resource.name
        return base if self.sub is None else f"{base}/{self.sub}"

    @property
    def namespace(self) -> str:
        """The resource's namespace ("" when unset)."""
        return self.resource.namespace


def _log_settings(container: dict[str, Any]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for var in container.get("env") or []:
        if not isinstance(var, dict) or not isinstance(var.get("name"), str):
            continue
        name = var["name"]
        raw = var.get("value")
        if raw is None:
            continue
        if _LEVEL_VAR.search(name):
            out.append((name, str(raw), normalise_level(str(raw))))
        elif _DEBUG_VAR.search(name):
            out.append((name, str(raw), normalise_level(str(raw), boolean_debug=True)))
    args = [str(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]]
    for index, arg in enumerate(args):
        found = _LEVEL_ARG.match(arg)
        if not found:
            continue
        value = found.group(1) or (args[index + 1] if index + 1 < len(args) else "")
        if value and not value.startswith("-"):
            out.append((arg.split("=", 1)[0], value, normalise_level(value)))
    return out


def _container(raw: dict[str, Any], role: str, path: tuple[str | int, ...] = ()) -> Container:
    resources = raw.get("resources") if isinstance(raw.get("resources"), dict) else {}
    assert isinstance(resources, dict)
    requests = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    limits = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
    return Container(
        name=str(raw.get("name", "")),
        image=str(raw.get("image") or ""),
        role=role,
        requests=dict(requests or {}),
        limits=dict(limits or {}),
        log_settings=_log_settings(raw),
        path=path,
    )


def pod_containers(pod: Any, path: tuple[str | int, ...] = ()) -> list[Container]:
    """Containers of a pod spec: regular, init, and native sidecars (init with restartPolicy).

    ``path`` is where the pod spec sits in its object, so each container knows its own path.
    """
    if not isinstance(pod, dict):
        return []
    out = [
        _container(c, "container", (*path, "containers", i))
        for i, c in enumerate(pod.get("containers") or [])
        if isinstance(c, dict)
    ]
    for i, raw in enumerate(pod.get("initContainers") or []):
        if isinstance(raw, dict):
            role = "sidecar" if raw.get("restartPolicy") == "Always" else "init"
            out.append(_container(raw, role, (*path, "initContainers", i)))
    return out


def with_server_defaults(spec: dict[str, Any], containers: list[Container]) -> list[Container]:
    """Server containers merged with the default ``mlserver`` ServerConfig, as Seldon does."""
    if spec.get("serverConfig") != "mlserver":
        return containers
    by_name = {c.name: c for c in containers}
    out = list(containers)
    for name, defaults in MLSERVER_DEFAULTS.items():
        container = by_name.get(name)
        if container is None:
            container = Container(name, "", "container", {}, {}, [], ("spec", "podSpec"))
            out.append(container)
        filled: list[str] = list(container.defaulted)
        for section in ("requests", "limits"):
            target = container.requests if section == "requests" else container.limits
            for key, value in defaults[section].items():
                if key not in target:
                    target[key] = value
                    filled.append(f"{section}.{key}")
        container.defaulted = tuple(filled)
    return out


def _number(value: Any, default: int | None) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None if default is None else float(default)


def _seldon_runtime(res: Resource) -> list[Workload]:
    out: list[Workload] = []
    for index, override in enumerate(get_path(res.obj, ("spec", "overrides")) or []):
        if not isinstance(override, dict):
            continue
        replicas = _number(override.get("replicas"), 1)
        if override.get("disable") is True:
            replicas = 0.0
        sub = str(override.get("name", index))
        out.append(
            Workload(
                resource=res,
                replicas=replicas,
                containers=pod_containers(
                    override.get("podSpec"), ("spec", "overrides", index, "podSpec")
                ),
                disabled=override.get("disable") is True,
                replicas_field=("spec", "overrides", index, "replicas"),
                sub=sub,
            )
        )
    return out


def _inference_service(res: Resource) -> Workload:
    predictor = get_path(res.obj, ("spec", "predictor")) or {}
    containers = pod_containers(predictor, ("spec", "predictor"))
    if not containers and isinstance(predictor, dict):
        for key, value in predictor.items():  # model: / sklearn: / pytorch: ... one container
            if isinstance(value, dict) and ("resources" in value or "storageUri" in value):
                containers.append(
                    _container({"name": key, **value}, "container", ("spec", "predictor", key))
                )
    minimum = _number(predictor.get("minReplicas"), None) if isinstance(predictor, dict) else None
    maximum = _number(predictor.get("maxReplicas"), None) if isinstance(predictor, dict) else None
    return Workload(
        resource=res,
        replicas=minimum if minimum is not None else 1.0,
        containers=containers,
        min_replicas=minimum,
        max_replicas=maximum,
        replicas_field=("spec", "predictor", "minReplicas"),
    )


_MEMO: ContextVar[dict[int, tuple[Resource, list[Workload]]] | None] = ContextVar(
    "envlib_workloads_memo", default=None
)


@contextmanager
def memoised() -> Iterator[None]:
    """Within the block, each resource's workloads are worked out once.

    Why: the promotion preview reads the same rendered resources for capacity and again
    for checks, at both revisions; re-reading every pod template is a tenth of a second
    per pass at 2,000 resources. Resources must not change inside the block.
    """
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def share_unchanged(pairs: Iterable[tuple[Resource, Resource]]) -> None:
    """Inside :func:`memoised`: for pairs (old, new) holding the same object (the caller
    compared them), ``new`` gets ``old``'s workloads, re-pointed at it, instead of reading
    its pod templates again. Workloads are read from the object alone, so they are the
    very ones reading it would give."""
    memo = _MEMO.get()
    if memo is None:
        return
    for old, new in pairs:
        if id(new) in memo:
            continue
        memo[id(new)] = (new, [dataclasses.replace(w, resource=new) for w in workloads_of(old)])


def workloads_of(res: Resource) -> list[Workload]:
    """The workloads one resource contributes (none for non-workloads)."""
    memo = _MEMO.get()
    if memo is None:
        return _workloads_of(res)
    hit = memo.get(id(res))
    if hit is not None and hit[0] is res:
        return hit[1]
    found = _workloads_of(res)
    memo[id(res)] = (res, found)
    return found


def _workloads_of(res: Resource) -> list[Workload]:
    kind, group = res.kind, res.gvk.group
    if kind in _POD_TEMPLATES and group in ("", "apps", "batch", "argoproj.io"):
        pod_path, replicas_path, default = _POD_TEMPLATES[kind]
        replicas = _number(get_path(res.obj, replicas_path), default) if replicas_path else None
        if kind == "Pod":
            replicas = 1.0
        return [
            Workload(
                resource=res,
                replicas=replicas,
                containers=pod_containers(get_path(res.obj, pod_path), pod_path),
                replicas_field=replicas_path or (),
            )
        ]
    spec = res.obj.get("spec") if isinstance(res.obj.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    if group == SELDON_GROUP and kind in ("Server", "Model"):
        return [
            Workload(
                resource=res,
                replicas=_number(spec.get("replicas"), 1),
                containers=(
                    with_server_defaults(
                        spec, pod_containers(spec.get("podSpec"), ("spec", "podSpec"))
                    )
                    if kind == "Server"
                    else []
                ),
                min_replicas=_number(spec.get("minReplicas"), None),
                max_replicas=_number(spec.get("maxReplicas"), None),
                model_memory=spec.get("memory") if kind == "Model" else None,
                server=str(spec.get("server") or "") if kind == "Model" else "",
                replicas_field=("spec", "replicas"),
            )
        ]
    if group == SELDON_GROUP and kind == "SeldonRuntime":
        return _seldon_runtime(res)
    if group == KSERVE_GROUP and kind == "InferenceService":
        return [_inference_service(res)]
    return []


def hpa_targets(resources: list[Resource]) -> dict[tuple[str, str, str], Resource]:
    """HorizontalPodAutoscalers by (target kind, target name, namespace)."""
    out: dict[tuple[str, str, str], Resource] = {}
    for res in resources:
        if res.kind != "HorizontalPodAutoscaler" or res.gvk.group != "autoscaling":
            continue
        ref = get_path(res.obj, ("spec", "scaleTargetRef")) or {}
        if isinstance(ref, dict) and ref.get("kind") and ref.get("name"):
            out[(str(ref["kind"]), str(ref["name"]), res.namespace)] = res
    return out


def find_hpa(workload: Workload, hpas: dict[tuple[str, str, str], Resource]) -> Resource | None:
    """The HPA scaling this workload, matching any name it has had.

    kustomize does not rewrite ``scaleTargetRef`` of custom kinds on a ``namePrefix``, so the
    workload's original names count too.
    """
    if workload.sub or not hpas:
        return None
    names = {workload.name, *workload.resource.all_names()}
    for (kind, name, namespace), hpa in hpas.items():
        # an HPA without a namespace lands in the namespace it is applied to (Argo CD's
        # destination namespace), so it may target a workload whose namespace is set
        same_ns = namespace == workload.namespace or not namespace or not workload.namespace
        if kind == workload.kind and name in names and same_ns:
            return hpa
    return None
