"""JSON6902 patches with the semantics of evanphx/json-patch v4 (what kustomize v5.5 uses).

kustomize converts the object to JSON, applies the operations with json-patch v4.12 and reads
the JSON back. Users see that library's quirks, so they are reproduced here (spec §6.5):

* ``replace`` of a missing *map key* adds it (only a missing array index is an error);
* array index ``-1`` (any negative index ≥ -len) counts from the end, so ``add .../-1``
  appends; ``-`` appends; indexes are parsed like Go's ``strconv.Atoi``;
* a path without a leading ``/`` loses its first segment (``spec/replicas`` → ``/replicas``);
  ``~1``/``~0`` are decoded, other ``~`` escapes are kept literally;
* ``copy`` from a missing map key writes ``null``; ``move`` from one fails;
* after the patch, integers beyond 2^53 come back rounded through float64.

Errors raise :class:`PatchError`: ``kustomize_message`` is the library's exact text (what
``kubectl kustomize`` prints after ``error: ``), ``message`` names the op index, op and path.
"""

from __future__ import annotations

import json
import re
from typing import Any

from envlib.errors import PatchError
from envlib.kustomize.patches.jsondoc import Doc, first_unencodable, through_json
from envlib.kustomize.yaml.scalars import Undecodable, go_format_float

_ABSENT: Any = object()
_INT = re.compile(r"[+-]?[0-9]+\Z")


class _OpError(Exception):
    """json-patch's error text plus a short human explanation."""

    def __init__(self, go_text: str, human: str) -> None:
        super().__init__(go_text)
        self.go_text = go_text
        self.human = human


def apply_json6902(obj: dict[str, Any], ops: list[dict[str, Any]]) -> Any:
    """Apply JSON6902 ``ops`` to ``obj`` copy-on-write and return the patched document.

    The result is normally a dict; ``replace`` with path ``""`` can make it anything (the
    caller rejects a non-object the way kustomize does). ``obj`` is not modified: containers
    on the path of an operation are copied before they change, so the result shares every
    untouched subtree with ``obj`` (and nothing with ``ops``). With no changing operation
    the result may be ``obj`` itself.
    """
    bad = first_unencodable(obj)
    if bad is not None:
        # kustomize serialises the whole object before the first operation
        if isinstance(bad, Undecodable):
            raise PatchError(bad.ours, kustomize_message=bad.message)
        shown = go_format_float(bad)
        raise PatchError(
            f"the object holds {shown}, which a JSON6902 patch cannot read (JSON has no "
            "infinity or NaN)",
            kustomize_message=f"json: unsupported value: {shown}",
        )
    root = Doc(obj)  # a box, so path "" can replace the document
    for index, op in enumerate(ops):
        kind = op.get("op") if isinstance(op, dict) else None
        kind = kind if isinstance(kind, str) else "unknown"
        path = op.get("path") if isinstance(op, dict) else None
        try:
            if not isinstance(op, dict):
                raise _OpError(f"Unexpected kind: {kind}", "an operation must be a mapping")
            _apply_one(root, kind, op)
        except _OpError as exc:
            where = f" {path}" if isinstance(path, str) else ""
            raise PatchError(
                f"ops[{index}] {kind}{where}: {exc.human}",
                kustomize_message=exc.go_text,
            ) from None
    return through_json(root[0])


# -- pointers and containers ----------------------------------------------------------------------


def _decode(segment: str) -> str:
    """RFC 6901 unescaping as json-patch v4 does it (one left-to-right pass)."""
    return re.sub(r"~[01]", lambda m: "/" if m.group(0) == "~1" else "~", segment)


def _atoi(key: str) -> int:
    if not _INT.match(key):
        raise ValueError(f'strconv.Atoi: parsing "{key}": invalid syntax')
    number = int(key)
    if not -(2**63) <= number < 2**63:
        raise ValueError(f'strconv.Atoi: parsing "{key}": value out of range')
    return number


def _find(root: list[Any], path: str) -> tuple[Any, str] | None:
    """json-patch ``findObject``: the container holding the last segment, and that segment."""
    parts = path.split("/")
    if len(parts) < 2:
        return None
    doc = root[0]
    for part in parts[1:-1]:
        key = _decode(part)
        if isinstance(doc, dict):
            nxt = doc.get(key)
        elif isinstance(doc, list):
            try:
                nxt = _array_get(doc, key)
            except (ValueError, _OpError):
                return None
        else:
            return None
        if not isinstance(nxt, (dict, list)):
            return None
        doc = nxt
    if not isinstance(doc, (dict, list)):
        return None
    return doc, _decode(parts[-1])


