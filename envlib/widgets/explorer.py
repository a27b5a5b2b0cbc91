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

from . import pull_request, style, tab_panels  # noqa: F401 - they register their tabs
from .panels import checkbox, column, heading, output, show
from .state import ExplorerState, Toggle
from .tabs import Panel, tab_specs
from .views import Views, changed_frames, compute_views

# The built-in tabs (tab_panels registers them; other modules may register more).
TAB_TITLES = tuple(
    spec.title for spec in tab_specs() if spec.make.__module__ == tab_panels.__name__
)


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
        self.views: Views  # set by refresh()
        self.last_refresh_seconds = 0.0
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        self._busy = False
        self._stale: set[int] = set()
        self._summary_key: tuple[Any, ...] | None = None
        self.panels: dict[str, Panel] = {}
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
        specs = tab_specs()
        self.panels = {spec.key: spec.make(self) for spec in specs}
        tabs = widgets.Tab(children=[panel.widget for panel in self.panels.values()])
        for index, spec in enumerate(specs):
            tabs.set_title(index, spec.title)
        self.tabs = tabs
        name = html.escape(self.state.repo.name)
        title = widgets.HTML(
            f"<h3 style='margin: 4px 0'>Environments of {name}</h3>"
            "<span style='color:#555'>Pick environments to compare; untick a step of the "
            "overlay to see the environment without it. Marked cells differ from the first "
            "environment.</span>"
        )
        box = widgets.VBox([title, top, self.error_out, tabs])
        box.add_class("envlib-explorer")
        return box

    def _wire(self) -> None:
        self.env_picker.observe(self._on_select, names="value")
        self.focus.observe(self._on_focus, names="value")
        self.reset_button.on_click(self._on_reset)
        self.tabs.observe(self._draw_tab, names="selected_index")

    # -- events -------------------------------------------------------------------------------
    def _on_select(self, change: dict[str, Any]) -> None:
        self.state.select(list(change["new"]))
        self.refresh()

    def _on_focus(self, change: dict[str, Any]) -> None:
        self.state.set_focus(change["new"])
        self._rebuild_toggles()
        self.panels["resource"].draw()

    def _on_toggle(self, toggle: Toggle, change: dict[str, Any]) -> None:
        if self._busy:
            return
        self.state.set_step(toggle.step_id, bool(change["new"]))
        self.refresh()

    def _on_reset(self, _button: Any = None) -> None:
        self.state.reset(self.state.focus)
        self._busy = True
        try:
            for box in self.checkboxes.values():
                box.value = True
        finally:
            self._busy = False
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
        return str(getattr(self.panels["resource"], "resource_text", ""))

    @property
    def resource_diff_text(self) -> str:
        """Unified diff of the picked resource against the other environment."""
        return str(getattr(self.panels["resource"], "resource_diff_text", ""))

    def __getattr__(self, name: str) -> Any:
        """A panel's widget by name (``explorer.table_out``, ``explorer.rps`` ...)."""
        for panel in self.__dict__.get("panels", {}).values():
            if name in vars(panel):
                return vars(panel)[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        """Recompute the views that changed; redraw the summary and the visible tab if theirs did.

        Frames whose inputs are unchanged are reused (:func:`~.views.compute_views`), and a
        panel is redrawn only when a frame it shows is new; hidden tabs are drawn when opened.
        """
        started = time.perf_counter()
        previous: Views | None = self.__dict__.get("views")
        self.views = v = compute_views(self.state, previous)
        changed = changed_frames(previous, v)
        if previous is None or "errors" in changed:
            errors = [
                style.message_html(f"{env}: {msg}", error=True) for env, msg in v.errors.items()
            ]
            show(self.error_out, *errors)
        modified = [n for n in self.state.selected if self.state.is_modified(n)]
        key = (id(v.summary), tuple(modified))
        if key != self._summary_key:
            self._summary_key = key
            caption = "Headline figures" + (
                f" (what-if: {', '.join(modified)} modified)" if modified else ""
            )
            summary = self.state.frames.get(
                "summary.html",
                (v.summary,),
                caption,
                lambda: style.summary_html(v.summary, "summary", caption),
            )
            show(self.summary_out, summary)
        for index, panel in enumerate(self.panels.values()):
            if not panel.frames or changed & set(panel.frames):
                self._stale.add(index)
                if getattr(panel, "eager", False):  # cheap, and read without the tab open
                    self._stale.discard(index)
                    panel.draw()
        self._draw_tab()
        self.last_refresh_seconds = time.perf_counter() - started

    def _draw_tab(self, _change: Any = None) -> None:
        index = self.tabs.selected_index
        if index is None or index not in self._stale:
            return
        self._stale.discard(index)
        list(self.panels.values())[index].draw()


def _shorten(text: str, limit: int = 58) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explore(repo: str | os.PathLike[str] | None = None, **options: Any) -> Explorer:
    """An :class:`Explorer` on ``repo`` (default ``$ENVLIB_REPO`` or the embedded ``k8s/``)."""
    return Explorer(repo, **options)
