"""Writing .xlsx exports: one sheet, a header row, values that a spreadsheet cannot run as formulas."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text starting like a formula (=, +, -, @) is written as text, never run on the reader's machine."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def workbook(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    # write_only keeps memory flat for exports of tens of thousands of rows
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str):
    """The workbook as a download."""
    from litestar import Response

    return Response(content, media_type=XLSX_MEDIA_TYPE, headers={"content-disposition": f'attachment; filename="{filename}"'})
