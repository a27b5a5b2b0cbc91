"""ApplicationSet generators, expanded the way Argo CD's ApplicationSet controller does.

Why: in many repositories the environments are not written as Applications at all but
generated (one per directory, per config file, per list element, or a matrix of these), so
without expanding them envlib would find no environment. Supported generators: ``list``
(``elements``, ``elementsYaml``), ``git`` (``directories`` with ``exclude``, ``files`` of
JSON/YAML objects or lists, ``values``, ``pathParamPrefix``), ``matrix`` and ``merge``
(``mergeKeys``), nested, with a generator's own ``template`` and ``selector.matchLabels``.
Git generators read *this checkout* (the repository the ApplicationSet names is assumed to
be the one scanned). Templates are rendered with the default ``{{param}}`` syntax
(fasttemplate: an unknown parameter stays as written) or, with ``goTemplate: true``, with
:mod:`.gotemplate` and ``goTemplateOptions``; ``templatePatch`` is rendered and merged
(JSON merge patch) over each Application. Generators that need a cluster or an API
(``clusters``, ``clusterDecisionResource``, ``scmProvider``, ``pullRequest``, ``plugin``)
are returned as notes, never guessed.

Parameters follow ``applicationset/generators/*.go``: for git directories ``path``,
``path.basename``, ``path.basenameNormalized``, ``path[N]`` (``{{.path.segments}}`` with Go
templates); for git files the file's (flattened) keys plus ``path``, ``path.filename``,
``path.filenameNormalized`` and the same path parameters of the file's directory.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envlib.kustomize.load import fs

from .argocd_params import merge_patch
from .gotemplate import TemplateError, go_text
from .gotemplate import render as go_render

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
UNSUPPORTED = ("clusters", "clusterDecisionResource", "scmProvider", "pullRequest", "plugin")
_SKIP_DIRS = {".git"}
_MAX_FILE = 1_000_000
_FAST = re.compile(r"\{\{(.*?)\}\}", re.S)


class GeneratorError(ValueError):
    """A generator Argo CD would refuse (bad file, template error): the message says which."""


@dataclass
class Expansion:
    """What an ApplicationSet generates: rendered Application documents, and notes."""

    applications: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    repo: Path
    go: bool
    options: tuple[str, ...]


# -- helpers --------------------------------------------------------------------------------
def sanitize_name(name: str) -> str:
    """Argo CD's ``SanitizeName``: lower case, ``[^-a-z0-9.]`` -> ``-``, 253 chars, trimmed."""
    return re.sub(r"[^-a-z0-9.]", "-", name.lower())[:253].strip("-.")


def _go_glob(pattern: str, *, double_star: bool) -> re.Pattern[str]:
    """Go ``path.Match`` (``*`` stays within a segment); ``**`` spans segments for files."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if double_star and pattern[i : i + 2] == "**":
                out.append(".*")
                i += 2
                if pattern[i : i + 1] == "/":
                    out[-1] = "(?:.*/)?"
                    i += 1
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                body = "^" + body[1:] if body.startswith("^") else body
                out.append(f"[{body}]")
                i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def _all_paths(repo: Path) -> tuple[list[str], list[str]]:
    """Every directory and every file of the checkout, relative and sorted (``.git`` skipped)."""
    dirs: list[str] = []
    files: list[str] = []
    for top, subdirs, names in fs.walk(repo):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        rel = os.path.relpath(top, repo)
        base = "" if rel == "." else rel.replace(os.sep, "/")
        dirs.extend(f"{base}/{d}" if base else d for d in subdirs)
        files.extend(f"{base}/{n}" if base else n for n in names)
    return sorted(dirs), sorted(files)


def _path_params(path: str, prefix: str, go: bool) -> dict[str, Any]:
    name = path.rsplit("/", 1)[-1]
    if go:
        params: dict[str, Any] = {
            "path": path,
            "basename": name,
            "basenameNormalized": sanitize_name(name),
            "segments": path.split("/"),
        }
        return {prefix: {"path": params}} if prefix else {"path": params}
    key = f"{prefix}.path" if prefix else "path"
    out: dict[str, Any] = {
        key: path,
        f"{key}.basename": name,
        f"{key}.basenameNormalized": sanitize_name(name),
    }
    for index, segment in enumerate(path.split("/")):
        if segment:
            out[f"{key}[{index}]"] = segment
    return out


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Argo CD's flatten (dot style) with ``%v`` formatting, for the default template syntax."""
    out: dict[str, str] = {}
    if isinstance(value, dict) and (value or not prefix):
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}.{index}"))
    else:
        out[prefix] = go_text(value)
    return out


