"""Promotion preview: what merging a branch changes in every environment, and why.

Merging to the branch Argo CD follows (``main``) is how a change reaches a cluster, so the
reviewer's question is "what will this merge change in dev, in prod?". :func:`preview`
renders every environment at the base revision (by default the merge base with ``main``,
read from git objects, see :mod:`.revisions`) and at the head (by default the working
tree), and reports per environment:

* whether the merge reaches it (its Application's ``targetRevision`` follows ``main``) -
  an environment pinned to a tag or another branch is "not reached" and not rendered;
* ``unchanged`` without rendering the head at all when none of the files the base build
  read (nor the paths it looked at) differ at the head - the engine records its inputs;
* otherwise the field changes, old -> new with ``envlib diff``'s rules, each with the
  branch file(s) that caused it, plus capacity, experiment traffic and check changes
  (:mod:`.preview_changes`).

Environments come from each revision's own discovery, so an Application added or removed
by the branch is reported as ``added`` / ``removed``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from envlib.errors import EnvlibError
from envlib.kustomize.core.trace import tracing_only
from envlib.kustomize.load import fs
from envlib.kustomize.pipeline.shared_builds import shared_directory_builds

from . import preview_changes as changes
from . import revisions
from .discovery import Environment, discover
from .environments import RenderedEnv, render
from .preview_causes import CauseFinder
from .revisions import Revision, follows_branch, merge_base, open_revision, repo_root, same_file
from .rules import Rule, load_rules

STATUSES = ("changed", "added", "removed", "unchanged", "not reached", "error")


@dataclass
class EnvPreview:
    """What the merge does to one environment (see the module docstring for ``status``)."""

    name: str
    status: str
    reached: bool
    target_revision: str = ""
    application: str = ""
    path: str = ""
    note: str = ""
    changed_files: list[str] = field(default_factory=list)
    resources: pd.DataFrame = field(default_factory=lambda: changes.empty("resources"))
    fields: pd.DataFrame = field(default_factory=lambda: changes.empty("fields"))
    capacity: pd.DataFrame = field(default_factory=lambda: changes.empty("capacity"))
    traffic: pd.DataFrame = field(default_factory=lambda: changes.empty("traffic"))
    checks: pd.DataFrame = field(default_factory=lambda: changes.empty("checks"))
    yaml_diff: str = ""

    @property
    def newly_failing(self) -> int:
        """Checks (severity error) this merge makes fail in this environment."""
        frame = self.checks
        if frame.empty:
            return 0
        return int(((frame["change"] == "newly failing") & (frame["severity"] == "error")).sum())


@dataclass
class Preview:
    """The whole preview: both revisions and one :class:`EnvPreview` per environment."""

    base: str
    head: str
    into: str
    envs: list[EnvPreview]

    def env(self, name: str) -> EnvPreview:
        """One environment's preview by name."""
        for item in self.envs:
            if item.name == name:
                return item
        raise KeyError(f"no environment {name!r} in the preview ({self.names()})")

    def names(self) -> str:
        """The environment names, comma-separated."""
        return ", ".join(e.name for e in self.envs)

    def summary(self) -> pd.DataFrame:
        """One row per environment: reached?, status, resources changed, capacity, checks."""
        rows = [changes.summary_row(e) for e in self.envs]
        return pd.DataFrame(rows, columns=changes.SUMMARY_COLUMNS)

    @property
    def fails_checks(self) -> bool:
        """Whether the merge makes an error-severity check fail in an environment it reaches."""
        return any(e.newly_failing for e in self.envs if e.reached)


@dataclass
class _Side:
    revision: Revision
    envs: dict[str, Environment]
    rules: list[Rule]


def _side(revision: Revision, repo: Path, rules: Sequence[Rule] | None) -> _Side:
    with fs.using(revision.filesystem):
        try:
            found = discover(repo) if fs.isdir(repo) else []
        except EnvlibError:
            found = []
        chosen = list(rules) if rules is not None else load_rules(repo)
    return _Side(revision, {e.name: e for e in found}, chosen)


