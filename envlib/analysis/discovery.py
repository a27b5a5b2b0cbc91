"""Which directories of a repository are its environments, and where Argo CD deploys them.

An environment is a kustomization directory with a name (``dev``, ``prod``) and, when an Argo
CD Application deploys it, that Application (cluster, namespace, sync policy,
ignoreDifferences). Discovery, in order of preference:

1. directories given explicitly (``{"dev": "path/to/dev"}`` or a list of paths);
2. Argo CD ``Application`` (and list / git-directory ``ApplicationSet``) manifests found in the
   repository, whose source path exists in this checkout;
3. ``base`` plus every ``overlays/*`` kustomization (up to three levels down);
4. the repository itself when it is one kustomization, else every kustomization below it.

Nothing here builds: :mod:`envlib.analysis.environments` renders what this finds (and
re-exports these names, which is where callers import them from).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from envlib.errors import LoadError, SourceLocation
from envlib.kustomize.load import fs
from envlib.kustomize.load.fs import display_path
from envlib.kustomize.load.kustomization import KUSTOMIZATION_FILE_NAMES as KUSTOMIZATION_FILES
from envlib.kustomize.load.kustomization import has_kustomization

from . import argocd

__all__ = ["KUSTOMIZATION_FILES", "has_kustomization"]  # re-exported by .environments
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_EMBEDDED = Path(__file__).resolve().parent.parent.parent / "k8s"


def walk_dirs(root: Path, max_depth: int) -> list[Path]:
    """Directories below ``root`` (itself included) up to ``max_depth``, sorted, skipping noise."""
    out: list[Path] = []
    for current, dirs, _files in fs.walk(root):
        here = Path(current)
        depth = len(here.relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        if depth >= max_depth:
            dirs[:] = []
        out.append(here)
    return sorted(out)


def subdirs(directory: Path) -> list[Path]:
    """The subdirectories of ``directory``, sorted (read through the active file system)."""
    try:
        names = fs.listdir(directory)
    except OSError:
        return []
    return [directory / n for n in names if fs.isdir(directory / n)]


def holds_kustomization_tree(directory: Path) -> bool:
    """Whether a directory is (or contains, up to 3 levels down) a kustomization."""
    return fs.isdir(directory) and any(has_kustomization(d) for d in walk_dirs(directory, 3))


def default_repo(cwd: Path | None = None) -> Path:
    """The current directory when it holds a kustomization tree, else the embedded ``k8s/``."""
    here = Path.cwd() if cwd is None else cwd
    if holds_kustomization_tree(here):
        return here
    return _EMBEDDED


@dataclass(frozen=True, eq=False)
class Environment:
    """One deployable environment: a kustomization directory plus its Argo CD context.

    The Argo CD context is the :class:`~.argocd.AppSource` itself (``NO_APP`` when no
    Application deploys the directory) rather than a copy of its fields.
    """

    name: str
    path: Path | None
    repo: Path
    source: str = "overlays"
    app: argocd.AppSource = argocd.NO_APP
    note: str = ""

    @property
    def application(self) -> str:
        """The name of the Argo CD Application deploying this environment ("" when none)."""
        return self.app.name

    @property
    def cluster(self) -> str:
        """The Application's destination cluster (name or server; "" when none)."""
        return self.app.cluster

    @property
    def display_path(self) -> str:
        """The kustomization directory relative to the repository (or as given)."""
        if self.path is None:
            return ""
        try:
            rel = self.path.relative_to(self.repo)
        except ValueError:
            return display_path(self.path)
        return str(rel) if str(rel) != "." else "."


# -- discovery -------------------------------------------------------------------------------
def _explicit(
    repo: Path, paths: Mapping[str, str | Path] | Sequence[str | Path]
) -> list[Environment]:
    items: list[tuple[str | None, str | Path]]
    if isinstance(paths, Mapping):
        items = [(name, path) for name, path in paths.items()]
    else:
        items = [(None, path) for path in paths]
    envs: list[Environment] = []
    for name, raw in items:
        path = Path(raw)
        if not path.is_absolute():
            path = (repo / path) if fs.isdir(repo / path) else Path(os.path.abspath(path))
        if not has_kustomization(path):
            raise LoadError(
                f"no kustomization file ({', '.join(KUSTOMIZATION_FILES)}) in {display_path(path)}",
                location=SourceLocation(display_path(path)),
            )
        envs.append(Environment(name or path.name, path, repo, source="explicit"))
    return _dedupe_names(envs)


def _dedupe_names(envs: list[Environment]) -> list[Environment]:
    """Make names unique by qualifying clashes with their relative path."""
    counts: dict[str, int] = {}
    for env in envs:
        counts[env.name] = counts.get(env.name, 0) + 1
    out: list[Environment] = []
    for env in envs:
        if counts[env.name] > 1:
            better = env.application or env.display_path or env.name
            env = replace(env, name=better)
        out.append(env)
    return out


def _overlays(repo: Path) -> list[Environment]:
    envs: list[Environment] = []
    for directory in walk_dirs(repo, 3):
        if directory.name != "overlays":
            continue
        children = [d for d in subdirs(directory) if has_kustomization(d)]
        if not children:
            continue
        base = directory.parent / "base"
        if has_kustomization(base):
            envs.append(Environment("base", base, repo, source="overlays"))
        envs.extend(Environment(child.name, child, repo, source="overlays") for child in children)
    return _dedupe_names(envs)