# -- templates ------------------------------------------------------------------------------
def replace(text: str, params: Mapping[str, Any], ctx: _Context) -> str:
    """One string of a template, rendered with ``params`` (Go or fasttemplate syntax)."""
    if ctx.go:
        try:
            return go_render(text, params, ctx.options)
        except TemplateError as exc:
            raise GeneratorError(f"template {text!r}: {exc}") from None

    def one(match: re.Match[str]) -> str:
        value = params.get(match.group(1).strip())
        return value if isinstance(value, str) and match.group(1).strip() else match.group(0)

    return _FAST.sub(one, text)


def render_value(value: Any, params: Mapping[str, Any], ctx: _Context) -> Any:
    """Every string (and map key) of ``value`` rendered with ``params``."""
    if isinstance(value, str):
        return replace(value, params, ctx)
    if isinstance(value, list):
        return [render_value(v, params, ctx) for v in value]
    if isinstance(value, dict):
        return {
            replace(str(k), params, ctx): render_value(v, params, ctx) for k, v in value.items()
        }
    return value


def _merge_params(a: dict[str, Any], b: Mapping[str, Any], go: bool) -> dict[str, Any]:
    if not go:
        return {**a, **b}
    out = copy.deepcopy(a)
    for key, value in b.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _merge_params(out[key], value, go)
        else:
            out[key] = copy.deepcopy(value)
    return out


# -- generators -----------------------------------------------------------------------------
def _list(spec: Mapping[str, Any], ctx: _Context) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for element in spec.get("elements") or []:
        if not isinstance(element, dict):
            raise GeneratorError("list element is not an object")
        if ctx.go:
            out.append(copy.deepcopy(element))
            continue
        params: dict[str, Any] = {}
        for key, value in element.items():
            if key == "values" and isinstance(value, dict):
                params.update({f"values.{k}": go_text(v) for k, v in value.items()})
            elif isinstance(value, str):
                params[str(key)] = value
            else:
                raise GeneratorError(f"list element {key!r}: error parsing value as string")
        out.append(params)
    if spec.get("elementsYaml"):
        loaded = yaml.load(str(spec["elementsYaml"]), Loader=_LOADER) or []
        if not isinstance(loaded, list):
            raise GeneratorError("elementsYaml is not a list")
        out.extend(e for e in loaded if isinstance(e, dict))
    return out


def _with_values(params: dict[str, Any], values: Any, ctx: _Context) -> dict[str, Any]:
    if not isinstance(values, dict) or not values:
        return params
    rendered = {str(k): replace(str(v), params, ctx) for k, v in values.items()}
    if ctx.go:
        return {**params, "values": rendered}
    return {**params, **{f"values.{k}": v for k, v in rendered.items()}}


def _git(spec: Mapping[str, Any], ctx: _Context) -> list[dict[str, Any]]:
    prefix = str(spec.get("pathParamPrefix") or "")
    dirs, files = _all_paths(ctx.repo)
    out: list[dict[str, Any]] = []
    if spec.get("directories"):
        entries = [e for e in spec["directories"] if isinstance(e, dict) and e.get("path")]
        for directory in dirs:
            matched = [
                e for e in entries if _go_glob(str(e["path"]), double_star=False).match(directory)
            ]
            if any(not e.get("exclude") for e in matched) and not any(
                e.get("exclude") for e in matched
            ):
                params = _path_params(directory, prefix, ctx.go)
                out.append(_with_values(params, spec.get("values"), ctx))
    if spec.get("files"):
        entries = [e for e in spec["files"] if isinstance(e, dict) and e.get("path")]
        wanted = {
            f
            for e in entries
            if not e.get("exclude")
            for f in files
            if _go_glob(str(e["path"]), double_star=True).match(f)
        }
        wanted -= {
            f
            for e in entries
            if e.get("exclude")
            for f in files
            if _go_glob(str(e["path"]), double_star=True).match(f)
        }
        for file in sorted(wanted):
            out.extend(_file_params(file, spec, prefix, ctx))
    return out


