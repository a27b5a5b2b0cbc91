"""Byte-exact YAML output, as ``kubectl kustomize`` prints it.

Kustomize prints every object by marshalling it to JSON and converting the JSON to YAML with
sigs.k8s.io/yaml, i.e. **go-yaml v2**.  Two consequences shape this module:

* The JSON round trip decides the *values*: keys are strings, integral floats become ints,
  other floats are printed the Go way (:func:`go_format_float`).
* go-yaml v2 decides the *text*: keys are re-sorted with its digit-aware comparator
  (:func:`natural_key_cmp`), each string requests a style (literal block if it has a
  newline, double quotes if YAML 1.1 would read it as a non-string, else plain), and its
  emitter -- a line-by-line port of libyaml -- downgrades styles, escapes and folds at 80
  columns.

Because go-yaml v2 *is* libyaml, we do not re-implement the emitter: we hand PyYAML's C
binding (libyaml itself) a node tree with the styles already chosen and let it write.  This
is both exact (quoting, escaping, folding, ``? `` complex keys) and fast.  The single
difference found between libyaml 0.2.x and go-yaml v2 -- libyaml closes a stream that ends
in a ``|+`` block with a ``...`` marker -- is removed afterwards.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cmp_to_key
from typing import Any, Final

from yaml._yaml import CEmitter
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from envlib.errors import ResourceError
from envlib.kustomize.yaml import emitter_quirks as quirks
from envlib.kustomize.yaml.readers import gc_paused
from envlib.kustomize.yaml.scalars import (
    INT64_MIN,
    UINT64_MAX,
    Undecodable,
    go_format_float,
    plain_is_string_v2,
)

__all__ = [
    "dump_object",
    "dump_objects",
    "go_format_float",
    "natural_key_cmp",
    "scalar_style",
    "sort_keys",
]

_TAG: Final = "tag:yaml.org,2002:str"
_STREAM_END_MARK: Final = "...\n"

# --------------------------------------------------------------------------- numbers


def _number_text(x: float) -> str:
    """How a float value prints after kustomize's JSON round trip.

    ``encoding/json`` writes integral values below 1e21 as plain digits, and go-yaml v2 reads
    those back as ints when they fit int64/uint64 -- so ``1.0`` prints ``1`` and ``1e20``
    prints ``1e+20``.
    """
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"json: unsupported value: {go_format_float(x)}")
    if x.is_integer() and abs(x) < 1e21:
        as_int = int(Decimal(repr(x)))
        if INT64_MIN <= as_int <= UINT64_MAX:
            return str(as_int)
    return go_format_float(x)


# --------------------------------------------------------------------------- key order


def _wrap_int64(n: int) -> int:
    """Go int64 overflow semantics for the comparator's digit accumulation."""
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


def natural_key_cmp(a: str, b: str) -> int:
    """go-yaml v2's mapping-key comparator (``keyList.Less``) as a cmp function.

    Runes are compared one by one; at the first difference letters sort after non-letters,
    two letters compare by code point, and otherwise the embedded decimal numbers starting
    there are compared by value (with go-yaml's quirk of counting from 1 when a ``0``
    follows a non-zero digit of the shared prefix).  Not a total order for some key sets --
    kubectl itself is non-deterministic there (spec §4.3).
    """
    if a == b:
        return 0
    return -1 if _key_less(a, b) else 1


def _key_less(a: str, b: str) -> bool:
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        la, lb = ca.isalpha(), cb.isalpha()
        if la and lb:
            return ca < cb
        if la or lb:
            return lb
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = _wrap_int64(an * 10 + (ord(a[ai]) - 48))
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = _wrap_int64(bn * 10 + (ord(b[bi]) - 48))
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


_natural_key = cmp_to_key(natural_key_cmp)


_order_cache: dict[tuple[Any, ...], list[str]] = {}


