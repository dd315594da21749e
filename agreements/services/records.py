"""Agreements as records: create (checked whole), edit, move through the workflow, read and list.

Who may see what: organizers and admins see every agreement; a producer's users see the
agreements their producer is party to; viewers see them all but change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.querystring import QueryString

from accounts.enums import Role
from agreements import fulfilment as maths
from agreements import quantities
from agreements.enums import CLOSING, TRANSITIONS, AgreementStatus, Party
from agreements.quantities import shown
from agreements.schemas import (
    MAX_AMOUNT,
    AgreementFilter,
    AgreementIn,
    AgreementOut,
    AgreementPage,
    AgreementRow,
    AttachmentOut,
    DeliveryOut,
    LineOut,
    MilestoneChangeOut,
    MilestoneOut,
)
from agreements.services import documents
from agreements.services.rights import EDITORS, ensure_editor
from agreements.tables import (
    Agreement,
    AgreementLine,
    AgreementProducer,
    Delivery,
    Milestone,
    Signatory,
)
from catalog.services import today
from core import fields
from core.audit import Actor, record_audit
from core.database import fetch_rows, fetch_tuples, insert_many, is_sqlite
from core.errors import N_, Conflict, Forbidden, Msg, NotFound, ValidationFailed
from core.ids import is_id
from core.text import fold
from core.workflow import ensure_transition


def as_key(value: int | None) -> int:
    """An id a filter compares with: one no record can have becomes 0, which none has, instead of
    reaching the database past the width of its integer column."""
    return value if is_id(value) else 0


async def party_producers(agreement_id: int) -> set[int]:
    return {r["producer"] for r in await AgreementProducer.select(AgreementProducer.producer).where(
        AgreementProducer.agreement == as_key(agreement_id))}


def ensure_reader(actor: Actor | None) -> None:
    """The roles that read agreements at all: refused the same whatever the id, so a refusal tells nothing."""
    if actor is None:
        raise Forbidden(N_("Log in to continue."))
    if actor.role not in (*EDITORS, Role.viewer, Role.producer):
        raise Forbidden(N_("Your role does not allow this."))


async def ensure_can_see(actor: Actor | None, agreement_id: int) -> None:
    """Organizers, admins and viewers see every agreement; a producer only those it is party to: to it,
    another's agreement is as if it did not exist (404, like a missing id)."""
    ensure_reader(actor)
    assert actor is not None
    if actor.role is Role.producer and not (actor.producer_ids & await party_producers(agreement_id)):
        raise NotFound(N_("This agreement does not exist."))


async def agreement_row(agreement_id: int) -> dict[str, Any]:
    row = await Agreement.select().where(Agreement.id == agreement_id).first() if is_id(agreement_id) else None
    if row is None:
        raise NotFound(N_("This agreement does not exist."))
    return row


# -- checking ----------------------------------------------------------------------------------------


@dataclass
class Lookup:
    """What checking agreements reads from the database, read once for many (an import)."""

    buyers: set[int]
    producers: set[int]
    fairs: set[int]
    products: dict[int, dict]
    taken_codes: set[str]


async def lookup_for(datas: list[AgreementIn], agreement_id: int | None = None) -> Lookup:
    """The buyers, producers, fairs, products and taken codes that `datas` name, in five queries."""
    buyer_ids = {d.buyer_id for d in datas if is_id(d.buyer_id)}
    producer_ids = {p for d in datas for p in d.producer_ids if is_id(p)}
    fair_ids = {d.fair_id for d in datas if is_id(d.fair_id)}
    product_ids = {line.product_id for d in datas for line in d.lines if is_id(line.product_id)}
    codes = {d.code.strip().upper() for d in datas if d.code.strip()}
    return Lookup(
        buyers={r[0] for r in await _known("SELECT id FROM buyer WHERE id IN ({})", buyer_ids)},
        producers={r[0] for r in await _known("SELECT id FROM producer WHERE id IN ({})", producer_ids)},
        fairs={r[0] for r in await _known("SELECT id FROM fair WHERE id IN ({})", fair_ids)},
        products={r[0]: {"id": r[0], "name": r[1], "producer": r[2], "unit": r[3]} for r in await _known(
            "SELECT id, name, producer, unit FROM product WHERE id IN ({})", product_ids)},
        taken_codes={r[0] for r in await _known("SELECT code FROM agreement WHERE code IN ({}) AND id <> {}", codes,
                                                as_key(agreement_id))})


