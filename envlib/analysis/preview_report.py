"""A :class:`~.preview.Preview` as text, JSON, or a pull-request comment in Markdown.

The Markdown is written for GitHub (and GitLab) comments: a summary table first, then one
collapsible ``<details>`` section per changed environment with its field changes (old ->
new, and the branch file that caused each), capacity, traffic and check changes and a YAML
diff. GitHub refuses comments over 65,536 characters, so the document is fitted to
``limit``: YAML diffs are shortened first, then field tables lose whole rows, then whole
sections give way to a note - never a table cut in the middle. Values are already redacted
(rendering redacts secrets), so nothing here can leak one.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from .present import cell_text, records
from .present import to_text as frame_text
from .preview import EnvPreview, Preview

GITHUB_LIMIT = 65_536
_SHOWN = ("changed", "added", "removed", "error")
_FIELD_COLUMNS = ["resource", "field", "old", "new", "caused by"]


def _md(text: Any) -> str:
    value = cell_text(text, "")
    value = value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return value.replace("<", "&lt;").replace(">", "&gt;")


def _code(text: Any) -> str:
    value = cell_text(text, "")
    if not value:
        return ""
    return "<code>" + _md(value) + "</code>"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# -- Markdown ------------------------------------------------------------------------------------
def to_markdown(result: Preview, *, limit: int = GITHUB_LIMIT) -> str:
    """The pull-request comment, at most ``limit`` characters."""
    head = _markdown_head(result)
    shown = [e for e in result.envs if e.status in _SHOWN]
    tail = "\n\n<sub>Rendered offline by envlib preview.</sub>\n"
    budget = limit - len(head) - len(tail)
    sections: list[str] = []
    for index, item in enumerate(shown):
        left = len(shown) - index
        room = (budget - sum(len(s) for s in sections)) // left
        text = _section(item, room)
        if len(text) > room:
            text = _omitted(item)
        sections.append(text)
    doc = head + "".join(sections) + tail
    while len(doc) > limit and sections:  # a last resort: the head and tail always fit
        sections.pop()
        doc = head + "".join(sections) + "\n\n_Some environments omitted: comment limit._" + tail
    return doc


def _markdown_head(result: Preview) -> str:
    lines = [
        f"### Promotion preview: merging into `{result.into}`",
        "",
        f"Base: {_md(result.base)} · Head: {_md(result.head)}",
        "",
    ]
    rows = [[_md(v) for v in row.values()] for row in result.summary().to_dict("records")]
    header = ["environment", "reached by merge", "status", "resources (+ - ~)", "capacity"]
    header += ["traffic", "checks"]
    lines += _table(header, rows)
    notes = [f"- **{_md(', '.join(names))}**: {_md(note)}" for note, names in _notes(result)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def _notes(result: Preview) -> list[tuple[str, list[str]]]:
    """Each environment note once, with the environments it applies to, in order.

    Why: a repository without Argo CD Applications gives every environment the same note
    ("assumed to follow main"); a dozen identical lines would hide the one that differs.
    """
    grouped: dict[str, list[str]] = {}
    for item in result.envs:
        if item.note:
            grouped.setdefault(item.note, []).append(item.name)
    count = len(result.envs)
    return [
        (note, [f"all {count} environments"] if count > 1 and len(names) == count else names)
        for note, names in grouped.items()
    ]


def _omitted(item: EnvPreview) -> str:
    summary = f"<b>{_md(item.name)}</b>: {item.status} (details omitted: comment limit)"
    return f"\n<details><summary>{summary}</summary>\n\n</details>\n"


def _section(item: EnvPreview, room: int) -> str:
    """One environment's ``<details>``, shrunk (diff first, then rows) to fit ``room``."""
    diff_lines = item.yaml_diff.splitlines()
    rows = _field_rows(item)
    keep_rows, keep_diff = len(rows), len(diff_lines)
    text = _details(item, rows, keep_rows, diff_lines, keep_diff)
    while len(text) > room and keep_diff > 0:
        keep_diff = max(0, min(keep_diff - 20, int(keep_diff * room / max(len(text), 1))))
        text = _details(item, rows, keep_rows, diff_lines, keep_diff)
    while len(text) > room and keep_rows > 0:
        keep_rows = max(0, min(keep_rows - 5, int(keep_rows * room / max(len(text), 1))))
        text = _details(item, rows, keep_rows, diff_lines, keep_diff)
    return text


