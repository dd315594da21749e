"""Registrations of a connection conference from the sheet the office keeps (.xlsx or .csv, filled in by hand or
exported from a registration form): each row a buyer with its needs or a producer with its offer.

Each row's party is found in the catalogue: a producer by its tax / registration code, else by its name (and
province); a buyer by its name (and province). A producer the catalogue lacks is a problem (producers come from
the OCOP lists); a buyer it lacks is created from the row, with what the row says and nothing more (its kind
"other" when the sheet does not say). A producer offers the products the row names, or else its OCOP products.

Two steps: a preview of what would be registered, updated and created, and of every row's problems (nothing
written but the kept file); then a commit that checks the file again and registers every good row in one
transaction through `services.register`, skipping the rows with problems. A party registered already is updated:
the values its row states replace the registration's, a blank cell erases nothing. Organizers only; audited.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

import msgspec

from catalog import list_values, reference
from catalog import services as catalog_services
from catalog.enums import BuyerKind
from catalog.headed_sheets import HeadedRows, read_headed
from catalog.schemas import BuyerIn
from catalog.tables import Buyer, ImportUpload, Producer, Product
from core.audit import Actor, record_audit
from core.errors import N_, Msg, ValidationFailed, render
from core.fields import problems
from core.formatting import VIETNAM
from core.i18n import gettext
from core.spreadsheets import workbook_of
from matchmaking import registration_sheet, services
from matchmaking.enums import Side
from matchmaking.registration_sheet import Draft
from matchmaking.schemas import ParticipantIn, ParticipantOut
from matchmaking.tables import Participant

NO_FILE = N_("Choose an .xlsx or .csv file.")
EXPIRED = N_("This preview has expired. Upload the file again.")
MAX_ROWS = 5_000
UPLOAD_HOURS = 24  # an unconfirmed preview is kept this long
REGISTER, UPDATE = "register", "update"

# What each side's row is read for; a value stated in another side's column is said to be left unread.
_NEEDS = ("groups", "subgroups", "min_stars", "provinces", "price_min", "price_max", "price", "volume")
_OFFER = ("products", "capacity", "min_order")
# ParticipantIn's and BuyerIn's fields → the sheet's fields their problems are shown on.
_SHEET_FIELD = {"available": "window", "product_ids": "products", "buyer_id": "name", "producer_id": "name",
                "province_code": "province", "contact_person": "contact"}


@dataclass
class PlannedRow:
    """What a row would do, or why it cannot."""

    row: int
    name: str
    side: str  # a Side's value, "" when the row states none
    party: str = ""  # the catalogue's name of the party found; "" when the row creates it or none is found
    action: str = ""  # REGISTER or UPDATE; "" when the row has problems
    new_buyer: BuyerIn | None = None  # the buyer the row creates in the catalogue
    registration: ParticipantIn | None = None
    values: dict[str, str] = field(default_factory=dict)  # heading → cell
    problems: dict[str, str] = field(default_factory=dict)  # heading → message, in the reader's language
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[PlannedRow]
    sections: list[tuple[int, str]]  # (row, the side of the rows under that title)
    starts: list[dt.time]  # each slot's start, slot n at n

    @property
    def ready(self) -> list[PlannedRow]:
        return [r for r in self.rows if not r.problems]

    @property
    def with_problems(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.problems]

    @property
    def registered(self) -> int:
        return sum(r.action == REGISTER for r in self.ready)

    @property
    def updated(self) -> int:
        return sum(r.action == UPDATE for r in self.ready)

    @property
    def buyers_created(self) -> int:
        return sum(r.new_buyer is not None for r in self.ready)


@dataclass
class Preview:
    token: str
    filename: str
    plan: Plan


@dataclass
class Outcome:
    registered: int
    updated: int
    buyers_created: int
    skipped: list[PlannedRow]


# -- reading -----------------------------------------------------------------------------------------------------


def read_sheet(filename: str, content: bytes) -> HeadedRows:
    """The upload's first sheet from its row of headings; refuses wrong types, oversized, unreadable or headless
    files, and more than MAX_ROWS rows."""
    sheet = read_headed(filename, content, registration_sheet.FIELD_OF, registration_sheet.REQUIRED,
                        registration_sheet.NO_HEADINGS)
    if len(sheet.rows) > MAX_ROWS:
        raise ValidationFailed({"file": Msg(N_("At most %(n)s rows can be imported at once."), n=MAX_ROWS)})
    return sheet


async def _slot_starts(fair_id: int) -> list[dt.time]:
    """Each slot's start in Vietnam, slot n at index n."""
    starts = []
    for slot in (await services.room(fair_id)).slots:
        moment = dt.datetime.fromisoformat(slot.starts_at) if isinstance(slot.starts_at, str) else slot.starts_at
        moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
        starts.append(moment.astimezone(VIETNAM).time())
    return starts


