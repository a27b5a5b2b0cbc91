"""The explorer's provenance views: a gutter beside the rendered YAML, a field's chain, and
the diff's "explained by" column.

No logic of its own: lines and entries come from :mod:`envlib.provenance` (the same as
``envlib build --annotate``), chains and reasons from :mod:`envlib.analysis.explain`.
Each source file gets a colour; hovering a gutter cell shows ``file:line (step) - why``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import pandas as pd

from envlib.analysis import explain
from envlib.analysis.environments import RenderedEnv
from envlib.kustomize.core.resource import Resource
from envlib.provenance.annotate import line_entries
from envlib.provenance.model import Entry
from envlib.provenance.reasons import why
from envlib.provenance.sources import parse_documents
from envlib.widgets.panels import show

from .views import resource_yaml

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip


def gutter_rows(rendered: RenderedEnv, res: Resource) -> list[tuple[str, Entry | None]]:
    """Each line of the resource's YAML with the entry that produced it (None: none)."""
    prov = explain.provenance(rendered)
    text = resource_yaml(res)
    trees = [t for t in parse_documents(text) if t is not None]
    entries: dict[int, Entry | None] = {}
    if trees:
        chains = prov.chains(rendered.original(res))
        entries = line_entries(trees[0], res.obj, chains, set())
    return [(line, entries.get(n)) for n, line in enumerate(text.splitlines(), start=1)]


def gutter_html(rendered: RenderedEnv, res: Resource) -> Any:
    """The rendered YAML with a gutter: a colour per source file, file:line on hover."""
    from IPython.display import HTML

    prov = explain.provenance(rendered)
    rows = gutter_rows(rendered, res)
    files = sorted({e.site.path for _, e in rows if e is not None and e.site is not None})
    colour = {path: PALETTE[i % len(PALETTE)] for i, path in enumerate(files)}
    out = []
    for line, entry in rows:
        where = explain.location_text(prov, entry) if entry is not None else ""
        step = explain.step_label(entry) if entry is not None else ""
        reason = why(entry.site) if entry is not None else ""
        tip = html.escape(f"{where} ({step})" + (f" - {reason}" if reason else ""), quote=True)
        fill = colour.get(entry.site.path, "#ddd") if entry and entry.site else "#fff"
        short = html.escape(where.rsplit("/", 1)[-1])
        out.append(
            f'<tr title="{tip}"><td style="background:{fill};width:6px;padding:0"></td>'
            f'<td class="envlib-gutter" style="color:#666;padding:0 6px;white-space:nowrap">'
            f"{short}</td><td><code>{html.escape(line)}</code></td></tr>"
        )
    legend = " ".join(
        f'<span style="border-left:8px solid {c};padding-left:4px;margin-right:8px">'
        f"{html.escape(prov.display(p))}</span>"
        for p, c in colour.items()
    )
    style = "font-size:12px;line-height:1.3;border-collapse:collapse;white-space:pre"
    body = f'<table class="envlib-provenance" style="{style}">{"".join(out)}</table>'
    return HTML(f'<div style="font-size:11px;margin-bottom:4px">{legend}</div>{body}')


def explained_by(frame: pd.DataFrame, left: RenderedEnv, right: RenderedEnv) -> list[str]:
    """For each diff row: where each side's value was written (``env: file:line (step)``)."""
    out = []
    for row in frame.itertuples(index=False):
        parts = []
        for env in (left, right):
            try:
                chain = explain.explain_field(env, str(row.resource), str(row.field))
            except Exception:  # the field is absent on this side (added / removed)
                continue
            last = chain.iloc[-1]
            parts.append(f"{env.name}: {last['location']} ({last['step']})")
        out.append(" · ".join(parts))
    return out


class FieldChain:
    """A field picker for the selected resource and the chain of the picked field."""

    def __init__(self) -> None:
        self.field = widgets.Dropdown(description="field", layout=widgets.Layout(width="460px"))
        self.out = widgets.Output()
        self.widget = widgets.VBox([self.field, self.out])
        self.frame = pd.DataFrame()
        self._target: tuple[RenderedEnv, Resource] | None = None
        self.field.observe(lambda _change: self._draw(), names="value")

    def show(self, rendered: RenderedEnv, res: Resource) -> None:
        """Offer the resource's scalar fields; keep the picked field when it still exists."""
        self._target = (rendered, res)
        fields = list(explain.explain_resource(rendered, res)["field"])
        current = self.field.value
        self.field.options = fields
        self.field.value = current if current in fields else (fields[0] if fields else None)
        self._draw()

    def _draw(self) -> None:
        from IPython.display import HTML

        if self._target is None or not self.field.value:
            show(self.out)
            return
        rendered, res = self._target
        self.frame = explain.explain_field(rendered, res, str(self.field.value))
        columns = ["order", "value", "location", "step", "why"]
        show(
            self.out,
            HTML(f"<p>{html.escape(explain.sentence(self.frame))}</p>"),
            HTML(self.frame[columns].to_html(index=False)),
        )
