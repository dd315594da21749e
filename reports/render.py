"""A report document rendered three ways: the HTML preview (real tables), the print HTML that
WeasyPrint turns into the PDF (tables typeset as aligned lines, paginated here with a header on
every page), and the .xlsx (one sheet per table, typed cells). Jinja for the HTML; no I/O but
reading the templates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from core import i18n as core_i18n
from core.settings import settings
from core.spreadsheets import safe_cell
from reports import formats, typeset
from reports import i18n as report_i18n
from reports.document import Chart, Column, Document, Figures, Paragraph, Section, Shown, Table
from reports.text import normal, printable

# -- the page, in points (A4 portrait) ----------------------------------------------------------------
MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 20 * MM, 17 * MM, 15 * MM
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE
CONTENT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
# Typeset tables: these numbers are written into print.css, so what is counted here is what is drawn.
TABLE_SIZE = 7.5
TABLE_LINE = 9.5
ROW_PAD = 1.25  # above and below a row's lines
HEAD_PAD = 2.0
RULE = 0.75  # the rule under a table's header and above its total
H2_HEIGHT = 16 + 3 + 1 + 6  # line, padding, rule, margin (see print.css h2)
NOTE_LINE, NOTE_GAP = 10.0, 5.0
SLACK = 8.0  # kept free at the foot of each listing page
SMALL_TABLE_ROWS = 45  # shorter tables are kept on one page


def geometry() -> dict[str, float]:
    return {name: value for name, value in globals().items() if name.isupper() and isinstance(value, float | int)}


# -- cells ----------------------------------------------------------------------------------------------


def cell(value: Any, column: Column, total: bool = False) -> str:
    """A value as the report writes it."""
    if value is None or value == "":
        return "" if total or column.kind == "text" else "—"
    if isinstance(value, Shown):
        return value.text
    if isinstance(value, str):
        return value
    kind = column.kind
    if kind == "money":
        return formats.money(value)
    if kind == "int":
        return formats.number(value)
    if kind == "percent":
        return formats.percent(value)
    if kind == "date":
        return formats.date(value)
    if kind == "stars":
        return formats.stars(value)
    return str(value)


# -- Jinja ------------------------------------------------------------------------------------------------


def _finalize_print(value: Any) -> Any:
    if isinstance(value, Shown):
        value = value.text
    if isinstance(value, Markup):
        return Markup(printable(str(value)))
    if isinstance(value, str):
        return printable(value)
    return value


def _finalize_screen(value: Any) -> Any:
    if isinstance(value, Shown):
        value = value.text
    if isinstance(value, str) and not isinstance(value, Markup):
        return normal(value)
    return value


@cache
def environment(for_print: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(settings.templates_dir), autoescape=select_autoescape(["html", "css"]),
                      finalize=_finalize_print if for_print else _finalize_screen, trim_blocks=True, lstrip_blocks=True)
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(report_i18n.gettext, report_i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(css_string=css_string, **core_i18n.per_render_filters(cell=cell, date=formats.date))
    env.globals.update(language=core_i18n.current_language.get, Figures=Figures, Paragraph=Paragraph, Chart=Chart,
                       Table=Table, is_block=isinstance)
    return env


def css_string(text: str) -> Markup:
    """A CSS string literal (for the running header)."""
    escaped = printable(str(text)).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(f'"{escaped}"')


def preview_html(document: Document) -> Markup:
    """The report's content for the preview page (inside the site's layout)."""
    template = environment(False).get_template("reports/body.html")
    return Markup(template.render(document=document))


class PrintPlan:
    """The document typeset once, printable whole or in parts.

    The long listings at the end of a report are paginated here, so their page count is known
    before WeasyPrint runs: they are drawn as a separate PDF (reports/listing_pdf.py), numbered on from
    the front part (cover, contents, figures, charts), and appended to it."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.printed = {id(t): typeset_table(t) for t in document.tables}
        sections = document.sections
        tail = len(sections)
        while tail > 0 and self._is_listing(sections[tail - 1]):
            tail -= 1
        self.front = sections[:tail]
        self.listings = sections[tail:]

    def _is_listing(self, section: Section) -> bool:
        blocks = section.blocks
        return len(blocks) == 1 and isinstance(blocks[0], Table) and blocks[0].listing and bool(blocks[0].rows)

    def pages_of(self, section: Section) -> int:
        return len(self.printed[id(section.blocks[0])].pages)

    @property
    def listing_pages(self) -> int:
        """Pages of the listings at the end: each starts a page, and each of its pages is one PDF page."""
        return sum(self.pages_of(s) for s in self.listings)

    def html(self) -> str:
        """The print HTML of the front part, then an empty page standing in for each listing page, carrying
        the anchor of the listing that starts there: WeasyPrint counts the whole document's pages and finds
        each listing's page for the contents, and the empty pages are left out of the PDF (the listings are
        drawn apart, see reports/listing_pdf.py)."""
        stand_ins = [section.id if page == 0 else "" for section in self.listings for page in range(self.pages_of(section))]
        template = environment(True).get_template("reports/print.html")
        return template.render(document=self.document, sections=self.front, stand_ins=stand_ins,
                               printed_of=lambda t: self.printed[id(t)], fonts=typeset.FONTS_DIR.as_uri(), g=geometry())


