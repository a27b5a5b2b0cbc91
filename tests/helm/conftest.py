"""Helm fixtures: the SDK gate (skip locally, fail in CI) and the ``helm`` front end for kubectl."""

from __future__ import annotations

import stat
import sys

import pytest
from support import REPO, require

from envlib.helm import sdk_available


@pytest.fixture(scope="session")
def helm_sdk() -> None:
    """helm_python must import (skip locally, fail under CI=true, where the extra is installed)."""
    require(sdk_available(), "helm-python-sdk (the envlib[helm] extra) is not importable")


@pytest.fixture(scope="session")
def front_end(tmp_path_factory: pytest.TempPathFactory, helm_sdk: None) -> str:
    """An executable ``helm`` that answers as helm does, over Helm's SDK."""
    directory = tmp_path_factory.mktemp("helm-front")
    wrapper = directory / "helm"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"PYTHONPATH='{REPO}' exec '{sys.executable}' '{REPO / 'tools/helm_front.py'}' \"$@\"\n"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(wrapper)
