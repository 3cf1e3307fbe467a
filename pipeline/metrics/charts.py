"""Inline SVG charts for the report, written by hand: no JavaScript, no CDN, no dependency.

An evaluator opens the page offline (or pastes a chart into a document); SVG stays sharp
and the numbers each chart shows are also printed in a table beneath it. Every chart is an
<svg class="chart-svg"> whose marks carry class="mark" (tests count them in the DOM).
"""

from __future__ import annotations

import math
from datetime import date
from html import escape

PALETTE = ("#c0392b", "#1f6fb2", "#e08e0b", "#27865a", "#7d3c98", "#16a0a0", "#8a6d3b", "#d35490", "#4d5656",
           "#2e86c1", "#a04000", "#1e8449")
PLATFORM_COLOURS = {"youtube": "#c4302b", "facebook": "#1877f2"}
W, H, LEFT, RIGHT, TOP, BOTTOM = 900, 350, 70, 20, 30, 70


def fmt(v: float | None, decimals: int = 0) -> str:
    """French number format: thin space between thousands, comma for decimals; '—' for missing."""
    if v is None:
        return "—"
    s = f"{v:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return s


def _dec(v: float) -> int:
    return 0 if v == int(v) else 1


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


def _y_axis(top: float, unit: str) -> list[str]:
    ticks = [top * i / 4 for i in range(5)]
    decimals = 0 if all(t == int(t) for t in ticks) else 1 if all(t * 10 == int(t * 10) for t in ticks) else 2
    parts = []
    for i, v in enumerate(ticks):
        y = TOP + (H - TOP - BOTTOM) * (1 - i / 4)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{fmt(v, decimals)}</text>')
    parts.append(f'<text x="{LEFT}" y="{TOP - 12}" font-size="11" fill="#555">{escape(unit)}</text>')
    return parts


def _legend(names: list[str], colours: list[str], y: float = H - 16) -> list[str]:
    out, x = [], LEFT
    for name, c in zip(names, colours, strict=True):
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{c}"/>'
                   f'<text x="{x + 14}" y="{y}" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
        if x > W - 150:
            x, y = LEFT, y + 14
    return out


