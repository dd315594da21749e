"""Import of the OCOP lists provinces publish, as they are: .xlsx or .csv, one sheet of products with
their producers' names and addresses (or a producers sheet beside it), headings as offices write
them, stars as "4 sao", one decision shared by many products, dates in the column's own order.

Nothing is invented: what a row does not say stays unknown (a score, a date, a producer's kind or
province), and the public page says so. Producers named by a row are matched with the catalogue by
a folded name and province, or by registration code, and created when new.

Two steps: a preview that reports every problem of every row at once, asks what the file cannot
say for itself (a heading no alias places, a date column whose order no value settles, whether to
keep unrated rows as candidates) and keeps the file with the answers; then a commit that checks it
all again and writes every row or none, audited.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

import msgspec

from catalog import list_headings, list_values, reference, services
from catalog.enums import CertifyingLevel
from catalog.list_headings import PRODUCERS, Columns, heading_key, recognise
from catalog.schemas import ImportPreview, ImportQuestion, ImportRowReport, ProducerIn, ProductIn
from catalog.search_index import indexed_in_bulk
from catalog.tables import ImportProfile, ImportUpload, Producer, Product
from core.audit import Actor, record_audit
from core.database import insert_many
from core.errors import N_, Msg, NotFound, ValidationFailed, render
from core.forms import assemble
from core.i18n import gettext
from core.settings import settings
from core.spreadsheets import upload_sheets, workbook_of
from core.text import fold

MAX_ROWS = 50_000
UPLOAD_HOURS = 24  # an unconfirmed preview is kept this long
NO_FILE = N_("Choose an .xlsx or .csv file.")
_PREVIEW_ROWS = 200
_HEADING_SEARCH = 20  # title rows a list may have above its headings
KEEP, SKIP = "keep", "skip"
DATE_FIELDS = ("certified_on", "expires_on")

_LEVEL_WORDS = {
    "tinh": CertifyingLevel.province, "province": CertifyingLevel.province, "ubnd tinh": CertifyingLevel.province,
    "cap tinh": CertifyingLevel.province,
    "bo": CertifyingLevel.ministry, "trung uong": CertifyingLevel.ministry, "ministry": CertifyingLevel.ministry,
    "quoc gia": CertifyingLevel.ministry, "cap quoc gia": CertifyingLevel.ministry,
    "huyen": CertifyingLevel.district, "district": CertifyingLevel.district, "ubnd huyen": CertifyingLevel.district,
    "cap huyen": CertifyingLevel.district,
}


class Choices(msgspec.Struct, kw_only=True):
    """What the clerk answered in the preview."""

    headings: dict[str, str] = {}  # folded heading → field (or list_headings.IGNORE)
    date_orders: dict[str, str] = {}  # folded heading → list_values.DAY_FIRST / MONTH_FIRST
    unrated: str = KEEP  # rows with 0 stars or none: KEEP as candidates or SKIP
    province: str = ""  # the list's province, for producers whose row names none
    profile: str = ""  # the saved profile the headings came from
    same_as: dict[str, int] = {}  # a new producer's key (`_same_key`) → the catalogue's producer it is (0: new)


@dataclass
class Sheet:
    name: str
    headings: list[str]
    columns: Columns
    rows: list[tuple[int, list[Any]]]  # (row number as the clerk sees it, cells)
    orders: dict[str, str] = field(default_factory=dict)  # date field → order found or chosen


@dataclass
class NewProducer:
    key: tuple[str, str]  # (folded name, province code)
    data: ProducerIn


@dataclass
class Checked:
    """The outcome of checking a file: every row's report, and what would be written."""

    reports: list[ImportRowReport] = field(default_factory=list)
    questions: list[ImportQuestion] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    new_producers: dict[tuple[str, str], NewProducer] = field(default_factory=dict)
    matched_producers: set[int] = field(default_factory=set)
    products: list[tuple[ProductIn, int | tuple[str, str]]] = field(default_factory=list)  # (product, id or new key)
    skipped: int = 0
    error_rows: int = 0
    asked: set[str] = field(default_factory=set)  # producers asked about ("same as …?")
    updates: list[tuple[int, dict[str, tuple[Any, Any]]]] = field(default_factory=list)  # (product id, changes)
    unchanged: int = 0


