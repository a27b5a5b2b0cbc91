"""One environment's changes between two revisions: fields and their causes, capacity,
experiment traffic, checks, and a YAML diff.

Why separate from :mod:`.preview`: these are pure comparisons of two rendered environments
(the preview decides *which* environments to compare). Every comparison reuses the
analysis the rest of envlib uses - :func:`~.diff.diff_envs` for fields, the inventory for
capacity, :func:`~.experiment.experiment_preview` for traffic, :func:`~.checks.run_checks`
- so a preview never disagrees with ``envlib diff`` / ``table`` / ``experiment`` / ``check``.

The cause of a change is worked out by :mod:`.preview_causes` from the build traces and
the files of both revisions; when it cannot be narrowed down, every changed input of the
environment is listed, with a note saying so.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from envlib.kustomize.load import fs
from envlib.kustomize.yaml.emitter import dump_objects

from . import matching, workloads
from . import quantities as q
from .checks import run_checks
from .diff import diff_envs
from .environments import RenderedEnv, rendered_from_resources
from .experiment import experiment_preview
from .inventory import Share, capacity_totals
from .matching import Match, match_resources
from .preview_causes import CauseFinder
from .revisions import Revision, same_file, same_probe
from .rules import Rule
from .workloads import hpa_targets

if TYPE_CHECKING:
    from envlib.kustomize.core.resource import Resource

    from .preview import EnvPreview

COLUMNS: dict[str, list[str]] = {
    "resources": ["resource", "kind", "change", "fields", "files"],
    "fields": ["resource", "kind", "field", "old", "new", "status", "note", "files"],
    "capacity": ["metric", "old", "new", "delta"],
    "traffic": ["experiment", "role", "model", "old_share", "new_share", "old_rps", "new_rps"],
    "checks": ["change", "rule", "severity", "resource", "field", "message", "file"],
}
SUMMARY_COLUMNS = ["env", "reached", "status", "resources", "capacity", "traffic", "checks"]
_CAPACITY = (
    ("pods", "replicas", q.format_count),
    ("cpu requests", "total_cpu_request", q.format_cpu),
    ("cpu limits", "total_cpu_limit", q.format_cpu),
    ("memory requests", "total_memory_request", q.format_memory),
    ("memory limits", "total_memory_limit", q.format_memory),
    ("gpu", "total_gpu", q.format_count),
)


def empty(kind: str) -> pd.DataFrame:
    """An empty frame with the columns of ``kind`` (see :data:`COLUMNS`)."""
    return pd.DataFrame(columns=COLUMNS[kind])


def changed_inputs(inputs: Any, left: fs.FileSystem, right: fs.FileSystem) -> list[str]:
    """The inputs of a build (files read, paths probed) that differ between two file systems."""
    if inputs is None:
        return []
    out = [p for p in sorted(inputs.files) if not same_file(p, left, right)]
    out += [p for p in sorted(inputs.probed - inputs.files) if not same_probe(p, left, right)]
    return out


def fill(
    item: EnvPreview,
    before: RenderedEnv | None,
    after: RenderedEnv | None,
    left_rules: Sequence[Rule],
    right_rules: Sequence[Rule],
    left: Revision,
    right: Revision,
    rps: float,
    root: Path,
    traced_before: Callable[[], RenderedEnv] | None = None,
) -> None:
    """Compute every comparison of ``item`` from the two renders (None: absent at that side).

    File names are relative to the repository ``root``, as a pull request shows them.
    ``traced_before`` builds the base again with a trace when ``before`` has none: asked
    only for a field whose cause the head's trace and the files alone do not show (a step
    that changed the field at the base only, such as a ``replicas`` count the branch set to
    the base's own value).
    """
    with workloads.memoised(), matching.memoised():
        _fill(item, before, after, left_rules, right_rules, left, right, rps, root, traced_before)


def _fill(
    item: EnvPreview,
    before: RenderedEnv | None,
    after: RenderedEnv | None,
    left_rules: Sequence[Rule],
    right_rules: Sequence[Rule],
    left: Revision,
    right: Revision,
    rps: float,
    root: Path,
    traced_before: Callable[[], RenderedEnv] | None = None,
) -> None:
    old = before or rendered_from_resources(left.label, [])
    new = after or rendered_from_resources(right.label, [])
    touched = set(changed_inputs(old.inputs, left.filesystem, right.filesystem))
    touched |= set(changed_inputs(new.inputs, left.filesystem, right.filesystem))
    item.changed_files = sorted(repo_path(p, root) for p in touched)
    matches = match_resources(old.resources, new.resources)  # once for fields and YAML diff
    # pairs holding the same object at both revisions (compared once, here)
    unchanged = [
        (m.left, m.right)
        for m in matches
        if m.left is not None and m.right is not None and m.left.obj == m.right.obj
    ]
    workloads.share_unchanged(unchanged)
    retrace = traced_before if before is not None else None
    rows = _fields(old, new, item.changed_files, root, left, right, matches, retrace)
    item.fields = pd.DataFrame(rows, columns=COLUMNS["fields"])
    item.resources = _resources(rows)
    item.capacity = capacity(old, new, unchanged)
    item.traffic = traffic(old, new, rps)
    item.checks = check_changes(old, new, left_rules, right_rules)
    if not item.checks.empty:
        item.checks["file"] = [_rel_location(f, root) for f in item.checks["file"]]
    item.yaml_diff = yaml_diff(item.name, old, new, left, right, matches)
    if not item.resources.empty or not item.checks.empty:
        if item.status == "unchanged":
            item.status = "changed"
    elif item.status == "unchanged" and item.changed_files:
        item.note = "the branch edits files this environment reads; its output is the same"


# -- fields and their causes -----------------------------------------------------------------
def repo_path(path: str, root: Path) -> str:
    """``path`` (absolute, or relative to the current directory) relative to ``root``."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, root)
    return absolute if rel.startswith("..") else rel.replace(os.sep, "/")


