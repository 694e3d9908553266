"""Server-rendered SVG charts: no JavaScript, readable by screen readers (title, description and a data table
next to each chart), and every series has its own pattern as well as its own colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SERIES_STYLE = (
    # fill colour, pattern id: solid, diagonal hatching, dots
    ("#0b6e4f", None),
    ("#b3541e", "hatch"),
    ("#2f4b9a", "dots"),
)


@dataclass(frozen=True)
class StackedBars:
    labels: Sequence[str]  # one per bar (e.g. month)
    series: Sequence[str]  # names of the stacked parts (e.g. helixes)
    values: Sequence[Sequence[float]]  # values[bar][series], as fractions (0.2 = 20 %)
    aim: float | None
    aim_label: str
    title: str
    description: str


def _fmt_percent(value: float) -> str:
    return f"{round(value * 100)}%"


def stacked_bars(chart: StackedBars, width: int = 640, height: int = 280) -> Markup:
    left, right, top, bottom = 44, 12, 16, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(row) for row in chart.values] or [0.0]
    ceiling = max([*totals, (chart.aim or 0) * 1.25, 0.05])
    step = 0.05 if ceiling <= 0.3 else 0.1 if ceiling <= 0.6 else 0.25
    ceiling = step * (int(ceiling / step) + 1)

    def y(value: float) -> float:
        return top + plot_h - value / ceiling * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" class="chart">',
        f'<title id="chart-title">{escape(chart.title)}</title>',
        f'<desc id="chart-desc">{escape(chart.description)}</desc>',
        "<defs>"
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#b3541e"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" '
        'stroke-width="2"/></pattern>'
        '<pattern id="dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#2f4b9a"/><circle cx="3" cy="3" r="1.4" fill="#fff"/></pattern>'
        "</defs>",
    ]
    tick = 0.0
    while tick <= ceiling + 1e-9:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#d9d4ca"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" fill="#4a5560">'
            f"{_fmt_percent(tick)}</text>"
        )
        tick += step
    count = max(1, len(chart.labels))
    slot = plot_w / count
    bar = min(48.0, slot * 0.6)
    for index, (label, row) in enumerate(zip(chart.labels, chart.values, strict=True)):
        x = left + slot * index + (slot - bar) / 2
        base = 0.0
        for series_index, value in enumerate(row):
            if value <= 0:
                continue
            colour, pattern = SERIES_STYLE[series_index % len(SERIES_STYLE)]
            fill = f"url(#{pattern})" if pattern else colour
            name = chart.series[series_index]
            parts.append(
                f'<rect x="{x:.1f}" y="{y(base + value):.1f}" width="{bar:.1f}" '
                f'height="{y(base) - y(base + value):.1f}" fill="{fill}" stroke="#fff">'
                f"<title>{escape(label)}: {escape(name)} {_fmt_percent(value)}</title></rect>"
            )
            base += value
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" '
            f'fill="#1d2329">{escape(label)}</text>'
        )
    if chart.aim is not None:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(chart.aim):.1f}" y2="{y(chart.aim):.1f}" '
            f'stroke="#1d2329" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{width - right}" y="{y(chart.aim) - 5:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1d2329">{escape(chart.aim_label)}</text>'
        )
    legend_x = left
    for series_index, name in enumerate(chart.series):
        colour, pattern = SERIES_STYLE[series_index % len(SERIES_STYLE)]
        fill = f"url(#{pattern})" if pattern else colour
        parts.append(
            f'<rect x="{legend_x}" y="{height - 22}" width="14" height="14" fill="{fill}"/>'
            f'<text x="{legend_x + 20}" y="{height - 11}" font-size="12" fill="#1d2329">{escape(name)}</text>'
        )
        legend_x += 30 + 8 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))
