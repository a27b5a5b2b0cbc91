"""Small widget helpers shared by the explorer's panels.

The one rule here comes from docs/notebook-testing.md §3: an ``Output`` widget is filled with
``out.outputs = ()`` plus ``out.append_display_data(...)``, never with ``with out:``. The
latter only works through a browser frontend; the former keeps the content in the kernel's
widget state, so plain pytest, nbval, nbclient, JupyterLab and Voilà all see the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
from IPython.display import Image


def show(out: widgets.Output, *items: Any) -> None:
    """Replace everything in ``out`` with ``items`` (HTML, DataFrames, PNG bytes...)."""
    out.outputs = ()
    for item in items:
        if isinstance(item, bytes):
            item = Image(data=item, format="png")
        out.append_display_data(item)


def output(css_class: str) -> widgets.Output:
    """An Output widget with a CSS class, so a browser test can find it."""
    out = widgets.Output()
    out.add_class(css_class)
    return out


def heading(text: str) -> widgets.HTML:
    """A small section heading."""
    return widgets.HTML(f"<b>{text}</b>")


def checkbox(label: str, value: bool, tooltip: str = "") -> widgets.Checkbox:
    """A checkbox whose full label is readable (no truncation, no indent)."""
    return widgets.Checkbox(
        value=value,
        description=label,
        description_allow_html=False,
        indent=False,
        tooltip=tooltip or label,
        layout=widgets.Layout(width="auto", margin="0"),
        style={"description_width": "initial"},
    )


def column(children: Iterable[widgets.Widget], width: str = "auto") -> widgets.VBox:
    """A vertical box with a given width."""
    return widgets.VBox(list(children), layout=widgets.Layout(width=width))
