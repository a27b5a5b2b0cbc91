"""Remote entries split the way kustomize v5.5's ``repospec.go`` splits them.

Each row: the entry, then (host, repository path, path inside the repository, ref), or None
when kustomize would not treat the entry as a git URL (it is then a local path).
"""

from __future__ import annotations

import pytest

from envlib.kustomize.load.remote.fetcher import commands, go_duration
from envlib.kustomize.load.remote.repospec import (
    DEFAULT_TIMEOUT,
    go_parse_duration,
    is_remote_file,
    parse_repo_spec,
    repo_spec_or_none,
)
from envlib.kustomize.load.resource_entries import is_remote

GH = "https://github.com/"

SPLITS = [
    # entry, (host, repo path, kustomization root, ref)
    ("https://github.com/org/repo//path/to?ref=v1", (GH, "org/repo", "path/to", "v1")),
    ("github.com/org/repo/path?ref=v1", (GH, "org/repo", "path", "v1")),
    ("github.com/org/repo", (GH, "org/repo", "", "")),
    ("HTTPS://GitHub.com/org/repo//x", (GH, "org/repo", "x", "")),
    ("git@github.com:org/repo.git/path", ("git@github.com:", "org/repo.git", "path", "")),
    ("ssh://git@github.com/org/repo.git//p", ("git@github.com:", "org/repo.git", "p", "")),
    (
        "git::https://gitlab.com/org/repo.git//p?ref=main",
        ("https://gitlab.com/", "org/repo.git", "p", "main"),
    ),
    ("GIT::https://gitlab.com/org/repo//p", ("https://gitlab.com/", "org/repo", "p", "")),
    (
        "git@gitlab.com:org/sub/repo.git//kust?ref=v2",
        ("git@gitlab.com:", "org/sub/repo.git", "kust", "v2"),
    ),
    ("user@host.xz:path/repo.git", ("user@host.xz:", "path/repo.git", "", "")),
    ("ssh://host.xz/path/to/repo.git/sub", ("ssh://host.xz/", "path/to/repo.git", "sub", "")),
    ("ssh://git@host.xz:2222/org/repo.git", ("ssh://git@host.xz:2222/", "org/repo.git", "", "")),
    ("file:///tmp/repo.git//sub?ref=v1", ("file://", "/tmp/repo.git", "sub", "v1")),
    ("file:///tmp/repo", ("file://", "/tmp/repo", "", "")),
    ("file:///tmp/a/b/c", ("file://", "/tmp/a/b/c", "", "")),
    (
        "https://dev.azure.com/org/proj/_git/repo/deploy/x",
        ("https://dev.azure.com/", "org/proj/_git/repo", "deploy/x", ""),
    ),
    (
        "https://org@dev.azure.com/org/proj/_git/repo",
        ("https://org@dev.azure.com/", "org/proj/_git/repo", "", ""),
    ),
    ("https://example.com/org/repo", ("https://example.com/", "org/repo", "", "")),
    ("https://example.com/org/repo/a/b?ref=v1", ("https://example.com/", "org/repo", "a/b", "v1")),
    ("http://127.0.0.1:8080/org/repo.git", ("http://127.0.0.1:8080/", "org/repo.git", "", "")),
    # the ``.git`` marker matches inside a name, as in kustomize
    ("https://github.com/org/site.github.io/docs", (GH, "org/site.git", "hub.io/docs", "")),
    # not git URLs: local paths for kustomize
    ("../base", None),
    ("base", None),
    ("base?ref=main", None),
    ("deploy.yaml", None),
    ("/abs/path", None),
    ("host.xz:path/repo.git", None),
    ("github.com/org", None),
    ("https://example.com/org", None),
    ("https://example.com", None),
    ("https://github.com/org/repo/../../x", None),
    ("ftp://example.com/org/repo", None),
]


@pytest.mark.parametrize(("entry", "expected"), SPLITS, ids=[s[0] for s in SPLITS])
def test_split(entry: str, expected: tuple[str, str, str, str] | None) -> None:
    spec = repo_spec_or_none(entry)
    if expected is None:
        assert spec is None
        return
    assert spec is not None
    assert (spec.host, spec.repo_path, spec.kust_root, spec.ref) == expected
    assert spec.clone_spec == expected[0] + expected[1]
    assert spec.raw == entry


