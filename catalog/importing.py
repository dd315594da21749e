"""Import of producers and products from .xlsx or .csv the way provincial offices keep their lists.

Two steps: a preview that reports every row's problems and stores the file, then a
commit that checks everything again and writes all rows in one transaction or none.
A workbook may hold a producers sheet and a products sheet; products name their
producer by registration code or by name, in the database or in the same file.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import msgspec

from catalog import reference, services
from catalog.enums import CertifyingLevel, ProducerKind
from catalog.reference import fold
from catalog.schemas import ImportPreview, ImportRowReport, ProducerIn, ProductIn
from catalog.search_index import indexed_in_bulk
from catalog.tables import ImportUpload, Producer, Product
from core.audit import Actor, record_audit
from core.database import insert_many
from core.errors import N_, Msg, ValidationFailed, render
from core.forms import parse_struct
from core.i18n import gettext
from core.settings import settings
from core.spreadsheets import xlsx_sheets

MAX_ROWS = 50_000
UPLOAD_HOURS = 24  # an unconfirmed preview is kept this long
NO_FILE = N_("Choose an .xlsx or .csv file.")
AMBIGUOUS = -1
_PREVIEW_ROWS = 200

PRODUCT_COLUMNS = {
    "name": ["ten san pham", "san pham", "product", "product name", "name"],
    "producer": ["chu the", "ten chu the", "producer", "producer name"],
    "producer_code": ["ma so thue", "ma so thue/dkkd", "ma chu the", "registration code", "producer code"],
    "group_code": ["nhom", "nhom san pham", "group"],
    "subgroup_code": ["phan nhom", "subgroup"],
    "stars": ["so sao", "hang sao", "sao", "stars"],
    "score": ["diem", "score"],
    "certificate_number": ["so giay chung nhan", "so gcn", "so quyet dinh", "certificate", "certificate number"],
    "certifying_level": ["cap cong nhan", "certifying level"],
    "certifying_body": ["co quan cong nhan", "certifying body"],
    "certified_on": ["ngay cong nhan", "certified on"],
    "expires_on": ["ngay het han", "expires on"],
    "unit": ["don vi tinh", "unit"],
    "reference_price": ["gia", "gia tham khao", "gia tham khao (vnd)", "price"],
    "barcode": ["ma vach", "barcode"],
    "code": ["ma qr", "qr code"],
}
PRODUCER_COLUMNS = {
    "name": ["ten chu the", "chu the", "producer", "producer name", "name"],
    "kind": ["loai hinh", "kind"],
    "registration_code": ["ma so thue", "ma so thue/dkkd", "ma chu the", "registration code"],
    "province_code": ["tinh", "tinh/thanh", "tinh/thanh pho", "province"],
    "commune": ["xa/phuong", "xa", "phuong", "commune"],
    "address": ["dia chi", "address"],
    "legacy_province": ["tinh cu", "legacy province"],
    "legacy_district": ["huyen cu", "legacy district"],
    "contact_person": ["nguoi lien he", "contact person"],
    "phone": ["dien thoai", "so dien thoai", "phone"],
    "email": ["email"],
}
# Column names as the preview shows them next to a row's problems.
FIELD_LABELS = {
    "name": N_("Name"), "producer": N_("Producer"), "producer_id": N_("Producer"), "kind": N_("Kind"),
    "registration_code": N_("Registration code"), "province_code": N_("Province"), "commune": N_("Commune / ward"),
    "group_code": N_("OCOP group"), "subgroup_code": N_("Subgroup"), "stars": N_("Stars"), "score": N_("Score"),
    "certificate_number": N_("Certificate number"), "certifying_level": N_("Certified by"),
    "certified_on": N_("Certified on"), "expires_on": N_("Expires on"), "unit": N_("Unit"),
    "reference_price": N_("Reference price"), "barcode": N_("Barcode"), "code": N_("QR code value"), "email": N_("Email"),
    "potential_five_star": N_("Potential 5-star product"),
}
_KIND_WORDS = {
    "doanh nghiep": ProducerKind.enterprise, "cong ty": ProducerKind.enterprise, "enterprise": ProducerKind.enterprise,
    "hop tac xa": ProducerKind.cooperative, "htx": ProducerKind.cooperative, "cooperative": ProducerKind.cooperative,
    "to hop tac": ProducerKind.cooperative_group, "tht": ProducerKind.cooperative_group,
    "cooperative_group": ProducerKind.cooperative_group, "cooperative group": ProducerKind.cooperative_group,
    "ho kinh doanh": ProducerKind.household, "ho san xuat": ProducerKind.household, "household": ProducerKind.household,
}
_LEVEL_WORDS = {
    "tinh": CertifyingLevel.province, "province": CertifyingLevel.province, "ubnd tinh": CertifyingLevel.province,
    "bo": CertifyingLevel.ministry, "trung uong": CertifyingLevel.ministry, "ministry": CertifyingLevel.ministry,
    "huyen": CertifyingLevel.district, "district": CertifyingLevel.district, "ubnd huyen": CertifyingLevel.district,
}


@dataclass
class Sheet:
    name: str
    kind: str  # "producers" or "products"
    columns: dict[str, int]  # field -> column index
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, cells)


@dataclass
class Checked:
    """The outcome of checking a file: reports per row, and what would be written."""

    reports: list[ImportRowReport] = field(default_factory=list)
    producers: list[ProducerIn] = field(default_factory=list)
    products: list[tuple[ProductIn, str]] = field(default_factory=list)  # (product, producer key)
    error_rows: int = 0


# -- reading ---------------------------------------------------------------------------


def _header_map(headers: list[Any], aliases: dict[str, list[str]]) -> dict[str, int]:
    folded = [fold(str(h or "")).strip().rstrip(":*") for h in headers]
    columns: dict[str, int] = {}
    for field_name, names in aliases.items():
        for index, header in enumerate(folded):
            if header in names or header == field_name:
                columns.setdefault(field_name, index)
    return columns


def _sheet_from_rows(name: str, rows: Iterator[list[Any]]) -> Sheet | None:
    try:
        headers = next(rows)
    except StopIteration:
        return None
    products = _header_map(headers, PRODUCT_COLUMNS)
    producers = _header_map(headers, PRODUCER_COLUMNS)
    # A products sheet names a product group or stars; a producers sheet does neither.
    if "name" in products and ("group_code" in products or "stars" in products):
        kind, columns = "products", products
    elif "name" in producers:
        kind, columns = "producers", producers
    else:
        return None
    body: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(rows, start=2):
        if any(c not in (None, "") for c in cells):
            body.append((number, list(cells)))
        if len(body) > MAX_ROWS:
            raise ValidationFailed({"file": Msg(N_("At most %(n)s rows can be imported at once."), n=MAX_ROWS)})
    return Sheet(name=name, kind=kind, columns=columns, rows=body)


def read_sheets(filename: str, content: bytes, max_bytes: int) -> list[Sheet]:
    """The producer and product tables in an upload; refuses wrong types, oversized or unreadable files."""
    if not content:
        raise ValidationFailed({"file": NO_FILE})
    if len(content) > max_bytes:
        raise ValidationFailed({"file": Msg(N_("The file is larger than %(mb)s MB."), mb=max_bytes // (1024 * 1024))})
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        sheets = [_sheet_from_rows(title, iter(rows)) for title, rows in xlsx_sheets(content)]
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed({"file": N_("Save the CSV file as UTF-8.")}) from None
        dialect: type[csv.Dialect] = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        sheets = [_sheet_from_rows(filename, iter(csv.reader(io.StringIO(text), dialect)))]
    else:
        raise ValidationFailed({"file": N_("Only .xlsx and .csv files can be imported.")})
    found = [s for s in sheets if s is not None]
    if not found:
        raise ValidationFailed({"file": N_("No sheet has the columns of a producer or product list.")})
    return found


# -- checking --------------------------------------------------------------------------


def _cell(cells: list[Any], columns: dict[str, int], name: str) -> Any:
    index = columns.get(name)
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@cache
def _province_lookup() -> dict[str, str]:
    """Folded names (new, without "tỉnh"/"thành phố", and pre-2025 ones) → province code."""
    lookup: dict[str, str] = {}
    for province in reference.provinces().values():
        for old in province.merged_from:  # lists made before July 2025 name the old province
            lookup[_bare_place(old)] = province.code
    for province in reference.provinces().values():
        lookup[province.code] = province.code
        lookup[_bare_place(province.name)] = province.code
    return lookup


def _bare_place(name: str) -> str:
    folded = fold(name).strip()
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp "):
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    return folded.strip()


@cache
def _group_lookup() -> dict[str, str]:
    return {key: g.code for g in reference.rules().groups for key in (g.code, fold(g.name_vi), fold(g.name_en))}


@cache
def _subgroup_lookup() -> dict[str, str]:
    return {key: s.code for s in reference.subgroups().values() for key in (s.code, fold(s.name_vi), fold(s.name_en))}


def _looked_up(value: Any, lookup: dict[str, str], key=lambda text: fold(text).strip()) -> Any:
    if value is None:
        return None
    return lookup.get(key(str(value)), str(value))


def _province_code(value: Any) -> Any:
    return _looked_up(value, _province_lookup(), _bare_place)


def _group_code(value: Any) -> Any:
    return _looked_up(value, _group_lookup())


def _subgroup_code(value: Any) -> Any:
    return _looked_up(value, _subgroup_lookup())


def _stars(value: Any) -> Any:
    if isinstance(value, str):
        match = re.match(r"^\s*(\d+)", value)
        return match.group(1) if match else value
    return value


def _mapped(value: Any, words: dict[str, Any]) -> Any:
    if value is None:
        return None
    found = words.get(fold(str(value)).strip())
    return found.value if found is not None else str(value)


def _producer_key(registration_code: str | None, name: str) -> str:
    return f"code:{registration_code}" if registration_code else f"name:{fold(name).strip()}"


def _values(cells: list[Any], columns: dict[str, int]) -> dict[str, str]:
    values = {name: _cell(cells, columns, name) for name in columns}
    return {name: "" if value is None else str(value) for name, value in values.items()}


def _rendered(errors: dict[str, Any]) -> dict[str, str]:
    return {name: render(message, gettext) for name, message in errors.items()}


async def check_sheets(sheets: list[Sheet]) -> Checked:
    """Checks every row against the OCOP rules, the database and the rest of the file."""
    checked = Checked()
    known = await Producer.select(Producer.id, Producer.name, Producer.registration_code)
    producer_keys: dict[str, int] = {}
    for row in known:
        name_key = _producer_key(None, row["name"])
        # Two producers with one name: a row naming it must give the registration code instead.
        producer_keys[name_key] = AMBIGUOUS if name_key in producer_keys else row["id"]
        if row["registration_code"]:
            producer_keys[_producer_key(row["registration_code"], "")] = row["id"]
    taken = await Product.select(Product.certificate_number, Product.code)
    certificates = {r["certificate_number"]: "db" for r in taken if r["certificate_number"]}
    codes = {r["code"] for r in taken}
    file_producers: set[str] = set()

    for sheet in sorted(sheets, key=lambda s: s.kind != "producers"):  # producers first: products refer to them
        for number, cells in sheet.rows:
            if sheet.kind == "producers":
                errors, item = _check_producer(cells, sheet.columns, producer_keys, file_producers)
                if item is not None and not errors:
                    checked.producers.append(item)
            else:
                errors, item = _check_product(cells, sheet.columns, producer_keys, file_producers, certificates, codes, number)
                if item is not None and not errors:
                    checked.products.append(item)
            if errors:
                checked.error_rows += 1
            checked.reports.append(
                ImportRowReport(sheet=sheet.name, row=number, values=_values(cells, sheet.columns), errors=_rendered(errors))
            )
    return checked


def _check_producer(cells, columns, producer_keys, file_producers) -> tuple[dict, ProducerIn | None]:
    raw = {name: _cell(cells, columns, name) for name in PRODUCER_COLUMNS}
    raw["province_code"] = _province_code(raw["province_code"])
    raw["kind"] = _mapped(raw["kind"], _KIND_WORDS)
    raw = {k: ("" if v is None else str(v)) for k, v in raw.items()}
    try:
        item = parse_struct(raw, ProducerIn)
    except ValidationFailed as error:
        return dict(error.errors), None
    errors = services.producer_errors(item)
    key = _producer_key(item.registration_code, item.name)
    if key in producer_keys or key in file_producers:
        errors["name" if not item.registration_code else "registration_code"] = N_("This producer already exists.")
    file_producers.add(key)
    if item.registration_code:
        file_producers.add(_producer_key(None, item.name))
    return errors, item


def _check_product(cells, columns, producer_keys, file_producers, certificates, codes, number):
    raw = {name: _cell(cells, columns, name) for name in PRODUCT_COLUMNS}
    code, name = raw.pop("producer_code"), raw.pop("producer")
    producer_key = _producer_key(str(code) if code else None, str(name or ""))
    errors: dict[str, Any] = {}
    if not code and not name:
        errors["producer"] = N_("Name the producer or give its registration code.")
    elif producer_keys.get(producer_key) == AMBIGUOUS:
        errors["producer"] = N_("Several producers have this name: give the registration code.")
    elif producer_key not in producer_keys and producer_key not in file_producers:
        errors["producer"] = N_("This producer is neither in the catalog nor in the file.")
    raw["group_code"] = _group_code(raw["group_code"])
    raw["subgroup_code"] = _subgroup_code(raw["subgroup_code"])
    raw["stars"] = _stars(raw["stars"])
    raw["certifying_level"] = _mapped(raw["certifying_level"], _LEVEL_WORDS)
    raw["producer_id"] = 0  # resolved at commit
    for key in ("certified_on", "expires_on"):
        if isinstance(raw[key], dt.datetime):
            raw[key] = raw[key].date()
    raw = {k: ("" if v is None else v) for k, v in raw.items()}
    # Duplicates are checked on the raw values so a row with other problems reports them too.
    certificate = str(raw["certificate_number"]).strip()
    if certificate:
        seen = certificates.get(certificate)
        if seen == "db":
            errors["certificate_number"] = N_("This certificate number is already used by another product.")
        elif seen is not None:
            errors["certificate_number"] = Msg(N_("This certificate number is also on row %(row)s."), row=seen)
        else:
            certificates[certificate] = number
    qr_code = str(raw["code"]).strip()
    if qr_code:
        if qr_code in codes:
            errors["code"] = N_("This QR code value is already used by another product.")
        codes.add(qr_code)
    try:
        item = services.normalised_product(parse_struct(raw, ProductIn))
    except ValidationFailed as error:
        return {**error.errors, **errors}, None
    found = services.product_errors(item)
    found.pop("producer_id", None)  # the 0 above: the row's producer is checked as "producer"
    errors = {**found, **errors}
    return errors, (item, producer_key)


# -- preview and commit ----------------------------------------------------------------------


async def preview_upload(filename: str, content: bytes, actor: Actor) -> ImportPreview:
    """Reads and checks an upload, keeps it for the commit, and reports every row's problems."""
    # Parsing a large workbook takes seconds of CPU: keep it off the event loop.
    sheets = await asyncio.to_thread(read_sheets, filename, content, settings.max_upload_bytes)
    checked = await check_sheets(sheets)
    token = secrets.token_urlsafe(24)
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=UPLOAD_HOURS)
    await ImportUpload.delete().where(ImportUpload.created_at < stale)  # abandoned previews
    await ImportUpload.insert(ImportUpload(token=token, filename=filename[:255], content=content, created_by=actor.user_id))
    # Rows with problems first, so a long file shows what needs fixing at the top.
    reports = sorted(checked.reports, key=lambda r: (not r.errors, r.sheet, r.row))[:_PREVIEW_ROWS]
    return ImportPreview(
        token=token,
        filename=filename,
        producers=len(checked.producers),
        products=len(checked.products),
        rows_with_errors=checked.error_rows,
        rows=reports,
    )


