"""Provenance records: where a value's text is (a :class:`Site`) and its history (entries).

Plain, frozen data so analysis can turn it into DataFrames and the CLI into text/JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# how a reason is read at a place: the line's own comment, a file's header, the block above
LINE, HEADER, BLOCK = "line", "header", "block"


@dataclass(frozen=True)
class Site:
    """The text behind a value: absolute file path and 1-based line (None: the whole file).

    ``exact`` is False when only an enclosing key or entry could be found (the value itself
    was computed, e.g. a hash suffix or a rewritten name reference). ``why_from`` lists the
    places whose comments give the reason, most specific first: ``(path, line, how)``.
    """

    path: str
    line: int | None
    exact: bool = True
    note: str = ""
    why_from: tuple[tuple[str, int | None, str], ...] = ()


@dataclass(frozen=True)
class Entry:
    """One step in a value's history: the value it set and where that value was written.

    ``step`` is the trace step id (None for the declaration in a manifest, and for the
    engine's own changes between steps, which have ``kind == "engine"``).
    """

    value: Any
    site: Site | None
    step: str | None
    kind: str
    container: bool = False  # a map or list: its fields have chains of their own


@dataclass(frozen=True)
class FieldProvenance:
    """A field of a rendered resource: its path, final value and chain of entries."""

    path: tuple[str | int, ...]
    value: Any
    chain: tuple[Entry, ...]

    @property
    def final(self) -> Entry | None:
        """The entry that produced the final value."""
        return self.chain[-1] if self.chain else None