def _render(
    env: Environment, side: _Side, *, trace: bool, blame: Callable[[str], bool] | None = None
) -> RenderedEnv:
    """``env`` built at ``side``'s revision; with a trace, ``blame`` picks the steps whose
    changes are recorded (only those can name a cause, see :func:`_blamable`)."""
    keep = tracing_only(blame) if blame is not None else contextlib.nullcontext()
    with fs.using(side.revision.filesystem), keep:
        rendered = render(env, trace=trace)
    return dataclasses.replace(rendered, env=dataclasses.replace(env, name=side.revision.label))


def preview(
    repo: str | Path | None = None,
    base: str | None = None,
    head: str | None = None,
    *,
    into: str = "main",
    rps: float = 100.0,
    rules: Sequence[Rule] | None = None,
) -> Preview:
    """Preview merging ``head`` (a git revision; None: the working tree) into ``into``.

    ``repo`` is the directory holding the environments (default: the current directory);
    ``base`` defaults to the merge base of ``head`` with ``into``; ``rps`` is the request
    rate for experiment traffic; ``rules`` override each revision's checks configuration.
    Raises :class:`~envlib.kustomize.load.gitfs.GitRevisionError` for a revision not in the clone.
    """
    where = Path(os.path.abspath(repo if repo is not None else os.getcwd()))
    root = repo_root(where)
    base_ref = base or merge_base(root, into, head)
    base_rev = open_revision(root, base_ref, label="base")
    head_rev = open_revision(root, head, label="head")
    try:
        # environments share inputs: each path is compared once, and a base directory that
        # reads the same in several builds (environments, revisions) is built once
        with revisions.memoised(), shared_directory_builds():
            # the head first: a working tree's files are read anyway (their blob ids), and
            # the base's scan then skips the blobs the head's showed to hold no Application
            right = _side(head_rev, where, rules)
            left = _side(base_rev, where, rules)
            names = list(left.envs) + [n for n in right.envs if n not in left.envs]
            envs = [_one(name, left, right, into, rps, root) for name in names]
    finally:
        base_rev.close()
        head_rev.close()
    base_text = base if base else f"merge base with {into} ({base_rev.commit or '?'})"
    head_text = head or "working tree"
    return Preview(_describe(base_text, base_rev), _describe(head_text, head_rev), into, envs)


def _describe(text: str, revision: Revision) -> str:
    if revision.commit and revision.commit[:8] not in text:
        return f"{text} ({revision.commit[:12]})"
    return text.replace(revision.commit or "\0", (revision.commit or "")[:12])


def _one(name: str, left: _Side, right: _Side, into: str, rps: float, root: Path) -> EnvPreview:
    old, new = left.envs.get(name), right.envs.get(name)
    env = new or old
    assert env is not None
    target = env.app.target_revision
    item = EnvPreview(
        name=name,
        status="unchanged",
        reached=True,
        target_revision=target,
        application=env.application,
        path=env.display_path,
    )
    if env.application and not follows_branch(target, into):
        item.reached = False
        item.status = "not reached"
        item.note = f"targetRevision {target!r} does not follow {into}: not reached by this merge"
        return item
    if not env.application:
        item.note = f"no Argo CD Application: assumed to follow {into}"
    try:
        return _compare(item, old, new, left, right, rps, root)
    except EnvlibError as exc:
        item.status = "error"
        item.note = exc.one_line()
        return item