def _file_params(
    file: str, spec: Mapping[str, Any], prefix: str, ctx: _Context
) -> list[dict[str, Any]]:
    data = fs.read_bytes(ctx.repo / file)
    if len(data) > _MAX_FILE:
        raise GeneratorError(f"{file}: larger than {_MAX_FILE} bytes")
    try:
        loaded = yaml.load(data.decode("utf-8", "replace"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise GeneratorError(f"unable to process file '{file}': {exc}") from None
    objects = [loaded] if isinstance(loaded, dict) else loaded if isinstance(loaded, list) else []
    directory = file.rsplit("/", 1)[0] if "/" in file else "."
    name = file.rsplit("/", 1)[-1]
    out: list[dict[str, Any]] = []
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        if ctx.go:
            params: dict[str, Any] = copy.deepcopy(obj)
            path_params = _path_params(directory, "", True)["path"]
            path_params.update(filename=name, filenameNormalized=sanitize_name(name))
            params[prefix or "path"] = {"path": path_params} if prefix else path_params
        else:
            params = dict(_flatten(obj))
            params.update(_path_params(directory, prefix, False))
            key = f"{prefix}.path" if prefix else "path"
            params[f"{key}.filename"] = name
            params[f"{key}.filenameNormalized"] = sanitize_name(name)
        out.append(_with_values(params, spec.get("values"), ctx))
    return out


def _matrix(spec: Mapping[str, Any], ctx: _Context, notes: list[str]) -> list[dict[str, Any]]:
    children = [g for g in spec.get("generators") or [] if isinstance(g, dict)]
    if len(children) != 2:
        raise GeneratorError(f"matrix needs exactly 2 child generators, has {len(children)}")
    out: list[dict[str, Any]] = []
    for first in generate(children[0], ctx, notes):
        second = render_value(children[1], first, ctx)
        for params in generate(second, ctx, notes):
            out.append(_merge_params(first, params, ctx.go))
    return out


def _key_of(params: Mapping[str, Any], keys: list[str], go: bool) -> str | None:
    values = []
    for key in keys:
        value: Any = params
        for part in key.split(".") if go else [key]:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return None
        values.append(value)
    return json.dumps(values, sort_keys=True, default=str)


def _merge(spec: Mapping[str, Any], ctx: _Context, notes: list[str]) -> list[dict[str, Any]]:
    children = [g for g in spec.get("generators") or [] if isinstance(g, dict)]
    keys = [str(k) for k in spec.get("mergeKeys") or []]
    if not children or not keys:
        raise GeneratorError("merge needs generators and mergeKeys")
    base = generate(children[0], ctx, notes)
    for child in children[1:]:
        overrides: dict[str, dict[str, Any]] = {}
        for params in generate(child, ctx, notes):
            key = _key_of(params, keys, ctx.go)
            if key is not None:
                overrides[key] = params
        merged = []
        for params in base:
            key = _key_of(params, keys, ctx.go)
            found = overrides.get(key) if key is not None else None
            merged.append(_merge_params(params, found, ctx.go) if found else params)
        base = merged
    return base


def _selected(params: Mapping[str, Any], selector: Any) -> bool:
    labels = selector.get("matchLabels") if isinstance(selector, dict) else None
    return all(params.get(k) == v for k, v in (labels or {}).items())


def generate(generator: Mapping[str, Any], ctx: _Context, notes: list[str]) -> list[dict[str, Any]]:
    """The parameter sets of one generator (notes collect the unsupported ones)."""
    out: list[dict[str, Any]] = []
    for kind, spec in generator.items():
        if kind in ("selector", "template", "values"):
            continue
        if not isinstance(spec, dict):
            continue
        if kind == "list":
            found = _list(spec, ctx)
        elif kind == "git":
            found = _git(spec, ctx)
        elif kind == "matrix":
            found = _matrix(spec, ctx, notes)
        elif kind == "merge":
            found = _merge(spec, ctx, notes)
        elif kind in UNSUPPORTED:
            notes.append(f"generator {kind!r} not expanded (needs a cluster or an API)")
            found = []
        else:
            notes.append(f"unknown generator {kind!r} not expanded")
            found = []
        out.extend(found)
    selector = generator.get("selector")
    return [p for p in out if _selected(p, selector)] if selector else out


def expand(appset: Mapping[str, Any], repo: Path) -> Expansion:
    """The Applications an ApplicationSet generates from ``repo`` (see the module docstring).

    Raises :class:`GeneratorError` for what Argo CD would refuse (a template error, a
    git file that is not YAML, a malformed matrix).
    """
    spec = appset.get("spec") if isinstance(appset.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    options = tuple(str(o) for o in spec.get("goTemplateOptions") or [])
    ctx = _Context(repo=repo, go=bool(spec.get("goTemplate")), options=options)
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    result = Expansion()
    for generator in spec.get("generators") or []:
        if not isinstance(generator, dict):
            continue
        own = generator.get("template")
        effective = merge_patch(template, own) if isinstance(own, dict) and own else template
        for params in generate(generator, ctx, result.notes):
            app = render_value(copy.deepcopy(effective), params, ctx)
            patch = spec.get("templatePatch")
            if ctx.go and isinstance(patch, str) and patch.strip():
                text = replace(patch, params, ctx)
                loaded = yaml.load(text, Loader=_LOADER)
                if isinstance(loaded, dict):
                    app = merge_patch(app, loaded)
            result.applications.append(
                {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **app}
            )
    return result


__all__ = ["UNSUPPORTED", "Expansion", "GeneratorError", "expand", "generate", "sanitize_name"]
