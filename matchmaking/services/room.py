"""The conference's meeting room: its tables and the day's time slots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.audit import Actor, record_audit
from core.errors import N_, Conflict, ValidationFailed
from core.formatting import VIETNAM
from fairs.tables import Fair
from matchmaking.enums import MeetingStatus
from matchmaking.schemas import (
    RoomIn,
    RoomOut,
    SlotOut,
)
from matchmaking.services.common import conference, ensure_organizer
from matchmaking.tables import Meeting, MeetingRoom, MeetingSlot


async def set_room(fair_id: int, data: RoomIn, actor: Actor) -> RoomOut:
    """Sets the tables and the day's sessions; the slots are numbered in time order. Refused once meetings are
    confirmed (they hold slots people were told)."""
    ensure_organizer(actor)
    await conference(fair_id)
    errors: dict[str, Any] = {}
    starts = []
    for session in data.sessions:
        hour, minute = (int(part) for part in session.starts.split(":"))
        first = dt.datetime.combine(data.day, dt.time(hour, minute), tzinfo=VIETNAM)
        starts += [first + dt.timedelta(minutes=data.meeting_minutes * n) for n in range(session.slots)]
    starts.sort()
    if any(later < earlier + dt.timedelta(minutes=data.meeting_minutes) for earlier, later in zip(starts, starts[1:], strict=False)):
        errors["sessions"] = N_("Two sessions overlap: a slot would start before the one before it ends.")
    if len(starts) > 64:
        errors["sessions"] = N_("At most 64 slots in a day.")
    if errors:
        raise ValidationFailed(errors)
    if await Meeting.exists().where((Meeting.fair == fair_id) & (Meeting.status != MeetingStatus.draft.value)
                                    & (Meeting.status != MeetingStatus.cancelled.value)):
        raise Conflict(N_("Meetings are confirmed already: their slots cannot change."))
    async with Fair._meta.db.transaction():
        await Meeting.delete().where(Meeting.fair == fair_id)
        await MeetingSlot.delete().where(MeetingSlot.fair == fair_id)
        await MeetingRoom.delete().where(MeetingRoom.fair == fair_id)
        await MeetingRoom.insert(MeetingRoom(fair=fair_id, tables=data.tables, meeting_minutes=data.meeting_minutes,
                                             requests_close_at=data.requests_close_at))
        await MeetingSlot.insert(*[MeetingSlot(fair=fair_id, number=n, starts_at=moment.astimezone(dt.UTC))
                                   for n, moment in enumerate(starts)])
        await record_audit(actor, "room", "fair", fair_id, None, {"tables": data.tables, "slots": len(starts)})
    return await room(fair_id)


async def room(fair_id: int) -> RoomOut:
    await conference(fair_id)
    row = await MeetingRoom.select().where(MeetingRoom.fair == fair_id).first()
    slots = await MeetingSlot.select(MeetingSlot.number, MeetingSlot.starts_at).where(
        MeetingSlot.fair == fair_id).order_by(MeetingSlot.number)
    return RoomOut(fair_id=fair_id, tables=row["tables"] if row else 0, meeting_minutes=row["meeting_minutes"] if row else 20,
                   requests_close_at=row["requests_close_at"] if row else None,
                   slots=[SlotOut(number=s["number"], starts_at=s["starts_at"]) for s in slots])
