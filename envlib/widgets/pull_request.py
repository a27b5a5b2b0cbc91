"""The explorer's "Pull request" tab: pick two revisions, see every environment, drill in.

It shows :func:`envlib.analysis.preview.preview` and nothing else: the per-environment
summary (reached by the merge?, resources, capacity, traffic, checks) and, for the chosen
environment, its field changes with their causing files, capacity, traffic and check
changes and the YAML diff. Nothing is computed until the tab is first shown (previewing
renders environments at two revisions). State lives on the object (``tab.result``,
``tab.detail``) so tests drive it headless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from envlib.analysis.preview import EnvPreview, Preview, preview
from envlib.analysis.revisions import list_revisions
from envlib.errors import EnvlibError

from . import style
from .panels import heading, output, show
from .tabs import TabSpec, register_tab

MERGE_BASE = "merge base with {into}"
WORKING_TREE = "working tree"


class PullRequestTab:
    """Two revision pickers, a preview button, the summary and one environment's details."""

    def __init__(self, repo: Path, *, into: str = "main") -> None:
        self.repo = repo
        self.into = into
        self.result: Preview | None = None
        refs = list_revisions(repo)
        self.base = widgets.Dropdown(
            options=[MERGE_BASE.format(into=into), *refs], description="base",
            layout=widgets.Layout(width="300px"),
        )  # fmt: skip
        self.head = widgets.Dropdown(
            options=[WORKING_TREE, *refs], description="head",
            layout=widgets.Layout(width="300px"),
        )  # fmt: skip
        self.button = widgets.Button(description="preview", tooltip="render both revisions")
        self.env = widgets.Dropdown(description="environment", layout=widgets.Layout(width="300px"))
        self.summary_out = output("envlib-pr-summary")
        self.detail_out = output("envlib-pr-detail")
        self.button.on_click(lambda _b: self.run())
        self.env.observe(lambda _c: self.show_env(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.base, self.head, self.button]),
                self.summary_out,
                widgets.HBox([heading("Drill into"), self.env]),
                self.detail_out,
            ]
        )

    # -- state --------------------------------------------------------------------------------
    @property
    def revisions(self) -> tuple[str | None, str | None]:
        """(base, head) as :func:`preview` takes them (None: merge base / working tree)."""
        base = None if self.base.index == 0 else str(self.base.value)
        head = None if self.head.index == 0 else str(self.head.value)
        return base, head

    @property
    def summary(self) -> pd.DataFrame:
        """The per-environment summary of the last preview (empty before the first)."""
        return self.result.summary() if self.result is not None else pd.DataFrame()

    @property
    def detail(self) -> EnvPreview | None:
        """The environment chosen in the drill-down picker."""
        if self.result is None or not self.env.value:
            return None
        return self.result.env(str(self.env.value))

    def ensure(self) -> None:
        """Preview once, when the tab is first opened."""
        if self.result is None:
            self.run()

    def run(self) -> None:
        """Preview the chosen revisions and redraw the tab."""
        base, head = self.revisions
        try:
            self.result = preview(self.repo, base, head, into=self.into)
        except EnvlibError as exc:
            self.result = None
            show(self.summary_out, style.message_html(exc.one_line(), error=True))
            show(self.detail_out)
            return
        caption = f"Merging {self.result.head} into {self.into} (base: {self.result.base})"
        show(self.summary_out, style.frame_html(self.summary, "pr-summary", caption))
        changed = [e.name for e in self.result.envs if e.status not in ("unchanged",)]
        names = [e.name for e in self.result.envs]
        choices: list[str | None] = [*changed, *names, None]
        keep = self.env.value if self.env.value in names else choices[0]
        self.env.options = names
        self.env.value = keep
        self.show_env()

    def show_env(self) -> None:
        """Redraw the drill-down for the chosen environment."""
        item = self.detail
        if item is None:
            show(self.detail_out)
            return
        parts: list[Any] = [style.message_html(f"{item.name}: {item.status}. {item.note}".strip())]
        if item.changed_files:
            parts.append(style.message_html("files: " + ", ".join(item.changed_files)))
        fields = item.fields[item.fields["status"] != "ignored"].copy()
        if not fields.empty:
            fields["files"] = [", ".join(f) for f in fields["files"]]
            columns = ["resource", "field", "old", "new", "files"]
            parts.append(style.frame_html(fields[columns], "pr-fields", "Field changes"))
        for key, title, frame in (
            ("pr-capacity", "Capacity", item.capacity),
            ("pr-traffic", "Experiment traffic", item.traffic),
            ("pr-checks", "Checks", item.checks),
        ):
            if not frame.empty:
                parts.append(style.frame_html(frame, key, title))
        if item.yaml_diff:
            parts.append(style.pre_html(item.yaml_diff, diff=True))
        show(self.detail_out, *parts)


class PullRequestPanel:
    """The tab in the explorer's registry; it previews once, when first shown."""

    frames: tuple[str, ...] = ()  # depends on revisions, not on the explorer's views

    def __init__(self, explorer: Any) -> None:
        self.pull_request = PullRequestTab(explorer.state.repo)
        self.widget: widgets.Widget = self.pull_request.widget

    def draw(self) -> None:
        self.pull_request.ensure()


register_tab(TabSpec("pull-request", "Pull request", PullRequestPanel, order=60))

__all__ = ["PullRequestPanel", "PullRequestTab"]
