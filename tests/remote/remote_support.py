"""Real parts for remote-resource tests: bare git repos, `git daemon`, `http.server`.

Helpers only; the module-scoped fixtures that start the servers are in conftest.py.

One module-scoped :class:`World` per test module:

* bare repositories made here (tags, a branch, commits) under ``srv/``, served by
  ``git daemon --export-all`` on 127.0.0.1 and reachable as ``file://`` too;
* a ``GIT_CONFIG_GLOBAL`` file with ``url.<daemon>.insteadOf`` rules, so
  ``https://github.com/org/repo//path?ref=v1`` (and ``git@github.com:``, Azure ``_git``
  URLs) reach those repositories - exactly how a user behind a mirror works;
* ``python -m http.server`` on 127.0.0.1 for file URLs;
* ``HTTPS_PROXY`` pointing at a closed port, so the ``GET`` kustomize (and envlib) try first
  for ``https://`` entries fails at once instead of reaching github.com;
* HOME / XDG directories in the temporary tree for kubectl, git and envlib alike.

Everything has a timeout and the servers are killed at teardown.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


class Tripwire:
    """A TCP listener that accepts and holds connections: a hanging server, or a detector."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            self._held.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self.sock.close()


@dataclass
class Run:
    rc: int
    stdout: bytes
    stderr: str


@dataclass
class World:
    root: Path
    env: dict[str, str]
    git_port: int
    http_port: int
    kubectl: str
    shas: dict[str, str] = field(default_factory=dict)

    def write(self, files: dict[str, str], base: str) -> Path:
        top = self.root / "local" / base
        for rel, text in files.items():
            target = top / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        return top

    def run_kubectl(self, directory: Path) -> Run:
        proc = subprocess.run(
            [self.kubectl, "kustomize", str(directory)],
            capture_output=True,
            env=self.env,
            timeout=TIMEOUT,
            cwd=self.root,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr.decode(errors="replace"))

    def run_envlib(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """``envlib ARGS`` in this process (fast), as a fresh process would see it.

        The environment is swapped wholesale (git, urllib and the cache read it), stdout and
        stderr are captured as bytes, and the per-process fetch memo is cleared first.
        """
        from unittest import mock

        from envlib import cli
        from envlib.kustomize.load.remote import session

        session.forget()
        out, err = io.TextIOWrapper(io.BytesIO()), io.TextIOWrapper(io.BytesIO())
        old_cwd = os.getcwd()
        try:
            os.chdir(self.root)
            with (
                mock.patch.dict(os.environ, env or self.env, clear=True),
                mock.patch.object(sys, "stdout", out),
                mock.patch.object(sys, "stderr", err),
            ):
                rc = cli.main(list(args))
                out.flush()
                err.flush()
        finally:
            os.chdir(old_cwd)
            session.forget()
        stdout = out.buffer.getvalue()  # type: ignore[attr-defined]
        stderr = err.buffer.getvalue().decode(errors="replace")  # type: ignore[attr-defined]
        return Run(rc, stdout, stderr)

    def run_envlib_process(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """``python -m envlib ARGS`` as a subprocess (the real command line, end to end)."""
        proc = subprocess.run(
            [sys.executable, "-m", "envlib", *args],
            capture_output=True,
            env=env or self.env,
            timeout=TIMEOUT,
            cwd=self.root,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr.decode(errors="replace"))


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


class RepoMaker:
    """Make bare repositories below ``srv/`` from dicts of files, one commit at a time."""

    def __init__(self, srv: Path, work: Path, env: dict[str, str]) -> None:
        self.srv, self.work, self.env = srv, work, env

    def create(self, name: str) -> Path:
        bare = self.srv / f"{name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "--bare", "-b", "main", str(bare), cwd=self.srv, env=self.env)
        tree = self.work / name
        tree.mkdir(parents=True)
        git("init", "-q", "-b", "main", cwd=tree, env=self.env)
        git("remote", "add", "origin", str(bare), cwd=tree, env=self.env)
        return tree

    def commit(
        self,
        name: str,
        files: dict[str, str],
        *,
        tag: str = "",
        branch: str = "main",
        gitlinks: dict[str, str] | None = None,
    ) -> str:
        tree = self.work / name
        current = git("symbolic-ref", "--short", "HEAD", cwd=tree, env=self.env)
        if current != branch:
            git("checkout", "-q", "-B", branch, cwd=tree, env=self.env)
        for rel, text in files.items():
            target = tree / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git("add", "-A", cwd=tree, env=self.env)
        for path, sha in (gitlinks or {}).items():
            git(
                "update-index",
                "--add",
                "--cacheinfo",
                f"160000,{sha},{path}",
                cwd=tree,
                env=self.env,
            )
        git("commit", "-q", "-m", f"{name} {tag or branch}", cwd=tree, env=self.env)
        if tag:
            git("tag", tag, cwd=tree, env=self.env)
        git("push", "-q", "origin", branch, "--tags", cwd=tree, env=self.env)
        return git("rev-parse", "HEAD", cwd=tree, env=self.env)
