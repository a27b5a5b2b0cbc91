"""``namePrefix`` / ``nameSuffix`` (spec §7.2).

Every object's ``metadata.name`` is wrapped, except CustomResourceDefinitions, Namespaces and
``apiregistration.k8s.io`` APIServices, whose names carry meaning to the API server. The
decision uses the object's *original* kind, as kustomize does. Each applied prefix/suffix is
remembered on the resource: when two objects had the same original name, name-reference
fixing prefers the one whose prefixes/suffixes match the referrer's.
"""

from __future__ import annotations

from envlib.kustomize.resid import ResId
from envlib.kustomize.resource import ResMap, Resource


def _skipped(org_id: ResId) -> bool:
    kind = org_id.gvk.kind
    if kind in ("CustomResourceDefinition", "Namespace"):
        return True
    return kind == "APIService" and org_id.gvk.group == "apiregistration.k8s.io"


def apply_name_affix(resmap: ResMap, prefix: str, suffix: str) -> None:
    """Prefix, then suffix, every eligible object's name (in place); empty strings skip."""
    if prefix:
        for res in resmap:
            if not _skipped(res.org_id):
                _rename(res, prefix=prefix)
    if suffix:
        for res in resmap:
            if not _skipped(res.org_id):
                _rename(res, suffix=suffix)


def _rename(res: Resource, *, prefix: str = "", suffix: str = "") -> None:
    if prefix:
        res.name_prefixes.append(prefix)
    if suffix:
        res.name_suffixes.append(suffix)
    res.store_previous_id()
    meta = res.obj.get("metadata")
    if not isinstance(meta, dict) or "name" not in meta:
        # kustomize's field walk does not create a missing name; the loader rejects
        # such objects anyway.
        return
    raw = meta["name"]
    if raw is None or isinstance(raw, (dict, list)):
        return
    current = (
        raw if isinstance(raw, str) else str(raw).lower() if isinstance(raw, bool) else str(raw)
    )
    res.set_name(f"{prefix}{current}{suffix}")