def _invalid_index(idx: int) -> _OpError:
    return _OpError(
        f"Unable to access invalid index: {idx}: invalid index referenced",
        f"index {idx} is out of range",
    )


def _array_index(arr: list[Any], key: str) -> int:
    idx = _atoi(key)
    if idx < 0:
        if idx < -len(arr):
            raise _invalid_index(idx)
        idx += len(arr)
    if idx >= len(arr):
        raise _invalid_index(idx)
    return idx


def _array_get(arr: list[Any], key: str) -> Any:
    return arr[_array_index(arr, key)]


def _find_owned(root: Doc, path: str) -> tuple[Any, str] | None:
    """:func:`_find` for an operation that writes: the containers from the document down to
    the one returned are made owned (copied once) first, so the write cannot reach the
    caller's object."""
    found = _find(root, path)
    if found is None:
        return None
    parts = path.split("/")
    doc = root[0] = root.own(root[0])
    for part in parts[1:-1]:
        key = _decode(part)
        slot: Any = key if isinstance(doc, dict) else _array_index(doc, key)
        child = doc[slot] = root.own(doc[slot])
        doc = child
    return doc, found[1]


def _get(con: Any, key: str) -> Any:
    """Container ``get``: a missing map key is not an error (returns _ABSENT)."""
    if isinstance(con, dict):
        return con.get(key, _ABSENT)
    try:
        return _array_get(con, key)
    except ValueError as exc:
        raise _OpError(str(exc), f"{key!r} is not an array index") from None


