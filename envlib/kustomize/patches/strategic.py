"""Strategic merge patch with kyaml's semantics (``walk`` + ``merge2``, "prepend" lists).

kustomize does *not* use apimachinery's strategic merge: it walks the original object and the
patch side by side with kyaml's walker and its own rules (spec §6.4). The results differ in
ways users notice - keyed lists come out patch-elements-first, two-key lists (ports with
``protocol``) keep a different order and silently drop some elements, a key-less element
collapses a list, ``$retainKeys``/``$setElementOrder`` are copied literally. Those quirks
all fall out of kyaml's algorithm, so this module ports that algorithm step by step rather
than re-deriving the rules: the "sources" walk (``walk.go``, ``map.go``,
``associative_sequence.go``) and the visitor (``merge2.go``, ``smpdirective.go``); the
node and list helpers it relies on (``ElementSetter``, ``ElementMatcher``, ``FieldMatcher``)
are in :mod:`.nodes`.

Values are plain JSON-like Python data. Where kyaml compares YAML node *text*, scalars are
compared by their YAML text (``80`` and ``"80"`` are the same key, as in kyaml). One YAML
node distinction is not in plain data: an empty value (``key:``) in the original is dropped
by kyaml when patched, while ``key: null`` is kept; the loader records the empty ones' paths
and :func:`merge_with_empties` marks them for the walk.

This is the reference walk. The entry point, :mod:`.merge`'s ``apply_strategic_merge``, tries
the copy-on-write fast path (:mod:`.fastmerge`) first and falls back to this walk.
"""

from __future__ import annotations

from typing import Any

from envlib.errors import PatchError
from envlib.kustomize.patches import schema as sch
from envlib.kustomize.patches.nodes import (
    EMPTY,
    KEPT_NULL,
    MAP,
    MISSING,
    SCALAR,
    SEQ,
    element_setter,
    empty_map,
    find_element,
    missing_or_null,
    nil_or_empty,
    node_kind,
    node_text,
    overwrite_scalar,
    scalar_from_text,
    wrong_kind,
)
from envlib.kustomize.patches.schema import Node

_DIRECTIVE = "$patch"


def _get_schema(dest: Any, patch: Any, schema: Node | None) -> Node | None:
    """kyaml ``Walker.GetSchema``: the given schema, else the one of an embedded typed object."""
    if schema is not None:
        return schema
    for src in (dest, patch):
        if isinstance(src, dict):
            api_version, kind = src.get("apiVersion"), src.get("kind")
            if isinstance(api_version, str) and isinstance(kind, str) and api_version and kind:
                found = sch.schema_for(api_version, kind)
                if found is not None:
                    return found
    return None


def _walk(dest: Any, patch: Any, schema: Node | None, path: list[str]) -> Any:
    """kyaml ``Walker.Walk`` with sources (dest, patch); returns the new value or MISSING."""
    if dest is EMPTY:  # ``key:``: the FieldSetter clears it; a patch value replaces it
        if patch is MISSING:
            return MISSING
        dest = None
    schema = _get_schema(dest, patch, schema)
    kind = ""
    for src in (dest, patch):
        if not missing_or_null(src):
            kind = node_kind(src)
            break
    for src in (dest, patch):
        if kind and not missing_or_null(src) and node_kind(src) != kind:
            raise wrong_kind(kind, src)
    if kind == SEQ:
        keys = sch.merge_keys(schema)
        if keys is not None:
            return _walk_associative(dest, patch, schema, keys, path)
        return patch if patch is not MISSING else dest
    if kind == SCALAR:
        return overwrite_scalar(dest, patch) if patch is not MISSING else dest
    return _walk_map(dest, patch, schema, path)


def _directive(patch: Any) -> str:
    """kyaml ``determineSmpDirective``: read (and elide) ``$patch`` from a map or list patch."""
    if patch is MISSING:
        return "merge"
    if isinstance(patch, dict):
        if _DIRECTIVE not in patch:
            return "merge"
        value = node_text(patch[_DIRECTIVE])
        if value in ("delete", "replace", "merge"):
            del patch[_DIRECTIVE]
            return value
        raise _unknown_strategy(value)
    if isinstance(patch, list):
        element = next((e for e in patch if isinstance(e, dict) and _DIRECTIVE in e), None)
        if element is None or len(element) > 1:
            return "merge"
        value = node_text(element[_DIRECTIVE])
        if value in ("delete", "replace", "merge"):
            element_setter(patch, None, [_DIRECTIVE], [value])
            return value
        raise _unknown_strategy(value)
    raise PatchError(
        f"no strategic merge patch strategy for a scalar ({node_text(patch)!r})",
        kustomize_message="no implemented strategic merge patch strategy",
    )


def _unknown_strategy(value: str) -> PatchError:
    return PatchError(
        f"unknown $patch directive {value!r} (expected replace, delete or merge)",
        kustomize_message=f"unknown patch strategy '{value}'",
    )


def _walk_map(dest: Any, patch: Any, schema: Node | None, path: list[str]) -> Any:
    # merge2 Merger.VisitMap
    if missing_or_null(dest):
        try:
            directive = _directive(patch)
        except PatchError:
            directive = "unknown"
        if directive == "delete":
            return MISSING
        if patch is MISSING and dest is not MISSING:
            return KEPT_NULL
        new = patch
    else:
        new = _kept(dest, patch)
    if new is MISSING:
        return MISSING
    if not isinstance(new, dict):  # a null: no fields to walk
        return new
    names = set(new)
    if isinstance(patch, dict):
        names.update(patch)
    for name in sorted(names):
        value = _walk(
            new.get(name, MISSING),
            patch.get(name, MISSING) if isinstance(patch, dict) else MISSING,
            sch.field(schema, name),
            [*path, name],
        )
        # yaml.FieldSetter: nil or (non-persistent) null clears the field
        if value is MISSING or value is None:
            new.pop(name, None)
        else:
            new[name] = None if value is KEPT_NULL else value
    return new


