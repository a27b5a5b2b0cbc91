"""Typing of plain (unquoted) YAML scalars, the way kustomize's two YAML libraries do it.

Kustomize reads YAML with two different Go libraries, and a Python port must reproduce both:

* **go-yaml v3** (through kyaml) for resource files and strategic-merge patches: a YAML
  1.2 "core"-like schema where only ``true``/``false`` are booleans but legacy octal ``0755``
  is still an int, and timestamps become RFC 3339 strings on the way to JSON.
* **go-yaml v2** (through sigs.k8s.io/yaml) for kustomization files and JSON6902 operations
  written in YAML, and -- crucially -- inside the output serializer, where a string is
  double-quoted exactly when v2 would read it back as something else.

Both libraries share one algorithm (a first-character hint table, a lookup map, then Go's
``strconv`` parsers); only the lookup map differs.  We port that algorithm rather than use
regular expressions from the YAML spec, because Go's parsers accept and reject subtly
different inputs (``1_000`` and ``0b101`` are ints, ``1e400`` and ``2024-02-30`` are strings).

Everything here is pure and cheap; results for the common case (a string starting with a
letter) are decided by one dictionary lookup.
"""

from __future__ import annotations

import io
import math
import re
import struct
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

import yaml

INT64_MIN: Final = -(1 << 63)
INT64_MAX: Final = (1 << 63) - 1
UINT64_MAX: Final = (1 << 64) - 1

# Tags returned by resolve_v2 (short names, enough for callers to branch on).
STR: Final = "str"
BOOL: Final = "bool"
NULL: Final = "null"
INT: Final = "int"
FLOAT: Final = "float"
TIMESTAMP: Final = "timestamp"
MERGE: Final = "merge"

_NAN = math.nan
_INF = math.inf

# The lookup map shared by both libraries (nulls, special floats, merge key) ...
_COMMON_MAP: dict[str, tuple[str, Any]] = {
    **{s: (NULL, None) for s in ("", "~", "null", "Null", "NULL")},
    **{s: (FLOAT, _NAN) for s in (".nan", ".NaN", ".NAN")},
    **{s: (FLOAT, _INF) for s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{s: (FLOAT, -_INF) for s in ("-.inf", "-.Inf", "-.INF")},
    "<<": (MERGE, "<<"),
}
# ... plus the booleans, which is where YAML 1.1 and 1.2 part ways.
_V3_MAP: dict[str, tuple[str, Any]] = {
    **_COMMON_MAP,
    **{s: (BOOL, True) for s in ("true", "True", "TRUE")},
    **{s: (BOOL, False) for s in ("false", "False", "FALSE")},
}
_V2_MAP: dict[str, tuple[str, Any]] = {
    **_COMMON_MAP,
    **{
        s: (BOOL, True)
        for s in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")
    },
    **{
        s: (BOOL, False)
        for s in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")
    },
}

# First-character hints (go-yaml's resolveTable): D digit, S sign, M map-only, . float.
_HINT: dict[str, str] = {"+": "S", "-": "S", ".": "."}
_HINT.update({c: "D" for c in "0123456789"})
_HINT.update({c: "M" for c in "yYnNtTfFoO~"})

_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_DIGITS = {
    2: re.compile(r"[01]+"),
    8: re.compile(r"[0-7]+"),
    10: re.compile(r"[0-9]+"),
    16: re.compile(r"[0-9a-fA-F]+"),
}

# --------------------------------------------------------------------------- Go strconv


def _go_int_syntax(s: str, allow_sign: bool) -> int | None:
    """The value of ``s`` under Go's base-0 integer syntax (no range check), else None.

    Base prefixes ``0x``/``0o``/``0b`` (any case), a bare leading ``0`` means octal.
    Callers have already removed underscores.
    """
    neg = False
    if allow_sign and s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    base = 10
    if len(s) > 1 and s[0] == "0":
        prefix = s[1].lower()
        if prefix in "xob":
            base = {"x": 16, "o": 8, "b": 2}[prefix]
            s = s[2:]
        else:
            base = 8
            s = s[1:]
    if not s or not _DIGITS[base].fullmatch(s):
        return None
    value = int(s, base)
    return -value if neg else value


def go_parse_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64) as go-yaml tries them."""
    value = _go_int_syntax(s, allow_sign=True)
    if value is not None and INT64_MIN <= value <= INT64_MAX:
        return value
    # ParseUint takes no sign, so "+18446744073709551615" falls through to float.
    value = _go_int_syntax(s, allow_sign=False)
    if value is not None and 0 <= value <= UINT64_MAX:
        return value
    return None


def _underscore_ok(s: str) -> bool:
    """Go's strconv.underscoreOK for decimal input: ``_`` only between digits."""
    saw = "^"
    if s[:1] in ("+", "-"):
        s = s[1:]
    for ch in s:
        if "0" <= ch <= "9":
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def _finite_float(s: str) -> float | None:
    """float(s) unless Go's ParseFloat would report a range error (overflow to inf)."""
    value = float(s)
    return None if math.isinf(value) else value


