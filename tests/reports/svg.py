"""Reading the report charts back from their SVG, the way a reader reads them: how long each bar is,
how far round each arc goes, which legend line has which colour, what the labels say."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

NS = "{http://www.w3.org/2000/svg}"
ARC = re.compile(r"M(?P<x1>-?[\d.]+),(?P<y1>-?[\d.]+) A(?P<rx>[\d.]+),(?P<ry>[\d.]+) 0 (?P<large>[01]) (?P<sweep>[01]) "
                 r"(?P<x2>-?[\d.]+),(?P<y2>-?[\d.]+)$")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg", root.tag
    return root


def _tag(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


def _float(element: ET.Element, name: str) -> float:
    return float(element.attrib[name])


@dataclass
class Arc:
    color: str
    radius: float
    start: float  # fraction of a turn, clockwise from twelve o'clock
    turn: float  # how far round it goes, as a fraction of a turn


@dataclass
class Ring:
    """A donut read back: its track (the whole), its arcs, its centre label and its legend lines."""

    cx: float
    cy: float
    radius: float  # of the track, the first lap
    arcs: list[Arc] = field(default_factory=list)
    centre: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # colour ("" when none), text

    def turns(self, color: str) -> float:
        """How far round, over every lap, the arcs of one colour go."""
        return sum(a.turn for a in self.arcs if a.color == color)

    def laps(self) -> list[float]:
        """The radii the arcs are drawn on, innermost first."""
        return sorted({round(a.radius, 1) for a in self.arcs})

    def on(self, radius: float) -> list[Arc]:
        return sorted((a for a in self.arcs if abs(a.radius - radius) < 0.2), key=lambda a: a.start)

    def legend_line(self, name: str) -> tuple[str, str, str, str]:
        """(colour, name, value, share) of the legend line whose name is `name`."""
        for color, text in self.legend:
            label, value, share = text.split(" · ")
            if label == name:
                return color, label, value, share
        raise AssertionError(f"no legend line {name!r} in {self.legend}")


def ring(svg: str) -> Ring:
    root = parse(svg)
    elements = list(root)
    track = elements[0]
    assert _tag(track) == "circle", "a donut starts with its track, the circle of the whole"
    found = Ring(_float(track, "cx"), _float(track, "cy"), _float(track, "r"))
    for index, element in enumerate(elements[1:], start=1):
        tag = _tag(element)
        if tag == "circle":  # a whole lap of one colour
            found.arcs.append(Arc(element.attrib["stroke"], _float(element, "r"), 0.0, 1.0))
        elif tag == "path":
            match = ARC.match(element.attrib["d"])
            assert match, element.attrib["d"]
            x1, y1, x2, y2 = (float(match[k]) for k in ("x1", "y1", "x2", "y2"))
            radius = math.hypot(x1 - found.cx, y1 - found.cy)
            assert abs(radius - float(match["rx"])) < 0.05 and abs(math.hypot(x2 - found.cx, y2 - found.cy) - radius) < 0.05
            assert match["sweep"] == "1", "arcs go clockwise"
            start = _turn_of(x1 - found.cx, y1 - found.cy)
            turn = (_turn_of(x2 - found.cx, y2 - found.cy) - start) % 1.0
            assert (turn > 0.5) == (match["large"] == "1"), "the large-arc flag agrees with the end points"
            found.arcs.append(Arc(element.attrib["stroke"], radius, start, turn))
        elif tag == "text" and element.attrib.get("text-anchor") == "middle":
            found.centre = element.text or ""
        elif tag == "text":
            before = elements[index - 1]
            found.legend.append((before.attrib["fill"] if _tag(before) == "rect" else "", element.text or ""))
    return found


def _turn_of(dx: float, dy: float) -> float:
    """The angle of a point seen from the centre, as a fraction of a turn clockwise from twelve o'clock
    (SVG's y axis points down)."""
    return (math.atan2(dy, dx) + math.pi / 2) / (2 * math.pi) % 1.0


@dataclass
class Bar:
    name: str
    x: float
    length: float
    label: str
    label_x: float


def bars(svg: str) -> list[Bar]:
    """Horizontal bars, each read as its name (left), its rectangle and its value label (at its end)."""
    elements = list(parse(svg))
    found = []
    for index in range(0, len(elements), 3):
        name, rect, value = elements[index:index + 3]
        assert [_tag(name), _tag(rect), _tag(value)] == ["text", "rect", "text"]
        found.append(Bar(name.text or "", _float(rect, "x"), _float(rect, "width"), value.text or "", _float(value, "x")))
    return found


@dataclass
class Column:
    name: str
    top: float
    bottom: float
    label: str


def columns(svg: str) -> tuple[float, list[Column]]:
    """The axis's height (y of the first line) and each column as its rectangle's extent and labels."""
    elements = list(parse(svg))
    axis = _float(elements[0], "y1")
    rects = [i for i, e in enumerate(elements) if _tag(e) == "rect"]
    found = []
    for i in rects:
        rect, value, name = elements[i:i + 3]
        y = _float(rect, "y")
        found.append(Column(name.text or "", y, y + _float(rect, "height"), value.text or ""))
    return axis, found


def points(svg: str) -> tuple[float, list[tuple[float, str, str]]]:
    """The axis's height and each point of a line chart as (y, value label, name)."""
    elements = list(parse(svg))
    axis = _float(elements[0], "y1")
    found = []
    for i, element in enumerate(elements):
        if _tag(element) == "circle":
            value, name = elements[i + 1:i + 3]
            found.append((_float(element, "cy"), value.text or "", name.text or ""))
    return axis, found
