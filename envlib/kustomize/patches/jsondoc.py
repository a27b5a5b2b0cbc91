"""The document a JSON6902 patch edits (copy-on-write), and json-patch's number rounding.

kustomize applies JSON6902 to a JSON copy of the object. Copying a whole Deployment for a
two-operation patch used to be most of the cost of the patch, so :class:`Doc` copies only
the containers an operation writes into, and :func:`through_json` reproduces the float64
round trip of the JSON step (values and node texts), copying only the containers whose numbers
change.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from envlib.kustomize.yaml.scalars import (
    TextFloat,
    TextInt,
    TextTimestamp,
    Undecodable,
    go_format_float,
)

_FLOAT64_EXACT = 2**53


class Doc(list[Any]):
    """The document in a one-element box, plus the containers this patch owns.

    A container is *owned* when this patch created it (a copy made before a write, or a
    cloned operation value); anything else belongs to the caller's object and is copied
    before its first write. Owned containers are kept alive so their ids stay unique.
    """

    def __init__(self, doc: Any) -> None:
        super().__init__([doc])
        self.owned: set[int] = set()
        self.keep: list[Any] = []

    def own(self, value: Any) -> Any:
        """``value`` itself if owned, else a shallow copy that is."""
        if id(value) in self.owned:
            return value
        copy: Any = dict(value) if isinstance(value, dict) else list(value)
        self.owned.add(id(copy))
        self.keep.append(copy)
        return copy

    def clone(self, value: Any) -> Any:
        """A deep copy of an operation value (or of a subtree), owned by this patch."""
        if isinstance(value, dict):
            copy: Any = {k: self.clone(v) for k, v in value.items()}
        elif isinstance(value, list):
            copy = [self.clone(v) for v in value]
        else:
            return value
        self.owned.add(id(copy))
        self.keep.append(copy)
        return copy


def first_unencodable(value: Any) -> Any:
    """The first value in ``value`` kustomize's JSON step cannot encode, or None.

    That is a NaN or infinity (JSON has none) or an :class:`Undecodable` scalar (text that
    does not fit its node's tag). Every object is checked at least once per build (and
    before each JSON6902 patch), so the walk is iterative - a stack of iterators, in
    document order - rather than one call per container.
    """
    vtype = type(value)
    if vtype is not dict and vtype is not list:
        return _unencodable_scalar(value)
    stack = [iter(value.values() if vtype is dict else value)]
    while stack:
        for item in stack[-1]:
            itype = type(item)
            if itype is str or itype is int or itype is bool or item is None:
                continue
            if itype is dict:
                stack.append(iter(item.values()))
                break
            if itype is list:
                stack.append(iter(item))
                break
            found = _unencodable_scalar(item)
            if found is not None:
                return found
        else:
            stack.pop()
    return None


def _unencodable_scalar(value: Any) -> Any:
    if type(value) is Undecodable:
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return value
    return None


def through_json(value: Any) -> Any:
    """The numbers of ``value`` as kustomize's JSON round trip leaves them, anywhere in it.

    kyaml reads the patched JSON back through float64 (``json.Unmarshal`` into
    ``interface{}``, then ``yaml.Marshal``): integers beyond 2^53 lose precision, and every
    number's node text becomes Go's ``FormatFloat(f, 'g', -1, 64)`` - ``1e3`` and ``1000000``
    read back as ``1000`` and ``1e+06``, ``3.0`` as ``3``, ``0x1F`` as ``31``. That text is
    what a later string read of the node sees (a generator ``behavior: merge``, a
    replacement), so it is kept on the number (:class:`TextInt` / :class:`TextFloat`).

    Returns ``value`` itself when no number changes (the usual case); otherwise new
    containers on the way to each changed number, sharing the rest.
    """
    vtype = type(value)
    if vtype is dict:
        new = None
        for key, item in value.items():
            done = through_json(item) if type(item) is not str else item
            if done is not item:
                if new is None:
                    new = dict(value)
                new[key] = done
        return value if new is None else new
    if vtype is list:
        out = None
        for index, item in enumerate(value):
            done = through_json(item) if type(item) is not str else item
            if done is not item:
                if out is None:
                    out = list(value)
                out[index] = done
        return value if out is None else out
    if vtype is int:
        return value if -_PLAIN_INT < value < _PLAIN_INT else _json_int(value)
    if vtype is str or vtype is bool or value is None:
        return value
    if vtype is TextTimestamp:
        return str(value)  # the JSON text of the node is the formatted timestamp
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _json_int(value)
    if isinstance(value, float):
        return _json_float(value)
    return _rounded(value)  # odd types: the plain rebuild


# Integers below 10^6 keep their text through float64 ('g' switches to exponent form there).
_PLAIN_INT = 10**6


def _json_int(value: int) -> int:
    number = int(value)
    if abs(number) > _FLOAT64_EXACT:
        # Go prints the float64 with its shortest repr: 12345678901234567890 -> ...567000
        number = int(Decimal(repr(float(number))))
    text = go_format_float(float(number))
    if text == str(number):
        return value if type(value) is int and number == value else number
    return TextInt(number, text)


def _json_float(value: float) -> float:
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return value  # not JSON: the emitter reports these
    text = go_format_float(number)
    if text == str(number):
        return number
    return TextFloat(number, text)


def _rounded(value: Any) -> Any:
    """The JSON round trip reads numbers as float64: large integers lose precision."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _FLOAT64_EXACT:
        # Go prints the float64 with its shortest repr: 12345678901234567890 -> ...567000
        return int(Decimal(repr(float(value))))
    return value
