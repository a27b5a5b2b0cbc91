"""Argo CD's ``kustomize.buildOptions``: from ``.envlib/argocd.yaml`` or an ``argocd-cm`` ConfigMap.

Why: Argo CD runs ``kustomize build <path> <buildOptions>`` with the options of its
``argocd-cm`` ConfigMap (``data."kustomize.buildOptions"``), e.g. ``--load-restrictor
LoadRestrictionsNone``, which changes what builds at all. The ConfigMap is often committed
in the same repository (Argo CD managing itself); otherwise the user states it in envlib's
repository config, which wins when both exist::

    # .envlib/argocd.yaml (or envlib-argocd.yaml)
    kustomize:
      buildOptions: --load-restrictor LoadRestrictionsNone

Of kustomize's build flags envlib applies ``--load-restrictor`` and ``--enable-helm`` (charts
rendered by Helm, :mod:`envlib.helm`); ``--enable-alpha-plugins`` / ``--enable-exec`` and the
like are reported as not applied (envlib runs no plugins).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from envlib.errors import LoadError, SourceLocation
from envlib.kustomize.load import fs
from envlib.kustomize.load.fs import display_path

from .discovery import walk_dirs

CONFIG_NAMES = (".envlib/argocd.yaml", "envlib-argocd.yaml", ".envlib-argocd.yaml")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEY = "kustomize.buildOptions"
_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class BuildOptions:
    """The build options in effect: where they come from and what envlib makes of them."""

    text: str = ""
    origin: str = ""
    load_restrictor: str = "LoadRestrictionsRootOnly"
    ignored: tuple[str, ...] = ()
    enable_helm: bool = False

    def describe(self) -> str:
        """One cell of the environments table (empty when there are no options)."""
        if not self.text:
            return ""
        tail = f" (not applied: {' '.join(self.ignored)})" if self.ignored else ""
        return f"buildOptions {self.text!r} from {self.origin}{tail}"


def parse_build_options(text: str, origin: str) -> BuildOptions:
    """kustomize build flags -> :class:`BuildOptions` (``--load-restrictor`` applied)."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    restrictor = "LoadRestrictionsRootOnly"
    enable_helm = False
    ignored: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        name, eq, value = word.partition("=")
        if name == "--load-restrictor":
            if not eq and index + 1 < len(words):
                index += 1
                value = words[index]
            restrictor = value
        elif name == "--enable-helm":
            enable_helm = value.lower() not in ("false", "0") if eq else True
        elif word.startswith("-"):
            ignored.append(word)
        index += 1
    return BuildOptions(text.strip(), origin, restrictor, tuple(ignored), enable_helm)


def _from_config(repo: Path) -> BuildOptions | None:
    for name in CONFIG_NAMES:
        file = repo / name
        if not fs.isfile(file):
            continue
        shown = display_path(file)
        try:
            data = yaml.load(fs.read_text(file), Loader=_LOADER) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise LoadError(f"not YAML: {exc}", location=SourceLocation(shown, line)) from None
        kustomize = data.get("kustomize") if isinstance(data, dict) else None
        text = kustomize.get("buildOptions") if isinstance(kustomize, dict) else None
        if isinstance(data, dict) and text is None:
            text = data.get(_KEY)
        if text is not None:
            return parse_build_options(str(text), shown)
    return None


def _is_argocd_cm(doc: Any) -> bool:
    if not isinstance(doc, dict) or doc.get("kind") != "ConfigMap":
        return False
    meta = doc.get("metadata")
    return isinstance(meta, dict) and meta.get("name") == "argocd-cm"


def _from_configmap(repo: Path) -> BuildOptions | None:
    for directory in walk_dirs(repo, 4):
        try:
            names = sorted(fs.listdir(directory))
        except OSError:
            continue
        for file in (directory / n for n in names if n.endswith((".yaml", ".yml"))):
            try:
                data = fs.read_bytes(file) if fs.isfile(file) else b""
            except LoadError:
                continue
            if len(data) > _MAX_BYTES or b"argocd-cm" not in data or _KEY.encode() not in data:
                continue
            try:
                docs = list(yaml.load_all(data.decode("utf-8", "replace"), Loader=_LOADER))
            except yaml.YAMLError:
                continue
            for doc in docs:
                values = doc.get("data") if _is_argocd_cm(doc) else None
                if isinstance(values, dict) and values.get(_KEY) is not None:
                    return parse_build_options(str(values[_KEY]), display_path(file))
    return None


@lru_cache(maxsize=32)
def _cached(repo: str, _stamp: Any) -> BuildOptions:
    root = Path(repo)
    return _from_config(root) or _from_configmap(root) or BuildOptions()


def build_options(repo: Path) -> BuildOptions:
    """The ``kustomize.buildOptions`` Argo CD would use for applications of ``repo``."""
    stamps = []
    for name in CONFIG_NAMES:
        file = repo / name
        stamps.append(fs.stamp(file) if fs.isfile(file) else None)
    return _cached(str(repo), (fs.current(), tuple(stamps)))


__all__ = ["CONFIG_NAMES", "BuildOptions", "build_options", "parse_build_options"]
