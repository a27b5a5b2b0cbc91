"""The explorer's tabs, as a registry other modules can add to (e.g. a "Pull request" tab).

A tab is a :class:`TabSpec`: a title, a sort key and a factory that gets the
:class:`~envlib.widgets.explorer.Explorer` and returns a :class:`Panel`. A panel owns its
widget and says which :class:`~envlib.widgets.views.Views` frames it shows (``frames``): after
a change the explorer redraws a panel only if it is visible and one of those frames is a new
object, so a toggle that leaves, say, the experiment preview unchanged does not redraw it.
A panel that depends on something else (``frames = ()``) is redrawn on every refresh while
visible. Registering is enough; the explorer builds every registered tab, in ``order``::

    from envlib.widgets.tabs import TabSpec, register_tab

    class PullRequestPanel:
        frames = ("rendered",)
        def __init__(self, explorer): self.explorer = explorer; self.widget = ...
        def draw(self) -> None: ...

    register_tab(TabSpec("pull-request", "Pull request", PullRequestPanel, order=60))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import ipywidgets as widgets


class Panel(Protocol):
    """What a tab shows: a widget, the frames it depends on, and how to redraw it."""

    widget: widgets.Widget
    frames: tuple[str, ...]

    def draw(self) -> None:
        """Redraw from ``explorer.views`` (called only while the tab is visible)."""


@dataclass(frozen=True)
class TabSpec:
    """One registered tab: ``make(explorer)`` builds its panel once per explorer."""

    key: str
    title: str
    make: Callable[[Any], Panel]
    order: float


_REGISTRY: dict[str, TabSpec] = {}


def register_tab(spec: TabSpec) -> None:
    """Add (or replace, by ``key``) a tab of every explorer created from now on."""
    _REGISTRY[spec.key] = spec


def tab_specs() -> list[TabSpec]:
    """The registered tabs in display order."""
    return sorted(_REGISTRY.values(), key=lambda spec: (spec.order, spec.key))
