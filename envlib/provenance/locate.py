"""Where a step wrote a field: the line inside a patch, a generator's literal, a transformer entry.

A trace step knows its kustomization file (``step.level``) and its entry (the part of its id
after ``#``: ``patches[0]``, ``images[1]``, ``namespace``). From the kustomization's own
text we find the entry, and from the entry the text that wrote the value:

* patches - the patch file (``path:``) or the inline ``patch:`` block; a strategic merge is
  searched for the field (list items by merge key), a JSON6902 patch for the last operation
  whose ``path`` covers the field (the ``path:`` line; deeper fields inside its ``value``);
* generators - the ``literals`` item, ``files`` item or env-file line of a data key;
* transformers - the entry's value line (``newTag``, ``count``, a label's key in ``pairs``).

Root-only steps that compute values (hash suffixes, name references, vars) point at their
kustomization entry, with ``exact=False``: the value is not written anywhere.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from typing import Any

from .model import BLOCK, HEADER, LINE, Site
from .sources import SourceFile, Tree, source_file, text_source
from .walk import locate, scalar_text

_ENTRY = re.compile(r"^([A-Za-z0-9]+)(?:\[(\d+)\])?(?:@\d+)?$")
_PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902", "extraPatches")
_COMPUTED = ("hashSuffix", "nameReferences", "vars", "localConfig")


def split_entry(step_id: str) -> tuple[str, int | None]:
    """``k8s/x/kustomization.yaml#patches[2]`` -> ``("patches", 2)``."""
    tail = step_id.rpartition("#")[2]
    found = _ENTRY.match(tail)
    if found is None:
        return tail, None
    return found.group(1), int(found.group(2)) if found.group(2) is not None else None


