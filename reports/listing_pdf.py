"""The listing pages at the end of a report (booth by booth, agreement by agreement), drawn straight into
PDF with fpdf2 instead of through WeasyPrint.

The listings are already typeset (reports/render.py): every row is lines of text whose columns are aligned
with spaces of known widths, every page's rows are counted. What is left is to put each line at its place,
which a PDF writer does in microseconds where WeasyPrint lays out and draws every glyph in Python (about
120 ms a page here). The page looks as print.css makes the front part look: the same margins, fonts, sizes,
colours, header and footer, so the two parts read as one document once merged.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports import render, typeset
from reports.document import Section

# DejaVu's ascent and descent, per em: where a baseline sits in a CSS line box (half-leading above).
ASCENT, DESCENT = 1901 / 2048, 483 / 2048
INK, MUTED, LIGHT_RULE = (29, 41, 57), (102, 112, 133), (208, 213, 221)
GREEN, DARK_GREEN, ZEBRA = (31, 122, 63), (21, 92, 46), (239, 244, 236)
# The page furniture of print.css: 7 pt text, line height 1.45, 5 pt from the rule or the content.
FURNITURE_SIZE, FURNITURE_LINE, FURNITURE_GAP, FURNITURE_RULE = 7.0, 7.0 * 1.45, 5.0, 0.5
H2_SIZE, H2_LINE, H2_PAD, H2_RULE, H2_MARGIN = 13.0, 16.0, 3.0, 1.0, 6.0


@dataclass(frozen=True)
class Furniture:
    """What every page carries: the report in the header, the day and the page number in the footer."""

    title: str  # "Báo cáo kết quả · Tuần hàng OCOP Hà Nội 2026"
    compiled: str  # "Lập ngày 23/11/2026"
    page_word: str  # "Trang"


def baseline(top: float, line: float, size: float) -> float:
    return top + (line - (ASCENT + DESCENT) * size) / 2 + ASCENT * size


class _Pages:
    def __init__(self, furniture: Furniture, first_page: int, total_pages: int) -> None:
        from fpdf import FPDF

        self.furniture, self.number, self.total = furniture, first_page - 1, total_pages
        pdf = FPDF(unit="pt", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(render.MARGIN_SIDE, render.MARGIN_TOP, render.MARGIN_SIDE)
        fonts = typeset.FONTS_DIR
        pdf.add_font("cond", "", str(fonts / typeset.TABLE_FONT))
        pdf.add_font("cond", "B", str(fonts / typeset.TABLE_BOLD_FONT))
        pdf.add_font("sans", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.pdf = pdf
        self.left, self.right = render.MARGIN_SIDE, render.PAGE_WIDTH - render.MARGIN_SIDE

    def text(self, x: float, top: float, line: float, text: str, family: str = "cond", style: str = "",
             size: float = render.TABLE_SIZE, color: tuple[int, int, int] = INK, align_right: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(family, style, size)
        pdf.set_text_color(*color)
        if align_right:
            x -= pdf.get_string_width(text)
        pdf.text(x, baseline(top, line, size), text)

    def rule(self, top: float, thickness: float, color: tuple[int, int, int]) -> None:
        self.pdf.set_fill_color(*color)
        self.pdf.rect(self.left, top, self.right - self.left, thickness, style="F")

    def new_page(self) -> float:
        """Opens a page with its header and footer; returns where its content starts."""
        self.pdf.add_page()
        self.number += 1
        furniture = self.furniture
        rule_top = render.MARGIN_TOP - FURNITURE_RULE
        line_top = rule_top - FURNITURE_GAP - FURNITURE_LINE
        self.text(self.left, line_top, FURNITURE_LINE, furniture.title, size=FURNITURE_SIZE, color=MUTED)
        self.text(self.right, line_top, FURNITURE_LINE, "OCOP", "sans", "B", FURNITURE_SIZE, GREEN, align_right=True)
        self.rule(rule_top, FURNITURE_RULE, LIGHT_RULE)
        foot_top = render.PAGE_HEIGHT - render.MARGIN_BOTTOM + FURNITURE_GAP
        self.text(self.left, foot_top, FURNITURE_LINE, furniture.compiled, size=FURNITURE_SIZE, color=MUTED)
        self.text(self.right, foot_top, FURNITURE_LINE, f"{furniture.page_word} {self.number} / {self.total}",
                  size=FURNITURE_SIZE, color=MUTED, align_right=True)
        return render.MARGIN_TOP

    def lines(self, top: float, text: str, style: str = "", pad: float = 0.0) -> float:
        for line in text.split("\n"):
            self.text(self.left, top + pad, render.TABLE_LINE, line, style=style)
            top += render.TABLE_LINE
        return top + 2 * pad


def draw(plan: render.PrintPlan, furniture: Furniture, first_page: int, total_pages: int) -> bytes:
    """The listing pages of a typeset report as one PDF, numbered from `first_page` of `total_pages`, with a
    bookmark per listing."""
    pages = _Pages(furniture, first_page, total_pages)
    for section in plan.listings:
        _draw_listing(pages, plan, section)
    return bytes(pages.pdf.output())


def _draw_listing(pages: _Pages, plan: render.PrintPlan, section: Section) -> None:
    table = section.blocks[0]
    printed = plan.printed[id(table)]
    for index, rows in enumerate(printed.pages):
        top = pages.new_page()
        if index == 0:
            pages.pdf.start_section(section.title, level=0)
            pages.text(pages.left, top, H2_LINE, section.title, "sans", "B", H2_SIZE, DARK_GREEN)
            top += H2_LINE + H2_PAD
            pages.rule(top, H2_RULE, GREEN)
            top += H2_RULE + H2_MARGIN
            note = render.note_lines(table)
            for line in note:
                pages.text(pages.left, top, render.NOTE_LINE, line, color=MUTED)
                top += render.NOTE_LINE
            if note:
                top += render.NOTE_GAP
        top = pages.lines(top + render.HEAD_PAD, printed.header, "B") + render.HEAD_PAD
        pages.rule(top, render.RULE, INK)
        top += render.RULE
        for row in rows:
            if row.zebra:
                pages.pdf.set_fill_color(*ZEBRA)
                pages.pdf.rect(pages.left, top, pages.right - pages.left, render.row_height(row.lines), style="F")
            top = pages.lines(top, row.text, pad=render.ROW_PAD)
        if index == len(printed.pages) - 1 and printed.total is not None:
            pages.rule(top, render.RULE, INK)
            pages.lines(top + render.RULE, printed.total.text, "B", pad=render.ROW_PAD)