# -- the catalogue -------------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return list_values.producer_key(list_values.producer_and_place(name)[0] or name)


def _code_forms(code: str) -> set[str]:
    """A tax code as written, and with the leading zero a number cell drops (0101234567 read as 101234567)."""
    forms = {code} if code else set()
    if code.isdigit() and len(code) in (9, 12):
        forms.add("0" + code)
    return forms


class _Parties:
    """The catalogue's producers (by registration code and folded name) and buyers (by folded name)."""

    def __init__(self, producers: list[dict], buyers: list[dict]) -> None:
        self.codes = {p["registration_code"]: p for p in producers if p["registration_code"]}
        self.producers: dict[str, list[dict]] = {}
        for p in producers:
            self.producers.setdefault(_key(p["name"]), []).append(p)
        self.buyers: dict[str, list[dict]] = {}
        for b in buyers:
            self.buyers.setdefault(_key(b["name"]), []).append(b)

    @staticmethod
    def _named(found: list[dict], province: str) -> list[dict]:
        """Those of one name in the row's province; one whose province is not recorded when none is in it."""
        if not province:
            return found
        return [p for p in found if p["province_code"] == province] or [p for p in found if not p["province_code"]]

    def producer(self, draft: Draft) -> tuple[dict | None, str | Msg | None, str]:
        """(the producer, the problem, the field it is on); a row naming no producer has its problem already."""
        for code in _code_forms(draft.code):
            if code in self.codes:
                return self.codes[code], None, "code"
        if not draft.name:
            return None, None, "name"
        province = draft.place.province_code if draft.place else ""
        found = self._named(self.producers.get(_key(draft.name), []), province)
        if len(found) > 1:
            return None, N_("Several producers of the catalogue have this name: add the tax code or the province."), "name"
        if found:
            recorded = found[0]["registration_code"]
            if draft.code and recorded and recorded not in _code_forms(draft.code):
                return None, N_("The catalogue holds another tax code for this producer."), "code"
            return found[0], None, "name"
        near = self._near(self.producers, draft.name)
        if near:
            return None, Msg(N_("No producer of the catalogue has this name; did you mean “%(name)s”?"), name=near), "name"
        return None, N_("No producer of the catalogue has this name: import or add it in the catalogue first."), "name"

    def buyer(self, draft: Draft) -> tuple[dict | None, str | Msg | None]:
        """(the buyer, the problem); (None, None) when the catalogue has no buyer of that name: a new one."""
        province = draft.place.province_code if draft.place else ""
        found = self._named(self.buyers.get(_key(draft.name), []), province)
        if len(found) > 1:
            return None, N_("Several buyers of the catalogue have this name: add the province column.")
        return (found[0] if found else None), None

    @staticmethod
    def _near(known: dict[str, list[dict]], name: str) -> str:
        """The closest name the catalogue has, with its province (the same name may be in another one)."""
        tokens = list_values.name_tokens(_key(name))
        near = sorted((p["name"], p["province_code"]) for key, rows in known.items()
                      if list_values.alike(tokens, list_values.name_tokens(key)) for p in rows)
        if not near:
            return ""
        found, province = near[0]
        return f"{found} ({reference.province_name(province)})" if province else found


