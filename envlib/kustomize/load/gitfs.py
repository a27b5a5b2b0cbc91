"""A git revision as a :class:`~.fs.FileSystem`, read straight from the object store.

Why: previewing a merge needs the base revision's files, and a checkout, worktree or stash
would write into the user's repository. Here the revision is resolved once to a commit,
its whole tree is listed once (``git ls-tree -r -t``) and file contents come from one
long-lived ``git cat-file --batch`` process. Only read-only git commands run, with
``GIT_OPTIONAL_LOCKS=0``, so not a byte of the work tree, index, refs or ``.git`` changes.

The tree is presented at the work tree's own path, so a build of ``<repo>/k8s/overlays/dev``
at a revision reads like one in the working tree (same messages, same step ids). Symlinks
stored in the tree are followed as the OS would; a path outside the repository does not
exist at a revision (its ancestors are directories, so error texts stay kustomize's).
"""

from __future__ import annotations

import errno
import os
import subprocess
import threading
import weakref
from collections.abc import Hashable
from typing import IO

from envlib.errors import LoadError
from envlib.kustomize.load.fs import FileSystem, StrPath, blob_id

_TREE, _BLOB, _LINK, _MODULE = "tree", "blob", "link", "module"
_MAX_LINKS = 40  # the kernel's ELOOP limit


class GitRevisionError(LoadError):
    """The repository or the revision cannot be read (not a repo, unknown or unfetched ref)."""


def git_env() -> dict[str, str]:
    """Environment for read-only git commands: no optional locks, no prompts, C locale."""
    env = dict(os.environ)
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    env.pop("GIT_INDEX_FILE", None)
    return env


