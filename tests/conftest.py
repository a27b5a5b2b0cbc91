"""Shared fixtures: the kubectl oracle and the ../shared test data (see support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import REPO, SHARED, Oracle, find_oracle, require


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    binary = find_oracle()
    require(binary is not None, "kubectl (the kustomize oracle) is not installed")
    assert binary is not None
    return Oracle(binary)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    require(SHARED.is_dir(), f"{SHARED} (shared test data) is not present")
    return SHARED


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture
def write_tree(tmp_path: Path):
    """Write a dict {relative path: text} below tmp_path and return tmp_path."""

    def _write(files: dict[str, str | bytes], base: Path | None = None) -> Path:
        root = base or tmp_path
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
        return root

    return _write
