"""Go (RE2) regular expressions, translated to Python :mod:`re`, with Go's error texts.

kustomize compiles user text with Go's ``regexp`` in patch/replacement target selectors
(``^(?:<name>)$``), the ``images:`` name match and ``replacements`` list selectors. The two
dialects differ in ways users hit: Go's ``$`` is the end of the text (Python's also matches
before a final newline), ``\\d``/``\\w``/``\\s``/``\\b`` are ASCII-only in Go, ``(?i)`` may
appear anywhere and lasts to the end of the enclosing group, ``\\z``, ``\\Q...\\E``,
``[[:alpha:]]`` and ``\\pL`` exist only in Go, ``{,5}`` is a literal in Go, and Go refuses
lookarounds and backreferences. An invalid pattern must fail with Go's message
(``error parsing regexp: missing closing ): `^(?:web-()$```), because that is what kubectl
prints.

:func:`compile` parses the pattern the way Go's ``regexp/syntax`` does (flags are tracked per
group and applied to each atom) and emits an equivalent Python pattern.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

__all__ = ["GoRegexError", "compile", "translate"]


class GoRegexError(ValueError):
    """An invalid Go regexp; ``str()`` is Go's ``error parsing regexp: ...`` text."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")
        self.code = code
        self.expr = expr


MISSING_PAREN = "missing closing )"
UNEXPECTED_PAREN = "unexpected )"
MISSING_BRACKET = "missing closing ]"
INVALID_ESCAPE = "invalid escape sequence"
INVALID_PERL_OP = "invalid or unsupported Perl syntax"
INVALID_NAMED_CAPTURE = "invalid named capture"
INVALID_REPEAT_OP = "invalid nested repetition operator"
INVALID_REPEAT_SIZE = "invalid repeat count"
MISSING_REPEAT_ARG = "missing argument to repetition operator"
INVALID_CHAR_RANGE = "invalid character class range"
TRAILING_BACKSLASH = "trailing backslash at end of expression"

_PERL = {
    "d": "0-9",
    "s": "\\t\\n\\f\\r ",
    "w": "0-9A-Za-z_",
}
_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_SIMPLE_ESCAPES = {"a": "\\x07", "f": "\\x0c", "t": "\\t", "n": "\\n", "r": "\\r", "v": "\\x0b"}
_SCRIPT_PREFIXES = {
    "Greek": ("GREEK",),
    "Latin": ("LATIN",),
    "Cyrillic": ("CYRILLIC",),
    "Arabic": ("ARABIC",),
    "Hebrew": ("HEBREW",),
    "Han": ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"),
    "Hiragana": ("HIRAGANA",),
    "Katakana": ("KATAKANA",),
    "Hangul": ("HANGUL",),
    "Thai": ("THAI",),
    "Devanagari": ("DEVANAGARI",),
}
_CATEGORIES = {
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
    "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
    "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Co", "Cs",
}  # fmt: skip


@functools.lru_cache(maxsize=64)
def compile(pattern: str) -> re.Pattern[str]:
    """Compile a Go regexp; raises :class:`GoRegexError` with Go's message."""
    return re.compile(translate(pattern))


def translate(pattern: str) -> str:
    """The Python :mod:`re` source equivalent to Go regexp ``pattern``."""
    return _Parser(pattern).parse()


@functools.cache
def _unicode_class(name: str) -> str:
    """Class body (ranges) for a Unicode category or script Go knows, built from unicodedata."""
    if name in _CATEGORIES:

        def test(ch: str) -> bool:
            return unicodedata.category(ch).startswith(name)
    else:
        prefixes = _SCRIPT_PREFIXES[name]

        def test(ch: str) -> bool:
            return unicodedata.name(ch, "").startswith(prefixes)

    parts: list[str] = []
    start = -1
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and test(chr(code))
        if inside and start < 0:
            start = code
        elif not inside and start >= 0:
            end = code - 1
            parts.append(_esc(chr(start)) + ("" if end == start else "-" + _esc(chr(end))))
            start = -1
    return "".join(parts)