def sort_keys(keys: Iterable[str]) -> list[str]:
    """Keys in go-yaml v2 order (a new list).

    When every key is made of letters only, the comparator reduces to code-point order, so
    the common case uses Python's native sort.  Orders are cached per key tuple: Kubernetes
    objects repeat the same few key sets thousands of times.
    """
    as_tuple = tuple(keys)
    order = _order_cache.get(as_tuple)
    if order is None:
        for key in as_tuple:
            if type(key) is not str:
                raise TypeError(f"mapping key {key!r} is not a string")
        if all(k.isalpha() for k in as_tuple):
            order = sorted(as_tuple)
        else:
            order = sorted(as_tuple, key=_natural_key)
        if len(_order_cache) < 16384:
            _order_cache[as_tuple] = order
    return list(order)


# --------------------------------------------------------------------------- strings

_style_cache: dict[str, str | None] = {}

_NORMAL, _VERBATIM, _TRAILING_BREAK = 0, 1, 2
_SUFFIX: Final = "\ue000\uf8ffenvlib-end\uf8ff\ue000"
_SUFFIX_FIX: Final = re.compile(" *" + re.escape(_SUFFIX) + "'")


def scalar_style(s: str) -> str | None:
    """The style go-yaml v2 *requests* for a string: ``"|"``, ``'"'`` or None (plain).

    libyaml may still downgrade it (plain to single quotes, anything to double quotes) from
    the characters it finds; that happens inside the emitter.
    """
    style = _style_cache.get(s)
    if style is None and s not in _style_cache:
        if "\n" in s:
            style = "|"
        elif not plain_is_string_v2(s):
            style = '"'
        if len(_style_cache) < 65536:
            _style_cache[s] = style
    return style


_Plan = tuple[str, "str | None", int]
_key_plans: dict[str, _Plan] = {}
_value_plans: dict[str, _Plan] = {}


def _plan(s: str, is_key: bool) -> _Plan:
    """(text handed to libyaml, requested style, quirk) for one key or string value."""
    cache = _key_plans if is_key else _value_plans
    plan = cache.get(s)
    if plan is None:
        quirks.check_readable(s)
        value = quirks.fold_nel(s, is_key)
        style = scalar_style(value)
        if quirks.starts_with_bom(value):
            plan = (value, style, _VERBATIM)
        elif style is None and quirks.single_quoted_with_trailing_break(value):
            plan = (value + _SUFFIX, "'", _TRAILING_BREAK)
        else:
            plan = (value, style, _NORMAL)
        if len(cache) < 65536:
            cache[s] = plan
    return plan


# --------------------------------------------------------------------------- emission


