"""The meetings: listed, confirmed, sent to each participant, marked on the day, turned into agreements."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from agreements.schemas import AgreementIn
from agreements.services import create_agreement
from catalog.services import producer_users
from catalog.tables import Buyer, Producer
from core import i18n
from core.audit import Actor, record_audit
from core.errors import N_, Conflict, Msg, NotFound, ValidationFailed, render
from core.formatting import VIETNAM
from core.ids import is_id
from core.outbox import Outgoing, enqueue_notifications
from core.tables import Notification
from fairs.tables import Fair
from matchmaking import calendar_file
from matchmaking.enums import MeetingStatus, Side
from matchmaking.link_signing import participant_path
from matchmaking.schemas import (
    MeetingAgreementIn,
    MeetingOut,
)
from matchmaking.services.common import SCHEDULED, conference, ensure_organizer, lock, participant_row
from matchmaking.services.registrations import participants
from matchmaking.services.room import room
from matchmaking.tables import Meeting, MeetingSlot, Participant


async def meetings(fair_id: int, participant: int | None = None) -> list[MeetingOut]:
    names = {p.id: p.name for p in await participants(fair_id)}
    starts = {s.number: s.starts_at for s in (await room(fair_id)).slots}
    query = Meeting.select().where((Meeting.fair == fair_id) & (Meeting.status != MeetingStatus.cancelled.value))
    if participant is not None:
        query = query.where((Meeting.buyer == participant) | (Meeting.producer == participant))
    rows = await query.order_by(Meeting.slot).order_by(Meeting.table_number)
    return [MeetingOut(id=r["id"], buyer=r["buyer"], producer=r["producer"], buyer_name=names.get(r["buyer"], ""),
                       producer_name=names.get(r["producer"], ""), slot=r["slot"], starts_at=starts.get(r["slot"]),
                       table_number=r["table_number"], status=r["status"], value=r["value"], agreement_id=r["agreement"])
            for r in rows]


async def confirm_drafts(fair_id: int, actor: Actor) -> int:
    """Confirms the draft schedule (confirmed meetings never move when the schedule runs again) and sends each
    participant whose schedule is new or changed its meetings, with a calendar file."""
    ensure_organizer(actor)
    await conference(fair_id)
    async with Fair._meta.db.transaction():
        await lock(fair_id)
        done = await Meeting.update({Meeting.status: MeetingStatus.confirmed.value}).where(
            (Meeting.fair == fair_id) & (Meeting.status == MeetingStatus.draft.value)).returning(Meeting.id)
        await notify_schedules(fair_id)
        await record_audit(actor, "confirm", "fair", fair_id, None, {"meetings": len(done)})
    return len(done)


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y") if moment else ""


async def _schedules_sent(fair_id: int) -> dict[int, tuple[int, str]]:
    """Participant id → (how many schedules it was sent, the digest of the last one)."""
    sent: dict[int, tuple[int, str]] = {}
    for row in await Notification.select(Notification.key, Notification.data).where(
            Notification.key.like(f"meetings:{fair_id}:%")):
        parts = row["key"].split(":")  # meetings, fair, participant, version[, user]
        if len(parts) < 4 or not parts[2].isdigit() or not parts[3].isdigit():
            continue
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        version = int(parts[3])
        if version > sent.get(int(parts[2]), (0, ""))[0]:
            sent[int(parts[2])] = (version, (data or {}).get("digest", ""))
    return sent


async def notify_schedules(fair_id: int) -> int:
    """Each participant whose schedule differs from the one it was last sent is sent it, once: its confirmed meetings
    (held or missed ones too, the day's record of them), numbered per participant so that a change undone is sent
    again. Buyers at their address, producers to their users (or the producer's address when it has none). Called
    inside the change's transaction, with the conference locked."""
    fair = await Fair.select(Fair.name, Fair.ends_on).where(Fair.id == fair_id).first()
    listed = {p.id: p for p in await participants(fair_id)}
    sent = await _schedules_sent(fair_id)
    mine: dict[int, list[MeetingOut]] = {participant: [] for participant in sent if participant in listed}
    for m in await meetings(fair_id):
        if m.status in SCHEDULED:
            mine.setdefault(m.buyer, []).append(m)
            mine.setdefault(m.producer, []).append(m)
    buyers = {r["id"]: r["email"] for r in await Buyer.select(Buyer.id, Buyer.email).where(
        Buyer.id.is_in([p.buyer_id for p in listed.values() if p.buyer_id] or [0]))}
    producer_ids = [p.producer_id for p in listed.values() if p.producer_id]
    producers = {r["id"]: r["email"] for r in await Producer.select(Producer.id, Producer.email).where(
        Producer.id.is_in(producer_ids or [0]))}
    members = await producer_users(producer_ids)
    outgoing = []
    for participant_id, held in mine.items():
        p = listed[participant_id]
        buyer_side = p.side == Side.buyer.value
        rows = sorted(held, key=lambda m: (m.slot, m.table_number))
        lines = [{"when": _when(m.starts_at), "table": m.table_number,
                  "with": m.producer_name if buyer_side else m.buyer_name} for m in rows]
        digest = hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()[:16]
        version, last = sent.get(participant_id, (0, ""))
        if digest == last:
            continue
        data = {"fair_id": fair_id, "fair": fair["name"] if fair else "", "name": p.name, "meetings": lines,
                "attach_calendar": participant_id, "digest": digest,
                "link": participant_path(participant_id, fair["ends_on"]) if fair else ""}
        key = f"meetings:{fair_id}:{participant_id}:{version + 1}"
        if buyer_side:
            if buyers.get(p.buyer_id or 0):
                outgoing.append(Outgoing(key, None, "meeting_schedule", data, email=buyers[p.buyer_id or 0],
                                         language=p.language))
        elif members.get(p.producer_id or 0):
            outgoing += [Outgoing(f"{key}:{user}", user, "meeting_schedule", data) for user in members[p.producer_id or 0]]
        elif producers.get(p.producer_id or 0):
            outgoing.append(Outgoing(key, None, "meeting_schedule", data, email=producers[p.producer_id or 0],
                                     language=p.language))
    return await enqueue_notifications(outgoing)


async def participant_calendar(participant_id: int) -> tuple[str, bytes]:
    """The participant's confirmed meetings as an .ics file: (file name, content)."""
    row = await participant_row(participant_id)
    fair = await Fair.select(Fair.name, Fair.venue).where(Fair.id == row["fair"]).first()
    minutes = (await room(row["fair"])).meeting_minutes
    buyer_side = row["side"] == Side.buyer.value
    language = i18n.current_language.set(row["language"])  # the participant's calendar, in its language
    try:
        events = [calendar_file.Event(
            uid=f"meeting-{m.id}@ocop", starts=m.starts_at, ends=m.starts_at + dt.timedelta(minutes=minutes),
            summary=render(Msg(N_("Meeting with %(name)s"), name=m.producer_name if buyer_side else m.buyer_name),
                           i18n.gettext),
            location=", ".join(part for part in (render(Msg(N_("Table %(n)s"), n=m.table_number), i18n.gettext),
                                                 fair["venue"] if fair else "") if part),
            description=fair["name"] if fair else "")
            for m in await meetings(row["fair"], participant_id) if m.starts_at and m.status in SCHEDULED]
    finally:
        i18n.current_language.reset(language)
    text = calendar_file.calendar(fair["name"] if fair else "", events, dt.datetime.now(dt.UTC))
    return f"lich-gap-{row['fair']}-{participant_id}.ics", text.encode("utf-8")


async def mark(meeting_id: int, status: MeetingStatus, actor: Actor, fair_id: int | None = None) -> None:
    """On the day: a confirmed meeting held or missed (or cancelled, which frees its slot and table)."""
    ensure_organizer(actor)
    await record_mark(meeting_id, status, actor, fair_id=fair_id)


async def _meeting_row(meeting_id: int, fair_id: int | None) -> dict[str, Any]:
    """A meeting (of `fair_id`, when given), locked for the change; NotFound otherwise."""
    row = await Meeting.select(Meeting.fair).where(Meeting.id == meeting_id).first() if is_id(meeting_id) else None
    if row is None or (fair_id is not None and row["fair"] != fair_id):
        raise NotFound(N_("This meeting does not exist."))
    await lock(row["fair"])
    return await Meeting.select().where(Meeting.id == meeting_id).first() or {}


async def record_mark(meeting_id: int, status: MeetingStatus, actor: Actor, party: int | None = None,
                      fair_id: int | None = None) -> None:
    """`mark`, once the caller's right is checked. `party`, a participant id, marks only its own confirmed meetings,
    held or missed, once they have begun (the other side's word can be changed by either, the last one stands)."""
    if status not in (MeetingStatus.held, MeetingStatus.no_show, MeetingStatus.cancelled):
        raise ValidationFailed({"status": N_("A meeting is marked held, no-show or cancelled.")})
    async with Fair._meta.db.transaction():
        row = await _meeting_row(meeting_id, fair_id)
        if party is not None and party not in (row["buyer"], row["producer"]):
            raise NotFound(N_("This meeting does not exist."))
        await _marked(row, status, actor, party)


async def _marked(row: dict[str, Any], status: MeetingStatus, actor: Actor, party: int | None) -> None:
    """The mark itself, the meeting read under the conference's lock."""
    meeting_id = row["id"]
    if party is not None:
        if status is MeetingStatus.cancelled or row["status"] not in (
                MeetingStatus.confirmed.value, MeetingStatus.held.value, MeetingStatus.no_show.value):
            raise ValidationFailed({"status": N_("A participant marks its confirmed meetings held or missed.")})
        starts = await MeetingSlot.select(MeetingSlot.starts_at).where(
            (MeetingSlot.fair == row["fair"]) & (MeetingSlot.number == row["slot"])).first()
        if starts is None or starts["starts_at"] > dt.datetime.now(dt.UTC):
            raise ValidationFailed({"status": N_("A meeting is marked once it has begun.")})
    if row["agreement"] is not None and status is not MeetingStatus.held:
        raise Conflict(N_("An agreement came of this meeting: it was held."))
    await Meeting.update({Meeting.status: status.value, Meeting.marked_by: actor.username[:100]}).where(Meeting.id == meeting_id)
    await record_audit(actor, "mark", "fair", row["fair"], None, {"meeting": meeting_id, "status": status.value})
    if status is MeetingStatus.cancelled:
        await notify_schedules(row["fair"])  # both sides are told their meeting is off


async def agreement_from_meeting(meeting_id: int, data: MeetingAgreementIn, actor: Actor,
                                 fair_id: int | None = None) -> int:
    """Records the agreement a held meeting produced, its parties and conference taken from the meeting, and links
    the two (a meeting marked only as scheduled is taken as held: the agreement proves it)."""
    ensure_organizer(actor)
    async with Fair._meta.db.transaction():
        row = await _meeting_row(meeting_id, fair_id)
        if row["agreement"] is not None:
            raise Conflict(N_("An agreement is recorded for this meeting already."))
        if row["status"] in (MeetingStatus.no_show.value, MeetingStatus.cancelled.value):
            raise ValidationFailed({"meeting": N_("This meeting did not take place.")})
        parties = {r["id"]: r for r in await Participant.select().where(
            Participant.id.is_in([row["buyer"], row["producer"]]))}
        signed = AgreementIn(**{f: getattr(data, f) for f in data.__struct_fields__},
                             buyer_id=parties[row["buyer"]]["buyer"], producer_ids=[parties[row["producer"]]["producer"]],
                             fair_id=row["fair"])
        agreement = await create_agreement(signed, actor)
        await Meeting.update({Meeting.agreement: agreement, Meeting.status: MeetingStatus.held.value}).where(
            Meeting.id == meeting_id)
    return agreement


async def meeting(meeting_id: int) -> MeetingOut:
    row = await Meeting.select(Meeting.fair).where(Meeting.id == meeting_id).first() if is_id(meeting_id) else None
    found = [m for m in await meetings(row["fair"]) if m.id == meeting_id] if row else []
    if not found:
        raise NotFound(N_("This meeting does not exist."))
    return found[0]