async def _products(producer_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each producer's products by folded name, those withdrawn from OCOP left out (they are no longer offered)."""
    found: dict[int, dict[str, int]] = {}
    for row in await Product.select(Product.id, Product.name, Product.producer).where(
            Product.producer.is_in(producer_ids or [0]) & Product.withdrawn_on.is_null()):
        found.setdefault(row["producer"], {})[list_values.product_key(row["name"])] = row["id"]
    return found


# -- checking --------------------------------------------------------------------------------------------------


def _heading(sheet: HeadedRows, name: str) -> str:
    """The column as the sheet names it; the field's own words when the sheet has none."""
    if name in sheet.columns:
        return sheet.heading(name)
    return gettext(registration_sheet.FIELD_LABELS.get(name, name))


def _merged(draft: Draft, kept: ParticipantOut | None, side: Side) -> dict[str, Any]:
    """The registration's values: what the row states, else what the registration holds already, else nothing."""
    def pick(stated: Any, name: str, default: Any) -> Any:
        if stated is not None:
            return stated
        return getattr(kept, name) if kept is not None else default

    buyer = side is Side.buyer
    return {
        "quota": pick(draft.quota, "quota", 8), "available": pick(draft.available, "available", []),
        "groups": pick(draft.groups if buyer else None, "groups", []),
        "subgroups": pick(draft.subgroups if buyer else None, "subgroups", []),
        "min_stars": pick(draft.min_stars if buyer else None, "min_stars", None),
        "provinces": pick(draft.provinces if buyer else None, "provinces", []),
        "price_min": pick(draft.price_min if buyer else None, "price_min", None),
        "price_max": pick(draft.price_max if buyer else None, "price_max", None),
        "volume": pick(draft.volume if buyer else None, "volume", ""),
        "capacity": pick(None if buyer else draft.capacity, "capacity", ""),
        "min_order": pick(None if buyer else draft.min_order, "min_order", ""),
        "notes": pick(draft.notes, "notes", ""), "language": pick(draft.language, "language", "vi"),
    }


async def _plan(fair_id: int, sheet: HeadedRows) -> Plan:
    """Every row's plan against the catalogue, the conference's registrations and the rest of the sheet."""
    starts = await _slot_starts(fair_id)
    reading = registration_sheet.read_registrations(sheet, starts)
    parties = _Parties(
        await Producer.select(Producer.id, Producer.name, Producer.registration_code, Producer.province_code),
        await Buyer.select(Buyer.id, Buyer.name, Buyer.province_code))
    registered = {(p.side, p.buyer_id or p.producer_id): p for p in await services.participants(fair_id)}
    seen: dict[tuple[str, Any], int] = {}
    found: list[tuple[Draft, PlannedRow, dict | None]] = []
    for draft in reading.drafts:
        planned = PlannedRow(row=draft.row, name=draft.name, side=draft.side.value if draft.side else "",
                             values=draft.values)
        errors: dict[str, str | Msg] = dict(draft.problems)
        party = None
        if draft.side is Side.producer:
            party, problem, where = parties.producer(draft)
            if problem:
                errors.setdefault(where, problem)
            if party and not draft.name:  # found by its tax code alone
                errors.pop("name", None)
        elif draft.name and draft.side is Side.buyer:
            party, problem = parties.buyer(draft)
            if problem:
                errors.setdefault("name", problem)
        if draft.side is not None and (party or draft.name) and "name" not in errors and "code" not in errors:
            key = (draft.side.value, party["id"] if party else _key(draft.name))
            if key in seen:
                errors["name"] = Msg(N_("The same party is also on row %(row)s."), row=seen[key])
            seen.setdefault(key, draft.row)
        planned.party = party["name"] if party else ""
        planned.name = planned.name or planned.party
        planned.problems = {_heading(sheet, k): render(m, gettext) for k, m in errors.items()}
        found.append((draft, planned, party))
    named = await _products([p["id"] for d, _, p in found if p and d.side is Side.producer and d.products])
    for draft, planned, party in found:
        if draft.side is not None and not planned.problems:
            await _registration(draft, planned, party, registered, named, sheet)
    return Plan(rows=[planned for _, planned, _ in found],
                sections=[(row, side.value) for row, side in reading.sections], starts=starts)


async def _registration(draft: Draft, planned: PlannedRow, party: dict | None, registered: dict,
                        named: dict[int, dict[str, int]], sheet: HeadedRows) -> None:
    """Fills in the registration a good row makes (or its problems, found only now)."""
    side = draft.side or Side.buyer
    if side is Side.producer and party is None:  # a producer row without its producer has a problem already
        return
    errors: dict[str, str | Msg] = {}
    kept = registered.get((side.value, party["id"])) if party else None
    values = _merged(draft, kept, side)
    ignored = [_heading(sheet, name) for name in (_OFFER if side is Side.buyer else _NEEDS) if name in draft.stated]
    if ignored:
        planned.notes.append(render(Msg(N_("Not read for a buyer: %(columns)s.") if side is Side.buyer else
                                        N_("Not read for a producer: %(columns)s."), columns=", ".join(ignored)), gettext))
    if side is Side.buyer:
        party_ids: dict[str, Any] = {"buyer_id": party["id"] if party else None}
        if party is None:
            planned.new_buyer = BuyerIn(name=draft.name, kind=draft.buyer_kind or BuyerKind.other,
                                        province_code=draft.place.province_code if draft.place else "",
                                        contact_person=draft.contact, phone=draft.phone, email=draft.email)
            for name, message in catalog_services.buyer_errors(planned.new_buyer).items():
                errors.setdefault(_SHEET_FIELD.get(name, name), message)
            if draft.kind_written and draft.buyer_kind is None:
                planned.notes.append(render(Msg(N_("“%(value)s” is no kind of buyer we know: the new buyer's kind is "
                                                   "recorded as other."), value=draft.kind_written), gettext))
        if draft.code:
            planned.notes.append(gettext(N_("The catalogue keeps no tax code for buyers: found by its name.")))
    else:
        assert party is not None
        if draft.products:
            ids, unknown = list_values.named_products(named.get(party["id"], {}), draft.products)
            if unknown:
                errors["products"] = Msg(N_("Not among this producer's products in the catalogue: %(names)s."),
                                         names=", ".join(unknown))
        elif kept is not None and kept.product_ids:
            ids = kept.product_ids
        else:
            ids = await services.certified_products(party["id"])
            if not ids:
                planned.notes.append(gettext(N_("This producer has no OCOP product in the catalogue to offer.")))
        party_ids = {"producer_id": party["id"], "product_ids": ids}
    if values["price_min"] is not None and values["price_max"] is not None and values["price_min"] > values["price_max"]:
        errors.setdefault("price_max" if "price_max" in sheet.columns else "price", registration_sheet.PRICES_CROSSED)
    registration = ParticipantIn(side=side, **party_ids, **values)
    for name, message in problems(registration).items():
        errors.setdefault(_SHEET_FIELD.get(name.split(".")[0], name.split(".")[0]), message)
    if errors:
        planned.problems = {_heading(sheet, k): render(m, gettext) for k, m in errors.items()}
        planned.new_buyer = None
        return
    planned.registration = registration
    planned.action = UPDATE if kept is not None else REGISTER


# -- preview and commit ------------------------------------------------------------------------------------------


def _stored_name(fair_id: int, filename: str) -> str:
    # the conference the file was previewed for, and the name's end whole: it is read by its extension
    return f"meetings:{fair_id}:{filename[-200:]}"


async def preview_upload(fair_id: int, filename: str, content: bytes, actor: Actor) -> Preview:
    """Reads and checks an upload against the catalogue and the conference's registrations, keeps it for the
    commit, and says what each row would do; nothing else is written."""
    services.ensure_organizer(actor)
    await services.conference(fair_id)
    sheet = await asyncio.to_thread(read_sheet, filename, content)  # parsing a workbook is CPU work
    plan = await _plan(fair_id, sheet)
    token = secrets.token_urlsafe(24)
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=UPLOAD_HOURS)
    await ImportUpload.delete().where(ImportUpload.created_at < stale)  # abandoned previews
    await ImportUpload.insert(ImportUpload(token=token, filename=_stored_name(fair_id, filename), content=content,
                                           created_by=actor.user_id))
    return Preview(token=token, filename=filename, plan=plan)


