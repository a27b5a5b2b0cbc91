"""tasks.py explore's JupyterLab workspace: named as jupyterlab_server looks it up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tasks


def test_workspace_file_is_where_jupyterlab_server_looks(tmp_path: Path) -> None:
    handler = pytest.importorskip("jupyterlab_server.workspaces_handler")
    slug = handler.slugify(tasks.LAB_WORKSPACE)
    assert tasks.workspace_file(tmp_path).name == slug + handler.WORKSPACE_EXTENSION


def test_workspace_opens_onboarding_with_the_file_browser_at_the_root(tmp_path: Path) -> None:
    command = tasks.lab_command("python", tmp_path / "ws")
    assert f"--LabApp.default_url=/lab/workspaces/{tasks.LAB_WORKSPACE}" in command
    assert not [arg for arg in command if arg.startswith("--ServerApp.token")]
    data = json.loads(tasks.workspace_file(tmp_path / "ws").read_text())["data"]
    assert data["file-browser-filebrowser:cwd"] == {"path": ""}
    current = data["layout-restorer:data"]["main"]["current"]
    assert data[current]["data"]["path"] == tasks.ONBOARDING
    assert (Path(tasks.ROOT) / tasks.ONBOARDING).is_file()
