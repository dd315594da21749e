"""A sheet whose headings sit somewhere in its first rows (title rows above them), read into named
columns: what every list an office sends looks like. One reader for the importers that take one
table (sales points, fair applications); the catalogue's own import recognises many more shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog import list_values
from catalog.list_headings import heading_key
from core.errors import ValidationFailed
from core.settings import settings
from core.spreadsheets import upload_sheets


@dataclass
class HeadedRows:
    headings: list[str]
    columns: dict[str, int]  # field -> column index
    rows: list[tuple[int, list[Any]]]  # (sheet row number, cells), blank rows left out

    def cell(self, cells: list[Any], name: str) -> str:
        index = self.columns.get(name)
        return list_values.text(cells[index]) if index is not None and index < len(cells) else ""

    def raw(self, cells: list[Any], name: str) -> Any:
        """The cell as the sheet holds it (line breaks kept), None when the column is absent."""
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def heading(self, name: str) -> str:
        """The heading as written, to name a problem where the clerk will look for it."""
        return self.headings[self.columns[name]] if name in self.columns else name


def read_headed(filename: str, content: bytes, field_of: dict[str, str], required: str, missing: str) -> HeadedRows:
    """The first sheet, from the first of its first 20 rows whose headings name `required`
    (`field_of`: folded heading -> field); ValidationFailed with `missing` when none does."""
    sheets = upload_sheets(filename, content, settings.max_upload_bytes)
    rows = [list(r) for r in sheets[0][1]] if sheets else []
    for top, cells in enumerate(rows[:20]):  # title rows may sit above the headings
        columns: dict[str, int] = {}
        for index, heading in enumerate(cells):
            name = field_of.get(heading_key(heading))
            if name and name not in columns:
                columns[name] = index
        if required in columns:
            body = [(number, cells) for number, cells in enumerate(rows[top + 1:], start=top + 2)
                    if any(list_values.text(c) for c in cells)]
            return HeadedRows([list_values.text(h) for h in cells], columns, body)
    raise ValidationFailed({"file": missing})