async def commit_upload(fair_id: int, token: str, actor: Actor) -> Outcome:
    """Registers every good row of a previewed upload in one transaction, checked again, skipping the rows with
    problems; the kept file is taken in the same transaction, so a double click imports once. Audited."""
    services.ensure_organizer(actor)
    await services.conference(fair_id)
    prefix = _stored_name(fair_id, "")
    kept = await ImportUpload.select(ImportUpload.filename, ImportUpload.content).where(
        ImportUpload.token == token).first() if token else None
    if kept is None or not kept["filename"].startswith(prefix):  # gone, or another import's or conference's
        raise ValidationFailed({"file": EXPIRED})
    filename = kept["filename"][len(prefix):]
    sheet = await asyncio.to_thread(read_sheet, filename, kept["content"])  # before the transaction takes the writer
    async with Participant._meta.db.transaction():
        if not await ImportUpload.delete().where(ImportUpload.token == token).returning(ImportUpload.id):
            raise ValidationFailed({"file": EXPIRED})  # committed meanwhile, by a double click or another organizer
        plan = await _plan(fair_id, sheet)
        created = []
        for planned in plan.ready:
            registration = planned.registration
            assert registration is not None
            if planned.new_buyer is not None:
                buyer = await catalog_services.create_buyer(planned.new_buyer, actor)
                created.append(buyer)
                registration = msgspec.structs.replace(registration, buyer_id=buyer)
            await services.register(fair_id, registration, actor)
        await record_audit(actor, "import", "fair", fair_id, None, {
            "file": filename, "registered": plan.registered, "updated": plan.updated, "buyers_created": created,
            "skipped_rows": [r.row for r in plan.with_problems]})
    return Outcome(registered=plan.registered, updated=plan.updated, buyers_created=len(created),
                   skipped=plan.with_problems)