def _fields(
    old: RenderedEnv,
    new: RenderedEnv,
    changed: list[str],
    root: Path,
    left: Revision,
    right: Revision,
    matches: Sequence[Match] | None = None,
    traced_old: Callable[[], RenderedEnv] | None = None,
) -> list[dict[str, Any]]:
    """The field rows (see :data:`COLUMNS`), each changed field with the files behind it.

    ``traced_old`` (see :func:`fill`) is called at most once, for the first field whose
    cause is not found otherwise.
    """
    if matches is None:
        matches = match_resources(old.resources, new.resources)
    diff = diff_envs(old, new, matches=matches)
    pairs = {m.key: m for m in matches}
    finder = CauseFinder(root, left.filesystem, right.filesystem, changed)
    base_side = _BaseSide(old, traced_old)
    rows: list[dict[str, Any]] = []
    for row in diff.to_dict("records"):
        match = pairs.get(row["resource"])
        status = str(row["status"])
        if status.startswith("only in "):
            status = "added" if status == f"only in {new.name}" else "removed"
        note = str(row["note"] or "")
        files: list[str] = []
        if match is not None and status != "ignored":
            sides = [(new, match.right), (old, match.left)]
            files = finder.causes(str(row["field"]), sides)
            if not files and match.left is not None:
                traced = base_side.traced(match.left)
                if traced is not None:
                    sides = [(new, match.right), traced]
                    files = finder.causes(str(row["field"]), sides)
            if not files and changed:
                files = list(changed)
                note = note or "cause not narrowed down: one of the files listed"
        rows.append(
            {
                "resource": row["resource"],
                "kind": row["kind"],
                "field": row["field"],
                "old": row["left"],
                "new": row["right"],
                "status": status,
                "note": note,
                "files": files,
            }
        )
    return rows


class _BaseSide:
    """The base build with a trace, made on first need and matched to the untraced one.

    The same build of the same files gives the same resources in the same order, so a
    resource of the untraced build is the one at its position in the traced build.
    """

    def __init__(self, old: RenderedEnv, build: Callable[[], RenderedEnv] | None) -> None:
        has_changes = old.trace is not None and any(s.changes for s in old.trace.steps)
        self._build = None if has_changes else build
        self._old = old
        self._rendered: RenderedEnv | None = None
        self._position: dict[int, int] = {}

    def traced(self, res: Resource) -> tuple[RenderedEnv, Resource] | None:
        """(traced base build, its resource for ``res``), or None when there is none."""
        if self._build is None:
            return None
        if self._rendered is None:
            self._rendered = self._build()
            self._position = {id(r): i for i, r in enumerate(self._old.resources)}
            if len(self._rendered.resources) != len(self._old.resources):
                self._build = None
                return None
        index = self._position.get(id(res))
        if index is None:
            return None
        return self._rendered, self._rendered.resources[index]


