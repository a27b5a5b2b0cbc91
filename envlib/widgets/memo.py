"""A small memo of computed frames, keyed by what they were computed from.

The explorer's builds are cached by :class:`~.state.ExplorerState`, so the same
:class:`~envlib.analysis.environments.RenderedEnv` object comes back when a box is ticked back
on or a what-if is undone; and a build made again (cache cleared, or evicted) usually
contains exactly what an earlier one did. :class:`ContentTokens` names a build's content with
a small integer, and frames computed from it (its inventory, its findings, the diff of two
builds, the HTML of a table) are found by those tokens: this memo returns them without
recomputing. Entries hold their source objects, so an id is never mistaken for a newer
object's, and the oldest entries are dropped beyond ``size``.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class FrameMemo:
    """``get(name, sources, params, make)``: ``make()`` once per (sources, params)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[tuple[Any, ...], Any]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, name: str, sources: Sequence[Any], params: Hashable, make: Callable[[], T]) -> T:
        """The frame ``name`` of ``sources`` (compared by identity) and ``params`` (by value)."""
        objs = tuple(sources)
        key = (name, tuple(id(o) for o in objs), params)
        found = self._entries.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], objs, strict=True)):
            self._entries.move_to_end(key)
            self.hits += 1
            value: T = found[1]
            return value
        self.misses += 1
        value = make()
        self._entries[key] = (objs, value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every frame."""
        self._entries.clear()


class ContentTokens:
    """Small integers naming what a build contains, so equal rebuilds share their frames.

    A build that is thrown away and made again (``ExplorerState.clear_cache``, a box ticked
    off, on and off again after the cache dropped it) is a new object with the same resources.
    Keying frames by these tokens instead of object identity finds them already computed.
    Two tokens per build: :meth:`content` (the resources with their origins - enough for the
    inventory, the diff, the experiment preview) and :meth:`traced` (also every step of the
    trace, what it changed and the file stamps - what checks and provenance read).
    """

    def __init__(self, per_env: int = 32) -> None:
        self.per_env = per_env
        self._known: dict[tuple[str, str], list[tuple[Any, int]]] = {}
        self._by_build: OrderedDict[int, tuple[Any, int, int]] = OrderedDict()
        self._next = 0

    def _token(self, kind: str, env: str, signature: Any) -> int:
        seen = self._known.setdefault((kind, env), [])
        for index, (known, token) in enumerate(seen):
            if known == signature:
                if index:  # most recently used first: the usual match is found at once
                    seen.insert(0, seen.pop(index))
                return token
        self._next += 1
        seen.insert(0, (signature, self._next))
        del seen[self.per_env :]
        return self._next

    def _tokens(self, rendered: Any) -> tuple[int, int]:
        found = self._by_build.get(id(rendered))
        if found is not None and found[0] is rendered:
            self._by_build.move_to_end(id(rendered))
            return found[1], found[2]
        name = rendered.name
        content = self._token("content", name, _content_signature(rendered))
        traced = self._token("traced", name, (content, *_trace_signature(rendered)))
        self._by_build[id(rendered)] = (rendered, content, traced)
        while len(self._by_build) > self.per_env * 8:
            self._by_build.popitem(last=False)
        return content, traced

    def clear(self) -> None:
        """Forget every build seen (new builds then get new tokens)."""
        self._known.clear()
        self._by_build.clear()

    def content(self, rendered: Any) -> int:
        """Equal for builds of one environment with equal resources (objects and origins)."""
        return self._tokens(rendered)[0]

    def traced(self, rendered: Any) -> int:
        """Equal for builds whose resources, trace and input files are all the same."""
        return self._tokens(rendered)[1]


def _content_signature(rendered: Any) -> list[tuple[str, Any]]:
    return [(str(res.origin), res.obj) for res in rendered.resources]


def _trace_signature(rendered: Any) -> tuple[Any, ...]:
    """The steps (dataclass equality: ids, kinds, changes, matches), the snapshots of every
    change (provenance reads them) and the stamp of every input file (comments give reasons)."""
    steps = list(rendered.trace.steps) if rendered.trace is not None else []
    snapshots = [(c.before, c.after) for step in steps for c in step.changes]
    return steps, snapshots, input_stamps(rendered), list(rendered.warnings)


def input_stamps(rendered: Any) -> list[tuple[str, tuple[int, int] | None]]:
    """Each file the build read, with its modification time and size (None when gone)."""
    files = sorted(rendered.inputs.files) if rendered.inputs is not None else []
    return [(path, _stamp(path)) for path in files]


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