# -- typeset tables ----------------------------------------------------------------------------------------


@dataclass
class PrintedRow:
    text: str
    lines: int
    zebra: bool = False


@dataclass
class PrintedTable:
    header: str
    pages: list[list[PrintedRow]]
    total: PrintedRow | None


def _grid(table: Table, cells: list[list[str]]) -> typeset.Grid:
    """Numbers, dates and codes get the width their widest value needs (never cut); text columns share the rest."""
    regular, bold = typeset.font(typeset.TABLE_FONT), typeset.font(typeset.TABLE_BOLD_FONT)
    scale = TABLE_SIZE / regular.units_per_em
    fixed: dict[int, float] = {}
    rows, total = (cells[:-1], cells[-1]) if table.total else (cells, None)
    for index, column in enumerate(table.columns):
        if column.numeric or column.kind in ("date", "code"):
            widest = max((regular.units(row[index]) for row in rows), default=0)
            if total is not None:  # the total row is bold, so wider
                widest = max(widest, bold.units(total[index]))
            fixed[index] = max(widest, _heading_units(column.title, bold, max(2, column.lines))) * scale + 2 * 3.0 + 1.0
    room = max(CONTENT_WIDTH - sum(fixed.values()), CONTENT_WIDTH * 0.3)
    weights = sum(c.weight for i, c in enumerate(table.columns) if i not in fixed) or 1.0
    widths = [fixed.get(i, room * c.weight / weights) for i, c in enumerate(table.columns)]
    return typeset.Grid.of(widths, ["right" if c.numeric else "left" for c in table.columns],
                           [c.lines for c in table.columns], CONTENT_WIDTH, TABLE_SIZE)


def _heading_units(title: str, bold: typeset.Font, lines: int) -> int:
    """The narrowest width in which the heading wraps into its lines (two: the best place to break it)."""
    words = title.split()
    if not words:
        return 0
    space = bold.units(" ")
    if lines < 2 or len(words) == 1:
        return max(bold.units(w) for w in words) if lines >= len(words) else bold.units(title)
    widths = [bold.units(w) for w in words]
    return min(max(sum(widths[:cut]) + space * (cut - 1), sum(widths[cut:]) + space * (len(words) - cut - 1))
               for cut in range(1, len(words)))


def row_height(lines: int) -> float:
    return lines * TABLE_LINE + 2 * ROW_PAD


def header_height(lines: int) -> float:
    return lines * TABLE_LINE + 2 * HEAD_PAD + RULE


def typeset_table(table: Table) -> PrintedTable:
    """The table as lines of aligned text, split into pages when it is a listing."""
    cells = [[printable(cell(v, c)) for v, c in zip(values, table.columns, strict=True)] for values in table.rows]
    if table.total:
        cells.append([printable(cell(v, c, total=True)) for v, c in zip(table.total, table.columns, strict=True)])
    grid = _grid(table, cells)
    regular = typeset.Typesetter(grid, typeset.font(typeset.TABLE_FONT))
    bold = typeset.Typesetter(grid, typeset.font(typeset.TABLE_BOLD_FONT))
    headings = typeset.Typesetter(typeset.Grid(tuple(replace(c, lines=max(2, c.lines)) for c in grid.columns), grid.size),
                                  typeset.font(typeset.TABLE_BOLD_FONT))
    header_lines = headings.row([printable(c.title) for c in table.columns])
    rows = []
    for index in range(len(table.rows)):
        lines = regular.row(cells[index])
        rows.append(PrintedRow("\n".join(lines), len(lines), index % 2 == 1))
    total = None
    if table.total:
        lines = bold.row(cells[-1])
        total = PrintedRow("\n".join(lines), len(lines))
    pages = paginate(rows, header_height(len(header_lines)), table) if table.listing else [rows]
    return PrintedTable("\n".join(header_lines), pages, total)