def _kept(dest: Any, patch: Any) -> Any:
    """merge2's choice when ``dest`` exists: nothing (MISSING) for a null patch or ``$patch:
    delete``, the patch for ``$patch: replace``, else ``dest`` (to merge the patch into)."""
    if patch is None:
        return MISSING
    directive = _directive(patch)
    if directive == "delete":
        return MISSING
    return patch if directive == "replace" else dest


# -- associative lists ---------------------------------------------------------------------------


def _walk_associative(
    dest: Any, patch: Any, schema: Node | None, keys: list[str], path: list[str]
) -> Any:
    # merge2 Merger.VisitList (associative)
    new = patch if missing_or_null(dest) else _kept(dest, patch)
    if missing_or_null(new):
        return MISSING
    sources = (new, patch)
    values = _element_values(sources, keys)
    if values or keys:
        return _set_elements(values, keys, new, patch, schema, path)
    return _set_elements(_primitive_values(sources), [""], new, patch, schema, path)


def _element_values(sources: tuple[Any, Any], keys: list[str]) -> list[list[str]]:
    """kyaml ``elementValues`` in prepend mode: key texts of patch elements, then dest's."""
    out: list[list[str]] = []
    for src in (sources[1], sources[0]):
        if not isinstance(src, list):
            continue
        for elem in src:
            values = []
            for key in keys:
                value = elem.get(key, MISSING) if isinstance(elem, dict) else MISSING
                values.append("" if nil_or_empty(value) else node_text(value))
            if values and values not in out:
                out.append(values)
    return out


def _primitive_values(sources: tuple[Any, Any]) -> list[list[str]]:
    out: list[list[str]] = []
    seen: set[str] = set()
    for src in (sources[1], sources[0]):
        if not isinstance(src, list):
            continue
        for item in src:
            text = node_text(item)
            if text not in seen:
                seen.add(text)
                out.append([text])
    return out


def _validate_keys(
    values_list: list[list[str]], values: list[str], keys: list[str]
) -> tuple[list[str], list[str]]:
    """kyaml ``validateKeys``: drop keys no element of any list has a value for."""
    valid = {keys[i] for vals in values_list for i, v in enumerate(vals) if v != ""}
    if not valid:
        return keys, values
    valid_keys = [k for k in keys if k in valid]
    valid_values = [v for i, v in enumerate(values) if v != "" or keys[i] in valid]
    return valid_keys, valid_values


def _merge_values(values_list: list[list[str]]) -> list[list[str]]:
    """kyaml ``mergeValues``: unify key tuples that agree where both have a value."""
    for i in range(len(values_list)):
        for j in range(len(values_list)):
            matched, merged = _match(values_list[i], values_list[j])
            if matched:
                values_list[i] = merged
                values_list[j] = merged
    return values_list


def _match(a: list[str], b: list[str]) -> tuple[bool, list[str]]:
    if len(a) != len(b):
        return False, []
    common = False
    out = []
    for x, y in zip(a, b, strict=True):
        if x == y:
            common = True
            out.append(x)
        elif x and y:
            return False, []
        else:
            out.append(x or y)
    return common, out


def _set_elements(
    values_list: list[list[str]],
    keys: list[str],
    dest: list[Any],
    patch: Any,
    schema: Node | None,
    path: list[str],
) -> Any:
    """kyaml ``setAssociativeSequenceElements`` (prepend direction)."""
    items: list[Any] = []
    element_schema = sch.elements(schema)
    if len(keys) > 1:
        values_list = _merge_values(values_list)
    valid_keys: list[str] = []
    for values in values_list:
        if not values:
            continue
        valid_keys, valid_values = _validate_keys(values_list, values, keys)
        match_keys, match_values = _validate_keys([values], valid_values, valid_keys)
        val = _walk(
            find_element(dest, match_keys, match_values),
            find_element(patch, match_keys, match_values),
            element_schema,
            path,
        )
        if empty_map(val):
            if valid_keys:
                element_setter(dest, None, valid_keys, valid_values)
            continue
        if isinstance(val, dict):
            for i, key in enumerate(valid_keys):
                if key not in val and valid_values[i] != "":
                    val[key] = scalar_from_text(valid_values[i])
        element_setter(items, val, valid_keys, valid_values)
    if not values_list:
        return dest
    return _append_list(items, dest, valid_keys)


def _append_list(dst: list[Any], src: list[Any], keys: list[str]) -> list[Any]:
    """kyaml ``appendListNode``: add ``src``'s elements (the original list) after ``dst``'s."""
    for elem in list(src):
        if keys[0] == "":
            element_setter(dst, elem, [""], [node_text(elem)])
            continue
        values: list[str] = []
        for key in keys:
            if missing_or_null(elem):
                value = MISSING
            elif not isinstance(elem, dict):
                raise wrong_kind(MAP, elem)
            else:
                value = elem.get(key, MISSING)
            if value is MISSING:
                dst.append(elem)
                continue
            values.append(node_text(value))
        if len(keys) > 1:
            element_setter(dst, None, keys, values)
        element_setter(dst, elem, keys, values)
    return dst