class StepLocator:
    """Finds, for one trace step, the line that wrote each field it set."""

    def __init__(self, step: Any, kust_path: str) -> None:
        self.step = step
        self.kust_path = kust_path
        self.directory = os.path.dirname(kust_path)
        self.field, self.index = split_entry(str(step.id))

    # -- the kustomization entry ---------------------------------------------------------
    @cached_property
    def kust(self) -> SourceFile | None:
        return source_file(self.kust_path)

    @cached_property
    def kust_tree(self) -> Tree | None:
        kust = self.kust
        return kust.trees[0] if kust is not None and kust.trees else None

    @cached_property
    def entry(self) -> Tree | None:
        """The tree of the step's entry (``patches[0]``) or field value (``namespace``)."""
        tree = self.kust_tree
        node = tree.child(self.field) if tree is not None else None
        if node is not None and self.index is not None:
            node = node.child(self.index)
        return node

    @cached_property
    def entry_line(self) -> int | None:
        tree = self.kust_tree
        if tree is None:
            return None
        if self.index is None:
            return tree.line_of(self.field)
        node = tree.child(self.field)
        return node.line_of(self.index) if node is not None else tree.line_of(self.field)

    def entry_site(self, line: int | None = None, *, exact: bool = True, note: str = "") -> Site:
        """A site in the kustomization (the entry's line unless told), reasons from the entry."""
        why: list[tuple[str, int | None, str]] = []
        if line is not None:
            why.append((self.kust_path, line, LINE))
        why.append((self.kust_path, self.entry_line, LINE))
        tree = self.kust_tree
        if self.index is not None and tree is not None:
            why.append((self.kust_path, tree.line_of(self.field), BLOCK))
        return Site(
            self.kust_path,
            line if line is not None else self.entry_line,
            exact,
            note,
            tuple(why),
        )

    # -- patches ---------------------------------------------------------------------------
    @cached_property
    def patch_source(self) -> tuple[SourceFile | None, int, str]:
        """(patch text as a file, line offset into the real file, real file path)."""
        entry = self.entry
        if entry is None:
            return None, 0, self.kust_path
        if entry.text is not None:  # patchesStrategicMerge: a path, or inline YAML
            candidate = os.path.join(self.directory, entry.text)
            if "\n" not in entry.text and os.path.isfile(candidate):
                return source_file(candidate), 0, candidate
            return text_source(self.kust_path, entry.text), _offset(entry), self.kust_path
        path_node = entry.child("path")
        if path_node is not None and path_node.text:
            candidate = os.path.join(self.directory, path_node.text)
            return source_file(candidate), 0, candidate
        inline = entry.child("patch") or entry.child("jsonOp")
        if inline is not None and inline.text is not None:
            return text_source(self.kust_path, inline.text), _offset(inline), self.kust_path
        return None, 0, self.kust_path

    def patch_site(self, res: Any, path: tuple[str | int, ...], after: Any) -> Site:
        source, offset, real = self.patch_source
        if source is None or not source.trees:
            return self.entry_site(exact=False)
        if self.step.patch_type == "json6902":
            line, exact = _json6902_line(source.trees[0], after, path)
        else:
            tree = _smp_document(source.trees, res)
            line, exact = locate(tree, after, path)
            if line is None:
                line, exact = tree.line, False
        real_line = line + offset if line is not None else None
        why: list[tuple[str, int | None, str]] = []
        if real_line is not None:
            why.append((real, real_line, LINE))
        if real != self.kust_path:
            why.append((real, None, HEADER))
        site = self.entry_site()
        return Site(real, real_line, exact, "", (*why, *site.why_from))

    # -- generators ------------------------------------------------------------------------
    def generator_site(self, path: tuple[str | int, ...]) -> Site:
        entry = self.entry
        if entry is None:
            return self.entry_site(exact=False)
        if len(path) == 2 and path[0] in ("data", "binaryData"):
            key = str(path[1])
            found = self._literal_line(entry, key) or self._file_line(entry, key)
            if found is not None:
                return found
            return self.entry_site(exact=False)
        if path[:1] == ("metadata",) and len(path) >= 2:
            if path[1] == "name" and entry.keys is not None and "name" in entry.keys:
                return self.entry_site(entry.line_of("name"))
            options = entry.child("options")
            if options is not None and len(path) == 3:
                group = options.child(str(path[1]))
                if group is not None and group.keys is not None and str(path[2]) in group.keys:
                    return self.entry_site(group.line_of(path[2]))
        return self.entry_site(exact=path[:1] in (("kind",), ("apiVersion",)))

    def _literal_line(self, entry: Tree, key: str) -> Site | None:
        literals = entry.child("literals")
        for item in literals.items or [] if literals is not None else []:
            if item.text is not None and item.text.split("=", 1)[0].strip() == key:
                return self.entry_site(item.line)
        return None

    def _file_line(self, entry: Tree, key: str) -> Site | None:
        files = entry.child("files")
        for item in files.items or [] if files is not None else []:
            text = item.text or ""
            name, sep, rest = text.partition("=")
            if (sep and name.strip() == key) or os.path.basename(rest or text) == key:
                return self.entry_site(item.line)
        for group in ("envs", "env"):
            node = entry.child(group)
            for item in (node.items or [node]) if node is not None else []:
                if item.text is None:
                    continue
                env = source_file(os.path.join(self.directory, item.text))
                if env is None:
                    continue
                for number, raw in enumerate(env.lines, start=1):
                    if raw.split("=", 1)[0].strip() == key:
                        return Site(env.path, number, True, "", ((env.path, number, LINE),))
        return None

    # -- transformers ------------------------------------------------------------------------
    def transformer_site(self, path: tuple[str | int, ...]) -> Site:
        entry, last = self.entry, path[-1] if path else ""
        if entry is None:
            return self.entry_site(exact=False)
        if self.field in ("commonLabels", "commonAnnotations") and entry.keys is not None:
            return self.entry_site(entry.line_of(str(last)) if str(last) in entry.keys else None)
        if self.field == "labels":
            pairs = entry.child("pairs")
            if pairs is not None and pairs.keys is not None and str(last) in pairs.keys:
                return self.entry_site(pairs.line_of(str(last)))
        if self.field == "images":
            for key in ("digest", "newTag", "newName"):
                if entry.keys is not None and key in entry.keys:
                    return self.entry_site(entry.line_of(key))
        if self.field == "replicas" and entry.keys is not None and "count" in entry.keys:
            return self.entry_site(entry.line_of("count"))
        if self.field == "replacements":
            source = entry.child("source")
            note = _replacement_note(source)
            line = self.entry_line if source is None else _first_line(entry, "source")
            return self.entry_site(line, note=note)
        return self.entry_site()

    # -- dispatch --------------------------------------------------------------------------
    def site(self, res: Any, path: tuple[str | int, ...], after: Any) -> Site:
        """The site of ``path`` as this step left it in ``after``."""
        if self.step.patch_type is not None or self.field in _PATCH_FIELDS:
            return self.patch_site(res, path, after)
        if self.field in ("configMapGenerator", "secretGenerator"):
            return self.generator_site(path)
        if self.field in _COMPUTED:
            note = {
                "hashSuffix": "content hash appended",
                "nameReferences": "name reference rewritten to the referenced object's name",
                "vars": "$(VAR) substituted",
            }.get(self.field, "")
            return Site(self.kust_path, None, False, note, ())
        return self.transformer_site(path)


