"""The ``namespace:`` transformer (spec §7.1).

kustomize decides "cluster-scoped" from a fixed Kubernetes 1.21 list, not from the live API,
so cluster-scoped CRD kinds and newer built-ins (ValidatingAdmissionPolicy, FlowSchema v1)
*do* get a namespace. Besides ``metadata.namespace`` it rewrites the fields its field specs
name (by default: the name of ``v1`` Namespace objects, APIService and CRD conversion-webhook
service namespaces; ``configurations:`` add more, e.g. kubebuilder's webhook service
namespaces) and (Cluster)RoleBinding subjects named ``default``. Without such a
configuration, webhook configurations' service namespaces are left alone, as kustomize does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from envlib.errors import TransformerError
from envlib.kustomize.core.resid import ResId, is_cluster_scoped
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.transformers.fieldpath import field_spec_error, wrong_kind
from envlib.kustomize.transformers.fieldspecs import FieldSpec
from envlib.kustomize.transformers.nameref_specs import FieldWalkError, split_path, walk_field

_INTERNAL = "internal.config.kubernetes.io"
_ROLE_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
SUBJECT_MODES = ("defaultOnly", "none", "allServiceAccounts")

# namespace.go of kustomize's built-in config (the ``namespace:`` field's field specs).
DEFAULT_NAMESPACE_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("metadata/name", kind="Namespace", create=True),
    FieldSpec("spec/service/namespace", "apiregistration.k8s.io", "", "APIService", True),
    FieldSpec(
        "spec/conversion/webhook/clientConfig/service/namespace",
        "apiextensions.k8s.io",
        "",
        "CustomResourceDefinition",
    ),
)


def apply_namespace(
    resmap: ResMap,
    namespace: str,
    *,
    specs: Iterable[FieldSpec] = DEFAULT_NAMESPACE_SPECS,
    unset_only: bool = False,
    subjects: str = "defaultOnly",
    entry: str = "namespace",
) -> None:
    """Move every namespaced object of ``resmap`` into ``namespace`` (in place).

    ``specs`` are the extra fields holding "the namespace of this object" (``configurations:``
    ``namespace`` section, or a NamespaceTransformer's ``fieldSpecs``); ``metadata.namespace``
    is always set on namespaced kinds. ``unset_only`` only fills empty fields; ``subjects``
    is kustomize's ``setRoleBindingSubjects`` (``defaultOnly``: subjects named ``default``;
    ``allServiceAccounts``; ``none``).

    Raises :class:`TransformerError` when two objects end up with the same id (for example
    two ``Namespace`` objects, both renamed to ``namespace``).
    """
    if not namespace:
        return
    spec_list = tuple(specs)
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
        _transform(res, _Setter(namespace, unset_only), spec_list, subjects, entry)
        after = res.cur_id.key
        if after != before:
            counts[before] -= 1
            counts[after] += 1
        if counts[after] != 1:
            _raise_conflict(resmap, res)


class _Setter:
    """kyaml's ``SetEntry`` / ``SetEntryIfEmpty`` for a namespace value."""

    def __init__(self, namespace: str, unset_only: bool) -> None:
        self.namespace = namespace
        self.unset_only = unset_only

    def wanted(self, current: Any) -> bool:
        # kyaml's SetEntryIfEmpty: null and "" count as unset, and so does any map or list
        # (it looks for a scalar value there, finds none and sets, which then fails)
        if not self.unset_only:
            return True
        return current is None or current == "" or isinstance(current, (dict, list))

    def __call__(self, container: Any, key: Any) -> None:
        current = container[key]
        if isinstance(current, (dict, list)):
            raise FieldWalkError("namespace field specs must target scalar nodes")
        if self.wanted(current):
            container[key] = self.namespace


def _transform(
    res: Resource, setter: _Setter, specs: tuple[FieldSpec, ...], subjects: str, entry: str
) -> None:
    api_version, kind = res.api_version, res.kind
    if not is_cluster_scoped(api_version, kind):
        current = res.metadata.get("namespace")
        if isinstance(current, (dict, list)):
            # a JSON6902 patch made the namespace a map or list: kyaml's setter refuses it
            raise field_spec_error(
                res,
                "metadata/namespace",
                wrong_kind("ScalarNode", current, block=True),
                what="set the namespace",
                entry=entry,
            )
        if setter.wanted(current):
            res.set_namespace(setter.namespace)
    role_binding = kind in _ROLE_BINDINGS
    if role_binding:
        _set_subjects(res.obj, setter, subjects)
    for spec in specs:
        if spec.path == "metadata/namespace" or not spec.matches(api_version, kind):
            continue
        if role_binding and spec.kind in _ROLE_BINDINGS and spec.path == "subjects/namespace":
            continue
        if spec.path == "metadata/name":
            name = res.metadata.get("name")
            if api_version == "v1" and isinstance(name, (dict, list)):
                exc = FieldWalkError("namespace field specs must target scalar nodes")
                raise field_spec_error(res, spec.path, exc, what="set the namespace", entry=entry)
            if api_version == "v1" and setter.wanted(name):
                res.set_name(setter.namespace)
            continue
        try:
            walk_field(res.obj, split_path(spec.path), setter, create=spec.create)
        except FieldWalkError as exc:
            raise field_spec_error(
                res,
                spec.path,
                exc,
                what="set the namespace",
                entry=entry,
                context="namespace transformation failed: ",
            ) from None


def _set_subjects(obj: dict[str, Any], setter: _Setter, mode: str) -> None:
    """``defaultOnly``: subjects named ``default`` (any kind, even ``User``);
    ``allServiceAccounts``: every ``kind: ServiceAccount`` subject; ``none``: nothing."""
    subjects = obj.get("subjects")
    if mode == "none" or not isinstance(subjects, list):
        return
    for subject in subjects:
        if not isinstance(subject, dict):
            continue
        if mode == "allServiceAccounts":
            if subject.get("kind") != "ServiceAccount":
                continue
        elif subject.get("name") != "default":
            continue
        subject.setdefault("namespace", None)
        setter(subject, "namespace")


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
