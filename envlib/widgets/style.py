"""HTML for the explorer's tables, with the cells that differ between environments marked.

Every table gets a fixed id (:mod:`.tables` writes the markup) and is returned as an
:class:`IPython.display.HTML` object, whose plain-text form carries no memory address. Both
matter for nbval's strict comparison.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from .tables import MARK_CSS, label, table_html

DIFF_CSS = MARK_CSS
ERROR_CSS = "color: #a40000; font-weight: bold"
# The side-by-side table's default columns per environment; the rest is one click away.
KEY_METRICS = ("effective_replicas", "cpu_request_text", "memory_request_text")


def _html(markup: str) -> Any:
    from IPython.display import HTML

    return HTML(markup)


def summary_html(frame: pd.DataFrame, uid: str = "summary", caption: str = "") -> Any:
    """Headline figures; a cell is marked where it differs from the first environment's."""
    if frame.empty:
        return message_html("nothing to show")
    values = frame.astype(str).to_numpy()

    def marked(i: int, j: int) -> bool:
        return j > 0 and values[i][j] != values[i][0]

    return _html(table_html(frame.rename_axis(None), uid, caption, marked=marked))


def side_by_side_html(
    frame: pd.DataFrame,
    uid: str = "sbs",
    caption: str = "",
    metrics: tuple[str, ...] | None = None,
) -> Any:
    """A side-by-side inventory, ``metrics`` per environment (default: all of them).

    A cell is marked where the workload's value differs from the first environment's (or the
    workload is missing); the full list of what differs is the row's tooltip.
    """
    if frame.empty:
        return message_html("no workloads")
    differs_col = ("", "differs")
    differs = frame[differs_col].astype(str).tolist() if differs_col in frame.columns else []
    shown = frame.drop(columns=[differs_col], errors="ignore")
    if metrics is not None:
        keep = [c for c in shown.columns if c[1] in metrics]
        shown = shown[sorted(keep, key=lambda c: (_env_order(shown, c[0]), metrics.index(c[1])))]
    columns = list(shown.columns)
    first_env = columns[0][0] if columns else ""
    first = {c[1]: j for j, c in enumerate(columns) if c[0] == first_env}
    values = shown.astype(str).to_numpy()

    def marked(i: int, j: int) -> bool:
        env, metric = columns[j]
        if values[i][j] == "-":
            return True
        ref = values[i][first[metric]] if metric in first else values[i][j]
        return env != first_env and (values[i][j] != ref or ref == "-")

    def titles(i: int) -> str:
        listed = [d.strip() for d in differs[i].split(",") if d.strip()] if differs else []
        return "differs: " + ", ".join(label(d) for d in listed) if listed else ""

    return _html(table_html(shown, uid, caption, marked=marked, titles=titles))


def _env_order(frame: pd.DataFrame, env: str) -> int:
    envs = list(dict.fromkeys(c[0] for c in frame.columns))
    return envs.index(env)


def frame_html(
    frame: pd.DataFrame, uid: str, caption: str = "", *, highlight: str | None = None
) -> Any:
    """Any frame as a fixed-id table with human headers; ``highlight`` names a boolean-ish
    column whose true rows get their first cell marked (the rest of the row stays plain)."""
    if frame.empty:
        return message_html(caption + ": none" if caption else "none")
    shown = frame.drop(columns=[highlight]) if highlight else frame
    flags = frame[highlight].astype(bool).tolist() if highlight else []

    def marked(i: int, j: int) -> bool:
        return bool(flags) and j == 0 and flags[i]

    return _html(table_html(shown, uid, caption, marked=marked, index=False))


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
