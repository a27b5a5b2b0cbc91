"""Plain-text layouts for a terminal of a given width (100 columns unless it says otherwise).

pandas' ``to_string`` right-aligns text, keeps empty columns and grows past any width, which
makes a wide table unreadable exactly where it matters (the replica table, the diff). The
layouts here only change how the *text* output looks; JSON and Markdown keep their columns.

* :func:`table` - any frame: text left-aligned, numbers right-aligned, all-empty columns
  dropped, the widest text column wrapped when the table is too wide, and one block per row
  (``key  value`` lines) when even that does not fit;
* :func:`workloads` - the replica table as one block per workload, one line per environment,
  ``*`` on every value that is not the same in all environments;
* :func:`changes` - the diff grouped per resource, ``left -> right`` on one line when it fits;
* :func:`traffic` - the experiment preview with shares as percentages and rates in req/s.
"""

from __future__ import annotations

import math
import re
import shutil
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

MIN_WRAP = 24
MIN_COLUMN = 16  # narrower wrapped text is harder to read than one block per row
_DIGEST = re.compile(r"(@sha256:[0-9a-f]{12})[0-9a-f]{52}")  # as `docker images` shows it
_NUMBER = re.compile(r"-?[0-9][0-9.,]*(e[+-]?[0-9]+)?%?|-")
Cell = Callable[[Any], str]


def width() -> int:
    """The terminal width (``COLUMNS`` wins; 100 when not a terminal), at least 60."""
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def heading(column: str) -> str:
    """A column name for people: ``total_cpu_request_text`` -> ``total cpu request``."""
    return column.removesuffix("_text").replace("_", " ")


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _lines(cells: list[str], widths: list[int], right: list[bool]) -> list[str]:
    wrapped = [
        textwrap.wrap(c, w, break_long_words=True, break_on_hyphens=False) or [""]
        if len(c) > w
        else [c]
        for c, w in zip(cells, widths, strict=True)
    ]
    out: list[str] = []
    for i in range(max(len(w) for w in wrapped)):
        parts = [
            (p[i] if i < len(p) else "").rjust(w) if r else (p[i] if i < len(p) else "").ljust(w)
            for p, w, r in zip(wrapped, widths, right, strict=True)
        ]
        out.append("  ".join(parts).rstrip())
    return out


def _total(widths: list[int]) -> int:
    return sum(widths) + 2 * (len(widths) - 1)


def table(frame: pd.DataFrame, cell: Cell, *, limit: int | None = None) -> str:
    """``frame`` as an aligned table no wider than ``limit`` (see the module docstring)."""
    limit = limit or width()
    if frame.empty:
        return "(none)"
    columns = [c for c in frame.columns if any(cell(v) for v in frame[c])]
    if not columns:
        return "(none)"
    heads = [heading(str(c)) for c in columns]
    rows = [[cell(v) for v in values] for values in frame[columns].itertuples(index=False)]
    right = [
        _is_number(frame[c]) or all(_NUMBER.fullmatch(r[i]) for r in rows if r[i])
        for i, c in enumerate(columns)
    ]
    data = [max(len(r[i]) for r in rows) for i in range(len(columns))]
    widths = [max(len(h), d) for h, d in zip(heads, data, strict=True)]
    floor = [max(d, *(len(w) for w in h.split())) for h, d in zip(heads, data, strict=True)]
    while _total(widths) > limit:  # first let the longest headings wrap, as little as needed
        slack = max(range(len(widths)), key=lambda i: widths[i] - floor[i])
        if widths[slack] <= floor[slack]:
            break
        widths[slack] -= 1
    # then wrap the widest text columns, at spaces only (paths, images and digests stay whole
    # so they can be copied), never below MIN_COLUMN; the first column names the row
    token = [
        max(MIN_COLUMN, *(len(word) for r in rows for word in r[i].split()))
        for i in range(len(columns))
    ]
    while _total(widths) > limit:
        text = [i for i in range(1, len(widths)) if not right[i] and widths[i] > token[i]]
        if not text:
            return records(frame[columns], cell, limit=limit)
        widest = max(text, key=lambda i: widths[i])
        widths[widest] = max(token[widest], widths[widest] - (_total(widths) - limit))
    out = _lines(heads, widths, right)
    out.append("  ".join("-" * w for w in widths))
    for row in rows:
        out.extend(_lines(row, widths, right))
    return "\n".join(out)


