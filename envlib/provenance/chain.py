"""Field-level provenance of a build: each field's final value and the chain of steps behind it.

Fed by the build trace: every :class:`~envlib.kustomize.trace.Change` keeps the object just
before and just after its step. Starting from the object as its manifest declared it, each
change is diffed and carried forward field by field (list items aligned by merge key, so an
item's history follows it when a patch adds or reorders items): an unchanged field keeps its
chain, a changed field gets a new :class:`~.model.Entry` at the line the step wrote it.
Anything that changed between two steps without a step of its own (internal annotations,
the root's final clean-up) is an ``engine`` entry.

Nothing is computed at build time beyond the snapshots; a resource's provenance is worked out
the first time it is asked for and cached.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from .locate import StepLocator
from .model import LINE, Entry, FieldProvenance, Site
from .sources import source_file
from .walk import align, locate

Path = tuple["str | int", ...]
Chains = dict[Path, tuple[Entry, ...]]
_MISSING = object()


def project_root(directory: str | os.PathLike[str]) -> str:
    """The nearest ancestor holding ``.git`` (paths are shown relative to it), else itself."""
    start = os.path.abspath(directory)
    for candidate in (start, *_parents(start)):
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    return start


def _parents(path: str) -> Iterable[str]:
    while True:
        parent = os.path.dirname(path)
        if parent == path:
            return
        yield parent
        path = parent


class Provenance:
    """Provenance of the resources of one build (engine objects) from its trace."""

    def __init__(self, resources: Iterable[Any], trace: Any, root: str) -> None:
        self.root = root
        self.resources = list(resources)
        self.trace = trace
        self._changes: dict[int, list[tuple[Any, Any]]] = {}
        for step in getattr(trace, "steps", ()):
            for change in step.changes:
                if change.res is not None:
                    self._changes.setdefault(id(change.res), []).append((step, change))
        self._locators: dict[str, StepLocator] = {}
        self._cache: dict[int, Chains] = {}

    # -- public ----------------------------------------------------------------------------
    def display(self, path: str) -> str:
        """A path relative to the project root (as step ids are), else as given."""
        rel = os.path.relpath(path, self.root)
        return path if rel.startswith("..") else rel.replace(os.sep, "/")

    def chains(self, res: Any) -> Chains:
        """Every field (and container) path of ``res`` -> its chain, declaration first."""
        key = id(res)
        if key not in self._cache:
            self._cache[key] = self._compute(res)
        return self._cache[key]

    def field(self, res: Any, path: Path) -> FieldProvenance:
        """One field's provenance (an empty chain when the path is not in the object)."""
        chain = self.chains(res).get(tuple(path), ())
        value = chain[-1].value if chain else None
        return FieldProvenance(tuple(path), value, chain)

    def fields(self, res: Any) -> list[FieldProvenance]:
        """Every scalar field (and empty container) of ``res``, in document order."""
        out = []
        for path, chain in self.chains(res).items():
            if chain and not chain[-1].container:
                out.append(FieldProvenance(path, chain[-1].value, chain))
        return out

    # -- computation ----------------------------------------------------------------------
    def _locator(self, step: Any) -> StepLocator:
        found = self._locators.get(step.id)
        if found is None:
            found = StepLocator(step, os.path.abspath(step.level or ""))
            self._locators[step.id] = found
        return found

    def _compute(self, res: Any) -> Chains:
        changes = self._changes.get(id(res), [])
        first = changes[0][1] if changes else None
        state: Any = res.obj if first is None else first.before
        chains: Chains = {}
        if state is not None:
            declare = self._declaration(res, state)
            _carry(_MISSING, state, (), (), {}, chains, declare)
        for step, change in changes:
            if change.removed or change.after is None:
                continue
            if change.before is not None and change.before != state:
                chains = _advance(state, change.before, chains, _engine)
            locator = self._locator(step)
            after = change.after

            def make(path: Path, value: Any, loc: StepLocator = locator, obj: Any = after) -> Entry:
                site = loc.site(res, path, obj)
                return Entry(
                    _leaf(value), site, str(loc.step.id), str(loc.step.kind), _is_box(value)
                )

            chains = _advance(state if change.before is not None else _MISSING, after, chains, make)
            state = after
        if state != res.obj:
            chains = _advance(state, res.obj, chains, _engine)
        return chains

    def _declaration(self, res: Any, obj: Any) -> Callable[[Path, Any], Entry]:
        origin = res.origin
        path = os.path.abspath(origin.path) if origin.path else ""
        source = source_file(path) if path and origin.generator is None else None
        tree = None
        if source is not None and 0 <= origin.doc_index < len(source.documents):
            tree = source.documents[origin.doc_index]
        if tree is not None and tree.keys is not None and "items" in tree.keys:
            tree = None  # an item of a kind: List document: only the document's line is known

        def declare(field_path: Path, value: Any) -> Entry:
            line, exact = (None, False) if tree is None else locate(tree, obj, field_path)
            if line is None:
                line, exact = origin.line, False
            why = ((path, line, LINE),) if line is not None else ()
            site = Site(path, line, exact, "", why)
            return Entry(_leaf(value), site, None, "resource", _is_box(value))

        return declare


def _engine(path: Path, value: Any) -> Entry:
    return Entry(_leaf(value), None, None, "engine", _is_box(value))


def _is_box(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def _leaf(value: Any) -> Any:
    """Containers are recorded by kind only (their fields have chains of their own)."""
    if isinstance(value, dict):
        return {} if not value else "{...}"
    if isinstance(value, list):
        return [] if not value else "[...]"
    return value


def _advance(old: Any, new: Any, chains: Chains, make: Callable[[Path, Any], Entry]) -> Chains:
    out: Chains = {}
    _carry(old, new, (), (), chains, out, make)
    return out


def _carry(
    old: Any,
    new: Any,
    old_path: Path | None,
    new_path: Path,
    chains: Chains,
    out: Chains,
    make: Callable[[Path, Any], Entry],
) -> None:
    """Fill ``out`` for ``new`` at ``new_path`` from ``old``'s chains at ``old_path``."""
    prior = chains.get(old_path, ()) if old_path is not None and old is not _MISSING else ()
    if isinstance(new, dict) and new:
        same_kind = isinstance(old, dict) and bool(old) and prior
        out[new_path] = prior if same_kind else (make(new_path, new),)
        for key, value in new.items():
            before = old.get(key, _MISSING) if isinstance(old, dict) else _MISSING
            sub = (*old_path, key) if old_path is not None else None
            _carry(before, value, sub, (*new_path, key), chains, out, make)
        return
    if isinstance(new, list) and new:
        same_kind = isinstance(old, list) and bool(old) and prior
        out[new_path] = prior if same_kind else (make(new_path, new),)
        mapping = align(old, new) if isinstance(old, list) else [None] * len(new)
        for index, value in enumerate(new):
            at = mapping[index]
            before = old[at] if at is not None and isinstance(old, list) else _MISSING
            sub = (*old_path, at) if at is not None and old_path is not None else None
            _carry(before, value, sub, (*new_path, index), chains, out, make)
        return
    if prior and old == new and type(old) is type(new):
        out[new_path] = prior
    elif prior and not (isinstance(old, (dict, list)) and old):
        out[new_path] = (*prior, make(new_path, new))
    else:
        out[new_path] = (make(new_path, new),)
