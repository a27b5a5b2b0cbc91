"""The remote cache: where it lives, atomic publish, clean-up, and never inside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envlib.kustomize.load.remote import cache
from envlib.kustomize.load.remote.repospec import parse_repo_spec
from envlib.kustomize.load.remote.session import FetchError, RemoteLoader

SPEC = parse_repo_spec("https://github.com/org/repo//config?ref=v1")


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


def test_location_follows_xdg(xdg: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert cache.cache_root() == xdg / "envlib" / "remote"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: must be absolute
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_root() == tmp_path / "home" / ".cache" / "envlib" / "remote"


def test_keys_separate_url_ref_and_submodules(xdg: Path) -> None:
    other_ref = parse_repo_spec("https://github.com/org/repo//config?ref=v2")
    no_sub = parse_repo_spec("https://github.com/org/repo//config?ref=v1&submodules=false")
    same_repo = parse_repo_spec("https://github.com/org/repo//elsewhere?ref=v1")
    dirs = {cache.git_dir(s) for s in (SPEC, other_ref, no_sub)}
    assert len(dirs) == 3
    assert cache.git_dir(same_repo) == cache.git_dir(SPEC)  # one clone per repository + ref


def test_publish_replaces_current_atomically(xdg: Path) -> None:
    assert cache.lookup_git(SPEC) is None
    first = cache.new_snapshot(SPEC)
    (first / "a").write_text("1")
    assert cache.lookup_git(SPEC) is None  # not visible before it is published
    assert cache.publish_git(SPEC, first) == first.resolve()
    second = cache.new_snapshot(SPEC)
    (second / "a").write_text("2")
    cache.publish_git(SPEC, second)
    current = cache.lookup_git(SPEC)
    assert current is not None and (current / "a").read_text() == "2"
    assert (cache.git_dir(SPEC) / "current").is_symlink()
    assert not [p for p in cache.git_dir(SPEC).iterdir() if p.name.startswith(".current-")]


def test_a_failed_fetch_leaves_nothing(xdg: Path) -> None:
    snapshot = cache.new_snapshot(SPEC)
    (snapshot / "partial").write_text("x")
    cache.discard(snapshot)
    assert not cache.git_dir(SPEC).exists()


def test_http_bodies_round_trip(xdg: Path) -> None:
    url = "https://example.invalid/release.yaml"
    assert cache.lookup_http(url) is None
    cache.publish_http(url, b"kind: List\n")
    assert cache.lookup_http(url) == b"kind: List\n"
    assert not [p for p in cache.http_file(url).parent.iterdir() if p.name.startswith(".part-")]


def test_offline_miss_touches_nothing(xdg: Path) -> None:
    loader = RemoteLoader(offline=True, progress=lambda line: pytest.fail(line))
    with pytest.raises(FetchError) as info:
        loader.clone_dir(SPEC)
    assert info.value.offline and SPEC.raw in info.value.message
    assert not xdg.exists()
    assert loader.get_file("https://example.invalid/x.yaml").error == "offline"


def test_a_cache_inside_the_repository_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(repo / ".cache"))
    loader = RemoteLoader(progress=lambda _line: None, repository=repo)
    with pytest.raises(FetchError, match="inside the repository"):
        loader.clone_dir(parse_repo_spec("file:///nonexistent/never-fetched"))
    assert not (repo / ".cache").exists() and os.listdir(repo) == []