def records(frame: pd.DataFrame, cell: Cell, *, limit: int | None = None) -> str:
    """One block per row, ``key  value`` per non-empty field, long values wrapped."""
    limit = limit or width()
    heads = [heading(str(c)) for c in frame.columns]
    pad = max(len(h) for h in heads)
    room = max(MIN_WRAP, limit - pad - 2)
    blocks: list[str] = []
    for number, values in enumerate(frame.itertuples(index=False), start=1):
        lines = [f"-- {number} --"]
        for head, value in zip(heads, values, strict=True):
            text = cell(value)
            if not text:
                continue
            parts = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False) or [
                ""
            ]
            lines.append(f"{head.ljust(pad)}  {parts[0]}")
            lines.extend(" " * (pad + 2) + p for p in parts[1:])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# (header, how to show one inventory row) - one entry per column of the workload blocks
def _replicas(row: dict[str, Any]) -> str:
    declared, effective = _value(row.get("replicas")), _value(row.get("effective_replicas"))
    text = declared if declared == effective or not effective else f"{declared}->{effective}"
    low, high = row.get("hpa_min"), row.get("hpa_max")
    if row.get("hpa"):
        text += f" (HPA {_value(low) or '?'}-{_value(high) or '?'})"
    elif not _missing(row.get("min_replicas")) or not _missing(row.get("max_replicas")):
        text += f" ({_value(row.get('min_replicas'))}-{_value(row.get('max_replicas'))})"
    return text or ("per node" if row.get("kind") == "DaemonSet" else "")


def _pair(a: str, b: str) -> Callable[[dict[str, Any]], str]:
    def show(row: dict[str, Any]) -> str:
        left, right = _value(row.get(a)), _value(row.get(b))
        return f"{left or '-'}/{right or '-'}" if left or right else ""

    return show


WORKLOAD_COLUMNS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("replicas", _replicas),
    ("cpu req/lim", _pair("cpu_request_text", "cpu_limit_text")),
    ("memory req/lim", _pair("memory_request_text", "memory_limit_text")),
    ("gpu", lambda row: _value(row.get("gpu_text"))),
    ("total cpu/mem", _pair("total_cpu_request_text", "total_memory_request_text")),
    ("model mem", lambda row: _value(row.get("model_memory_text"))),
    ("tag", lambda row: _DIGEST.sub(r"\1", _value(row.get("tags")))),
    ("log", lambda row: _value(row.get("log_level"))),
]


def workloads(inv: pd.DataFrame, *, limit: int | None = None) -> str:
    """The inventory as one block per workload and one line per environment (``*``: differs)."""
    if inv.empty:
        return "(none)"
    envs = list(dict.fromkeys(inv["env"]))
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in record.items()} for record in inv.to_dict("records")
    ]
    groups: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["kind"], row["key"]), {})[row["env"]] = row
    shown = [(head, show) for head, show in WORKLOAD_COLUMNS if any(show(row) for row in rows)]
    cells: dict[tuple[str, str], dict[str, list[str]]] = {}
    for ident, by_env in groups.items():
        cells[ident] = {}
        for env in envs:
            found = by_env.get(env)
            cells[ident][env] = [show(found) if found is not None else "" for _, show in shown]
        present = [env for env in envs if env in by_env]
        for index in range(len(shown)):
            distinct = {cells[ident][env][index] for env in present}
            if len(distinct) > 1:
                for env in present:
                    cells[ident][env][index] = (cells[ident][env][index] or "-") + " *"
    env_width = max(len(e) for e in envs) + 2
    widths = [
        max(len(head), *(len(v[i]) for c in cells.values() for v in c.values()))
        for i, (head, _) in enumerate(shown)
    ]
    heads = [head for head, _ in shown]
    limit = limit or width()
    if len(envs) == 1 or env_width + _total(widths) > limit:  # a (wrapping) table instead
        flat = [
            {
                "workload": f"{kind}/{key}",
                **({"env": env} if len(envs) > 1 else {}),
                **dict(zip(heads, values, strict=True)),
            }
            for (kind, key), by_env in cells.items()
            for env, values in by_env.items()
            if env in groups[(kind, key)]
        ]
        return table(pd.DataFrame(flat), str, limit=limit)
    lines = [
        (
            "  "
            + "env".ljust(env_width - 2)
            + "  "
            + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
        ).rstrip()
    ]
    lines.append("-" * min(limit, len(lines[0])))
    for (kind, key), by_env in groups.items():
        lines.append(f"{kind}/{key}")
        for env in envs:
            if env not in by_env:
                lines.append(f"  {env.ljust(env_width - 2)}  (not deployed) *")
                continue
            values = cells[(kind, key)][env]
            text = "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True))
            lines.append(f"  {env.ljust(env_width - 2)}  {text}".rstrip())
    return "\n".join(lines)


