"""Which file of a branch caused a field change in an environment.

Why not the build trace alone: the trace records what each step *changed*, so a patch that
now writes the value the base already had (or a base edit hidden under an overlay's patch)
would be misattributed. A cause is therefore checked against both revisions:

* the file that declared the resource, when the field's raw value in that document differs;
* a kustomization entry (``patches[2]``, ``images[0]``, ``namespace``...) of a step that
  touched the resource at either revision, when the entry itself differs and mentions the
  field (or the step changed exactly that field);
* a file that entry references (patch file, generator source), when it differs and
  mentions the field's key.

Files are compared through the two revisions' file systems; paths are relative to the
repository root, as a pull request lists them. When nothing can be proven, every changed
input of the environment is returned (the caller says so).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from envlib.kustomize.core.resource import Resource
from envlib.kustomize.core.trace import FieldPath, Step
from envlib.kustomize.load.fs import FileSystem

from .blame import BlameError, parse_field
from .environments import RenderedEnv

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STEP_ID = re.compile(r"^(?P<file>[^#]+)#(?P<field>[A-Za-z]+)(?:\[(?P<index>\d+)\])?(?:@\d+)?$")
_FILE_KEYS = ("path", "files", "envs", "env", "paths")


class CauseFinder:
    """Answers "which changed files produced this field?" for one environment."""

    def __init__(
        self,
        root: Path,
        left: FileSystem,
        right: FileSystem,
        changed: list[str],
        *,
        is_changed: Callable[[str], bool] | None = None,
    ) -> None:
        """``changed``: the changed files (repository paths); or ``is_changed`` answers for
        one path (before a build, when the list is not known yet)."""
        self.root = root
        self.systems = (left, right)
        self.changed = set(changed)
        self._is_changed = is_changed
        self._docs: dict[tuple[int, str], list[Any]] = {}
        # id(trace) -> id(engine resource) -> [(step, paths it changed)], in step order: one
        # pass over a trace instead of one per field (thousands of fields on a big overlay)
        self._touches: dict[int, dict[int, list[tuple[Step, list[FieldPath]]]]] = {}

    def _changed(self, rel: str) -> bool:
        if self._is_changed is not None:
            return self._is_changed(rel)
        return rel in self.changed

    def rel(self, path: str) -> str:
        """``path`` relative to the repository root (absolute when outside it)."""
        absolute = os.path.abspath(path)
        rel = os.path.relpath(absolute, self.root)
        return absolute if rel.startswith("..") else rel.replace(os.sep, "/")

    def _load(self, side: int, rel: str) -> list[Any]:
        key = (side, rel)
        if key not in self._docs:
            try:
                data = self.systems[side].read_bytes(os.path.join(self.root, rel))
                docs = list(yaml.load_all(data.decode("utf-8", "replace"), Loader=_LOADER))
            except (OSError, yaml.YAMLError):
                docs = []
            self._docs[key] = docs
        return self._docs[key]

    # -- the question ---------------------------------------------------------------------
    def causes(
        self,
        field_text: str,
        sides: list[tuple[RenderedEnv, Resource | None]],
    ) -> list[str]:
        """Changed files behind ``field_text``; ``sides`` are (render, resource) per revision."""
        found: list[str] = []
        key = _leaf_key(field_text)
        for rendered, res in sides:
            if res is None:
                continue
            origin = self.rel(res.origin.path)
            if self._changed(origin) and self._origin_differs(origin, res, field_text):
                found.append(origin)
            for step, paths in self._steps_on(rendered, res):
                found += self._step_causes(step, paths, rendered, res, field_text, key)
        return sorted(set(found))

    def _steps_on(self, rendered: RenderedEnv, res: Resource) -> list[tuple[Step, list[FieldPath]]]:
        """The steps that changed ``res`` at this revision, with the paths each changed."""
        trace = rendered.trace
        if trace is None:
            return []
        index = self._touches.get(id(trace))
        if index is None:
            index = self._touches[id(trace)] = _index(trace.steps)
        return index.get(id(rendered.original(res)), [])

    def _origin_differs(self, rel: str, res: Resource, field_text: str) -> bool:
        index = res.origin.doc_index
        values = []
        for side in (0, 1):
            docs = self._load(side, rel)
            doc = docs[index] if index < len(docs) else None
            values.append(_lookup(doc, field_text))
        return values[0] != values[1]

    def may_blame(self, step_id: str) -> bool:
        """Whether :meth:`causes` could ever name a file through this step.

        Only a step whose kustomization file changed, or whose entry (at either revision)
        references a changed file, can; every other step is skipped by :meth:`_step_causes`
        whatever it changed. So when no step of a build may blame, the build needs no trace.
        """
        match = _STEP_ID.match(step_id)
        if match is None:
            return False
        kust = match["file"]
        if self._changed(kust):
            return True
        field, index = match["field"], match["index"]
        base_dir = os.path.dirname(kust)
        for side in (0, 1):
            for ref in _file_refs(_entry(self._load(side, kust), field, index)):
                rel = os.path.normpath(os.path.join(base_dir, ref)).replace(os.sep, "/")
                if self._changed(rel):
                    return True
        return False

    def _step_causes(
        self,
        step: Step,
        paths: list[FieldPath],
        rendered: RenderedEnv,
        res: Resource,
        field_text: str,
        key: str,
    ) -> list[str]:
        match = _STEP_ID.match(step.id)
        if match is None:
            return []
        kust = match["file"]
        field, index = match["field"], match["index"]
        entries = [_entry(self._load(s, kust), field, index) for s in (0, 1)]
        exact = _touched(paths, rendered, res, field_text)
        out: list[str] = []
        if self._changed(kust) and entries[0] != entries[1]:
            if exact or key in _keys_and_text(entries[0]) | _keys_and_text(entries[1]):
                out.append(kust)
        base_dir = os.path.dirname(kust)
        for entry in entries:
            for ref in _file_refs(entry):
                rel = os.path.normpath(os.path.join(base_dir, ref)).replace(os.sep, "/")
                if self._changed(rel) and rel not in out:
                    texts = [self._load(s, rel) for s in (0, 1)]
                    if exact or any(key in _keys_and_text(t) for t in texts):
                        out.append(rel)
        return out


# -- helpers ----------------------------------------------------------------------------------
def _index(steps: list[Step]) -> dict[int, list[tuple[Step, list[FieldPath]]]]:
    """id(resource) -> the steps that changed or targeted it, with the paths they changed.

    The same facts as ``Step.changed_paths`` / ``BuildTrace.steps_touching``, gathered in
    one pass over the trace.
    """
    out: dict[int, list[tuple[Step, list[FieldPath]]]] = {}
    for step in steps:
        mine: dict[int, list[FieldPath]] = {}
        for change in step.changes:
            if change.res is not None:
                mine.setdefault(id(change.res), []).extend(change.paths)
        for res in step.targets:  # a patch that targeted it without changing it
            mine.setdefault(id(res), [])
        for key, paths in mine.items():
            out.setdefault(key, []).append((step, paths))
    return out


def _touched(paths: list[FieldPath], rendered: RenderedEnv, res: Resource, field_text: str) -> bool:
    """Whether a step that changed ``paths`` on ``res`` changed ``field_text`` (or a parent or
    child of it) - ``BuildTrace.steps_touching`` for one step."""
    original = rendered.original(res)
    try:
        wanted = tuple(parse_field(original.obj, field_text)) if field_text else ()
    except BlameError:
        return False
    return any(p[: len(wanted)] == wanted[: len(p)] for p in paths)


def _leaf_key(field_text: str) -> str:
    """The last plain key of a field path (``image`` of ``...containers[name=api].image``)."""
    parts = [p for p in re.split(r"\.|\[[^\]]*\]", field_text) if p]
    return parts[-1] if parts else ""


def _entry(docs: list[Any], field: str, index: str | None) -> Any:
    doc = docs[0] if docs and isinstance(docs[0], dict) else {}
    value = doc.get(field)
    if index is None:
        return value
    if isinstance(value, list) and int(index) < len(value):
        return value[int(index)]
    return None


def _file_refs(entry: Any) -> list[str]:
    out: list[str] = []
    if isinstance(entry, dict):
        for name in _FILE_KEYS:
            value = entry.get(name)
            if isinstance(value, str):
                out.append(value.split("=", 1)[-1])
            elif isinstance(value, list):
                out += [str(v).split("=", 1)[-1] for v in value if isinstance(v, str)]
    elif isinstance(entry, str) and not entry.startswith(("-", "{")):
        out.append(entry)  # patchesStrategicMerge: a file name
    return out


def _keys_and_text(value: Any) -> set[str]:
    """Every mapping key in ``value`` and every word of its strings (JSON6902 ``path``s)."""
    out: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            out.update(str(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            out.update(w for w in re.split(r"[^A-Za-z0-9_-]+", item) if w)
    return out


def _lookup(doc: Any, field_text: str) -> Any:
    """The value at ``field_text`` in a raw document (None when absent)."""
    if doc is None:
        return None
    try:
        path = parse_field(doc, field_text) if field_text else ()
    except BlameError:
        return None
    current = doc
    for part in path:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
        else:
            return None
    return current


__all__ = ["CauseFinder"]
