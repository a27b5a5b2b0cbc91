"""Explain a value: the file:line behind every field of a rendered resource, its history, why.

"Why is ``spec.replicas`` 3 in prod?" is answered from field-level provenance
(:mod:`envlib.provenance`): the line in the base manifest that declared the field, each step
that changed it (the line inside the patch, the transformer entry), old -> new, and the
comment the repository wrote there. :func:`explain_field` gives one field's chain,
:func:`explain_resource` every field of a resource as a table, :func:`sentence` the one-line
reading ``2 at base.yaml:17 -> 3 at patch.yaml:5 (patches[0]) - reason``.

Secret values are redacted exactly as in every other table.
"""

from __future__ import annotations

import weakref
from typing import Any

import pandas as pd

from envlib.kustomize.core.resource import Resource
from envlib.kustomize.load.fs import display_path
from envlib.provenance import Entry, FieldProvenance, Provenance
from envlib.provenance.reasons import why

from .blame import BlameError, find_resource, get_value, parse_field
from .diff import format_path, format_value
from .environments import RenderedEnv
from .helm_explain import render_of
from .secrets import is_secret_path

REDACTED = "<redacted>"
CHAIN_COLUMNS = ["env", "resource", "field", "order", "value", "location", "step", "kind", "why"]
FIELD_COLUMNS = ["field", "value", "location", "step", "history", "why"]

_CACHE: dict[int, Provenance] = {}


class ExplainError(BlameError):
    """An unknown resource or field, or an environment built without a trace."""


def provenance(rendered: RenderedEnv) -> Provenance:
    """The (cached) provenance of a rendered environment; it needs the build trace."""
    trace = rendered.trace
    if trace is None or not getattr(trace, "enabled", False):
        raise ExplainError(
            f"environment {rendered.name!r} was rendered without a build trace; "
            "render it with trace=True to explain values"
        )
    if any(c.after is None and not c.removed for s in trace.steps for c in s.changes if c.res):
        raise ExplainError(
            f"environment {rendered.name!r} was built with provenance=False; "
            "build it with provenance on to explain values"
        )
    key = id(trace)
    found = _CACHE.get(key)
    if found is None:
        originals = [rendered.original(r) for r in rendered.resources]
        found = Provenance(originals, trace, str(rendered.env.repo))
        _CACHE[key] = found
        weakref.finalize(trace, _CACHE.pop, key, None)
    return found


def location_text(prov: Provenance, entry: Entry | None) -> str:
    """``k8s/base/x.yaml:17`` (``~`` marks an enclosing line; ``(engine)`` when unwritten)."""
    if entry is None or entry.site is None:
        return "(engine)"
    site = entry.site
    text = prov.display(site.path) if site.path else "?"
    if site.line is not None:
        text = f"{text}:{site.line}"
    return text


def step_label(entry: Entry) -> str:
    """The step's entry (``patches[0]``), ``declared`` for a manifest, ``engine`` otherwise."""
    if entry.step:
        return entry.step.rpartition("#")[2]
    return "declared" if entry.kind == "resource" else entry.kind


def _shown(res: Resource, path: tuple[str | int, ...], value: Any) -> str:
    if is_secret_path(res.kind, path) and value is not None:
        return REDACTED
    return format_value(value) or ""


def _field(rendered: RenderedEnv, res: Resource, text: str) -> FieldProvenance:
    prov = provenance(rendered)
    engine_res = rendered.original(res)
    path = parse_field(res.obj, text)
    found = prov.field(engine_res, path)
    if not found.chain:
        if get_value(res.obj, path) is None:
            raise ExplainError(f"{res.kind}/{res.name} has no field {text!r}")
        raise ExplainError(f"{res.kind}/{res.name} {text}: no provenance recorded")
    return found