def note_lines(table: Table) -> list[str]:
    """The note under a listing's heading, as the lines it takes on the page."""
    if not table.note:
        return []
    return typeset.Typesetter(typeset.Grid.of([1], ["left"], [9], CONTENT_WIDTH, TABLE_SIZE),
                              typeset.font()).row([printable(table.note)])


def paginate(rows: list[PrintedRow], header: float, table: Table) -> list[list[PrintedRow]]:
    """Rows into pages: the first under the section's heading and note, each under a repeated header."""
    note = len(note_lines(table))
    room = CONTENT_HEIGHT - SLACK - H2_HEIGHT - (note * NOTE_LINE + NOTE_GAP if note else 0) - header
    pages: list[list[PrintedRow]] = [[]]
    for row in rows:
        height = row_height(row.lines)
        if pages[-1] and height > room:
            pages.append([])
            room = CONTENT_HEIGHT - SLACK - header
        pages[-1].append(row)
        room -= height
    return pages


# -- the spreadsheet ---------------------------------------------------------------------------------------------

_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
# Numbers stay numbers in the workbook, written the way the report writes them: a reader can add them up.
_FORMATS = {"money": '#,##0 "₫"', "int": "#,##0", "percent": "0.0%", "date": "dd/mm/yyyy", "stars": "0"}


def xlsx(document: Document) -> bytes:
    """One sheet for the cover and headline figures, then one per table with its total row. Money is stored
    in đồng, counts as integers, shares as fractions and days as dates, each with its number format."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()

    def sheet_for(title: str):
        name = _SHEET_NAME.sub(" ", normal(title)).strip()[:31] or "Sheet"
        base, n = name, 2
        while name.lower() in used:
            name = f"{base[:28]} {n}"
            n += 1
        used.add(name.lower())
        return book.create_sheet(name)

    def typed(sheet, value: Any, kind: str = "text", is_bold: bool = False):
        if isinstance(value, Shown):
            value, kind = value.value, value.kind
        if isinstance(value, str):
            value = safe_cell(normal(value))
        elif kind == "percent" and value is not None:
            value = float(value)
        elif isinstance(value, dt.datetime):
            value = value.replace(tzinfo=None)
        item = WriteOnlyCell(sheet, value=value)
        if value is not None and not isinstance(value, str) and kind in _FORMATS:
            item.number_format = _FORMATS[kind]
        if is_bold:
            item.font = bold
        return item

    def headline(sheet, value: str | Shown) -> list:
        """A headline value and the cell after it: a pair ("12 / 32") as two numbers, the second read "/ 32";
        anything else leaves it empty, so that the notes line up in one column."""
        if isinstance(value, Shown) and isinstance(value.value, tuple):
            part, whole = value.value
            of = typed(sheet, whole, value.kind)
            of.number_format = f'"/ "{_FORMATS[value.kind]}'
            return [typed(sheet, part, value.kind), of]
        return [typed(sheet, value), None]

    overview = sheet_for(report_i18n.gettext("Overview"))
    for letter, width in zip("ABCD", (34, 20, 10, 48), strict=True):
        overview.column_dimensions[letter].width = width
    overview.append([typed(overview, f"{document.title}: {document.subject}", is_bold=True)])
    for label, value in document.cover_lines:
        overview.append([typed(overview, label), *headline(overview, value)])
    overview.append([typed(overview, report_i18n.gettext("Compiled on")), typed(overview, document.generated_on, "date")])
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, Figures):
                for figure in block.items:
                    overview.append([typed(overview, figure.label), *headline(overview, figure.value),
                                     typed(overview, figure.note)])
    for table in document.tables:
        sheet = sheet_for(table.sheet or table.title)
        for index, column in enumerate(table.columns):
            letter = _letter(index)
            sheet.column_dimensions[letter].width = 14 if column.numeric or column.kind == "date" else max(16, 9 * column.weight)
        sheet.freeze_panes = "A2"
        sheet.append([typed(sheet, c.title, is_bold=True) for c in table.columns])
        for values in table.rows:
            sheet.append([typed(sheet, v, c.kind) for v, c in zip(values, table.columns, strict=True)])
        if table.total:
            sheet.append([typed(sheet, v, c.kind, True) for v, c in zip(table.total, table.columns, strict=True)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
