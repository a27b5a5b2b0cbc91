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
from .sources import Tree, source_file
from .walk import align, match_item, scalar_text

Path = tuple["str | int", ...]
Chains = dict[Path, tuple[Entry, ...]]
_MISSING: Any = object()


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
        self._nodes: dict[int, Node] = {}
        self._shown: dict[str, str] = {}

    # -- public ----------------------------------------------------------------------------
    def display(self, path: str) -> str:
        """A path relative to the project root (as step ids are), else as given."""
        found = self._shown.get(path)
        if found is None:
            rel = os.path.relpath(path, self.root)
            found = path if rel.startswith("..") else rel.replace(os.sep, "/")
            self._shown[path] = found
        return found

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
        return flatten(self.node(res))

    def node(self, res: Any) -> Node:
        """The provenance tree of ``res`` (mirrors the object; shared where unchanged)."""
        key = id(res)
        found = self._nodes.get(key)
        if found is None:
            found = self._nodes[key] = self._build_node(res)
        return found

    def _build_node(self, res: Any) -> Node:
        changes = self._changes.get(id(res), [])
        first = changes[0][1] if changes else None
        state: Any = res.obj if first is None else first.before
        node: Node | None = None
        if state is not None:
            node = self._declaration(res, state)
        for step, change in changes:
            if change.removed or change.after is None:
                continue
            if change.before is not None and change.before != state:
                node = _carry(state, change.before, node, (), _engine)
            locator = self._locator(step)
            after = change.after

            def make(path: Path, value: Any, loc: StepLocator = locator, obj: Any = after) -> Entry:
                site = loc.site(res, path, obj)
                return Entry(
                    _leaf(value), site, str(loc.step.id), str(loc.step.kind), _is_box(value)
                )

            old = state if change.before is not None else _MISSING
            node = _carry(old, after, node if change.before is not None else None, (), make)
            state = after
        if state != res.obj or node is None:
            node = _carry(state, res.obj, node, (), _engine)
        return node

    def _declaration(self, res: Any, obj: Any) -> Node:
        origin = res.origin
        path = os.path.abspath(origin.path) if origin.path else ""
        source = source_file(path) if path and origin.generator is None else None
        tree = None
        if source is not None and 0 <= origin.doc_index < len(source.documents):
            tree = source.documents[origin.doc_index]
        if tree is not None and tree.keys is not None and "items" in tree.keys:
            tree = None  # an item of a kind: List document: only the document's line is known
        start = tree.line if tree is not None else origin.line
        return _declare(tree, obj, start, tree is not None, path, origin.line)


class Node:
    """Provenance of one value: its chain, and its children's nodes (by key or index)."""

    __slots__ = ("chain", "kids")

    def __init__(self, chain: tuple[Entry, ...], kids: Any = None) -> None:
        self.chain = chain
        self.kids: dict[Any, Node] | list[Node] | None = kids


def flatten(node: Node | None) -> Chains:
    """Path -> chain for every node of a provenance tree, in document order."""
    out: Chains = {}
    if node is not None:
        _flatten(node, (), out)
    return out


def _flatten(node: Node, path: Path, out: Chains) -> None:
    out[path] = node.chain
    kids = node.kids
    if isinstance(kids, dict):
        for key, child in kids.items():
            _flatten(child, (*path, key), out)
    elif isinstance(kids, list):
        for index, child in enumerate(kids):
            _flatten(child, (*path, index), out)


def _declare(
    tree: Tree | None, obj: Any, line: int | None, exact: bool, path: str, fallback: int | None
) -> Node:
    """The declaration node of ``obj`` as written in ``tree`` (one pass over both)."""
    shown = line if line is not None else fallback
    why = ((path, shown, LINE),) if shown is not None else ()
    entry = Entry(_leaf(obj), Site(path, shown, exact, "", why), None, "resource", _is_box(obj))
    if isinstance(obj, dict) and obj:
        keys = tree.keys if tree is not None else None
        kids: dict[Any, Node] = {}
        for key, value in obj.items():
            text = str(key) if not isinstance(key, bool) else scalar_text(key)
            child = keys.get(text) if keys is not None else None
            if child is not None and tree is not None:
                kids[key] = _declare(child, value, tree.key_line[text], exact, path, shown)
            else:
                kids[key] = _declare(None, value, shown, False, path, shown)
        return Node((entry,), kids)
    if isinstance(obj, list) and obj:
        items = tree.items if tree is not None else None
        out: list[Node] = []
        for index, value in enumerate(obj):
            if items is not None and len(items) == len(obj):
                item: Tree | None = items[index]  # the same text: items correspond
            else:
                item = match_item(items, value, index, len(obj)) if items is not None else None
            if item is not None:
                out.append(_declare(item, value, item.line, exact, path, shown))
            else:
                out.append(_declare(None, value, shown, False, path, shown))
        return Node((entry,), out)
    return Node((entry,))


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


def _carry(
    old: Any, new: Any, node: Node | None, path: Path, make: Callable[[Path, Any], Entry]
) -> Node:
    """The node of ``new`` at ``path``, reusing ``node`` (``old``'s) wherever nothing changed."""
    if node is not None and old is not _MISSING and type(old) is type(new) and old == new:
        return node
    prior = node.chain if node is not None and old is not _MISSING else ()
    if isinstance(new, dict) and new:
        same_kind = isinstance(old, dict) and bool(old) and prior
        chain = prior if same_kind else (make(path, new),)
        old_kids = node.kids if node is not None and isinstance(node.kids, dict) else {}
        kids: dict[Any, Node] = {}
        for key, value in new.items():
            before = old.get(key, _MISSING) if isinstance(old, dict) else _MISSING
            kids[key] = _carry(before, value, old_kids.get(key), (*path, key), make)
        return Node(chain, kids)
    if isinstance(new, list) and new:
        same_kind = isinstance(old, list) and bool(old) and prior
        chain = prior if same_kind else (make(path, new),)
        old_items = node.kids if node is not None and isinstance(node.kids, list) else []
        mapping = align(old, new) if isinstance(old, list) else [None] * len(new)
        items: list[Node] = []
        for index, value in enumerate(new):
            at = mapping[index]
            before = old[at] if at is not None and isinstance(old, list) else _MISSING
            sub = old_items[at] if at is not None and at < len(old_items) else None
            items.append(_carry(before, value, sub, (*path, index), make))
        return Node(chain, items)
    if prior and not (isinstance(old, (dict, list)) and old):
        return Node((*prior, make(path, new)))
    return Node((make(path, new),))
