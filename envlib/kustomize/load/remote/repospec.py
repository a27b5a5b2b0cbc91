"""Which entries are remote, and how kustomize v5.5 splits a git URL (its ``repospec.go``).

kustomize decides in two places (``api/internal/loader/fileloader.go``):

* a ``resources:`` entry is first *loaded as a file*; when its URL scheme is ``http`` or
  ``https`` that means an HTTP ``GET`` (:func:`is_remote_file`);
* when that fails, it is loaded as a *directory*: an entry that parses as a git repository
  spec (:func:`parse_repo_spec`) is cloned, anything else is a local directory.

``components:`` go straight to the second step. The parser below reproduces
``NewRepoSpecFromURL`` rule by rule (scheme and ``user@`` extraction, the ``git::`` prefix,
github.com normalisation, SCP-style ``host:path``, the ``_git/``, ``//`` and ``.git`` markers,
the two-segment default, the ``file://`` whole-path default and the query options), because
the same string must mean the same repository, path and ref as for kubectl. A string it
rejects is a local path, exactly as for kustomize.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_TIMEOUT = 27.0  # seconds, kustomize's defaultTimeout
DEFAULT_SUBMODULES = True

_FILE, _HTTP, _HTTPS, _SSH = "file://", "http://", "https://", "ssh://"
_GIT_ROOT = "_git/"
_USER = re.compile(r"^([a-zA-Z][a-zA-Z0-9-]*)@")


class NotRepoSpec(ValueError):
    """The entry is not a git repository URL (kustomize's parse error, in its words)."""


@dataclass(frozen=True)
class RepoSpec:
    """A git repository, a path inside it and the options kustomize reads from the query."""

    raw: str  # the entry as written (kustomize compares these to find repository cycles)
    host: str  # scheme + user + host, e.g. ``https://github.com/`` or ``git@github.com:``
    repo_path: str  # e.g. ``kubernetes-sigs/kustomize`` (or a local path for file://)
    kust_root: str  # path of the kustomization inside the repository ("" = the top)
    ref: str = ""  # branch, tag or commit; "" = the remote's HEAD
    submodules: bool = DEFAULT_SUBMODULES
    timeout: float = DEFAULT_TIMEOUT  # seconds, per git command

    @property
    def clone_spec(self) -> str:
        """What ``git fetch`` is given (kustomize's ``CloneSpec``)."""
        return self.host + self.repo_path

    def display(self, inside: str = "") -> str:
        """A name for messages: ``<clone URL>//<path in repo>?ref=<ref>``."""
        path = posixpath.normpath(posixpath.join(self.kust_root, inside))
        path = "" if path == "." else path
        text = self.clone_spec + (f"//{path}" if path else "")
        return text + (f"?ref={self.ref}" if self.ref else "")


def is_remote_file(entry: str) -> bool:
    """kustomize's ``IsRemoteFile``: ``url.Parse`` succeeds and the scheme is http(s)."""
    scheme, sep, _ = entry.partition(":")
    if not sep or scheme.lower() not in ("http", "https"):
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in entry):
        return False  # Go: "invalid control character in URL"
    try:
        parts = urlsplit(entry)
    except ValueError:
        return False
    return _valid_escapes(parts.netloc) and _valid_escapes(parts.path)


def _valid_escapes(text: str) -> bool:
    return re.search(r"%(?![0-9a-fA-F]{2})", text) is None


def parse_repo_spec(entry: str) -> RepoSpec:
    """``NewRepoSpecFromURL``: split a git URL or raise :class:`NotRepoSpec`."""
    if entry.startswith("/"):
        raise NotRepoSpec(f"uri looks like abs path: {entry}")
    rest, _, query = entry.partition("?")
    ref, timeout, submodules = _parse_query(query)
    host, rest = _extract_host(rest)
    length = None if host.startswith(_FILE) else 2
    repo_path, kust_root = _parse_path_parts(rest, length)
    return RepoSpec(entry, host, repo_path, kust_root, ref, submodules, timeout)


def repo_spec_or_none(entry: str) -> RepoSpec | None:
    """The spec when ``entry`` is a git URL, else None (a local path)."""
    try:
        return parse_repo_spec(entry)
    except NotRepoSpec:
        return None


# -- the path: repository vs kustomization root ---------------------------------------------
def _parse_path_parts(text: str, default_length: int | None) -> tuple[str, str]:
    split = _explicit_split(text)
    if split is None:
        split = _default_split(text, default_length)
    if split is None or not split[0]:
        raise NotRepoSpec("failed to parse repo path segment")
    repo_path, kust_root = split
    cleaned = posixpath.normpath(kust_root.removeprefix("/")) if kust_root else "."
    if cleaned.split("/")[0] == "..":
        raise NotRepoSpec(f"url path exits repo: {text}")
    return repo_path, kust_root.removeprefix("/")


def _explicit_split(text: str) -> tuple[str, str] | None:
    """The ``_git/`` (Azure), ``//`` and ``.git`` markers, in kustomize's order."""
    index = text.find(_GIT_ROOT)
    if index >= 0:
        head = text[: index + len(_GIT_ROOT)]
        segments = text[index + len(_GIT_ROOT) :].split("/")
        return head + segments[0], "/".join(segments[1:])
    index = text.find("//")
    if index >= 0:
        return text[:index], text[index + 2 :]
    index = text.find(".git")
    if index >= 0:
        return text[: index + 4], text[index + 4 :]
    return None


