"""kyaml's view of YAML nodes, for plain Python data: emptiness, node text, list elements.

kyaml's merge asks questions of ``yaml.Node`` values - is it missing or null, what is its
text (``80`` and ``"80"`` are the same merge key), does this list element match these key
values - and edits sequences with ``ElementSetter`` (replace / delete / append, dropping
null and ``{}`` elements as a side effect). The strategic merge in :mod:`.strategic` relies
on those exact behaviours for its quirks, so they are reproduced here one function each.
"""

from __future__ import annotations

from typing import Any

import yaml

from envlib.errors import PatchError
from envlib.kustomize.yaml.scalars import restyled, source_text


class _Missing:
    """A field or element that is absent (kyaml's nil ``*RNode``)."""

    def __repr__(self) -> str:
        return "MISSING"


class _KeptNull:
    """kyaml's "persistent null": an original ``key: null`` the patch did not touch."""

    def __repr__(self) -> str:
        return "KEPT_NULL"


class _Empty:
    """A map value written as nothing (``key:``): a null node without text, which kyaml's
    merge drops where it keeps ``key: null``. Only inside :func:`strategic.merge_with_empties`."""

    def __repr__(self) -> str:
        return "EMPTY"


MISSING: Any = _Missing()
KEPT_NULL: Any = _KeptNull()
EMPTY: Any = _Empty()

MAP, SEQ, SCALAR = "MappingNode", "SequenceNode", "ScalarNode"


def missing_or_null(value: Any) -> bool:
    """kyaml ``IsMissingOrNull``: absent, or an explicit null."""
    return value is MISSING or value is None or value is KEPT_NULL or value is EMPTY


def node_kind(value: Any) -> str:
    """The yaml.v3 node kind name of a value (used in kyaml's error texts)."""
    if isinstance(value, dict):
        return MAP
    if isinstance(value, list):
        return SEQ
    return SCALAR


def node_text(value: Any) -> str:
    """``yaml.Node.Value``: the scalar's text; "" for maps and lists."""
    if type(value) is str:  # the common case, first
        return value
    if value is None or value is KEPT_NULL:
        return "null"
    if value is EMPTY:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list)) or value is MISSING:
        return ""
    text = source_text(value)
    if text is not None:
        return text
    # a float without remembered text was written as Python prints it (``1.0``); numbers
    # that went through JSON6902 carry Go's text (patches/jsondoc.through_json)
    return str(value)


def nil_or_empty(value: Any) -> bool:
    """kyaml ``IsNilOrEmpty``: missing, null, ``{}`` or ``[]``."""
    return missing_or_null(value) or value == {} or value == []


def empty_map(value: Any) -> bool:
    return missing_or_null(value) or (isinstance(value, dict) and not value)


def scalar_from_text(text: str) -> Any:
    """The value a plain (untagged) scalar node with this text reads back as."""
    loaded = yaml.safe_load(text) if text else ""
    return loaded if isinstance(loaded, (str, int, float, bool)) else text


def wrong_kind(expected: str, value: Any) -> PatchError:
    dumped = yaml.safe_dump(value, default_flow_style=False).rstrip("\n")
    got = node_kind(value)
    return PatchError(
        f"strategic merge: expected a {expected[:-4].lower()} but the patch or object has a "
        f"{got[:-4].lower()} here: {dumped}",
        kustomize_message=(
            f"wrong node kind: expected {expected} but got {got}: node contents:\n{dumped}\n"
        ),
    )


def find_element(lst: Any, keys: list[str], values: list[str]) -> Any:
    """kyaml ``ElementList`` / ``ElementMatcher``: first element whose key texts equal values."""
    if not isinstance(lst, list):
        return MISSING
    if not keys or not keys[0]:
        want = values[0] if values else ""
        return next((item for item in lst if node_text(item) == want), MISSING)
    if len(keys) != len(values):
        return MISSING
    for elem in lst:
        if not isinstance(elem, dict):
            continue
        if all(k in elem and node_text(elem[k]) == v for k, v in zip(keys, values, strict=True)):
            return elem
    return MISSING


def field_matches(elem: Any, key: str, value: str) -> bool:
    """kyaml ``FieldMatcher{Name, StringValue}`` on one element ("" value: key present)."""
    if missing_or_null(elem):
        return False
    if key == "":
        if isinstance(elem, (dict, list)):
            raise wrong_kind(SCALAR, elem)
        return node_text(elem) == value
    if not isinstance(elem, dict):
        raise wrong_kind(MAP, elem)
    if key not in elem:
        return False
    return value == "" or node_text(elem[key]) == value


def element_setter(lst: list[Any], element: Any, keys: list[str], values: list[str]) -> None:
    """kyaml ``ElementSetter``: replace (or delete, when ``element`` is None) matching
    elements, append when nothing matched; drops null and ``{}`` elements on the way."""
    if not keys:
        keys = [""]
    mapping_setter = bool(keys[0]) and bool(values) and values[0] != ""
    new: list[Any] = []
    found_any = False
    for elem in lst:
        if empty_map(elem):
            continue
        if not isinstance(elem, dict) and mapping_setter:
            new.append(elem)
            continue
        found = True
        last = False
        for j, key in enumerate(keys):
            if j < len(values):
                last = field_matches(elem, key, values[j])
            if not last:
                found = False
                break
        if not found:
            if values:
                new.append(elem)
            continue
        found_any = True
        if element is not None:
            new.append(element)
    lst[:] = new
    if element is None or missing_or_null(element):
        return
    if not found_any:
        lst.append(element)


# -- scalar styles --------------------------------------------------------------------------


def overwrite_scalar(dest: Any, patch: Any) -> Any:
    """kyaml merge2 ``VisitScalar``: the patch's value in the destination node's style
    (:func:`envlib.kustomize.yaml.scalars.restyled`); sentinels pass through."""
    if patch is MISSING or patch is KEPT_NULL or patch is EMPTY:
        return patch
    return restyled(dest, patch)