# --------------------------------------------------------------------------- timestamps

_TS = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?:(?:(?P<T>[Tt])|(?P<sp> +))"
    r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{1,2}):(?P<s>[0-9]{1,2})"
    r"(?:[.,](?P<f>[0-9]+))?"
    r"(?P<z>Z|[-+][0-9]{2}:[0-9]{2})?)?"
)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_timestamp(s: str) -> str | None:
    """If go-yaml reads ``s`` as a timestamp, its RFC 3339 (nano) text; else None.

    Ports go-yaml's four ``time.Parse`` layouts: ``2006-1-2T15:4:5.999999999Z07:00`` (also
    with a lower-case ``t``), ``2006-1-2 15:4:5.999999999`` (no zone, UTC) and
    ``2006-1-2``.  The result is what Go's JSON encoding of the ``time.Time`` prints, which
    is how a timestamp reaches kustomize's output.
    """
    if len(s) < 8 or s[4] != "-" or not s[:4].isdigit():
        return None
    m = _TS.fullmatch(s)
    if m is None:
        return None
    year, month, day = int(m["y"]), int(m["mo"]), int(m["d"])
    if not 1 <= month <= 12:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _DAYS[month - 1] + (1 if month == 2 and leap else 0):
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if m["h"] is None:
        return date + "T00:00:00Z"
    if m["T"] is not None and m["z"] is None:
        return None  # the T layouts require a zone
    if m["sp"] is not None and m["z"] is not None:
        return None  # the space layout has no zone
    hour, minute, sec = int(m["h"]), int(m["mi"]), int(m["s"])
    if hour > 23 or minute > 59 or sec > 59:
        return None
    frac = (m["f"] or "")[:9].rstrip("0")
    zone = "Z"
    if m["z"] not in (None, "Z"):
        hh, mm = int(m["z"][1:3]), int(m["z"][4:6])
        if hh > 24 or mm > 60:
            return None
        minutes = hh * 60 + mm
        if minutes:
            zone = f"{m['z'][0]}{minutes // 60:02d}:{minutes % 60:02d}"
    text = f"{date}T{hour:02d}:{minute:02d}:{sec:02d}"
    return f"{text}.{frac}{zone}" if frac else text + zone


# --------------------------------------------------------------------------- resolvers


def _resolve(s: str, table: dict[str, tuple[str, Any]]) -> tuple[str, Any]:
    """go-yaml's resolve() for an untagged plain scalar, parameterised by its lookup map."""
    hint = _HINT.get(s[:1], "N" if not s else "")
    if not hint:
        return STR, s
    found = table.get(s)
    if found is not None:
        return found
    if hint == ".":
        if _underscore_ok(s):
            plain = s.replace("_", "")
            if _DOT_FLOAT.fullmatch(plain):
                value = _finite_float(plain)
                if value is not None:
                    return FLOAT, value
    elif hint in ("D", "S"):
        if hint == "D":
            ts = parse_timestamp(s)
            if ts is not None:
                return TIMESTAMP, ts
        plain = s.replace("_", "")
        number = go_parse_int(plain)
        if number is not None:
            return INT, number
        if _YAML_STYLE_FLOAT.fullmatch(plain):
            value = _finite_float(plain)
            if value is not None:
                return FLOAT, value
    return STR, s


def resolve_v3(s: str) -> Any:
    """Value of an untagged plain scalar in a resource file (go-yaml v3 via kyaml).

    Timestamps come back as their RFC 3339 text (what kustomize prints); ``.inf``/``.nan``
    come back as float infinities/NaN, which the caller must reject.
    """
    return _resolve(s, _V3_MAP)[1]


