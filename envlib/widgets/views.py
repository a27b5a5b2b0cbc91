"""Everything the explorer shows, computed from an :class:`~.state.ExplorerState` by calls
into :mod:`envlib.analysis` - the widgets display these frames and hold no logic themselves.

:func:`compute_views` is called after every change; on the sample repository it takes a few
milliseconds once the builds are cached (bench/bench_widgets.py measures a toggle end to end).
The only composition done here is the *summary* (a handful of headline figures per
environment, gathered from the inventory, the experiment preview and the checks) and the
per-resource YAML and unified diff for the resource picker.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from envlib.analysis.checks import check_summary, run_checks
from envlib.analysis.diff import diff_envs
from envlib.analysis.environments import RenderedEnv
from envlib.analysis.experiment import experiment_preview, experiment_warnings
from envlib.analysis.inventory import inventory, side_by_side, totals
from envlib.analysis.matching import match_resources
from envlib.errors import EnvlibError
from envlib.kustomize.core.resource import Resource
from envlib.kustomize.yaml.emitter import dump_object

from .state import ExplorerState

EMPTY = pd.DataFrame()


@dataclass
class Views:
    """The frames one state produces; environments that failed to build are in ``errors``."""

    rendered: list[RenderedEnv]
    errors: dict[str, str]
    summary: pd.DataFrame
    inventory: pd.DataFrame
    table: pd.DataFrame
    diff: pd.DataFrame
    preview: pd.DataFrame
    warnings: pd.DataFrame
    findings: pd.DataFrame
    checks: pd.DataFrame
    diff_pair: tuple[str, str] | None = None
    notes: list[str] = field(default_factory=list)
    # per frame, the identity of what it was computed from (see compute_views)
    keys: dict[str, tuple[Any, ...]] = field(default_factory=dict)


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def summary_frame(
    rendered: list[RenderedEnv],
    inv: pd.DataFrame,
    preview: pd.DataFrame,
    findings: pd.DataFrame,
    rps: float,
) -> pd.DataFrame:
    """Headline figures, one column per environment, one row per figure (all as text)."""
    rows: dict[str, dict[str, str]] = {}

    def put(metric: str, env: str, value: Any) -> None:
        rows.setdefault(metric, {})[env] = _number(value)

    tot = totals(inv).set_index("env") if not inv.empty else pd.DataFrame()
    for env in rendered:
        name = env.name
        put("resources", name, len(env.resources))
        if name in tot.index:
            put("workloads", name, tot.loc[name, "workloads"])
            put("pods (replicas)", name, tot.loc[name, "replicas"])
            put("CPU requested", name, tot.loc[name, "total_cpu_request_text"])
            put("memory requested", name, tot.loc[name, "total_memory_request_text"])
        mine = preview[preview["env"] == name] if not preview.empty else preview
        for row in mine.to_dict("records"):
            if row["role"] == "mirror":
                put(f"{row['experiment']}: mirror %", name, row["mirror_percent"])
                put(f"{row['experiment']}: mirrored req/s", name, row["rps"])
            elif row["role"] == "total":
                put(f"{row['experiment']}: model load req/s at {rps:g}", name, row["rps"])
        errors = (
            findings[(findings["env"] == name) & (findings["severity"] == "error")]
            if len(findings)
            else []
        )
        put("failed checks", name, len(errors))
    names = [env.name for env in rendered]
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=names).fillna("-")
    frame.index.name = "figure"
    return frame


def compute_views(state: ExplorerState, previous: Views | None = None) -> Views:
    """Render the selected environments as configured and compute every table.

    Every frame is memoised (:class:`~.memo.FrameMemo` on the state) by what it reads: the
    *content* of the builds (:class:`~.memo.ContentTokens`: resources and origins) for the
    inventory, the side-by-side table, the experiment preview and the diff; the content *and
    trace* for the checks, which name the step that set each field; and the parameters (request
    rate, mirror %, rules). So ticking a box back on, rebuilding an environment whose result
    is the same, or a toggle that leaves the workloads alone finds those frames already
    computed - the very same objects, which :func:`changed_frames` compares by identity so the
    panels showing them are not redrawn. ``previous`` is accepted for callers that keep the
    last views; the memo makes it unnecessary.
    """
    del previous
    rendered: list[RenderedEnv] = []
    errors: dict[str, str] = {}
    for name in state.selected:
        try:
            rendered.append(state.rendered(name))
        except Exception as exc:  # an EnvlibError from the build: shown, never raised
            # the one-line error names the file and line (EnvlibError.one_line)
            errors[name] = exc.one_line() if isinstance(exc, EnvlibError) else str(exc)
    memo = state.frames
    content = tuple(state.tokens.content(r) for r in rendered)
    traced = tuple(state.tokens.traced(r) for r in rendered)
    keys: dict[str, tuple[Any, ...]] = {}

    def frame(name: str, sources: tuple[Any, ...], params: Any, make: Any) -> Any:
        if not rendered:
            keys[name] = ()
            return EMPTY
        value = memo.get(name, sources, params, make)
        keys[name] = (id(value),)
        return value

    rps, mirror, rules = state.rps, state.mirror_percent, state.rules
    inv = frame("inventory", (), content, lambda: inventory(rendered))
    preview = frame(
        "preview",
        (),
        (content, rps, mirror),
        lambda: experiment_preview(rendered, rps, mirror_percent=mirror),
    )
    warnings = frame(
        "warnings",
        (),
        (content, mirror),
        lambda: experiment_warnings(rendered, mirror_percent=mirror),
    )
    findings = frame("findings", (rules,), traced, lambda: run_checks(rendered, rules))
    checks = frame(
        "checks", (rules, findings), traced, lambda: check_summary(rendered, rules, findings)
    )
    pair: tuple[str, str] | None = None
    diff = EMPTY
    notes: list[str] = []
    if len(rendered) >= 2:
        pair = (rendered[0].name, rendered[1].name)
        diff = frame("diff", (), content[:2], lambda: diff_envs(rendered[0], rendered[1]))
    else:
        notes.append("select two environments to see their differences")
        keys["diff"] = ()
    summary = frame(
        "summary",
        (inv, preview, findings),
        (content, rps),
        lambda: summary_frame(rendered, inv, preview, findings, rps),
    )
    table = frame("table", (inv,), (), lambda: side_by_side(inv) if not inv.empty else EMPTY)
    # what provenance-based panels read: the builds themselves, trace included
    keys["rendered"] = (traced, tuple(r.name for r in rendered))
    keys["trace"] = (traced[:2],)
    keys["errors"] = (tuple(sorted(errors.items())), ())
    return Views(
        rendered=rendered,
        errors=errors,
        summary=summary,
        inventory=inv,
        table=table,
        diff=diff,
        preview=preview,
        warnings=warnings,
        findings=findings,
        checks=checks,
        diff_pair=pair,
        notes=notes,
        keys=keys,
    )


def changed_frames(previous: Views | None, current: Views) -> set[str]:
    """The frames of ``current`` that are not the very ones ``previous`` had (all if none).

    Keys hold the identity of each frame object; ``previous`` still holds those objects, so a
    new frame can never reuse an old one's id.
    """
    if previous is None:
        return set(current.keys)
    return {name for name, key in current.keys.items() if previous.keys.get(name) != key}


# -- the resource picker -----------------------------------------------------------------------
def resource_label(res: Resource) -> str:
    """``Kind/name`` (plus ``.namespace`` when set): how the picker lists a resource."""
    return f"{res.kind}/{res.name}" + (f".{res.namespace}" if res.namespace else "")


def _plain(value: Any) -> Any:
    """Plain dicts, lists and ``str`` (the emitter rejects the ``Redacted`` str subclass)."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)
    return value


def resource_yaml(res: Resource) -> str:
    """The resource as ``kubectl kustomize`` prints it (secret values already redacted)."""
    return dump_object(_plain(res.obj))


def counterpart(res: Resource, left: RenderedEnv, right: RenderedEnv) -> Resource | None:
    """The resource of ``right`` that matches ``res`` of ``left`` (renames and hashes allowed)."""
    for match in match_resources(left.resources, right.resources):
        if match.left is res:
            return match.right
    return None


def resource_diff(res: Resource, left: RenderedEnv, right: RenderedEnv) -> str:
    """A unified diff of ``res`` (in ``left``) against its counterpart in ``right``."""
    other = counterpart(res, left, right)
    mine = resource_yaml(res).splitlines(keepends=True)
    theirs = resource_yaml(other).splitlines(keepends=True) if other is not None else []
    lines = difflib.unified_diff(
        mine, theirs, fromfile=f"{left.name}/{resource_label(res)}",
        tofile=f"{right.name}/{resource_label(other) if other is not None else '(absent)'}",
    )  # fmt: skip
    text = "".join(lines)
    if not text:
        return f"identical in {left.name} and {right.name}\n"
    return text