class _Tree:
    """Builds the libyaml node tree and remembers the few scalars to patch afterwards."""

    def __init__(self) -> None:
        self.verbatim: dict[str, str] = {}
        self.trailing_breaks = 0

    def scalar(self, s: str, is_key: bool) -> ScalarNode:
        plan = (_key_plans if is_key else _value_plans).get(s) or _plan(s, is_key)
        if plan[2] == _NORMAL:
            return ScalarNode(_TAG, plan[0], None, None, plan[1])
        return self.quirky(plan, is_key)

    def quirky(self, plan: _Plan, is_key: bool) -> ScalarNode:
        value, style, quirk = plan
        if quirk == _TRAILING_BREAK:
            self.trailing_breaks += 1
            return ScalarNode(_TAG, value, style=style)
        # Written by us and substituted for a placeholder afterwards.  The placeholder keeps
        # the key's simple/complex class and, where it can, the rendered width (which decides
        # where a following value folds).
        rendered = quirks.render_bom_string(value)
        token = f"\ue000\uf8ff{len(self.verbatim)}\uf8ff\ue000"
        if is_key and (len(value.encode()) > 128 or re.search("[\r\n\u2028\u2029]", value)):
            token = token.ljust(140, "x")
        elif len(rendered) <= 128:
            token = token.ljust(len(rendered), "x")
        self.verbatim[token] = rendered
        return ScalarNode(_TAG, token)

    def node(self, obj: Any) -> Node:
        """A libyaml node for one value, with kustomize's key order and scalar styles.

        This is the hot path of every render: exact-type dispatch and cached plans/orders.
        """
        kind = type(obj)
        if kind is str:
            plan = _value_plans.get(obj) or _plan(obj, False)
            if plan[2] == _NORMAL:
                return ScalarNode(_TAG, plan[0], None, None, plan[1])
            return self.quirky(plan, False)
        if kind is dict:
            scalar, node = self.scalar, self.node
            return MappingNode(
                _TAG, [(scalar(k, True), node(obj[k])) for k in sort_keys(obj)], None, None, False
            )
        if kind is list:
            node = self.node
            return SequenceNode(_TAG, [node(item) for item in obj], None, None, False)
        return self.other(obj)

    def other(self, obj: Any) -> Node:
        if obj is None:
            return ScalarNode(_TAG, "null")
        if obj is True:
            return ScalarNode(_TAG, "true")
        if obj is False:
            return ScalarNode(_TAG, "false")
        if isinstance(obj, int):
            return ScalarNode(_TAG, str(obj))
        if isinstance(obj, float):
            return ScalarNode(_TAG, _number_text(obj))
        if type(obj) is Undecodable:
            raise ResourceError(obj.ours, kustomize_message=obj.message)
        if isinstance(obj, str):
            return self.node(str(obj))
        if isinstance(obj, Mapping):
            return self.node(dict(obj))
        if isinstance(obj, (list, tuple)):
            return self.node(list(obj))
        raise TypeError(f"cannot emit a value of type {type(obj).__name__}")

    def finish(self, text: str) -> str:
        """Apply the go-yaml v2 corrections recorded while building."""
        if self.trailing_breaks:
            text, count = _SUFFIX_FIX.subn("'", text)
            if count != self.trailing_breaks:
                raise RuntimeError("emitter placeholder collision (trailing line separator)")
        for token, rendered in self.verbatim.items():
            if text.count(token) != 1:
                raise RuntimeError("emitter placeholder collision (leading BOM)")
            text = text.replace(token, rendered)
        return text


class _Emitter(CEmitter):
    """libyaml's emitter with every scalar implicit: the style alone decides the text."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return _TAG

    def descend_resolver(self, parent: Any, index: Any) -> None:
        """No path-dependent resolution: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path-dependent resolution: nothing to track."""


def _emit(nodes: Iterable[Node]) -> str:
    """Write each node as one document; libyaml separates documents with ``---``."""
    buffer = io.StringIO()
    emitter = _Emitter(buffer, width=80, indent=2, allow_unicode=True)
    emitter.open()
    for node in nodes:
        emitter.serialize(node)
    emitter.close()
    text = buffer.getvalue()
    # libyaml (unlike go-yaml v2) ends an open-ended stream (last block scalar kept with
    # `|+`, or a bare plain scalar) with a `...` line.
    if text.endswith(_STREAM_END_MARK) and (len(text) == 4 or text[-5] == "\n"):
        text = text[:-4]
    return text


def dump_object(obj: Any) -> str:
    """One object as kustomize prints it (ends with a newline)."""
    return dump_objects([obj])


def dump_objects(objs: Iterable[Any]) -> str:
    """The whole ``kubectl kustomize`` stdout: documents joined by ``---``; "" for none."""
    tree = _Tree()
    objs = list(objs)
    if not objs:
        return ""
    with gc_paused():
        if all(type(obj) is dict for obj in objs):
            # one document's node tree at a time: holding every document's nodes at once
            # costs more in memory traffic than building them does
            return tree.finish(_emit(tree.node(obj) for obj in objs))
        nodes = [tree.node(obj) for obj in objs]
        if all(type(node) is MappingNode for node in nodes):
            return tree.finish(_emit(nodes))
        # Bare scalars would make libyaml insert `...` between documents: one stream each.
        return tree.finish("---\n".join(_emit([node]) for node in nodes))
