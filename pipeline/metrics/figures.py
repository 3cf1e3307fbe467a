"""The report's charts as PNG images for the Word document, drawn by matplotlib (Agg: no display).

The same Chart objects as the page's SVG (chartspec.py): same data, titles and colours.
"""

from __future__ import annotations

import io

from pipeline.metrics.chartspec import Chart


def png(chart: Chart, dpi: int = 100) -> bytes:
    """A figure object of its own (no pyplot state), laid out while it is drawn: one draw per chart."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = 3.6 if chart.kind != "hbar" else max(2.2, 0.35 * len(chart.categories) + 1)
    fig = Figure(figsize=(8, height), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _draw(ax, chart)
    ax.set_title(chart.title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _short(label: str, n: int = 18) -> str:
    return label if len(label) <= n else label[:n - 1] + "…"


def _draw(ax, c: Chart) -> None:  # noqa: ANN001 - a matplotlib Axes
    if c.kind == "line":
        for name, points, colour in c.lines:
            if points:
                ax.plot([d for d, _ in points], [v for _, v in points], marker="o", markersize=3, color=colour,
                        label=_short(name, 40))
        ax.set_ylabel(c.unit)
        if c.lines:
            ax.legend(fontsize=6, ncol=2)
        ax.tick_params(axis="x", labelsize=7, rotation=30)
        return
    cats = [_short(x) for x in c.categories]
    if c.kind == "hbar":
        s = c.series[0]
        ax.barh(cats[::-1], [v or 0 for v in s.values][::-1], color=s.colour)
        ax.set_xlabel(c.unit)
        ax.tick_params(labelsize=7)
        return
    if c.kind == "ci":
        s = c.series[0]
        means = [v if v is not None else 0 for v in s.values]
        err = [[max(0.0, m - lo) if lo is not None else 0 for m, lo in zip(means, s.low, strict=True)],
               [max(0.0, hi - m) if hi is not None else 0 for m, hi in zip(means, s.high, strict=True)]]
        ax.bar(cats, means, yerr=err, capsize=8, color=s.colour, width=0.5)
        ax.set_ylabel(c.unit)
        return
    n = max(1, len(c.series))
    width = 0.8 / n
    for i, s in enumerate(c.series):
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(cats))]
        ax.bar(xs, [v if v is not None else float("nan") for v in s.values], width=width, color=s.colour, label=s.name)
    ax.set_xticks(range(len(cats)), cats, rotation=35 if len(cats) > 6 else 0, ha="right" if len(cats) > 6 else "center",
                  fontsize=7)
    ax.set_ylabel(c.unit)
    if n > 1:
        ax.legend(fontsize=7)
