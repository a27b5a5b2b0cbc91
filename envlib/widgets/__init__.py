"""Notebook widgets over the analysis layer: the environment explorer and its pieces.

Importing this package does not import ipywidgets (nor does importing :mod:`envlib` or
:mod:`envlib.kustomize`); the widget classes are loaded on first use::

    from envlib.widgets import Explorer
    ex = Explorer()          # $ENVLIB_REPO, else the embedded k8s/
    ex                       # displays the explorer in JupyterLab or Voilà

The widgets hold no logic: :class:`~envlib.widgets.state.ExplorerState` keeps what the user
chose, :mod:`envlib.widgets.views` turns it into DataFrames through :mod:`envlib.analysis`,
and :mod:`envlib.widgets.explorer` only displays them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .explorer import Explorer as Explorer
    from .explorer import explore as explore
    from .notebook import open_repo as open_repo
    from .state import ExplorerState as ExplorerState
    from .state import Toggle as Toggle
    from .state import resolve_repo as resolve_repo
    from .views import Views as Views
    from .views import compute_views as compute_views

_LAZY = {
    "Explorer": "explorer",
    "explore": "explorer",
    "open_repo": "notebook",
    "ExplorerState": "state",
    "Toggle": "state",
    "resolve_repo": "state",
    "Views": "views",
    "compute_views": "views",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'envlib.widgets' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
