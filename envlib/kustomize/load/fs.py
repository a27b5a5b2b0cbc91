"""Every file the engine reads goes through a :class:`FileSystem`, with kustomize's load rule.

Why an abstraction: the same build must run on the working tree, on a git revision read
straight from the object store (no checkout), or on files edited in memory (Argo CD's
overrides), with identical load restrictions, symlink semantics and error texts. So the
engine never calls ``os.path``/``open`` itself; it calls the module functions below, which
dispatch to the *active* file system (a context variable: :func:`using`) and note every path
they touch in the active :func:`recording` - the exact input set of a build.

Remote roots (git clones and file URLs in envlib's cache, :mod:`envlib.kustomize.load.remote`)
are *mounted* (:func:`mount`): their files are read from the OS whatever file system is
active, messages name them by URL (:func:`display_path`), and a build records the URLs it
read in :attr:`ReadSet.remote` instead of cache paths.

Implementations: :class:`OSFileSystem` (the default, today's behaviour, with an mtime cache),
:class:`~.gitfs.GitFileSystem` and :class:`~.overlayfs.OverlayFileSystem`. Paths are
absolute-or-cwd-relative strings as on the OS; a git revision is presented at the path of
its work tree, so messages and step ids read the same at every revision.

Files named by a kustomization (resources, patch files, generator sources) must lie inside
that kustomization's directory after symlinks are resolved (``LoadRestrictionsRootOnly``);
directories (other kustomizations) may be anywhere. Nothing here writes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from envlib.errors import LoadError, SourceLocation
from envlib.kustomize.yaml.decoding import decode_yaml_bytes

StrPath = str | os.PathLike[str]


class FileSystem(ABC):
    """Read-only view of a directory tree, with the ``os.path`` semantics the engine needs.

    Methods take absolute (or current-directory-relative) paths. ``read_bytes``,
    ``listdir`` and ``stamp`` raise :class:`OSError` (``FileNotFoundError`` and friends,
    with ``strerror`` set) for what is not there, as the OS does.
    """

    @abstractmethod
    def lexists(self, path: str) -> bool:
        """Whether ``path`` exists without following a final symlink."""

    @abstractmethod
    def exists(self, path: str) -> bool:
        """Whether ``path`` exists after following symlinks."""

    @abstractmethod
    def isdir(self, path: str) -> bool:
        """Whether ``path`` is a directory (symlinks followed)."""

    @abstractmethod
    def isfile(self, path: str) -> bool:
        """Whether ``path`` is a regular file (symlinks followed)."""

    @abstractmethod
    def realpath(self, path: str, *, strict: bool = False) -> str:
        """``os.path.realpath``: symlinks resolved; ``strict`` raises OSError when missing."""

    @abstractmethod
    def read_bytes(self, path: str) -> bytes:
        """The file's contents."""

    @abstractmethod
    def stamp(self, path: str) -> Hashable:
        """A cache key that changes whenever the file's contents do.

        Every file system returns ``("blob", <git blob id>)``, so a file with the same
        contents at two revisions is parsed once (see :func:`blob_id`).
        """

    @abstractmethod
    def listdir(self, path: str) -> list[str]:
        """Names in directory ``path`` (any order)."""

    def describe(self) -> str:
        """What this file system shows, for messages (``working tree``, ``git main@1a2b``)."""
        return "working tree"


def blob_id(data: bytes) -> str:
    """Git's object id of a blob with these contents (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class OSFileSystem(FileSystem):
    """The operating system's files: exactly ``os.path`` plus a (path, mtime) content cache."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[int, bytes]] = {}
        self._stamps: dict[str, tuple[tuple[int, int], Hashable]] = {}

    def clear(self) -> None:
        """Forget cached contents (benchmarks measuring a cold read)."""
        self._cache.clear()
        self._stamps.clear()

    def lexists(self, path: str) -> bool:
        return os.path.lexists(path)

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def isdir(self, path: str) -> bool:
        return os.path.isdir(path)

    def isfile(self, path: str) -> bool:
        return os.path.isfile(path)

    def realpath(self, path: str, *, strict: bool = False) -> str:
        return os.path.realpath(path, strict=strict)

    def read_bytes(self, path: str) -> bytes:
        mtime = os.stat(path).st_mtime_ns
        cached = self._cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        with open(path, "rb") as handle:
            data = handle.read()
        self._cache[path] = (mtime, data)
        return data

    def stamp(self, path: str) -> Hashable:
        stat = os.stat(path)
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._stamps.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        value = ("blob", blob_id(self.read_bytes(path)))
        self._stamps[path] = (key, value)
        return value

    def listdir(self, path: str) -> list[str]:
        return os.listdir(path)


