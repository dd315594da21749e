"""Every sheet of every report's .xlsx stores numbers as numbers, so that a reader can add them up and
chart them: money in đồng with "₫" in its number format, counts as integers, shares as fractions with a
per-cent format, days as dates; text only where the report writes text. Checked cell by cell against
the report's document (which says what each value is), on the overview sheet as on the tables' sheets."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.formatting import vietnam_today
from tests.reports.conftest import db, workbook

# A number written as text: "1.250.000.000 ₫", "38,3 %", "1.250", "+12,5 %".
WRITTEN_NUMBER = re.compile(r"^[+\-−]?[\d.,\s]+(₫|%)?$")
FORMATS = {"money": '#,##0 "₫"', "int": "#,##0", "percent": "0.0%", "date": "dd/mm/yyyy", "stars": "0"}


def gathered(kind: str, *args):
    """The report's data as the routes gather it."""
    from reports import data

    return db({"fair_outcome": data.fair_outcome, "agreement_followup": data.agreement_followup,
               "salespoint_monthly": data.salespoint_month}[kind], *args)


def document_of(kind: str, data, language: str):
    from reports import jobs

    return jobs.build(kind, data, language)


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def assert_holds(cell, value, kind: str) -> None:
    """`cell` stores `value` typed, with the number format of its kind."""
    where = f"{cell.parent.title}!{cell.coordinate}"
    if kind == "date":
        assert isinstance(cell.value, dt.datetime) and cell.value.date() == value, (where, cell.value)
    elif kind == "percent":  # a share as a fraction (0.0 and 1.0 read back as 0 and 1)
        assert is_number(cell.value) and cell.value == pytest.approx(value), (where, cell.value)
    else:
        assert isinstance(cell.value, int) and not isinstance(cell.value, bool) and cell.value == value, (where, cell.value)
    assert cell.number_format == FORMATS[kind], (where, cell.number_format)


def assert_typed(book, document) -> None:
    """The overview sheet (cover, compiled on, headline figures) and one sheet per table, value by value."""
    from reports.document import Figures, Shown

    sheets = book.worksheets
    assert len(sheets) == 1 + len(document.tables)
    overview = list(sheets[0].iter_rows())
    lines = [*document.cover_lines, (None, Shown(document.generated_on, "date", "")),
             *((figure.label, figure.value, figure.note) for section in document.sections for block in section.blocks
               if isinstance(block, Figures) for figure in block.items)]
    assert len(overview) == 1 + len(lines)
    for row, (_label, value, *note) in zip(overview[1:], lines, strict=True):
        if isinstance(value, Shown) and isinstance(value.value, tuple):  # "12 / 32": two numbers
            assert_holds(row[1], value.value[0], value.kind)
            assert row[2].value == value.value[1] and row[2].number_format == f'"/ "{FORMATS[value.kind]}'
        elif isinstance(value, Shown):
            assert_holds(row[1], value.value, value.kind)
        if note and isinstance(note[0], Shown):
            assert_holds(row[3], note[0].value, note[0].kind)
    for sheet, table in zip(sheets[1:], document.tables, strict=True):
        rows = list(sheet.iter_rows())
        assert [c.value for c in rows[0]] == [c.title for c in table.columns]
        expected = [*table.rows, *([table.total] if table.total else [])]
        assert len(rows) == 1 + len(expected), sheet.title
        for cells, values in zip(rows[1:], expected, strict=True):
            for cell, value, column in zip(cells, values, table.columns, strict=True):
                if isinstance(value, Shown):
                    assert_holds(cell, value.value, value.kind)
                elif value is not None and not isinstance(value, str) and column.kind in FORMATS:
                    assert_holds(cell, value, column.kind)


def assert_no_written_numbers(book, document) -> None:
    """No cell holds a number written as text; a table's text column may hold a name that is all digits
    (a sales point called "0" is a name: the suite's fuzzing makes such names)."""
    text_columns = [{i for i, c in enumerate(t.columns) if not c.numeric} for t in document.tables]
    for index, sheet in enumerate(book.worksheets):
        names = text_columns[index - 1] if index else set()
        for row in sheet.iter_rows():
            for column, cell in enumerate(row):
                if isinstance(cell.value, str) and column not in names:
                    assert not WRITTEN_NUMBER.match(cell.value), (sheet.title, cell.coordinate, cell.value)


