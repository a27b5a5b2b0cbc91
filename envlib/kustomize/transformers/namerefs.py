"""Name-reference fixing (spec §7.3): after all renames, make references follow.

Runs once at the root, after hash suffixes. For every built-in referral field
(:data:`~.nameref_specs.NAME_REFERENCES`) in every object whose *original* kind matches, a
value equal to a *previous* name of an object of the referenced kind is replaced by that
object's final name. Candidates are narrowed exactly as kustomize narrows them, because the
corner cases are visible in real builds:

1. only objects with id history (touched by namespace/prefix/suffix/hash/rename) qualify,
   and one of their previous names must equal the value;
2. a previous id must be of the referenced kind (group-aware; kustomize's ``IngressClass``
   entry has a malformed group and so never matches);
3. for ``roleRef/name`` the roleRef's ``apiGroup``/``kind`` must match too;
4. a namespaced referrer only sees candidates in its own namespace (plus cluster-scoped
   objects and ServiceAccounts); a cluster-scoped referrer sees everything;
5. among several, the one whose applied prefixes/suffixes match the referrer's wins;
   identical survivors are fine, different ones are an error.

Map-valued fields (RBAC ``subjects``, webhook ``clientConfig.service``) also pick candidates
by their ``namespace`` and receive the referral's namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envlib.errors import TransformerError
from envlib.kustomize.core.resid import Gvk
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.transformers.nameref_specs import (
    NAME_REFERENCES,
    FieldWalkError,
    GvkSelector,
    NameBackReference,
    RefField,
    walk_field,
)
from envlib.kustomize.yaml.scalars import resolve_v3, restyled, with_text


def fix_name_references(
    resmap: ResMap, references: tuple[NameBackReference, ...] = NAME_REFERENCES
) -> None:
    """Rewrite every reference to a renamed object to its final name (in place)."""
    index = _Index(list(resmap))
    by_gvk: dict[Gvk, list[Resource]] = {}
    for res in resmap:
        by_gvk.setdefault(res.org_id.gvk, []).append(res)
    # Per referrer, its fields in table order (kustomize's determineFilters).
    plan: dict[int, tuple[Resource, list[tuple[RefField, GvkSelector]]]] = {}
    for backref in references:
        for field in backref.referrers:
            for gvk, group in by_gvk.items():
                if field.gvk.selects(gvk):
                    for res in group:
                        plan.setdefault(id(res), (res, []))[1].append((field, backref.target))
    for res in resmap:
        item = plan.get(id(res))
        if item is None:
            continue
        referrer = _Referrer(res, index)
        for field, target in item[1]:
            _fix_field(referrer, field, target)


class _Entry:
    """A possible referral, with the facts the sieve needs computed once."""

    __slots__ = (
        "cluster",
        "eff_ns",
        "kind",
        "org_cluster",
        "org_eff_ns",
        "prev_gvks",
        "raw_ns",
        "res",
    )

    def __init__(self, res: Resource) -> None:
        cur = res.cur_id
        org = res.prev_ids[0] if res.prev_ids else cur
        self.res = res
        self.cluster = cur.gvk.cluster_scoped
        self.eff_ns = cur.effective_namespace
        self.raw_ns = res.namespace
        self.kind = res.kind
        self.org_cluster = org.gvk.cluster_scoped
        self.org_eff_ns = org.effective_namespace
        self.prev_gvks = tuple(dict.fromkeys(p.gvk for p in res.prev_ids))


class _Index:
    """All objects, and those with history indexed by every previous name."""

    def __init__(self, resources: list[Resource]) -> None:
        self.entries = [_Entry(res) for res in resources]
        self.by_prev_name: dict[str, list[_Entry]] = {}
        for entry in self.entries:
            for name in dict.fromkeys(p.name for p in entry.res.prev_ids):
                self.by_prev_name.setdefault(name, []).append(entry)


def _untagged(old: Any, text: str) -> Any:
    """The new name as kyaml writes it: an untagged scalar taking the old node's style.

    At output the untagged text is typed, so a referral renamed to ``1.0`` by a JSON6902
    patch is referred to as the number ``1``, unless the old reference was written quoted.
    """
    return restyled(old, with_text(resolve_v3(text), text))


class _Referrer:
    """One referrer and the objects it may refer to (``SubsetThatCouldBeReferencedByResource``)."""

    def __init__(self, res: Resource, index: _Index) -> None:
        self.res = res
        self.index = index
        cur = res.cur_id
        self.cluster = cur.gvk.cluster_scoped
        self.eff_ns = cur.effective_namespace
        self.rb_namespaces = set() if self.cluster else _role_binding_sa_namespaces(res)
        self._org_namespaces: set[str] | None = None

    def may_see(self, entry: _Entry) -> bool:
        """Whether ``entry`` is in this referrer's candidate subset."""
        return (
            self.cluster
            or entry.cluster
            or entry.eff_ns == self.eff_ns
            or entry.raw_ns in self.rb_namespaces
        )

    def same_namespace(self, entry: _Entry) -> bool:
        """kustomize's ``sameCurrentNamespaceAsReferrer`` sieve (ServiceAccounts pass)."""
        return (
            self.cluster
            or entry.cluster
            or entry.kind == "ServiceAccount"
            or entry.eff_ns == self.eff_ns
        )

    def subset_has_original_namespace(self, namespace: str) -> bool:
        """Whether any visible object was *originally* in ``namespace``."""
        if self._org_namespaces is None:
            self._org_namespaces = {
                e.org_eff_ns for e in self.index.entries if not e.org_cluster and self.may_see(e)
            }
        return namespace in self._org_namespaces