def _esc(ch: str) -> str:
    return ch if ch.isalnum() and ord(ch) < 128 else f"\\U{ord(ch):08x}"


class _Parser:
    """A recursive-descent parser over Go's syntax, emitting Python source as it goes."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.names: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------
    def _peek(self, text: str) -> bool:
        return self.src.startswith(text, self.pos)

    def _at_end(self) -> bool:
        return self.pos >= len(self.src)

    def parse(self) -> str:
        out = self._alternation(frozenset(), depth=0)
        if not self._at_end():  # only a ')' stops the top level early
            raise GoRegexError(UNEXPECTED_PAREN, self.src)
        return out

    def _alternation(self, flags: frozenset[str], depth: int) -> str:
        branches = [self._concat(flags, depth)]
        while self._peek("|"):
            self.pos += 1
            branches.append(self._concat(self._branch_flags, depth))
        return "|".join(branches)

    def _concat(self, flags: frozenset[str], depth: int) -> str:
        out: list[str] = []
        last_repeat = ""  # text of the repetition just applied (for nested-repeat errors)
        have_atom = False
        while not self._at_end() and not self._peek("|") and not self._peek(")"):
            start = self.pos
            repeat = self._repeat_op()
            if repeat is not None:
                text, python = repeat
                if last_repeat:
                    raise GoRegexError(INVALID_REPEAT_OP, last_repeat + text)
                if not have_atom:
                    raise GoRegexError(MISSING_REPEAT_ARG, text)
                if "U" in flags:
                    python = python[:-1] if python.endswith("?") else python + "?"
                out[-1] = f"(?:{out[-1]}){python}"
                last_repeat = self.src[start : self.pos]
                continue
            atom, flags = self._atom(flags, depth)
            last_repeat = ""
            if atom is None:  # a flag group: changes flags, matches nothing
                continue
            out.append(atom)
            have_atom = True
        self._branch_flags = flags
        return "".join(out)

    _branch_flags: frozenset[str] = frozenset()

    def _repeat_op(self) -> tuple[str, str] | None:
        """A repetition operator at the cursor: (Go text, Python text), or None."""
        ch = self.src[self.pos]
        if ch in "*+?":
            self.pos += 1
            lazy = self._peek("?")
            if lazy:
                self.pos += 1
            return ch + ("?" if lazy else ""), ch + ("?" if lazy else "")
        if ch == "{":
            m = re.compile(r"\{(\d+)(,(\d*))?\}").match(self.src, self.pos)
            if m is None:
                return None  # Go takes a brace that starts no repeat literally
            low = int(m[1])
            high = -1 if m[2] and not m[3] else int(m[3]) if m[3] else low
            self.pos = m.end()
            lazy = self._peek("?")
            if lazy:
                self.pos += 1
            text = m[0] + ("?" if lazy else "")
            if low > 1000 or high > 1000 or (high >= 0 and high < low):
                raise GoRegexError(INVALID_REPEAT_SIZE, m[0])
            upper = "" if high < 0 else str(high)
            python = f"{{{low},{upper}}}" if m[2] else f"{{{low}}}"
            return text, python + ("?" if lazy else "")
        return None

    def _atom(self, flags: frozenset[str], depth: int) -> tuple[str | None, frozenset[str]]:
        ch = self.src[self.pos]
        if ch == "(":
            return self._group(flags, depth)
        if ch == "[":
            return self._class(flags), flags
        if ch == "\\":
            return self._escape(flags), flags
        self.pos += 1
        if ch == ".":
            return ("(?s:.)" if "s" in flags else "(?-s:.)"), flags
        if ch == "^":
            return ("(?m:^)" if "m" in flags else r"(?:\A)"), flags
        if ch == "$":
            return ("(?m:$)" if "m" in flags else r"(?:\Z)"), flags
        return self._literal(ch, flags), flags

    def _literal(self, ch: str, flags: frozenset[str]) -> str:
        text = re.escape(ch)
        return f"(?i:{text})" if "i" in flags and ch.lower() != ch.upper() else text

    def _group(self, flags: frozenset[str], depth: int) -> tuple[str | None, frozenset[str]]:
        start = self.pos
        self.pos += 1
        prefix = "(?:"
        inner = flags
        if self._peek("?P<") or self._peek("?<"):
            end = self.src.find(">", self.pos)
            if end < 0:
                raise GoRegexError(INVALID_NAMED_CAPTURE, self.src[start:])
            name = self.src[self.src.index("<", self.pos) + 1 : end]
            if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                raise GoRegexError(INVALID_NAMED_CAPTURE, self.src[start : end + 1])
            # Go accepts a repeated name; Python does not, and only matching matters here.
            unique = (
                name if name not in self.names and name[0].isalpha() else f"g{len(self.names)}_"
            )
            self.names.add(unique)
            prefix, self.pos = f"(?P<{unique}>", end + 1
        elif self._peek("?"):
            m = re.compile(r"\?([imsU]*)(?:-([imsU]*))?([:)])").match(self.src, self.pos)
            if m is None or (m[2] is not None and not m[2]):
                end = self.pos + 1
                while end < len(self.src) and self.src[end] in "imsU-":
                    end += 1
                raise GoRegexError(INVALID_PERL_OP, self.src[start : min(end + 1, len(self.src))])
            inner = (flags | set(m[1])) - set(m[2] or "")
            self.pos = m.end()
            if m[3] == ")":
                return None, inner  # (?flags) lasts to the end of the enclosing group
        else:
            prefix = "("
        body = self._alternation(inner, depth + 1)
        if not self._peek(")"):
            raise GoRegexError(MISSING_PAREN, self.src)
        self.pos += 1
        return f"{prefix}{body})", flags

    # -- escapes ---------------------------------------------------------------------------
    def _escape(self, flags: frozenset[str]) -> str:
        start = self.pos
        if self.pos + 1 >= len(self.src):
            raise GoRegexError(TRAILING_BACKSLASH, "")
        ch = self.src[self.pos + 1]
        self.pos += 2
        if ch == "Q":
            end = self.src.find("\\E", self.pos)
            text = self.src[self.pos :] if end < 0 else self.src[self.pos : end]
            self.pos = len(self.src) if end < 0 else end + 2
            return "".join(self._literal(c, flags) for c in text)
        if ch in "AzbB":
            return {"A": r"(?:\A)", "z": r"(?:\Z)", "b": r"(?a:\b)", "B": r"(?a:\B)"}[ch]
        body = self._class_escape(start, ch, flags)
        return body if body.startswith("[") else self._wrap_char(body, flags)

    def _wrap_char(self, body: str, flags: frozenset[str]) -> str:
        return f"(?i:{body})" if "i" in flags else body

    def _class_escape(self, start: int, ch: str, flags: frozenset[str]) -> str:
        """An escape valid inside and outside classes: a class ``[...]`` or one char's text."""
        lower = ch.lower()
        if lower in _PERL:
            return f"[{'^' if ch.isupper() else ''}{_PERL[lower]}]"
        if ch in "pP":
            return self._unicode(start, ch == "P", flags)
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if ch in "01234567":
            m = re.compile(r"[0-7]{1,2}").match(self.src, self.pos)
            if ch != "0" and m is None:
                raise GoRegexError(INVALID_ESCAPE, self.src[start : self.pos])
            digits = ch + (m[0] if m else "")
            self.pos += len(digits) - 1
            return f"\\U{int(digits, 8):08x}"
        if ch == "x":
            m = re.compile(r"\{([0-9A-Fa-f]+)\}|[0-9A-Fa-f]{2}").match(self.src, self.pos)
            if m is None or int(m[1] or m[0], 16) > sys.maxunicode:
                end = self.pos + (2 if m is None else len(m[0]))
                raise GoRegexError(INVALID_ESCAPE, self.src[start : min(end, len(self.src))])
            self.pos = m.end()
            return f"\\U{int(m[1] or m[0], 16):08x}"
        if ch.isascii() and not ch.isalnum():
            return re.escape(ch)
        raise GoRegexError(INVALID_ESCAPE, self.src[start : self.pos])

    def _unicode(self, start: int, negated: bool, flags: frozenset[str]) -> str:
        if self._peek("{"):
            end = self.src.find("}", self.pos)
            if end < 0:
                raise GoRegexError(INVALID_CHAR_RANGE, self.src[start:])
            name = self.src[self.pos + 1 : end]
            self.pos = end + 1
        elif not self._at_end():
            name = self.src[self.pos]
            self.pos += 1
        else:
            raise GoRegexError(INVALID_CHAR_RANGE, self.src[start:])
        if name.startswith("^"):
            negated, name = not negated, name[1:]
        if name == "Any":
            return "[^\\x00-\\x00]" if not negated else "[\\x00-\\x00]"
        if name not in _CATEGORIES and name not in _SCRIPT_PREFIXES:
            raise GoRegexError(INVALID_CHAR_RANGE, self.src[start : self.pos])
        return f"[{'^' if negated else ''}{_unicode_class(name)}]"

    # -- classes ---------------------------------------------------------------------------
    def _class(self, flags: frozenset[str]) -> str:
        start = self.pos
        self.pos += 1
        negated = self._peek("^")
        if negated:
            self.pos += 1
        items: list[str] = []
        first = True
        while True:
            if self._at_end():
                raise GoRegexError(MISSING_BRACKET, self.src[start:])
            ch = self.src[self.pos]
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            if self._peek("[:"):
                end = self.src.find(":]", self.pos + 2)
                if end >= 0:
                    name = self.src[self.pos + 2 : end]
                    neg = name.startswith("^")
                    if name.removeprefix("^") not in _POSIX:
                        raise GoRegexError(INVALID_CHAR_RANGE, self.src[self.pos : end + 2])
                    self.pos = end + 2
                    body = _POSIX[name.removeprefix("^")]
                    items.append(f"[^{body}]" if neg else body)
                    continue
            low_start = self.pos
            low = self._class_char(flags)
            ranged = not low.startswith("[")  # "[\d-z]": the dash after a class is literal
            if ranged and self._peek("-") and not self.src.startswith("-]", self.pos):
                self.pos += 1
                if self._at_end():
                    raise GoRegexError(MISSING_BRACKET, self.src[start:])
                high = self._class_char(flags)
                if high.startswith("[") or _code(high) < _code(low):
                    raise GoRegexError(INVALID_CHAR_RANGE, self.src[low_start : self.pos])
                items.append(f"{low}-{high}")
            else:
                items.append(low[1:-1] if low.startswith("[") and not low.startswith("[^") else low)
        return self._emit_class(items, negated, flags)

    def _class_char(self, flags: frozenset[str]) -> str:
        ch = self.src[self.pos]
        if ch != "\\":
            self.pos += 1
            return f"\\U{ord(ch):08x}" if not ch.isalnum() or not ch.isascii() else ch
        start = self.pos
        if self.pos + 1 >= len(self.src):
            raise GoRegexError(TRAILING_BACKSLASH, "")
        esc = self.src[self.pos + 1]
        self.pos += 2
        return self._class_escape(start, esc, flags)

    def _emit_class(self, items: list[str], negated: bool, flags: frozenset[str]) -> str:
        plain = [i for i in items if not i.startswith("[^")]
        nested = [i for i in items if i.startswith("[^")]
        body = "".join(plain)
        if not nested:
            text = (
                f"[{'^' if negated else ''}{body}]"
                if body
                else ("[^\\x00-\\U0010ffff]" if not negated else "[\\x00-\\U0010ffff]")
            )
        else:  # a negated Perl/POSIX class inside a class: union via alternation
            alts = ([f"[{body}]"] if body else []) + nested
            text = "(?:" + "|".join(alts) + ")"
            if negated:
                text = f"(?:(?!{text})(?s:.))"
        return f"(?i:{text})" if "i" in flags else text


def _code(item: str) -> int:
    if item.startswith("\\U"):
        return int(item[2:], 16)
    if item.startswith("\\x"):
        return int(item[2:], 16)
    if item.startswith("\\"):
        return {"\\t": 9, "\\n": 10, "\\r": 13}.get(item, ord(item[-1]))
    return ord(item[0])
