"""matplotlib charts for the explorer and the notebooks: traffic per model, replicas per workload.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot), so nothing is
shown implicitly and no global figure list grows while a slider moves; a fixed size, dpi and
style keep the pictures identical from run to run. :func:`png` turns a figure into bytes for
an ``Output`` widget (works with no kernel and no inline backend).
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

SIZE = (7.5, 3.2)
DPI = 100
COLOURS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"]
RC: dict[str, Any] = {
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.3,
    "svg.hashsalt": "envlib",
}


def _figure(size: tuple[float, float] = SIZE) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=DPI)
    # fixed margins: constrained layout would cost more than drawing the chart itself
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.22, top=0.88)
    return fig


def grouped_bars(
    frame: pd.DataFrame, *, title: str, ylabel: str, size: tuple[float, float] = SIZE
) -> Any:
    """One group of bars per row of ``frame`` (index = category), one bar per column (env)."""
    import matplotlib

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        fig = _figure(size)
        ax = fig.add_subplot()
        columns = list(frame.columns)
        width = 0.8 / max(len(columns), 1)
        positions = range(len(frame.index))
        for i, column in enumerate(columns):
            values = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
            xs = [p - 0.4 + width * (i + 0.5) for p in positions]
            bars = ax.bar(xs, values, width, label=str(column), color=COLOURS[i % len(COLOURS)])
            ax.bar_label(bars, labels=[f"{v:g}" for v in values], fontsize=8, padding=1)
        ax.set_xticks(list(positions), [str(i) for i in frame.index])
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        ax.margins(y=0.15)
        if len(columns) > 1:
            ax.legend(frameon=False)
    return fig


def traffic_chart(preview: pd.DataFrame, rps: float) -> Any:
    """Requests per second reaching each model, per environment (candidates and mirror)."""
    models = preview[preview["role"] != "total"] if not preview.empty else preview
    if models.empty:
        return grouped_bars(
            pd.DataFrame({"-": [0.0]}, index=["no experiment"]), title="", ylabel="req/s"
        )
    labels = models.apply(lambda r: f"{r['model']}\n({r['role']})", axis=1)
    table = (
        models.assign(label=labels)
        .pivot_table(index="label", columns="env", values="rps", aggfunc="sum", sort=False)
        .fillna(0.0)
    )
    return grouped_bars(
        table, title=f"Load per model at {rps:g} req/s into the experiment", ylabel="req/s"
    )


def replicas_chart(inv: pd.DataFrame, kinds: tuple[str, ...] = ()) -> Any:
    """Effective replicas per workload and environment (optionally only some kinds)."""
    rows = inv[inv["kind"].isin(kinds)] if kinds else inv
    table = rows.pivot_table(
        index="key", columns="env", values="effective_replicas", aggfunc="sum", sort=False
    ).fillna(0.0)
    return grouped_bars(table, title="Replicas per workload", ylabel="replicas", size=(9.0, 3.4))


def png(fig: Any) -> bytes:
    """The figure as PNG bytes (fixed dpi, no metadata that changes between runs)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
