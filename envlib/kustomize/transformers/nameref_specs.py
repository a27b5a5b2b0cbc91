"""Data tables: which fields hold names of other objects, and which may hold ``$(VARS)``.

These mirror kustomize v5.5.0's built-in transformer configuration (``nameReference`` and
``varReference`` in ``api/internal/konfig/builtinpluginconsts``). They are data, not code, so
that a reviewer can compare them entry by entry with kustomize's list, and so that
``configurations:`` support could later extend them.

Paths use kustomize's field-spec syntax: ``/``-separated map keys, with lists walked
implicitly (``spec/containers/env/value`` visits every container and every env entry) and
``\\/`` escaping a slash inside a key (annotation names).

Order matters a little: kustomize applies the filters of one referrer in the order of this
table, so a field rewritten for one referral kind is then seen by the next one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from envlib.kustomize.core.resid import Gvk
from envlib.kustomize.core.sorting import DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST
from envlib.kustomize.transformers.fieldpath import FieldPathError, walk_path


@dataclass(frozen=True, slots=True)
class GvkSelector:
    """A partial GVK; empty parts match anything (kustomize's ``Gvk.IsSelected``)."""

    kind: str = ""
    group: str = ""
    version: str = ""

    def selects(self, gvk: Gvk) -> bool:
        """Whether ``gvk`` matches every non-empty part of this selector."""
        return (
            (not self.group or gvk.group == self.group)
            and (not self.version or gvk.version == self.version)
            and (not self.kind or gvk.kind == self.kind)
        )

    def __str__(self) -> str:
        return str(Gvk(self.group, self.version, self.kind))


@functools.lru_cache(maxsize=4096)
def split_path(path: str) -> tuple[str, ...]:
    """Split a field-spec path at ``/``, honouring ``\\/`` escapes and a leading ``/``."""
    parts = path.split("/")
    if len(parts) > 1 and parts[0] == "":
        parts = parts[1:]
    out: list[str] = [parts[0]]
    for part in parts[1:]:
        if out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + "/" + part
        else:
            out.append(part)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class RefField:
    """A field in objects selected by ``gvk``; ``path`` is the raw kustomize path text."""

    gvk: GvkSelector
    path: str

    @property
    def segments(self) -> tuple[str, ...]:
        """The path split into map keys."""
        return split_path(self.path)


@dataclass(frozen=True, slots=True)
class NameBackReference:
    """Objects of kind ``target`` may be referred to by name from each of ``referrers``."""

    target: GvkSelector
    referrers: tuple[RefField, ...]


# The walk error of the name-reference style callers (``kustomize_text()`` / ``reason``).
FieldWalkError = FieldPathError

# Called with (container, key): the node found is ``container[key]``.
Setter = Callable[[Any, Any], None]


def walk_field(
    obj: dict[str, Any], segments: Sequence[str], setter: Setter, *, create: bool = False
) -> None:
    """Call ``setter`` on every node at ``segments`` below ``obj`` (kustomize's fieldspec walk).

    :func:`~.fieldpath.walk_path` with the name-reference flavour: a created leaf is null and
    a null ``name[]`` stays null; a scalar before the end raises :class:`FieldWalkError`, as
    kustomize's ``expected sequence or mapping node``.
    """
    walk_path(
        obj,
        segments,
        lambda slot: setter(slot.holder, slot.key),
        create=create,
        leaf_map=False,
        null_to_list=False,
    )


def _fs(kind: str, path: str, group: str = "", version: str = "") -> RefField:
    return RefField(GvkSelector(kind, group, version), path)


# Where a pod spec sits in each workload kind (kustomize lists them kind by kind).
_POD_SPEC_AT: tuple[tuple[str, str], ...] = (
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
)
_CRONJOB_POD_SPEC = "spec/jobTemplate/spec/template/spec"


def _pod_refs(kind_paths: Iterable[tuple[str, str]], tails: tuple[str, ...]) -> list[RefField]:
    """``tails`` below the pod spec of every workload kind; Pod entries pin version v1."""
    out: list[RefField] = []
    for kind, base in kind_paths:
        version = "v1" if kind == "Pod" else ""
        out.extend(_fs(kind, f"{base}/{tail}", version=version) for tail in tails)
    return out


_CONFIGMAP_TAILS = (
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
)
_CONFIGMAP_CRONJOB_TAILS = (
    "volumes/configMap/name",
    "volumes/projected/sources/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
)
_SECRET_TAILS = (
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
)
_SECRET_CRONJOB_TAILS = (
    "volumes/secret/secretName",
    "volumes/projected/sources/secret/name",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
)
# Kinds whose pod spec can name a ServiceAccount / PVC / PriorityClass, in kustomize's order.
_WORKLOADS_SA = (
    ("Pod", "spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("CronJob", _CRONJOB_POD_SPEC),
    ("Job", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
)


def _workload_refs(tail: str) -> list[RefField]:
    return [_fs(kind, f"{base}/{tail}") for kind, base in _WORKLOADS_SA]


_RBAC = "rbac.authorization.k8s.io"
_ADMISSION = "admissionregistration.k8s.io"

_NAME_REFERENCES_AS_LISTED: tuple[NameBackReference, ...] = (
    *(
        NameBackReference(
            GvkSelector(kind),
            (_fs("HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),),
        )
        for kind in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
    ),
    NameBackReference(
        GvkSelector("ConfigMap", version="v1"),
        (
            *_pod_refs(_POD_SPEC_AT, _CONFIGMAP_TAILS),
            *_pod_refs((("CronJob", _CRONJOB_POD_SPEC),), _CONFIGMAP_CRONJOB_TAILS),
            _fs("Node", "spec/configSource/configMap"),
            _fs("Role", "rules/resourceNames"),
            _fs("ClusterRole", "rules/resourceNames"),
            _fs(
                "Ingress",
                "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
            ),
        ),
    ),
    NameBackReference(
        GvkSelector("Secret", version="v1"),
        (
            *_pod_refs(_POD_SPEC_AT, _SECRET_TAILS),
            *_pod_refs((("CronJob", _CRONJOB_POD_SPEC),), _SECRET_CRONJOB_TAILS),
            _fs("Ingress", "spec/tls/secretName"),
            _fs("Ingress", "metadata/annotations/ingress.kubernetes.io\\/auth-secret"),
            _fs("Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"),
            _fs("Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret"),
            _fs("Ingress", "spec/tls/secretName"),  # listed twice by kustomize; harmless
            _fs("ServiceAccount", "imagePullSecrets/name"),
            _fs("StorageClass", "parameters/secretName"),
            _fs("StorageClass", "parameters/adminSecretName"),
            _fs("StorageClass", "parameters/userSecretName"),
            _fs("StorageClass", "parameters/secretRef"),
            _fs("Role", "rules/resourceNames"),
            _fs("ClusterRole", "rules/resourceNames"),
            _fs(
                "Service",
                "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
                group="serving.knative.dev",
                version="v1",
            ),
            _fs("PersistentVolume", "spec/azureFile/secretName"),
        ),
    ),
    NameBackReference(
        GvkSelector("Service", version="v1"),
        (
            _fs("StatefulSet", "spec/serviceName", group="apps"),
            _fs("Ingress", "spec/rules/http/paths/backend/serviceName"),
            _fs("Ingress", "spec/backend/serviceName"),
            _fs("Ingress", "spec/rules/http/paths/backend/service/name"),
            _fs("Ingress", "spec/defaultBackend/service/name"),
            _fs("APIService", "spec/service/name", group="apiregistration.k8s.io"),
            # These two end at a map holding ``name`` and ``namespace``.
            _fs(
                "ValidatingWebhookConfiguration", "webhooks/clientConfig/service", group=_ADMISSION
            ),
            _fs("MutatingWebhookConfiguration", "webhooks/clientConfig/service", group=_ADMISSION),
        ),
    ),
    NameBackReference(
        GvkSelector("Role", group=_RBAC),
        (_fs("RoleBinding", "roleRef/name", group=_RBAC),),
    ),
    NameBackReference(
        GvkSelector("ClusterRole", group=_RBAC),
        (
            _fs("RoleBinding", "roleRef/name", group=_RBAC),
            _fs("ClusterRoleBinding", "roleRef/name", group=_RBAC),
        ),
    ),
    NameBackReference(
        GvkSelector("ServiceAccount", version="v1"),
        (
            # Ends at the subjects list: every element is a map with name (+ namespace).
            _fs("RoleBinding", "subjects", group=_RBAC),
            _fs("ClusterRoleBinding", "subjects", group=_RBAC),
            *_workload_refs("serviceAccountName"),
        ),
    ),
    NameBackReference(
        GvkSelector("PersistentVolumeClaim", version="v1"),
        tuple(
            _fs(kind, f"{base}/volumes/persistentVolumeClaim/claimName")
            for kind, base in _WORKLOADS_SA
        ),
    ),
    NameBackReference(
        GvkSelector("PersistentVolume", version="v1"),
        (
            _fs("PersistentVolumeClaim", "spec/volumeName"),
            _fs("ClusterRole", "rules/resourceNames"),
        ),
    ),
    NameBackReference(
        GvkSelector("StorageClass", group="storage.k8s.io", version="v1"),
        (
            _fs("PersistentVolume", "spec/storageClassName"),
            _fs("PersistentVolumeClaim", "spec/storageClassName"),
            _fs("StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName"),
        ),
    ),
    NameBackReference(
        GvkSelector("PriorityClass", group="scheduling.k8s.io", version="v1"),
        tuple(_workload_refs("priorityClassName")),
    ),
    # kustomize writes the group as "networking.k8s.io/v1", which no object's group equals:
    # this entry never fires (verified with kubectl 1.32). Kept verbatim on purpose.
    NameBackReference(
        GvkSelector("IngressClass", group="networking.k8s.io/v1", version="v1"),
        (_fs("Ingress", "spec/ingressClassName"),),
    ),
    NameBackReference(
        GvkSelector("ValidatingAdmissionPolicy", group=_ADMISSION),
        (_fs("ValidatingAdmissionPolicyBinding", "spec/policyName", group=_ADMISSION),),
    ),
)


def _gvk_sort_key(selector: GvkSelector) -> tuple[int, str]:
    """kyaml's ``Gvk.IsLessThan``: kind rank of the legacy sort, then ``group_version_kind``."""
    kind = selector.kind
    if kind in DEFAULT_ORDER_FIRST:
        rank = DEFAULT_ORDER_FIRST.index(kind) - len(DEFAULT_ORDER_FIRST)
    elif kind in DEFAULT_ORDER_LAST:
        rank = DEFAULT_ORDER_LAST.index(kind) + 1
    else:
        rank = 0
    text = "_".join((selector.group or "~G", selector.version or "~V", kind or "~K"))
    return rank, text


# kustomize sorts its merged transformer config by target GVK before use; that order decides
# which referral kind sees a shared field (``rules/resourceNames``) first.
NAME_REFERENCES: tuple[NameBackReference, ...] = tuple(
    sorted(_NAME_REFERENCES_AS_LISTED, key=lambda ref: _gvk_sort_key(ref.target))
)


def merge_name_references(
    base: tuple[NameBackReference, ...], extra: Iterable[NameBackReference]
) -> tuple[NameBackReference, ...]:
    """Add ``configurations:`` name references the way kustomize merges its config.

    An entry whose target equals an existing one (all three GVK parts) extends that entry's
    referrers (exact repeats dropped); a new target is appended; the result is re-sorted by
    target as kustomize does after every merge.
    """
    merged = list(base)
    for incoming in extra:
        for index, current in enumerate(merged):
            if current.target == incoming.target:
                referrers = list(current.referrers)
                referrers.extend(r for r in incoming.referrers if r not in referrers)
                merged[index] = NameBackReference(current.target, tuple(referrers))
                break
        else:
            merged.append(incoming)
    return tuple(sorted(merged, key=lambda ref: _gvk_sort_key(ref.target)))


def _var_refs(kind: str, base: str, tails: tuple[str, ...]) -> list[RefField]:
    return [_fs(kind, f"{base}/{tail}") for tail in tails]


_CONTAINER_VAR_TAILS = tuple(
    f"{containers}/{leaf}"
    for containers in ("containers", "initContainers")
    for leaf in ("args", "command", "env/value", "volumeMounts/mountPath")
)

# Fields in which ``$(NAME)`` is substituted (kustomize's ``varReference`` list).
VAR_REFERENCES: tuple[RefField, ...] = (
    *_var_refs("CronJob", "spec/jobTemplate/spec/template/spec", _CONTAINER_VAR_TAILS),
    # sic: kustomize's CronJob nfs path lacks the pod ``spec`` segment.
    _fs("CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server"),
    *_var_refs("DaemonSet", "spec/template/spec", (*_CONTAINER_VAR_TAILS, "volumes/nfs/server")),
    *_var_refs("Deployment", "spec/template/spec", (*_CONTAINER_VAR_TAILS, "volumes/nfs/server")),
    _fs("Deployment", "spec/template/metadata/annotations"),
    _fs("Ingress", "spec/rules/host"),
    _fs("Ingress", "spec/tls/hosts"),
    _fs("Ingress", "spec/tls/secretName"),
    *_var_refs("Job", "spec/template/spec", (*_CONTAINER_VAR_TAILS, "volumes/nfs/server")),
    *_var_refs("Pod", "spec", (*_CONTAINER_VAR_TAILS, "volumes/nfs/server")),
    *_var_refs("ReplicaSet", "spec/template/spec", (*_CONTAINER_VAR_TAILS, "volumes/nfs/server")),
    _fs("Service", "spec/ports/port"),
    _fs("Service", "spec/ports/targetPort"),
    *_var_refs("StatefulSet", "spec/template/spec", _CONTAINER_VAR_TAILS),
    _fs("StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server"),
    _fs("PersistentVolume", "spec/nfs/server"),
    _fs("", "metadata/labels"),
    _fs("", "metadata/annotations"),
)