def _offset(node: Tree) -> int:
    """Line offset of an inline block scalar's text in its kustomization file."""
    return node.line if node.style in ("|", ">") else node.line - 1


def _first_line(entry: Tree, key: str) -> int | None:
    return entry.line_of(key)


def _replacement_note(source: Tree | None) -> str:
    if source is None or source.keys is None:
        return ""
    parts = [
        f"{k}={v.text}"
        for k, v in source.keys.items()
        if v.text is not None and k in ("kind", "name", "fieldPath")
    ]
    return "from " + ", ".join(parts) if parts else ""


def _smp_document(trees: list[Tree], res: Any) -> Tree:
    """The document of a multi-document patch that targets ``res`` (by kind and any name)."""
    if len(trees) == 1:
        return trees[0]
    names = set(res.all_names()) if res is not None else set()
    kind = res.kind if res is not None else ""
    for tree in trees:
        meta = tree.child("metadata")
        name = meta.child("name") if meta is not None else None
        kind_node = tree.child("kind")
        if (
            name is not None
            and name.text in names
            and (kind_node is None or kind_node.text == kind)
        ):
            return tree
    return trees[0]


def _pointer(text: str) -> list[str]:
    if not text or text == "/":
        return [] if not text else [""]
    return [p.replace("~1", "/").replace("~0", "~") for p in text.lstrip("/").split("/")]


def _covers(pointer: list[str], path: tuple[str | int, ...]) -> bool:
    if len(pointer) > len(path):
        return False
    for part, seg in zip(pointer, path, strict=False):
        if part == "-" and isinstance(seg, int):
            continue
        if part != str(seg):
            return False
    return True


def _json6902_line(ops: Tree, after: Any, path: tuple[str | int, ...]) -> tuple[int | None, bool]:
    """The ``path:`` line of the last op that covers ``path`` (inside its value if deeper).

    An ``add`` into a list that later adds shifted is found by its value instead.
    """
    candidates = [op for op in reversed(ops.items or []) if op.keys is not None]
    for op in candidates:
        target = op.child("path")
        if target is None or target.text is None:
            continue
        pointer = _pointer(target.text)
        if _covers(pointer, path):
            return _op_line(op, after, path, len(pointer))
    for op in candidates:
        target, value = op.child("path"), op.child("value")
        if target is None or target.text is None or value is None:
            continue
        pointer = _pointer(target.text)
        depth = len(pointer)
        if not pointer or depth > len(path) or not isinstance(path[depth - 1], int):
            continue
        if _covers(pointer[:-1], path) and _same_text(value, _get_path(after, path[:depth])):
            return _op_line(op, after, path, depth)
    return ops.line, False


def _op_line(
    op: Tree, after: Any, path: tuple[str | int, ...], depth: int
) -> tuple[int | None, bool]:
    rest = path[depth:]
    value = op.child("value")
    if not rest or value is None:
        return op.line_of("path"), True
    line, exact = locate(value, _get_path(after, path[:depth]), rest)
    return (line, exact) if line is not None else (op.line_of("value"), False)


def _same_text(tree: Tree, value: Any) -> bool:
    """Whether a YAML tree writes exactly ``value`` (scalars compared as text)."""
    if tree.keys is not None:
        return (
            isinstance(value, dict)
            and set(tree.keys) == {str(k) for k in value}
            and all(_same_text(child, value.get(key)) for key, child in tree.keys.items())
        )
    if tree.items is not None:
        return (
            isinstance(value, list)
            and len(value) == len(tree.items)
            and all(_same_text(t, v) for t, v in zip(tree.items, value, strict=True))
        )
    return not isinstance(value, (dict, list)) and tree.text == scalar_text(value)


def _get_path(obj: Any, path: tuple[str | int, ...]) -> Any:
    for seg in path:
        if isinstance(obj, dict):
            obj = obj.get(seg)
        elif isinstance(obj, list) and isinstance(seg, int) and 0 <= seg < len(obj):
            obj = obj[seg]
        else:
            return None
    return obj
