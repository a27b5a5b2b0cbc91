"""The CI recipes in docs/ci/ run as written, in a clone shaped like a CI checkout.

GitHub Actions checks out the pull request's head commit detached, with the base branch only
as ``origin/<base>`` (``fetch-depth: 0``); GitLab's merge-request pipelines do the same. The
``envlib preview`` line of each recipe is taken from the YAML and run there with the CI
variables it uses; the markdown comes out, and ``--fail-on check`` reports the dev check
this branch breaks with exit status 2 (which the recipes turn into a failed job).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import REPO
from test_preview import commit, git, make_promo_repo

DOCS = REPO / "docs" / "ci"


@pytest.fixture
def promo_repo(tmp_path: Path, sample_files) -> Path:
    return make_promo_repo(tmp_path, sample_files())


def _ci_clone(promo_repo: Path, tmp_path: Path) -> Path:
    commit(promo_repo, "feature work")
    head = git(promo_repo, "rev-parse", "HEAD").strip()
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", f"file://{promo_repo}", str(clone)], check=True)
    git(clone, "checkout", "-q", "--detach", head)
    git(clone, "branch", "-D", "feature")
    if "main" in git(clone, "branch", "--list", "main"):
        git(clone, "branch", "-D", "main")
    return clone


def _run(line: str, cwd: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, **variables, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    command = line.split(">", 1)[0]  # keep stdout here instead of preview.md
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_github_actions_workflow(promo_repo: Path, tmp_path: Path) -> None:
    workflow = yaml.safe_load((DOCS / "github-actions-preview.yml").read_text())
    steps = workflow["jobs"]["preview"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert workflow["permissions"]["pull-requests"] == "write"
    script = next(s["run"] for s in steps if "envlib preview" in s.get("run", ""))
    line = next(x.strip() for x in script.splitlines() if x.strip().startswith("envlib preview"))
    proc = _run(line, _ci_clone(promo_repo, tmp_path), {"BASE_REF": "main"})
    assert proc.returncode == 2, proc.stderr  # dev-mirror-off newly fails
    assert proc.stdout.startswith("### Promotion preview: merging into `main`")
    assert "| prod | no (release-1.0) | not reached |" in proc.stdout
    assert any("gh pr comment" in s.get("run", "") for s in steps)


def test_gitlab_ci_job(promo_repo: Path, tmp_path: Path) -> None:
    job = yaml.safe_load((DOCS / "gitlab-ci-preview.yml").read_text())["envlib-preview"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    line = next(x for x in job["script"] if str(x).startswith("envlib preview"))
    variables = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
    proc = _run(line, _ci_clone(promo_repo, tmp_path), variables)
    assert proc.returncode == 2, proc.stderr
    assert "<details><summary><b>dev</b>" in proc.stdout
    assert any("merge_requests/$CI_MERGE_REQUEST_IID/notes" in str(x) for x in job["script"])


@pytest.mark.parametrize("recipe", ["github-actions-preview.yml", "gitlab-ci-preview.yml"])
def test_recipes_are_documented(recipe: str) -> None:
    assert f"ci/{recipe}" in (REPO / "docs" / "preview.md").read_text()