def resolve_v2(s: str) -> tuple[str, Any]:
    """(tag, value) of an untagged plain scalar under go-yaml v2 (YAML 1.1) typing.

    For timestamps the value is the RFC 3339 text; note that v2 *decoding* keeps the
    original text (see yamlio), while the serializer only needs the tag.
    """
    return _resolve(s, _V2_MAP)


def is_base60_float(s: str) -> bool:
    """go-yaml v2's isBase60Float: ``12:30`` is a YAML 1.1 sexagesimal number."""
    if not s or (s[0] not in "+-" and not "0" <= s[0] <= "9") or ":" not in s:
        return False
    return _BASE60_FLOAT.fullmatch(s) is not None


def plain_is_string_v2(s: str) -> bool:
    """Whether go-yaml v2 may write ``s`` unquoted (it would read it back as a string)."""
    return _resolve(s, _V2_MAP)[0] == STR and not is_base60_float(s)


# --------------------------------------------------------------------------- Go float text


def _shortest_float32(x: float) -> str:
    """Shortest decimal text that reads back as the same float32 (Go's bitSize 32)."""
    f32 = struct.unpack("f", struct.pack("f", x))[0]
    for precision in range(1, 10):
        text = f"{f32:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            return text
    return repr(f32)


def go_format_float(x: float, bits: int = 64) -> str:
    """Go's ``strconv.FormatFloat(x, 'g', -1, bits)``: shortest digits, exponent iff < -4 or >= 6.

    Python's ``repr`` yields the same shortest round-trip digits as Go for float64; only the
    layout differs (Go switches to exponent form from 1e+06 and always writes at least two
    exponent digits).  ``bits=32`` is used for float map keys in kustomization files.
    """
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    if bits == 32:
        try:
            text = _shortest_float32(x)
        except OverflowError:
            return "+Inf" if x > 0 else "-Inf"
    else:
        text = repr(x)
    sign, digit_tuple, exponent = Decimal(text).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    # Decimal exponent of the first significant digit.
    exp10 = len(digit_tuple) + exponent - 1
    prefix = "-" if sign else ""
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        esign = "-" if exp10 < 0 else "+"
        return f"{prefix}{mantissa}e{esign}{abs(exp10):02d}"
    if exp10 < 0:
        return f"{prefix}0.{'0' * (-exp10 - 1)}{digits}"
    int_part = digits[: exp10 + 1].ljust(exp10 + 1, "0")
    frac = digits[exp10 + 1 :]
    return f"{prefix}{int_part}.{frac}" if frac else f"{prefix}{int_part}"


