"""The environment explorer: ipywidgets over :class:`~.state.ExplorerState` and :mod:`.views`.

Controls change the state, :func:`~.views.compute_views` recomputes the frames through the
analysis layer, and the panels show them. Every frame is also kept on the :class:`Explorer`
(``explorer.summary``, ``.table``, ``.diff``, ``.preview``, ``.findings`` ...) so a test or a
notebook cell can drive the widgets headless and assert on numbers::

    ex = Explorer()                       # embedded k8s/ (or $ENVLIB_REPO)
    ex.checkbox("patches[0]").value = False
    ex.summary.loc["financial-ab-test-experiment: mirror %", "dev"]   # -> "100"
"""

from __future__ import annotations

import html
import os
import time
from typing import Any

import ipywidgets as widgets
import pandas as pd

from . import charts, style
from .panels import checkbox, column, heading, output, show
from .state import ExplorerState, Toggle
from .views import Views, compute_views, resource_diff, resource_label, resource_yaml

TAB_TITLES = ("Replicas & resources", "Diff", "Resource", "Experiment", "Checks")


class Explorer:
    """The whole explorer; ``explorer.widget`` is what a notebook displays."""

    def __init__(
        self,
        repo: str | os.PathLike[str] | None = None,
        *,
        state: ExplorerState | None = None,
        focus: str | None = None,
        rps: int = 200,
    ) -> None:
        self.state = state or ExplorerState(repo, focus=focus, rps=rps)
        st = self.state
        self.views: Views
        self.last_refresh_seconds = 0.0
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        self._busy = False
        self._stale: set[int] = set()
        self._resource_text = self._resource_diff_text = ""
        # controls
        self.env_picker = widgets.SelectMultiple(
            options=st.names, value=tuple(st.selected), rows=min(len(st.names), 5),
            description="compare", layout=widgets.Layout(width="260px"),
        )  # fmt: skip
        self.focus = widgets.Dropdown(
            options=st.names,
            value=st.focus,
            description="overlay",
            layout=widgets.Layout(width="260px"),
        )
        self.focus.add_class("envlib-focus")
        self.reset_button = widgets.Button(
            description="tick all", tooltip="switch every step back on"
        )
        self.toggle_box = widgets.VBox(
            [], layout=widgets.Layout(max_height="340px", overflow="auto")
        )
        self.toggle_box.add_class("envlib-toggles")
        self.toggle_title = widgets.HTML()
        # outputs
        self.error_out = output("envlib-errors")
        self.summary_out = output("envlib-summary")
        self.table_out = output("envlib-table")
        self.diff_out = output("envlib-diff")
        self.show_ignored = widgets.Checkbox(
            value=False, description="show ignored rows", indent=False
        )
        self.resource = widgets.Dropdown(
            description="resource", layout=widgets.Layout(width="460px")
        )
        self.compare_with = widgets.Dropdown(
            description="diff against", layout=widgets.Layout(width="260px")
        )
        self.yaml_out = output("envlib-yaml")
        self.resource_diff_out = output("envlib-resource-diff")
        self.rps = widgets.IntSlider(
            value=int(st.rps),
            min=0,
            max=2000,
            step=10,
            description="req/s",
            continuous_update=False,
        )
        self.mirror_override = widgets.Checkbox(
            value=False, description="what-if mirror %", indent=False
        )
        self.mirror = widgets.IntSlider(
            value=100,
            min=0,
            max=100,
            step=5,
            description="mirror %",
            continuous_update=False,
            disabled=True,
        )
        self.chart_out = output("envlib-chart")
        self.experiment_out = output("envlib-experiment")
        self.checks_out = output("envlib-checks")
        self.widget = self._layout()
        self._wire()
        self._rebuild_toggles()
        self.refresh()

    # -- layout -------------------------------------------------------------------------------
    def _layout(self) -> widgets.Widget:
        controls = column(
            [
                heading("Environments"),
                self.env_picker,
                self.focus,
                self.toggle_title,
                self.toggle_box,
                self.reset_button,
            ],
            width="48%",
        )
        top = widgets.HBox([controls, column([heading("Summary"), self.summary_out], width="52%")])
        resource_panel = column(
            [
                widgets.HBox([self.resource, self.compare_with]),
                widgets.HBox(
                    [column([self.yaml_out], "50%"), column([self.resource_diff_out], "50%")]
                ),
            ]
        )
        experiment_panel = column(
            [
                widgets.HBox([self.rps, self.mirror_override, self.mirror]),
                self.chart_out,
                self.experiment_out,
            ]
        )
        tabs = widgets.Tab(
            children=[
                self.table_out,
                column([self.show_ignored, self.diff_out]),
                resource_panel,
                experiment_panel,
                self.checks_out,
            ]
        )
        for index, title in enumerate(TAB_TITLES):
            tabs.set_title(index, title)
        self.tabs = tabs
        name = self.state.repo.name
        title = widgets.HTML(f"<h3 style='margin: 4px 0'>envlib explorer: {name}</h3>")
        box = widgets.VBox([title, top, self.error_out, tabs])
        box.add_class("envlib-explorer")
        return box

    def _wire(self) -> None:
        self.env_picker.observe(self._on_select, names="value")
        self.focus.observe(self._on_focus, names="value")
        self.reset_button.on_click(self._on_reset)
        self.show_ignored.observe(lambda _: self._show_diff(), names="value")
        self.resource.observe(self._on_resource, names="value")
        self.compare_with.observe(self._on_resource, names="value")
        self.rps.observe(self._on_experiment, names="value")
        self.mirror_override.observe(self._on_experiment, names="value")
        self.mirror.observe(self._on_experiment, names="value")
        self.tabs.observe(self._draw_tab, names="selected_index")

    # -- events -------------------------------------------------------------------------------
    def _on_select(self, change: dict[str, Any]) -> None:
        self.state.select(list(change["new"]))
        self.refresh()

    def _on_focus(self, change: dict[str, Any]) -> None:
        self.state.set_focus(change["new"])
        self._rebuild_toggles()
        self._show_resource_options()

    def _on_toggle(self, toggle: Toggle, change: dict[str, Any]) -> None:
        if self._busy:
            return
        self.state.set_step(toggle.step_id, bool(change["new"]))
        self.refresh()

    def _on_resource(self, _change: dict[str, Any]) -> None:
        if not self._busy:
            self._show_resource()

    def _on_reset(self, _button: Any = None) -> None:
        self.state.reset(self.state.focus)
        self._busy = True
        try:
            for box in self.checkboxes.values():
                box.value = True
        finally:
            self._busy = False
        self.refresh()

    def _on_experiment(self, _change: dict[str, Any]) -> None:
        self.mirror.disabled = not self.mirror_override.value
        self.state.rps = float(self.rps.value)
        self.state.mirror_percent = float(self.mirror.value) if self.mirror_override.value else None
        self.refresh()

    # -- public helpers ----------------------------------------------------------------------
    def checkbox(self, step: str) -> widgets.Checkbox:
        """The checkbox of a step of the focus environment, by id or by field (``patches[0]``).

        A bare field names the focus overlay's own entry (its kustomization file), not the
        base's entry of the same field.
        """
        if step in self.checkboxes:
            return self.checkboxes[step]
        env = self.state.environment(self.state.focus)
        own = [t for t in self.state.toggles() if t.field == step]
        if env.path is not None:
            mine = [
                t
                for t in own
                if t.step_id.split("#")[0].endswith(env.display_path + "/kustomization.yaml")
            ]
            own = mine or own
        if not own:
            raise KeyError(f"no step {step!r} in environment {self.state.focus!r}")
        return self.checkboxes[own[0].step_id]

    @property
    def summary(self) -> pd.DataFrame:
        """Headline figures per environment (text cells)."""
        return self.views.summary

    @property
    def table(self) -> pd.DataFrame:
        """The side-by-side replicas and resources table."""
        return self.views.table

    @property
    def diff(self) -> pd.DataFrame:
        """Field differences between the first two compared environments."""
        return self.views.diff

    @property
    def preview(self) -> pd.DataFrame:
        """The experiment traffic preview."""
        return self.views.preview

    @property
    def findings(self) -> pd.DataFrame:
        """Failed checks."""
        return self.views.findings

    @property
    def resource_text(self) -> str:
        """YAML of the picked resource (focus environment)."""
        return self._resource_text

    @property
    def resource_diff_text(self) -> str:
        """Unified diff of the picked resource against the other environment."""
        return self._resource_diff_text

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- refresh -----------------------------------------------------------------------------
    def _rebuild_toggles(self) -> None:
        name = self.state.focus
        disabled = self.state.disabled.get(name, frozenset())
        self.checkboxes = {}
        children: list[widgets.Widget] = []
        try:
            toggles = self.state.toggles(name)
        except Exception as exc:  # the repository itself does not build
            toggles = []
            children.append(widgets.HTML(f"<i>{type(exc).__name__}: cannot list steps</i>"))
        current_file = None
        for toggle in toggles:
            if toggle.file != current_file:  # one heading per kustomization file
                current_file = toggle.file
                children.append(
                    widgets.HTML(f"<span style='color:#555'>{html.escape(toggle.file)}</span>")
                )
            label = f"{toggle.field}: {_shorten(toggle.description)}"
            box = checkbox(label, toggle.step_id not in disabled, toggle.label)
            box.add_class("envlib-step")
            box.observe(lambda change, t=toggle: self._on_toggle(t, change), names="value")
            self.checkboxes[toggle.step_id] = box
            children.append(box)
        self.toggle_box.children = tuple(children)
        self.toggle_title.value = f"<b>Steps of {name}</b> (untick to render without them)"

    def refresh(self) -> None:
        """Recompute every view from the state; redraw the summary and the visible tab.

        Hidden tabs are redrawn when they are opened (drawing the chart and styling every
        table on each click would cost several times more than the build itself).
        """
        started = time.perf_counter()
        self.views = compute_views(self.state)
        v = self.views
        errors = [style.message_html(f"{env}: {msg}", error=True) for env, msg in v.errors.items()]
        show(self.error_out, *errors)
        modified = [n for n in self.state.selected if self.state.is_modified(n)]
        caption = "Headline figures" + (
            f" (what-if: {', '.join(modified)} modified)" if modified else ""
        )
        show(self.summary_out, style.summary_html(v.summary, "summary", caption))
        self._stale = set(range(len(TAB_TITLES))) - {2}
        self._show_resource_options()  # cheap, and it keeps resource_text current
        self._draw_tab()
        self.last_refresh_seconds = time.perf_counter() - started

    def _draw_tab(self, _change: Any = None) -> None:
        index = self.tabs.selected_index
        if index is None or index not in self._stale:
            return
        self._stale.discard(index)
        if index == 0:
            caption = "Replicas and resources per workload (differences highlighted)"
            show(self.table_out, style.side_by_side_html(self.views.table, "sbs", caption))
        elif index == 1:
            self._show_diff()
        elif index == 3:
            self._show_experiment()
        elif index == 4:
            show(
                self.checks_out,
                style.frame_html(self.views.checks, "checks", "Rules per environment"),
                style.frame_html(
                    self.views.findings.drop(columns=["expected"], errors="ignore"),
                    "findings",
                    "Findings",
                ),
            )

    def _show_diff(self) -> None:
        v = self.views
        if v.diff_pair is None:
            show(self.diff_out, style.message_html("; ".join(v.notes)))
            return
        frame = v.diff if self.show_ignored.value else v.diff[v.diff["status"] != "ignored"]
        columns = ["resource", "status", "field", "left", "right", "note"]
        shown = frame[columns].rename(columns={"left": v.diff_pair[0], "right": v.diff_pair[1]})
        caption = f"{v.diff_pair[0]} vs {v.diff_pair[1]}: {len(shown)} differences"
        show(self.diff_out, style.frame_html(shown.reset_index(drop=True), "diff", caption))

    def _show_experiment(self) -> None:
        v = self.views
        if v.preview.empty:
            show(
                self.chart_out,
                style.message_html("no Seldon Experiment in the compared environments"),
            )
            show(self.experiment_out)
            return
        show(self.chart_out, charts.png(charts.traffic_chart(v.preview, self.state.rps)))
        columns = ["env", "experiment", "role", "model", "weight", "share", "mirror_percent", "rps",
                   "replicas", "rps_per_replica"]  # fmt: skip
        table = v.preview[columns].round(3)
        show(
            self.experiment_out,
            style.frame_html(table, "preview", "Traffic per model"),
            style.frame_html(
                v.warnings.drop(columns=["file"], errors="ignore"), "warnings", "Warnings"
            ),
        )

    def _show_resource_options(self) -> None:
        try:
            rendered = self.state.rendered(self.state.focus)
        except Exception:
            self.resource.options = []
            self._resource_text = self._resource_diff_text = ""
            return
        labels = [resource_label(r) for r in rendered.resources]
        current = self.resource.value
        others = [n for n in self.state.names if n != self.state.focus]
        partner = self.compare_with.value
        self._busy = True  # one redraw below, not one per changed trait
        try:
            if list(self.resource.options) != labels:
                self.resource.options = labels
            self.resource.value = current if current in labels else (labels[0] if labels else None)
            if list(self.compare_with.options) != others:
                self.compare_with.options = others
            self.compare_with.value = (
                partner if partner in others else (others[0] if others else None)
            )
        finally:
            self._busy = False
        self._show_resource()

    def _show_resource(self) -> None:
        self._resource_text = self._resource_diff_text = ""
        label = self.resource.value
        if not label:
            show(self.yaml_out)
            show(self.resource_diff_out)
            return
        left = self.state.rendered(self.state.focus)
        res = next(r for r in left.resources if resource_label(r) == label)
        self._resource_text = resource_yaml(res)
        show(self.yaml_out, style.pre_html(self._resource_text))
        other = self.compare_with.value
        if not other:
            show(self.resource_diff_out, style.message_html("only one environment"))
            return
        try:
            right = self.state.rendered(other)
        except Exception as exc:
            show(self.resource_diff_out, style.message_html(f"{other}: {exc}", error=True))
            return
        self._resource_diff_text = resource_diff(res, left, right)
        show(self.resource_diff_out, style.pre_html(self._resource_diff_text, diff=True))


def _shorten(text: str, limit: int = 58) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explore(repo: str | os.PathLike[str] | None = None, **options: Any) -> Explorer:
    """An :class:`Explorer` on ``repo`` (default ``$ENVLIB_REPO`` or the embedded ``k8s/``)."""
    return Explorer(repo, **options)
