"""The explorer's "Pull request" tab, driven headless on a real git history of ``k8s/``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

widgets = pytest.importorskip("ipywidgets")

from envlib.widgets import Explorer  # noqa: E402
from envlib.widgets.pull_request import PullRequestTab  # noqa: E402
from envlib.widgets.tabs import tab_specs  # noqa: E402


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_CONFIG_NOSYSTEM": "1"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout


@pytest.fixture
def history(tmp_path: Path, repo_dir: Path) -> Path:
    """k8s/ on main, and a branch ``mirror-on`` turning the dev mirror back on."""
    repo = tmp_path / "platform"
    shutil.copytree(repo_dir / "k8s", repo / "k8s")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "k8s")
    git(repo, "checkout", "-q", "-b", "mirror-on")
    dev = repo / "k8s" / "overlays" / "dev" / "kustomization.yaml"
    text = dev.read_text()
    assert "path: /spec/mirror/percent\n      value: 0" in text
    dev.write_text(
        text.replace(
            "path: /spec/mirror/percent\n      value: 0",
            "path: /spec/mirror/percent\n      value: 25",
        )
    )
    git(repo, "commit", "-q", "-am", "dev mirror on")
    git(repo, "checkout", "-q", "main")
    return repo


def test_pick_two_revisions_and_drill_into_one_environment(history: Path) -> None:
    tab = PullRequestTab(history / "k8s")
    assert "mirror-on" in tab.head.options and "main" in tab.base.options
    tab.base.value = "main"
    tab.head.value = "mirror-on"
    assert tab.revisions == ("main", "mirror-on")
    tab.button.click()
    summary = tab.summary.set_index("env")
    assert summary.loc["dev", "status"] == "changed"
    assert summary.loc["prod", "status"] == "unchanged"
    assert tab.env.value == "dev"  # the first changed environment is opened
    detail = tab.detail
    assert detail is not None
    row = detail.fields[detail.fields["field"] == "spec.mirror.percent"].iloc[0]
    assert (row["old"], row["new"], row["files"]) == (
        "0",
        "25",
        ["k8s/overlays/dev/kustomization.yaml"],
    )
    tab.env.value = "prod"
    assert tab.detail is not None and tab.detail.status == "unchanged"
    assert len(tab.detail_out.outputs) >= 1


def test_bad_revision_is_a_message_not_a_crash(history: Path) -> None:
    tab = PullRequestTab(history / "k8s")
    tab.base.options = [*tab.base.options, "gone"]
    tab.base.value = "gone"
    tab.run()
    assert tab.result is None
    assert "git fetch" in str(tab.summary_out.outputs[0]["data"]["text/html"])


def test_explorer_has_the_tab_and_fills_it_when_opened(history: Path) -> None:
    ex = Explorer(history / "k8s")
    index = [s.title for s in tab_specs()].index("Pull request")
    assert ex.tabs.get_title(index) == "Pull request"
    assert ex.pull_request.result is None  # nothing computed before the tab is opened
    ex.tabs.selected_index = index
    assert ex.pull_request.result is not None
    assert set(ex.pull_request.summary["env"]) == {"dev", "prod"}
