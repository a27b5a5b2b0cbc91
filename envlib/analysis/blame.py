"""Field-level blame: which file declared a resource and which steps changed a field.

"Why is ``spec.replicas`` 1 in dev?" is answered from the build trace the engine records
(:mod:`envlib.kustomize.core.trace`): every step whose changes overlap the field, in build
order, after the file that declared the resource. Without a trace (``trace=False`` or a renderer
that has none) the answer is the declaring file alone, and says so.

Field paths accept the trace's syntax (``spec.template.spec.containers[0].image``) and the
diff's merge-key syntax (``containers[name=mlserver]``), which is resolved to an index on the
rendered object.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from envlib.errors import EnvlibError
from envlib.kustomize.core.resource import Resource

from .diff import format_path, format_value
from .environments import RenderedEnv
from .matching import logical_keys
from .secrets import is_secret_path, scrub, secret_strings

_SEGMENT = re.compile(
    r'\.?(?:\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\[([^=\]"]+)=([^\]]*)\]|([^.\[\]"]+))'
)
COLUMNS = [
    "env",
    "resource",
    "field",
    "value",
    "order",
    "step",
    "step_kind",
    "location",
    "description",
]


class BlameError(EnvlibError):
    """An unknown resource or an unparsable / unresolvable field path."""


def parse_field(obj: Any, text: str) -> tuple[str | int, ...]:
    """A field path as a tuple, with ``[key=value]`` list selectors resolved on ``obj``."""
    out: list[str | int] = []
    pos = 0
    current = obj
    while pos < len(text):
        found = _SEGMENT.match(text, pos)
        if found is None or found.end() == pos:
            raise BlameError(f"invalid field path {text!r} at position {pos}")
        index, quoted, sel_key, sel_value, plain = found.groups()
        part: str | int
        if index is not None:
            part = int(index)
        elif quoted is not None:
            part = str(json.loads(quoted))
        elif sel_key is not None:
            items = current if isinstance(current, list) else []
            hits = [
                i
                for i, item in enumerate(items)
                if isinstance(item, dict) and str(item.get(sel_key)) == sel_value
            ]
            if not hits:
                raise BlameError(f"{format_path(out)} has no item with {sel_key}={sel_value}")
            part = hits[0]
        else:
            part = plain
        out.append(part)
        current = _step(current, part)
        pos = found.end()
    return tuple(out)


def _step(value: Any, part: str | int) -> Any:
    if isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value):
        return value[part]
    if isinstance(value, dict):
        return value.get(part)
    return None


def get_value(obj: Any, path: tuple[str | int, ...]) -> Any:
    """The value at a path (None when absent)."""
    for part in path:
        obj = _step(obj, part)
    return obj


def find_resource(rendered: RenderedEnv, spec: str) -> Resource:
    """The resource named by ``Kind/name``, ``name``, or ``Kind/name@namespace``."""
    kind, _, rest = spec.rpartition("/") if "/" in spec else ("", "", spec)
    name, _, namespace = rest.partition("@")
    keys = logical_keys(rendered.resources)
    hits = [
        res
        for res in rendered.resources
        if (not kind or res.kind.lower() == kind.lower())
        and (name in res.all_names() or name == keys[id(res)][2])
        and (not namespace or res.namespace == namespace)
    ]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise BlameError(f"no resource {spec!r} in environment {rendered.name!r}")
    choices = ", ".join(f"{r.kind}/{r.name}@{r.namespace}" for r in hits)
    raise BlameError(f"{spec!r} is ambiguous in environment {rendered.name!r}: {choices}")


def steps_for(rendered: RenderedEnv, res: Resource, path: tuple[str | int, ...]) -> list[Any]:
    """Trace steps that changed ``path`` (or a parent or child of it) on ``res``.

    Empty without a trace.
    """
    trace = rendered.trace
    if trace is None or not hasattr(trace, "steps_touching"):
        return []
    return list(trace.steps_touching(rendered.original(res), path))


def set_by(rendered: RenderedEnv, res: Resource, path: tuple[str | int, ...]) -> str:
    """The last step that changed the field (its id), else the file that declared the resource."""
    steps = steps_for(rendered, res, path)
    if steps:
        return str(steps[-1].id)
    return str(res.origin)


def blame(rendered: RenderedEnv, resource: str | Resource, field: str) -> pd.DataFrame:
    """Where a field's value comes from: the declaring file, then each step that changed it."""
    res = resource if isinstance(resource, Resource) else find_resource(rendered, resource)
    path = parse_field(res.obj, field)
    value = get_value(res.obj, path)
    shown = (
        "<redacted>"
        if is_secret_path(res.kind, path) and value is not None
        else format_value(value)
    )
    secrets = secret_strings([rendered.original(r) for r in rendered.resources])
    base = {
        "env": rendered.name,
        "resource": f"{res.kind}/{res.name}",
        "field": format_path(path),
        "value": shown,
    }
    rows = [
        {
            **base,
            "order": 0,
            "step": "(declared)",
            "step_kind": "resource",
            "location": str(res.origin),
            "description": "declared here"
            + ("" if rendered.trace is not None else " (no build trace: steps unknown)"),
        }
    ]
    for order, step in enumerate(steps_for(rendered, res, path), start=1):
        rows.append(
            {
                **base,
                "order": order,
                "step": str(step.id),
                "step_kind": str(step.kind),
                "location": str(step.location or ""),
                "description": scrub(str(step.description), secrets),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