@dataclass
class ImportResult:
    producers: int
    products: int


async def import_file(filename: str, content: bytes, actor: Actor, max_bytes: int) -> ImportResult:
    """Checks and writes a whole file in one transaction: every row, or nothing if any row is wrong."""
    checked = await check_sheets(await asyncio.to_thread(read_sheets, filename, content, max_bytes))
    if checked.error_rows:
        raise ValidationFailed(
            {"file": Msg(N_("%(n)s rows have problems; nothing was imported."), n=checked.error_rows)}
        )
    async with Product._meta.db.transaction():
        await insert_many(Producer, [
            {**services._plain(msgspec.structs.asdict(p)), "search_text": services._producer_search_text(p)}
            for p in checked.producers
        ])
        producers = await Producer.select(Producer.id, Producer.name, Producer.registration_code, Producer.province_code)
        by_key: dict[str, dict] = {}
        for row in producers:
            by_key.setdefault(_producer_key(None, row["name"]), row)
            if row["registration_code"]:
                by_key[_producer_key(row["registration_code"], "")] = row
        rows = []
        for product, key in checked.products:
            producer = by_key[key]
            values = services._product_values(msgspec.structs.replace(product, producer_id=producer["id"]))
            values["code"] = values["code"] or services.new_product_code()
            rows.append({**values, "province_code": producer["province_code"],
                         "search_text": services._product_search_text(product, producer["name"])})
        async with indexed_in_bulk():
            await insert_many(Product, rows)
        await record_audit(actor, "import", "catalog", filename[:64], None,
                           {"producers": len(checked.producers), "products": len(rows), "file": filename})
    return ImportResult(producers=len(checked.producers), products=len(rows))


async def commit_upload(token: str, actor: Actor) -> ImportResult:
    """Commits a previewed upload once: the stored file is taken and deleted in the same
    transaction as the import, so a double click cannot import it twice."""
    async with Product._meta.db.transaction():
        taken = await ImportUpload.delete().where(ImportUpload.token == token).returning(
            ImportUpload.filename, ImportUpload.content
        )
        if not taken:
            raise ValidationFailed({"file": N_("This preview has expired. Upload the file again.")})
        return await import_file(taken[0]["filename"], taken[0]["content"], actor, settings.max_upload_bytes)
