"""Small accessible SVG bar charts: a title and description for screen readers, every bar labelled with its
text and its number, one colour only so nothing depends on telling colours apart."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

_ids = itertools.count(1)

FONT = "Liberation Sans, DejaVu Sans, Arial, Helvetica, sans-serif"
BAR = "#2f5d62"
TRACK = "#e6ecec"
INK = "#1d1d1b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # What is written after the bar; the number itself when empty.
    note: str = ""


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


MAX_LINES = 3


def _wrapped(text: str, limit: int) -> list[str]:
    """A label on as many lines (at most :data:`MAX_LINES`) as it needs to be read whole; only a label longer
    than that is shortened, at its end."""
    lines = textwrap.wrap(text, limit, break_long_words=True, break_on_hyphens=True) or [""]
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], _fit(" ".join(lines[MAX_LINES - 1 :]), limit)]
    return lines


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    description: str,
    maximum: int | None = None,
    width: int = 560,
    label_width: int = 230,
    note_width: int = 110,
    chart_id: str | None = None,
) -> str:
    """A horizontal bar chart as an inline ``<svg>`` element (valid in HTML and in WeasyPrint's PDF)."""
    ident = chart_id or f"chart{next(_ids)}"
    row, top, gap, line = 24, 30, 6, 14
    labels = [_wrapped(bar.label, int(label_width / 6.4)) for bar in bars]
    # A label on more lines makes its row taller: each extra line adds one line's height.
    tops = list(itertools.accumulate((row + line * (len(lines) - 1) for lines in labels), initial=top))
    height = tops[-1] + 8
    span = width - label_width - note_width - 10
    top_value = max([maximum or 0, *(b.value for b in bars), 1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-labelledby="{ident}-t {ident}-d" '
        f'font-family="{FONT}" font-size="12">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    for index, bar in enumerate(bars):
        y = tops[index]
        length = round(span * bar.value / top_value)
        note = bar.note or str(bar.value)
        lines = "".join(
            f'<tspan x="{label_width - 8}" dy="{0 if n == 0 else line}">{escape(text)}</tspan>'
            for n, text in enumerate(labels[index])
        )
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" fill="{INK}">{lines}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{span}" height="{row - gap}" fill="{TRACK}"/>'
        )
        if length:
            parts.append(
                f'<rect x="{label_width}" y="{y + 2}" width="{length}" height="{row - gap}" fill="{BAR}"/>'
            )
        parts.append(f'<text x="{label_width + span + 8}" y="{y + 15}" fill="{INK}">{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)