# -- reading ---------------------------------------------------------------------------------------


def _heading_row(rows: list[list[Any]], chosen: dict[str, str]) -> int:
    """The index of the row holding the headings: the first of the top rows that places the most fields."""
    best, best_count = 0, 0
    for index, cells in enumerate(rows[:_HEADING_SEARCH]):
        count = len(recognise(list(cells), chosen).fields)
        if count > best_count:
            best, best_count = index, count
    return best


def _sheet(name: str, rows: list[list[Any]], choices: Choices) -> Sheet | None:
    if not rows:
        return None
    top = _heading_row(rows, choices.headings)
    headings = [list_values.text(h) for h in rows[top]]
    columns = recognise(headings, choices.headings)
    if not columns.kind and not columns.unplaced:
        return None
    body = []
    for number, cells in enumerate(rows[top + 1:], start=top + 2):
        if any(c not in (None, "") and list_values.text(c) for c in cells):
            body.append((number, list(cells)))
        if len(body) > MAX_ROWS:
            raise ValidationFailed({"file": Msg(N_("At most %(n)s rows can be imported at once."), n=MAX_ROWS)})
    return Sheet(name=name, headings=headings, columns=columns, rows=body)


def read_sheets(filename: str, content: bytes, max_bytes: int, choices: Choices | None = None) -> list[Sheet]:
    """The lists in an upload; refuses wrong types, oversized or unreadable files, and files in which
    no sheet has a heading row at all."""
    choices = choices or Choices()
    sheets = [_sheet(title, rows, choices) for title, rows in upload_sheets(filename, content, max_bytes)]
    found = [s for s in sheets if s is not None]
    if not found:
        raise ValidationFailed({"file": N_("No sheet has a row of headings: the first rows of the file should name its columns.")})
    return found


# -- checking --------------------------------------------------------------------------------------


def _cell(sheet: Sheet, cells: list[Any], name: str) -> Any:
    index = sheet.columns.fields.get(name)
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    if isinstance(value, str):
        return list_values.text(value) or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _heading(sheet: Sheet, name: str) -> str:
    """The column as the file names it, for a problem about `name`."""
    index = sheet.columns.fields.get(name)
    if index is not None:
        return sheet.headings[index]
    return gettext(list_headings.FIELD_NAMES.get(name, name))


def _date_questions(sheet: Sheet, choices: Choices, checked: Checked) -> None:
    for name in DATE_FIELDS:
        index = sheet.columns.fields.get(name)
        if index is None:
            continue
        values = [cells[index] for _, cells in sheet.rows if index < len(cells)]
        key = heading_key(sheet.headings[index])
        order = choices.date_orders.get(key) or list_values.date_order(values)
        if order:
            sheet.orders[name] = order
        if key in choices.date_orders or (not order and list_values.needs_order(values)):
            # Asked again once answered, so the answer stays in the form the clerk sends back.
            checked.questions.append(ImportQuestion(sheet=sheet.name, heading=sheet.headings[index], key=key,
                                                    kind="date_order", chosen=choices.date_orders.get(key, "")))


def _questions(sheet: Sheet, choices: Choices, checked: Checked) -> None:
    unplaced = {index for index, _ in sheet.columns.unplaced}
    for index, heading in enumerate(sheet.headings):
        key = heading_key(heading)
        if heading and (index in unplaced or key in choices.headings):
            checked.questions.append(ImportQuestion(sheet=sheet.name, heading=heading, key=key, kind="heading",
                                                    chosen=choices.headings.get(key, "")))
    _date_questions(sheet, choices, checked)


Ref = int | tuple[str, str]  # a producer in the catalogue (its id), or one the file creates (its key)


