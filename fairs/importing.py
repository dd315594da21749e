"""Applications from a sheet, as offices collect them: a row per exhibitor with its producer (as the
catalogue names it), the products it will show, booths, booth type, amenities, preferred zones and
notes. The same two steps as every import: a preview of every row's problems, then a commit of all
rows or none. Nothing is invented: a producer or product the catalogue does not hold is a problem to
fix, never a record made up on the way.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from catalog import list_values
from catalog.headed_sheets import HeadedRows, read_headed
from catalog.tables import ImportUpload, Producer, Product
from core.audit import Actor
from core.errors import N_, Msg, ValidationFailed, render
from core.i18n import gettext
from core.text import fold
from fairs.enums import Amenity, BoothKind
from fairs.schemas import ApplicationIn
from fairs.services.applications import (
    CLOSED,
    application_errors,
    apply,
    eligibility_problems,
    ensure_accepting,
    zone_refusals,
)
from fairs.services.common import ensure_organizer, fair_row
from fairs.tables import Application, Zone

NO_FILE = N_("Choose an .xlsx or .csv file.")
_ALIASES = {
    "producer": ("chu the", "ten chu the", "chu the ocop", "ten chu the ocop", "don vi", "ten don vi", "don vi tham gia",
                 "ten don vi tham gia", "doanh nghiep", "ten doanh nghiep", "ten doanh nghiep htx", "producer",
                 "exhibitor", "subject name", "author"),
    "province": ("tinh", "tinh thanh", "tinh thanh pho", "dia phuong", "province"),
    "products": ("san pham", "ten san pham", "san pham trung bay", "san pham tham gia", "san pham ocop",
                 "san pham dang ky", "products", "product", "product name"),
    "booths": ("so gian", "so gian hang", "so gian dang ky", "so luong gian", "so luong gian hang", "booths",
               "booths wanted"),
    "kind": ("loai gian", "loai gian hang", "booth type", "booth kind"),
    "amenities": ("tien ich", "yeu cau", "yeu cau dien nuoc", "dien nuoc", "yeu cau khac", "amenities"),
    "zones": ("khu", "khu vuc", "khu uu tien", "khu mong muon", "khu dang ky", "zones", "preferred zones"),
    "main_group": ("nhom chinh", "nhom san pham chinh", "nhom ocop chinh", "main group"),
    "notes": ("ghi chu", "notes"),
}
_FIELD_OF = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
# Booth types and amenities as offices write them (folded).
_KINDS = {"tieu chuan": BoothKind.standard, "gian tieu chuan": BoothKind.standard, "standard": BoothKind.standard,
          "goc": BoothKind.corner, "gian goc": BoothKind.corner, "corner": BoothKind.corner,
          "doi": BoothKind.double, "gian doi": BoothKind.double, "double": BoothKind.double,
          "leu": BoothKind.tent, "nha bat": BoothKind.tent, "ngoai troi": BoothKind.tent, "tent": BoothKind.tent,
          "cao cap": BoothKind.premium, "premium": BoothKind.premium}
_AMENITIES = {"dien": Amenity.power, "power": Amenity.power, "nuoc": Amenity.water, "water": Amenity.water,
              "tu lanh": Amenity.refrigeration, "tu mat": Amenity.refrigeration, "lanh": Amenity.refrigeration,
              "bao quan lanh": Amenity.refrigeration, "refrigeration": Amenity.refrigeration}


@dataclass
class ApplicationsChecked:
    reports: list[dict] = field(default_factory=list)  # {"row", "values", "errors", "notes"}
    applications: list[ApplicationIn] = field(default_factory=list)
    error_rows: int = 0


def read_applications(filename: str, content: bytes) -> HeadedRows:
    return read_headed(filename, content, _FIELD_OF, "producer",
                       N_("No row of headings names the exhibitors (a column such as “Tên chủ thể”)."))


def _items(text: str) -> list[str]:
    """A cell's list: one per line or semicolon; commas too when neither is used."""
    text = text.replace("\r", "\n")
    parts = re.split(r"[;\n]+", text) if re.search(r"[;\n]", text) else text.split(",")
    return [" ".join(p.split()) for p in parts if p.strip()]


