"""Sales points from a sheet, as provinces list them: name, address with its pre-2025 district and
province, opening hours. The same two steps as the catalogue's import: a preview of every row's
problems (a point already there, or twice in the file, is flagged), then a commit of all rows or none.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

import msgspec

from catalog import list_values
from catalog.headed_sheets import HeadedRows, read_headed
from catalog.tables import ImportUpload
from core.audit import Actor, record_audit
from core.errors import N_, Msg, ValidationFailed, render
from core.i18n import gettext
from salespoints import services
from salespoints.enums import PointKind
from salespoints.schemas import SalesPointIn
from salespoints.tables import SalesPoint

NO_FILE = N_("Choose an .xlsx or .csv file.")
_ALIASES = {
    "name": ("ten diem ban", "ten diem", "diem ban", "ten diem gioi thieu", "ten diem gioi thieu va ban san pham ocop",
             "ten cua hang", "ten", "name", "sales point", "point name"),
    "address": ("dia chi", "dia chi diem ban", "address"),
    "commune": ("xa", "phuong", "xa phuong", "xa phuong thi tran", "commune", "ward"),
    "district": ("huyen", "quan huyen", "huyen thi xa thanh pho", "district"),
    "province": ("tinh", "tinh thanh", "tinh thanh pho", "province"),
    "kind": ("loai hinh", "loai diem", "kind", "type"),
    "opening_hours": ("gio mo cua", "thoi gian mo cua", "opening hours", "hours"),
    "opened_on": ("ngay khai truong", "ngay mo", "ngay hoat dong", "opened on"),
}
_FIELD_OF = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_KINDS = {"showroom": PointKind.showroom, "diem gioi thieu": PointKind.showroom, "cua hang": PointKind.showroom}


@dataclass
class PointsChecked:
    reports: list[dict] = field(default_factory=list)  # {"row", "values", "errors"}
    points: list[SalesPointIn] = field(default_factory=list)
    error_rows: int = 0


def read_points(filename: str, content: bytes) -> HeadedRows:
    return read_headed(filename, content, _FIELD_OF, "name",
                       N_("No row of headings names the sales points (a column such as “Tên điểm bán”)."))


async def check_points(sheet: HeadedRows) -> PointsChecked:
    checked = PointsChecked()
    existing = {services.point_key(r["name"], r["address"])
                for r in await SalesPoint.select(SalesPoint.name, SalesPoint.address)}
    seen: dict[tuple[str, str], int] = {}
    for number, cells in sheet.rows:
        def cell(name: str, cells: list[Any] = cells) -> str:
            return sheet.cell(cells, name)

        errors: dict[str, Any] = {}

        heading = sheet.heading

        address, district = cell("address"), cell("district")
        place = list_values.place_of(cell("province"), address, district)
        if place is None:
            errors[heading("province")] = N_("This province is not one we know, before or after July 2025.")
            place = list_values.Place("", "", "")
        opened: dt.date | None = None
        try:
            opened = list_values.day(cell("opened_on") or None, list_values.DAY_FIRST)
        except ValueError:
            errors[heading("opened_on")] = N_("Write the date as day/month/year, such as 7/4/2023.")
        data = SalesPointIn(
            name=cell("name"), province_code=place.province_code, commune=cell("commune")[:120], address=address[:255],
            legacy_province=place.legacy_province[:120], legacy_district=place.legacy_district[:120],
            opening_hours=cell("opening_hours")[:120], opened_on=opened,
            kind=_KINDS.get(list_values.text(cell("kind")).lower(), PointKind.showroom),
        )
        for name, message in services._point_errors(data).items():
            errors.setdefault(heading({"province_code": "province"}.get(name, name)), message)
        key = services.point_key(data.name, data.address)
        if key in existing:
            errors[heading("name")] = services.SAME_POINT
        elif key in seen:
            errors[heading("name")] = Msg(N_("This sales point is also on row %(row)s."), row=seen[key])
        seen.setdefault(key, number)
        if errors:
            checked.error_rows += 1
        else:
            checked.points.append(data)
        checked.reports.append({"row": number, "values": [list_values.text(c) for c in cells if list_values.text(c)],
                                "errors": {k: render(m, gettext) for k, m in errors.items()}})
    return checked


async def preview_points(filename: str, content: bytes, actor: Actor) -> tuple[str, PointsChecked]:
    """Checks an upload and keeps it for the commit; the token and every row's report."""
    checked = await check_points(await asyncio.to_thread(read_points, filename, content))
    token = secrets.token_urlsafe(24)
    await ImportUpload.insert(ImportUpload(token=token, filename=filename[:255], content=content, created_by=actor.user_id))
    return token, checked


async def commit_points(token: str, actor: Actor) -> int:
    """Creates every point of a previewed upload in one transaction, or none; once per preview."""
    services._ensure_organizer(actor)
    async with SalesPoint._meta.db.transaction():
        taken = await ImportUpload.delete().where(ImportUpload.token == token).returning(
            ImportUpload.filename, ImportUpload.content)
        if not taken:
            raise ValidationFailed({"file": N_("This preview has expired. Upload the file again.")})
        checked = await check_points(read_points(taken[0]["filename"], taken[0]["content"]))
        if checked.error_rows:
            raise ValidationFailed({"file": Msg(N_("%(n)s rows have problems; nothing was imported."), n=checked.error_rows)})
        for data in checked.points:
            values = {k: getattr(v, "value", v) for k, v in msgspec.structs.asdict(data).items()}
            row = (await SalesPoint.insert(SalesPoint(**values)))[0]
            await record_audit(actor, "create", "salespoint", row["id"], None, {**values, "file": taken[0]["filename"]})
    return len(checked.points)
