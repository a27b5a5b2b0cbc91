"""The explorer's built-in tabs, registered in :mod:`.tabs` (each redraws only its own frames).

Replicas & resources shows a few key metrics per environment (:data:`~.style.KEY_METRICS`)
so the side-by-side table fits a 1,400-pixel page; "all columns" shows the rest. Every panel
keeps the widgets a test or notebook reaches for (``explorer.table_out``, ``.rps`` ...).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from envlib.errors import EnvlibError

from . import charts, provenance_view, style
from .memo import input_stamps
from .panels import column, output, show
from .tables import label
from .tabs import TabSpec, register_tab
from .views import counterpart, resource_diff, resource_label, resource_yaml

PREVIEW_COLUMNS = ["env", "experiment", "role", "model", "weight", "share", "mirror_percent",
                   "rps", "replicas", "rps_per_replica"]  # fmt: skip


def _human(frame: Any) -> Any:
    """A frame with the column headers people read."""
    return frame.rename(columns={c: label(c) for c in frame.columns})


class ReplicasPanel:
    """Replicas and resources per workload, side by side; differing cells marked."""

    frames: tuple[str, ...] = ("table",)

    def __init__(self, explorer: Any) -> None:
        self.explorer = explorer
        self.table_out = output("envlib-table")
        self.all_columns = widgets.Checkbox(
            value=False,
            description="all columns (limits, autoscaling, totals, image tags, log level)",
            indent=False,
            layout=widgets.Layout(width="auto"),
            style={"description_width": "initial"},
        )
        self.all_columns.observe(lambda _: self.draw(), names="value")
        self.widget: widgets.Widget = column([self.all_columns, self.table_out])

    def draw(self) -> None:
        metrics = None if self.all_columns.value else style.KEY_METRICS
        caption = (
            "Replicas and resources per workload (cells that differ from the first are marked)"
        )
        table = self.explorer.views.table
        markup = self.explorer.state.frames.get(
            "table.html",
            (table,),
            metrics,
            lambda: style.side_by_side_html(table, "sbs", caption, metrics),
        )
        show(self.table_out, markup)


class DiffPanel:
    """Field differences between the first two compared environments."""

    frames: tuple[str, ...] = ("diff",)

    def __init__(self, explorer: Any) -> None:
        self.explorer = explorer
        self.diff_out = output("envlib-diff")
        self.show_ignored = widgets.Checkbox(
            value=False, description="show ignored rows", indent=False
        )
        self.show_ignored.observe(lambda _: self.draw(), names="value")
        self.widget: widgets.Widget = column([self.show_ignored, self.diff_out])

    def draw(self) -> None:
        v = self.explorer.views
        if v.diff_pair is None:
            show(self.diff_out, style.message_html("; ".join(v.notes)))
            return
        frame = v.diff if self.show_ignored.value else v.diff[v.diff["status"] != "ignored"]
        columns = ["resource", "status", "field", "left", "right", "note"]
        shown = frame[columns].rename(columns={"left": v.diff_pair[0], "right": v.diff_pair[1]})
        pair = [self.explorer.state.rendered(name) for name in v.diff_pair]
        shown = shown.assign(explained_by=provenance_view.explained_by(frame, *pair))
        caption = f"{v.diff_pair[0]} vs {v.diff_pair[1]}: {len(shown)} differences"
        show(self.diff_out, style.frame_html(_human(shown.reset_index(drop=True)), "diff", caption))


class ResourcePanel:
    """One resource's YAML in the focus environment and its diff against another one."""

    frames: tuple[str, ...] = ("rendered",)
    eager = True  # explorer.resource_text is read without opening the tab

    def __init__(self, explorer: Any) -> None:
        self.explorer = explorer
        self.resource = widgets.Dropdown(
            description="resource", layout=widgets.Layout(width="460px")
        )
        self.compare_with = widgets.Dropdown(
            description="diff against", layout=widgets.Layout(width="260px")
        )
        self.yaml_out = output("envlib-yaml")
        self.resource_diff_out = output("envlib-resource-diff")
        self.field_chain = provenance_view.FieldChain()  # the chain of the picked field
        self.resource_text = self.resource_diff_text = ""
        self._busy = False
        self._drawn: Any = None  # what the panel shows now (see _signature)
        self.resource.observe(self._on_pick, names="value")
        self.compare_with.observe(self._on_pick, names="value")
        self.widget: widgets.Widget = column(
            [
                widgets.HBox([self.resource, self.compare_with]),
                widgets.HBox(
                    [column([self.yaml_out], "50%"), column([self.resource_diff_out], "50%")]
                ),
                self.field_chain.widget,
            ]
        )

    def _on_pick(self, _change: Any) -> None:
        if not self._busy:
            self.show_resource()

    def draw(self) -> None:
        """Refresh the pickers' options (the focus may have changed), then the resource."""
        st = self.explorer.state
        try:
            rendered = st.rendered(st.focus)
        except Exception:
            self.resource.options = []
            self.resource_text = self.resource_diff_text = ""
            return
        labels = [resource_label(r) for r in rendered.resources]
        current, partner = self.resource.value, self.compare_with.value
        others = [n for n in st.names if n != st.focus]
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
        self.show_resource()

    def show_resource(self) -> None:
        st = self.explorer.state
        picked = self.resource.value
        if not picked:
            self.resource_text = self.resource_diff_text = ""
            self._drawn = None
            show(self.yaml_out)
            show(self.resource_diff_out)
            return
        left = st.rendered(st.focus)
        res = next(r for r in left.resources if resource_label(r) == picked)
        signature = self._signature(left, res)
        if signature == self._drawn:  # e.g. a toggle that did not touch this resource
            return
        self._drawn = signature
        self.resource_text = self.resource_diff_text = ""
        self.resource_text = resource_yaml(res)
        try:  # the YAML with its provenance gutter, and the picked field's chain
            show(self.yaml_out, provenance_view.gutter_html(left, res))
            self.field_chain.show(left, res)
        except EnvlibError:  # rendered without a trace (e.g. ENVLIB_RENDERER=kubectl)
            show(self.yaml_out, style.pre_html(self.resource_text))
        other = self.compare_with.value
        if not other:
            show(self.resource_diff_out, style.message_html("only one environment"))
            return
        try:
            right = st.rendered(other)
        except Exception as exc:
            show(self.resource_diff_out, style.message_html(f"{other}: {exc}", error=True))
            return
        self.resource_diff_text = resource_diff(res, left, right)
        show(self.resource_diff_out, style.pre_html(self.resource_diff_text, diff=True))

    def _signature(self, left: Any, res: Any) -> tuple[Any, ...]:
        """Everything the panel's drawing reads: the resource, each change a step made to it
        (provenance: the gutter and the field chain), the files behind those lines, and the
        other environment's counterpart (the diff). Equal signatures draw the same panel."""
        original = left.original(res)
        steps = left.trace.steps if left.trace is not None else []
        changes = [
            (step.id, step.enabled, change.paths, change.created, change.removed,
             change.before, change.after)
            for step in steps
            for change in step.changes
            if change.res is original
        ]  # fmt: skip
        other = self.compare_with.value
        partner: Any = None
        if other:
            try:
                right = self.explorer.state.rendered(other)
            except Exception as exc:
                partner = ("error", str(exc))
            else:
                match = counterpart(res, left, right)
                partner = (resource_label(match), match.obj) if match is not None else ()
        return (
            left.name, resource_label(res), str(res.origin), res.obj, changes,
            input_stamps(left), other, partner,
        )  # fmt: skip


