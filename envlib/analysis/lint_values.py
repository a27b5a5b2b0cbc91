"""Lint: patch lines that set a field to the value it already has.

Such a line changes nothing today and hides tomorrow's base change (the overlay keeps the
old value when the base moves). For every patch step and every resource it touched, the
patch's own text is walked next to the object as it was just before the step (from the
trace's snapshots); a scalar written with the value it already had is a finding at that
line. Merge keys and the identifying fields (``kind``, ``metadata.name``) are restated by
design and skipped.
"""

from __future__ import annotations

import os
from typing import Any

from envlib.provenance.locate import StepLocator, _pointer
from envlib.provenance.sources import Tree
from envlib.provenance.walk import MERGE_KEYS, match_item, scalar_text

from .diff import format_path
from .environments import RenderedEnv
from .explain import provenance
from .secrets import is_secret_path

_IDENTITY = {("kind",), ("apiVersion",), ("metadata", "name"), ("metadata", "namespace")}


def _same(tree: Tree, value: Any) -> bool:
    return (
        tree.text is not None
        and not isinstance(value, (dict, list))
        and (tree.text == scalar_text(value))
    )


def _smp_equal(
    tree: Tree, before: Any, path: tuple[str | int, ...], out: list[tuple[Any, int]]
) -> None:
    if tree.keys is not None and isinstance(before, dict):
        for key, child in tree.keys.items():
            if key.startswith("$") or key not in before:
                continue
            sub = (*path, key)
            if child.text is not None:
                if sub not in _IDENTITY and key not in MERGE_KEYS and _same(child, before[key]):
                    out.append((sub, tree.key_line[key]))
            else:
                _smp_equal(child, before[key], sub, out)
    elif tree.items is not None and isinstance(before, list):
        for item in tree.items:
            if item.keys is None:
                continue
            for index, value in enumerate(before):
                if match_item([item], value, -1, -1) is item:
                    _smp_equal(item, value, (*path, index), out)
                    break


def _json_equal(ops: Tree, before: Any, out: list[tuple[Any, int]]) -> None:
    for op in ops.items or []:
        kind, target, value = op.child("op"), op.child("path"), op.child("value")
        if kind is None or kind.text not in ("replace", "add") or target is None or value is None:
            continue
        current: Any = before
        path: list[str | int] = []
        seg: str | int
        for part in _pointer(target.text or ""):
            if isinstance(current, dict) and part in current:
                current, seg = current[part], part
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current, seg = current[int(part)], int(part)
            else:
                break
            path.append(seg)
        else:
            if _same(value, current):
                line = op.line_of("value")
                if line is not None:
                    out.append((tuple(path), line))


def equal_overrides(rendered: RenderedEnv) -> list[dict[str, Any]]:
    """Findings for patch lines that restate the current value."""
    prov = provenance(rendered)
    shown = {id(rendered.original(r)): r for r in rendered.resources}
    rows: dict[tuple[str, str, int], dict[str, Any]] = {}
    for step in rendered.trace.steps:
        if not step.is_patch or not step.enabled:
            continue
        locator = StepLocator(step, os.path.abspath(step.level or ""))
        source, offset, real = locator.patch_source
        if source is None or not source.trees:
            continue
        for change in step.changes:
            res, before = change.res, change.before
            if res is None or before is None:
                continue
            hits: list[tuple[Any, int]] = []
            if step.patch_type == "json6902":
                _json_equal(source.trees[0], before, hits)
            else:
                from envlib.provenance.locate import _smp_document

                _smp_equal(_smp_document(source.trees, res), before, (), hits)
            visible = shown.get(id(res), res)
            # a list the merge replaced wholesale has to restate every item: not a finding
            replaced = [p for rid, p in step.replaced_lists if rid == str(res.cur_id)]
            for path, line in hits:
                if is_secret_path(visible.kind, path) or any(path[: len(p)] == p for p in replaced):
                    continue
                field = format_path(path)
                where = f"{prov.display(real)}:{line + offset}"
                key = (step.id, field, line)
                rows.setdefault(
                    key,
                    {
                        "rule": "override-equals-base",
                        "env": rendered.name,
                        "resource": f"{visible.kind}/{visible.name}",
                        "field": field,
                        "location": where,
                        "message": f"{step.id} sets {field} to the value it already has "
                        f"({scalar_text(_get(before, path))}); drop the line or change the base",
                    },
                )
    return list(rows.values())


def _get(obj: Any, path: tuple[str | int, ...]) -> Any:
    for seg in path:
        if isinstance(obj, dict):
            obj = obj.get(seg)
        elif isinstance(obj, list) and isinstance(seg, int) and 0 <= seg < len(obj):
            obj = obj[seg]
        else:
            return None
    return obj