def _resources(fields: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per resource with a change (not only ignored noise), in first-seen order.

    Grouped in plain Python: a pandas group per resource costs milliseconds each, and a
    big overlay edit changes thousands of resources.
    """
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in fields:
        groups.setdefault((row["resource"], row["kind"]), []).append(row)
    rows: list[dict[str, Any]] = []
    for (resource, kind), group in groups.items():
        statuses = {r["status"] for r in group}
        change = next((s for s in ("added", "removed") if s in statuses), "")
        changed = sum(1 for r in group if r["status"] == "changed")
        if not change and not changed:
            continue  # only ignored noise
        files = sorted({f for r in group for f in r["files"]})
        rows.append(
            {
                "resource": resource,
                "kind": kind,
                "change": change or "changed",
                "fields": changed,
                "files": files,
            }
        )
    if not rows:
        return empty("resources")
    return pd.DataFrame(rows, columns=COLUMNS["resources"])


# -- capacity, traffic, checks ------------------------------------------------------------------
def capacity(
    old: RenderedEnv,
    new: RenderedEnv,
    unchanged: Sequence[tuple[Resource, Resource]] = (),
) -> pd.DataFrame:
    """Totals of both sides (pods, CPU, memory, GPU) with the signed delta; changed rows only.

    ``unchanged`` pairs (base resource, head resource) holding the same object: while the
    HPAs are the same too, the head resource keeps the shares worked out for the base.
    """
    shares: dict[int, list[Share]] = {}
    sums = [_totals(capacity_totals(old, record=shares))]
    known = _unchanged_shares(old, new, unchanged, shares)
    sums.append(_totals(capacity_totals(new, known=known)))
    rows: list[dict[str, Any]] = []
    for label, column, fmt in _CAPACITY:
        a, b = sums[0].get(column), sums[1].get(column)
        if (a or 0.0) == (b or 0.0):
            continue
        delta = (b or 0.0) - (a or 0.0)
        sign = "+" if delta > 0 else "-"
        rows.append(
            {"metric": label, "old": fmt(a), "new": fmt(b), "delta": f"{sign}{fmt(abs(delta))}"}
        )
    return pd.DataFrame(rows, columns=COLUMNS["capacity"])


def _unchanged_shares(
    old: RenderedEnv,
    new: RenderedEnv,
    unchanged: Sequence[tuple[Resource, Resource]],
    shares: dict[int, list[Share]],
) -> dict[int, list[Share]] | None:
    """Head resource id -> the base's shares, for resources equal at both revisions."""
    if not unchanged:
        return None
    hpas = [hpa_targets(side.resources) for side in (old, new)]
    if hpas[0].keys() != hpas[1].keys() or any(
        hpa.obj != hpas[1][key].obj or hpa.all_names() != hpas[1][key].all_names()
        for key, hpa in hpas[0].items()
    ):
        return None  # an HPA changed: effective replicas may change without the workload
    names_matter = bool(hpas[0])  # find_hpa matches a workload's earlier names too
    return {
        id(right): shares[id(left)]
        for left, right in unchanged
        if id(left) in shares and (not names_matter or left.all_names() == right.all_names())
    }


def _totals(row: dict[str, Any]) -> dict[str, Any]:
    return {
        str(k): (None if v is None or (isinstance(v, float) and v != v) else v)
        for k, v in row.items()
    }


def traffic(old: RenderedEnv, new: RenderedEnv, rps: float) -> pd.DataFrame:
    """Seldon Experiment rows (candidates, mirror, total) whose share or rate changes."""
    key = ["experiment", "role", "model"]
    frames = [experiment_preview(r, rps)[[*key, "share", "rps"]] for r in (old, new)]
    joined = frames[0].merge(frames[1], on=key, how="outer", suffixes=("_old", "_new"))
    rows: list[dict[str, Any]] = []
    for row in joined.to_dict("records"):
        values = [_num(row.get(c)) for c in ("share_old", "share_new", "rps_old", "rps_new")]
        if values[0] == values[1] and values[2] == values[3]:
            continue
        rows.append(
            {
                "experiment": row["experiment"],
                "role": row["role"],
                "model": row["model"],
                "old_share": values[0],
                "new_share": values[1],
                "old_rps": values[2],
                "new_rps": values[3],
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS["traffic"])


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return round(float(value), 6)


def check_changes(
    old: RenderedEnv, new: RenderedEnv, left: Sequence[Rule], right: Sequence[Rule]
) -> pd.DataFrame:
    """Findings present at only one side: ``newly failing`` (head) or ``newly fixed`` (base).

    The checks run without the build traces: a finding's ``set_by`` (the step that last
    set the field, looked up in the trace) is not part of a preview, and looking it up for
    every finding of a big environment costs more than the checks themselves.
    """
    found = [
        run_checks(dataclasses.replace(old, trace=None), left),
        run_checks(dataclasses.replace(new, trace=None), right),
    ]
    keys = [
        {(r["rule"], r["resource"], r["field"]): r for r in frame.to_dict("records")}
        for frame in found
    ]
    rows: list[dict[str, Any]] = []
    for change, mine, other in (
        ("newly failing", keys[1], keys[0]),
        ("newly fixed", keys[0], keys[1]),
    ):
        for key, finding in mine.items():
            if key not in other:
                rows.append(
                    {"change": change, **{c: finding.get(c) for c in COLUMNS["checks"][1:]}}
                )
    return pd.DataFrame(rows, columns=COLUMNS["checks"])


# -- YAML diff and the summary row -------------------------------------------------------------
def yaml_diff(
    name: str,
    old: RenderedEnv,
    new: RenderedEnv,
    left: Revision,
    right: Revision,
    matches: Sequence[Match] | None = None,
) -> str:
    """A unified diff of each resource that differs (rendered YAML, secrets redacted).

    Resource by resource rather than the whole stream: the hunks name their resource and
    the diff stays linear in the size of what changed, not of the environment.
    """
    out: list[str] = []
    if matches is None:
        matches = match_resources(old.resources, new.resources)
    for match in matches:
        a = match.left.obj if match.left is not None else None
        b = match.right.obj if match.right is not None else None
        if a == b:
            continue
        before = dump_objects([a]).splitlines(keepends=True) if a is not None else []
        after = dump_objects([b]).splitlines(keepends=True) if b is not None else []
        label = f"{name}: {match.key}"
        lines = difflib.unified_diff(
            before, after, f"{label} @ {left.short}", f"{label} @ {right.short}", n=2
        )
        out += [line if line.endswith("\n") else line + "\n" for line in lines]
    return "".join(out)


def _rel_location(text: Any, root: Path) -> Any:
    """``path:line`` with the path made relative to the repository root."""
    if not isinstance(text, str) or not text:
        return text
    path, sep, line = text.rpartition(":")
    if not sep or not line.isdigit():
        return repo_path(text, root)
    return f"{repo_path(path, root)}:{line}"


def _traffic_text(frame: pd.DataFrame) -> str:
    """``traffic-mirror 0% -> 25%`` for every candidate or mirror whose share changes."""
    parts = []
    for row in frame.to_dict("records"):
        if row["role"] == "total":
            continue
        old, new = (
            f"{v:.0%}" if v is not None and v == v else "-"
            for v in (row["old_share"], row["new_share"])
        )
        parts.append(f"{row['model']} {old} → {new}")
    return ", ".join(parts)


def summary_row(item: EnvPreview) -> dict[str, Any]:
    """The summary table's row for one environment."""
    res = item.resources
    counts = {
        c: int((res["change"] == c).sum()) if not res.empty else 0
        for c in ("added", "removed", "changed")
    }
    checks = item.checks
    failing = int((checks["change"] == "newly failing").sum()) if not checks.empty else 0
    fixed = int((checks["change"] == "newly fixed").sum()) if not checks.empty else 0
    check_parts = [f"{failing} newly failing"] if failing else []
    check_parts += [f"{fixed} fixed"] if fixed else []
    reached = "yes" if item.reached else f"no ({item.target_revision})"
    rendered = item.status in ("changed", "added", "removed")
    return {
        "env": item.name,
        "reached": reached,
        "status": item.status,
        "resources": (
            f"+{counts['added']} -{counts['removed']} ~{counts['changed']}" if rendered else ""
        ),
        "capacity": ", ".join(
            f"{r['metric']} {r['delta']}" for r in item.capacity.to_dict("records")
        ),
        "traffic": _traffic_text(item.traffic),
        "checks": ", ".join(check_parts),
    }


__all__ = [
    "COLUMNS",
    "SUMMARY_COLUMNS",
    "capacity",
    "changed_inputs",
    "check_changes",
    "empty",
    "fill",
    "summary_row",
    "traffic",
    "yaml_diff",
]