async def _known(sql: str, keys: set, *more: Any) -> list[Sequence]:
    """The rows of `sql` for `keys` (its first `{}` stands for the list of them); none without a query when there are none."""
    if not keys:
        return []
    ordered = list(keys)
    return await fetch_tuples(Agreement._meta.db, sql.replace("{}", ", ".join("{}" for _ in ordered), 1), *ordered, *more)


async def _checked(data: AgreementIn, agreement_id: int | None,
                   lookup: Lookup | None = None) -> tuple[dict[str, Any], list[dict], dict[int, dict]]:
    """Every problem of the agreement at once; else (values, lines with their values, products)."""
    lookup = lookup or await lookup_for([data], agreement_id)
    errors: dict[str, Any] = fields.problems(data)
    if data.buyer_id not in lookup.buyers:
        errors["buyer_id"] = N_("Choose a buyer from the list.")
    known = {p for p in data.producer_ids if p in lookup.producers}
    if data.producer_ids and len(known) != len(set(data.producer_ids)):
        errors["producer_ids"] = N_("Choose producers from the list.")
    if data.fair_id is not None and data.fair_id not in lookup.fairs:
        errors["fair_id"] = N_("Choose a fair from the list.")
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        errors["valid_until"] = N_("The term cannot end before it starts.")
    if data.valid_until and data.valid_until < data.signed_on:
        errors["valid_until"] = N_("The term cannot end before the agreement is signed.")
    if data.signed_on > today() + dt.timedelta(days=366):
        errors["signed_on"] = N_("Enter the date it was (or will be) signed.")
    code = data.code.strip().upper()
    if code and code in lookup.taken_codes:
        errors["code"] = N_("Another agreement has this code.")
    if data.status not in (AgreementStatus.draft, AgreementStatus.signed):
        errors["status"] = N_("A new agreement is a draft or signed.")
    products = lookup.products
    lines: list[dict[str, Any]] = []
    for number, line in enumerate(data.lines):
        where = f"lines.{number}"
        product = products.get(line.product_id)
        if product is None:
            errors[f"{where}.product_id"] = N_("Choose a product from the list.")
        elif product["producer"] not in known:
            errors[f"{where}.product_id"] = Msg(N_("“%(name)s” is not a product of the agreement's producers."),
                                                name=product["name"])
        quantity = _stored(line.quantity, f"{where}.quantity", errors)
        value = line.value if line.value is not None else quantities.value_of(quantity, line.unit_price)
        if f"{where}.value" not in errors and not 0 <= value <= MAX_AMOUNT:  # the product of two that keep theirs
            errors[f"{where}.value"] = N_("Enter a value in đồng, not negative.")
        lines.append({"product": line.product_id, "producer": product["producer"] if product else None,
                      "quantity": quantity, "unit": line.unit.strip() or (product or {}).get("unit", ""),
                      "unit_price": line.unit_price, "value": value})
    producers = list(dict.fromkeys(data.producer_ids))
    for number, signatory in enumerate(data.signatories):
        where = f"signatories.{number}"
        if signatory.party is Party.producer and signatory.producer_id is None and len(producers) > 1:
            errors[f"{where}.producer_id"] = N_("Say which producer this representative signs for.")
        elif signatory.producer_id is not None and (signatory.party is not Party.producer
                                                    or signatory.producer_id not in producers):
            errors[f"{where}.producer_id"] = N_("A producer's representative signs for one of the agreement's producers.")
        if signatory.signed_on and signatory.signed_on < data.signed_on - dt.timedelta(days=366):
            errors[f"{where}.signed_on"] = N_("Enter the day this party signed.")
    for number, milestone in enumerate(data.milestones):
        where = f"milestones.{number}"
        if milestone.due_on < data.signed_on or (data.valid_until and milestone.due_on > data.valid_until):
            errors[f"{where}.due_on"] = N_("A milestone falls within the agreement's term.")
        if milestone.line is not None and not 0 <= milestone.line < len(data.lines):
            errors[f"{where}.line"] = N_("Choose one of the agreement's lines.")
        if milestone.quantity is not None:
            _stored(milestone.quantity, f"{where}.quantity", errors)
    if errors:
        raise ValidationFailed(errors)
    values = {"kind": data.kind.value, "fair": data.fair_id, "place": data.place.strip(), "signed_on": data.signed_on,
              "buyer": data.buyer_id, "valid_from": data.valid_from or data.signed_on, "valid_until": data.valid_until,
              "committed_value": sum(line["value"] for line in lines), "notes": data.notes.strip()}
    return values, lines, products


