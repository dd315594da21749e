"""Charts drawn on the server as SVG: horizontal bars, columns, a line and a donut. Pure: data in,
markup out. Only presentation attributes (no style attribute), so the pages' CSP accepts them and
WeasyPrint draws them as vectors. Few text elements: SVG text is the slow part of a PDF chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#1f7a3f", "#e0a526", "#2f6fb0", "#c2552d", "#7a4fa3", "#3aa59a", "#8a8d32", "#b03a6f", "#5b6770", "#9fbf5a")
INK, MUTED, GRID = "#1d2939", "#667085", "#e4e7ec"
FONT = 'font-family="DejaVu Sans, sans-serif"'

Format = Callable[[int], str]


def _plain(value: int) -> str:
    return str(value)


def _svg(width: float, height: float, label: str, body: list[str]) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:g} {height:g}" '
                  f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(label)}" {FONT}>'
                  + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, size: float = 9, anchor: str = "start", fill: str = INK, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{fill}"{weight}>'
            f"{escape(text)}</text>")


def nice_ceiling(value: float) -> float:
    """The round number (1, 2, 2.5, 5 × 10ⁿ) at or above `value`, for an axis."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bars(items: Sequence[tuple[str, int]], label: str, fmt: Format = _plain, width: float = 520,
         label_width: float = 170) -> Markup:
    """Horizontal bars, one per item, largest scale first: label left, value at the bar's end."""
    row, top = 18.0, 4.0
    height = top + row * len(items) + 4
    largest = max((v for _, v in items), default=0) or 1
    room = width - label_width - 90
    body = []
    for index, (name, value) in enumerate(items):
        y = top + index * row
        length = max(0.0, room * value / largest)
        body.append(_text(label_width - 6, y + 12, _short(name, 30), anchor="end"))
        body.append(f'<rect x="{label_width:.1f}" y="{y + 3:.1f}" width="{length:.1f}" height="{row - 6:.1f}" '
                    f'fill="{PALETTE[0]}" rx="1.5"/>')
        body.append(_text(label_width + length + 5, y + 12, fmt(value), fill=MUTED))
    return _svg(width, height, label, body)


def columns(items: Sequence[tuple[str, int]], label: str, fmt: Format = _plain, width: float = 520,
            height: float = 180, color: str = PALETTE[0], highlight_last: bool = False) -> Markup:
    """Vertical columns with the value above each and the label below; a light grid on round values."""
    left, bottom, top = 8.0, 30.0, 16.0
    plot = height - bottom - top
    count = max(len(items), 1)
    slot = (width - 2 * left) / count
    largest = nice_ceiling(max((v for _, v in items), default=0))
    body = [f'<line x1="{left}" y1="{top + plot:.1f}" x2="{width - left}" y2="{top + plot:.1f}" stroke="{MUTED}" '
            f'stroke-width="0.8"/>']
    for fraction in (0.5, 1.0):
        y = top + plot * (1 - fraction)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - left}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
    bar = min(slot * 0.62, 48)
    for index, (name, value) in enumerate(items):
        x = left + slot * index + (slot - bar) / 2
        h = plot * value / largest
        fill = PALETTE[1] if highlight_last and index == len(items) - 1 else color
        body.append(f'<rect x="{x:.1f}" y="{top + plot - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill}" rx="1.5"/>')
        body.append(_text(x + bar / 2, top + plot - h - 4, fmt(value), size=8, anchor="middle", fill=MUTED))
        body.append(_text(x + bar / 2, height - 12, _short(name, 16), size=8, anchor="middle"))
    return _svg(width, height, label, body)


def line(points: Sequence[tuple[str, int]], label: str, fmt: Format = _plain, width: float = 520,
         height: float = 180) -> Markup:
    """A line through the points with a dot and value on each, labels below."""
    left, right, bottom, top = 24.0, 24.0, 30.0, 18.0
    plot_w, plot_h = width - left - right, height - bottom - top
    largest = nice_ceiling(max((v for _, v in points), default=0))
    step = plot_w / max(len(points) - 1, 1)
    coordinates = [(left + (step * i if len(points) > 1 else plot_w / 2), top + plot_h * (1 - v / largest))
                   for i, (_, v) in enumerate(points)]
    body = [f'<line x1="{left}" y1="{top + plot_h:.1f}" x2="{width - right}" y2="{top + plot_h:.1f}" stroke="{MUTED}" '
            f'stroke-width="0.8"/>',
            f'<line x1="{left}" y1="{top + plot_h / 2:.1f}" x2="{width - right}" y2="{top + plot_h / 2:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>']
    if len(coordinates) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        area = f"{coordinates[0][0]:.1f},{top + plot_h:.1f} {path} {coordinates[-1][0]:.1f},{top + plot_h:.1f}"
        body.append(f'<polygon points="{area}" fill="{PALETTE[2]}" fill-opacity="0.12"/>')
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[2]}" stroke-width="2"/>')
    for (name, value), (x, y) in zip(points, coordinates, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[2]}"/>')
        body.append(_text(x, y - 7, fmt(value), size=8, anchor="middle", fill=MUTED))
        body.append(_text(x, height - 12, _short(name, 16), size=8, anchor="middle"))
    return _svg(width, height, label, body)


def donut(parts: Sequence[tuple[str, int]], label: str, fmt: Format = _plain, width: float = 520,
          height: float = 170, centre: str = "") -> Markup:
    """A donut of the parts' shares with a legend (name, value, share) on its right."""
    cx, cy, radius, thickness = height / 2, height / 2, height / 2 - 8, 26.0
    total = sum(v for _, v in parts if v > 0)
    body = []
    if total <= 0:
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius - thickness / 2:.1f}" fill="none" stroke="{GRID}" '
                    f'stroke-width="{thickness}"/>')
    else:
        angle = -math.pi / 2
        r = radius - thickness / 2
        for index, (_, value) in enumerate(parts):
            if value <= 0:
                continue
            sweep = 2 * math.pi * value / total
            color = PALETTE[index % len(PALETTE)]
            if sweep >= 2 * math.pi - 1e-9:
                body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="none" stroke="{color}" '
                            f'stroke-width="{thickness}"/>')
            else:
                x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
                x2, y2 = cx + r * math.cos(angle + sweep), cy + r * math.sin(angle + sweep)
                large = 1 if sweep > math.pi else 0
                body.append(f'<path d="M{x1:.2f},{y1:.2f} A{r:.1f},{r:.1f} 0 {large} 1 {x2:.2f},{y2:.2f}" fill="none" '
                            f'stroke="{color}" stroke-width="{thickness}"/>')
            angle += sweep
    if centre:
        body.append(_text(cx, cy + 5, centre, size=14, anchor="middle", bold=True))
    legend_x = height + 16
    row = min(18.0, (height - 8) / max(len(parts), 1))
    for index, (name, value) in enumerate(parts):
        y = 8 + index * row
        share = f"{100 * value / total:.0f} %" if total else "—"
        body.append(f'<rect x="{legend_x:.1f}" y="{y + 2:.1f}" width="10" height="10" fill="{PALETTE[index % len(PALETTE)]}" rx="2"/>')
        body.append(_text(legend_x + 16, y + 11, f"{_short(name, 28)} · {fmt(value)} · {share}"))
    return _svg(width, height, label, body)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
