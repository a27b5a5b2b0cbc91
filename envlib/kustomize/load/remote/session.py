"""What one build uses to reach remotes: fetch once, or (``offline``) only ever read the cache.

Policy (docs/remote.md):

* online, a (clone URL, ref, submodules) is fetched at most once per process - kubectl
  fetches on every build, envlib re-renders often (notebook toggles) and should not; a ref
  that is a full commit id is immutable, so its cached tree is used without any network;
* ``offline``: only the cache; a missing entry is one :class:`FetchError` naming the URL, and
  nothing touches the network (no ``git``, no ``GET``);
* while fetching, one progress line per URL goes to ``progress`` (stderr by default):
  ``fetching <URL> ...`` (an ``https://`` git URL is first tried as a file, as kustomize
  does; that is still one line).

Fetched trees are mounted in :mod:`envlib.kustomize.load.fs`, so their files are read from
the OS under any active file system and named by URL in messages and build inputs.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from envlib.kustomize.load import fs
from envlib.kustomize.load.remote import cache, fetcher, httpfetch
from envlib.kustomize.load.remote.repospec import RepoSpec, repo_spec_or_none

_FULL_SHA = re.compile(r"^[0-9a-f]{40}$|^[0-9a-f]{64}$")

# (clone URL, ref, submodules) -> real path of the tree fetched by this process
_FETCHED: dict[tuple[str, str, bool], Path] = {}
_HTTP_FETCHED: dict[str, httpfetch.HttpOutcome] = {}
_LOCK = threading.Lock()


class FetchError(Exception):
    """A remote that could not be had: ``message`` is envlib's, ``kustomize`` kustomize's text."""

    def __init__(
        self, message: str, kustomize: str = "", *, timed_out: bool = False, offline: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kustomize = kustomize or message
        self.timed_out = timed_out
        self.offline = offline


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class RemoteLoader:
    """The remotes of one build: ``offline`` switch, progress callback, cache checks."""

    def __init__(
        self,
        *,
        offline: bool = False,
        progress: Callable[[str], None] | None = None,
        repository: Path | None = None,
    ) -> None:
        self.offline = offline
        self.progress = progress or _stderr
        self.repository = repository  # the user's repository: the cache must not be inside
        self._announced: set[str] = set()

    def _announce(self, url: str) -> None:
        """One progress line per URL and build (a ``GET`` then a clone is one fetch)."""
        if url not in self._announced:
            self._announced.add(url)
            self.progress(f"fetching {url} ...")

    # -- git ------------------------------------------------------------------------------
    def clone_dir(self, spec: RepoSpec) -> Path:
        """The checked-out tree of ``spec`` (real path, mounted); fetches unless offline."""
        key = (spec.clone_spec, spec.ref, spec.submodules)
        with _LOCK:
            found = _FETCHED.get(key)
            if found is None:
                found = self._tree(spec)
                _FETCHED[key] = found
        fs.mount(found, spec.clone_spec, f"?ref={spec.ref}" if spec.ref else "")
        return found

    def _tree(self, spec: RepoSpec) -> Path:
        cached = cache.lookup_git(spec)
        if self.offline:
            if cached is None:
                raise FetchError(
                    f"{spec.raw}: not in envlib's cache ({cache.cache_root()}) and --offline "
                    "forbids fetching it; build once without --offline",
                    offline=True,
                )
            return cached
        if cached is not None and _FULL_SHA.match(spec.ref):
            return cached  # a commit id names one tree forever
        self._check_cache_location()
        self._announce(spec.raw)
        try:
            snapshot = cache.new_snapshot(spec)
        except OSError as exc:
            raise FetchError(f"cannot create the cache directory: {exc}") from exc
        try:
            fetcher.clone(spec, snapshot)
        except fetcher.GitFailure as exc:
            cache.discard(snapshot)
            raise FetchError(f"{spec.raw}: {exc}", str(exc), timed_out=exc.timed_out) from None
        except BaseException:
            cache.discard(snapshot)
            raise
        return cache.publish_git(spec, snapshot)

    def _check_cache_location(self) -> None:
        """Never write into the repository being built (a cache below it is refused)."""
        if self.repository is None:
            return
        root = os.path.realpath(cache.cache_root())
        repo = os.path.realpath(self.repository)
        if root == repo or root.startswith(repo.rstrip(os.sep) + os.sep):
            raise FetchError(
                f"envlib's cache {root} is inside the repository {repo}; envlib never writes "
                "into the repository it reads: set XDG_CACHE_HOME elsewhere"
            )

    # -- plain files ----------------------------------------------------------------------
    def get_file(self, url: str) -> httpfetch.HttpOutcome:
        """``GET`` ``url`` (once per process), or its cached body when offline."""
        with _LOCK:
            outcome = _HTTP_FETCHED.get(url)
            if outcome is None:
                outcome = self._get(url)
                if outcome.body is not None or not self.offline:
                    _HTTP_FETCHED[url] = outcome
        if outcome.body is not None:
            fs.note_remote(url)
        return outcome

    def file_path(self, url: str) -> str:
        """A file URL named by a patch, generator or configuration entry: its cached copy.

        kustomize's ``Load`` of a URL (no load restriction). The copy is mounted, so reads
        of it are recorded, and named in messages, by the URL. Raises :class:`FetchError`.
        """
        outcome = self.get_file(url)
        if outcome.body is None:
            if outcome.error == "offline":
                raise FetchError(
                    f"{url}: not in envlib's cache ({cache.cache_root()}) and --offline "
                    "forbids fetching it; build once without --offline",
                    offline=True,
                )
            if outcome.status is not None:
                is_git = repo_spec_or_none(url) is not None
                text = "URL is a git repository" if is_git else outcome.status_text
                raise FetchError(f"{url}: {text}", text)
            raise FetchError(f"{url}: {outcome.error}", outcome.error)
        path = cache.http_file(url)
        if cache.lookup_http(url) != outcome.body:
            try:
                cache.publish_http(url, outcome.body)
            except OSError as exc:
                raise FetchError(f"{url}: cannot write envlib's cache: {exc}") from exc
        fs.mount(path, url)
        return str(path)

    def _get(self, url: str) -> httpfetch.HttpOutcome:
        if self.offline:
            body = cache.lookup_http(url)
            if body is None:
                return httpfetch.HttpOutcome(error="offline")
            return httpfetch.HttpOutcome(body=body)
        self._announce(url)
        outcome = httpfetch.http_get(url)
        if outcome.body is not None:
            try:
                self._check_cache_location()
                cache.publish_http(url, outcome.body)
            except (OSError, FetchError):
                pass  # the build goes on; only --offline needs the cached copy
        return outcome


def forget() -> None:
    """Drop this process's memo (tests; a long-lived kernel wanting fresh branches)."""
    with _LOCK:
        _FETCHED.clear()
        _HTTP_FETCHED.clear()


__all__ = ["FetchError", "RemoteLoader", "forget"]