OS = OSFileSystem()
_ACTIVE: ContextVar[FileSystem] = ContextVar("envlib_fs", default=OS)


@dataclass
class ReadSet:
    """The inputs of one build: files whose contents were read, and paths only looked at."""

    files: set[str] = field(default_factory=set)
    probed: set[str] = field(default_factory=set)
    # remote inputs by URL: file URLs, and files inside fetched git roots as
    # ``<clone URL>//<path>?ref=<ref>`` (never the cache paths they were read from)
    remote: set[str] = field(default_factory=set)

    def all_paths(self) -> frozenset[str]:
        """Every path (or remote URL) that could change the build's result when it changes."""
        return frozenset(self.files | self.probed | self.remote)


_RECORDER: ContextVar[ReadSet | None] = ContextVar("envlib_fs_reads", default=None)


def current() -> FileSystem:
    """The file system the engine reads from in this context."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using(filesystem: FileSystem | None) -> Iterator[FileSystem]:
    """Make ``filesystem`` the active one inside the block (None: keep the current one)."""
    if filesystem is None:
        yield _ACTIVE.get()
        return
    token = _ACTIVE.set(filesystem)
    try:
        yield filesystem
    finally:
        _ACTIVE.reset(token)


# Real paths of kustomization roots, for the length of one build (outermost recording()):
# every `resources:` entry checks the load restriction against its root's real path, and
# realpath is an lstat per path component.
_ROOT_REALPATHS: ContextVar[dict[tuple[int, str], tuple[FileSystem, str]] | None] = ContextVar(
    "envlib_fs_root_realpaths", default=None
)


@contextlib.contextmanager
def recording() -> Iterator[ReadSet]:
    """Collect every path read or probed inside the block (nested blocks see their own)."""
    reads = ReadSet()
    token = _RECORDER.set(reads)
    memo = _ROOT_REALPATHS.set({}) if _ROOT_REALPATHS.get() is None else None
    try:
        yield reads
    finally:
        if memo is not None:
            _ROOT_REALPATHS.reset(memo)
        _RECORDER.reset(token)
        outer = _RECORDER.get()
        if outer is not None:
            outer.files |= reads.files
            outer.probed |= reads.probed
            outer.remote |= reads.remote


# -- remote roots mounted from the cache --------------------------------------------------------
@dataclass(frozen=True)
class Mount:
    """A fetched remote tree on the OS: its real path and its name for messages.

    A path ``rel`` inside it is shown as ``<prefix>//<rel><suffix>`` (the tree itself as
    ``<prefix><suffix>``), e.g. ``https://github.com/org/repo//config/x.yaml?ref=v1``.
    """

    root: str  # real, absolute path of the tree
    prefix: str  # e.g. the clone URL
    suffix: str = ""  # e.g. ``?ref=v1``

    def label(self, rel: str) -> str:
        """The display name of ``rel`` (a ``/``-separated path below the root, "" = root)."""
        return self.prefix + (f"//{rel}" if rel else "") + self.suffix

    def unlabel(self, text: str) -> str | None:
        """``rel`` back from a display name of this tree, or None when it is not one."""
        if text == self.prefix + self.suffix:
            return ""
        head = self.prefix + "//"
        if text.startswith(head) and text.endswith(self.suffix):
            return (
                text[len(head) : len(text) - len(self.suffix)] if self.suffix else text[len(head) :]
            )
        return None


_MOUNTS: dict[str, Mount] = {}


def mount(root: StrPath, prefix: str, suffix: str = "") -> Mount:
    """Register a remote tree (idempotent); paths below it are read from the OS."""
    key = os.path.abspath(os.fspath(root))
    found = _MOUNTS.get(key)
    if found is None:
        found = _MOUNTS[key] = Mount(key, prefix, suffix)
    return found


def unlabel(text: str) -> tuple[Mount, str] | None:
    """The mounted tree and path inside it that display name ``text`` stands for."""
    for found in _MOUNTS.values():
        rel = found.unlabel(text)
        if rel is not None:
            return found, rel
    return None


def mount_of(path: StrPath) -> Mount | None:
    """The mounted remote tree holding ``path``, if any."""
    if not _MOUNTS:
        return None
    text = os.path.abspath(os.fspath(path))
    for root, found in _MOUNTS.items():
        if text == root or text.startswith(root + os.sep):
            return found
    return None


def _mount_label(path: str) -> str | None:
    found = mount_of(path)
    if found is None:
        return None
    rel = os.path.relpath(os.path.abspath(path), found.root)
    return found.label("" if rel == "." else rel.replace(os.sep, "/"))


def note_remote(url: str) -> None:
    """Record a remote input (a file URL) of the build by its URL."""
    reads = _RECORDER.get()
    if reads is not None:
        reads.remote.add(url)


def _probe(path: str) -> None:
    reads = _RECORDER.get()
    if reads is not None and (not _MOUNTS or mount_of(path) is None):
        reads.probed.add(os.path.abspath(path))


def note_read(path: StrPath) -> None:
    """Record that ``path``'s contents went into the build (callers caching parsed files)."""
    reads = _RECORDER.get()
    if reads is None:
        return
    label = _mount_label(os.fspath(path)) if _MOUNTS else None
    if label is not None:
        reads.remote.add(label)
    else:
        reads.files.add(os.path.abspath(path))


