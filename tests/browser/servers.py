"""Start JupyterLab or Voilà on loopback for a browser test, and always stop it again.

The servers run from this interpreter (so kernels use the project's environment), on a free
port on 127.0.0.1, with no token, and with every piece of per-user state (config, settings,
workspaces, runtime files) in a temporary directory: news and update checks are off, and
autosave is off so the committed notebook is never written by the browser session.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_env(home: Path, repo: Path) -> dict[str, str]:
    """Environment for the server: Jupyter's per-user folders under ``home``, the sample repo."""
    settings = home / "lab-settings"
    for rel, content in LAB_SETTINGS.items():
        target = settings / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content))
    env = dict(os.environ)
    env.update(
        {
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "ENVLIB_REPO": str(repo / "k8s"),
            "PYTHONHASHSEED": "0",
        }
    )
    return env


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started and its kernels (its own process group), by id."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:  # kernels left in the group after the server itself exited
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def running(args: list[str], env: dict[str, str], status_url: str, log: Path) -> Iterator[None]:
    """Run a server until the block ends; its output goes to ``log``."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_until_up(status_url, proc, timeout=60)
            yield
        finally:
            _stop(proc)


def lab_command(port: int, home: Path, token: bool = False) -> list[str]:
    """JupyterLab exactly as ``tasks.py explore`` starts it, on 127.0.0.1:port.

    Its workspace goes under ``home``; news and update checks are off, and without ``token``
    the server needs none (``IdentityProvider.token``, not the deprecated ``ServerApp.token``).
    """
    import tasks

    auth = [] if token else ["--IdentityProvider.token="]
    return [
        *tasks.lab_command(sys.executable, home / "workspaces"), "--no-browser", "--allow-root",
        *auth, "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip


def printed_url(log: Path, timeout: float = 30) -> str:
    """The URL the server printed for people to open (``http://127.0.0.1:...``), from its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            url = line.strip().rsplit(" ", 1)[-1]
            if url.startswith("http://127.0.0.1:"):
                return url
        time.sleep(0.2)
    raise TimeoutError(f"no URL printed in {log} within {timeout:.0f}s")


def voila_command(port: int, notebook: Path) -> list[str]:
    """Voilà serving one notebook on 127.0.0.1:port."""
    return [
        sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
        "--Voila.ip=127.0.0.1", "--Voila.root_dir=" + str(notebook.parent),
    ]  # fmt: skip


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
