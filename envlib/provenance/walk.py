"""Finding a field of an object in a YAML line tree, and aligning lists between versions.

Both jobs meet the same problem: a field path has list indices (``containers[1]``), but the
text that wrote it (a strategic-merge patch, an earlier version of the object) may list the
items in another order or only some of them. Items are matched by their merge key (``name``,
``containerPort``, ...) when they have one, else by equal value, else by position.
"""

from __future__ import annotations

from typing import Any

from .sources import Tree

# keys that identify list items (kustomize's merge keys for built-in kinds, plus the
# ``name`` convention that custom resources follow)
MERGE_KEYS = ("name", "containerPort", "mountPath", "devicePath", "ip", "topologyKey", "key")


def identity(item: Any) -> tuple[str, str] | None:
    """``("name", "mlserver")`` for a list item that carries a merge key."""
    if isinstance(item, dict):
        for key in MERGE_KEYS:
            value = item.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return key, str(value)
    return None


def scalar_text(value: Any) -> str:
    """How a scalar is usually written in YAML (for matching it against source text)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _tree_identity(tree: Tree, key: str) -> str | None:
    child = tree.keys.get(key) if tree.keys is not None else None
    return child.text if child is not None and child.text is not None else None


def match_item(items: list[Tree], wanted: Any, index: int, total: int) -> Tree | None:
    """The tree item that wrote list element ``wanted`` (at ``index`` of ``total``)."""
    ident = identity(wanted)
    if ident is not None:
        key, value = ident
        for item in items:
            if _tree_identity(item, key) == value:
                return item
        return None
    if not isinstance(wanted, (dict, list)):
        text = scalar_text(wanted)
        for item in items:
            if item.text == text:
                return item
    if len(items) == total and 0 <= index < len(items):
        return items[index]
    return None


def locate(tree: Tree, obj: Any, path: tuple[str | int, ...]) -> tuple[int | None, bool]:
    """The line in ``tree`` that writes ``path`` of ``obj``, and whether it was found exactly.

    When the full path is not in the text, the deepest enclosing key's line comes back with
    ``False``; ``(None, False)`` when not even the first segment is there.
    """
    line: int | None = None
    node: Tree | None = tree
    current = obj
    for seg in path:
        if node is None:
            return line, False
        if node.keys is not None and not isinstance(seg, int):
            found = node.line_of(seg)
            if found is None:
                return line, False
            line, node = found, node.keys.get(str(seg))
        elif node.items is not None and isinstance(seg, int):
            values = current if isinstance(current, list) else []
            wanted = values[seg] if 0 <= seg < len(values) else None
            item = match_item(node.items, wanted, seg, len(values))
            if item is None:
                return line, False
            line, node = item.line, item
        else:
            return line, False
        current = _get(current, seg)
    return line, True


def _get(value: Any, seg: str | int) -> Any:
    if isinstance(value, dict):
        return value.get(seg)
    if isinstance(value, list) and isinstance(seg, int) and 0 <= seg < len(value):
        return value[seg]
    return None


def align(old: list[Any], new: list[Any]) -> list[int | None]:
    """For each item of ``new``, the index of the same item in ``old`` (None: a new item).

    Items with a merge key match by it; others by equal value first, then - only when the
    list kept its length - by position (an item edited in place).
    """
    if len(old) == len(new) and all(
        identity(a) == identity(b) for a, b in zip(old, new, strict=True)
    ):
        return list(range(len(new)))
    out: list[int | None] = [None] * len(new)
    used: set[int] = set()
    by_id: dict[tuple[str, str], int] = {}
    for i, item in enumerate(old):
        ident = identity(item)
        if ident is not None:
            by_id.setdefault(ident, i)
    for j, item in enumerate(new):
        ident = identity(item)
        match = by_id.get(ident) if ident is not None else None
        if ident is None:
            match = next((i for i, o in enumerate(old) if i not in used and o == item), None)
        if match is not None and match not in used:
            used.add(match)
            out[j] = match
    if len(old) == len(new):
        for j, item in enumerate(new):
            if out[j] is None and j not in used and identity(item) is None:
                if isinstance(item, (dict, list)) and identity(old[j]) is None:
                    used.add(j)
                    out[j] = j
    return out
