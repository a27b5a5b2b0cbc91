"""HTML for the explorer's tables, with the differences between environments highlighted.

pandas' Styler gives each table a random id, which would make notebook outputs change on
every run; every table here gets a fixed id (``set_uuid``) and is returned as an
:class:`IPython.display.HTML` object, whose plain-text form carries no memory address. Both
matter for nbval's strict comparison.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

DIFF_CSS = "background-color: #fff3b0; font-weight: bold"
ERROR_CSS = "color: #a40000; font-weight: bold"
BASE_STYLES = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 12px"},
    {"selector": "th, td", "props": "padding: 2px 8px; border: 1px solid #ddd; text-align: left"},
    {"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left"},
]


def _html(styler: Any, uid: str, caption: str) -> Any:
    from IPython.display import HTML

    styler = styler.set_uuid(uid).set_table_styles(BASE_STYLES)
    if caption:
        styler = styler.set_caption(caption)
    return HTML(styler.to_html())


def summary_html(frame: pd.DataFrame, uid: str = "summary", caption: str = "") -> Any:
    """Rows whose value is not the same in every environment are highlighted."""
    if frame.empty:
        return message_html("nothing to show")

    def mark(row: pd.Series) -> list[str]:
        differs = len(set(row.astype(str))) > 1
        return [DIFF_CSS if differs else "" for _ in row]

    return _html(frame.rename_axis(None).style.apply(mark, axis=1), uid, caption)


def side_by_side_html(frame: pd.DataFrame, uid: str = "sbs", caption: str = "") -> Any:
    """A side-by-side inventory: cells of the metrics listed in ``differs`` are highlighted."""
    if frame.empty:
        return message_html("no workloads")
    differs_col = ("", "differs")

    def mark(row: pd.Series) -> list[str]:
        listed = {d.strip() for d in str(row.get(differs_col, "")).split(",") if d.strip()}
        return [
            DIFF_CSS if (col[1] in listed or (col == differs_col and listed)) else ""
            for col in row.index
        ]

    return _html(frame.style.apply(mark, axis=1), uid, caption)


def frame_html(
    frame: pd.DataFrame, uid: str, caption: str = "", *, highlight: str | None = None
) -> Any:
    """Any frame as a fixed-id table; ``highlight`` names a boolean-ish column marking rows."""
    if frame.empty:
        return message_html(caption + ": none" if caption else "none")
    shown = frame.drop(columns=[highlight]) if highlight else frame
    styler = shown.style
    if highlight:
        flags = frame[highlight].astype(bool).tolist()
        position = {label: i for i, label in enumerate(shown.index)}

        def mark(row: pd.Series) -> list[str]:
            hit = flags[position[row.name]] if row.name in position else False
            return [DIFF_CSS if hit else "" for _ in row]

        styler = styler.apply(mark, axis=1)
    return _html(styler.hide(axis="index"), uid, caption)


def message_html(text: str, *, error: bool = False) -> Any:
    """A one-line message (an error in red)."""
    from IPython.display import HTML

    style = f' style="{ERROR_CSS}"' if error else ""
    return HTML(f"<p{style}>{html.escape(text)}</p>")


def pre_html(text: str, *, diff: bool = False) -> Any:
    """Preformatted text; a unified diff gets its added and removed lines coloured."""
    from IPython.display import HTML

    lines = []
    for line in text.splitlines():
        escaped = html.escape(line)
        if diff and line.startswith("+") and not line.startswith("+++"):
            escaped = f'<span style="background:#e6ffec">{escaped}</span>'
        elif diff and line.startswith("-") and not line.startswith("---"):
            escaped = f'<span style="background:#ffebe9">{escaped}</span>'
        lines.append(escaped)
    body = "\n".join(lines)
    return HTML(f'<pre style="font-size: 12px; line-height: 1.3; margin: 0">{body}</pre>')