def _stored(quantity: float, where: str, errors: dict[str, Any]) -> int:
    """A quantity in thousandths; a fourth decimal is named where it was typed."""
    try:
        return quantities.stored(quantity)
    except ValueError:
        errors.setdefault(where, N_("Enter a quantity with at most three decimals."))
        return 0


async def new_code(fair_id: int | None, signed_on: dt.date) -> str:
    """The next free code of the fair (or of agreements signed elsewhere) in the year: HN12-2026-0007.
    Call it in the transaction that saves the agreement: the number is taken from the prefix's counter
    there, so two clerks saving at once get two numbers (PostgreSQL locks the counter row; SQLite has one writer)."""
    prefix = f"HN{fair_id}-{signed_on.year}-" if fair_id else f"TT-{signed_on.year}-"
    db = Agreement._meta.db
    while True:
        await db.run_querystring(QueryString("UPDATE agreement_code_counter SET last_number = last_number + 1 WHERE prefix = {}", prefix))
        found = await fetch_tuples(db, "SELECT last_number FROM agreement_code_counter WHERE prefix = {}", prefix)
        if found:
            number = found[0][0]
        else:  # the prefix's first generated code: counted on from the highest code already there
            if not is_sqlite(db):  # two first codes of a prefix at once would both insert the counter
                await db.run_querystring(QueryString("SELECT pg_advisory_xact_lock(hashtext({}))", prefix))
            number = await _highest_number(prefix) + 1
            await db.run_querystring(QueryString(
                "INSERT INTO agreement_code_counter (prefix, last_number) VALUES ({}, {}) "
                "ON CONFLICT (prefix) DO UPDATE SET last_number = agreement_code_counter.last_number + 1", prefix, number))
            number = (await fetch_tuples(db, "SELECT last_number FROM agreement_code_counter WHERE prefix = {}", prefix))[0][0]
        code = f"{prefix}{number:04d}"
        if not await fetch_tuples(db, "SELECT 1 FROM agreement WHERE code = {}", code):
            return code  # else typed by hand already: the next number


async def _highest_number(prefix: str) -> int:
    """The highest number among the codes of the prefix (numbers past 9999 sort before 9999 as text:
    longest first). Read once per prefix, when its counter starts."""
    rows = await fetch_rows(Agreement._meta.db, "SELECT code FROM agreement WHERE code > {} AND code < {} "
                               "ORDER BY LENGTH(code) DESC, code DESC LIMIT 20", prefix, f"{prefix}:")
    return max(_numbers(rows, prefix), default=0)


def _numbers(rows: list[dict], prefix: str) -> list[int]:
    return [int(r["code"][len(prefix):]) for r in rows if r["code"][len(prefix):].isdigit()]


async def _write_parts(agreement_id: int, data: AgreementIn, lines: list[dict]) -> None:
    await insert_many(AgreementProducer, [{"agreement": agreement_id, "producer": p} for p in dict.fromkeys(data.producer_ids)])
    line_ids = await insert_many(AgreementLine, [{"agreement": agreement_id, **line} for line in lines], returning=True)
    await insert_many(Milestone, [{"agreement": agreement_id, "due_on": m.due_on, "description": m.description.strip(),
                                   "line": line_ids[m.line] if m.line is not None else None,
                                   "quantity": None if m.quantity is None else quantities.stored(m.quantity)}
                                  for m in data.milestones])
    only = data.producer_ids[0] if len(set(data.producer_ids)) == 1 else None
    await insert_many(Signatory, [{"agreement": agreement_id, "party": s.party.value, "name": s.name.strip(),
                                   "title": s.title.strip(), "organisation": s.organisation.strip(),
                                   "producer": s.producer_id or (only if s.party is Party.producer else None),
                                   "signed_on": s.signed_on}
                                  for s in data.signatories])


