"""The ``replicas:`` field (spec §7.7).

Sets ``spec.replicas`` on Deployments, StatefulSets, ReplicaSets and ReplicationControllers
(any group) whose original, any intermediate or current name equals the entry's ``name``
exactly. Custom workload kinds (Argo Rollouts, ...) are never touched. An entry that matches
nothing fails the build, as in kustomize.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envlib.errors import KustomizationError, SourceLocation, TransformerError
from envlib.kustomize.core.resid import Gvk
from envlib.kustomize.core.resource import ResMap
from envlib.kustomize.transformers.fieldpath import wrong_kind
from envlib.kustomize.transformers.fieldspecs import FieldSpec
from envlib.kustomize.transformers.nameref_specs import FieldWalkError, split_path, walk_field
from envlib.kustomize.yaml.scalars import restyled

# kustomize's replicas field specs after its config sort (the order its error text shows).
REPLICA_KINDS: tuple[str, ...] = (
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
)
DEFAULT_REPLICA_SPECS: tuple[FieldSpec, ...] = tuple(
    FieldSpec("spec/replicas", kind=kind, create=True) for kind in REPLICA_KINDS
)


def apply_replicas(
    resmap: ResMap,
    replicas: list[dict[str, Any]],
    location: SourceLocation | None = None,
    *,
    first_index: int = 0,
    specs: Sequence[FieldSpec] = DEFAULT_REPLICA_SPECS,
) -> None:
    """Apply every ``replicas:`` entry in order (in place).

    ``first_index`` is the position of ``replicas[0]`` in the kustomization, for error
    messages when the caller applies entries one at a time. ``specs`` are the
    ReplicaCountTransformer field specs (``configurations:`` ``replicas`` or a builtin
    plugin's ``fieldSpecs``): an object is found by any of its names and a GVK the spec
    selects, and the count is written at the spec's path.
    """
    for index, entry in enumerate(replicas, start=first_index):
        _apply_one(resmap, entry, f"replicas[{index}]", location, tuple(specs))


def _apply_one(
    resmap: ResMap,
    entry: dict[str, Any],
    where: str,
    location: SourceLocation | None,
    specs: tuple[FieldSpec, ...],
) -> None:
    if not isinstance(entry, dict):
        raise KustomizationError(
            "a replicas entry must be a mapping with name and count",
            location=location,
            entry=where,
        )
    name = entry.get("name") or ""
    count = entry.get("count", 0)
    if count is None:
        count = 0
    if isinstance(count, bool) or not isinstance(count, int):
        type_name = "string" if isinstance(count, str) else type(count).__name__
        raise KustomizationError(
            f"count must be an integer, got {count!r}",
            location=location,
            entry=where,
            kustomize_message=(
                f"invalid Kustomization: json: cannot unmarshal {type_name} into Go struct "
                "field Replica.replicas.count of type int64"
            ),
        )
    found = False
    for spec in specs:
        for res in resmap:
            if not any(rid.name == name and _selects(spec, rid.gvk) for rid in res.all_ids()):
                continue
            found = True
            if not spec.matches(res.api_version, res.kind):
                continue  # matched by a former kind; kustomize's field filter skips it too

            def set_count(container: Any, key: Any) -> None:
                current = container.get(key)
                if isinstance(current, (dict, list)):
                    # kyaml's scalar setter refuses a map or list there (a JSON6902 patch
                    # can put one); the node contents print in block style
                    raise wrong_kind("ScalarNode", current, block=True)
                # kyaml keeps the node's style: a quoted '1' overwritten with 4 prints "4"
                container[key] = restyled(current, count)

            try:
                walk_field(res.obj, split_path(spec.path), set_count, create=spec.create)
            except FieldWalkError as exc:
                raise TransformerError(
                    f"cannot set {spec.path} on {res.cur_id}: {exc.reason}",
                    location=location,
                    entry=where,
                    resource=str(res.cur_id),
                    kustomize_message=(
                        f"considering field '{spec.path}' of object {res.cur_id}: {exc}"
                    ),
                ) from exc
    if not found:
        gvks = " ".join(str(Gvk(s.group, s.version, s.kind)) for s in specs)
        text = f"resource with name {name} does not match a config with the following GVK [{gvks}]"
        raise TransformerError(
            f"no object named {name!r} (original, intermediate or current name) of a kind "
            f"the replicas field specs select ({gvks})",
            location=location,
            entry=where,
            kustomize_message=text,
        )


def _selects(spec: FieldSpec, gvk: Gvk) -> bool:
    return (
        (not spec.group or spec.group == gvk.group)
        and (not spec.version or spec.version == gvk.version)
        and (not spec.kind or spec.kind == gvk.kind)
    )
