"""The ``namespace:`` transformer (spec §7.1).

kustomize decides "cluster-scoped" from a fixed Kubernetes 1.21 list, not from the live API,
so cluster-scoped CRD kinds and newer built-ins (ValidatingAdmissionPolicy, FlowSchema v1)
*do* get a namespace. Besides ``metadata.namespace`` it rewrites a few fields that hold "the
namespace this object lives in": the name of ``v1`` Namespace objects, APIService and CRD
conversion-webhook service namespaces, and (Cluster)RoleBinding subjects named ``default``.
Webhook configurations' service namespaces are deliberately left alone, as kustomize does.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from envlib.errors import TransformerError
from envlib.kustomize.resid import ResId, is_cluster_scoped
from envlib.kustomize.resource import ResMap, Resource

from .nameref_specs import walk_field

_APISERVICE_PATH = ("spec", "service", "namespace")
_CRD_WEBHOOK_PATH = ("spec", "conversion", "webhook", "clientConfig", "service", "namespace")
_INTERNAL = "internal.config.kubernetes.io"


def apply_namespace(resmap: ResMap, namespace: str) -> None:
    """Move every namespaced object of ``resmap`` into ``namespace`` (in place).

    Raises :class:`TransformerError` when two objects end up with the same id (for example
    two ``Namespace`` objects, both renamed to ``namespace``).
    """
    if not namespace:
        return
    # How many objects currently hold each id key: kustomize checks after every object
    # that its new id is unique; counting keeps that check linear.
    counts = Counter(res.cur_id.key for res in resmap)
    for res in resmap:
        if not res.obj:
            continue
        before = res.cur_id.key
        # kustomize records the id of every visited object, moved or not; name-reference
        # fixing later treats "has previous ids" as "may be a referral target".
        res.store_previous_id()
        _transform(res, namespace)
        after = res.cur_id.key
        if after != before:
            counts[before] -= 1
            counts[after] += 1
        if counts[after] != 1:
            _raise_conflict(resmap, res)


def _transform(res: Resource, namespace: str) -> None:
    api_version, kind = res.api_version, res.kind
    group = res.gvk.group
    if not is_cluster_scoped(api_version, kind):
        res.set_namespace(namespace)
    if kind == "Namespace" and api_version == "v1":
        res.set_name(namespace)
    if kind == "APIService" and group == "apiregistration.k8s.io":
        walk_field(res.obj, _APISERVICE_PATH, _setter(namespace), create=True)
    if kind == "CustomResourceDefinition" and group == "apiextensions.k8s.io":
        walk_field(res.obj, _CRD_WEBHOOK_PATH, _setter(namespace))
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        _set_default_subjects(res.obj, namespace)


def _setter(namespace: str) -> Any:
    def set_value(container: Any, key: Any) -> None:
        container[key] = namespace

    return set_value


def _set_default_subjects(obj: dict[str, Any], namespace: str) -> None:
    """Subjects named ``default`` (any kind, even ``User``) get the namespace."""
    subjects = obj.get("subjects")
    if not isinstance(subjects, list):
        return
    for subject in subjects:
        if isinstance(subject, dict) and subject.get("name") == "default":
            subject["namespace"] = namespace


def _raise_conflict(resmap: ResMap, res: Resource) -> None:
    key = res.cur_id.key
    matches = [other for other in resmap if other.cur_id.key == key]
    dump = " ".join(go_json_with_build_annotations(r) for r in matches)
    origins = ", ".join(f"{r.org_id} ({r.origin})" for r in matches)
    raise TransformerError(
        f"namespace transformation produces ID conflict: {len(matches)} objects become "
        f"{res.cur_id}: {origins}",
        location=res.origin.location,
        entry="namespace",
        resource=str(res.cur_id),
        kustomize_message=f"namespace transformation produces ID conflict: [{dump}]",
    )


def _kustomize_ns(rid: ResId) -> str:
    if rid.gvk.cluster_scoped:
        return "_non_namespaceable_"
    return rid.namespace or "default"


def go_json_with_build_annotations(res: Resource) -> str:
    """The object as kustomize dumps it in errors: compact JSON, keys sorted, with the
    internal ``previous*``/``prefixes``/``suffixes`` annotations kustomize keeps while building.
    """
    obj = json.loads(json.dumps(res.obj))
    extra: dict[str, str] = {}
    if res.name_prefixes:
        extra[f"{_INTERNAL}/prefixes"] = ",".join(res.name_prefixes)
    if res.name_suffixes:
        extra[f"{_INTERNAL}/suffixes"] = ",".join(res.name_suffixes)
    if res.prev_ids:
        extra[f"{_INTERNAL}/previousKinds"] = ",".join(i.gvk.kind for i in res.prev_ids)
        extra[f"{_INTERNAL}/previousNames"] = ",".join(i.name for i in res.prev_ids)
        extra[f"{_INTERNAL}/previousNamespaces"] = ",".join(_kustomize_ns(i) for i in res.prev_ids)
    if extra:
        meta = obj.setdefault("metadata", {})
        annotations = meta.get("annotations")
        if not isinstance(annotations, dict):
            annotations = {}
        annotations.update(extra)
        meta["annotations"] = annotations
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
