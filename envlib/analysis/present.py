"""DataFrames to text, JSON or Markdown for the command line.

The analysis returns DataFrames; this module is the only place that turns them into strings,
so every command renders the same way: ``text`` for terminals (layouts from
:mod:`envlib.analysis.terminal` that fit the width and never truncate), ``json`` for scripts
(records, nulls for missing values, NaN never printed) and
``markdown`` tables that GitHub renders in a pull-request comment (pipes and newlines escaped).
Two-level column indexes (the side-by-side inventory) are flattened to ``env: metric``.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from . import terminal

FORMATS = ("text", "json", "markdown")
ABSENT = "(absent)"


def _flat_columns(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [": ".join(str(p) for p in col if str(p)) for col in out.columns]
    if isinstance(out.index, pd.MultiIndex) or out.index.name is not None:
        out = out.reset_index()
    return out


def _plain(value: Any) -> Any:
    """A JSON-safe Python value: NaN/None -> None, numpy scalars -> Python, ints kept exact."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _plain(value.item())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def cell_text(value: Any, absent: str = "") -> str:
    """One value as table text: numbers to 4 significant digits, booleans as yes/no."""
    plain = _plain(value)
    if plain is None:
        return absent
    if isinstance(plain, bool):
        return "yes" if plain else "no"
    if isinstance(plain, float):
        return f"{plain:.4g}" if abs(plain) < 1e6 else f"{plain:.6g}"
    return str(plain)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts."""
    flat = _flat_columns(frame)
    return [{str(k): _plain(v) for k, v in row.items()} for row in flat.to_dict("records")]


def to_text(frame: pd.DataFrame, *, absent: str = "", width: int | None = None) -> str:
    """An aligned plain-text table that fits ``width`` (nothing truncated: long text wraps).

    See :func:`envlib.analysis.terminal.table`: text left, numbers right, empty columns
    dropped, one block per row when even wrapping cannot make the table fit.
    """
    flat = _flat_columns(frame)
    if flat.empty:
        return "(none)"
    return terminal.table(flat, lambda v: cell_text(v, absent), limit=width)


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def to_markdown(frame: pd.DataFrame, *, absent: str = "") -> str:
    """A GitHub-flavoured Markdown table (numbers right-aligned)."""
    flat = _flat_columns(frame)
    if flat.empty:
        return "_none_"
    headers = [str(c) for c in flat.columns]
    numeric = [
        pd.api.types.is_numeric_dtype(flat[c]) and not pd.api.types.is_bool_dtype(flat[c])
        for c in flat.columns
    ]
    lines = [
        "| " + " | ".join(_md_escape(h) for h in headers) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    for row in flat.itertuples(index=False):
        lines.append("| " + " | ".join(_md_escape(cell_text(v, absent)) for v in row) + " |")
    return "\n".join(lines)


def render_sections(
    sections: Sequence[tuple[str, pd.DataFrame]],
    fmt: str,
    *,
    title: str = "",
    notes: Sequence[str] = (),
    meta: dict[str, Any] | None = None,
    absent: str = "",
    text_views: Mapping[str, Callable[[pd.DataFrame], str]] | None = None,
    json_views: Mapping[str, Callable[[pd.DataFrame], list[dict[str, Any]]]] | None = None,
) -> str:
    """Several titled tables (and notes) as one document in ``fmt``.

    JSON output is one object: ``meta`` keys, then each section under its title in
    snake_case, then ``notes``. ``text_views`` maps a section title to a terminal layout
    used instead of the generic table in ``text`` output only (JSON keeps its records);
    ``json_views`` likewise gives a section its own records in ``json`` output (tidy rows).
    """
    if fmt == "json":
        doc: dict[str, Any] = dict(meta or {})
        for name, frame in sections:
            as_json = (json_views or {}).get(name)
            rows = as_json(frame) if as_json is not None else records(frame)
            doc[name.lower().replace(" ", "_").replace("-", "_")] = rows
        if notes:
            doc["notes"] = list(notes)
        return json.dumps(doc, indent=2, ensure_ascii=False, default=str)
    parts: list[str] = []
    if fmt == "markdown":
        if title:
            parts.append(f"### {title}")
        for name, frame in sections:
            parts.append(f"#### {name}\n\n{to_markdown(frame, absent=absent)}")
        parts.extend(f"> {note}" for note in notes)
        return "\n\n".join(parts)
    if title:
        parts.append(title)
    for name, frame in sections:
        view = (text_views or {}).get(name)
        body = view(frame) if view is not None else to_text(frame, absent=absent)
        parts.append(f"== {name} ==\n{body}")
    parts.extend(textwrap.fill(note, terminal.width()) for note in notes)
    return "\n\n".join(parts)