def _field_rows(item: EnvPreview) -> list[list[str]]:
    out: list[list[str]] = []
    for row in item.fields.to_dict("records"):
        if row["status"] == "ignored":
            continue
        field = row["field"] or f"({row['status']} {row['kind']})"
        files = ", ".join(f"<code>{_md(f)}</code>" for f in row["files"])
        out.append(
            [_md(row["resource"]), _code(field), _code(row["old"]), _code(row["new"]), files]
        )
    return out


def _details(
    item: EnvPreview, rows: list[list[str]], keep: int, diff: list[str], keep_diff: int
) -> str:
    n_res = len(item.resources)
    files = ", ".join(f"<code>{_md(f)}</code>" for f in item.changed_files[:6])
    more = f" and {len(item.changed_files) - 6} more" if len(item.changed_files) > 6 else ""
    summary = f"<b>{_md(item.name)}</b>: {item.status}, {n_res} resource(s)"
    parts = [f"\n<details><summary>{summary}</summary>\n"]
    if item.note:
        parts.append(f"{_md(item.note)}\n")
    if files:
        parts.append(f"Files of the branch this environment reads: {files}{more}\n")
    if rows:
        parts.append("**Field changes** (old → new)\n")
        parts.append("\n".join(_table(_FIELD_COLUMNS, rows[:keep])) + "\n")
        if keep < len(rows):
            parts.append(
                f"_… {len(rows) - keep} more field change(s) not shown (comment limit)._\n"
            )
    ignored = item.fields[item.fields["status"] == "ignored"] if not item.fields.empty else None
    if ignored is not None and len(ignored):
        reasons = sorted({str(n) for n in ignored["note"]})
        parts.append(
            f"_{len(ignored)} difference(s) ignored as noise: {_md('; '.join(reasons))}._\n"
        )
    for title, frame in (
        ("Capacity", item.capacity),
        ("Experiment traffic", item.traffic),
        ("Checks", item.checks),
    ):
        if not frame.empty:
            body = [[_md(v) for v in r.values()] for r in frame.to_dict("records")]
            parts.append(f"**{title}**\n")
            parts.append("\n".join(_table(list(frame.columns), body)) + "\n")
    if diff and keep_diff:
        fence = "````" if any(line.startswith("```") for line in diff) else "```"
        parts.append(f"{fence}diff\n" + "\n".join(diff[:keep_diff]) + f"\n{fence}\n")
        if keep_diff < len(diff):
            parts.append(f"_YAML diff truncated: {len(diff) - keep_diff} more line(s)._\n")
    parts.append("</details>\n")
    return "\n".join(parts)


# -- JSON and text ------------------------------------------------------------------------------
def to_json(result: Preview) -> str:
    """The whole preview as one JSON document."""
    envs = []
    for item in result.envs:
        envs.append(
            {
                "name": item.name,
                "status": item.status,
                "reached": item.reached,
                "target_revision": item.target_revision,
                "application": item.application,
                "path": item.path,
                "note": item.note,
                "changed_files": item.changed_files,
                "newly_failing_checks": item.newly_failing,
                "resources": records(item.resources),
                "fields": records(item.fields),
                "capacity": records(item.capacity),
                "traffic": records(item.traffic),
                "checks": records(item.checks),
                "yaml_diff": item.yaml_diff,
            }
        )
    doc = {
        "base": result.base,
        "head": result.head,
        "into": result.into,
        "fails_checks": result.fails_checks,
        "summary": records(result.summary()),
        "environments": envs,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def to_text(result: Preview) -> str:
    """A terminal report: the summary, then each changed environment's tables."""
    parts = [
        f"Promotion preview: merging into {result.into}",
        f"base: {result.base}",
        f"head: {result.head}",
    ]
    parts.append(_frame_text(result.summary()))
    notes = [f"{', '.join(names)}: {note}" for note, names in _notes(result)]
    if notes:
        parts.append("\n".join(notes))
    for item in result.envs:
        if item.status not in _SHOWN:
            continue
        parts.append(f"== {item.name}: {item.status} ==")
        if item.changed_files:
            parts.append("files: " + ", ".join(item.changed_files))
        fields = item.fields.copy()
        if not fields.empty:
            fields["files"] = [", ".join(f) for f in fields["files"]]
            parts.append(
                _frame_text(fields[["resource", "field", "old", "new", "status", "files"]])
            )
        for title, frame in (
            ("capacity", item.capacity),
            ("traffic", item.traffic),
            ("checks", item.checks),
        ):
            if not frame.empty:
                parts.append(f"-- {title} --\n{_frame_text(frame)}")
    return "\n\n".join(parts) + "\n"


def _frame_text(frame: pd.DataFrame) -> str:
    return frame_text(frame, absent="")


__all__ = ["GITHUB_LIMIT", "to_json", "to_markdown", "to_text"]