def _add(con: Any, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
        return
    if key == "-":
        con.append(value)
        return
    try:
        idx = _atoi(key)
    except ValueError as exc:
        raise _OpError(
            f"value was not a proper array index: '{key}': {exc}",
            f"{key!r} is not an array index",
        ) from None
    size = len(con) + 1
    if idx >= size:
        raise _invalid_index(idx)
    if idx < 0:
        if idx < -size:
            raise _invalid_index(idx)
        idx += size
    con.insert(idx, value)


def _remove(con: Any, key: str) -> None:
    if isinstance(con, dict):
        if key not in con:
            raise _OpError(
                f"Unable to remove nonexistent key: {key}: missing value",
                f"there is no key {key!r} to remove",
            )
        del con[key]
        return
    try:
        idx = _atoi(key)
    except ValueError as exc:
        raise _OpError(str(exc), f"{key!r} is not an array index") from None
    if idx >= len(con):
        raise _invalid_index(idx)
    if idx < 0:
        if idx < -len(con):
            raise _invalid_index(idx)
        idx += len(con)
    del con[idx]


def _set(con: Any, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
        return
    idx = _atoi(key)
    if idx < 0:
        idx += len(con)
    con[idx] = value


# -- operations ------------------------------------------------------------------------------------


def _string_field(op: dict[str, Any], name: str, missing_text: str) -> str:
    value = op.get(name)
    if value is None:
        raise _OpError(missing_text, f"the operation has no {name!r}")
    if not isinstance(value, str):
        raise _OpError(
            f"json: cannot unmarshal {_json_type(value)} into Go value of type string",
            f"{name!r} must be a string",
        )
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


_NO_PATH = "operation missing path field: missing value"
_NO_FROM = "operation, missing from field: missing value"


def _missing_path(op_name: str, path: str, what: str = "path") -> _OpError:
    shown = f'"{path}"' if op_name in ("add", "remove") else path
    return _OpError(
        f"{op_name} operation does not apply: doc is missing {what}: {shown}: missing value",
        f"no such path (a parent of {path!r} does not exist)",
    )


def _apply_one(root: Doc, kind: str, op: dict[str, Any]) -> None:
    if kind == "add":
        path = _string_field(op, "path", "add operation failed to decode path: missing value")
        found = _find_owned(root, path)
        if found is None:
            raise _missing_path("add", path)
        try:
            _add(*found, root.clone(op.get("value")))
        except _OpError as exc:
            raise _wrap(exc, f"error in add for path: '{path}'") from None
    elif kind == "remove":
        path = _string_field(op, "path", "remove operation failed to decode path: missing value")
        found = _find_owned(root, path)
        if found is None:
            raise _missing_path("remove", path)
        try:
            _remove(*found)
        except _OpError as exc:
            raise _wrap(exc, f"error in remove for path: '{path}'") from None
    elif kind == "replace":
        _replace(root, op)
    elif kind == "move":
        _move(root, op)
    elif kind == "test":
        _test(root, op)
    elif kind == "copy":
        _copy(root, op)
    else:
        raise _OpError(
            f"Unexpected kind: {kind}",
            "unknown operation (expected add, remove, replace, move, copy or test)",
        )


def _wrap(exc: _OpError, prefix: str) -> _OpError:
    return _OpError(f"{prefix}: {exc.go_text}", exc.human)


def _replace(root: Doc, op: dict[str, Any]) -> None:
    path = _string_field(op, "path", f"replace operation failed to decode path: {_NO_PATH}")
    if path == "":
        value = op.get("value")
        if not isinstance(value, (dict, list)) and value is not None:
            raise _OpError(
                "replace operation value must be object or array",
                "the whole document can only be replaced by an object",
            )
        root[0] = root.clone(value if value is not None else {})
        return
    found = _find_owned(root, path)
    if found is None:
        raise _missing_path("replace", path)
    con, key = found
    try:
        _get(con, key)
    except _OpError:
        raise _OpError(
            f"replace operation does not apply: doc is missing key: {path}: missing value",
            f"no such path (index {key} does not exist)",
        ) from None
    _set(con, key, root.clone(op.get("value")))


def _move(root: Doc, op: dict[str, Any]) -> None:
    src = _string_field(op, "from", f"move operation failed to decode from: {_NO_FROM}")
    found = _find_owned(root, src)
    if found is None:
        raise _missing_path("move", src, "from path")
    con, key = found
    try:
        value = _get(con, key)
        _remove(con, key)
    except _OpError as exc:
        raise _wrap(exc, f"error in move for path: '{key}'") from None
    path = _string_field(op, "path", f"move operation failed to decode path: {_NO_PATH}")
    found = _find_owned(root, path)
    if found is None:
        raise _missing_path("move", path, "destination path")
    try:
        _add(*found, value)
    except _OpError as exc:
        raise _wrap(exc, f"error in move for path: '{path}'") from None


def _copy(root: Doc, op: dict[str, Any]) -> None:
    src = _string_field(op, "from", f"copy operation failed to decode from: {_NO_FROM}")
    found = _find(root, src)
    if found is None:
        raise _missing_path("copy", src, "from path")
    try:
        value = _get(*found)
    except _OpError as exc:
        raise _wrap(exc, f"error in copy for from: '{src}'") from None
    path = _string_field(op, "path", "copy operation failed to decode path: missing value")
    found = _find_owned(root, path)
    if found is None:
        raise _missing_path("copy", path, "destination path")
    try:
        _add(*found, None if value is _ABSENT else root.clone(value))
    except _OpError as exc:
        raise _wrap(exc, "error while adding value during copy") from None


def _test(root: list[Any], op: dict[str, Any]) -> None:
    path = _string_field(op, "path", f"test operation failed to decode path: {_NO_PATH}")
    expected = op.get("value", _ABSENT)
    failed = _OpError(f"testing value {path} failed: test failed", "test failed")
    if path == "":
        if expected is _ABSENT or not _equal(root[0], expected):
            raise failed
        return
    found = _find(root, path)
    if found is None:
        raise _OpError(
            f"test operation does not apply: is missing path: {path}: missing value",
            "no such path",
        )
    try:
        actual = _get(*found)
    except _OpError as exc:
        raise _wrap(exc, f"error in test for path: '{path}'") from None
    if actual is _ABSENT:
        if expected is None:  # json-patch: a missing key "equals" an explicit null
            return
        raise failed
    if expected is _ABSENT or expected is None or not _equal(actual, expected):
        raise failed


def _equal(a: Any, b: Any) -> bool:
    """json-patch's lazy-node equality: deep for objects/arrays, JSON text for scalars."""
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        return all(k in b and _equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        return all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(b, (dict, list)):
        return False
    return _json_text(a) == _json_text(b)


def _json_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return json.dumps(value)
