"""HTML tables for the explorer, written directly: fast, with fixed ids and readable headers.

pandas' Styler took half of every toggle (0.1 s per table on the sample repository) and
gives each table a random id; the explorer only needs a header, a body and a set of marked
cells, so this module writes that markup itself. Output is deterministic (nbval compares it
strictly). Column names are shown as people read them (:data:`LABELS`, e.g. ``CPU request``
for ``cpu_request_text``); the marked cells are the ones that differ, not whole rows.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

MARK_CSS = "background-color: #fff3b0; font-weight: bold"
TABLE_CSS = "border-collapse: collapse; font-size: 12px"
CELL_CSS = "padding: 2px 8px; border: 1px solid #ddd; text-align: left"

# What the analysis layer calls a column -> what a person reads in the explorer.
LABELS: dict[str, str] = {
    "replicas": "Replicas (spec)",
    "effective_replicas": "Replicas",
    "hpa_min": "Autoscale min",
    "hpa_max": "Autoscale max",
    "cpu_request_text": "CPU request",
    "cpu_limit_text": "CPU limit",
    "memory_request_text": "Memory request",
    "memory_limit_text": "Memory limit",
    "gpu_text": "GPUs",
    "total_cpu_request_text": "CPU, all replicas",
    "total_memory_request_text": "Memory, all replicas",
    "tags": "Image tags",
    "log_level": "Log level",
    "env": "Environment",
    "mirror_percent": "Mirror %",
    "rps": "Requests/s",
    "rps_per_replica": "Requests/s per replica",
    "kind": "Kind",
    "workload": "Workload",
    "resource": "Resource",
    "field": "Field",
    "status": "Status",
    "note": "Note",
    "rule": "Rule",
    "severity": "Severity",
    "message": "Message",
    "differs": "What differs",
}


def label(name: Any) -> str:
    """The human header of a column name (``cpu_request_text`` -> ``CPU request``)."""
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    if "_" in text:  # an analysis column not listed above: still no snake_case on screen
        text = text.removesuffix("_text").replace("_", " ")
        return text[:1].upper() + text[1:]
    return text  # data (environment names, figures) is shown as it is


def _cell(tag: str, text: Any, *, marked: bool = False, attrs: str = "") -> str:
    # inline as well as by class: JupyterLab's sanitizer may drop <style> blocks of outputs
    cls = f' class="envlib-differs" style="{MARK_CSS}"' if marked else ""
    body = "" if text is None else html.escape(str(text))
    return f"<{tag}{cls}{attrs}>{body}</{tag}>"


def _style(uid: str) -> str:
    t = f"#T_{uid}"
    return (
        f"<style>{t} {{{TABLE_CSS}}} {t} th, {t} td {{{CELL_CSS}}} "
        f"{t} .envlib-differs {{{MARK_CSS}}} {t} caption {{caption-side: top; "
        "font-weight: bold; text-align: left}</style>"
    )


def _header_rows(columns: pd.Index, index_names: Sequence[str]) -> list[str]:
    """One header row per column level; equal neighbours of an upper level are merged."""
    levels = columns.nlevels
    tuples = [c if isinstance(c, tuple) else (c,) for c in columns]
    rows: list[str] = []
    for level in range(levels):
        last = level == levels - 1
        cells = [
            _cell("th", label(n) if (last and n) else "") for n in (index_names or [""])
        ] if index_names else []  # fmt: skip
        run: list[tuple[Any, int, tuple[Any, ...]]] = []  # (value, span, prefix)
        for values in tuples:
            prefix = values[: level + 1]
            if not last and run and run[-1][2] == prefix:
                run[-1] = (run[-1][0], run[-1][1] + 1, prefix)
            else:
                run.append((values[level], 1, prefix))
        for value, span, _prefix in run:
            attrs = f' colspan="{span}"' if span > 1 else ""
            cells.append(_cell("th", label(value) if last else value, attrs=attrs))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return rows


def table_html(
    frame: pd.DataFrame,
    uid: str,
    caption: str = "",
    *,
    marked: Callable[[int, int], bool] | None = None,
    index: bool = True,
    titles: Callable[[int], str] | None = None,
) -> str:
    """``frame`` as a ``<table id="T_<uid>">``; ``marked(row, column)`` picks cells to mark.

    Row labels (the index, one ``<th>`` per level) are shown unless ``index`` is false;
    ``titles(row)`` gives a row a tooltip (e.g. the full list of what differs).
    """
    names = [str(n) if n is not None else "" for n in frame.index.names] if index else []
    if index and not any(names):
        names = [""] * frame.index.nlevels
    parts = [_style(uid), f'<table id="T_{uid}">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead>" + "".join(_header_rows(frame.columns, names)) + "</thead><tbody>")
    labels = list(frame.index)
    previous: tuple[Any, ...] = ()
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        cells: list[str] = []
        if index:
            key = labels[i] if isinstance(labels[i], tuple) else (labels[i],)
            for level, value in enumerate(key):  # repeated outer labels are left blank
                repeated = level < len(key) - 1 and previous[: level + 1] == key[: level + 1]
                cells.append(_cell("th", "" if repeated else value))
            previous = key
        for j, value in enumerate(row):
            cells.append(_cell("td", value, marked=bool(marked and marked(i, j))))
        title = f' title="{html.escape(titles(i))}"' if titles and titles(i) else ""
        parts.append(f"<tr{title}>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
