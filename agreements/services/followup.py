"""Following an agreement up: deliveries against its lines, milestones met or marked done, and
attached scans (type checked from the content, stored on disk by checksum)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from piccolo.querystring import QueryString

from accounts.enums import Role
from agreements import fulfilment as maths
from agreements import quantities
from agreements.enums import DELIVERING, AgreementStatus
from agreements.schemas import MAX_AMOUNT, DeliveryIn, RescheduleIn
from agreements.services.records import (
    agreement_row,
    as_key,
    ensure_can_see,
    ensure_editor,
    party_producers,
)
from agreements.tables import Agreement, AgreementLine, Attachment, Delivery, Milestone, MilestoneChange
from catalog.services import today
from core import fields, formatting, i18n, pdf_safety, uploads
from core.audit import Actor, record_audit
from core.database import fetch_rows
from core.errors import N_, Conflict, Forbidden, Msg, NotFound, ValidationFailed
from core.ids import is_id

MAX_FILE_BYTES = 10 * 1024 * 1024
# The first bytes of each accepted type: a file is what its content says, not what its name says.
SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


async def _ensure_party_or_editor(actor: Actor, agreement_id: int) -> None:
    if actor.role in (Role.admin, Role.organizer):
        return
    if actor.role is not Role.producer:
        raise Forbidden(N_("Only organizers and the agreement's producers may do this."))
    if not actor.producer_ids & await party_producers(agreement_id):
        raise NotFound(N_("This agreement does not exist."))  # another's: as if it did not exist


async def _hold(agreement_id: int) -> None:
    """Holds the agreement's row to the end of the transaction on PostgreSQL, so that deliveries to it
    queue: what a line has left and the delivered value are read after the previous one is written.
    (On SQLite every transaction already holds the one write lock from its start.)"""
    if Agreement._meta.db.engine_type == "postgres" and is_id(agreement_id):
        await Agreement.select(Agreement.id).where(Agreement.id == agreement_id).lock_rows()


async def _count_in(agreement_id: int, line_id: int, quantity: int, value: int, valid_until: dt.date | None) -> None:
    """Adds a delivery to the delivered totals kept on its line and agreement, and keeps the met dates
    of the line's quantity milestones in step (a delivery dated in the past can meet one earlier).
    Totals are added to, not summed again: an agreement delivered against daily grows by a row a day."""
    db = Agreement._meta.db
    await db.run_querystring(QueryString(
        "UPDATE agreement_line SET delivered_quantity = delivered_quantity + {}, delivered_value = delivered_value + {} "
        "WHERE id = {}", quantity, value, line_id))
    await db.run_querystring(QueryString("UPDATE agreement SET delivered_value = delivered_value + {}, updated_at = {} "
                                         "WHERE id = {}", value, dt.datetime.now(dt.UTC), agreement_id))
    milestones = await fetch_rows(Milestone._meta.db, "SELECT * FROM milestone WHERE line = {} AND quantity IS NOT NULL", line_id)
    if not milestones:
        return
    line = (await fetch_rows(AgreementLine._meta.db, "SELECT id, quantity, value FROM agreement_line WHERE id = {}", line_id))[0]
    deliveries = await fetch_rows(Delivery._meta.db, "SELECT line, delivered_on, quantity, value FROM delivery WHERE line = {}", line_id)
    result = maths.fulfilment([maths.LineTerms(line["id"], line["quantity"], line["value"])],
                              [maths.DeliveryFact(**d) for d in deliveries],
                              [maths.MilestoneTerms(m["id"], m["due_on"], m["line"], m["quantity"], None) for m in milestones],
                              valid_until, today())
    met = {m.id: m.met_on for m in result.milestones}
    for milestone in milestones:
        if met.get(milestone["id"]) != milestone["done_on"]:
            await Milestone.update({Milestone.done_on: met.get(milestone["id"])}).where(Milestone.id == milestone["id"])


async def record_delivery(agreement_id: int, data: DeliveryIn, actor: Actor) -> int:
    """Records goods delivered against a line; the first delivery moves a signed agreement to in progress.

    Refused whole when the agreement is not running, the day is outside its term, the quantity or
    value is not positive, or the quantity is more than the line has left without `over_delivery`.
    """
    await _ensure_party_or_editor(actor, agreement_id)
    errors = fields.problems(data)
    if errors:
        raise ValidationFailed(errors)
    try:
        quantity = quantities.stored(data.quantity)
    except ValueError:
        raise ValidationFailed({"quantity": N_("Enter a quantity with at most three decimals.")}) from None
    async with Agreement._meta.db.transaction():
        await _hold(agreement_id)
        row = await agreement_row(agreement_id)
        status = AgreementStatus(row["status"])
        if status not in DELIVERING:
            raise Conflict(N_("Deliveries are recorded against signed agreements that are still running."))
        line = await AgreementLine.select().where(AgreementLine.id == as_key(data.line_id),
                                                  AgreementLine.agreement == agreement_id).first()
        if line is None:
            raise ValidationFailed({"line_id": N_("Choose one of this agreement's lines.")})
        if data.delivered_on < row["signed_on"] or (row["valid_until"] and data.delivered_on > row["valid_until"]):
            raise ValidationFailed({"delivered_on": Msg(N_("The agreement runs from %(start)s to %(end)s."),
                                                        start=row["signed_on"].strftime("%d/%m/%Y"),
                                                        end=row["valid_until"].strftime("%d/%m/%Y") if row["valid_until"] else "…")})
        if data.delivered_on > today():
            raise ValidationFailed({"delivered_on": N_("A delivery is recorded once it has happened.")})
        remaining = line["quantity"] - line["delivered_quantity"]
        if quantity > remaining and not data.over_delivery:
            raise ValidationFailed({"quantity": Msg(N_("Only %(n)s %(unit)s are left on this line; confirm an "
                                                       "over-delivery to record more."),
                                                    n=formatting.number(quantities.shown(max(0, remaining))),
                                                    unit=line["unit"])})
        if data.evidence_id is not None and not await Attachment.exists().where(
                Attachment.id == data.evidence_id, Attachment.agreement == agreement_id):
            raise ValidationFailed({"evidence_id": N_("Attach the evidence to this agreement first.")})
        value = data.value if data.value is not None else quantities.value_of(quantity, line["unit_price"])
        if value > MAX_AMOUNT:  # quantity × price past any real amount (and past a BIGINT)
            raise ValidationFailed({"quantity": N_("This quantity is too large.")})
        values: dict[str, Any] = {"line": data.line_id, "delivered_on": data.delivered_on, "quantity": quantity, "value": value,
                  "over_delivery": data.over_delivery and quantity > remaining, "note": data.note.strip(),
                  "evidence": data.evidence_id}
        delivery = (await Delivery.insert(Delivery(agreement=agreement_id, recorded_by=actor.user_id, **values)))[0]
        if status is AgreementStatus.signed:
            await Agreement.update({Agreement.status: AgreementStatus.in_progress.value}).where(Agreement.id == agreement_id)
        await _count_in(agreement_id, data.line_id, quantity, value, row["valid_until"])
        await record_audit(actor, "deliver", "agreement", agreement_id, None, values)
    return delivery["id"]


async def mark_milestone(agreement_id: int, milestone_id: int, done_on: dt.date | None, actor: Actor) -> None:
    """Marks a milestone that deliveries cannot meet (no quantity, or no line) as done on a day (or not done)."""
    ensure_editor(actor)
    async with Agreement._meta.db.transaction():
        await agreement_row(agreement_id)
        milestone = await Milestone.select().where(Milestone.id == as_key(milestone_id),
                                                   Milestone.agreement == agreement_id).first()
        if milestone is None:
            raise NotFound(N_("This milestone does not exist."))
        if milestone["quantity"] and milestone["line"]:
            raise Conflict(N_("This milestone is met by deliveries, not by hand."))
        await Milestone.update({Milestone.done_on: done_on}).where(Milestone.id == milestone_id)
        await record_audit(actor, "milestone", "agreement", agreement_id, {"done_on": milestone["done_on"]},
                           {"milestone": milestone_id, "done_on": done_on})


async def reschedule_milestone(agreement_id: int, milestone_id: int, data: RescheduleIn, actor: Actor) -> None:
    """Moves a milestone the parties agreed to move, even after deliveries: the old date and the reason
    stay on record, and deliveries made before the day it was agreed are still judged against the old date."""
    ensure_editor(actor)
    if errors := fields.problems(data):
        raise ValidationFailed(errors)
    agreed_on = data.agreed_on or today()
    async with Agreement._meta.db.transaction():
        row = await agreement_row(agreement_id)
        if AgreementStatus(row["status"]) not in DELIVERING:
            raise Conflict(N_("Milestones are moved while the agreement is running."))
        milestone = await Milestone.select().where(Milestone.id == as_key(milestone_id),
                                                   Milestone.agreement == agreement_id).first()
        if milestone is None:
            raise NotFound(N_("This milestone does not exist."))
        if milestone["done_on"] is not None:
            raise Conflict(N_("This milestone is met already: there is nothing to move."))
        if data.due_on < row["signed_on"] or (row["valid_until"] and data.due_on > row["valid_until"]):
            raise ValidationFailed({"due_on": Msg(N_("The agreement runs from %(start)s to %(end)s."),
                                                  start=row["signed_on"].strftime("%d/%m/%Y"),
                                                  end=row["valid_until"].strftime("%d/%m/%Y") if row["valid_until"] else "…")})
        if agreed_on < row["signed_on"] or agreed_on > today():
            raise ValidationFailed({"agreed_on": N_("Give the day the parties agreed the new date (not in the future).")})
        if data.due_on == milestone["due_on"]:
            return  # the same date again: nothing moves, nothing to record
        await MilestoneChange.insert(MilestoneChange(milestone=milestone_id, previous_due_on=milestone["due_on"],
                                                     due_on=data.due_on, agreed_on=agreed_on, reason=data.reason.strip(),
                                                     changed_by=actor.user_id))
        await Milestone.update({Milestone.due_on: data.due_on}).where(Milestone.id == milestone_id)
        await record_audit(actor, "reschedule", "agreement", agreement_id, {"due_on": milestone["due_on"]},
                           {"milestone": milestone_id, "due_on": data.due_on, "agreed_on": agreed_on,
                            "reason": data.reason.strip()})


# -- attached scans -----------------------------------------------------------------------------------


def sniff(content: bytes) -> tuple[str, str]:
    """(media type, extension) from the content; ValidationFailed when it is none of PDF, JPEG, PNG."""
    for magic, media_type, extension in SIGNATURES:
        if content.startswith(magic):
            return media_type, extension
    raise ValidationFailed({"file": N_("Attach a PDF, JPEG or PNG file.")})


async def attach(agreement_id: int, filename: str, content: bytes, actor: Actor) -> int:
    """Stores a scan under its SHA-256 and records it, in one transaction."""
    await _ensure_party_or_editor(actor, agreement_id)
    await agreement_row(agreement_id)
    if not content:
        raise ValidationFailed({"file": N_("Choose a file to attach.")})
    if len(content) > MAX_FILE_BYTES:
        raise ValidationFailed({"file": N_("A file is at most 10 MB.")})
    media_type, extension = sniff(content)
    if media_type == "application/pdf" and (carried := pdf_safety.active_content(content)):
        raise ValidationFailed({"file": Msg(N_("This PDF carries %(what)s, which a scan never needs: scan the paper "
                                               "again, or print the file to a new PDF, and attach that."),
                                            what=", ".join(i18n.gettext(c) for c in carried))})
    name = Path(filename or f"scan{extension}").name[:200] or f"scan{extension}"
    async with Agreement._meta.db.transaction():
        relative, digest = await uploads.keep(content, "agreements", extension)
        row = (await Attachment.insert(Attachment(agreement=agreement_id, filename=name, media_type=media_type,
                                                  size=len(content), sha256=digest, path=relative,
                                                  uploaded_by=actor.user_id)))[0]
        await record_audit(actor, "attach", "agreement", agreement_id, None, {"file": name, "sha256": digest})
    return row["id"]


async def attachment_file(attachment_id: int, actor: Actor | None) -> tuple[dict, bytes]:
    """The attachment and its bytes, for the parties and organizers only; checked against its checksum."""
    # The role first, whatever the id; then another's file is as if it did not exist.
    if actor is None or actor.role not in (Role.admin, Role.organizer, Role.producer):
        raise Forbidden(N_("Only organizers and the agreement's producers may download its files."))
    row = await Attachment.select().where(Attachment.id == attachment_id).first() if is_id(attachment_id) else None
    if row is None:
        raise NotFound(N_("This file does not exist."))
    try:
        await ensure_can_see(actor, row["agreement"])
    except NotFound:
        raise NotFound(N_("This file does not exist.")) from None
    content = await uploads.read(row["sha256"])
    if content is None or hashlib.sha256(content).hexdigest() != row["sha256"]:
        raise Conflict(N_("This file was damaged on the server; upload it again."))
    return row, content
