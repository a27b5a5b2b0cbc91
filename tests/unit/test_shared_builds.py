"""Shared subdirectory builds (pipeline/shared_builds.py) give exactly the unshared result.

Every recorded case (tests/cases and ../shared/kustomize-cases) and every corpus root is
built inside one sharing block - so bases built for one root are reused by the next - and
compared with the same build outside the block: output bytes, exit status and message,
warnings, step ids and recorded inputs. A git history checks that a directory whose files
differ between two revisions is rebuilt, and one whose files read the same is reused.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support import REPO, SHARED, require

from envlib.errors import EnvlibError
from envlib.kustomize import build
from envlib.kustomize.core.trace import tracing_only
from envlib.kustomize.load.gitfs import GitFileSystem
from envlib.kustomize.pipeline.shared_builds import shared_directory_builds


def _outcome(directory: Path, **options: Any) -> tuple[Any, ...]:
    try:
        result = build(directory, trace=False, **options)
    except EnvlibError as exc:
        return ("error", exc.kustomize_message, exc.one_line())
    return (
        result.to_yaml(),
        tuple(result.warnings),
        tuple(step.id for step in result.trace.steps),
        tuple(sorted(result.inputs.files)),
        tuple(sorted(result.inputs.probed)),
    )


def _roots() -> list[Path]:
    roots = [p / "overlay" for p in sorted((REPO / "tests" / "cases").iterdir())]
    cases = SHARED / "kustomize-cases"
    if cases.is_dir():
        roots += [p / "overlay" for p in sorted(cases.iterdir()) if (p / "overlay").is_dir()]
    index = SHARED / "corpora" / "INDEX.tsv"
    if index.is_file():
        lines = index.read_text().splitlines()[1:]
        roots += [SHARED / "corpora" / line.split("\t")[0] for line in lines if line.strip()]
    return [r for r in roots if r.is_dir()]


def test_every_case_and_corpus_root_builds_the_same_when_shared() -> None:
    roots = _roots()
    require((SHARED / "corpora" / "INDEX.tsv").is_file(), f"no corpora under {SHARED}")
    alone = {root: _outcome(root) for root in roots}
    with shared_directory_builds() as memo:
        for root in roots:
            assert _outcome(root) == alone[root], root
        for root in roots[:60]:  # again: every directory of these is now recorded
            assert _outcome(root) == alone[root], root
    assert memo.hits >= 40  # the block really reused builds (the second pass at least)


def test_a_trace_that_keeps_no_step_of_a_base_still_shares_it() -> None:
    overlay = REPO / "k8s" / "overlays" / "dev"
    plain = build(overlay, trace=True)
    with shared_directory_builds() as memo, tracing_only(lambda step: "overlays/dev" in step):
        build(overlay, trace=False)
        shared = build(overlay, trace=True)
    assert memo.hits >= 1
    assert shared.to_yaml() == plain.to_yaml()
    assert [s.id for s in shared.trace.steps] == [s.id for s in plain.trace.steps]
    for step, alone in zip(shared.trace.steps, plain.trace.steps, strict=True):
        if "overlays/dev" in step.id:
            assert [c.paths for c in step.changes] == [c.paths for c in alone.changes]
        else:
            assert step.changes == []  # not kept: as in an untraced build


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )


@pytest.mark.parametrize("edit_base", [False, True], ids=["base-same", "base-edited"])
def test_a_base_is_reused_across_revisions_only_when_its_files_read_the_same(
    tmp_path: Path, edit_base: bool
) -> None:
    repo = tmp_path / "repo"
    (repo / "base").mkdir(parents=True)
    (repo / "dev").mkdir()
    (repo / "base" / "kustomization.yaml").write_text("resources: [cm.yaml]\nnamePrefix: b-\n")
    (repo / "base" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: one}\n"
    )
    (repo / "dev" / "kustomization.yaml").write_text("resources: [../base]\nnameSuffix: -d\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")
    if edit_base:
        (repo / "base" / "cm.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: two}\n"
        )
    (repo / "dev" / "kustomization.yaml").write_text("resources: [../base]\nnameSuffix: -e\n")
    committed = GitFileSystem(repo, "main")
    try:
        alone = (_outcome(repo / "dev", fs=committed), _outcome(repo / "dev"))
        with shared_directory_builds() as memo:
            shared = (_outcome(repo / "dev", fs=committed), _outcome(repo / "dev"))
    finally:
        committed.close()
    assert shared == alone
    assert "k: two" in str(shared[1][0]) if edit_base else "k: one" in str(shared[1][0])
    assert memo.hits == (0 if edit_base else 1)
