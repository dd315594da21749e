"""Fast tables for WeasyPrint: each row typeset as lines of text whose columns are aligned with
space characters of known widths, instead of table cells.

Why: WeasyPrint lays out every table cell as a box with its own text layout (about 1 ms a cell
here), so a 5-column row costs ~6 ms; one block of preformatted text per row costs ~1–2 ms. The
column positions come from the font's own advance widths (kerning and ligatures are switched off
in the print stylesheet so the shaper uses exactly these), and the gaps are filled with a
combination of Unicode spaces (em, figure, thin, hair…) summing to the gap within 2 font units.
Tabs would be simpler, but WeasyPrint 70 draws a tab 2.4 % wider than it lays it out.

Pure: text in, text out. `Font` reads the metrics of the shipped DejaVu files once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import cast

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
TABLE_FONT = "DejaVuSansCondensed.ttf"
TABLE_BOLD_FONT = "DejaVuSansCondensed-Bold.ttf"
ELLIPSIS = "…"
# Space characters, widest first; which of them a font has and how wide they are is read from it.
_SPACES = (0x2001, 0x2003, 0x2007, 0x2000, 0x2002, 0x2004, 0x0020, 0x2005, 0x205F, 0x2009, 0x2006, 0x200A)


class Font:
    """Advance widths of one font file, and the space runs that fill any gap."""

    def __init__(self, path: Path) -> None:
        from fontTools.ttLib import TTFont

        font = TTFont(str(path), lazy=True)
        metrics = font["hmtx"].metrics
        self.units_per_em: int = font["head"].unitsPerEm
        self.advances: dict[int, int] = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        self.fallback = self.advances[ord("n")]
        spaces: dict[int, str] = {}
        for code in _SPACES:
            if code in self.advances and self.advances[code] > 0:
                spaces.setdefault(self.advances[code], chr(code))
        self._widest = max(spaces)
        self._widest_char = spaces[self._widest]
        self._fills = _fills(spaces, 3 * self._widest)
        self.units = lru_cache(maxsize=65536)(self._units)  # the same names and labels recur in every table
        font.close()

    def covers(self, char: str) -> bool:
        return ord(char) in self.advances

    def _units(self, text: str) -> int:
        get, fallback = self.advances.get, self.fallback
        return sum([get(c, fallback) for c in map(ord, text)])

    def gap(self, units: int) -> str:
        """Spaces as wide as `units` (within 2 units, never wider)."""
        if units <= 0:
            return ""
        bulk = 0
        while units > 2 * self._widest:
            units -= self._widest
            bulk += 1
        return self._widest_char * bulk + self._fills[units]


def _fills(spaces: dict[int, str], limit: int) -> list[str]:
    """For every width up to `limit`: the fewest spaces summing to it, or to the widest reachable below it."""
    best: list[str | None] = [None] * (limit + 1)
    best[0] = ""
    for total in range(1, limit + 1):
        for width, char in spaces.items():
            if width <= total and best[total - width] is not None:
                candidate = cast(str, best[total - width]) + char
                if best[total] is None or len(candidate) < len(cast(str, best[total])):
                    best[total] = candidate
    fills, last = [], ""
    for entry in best:
        last = entry if entry is not None else last
        fills.append(last)
    return fills


@cache
def font(name: str = TABLE_FONT) -> Font:
    return Font(FONTS_DIR / name)


@dataclass(frozen=True)
class Column:
    """A column on paper: its left edge and width in points, how it aligns, how many lines it may wrap to."""

    x: float
    width: float
    align: str = "left"  # left | right
    lines: int = 1


@dataclass(frozen=True)
class Grid:
    columns: tuple[Column, ...]
    size: float  # font size in points
    padding: float = 3.0  # points kept free inside each column on both sides

    @staticmethod
    def of(widths: list[float], aligns: list[str], lines: list[int], total_width: float, size: float) -> Grid:
        """Columns sharing `total_width` in proportion to `widths`."""
        scale = total_width / sum(widths)
        columns, x = [], 0.0
        for width, align, wrap in zip(widths, aligns, lines, strict=True):
            columns.append(Column(x, width * scale, align, wrap))
            x += width * scale
        return Grid(tuple(columns), size)


class Typesetter:
    """Turns rows of cell texts into lines aligned on a grid, for one font and size."""

    def __init__(self, grid: Grid, face: Font) -> None:
        self.grid = grid
        self.face = face
        self.scale = face.units_per_em / grid.size  # font units per point

    def _units(self, points: float) -> int:
        return round(points * self.scale)

    def wrap(self, text: str, column: Column) -> list[str]:
        """The cell's text in at most `column.lines` lines that fit, the last one cut with an ellipsis."""
        room = self._units(column.width - 2 * self.grid.padding)
        face = self.face
        if face.units(text) <= room:
            return [text]
        if column.lines == 1:
            return [self.cut(text, room)]
        space = face.units(" ")
        lines: list[str] = []
        words = text.split(" ")
        widths = [face.units(w) for w in words]
        current: list[str] = []
        used = 0
        index = 0
        while index < len(words):
            if len(lines) == column.lines - 1:  # the last allowed line takes the rest, cut to fit
                lines.append(self.cut(" ".join(current + words[index:]), room))
                return lines
            width = widths[index] + (space if current else 0)
            if used + width <= room:
                current.append(words[index])
                used += width
                index += 1
            elif not current:  # one word wider than the column
                lines.append(self.cut(words[index], room))
                index += 1
            else:
                lines.append(" ".join(current))
                current, used = [], 0
        if current:
            lines.append(" ".join(current))
        return lines

    def cut(self, text: str, room: int) -> str:
        face = self.face
        if face.units(text) <= room:
            return text
        budget = room - face.units(ELLIPSIS)
        get, fallback = face.advances.get, face.fallback
        used, end = 0, 0
        for end, char in enumerate(text):  # noqa: B007 (the index where the text is cut)
            used += get(ord(char), fallback)
            if used > budget:
                break
        return text[:end].rstrip() + ELLIPSIS

    def row(self, cells: list[str]) -> list[str]:
        """One row as one or more lines of text, every cell starting (or ending, right-aligned) on its column."""
        wrapped = [self.wrap(text or "", column) for text, column in zip(cells, self.grid.columns, strict=True)]
        height = max(len(lines) for lines in wrapped)
        return [self._line([lines[i] if i < len(lines) else "" for lines in wrapped]) for i in range(height)]

    def _line(self, texts: list[str]) -> str:
        face, padding = self.face, self.grid.padding
        parts: list[str] = []
        position = 0  # font units from the left edge of the first column
        for text, column in zip(texts, self.grid.columns, strict=True):
            if not text:
                continue
            width = face.units(text)
            if column.align == "right":
                start = self._units(column.x + column.width - padding) - width
            else:
                start = self._units(column.x + padding)
            gap = face.gap(start - position)
            parts.append(gap)
            parts.append(text)
            position += face.units(gap) + width
        return "".join(parts).rstrip()


def lines_per_page(available: float, line_height: float) -> int:
    return max(1, int(available // line_height))
