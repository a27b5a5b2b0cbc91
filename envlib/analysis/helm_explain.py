"""Explain a value of a Helm-rendered object: which values file line it comes from.

Why a module of its own: a chart has no build trace - Helm's templates compute the output -
so kustomize-style provenance cannot say where ``spec.replicas: 3`` came from. This reads
the values in play in Helm's precedence (the chart's ``values.yaml``, each ``valueFiles``
entry, ``values``/``valuesObject``, ``parameters``), proposes the keys whose value equals the
field's (a matching key name first), and - for a single field - *checks* each candidate by
rendering the chart again with that key changed: a key is named only when changing it
changes the field. The answer is the highest-precedence file that sets the key, at its line:
``3 at charts/shop/values-prod.yaml:1 (replicas)``.

:func:`remember` is called by the helm renderer for every object it makes.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from envlib.helm import HelmFailure, TemplateRequest
from envlib.kustomize.core.resource import Resource
from envlib.kustomize.load.fs import display_path

# id(resource) -> (resource, render): the resource is held so its id is not reused while the
# entry lives (Resource has __slots__ without weak references); bounded, oldest dropped
_RENDERS: OrderedDict[int, tuple[Resource, HelmRender]] = OrderedDict()
_MAX_REMEMBERED = 50_000


@dataclass(frozen=True)
class Layer:
    """One source of values, lowest precedence first: a file (or the Application's text)."""

    label: str  # what to print: a display path, or "parameters" / "valuesObject"
    path: str | None  # the file to read lines from (None: no line)
    values: dict[str, Any]


@dataclass(frozen=True)
class HelmRender:
    """How an object was rendered: the request (for re-renders), the layers, the template."""

    request: TemplateRequest
    layers: tuple[Layer, ...]
    engine_command: str | None
    chart_dir: str
    inline: str = ""  # the Application's values/valuesObject text (its temp file is gone)


def remember(resources: list[Resource], render: HelmRender) -> None:
    """Attach the render to its objects (kept while they live)."""
    for res in resources:
        _RENDERS[id(res)] = (res, render)
        _RENDERS.move_to_end(id(res))
    while len(_RENDERS) > _MAX_REMEMBERED:
        _RENDERS.popitem(last=False)


def render_of(res: Resource) -> HelmRender | None:
    """The Helm render behind ``res``, or None for objects kustomize built."""
    found = _RENDERS.get(id(res))
    return found[1] if found is not None and found[0] is res else None


def _leaves(values: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(values, dict):
        for key, value in values.items():
            yield from _leaves(value, (*prefix, str(key)))
    elif prefix:
        yield prefix, values


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def candidates(
    render: HelmRender, field_path: tuple[str | int, ...], value: Any
) -> list[tuple[str, ...]]:
    """Keys of the values whose value is the field's (or part of it), best first."""
    wanted = _text(value)
    if not wanted:
        return []
    leaf = str(field_path[-1]) if field_path else ""
    seen: dict[tuple[str, ...], int] = {}
    for layer in render.layers:
        for key, current in _leaves(layer.values):
            text = _text(current)
            if not text or isinstance(current, (dict, list)):
                continue
            score = 0
            if text == wanted:
                score = 3
            elif len(text) >= 2 and text in wanted:
                score = 1
            if score and key[-1].lower() == leaf.lower():
                score += 2
            if score:
                seen[key] = max(seen.get(key, 0), score)
    return sorted(seen, key=lambda k: (-seen[k], len(k), k))


def _sentinel(value: Any) -> str:
    if isinstance(value, bool):
        return str(not value).lower()
    if isinstance(value, (int, float)):
        return str(int(value) + 7919)
    return "envlib-probe-7919"


def _field_of(text: str, res: Resource, path: tuple[str | int, ...], chart_dir: str) -> Any:
    from pathlib import Path

    from .helm_output import resources_from_output

    for other in resources_from_output(text, Path(chart_dir)):
        if other.kind == res.kind and other.origin.path == res.origin.path:
            return _field_of_obj(other.obj, path)
    return None


def confirmed(
    render: HelmRender, res: Resource, path: tuple[str | int, ...], key: tuple[str, ...]
) -> bool:
    """Whether changing ``key`` (a ``--set`` on top of everything) changes the field."""
    from envlib.helm import Engine

    current = None
    for layer in render.layers:
        node: Any = layer.values
        for part in key:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            current = node
    dotted = ".".join(k.replace(".", "\\.") for k in key)
    probe = replace(
        render.request,
        set_string_values=(*render.request.set_string_values, f"{dotted}={_sentinel(current)}")
        if isinstance(current, str) or current is None
        else render.request.set_string_values,
        set_values=(*render.request.set_values, f"{dotted}={_sentinel(current)}")
        if not (isinstance(current, str) or current is None)
        else render.request.set_values,
    )
    import tempfile

    with tempfile.TemporaryDirectory(prefix="envlib-helm-probe-") as tmp:
        if render.inline and probe.values_files:
            inline = os.path.join(tmp, "argocd-values.yaml")
            with open(inline, "w", encoding="utf-8") as handle:
                handle.write(render.inline)
            probe = replace(probe, values_files=(*probe.values_files[:-1], inline))
        try:
            text = Engine(render.engine_command).template(probe, os.path.join(tmp, "helm"))
        except HelmFailure:
            return False  # a value the chart cannot take says nothing about this field
    before = _field_of_obj(res.obj, path)
    return _field_of(text, res, path, render.chart_dir) != before


def _field_of_obj(obj: Any, path: tuple[str | int, ...]) -> Any:
    node = obj
    for seg in path:
        if isinstance(node, dict) and seg in node:
            node = node[seg]
        elif isinstance(node, list) and isinstance(seg, int) and seg < len(node):
            node = node[seg]
        else:
            return None
    return node


def site(render: HelmRender, key: tuple[str, ...]) -> tuple[str, int | None]:
    """The highest-precedence layer that sets ``key``, and the line of the key there."""
    from envlib.provenance.sources import source_file

    for layer in reversed(render.layers):
        node: Any = layer.values
        for part in key:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None and not _has(layer.values, key):
            continue
        if layer.path is None:
            return layer.label, None
        found = source_file(layer.path)
        line: int | None = None
        if found is not None:
            for tree in found.trees:
                cursor: Any = tree
                for part in key:
                    line = cursor.line_of(part) if cursor is not None else None
                    cursor = cursor.child(part) if cursor is not None else None
                if cursor is not None:
                    break
        return layer.label, line
    return "", None


def _merged(render: HelmRender, key: tuple[str, ...]) -> Any:
    """The value of ``key`` after every layer (the highest that sets it wins)."""
    found = None
    for layer in render.layers:
        if _has(layer.values, key):
            node: Any = layer.values
            for part in key:
                node = node[part]
            found = node
    return found


def _has(values: Any, key: tuple[str, ...]) -> bool:
    node = values
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def explain_field(
    render: HelmRender, res: Resource, path: tuple[str | int, ...], value: Any
) -> list[tuple[str, str]]:
    """(``file:line``, key) of each values line behind the field, checked by re-render.

    Several keys can make one value (``image: "{{ .repository }}:{{ .tag }}"``): every
    candidate that changes the field when changed is named, lowest precedence layer first.
    """
    out: list[tuple[str, str]] = []
    for key in candidates(render, path, value)[:4]:
        if confirmed(render, res, path, key):
            label, line = site(render, key)
            out.append(((f"{label}:{line}" if line else label), ".".join(key)))
    return out


def field_sources(
    render: HelmRender, res: Resource, scalars: list[tuple[tuple[str | int, ...], Any]]
) -> list[tuple[tuple[str | int, ...], Any, str, str]]:
    """Every scalar field: (path, value, location, step) - the template, or the likeliest
    values key (unchecked: one render per field would be slow)."""
    template = display_path(res.origin.path)
    out = []
    for path, value in scalars:
        wanted = _text(value)
        leaf = str(path[-1]).lower() if path else ""
        exact = [k for k in candidates(render, path, value) if _text(_merged(render, k)) == wanted]
        # claim a key only when its name is the field's, or its value is distinctive text
        # no other key has
        found = [k for k in exact if k[-1].lower() == leaf]
        if not found and len(exact) == 1 and len(wanted) >= 3 and not wanted.isdigit():
            found = exact
        location, step = template, "template"
        if found:
            label, line = site(render, found[0])
            location = f"{label}:{line}" if line else label
            step = "values " + ".".join(found[0])
        out.append((path, value, location, step))
    return out
