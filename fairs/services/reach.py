"""Reaching exhibitors: whom a fair's messages go to, the link that opens an exhibitor's own page
without an account, and how many messages reached their exhibitors.

An exhibitor is told through the users acting for its producer when it has any; otherwise at the
e-mail address the catalogue holds for it, with a signed link to its own page (booths, dates, QR
stickers, confirmation) that needs no login and expires two weeks after the fair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from accounts.enums import Role
from catalog.services import producer_users
from catalog.tables import Producer
from core import signed_links
from core.audit import Actor
from core.formatting import VIETNAM
from core.outbox import Outgoing
from core.tables import Notification
from fairs.enums import ApplicationStatus
from fairs.services.common import application_row, ensure_organizer, fair_row
from fairs.tables import Application

LINK_PURPOSE = "exhibitor"
LINK_DAYS_AFTER_FAIR = 14
TOLD = (ApplicationStatus.allocated.value, ApplicationStatus.confirmed.value, ApplicationStatus.waitlisted.value)


@dataclass(frozen=True)
class Addressee:
    users: tuple[int, ...] = ()
    email: str = ""


def exhibitor_path(application_id: int, fair: dict[str, Any]) -> str:
    """The path of the application's own page, signed, good until two weeks after the fair ends."""
    until = fair["ends_on"] + dt.timedelta(days=LINK_DAYS_AFTER_FAIR)
    return f"/exhibitor/{signed_links.sign(LINK_PURPOSE, application_id, until)}"


async def link_holder(token: str) -> tuple[Actor, int]:
    """Who holds an exhibitor link: acting for that application's producer only, and for nothing else."""
    application_id = signed_links.read(LINK_PURPOSE, token, dt.datetime.now(VIETNAM).date())
    row = await application_row(application_id)
    actor = Actor(user_id=None, username=f"link:application:{application_id}", role=Role.producer,
                  producer_ids=frozenset({row["producer"]}))
    return actor, application_id


async def addressees(producer_ids: Iterable[int]) -> dict[int, Addressee]:
    """Producer id → how to reach it: its active users, or else its catalogue e-mail."""
    wanted = list(set(producer_ids)) or [0]
    users = await producer_users(wanted)
    return {row["id"]: Addressee(tuple(sorted(users.get(row["id"], []))), (row["email"] or "").strip())
            for row in await Producer.select(Producer.id, Producer.email).where(Producer.id.is_in(wanted))}


async def exhibitor_messages(fair: dict[str, Any], applications: list[dict[str, Any]], template: str,
                             key: Callable[[dict[str, Any]], str],
                             data: Callable[[dict[str, Any]], dict[str, Any]]) -> list[Outgoing]:
    """One message per user acting for each application's producer; with none, one to its catalogue
    address carrying the signed link; with neither, none (the fair page counts those)."""
    people = await addressees(a["producer"] for a in applications)
    outgoing = []
    for application in applications:
        who = people.get(application["producer"], Addressee())
        if who.users:
            outgoing += [Outgoing(f"{key(application)}:{user}", user, template, data(application)) for user in who.users]
        elif who.email:
            outgoing.append(Outgoing(f"{key(application)}:email", None, template,
                                     {**data(application), "link": exhibitor_path(application["id"], fair)},
                                     email=who.email))
    return outgoing


def published_key(fair_id: int) -> str:
    return f"fair:{fair_id}:published:"


@dataclass
class Reach:
    """How the last publication reached the exhibitors: one line per exhibitor, by its latest message."""

    sent: int = 0
    waiting: int = 0
    refused: list[str] = field(default_factory=list)  # exhibitors whose message the mail server refused
    no_address: list[str] = field(default_factory=list)  # neither a user nor an e-mail in the catalogue


async def reach(fair_id: int, actor: Actor) -> Reach:
    ensure_organizer(actor)
    await fair_row(fair_id)
    applications = await Application.select(Application.id, Application.producer, Application.producer.name).where(
        Application.fair == fair_id, Application.status.is_in(list(TOLD)))
    prefix = published_key(fair_id)
    latest: dict[int, dict[str, Any]] = {}
    for row in await Notification.select(Notification.id, Notification.key, Notification.status).where(
            Notification.key.like(f"{prefix}%")).order_by(Notification.id):
        application_id = row["key"][len(prefix):].split(":", 1)[0]
        if application_id.isdigit():
            latest[int(application_id)] = row  # by id: the last edition of the plan wins
    people = await addressees(a["producer"] for a in applications)
    summary = Reach()
    for application in sorted(applications, key=lambda a: a["producer.name"]):
        message = latest.get(application["id"])
        who = people.get(application["producer"], Addressee())
        if message is None:
            if not who.users and not who.email:
                summary.no_address.append(application["producer.name"])
        elif message["status"] == "sent":
            summary.sent += 1
        elif message["status"] == "failed":
            summary.refused.append(application["producer.name"])
        else:
            summary.waiting += 1
    return summary
