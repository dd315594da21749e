"""Who may act on a conference's matchmaking, the conference itself, and the lock its changes take."""

from __future__ import annotations

from typing import Any

from accounts.enums import Role
from core.audit import Actor
from core.database import is_sqlite
from core.errors import N_, Forbidden, NotFound, ValidationFailed
from core.ids import is_id
from fairs.enums import FairKind
from fairs.tables import Fair
from matchmaking.enums import MeetingStatus
from matchmaking.tables import Participant

ORGANIZERS = (Role.admin, Role.organizer)
READERS = (*ORGANIZERS, Role.viewer)
# Meetings people were told of: they hold their places, and a schedule sent lists them.
SCHEDULED = (MeetingStatus.confirmed.value, MeetingStatus.held.value, MeetingStatus.no_show.value)


def ensure_organizer(actor: Actor) -> None:
    if actor.role not in ORGANIZERS:
        raise Forbidden(N_("Only organizers may do this."))


def ensure_reader(actor: Actor | None) -> None:
    if actor is None or actor.role not in READERS:
        raise Forbidden(N_("Only the organizing office reads the conference's matchmaking."))


async def conference(fair_id: int) -> dict[str, Any]:
    """The fair, which must be a connection conference."""
    row = await Fair.select(Fair.id, Fair.name, Fair.kind, Fair.starts_on, Fair.ends_on).where(
        Fair.id == fair_id).first() if is_id(fair_id) else None
    if row is None:
        raise NotFound(N_("This fair does not exist."))
    if row["kind"] != FairKind.connection_conference.value:
        raise ValidationFailed({"fair": N_("Meetings are scheduled for connection conferences only.")})
    return row


def split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def join(values) -> str:
    return ",".join(str(v) for v in values)


async def lock(fair_id: int) -> None:
    """Inside a write transaction: one change to a conference's meetings at a time, so that what a change checked
    still holds when it writes (SQLite's single writer is such a lock already)."""
    if not is_sqlite(Fair._meta.db):
        await Fair.select(Fair.id).where(Fair.id == fair_id).lock_rows()


async def participant_row(participant_id: int) -> dict[str, Any]:
    """A participant's row, of any conference; NotFound when there is none."""
    row = await Participant.select().where(Participant.id == participant_id).first() if is_id(participant_id) else None
    if row is None:
        raise NotFound(N_("This participant is not registered."))
    return row
