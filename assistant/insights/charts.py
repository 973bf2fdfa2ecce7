"""The page's charts: matplotlib drawn on the server as SVG, so the page needs no script, no CDN and nothing
the Content-Security-Policy would block (Gradio's plots run Vega, which compiles code at run time).

Figures are built without pyplot (whose global state is not thread-safe and which Gradio would switch
backends for around every queued call once imported).

Sizes are set for a phone: a chart 4.6 inches (331 points) wide fills a 390 px screen's column at about
1.1×, so 13-point labels show at about 14 px; on a laptop the page caps it at 480 px (1.45×). Bar labels
sit above their bars rather than beside them, so a long section name does not shrink the chart.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from assistant.insights.report import Period, Table

WIDTH_IN = 4.6
ROW_IN = 0.62
FONT_PT = 13
# Okabe–Ito colours (safe for colour-blind readers); the reply kinds keep theirs in every chart.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999")
KIND_COLOURS = {"answer": "#0072B2", "emergency": "#D55E00", "urgent": "#E69F00", "out_of_scope": "#999999",
                "invalid": "#CC79A7"}
# Labels longer than this are cut (the table under the chart has them whole): about the chart's width.
LABEL_CHARS = 42


def svg(table: Table, period: Period) -> str | None:
    """The chart of `table` as an SVG document, or None when it has no rows (or is not charted)."""
    if not table.rows or table.chart is None:
        return None
    import matplotlib

    # Words stay text (they scale, and a screen magnifier keeps them sharp); ids are stable between runs.
    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "insights", "font.size": FONT_PT,
                                "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False})
    figure = _stacked(table, period) if table.chart == "stacked" else _bars(table)
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return out.getvalue()


def _stacked(table: Table, period: Period) -> Any:
    """Days along the bottom (every day of the period, none skipped), one coloured block per value of the
    second column."""
    from matplotlib.figure import Figure

    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, stack, value in table.rows:
        counts[stack][day] += int(value)
    days = [d.isoformat() for d in period.days()]
    figure = Figure(figsize=(WIDTH_IN, 3.2))
    axes = figure.subplots()
    bottom = [0] * len(days)
    for n, stack in enumerate(sorted(counts)):
        heights = [counts[stack].get(day, 0) for day in days]
        axes.bar(range(len(days)), heights, bottom=bottom, width=0.85, label=_label(stack),
                 color=KIND_COLOURS.get(stack, PALETTE[n % len(PALETTE)]))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 5)
    axes.set_xticks(range(0, len(days), step), [days[i][5:] for i in range(0, len(days), step)])
    axes.set_ylabel(table.columns[-1])
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncols=2, frameon=False)
    return figure


def _bars(table: Table) -> Any:
    """One horizontal bar per row, largest at the top, its label above it and its value at its end."""
    from matplotlib.figure import Figure

    labels = [_label(row[0]) for row in table.rows][::-1]
    values = [float(row[-1]) for row in table.rows][::-1]
    figure = Figure(figsize=(WIDTH_IN, 0.7 + ROW_IN * len(labels)))
    axes = figure.subplots()
    bars = axes.barh(range(len(labels)), values, color=PALETTE[0], height=0.42)
    for y, label in enumerate(labels):
        axes.text(0, y + 0.26, label, va="bottom", ha="left")
    axes.bar_label(bars, labels=[f"{v:g}" for v in values], padding=3)
    axes.set_yticks([])
    axes.spines["left"].set_visible(False)
    axes.set_ylim(-0.5, len(labels) - 0.1)
    axes.set_xlabel(table.columns[-1])
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.margins(x=0.12)
    return figure


def describe(table: Table) -> str:
    """Words for the chart's alt text: what it shows, and its largest values (the table has them all)."""
    if table.chart == "stacked":
        totals: dict[str, int] = defaultdict(int)
        for _day, stack, value in table.rows:
            totals[_label(stack)] += int(value)
        parts = ", ".join(f"{k} {v}" for k, v in sorted(totals.items(), key=lambda kv: -kv[1]))
        return f"Stacked bar chart, one bar per day. Totals for the period: {parts}."
    top = ", ".join(f"{_label(row[0])}: {row[-1]}" for row in table.rows[:5])
    return f"Bar chart of {table.columns[-1]}. Largest: {top}."


def _label(value: Any) -> str:
    text = str(value).replace("_", " ")
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"
