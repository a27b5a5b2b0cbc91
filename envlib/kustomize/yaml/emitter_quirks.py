"""Where go-yaml v2 (kustomize's serializer) and libyaml 0.2.5 (our emitter) disagree.

:mod:`envlib.kustomize.yaml.emitter` lets libyaml write the YAML because go-yaml v2 is a port of it.
The port is old, though, and kustomize feeds it JSON text rather than values; the few
resulting differences, each verified against ``kubectl kustomize``, are isolated here:

* **Unreadable characters.** Go's JSON encoder writes DEL, C1 controls (except NEL) and
  U+FFFE/U+FFFF raw, and go-yaml v2's reader then refuses the JSON: kubectl fails with
  ``yaml: control characters are not allowed``.
* **NEL (U+0085).** Also written raw into the JSON; go-yaml v2 reads it as a line break
  inside a double-quoted scalar and *folds* it (``a<NEL>b`` prints ``a b``; two NELs give a
  newline).  In a key it breaks the JSON apart (kubectl fails).
* **A leading BOM.** go-yaml's ``is_bom`` test looks at the start of the string instead of
  the current character, so a string starting with U+FEFF has *every* character escaped
  (``"\\uFEFF\\x61\\x20\\x62"``) and is never folded.
* **A trailing LS/PS (U+2028/U+2029) in a single-quoted scalar.** libyaml writes the
  indentation before the closing quote; go-yaml v2 does not.
"""

from __future__ import annotations

import re
from typing import Final

from envlib.errors import ResourceError

UNREADABLE: Final = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_NEL: Final = "\x85"
_BOM: Final = "\ufeff"
_LINE_SEPARATORS: Final = ("\u2028", "\u2029")
# libyaml's is_printable, negated (NEL and LF are handled before this is used).
_NON_PRINTABLE: Final = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd]|\ufeff")
_BREAK_NEXT_TO_SPACE: Final = re.compile(" [\u2028\u2029]|[\u2028\u2029] ")

_ESCAPES: Final = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def check_readable(s: str) -> None:
    """Fail like kubectl when ``s`` holds a character go-yaml v2 cannot read back."""
    if UNREADABLE.search(s):
        raise ResourceError(
            f"the string {s!r} contains a control character that kustomize cannot print",
            kustomize_message="yaml: control characters are not allowed",
        )


def fold_nel(s: str, is_key: bool = False) -> str:
    """What go-yaml v2 reads back for ``s`` after the JSON round trip (NEL folding).

    Ports libyaml's double-quoted scalar scanning restricted to the raw blanks and breaks
    that can occur in Go's JSON output: spaces and NEL.  Blanks before a break are dropped,
    a single break becomes a space, further breaks become newlines, and blanks after a
    break are skipped.
    """
    if _NEL not in s:
        return s
    if is_key:
        raise ResourceError(
            f"the key {s!r} contains U+0085 (NEL), which breaks kustomize's JSON-to-YAML step",
            kustomize_message="yaml: did not find expected ',' or '}'",
        )
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        start = i
        while i < n and s[i] not in (" ", _NEL):
            i += 1
        out.append(s[start:i])
        if i >= n:
            break
        spaces, leading_break, trailing_breaks = 0, False, 0
        while i < n and s[i] in (" ", _NEL):
            if s[i] == " ":
                spaces += 0 if leading_break else 1
            elif not leading_break:
                leading_break, spaces = True, 0
            else:
                trailing_breaks += 1
            i += 1
        if not leading_break:
            out.append(" " * spaces)
            continue
        out.append("\n" * trailing_breaks if trailing_breaks else " ")
        if s[i - 1] == _NEL and s[i : i + 3] in ("---", "...") and s[i + 3 : i + 4] in (" ", _NEL):
            raise ResourceError(
                f"the string {s!r} puts a YAML document marker after U+0085 (NEL)",
                kustomize_message="yaml: found unexpected document indicator",
            )
    return "".join(out)


def starts_with_bom(s: str) -> bool:
    return s.startswith(_BOM)


def render_bom_string(s: str) -> str:
    """go-yaml v2's double-quoted text for a string starting with a BOM: all escaped."""
    parts = ['"']
    for ch in s:
        code = ord(ch)
        escape = _ESCAPES.get(ch)
        if escape is None:
            if code <= 0xFF:
                escape = f"\\x{code:02X}"
            elif code <= 0xFFFF:
                escape = f"\\u{code:04X}"
            else:
                escape = f"\\U{code:08X}"
        parts.append(escape)
    parts.append('"')
    return "".join(parts)


def single_quoted_with_trailing_break(s: str) -> bool:
    """Whether libyaml will write ``s`` single-quoted with a trailing LS/PS (see module doc).

    ``s`` is a plain-requested string without ``\\n``; libyaml refuses plain because of the
    trailing break and keeps single quotes unless it finds non-printable characters or a
    space next to a break (then it uses double quotes, which both libraries write alike).
    """
    return (
        s.endswith(_LINE_SEPARATORS)
        and not _NON_PRINTABLE.search(s)
        and not _BREAK_NEXT_TO_SPACE.search(s)
    )
