"""The two sides of a promotion preview: which revisions, and their file systems.

Why a module of its own: choosing the base (the merge base with the branch merged into),
opening a revision without touching the repository, and telling whether an Argo CD
Application follows the merged branch are git and Argo CD questions, not diff questions.
Everything here is read-only (``GIT_OPTIONAL_LOCKS=0``, no checkout, nothing written).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from envlib.kustomize.load import fs
from envlib.kustomize.load.gitfs import (
    GitFileSystem,
    GitRevisionError,
    resolve_commit,
    run_git,
    toplevel,
)

WORKING_TREE = "working tree"


@dataclass
class Revision:
    """One side of the preview: its label, commit (None: the working tree) and file system."""

    label: str
    commit: str | None
    filesystem: fs.FileSystem

    @property
    def short(self) -> str:
        """``main@1a2b3c4d`` or ``working tree``."""
        return f"{self.label}@{self.commit[:8]}" if self.commit else self.label

    def close(self) -> None:
        """Stop the git reader behind a revision (nothing to do for the working tree)."""
        if isinstance(self.filesystem, GitFileSystem):
            self.filesystem.close()


def branch_ref(repo: Path, into: str) -> str:
    """The ref of the branch merged into: ``into`` itself, else ``origin/<into>``."""
    for candidate in (into, f"origin/{into}", f"refs/remotes/origin/{into}"):
        proc = run_git(repo, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}")
        if proc.returncode == 0:
            return candidate
    resolve_commit(repo, into)  # raises with the shallow-clone / git fetch hint
    return into


def merge_base(repo: Path, into: str = "main", head: str | None = None) -> str:
    """The commit where ``head`` (default ``HEAD``) branched from ``into``."""
    target = branch_ref(repo, into)
    tip = head or "HEAD"
    resolve_commit(repo, tip)
    proc = run_git(repo, "merge-base", target, tip)
    if proc.returncode != 0 or not proc.stdout.strip():
        shallow = run_git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
        hint = (
            "this is a shallow clone: fetch more history, e.g. `git fetch --unshallow` or "
            f"`git fetch --deepen=100 origin {into}` (actions/checkout: fetch-depth: 0)"
            if shallow
            else f"run `git fetch origin {into}` or pass --base REF"
        )
        raise GitRevisionError(f"no merge base between {target!r} and {tip!r}; {hint}")
    return proc.stdout.decode().strip()


def open_revision(repo: Path, ref: str | None, *, label: str | None = None) -> Revision:
    """``ref`` read from git objects, or the working tree (the OS files) when None."""
    if ref is None:
        return Revision(WORKING_TREE, None, fs.OS)
    gitfs = GitFileSystem(repo, ref)
    return Revision(label or ref, gitfs.commit, gitfs)


def repo_root(path: Path) -> Path:
    """The work tree root holding ``path``."""
    return Path(toplevel(path))


def list_revisions(repo: Path) -> list[str]:
    """Local branches, then tags, then remote branches of the repository holding ``repo``."""
    try:
        proc = run_git(
            repo,
            "for-each-ref",
            "--format=%(refname:short)",
            "refs/heads",
            "refs/tags",
            "refs/remotes",
        )
    except GitRevisionError:  # no git on this machine: nothing to pick
        return []
    if proc.returncode != 0:
        return []
    names = [n for n in proc.stdout.decode().split("\n") if n and not n.endswith("/HEAD")]
    return list(dict.fromkeys(names))


def follows_branch(target_revision: str, into: str = "main") -> bool:
    """Whether an Application with this ``targetRevision`` deploys what is merged to ``into``.

    Argo CD reads an empty ``targetRevision`` as ``HEAD`` (the repository's default branch,
    assumed to be ``into``); ``main``, ``refs/heads/main`` and ``origin/main`` name the branch.
    A tag, another branch or a commit does not move when the pull request merges.
    """
    text = target_revision.strip()
    return text in ("", "HEAD", into, f"refs/heads/{into}", f"origin/{into}")


_MEMO: ContextVar[dict[tuple[str, str, int, int], bool] | None] = ContextVar(
    "envlib_revisions_memo", default=None
)


@contextmanager
def memoised() -> Iterator[None]:
    """Within the block, whether a path is the same on two file systems is asked once.

    Why: the promotion preview compares every input of every environment's builds, and the
    environments of a repository share most of them (the base). The file systems must not
    change inside the block (revisions are fixed; the working tree is read as the build
    read it).
    """
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _memo(kind: str, path: str, left: fs.FileSystem, right: fs.FileSystem) -> bool:
    memo = _MEMO.get()
    key = (kind, path, id(left), id(right))
    if memo is not None and key in memo:
        return memo[key]
    same = _same_file(path, left, right) if kind == "file" else _same_probe(path, left, right)
    if memo is not None:
        memo[key] = same
    return same


def same_file(path: str, left: fs.FileSystem, right: fs.FileSystem) -> bool:
    """Whether file ``path`` reads the same (or is missing in both) on two file systems."""
    return _memo("file", path, left, right)


def same_probe(path: str, left: fs.FileSystem, right: fs.FileSystem) -> bool:
    """Whether a path only looked at (exists? directory? where does it lead?) is unchanged."""
    return _memo("probe", path, left, right)


def _same_file(path: str, left: fs.FileSystem, right: fs.FileSystem) -> bool:
    """Compared by git blob id (every file system's :meth:`~fs.FileSystem.stamp`): a git
    revision knows it from its tree without reading the file, and the working tree's stamp
    was computed, and kept, when the build read the file.
    """
    if isinstance(left, GitFileSystem) and isinstance(right, GitFileSystem):
        return left.blob_id(path) == right.blob_id(path)
    return fs.stamp_or_none(left, path) == fs.stamp_or_none(right, path)


def _same_probe(path: str, left: fs.FileSystem, right: fs.FileSystem) -> bool:
    return fs.probe_shape(left, path) == fs.probe_shape(right, path)


__all__ = [
    "WORKING_TREE",
    "Revision",
    "branch_ref",
    "follows_branch",
    "list_revisions",
    "merge_base",
    "open_revision",
    "repo_root",
    "same_file",
    "same_probe",
]
