"""What every fairs service needs: rights, lookups and small conversions."""

from __future__ import annotations

from typing import Any

from accounts.enums import Role
from core.audit import Actor
from core.errors import N_, Forbidden, NotFound
from core.ids import is_id
from fairs.tables import Application, Fair

ORGANIZERS = (Role.admin, Role.organizer)


def ensure_organizer(actor: Actor) -> None:
    if actor.role not in ORGANIZERS:
        raise Forbidden(N_("Only organizers may do this."))


def is_organizer(actor: Actor | None) -> bool:
    return actor is not None and actor.role in ORGANIZERS


async def fair_row(fair_id: int) -> dict[str, Any]:
    row = await Fair.select().where(Fair.id == fair_id).first() if is_id(fair_id) else None
    if row is None:
        raise NotFound(N_("This fair does not exist."))
    return row


async def application_row(application_id: int) -> dict[str, Any]:
    row = await Application.select().where(Application.id == application_id).first() if is_id(application_id) else None
    if row is None:
        raise NotFound(N_("This application does not exist."))
    return row


def ensure_acts_for(actor: Actor, producer_id: int) -> None:
    """Organizers act for any producer; a producer's user only for their own."""
    if is_organizer(actor):
        return
    if actor.role is Role.producer and producer_id in actor.producer_ids:
        return
    raise Forbidden(N_("You may act only for your own producer."))


def split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def join(values) -> str:
    return ",".join(str(v) for v in values)


def plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in values.items()}
