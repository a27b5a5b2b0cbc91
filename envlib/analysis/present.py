"""DataFrames to text, JSON or Markdown for the command line.

The analysis returns DataFrames; this module is the only place that turns them into strings,
so every command renders the same way: ``text`` for terminals (pandas' own layout, nothing
truncated), ``json`` for scripts (records, nulls for missing values, NaN never printed) and
``markdown`` tables that GitHub renders in a pull-request comment (pipes and newlines escaped).
Two-level column indexes (the side-by-side inventory) are flattened to ``env: metric``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

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


def _cell(value: Any, absent: str = "") -> str:
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


def to_text(frame: pd.DataFrame, *, absent: str = "") -> str:
    """An aligned plain-text table (every row and column, no truncation)."""
    flat = _flat_columns(frame)
    if flat.empty:
        return "(none)"
    cells = flat.map(lambda v: _cell(v, absent)) if len(flat.columns) else flat
    return cells.to_string(index=False)


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
        lines.append("| " + " | ".join(_md_escape(_cell(v, absent)) for v in row) + " |")
    return "\n".join(lines)


def render_sections(
    sections: Sequence[tuple[str, pd.DataFrame]],
    fmt: str,
    *,
    title: str = "",
    notes: Sequence[str] = (),
    meta: dict[str, Any] | None = None,
    absent: str = "",
) -> str:
    """Several titled tables (and notes) as one document in ``fmt``.

    JSON output is one object: ``meta`` keys, then each section under its title in
    snake_case, then ``notes``.
    """
    if fmt == "json":
        doc: dict[str, Any] = dict(meta or {})
        for name, frame in sections:
            doc[name.lower().replace(" ", "_").replace("-", "_")] = records(frame)
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
        parts.append(f"== {name} ==\n{to_text(frame, absent=absent)}")
    parts.extend(notes)
    return "\n\n".join(parts)