def _svg(chart_id: str, title: str, body: list[str], height: int = H) -> str:
    return (f'<svg class="chart-svg" id="svg-{chart_id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" '
            f'width="{W}" height="{height}" role="img" aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif">'
            f'<rect width="{W}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>")


def bar_chart(chart_id: str, title: str, categories: list[str], series: list[tuple[str, list[float | None]]],
              unit: str, colours: list[str] | None = None) -> str:
    """Grouped vertical bars: one group per category, one bar per series (missing = no bar)."""
    colours = colours or [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    top = _nice_max(max([v for _, vals in series for v in vals if v is not None] or [0]))
    body = _y_axis(top, unit)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    group_w = plot_w / max(1, len(categories))
    bar_w = max(2.0, group_w * 0.8 / max(1, len(series)))
    for ci, cat in enumerate(categories):
        gx = LEFT + ci * group_w + group_w * 0.1
        for si, (name, vals) in enumerate(series):
            v = vals[ci]
            if v is None:
                continue
            h = plot_h * v / top
            body.append(f'<rect class="mark" x="{gx + si * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                        f'height="{max(h, 0.5):.1f}" fill="{colours[si]}"><title>{escape(cat)} — {escape(name)} : '
                        f'{fmt(v, _dec(v))}</title></rect>')
        label = cat if len(cat) <= 14 else cat[:13] + "…"
        cx, ly = LEFT + ci * group_w + group_w / 2, TOP + plot_h + 14
        if len(categories) > 10:   # many videos: slanted labels so they do not overlap
            body.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="end" font-size="9" '
                        f'transform="rotate(-40 {cx:.1f} {ly})">{escape(label)}</text>')
        else:
            body.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="middle" font-size="10">{escape(label)}</text>')
    body += _legend([n for n, _ in series], colours, y=H - 4 if len(categories) > 10 else H - 16)
    return _svg(chart_id, title, body)


def line_chart(chart_id: str, title: str, series: list[tuple[str, list[tuple[date, float]]]], unit: str,
               colours: list[str] | None = None) -> str:
    """Lines over dates (each series sorted by date); a dot per point."""
    colours = colours or [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    points = [p for _, pts in series for p in pts]
    if not points:
        return _svg(chart_id, title, ['<text x="20" y="40">Aucune donnée</text>'], 60)
    d0, d1 = min(p[0] for p in points), max(p[0] for p in points)
    span = max(1, (d1 - d0).days)
    top = _nice_max(max(p[1] for p in points))
    body = _y_axis(top, unit)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def xy(d: date, v: float) -> tuple[float, float]:
        return LEFT + plot_w * (d - d0).days / span, TOP + plot_h * (1 - v / top)
    for i in range(0, span + 1, max(1, span // 8)):
        d = date.fromordinal(d0.toordinal() + i)
        x, _ = xy(d, 0)
        body.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" font-size="10">'
                    f'{d.day:02d}/{d.month:02d}</text>')
    for (name, pts), c in zip(series, colours, strict=True):
        coords = [xy(d, v) for d, v in sorted(pts)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline class="mark" points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{c}"/>' for x, y in coords]
    body += _legend([n for n, _ in series], colours)
    return _svg(chart_id, title, body)


def hbar_chart(chart_id: str, title: str, items: list[tuple[str, float]], unit: str, colour: str = "#1f6fb2") -> str:
    """Horizontal bars, one per label (countries, devices)."""
    if not items:
        return _svg(chart_id, title, ['<text x="20" y="40">Aucune donnée</text>'], 60)
    row, left = 24, 160
    height = TOP + row * len(items) + 30
    top = _nice_max(max(v for _, v in items))
    body = [f'<text x="{left}" y="{height - 8}" font-size="11" fill="#555">{escape(unit)}</text>']
    for i, (label, v) in enumerate(items):
        y = TOP + i * row
        w = (W - left - 120) * v / top
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>')
        body.append(f'<rect class="mark" x="{left}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row - 8}" '
                    f'fill="{colour}"><title>{escape(label)} : {fmt(v, _dec(v))}</title></rect>')
        body.append(f'<text x="{left + w + 6:.1f}" y="{y + 15}" font-size="11">{fmt(v, _dec(v))}</text>')
    return _svg(chart_id, title, body, height)


def ci_chart(chart_id: str, title: str, categories: list[str], means: list[float | None], lows: list[float | None],
             highs: list[float | None], unit: str, colour: str = "#27865a") -> str:
    """One bar per category with its confidence interval as a whisker."""
    top = _nice_max(max([v for v in (*means, *highs) if v is not None] or [0]))
    body = _y_axis(top, unit)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    group_w = plot_w / max(1, len(categories))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)
    for i, (cat, m, lo, hi) in enumerate(zip(categories, means, lows, highs, strict=True)):
        x = LEFT + i * group_w + group_w * 0.3
        w = group_w * 0.4
        if m is not None:
            body.append(f'<rect class="mark" x="{x:.1f}" y="{y(m):.1f}" width="{w:.1f}" height="{max(plot_h - (y(m) - TOP), 0.5):.1f}" '
                        f'fill="{colour}"><title>{escape(cat)} : {fmt(m, 1)}</title></rect>')
        if lo is not None and hi is not None:
            cx = x + w / 2
            body.append(f'<path d="M{cx:.1f},{y(lo):.1f}V{y(hi):.1f}M{cx - 8:.1f},{y(lo):.1f}H{cx + 8:.1f}'
                        f'M{cx - 8:.1f},{y(hi):.1f}H{cx + 8:.1f}" stroke="#222" stroke-width="2" fill="none"/>')
        body.append(f'<text x="{x + w / 2:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" font-size="11">'
                    f'{escape(cat)}</text>')
    return _svg(chart_id, title, body)