QUERIES = [
    ("ref=a&version=b", "a", DEFAULT_TIMEOUT, True),
    ("version=b", "b", DEFAULT_TIMEOUT, True),
    ("ref=&version=b", "b", DEFAULT_TIMEOUT, True),
    ("ref=v1%2Bmeta", "v1+meta", DEFAULT_TIMEOUT, True),
    ("ref=a+b", "a b", DEFAULT_TIMEOUT, True),
    ("timeout=61", "", 61.0, True),
    ("timeout=1m30s", "", 90.0, True),
    ("timeout=500ms", "", 0.5, True),
    ("timeout=0", "", DEFAULT_TIMEOUT, True),
    ("timeout=-5", "", DEFAULT_TIMEOUT, True),
    ("timeout=abc", "", DEFAULT_TIMEOUT, True),
    ("submodules=false", "", DEFAULT_TIMEOUT, False),
    ("submodules=0", "", DEFAULT_TIMEOUT, False),
    ("submodules=F", "", DEFAULT_TIMEOUT, False),
    ("submodules=no", "", DEFAULT_TIMEOUT, True),
    ("ref=v1;x=2", "", DEFAULT_TIMEOUT, True),  # Go refuses ';': every option defaults
    ("ref=v1&bad=%zz", "", DEFAULT_TIMEOUT, True),  # a bad escape: the same
    ("ref=v1&ref=v2", "v1", DEFAULT_TIMEOUT, True),
]


@pytest.mark.parametrize(
    ("query", "ref", "timeout", "submodules"), QUERIES, ids=[q[0] for q in QUERIES]
)
def test_query_options(query: str, ref: str, timeout: float, submodules: bool) -> None:
    spec = parse_repo_spec(f"https://github.com/org/repo//x?{query}")
    assert (spec.ref, spec.timeout, spec.submodules) == (ref, timeout, submodules)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h2m3s", 3723.0),
        ("1.5s", 1.5),
        ("300ms", 0.3),
        (".5s", 0.5),
        ("-1s", -1.0),
        ("0", 0.0),
        ("2us", 2e-6),
        ("1", None),
        ("", None),
        ("1x", None),
        (".s", None),
        ("s", None),
    ],
)
def test_go_parse_duration(text: str, seconds: float | None) -> None:
    got = go_parse_duration(text)
    assert got == pytest.approx(seconds) if seconds is not None else got is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1.0, "1s"), (27.0, "27s"), (90.0, "1m30s"), (0.5, "500ms"), (3723.0, "1h2m3s")],
)
def test_go_duration_text(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


@pytest.mark.parametrize(
    ("entry", "remote_file"),
    [
        ("https://example.com/a.yaml", True),
        ("HTTP://example.com/a.yaml", True),
        ("https://github.com/org/repo//x?ref=v1", True),  # GET first, then git (kustomize)
        ("git::https://github.com/org/repo", False),
        ("github.com/org/repo", False),
        ("https://example.com/%zz.yaml", False),
        ("file:///tmp/x.yaml", False),
        ("deploy.yaml", False),
    ],
)
def test_remote_file(entry: str, remote_file: bool) -> None:
    assert is_remote_file(entry) is remote_file


@pytest.mark.parametrize(
    ("entry", "remote"),
    [
        ("https://example.com/a.yaml", True),
        ("github.com/org/repo/deploy?ref=v1.0", True),
        ("git@github.com:org/repo.git//x", True),
        ("ssh://git@host/org/repo.git", True),
        ("../base?ref=main", False),  # kustomize reads this as a local directory
        ("../base", False),
        ("github.yaml", False),
    ],
)
def test_is_remote(entry: str, remote: bool) -> None:
    assert is_remote(entry) is remote


def test_the_git_commands_are_kustomizes() -> None:
    spec = parse_repo_spec("https://github.com/org/repo//x?ref=v1")
    assert commands(spec) == [
        ["init"],
        ["remote", "add", "origin", "https://github.com/org/repo"],
        ["fetch", "--depth=1", "https://github.com/org/repo", "v1"],
        ["checkout", "FETCH_HEAD"],
        ["submodule", "update", "--init", "--recursive"],
    ]
    no_sub = parse_repo_spec("https://github.com/org/repo?submodules=false")
    assert commands(no_sub)[2][-1] == "HEAD" and len(commands(no_sub)) == 4


def test_display_names_url_path_and_ref() -> None:
    spec = parse_repo_spec("github.com/org/repo/config/default?ref=v1")
    assert spec.display() == "https://github.com/org/repo//config/default?ref=v1"
    assert (
        spec.display("../rbac/sa.yaml") == "https://github.com/org/repo//config/rbac/sa.yaml?ref=v1"
    )
