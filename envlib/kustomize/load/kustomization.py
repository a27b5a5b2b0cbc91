"""The kustomization file: find it and decode it strictly like kustomize v5.5 into the model.

kustomize converts the YAML (go-yaml v2, YAML 1.1 typing) to JSON with *sorted keys* and then
decodes it with Go's ``encoding/json`` with unknown fields disallowed. Users therefore see
errors that depend on Go details, all reproduced here as ``kustomize_message``:

* the *first* problem in sorted-key order wins (``zzz: 1`` + ``aaa: 2`` reports ``"aaa"``);
* field names match case-insensitively (``NamePrefix:`` works);
* ``yes``/``on``/``y`` are booleans, so ``commonLabels: {v: yes}`` is a type error naming
  ``Go struct field Kustomization.commonLabels of type string``;
* ``null`` leaves strings/bools/ints alone, empties maps/lists/pointers, and a null map value
  becomes ``""``.

Our own message adds what kustomize lacks: ``file:line``, the entry path and a hint. After
decoding, the load steps run in kustomize's order: deprecation warnings, legacy normalisation
(``bases`` -> ``resources``, ``imageTags`` -> ``images``, generator ``env`` -> ``envs``,
``helmChartInflationGenerator`` -> ``helmCharts``), the "is empty" check, then kind/apiVersion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, TypeVar

from envlib.errors import (
    KustomizationError,
    LoadError,
    SourceLocation,
    YamlSyntaxError,
)
from envlib.kustomize.load import fs
from envlib.kustomize.load.kustomization_model import (
    COMPONENT_VERSION,
    KUSTOMIZATION_VERSION,
    FieldSpec,
    GeneratorArgs,
    GeneratorOptions,
    Image,
    Kustomization,
    Label,
    Patch,
    PathKey,
    Replica,
    Selector,
    SortOptions,
    format_entry,
)
from envlib.kustomize.load.kustomization_schema import KUSTOMIZATION, DecodeProblem, decode_strict
from envlib.kustomize.yaml.readers import load_kustomization_yaml

KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def has_kustomization(directory: Path) -> bool:
    """Whether ``directory`` holds a kustomization file (any of kustomize's three names)."""
    return any(fs.isfile(directory / name) for name in KUSTOMIZATION_FILE_NAMES)


_EDIT_FIX = "Run 'kustomize edit fix' to update your Kustomization automatically."
# (field, replacement, experimental) in kustomize's fixed warning order.
_DEPRECATED = (
    ("bases", "resources", False),
    ("commonLabels", "labels", False),
    ("imageTags", "images", False),
    ("patchesJson6902", "patches", False),
    ("patchesStrategicMerge", "patches", False),
    ("vars", "replacements", True),
)

_T = TypeVar("_T")


# -- finding and loading ---------------------------------------------------------------------
def find_kustomization_file(directory: Path) -> Path:
    """The one kustomization file of ``directory`` (kustomize's names, in its order)."""
    root = fs.realpath(directory)
    found = [Path(root, n) for n in KUSTOMIZATION_FILE_NAMES if fs.isfile(Path(root, n))]
    if len(found) == 1:
        return found[0]
    shown = fs.display_path(directory)
    if not found:
        raise LoadError(
            f"no kustomization file in {shown} (looked for kustomization.yaml, "
            "kustomization.yml, Kustomization)",
            location=SourceLocation(shown),
            kustomize_message="unable to find one of 'kustomization.yaml', "
            f"'kustomization.yml' or 'Kustomization' in directory '{root}'",
        )
    raise LoadError(
        f"several kustomization files in {shown}: " + ", ".join(p.name for p in found),
        location=SourceLocation(shown),
        kustomize_message=f"Found multiple kustomization files under: {root}",
    )


def _parse(text: str, path: Path) -> tuple[Any, dict[PathKey, int]]:
    """YAML 1.1 text -> (data, line map), with kustomize's wording on syntax errors."""
    try:
        data, line_map = load_kustomization_yaml(text, fs.display_path(path))
    except YamlSyntaxError as exc:
        inner = exc.kustomize_message or exc.message
        if not inner.startswith("invalid Kustomization"):
            exc.kustomize_message = f"invalid Kustomization: {inner}"
        raise
    return data, dict(line_map)


def load_kustomization(directory: Path) -> Kustomization:
    """Find, read, strictly decode and normalise the kustomization file of ``directory``."""
    directory = Path(directory)
    path = find_kustomization_file(directory)
    shown = fs.display_path(path)
    try:
        text = fs.read_text(path)
    except YamlSyntaxError as exc:
        exc.kustomize_message = f"invalid Kustomization: {exc.kustomize_message}"
        raise
    data, line_map = _parse(text, path)
    try:
        decoded, aliases = decode_strict(data, KUSTOMIZATION)
    except DecodeProblem as problem:
        raise KustomizationError(
            problem.explain(),
            location=_line_of(shown, line_map, problem.path),
            entry=format_entry(problem.path) or None,
            kustomize_message=f"invalid Kustomization: {problem.go_message}",
        ) from None
    warnings = [_warning(name, new, exp) for name, new, exp in _DEPRECATED if name in decoded]
    fixed = _fix(decoded)
    kust = _build(path, directory, decoded, fixed, warnings, line_map, aliases)
    if _is_empty(fixed):
        raise KustomizationError(
            "the kustomization is empty (it has no resources, generators or transformers)",
            location=SourceLocation(shown),
            kustomize_message="kustomization.yaml is empty",
        )
    _enforce_kind(kust, shown)
    return kust


def _line_of(shown: str, line_map: dict[PathKey, int], path: PathKey) -> SourceLocation:
    for n in range(len(path), -1, -1):
        line = line_map.get(path[:n])
        if line is not None:
            return SourceLocation(shown, line)
    return SourceLocation(shown)


def _warning(name: str, new: str, experimental: bool) -> str:
    tail = f"[EXPERIMENTAL] {_EDIT_FIX}" if experimental else _EDIT_FIX
    return f"# Warning: '{name}' is deprecated. Please use '{new}' instead. {tail}"


def _fix(d: dict[str, Any]) -> dict[str, Any]:
    """kustomize's FixKustomization on the decoded dict (nil-ness preserved as None/absent)."""
    out = dict(d)
    for target, legacy in (("resources", "bases"), ("images", "imageTags")):
        extra = out.pop(legacy, None) or []
        if out.get(target) is not None or extra:
            out[target] = list(out.get(target) or []) + list(extra)
    for gen in ("configMapGenerator", "secretGenerator"):
        entries = []
        for entry in out.get(gen) or []:
            entry = dict(entry)
            env = entry.pop("env", "")
            if env:
                entry["envs"] = [*(entry.get("envs") or []), env]
            entries.append(entry)
        if out.get(gen) is not None:
            out[gen] = entries
    legacy_charts = out.pop("helmChartInflationGenerator", None) or []
    globals_: dict[str, str] = {}
    charts = []
    for old in legacy_charts:
        for src, dst in (("helmHome", "configHome"), ("chartHome", "chartHome")):
            if old.get(src):
                globals_[dst] = old[src]
        chart = {
            new: old[src]
            for src, new in (
                ("chartName", "name"),
                ("chartVersion", "version"),
                ("chartRepoUrl", "repo"),
                ("values", "valuesFile"),
                ("valuesLocal", "valuesInline"),
                ("valuesMerge", "valuesMerge"),
                ("releaseName", "releaseName"),
            )
            if old.get(src) not in (None, "")
        }
        charts.append(chart)
    if out.get("helmGlobals") is None and globals_:
        out["helmGlobals"] = globals_
    if out.get("helmCharts") is not None or charts:
        out["helmCharts"] = list(out.get("helmCharts") or []) + charts
    return out


def _is_empty(fixed: dict[str, Any]) -> bool:
    """kustomize's CheckEmpty: every field but kind/apiVersion is Go's zero value."""
    return all(
        value is None or value == ""
        for key, value in fixed.items()
        if key not in ("kind", "apiVersion")
    )


def _enforce_kind(kust: Kustomization, shown: str) -> None:
    problems = []
    if kust.kind not in ("Kustomization", "Component"):
        problems.append("kind should be Kustomization or Component")
    required = COMPONENT_VERSION if kust.kind == "Component" else KUSTOMIZATION_VERSION
    if kust.api_version != required:
        problems.append(f"apiVersion for {kust.kind} should be {required}")
    if problems:
        key = "kind" if kust.kind not in ("Kustomization", "Component") else "apiVersion"
        raise KustomizationError(
            "; ".join(problems) + f" (got kind {kust.kind!r}, apiVersion {kust.api_version!r})",
            location=kust.location(key),
            entry=key,
            kustomize_message=f"Failed to read kustomization file under "
            f"{fs.realpath(kust.directory)}:\n" + "\n".join(problems),
        )


# -- from decoded dicts to the model -------------------------------------------------------
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _make(cls: type[_T], d: dict[str, Any] | None, **nested: Callable[[Any], Any]) -> _T:
    """A model dataclass from a decoded dict: ``new_tag`` reads ``newTag``; copies containers."""
    kwargs: dict[str, Any] = {}
    for f in dataclass_fields(cls):  # type: ignore[arg-type]
        key = _camel(f.name)
        if d is not None and key in d:
            value = d[key]
            convert = nested.get(f.name)
            if convert is not None:
                value = convert(value)
            elif isinstance(value, (list, dict)):
                value = type(value)(value)
            kwargs[f.name] = value
    return cls(**kwargs)


def _options(d: dict[str, Any] | None) -> GeneratorOptions | None:
    return None if d is None else _make(GeneratorOptions, d)


def _patch(d: dict[str, Any]) -> Patch:
    return _make(Patch, d, target=lambda t: None if t is None else _make(Selector, t))


def generator_args(d: dict[str, Any]) -> GeneratorArgs:
    """A ``GeneratorArgs`` from a decoded entry (also for ``generators:`` plugin configs)."""
    return _make(GeneratorArgs, d, options=_options)


def _label(d: dict[str, Any]) -> Label:
    return _make(Label, d, fields=lambda specs: [_make(FieldSpec, x) for x in specs])


def _sort_options(d: dict[str, Any] | None) -> SortOptions | None:
    if d is None:
        return None
    legacy = d.get("legacySortOptions")
    return SortOptions(
        order=d.get("order", ""),
        order_first=legacy.get("orderFirst") if legacy else None,
        order_last=legacy.get("orderLast") if legacy else None,
        has_legacy_options=legacy is not None,
    )


def _build(
    path: Path,
    directory: Path,
    decoded: dict[str, Any],
    fixed: dict[str, Any],
    warnings: list[str],
    line_map: dict[PathKey, int],
    aliases: dict[PathKey, PathKey],
) -> Kustomization:
    kind = fixed.get("kind") or "Kustomization"
    default_version = COMPONENT_VERSION if kind == "Component" else KUSTOMIZATION_VERSION
    extra = {"path": path, "directory": directory, "warnings": warnings, "raw": decoded}
    extra.update(lineMap=line_map, aliases=aliases, kind=kind)
    extra["apiVersion"] = fixed.get("apiVersion") or default_version
    kust = _make(
        Kustomization,
        {**fixed, **extra},
        labels=lambda xs: [_label(x) for x in xs],
        patches_json6902=lambda xs: [_patch(x) for x in xs],
        patches=lambda xs: [_patch(x) for x in xs],
        images=lambda xs: [_make(Image, x) for x in xs],
        replicas=lambda xs: [_make(Replica, x) for x in xs],
        sort_options=_sort_options,
        config_map_generator=lambda xs: [generator_args(x) for x in xs],
        secret_generator=lambda xs: [generator_args(x) for x in xs],
        generator_options=_options,
    )
    _add_legacy_aliases(kust, decoded)
    return kust


def _add_legacy_aliases(kust: Kustomization, d: dict[str, Any]) -> None:
    """Point appended legacy entries back at the field they were written in."""
    for target, legacy in (("resources", "bases"), ("images", "imageTags")):
        offset = len(d.get(target) or [])
        for j in range(len(d.get(legacy) or [])):
            kust.aliases[(target, offset + j)] = (*kust.source_path(legacy), j)
    for gen in ("configMapGenerator", "secretGenerator"):
        for i, entry in enumerate(d.get(gen) or []):
            if entry.get("env"):
                index = len(entry.get("envs") or [])
                kust.aliases[(gen, i, "envs", index)] = kust.source_path(gen, i, "env")
    legacy_charts = len(d.get("helmChartInflationGenerator") or [])
    offset = len(d.get("helmCharts") or [])
    for j in range(legacy_charts):
        kust.aliases[("helmCharts", offset + j)] = ("helmChartInflationGenerator", j)
