"""The schedule: the engine run over the conference, late arrivals fitted, locked meetings kept."""

from __future__ import annotations

import asyncio

from core.audit import Actor, record_audit
from core.errors import N_, Conflict, ValidationFailed
from fairs.tables import Fair
from matchmaking import scheduling, scoring
from matchmaking.enums import STANDING, MeetingStatus, RequestStatus, Side
from matchmaking.schemas import (
    ParticipantOut,
    ScheduleOut,
)
from matchmaking.services.common import conference, ensure_organizer, lock
from matchmaking.services.meetings import notify_schedules
from matchmaking.services.requests import expire_requests, request_status, scoring_inputs
from matchmaking.tables import Meeting, MeetingRoom, MeetingSlot, PairInterest

TOP_CHOICES = 40  # the best-scored producers of each buyer stand as candidates even when nobody has said anything


async def _engine_conference(fair_id: int) -> tuple[scheduling.Conference, dict[tuple[int, int], int]]:
    """The conference as the engine sees it, and each candidate pair's value."""
    slots = await MeetingSlot.count().where(MeetingSlot.fair == fair_id)
    room_row = await MeetingRoom.select(MeetingRoom.tables).where(MeetingRoom.fair == fair_id).first()
    if not slots or room_row is None:
        raise ValidationFailed({"room": N_("Set the meeting room first: its tables and time slots.")})
    await expire_requests(fair_id)
    listed, needs, offers = await scoring_inputs(fair_id)
    said = {(r["buyer"], r["producer"]): r for r in await PairInterest.select().where(PairInterest.fair == fair_id)}
    accepted = {pair for pair, status in (await request_status(fair_id)).items() if status == RequestStatus.accepted.value}
    values: dict[tuple[int, int], int] = {}
    excluded = set()
    for b, need in needs.items():
        scored = sorted(((scoring.score(need, offer).score, p) for p, offer in offers.items()), reverse=True)
        top = {p for _, p in scored[:TOP_CHOICES]}
        for score, p in scored:
            interest = said.get((b, p), {})
            buyer_says, producer_says = interest.get("buyer_says", ""), interest.get("producer_says", "")
            value = scheduling.meeting_value(score, buyer_says, producer_says, (b, p) in accepted)
            if value is None:
                excluded.add((b, p))
            elif p in top or buyer_says or producer_says or (b, p) in accepted:
                values[(b, p)] = value

    def engine_participant(p: ParticipantOut) -> scheduling.Participant:
        return scheduling.Participant(p.id, p.quota, frozenset(p.available) if p.available else None)

    return scheduling.Conference(
        slots=slots, tables=room_row["tables"],
        buyers=[engine_participant(p) for p in listed if p.side == Side.buyer.value],
        producers=[engine_participant(p) for p in listed if p.side == Side.producer.value],
        candidates=[scheduling.Candidate(b, p, v) for (b, p), v in sorted(values.items())],
        excluded=frozenset(excluded)), values


def engine_meeting(row: dict) -> scheduling.Meeting:
    return scheduling.Meeting(slot=row["slot"], table=row["table_number"], buyer=row["buyer"], producer=row["producer"])


async def run_schedule(fair_id: int, actor: Actor) -> ScheduleOut:
    """Schedules the conference: draft meetings are placed anew (kept where they cost nothing); confirmed, held and
    missed meetings never move. The engine's bound and gap say how far from the best possible it is."""
    ensure_organizer(actor)
    await conference(fair_id)
    engine_conference, values = await _engine_conference(fair_id)
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    locked = [engine_meeting(r) for r in rows if r["status"] != MeetingStatus.draft.value]
    previous = [engine_meeting(r) for r in rows if r["status"] == MeetingStatus.draft.value]
    try:
        result = await asyncio.to_thread(scheduling.schedule_meetings, engine_conference, locked, previous)
    except scheduling.ScheduleConflict as error:
        raise Conflict(N_("The confirmed meetings break a rule among themselves: %(why)s"), why=str(error)) from error
    kept = {(m.slot, m.table) for m in locked}
    async with Fair._meta.db.transaction():
        await _still_as_read(fair_id, locked, lambda status: status != MeetingStatus.draft.value)
        await Meeting.delete().where((Meeting.fair == fair_id) & (Meeting.status == MeetingStatus.draft.value))
        fresh = [Meeting(fair=fair_id, buyer=m.buyer, producer=m.producer, slot=m.slot, table_number=m.table,
                         value=values.get(m.pair, 0)) for m in result.meetings if (m.slot, m.table) not in kept]
        for start in range(0, len(fresh), 500):
            await Meeting.insert(*fresh[start:start + 500])
        await record_audit(actor, "schedule", "fair", fair_id, None, {
            "meetings": len(result.meetings), "value": result.objective, "bound": result.bound, "gap": result.gap})
    return _schedule_out(result)


async def fit_late(fair_id: int, actor: Actor) -> ScheduleOut:
    """Late arrivals and changes fitted into free slots and tables: no standing meeting moves; one that can no
    longer take place (a side now says no, no longer attends the slot) is cancelled, and said so."""
    ensure_organizer(actor)
    await conference(fair_id)
    engine_conference, values = await _engine_conference(fair_id)
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    by_place = {engine_meeting(r): r for r in rows}
    result = await asyncio.to_thread(scheduling.fit_late, engine_conference, list(by_place))
    placed = set(result.meetings)
    async with Fair._meta.db.transaction():
        await _still_as_read(fair_id, list(by_place), lambda status: True)
        gone = [r for place, r in by_place.items() if place not in placed]
        kept_as_record = [r for r in gone if r["status"] not in (MeetingStatus.draft.value, MeetingStatus.confirmed.value)
                          or r["agreement"] is not None]
        if kept_as_record:  # the day's record is never cancelled: what breaks a rule now is the organizers' to settle
            first = kept_as_record[0]
            raise Conflict(N_("A meeting already held or missed no longer keeps the rules: %(why)s"), why=next(
                (u.words for u in result.removed if (u.buyer, u.producer) == (first["buyer"], first["producer"])), ""))
        if gone:
            await Meeting.update({Meeting.status: MeetingStatus.cancelled.value}).where(
                Meeting.id.is_in([r["id"] for r in gone]))
        fresh = [Meeting(fair=fair_id, buyer=m.buyer, producer=m.producer, slot=m.slot, table_number=m.table,
                         value=values.get(m.pair, 0)) for m in result.meetings if m not in by_place]
        if fresh:
            await Meeting.insert(*fresh)
        await record_audit(actor, "fit_late", "fair", fair_id, None, {"added": len(fresh), "cancelled": len(gone)})
        await notify_schedules(fair_id)  # a confirmed meeting cancelled is news to both sides
    return _schedule_out(result)


async def _still_as_read(fair_id: int, read: list[scheduling.Meeting], counted) -> None:
    """Locks the conference and checks that the meetings the engine worked from (those whose status `counted`) are
    still the ones standing: a change made while it ran would be overwritten, so it is asked to run again."""
    await lock(fair_id)
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    if {engine_meeting(r) for r in rows if counted(r["status"])} != set(read):
        raise Conflict(N_("The meetings changed while the schedule was worked out: run it again."))


def _schedule_out(result: scheduling.Schedule) -> ScheduleOut:
    return ScheduleOut(meetings=len(result.meetings), value=result.objective, bound=int(result.bound), gap=result.gap,
                       seconds=round(result.seconds, 3),
                       unscheduled=[{"buyer": u.buyer, "producer": u.producer, "reason": u.reason, "words": u.words}
                                    for u in result.unscheduled[:200]])
