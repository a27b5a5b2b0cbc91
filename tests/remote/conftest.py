"""Fixtures for remote-resource tests: the servers and the kubectl oracle (see remote_support)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from remote_support import Tripwire, free_port, stop, wait_for_port
from support import REPO, find_oracle, require


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, dict[str, str], int, int, Tripwire, Tripwire]]:
    """git daemon + http.server + a hanging listener + a proxy tripwire, with their env."""
    require(shutil.which("git") is not None, "git is not installed")
    root = tmp_path_factory.mktemp("remote")
    srv, web = root / "srv", root / "web"
    for d in (srv, web, root / "home", root / "cache", root / "config"):
        d.mkdir()
    git_port, http_port = free_port(), free_port()
    hang, proxy = Tripwire(), Tripwire()
    dead = free_port()  # nothing listens: the GET of a github.com URL fails at once
    gitconfig = root / "gitconfig"
    daemon = f"git://127.0.0.1:{git_port}/"
    gitconfig.write_text(
        "[user]\n\tname = envlib tests\n\temail = tests@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        f'[url "{daemon}"]\n\tinsteadOf = https://github.com/\n\tinsteadOf = git@github.com:\n'
        f'[url "{daemon}azure/"]\n\tinsteadOf = https://dev.azure.com/\n'
        f'[url "git://127.0.0.1:{hang.port}/"]\n\tinsteadOf = https://hang.example/\n'
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root / "home"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "HTTPS_PROXY": f"http://127.0.0.1:{dead}",
        "https_proxy": f"http://127.0.0.1:{dead}",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONPATH": str(REPO),
        "LANG": "C.UTF-8",
    }
    procs = [
        subprocess.Popen(
            [
                "git",
                "daemon",
                f"--base-path={srv}",
                "--export-all",
                "--reuseaddr",
                "--listen=127.0.0.1",
                f"--port={git_port}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                "--directory",
                str(web),
                str(http_port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_for_port(git_port, procs[0])
        wait_for_port(http_port, procs[1])
        yield root, env, git_port, http_port, hang, proxy
    finally:
        for proc in procs:
            stop(proc)
        hang.close()
        proxy.close()


@pytest.fixture(scope="module")
def kubectl_binary() -> str:
    binary = find_oracle()
    require(binary is not None, "kubectl (the kustomize oracle) is not installed")
    assert binary is not None
    return binary
