#!/usr/bin/env python3
"""Generate envlib/kustomize/data/k8s_merge_keys.json from a Kubernetes OpenAPI v2 document.

Why: kustomize's strategic merge (kyaml ``merge2``) decides per field whether a list is merged
(and by which keys) or replaced, by walking the OpenAPI schema of the object's
apiVersion/kind. kyaml embeds the **Kubernetes v1.21.2** schema, so every kind and field added
to Kubernetes after 1.21 is "unknown" to it (its lists are replaced), and a few beta kinds
removed from Kubernetes later are still known to it.

The team's reference schema (``/work/shared/openapi/kubernetes-openapi-v2.json``) is newer.
This script rebuilds kyaml's *view* from it:

* kinds in ``POST_121_KINDS`` are dropped; fields in ``POST_121_FIELDS`` are dropped;
* ``x-kubernetes-list-map-keys`` that a newer release merely added with the same single key as
  the merge key are harmless (same key list); real post-1.21 list changes are undone through
  ``POST_121_LIST_STRATEGY``;
* 1.21 fields removed later are put back (``RESTORED_FIELDS``);
* 1.21 kinds removed later are mapped to a surviving definition with the same merge
  structure (``REMOVED_KIND_ALIASES``).

Only what the merge needs is kept: per definition its properties, additionalProperties,
array items and, for lists with a ``merge`` patch strategy, the merge key list (kyaml's
``PatchStrategyAndKeyList``: ``x-kubernetes-list-map-keys`` if present, else the patch merge
key). Properties that carry a ``$ref`` become just the referenced definition (kyaml resolves
the ref and drops the property's own extensions).

Usage::

    python scripts/gen_merge_keys.py [OPENAPI_JSON] [--out PATH] [--compare-121 BUNDLE_JSON]

``--compare-121`` checks the result against a v1.21.2 definitions document (e.g. kyaml's
``kubernetes-openapi-union-v1.21.2.bundle-v1.json``) and prints every difference that could
change a merge; it was used to build the lists below.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_SOURCE = (
    Path(__file__).resolve().parents[1].parent / "shared/openapi/kubernetes-openapi-v2.json"
)
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "envlib/kustomize/data/k8s_merge_keys.json"

# --- facts: what the newer schema has that kyaml's v1.21.2 schema does not --------------------

# API groups/versions whose every kind is newer than 1.21 (all kinds of these are dropped).
POST_121_GROUP_VERSIONS: frozenset[str] = frozenset(
    {
        "admissionregistration.k8s.io/v1alpha1",
        "certificates.k8s.io/v1alpha1",
        "coordination.k8s.io/v1alpha2",
        "resource.k8s.io/v1",
        "resource.k8s.io/v1alpha3",
        "resource.k8s.io/v1beta1",
        "resource.k8s.io/v1beta2",
        "scheduling.k8s.io/v1alpha2",
        "storagemigration.k8s.io/v1beta1",
    }
)

# Individual kinds added after 1.21 in group/versions that already existed (or went GA later).
POST_121_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        # ValidatingAdmissionPolicy (1.26 alpha, GA 1.30), MutatingAdmissionPolicy (1.32+)
        ("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicyBindingList"),
        ("admissionregistration.k8s.io/v1", "MutatingAdmissionPolicyList"),
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBindingList"),
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyList"),
        ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBindingList"),
        ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyList"),
        ("authentication.k8s.io/v1", "SelfSubjectReview"),  # 1.28
        ("autoscaling/v2", "HorizontalPodAutoscaler"),  # GA 1.23
        ("autoscaling/v2", "HorizontalPodAutoscalerList"),
        ("certificates.k8s.io/v1beta1", "ClusterTrustBundle"),
        ("certificates.k8s.io/v1beta1", "ClusterTrustBundleList"),
        ("certificates.k8s.io/v1beta1", "PodCertificateRequest"),
        ("certificates.k8s.io/v1beta1", "PodCertificateRequestList"),
        ("coordination.k8s.io/v1beta1", "LeaseCandidate"),
        ("coordination.k8s.io/v1beta1", "LeaseCandidateList"),
        ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),  # GA 1.29 (1.21 had v1beta1)
        ("flowcontrol.apiserver.k8s.io/v1", "FlowSchemaList"),
        ("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration"),
        ("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfigurationList"),
        ("internal.apiserver.k8s.io/v1alpha1", "StorageVersion"),  # not served in 1.21 schema
        ("internal.apiserver.k8s.io/v1alpha1", "StorageVersionList"),
        ("networking.k8s.io/v1", "IPAddress"),
        ("networking.k8s.io/v1", "IPAddressList"),
        ("networking.k8s.io/v1", "ServiceCIDR"),
        ("networking.k8s.io/v1", "ServiceCIDRList"),
        ("networking.k8s.io/v1beta1", "IPAddress"),
        ("networking.k8s.io/v1beta1", "IPAddressList"),
        ("networking.k8s.io/v1beta1", "ServiceCIDR"),
        ("networking.k8s.io/v1beta1", "ServiceCIDRList"),
        ("policy/v1", "Eviction"),  # 1.22
        ("storage.k8s.io/v1", "CSIStorageCapacity"),  # GA 1.24 (1.21 had v1beta1)
        ("storage.k8s.io/v1", "CSIStorageCapacityList"),
        ("storage.k8s.io/v1", "VolumeAttributesClass"),
        ("storage.k8s.io/v1", "VolumeAttributesClassList"),
        ("storage.k8s.io/v1beta1", "VolumeAttributesClass"),
        ("storage.k8s.io/v1beta1", "VolumeAttributesClassList"),
    }
)

# Fields added after 1.21 to definitions that existed in 1.21. kyaml does not know them, so
# a patch on them sees no schema (lists replaced, e.g. ``resources.claims``, ``schedulingGates``).
POST_121_FIELDS: dict[str, tuple[str, ...]] = {
    "io.k8s.api.admissionregistration.v1.MutatingWebhook": ("matchConditions",),
    "io.k8s.api.admissionregistration.v1.ValidatingWebhook": ("matchConditions",),
    "io.k8s.api.apps.v1.DeploymentStatus": ("terminatingReplicas",),
    "io.k8s.api.apps.v1.ReplicaSetStatus": ("terminatingReplicas",),
    "io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy": ("maxUnavailable",),
    "io.k8s.api.apps.v1.StatefulSetSpec": (
        "minReadySeconds",
        "ordinals",
        "persistentVolumeClaimRetentionPolicy",
    ),
    "io.k8s.api.apps.v1.StatefulSetStatus": ("availableReplicas",),
    "io.k8s.api.authorization.v1.ResourceAttributes": ("fieldSelector", "labelSelector"),
    "io.k8s.api.autoscaling.v2.HPAScalingRules": ("tolerance",),  # via v2beta2 alias
    "io.k8s.api.batch.v1.CronJobSpec": ("timeZone",),
    "io.k8s.api.batch.v1.JobSpec": (
        "backoffLimitPerIndex",
        "managedBy",
        "maxFailedIndexes",
        "podFailurePolicy",
        "podReplacementPolicy",
        "successPolicy",
    ),
    "io.k8s.api.batch.v1.JobStatus": (
        "failedIndexes",
        "ready",
        "terminating",
        "uncountedTerminatedPods",
    ),
    "io.k8s.api.certificates.v1.CertificateSigningRequestSpec": ("expirationSeconds",),
    "io.k8s.api.coordination.v1.LeaseSpec": ("preferredHolder", "strategy"),
    "io.k8s.api.core.v1.CSIPersistentVolumeSource": ("nodeExpandSecretRef",),
    "io.k8s.api.core.v1.Container": ("resizePolicy", "restartPolicy", "restartPolicyRules"),
    "io.k8s.api.core.v1.ContainerStatus": (
        "allocatedResources",
        "allocatedResourcesStatus",
        "resources",
        "stopSignal",
        "user",
        "volumeMounts",
    ),
    "io.k8s.api.core.v1.EnvVarSource": ("fileKeyRef",),
    "io.k8s.api.core.v1.EphemeralContainer": (
        "resizePolicy",
        "restartPolicy",
        "restartPolicyRules",
    ),
    "io.k8s.api.core.v1.Lifecycle": ("stopSignal",),
    # LifecycleHandler is 1.21's Handler renamed; ``sleep`` is new.
    "io.k8s.api.core.v1.LifecycleHandler": ("sleep",),
    "io.k8s.api.core.v1.LoadBalancerIngress": ("ipMode",),
    "io.k8s.api.core.v1.NodeStatus": ("declaredFeatures", "features", "runtimeHandlers"),
    "io.k8s.api.core.v1.NodeSystemInfo": ("swap",),
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec": (
        "dataSourceRef",
        "volumeAttributesClassName",
    ),
    "io.k8s.api.core.v1.PersistentVolumeClaimStatus": (
        "allocatedResourceStatuses",
        "allocatedResources",
        "currentVolumeAttributesClassName",
        "modifyVolumeStatus",
    ),
    "io.k8s.api.core.v1.PersistentVolumeSpec": ("volumeAttributesClassName",),
    "io.k8s.api.core.v1.PersistentVolumeStatus": ("lastPhaseTransitionTime",),
    "io.k8s.api.core.v1.PodAffinityTerm": ("matchLabelKeys", "mismatchLabelKeys"),
    "io.k8s.api.core.v1.PodCondition": ("observedGeneration",),
    "io.k8s.api.core.v1.PodSecurityContext": (
        "appArmorProfile",
        "seLinuxChangePolicy",
        "supplementalGroupsPolicy",
    ),
    "io.k8s.api.core.v1.PodSpec": (
        "hostUsers",
        "hostnameOverride",
        "os",
        "resourceClaims",
        "resources",
        "schedulingGates",
        "schedulingGroup",
    ),
    "io.k8s.api.core.v1.PodStatus": (
        "allocatedResources",
        "extendedResourceClaimStatus",
        "hostIPs",
        "nodeAllocatableResourceClaimStatuses",
        "observedGeneration",
        "resize",
        "resourceClaimStatuses",
        "resources",
    ),
    "io.k8s.api.core.v1.Probe": ("grpc",),
    "io.k8s.api.core.v1.ResourceRequirements": ("claims",),
    "io.k8s.api.core.v1.SecurityContext": ("appArmorProfile",),
    "io.k8s.api.core.v1.ServiceSpec": ("trafficDistribution",),
    "io.k8s.api.core.v1.TopologySpreadConstraint": (
        "matchLabelKeys",
        "minDomains",
        "nodeAffinityPolicy",
        "nodeTaintsPolicy",
    ),
    "io.k8s.api.core.v1.Volume": ("image",),
    "io.k8s.api.core.v1.VolumeMount": ("recursiveReadOnly",),
    "io.k8s.api.core.v1.VolumeProjection": ("clusterTrustBundle", "podCertificate"),
    "io.k8s.api.core.v1.WindowsSecurityContextOptions": ("hostProcess",),
    "io.k8s.api.discovery.v1.EndpointHints": ("forNodes",),
    "io.k8s.api.policy.v1.PodDisruptionBudgetSpec": ("unhealthyPodEvictionPolicy",),
    "io.k8s.api.storage.v1.CSIDriverSpec": (
        "nodeAllocatableUpdatePeriodSeconds",
        "preventPodSchedulingIfMissing",
        "seLinuxMount",
        "serviceAccountTokenInSecrets",
    ),
    "io.k8s.api.storage.v1.VolumeError": ("errorCode",),
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition": (
        "observedGeneration",
    ),
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus": (
        "observedGeneration",
    ),
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion": (
        "selectableFields",
    ),
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps": (
        "x-kubernetes-validations",
    ),
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": (
        "ignoreStoreReadErrorWithClusterBreakingPotential",
    ),
    "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": ("shardInfo",),
    "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": ("subresource",),
}

# Lists whose patch strategy changed after 1.21. ``None`` = no strategy in 1.21 (replaced).
POST_121_LIST_STRATEGY: dict[tuple[str, str], list[str] | None] = {
    # EphemeralContainer.ports got merge by containerPort+protocol after 1.21.
    ("io.k8s.api.core.v1.EphemeralContainer", "ports"): None,
    # Definitions only reached through REMOVED_KIND_ALIASES below: their 1.21 beta ancestors
    # had no strategy on status.conditions.
    ("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus", "conditions"): None,
    ("io.k8s.api.flowcontrol.v1.FlowSchemaStatus", "conditions"): None,
    ("io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationStatus", "conditions"): None,
}

# Fields of 1.21 removed from Kubernetes later; kyaml still knows them (plain types).
RESTORED_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"clusterName": {"type": "string"}},
    "io.k8s.api.core.v1.ServiceSpec": {
        "topologyKeys": {"type": "array", "items": {"type": "string"}}
    },
}

# 1.21 kinds removed from Kubernetes later, mapped to the surviving definition whose merge
# structure (every list strategy and key reachable from the kind) is identical in 1.21.
# Checked with --compare-121; ``(group/version, kind) -> definition``. What remains different
# (reported by --compare-121) are renamed scalar/struct fields of these beta kinds, which only
# changes whether kyaml "knows" such a field - it cannot change a merge unless a patch
# embeds apiVersion/kind objects under them. policy/v1beta1 PodSecurityPolicy has no
# successor: it is treated as unknown (its spec lists had no merge strategy in 1.21 either;
# only metadata.finalizers/ownerReferences would merge in kustomize).
REMOVED_KIND_ALIASES: dict[tuple[str, str], str] = {
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"): (
        "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration"
    ),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"): (
        "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration"
    ),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): (
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
    ),
    ("apiregistration.k8s.io/v1beta1", "APIService"): (
        "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService"
    ),
    ("authentication.k8s.io/v1beta1", "TokenReview"): "io.k8s.api.authentication.v1.TokenReview",
    ("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview"): (
        "io.k8s.api.authorization.v1.LocalSubjectAccessReview"
    ),
    ("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview"): (
        "io.k8s.api.authorization.v1.SelfSubjectAccessReview"
    ),
    ("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview"): (
        "io.k8s.api.authorization.v1.SelfSubjectRulesReview"
    ),
    ("authorization.k8s.io/v1beta1", "SubjectAccessReview"): (
        "io.k8s.api.authorization.v1.SubjectAccessReview"
    ),
    ("policy/v1beta1", "Eviction"): "io.k8s.api.policy.v1.Eviction",
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): (
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"
    ),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): (
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"
    ),
    ("batch/v1beta1", "CronJob"): "io.k8s.api.batch.v1.CronJob",
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"): (
        "io.k8s.api.certificates.v1.CertificateSigningRequest"
    ),
    ("coordination.k8s.io/v1beta1", "Lease"): "io.k8s.api.coordination.v1.Lease",
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): "io.k8s.api.discovery.v1.EndpointSlice",
    ("events.k8s.io/v1beta1", "Event"): "io.k8s.api.events.v1.Event",
    ("extensions/v1beta1", "Ingress"): "io.k8s.api.networking.v1.Ingress",
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"): (
        "io.k8s.api.flowcontrol.v1.FlowSchema"
    ),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"): (
        "io.k8s.api.flowcontrol.v1.PriorityLevelConfiguration"
    ),
    ("networking.k8s.io/v1beta1", "Ingress"): "io.k8s.api.networking.v1.Ingress",
    ("networking.k8s.io/v1beta1", "IngressClass"): "io.k8s.api.networking.v1.IngressClass",
    ("node.k8s.io/v1beta1", "RuntimeClass"): "io.k8s.api.node.v1.RuntimeClass",
    ("policy/v1beta1", "PodDisruptionBudget"): "io.k8s.api.policy.v1.PodDisruptionBudget",
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"): "io.k8s.api.rbac.v1.ClusterRole",
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"): (
        "io.k8s.api.rbac.v1.ClusterRoleBinding"
    ),
    ("rbac.authorization.k8s.io/v1beta1", "Role"): "io.k8s.api.rbac.v1.Role",
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"): "io.k8s.api.rbac.v1.RoleBinding",
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): "io.k8s.api.scheduling.v1.PriorityClass",
    ("storage.k8s.io/v1beta1", "CSIDriver"): "io.k8s.api.storage.v1.CSIDriver",
    ("storage.k8s.io/v1beta1", "CSINode"): "io.k8s.api.storage.v1.CSINode",
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): "io.k8s.api.storage.v1.CSIStorageCapacity",
    ("storage.k8s.io/v1beta1", "StorageClass"): "io.k8s.api.storage.v1.StorageClass",
    ("storage.k8s.io/v1beta1", "VolumeAttachment"): "io.k8s.api.storage.v1.VolumeAttachment",
}

REF_PREFIX = "#/definitions/"


def _gvks(definition: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for gvk in definition.get("x-kubernetes-group-version-kind") or []:
        api_version = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]
        out.append((api_version, gvk["kind"]))
    return out


def _compact(schema: dict[str, Any], owner: str, field: str | None) -> Any:
    """One schema node in the compact form (a definition name, or a dict)."""
    ref = schema.get("$ref")
    if ref:
        return ref[len(REF_PREFIX) :]
    node: dict[str, Any] = {}
    props = schema.get("properties")
    if props:
        node["p"] = {name: _compact(sub, owner, name) for name, sub in props.items()}
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        node["a"] = _compact(extra, owner, None)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        node["i"] = _compact(schema["items"], owner, None)
        strategy = schema.get("x-kubernetes-patch-strategy") or ""
        if "merge" in strategy.split(","):
            keys = schema.get("x-kubernetes-list-map-keys")
            if not keys:
                key = schema.get("x-kubernetes-patch-merge-key")
                keys = [key] if key else []
            node["m"] = list(keys)
        if field is not None and (owner, field) in POST_121_LIST_STRATEGY:
            override = POST_121_LIST_STRATEGY[(owner, field)]
            if override is None:
                node.pop("m", None)
            else:
                node["m"] = override
    return node


def build(source: dict[str, Any]) -> dict[str, Any]:
    """The compact merge schema as kyaml (v1.21.2) sees it."""
    definitions: dict[str, Any] = source["definitions"]
    kinds: dict[str, str] = {}
    for name, definition in definitions.items():
        for api_version, kind in _gvks(definition):
            if api_version in POST_121_GROUP_VERSIONS or (api_version, kind) in POST_121_KINDS:
                continue
            kinds[f"{api_version}|{kind}"] = name
    for (api_version, kind), name in REMOVED_KIND_ALIASES.items():
        kinds[f"{api_version}|{kind}"] = name

    defs: dict[str, Any] = {}
    pending = sorted(set(kinds.values()))
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        schema = json.loads(json.dumps(definitions[name]))
        props = schema.setdefault("properties", {})
        for field in POST_121_FIELDS.get(name, ()):
            props.pop(field)  # KeyError = the list is stale: fail loudly
        props.update(RESTORED_FIELDS.get(name, {}))
        if not props:
            del schema["properties"]
        defs[name] = _compact(schema, name, None)
        pending.extend(_refs(defs[name]))
    return {
        "about": "kyaml's view (Kubernetes v1.21.2) of list merge strategies; "
        "generated by scripts/gen_merge_keys.py - do not edit",
        "kinds": dict(sorted(kinds.items())),
        "defs": dict(sorted(defs.items())),
    }


def _refs(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    out: list[str] = []
    for sub in node.get("p", {}).values():
        out.extend(_refs(sub))
    for key in ("a", "i"):
        if key in node:
            out.extend(_refs(node[key]))
    return out


# --- verification against a v1.21.2 schema ----------------------------------------------------


def compare_121(data: dict[str, Any], bundle: dict[str, Any]) -> list[str]:
    """Differences between ``data`` and the same compaction of a real 1.21.2 definitions set."""
    old_defs = bundle["definitions"]
    old_kinds: dict[str, str] = {}
    for res in bundle.get("resources", []):
        if "definition" in res:
            old_kinds[f"{res['apiVersion']}|{res['kind']}"] = res["definition"]
    for name, definition in old_defs.items():
        for api_version, kind in _gvks(definition):
            old_kinds[f"{api_version}|{kind}"] = name
    problems: list[str] = []
    skip = {"DeleteOptions", "WatchEvent", "Status"}
    for key in sorted(set(old_kinds) | set(data["kinds"])):
        if key.split("|")[1] in skip or key.endswith("List"):
            continue
        if key not in data["kinds"]:
            problems.append(f"{key}: known to 1.21 but missing")
            continue
        if key not in old_kinds:
            problems.append(f"{key}: not in 1.21 but present")
            continue

        def old_node(name: str) -> Any:
            return _compact(old_defs[name], name, None)

        problems.extend(
            _diff(
                old_node(old_kinds[key]),
                data["defs"][data["kinds"][key]],
                old_node,
                lambda n: data["defs"][n],
                key,
                set(),
            )
        )
    return problems


def _diff(a: Any, b: Any, resolve_a: Any, resolve_b: Any, path: str, seen: set[str]) -> list[str]:
    if isinstance(a, str):
        a = resolve_a(a)
    if isinstance(b, str):
        if (path, b) in seen:
            return []
        seen.add((path, b))  # type: ignore[arg-type]
        b = resolve_b(b)
    if path.count(".") > 12:
        return []
    out: list[str] = []
    if a.get("m") != b.get("m"):
        out.append(f"{path}: merge keys {a.get('m')} != {b.get('m')}")
    pa, pb = a.get("p", {}), b.get("p", {})
    if set(pa) != set(pb):
        out.append(
            f"{path}: fields only-1.21={sorted(set(pa) - set(pb))} "
            f"only-new={sorted(set(pb) - set(pa))}"
        )
    for name in sorted(set(pa) & set(pb)):
        out.extend(_diff(pa[name], pb[name], resolve_a, resolve_b, f"{path}.{name}", seen))
    for key, label in (("a", "{}"), ("i", "[]")):
        if (key in a) != (key in b):
            out.append(f"{path}{label}: presence differs")
        elif key in a:
            out.extend(_diff(a[key], b[key], resolve_a, resolve_b, f"{path}{label}", seen))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--compare-121", type=Path, default=None)
    args = parser.parse_args(argv)
    data = build(json.loads(args.source.read_text()))
    if args.compare_121 is not None:
        problems = compare_121(data, json.loads(args.compare_121.read_text()))
        for line in problems:
            print(line)
        print(f"{len(problems)} difference(s)", file=sys.stderr)
        return 1 if problems else 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {args.out}: {len(data['kinds'])} kinds, {len(data['defs'])} definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
