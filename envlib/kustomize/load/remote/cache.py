"""The on-disk cache of fetched remotes: outside every repository, published atomically.

Location: ``$XDG_CACHE_HOME/envlib/remote`` (``~/.cache/envlib/remote`` when the variable is
unset or not absolute, as the XDG base-directory spec says). Layout::

    git/<host-repo>-<key>/current -> snap-<id>/   # checked-out tree of (clone URL, ref, submodules)
    git/<host-repo>-<key>/snap-<id>/              # one fetch; a new fetch adds a new snapshot
    http/<key>                                    # body of one file URL

A snapshot is fetched in its own fresh directory and only then made ``current`` by replacing
a symlink (``os.replace``), so a reader never sees a half-written tree, and two processes
fetching the same key each publish a complete one. Nothing is ever written next to the
repository being built.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from envlib.kustomize.load.remote.repospec import RepoSpec

_STALE_SECONDS = 3600.0  # leftover snapshots (killed fetches, replaced trees) older than this go


def cache_root() -> Path:
    """Where envlib keeps fetched remotes (not created here)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "envlib" / "remote"


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:20]


def git_dir(spec: RepoSpec) -> Path:
    """The cache directory of one (clone URL, ref, submodules) triple."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", spec.clone_spec.split("://")[-1]).strip("-.")
    key = _key(spec.clone_spec, spec.ref, str(spec.submodules))
    return cache_root() / "git" / f"{slug[-60:]}-{key}"


def lookup_git(spec: RepoSpec) -> Path | None:
    """The published tree for ``spec`` (real path), or None when it was never fetched."""
    current = git_dir(spec) / "current"
    if not current.is_dir():
        return None
    return Path(os.path.realpath(current))


def new_snapshot(spec: RepoSpec) -> Path:
    """A fresh, empty directory to fetch ``spec`` into (publish it with :func:`publish_git`)."""
    entry = git_dir(spec)
    entry.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"snap-{time.time_ns()}-", dir=entry))


def publish_git(spec: RepoSpec, snapshot: Path) -> Path:
    """Make ``snapshot`` the current tree of ``spec`` atomically; returns its real path."""
    entry = git_dir(spec)
    link = entry / f".current-{snapshot.name}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(snapshot.name)
    os.replace(link, entry / "current")
    _sweep(entry, keep=snapshot.name)
    return Path(os.path.realpath(snapshot))


def discard(snapshot: Path) -> None:
    """Remove a snapshot that failed to fetch (and its entry when nothing else is there)."""
    shutil.rmtree(snapshot, ignore_errors=True)
    with contextlib.suppress(OSError):
        snapshot.parent.rmdir()  # only succeeds when empty


def _sweep(entry: Path, keep: str) -> None:
    """Best effort: drop snapshots that are not current and old enough to be unused."""
    now = time.time()
    for child in entry.iterdir():
        if not child.name.startswith("snap-") or child.name == keep:
            continue
        try:
            if now - child.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


def http_file(url: str) -> Path:
    """The cache file of a file URL."""
    return cache_root() / "http" / _key(url)


def lookup_http(url: str) -> bytes | None:
    """The cached body of ``url``, or None."""
    try:
        return http_file(url).read_bytes()
    except OSError:
        return None


def publish_http(url: str, body: bytes) -> None:
    """Store ``body`` for ``url`` (written to a temporary file, then renamed into place)."""
    target = http_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".part-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


__all__ = [
    "cache_root",
    "discard",
    "git_dir",
    "http_file",
    "lookup_git",
    "lookup_http",
    "new_snapshot",
    "publish_git",
    "publish_http",
]
