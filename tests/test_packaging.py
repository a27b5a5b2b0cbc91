"""environment.yml (conda) and pyproject.toml must list the same packages."""

from __future__ import annotations

import re

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# conda-forge names that differ from the PyPI names
CONDA_TO_PYPI = {"python-kubernetes": "kubernetes", "types-pyyaml": "types-PyYAML"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pip_side |= {_name(r) for r in extra}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda_side = {
        _name(CONDA_TO_PYPI.get(_name(dep), dep))
        for dep in env["dependencies"]
        if isinstance(dep, str) and _name(dep) not in {"python", "pip"}
    }
    pip_entries = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # packages conda-forge does not carry (helm-python-sdk) come through pip:
    conda_side |= {_name(e) for e in pip_entries if not e.startswith("-")}
    assert conda_side == pip_side
    assert "-e ." in pip_entries, "the conda environment must install envlib itself"


def test_environment_yml_versions_match_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r): r.replace(" ", "") for r in project["dependencies"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            continue
        name = _name(CONDA_TO_PYPI.get(_name(dep), dep))
        if name in wanted:
            spec = dep.replace(" ", "")
            assert spec[len(_name(dep)) :] == wanted[name][len(name) :], dep
