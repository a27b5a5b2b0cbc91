"""Bytes to text exactly as go-yaml's reader accepts them, with its wording when it refuses.

Why: every file kustomize reads as YAML goes through go-yaml's reader first (``readerc.go``):
a UTF-8 or UTF-16 byte-order mark picks the encoding, and invalid UTF-8, a lone UTF-16
surrogate or a control character fails the whole file. Decoding with ``errors="replace"``
turned such files into text that builds, and libyaml's own refusal surfaced as an internal
error; here they become a :class:`~envlib.errors.YamlSyntaxError` naming the file and line.

Control characters in otherwise valid text are left to libyaml, which rejects exactly
go-yaml's set while it parses (:func:`reader_error` turns its ``ReaderError`` into ours), so
the common path costs one strict ``bytes.decode``.
"""

from __future__ import annotations

import re

from envlib.errors import SourceLocation, YamlSyntaxError

_BOM_UTF8 = b"\xef\xbb\xbf"
_BOM_UTF16LE = b"\xff\xfe"
_BOM_UTF16BE = b"\xfe\xff"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf8_problem(data: bytes, start: int) -> tuple[str, int]:
    """go-yaml's complaint about the invalid UTF-8 sequence at ``start`` and its byte offset."""
    octet = data[start]
    if octet & 0xE0 == 0xC0:
        width, value = 2, octet & 0x1F
    elif octet & 0xF0 == 0xE0:
        width, value = 3, octet & 0x0F
    elif octet & 0xF8 == 0xF0:
        width, value = 4, octet & 0x07
    else:
        return "invalid leading UTF-8 octet", start
    if start + width > len(data):
        return "incomplete UTF-8 octet sequence", start
    for k in range(1, width):
        trailing = data[start + k]
        if trailing & 0xC0 != 0x80:
            return "invalid trailing UTF-8 octet", start + k
        value = (value << 6) + (trailing & 0x3F)
    minimum = {2: 0x80, 3: 0x800, 4: 0x10000}[width]
    if value < minimum:
        return "invalid length of a UTF-8 sequence", start
    return "invalid Unicode character", start


def _fail(problem: str, data: bytes, offset: int, path: str) -> YamlSyntaxError:
    return YamlSyntaxError(
        f"{problem} at byte {offset} (kustomize reads YAML as UTF-8 or UTF-16 text)",
        location=SourceLocation(path, _line_of(data, offset)),
        kustomize_message=f"yaml: {problem}",
    )


def _decode_utf16(data: bytes, path: str, codec: str) -> str:
    body = data[2:]
    if len(body) % 2:
        raise _fail("incomplete UTF-16 character", data, len(data) - 1, path)
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        unit = int.from_bytes(body[exc.start : exc.start + 2], "little" if "le" in codec else "big")
        problem = (
            "unexpected low surrogate area"
            if unit & 0xFC00 == 0xDC00
            else "incomplete UTF-16 surrogate pair"
            if exc.start + 4 > len(body)
            else "expected low surrogate area"
        )
        raise _fail(problem, data, exc.start + 2, path) from None


def decode_yaml_bytes(data: bytes, path: str) -> str:
    """The text of a YAML file as go-yaml decodes it (BOM dropped), or a YamlSyntaxError.

    ``path`` is the file as shown in messages.
    """
    if data.startswith(_BOM_UTF16LE):
        return _decode_utf16(data, path, "utf-16-le")
    if data.startswith(_BOM_UTF16BE):
        return _decode_utf16(data, path, "utf-16-be")
    start = 3 if data.startswith(_BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8") if start else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem, offset = _utf8_problem(data, exc.start + start)
        raise _fail(problem, data, offset, path) from None


_REFUSED = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def control_character_error(text: str, path: str) -> YamlSyntaxError | None:
    """The error for the first character go-yaml's reader refuses in ``text``, or None."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    code = ord(found.group())
    return YamlSyntaxError(
        f"control character U+{code:04X} at character {found.start()} (not allowed in YAML)",
        location=SourceLocation(path, text.count("\n", 0, found.start()) + 1),
        kustomize_message="yaml: control characters are not allowed",
    )


def decode_yaml_text(data: bytes, path: str) -> str:
    """:func:`decode_yaml_bytes` that also refuses control characters (texts not parsed by
    libyaml before they are used, such as patch files tried as JSON too)."""
    text = decode_yaml_bytes(data, path)
    problem = control_character_error(text, path)
    if problem is not None:
        raise problem
    return text


__all__ = ["control_character_error", "decode_yaml_bytes", "decode_yaml_text"]
