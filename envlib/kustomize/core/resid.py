"""Resource identity: group/version/kind + name + namespace, as kustomize's ``resid`` package.

Ids are plain frozen dataclasses so they hash fast (the engine indexes thousands of them).
``str(ResId)`` prints kustomize's format ``Kind.version.group/name.namespace`` with the
``[noGrp]``/``[noVer]``/``[noKind]``/``[noNs]`` placeholders, which appears in its error texts.
"""

from __future__ import annotations

from dataclasses import dataclass

# kyaml's built-in list of cluster-scoped apiVersion/kind pairs (Kubernetes 1.21 schema).
# Anything not listed here - including cluster-scoped CRD kinds and kinds added after 1.21 -
# is treated as namespaced by kustomize (spec section 7.1).
_CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    (gv, kind)
    for kind, gvs in {
        "MutatingWebhookConfiguration": (
            "admissionregistration.k8s.io/v1",
            "admissionregistration.k8s.io/v1beta1",
        ),
        "ValidatingWebhookConfiguration": (
            "admissionregistration.k8s.io/v1",
            "admissionregistration.k8s.io/v1beta1",
        ),
        "CustomResourceDefinition": (
            "apiextensions.k8s.io/v1",
            "apiextensions.k8s.io/v1beta1",
        ),
        "APIService": ("apiregistration.k8s.io/v1", "apiregistration.k8s.io/v1beta1"),
        "TokenReview": ("authentication.k8s.io/v1", "authentication.k8s.io/v1beta1"),
        "SelfSubjectAccessReview": (
            "authorization.k8s.io/v1",
            "authorization.k8s.io/v1beta1",
        ),
        "SelfSubjectRulesReview": (
            "authorization.k8s.io/v1",
            "authorization.k8s.io/v1beta1",
        ),
        "SubjectAccessReview": ("authorization.k8s.io/v1", "authorization.k8s.io/v1beta1"),
        "CertificateSigningRequest": (
            "certificates.k8s.io/v1",
            "certificates.k8s.io/v1beta1",
        ),
        "FlowSchema": ("flowcontrol.apiserver.k8s.io/v1beta1",),
        "PriorityLevelConfiguration": ("flowcontrol.apiserver.k8s.io/v1beta1",),
        "IngressClass": ("networking.k8s.io/v1", "networking.k8s.io/v1beta1"),
        "RuntimeClass": ("node.k8s.io/v1", "node.k8s.io/v1beta1"),
        "PodSecurityPolicy": ("policy/v1beta1",),
        "ClusterRole": ("rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1beta1"),
        "ClusterRoleBinding": (
            "rbac.authorization.k8s.io/v1",
            "rbac.authorization.k8s.io/v1beta1",
        ),
        "PriorityClass": ("scheduling.k8s.io/v1", "scheduling.k8s.io/v1beta1"),
        "CSIDriver": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "CSINode": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "StorageClass": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "VolumeAttachment": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "ComponentStatus": ("v1",),
        "Namespace": ("v1",),
        "Node": ("v1",),
        "PersistentVolume": ("v1",),
    }.items()
    for gv in gvs
)


def is_cluster_scoped(api_version: str, kind: str) -> bool:
    """Whether kustomize treats this apiVersion/kind as cluster-scoped (kyaml's 1.21 list)."""
    return (api_version, kind) in _CLUSTER_SCOPED


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` -> (``apps``, ``v1``); ``v1`` -> (``""``, ``v1``)."""
    group, sep, version = api_version.rpartition("/")
    return (group, version) if sep else ("", api_version)


@dataclass(frozen=True, slots=True)
class Gvk:
    """Group, version, kind. Empty strings for absent parts."""

    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        """The ``apiVersion`` string this Gvk came from."""
        if not self.group:
            return self.version
        return f"{self.group}/{self.version}"

    @property
    def cluster_scoped(self) -> bool:
        """Whether kustomize treats this kind as cluster-scoped."""
        return is_cluster_scoped(self.api_version, self.kind)

    def __str__(self) -> str:
        return f"{self.kind or '[noKind]'}.{self.version or '[noVer]'}.{self.group or '[noGrp]'}"

    @classmethod
    def from_api_version(cls, api_version: str, kind: str) -> Gvk:
        """Build from an object's ``apiVersion`` and ``kind``."""
        group, version = split_api_version(api_version)
        return cls(group, version, kind)


@dataclass(frozen=True, slots=True)
class ResId:
    """A resource id. ``namespace`` is the raw value ("" when the object has none)."""

    gvk: Gvk
    name: str
    namespace: str = ""

    @property
    def effective_namespace(self) -> str:
        """Namespace for comparisons: "" means ``default`` for namespaced kinds."""
        if self.gvk.cluster_scoped:
            return ""
        return self.namespace or "default"

    def same_as(self, other: ResId) -> bool:
        """kustomize's id equality: same GVK and name, effective namespaces equal."""
        return (
            self.gvk == other.gvk
            and self.name == other.name
            and self.effective_namespace == other.effective_namespace
        )

    @property
    def key(self) -> tuple[Gvk, str, str]:
        """Hashable key implementing :meth:`same_as` equality."""
        return (self.gvk, self.name, self.effective_namespace)

    def __str__(self) -> str:
        return f"{self.gvk}/{self.name}.{self.namespace or '[noNs]'}"