def _kustomization_data(directory: Path) -> dict[str, Any] | None:
    """The parsed kustomization file of ``directory`` (best effort: None when unreadable)."""
    for name in KUSTOMIZATION_FILES:
        file = directory / name
        if not fs.isfile(file):
            continue
        try:
            data = yaml.load(fs.read_text(file), Loader=_LOADER)
        except (yaml.YAMLError, LoadError):
            return None
        return data if isinstance(data, dict) else None
    return None


def _kustomization_refs(directory: Path) -> list[str]:
    """The local ``resources``/``bases``/``components`` entries of a kustomization (best effort)."""
    data = _kustomization_data(directory)
    if data is None:
        return []
    entries = [data.get(k) for k in ("resources", "bases", "components")]
    return [str(e) for items in entries if isinstance(items, list) for e in items]


def _is_component(directory: Path) -> bool:
    """``kind: Component``: a mix-in other kustomizations pull in, not an environment."""
    data = _kustomization_data(directory)
    return data is not None and data.get("kind") == "Component"


def _uses_base(directory: Path, base: Path) -> bool:
    return any(
        fs.realpath(directory / ref) == fs.realpath(base)
        for ref in _kustomization_refs(directory)
        if not ref.startswith(("http://", "https://", "git@", "github.com/"))
    )


def _layout_of(root: Path) -> list[Environment]:
    """The environments a single kustomization directory is one of, when its layout says so.

    A platform engineer pointing at ``overlays/staging`` (or at ``base``) of a base + overlays
    layout wants to compare it with its siblings, so the layout's environments are returned:
    ``base`` plus ``overlays/*``, or ``base`` plus the sibling directories whose kustomization
    uses ``../base`` (kustomize's "multibases" layout). Empty when the root stands alone.
    """
    parent = root.parent
    if parent.name == "overlays":
        return _overlays_at(parent.parent, parent)
    if root.name == "base" and fs.isdir(parent / "overlays"):
        found = _overlays_at(parent, parent / "overlays")
        if found:
            return found
    base = parent / "base"
    if not has_kustomization(base) or (root != base and not _uses_base(root, base)):
        return []
    members = [base] + [
        d for d in subdirs(parent) if d != base and has_kustomization(d) and _uses_base(d, base)
    ]
    if len(members) < 2:
        return []
    return [Environment(d.name, d, parent, source="siblings") for d in members]


def _overlays_at(layout: Path, overlays: Path) -> list[Environment]:
    children = [d for d in subdirs(overlays) if has_kustomization(d)]
    base = layout / "base"
    envs = [Environment("base", base, layout)] if has_kustomization(base) else []
    envs.extend(Environment(child.name, child, layout) for child in children)
    return _dedupe_names(envs) if len(envs) >= 2 else []


def _roots(repo: Path) -> list[Environment]:
    if has_kustomization(repo):
        layout = _layout_of(repo)
        if not layout:
            return [Environment(repo.name, repo, repo, source="root")]
        given = "the directory given; the others share its layout"
        return [replace(e, note=given) if e.path == repo else e for e in layout]
    found = [d for d in walk_dirs(repo, 2) if has_kustomization(d) and not _is_component(d)]
    envs = [Environment(str(d.relative_to(repo)), d, repo, source="root") for d in found]
    return envs


def discover(
    repo: str | Path | None = None,
    paths: Mapping[str, str | Path] | Sequence[str | Path] = (),
) -> list[Environment]:
    """The environments of ``repo`` (default: :func:`default_repo`), see the module docstring.

    Raises :class:`LoadError` when the repository does not exist or holds no kustomization.
    """
    root = Path(os.path.abspath(repo)) if repo is not None else default_repo()
    if not fs.isdir(root):
        raise LoadError(
            f"repository {display_path(root)} is not a directory",
            location=SourceLocation(display_path(root)),
        )
    if paths:
        return _explicit(root, paths)
    apps = argocd.find_applications(root, walk_dirs(root, 4))
    resolved = [app for app in apps if app.path is not None]
    if resolved:
        return _dedupe_names([_from_app(root, app) for app in apps])
    envs = _overlays(root) or _roots(root)
    if not envs:
        raise LoadError(
            f"no kustomization found in {display_path(root)} (looked for Argo CD Applications, "
            "base + overlays/*, and kustomization files up to two levels down)",
            location=SourceLocation(display_path(root)),
        )
    return envs


def _from_app(repo: Path, app: argocd.AppSource) -> Environment:
    name = app.name
    if app.path is not None:
        if app.path.parent.name == "overlays" or app.path.name == "base":
            name = app.path.name
    return Environment(name=name, path=app.path, repo=repo, source=app.kind, app=app, note=app.note)


_KNOWN_SHOWN = 12  # names an unknown-environment error lists; the rest are counted


def select(envs: Sequence[Environment], name: str) -> Environment:
    """The environment called ``name`` (or whose Application or path is ``name``)."""
    for env in envs:
        if name in (env.name, env.application):
            return env
    for env in envs:
        if env.path is not None and name in (env.display_path, str(env.path)):
            return env
    names = list(dict.fromkeys(env.name for env in envs))
    known = ", ".join(names[:_KNOWN_SHOWN]) or "none"
    if len(names) > _KNOWN_SHOWN:
        known += f" and {len(names) - _KNOWN_SHOWN} more (envlib envs lists them)"
    raise LoadError(f"unknown environment {name!r} (known: {known})")