def run_git(repo: StrPath, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run a read-only git command in ``repo`` (never raises on a non-zero exit)."""
    try:
        return subprocess.run(
            ["git", "-C", os.fspath(repo), *args],
            capture_output=True,
            env=git_env(),
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitRevisionError(f"git could not run: {exc}") from exc


def toplevel(repo: StrPath) -> str:
    """The work tree root holding ``repo`` (real path)."""
    proc = run_git(repo, "rev-parse", "--show-toplevel")
    if proc.returncode != 0 or not proc.stdout.strip():
        raise GitRevisionError(f"{os.fspath(repo)} is not inside a git work tree")
    return os.path.realpath(proc.stdout.decode().strip())


def resolve_commit(repo: StrPath, revision: str) -> str:
    """The commit id ``revision`` names; a clear message (naming ``git fetch``) when absent."""
    proc = run_git(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if proc.returncode == 0 and proc.stdout.strip():
        return proc.stdout.decode().strip()
    shallow = run_git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    hint = (
        f"this is a shallow clone: fetch the history it needs, e.g. `git fetch --unshallow` "
        f"or `git fetch origin {revision}` (actions/checkout: fetch-depth: 0)"
        if shallow
        else f"fetch it first, e.g. `git fetch origin {revision}`"
    )
    raise GitRevisionError(f"revision {revision!r} is not in this repository; {hint}")


class GitFileSystem(FileSystem):
    """The files of one commit of the repository holding ``repo``, read-only, no checkout."""

    def __init__(self, repo: StrPath, revision: str = "HEAD") -> None:
        self.repo = os.path.abspath(os.fspath(repo))
        self.root = toplevel(self.repo)
        self.revision = revision
        self.commit = resolve_commit(self.root, revision)
        self._aliases = self._prefixes()
        self._entries: dict[str, tuple[str, str]] = {"": (_TREE, "")}
        self._children: dict[str, list[str]] = {"": []}
        self._list_tree()
        self._blobs: dict[str, bytes] = {}
        self._resolved: dict[tuple[str, bool], tuple[str, str | None]] = {}
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None

    # -- set-up ---------------------------------------------------------------------------
    def _prefixes(self) -> list[tuple[str, str]]:
        """(prefix as callers may spell it, real prefix): the root and the path given."""
        out = [(self.root, self.root)]
        real_repo = os.path.realpath(self.repo)
        if self.repo != real_repo and (real_repo + os.sep).startswith(self.root + os.sep):
            out.append((self.repo, real_repo))
        return out

    def _list_tree(self) -> None:
        proc = run_git(self.root, "ls-tree", "-r", "-t", "-z", "--full-tree", self.commit)
        if proc.returncode != 0:
            text = proc.stderr.decode(errors="replace").strip()
            raise GitRevisionError(f"cannot list {self.revision!r}: {text}")
        for record in proc.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid = meta.decode().split(" ")
            path = raw_path.decode("utf-8", errors="surrogateescape")
            if kind == "tree":
                entry = (_TREE, oid)
                self._children.setdefault(path, [])
            elif kind == "commit":
                entry = (_MODULE, oid)  # a submodule: an empty directory, as in a fresh clone
            else:
                entry = (_LINK if mode == "120000" else _BLOB, oid)
            self._entries[path] = entry
            parent, _, name = path.rpartition("/")
            self._children.setdefault(parent, []).append(name)

    def describe(self) -> str:
        return f"git {self.revision} ({self.commit[:12]})"

    # -- blobs ----------------------------------------------------------------------------
    def _cat(self, oid: str) -> bytes:
        cached = self._blobs.get(oid)
        if cached is not None:
            return cached
        with self._lock:
            proc = self._batch()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(oid.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3:
                raise OSError(errno.EIO, f"git cat-file: no object {oid}")
            data = _read_exact(proc.stdout, int(header[2]))
            proc.stdout.read(1)  # the newline after each object
        self._blobs[oid] = data
        return data

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                ["git", "-C", self.root, "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
            )
            self._finalizer = weakref.finalize(self, _stop, self._proc)
        return self._proc

    def close(self) -> None:
        """Stop the ``git cat-file`` process (also done when the object is collected)."""
        if self._finalizer is not None:
            self._finalizer()
        self._proc = None

    def __enter__(self) -> GitFileSystem:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- paths ----------------------------------------------------------------------------
    def _rel(self, path: str) -> str | None:
        """Tree path of absolute ``path``, or None when it lies outside the work tree."""
        for prefix, real in self._aliases:
            if path == prefix or path.startswith(prefix + os.sep):
                full = real + path[len(prefix) :]
                return "" if full == self.root else full[len(self.root) + 1 :]
        return None

    def _is_ancestor(self, path: str) -> bool:
        return path == os.sep or (self.root + os.sep).startswith(path.rstrip(os.sep) + os.sep)

    def _resolve(self, path: str, *, follow_last: bool = True) -> tuple[str, str | None]:
        """(real absolute path, tree path or None) with stored symlinks followed.

        Memoised: a commit's tree never changes, and a build asks about the same paths
        many times (exists, is a directory, real path, stamp, read).
        """
        current = os.path.abspath(path)
        key = (current, follow_last)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._walk(current, follow_last, path)
        return found

    def _walk(self, current: str, follow_last: bool, path: str) -> tuple[str, str | None]:
        for _ in range(_MAX_LINKS):
            rel = self._rel(current)
            if rel is None or rel == "":
                return current, rel
            parts = rel.split("/")
            done: list[str] = []
            for index, part in enumerate(parts):
                candidate = "/".join([*done, part])
                entry = self._entries.get(candidate)
                last = index == len(parts) - 1
                if entry is None or entry[0] != _LINK or (last and not follow_last):
                    if entry is None or (entry[0] not in (_TREE, _MODULE) and not last):
                        missing = [*done, *parts[index:]]
                        return os.path.join(self.root, *missing), None
                    done.append(part)
                    continue
                target = self._cat(entry[1]).decode("utf-8", errors="surrogateescape")
                base = os.path.join(self.root, *done)
                current = os.path.normpath(os.path.join(base, target, *parts[index + 1 :]))
                break
            else:
                return os.path.join(self.root, *done), "/".join(done)
        raise OSError(errno.ELOOP, "Too many levels of symbolic links", path)

    def _entry(self, path: str, *, follow_last: bool = True) -> tuple[str, str] | None:
        real, rel = self._resolve(path, follow_last=follow_last)
        if rel is None:
            if os.path.basename(real) == ".git" and os.path.dirname(real) == self.root:
                return (_TREE, "")  # the repository marker: present, empty
            return (_TREE, "") if self._is_ancestor(real) else None
        return self._entries.get(rel)

    # -- FileSystem -----------------------------------------------------------------------
    def lexists(self, path: str) -> bool:
        return self._entry(path, follow_last=False) is not None

    def exists(self, path: str) -> bool:
        try:
            return self._entry(path) is not None
        except OSError:
            return False

    def isdir(self, path: str) -> bool:
        try:
            entry = self._entry(path)
        except OSError:
            return False
        return entry is not None and entry[0] in (_TREE, _MODULE)

    def isfile(self, path: str) -> bool:
        try:
            entry = self._entry(path)
        except OSError:
            return False
        return entry is not None and entry[0] == _BLOB

    def realpath(self, path: str, *, strict: bool = False) -> str:
        real, _rel = self._resolve(path)
        if strict and self._entry(real) is None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return real

    def _blob_entry(self, path: str) -> tuple[str, str]:
        entry = self._entry(path)
        if entry is None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        if entry[0] != _BLOB:
            raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
        return entry

    def read_bytes(self, path: str) -> bytes:
        oid = self._blob_entry(path)[1]
        cached = self._blobs.get(oid)
        if cached is None:
            cached = self._from_work_tree(path, oid)
        return cached if cached is not None else self._cat(oid)

    def _from_work_tree(self, path: str, oid: str) -> bytes | None:
        """The working tree's copy of the file when it holds exactly blob ``oid``.

        Why: a revision under review shares most files with the checkout; reading the file
        and checking its git blob id costs a fraction of a round trip to ``git cat-file``.
        The id check makes the bytes the blob's own (a filter or an edit falls back to git).
        """
        real = self._resolve(path)[0]
        try:
            with open(real, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if blob_id(data) != oid:
            return None
        self._blobs[oid] = data
        return data

    def stamp(self, path: str) -> Hashable:
        return ("blob", self._blob_entry(path)[1])

    def blob_id(self, path: str) -> str | None:
        """The blob id of file ``path`` at this revision (None when it is not a file)."""
        try:
            return self._blob_entry(path)[1]
        except OSError:
            return None

    def listdir(self, path: str) -> list[str]:
        real, rel = self._resolve(path)
        entry = self._entry(real)
        if entry is None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        if entry[0] not in (_TREE, _MODULE):
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", path)
        if rel is None:  # the .git marker, or an ancestor of the work tree (only the way down)
            if not self._is_ancestor(real):
                return []
            return [self.root[len(real.rstrip(os.sep)) + 1 :].split(os.sep)[0]]
        return list(self._children.get(rel, []))

    def files(self) -> dict[str, str]:
        """Every regular file of the revision: tree path -> blob id."""
        return {p: e[1] for p, e in self._entries.items() if e[0] == _BLOB}


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = stream.read(size)
        if not chunk:
            raise OSError(errno.EIO, "git cat-file ended early")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


__all__ = ["GitFileSystem", "GitRevisionError", "git_env", "resolve_commit", "run_git", "toplevel"]
