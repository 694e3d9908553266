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


FONT = 15
"""Text size in the chart's own units. The chart is drawn 420 wide, so on a phone (about 340 px) text is still
12 px; wider screens show it at most 44rem wide (style.css)."""
CHAR = 0.56 * FONT  # an average character's width, for laying out the legend


def _legend_rows(names: list[str], width: int, left: int) -> list[list[tuple[int, str, int]]]:
    """The legend's entries (x, name, series index) in rows that fit the chart's width."""
    rows: list[list[tuple[int, str, int]]] = [[]]
    x = left
    for index, name in enumerate(names):
        wide = int(22 + CHAR * len(name) + 14)
        if rows[-1] and x + wide > width:
            rows.append([])
            x = left
        rows[-1].append((x, name, index))
        x += wide
    return rows


def stacked_bars(chart: StackedBars, width: int = 420, height: int = 0) -> Markup:
    legend = _legend_rows(list(chart.series), width - 8, 8)
    left, right, top = 48, 10, 22
    bottom = 2 * FONT + 14 + len(legend) * (FONT + 10)
    height = height or 190 + bottom
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
            f'<text x="{left - 6}" y="{y(tick) + 5:.1f}" text-anchor="end" font-size="{FONT - 1}" '
            'fill="#4a5560">'
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
        # "jun 2026": the month on one line, the year below it (only where it changes), so labels never
        # run into each other on a narrow chart.
        month, _, year = label.partition(" ")
        shown_year = year if index == 0 or not chart.labels[index - 1].endswith(year) else ""
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + FONT + 4}" text-anchor="middle" '
            f'font-size="{FONT}" fill="#1d2329">{escape(month)}'
            + (
                f'<tspan x="{x + bar / 2:.1f}" dy="{FONT + 2}" fill="#4a5560">{escape(shown_year)}</tspan>'
                if shown_year
                else ""
            )
            + "</text>"
        )
    if chart.aim is not None:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(chart.aim):.1f}" y2="{y(chart.aim):.1f}" '
            f'stroke="#1d2329" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{width - right}" y="{y(chart.aim) - 5:.1f}" text-anchor="end" font-size="{FONT}" '
            f'fill="#1d2329">{escape(chart.aim_label)}</text>'
        )
    for row_index, entries in enumerate(legend):
        row_y = height - (len(legend) - row_index) * (FONT + 10)
        for key_x, name, series_index in entries:
            colour, pattern = SERIES_STYLE[series_index % len(SERIES_STYLE)]
            fill = f"url(#{pattern})" if pattern else colour
            parts.append(
                f'<rect x="{key_x}" y="{row_y}" width="15" height="15" fill="{fill}"/>'
                f'<text x="{key_x + 21}" y="{row_y + 13}" font-size="{FONT}" fill="#1d2329">'
                f"{escape(name)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
