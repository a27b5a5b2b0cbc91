"""Fetch a git repository with the system ``git``, running exactly kustomize's commands.

kustomize's ``ClonerUsingGitExec`` (``api/internal/git/cloner.go``) runs, in an empty
directory, each with the URL's timeout (default 27 s)::

    git init
    git remote add origin <clone URL>
    git fetch --depth=1 <clone URL> <ref or HEAD>
    git checkout FETCH_HEAD
    git submodule update --init --recursive      # unless ?submodules=false

Running the real ``git`` (not a library) is the point: the user's git configuration applies
unchanged - credential helpers, ``url.<base>.insteadOf`` mirrors, proxies, SSH keys. The
environment is passed through as is; stdin is closed, so nothing waits for a prompt longer
than the timeout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from envlib.kustomize.load.remote.repospec import RepoSpec


class GitFailure(Exception):
    """A git command failed or timed out; ``str()`` is kustomize's text for it."""

    def __init__(self, text: str, *, timed_out: bool = False) -> None:
        super().__init__(text)
        self.timed_out = timed_out


def commands(spec: RepoSpec) -> list[list[str]]:
    """The git argument lists kustomize runs for ``spec``, in order."""
    out = [
        ["init"],
        ["remote", "add", "origin", spec.clone_spec],
        ["fetch", "--depth=1", spec.clone_spec, spec.ref or "HEAD"],
        ["checkout", "FETCH_HEAD"],
    ]
    if spec.submodules:
        out.append(["submodule", "update", "--init", "--recursive"])
    return out


def clone(spec: RepoSpec, directory: Path) -> None:
    """Fetch ``spec`` into the empty ``directory`` (raises :class:`GitFailure`)."""
    program = shutil.which("git")
    if program is None:
        raise GitFailure(
            "no 'git' program on path: exec: \"git\": executable file not found in $PATH"
        )
    for args in commands(spec):
        _run(program, args, directory, spec.timeout)


def _run(program: str, args: list[str], directory: Path, timeout: float) -> None:
    shown = " ".join([program, *args])
    proc = subprocess.Popen(
        [program, *args],
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a timeout kills git and the helpers it started
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise GitFailure(
            f"hit {go_duration(timeout)} timeout running '{shown}'", timed_out=True
        ) from None
    if proc.returncode != 0:
        text = output.decode("utf-8", errors="replace")
        status = (
            f"signal: {signal.Signals(-proc.returncode).name}"
            if proc.returncode < 0
            else f"exit status {proc.returncode}"
        )
        raise GitFailure(f"failed to run '{shown}': {text}: {status}")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.communicate()


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String`` for a whole or fractional number of seconds."""
    if seconds < 1:
        millis = seconds * 1000
        return f"{millis:g}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs:.9f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{int(hours)}h{int(minutes)}m{text}"
    if minutes:
        return f"{int(minutes)}m{text}"
    return text


__all__ = ["GitFailure", "clone", "commands", "go_duration"]