def _role_binding_sa_namespaces(referrer: Resource) -> set[str]:
    """Namespaces of a RoleBinding's ServiceAccount subjects (they may point across)."""
    if referrer.kind != "RoleBinding":
        return set()
    subjects = referrer.obj.get("subjects")
    if not isinstance(subjects, list):
        return set()
    out: set[str] = set()
    for subject in subjects:
        if not isinstance(subject, dict) or "namespace" not in subject:
            continue
        if subject.get("kind") != "ServiceAccount":
            continue
        namespace = subject["namespace"]
        if not isinstance(namespace, str):
            raise TransformerError(
                f"a ServiceAccount subject of {referrer.cur_id} has a non-string namespace",
                location=referrer.origin.location,
                resource=str(referrer.cur_id),
                kustomize_message=(
                    f'Invalid Input: namespace is blank for resource "{referrer.cur_id}"'
                ),
            )
        out.add(namespace)
    return out


def _fix_field(referrer: _Referrer, field: RefField, target: GvkSelector) -> None:
    chooser = _Chooser(referrer, field, target)

    def set_value(container: Any, key: Any) -> None:
        node = container[key]
        if node is None:
            return
        if isinstance(node, list):
            for position, item in enumerate(node):
                if item is None:
                    continue
                if isinstance(item, dict):
                    chooser.set_mapping(item)
                elif isinstance(item, list):
                    raise FieldWalkError(
                        f"{item!r} is expected to be either a string or a map of string"
                    )
                else:
                    chooser.set_scalar(node, position)
        elif isinstance(node, dict):
            chooser.set_mapping(node)
        else:
            chooser.set_scalar(container, key)

    res = referrer.res
    try:
        walk_field(res.obj, field.segments, set_value)
    except FieldWalkError as exc:
        rid = res.cur_id
        text = (
            f"updating name reference in '{field.path}' field of '{rid}': "
            f"considering field '{field.path}' of object {rid}: {exc.kustomize_text()}"
        )
        reason = exc.detail if isinstance(exc, _AmbiguousReferral) else exc.reason
        raise TransformerError(
            f"cannot fix the name reference in {field.path} of {rid}: {reason}",
            location=res.origin.location,
            resource=str(rid),
            kustomize_message=text,
        ) from exc