class _Producers:
    """The catalogue's producers and the file's new ones, by registration code and by folded name
    and province."""

    def __init__(self, rows: list[dict]) -> None:
        self.by_code: dict[str, Ref] = {}
        self.by_name: dict[tuple[str, str], list[Ref]] = {}
        self.by_bare_name: dict[str, list[tuple[Ref, str]]] = {}  # folded name → (producer, its province)
        self.rows: dict[int, dict] = {}
        self.by_token: dict[str, set[int]] = {}
        for row in rows:
            name = list_values.producer_key(list_values.producer_and_place(row["name"])[0])
            self.add(row["id"], row["registration_code"] or "", name, row["province_code"])
            self.rows[row["id"]] = {**row, "tokens": list_values.name_tokens(name)}
            for token in self.rows[row["id"]]["tokens"]:
                self.by_token.setdefault(token, set()).add(row["id"])

    def alike(self, name: str, province: str) -> list[dict]:
        """The catalogue's producers whose names may be `name` written another way, in its province
        (anywhere, when the row names none)."""
        tokens = list_values.name_tokens(name)
        rare = sorted((t for t in tokens if t in self.by_token), key=lambda t: len(self.by_token[t]))[:2]
        seen = set().union(*(self.by_token.get(t, set()) for t in rare)) if rare else set()
        return sorted((self.rows[i] for i in seen
                       if (not province or not self.rows[i]["province_code"] or self.rows[i]["province_code"] == province)
                       and list_values.alike(tokens, self.rows[i]["tokens"])), key=lambda r: r["id"])[:5]

    def add(self, ref: Ref, code: str, name: str, province: str) -> None:
        if code:
            self.by_code[code] = ref
        self.by_name.setdefault((name, province), []).append(ref)
        self.by_bare_name.setdefault(name, []).append((ref, province))

    def find(self, code: str, name: str, province: str) -> Ref | None:
        if code and code in self.by_code:
            return self.by_code[code]
        exact = self.by_name.get((name, province), [])
        if len(exact) == 1:
            return exact[0]
        named = self.by_bare_name.get(name, [])
        if len(named) == 1 and (not province or not named[0][1]):  # one of that name, one of the places not recorded
            return named[0][0]
        return None


def _place(sheet: Sheet, cells: list[Any], place_suffix: str, choices: Choices) -> tuple[list_values.Place, str | None]:
    """Where the producer is (list_values.place_of), the list's province last; (place, problem)."""
    district = _cell(sheet, cells, "district")
    place = list_values.place_of(_cell(sheet, cells, "province"), _cell(sheet, cells, "address"), district,
                                 place_suffix, choices.province)
    if place is None:
        return list_values.Place("", "", list_values.text(district)), N_(
            "This province is not one we know, before or after July 2025.")
    return place, None


def _producer(sheet: Sheet, cells: list[Any], choices: Choices, known: _Producers, checked: Checked,
              errors: dict[str, Any]) -> Ref | None:
    """The row's producer: an id in the catalogue, or the key of one this file creates."""
    written, place_suffix = list_values.producer_and_place(_cell(sheet, cells, "producer"))
    code = list_values.text(_cell(sheet, cells, "producer_code"))
    if not written and not code:
        errors[_heading(sheet, "producer")] = N_("Name the producer or give its registration code.")
        return None
    place, problem = _place(sheet, cells, place_suffix, choices)
    if problem:
        errors[_heading(sheet, "province")] = problem
    name = list_values.producer_key(written)
    found = known.find(code, name, place.province_code)
    if found is not None:
        if isinstance(found, int):
            checked.matched_producers.add(found)
        return found
    if not written:
        errors[_heading(sheet, "producer_code")] = N_("No producer has this registration code: give the producer's name too.")
        return None
    key = (name, place.province_code)
    same = choices.same_as.get(_same_key(key))
    if same is not None:
        _ask_same(checked, key, written, known, same)
        if same:
            checked.matched_producers.add(same)
            return same
    if key not in checked.new_producers:
        commune = list_values.text(_cell(sheet, cells, "commune"))
        if not commune and fold(place_suffix).startswith(("xa ", "phuong ", "thi tran ")):
            commune = place_suffix
        kind = list_values.producer_kind(written, _cell(sheet, cells, "kind"))
        data = ProducerIn(
            name=written[:255], kind=kind, province_code=place.province_code, registration_code=code or None,
            commune=commune[:120], address=list_values.text(_cell(sheet, cells, "address"))[:255],
            legacy_province=place.legacy_province[:120], legacy_district=place.legacy_district[:120],
            contact_person=list_values.text(_cell(sheet, cells, "contact_person"))[:120],
            phone=list_values.text(_cell(sheet, cells, "phone"))[:32], email=list_values.text(_cell(sheet, cells, "email")),
        )
        for field_name, message in services.producer_errors(data).items():
            errors[_heading(sheet, _PRODUCER_FIELD.get(field_name, field_name))] = message
        checked.new_producers[key] = NewProducer(key=key, data=data)
        known.add(key, code, name, place.province_code)
    return key