def _compare(
    item: EnvPreview,
    old: Environment | None,
    new: Environment | None,
    left: _Side,
    right: _Side,
    rps: float,
    root: Path,
) -> EnvPreview:
    before = _render(old, left, trace=False) if old is not None and old.path else None
    touched: list[str] | None = None  # inputs of the base build the branch changes
    if (
        before is not None
        and old is not None
        and new is not None
        and _same_env(old, new, left, right)
    ):
        touched = changes.changed_inputs(
            before.inputs, left.revision.filesystem, right.revision.filesystem
        )
        if not touched and _same_rules(left.rules, right.rules):
            return item  # the branch touches nothing this build read: no re-render
    after = None
    if new is not None and new.path:
        after = _render_head(new, left, right, before, touched, root)
    if old is None:
        item.status = "added"
        item.note = "Application added by the branch" if new and new.application else "added"
    elif new is None:
        item.status = "removed"
        item.note = "Application removed by the branch" if old.application else "removed"
    revisions = (left.revision, right.revision)
    # the base build again with a trace, only if a field's cause needs it (changes.fill)
    retrace = None
    if old is not None and before is not None:
        retrace = functools.partial(
            _render, old, left, trace=True, blame=_blamable(left, right, root)
        )
    changes.fill(item, before, after, left.rules, right.rules, *revisions, rps, root, retrace)
    return item


def _render_head(
    new: Environment,
    left: _Side,
    right: _Side,
    before: RenderedEnv | None,
    touched: list[str] | None,
    root: Path,
) -> RenderedEnv:
    """The head build, traced only when a field's cause could come from the trace.

    The trace serves :class:`~.preview_causes.CauseFinder` alone, and it consults only
    steps whose kustomization entry changed or references a changed file. When the branch
    edits only plain resource files (a base manifest), no step qualifies and the build
    runs without a trace (a third cheaper). The base build's steps predict that; the
    untraced head build's own steps confirm it, else the head is built again with a trace,
    so the result is always the one a traced build gives.
    """
    if before is None or touched is None or not _trace_needless(before, touched, left, right, root):
        return _render(new, right, trace=True, blame=_blamable(left, right, root))
    after = _render(new, right, trace=False)
    systems = (left.revision.filesystem, right.revision.filesystem)
    every = sorted(set(touched) | set(changes.changed_inputs(after.inputs, *systems)))
    if _trace_needless(after, every, left, right, root):
        return after
    return _render(new, right, trace=True, blame=_blamable(left, right, root))


def _trace_needless(
    rendered: RenderedEnv, touched: Sequence[str], left: _Side, right: _Side, root: Path
) -> bool:
    """Whether no step of ``rendered`` could name a cause among the ``touched`` inputs."""
    trace = rendered.trace
    if trace is None:
        return False  # steps unknown (a renderer without a trace): trace to be safe
    changed = [changes.repo_path(p, root) for p in touched]
    finder = CauseFinder(root, left.revision.filesystem, right.revision.filesystem, changed)
    return not any(finder.may_blame(step.id) for step in trace.steps)


def _blamable(left: _Side, right: _Side, root: Path) -> Callable[[str], bool]:
    """Whether a step could name a cause: its kustomization file, or a file its entry
    references, differs between the revisions (:meth:`CauseFinder.may_blame`)."""
    systems = (left.revision.filesystem, right.revision.filesystem)

    def is_changed(rel: str) -> bool:
        return not same_file(os.path.join(root, rel), *systems)

    finder = CauseFinder(root, *systems, [], is_changed=is_changed)
    return finder.may_blame


def _same_env(old: Environment, new: Environment, left: _Side, right: _Side) -> bool:
    """Same directory and the same Application (its file too: overrides apply at render)."""
    if old.path != new.path or dataclasses.astuple(old.app) != dataclasses.astuple(new.app):
        return False
    if not old.app.file:
        return True
    return same_file(
        os.path.abspath(old.app.file), left.revision.filesystem, right.revision.filesystem
    )


def _same_rules(left: Sequence[Rule], right: Sequence[Rule]) -> bool:
    return [dataclasses.astuple(r) for r in left] == [dataclasses.astuple(r) for r in right]


__all__ = ["STATUSES", "EnvPreview", "Preview", "preview"]
