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
Share = Callable[[float], str]
THICKNESS = 26.0  # the donut's ring
LAP_WIDTH, LAP_GAP = 6.0, 2.0  # each further lap of a donut whose parts exceed its whole
MAX_LAPS = 4  # beyond four times its whole a donut stops drawing; its legend still says how much
REST = "#c4cad3"  # what is left of a donut's whole


def _plain(value: int) -> str:
    return str(value)


def _share(fraction: float) -> str:
    return f"{100 * fraction:.0f} %"


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
    largest = max((v for _, v in items), default=0)
    largest = largest if largest > 0 else 1  # bars only grow right: a value at or below zero has none
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


def _axis(values: Sequence[int]) -> tuple[float, float]:
    """Round bounds (highest, lowest) of an axis that holds zero and every value: what falls below zero
    hangs below the axis instead of being drawn as if it were above it."""
    lowest = min(values, default=0)
    return nice_ceiling(max(values, default=0)), -nice_ceiling(-lowest) if lowest < 0 else 0.0


def columns(items: Sequence[tuple[str, int]], label: str, fmt: Format = _plain, width: float = 520,
            height: float = 180, color: str = PALETTE[0], highlight_last: bool = False) -> Markup:
    """Vertical columns with the value above each and the label below; a light grid on round values."""
    left, bottom, top = 8.0, 30.0, 16.0
    plot = height - bottom - top
    count = max(len(items), 1)
    slot = (width - 2 * left) / count
    highest, lowest = _axis([v for _, v in items])

    def y_of(value: float) -> float:
        return top + plot * (highest - value) / (highest - lowest)

    zero = y_of(0)
    body = [f'<line x1="{left}" y1="{zero:.1f}" x2="{width - left}" y2="{zero:.1f}" stroke="{MUTED}" stroke-width="0.8"/>']
    for fraction in (0.5, 1.0):
        y = y_of(highest * fraction)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - left}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
    bar = min(slot * 0.62, 48)
    for index, (name, value) in enumerate(items):
        x = left + slot * index + (slot - bar) / 2
        end = y_of(value)
        fill = PALETTE[1] if highlight_last and index == len(items) - 1 else color
        body.append(f'<rect x="{x:.1f}" y="{min(end, zero):.1f}" width="{bar:.1f}" height="{abs(zero - end):.1f}" '
                    f'fill="{fill}" rx="1.5"/>')
        body.append(_text(x + bar / 2, end - 4 if value >= 0 else end + 10, fmt(value), size=8, anchor="middle", fill=MUTED))
        body.append(_text(x + bar / 2, height - 12, _short(name, 16), size=8, anchor="middle"))
    return _svg(width, height, label, body)


def line(points: Sequence[tuple[str, int]], label: str, fmt: Format = _plain, width: float = 520,
         height: float = 180) -> Markup:
    """A line through the points with a dot and value on each, labels below."""
    left, right, bottom, top = 24.0, 24.0, 30.0, 18.0
    plot_w, plot_h = width - left - right, height - bottom - top
    highest, lowest = _axis([v for _, v in points])

    def y_of(value: float) -> float:
        return top + plot_h * (highest - value) / (highest - lowest)

    zero, half = y_of(0), y_of(highest / 2)
    step = plot_w / max(len(points) - 1, 1)
    coordinates = [(left + (step * i if len(points) > 1 else plot_w / 2), y_of(v)) for i, (_, v) in enumerate(points)]
    body = [f'<line x1="{left}" y1="{zero:.1f}" x2="{width - right}" y2="{zero:.1f}" stroke="{MUTED}" stroke-width="0.8"/>',
            f'<line x1="{left}" y1="{half:.1f}" x2="{width - right}" y2="{half:.1f}" stroke="{GRID}" stroke-width="0.6"/>']
    if len(coordinates) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        area = f"{coordinates[0][0]:.1f},{zero:.1f} {path} {coordinates[-1][0]:.1f},{zero:.1f}"
        body.append(f'<polygon points="{area}" fill="{PALETTE[2]}" fill-opacity="0.12"/>')
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[2]}" stroke-width="2"/>')
    for (name, value), (x, y) in zip(points, coordinates, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[2]}"/>')
        body.append(_text(x, y - 7, fmt(value), size=8, anchor="middle", fill=MUTED))
        body.append(_text(x, height - 12, _short(name, 16), size=8, anchor="middle"))
    return _svg(width, height, label, body)


