"""A ``helm`` executable, run exactly as kustomize v5.5 runs it.

kustomize's ``runHelmCommand`` (api/internal/builtins/HelmChartInflationGenerator.go): the
process environment plus ``HELM_CONFIG_HOME``/``HELM_CACHE_HOME``/``HELM_DATA_HOME`` under a
private temp directory; ``checkHelmVersion`` runs ``helm version -c --short`` first and wants
major version 3. Every run has a timeout (kustomize has none; a hung helm must not hang us).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence

from envlib.helm.errors import HelmFailure

TIMEOUT_SECONDS = 300
_VERSION = re.compile(r"v?\d+(\.\d+)+")


def helm_env(config_home: str) -> list[str]:
    """The three variables kustomize adds, in its order and spelling."""
    return [
        f"HELM_CONFIG_HOME={config_home}",
        f"HELM_CACHE_HOME={config_home}/.cache",
        f"HELM_DATA_HOME={config_home}/.data",
    ]


def run(command: str, args: Sequence[str], config_home: str) -> str:
    """Run ``command args`` and return stdout; :class:`HelmFailure` with kustomize's text."""
    extra = helm_env(config_home)
    env = dict(os.environ)
    env.update(item.split("=", 1) for item in extra)  # type: ignore[misc]
    words = " ".join(args)
    where = f"'{command} {words}' with env=[{' '.join(extra)}] (is '{command}' installed?)"
    try:
        proc = subprocess.run(
            [command, *args], capture_output=True, env=env, timeout=TIMEOUT_SECONDS
        )
    except FileNotFoundError:
        reason = f'exec: "{command}": executable file not found in $PATH'
        raise HelmFailure(
            f"unable to run: {where}: {reason}", stderr="", command=words, missing=True
        ) from None
    except PermissionError:
        raise HelmFailure(
            f"unable to run: {where}: fork/exec {command}: permission denied", command=words
        ) from None
    except subprocess.TimeoutExpired:
        raise HelmFailure(f"unable to run: {where}: timed out", command=words) from None
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        detail = stderr.strip()
        if detail.startswith("Error: "):
            detail = detail[len("Error: ") :]
        raise HelmFailure(detail or f"exit status {proc.returncode}", stderr=stderr, command=words)
    return proc.stdout.decode("utf-8", errors="replace")


def check_version(command: str, config_home: str) -> str:
    """kustomize's ``checkHelmVersion``: the version string, which must be Helm 3."""
    out = run(command, ["version", "-c", "--short"], config_home)
    match = _VERSION.search(out)
    if match is None:
        raise HelmFailure(f"cannot find version string in {out}")
    version = match.group(0).lstrip("v")
    if version.split(".")[0] != "3":
        raise HelmFailure(f"this plugin requires helm V3 but got v{version}")
    return version