def _same_key(key: tuple[str, str]) -> str:
    return f"{key[0]}|{key[1]}"


def _ask_same(checked: Checked, key: tuple[str, str], written: str, known: _Producers, chosen: int | None) -> None:
    """Asks whether a producer the file names is one the catalogue has under a near name; never merged unasked."""
    question = _same_key(key)
    if question in checked.asked:
        return
    candidates = known.alike(key[0], key[1])
    if not candidates:
        return
    checked.asked.add(question)
    where = reference.province_name(key[1]) if key[1] else gettext(N_("province not recorded"))
    options = {str(r["id"]): f"{r['name']} ({reference.province_name(r['province_code']) or '—'})" for r in candidates}
    checked.questions.append(ImportQuestion(sheet="", heading=f"{written} ({where})", key=question, kind="same_as",
                                            chosen="" if chosen is None else str(chosen), options=options))


_PRODUCER_FIELD = {"name": "producer", "registration_code": "producer_code", "province_code": "province"}
_PRODUCT_FIELD = {"group_code": "group", "subgroup_code": "subgroup"}


def _money(value: Any) -> int | None:
    """A price in đồng as lists write it: 50000, "50.000", "50,000 đ"."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if not digits:
        raise ValueError(value)
    return int(digits)


def _product(sheet: Sheet, cells: list[Any], choices: Choices, errors: dict[str, Any], certificates: dict[str, Any],
             codes: dict[str, int], number: int) -> tuple[ProductIn | None, frozenset[str]]:
    """The row's product and the fields it gives (None when an unrated row is skipped); problems go to
    `errors`. Numbers are checked against the rest of the file here, against the catalogue once the
    row is matched (a newer list names the same product's own numbers)."""
    def problem(name: str, message: Any) -> None:
        errors[_heading(sheet, name)] = message

    values: dict[str, Any] = {"producer_id": 1}  # the producer is resolved apart
    name = list_values.without_numbering(list_values.text(_cell(sheet, cells, "name")))
    values["name"] = name
    try:
        stars = list_values.stars(_cell(sheet, cells, "stars"))
    except ValueError:
        problem("stars", N_("Write the stars as a number from 0 to 5, such as “4” or “4 sao”."))
        stars = 0
    if not stars and choices.unrated == SKIP:
        return None, frozenset()
    values["stars"] = stars or 0
    score = _cell(sheet, cells, "score")
    if score is not None:
        try:
            values["score"] = int(float(str(score).replace(",", ".")))
        except ValueError:
            problem("score", N_("The score is out of 100."))
    for key, reader, message in (
            ("group", list_values.group_code, N_("This is not an OCOP group, under the 2023 rules or the 2019 ones.")),
            ("subgroup", list_values.subgroup_code, N_("This is not an OCOP subgroup."))):
        written = _cell(sheet, cells, key)
        if written is not None:
            code = reader(written)
            if code is None:
                problem(key, message)
            else:
                values[f"{key}_code"] = code
    decided = list_values.decision(_cell(sheet, cells, "decision_text"))
    number_cell = list_values.decision(_cell(sheet, cells, "decision_number"))
    written_number = list_values.text(_cell(sheet, cells, "decision_number"))
    values["decision_number"] = (number_cell.number or (written_number if not number_cell.day else "")
                                 or decided.number)[:64]
    for key in DATE_FIELDS:
        try:
            values[key] = list_values.day(_cell(sheet, cells, key), sheet.orders.get(key))
        except LookupError:
            values[key] = None  # asked once for the column (a question), not on every row
        except ValueError:
            problem(key, N_("Write the date as day/month/year, such as 7/4/2023."))
    if values.get("certified_on") is None:
        values["certified_on"] = number_cell.day or decided.day  # the decision's own date, as the list writes it
    level = _cell(sheet, cells, "certifying_level")
    if level is not None:
        found_level = _LEVEL_WORDS.get(fold(list_values.text(level)).strip())
        if found_level is None:
            problem("certifying_level", N_("Write the level as province, ministry or district."))
        else:
            values["certifying_level"] = found_level
    elif stars == 5:
        values["certifying_level"] = CertifyingLevel.ministry  # the rules: only the ministry certifies 5 stars
    for key in ("certificate_number", "certifying_body", "unit", "code"):
        written = list_values.text(_cell(sheet, cells, key))
        if written:
            values[key] = written
    try:
        price = _money(_cell(sheet, cells, "reference_price"))
        if price is not None:
            values["reference_price"] = price
    except ValueError:
        problem("reference_price", N_("Write the price as a whole number of đồng."))
    try:
        values["barcode"] = list_values.barcode(_cell(sheet, cells, "barcode"))
    except ValueError:
        problem("barcode", N_("This is not a valid barcode (GTIN): check its digits."))
    for key, seen_in in (("certificate_number", certificates), ("code", codes)):
        written = values.get(key, "")
        if written and written in seen_in:
            problem(key, Msg(N_("This number is also on row %(row)s."), row=seen_in[written]))
        elif written:
            seen_in[written] = number
    item = services.normalised_product(assemble(values, ProductIn))
    for field_name, message in services.product_errors(item).items():
        if field_name != "producer_id":
            errors.setdefault(_heading(sheet, _PRODUCT_FIELD.get(field_name, field_name)), message)
    given = set(values) - {"producer_id", "name", "code"}
    if "certified_on" in given and values["certified_on"] is not None:
        given.add("expires_on")  # implied by the rules from the certification date
    return item, frozenset(k for k in given if values.get(k) is not None)


COMPARED = ("stars", "score", "group_code", "subgroup_code", "decision_number", "certificate_number",
            "certifying_level", "certifying_body", "certified_on", "expires_on", "unit", "reference_price", "barcode")


class _Catalogue:
    """The catalogue's products by producer and folded name, and who holds each number."""

    def __init__(self, rows: list[dict]) -> None:
        self.by_name: dict[tuple[int, str], list[dict]] = {}
        self.certificates = {r["certificate_number"]: r["id"] for r in rows if r["certificate_number"]}
        self.codes = {r["code"]: r["id"] for r in rows}
        for row in rows:
            self.by_name.setdefault((row["producer"], fold(row["name"]).strip()), []).append(row)

    def match(self, producer: int, item: ProductIn) -> dict | None:
        """The product a newer list's row is: same producer and name, and the same decision (or one of
        the two not recorded, when it is the only product of that name)."""
        named = self.by_name.get((producer, fold(item.name).strip()), [])
        same = [r for r in named if r["decision_number"] == item.decision_number]
        if len(same) == 1:
            return same[0]
        open_ = [r for r in named if not r["decision_number"] or not item.decision_number]
        return open_[0] if len(named) == 1 and len(open_) == 1 else None


def _changes(found: dict, item: ProductIn, given: frozenset[str]) -> dict[str, tuple[Any, Any]]:
    """What the row says differently from the catalogue, among the fields it gives (a blank erases nothing)."""
    changed = {}
    for name in COMPARED:
        if name in given:
            new = getattr(item, name)
            new = new.value if hasattr(new, "value") else new
            old = found[name]
            if isinstance(old, dt.datetime):
                old = old.date()
            if isinstance(old, str) and isinstance(new, dt.date):
                old = dt.date.fromisoformat(old[:10])
            if old != new and not (old in ("", None) and new in ("", None)):
                changed[name] = (old, new)
    return changed


def _values(sheet: Sheet, cells: list[Any]) -> dict[str, str]:
    return {sheet.headings[i]: list_values.text(cells[i]) for i in range(min(len(cells), len(sheet.headings)))
            if sheet.headings[i] and list_values.text(cells[i])}


_FIELD_OF = {"group_code": "group", "subgroup_code": "subgroup"}


def _against_catalogue(sheet: Sheet, item: ProductIn, found: dict | None, catalogue: _Catalogue,
                       matched_rows: dict[int, int], number: int, errors: dict[str, Any]) -> None:
    """Problems of a row against the catalogue: a number another product holds, a product named twice."""
    own = found["id"] if found else None
    if item.certificate_number and catalogue.certificates.get(item.certificate_number, own) != own:
        errors[_heading(sheet, "certificate_number")] = N_("This certificate number is already used by another product.")
    if item.code and catalogue.codes.get(item.code, own) != own:
        errors[_heading(sheet, "code")] = N_("This QR code value is already used by another product.")
    if own is not None:
        if own in matched_rows:
            errors[_heading(sheet, "name")] = Msg(N_("This product is also on row %(row)s."), row=matched_rows[own])
        matched_rows.setdefault(own, number)


async def check_sheets(sheets: list[Sheet], choices: Choices | None = None) -> Checked:
    """Every problem of every row at once, against the OCOP rules, the catalogue and the rest of the file."""
    choices = choices or Choices()
    checked = Checked()
    known = _Producers(await Producer.select(Producer.id, Producer.name, Producer.registration_code, Producer.province_code))
    catalogue = _Catalogue(await Product.select(Product.id, Product.producer, Product.name, Product.code,
                                                *(getattr(Product, name) for name in COMPARED)))
    certificates: dict[str, Any] = {}
    codes: dict[str, int] = {}
    matched_rows: dict[int, int] = {}  # product id → the row that named it
    for sheet in sorted(sheets, key=lambda s: s.columns.kind != PRODUCERS):  # producers first: products refer to them
        _questions(sheet, choices, checked)
        checked.reasons.append(f"{sheet.name}: {gettext(sheet.columns.reason)}")
        if not sheet.columns.kind:
            continue
        for number, cells in sheet.rows:
            errors: dict[str, Any] = {}
            if sheet.columns.kind == PRODUCERS:
                _producer(sheet, cells, choices, known, checked, errors)
            else:
                item, given = _product(sheet, cells, choices, errors, certificates, codes, number)
                if item is None:
                    checked.skipped += 1
                    checked.reports.append(ImportRowReport(sheet=sheet.name, row=number, values=_values(sheet, cells),
                                                           errors={}, note=gettext(N_("Skipped: not rated."))))
                    continue
                producer = _producer(sheet, cells, choices, known, checked, errors)
                found = catalogue.match(producer, item) if isinstance(producer, int) else None
                _against_catalogue(sheet, item, found, catalogue, matched_rows, number, errors)
                note = ""
                if found is not None and not errors:
                    changes = _changes(found, item, given)
                    if changes:
                        checked.updates.append((found["id"], changes))
                        note = gettext(N_("Changed: %(fields)s")) % {"fields": ", ".join(
                            f"{gettext(list_headings.FIELD_NAMES.get(_FIELD_OF.get(k, k), k))} {o or '—'} → {n or '—'}"
                            for k, (o, n) in changes.items())}
                    else:
                        checked.unchanged += 1
                        note = gettext(N_("Unchanged."))
                elif producer is not None and not errors:
                    checked.products.append((item, producer))
                    note = gettext(N_("New."))
            if errors:
                checked.error_rows += 1
            checked.reports.append(ImportRowReport(sheet=sheet.name, row=number, values=_values(sheet, cells),
                                                   errors={k: render(m, gettext) for k, m in errors.items()},
                                                   note="" if errors or sheet.columns.kind == PRODUCERS else note))
    for new in checked.new_producers.values():
        _ask_same(checked, new.key, new.data.name, known, choices.same_as.get(_same_key(new.key)))
    return checked


# -- preview and commit ----------------------------------------------------------------------------


async def _checked(filename: str, content: bytes, choices: Choices) -> Checked:
    # Parsing a large workbook takes seconds of CPU: keep it off the event loop.
    sheets = await asyncio.to_thread(read_sheets, filename, content, settings.max_upload_bytes, choices)
    return await check_sheets(sheets, choices)


def _preview(token: str, filename: str, checked: Checked, choices: Choices) -> ImportPreview:
    # Rows with problems first, so a long file shows what needs fixing at the top.
    reports = sorted(checked.reports, key=lambda r: (not r.errors, r.sheet, r.row))[:_PREVIEW_ROWS]
    return ImportPreview(
        token=token, filename=filename, reasons=checked.reasons, questions=checked.questions,
        producers=len(checked.new_producers), producers_matched=len(checked.matched_producers),
        products=len(checked.products), updated=len(checked.updates), unchanged=checked.unchanged,
        skipped=checked.skipped, rows_with_errors=checked.error_rows, rows=reports,
        unrated=choices.unrated, province=choices.province, profile=choices.profile,
        # A near name unanswered is a new producer: never merged unasked, never a reason to wait.
        ready=not checked.error_rows and not any(q.kind == "date_order" and not q.chosen for q in checked.questions),
    )


async def with_profile(choices: Choices) -> Choices:
    """The choices with a saved profile's headings under the clerk's own."""
    if not choices.profile:
        return choices
    found = await ImportProfile.select(ImportProfile.headings).where(ImportProfile.name == choices.profile).first()
    if found is None:
        raise ValidationFailed({"profile": N_("No saved profile has this name.")})
    return msgspec.structs.replace(choices, headings={**msgspec.json.decode(found["headings"]), **choices.headings})


async def preview_upload(filename: str, content: bytes, actor: Actor, choices: Choices | None = None) -> ImportPreview:
    """Reads and checks an upload, keeps it with the choices for the commit, and reports every row's problems."""
    choices = await with_profile(choices or Choices())
    checked = await _checked(filename, content, choices)
    token = secrets.token_urlsafe(24)
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=UPLOAD_HOURS)
    await ImportUpload.delete().where(ImportUpload.created_at < stale)  # abandoned previews
    await ImportUpload.insert(ImportUpload(token=token, filename=filename[:255], content=content,
                                           choices=msgspec.json.encode(choices).decode(), created_by=actor.user_id))
    return _preview(token, filename, checked, choices)