async def create_agreement(data: AgreementIn, actor: Actor) -> int:
    """Records an agreement with its producers, lines, milestones and signatories, all or nothing.

    Refused whole when a line's product is not one of the producers', an amount is negative, or the
    term ends before it starts. The code is generated per fair and year when left out.
    """
    ensure_editor(actor)
    values, lines, _ = await _checked(data, None)
    async with Agreement._meta.db.transaction():
        code = data.code.strip().upper() or await new_code(data.fair_id, data.signed_on)
        template = await documents.version_for_new(data.kind)  # the articles it is signed with, kept
        (agreement_id,) = await insert_many(Agreement, [{"code": code, "status": data.status.value, "template": template,
                                                         "created_by": actor.user_id, **values}], returning=True)
        await _write_parts(agreement_id, data, lines)
        await record_audit(actor, "create", "agreement", agreement_id, None,
                           {**values, "code": code, "lines": len(lines), "producers": data.producer_ids})
    return agreement_id


async def update_agreement(agreement_id: int, data: AgreementIn, actor: Actor) -> None:
    """Replaces an agreement's terms while nothing has been delivered against it; audited."""
    ensure_editor(actor)
    values, lines, _ = await _checked(data, agreement_id)
    async with Agreement._meta.db.transaction():
        before = await agreement_row(agreement_id)
        if AgreementStatus(before["status"]) in CLOSING:
            raise Conflict(N_("A closed agreement cannot be edited."))
        if await Delivery.exists().where(Delivery.agreement == agreement_id):
            raise Conflict(N_("Deliveries are recorded against this agreement: its lines can no longer change."))
        code = data.code.strip().upper() or before["code"]
        for table in (Milestone, Signatory, AgreementLine, AgreementProducer):
            await table.delete().where(table.agreement == agreement_id)
        await Agreement.update({**cast("dict[Column | str, Any]", values), "code": code, "updated_at": dt.datetime.now(dt.UTC)}).where(
            Agreement.id == agreement_id)
        await _write_parts(agreement_id, data, lines)
        await record_audit(actor, "update", "agreement", agreement_id, {k: before[k] for k in values},
                           {**values, "code": code})


async def change_status(agreement_id: int, target: AgreementStatus, actor: Actor) -> None:
    """Moves an agreement along its workflow; any other transition is refused."""
    ensure_editor(actor)
    async with Agreement._meta.db.transaction():
        row = await agreement_row(agreement_id)
        current = AgreementStatus(row["status"])
        ensure_transition(TRANSITIONS, current, target, N_("An agreement cannot go from “%(current)s” to “%(target)s”."))
        await Agreement.update({Agreement.status: target.value, Agreement.updated_at: dt.datetime.now(dt.UTC)}).where(
            Agreement.id == agreement_id)
        await record_audit(actor, "status", "agreement", agreement_id, {"status": current.value}, {"status": target.value})


# -- reading -----------------------------------------------------------------------------------------


# An agreement's record and parts, written once as SQL: Piccolo rebuilt each of these selects with
# its joins on every read, which cost more than the database took to answer them.
_RECORD = ("SELECT a.*, b.name AS buyer_name, b.kind AS buyer_kind, b.province_code AS buyer_province, "
           "f.name AS fair_name, f.province_code AS fair_province_code FROM agreement a "
           "JOIN buyer b ON b.id = a.buyer LEFT JOIN fair f ON f.id = a.fair WHERE a.id = {}")
_PARTS = {
    "producers": "SELECT p.id, p.name, p.province_code, p.address, p.commune FROM agreement_producer ap "
                 "JOIN producer p ON p.id = ap.producer "
                 "WHERE ap.agreement = {} ORDER BY ap.id",
    "lines": "SELECT l.*, pr.name AS product_name, pd.name AS producer_name FROM agreement_line l "
             "LEFT JOIN product pr ON pr.id = l.product LEFT JOIN producer pd ON pd.id = l.producer "
             "WHERE l.agreement = {} ORDER BY l.id",
    "milestones": "SELECT * FROM milestone WHERE agreement = {} ORDER BY due_on, id",
    "changes": "SELECT mc.milestone, mc.previous_due_on, mc.due_on, mc.agreed_on, mc.reason FROM milestone_change mc "
               "JOIN milestone m ON m.id = mc.milestone WHERE m.agreement = {} ORDER BY mc.agreed_on, mc.id",
    "deliveries": "SELECT d.*, pr.name AS product_name FROM delivery d LEFT JOIN agreement_line l ON l.id = d.line "
                  "LEFT JOIN product pr ON pr.id = l.product WHERE d.agreement = {} ORDER BY d.delivered_on, d.id",
    "attachments": "SELECT * FROM attachment WHERE agreement = {} ORDER BY id",
    "signatories": "SELECT party, producer AS producer_id, name, title, organisation, signed_on FROM signatory "
                   "WHERE agreement = {} ORDER BY id",
}


