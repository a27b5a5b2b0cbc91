"""Argo CD parameter override files: ``.argocd-source.yaml`` and ``.argocd-source-<app>.yaml``.

Why: Argo CD Image Updater (and people) pin images and parameters by committing these files
next to the source path instead of editing the Application; Argo CD's repo server merges them
into the source before it decides the source type and builds (``mergeSourceParameters`` in
``reposerver/repository/repository.go``). So an environment is only what Argo CD deploys if
they are merged the same way:

1. ``.argocd-source.yaml`` first, then ``.argocd-source-<app name>.yaml`` (either may be
   missing; a directory of that name is skipped);
2. each file is a JSON merge patch (RFC 7386) on the source as JSON: maps merge key by
   key, a list or a scalar replaces the whole value, ``null`` deletes;
3. afterwards ``repoURL``, ``path``, ``chart`` and ``targetRevision`` are put back: a
   parameter file cannot move the source.

Argo CD first re-encodes the source through its Go types, which drops fields it does not
know and empty values; envlib merges into the mapping as written (unknown keys stay, and
are ignored by the renderers).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from envlib.errors import LoadError, SourceLocation
from envlib.kustomize.load import fs
from envlib.kustomize.load.fs import display_path

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEPT = ("repoURL", "path", "chart", "targetRevision")
REPO_FILE = ".argocd-source.yaml"
APP_FILE = ".argocd-source-{}.yaml"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch of ``patch`` onto ``target`` (neither is modified)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def parameter_files(directory: Path, app_name: str) -> list[Path]:
    """The override files Argo CD would read for ``app_name`` in ``directory``, in order."""
    names = [REPO_FILE] + ([APP_FILE.format(app_name)] if app_name else [])
    return [directory / n for n in names if fs.isfile(directory / n)]


def _read(file: Path) -> Any:
    shown = display_path(file)
    try:
        data = yaml.load(fs.read_text(file), Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise LoadError(
            f"Argo CD parameter file: {exc.problem}", location=SourceLocation(shown, line)
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"Argo CD parameter file: {exc}", location=SourceLocation(shown)) from None
    if data is not None and not isinstance(data, dict):
        raise LoadError(
            f"Argo CD parameter file must be a mapping, not {type(data).__name__}",
            location=SourceLocation(shown, 1),
        )
    return data


def merge_parameter_files(
    source: dict[str, Any], directory: Path, app_name: str
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """``source`` with the parameter files of ``directory`` merged in, and the files used.

    Raises :class:`LoadError` (file and line) for a file that is not YAML or not a mapping,
    as Argo CD refuses to generate manifests then.
    """
    merged: Any = copy.deepcopy(source)
    used: list[str] = []
    for file in parameter_files(directory, app_name):
        patch = _read(file)
        merged = merge_patch(merged, patch) if patch is not None else merged
        used.append(display_path(file))
    out: dict[str, Any] = merged if isinstance(merged, dict) else {}
    for key in _KEPT:
        if key in source:
            out[key] = source[key]
        else:
            out.pop(key, None)
    return out, tuple(used)


__all__ = ["APP_FILE", "REPO_FILE", "merge_parameter_files", "merge_patch", "parameter_files"]
