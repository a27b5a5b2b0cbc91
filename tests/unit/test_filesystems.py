"""The engine's file systems: OS (default), a git revision from objects, an in-memory overlay.

The strongest check is equivalence: every recorded case (the shared 40 and the project's
own, symlink and load-restriction cases included) is committed to a scratch repository,
its work tree is then deleted, and the build from git objects must print the same bytes
and the same kustomize error text as the build from the files on disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import REPO, SHARED

from envlib.errors import EnvlibError, LoadError
from envlib.kustomize import build
from envlib.kustomize.load import fs as fsmod
from envlib.kustomize.load.gitfs import GitFileSystem, GitRevisionError
from envlib.kustomize.load.overlayfs import OverlayFileSystem

CASE_ROOTS = [SHARED / "kustomize-cases", REPO / "tests" / "cases"]


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z"}
    env.update(GIT_COMMITTER_DATE="2026-01-01T00:00:00Z", GIT_CONFIG_NOSYSTEM="1")
    proc = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return proc.stdout


def make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    write(path, files)
    commit(path, "initial")
    return path


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def outcome(directory: Path, filesystem: fsmod.FileSystem | None = None) -> tuple[str, str]:
    """(stdout, kustomize error text) of one build."""
    try:
        return build(directory, trace=False, fs=filesystem).to_yaml(), ""
    except EnvlibError as exc:
        return "", exc.kustomize_message or exc.message


def repo_state(repo: Path) -> dict[str, bytes]:
    """Every byte of the work tree and .git (plus symlink targets), for before/after checks."""
    state: dict[str, bytes] = {}
    for current, _dirs, files in os.walk(repo):
        for name in files:
            path = Path(current, name)
            key = str(path.relative_to(repo))
            state[key] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        for name in _dirs:
            path = Path(current, name)
            if path.is_symlink():
                state[str(path.relative_to(repo))] = os.readlink(path).encode()
    return state


@pytest.fixture(scope="module")
def cases_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, str]]]:
    """All recorded cases in one committed repository, OS outcomes taken before deletion."""
    repo = tmp_path_factory.mktemp("cases") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    names: list[str] = []
    for root in CASE_ROOTS:
        if not root.is_dir():
            continue
        for case in sorted(root.iterdir()):
            if (case / "overlay").exists():
                name = f"{root.parent.name}-{case.name}"
                shutil.copytree(case, repo / name, symlinks=True, ignore=_no_expected)
                names.append(name)
    commit(repo, "cases")
    on_disk = {name: outcome(repo / name / "overlay") for name in names}
    for entry in repo.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    return repo, on_disk


def _no_expected(directory: str, names: list[str]) -> list[str]:
    return ["expected"] if "expected" in names else []


def test_git_revision_builds_every_case_like_the_disk(
    cases_repo: tuple[Path, dict[str, tuple[str, str]]],
) -> None:
    repo, on_disk = cases_repo
    assert len(on_disk) >= 40, "the recorded cases are missing"
    with GitFileSystem(repo, "main") as gitfs:
        for name, expected in on_disk.items():
            assert outcome(repo / name / "overlay", gitfs) == expected, name
    assert any(err for _out, err in on_disk.values()), "error cases should be among them"


def test_git_revision_reads_symlinks_stored_in_the_tree(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "real/app/kustomization.yaml": "resources:\n- cm.yaml\n",
            "real/app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        },
    )
    (repo / "base").mkdir()
    os.symlink("../real/app", repo / "base" / "app")
    commit(repo, "link")
    with GitFileSystem(repo) as gitfs:
        assert gitfs.realpath(str(repo / "base" / "app" / "cm.yaml")) == str(
            repo.resolve() / "real" / "app" / "cm.yaml"
        )
        assert gitfs.isdir(str(repo / "base" / "app"))
        assert not gitfs.isfile(str(repo / "base" / "app"))
        assert gitfs.lexists(str(repo / "base" / "app"))
        assert gitfs.listdir(str(repo / "base")) == ["app"]
        assert "name: x" in build(repo / "base" / "app", fs=gitfs).to_yaml()


def test_git_revision_leaves_repository_byte_for_byte_unchanged(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "k8s/base/kustomization.yaml": "resources:\n- cm.yaml\n",
            "k8s/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        },
    )
    write(repo, {"k8s/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"})
    git(repo, "add", "k8s/base/cm.yaml")  # staged change: the index must stay as it is
    write(repo, {"untracked.txt": "x"})
    before = repo_state(repo)
    stat_before = os.stat(repo / ".git" / "index").st_mtime_ns
    with GitFileSystem(repo, "HEAD") as gitfs:
        assert "name: a" in build(repo / "k8s" / "base", fs=gitfs).to_yaml()
    assert "name: b" in build(repo / "k8s" / "base").to_yaml()
    assert repo_state(repo) == before
    assert os.stat(repo / ".git" / "index").st_mtime_ns == stat_before
    assert git(repo, "status", "--porcelain") == "M  k8s/base/cm.yaml\n?? untracked.txt\n"


def test_git_revision_is_resolved_once(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"k/kustomization.yaml": "namePrefix: a-\n"})
    gitfs = GitFileSystem(repo, "main")
    first = gitfs.commit
    write(repo, {"k/kustomization.yaml": "namePrefix: b-\n"})
    commit(repo, "moved main")
    assert gitfs.commit == first
    assert gitfs.read_bytes(str(repo / "k" / "kustomization.yaml")) == b"namePrefix: a-\n"
    gitfs.close()


def test_missing_revision_names_git_fetch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.txt": "a"})
    with pytest.raises(GitRevisionError, match="git fetch"):
        GitFileSystem(repo, "no-such-branch")
    with pytest.raises(GitRevisionError, match="not inside a git work tree"):
        GitFileSystem(tmp_path)


def test_missing_revision_in_a_real_shallow_clone(tmp_path: Path) -> None:
    origin = make_repo(tmp_path / "origin", {"a.txt": "1"})
    first = git(origin, "rev-parse", "HEAD").strip()
    write(origin, {"a.txt": "2"})
    commit(origin, "second")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True
    )
    with pytest.raises(GitRevisionError) as info:
        GitFileSystem(clone, first)
    assert "shallow clone" in str(info.value.message)
    assert "git fetch" in str(info.value.message)


def test_build_records_the_files_it_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "base/kustomization.yaml": "resources:\n- cm.yaml\n",
            "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
            "base/unused.yaml": "not: read\n",
            "dev/kustomization.yaml": "resources:\n- ../base\npatches:\n- path: p.yaml\n",
            "dev/p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
        },
    )
    first = build(tmp_path / "dev")
    expected = {
        str(tmp_path / n)
        for n in ("base/kustomization.yaml", "base/cm.yaml", "dev/kustomization.yaml", "dev/p.yaml")
    }
    assert first.files_read == expected
    assert build(tmp_path / "dev").files_read == expected  # parse-cache hits are recorded too
    assert str(tmp_path / "base" / "kustomization.yml") in first.inputs.probed


def test_overlay_replaces_and_adds_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/kustomization.yaml": "resources:\n- cm.yaml\n",
            "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        },
    )
    over = OverlayFileSystem(
        fsmod.OS,
        {
            tmp_path / "app" / "kustomization.yaml": "resources:\n- cm.yaml\n- new/s.yaml\n"
            "namePrefix: edited-\n",
            tmp_path / "app" / "new" / "s.yaml": "apiVersion: v1\nkind: Service\n"
            "metadata:\n  name: s\n",
        },
    )
    out = build(tmp_path / "app", fs=over).to_yaml()
    assert "name: edited-a" in out and "name: edited-s" in out
    assert over.isdir(str(tmp_path / "app" / "new"))
    assert over.listdir(str(tmp_path / "app")) == ["cm.yaml", "kustomization.yaml", "new"]
    assert "edited-" not in build(tmp_path / "app").to_yaml()  # the disk is untouched
    assert (tmp_path / "app" / "kustomization.yaml").read_text() == "resources:\n- cm.yaml\n"


def test_overlay_on_a_git_revision_keeps_load_restrictions(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "secret.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n",
            "app/kustomization.yaml": "namePrefix: a-\n",
        },
    )
    with GitFileSystem(repo) as gitfs:
        over = OverlayFileSystem(
            gitfs, {repo / "app" / "kustomization.yaml": "resources:\n- ../secret.yaml\n"}
        )
        with pytest.raises(LoadError) as info:
            build(repo / "app", fs=over)
    assert "is not in or below" in str(info.value.kustomize_message)


def test_default_is_the_os_and_the_active_fs_is_scoped(tmp_path: Path) -> None:
    assert fsmod.current() is fsmod.OS
    repo = make_repo(tmp_path / "r", {"a/kustomization.yaml": "namePrefix: x-\n"})
    with GitFileSystem(repo) as gitfs, fsmod.using(gitfs):
        assert fsmod.current() is gitfs
        assert fsmod.isdir(repo / ".git")  # the repository marker is visible
        assert fsmod.listdir(repo) == ["a"]
    assert fsmod.current() is fsmod.OS


def test_git_blob_ids_match_git_hash_object(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"f.yaml": "a: 1\n"})
    with GitFileSystem(repo) as gitfs:
        data = b"a: 1\n"
        want = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        assert gitfs.blob_id(str(repo / "f.yaml")) == want
        assert gitfs.files() == {"f.yaml": want}


def test_git_revision_reads_the_blob_whatever_the_working_tree_holds(tmp_path: Path) -> None:
    """A file the working tree holds unchanged is read from disk (its blob id checked); an
    edited, missing or replaced one is read from git: the bytes are always the blob's."""
    files = {f"f{i}.yaml": f"data: {i}\n" for i in range(4)}
    repo = make_repo(tmp_path / "r", files)
    (repo / "f1.yaml").write_text("data: edited\n")
    (repo / "f2.yaml").unlink()
    (repo / "f3.yaml").unlink()
    (repo / "f3.yaml").mkdir()
    with GitFileSystem(repo) as gitfs:
        for name, text in files.items():
            assert gitfs.read_bytes(str(repo / name)) == text.encode(), name
    assert (repo / "f1.yaml").read_text() == "data: edited\n"