async def _parts(agreement_id: int) -> dict[str, list[dict[str, Any]]]:
    return {name: await fetch_rows(Agreement._meta.db, sql, agreement_id) for name, sql in _PARTS.items()}


async def get_agreement(agreement_id: int, actor: Actor | None) -> AgreementOut:
    """The agreement with its lines, milestones, deliveries, scans and fulfilment today."""
    ensure_reader(actor)
    found = await fetch_rows(Agreement._meta.db, _RECORD, agreement_id) if is_id(agreement_id) else []
    if not found:
        raise NotFound(N_("This agreement does not exist."))
    row = found[0]
    await ensure_can_see(actor, agreement_id)
    parts = await _parts(agreement_id)
    lines, milestones, deliveries = parts["lines"], parts["milestones"], parts["deliveries"]
    changes: dict[int, list[dict]] = {}
    for change in parts["changes"]:
        changes.setdefault(change["milestone"], []).append(change)
    result = maths.fulfilment(
        [maths.LineTerms(r["id"], r["quantity"], r["value"]) for r in lines],
        [maths.DeliveryFact(d["line"], d["delivered_on"], d["quantity"], d["value"]) for d in deliveries],
        [maths.MilestoneTerms(m["id"], m["due_on"], m["line"], m["quantity"], m["done_on"],
                              tuple((c["previous_due_on"], c["agreed_on"]) for c in changes.get(m["id"], [])))
         for m in milestones],
        row["valid_until"], today())
    per_line = {f.line: f for f in result.lines}
    states = {m.id: m for m in result.milestones}
    status = AgreementStatus(row["status"])
    suggestion = maths.closing_status(result, row["valid_until"], today()) if status in (
        AgreementStatus.signed, AgreementStatus.in_progress) else None
    return AgreementOut(
        id=row["id"], code=row["code"], kind=row["kind"], status=status, fair_id=row["fair"],
        fair_name=row["fair_name"] or "", place=row["place"], signed_on=row["signed_on"], buyer_id=row["buyer"],
        buyer_name=row["buyer_name"], buyer_kind=row["buyer_kind"], buyer_province=row["buyer_province"] or "",
        fair_province_code=row["fair_province_code"] or "", template_id=row["template"], producers=parts["producers"],
        signatories=parts["signatories"], valid_from=row["valid_from"], valid_until=row["valid_until"],
        committed_value=result.committed_value, delivered_value=result.delivered_value, share=round(result.share, 4),
        on_time_value=result.on_time_value, late_value=result.late_value,
        overdue_milestones=len(result.overdue), suggested_status=suggestion, notes=row["notes"],
        lines=[LineOut(id=r["id"], producer_id=r["producer"], producer_name=r["producer_name"], product_id=r["product"],
                       product_name=r["product_name"], quantity=shown(r["quantity"]), unit=r["unit"],
                       unit_price=r["unit_price"], value=r["value"],
                       delivered_quantity=shown(per_line[r["id"]].delivered_quantity),
                       delivered_value=per_line[r["id"]].delivered_value,
                       remaining_quantity=shown(per_line[r["id"]].remaining_quantity),
                       on_time_quantity=shown(per_line[r["id"]].on_time_quantity),
                       late_quantity=shown(per_line[r["id"]].late_quantity),
                       on_time_value=per_line[r["id"]].on_time_value, late_value=per_line[r["id"]].late_value)
               for r in lines],
        milestones=[MilestoneOut(id=m["id"], due_on=m["due_on"], description=m["description"], line_id=m["line"],
                                 quantity=None if m["quantity"] is None else shown(m["quantity"]),
                                 met_on=states[m["id"]].met_on,
                                 overdue=states[m["id"]].overdue, late=states[m["id"]].late,
                                 original_due_on=changes[m["id"]][0]["previous_due_on"] if m["id"] in changes else None,
                                 changes=[MilestoneChangeOut(previous_due_on=c["previous_due_on"], due_on=c["due_on"],
                                                             agreed_on=c["agreed_on"], reason=c["reason"])
                                          for c in changes.get(m["id"], [])]) for m in milestones],
        deliveries=[DeliveryOut(id=d["id"], line_id=d["line"], product_name=d["product_name"],
                                delivered_on=d["delivered_on"], quantity=shown(d["quantity"]), value=d["value"],
                                over_delivery=d["over_delivery"], note=d["note"], evidence_id=d["evidence"],
                                buyer_confirmed_at=d["buyer_confirmed_at"], buyer_note=d["buyer_note"])
                    for d in deliveries],
        attachments=[AttachmentOut(id=a["id"], filename=a["filename"], media_type=a["media_type"], size=a["size"],
                                   sha256=a["sha256"], uploaded_at=a["uploaded_at"]) for a in parts["attachments"]],
    )