async def choose(token: str, choices: Choices, actor: Actor) -> ImportPreview:
    """The preview again with the clerk's answers, kept for the commit."""
    choices = await with_profile(choices)
    found = await ImportUpload.select(ImportUpload.filename, ImportUpload.content).where(ImportUpload.token == token).first()
    if found is None:
        raise ValidationFailed({"file": N_("This preview has expired. Upload the file again.")})
    checked = await _checked(found["filename"], found["content"], choices)
    await ImportUpload.update({ImportUpload.choices: msgspec.json.encode(choices).decode()}).where(ImportUpload.token == token)
    return _preview(token, found["filename"], checked, choices)


async def save_profile(name: str, headings: dict[str, str], actor: Actor) -> None:
    """Keeps heading choices under a name (replacing a profile of that name); audited."""
    name = list_values.text(name)[:120]
    if not name:
        raise ValidationFailed({"profile": N_("Give the profile a name.")})
    fields = set(list_headings.FIELD_NAMES)
    kept = {heading_key(k): v for k, v in headings.items() if v in fields}
    encoded = msgspec.json.encode(kept).decode()
    async with ImportProfile._meta.db.transaction():
        if await ImportProfile.exists().where(ImportProfile.name == name):
            await ImportProfile.update({ImportProfile.headings: encoded, ImportProfile.updated_by: actor.user_id}).where(
                ImportProfile.name == name)
        else:
            await ImportProfile.insert(ImportProfile(name=name, headings=encoded, updated_by=actor.user_id))
        await record_audit(actor, "update", "import_profile", name[:64], None, {"headings": kept})


