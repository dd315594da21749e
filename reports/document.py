"""A report as a document: sections of figures, paragraphs, charts and tables. Built once from the
data in the reader's language, then rendered to the HTML preview, the PDF and the .xlsx, so the
three show the same tables. Values stay typed (money as int, dates as dates) until rendering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

KINDS = ("text", "code", "int", "money", "percent", "date", "stars")  # code: an identifier, never cut


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # one of KINDS: how its values are written and aligned
    weight: float = 1.0  # share of the table's width
    lines: int = 1  # how many lines a cell may take on paper before it is cut

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "money", "percent", "stars")


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    empty: str = ""  # said instead of the table when it has no rows
    sheet: str = ""  # the .xlsx sheet it goes to (its title when empty)
    listing: bool = False  # a long listing: starts a page, its header repeated on every page
    note: str = ""


@dataclass(frozen=True)
class Shown:
    """A value as the report writes it, kept typed beside its text: the HTML and the PDF print `text`, the
    .xlsx stores `value` with the number format of `kind`, so a spreadsheet can add it up."""

    value: Any  # đồng as an int, a count, a share as a fraction, a date; a tuple for "used / planned"
    kind: str  # one of KINDS
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Figure:
    label: str
    value: str | Shown
    note: str | Shown = ""


@dataclass(frozen=True)
class Figures:
    items: list[Figure]


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    wide: bool = True


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Any] = field(default_factory=list)

    def add(self, *blocks: Any) -> Section:
        self.blocks.extend(b for b in blocks if b is not None)
        return self

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


@dataclass
class Document:
    kind: str
    title: str  # "Báo cáo kết quả"
    subject: str  # the fair's name, the period…
    cover_lines: Sequence[tuple[str, str | Shown]]  # label, value on the cover
    sections: list[Section]
    language: str
    generated_on: dt.date
    filename: str  # without extension

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]