def donut(parts: Sequence[tuple[str, int]], label: str, fmt: Format = _plain, width: float = 520,
          height: float = 170, centre: str = "", whole: int | None = None, remainder: str = "", beyond: str = "",
          share: Share = _share) -> Markup:
    """A donut of the parts with a legend (name, value, share) on its right, clockwise from twelve o'clock.

    The ring stands for `whole` (by default the parts' sum), and every arc and share is of it. What the
    parts leave of the whole is drawn in grey and named `remainder`; what they hold beyond it goes round
    again on a thinner outer ring, lap after lap, and the legend names the excess `beyond`.
    """
    drawn = sum(v for _, v in parts if v > 0)
    base = drawn if whole is None else whole
    rest = max(0, base - drawn)
    excess = max(0, drawn - base) if base > 0 else 0
    laps = min(-(-drawn // base), MAX_LAPS) if base > 0 and drawn > 0 else 1
    cx = cy = height / 2
    outer = height / 2 - 8
    r0 = outer - (laps - 1) * (LAP_WIDTH + LAP_GAP) - THICKNESS / 2

    def radius(lap: int) -> float:
        return r0 if lap == 0 else outer - (laps - 1 - lap) * (LAP_WIDTH + LAP_GAP) - LAP_WIDTH / 2

    # The track: the whole, seen where nothing covers it (all of it when there is nothing to show).
    body = [f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r0:.1f}" fill="none" stroke="{GRID}" stroke-width="{THICKNESS:g}"/>']
    if base > 0:
        slices = [(PALETTE[i % len(PALETTE)], v) for i, (_, v) in enumerate(parts) if v > 0]
        if whole is not None and rest:
            slices.append((REST, rest))
        start = 0  # in the values' own units, so that laps split exactly at each whole
        for color, size in slices:
            end = start + size
            for lap in range(start // base, min(-(-end // base), laps)):
                first, last = max(start, lap * base) - lap * base, min(end, (lap + 1) * base) - lap * base
                if last > first:
                    body.append(_arc(cx, cy, radius(lap), first / base, last / base, color,
                                     THICKNESS if lap == 0 else LAP_WIDTH))
            start = end
    if centre:
        body.append(_text(cx, cy + 5, centre, size=14, anchor="middle", bold=True))
    rows: list[tuple[str, str, int]] = [(PALETTE[i % len(PALETTE)], name, v) for i, (name, v) in enumerate(parts)]
    if whole is not None and remainder and not excess:
        rows.append((REST, remainder, rest))
    if excess and beyond:
        rows.append(("", beyond, excess))
    legend_x = height + 16
    row = min(18.0, (height - 8) / max(len(rows), 1))
    for index, (color, name, value) in enumerate(rows):
        y = 8 + index * row
        if color:  # the excess has no colour of its own: it is the parts' own, drawn round again
            body.append(f'<rect x="{legend_x:.1f}" y="{y + 2:.1f}" width="10" height="10" fill="{color}" rx="2"/>')
        shown = share(value / base) if base > 0 else "—"
        body.append(_text(legend_x + 16, y + 11, f"{_short(name, 34)} · {fmt(value)} · {shown}"))
    return _svg(width, height, label, body)


def _arc(cx: float, cy: float, r: float, first: float, last: float, color: str, thickness: float) -> str:
    """The stretch of a ring from `first` to `last` (fractions of a turn, clockwise from twelve o'clock)."""
    if last - first >= 1 - 1e-9:
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="none" stroke="{color}" stroke-width="{thickness:g}"/>'
    a, b = -math.pi / 2 + 2 * math.pi * first, -math.pi / 2 + 2 * math.pi * last
    x1, y1 = cx + r * math.cos(a), cy + r * math.sin(a)
    x2, y2 = cx + r * math.cos(b), cy + r * math.sin(b)
    large = 1 if last - first > 0.5 else 0
    return (f'<path d="M{x1:.2f},{y1:.2f} A{r:.1f},{r:.1f} 0 {large} 1 {x2:.2f},{y2:.2f}" fill="none" stroke="{color}" '
            f'stroke-width="{thickness:g}"/>')


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