class ExperimentPanel:
    """Traffic per model of the Seldon experiments, with what-if request rate and mirror %."""

    frames: tuple[str, ...] = ("preview", "warnings")

    def __init__(self, explorer: Any) -> None:
        self.explorer = explorer
        st = explorer.state
        self.rps = widgets.IntSlider(
            value=int(st.rps), min=0, max=2000, step=10, description="req/s",
            continuous_update=False,
        )  # fmt: skip
        self.mirror_override = widgets.Checkbox(
            value=False, description="what-if mirror %", indent=False
        )
        self.mirror = widgets.IntSlider(
            value=100, min=0, max=100, step=5, description="mirror %",
            continuous_update=False, disabled=True,
        )  # fmt: skip
        self.chart_out = output("envlib-chart")
        self.experiment_out = output("envlib-experiment")
        for control in (self.rps, self.mirror_override, self.mirror):
            control.observe(self._on_change, names="value")
        self.widget: widgets.Widget = column(
            [
                widgets.HBox([self.rps, self.mirror_override, self.mirror]),
                self.chart_out,
                self.experiment_out,
            ]
        )

    def _on_change(self, _change: Any) -> None:
        st = self.explorer.state
        self.mirror.disabled = not self.mirror_override.value
        st.rps = float(self.rps.value)
        st.mirror_percent = float(self.mirror.value) if self.mirror_override.value else None
        self.explorer.refresh()

    def draw(self) -> None:
        v = self.explorer.views
        if v.preview.empty:
            show(
                self.chart_out,
                style.message_html("no Seldon Experiment in the compared environments"),
            )
            show(self.experiment_out)
            return
        show(self.chart_out, charts.png(charts.traffic_chart(v.preview, self.explorer.state.rps)))
        table = v.preview[PREVIEW_COLUMNS].round(3)
        show(
            self.experiment_out,
            style.frame_html(_human(table), "preview", "Traffic per model"),
            style.frame_html(
                _human(v.warnings.drop(columns=["file"], errors="ignore")), "warnings", "Warnings"
            ),
        )


class ChecksPanel:
    """The repository's rules per environment, and the findings."""

    frames: tuple[str, ...] = ("checks", "findings")

    def __init__(self, explorer: Any) -> None:
        self.explorer = explorer
        self.checks_out = output("envlib-checks")
        self.widget: widgets.Widget = self.checks_out

    def draw(self) -> None:
        v = self.explorer.views
        show(
            self.checks_out,
            style.frame_html(_human(v.checks), "checks", "Rules per environment"),
            style.frame_html(
                _human(v.findings.drop(columns=["expected"], errors="ignore")),
                "findings",
                "Findings",
            ),
        )


for _spec in (
    TabSpec("replicas", "Replicas & resources", ReplicasPanel, order=10),
    TabSpec("diff", "Diff", DiffPanel, order=20),
    TabSpec("resource", "Resource", ResourcePanel, order=30),
    TabSpec("experiment", "Experiment", ExperimentPanel, order=40),
    TabSpec("checks", "Checks", ChecksPanel, order=50),
):
    register_tab(_spec)