def figure_row(book, label: str) -> list:
    return next(row for row in book.worksheets[0].iter_rows() if row[0].value == label)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_outcome_xlsx_stores_money_counts_shares_and_days_as_numbers(organizer, trade_week, language):
    from fairs.tables import Fair

    fair = trade_week["fair"]
    response = organizer.get(f"/fairs/{fair}/reports/outcome/xlsx", params={"lang": language})
    assert response.status_code == 200, response.text
    book = workbook(response.content)
    document = document_of("fair_outcome", gathered("fair_outcome", fair), language)
    assert_no_written_numbers(book, document)
    assert_typed(book, document)
    if language != "en":
        return

    async def truth() -> dict:
        async def one(sql: str) -> int:
            return int(next(iter((await Fair.raw(sql, fair))[0].values())) or 0)

        return {"revenue": await one("SELECT SUM(revenue) FROM booth_sale WHERE fair = {}"),
                "planned": await one("SELECT COUNT(*) FROM booth WHERE fair = {} AND NOT blocked"),
                "used": await one("SELECT COUNT(*) FROM booth_assignment WHERE fair = {}")}

    facts = db(truth)
    revenue = figure_row(book, "Sales revenue")[1]
    assert type(revenue.value) is int and revenue.value == facts["revenue"] and "₫" in revenue.number_format
    booths = figure_row(book, "Booths used / planned")
    assert (booths[1].value, booths[2].value) == (facts["used"], facts["planned"])
    delivered = [row for row in book.worksheets[0].iter_rows() if row[0].value == "Delivered so far"][-1]
    assert is_number(delivered[3].value) and 0 < delivered[3].value < 1 and delivered[3].number_format == "0.0%"
    compiled = figure_row(book, "Compiled on")[1]
    assert compiled.value.date() == vietnam_today() and compiled.number_format == "dd/mm/yyyy"
    shares = [row[2].value for row in list(book["Exhibitors"].iter_rows())[1:]]
    assert all(is_number(s) and 0 <= s <= 1 for s in shares) and shares[-1] == 1
    changes = [row[3] for row in list(book["Change"].iter_rows())[1:]]
    assert all(is_number(c.value) and c.number_format == "0.0%" for c in changes)


def test_outcome_xlsx_of_applications_stores_the_pairs_and_the_check_in_share(organizer, applications_fair):
    fair = applications_fair["fair"]
    book = workbook(organizer.get(f"/fairs/{fair}/reports/outcome/xlsx", params={"lang": "en"}).content)
    document = document_of("fair_outcome", gathered("fair_outcome", fair), "en")
    assert_no_written_numbers(book, document)
    assert_typed(book, document)
    checked_in = figure_row(book, "Exhibitors checked in / placed")
    assert (checked_in[1].value, checked_in[2].value) == (2, 4)  # see APPLICATIONS
    assert checked_in[3].value == pytest.approx(0.5) and checked_in[3].number_format == "0.0%"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_followup_xlsx_stores_numbers_as_numbers(organizer, trade_week, language):
    fair = trade_week["fair"]
    response = organizer.get("/reports/agreements/xlsx", params={"fair_id": fair, "lang": language})
    assert response.status_code == 200, response.text
    book = workbook(response.content)
    data = gathered("agreement_followup", fair, None, None)
    document = document_of("agreement_followup", data, language)
    assert_no_written_numbers(book, document)
    assert_typed(book, document)
    if language == "en":
        assert figure_row(book, "Committed value")[1].value == data.committed
        assert figure_row(book, "Agreements followed")[1].value == len(data.agreements)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("one_point", [True, False])
def test_salespoint_xlsx_stores_numbers_as_numbers(organizer, trading_point, language, one_point):
    point = trading_point["point"] if one_point else None
    year, month = (int(part) for part in trading_point["month"].split("-"))
    params = {"month": trading_point["month"], "lang": language, **({"point_id": point} if one_point else {})}
    response = organizer.get("/reports/salespoints/xlsx", params=params)
    assert response.status_code == 200, response.text
    book = workbook(response.content)
    document = document_of("salespoint_monthly", gathered("salespoint_monthly", year, month, point), language)
    assert_no_written_numbers(book, document)
    assert_typed(book, document)
    if one_point and language == "en":
        assert figure_row(book, "Sales revenue")[1].value == trading_point["revenue"]
        assert figure_row(book, "Written off")[1].value == trading_point["written_off"]
        assert [c.value for c in list(book["Days"].iter_rows())[-1]] == ["Total", trading_point["units"],
                                                                         trading_point["revenue"]]