async def profiles() -> list[str]:
    return [row["name"] for row in await ImportProfile.select(ImportProfile.name).order_by(ImportProfile.name)]


@dataclass
class ImportResult:
    producers: int
    products: int  # added
    skipped: int = 0
    updated: int = 0
    unchanged: int = 0


async def import_file(filename: str, content: bytes, actor: Actor, max_bytes: int,
                      choices: Choices | None = None) -> ImportResult:
    """Checks and writes a whole file in one transaction: every row, or nothing if any row is wrong."""
    choices = await with_profile(choices or Choices())
    checked = await check_sheets(await asyncio.to_thread(read_sheets, filename, content, max_bytes, choices), choices)
    if checked.error_rows:
        raise ValidationFailed({"file": Msg(N_("%(n)s rows have problems; nothing was imported."), n=checked.error_rows)})
    unanswered = [q.heading for q in checked.questions if q.kind == "date_order" and not q.chosen]
    if unanswered:
        raise ValidationFailed({"file": Msg(N_("Say whether the day or the month comes first in: %(columns)s."),
                                            columns=", ".join(unanswered))})
    async with Product._meta.db.transaction():
        new = list(checked.new_producers.values())
        ids = await insert_many(Producer, [
            {**services._plain(msgspec.structs.asdict(p.data)), "search_text": services._producer_search_text(p.data)}
            for p in new
        ], returning=True)
        created = {p.key: producer_id for p, producer_id in zip(new, ids, strict=True)}
        referred = {ref for _, ref in checked.products if isinstance(ref, int)}
        names = {r["id"]: r for r in await Producer.select(Producer.id, Producer.name, Producer.province_code).where(
            Producer.id.is_in(list(referred)))} if referred else {}
        for p in new:
            names[created[p.key]] = {"name": p.data.name, "province_code": p.data.province_code}
        rows = []
        for product, ref in checked.products:
            producer_id = ref if isinstance(ref, int) else created[ref]
            producer = names[producer_id]
            values = services._product_values(msgspec.structs.replace(product, producer_id=producer_id))
            values["code"] = values["code"] or services.new_product_code()
            rows.append({**values, "province_code": producer["province_code"],
                         "search_text": services._product_search_text(product, producer["name"])})
        async with indexed_in_bulk():
            await insert_many(Product, rows)
        now = dt.datetime.now(dt.UTC)
        for product_id, changes in checked.updates:
            await Product.update({**{getattr(Product, name): new for name, (_, new) in changes.items()},
                                  Product.updated_at: now}).where(Product.id == product_id)
            await record_audit(actor, "update", "product", product_id, {n: _plain(o) for n, (o, _) in changes.items()},
                               {**{n: _plain(new) for n, (_, new) in changes.items()}, "file": filename})
        await record_audit(actor, "import", "catalog", filename[:64], None,
                           {"producers": len(new), "products": len(rows), "updated": len(checked.updates),
                            "unchanged": checked.unchanged, "skipped": checked.skipped, "file": filename})
    return ImportResult(producers=len(new), products=len(rows), skipped=checked.skipped, updated=len(checked.updates),
                        unchanged=checked.unchanged)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