def explain_field(rendered: RenderedEnv, resource: str | Resource, field: str) -> pd.DataFrame:
    """One row per entry in the field's history: declaration first, final value last."""
    res = resource if isinstance(resource, Resource) else find_resource(rendered, resource)
    helm = render_of(rendered.original(res))
    if helm is not None:
        return _helm_field(rendered, res, helm, field)
    prov = provenance(rendered)
    found = _field(rendered, res, field)
    rows = []
    for order, entry in enumerate(found.chain):
        rows.append(
            {
                "env": rendered.name,
                "resource": f"{res.kind}/{res.name}",
                "field": format_path(found.path),
                "order": order,
                "value": _shown(res, found.path, entry.value),
                "location": location_text(prov, entry),
                "step": step_label(entry),
                "kind": entry.kind,
                "why": why(entry.site),
            }
        )
    return pd.DataFrame(rows, columns=CHAIN_COLUMNS)


def _helm_field(rendered: RenderedEnv, res: Resource, helm: Any, field: str) -> pd.DataFrame:
    """A Helm-rendered field: the values line behind it (checked by re-render), the template."""
    from .helm_explain import explain_field as helm_explain

    path = parse_field(res.obj, field)
    value = get_value(res.obj, path)
    if value is None:
        raise ExplainError(f"{res.kind}/{res.name} has no field {field!r}")
    shown = _shown(res, path, value)
    base = {"env": rendered.name, "resource": f"{res.kind}/{res.name}", "field": format_path(path)}
    template = display_path(res.origin.path)
    rows: list[dict[str, Any]] = []
    found = [] if shown == REDACTED else helm_explain(helm, rendered.original(res), path, value)
    for location, key in found:
        rows.append({**base, "order": len(rows), "value": shown, "location": location,
                     "step": f"values {key}", "kind": "values", "why": ""})  # fmt: skip
    rows.append({**base, "order": len(rows), "value": shown, "location": template,
                 "step": "template", "kind": "template", "why": ""})  # fmt: skip
    return pd.DataFrame(rows, columns=CHAIN_COLUMNS)


def explain_resource(rendered: RenderedEnv, resource: str | Resource) -> pd.DataFrame:
    """One row per scalar field: final value, where it was written, by which step, why."""
    res = resource if isinstance(resource, Resource) else find_resource(rendered, resource)
    helm = render_of(rendered.original(res))
    if helm is not None:
        from .helm_explain import field_sources

        scalars = [(p, v) for p, v in _scalars(res.obj) if _shown(res, p, v) != REDACTED]
        template = display_path(res.origin.path)
        helm_rows = [
            {"field": format_path(path), "value": format_value(value) or "",
             "location": location, "step": step, "history": "",
             "why": f"rendered by {template}"}
            for path, value, location, step in field_sources(helm, rendered.original(res), scalars)
        ]  # fmt: skip
        return pd.DataFrame(helm_rows, columns=FIELD_COLUMNS)
    prov = provenance(rendered)
    rows = []
    for found in prov.fields(rendered.original(res)):
        final = found.final
        assert final is not None
        history = " → ".join(_shown(res, found.path, e.value) for e in found.chain)
        rows.append(
            {
                "field": format_path(found.path),
                "value": _shown(res, found.path, found.value),
                "location": location_text(prov, final),
                "step": step_label(final),
                "history": history if len(found.chain) > 1 else "",
                "why": why(final.site),
            }
        )
    return pd.DataFrame(rows, columns=FIELD_COLUMNS)


def _scalars(obj: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in _scalars(v, (*path, k))]
    if isinstance(obj, list):
        return [x for i, v in enumerate(obj) for x in _scalars(v, (*path, i))]
    return [(path, obj)]


def sentence(frame: pd.DataFrame) -> str:
    """A field's chain as one line: ``2 at a.yaml:17 → 3 at b.yaml:5 (patches[0]) — why``."""
    parts = []
    for row in frame.itertuples(index=False):
        step = "" if row.step == "declared" else f" ({row.step})"
        parts.append(f"{row.value} at {row.location}{step}")
    text = " → ".join(parts)
    reason = str(frame["why"].iloc[-1]) if len(frame) else ""
    return f"{text} — {reason}" if reason else text
