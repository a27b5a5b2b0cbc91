"""Copy-on-write fast path of the strategic merge; :mod:`.strategic` is the reference.

The reference walk (a port of kyaml) deep-copies the object and then rewrites every map and
every merge-keyed list in it, even where the patch says nothing: 0.1-0.7 ms for a
Deployment, far too slow for a build that patches thousands of objects. This module computes
the *same* result without copying what the patch does not reach:

* where the patch has nothing (``MISSING``), kyaml's walk still normalises merge-keyed lists
  (drops ``{}``/null elements, collapses duplicate keys, reorders mixed two-key lists...).
  :func:`_untouched` proves with a read-only scan that a subtree is a fixpoint of that walk
  (the usual case) and then shares it; otherwise it runs the reference walk on a copy of that
  subtree only;
* along the path the patch does reach, maps and lists are shallow-copied and merged here,
  reproducing the reference's in-place edits on the copies.

Anything unusual - a ``$patch`` directive (found by :func:`clone_patch`), a kind mismatch,
an element matched twice, a non-string key, any exception - raises :class:`Fallback` (or
lets the exception out) and the caller re-runs the reference walk on deep copies, so errors and rare
quirks always come from the reference. The input object is never modified; the result shares
untouched subtrees with it, and owns everything that came from the patch (the walk receives the
patch's private copy from :func:`clone_patch`).
"""

from __future__ import annotations

from typing import Any

from envlib.kustomize.patches import schema as sch
from envlib.kustomize.patches import strategic as ref
from envlib.kustomize.patches.nodes import (
    KEPT_NULL,
    MISSING,
    element_setter,
    empty_map,
    find_element,
    node_text,
    overwrite_scalar,
)
from envlib.kustomize.patches.nodes import scalar_from_text as _scalar_from_text
from envlib.kustomize.patches.schema import Node


class Fallback(Exception):
    """The fast path met a shape it does not reproduce; use the reference walk."""


