"""Charts as inline SVG: a stacked bar per day, with a title and a description for screen readers.

No inline styles (the pages' CSP forbids them): colours are classes styled by ``public.css``,
each series also has its own pattern of shape so it does not rest on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD, AXIS = 640, 200, 36, 34


@dataclass(frozen=True)
class Series:
    """One stacked part of the bars: its CSS class, its name for the legend, a value per bar."""

    css: str
    name: str
    values: Sequence[int]


def stacked_bars(labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str, ident: str) -> str:
    """A responsive stacked-bar SVG (oldest bar on the left), with a legend under it."""
    n = max(1, len(labels))
    top = max([sum(s.values[i] for s in series) for i in range(len(labels))] or [0]) or 1
    slot = (WIDTH - 2 * PAD) / n
    bar = max(1.0, slot * 0.72)
    usable = HEIGHT - AXIS - PAD
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{ident}-t {ident}-d" preserveAspectRatio="none" focusable="false">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>',
             f'<line class="axis" x1="{PAD}" y1="{HEIGHT - AXIS}" x2="{WIDTH - PAD}" y2="{HEIGHT - AXIS}"/>']
    for i, label in enumerate(labels):
        x = PAD + i * slot + (slot - bar) / 2
        y = HEIGHT - AXIS
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = usable * value / top
            y -= h
            parts.append(f'<rect class="{s.css}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                         f'<title>{escape(label)}: {escape(s.name)} {value}</title></rect>')
        if i in (0, n // 2, n - 1):
            parts.append(f'<text class="tick" x="{x + bar / 2:.1f}" y="{HEIGHT - 8}">{escape(label)}</text>')
    parts.append("</svg>")
    legend = "".join(f'<li><span class="swatch {s.css}" aria-hidden="true"></span>{escape(s.name)}</li>' for s in series)
    return "".join(parts) + f'<ul class="legend">{legend}</ul>'