def stamp_or_none(filesystem: FileSystem, path: str) -> Hashable | None:
    """``path``'s stamp on ``filesystem``; None when it is missing or not a readable file.

    Asked of the file system object, not through :func:`stamp`: the question is not an
    input of any build (revision comparison, shared directory builds).
    """
    try:
        return filesystem.stamp(path)
    except OSError:
        return None


def probe_shape(filesystem: FileSystem, path: str) -> tuple[bool, bool, bool, str]:
    """What a path only looked at is on ``filesystem``: (lexists, exists, is a directory,
    where it leads) - everything a build's probe of it can have depended on."""
    exists = filesystem.exists(path)
    real = filesystem.realpath(path) if exists else os.path.abspath(path)
    return (filesystem.lexists(path), exists, filesystem.isdir(path), real)


def note_reads(reads: ReadSet) -> None:
    """Record inputs another build read as read by this one (a reused directory build)."""
    current = _RECORDER.get()
    if current is not None:
        current.files |= reads.files
        current.probed |= reads.probed
        current.remote |= reads.remote


def _for(path: str) -> FileSystem:
    """The active file system, except the OS for files of a mounted remote tree."""
    if _MOUNTS and mount_of(path) is not None:
        return OS
    return _ACTIVE.get()


# -- the engine's entry points (dispatch to the active file system) -------------------------
def lexists(path: StrPath) -> bool:
    """``os.path.lexists`` on the active file system."""
    text = os.fspath(path)
    _probe(text)
    return _for(text).lexists(text)


def exists(path: StrPath) -> bool:
    """``os.path.exists`` on the active file system."""
    text = os.fspath(path)
    _probe(text)
    return _for(text).exists(text)


def isdir(path: StrPath) -> bool:
    """``os.path.isdir`` on the active file system."""
    text = os.fspath(path)
    _probe(text)
    return _for(text).isdir(text)


def isfile(path: StrPath) -> bool:
    """``os.path.isfile`` on the active file system."""
    text = os.fspath(path)
    _probe(text)
    return _for(text).isfile(text)


def realpath(path: StrPath, *, strict: bool = False) -> str:
    """``os.path.realpath`` on the active file system."""
    text = os.fspath(path)
    return _for(text).realpath(text, strict=strict)


def listdir(path: StrPath) -> list[str]:
    """Sorted names in a directory of the active file system."""
    text = os.fspath(path)
    _probe(text)
    return sorted(_for(text).listdir(text))


def walk(top: StrPath) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk`` (top-down, names sorted) on the active file system; prune ``dirs`` in place.

    Symlinked directories are listed as directories but not descended into, as ``os.walk``.
    """
    active = _for(os.fspath(top))
    pending = [os.fspath(top)]
    while pending:
        current = pending.pop()
        try:
            names = sorted(active.listdir(current))
        except OSError:
            continue
        dirs = [n for n in names if active.isdir(os.path.join(current, n))]
        files = [n for n in names if n not in dirs]
        yield current, dirs, files
        pending.extend(
            os.path.join(current, d)
            for d in reversed(dirs)
            if not _is_link(active, os.path.join(current, d))
        )


def _is_link(active: FileSystem, path: str) -> bool:
    """Whether the last component of ``path`` is a symlink (it resolves elsewhere)."""
    parent, name = os.path.split(os.path.abspath(path))
    return active.realpath(path) != os.path.join(active.realpath(parent), name)


def stamp(path: StrPath) -> Hashable:
    """Cache key for a file of the active file system (raises OSError when missing)."""
    text = os.fspath(path)
    return _for(text).stamp(text)


def display_path(path: StrPath) -> str:
    """A path for messages: relative to the current directory when below it; remote: its URL."""
    text = os.fspath(path)
    if _MOUNTS:
        label = _mount_label(text)
        if label is not None:
            return label
    return _display_path(text, os.getcwd())


@functools.lru_cache(maxsize=8192)
def _display_path(text: str, cwd: str) -> str:
    """:func:`display_path` for one working directory (a build asks for the same few paths
    thousands of times, and ``relpath`` is pure Python)."""
    try:
        rel = os.path.relpath(text, cwd)
    except ValueError:
        return text
    return text if rel.startswith("..") else rel


# kustomize's loader fetches ``http(s)://`` file names (patches, generator files, ...) instead
# of resolving them; the build installs the fetcher (load/remote/session.py) for its duration
UrlLoader = Callable[[str], str]
_URL_LOADER: ContextVar[UrlLoader | None] = ContextVar("envlib_fs_url_loader", default=None)


@contextlib.contextmanager
def loading_urls(loader: UrlLoader | None) -> Iterator[None]:
    """Inside the block, :func:`resolve_in_root` hands file URLs to ``loader`` (URL -> path)."""
    token = _URL_LOADER.set(loader)
    try:
        yield
    finally:
        _URL_LOADER.reset(token)


def is_url(entry: str) -> bool:
    """Whether kustomize's loader would fetch file name ``entry`` (``http(s)://``)."""
    head = entry[:8].lower()
    return head.startswith(("http://", "https://"))