def _default_split(text: str, length: int | None) -> tuple[str, str] | None:
    if length is None:  # file://: the whole path is the repository
        return text, ""
    segments = text.split("/")
    if len(segments) < length:
        return None
    return "/".join(segments[:length]), "/".join(segments[length:])


# -- the host: scheme, user, host -----------------------------------------------------------
def _trim_prefix_fold(text: str, prefix: str) -> tuple[str, bool]:
    if len(prefix) <= len(text) and text[: len(prefix)].lower() == prefix:
        return text[len(prefix) :], True
    return text, False


def _extract_host(text: str) -> tuple[str, str]:
    text, _ = _trim_prefix_fold(text, "git::")  # go-getter's forced protocol, ignored
    scheme = ""
    for prefix in (_SSH, _HTTPS, _HTTP, _FILE):
        text, found = _trim_prefix_fold(text, prefix)
        if found:
            scheme = prefix
            break
    user = ""
    match = _USER.match(text)
    if match:
        user = match.group(1) + "@"
        text = text[len(user) :]
    github = text.lower().startswith(("github.com/", "github.com:"))
    accept_scp = scheme == "" and (user != "" or github)
    if scheme == "" and not accept_scp:
        raise NotRepoSpec("failed to parse scheme")
    if scheme == _FILE:
        return scheme, user + text
    host, rest = text, ""
    sep = _path_separator(text, accept_scp)
    if sep >= 0:
        host, rest = text[: sep + 1], text[sep + 1 :]
    if github:
        if scheme.startswith(_SSH) or user:
            scheme, host = "", "github.com:"
        else:
            scheme, user, host = _HTTPS, "", "github.com/"
    if not host:
        raise NotRepoSpec("failed to parse host segment")
    return scheme + user + host, rest


def _path_separator(text: str, accept_scp: bool) -> int:
    sep = text.find("/")
    if accept_scp:
        colon = text.find(":")
        if sep == -1 or 0 < colon < sep:
            sep = colon
    return sep


# -- the query: ref / version, timeout, submodules ------------------------------------------
def _parse_query(query: str) -> tuple[str, float, bool]:
    values = _go_parse_query(query)
    if values is None:
        return "", DEFAULT_TIMEOUT, DEFAULT_SUBMODULES
    ref = values.get("version", "")
    if values.get("ref"):
        ref = values["ref"]
    timeout = DEFAULT_TIMEOUT
    raw = values.get("timeout", "")
    if raw:
        if re.fullmatch(r"[+-]?[0-9]+", raw) and int(raw) > 0:
            timeout = float(int(raw))
        else:
            seconds = go_parse_duration(raw)
            if seconds is not None and seconds > 0:
                timeout = seconds
    submodules = DEFAULT_SUBMODULES
    raw = values.get("submodules", "")
    if raw in ("1", "t", "T", "TRUE", "true", "True"):
        submodules = True
    elif raw in ("0", "f", "F", "FALSE", "false", "False"):
        submodules = False
    return ref, timeout, submodules


def _go_parse_query(query: str) -> dict[str, str] | None:
    """Go's ``url.ParseQuery`` (first value per key); None when it reports an error."""
    values: dict[str, str] = {}
    failed = False
    for part in query.split("&") if query else []:
        if ";" in part:
            failed = True
            continue
        if not part:
            continue
        key, _, value = part.partition("=")
        key_text, value_text = _query_unescape(key), _query_unescape(value)
        if key_text is None or value_text is None:
            failed = True
            continue
        values.setdefault(key_text, value_text)
    return None if failed else values


def _query_unescape(text: str) -> str | None:
    out = bytearray()
    index = 0
    raw = text.encode("utf-8")
    while index < len(raw):
        char = raw[index]
        if char == ord("%"):
            digits = raw[index + 1 : index + 3]
            if len(digits) < 2 or not all(chr(d) in "0123456789abcdefABCDEF" for d in digits):
                return None
            out.append(int(digits, 16))
            index += 3
            continue
        out.append(ord(" ") if char == ord("+") else char)
        index += 1
    return out.decode("utf-8", errors="replace")


_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "\u00b5s": 1e-6,
    "\u03bcs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def go_parse_duration(text: str) -> float | None:
    """Go's ``time.ParseDuration`` in seconds (``1m30s``, ``1.5h``, ``300ms``); None if invalid."""
    rest = text
    negative = False
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        return None
    total = 0.0
    while rest:
        match = re.match(r"([0-9]*)(?:\.([0-9]*))?", rest)
        if match is None or match.end() == 0:
            return None
        whole, fraction = match.group(1), match.group(2)
        if not whole and not fraction:
            return None
        rest = rest[match.end() :]
        unit = re.match(r"[^0-9.]+", rest)
        if unit is None or unit.group(0) not in _UNITS:
            return None
        rest = rest[unit.end() :]
        number = float(f"{whole or '0'}.{fraction or '0'}")
        total += number * _UNITS[unit.group(0)]
    return -total if negative else total


__all__ = [
    "DEFAULT_SUBMODULES",
    "DEFAULT_TIMEOUT",
    "NotRepoSpec",
    "RepoSpec",
    "go_parse_duration",
    "is_remote_file",
    "parse_repo_spec",
    "repo_spec_or_none",
]
