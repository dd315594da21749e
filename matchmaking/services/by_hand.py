"""Changes by hand on the day: an extra meeting, a meeting moved, two meetings swapped."""

from __future__ import annotations

from typing import Any

from core.audit import Actor, record_audit
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.ids import is_id
from fairs.tables import Fair
from matchmaking import scheduling
from matchmaking.enums import STANDING, Interest, MeetingStatus, Side
from matchmaking.schemas import (
    ParticipantOut,
)
from matchmaking.services.common import conference, ensure_organizer, lock
from matchmaking.services.meetings import notify_schedules
from matchmaking.services.registrations import participants
from matchmaking.services.requests import pair
from matchmaking.services.schedule import engine_meeting
from matchmaking.tables import Meeting, MeetingRoom, MeetingSlot, PairInterest

_REFUSALS = {
    "excluded": N_("One of the two said it does not want this meeting."),
    "absent": N_("Both must be registered for the conference."),
    "no_such_slot": N_("The conference has no such time slot."),
    "no_such_table": N_("The room has no such table."),
    "unavailable": N_("%(who)s does not attend that time slot."),
    "twice": N_("These two meet at another time already."),
    "double_booked": N_("%(who)s has another meeting at that time."),
    "table_taken": N_("Another meeting has that table at that time."),
    "over_quota": N_("%(who)s has all the meetings it takes (%(quota)s)."),
}


async def _check_by_hand(fair_id: int, changed: list[scheduling.Meeting], leaving: set[int]) -> None:
    """Refuses a change that breaks a rule beside the standing meetings (those in `leaving` set aside): the engine's
    own rules, read for the few meetings changed rather than the whole conference's pairs."""
    room_row = await MeetingRoom.select(MeetingRoom.tables).where(MeetingRoom.fair == fair_id).first()
    slots = await MeetingSlot.count().where(MeetingSlot.fair == fair_id)
    if room_row is None or not slots:
        raise ValidationFailed({"room": N_("Set the meeting room first: its tables and time slots.")})
    listed = await participants(fair_id)
    refused_pairs = await PairInterest.select(PairInterest.buyer, PairInterest.producer).where(
        (PairInterest.fair == fair_id) & ((PairInterest.buyer_says == Interest.no.value)
                                          | (PairInterest.producer_says == Interest.no.value)))

    def engine_participant(p: ParticipantOut) -> scheduling.Participant:
        return scheduling.Participant(p.id, p.quota, frozenset(p.available) if p.available else None)

    engine_conference = scheduling.Conference(
        slots=slots, tables=room_row["tables"], candidates=[],
        buyers=[engine_participant(p) for p in listed if p.side == Side.buyer.value],
        producers=[engine_participant(p) for p in listed if p.side == Side.producer.value],
        excluded=frozenset((r["buyer"], r["producer"]) for r in refused_pairs))
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    refused = scheduling.hand_refusals(engine_conference, [engine_meeting(r) for r in rows if r["id"] not in leaving],
                                       changed)
    if refused:
        first = refused[0]
        names = {p.id: p.name for p in listed}
        who = names.get(first.buyer if first.details.get("side") == "buyer" else first.producer, "")
        raise Conflict(_REFUSALS[first.reason], who=who, quota=first.details.get("quota", ""))


async def _movable(meeting_id: int, fair_id: int) -> dict[str, Any]:
    row = await Meeting.select().where((Meeting.id == meeting_id) & (Meeting.fair == fair_id)).first() \
        if is_id(meeting_id) else None
    if row is None:
        raise NotFound(N_("This meeting does not exist."))
    if row["status"] not in (MeetingStatus.draft.value, MeetingStatus.confirmed.value):
        raise Conflict(N_("A meeting already held or missed stays where it was."))
    return row


async def add_meeting(fair_id: int, buyer: int, producer: int, slot: int, table: int, actor: Actor) -> int:
    """An extra meeting set by the organizer in a free slot and table: confirmed at once (it is the organizer's word)
    and sent to both sides."""
    ensure_organizer(actor)
    await conference(fair_id)
    await pair(fair_id, buyer, producer)
    async with Fair._meta.db.transaction():
        await lock(fair_id)
        await _check_by_hand(fair_id, [scheduling.Meeting(slot, table, buyer, producer)], set())
        made = (await Meeting.insert(Meeting(fair=fair_id, buyer=buyer, producer=producer, slot=slot, table_number=table,
                                             status=MeetingStatus.confirmed.value)))[0]["id"]
        await record_audit(actor, "add_meeting", "fair", fair_id, None, {"meeting": made, "slot": slot, "table": table})
        await notify_schedules(fair_id)
    return made


async def move_meeting(fair_id: int, meeting_id: int, slot: int, table: int, actor: Actor) -> None:
    """A meeting moved by hand to a free slot and table; when it was confirmed, both sides are sent the change."""
    ensure_organizer(actor)
    await conference(fair_id)
    async with Fair._meta.db.transaction():
        await lock(fair_id)
        row = await _movable(meeting_id, fair_id)
        await _check_by_hand(fair_id, [scheduling.Meeting(slot, table, row["buyer"], row["producer"])], {meeting_id})
        await Meeting.update({Meeting.slot: slot, Meeting.table_number: table}).where(Meeting.id == meeting_id)
        await record_audit(actor, "move_meeting", "fair", fair_id, None, {"meeting": meeting_id, "slot": slot, "table": table})
        await notify_schedules(fair_id)


async def swap_meetings(fair_id: int, meeting_id: int, other_id: int, actor: Actor) -> None:
    """Two meetings exchange their slots and tables (a participant asks to see one earlier); refused when either
    side of either meeting cannot make the other time."""
    ensure_organizer(actor)
    await conference(fair_id)
    if meeting_id == other_id:
        raise ValidationFailed({"other": N_("Choose another meeting to swap with.")})
    async with Fair._meta.db.transaction():
        await lock(fair_id)
        one, other = await _movable(meeting_id, fair_id), await _movable(other_id, fair_id)
        await _check_by_hand(fair_id, [scheduling.Meeting(other["slot"], other["table_number"], one["buyer"], one["producer"]),
                                       scheduling.Meeting(one["slot"], one["table_number"], other["buyer"], other["producer"])],
                             {meeting_id, other_id})
        await Meeting.update({Meeting.slot: other["slot"], Meeting.table_number: other["table_number"]}).where(
            Meeting.id == meeting_id)
        await Meeting.update({Meeting.slot: one["slot"], Meeting.table_number: one["table_number"]}).where(
            Meeting.id == other_id)
        await record_audit(actor, "swap_meetings", "fair", fair_id, None, {"meetings": [meeting_id, other_id]})
        await notify_schedules(fair_id)
