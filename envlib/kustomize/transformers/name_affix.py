"""``namePrefix`` / ``nameSuffix`` (spec §7.2).

Every object's ``metadata.name`` is wrapped, except CustomResourceDefinitions, Namespaces and
``apiregistration.k8s.io`` APIServices, whose names carry meaning to the API server. The
decision uses the object's *original* kind, as kustomize does. Each applied prefix/suffix is
remembered on the resource: when two objects had the same original name, name-reference
fixing prefers the one whose prefixes/suffixes match the referrer's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from envlib.kustomize.core.resid import ResId
from envlib.kustomize.core.resource import ResMap, Resource
from envlib.kustomize.transformers.fieldpath import field_spec_error, wrong_kind
from envlib.kustomize.transformers.fieldspecs import FieldSpec
from envlib.kustomize.transformers.nameref_specs import FieldWalkError, split_path, walk_field


def _skipped(org_id: ResId) -> bool:
    kind = org_id.gvk.kind
    if kind in ("CustomResourceDefinition", "Namespace"):
        return True
    return kind == "APIService" and org_id.gvk.group == "apiregistration.k8s.io"


_NAME_ONLY = (FieldSpec("metadata/name"),)


def apply_name_affix(
    resmap: ResMap, prefix: str, suffix: str, *, specs: Iterable[FieldSpec] = _NAME_ONLY
) -> None:
    """Prefix, then suffix, every eligible object's name (in place); empty strings skip.

    ``specs`` are the PrefixTransformer/SuffixTransformer field specs (``configurations:``
    ``namePrefix``/``nameSuffix`` or a builtin plugin's ``fieldSpecs``): a spec selects
    objects by their *original* GVK; ``metadata/name`` renames the object, any other path
    has the affix added to the string found there.
    """
    spec_list = tuple(specs)
    if prefix:
        _apply(resmap, spec_list, prefix=prefix)
    if suffix:
        _apply(resmap, spec_list, suffix=suffix)


def _apply(
    resmap: ResMap, specs: tuple[FieldSpec, ...], *, prefix: str = "", suffix: str = ""
) -> None:
    if specs == _NAME_ONLY:  # the common case, without the per-spec matching
        for res in resmap:
            if not _skipped(res.org_id):
                _rename(res, prefix=prefix, suffix=suffix)
        return
    for res in resmap:
        if _skipped(res.org_id):
            continue
        org = res.org_id.gvk
        for spec in specs:
            if not _selects(spec, org.group, org.version, org.kind):
                continue
            if spec.path == "metadata/name":
                _rename(res, prefix=prefix, suffix=suffix)
                continue
            if not spec.matches(res.api_version, res.kind):
                continue

            def affix(container: Any, key: Any) -> None:
                value = container[key]
                if isinstance(value, (dict, list)):
                    raise FieldWalkError("wrong node kind: expected ScalarNode")
                text = "" if value is None else _text(value)
                container[key] = f"{prefix}{text}{suffix}"

            try:
                walk_field(res.obj, split_path(spec.path), affix, create=spec.create)
            except FieldWalkError as exc:
                entry = "namePrefix" if prefix else "nameSuffix"
                raise field_spec_error(
                    res, spec.path, exc, what="add a name affix", entry=entry
                ) from None


def _selects(spec: FieldSpec, group: str, version: str, kind: str) -> bool:
    return (
        (not spec.group or spec.group == group)
        and (not spec.version or spec.version == version)
        and (not spec.kind or spec.kind == kind)
    )


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else str(raw).lower() if isinstance(raw, bool) else str(raw)


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
    if isinstance(raw, (dict, list)):
        # a JSON6902 patch made the name a map or list: kustomize's field walk refuses it
        entry = "namePrefix" if prefix else "nameSuffix"
        exc = wrong_kind("ScalarNode", raw, block=True)
        raise field_spec_error(res, "metadata/name", exc, what="add a name affix", entry=entry)
    if raw is None:
        return
    res.set_name(f"{prefix}{_text(raw)}{suffix}")