async def commit_upload(token: str, actor: Actor) -> ImportResult:
    """Commits a previewed upload once, with the answers given in its preview: the stored file is
    taken and deleted in the same transaction as the import, so a double click cannot import it twice."""
    async with Product._meta.db.transaction():
        taken = await ImportUpload.delete().where(ImportUpload.token == token).returning(
            ImportUpload.filename, ImportUpload.content, ImportUpload.choices)
        if not taken:
            raise ValidationFailed({"file": N_("This preview has expired. Upload the file again.")})
        choices = msgspec.json.decode(taken[0]["choices"] or "{}", type=Choices)
        return await import_file(taken[0]["filename"], taken[0]["content"], actor, settings.max_upload_bytes, choices)


def template_workbook() -> bytes:
    """An empty list with the headings the import reads at once, one example row."""
    headings = ["STT", "Tên sản phẩm", "Chủ thể", "Địa chỉ", "Tỉnh/thành", "Nhóm", "Hạng sao", "Số QĐ",
                "Ngày công nhận", "Đơn vị tính", "Giá", "Mã vạch"]
    example = [1, "Trà Shan tuyết", "HTX Chè Suối Giàng", "xã Suối Giàng", "Lào Cai", "Đồ uống", "4 sao",
               "2008/QĐ-UBND", "07/04/2023", "hộp 100 g", 120000, ""]
    return workbook_of([("Danh sach OCOP", headings, [example])])


async def upload_of(token: str) -> tuple[str, bytes, Choices]:
    found = await ImportUpload.select(ImportUpload.filename, ImportUpload.content, ImportUpload.choices).where(
        ImportUpload.token == token).first()
    if found is None:
        raise NotFound(N_("This preview has expired. Upload the file again."))
    return found["filename"], found["content"], msgspec.json.decode(found["choices"] or "{}", type=Choices)


async def problems_copy(token: str) -> bytes:
    """The uploaded file's rows with a problems column added, as .xlsx, to fix and upload again."""
    filename, content, choices = await upload_of(token)
    sheets = await asyncio.to_thread(read_sheets, filename, content, settings.max_upload_bytes, choices)
    checked = await check_sheets(sheets, choices)
    problems = {(r.sheet, r.row): "; ".join(f"{k}: {v}" for k, v in r.errors.items()) for r in checked.reports}
    heading = gettext(N_("Problems"))
    return workbook_of([
        (sheet.name, [*sheet.headings, heading],
         [[*cells, problems.get((sheet.name, number), "")] for number, cells in sheet.rows])
        for sheet in sheets
    ])