class _Catalogue:
    """The catalogue's producers and their products, looked up as a sheet writes them."""

    def __init__(self, producers: list[dict], products: list[dict]) -> None:
        self.by_key: dict[str, list[dict]] = {}
        for producer in producers:
            self.by_key.setdefault(list_values.producer_key(producer["name"]), []).append(producer)
        self.tokens = {key: list_values.name_tokens(key) for key in self.by_key}
        self.products: dict[int, dict[str, int]] = {}
        for product in products:
            self.products.setdefault(product["producer"], {})[list_values.product_key(product["name"])] = product["id"]

    def producer(self, written: str, province: str) -> tuple[dict | None, Msg | str | None]:
        name, _ = list_values.producer_and_place(written)
        key = list_values.producer_key(name or written)
        found = self.by_key.get(key, [])
        if province and len(found) > 1:
            found = [p for p in found if p["province_code"] == province] or found
        if len(found) == 1:
            return found[0], None
        if found:
            return None, N_("Several producers of the catalogue have this name: add the province column.")
        tokens = list_values.name_tokens(key)
        near = sorted(p["name"] for other, candidates in self.by_key.items() if list_values.alike(tokens, self.tokens[other])
                      for p in candidates)
        if near:
            return None, Msg(N_("No producer of the catalogue has this name; did you mean “%(name)s”?"), name=near[0])
        return None, N_("No producer of the catalogue has this name: import or add it in the catalogue first.")

    def product_ids(self, producer_id: int, written: list[str]) -> tuple[list[int], list[str]]:
        """The ids of the products named, and the names this producer has no product of."""
        return list_values.named_products(self.products.get(producer_id, {}), written)


