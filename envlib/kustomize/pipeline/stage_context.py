"""What every pipeline stage shares: the kustomization, its directory, trace steps, locations.

:class:`Stages` is the base of :class:`~envlib.kustomize.pipeline.level_steps.LevelSteps` (per
kustomization) and
:class:`~envlib.kustomize.pipeline.root_steps.RootSteps` (root only); the helpers here read a
kustomization's fields whether it is the typed model or a plain stand-in, so the stage code needs
neither.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envlib.errors import SourceLocation
from envlib.kustomize.core.resource import ResMap
from envlib.kustomize.core.trace import Step
from envlib.kustomize.load import fs
from envlib.kustomize.load.kustomization import KUSTOMIZATION_FILE_NAMES

if TYPE_CHECKING:
    from envlib.kustomize.pipeline.build import Builder

# step kind -> kustomize's builtin transformer (named in buildMetadata transformer annotations)
BUILTIN_PLUGINS = {
    "patchesStrategicMerge": "PatchStrategicMergeTransformer",
    "patch": "PatchTransformer",
    "namespace": "NamespaceTransformer",
    "namePrefix": "PrefixTransformer",
    "nameSuffix": "SuffixTransformer",
    "labels": "LabelTransformer",
    "commonLabels": "LabelTransformer",
    "commonAnnotations": "AnnotationsTransformer",
    "patchesJson6902": "PatchJson6902Transformer",
    "replicas": "ReplicaCountTransformer",
    "images": "ImageTagTransformer",
    "replacements": "ReplacementTransformer",
}


def kustomization_file(directory: Path) -> Path:
    """The kustomization file of ``directory`` (first existing name, else the default)."""
    for name in KUSTOMIZATION_FILE_NAMES:
        candidate = directory / name
        if fs.isfile(candidate):
            return candidate
    return directory / KUSTOMIZATION_FILE_NAMES[0]


def field_value(kust: Any, name: str, default: Any = None) -> Any:
    """A kustomization field by its YAML name (``namePrefix``) or snake_case attribute."""
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name)
    for attr in (snake, name):
        if hasattr(kust, attr):
            value = getattr(kust, attr)
            return default if value is None else value
    return default


def as_plain(value: Any) -> Any:
    """Dataclass entries -> plain dicts with kustomize's camelCase keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None:
                continue
            parts = f.name.split("_")
            key = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
            out[key] = as_plain(item)
        return out
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    return value


class Stages:
    """Shared state of one kustomization's stages."""

    def __init__(self, builder: Builder, directory: Path, kust: Any, resmap: ResMap) -> None:
        self.builder = builder
        self.directory = directory
        self.kust = kust
        self.resmap = resmap
        self.kust_file = Path(getattr(kust, "path", None) or kustomization_file(directory))
        self.display = fs.display_path(self.kust_file)
        # kustomize: a remote root (and everything below it) is always root-only restricted
        self.restrict = builder.options.restrict or fs.mount_of(directory) is not None

    def location(self, *path: str | int) -> SourceLocation:
        """file:line of a field of this kustomization."""
        locate = getattr(self.kust, "location", None)
        if callable(locate):
            try:
                loc = locate(*path)
                if isinstance(loc, SourceLocation):
                    return loc
            except (KeyError, IndexError, TypeError, ValueError):
                pass
        return SourceLocation(self.display)

    def step(
        self, name: str, kind: str, description: str, *loc: str | int, patch_type: str | None = None
    ) -> Step:
        """A new trace step for field ``name`` (``patches[0]``) of this kustomization."""
        return Step(
            id=self.builder.step_id(self.kust_file, name),
            kind=kind,
            location=self.location(*loc) if loc else SourceLocation(self.display),
            description=description,
            patch_type=patch_type,
            level=self.display,
            builtin=BUILTIN_PLUGINS.get(kind),
        )

    def run(self, names: Sequence[str]) -> Any:
        """Run the stages in order (the order is the caller's, from build.py)."""
        result = None
        for name in names:
            stage: Callable[[], Any] = getattr(self, "stage_" + name)
            result = stage()
        return result
