"""Source files as provenance sees them: text, a line tree per YAML document, and comments.

The engine parses for values; provenance needs *where* each key and item was written and
what the author wrote next to it. Files are re-read lazily (only when a field is explained or
a build annotated) and cached per path, so a build pays nothing for this.

A :class:`Tree` mirrors a YAML node: mappings keep their keys as text, sequences their items,
each with the 1-based line it starts on. Keys are compared as text, never re-typed, so the
dialect differences between kyaml and PyYAML do not matter here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class _Composer(CParser):
    """libyaml's composer without PyYAML's Python resolver: only lines are wanted here."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return "?"

    def descend_resolver(self, parent: Any, index: Any) -> None:
        """Tags are not needed."""

    def ascend_resolver(self) -> None:
        """Tags are not needed."""


_Loader: Any = _Composer


class Tree:
    """One YAML node: its start line, its children (by key text or index), its scalar text."""

    __slots__ = ("end_line", "items", "key_line", "keys", "line", "style", "text")

    def __init__(self, line: int, end_line: int) -> None:
        self.line = line
        self.end_line = end_line  # the last line the node's text reaches
        self.keys: dict[str, Tree] | None = None
        self.items: list[Tree] | None = None
        self.text: str | None = None
        self.key_line: dict[str, int] = {}
        self.style: str | None = None

    def child(self, segment: str | int) -> Tree | None:
        """The child at a key (compared as text) or index."""
        if self.keys is not None:
            return self.keys.get(str(segment))
        if self.items is not None and isinstance(segment, int) and 0 <= segment < len(self.items):
            return self.items[segment]
        return None

    def line_of(self, segment: str | int) -> int | None:
        """The line of a key (its key token) or of an item."""
        if self.keys is not None:
            return self.key_line.get(str(segment))
        child = self.child(segment)
        return child.line if child is not None else None


def to_tree(node: Node) -> Tree:
    """A :class:`Tree` from a composed PyYAML node (aliases are shared subtrees)."""
    end = node.end_mark
    # a block scalar ends at column 0 of the line after its text: it does not reach that line
    tree = Tree(node.start_mark.line + 1, end.line + (1 if end.column else 0))
    if isinstance(node, MappingNode):
        tree.keys = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
            tree.keys[key] = to_tree(value_node)
            tree.key_line[key] = key_node.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        tree.items = [to_tree(item) for item in node.value]
    elif isinstance(node, ScalarNode):
        tree.text = str(node.value)
        tree.style = node.style
    return tree


def parse_documents(text: str) -> list[Tree | None]:
    """Every document of ``text`` as a tree (None: empty); ``[]`` when it is not readable YAML.

    Positions count every document, like the engine's ``Origin.doc_index``.
    """
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError:
        return []
    return [None if n is None else to_tree(n) for n in nodes]


@dataclass
class SourceFile:
    """A file's lines and its YAML documents, read once."""

    path: str
    lines: list[str]
    documents: list[Tree | None]

    @property
    def trees(self) -> list[Tree]:
        """The documents that are mappings or sequences (what patches and manifests are)."""
        return [t for t in self.documents if t is not None and t.text is None]

    def line(self, number: int) -> str:
        """Text of a 1-based line ("" outside the file)."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def reason_at(self, number: int) -> str:
        """The comment written on a line (after the value) or in the block right above it."""
        inline = inline_comment(self.line(number))
        if inline:
            return inline
        return self.block_above(number)

    def block_above(self, number: int) -> str:
        """Consecutive comment-only lines directly above ``number``, joined."""
        out: list[str] = []
        index = number - 1
        while index >= 1:
            stripped = self.line(index).strip()
            if not stripped.startswith("#"):
                break
            out.append(stripped)
            index -= 1
        return join_comment(reversed(out))

    def header(self) -> str:
        """The comment block a file starts with (before its first YAML line)."""
        out: list[str] = []
        for raw in self.lines:
            stripped = raw.strip()
            if stripped.startswith("#"):
                out.append(stripped)
            elif stripped and stripped != "---":
                break
            elif out and not stripped:
                break
        return join_comment(out)


def join_comment(lines: object) -> str:
    """``# a`` / ``#   b`` lines -> ``a b`` (list bullets keep their own line)."""
    parts: list[str] = []
    for line in lines:  # type: ignore[attr-defined]
        text = str(line).lstrip("#").strip()
        if not text:
            continue
        if parts and not text.startswith("- "):
            parts[-1] = f"{parts[-1]} {text}"
        else:
            parts.append(text)
    return "\n".join(parts)


_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'")


def inline_comment(line: str) -> str:
    """The ``# ...`` after YAML content on a line (quotes respected), else ""."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return ""
    masked = _QUOTED.sub(lambda m: "x" * len(m.group(0)), line)
    found = re.search(r"\s#", masked)
    if found is None:
        return ""
    return join_comment([line[found.start() + 1 :]])


@lru_cache(maxsize=4096)
def _load(path: str, mtime: float) -> SourceFile | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    return SourceFile(path, text.split("\n"), parse_documents(text))


def source_file(path: str) -> SourceFile | None:
    """The file at ``path`` (None when it cannot be read); cached until it changes."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    return _load(os.path.abspath(path), mtime)


def text_source(path: str, text: str) -> SourceFile:
    """A :class:`SourceFile` for text that is not a file of its own (an inline patch)."""
    return SourceFile(path, text.split("\n"), parse_documents(text))