def template_workbook() -> bytes:
    """A blank sheet with the headings the import reads, and one example row."""
    headings = ["STT", "Tên doanh nghiệp/HTX", "Bên", "Loại hình", "Mã số thuế", "Tỉnh/thành phố",
                "Nhóm sản phẩm quan tâm", "Bộ sản phẩm quan tâm", "Hạng sao tối thiểu", "Tỉnh quan tâm", "Giá từ",
                "Giá đến", "Sản lượng cần", "Sản phẩm chào bán", "Năng lực cung ứng", "Đơn hàng tối thiểu",
                "Số cuộc gặp tối đa", "Khung giờ", "Người liên hệ", "Email", "Điện thoại", "Ngôn ngữ", "Ghi chú"]
    example = [1, "Công ty CP Phân phối Nông sản Việt", "Bên mua", "Nhà phân phối", "", "Hà Nội", "Thực phẩm; Đồ uống",
               "Chè; Cà phê, ca cao", "4 sao", "Hà Nội, Hưng Yên", "50.000", "200.000", "2 tấn/tháng", "", "", "", 6,
               "Sáng", "Nguyễn Văn An", "lienhe@example.vn", "0912 345 678", "Tiếng Việt", ""]
    return workbook_of([("Dang ky ket noi", headings, [example])])