class _Chooser:
    """Picks the referral for one (referrer, field, referenced kind) triple."""

    def __init__(self, referrer: _Referrer, field: RefField, target: GvkSelector) -> None:
        self.referrer = referrer
        self.field = field
        self.target = target
        self.role_ref = (
            _role_ref_selector(referrer.res) if field.path.endswith("roleRef/name") else None
        )

    def set_scalar(self, container: Any, key: Any) -> None:
        old = _scalar_text(container[key])
        if old is None:
            return
        referral = self.select(old, None, same_namespace_too=False)
        if referral is not None and referral.name != old:
            container[key] = _untagged(container[key], referral.name)

    def set_mapping(self, node: dict[str, Any]) -> None:
        if "name" not in node:
            raise FieldWalkError("path config error; no 'name' field in node")
        old = _scalar_text(node["name"]) or ""
        namespace = _scalar_text(node["namespace"]) or "" if "namespace" in node else None
        referral = self.select(old, namespace, same_namespace_too=True)
        if referral is None:
            return
        if referral.name == old and referral.namespace == "":
            return
        node["name"] = _untagged(node["name"], referral.name)
        if referral.namespace:
            # An empty namespace is a wildcard here, never written over "default".
            node["namespace"] = _untagged(node.get("namespace"), referral.namespace)

    def _namespace_filter(self, namespace: str | None) -> Callable[[_Entry], bool]:
        """Map-valued references pick candidates by their ``namespace`` field: those
        originally in it if any visible object was, else those currently in it."""
        if namespace is None:
            return lambda entry: True
        if self.referrer.subset_has_original_namespace(namespace):
            return lambda entry: not entry.org_cluster and entry.org_eff_ns == namespace
        return lambda entry: not entry.cluster and entry.eff_ns == namespace

    def select(
        self, old: str, namespace: str | None, *, same_namespace_too: bool
    ) -> Resource | None:
        """kustomize's ``selectReferral`` sieve, over objects that once were named ``old``."""
        referrer = self.referrer
        in_namespace = self._namespace_filter(namespace)
        role_ref = self.role_ref
        found = [
            entry.res
            for entry in referrer.index.by_prev_name.get(old, ())
            if referrer.may_see(entry)
            and in_namespace(entry)
            and any(self.target.selects(g) for g in entry.prev_gvks)
            and (role_ref is None or any(role_ref.selects(g) for g in entry.prev_gvks))
            and referrer.same_namespace(entry)
        ]
        if len(found) == 1:
            return found[0]
        this = referrer.res
        found = [c for c in found if _affixes_match(c, this, allow_empty=True)]
        if len(found) > 1:
            found = [c for c in found if _affixes_match(c, this, allow_empty=False)]
        if len(found) == 1:
            return found[0]
        if not found:
            return None
        if all(_same(found[0], c, same_namespace_too) for c in found[1:]):
            return found[0]
        raise _ambiguous(this, self.field, found)


def _role_ref_selector(referrer: Resource) -> GvkSelector | None:
    """The roleRef's apiGroup/kind, or None (no filtering) when either is missing."""
    role_ref = referrer.obj.get("roleRef")
    if not isinstance(role_ref, dict):
        return None
    group, kind = role_ref.get("apiGroup"), role_ref.get("kind")
    if group is None or kind is None:
        return None
    return GvkSelector(kind=str(kind), group=str(group))


def _scalar_text(value: Any) -> str | None:
    """A scalar as kustomize reads it from the YAML node (None for floats/others)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return None


def _same_ending(a: list[str], b: list[str]) -> bool:
    shortest, longest = (a, b) if len(a) <= len(b) else (b, a)
    if not shortest:
        return not longest
    return longest[len(longest) - len(shortest) :] == shortest


def _affixes_match(candidate: Resource, referrer: Resource, *, allow_empty: bool) -> bool:
    cp, rp = candidate.name_prefixes, referrer.name_prefixes
    cs, rs = candidate.name_suffixes, referrer.name_suffixes
    if allow_empty:
        return (not cp or not rp or _same_ending(cp, rp)) and (
            not cs or not rs or _same_ending(cs, rs)
        )
    return _same_ending(cp, rp) and _same_ending(cs, rs)


def _same(a: Resource, b: Resource, with_namespace: bool) -> bool:
    return a.name == b.name and (not with_namespace or a.namespace == b.namespace)


def _ambiguous(referrer: Resource, field: RefField, found: list[Resource]) -> FieldWalkError:
    ids = ", ".join(str(c.cur_id) for c in found)
    origins = "; ".join(f"{c.cur_id} from {c.origin}" for c in found)
    return _AmbiguousReferral(
        f"found multiple possible referrals: {ids}",
        detail=f"{referrer.cur_id} ({field.path}) could refer to any of: {origins}",
    )


class _AmbiguousReferral(FieldWalkError):
    def __init__(self, message: str, *, detail: str) -> None:
        super().__init__(message)
        self.detail = detail
