"""Test support importable from any test module: the kubectl oracle, ../shared, CI rules.

Outside CI a missing prerequisite skips the test with a reason; with ``CI=true`` it fails,
so CI can never pass by skipping the differential tests.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from envlib.oracle import find_kubectl

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip (fail in CI) when a prerequisite is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI requires this prerequisite: {reason}")
    pytest.skip(reason)


def find_oracle() -> str | None:
    """Stock kubectl 1.32 (Kustomize v5.5.0); ``ENVLIB_KUBECTL`` overrides (envlib.oracle)."""
    return find_kubectl()


@dataclass
class OracleResult:
    stdout: bytes
    stderr: str
    rc: int


class Oracle:
    """Runs ``kubectl kustomize DIR``."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        # Several test modules build the same read-only trees (shared cases, corpora);
        # memoise so a session runs kubectl once per tree.
        self._cache: dict[tuple[str, str], OracleResult] = {}

    def build(self, directory: Path | str, cwd: Path | str | None = None) -> OracleResult:
        key = (os.path.abspath(os.path.join(cwd or ".", directory)), str(cwd))
        shared = str(SHARED) + os.sep
        if key[0].startswith(shared) and key in self._cache:
            return self._cache[key]
        proc = subprocess.run(
            [self.binary, "kustomize", str(directory)],
            capture_output=True,
            cwd=cwd,
            timeout=300,
        )
        result = OracleResult(proc.stdout, proc.stderr.decode(errors="replace"), proc.returncode)
        if key[0].startswith(shared):
            self._cache[key] = result
        return result
