"""The content-hash name suffix of generated ConfigMaps and Secrets (spec section 8.6).

kustomize appends ``-<hash>`` to every generated object's name at the very end of the root
build, so the suffix reflects the *final* content (after overlay merges and patches). The hash
is reproduced bit for bit, which needs three Go details:

* the hashed text is Go ``encoding/json`` output: sorted keys, no spaces, ``<`` ``>`` ``&``
  and U+2028/U+2029 escaped, ``\\b``/``\\f`` short escapes (Go >= 1.22), other non-ASCII raw;
  nested numbers were decoded into ``float64`` first, so they print as Go floats;
* the object's name is always ``""`` - kustomize looks it up with the single path element
  ``"metadata/name"``, which never matches, so equal data gives equal suffixes;
* the first ten hex digits of the SHA-256 get ``0 1 3 a e`` replaced by ``g h k m t`` (to
  avoid "bad words").

Only ConfigMaps and Secrets can be hashed: kustomize's fallback for other kinds hashes a Go
``yaml.Node`` struct dump, which cannot be reproduced (and generators only make those two).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from envlib.kustomize.yaml.scalars import go_json_float

if TYPE_CHECKING:
    from envlib.kustomize.core.resource import Resource

_HASH_LETTERS = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})

# Go's encodeState.string escapes (escapeHTML=true, Go >= 1.22 short forms for \b and \f).
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_ALWAYS_ESCAPED = {"<", ">", "&", "\u2028", "\u2029"}


def go_json_string(text: str) -> str:
    """``text`` as Go's ``json.Marshal`` writes a string (HTML escaping on)."""
    out = ['"']
    for char in text:
        short = _SHORT_ESCAPES.get(char)
        if short is not None:
            out.append(short)
        elif char < " " or char in _ALWAYS_ESCAPED or "\ud800" <= char <= "\udfff":
            # lone surrogates are invalid UTF-8 in Go: written as U+FFFD
            code = 0xFFFD if "\ud800" <= char <= "\udfff" else ord(char)
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def go_json(value: Any) -> str:
    """Go ``json.Marshal`` of a value decoded with ``json.Unmarshal`` into ``interface{}``.

    Numbers are float64 in that representation, so integers print through
    :func:`go_json_float` (``12345678901234567890`` becomes ``12345678901234567000``).
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return go_json_string(value)
    if isinstance(value, (int, float)):
        return go_json_float(float(value))
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{go_json_string(k)}:{go_json(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    return go_json_string(str(value))


def _scalar_text(value: Any) -> str:
    """The text of a YAML scalar node (what kyaml's ``YNode().Value`` holds)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_json_float(value)
    return "" if value is None else str(value)


def _node_value(obj: dict[str, Any], key: str) -> Any:
    """kustomize's ``getNodeValues`` for one top-level field.

    Missing (or null) -> ``""``; a scalar -> its text; a mapping -> the mapping; a sequence
    -> Go's failed ``Unmarshal`` into a map, i.e. a nil map that prints as ``null``.
    """
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return _NIL_MAP
    return _scalar_text(value)


class _NilMap(dict[str, Any]):
    """A Go nil ``map[string]interface{}``: still a map for type checks, prints ``null``."""


_NIL_MAP = _NilMap()


def _encode_value(value: Any) -> str:
    return "null" if value is _NIL_MAP else go_json(value)


def hash_input(obj: dict[str, Any]) -> str:
    """The exact JSON text kustomize hashes for a ConfigMap or Secret."""
    kind = obj.get("kind")
    fields: dict[str, Any]
    if kind == "ConfigMap":
        fields = {"kind": "ConfigMap", "name": "", "data": _node_value(obj, "data")}
        binary = _node_value(obj, "binaryData")
        if isinstance(binary, dict):
            fields["binaryData"] = binary
    elif kind == "Secret":
        fields = {
            "kind": "Secret",
            "name": "",
            "type": _node_value(obj, "type"),
            "data": _node_value(obj, "data"),
        }
        string_data = _node_value(obj, "stringData")
        if isinstance(string_data, dict):
            fields["stringData"] = string_data
    else:
        raise ValueError(f"kustomize only hashes ConfigMaps and Secrets, not {kind!r}")
    return "{" + ",".join(f'"{k}":{_encode_value(fields[k])}' for k in sorted(fields)) + "}"


def encode_hash(hex_digest: str) -> str:
    """First ten hex digits with kustomize's letter substitution."""
    return hex_digest[:10].translate(_HASH_LETTERS)


def content_hash(obj: dict[str, Any]) -> str:
    """The 10-character suffix kustomize appends to a generated ConfigMap/Secret."""
    digest = hashlib.sha256(hash_input(obj).encode("utf-8")).hexdigest()
    return encode_hash(digest)


def apply_hash_suffix(res: Resource) -> bool:
    """Rename a generated object to ``<name>-<hash>`` unless hashing is disabled.

    Returns whether the name changed; the old id is kept in the resource's history (kustomize
    stores the previous id before renaming, so name references can still find it).
    """
    info = res.generated
    if info is None or info.disable_hash:
        return False
    res.set_name(f"{res.name}-{content_hash(res.obj)}")
    return True
