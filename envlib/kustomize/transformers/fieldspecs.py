"""The built-in field specs of labels, commonAnnotations and images, as data.

A field spec says *where* a transformer writes: a slash-separated path (``[]`` marks a list
that is walked element by element), an optional group/version/kind filter (empty = any), and
whether missing maps along the path are created. These tables mirror kustomize v5.5.0's
``api/internal/konfig/builtinpluginconsts/{commonlabels,metadatalabels,commonannotations,
images}.go`` entry for entry, so a difference in behaviour shows up as a difference in a table
row rather than in code. Note the asymmetries kustomize has and we keep on purpose: Service
and ReplicationController selectors only for ``version: v1``, StatefulSet only in group
``apps``, Job/CronJob only in ``batch``, and the affinity/topology selectors only for apps
Deployments and StatefulSets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from envlib.kustomize.core.resid import split_api_version
from envlib.kustomize.core.sorting import DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One place a transformer touches: a kind filter plus a kustomize field path."""

    path: str
    group: str = ""
    version: str = ""
    kind: str = ""
    create: bool = False

    def matches(self, api_version: str, kind: str) -> bool:
        """kustomize's ``isMatchGVK``: every non-empty filter part must equal the object's."""
        if self.kind and self.kind != kind:
            return False
        group, version = split_api_version(api_version)
        if self.group and self.group != group:
            return False
        return not (self.version and self.version != version)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldSpec:
        """Parse a user field spec (``labels[].fields`` / ``configurations``) entry."""
        return cls(
            path=str(data.get("path", "")),
            group=str(data.get("group", "") or ""),
            version=str(data.get("version", "") or ""),
            kind=str(data.get("kind", "") or ""),
            create=bool(data.get("create", False)),
        )


def merge_field_specs(*groups: Iterable[FieldSpec]) -> tuple[FieldSpec, ...]:
    """Concatenate spec lists, dropping exact repeats (kustomize's ``FsSlice.MergeAll``)."""
    out: list[FieldSpec] = []
    for group in groups:
        for spec in group:
            if spec not in out:
                out.append(spec)
    return tuple(out)


_TYPE_ORDER = {kind: i - len(DEFAULT_ORDER_FIRST) for i, kind in enumerate(DEFAULT_ORDER_FIRST)}
_TYPE_ORDER.update({kind: 1 + i for i, kind in enumerate(DEFAULT_ORDER_LAST)})


def sort_field_specs(specs: Iterable[FieldSpec]) -> tuple[FieldSpec, ...]:
    """Order built-in specs as kustomize does after loading them (``sortFields``).

    kustomize sorts each list by GVK (kind rank, then ``group_version_kind`` with ``~`` for
    empty parts). Only visible in *which* error is reported first when several paths of
    one object fail. kustomize's sort is not stable; ties keep table order here.
    """

    def key(spec: FieldSpec) -> tuple[int, str]:
        gvk = f"{spec.group or '~G'}_{spec.version or '~V'}_{spec.kind or '~K'}"
        return _TYPE_ORDER.get(spec.kind, 0), gvk

    return tuple(sorted(specs, key=key))


def _table(rows: Iterable[tuple[str, str, str, str, bool]]) -> tuple[FieldSpec, ...]:
    return sort_field_specs(
        FieldSpec(path, group, version, kind, create) for path, group, version, kind, create in rows
    )


_AFFINITY = "spec/template/spec/affinity"
_SELECTOR_PATHS_APPS = (
    f"{_AFFINITY}/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    f"{_AFFINITY}/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    f"{_AFFINITY}/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    f"{_AFFINITY}/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
)