def overdue_clause(on: dt.date):
    """Agreements still running with a milestone past due and unmet."""
    return Agreement.id.is_in(
        Milestone.select(Milestone.agreement).where(Milestone.due_on < on, Milestone.done_on.is_null())
    ) & Agreement.status.is_in([AgreementStatus.signed.value, AgreementStatus.in_progress.value])


def _clauses(filters: AgreementFilter, actor: Actor | None) -> list:
    clauses: list[Combinable] = []
    if filters.fair_id:
        clauses.append(Agreement.fair == as_key(filters.fair_id))
    elif filters.signed_at_no_fair:
        clauses.append(Agreement.fair.is_null())
    if filters.buyer_id:
        clauses.append(Agreement.buyer == as_key(filters.buyer_id))
    if filters.producer_id:
        clauses.append(Agreement.id.is_in(AgreementProducer.select(AgreementProducer.agreement).where(
            AgreementProducer.producer == as_key(filters.producer_id))))
    if filters.province_code:
        clauses.append(Agreement.id.is_in(AgreementProducer.select(AgreementProducer.agreement).where(
            AgreementProducer.producer.province_code == filters.province_code)))
    if filters.status:
        clauses.append(Agreement.status == filters.status)
    if filters.overdue:
        clauses.append(overdue_clause(today()))
    if filters.q.strip():
        words = fold(filters.q).split()[:5]
        for word in words:
            clauses.append(Agreement.code.ilike(f"%{word}%") | Agreement.buyer.search_text.like(f"%{word}%"))
    if actor is not None and actor.role is Role.producer:
        clauses.append(Agreement.id.is_in(AgreementProducer.select(AgreementProducer.agreement).where(
            AgreementProducer.producer.is_in(list(actor.producer_ids) or [0]))))
    return clauses


async def list_agreements(filters: AgreementFilter, actor: Actor | None) -> AgreementPage:
    """A page of agreements matching the filters (a producer sees only its own)."""
    if actor is None:
        raise Forbidden(N_("Log in to continue."))
    page = min(max(1, filters.page), 100_000)  # as in the catalogue: a far page's offset overflows PostgreSQL's bigint
    size = min(max(1, filters.page_size), 500)
    clauses = _clauses(filters, actor)
    query = Agreement.select(Agreement.id, Agreement.code, Agreement.kind, Agreement.status, Agreement.signed_on,
                             Agreement.fair, Agreement.buyer.name, Agreement.committed_value, Agreement.delivered_value)
    count = Agreement.count()
    for clause in clauses:
        query = query.where(clause)
        count = count.where(clause)
    rows = await query.order_by(Agreement.signed_on, ascending=False).order_by(Agreement.id, ascending=False).limit(
        size).offset((page - 1) * size)
    ids = [r["id"] for r in rows] or [0]
    names: dict[int, list[str]] = {}
    for p in await AgreementProducer.select(AgreementProducer.agreement, AgreementProducer.producer.name).where(
            AgreementProducer.agreement.is_in(ids)):
        names.setdefault(p["agreement"], []).append(p["producer.name"])
    late = {r["agreement"] for r in await Milestone.select(Milestone.agreement).where(
        Milestone.agreement.is_in(ids), Milestone.due_on < today(), Milestone.done_on.is_null())}
    running = (AgreementStatus.signed.value, AgreementStatus.in_progress.value)
    items = [AgreementRow(id=r["id"], code=r["code"], kind=r["kind"], status=AgreementStatus(r["status"]),
                          signed_on=r["signed_on"], fair_id=r["fair"], buyer_name=r["buyer.name"],
                          producers=", ".join(names.get(r["id"], [])), committed_value=r["committed_value"],
                          delivered_value=r["delivered_value"], overdue=r["id"] in late and r["status"] in running)
             for r in rows]
    return AgreementPage(items=items, total=await count, page=page, page_size=size)

