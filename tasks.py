#!/usr/bin/env python3
"""The two commands of envlib, plus a few helpers; needs only Python 3.10+.

    python3 tasks.py explore   # set up .venv if needed, open JupyterLab on the onboarding notebook
    python3 tasks.py test      # set up .venv if needed, run lint, types and the whole test suite

Other tasks: ``voila`` (the explorer as a standalone page), ``notebooks`` (re-execute and save
every notebook with its outputs), ``bench`` (engine speed against kubectl), ``setup``.

Set-up is idempotent: the virtual environment is created once, and the project is reinstalled
only when ``pyproject.toml`` changed (a stamp file in ``.venv`` records its hash).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".envlib-install-stamp"
NOTEBOOKS = ROOT / "notebooks"
ONBOARDING = "notebooks/01-onboarding.ipynb"
EXPLORER = "notebooks/05-explorer.ipynb"


def _run(*cmd: str | Path, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)


def _check(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    code = _run(*cmd, env=env)
    if code != 0:
        sys.exit(code)


def _step(title: str, *cmd: str | Path) -> None:
    """Run one set-up step as a single progress line; its output is shown only if it fails."""
    print(f"{title} ...", end=" ", flush=True)
    proc = subprocess.run([str(c) for c in cmd], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        print("failed", flush=True)
        sys.stdout.write(proc.stdout + proc.stderr)
        sys.exit(proc.returncode)
    print("done", flush=True)


def setup() -> None:
    """Create .venv and install the project with its test extras, only when needed."""
    if sys.version_info < (3, 10):  # noqa: UP036 - tasks.py runs on any python3
        sys.exit("envlib needs Python 3.10 or newer")
    if not PY.exists():
        print(f"creating virtual environment in {VENV} ...", end=" ", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        print("done", flush=True)
        _step("upgrading pip", PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    _step(
        "installing envlib with its test, Voila and Helm extras (a few minutes the first time)",
        PY, "-m", "pip", "install", "--quiet", "-e", ".[test,voila,helm]",
    )  # fmt: skip
    STAMP.write_text(digest + "\n")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ENVLIB_REPO", str(ROOT / "k8s"))
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # deterministic notebook outputs (matplotlib hashes, pandas widths)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


# JupyterLab's file browser follows the folder of a notebook opened by URL (/lab/tree/...),
# which would hide k8s/. A named workspace instead restores both: the onboarding notebook as
# the open tab and the file browser at the repository root. It lives in the git-ignored
# .venv, never in the repository, and is rewritten at each launch so every run starts there.
LAB_WORKSPACE = "envlib"
LAB_WORKSPACES = VENV / "envlib-lab-workspaces"


def workspace_file(workspaces: Path) -> Path:
    """Where jupyterlab_server looks for the ``envlib`` workspace (its slug: name-sha256[:4])."""
    digest = hashlib.sha256(LAB_WORKSPACE.encode()).hexdigest()[:4]
    return workspaces / f"{LAB_WORKSPACE}-{digest}.jupyterlab-workspace"


def write_workspace(workspaces: Path) -> None:
    """The workspace explore opens: the onboarding notebook in front, the file browser at /."""
    tab = f"notebook:{ONBOARDING}"
    layout = {
        "main": {
            "dock": {"type": "tab-area", "currentIndex": 0, "widgets": [tab]},
            "current": tab,
        },
        "left": {"collapsed": False, "current": "filebrowser", "widgets": ["filebrowser"]},
    }
    data = {
        "layout-restorer:data": layout,
        tab: {"data": {"path": ONBOARDING, "factory": "Notebook"}},
        "file-browser-filebrowser:cwd": {"path": ""},
    }
    workspaces.mkdir(parents=True, exist_ok=True)
    workspace = {"data": data, "metadata": {"id": LAB_WORKSPACE}}
    workspace_file(workspaces).write_text(json.dumps(workspace, indent=1) + "\n")


def lab_command(python: str | Path, workspaces: Path) -> list[str]:
    """JupyterLab as explore starts it (the browser test starts it the same way).

    Rooted at the repository, so k8s/ is in the file browser; its default URL, the one printed
    in the terminal, is the workspace written by :func:`write_workspace`.
    """
    write_workspace(workspaces)
    return [
        str(python), "-m", "jupyterlab",
        f"--ServerApp.root_dir={ROOT}", f"--LabApp.workspaces_dir={workspaces}",
        f"--LabApp.default_url=/lab/workspaces/{LAB_WORKSPACE}",
    ]  # fmt: skip


def explore() -> None:
    """Open JupyterLab on the onboarding notebook, working on the embedded k8s/."""
    setup()
    extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    _check(*lab_command(PY, LAB_WORKSPACES), *extra, *sys.argv[2:], env=_env())


def voila() -> None:
    """Serve the explorer notebook as a standalone Voilà page."""
    setup()
    _check(BIN / "voila", EXPLORER, env=_env())


def notebooks() -> None:
    """Re-execute every notebook in place and save it with its outputs (regenerate references)."""
    setup()
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        _check(PY, "-m", "envlib.nbtools", "execute", nb, env=_env())


def bench() -> None:
    """Print engine timings next to kubectl kustomize."""
    setup()
    _check(PY, "bench/bench_build.py", *sys.argv[2:], env=_env())


LINTED = ["envlib", "tests", "bench", "tools"]  # ruff check and ruff format --check


def test() -> None:
    """Lint, type-check and run every test: unit, differential, notebooks (nbval), browser."""
    setup()
    env = _env()
    failures: list[str] = []
    steps: list[tuple[str, list[str | Path]]] = [
        ("ruff", [PY, "-m", "ruff", "check", *LINTED, "tasks.py"]),
        ("ruff format", [PY, "-m", "ruff", "format", "--check", *LINTED]),
        ("mypy", [PY, "-m", "mypy"]),
        ("pytest", [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]),
        (
            "nbval",
            [
                PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                "--nbval-current-env", "--nbval-sanitize-with", "notebooks/sanitize.cfg",
                "notebooks",
            ],
        ),
    ]  # fmt: skip
    for name, cmd in steps:
        code = _run(*cmd, env=env)
        if code == 5:
            print(f"{name}: no tests were collected - counted as a failure", flush=True)
        if code != 0:
            failures.append(f"{name} (exit {code})")
    if failures:
        print("FAILED: " + ", ".join(failures), flush=True)
        sys.exit(1)
    print("all checks passed", flush=True)


TASKS = {
    "setup": setup,
    "explore": explore,
    "voila": voila,
    "notebooks": notebooks,
    "bench": bench,
    "test": test,
}


def main() -> None:
    """Run the task named on the command line."""
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in TASKS:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(TASKS)}}}")
    TASKS[name]()


if __name__ == "__main__":
    main()