# metadatalabels.go: labels on objects and on the pod/job templates they stamp out.
METADATA_LABEL_SPECS: tuple[FieldSpec, ...] = _table(
    [
        ("metadata/labels", "", "", "", True),
        ("spec/template/metadata/labels", "", "v1", "ReplicationController", True),
        ("spec/template/metadata/labels", "", "", "Deployment", True),
        ("spec/template/metadata/labels", "", "", "ReplicaSet", True),
        ("spec/template/metadata/labels", "", "", "DaemonSet", True),
        ("spec/template/metadata/labels", "apps", "", "StatefulSet", True),
        ("spec/volumeClaimTemplates[]/metadata/labels", "apps", "", "StatefulSet", True),
        ("spec/template/metadata/labels", "batch", "", "Job", True),
        ("spec/jobTemplate/metadata/labels", "batch", "", "CronJob", True),
        ("spec/jobTemplate/spec/template/metadata/labels", "batch", "", "CronJob", True),
    ]
)

# templatelabels.go is exactly the metadata labels list (used by ``includeTemplates``).
TEMPLATE_LABEL_SPECS: tuple[FieldSpec, ...] = METADATA_LABEL_SPECS

# commonlabels.go: selectors first, then the metadata labels list.
COMMON_LABEL_SPECS: tuple[FieldSpec, ...] = sort_field_specs(
    _table(
        [
            ("spec/selector", "", "v1", "Service", True),
            ("spec/selector", "", "v1", "ReplicationController", True),
            ("spec/selector/matchLabels", "", "", "Deployment", True),
            *((p, "apps", "", "Deployment", False) for p in _SELECTOR_PATHS_APPS),
            ("spec/selector/matchLabels", "", "", "ReplicaSet", True),
            ("spec/selector/matchLabels", "", "", "DaemonSet", True),
            ("spec/selector/matchLabels", "apps", "", "StatefulSet", True),
            *((p, "apps", "", "StatefulSet", False) for p in _SELECTOR_PATHS_APPS),
            ("spec/selector/matchLabels", "batch", "", "Job", False),
            ("spec/jobTemplate/spec/selector/matchLabels", "batch", "", "CronJob", False),
            ("spec/selector/matchLabels", "policy", "", "PodDisruptionBudget", False),
            ("spec/podSelector/matchLabels", "networking.k8s.io", "", "NetworkPolicy", False),
            (
                "spec/ingress/from/podSelector/matchLabels",
                "networking.k8s.io",
                "",
                "NetworkPolicy",
                False,
            ),
            (
                "spec/egress/to/podSelector/matchLabels",
                "networking.k8s.io",
                "",
                "NetworkPolicy",
                False,
            ),
        ]
    )
    + METADATA_LABEL_SPECS
)

# The default of a ``labels:`` entry without includeSelectors/includeTemplates.
METADATA_ONLY_LABEL_SPECS: tuple[FieldSpec, ...] = (FieldSpec("metadata/labels", create=True),)

# commonannotations.go
COMMON_ANNOTATION_SPECS: tuple[FieldSpec, ...] = _table(
    [
        ("metadata/annotations", "", "", "", True),
        ("spec/template/metadata/annotations", "", "v1", "ReplicationController", True),
        ("spec/template/metadata/annotations", "", "", "Deployment", True),
        ("spec/template/metadata/annotations", "", "", "ReplicaSet", True),
        ("spec/template/metadata/annotations", "", "", "DaemonSet", True),
        ("spec/template/metadata/annotations", "", "", "StatefulSet", True),
        ("spec/template/metadata/annotations", "batch", "", "Job", True),
        ("spec/jobTemplate/metadata/annotations", "batch", "", "CronJob", True),
        ("spec/jobTemplate/spec/template/metadata/annotations", "batch", "", "CronJob", True),
    ]
)

# images.go. ``create: true`` is inert here: the image filter never creates fields.
IMAGE_SPECS: tuple[FieldSpec, ...] = _table(
    [
        ("spec/containers[]/image", "", "", "", True),
        ("spec/initContainers[]/image", "", "", "", True),
        ("spec/template/spec/containers[]/image", "", "", "", True),
        ("spec/template/spec/initContainers[]/image", "", "", "", True),
    ]
)