def go_json_float(value: float) -> str:
    """A float64 as Go's ``json.Marshal`` writes it (shortest digits, 'e' only when tiny/huge)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value}")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    exact = Decimal(repr(value))
    if 1e-6 <= abs(value) < 1e21:
        text = format(exact, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, digits, exponent = exact.normalize().as_tuple()
    assert isinstance(exponent, int)
    mantissa = "".join(map(str, digits))
    power = exponent + len(mantissa) - 1
    head = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    exp_text = f"{abs(power):02d}" if power >= 0 or abs(power) >= 10 else str(abs(power))
    return f"{'-' if sign else ''}{head}e{'+' if power >= 0 else '-'}{exp_text}"


# --------------------------------------------------------------------------- source text


class TextInt(int):
    """An integer that remembers the text it was written as (``0x1F``, ``1_000``, ``+1``).

    kyaml keeps every scalar as its node text; kustomize reads that text wherever it wants
    a string - a replacement into a string field, a label or annotation map - while the
    output prints the number. Only numbers whose text differs from Python's ``str`` get one.
    """

    text: str

    def __new__(cls, value: int, text: str) -> TextInt:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (TextInt, (int(self), self.text))


class TextFloat(float):
    """A float that remembers the text it was written as (``1.50``, ``1e3``, ``1e+020``)."""

    text: str

    def __new__(cls, value: float, text: str) -> TextFloat:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (TextFloat, (float(self), self.text))


def with_text(value: Any, text: str) -> Any:
    """``value`` (as resolved from the plain scalar ``text``) carrying ``text`` if needed."""
    kind = type(value)
    if kind is int:
        return value if str(value) == text else TextInt(value, text)
    if kind is float:
        return value if str(value) == text else TextFloat(value, text)
    return value


class TextTimestamp(str):
    """A timestamp: the string kustomize prints (``2024-01-01T00:00:00Z``) and its text.

    kyaml keeps the node text (``2024-01-01``), which is what a ``behavior: merge`` reads
    and what a quoted node it overwrites in place prints; only serialisation formats it.
    """

    text: str

    def __new__(cls, value: str, text: str) -> TextTimestamp:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (TextTimestamp, (str(self), self.text))


def source_text(value: Any) -> str | None:
    """The remembered text of a :class:`TextInt`/:class:`TextFloat`/:class:`TextTimestamp`."""
    return value.text if isinstance(value, (TextInt, TextFloat, TextTimestamp)) else None


class Undecodable(str):
    """A scalar whose text does not fit the YAML tag its node keeps (``!!int`` "settings").

    kyaml's replacement writes a string into an int node and keeps the tag; the node only
    fails when it is decoded - when the object is serialised (output, a JSON6902 patch) - so
    a later replicas transformer or patch that overwrites it leaves no error (verified with
    kubectl). envlib keeps such a value as its text and fails at those same places with
    ``message`` (kustomize's) and ``ours`` (where it came from).
    """

    message: str
    ours: str

    def __new__(cls, text: str, message: str, ours: str) -> Undecodable:
        obj = super().__new__(cls, text)
        obj.message = message
        obj.ours = ours
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (Undecodable, (str(self), self.message, self.ours))


class AnnotationText(str):
    """An annotation value as the text it was written as, still knowing its YAML value.

    kustomize rewrites annotations as a string map (so ``port: 8080`` prints ``"8080"``,
    ``0o755`` prints ``"0o755"``), but a JSON6902 patch serialises the object while the
    node is still typed: after it the text is Go's JSON text of the value (``"493"``,
    ``+.5`` -> ``"0.5"``; verified with kubectl). ``typed`` is that value.
    """

    typed: Any

    def __new__(cls, text: str, typed: Any) -> AnnotationText:
        obj = super().__new__(cls, text)
        obj.typed = typed
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (AnnotationText, (str(self), self.typed))


def annotation_text(text: str, typed: Any) -> str:
    """``text`` for an annotation whose YAML value is ``typed`` (kept when it is not that
    text: a number, a boolean, a timestamp's normalised form)."""
    return text if typed == text and isinstance(typed, str) else AnnotationText(text, typed)


# --------------------------------------------------------------------------- scalar styles

_ANALYZER = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True)


@lru_cache(maxsize=4096)
def written_quoted(text: str) -> bool:
    """Whether a string can only have been written quoted or as a block in a resource file.

    Plain data keeps no scalar style; a string that YAML could not hold as a plain scalar
    (``'1'``, ``"true"``, ``""``, a leading ``@``, several lines) certainly had one. A string
    quoted although it need not be (``'x'``) cannot be told from a plain one. Timestamp text
    (``'2024-01-01'``) counts as quoted: written plain it would have been a timestamp, which
    the loader keeps as its text, while kyaml still sees a plain ``!!timestamp`` node there.
    """
    if not text or "\n" in text or text == "<<" or _resolve(text, _V3_MAP)[0] != STR:
        return True  # (plain ``<<`` is YAML's merge key, not a string)
    return not _ANALYZER.analyze_scalar(text).allow_block_plain


def scalar_text(value: Any) -> str:
    """The text of a scalar as its YAML node holds it (``true``, ``0x1F``, ``1.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = source_text(value)
    if text is not None:
        return text
    # a float without remembered text was written as Python prints it (``1.0``); numbers
    # that went through JSON6902 carry Go's text (patches/jsondoc.through_json)
    return str(value)


def restyled(dest: Any, value: Any) -> Any:
    """``value`` written into the scalar node that held ``dest``, which keeps its style.

    kyaml overwrites a node in place (merge2 ``SetStyle``, the replica count setter): a plain
    new value takes the old node's quoted style, so a number or boolean written over a
    quoted string becomes a string of its text: ``a: '1'`` patched with ``a: 2`` prints
    ``a: "2"`` (verified with kubectl 1.32).
    """
    if (
        type(dest) is str
        and value is not None
        and (type(value) is TextTimestamp or not isinstance(value, (str, dict, list)))
        and written_quoted(dest)
    ):
        return scalar_text(value)
    return value