def clone(value: Any) -> Any:
    """Deep copy of JSON-like data (much faster than ``copy.deepcopy``)."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def clone_patch(value: Any) -> Any:
    """Deep copy of a patch for the fast path; raises :class:`Fallback` at a ``$patch``.

    Directives delete, replace or reorder in ways only the reference walk reproduces.
    """
    if isinstance(value, dict):
        if "$patch" in value:
            raise Fallback
        return {k: clone_patch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone_patch(v) for v in value]
    return value


# -- the walk -------------------------------------------------------------------------------------


def walk(dest: Any, patch: Any, schema: Node | None) -> Any:
    """``strategic._walk`` for a shared (read-only) ``dest`` and an owned ``patch``."""
    if patch is MISSING:
        return _untouched(dest, schema)
    if dest is MISSING or dest is None or patch is None:
        # The reference never writes into ``dest`` here: it returns MISSING, or the patch.
        return ref._walk(dest, patch, schema, [])
    schema = ref._get_schema(dest, patch, schema)
    dtype = type(dest)
    if dtype is dict:
        if type(patch) is not dict:
            raise Fallback  # kind mismatch (an error) or a dict subclass
        return _walk_map(dest, patch, schema)
    if dtype is list:
        if type(patch) is not list:
            raise Fallback
        keys = sch.merge_keys(schema)
        if keys is None:
            return patch
        return _walk_associative(dest, patch, schema, keys)
    if isinstance(dest, (dict, list)) or isinstance(patch, (dict, list)):
        raise Fallback
    return overwrite_scalar(dest, patch)


def _walk_map(dest: dict[Any, Any], patch: dict[Any, Any], schema: Node | None) -> Any:
    # reference _walk_map with directive "merge": edits go to a shallow copy of dest
    new = dict(dest)
    names = set(dest)
    names.update(patch)
    field = sch.field
    for name in sorted(names):  # the reference's order (and its TypeError on mixed keys)
        child = dest.get(name, MISSING)
        sub = patch.get(name, MISSING)
        if sub is MISSING:
            ctype = type(child)
            if ctype is not dict and ctype is not list:
                if ctype is not str and isinstance(child, (dict, list)):
                    raise Fallback  # a dict/list subclass: the reference copies it
                continue  # a scalar or null comes back unchanged
            value = _untouched(child, field(schema, name))
            if value is not child:
                new[name] = value
            continue
        value = walk(child, sub, field(schema, name))
        if value is MISSING or value is None:
            new.pop(name, None)
        else:
            new[name] = None if value is KEPT_NULL else value
    return new


def _walk_associative(
    dest: list[Any], patch: list[Any], schema: Node | None, keys: list[str]
) -> Any:
    # reference _walk_associative with directive "merge" (dest and patch are both lists)
    if keys:
        old = _clean_keys(dest, keys)
        new = _clean_keys(patch, keys)
        if old is not None and new is not None and (old[0] == new[0] or not dest or not patch):
            width = max(old[0], new[0])
            return _merge_clean(dest, old[1], patch, new[1], keys[:width], sch.elements(schema))
    sources = (dest, patch)
    values = ref._element_values(sources, keys)
    if values or keys:
        return _set_elements(values, keys, dest, patch, schema)
    return _set_elements(ref._primitive_values(sources), [""], dest, patch, schema)


def _set_elements(
    values_list: list[list[str]],
    keys: list[str],
    dest: list[Any],
    patch: list[Any],
    schema: Node | None,
) -> Any:
    """reference ``_set_elements`` on a shallow copy of ``dest``.

    The reference merges each matched dest element *in place*, so its dest list holds the
    merged elements afterwards (later look-ups and ``_append_list`` see them). Here the
    merged copy replaces the element in ``current``, the private copy of the list.
    """
    if not values_list:
        return dest
    items: list[Any] = []
    element_schema = sch.elements(schema)
    if len(keys) > 1:
        values_list = ref._merge_values(values_list)
    current = list(dest)
    walked: list[Any] = []  # elements merged so far (dest and patch side)
    valid_keys: list[str] = []
    for values in values_list:
        if not values:
            continue
        valid_keys, valid_values = ref._validate_keys(values_list, values, keys)
        match_keys, match_values = ref._validate_keys([values], valid_values, valid_keys)
        old = find_element(current, match_keys, match_values)
        sub = find_element(patch, match_keys, match_values)
        for elem in (old, sub):
            if type(elem) is dict:
                if any(elem is w for w in walked):
                    raise Fallback  # merged twice: the reference edits it twice in place
                walked.append(elem)
            elif isinstance(elem, (dict, list)):
                raise Fallback  # a nested list (edited in place by the reference)
        val = walk(old, sub, element_schema)
        if type(val) is dict and val:
            missing = [
                (key, valid_values[i])
                for i, key in enumerate(valid_keys)
                if key not in val and valid_values[i] != ""
            ]
            if missing:
                if val is old:
                    val = dict(val)  # shared with the input: copy before adding keys
                for key, text in missing:
                    val[key] = _scalar_from_text(text)
        if type(old) is dict and isinstance(val, dict) and val is not old:
            for i, elem in enumerate(current):
                if elem is old:
                    current[i] = val
                    walked.append(val)
                    break
        if empty_map(val):
            if valid_keys:
                element_setter(current, None, valid_keys, valid_values)
            continue
        element_setter(items, val, valid_keys, valid_values)
    return ref._append_list(items, current, valid_keys)


# -- subtrees the patch does not reach ------------------------------------------------------------


def _untouched(dest: Any, schema: Node | None) -> Any:
    """``strategic._walk(dest, MISSING, schema)`` without modifying ``dest``."""
    if dest is None:
        return KEPT_NULL
    if _fixpoint(dest, schema):
        return dest
    return ref._walk(clone(dest), MISSING, schema, [])


def _fixpoint(value: Any, schema: Node | None) -> bool:
    """True when walking ``value`` with no patch provably returns it unchanged.

    The walk only rewrites merge-keyed lists (and what they contain); maps come back as they
    are, and lists without merge keys are not even entered. False means "not proven", never
    "changed".
    """
    vtype = type(value)
    if vtype is dict:
        if schema is None:
            schema = ref._get_schema(value, MISSING, None)
        # sch.field, inlined: a property's schema, else the map-value schema ("a")
        props = extra = None
        if schema is not None:
            props = schema.get("p")
            extra = schema.get("a")
        for name, child in value.items():
            if type(name) is not str:
                return False  # the reference sorts keys; leave mixed types to it
            ctype = type(child)
            if ctype is dict or ctype is list:
                sub = extra if props is None else props.get(name, extra)
                if not _fixpoint(child, sub):
                    return False
            elif ctype is not str and isinstance(child, (dict, list)):
                return False
        return True
    if vtype is list:
        keys = sch.merge_keys(schema)
        if keys is None or not value:
            return True
        if not keys:
            return _scalars_fixpoint(value)
        return _elements_fixpoint(value, keys, sch.elements(schema))
    return not isinstance(value, (dict, list))


def _scalars_fixpoint(items: list[Any]) -> bool:
    """A merged list of scalars (``finalizers``) is kept as is when its texts are distinct."""
    seen: set[str] = set()
    for item in items:
        if item is None or isinstance(item, (dict, list)):
            return False
        text = node_text(item)
        if not text or text in seen:
            return False
        seen.add(text)
    return True


def _elements_fixpoint(items: list[Any], keys: list[str], element_schema: Node | None) -> bool:
    """A merge-keyed list in the shape :func:`_clean_keys` accepts is kept as is (same
    elements, same order) when its elements are fixpoints themselves."""
    if _clean_keys(items, keys) is None:
        return False
    return all(_fixpoint(elem, element_schema) for elem in items)


def _clean_keys(items: list[Any], keys: list[str]) -> tuple[int, list[tuple[str, ...]]] | None:
    """The key texts of a merge-keyed list in the common, unambiguous shape, else None.

    The shape: every element is a non-empty map; the first ``width`` merge keys are set in
    every element, to scalars with non-empty text, and the other merge keys in none; the key
    tuples are distinct. For such lists kyaml's element matching is a plain dict look-up
    (no ``{}``/null elements to drop, no duplicates to collapse, no partial two-key tuples to
    unify, and the reference's key validation does not mis-index). ``width`` is 0 for ``[]``.
    """
    if len(keys) == 1:
        return _clean_key(items, keys[0])
    width = -1
    seen: set[tuple[str, ...]] = set()
    out: list[tuple[str, ...]] = []
    for elem in items:
        if type(elem) is not dict or not elem:
            return None
        if width < 0:
            width = 0
            while width < len(keys) and keys[width] in elem:
                width += 1
            if width == 0:
                return None
        texts: list[str] = []
        for index, key in enumerate(keys):
            if index >= width:
                if key in elem:
                    return None
                continue
            value = elem.get(key, MISSING)
            if value is MISSING or value is None or isinstance(value, (dict, list)):
                return None
            text = node_text(value)
            if not text:
                return None
            texts.append(text)
        marker = tuple(texts)
        if marker in seen:
            return None
        seen.add(marker)
        out.append(marker)
    return max(width, 0), out


def _clean_key(items: list[Any], key: str) -> tuple[int, list[tuple[str, ...]]] | None:
    """:func:`_clean_keys` for the usual single merge key (``name``), unrolled."""
    seen: set[str] = set()
    out: list[tuple[str, ...]] = []
    for elem in items:
        if type(elem) is not dict:
            return None
        value = elem.get(key, MISSING)
        if type(value) is str:
            text = value
        elif value is MISSING or value is None or isinstance(value, (dict, list)):
            return None
        else:
            text = node_text(value)
        if not text or text in seen:
            return None
        seen.add(text)
        out.append((text,))
    return (1 if out else 0), out


def _merge_clean(
    dest: list[Any],
    dest_keys: list[tuple[str, ...]],
    patch: list[Any],
    patch_keys: list[tuple[str, ...]],
    keys: list[str],
    element_schema: Node | None,
) -> list[Any]:
    """The reference's associative merge for two lists of :func:`_clean_keys`' shape.

    Each patch element is merged into the dest element with the same key tuple (or stands
    alone). Order, as the reference produces it: with one key, the patch's elements first
    and then the dest elements the patch did not name; with two keys (container ports with
    ``protocol`` on every element), the patch's *new* elements first and then every dest
    element, merged, in its original position (``appendListNode`` moves each to the end).
    """
    by_key = dict(zip(dest_keys, dest, strict=True))
    merged: dict[tuple[str, ...], Any] = {}
    for marker, sub in zip(patch_keys, patch, strict=True):
        val = walk(by_key.get(marker, MISSING), sub, element_schema)
        if type(val) is not dict or any(key not in val for key in keys):
            raise Fallback  # an emptied or key-less element: the reference deletes/adds keys
        merged[marker] = val
    if len(keys) == 1:
        rest = [
            _untouched(elem, element_schema)
            for marker, elem in zip(dest_keys, dest, strict=True)
            if marker not in merged
        ]
        return [*merged.values(), *rest]
    added = [val for marker, val in merged.items() if marker not in by_key]
    kept = [
        merged[marker] if marker in merged else _untouched(elem, element_schema)
        for marker, elem in zip(dest_keys, dest, strict=True)
    ]
    return [*added, *kept]
