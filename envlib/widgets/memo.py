"""A small memo of computed frames, keyed by the very objects they were computed from.

The explorer's builds are cached by :class:`~.state.ExplorerState`, so the same
:class:`~envlib.analysis.environments.RenderedEnv` object comes back when a box is ticked back
on or a what-if is undone. Frames computed from it (its inventory, its findings, the diff of
two builds, the HTML of a table) are then the same too: this memo returns them without
recomputing. Entries hold their source objects, so an id is never mistaken for a newer
object's, and the oldest entries are dropped beyond ``size``.
"""

from __future__ import annotations

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