def resolve_in_root(root: Path, entry: str, *, restrict: bool = True) -> Path:
    """Resolve ``entry`` relative to kustomization directory ``root`` and enforce the restriction.

    Raises :class:`LoadError` with kustomize's wording when the file is missing or outside.
    A file URL is fetched instead (no restriction applies to it, as in kustomize) when the
    build installed a loader (:func:`loading_urls`); the path returned is its cached copy.
    """
    loader = _URL_LOADER.get()
    if loader is not None and is_url(entry):
        return Path(loader(entry))
    candidate = os.path.join(root, entry) if not os.path.isabs(entry) else entry
    absolute = os.path.abspath(candidate)
    _probe(absolute)
    active = _for(absolute)
    try:
        real = _file_realpath(active, absolute)
    except (OSError, RuntimeError) as exc:
        raise LoadError(
            f"no such file: {display_path(absolute)}",
            location=SourceLocation(display_path(absolute)),
            entry=entry,
            kustomize_message=(
                f"evalsymlink failure on '{absolute}' : lstat {absolute}: no such file or directory"
            ),
        ) from exc
    if restrict:
        real_root = _root_realpath(active, os.fspath(root))
        if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
            raise LoadError(
                f"file {display_path(real)!r} is outside the kustomization root "
                f"{display_path(real_root)!r} (kustomize's default load restriction)",
                location=SourceLocation(display_path(absolute)),
                entry=entry,
                kustomize_message=f"security; file '{real}' is not in or below '{real_root}'",
            )
    return Path(real)


def _file_realpath(active: FileSystem, absolute: str) -> str:
    """``realpath(absolute, strict=True)``, resolving each directory once per build.

    A base listing thousands of files would otherwise walk the same parent directories'
    symlinks for every file. On the OS file system a file that is not itself a symlink
    resolves to its directory's real path plus its name; anything else takes the full walk.
    """
    parent, name = os.path.split(absolute)
    if active is not OS or name in ("", ".", ".."):
        return active.realpath(absolute, strict=True)
    if stat.S_ISLNK(os.lstat(absolute).st_mode):
        return active.realpath(absolute, strict=True)
    return os.path.join(_root_realpath(active, parent), name)


def _root_realpath(active: FileSystem, root: str) -> str:
    memo = _ROOT_REALPATHS.get()
    if memo is None:
        return active.realpath(root)
    key = (id(active), root)
    found = memo.get(key)
    if found is None or found[0] is not active:
        found = memo[key] = (active, active.realpath(root))
    return found[1]


def read_bytes(path: StrPath) -> bytes:
    """Read a file of the active file system (cached by the file system) and record it."""
    key = os.fspath(path)
    note_read(key)
    try:
        return _for(key).read_bytes(key)
    except OSError as exc:
        raise LoadError(
            f"cannot read {display_path(key)}: {exc.strerror or exc}",
            location=SourceLocation(display_path(key)),
        ) from exc


def read_text(path: StrPath) -> str:
    """Read a YAML file as go-yaml decodes it: UTF-8 or UTF-16 by its BOM (dropped), strictly.

    Invalid UTF-8 (a binary file, Latin-1 text, a file cut in a character) is a
    YamlSyntaxError naming the file and line, as kustomize refuses such files.
    """
    return decode_yaml_bytes(read_bytes(path), display_path(path))


__all__ = [
    "OS",
    "FileSystem",
    "Mount",
    "OSFileSystem",
    "ReadSet",
    "blob_id",
    "current",
    "display_path",
    "exists",
    "is_url",
    "isdir",
    "isfile",
    "lexists",
    "listdir",
    "loading_urls",
    "mount",
    "mount_of",
    "note_read",
    "note_remote",
    "read_bytes",
    "read_text",
    "realpath",
    "recording",
    "resolve_in_root",
    "stamp",
    "unlabel",
    "using",
    "walk",
]
