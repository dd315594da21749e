"""What every fairs service needs: rights, lookups and small conversions."""

from __future__ import annotations

from collections import Counter
from typing import Any

from accounts.enums import Role
from core.audit import Actor
from core.errors import N_, Forbidden, NotFound
from core.ids import is_id
from fairs import allocation
from fairs.enums import ZoneTheme
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


def engine_zone(row: dict[str, Any]) -> allocation.Zone:
    """A zone row as the allocation engine sees it: the groups, province or partner it is for."""
    return allocation.Zone(row["id"], row["name"],
                           frozenset(split(row["theme_value"])) if row["theme"] == ZoneTheme.group.value else frozenset(),
                           row["theme_value"] if row["theme"] == ZoneTheme.province.value else None,
                           row["theme"] == ZoneTheme.partner.value, bool(row["every_product"]))


def engine_booth(row: dict[str, Any]) -> allocation.Booth:
    return allocation.Booth(row["id"], row["code"], row["zone"], row["x"], row["y"], row["width"], row["depth"],
                            row["kind"], frozenset(split(row["amenities"])), row["blocked"])


def most_common(values: list[str]) -> str | None:
    """The value most of them have (the first by name on a tie): an exhibitor's main group."""
    counts = Counter(v for v in values if v)
    return min(counts, key=lambda v: (-counts[v], v)) if counts else None


def ensure_own(actor: Actor | None, row: dict[str, Any]) -> None:
    """Another producer's application is, to anyone but organizers, as if it did not exist: a 404 like
    a missing id, so its number tells nobody that it is there."""
    if is_organizer(actor):
        return
    if actor is not None and actor.role is Role.producer and row["producer"] in actor.producer_ids:
        return
    raise NotFound(N_("This application does not exist."))


def split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def join(values) -> str:
    return ",".join(str(v) for v in values)


def plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in values.items()}
