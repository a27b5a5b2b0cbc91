"""The house rules a newcomer reads in ARCHITECTURE.md and the README, checked against the tree.

* import-linter contracts (``[tool.importlinter]`` in pyproject.toml): the layering engine ->
  analysis -> widgets/commands, the engine's stage order, and no import cycle between any two
  sibling modules or packages anywhere in ``envlib/`` (so no module-level cycle at all);
* the README's folder map and ARCHITECTURE.md name exactly the folders that exist.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]


def _tracked_dirs() -> set[str]:
    """Top-level folders and every package folder under envlib/, as git tracks them."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    tops = {f.split("/", 1)[0] + "/" for f in files if "/" in f}
    packages = {
        str(Path(f).parent) + "/"
        for f in files
        if f.startswith("envlib/") and (f.endswith("/__init__.py") or f.endswith(".json"))
    }
    return (tops | packages) - {"envlib/"}


def _map_paths(text: str, heading: str) -> set[str]:
    """The backticked folder names in the first column of the table under ``heading``."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    paths: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            paths.update(p for p in re.findall(r"`([^`]+)`", first) if p.endswith("/"))
    return paths


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint), "--no-cache", "--config", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout and "broken" in proc.stdout


def test_contracts_cover_every_engine_stage() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    engine = next(c for c in contracts if c.get("containers") == ["envlib.kustomize"])
    named = {name.strip() for layer in engine["layers"] for name in layer.split("|")}
    stages = {
        p.name for p in (ROOT / "envlib/kustomize").iterdir() if (p / "__init__.py").is_file()
    }
    assert stages == named, f"stage packages vs the layers contract: {stages ^ named}"


def test_readme_folder_map_matches_the_tree() -> None:
    listed = _map_paths((ROOT / "README.md").read_text(), "## Folder map")
    tree = _tracked_dirs()
    assert not listed - tree, f"README lists folders that do not exist: {sorted(listed - tree)}"
    assert not tree - listed, f"README's folder map misses: {sorted(tree - listed)}"


def test_architecture_names_every_envlib_folder() -> None:
    listed = _map_paths((ROOT / "ARCHITECTURE.md").read_text(), "## Folders")
    tree = {d for d in _tracked_dirs() if d.startswith("envlib/")}
    assert listed == tree, (sorted(tree - listed), sorted(listed - tree))
