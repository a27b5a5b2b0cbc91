"""The typed model of a decoded kustomization file (what :mod:`envlib.kustomize.load.kustomization`
produces).

Kept apart from the strict decoder so that code which only *reads* kustomizations (the
build stages, generators, analysis) depends on plain dataclasses, not on the decoding rules.
Field names are the snake_case of kustomize's YAML names; ``location()`` / ``entry_name()``
map an entry back to where the user wrote it (legacy fields included).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envlib.errors import SourceLocation
from envlib.kustomize.core.selector import Selector
from envlib.kustomize.load import fs
from envlib.kustomize.load.kustomization_schema import PathKey

KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"

__all__ = [
    "COMPONENT_VERSION",
    "KUSTOMIZATION_VERSION",
    "FieldSpec",
    "GeneratorArgs",
    "GeneratorOptions",
    "Image",
    "Kustomization",
    "Label",
    "Patch",
    "PathKey",
    "Replica",
    "Selector",
    "SortOptions",
    "format_entry",
]


@dataclass
class Patch:
    """One ``patches`` / ``patchesJson6902`` entry."""

    path: str = ""
    patch: str = ""
    target: Selector | None = None
    options: dict[str, bool] = field(default_factory=dict)


@dataclass
class Image:
    """One ``images`` entry (``imageTags`` are appended here at load time)."""

    name: str = ""
    new_name: str = ""
    new_tag: str = ""
    tag_suffix: str = ""
    digest: str = ""


@dataclass
class Replica:
    """One ``replicas`` entry."""

    name: str = ""
    count: int = 0


@dataclass
class FieldSpec:
    """A field spec (``labels[].fields``): GVK + slash-separated path + create flag."""

    group: str = ""
    version: str = ""
    kind: str = ""
    path: str = ""
    create: bool = False


@dataclass
class Label:
    """One ``labels`` entry."""

    pairs: dict[str, str] = field(default_factory=dict)
    include_selectors: bool = False
    include_templates: bool = False
    fields: list[FieldSpec] = field(default_factory=list)


@dataclass
class GeneratorOptions:
    """``generatorOptions`` or a generator entry's ``options``."""

    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    disable_name_suffix_hash: bool = False
    immutable: bool = False


@dataclass
class GeneratorArgs:
    """One configMapGenerator / secretGenerator entry (``type`` is for Secrets only)."""

    name: str = ""
    namespace: str = ""
    behavior: str = ""
    literals: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)  # legacy ``env`` appended
    options: GeneratorOptions | None = None
    type: str = ""


@dataclass
class SortOptions:
    """``sortOptions`` (honoured on the root kustomization only)."""

    order: str = ""
    order_first: list[str] | None = None
    order_last: list[str] | None = None
    has_legacy_options: bool = False


@dataclass
class Kustomization:
    """A decoded, normalised kustomization file.

    Complex, rarely-used fields (replacements, vars, helm, openapi, metadata) are kept as
    decoded JSON-like values; everything the engine uses often is typed.
    """

    path: Path
    directory: Path
    kind: str = "Kustomization"
    api_version: str = KUSTOMIZATION_VERSION
    resources: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    crds: list[str] = field(default_factory=list)
    namespace: str = ""
    name_prefix: str = ""
    name_suffix: str = ""
    common_labels: dict[str, str] = field(default_factory=dict)
    labels: list[Label] = field(default_factory=list)
    common_annotations: dict[str, str] = field(default_factory=dict)
    patches_strategic_merge: list[str] = field(default_factory=list)
    patches_json6902: list[Patch] = field(default_factory=list)
    patches: list[Patch] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    replicas: list[Replica] = field(default_factory=list)
    replacements: list[dict[str, Any]] = field(default_factory=list)
    vars: list[dict[str, Any]] = field(default_factory=list)
    sort_options: SortOptions | None = None
    config_map_generator: list[GeneratorArgs] = field(default_factory=list)
    secret_generator: list[GeneratorArgs] = field(default_factory=list)
    generator_options: GeneratorOptions | None = None
    helm_globals: dict[str, Any] | None = None
    helm_charts: list[dict[str, Any]] = field(default_factory=list)
    configurations: list[str] = field(default_factory=list)
    generators: list[str] = field(default_factory=list)
    transformers: list[str] = field(default_factory=list)
    validators: list[str] = field(default_factory=list)
    build_metadata: list[str] = field(default_factory=list)
    openapi: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    line_map: dict[PathKey, int] = field(default_factory=dict, repr=False)
    aliases: dict[PathKey, PathKey] = field(default_factory=dict, repr=False)

    @property
    def display_path(self) -> str:
        """The file path for messages (relative to the current directory when below it)."""
        return fs.display_path(self.path)

    @property
    def is_component(self) -> bool:
        """``kind: Component``."""
        return self.kind == "Component"

    def source_path(self, *path: str | int) -> PathKey:
        """The path as written in the file (``resources[3]`` may really be ``bases[0]``)."""
        key: PathKey = tuple(path)
        for n in range(len(key), 0, -1):
            alias = self.aliases.get(key[:n])
            if alias is not None:
                return alias + key[n:]
        return key

    def location(self, *path: str | int) -> SourceLocation:
        """``file:line`` of an entry, e.g. ``location("patches", 0, "target")``.

        Falls back to the nearest enclosing entry that has a line.
        """
        key = self.source_path(*path)
        for n in range(len(key), -1, -1):
            line = self.line_map.get(key[:n])
            if line is not None:
                return SourceLocation(self.display_path, line)
        return SourceLocation(self.display_path)

    def entry_name(self, *path: str | int) -> str:
        """``patches[0]``, ``configMapGenerator[1].literals[0]``, ``commonLabels["a.b/c"]``."""
        return format_entry(self.source_path(*path))


def format_entry(path: PathKey) -> str:
    """A path as ``a.b[0].c``; keys with ``.[]"`` or spaces are written ``["..."]``."""
    out: list[str] = []
    for seg in path:
        if isinstance(seg, int):
            out.append(f"[{seg}]")
        elif seg and not any(ch in seg for ch in '.[]" '):
            out.append(f".{seg}" if out else seg)
        else:
            out.append(f"[{json.dumps(seg)}]")
    return "".join(out)