async def check_applications(fair: dict, sheet: HeadedRows) -> ApplicationsChecked:
    checked = ApplicationsChecked()
    catalogue = _Catalogue(await Producer.select(Producer.id, Producer.name, Producer.province_code),
                           await Product.select(Product.id, Product.name, Product.producer))
    zones = await Zone.select(Zone.id, Zone.code, Zone.name).where(Zone.fair == fair["id"])
    zone_of = {fold(z["code"]): z["id"] for z in zones} | {fold(z["name"]): z["id"] for z in zones}
    applied = {r["producer"] for r in await Application.select(Application.producer, Application.status).where(
        Application.fair == fair["id"]) if r["status"] not in CLOSED}
    seen: dict[int, int] = {}
    for number, cells in sheet.rows:
        def cell(name: str, cells: list[Any] = cells) -> str:
            return sheet.cell(cells, name)

        def lines(name: str, cells: list[Any] = cells) -> list[str]:  # a list cell keeps its line breaks
            raw = sheet.raw(cells, name)
            return _items("" if raw is None else str(raw).replace("\u00a0", " "))

        heading = sheet.heading

        errors: dict[str, Any] = {}
        place = list_values.province(cell("province")) if cell("province") else None
        producer, problem = catalogue.producer(cell("producer"), place.province_code if place else "")
        if problem:
            errors[heading("producer")] = problem
        product_ids: list[int] = []
        if producer:
            product_ids, unknown = catalogue.product_ids(producer["id"], lines("products"))
            if unknown:
                errors[heading("products")] = Msg(N_("Not among this producer's products in the catalogue: %(names)s."),
                                                  names=", ".join(unknown))
            elif not product_ids:
                errors[heading("products")] = N_("List the products it will show.")
            if producer["id"] in applied:
                errors[heading("producer")] = N_("This producer has already applied to this fair.")
            elif producer["id"] in seen:
                errors[heading("producer")] = Msg(N_("This producer is also on row %(row)s."), row=seen[producer["id"]])
            seen.setdefault(producer["id"], number)
        booths = cell("booths") or "1"
        if not booths.isdigit():
            errors[heading("booths")] = N_("Write a number of booths from 1 to 4.")
        kind = _KINDS.get(fold(cell("kind"))) if cell("kind") else BoothKind.standard
        if kind is None:
            errors[heading("kind")] = Msg(N_("Not a booth type of this fair: %(value)s."), value=cell("kind"))
        amenities, odd = [], []
        for item in lines("amenities"):
            amenity = _AMENITIES.get(fold(item))
            if amenity:
                amenities.append(amenity.value)
            else:
                odd.append(item)
        if odd:
            errors[heading("amenities")] = Msg(N_("Not an amenity we know: %(names)s (power, water, refrigeration)."),
                                               names=", ".join(odd))
        zone_ids, strange = [], []
        for item in lines("zones"):
            zone = zone_of.get(fold(item))
            if zone:
                zone_ids.append(zone)
            else:
                strange.append(item)
        if strange:
            errors[heading("zones")] = Msg(N_("Not a zone of this fair: %(names)s."), names=", ".join(strange))
        main_group = list_values.group_code(cell("main_group")) if cell("main_group") else ""
        if main_group is None:
            errors[heading("main_group")] = Msg(N_("Not an OCOP group: %(value)s."), value=cell("main_group"))
        notes: list[str] = []
        if producer and not errors:
            data = ApplicationIn(producer_id=producer["id"], product_ids=product_ids, booths_wanted=int(booths),
                                 booth_kind=kind or BoothKind.standard, amenities=amenities,
                                 zone_preferences=list(dict.fromkeys(zone_ids)), main_group=main_group or "",
                                 notes=cell("notes")[:2000])
            refused, products = await application_errors(fair, data)
            columns = {"booths_wanted": "booths", "booth_kind": "kind", "zone_preferences": "zones",
                       "product_ids": "products", "producer_id": "producer", "main_group": "main_group"}
            for name, message in refused.items():
                errors.setdefault(heading(columns.get(name, name)), message)
            if not errors:
                checked.applications.append(data)
                notes = [gettext(N_("Will be recorded as not eligible:")) + " "
                         + render(Msg(p["msgid"], **p.get("params", {})), gettext) for p in eligibility_problems(fair, products)]
                notes += list((await zone_refusals(fair["id"], data, products)).values()) if data.zone_preferences else []
        if errors:
            checked.error_rows += 1
        checked.reports.append({"row": number, "values": [list_values.text(c) for c in cells if list_values.text(c)],
                                "errors": {k: render(m, gettext) for k, m in errors.items()}, "notes": notes})
    return checked


async def preview_applications(fair_id: int, filename: str, content: bytes, actor: Actor) -> tuple[str, ApplicationsChecked]:
    """Checks an upload of applications and keeps it for the commit; the token and every row's report."""
    ensure_organizer(actor)
    fair = await fair_row(fair_id)
    ensure_accepting(fair, actor)
    checked = await check_applications(fair, await asyncio.to_thread(read_applications, filename, content))
    token = secrets.token_urlsafe(24)
    await ImportUpload.insert(ImportUpload(token=token, filename=filename[:255], content=content, created_by=actor.user_id))
    return token, checked


async def commit_applications(fair_id: int, token: str, actor: Actor) -> int:
    """Records every application of a previewed upload in one transaction, or none; once per preview.
    Each goes through the same service as a form's, so it is checked, audited and judged eligible alike."""
    ensure_organizer(actor)
    async with Application._meta.db.transaction():
        taken = await ImportUpload.delete().where(ImportUpload.token == token).returning(
            ImportUpload.filename, ImportUpload.content)
        if not taken:
            raise ValidationFailed({"file": N_("This preview has expired. Upload the file again.")})
        fair = await fair_row(fair_id)
        ensure_accepting(fair, actor)
        checked = await check_applications(fair, read_applications(taken[0]["filename"], taken[0]["content"]))
        if checked.error_rows:
            raise ValidationFailed({"file": Msg(N_("%(n)s rows have problems; nothing was imported."), n=checked.error_rows)})
        for data in checked.applications:
            await apply(fair_id, data, actor)
    return len(checked.applications)