def changes(
    frame: pd.DataFrame, left: str, right: str, cell: Cell, *, limit: int | None = None
) -> str:
    """Diff rows grouped per resource: ``field  left -> right`` or stacked when too long."""
    limit = limit or width()
    if frame.empty:
        return "(none)"
    out: list[str] = []
    for resource, group in frame.groupby("resource", sort=False):
        status = str(group["status"].iloc[0])
        if status.startswith("only in"):
            out.append(f"{resource}  ({status})")
            continue
        out.append(str(resource))
        pad = min(max(len(str(f)) for f in group["field"]), 60)
        for row in group.to_dict("records"):
            field = str(row["field"])
            a, b = cell(row["left"]), cell(row["right"])
            note = f"  [{row['note']}]" if row.get("note") else ""
            line = f"  {field.ljust(pad)}  {a} -> {b}{note}"
            if len(line) <= limit and "\n" not in a + b:
                out.append(line)
                continue
            out.append(f"  {field}{note}")
            for name, value in ((left, a), (right, b)):
                text = textwrap.wrap(value, max(MIN_WRAP, limit - 8 - len(name))) or [""]
                out.append(f"      {name}: {text[0]}")
                out.extend(" " * (8 + len(name)) + t for t in text[1:])
    return "\n".join(out)


def traffic(frame: pd.DataFrame, *, limit: int | None = None) -> str:
    """The experiment preview: one block per experiment, shares in %, rates in req/s."""
    if frame.empty:
        return "(none)"
    out: list[str] = []
    for (env, experiment), group in frame.groupby(["env", "experiment"], sort=False):
        rows = []
        for row in group.to_dict("records"):
            share = row.get("share")
            rate, per = row.get("rps"), row.get("rps_per_replica")
            mirror = row.get("mirror_percent")
            rows.append(
                {
                    "role": row["role"] + (" (default)" if row.get("is_default") else ""),
                    "model": row["model"],
                    "weight": _value(row.get("weight")) if row["role"] != "mirror" else "",
                    "share": f"{share * 100:.4g}%"
                    if isinstance(share, (int, float)) and not _missing(share)
                    else "",
                    "mirror %": _value(mirror) if row["role"] == "mirror" else "",
                    "req/s": f"{rate:.4g}" if not _missing(rate) else "",
                    "replicas": _value(row.get("replicas")),
                    "req/s per replica": f"{per:.4g}" if not _missing(per) else "",
                }
            )
        body = pd.DataFrame(rows)
        out.append(f"{env}: Experiment/{experiment}")
        text = table(body, str, limit=(limit or width()) - 2)
        out.extend("  " + line for line in text.splitlines())
        out.append("")
    return "\n".join(out).rstrip()


def join(parts: Sequence[str]) -> str:
    """Sections separated by a blank line."""
    return "\n\n".join(p for p in parts if p)
