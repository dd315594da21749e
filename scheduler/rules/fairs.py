"""Fair reminders. Each rule looks at the data as it is now and writes the notifications that are due,
keyed by rule and subject, so running it again (or after a day down) writes nothing twice."""

from __future__ import annotations

import datetime as dt

from core.outbox import Outgoing, enqueue_notifications
from core.settings import settings
from fairs.services.reach import exhibitor_messages
from fairs.tables import Application, BoothAssignment, BoothSale, Fair
from scheduler import clock
from scheduler.rules.recipients import organizers, producer_users

PLACED = ("allocated", "confirmed")


def _fair_data(fair: dict) -> dict:
    return {"fair_id": fair["id"], "fair": fair["name"], "venue": fair["venue"], "starts_on": fair["starts_on"],
            "ends_on": fair["ends_on"], "setup_on": fair["setup_on"], "closes_on": fair["applications_close_on"]}


async def _booths(fair_id: int) -> dict[int, list[str]]:
    booths: dict[int, list[str]] = {}
    for row in await BoothAssignment.select(BoothAssignment.application, BoothAssignment.booth.code).where(
            BoothAssignment.fair == fair_id):
        booths.setdefault(row["application"], []).append(row["booth.code"])
    return booths


async def application_window_closing(now: dt.datetime) -> int:
    """Applications close within N days: to the producers who exhibited at an earlier edition of the
    series and have not applied to this one yet."""
    today = clock.today()
    outgoing = []
    fairs = await Fair.select().where(Fair.status == "open", Fair.applications_close_on >= today,
                                      Fair.applications_close_on <= today + dt.timedelta(days=settings.application_close_days))
    for fair in fairs:
        if not fair["series"]:
            continue
        earlier = [r["id"] for r in await Fair.select(Fair.id).where(Fair.series == fair["series"],
                                                                      Fair.starts_on < fair["starts_on"])]
        if not earlier:
            continue
        before = {r["producer"] for r in await Application.select(Application.producer).where(
            Application.fair.is_in(earlier), Application.status.is_in(list(PLACED)))}
        applied = {r["producer"] for r in await Application.select(Application.producer).where(Application.fair == fair["id"])}
        members = await producer_users(before - applied)
        for producer, users in members.items():
            for user in users:
                outgoing.append(Outgoing(f"fair:{fair['id']}:closing:{producer}:{user}", user, "fair_application_closing",
                                         _fair_data(fair)))
    return await enqueue_notifications(outgoing)


def _setup_message(fair: dict, booths: dict[int, list[str]]):
    def key(application: dict) -> str:
        return f"fair:{fair['id']}:setup:{application['id']}"

    def data(application: dict) -> dict:
        return {**_fair_data(fair), "booths": sorted(booths.get(application["id"], []))}

    return key, data


async def setup_tomorrow(now: dt.datetime) -> int:
    """The day before set-up (or before the first day, with no set-up day): to each exhibitor, with its booths."""
    tomorrow = clock.today() + dt.timedelta(days=1)
    outgoing = []
    for fair in await Fair.select().where(Fair.status.is_in(["published", "running"])):
        if (fair["setup_on"] or fair["starts_on"]) != tomorrow:
            continue
        booths = await _booths(fair["id"])
        placed = await Application.select(Application.id, Application.producer).where(
            Application.fair == fair["id"], Application.status.is_in(list(PLACED)))
        outgoing += await exhibitor_messages(fair, placed, "fair_setup_tomorrow", *_setup_message(fair, booths))
    return await enqueue_notifications(outgoing)


async def starts_tomorrow(now: dt.datetime) -> int:
    """The day before the first day: to the organizers."""
    tomorrow = clock.today() + dt.timedelta(days=1)
    outgoing = []
    fairs = await Fair.select().where(Fair.starts_on == tomorrow, Fair.status.is_in(["published", "running", "allocating"]))
    users = await organizers() if fairs else []
    for fair in fairs:
        booths = await _booths(fair["id"])
        data = {**_fair_data(fair), "exhibitors": len(booths), "status": fair["status"]}
        for user in users:
            outgoing.append(Outgoing(f"fair:{fair['id']}:starts:{user}", user, "fair_starts_tomorrow", data))
    return await enqueue_notifications(outgoing)


async def sales_missing(now: dt.datetime) -> int:
    """During a running fair, from the evening hour on: exhibitors who have not entered today's sales."""
    local = clock.local_now()
    today = local.date()
    if local.hour < settings.sales_missing_hour:
        return 0
    outgoing = []
    for fair in await Fair.select().where(Fair.status == "running", Fair.starts_on <= today, Fair.ends_on >= today):
        booths = await _booths(fair["id"])
        reported = {r["application"] for r in await BoothSale.select(BoothSale.application).where(
            BoothSale.fair == fair["id"], BoothSale.day == today)}
        placed = await Application.select(Application.id, Application.producer).where(
            Application.fair == fair["id"], Application.status.is_in(list(PLACED)))
        missing = [a for a in placed if a["id"] not in reported and a["id"] in booths]
        members = await producer_users({a["producer"] for a in missing})
        for application in missing:
            for user in members.get(application["producer"], []):
                outgoing.append(Outgoing(
                    f"fair:{fair['id']}:sales:{today.isoformat()}:{application['id']}:{user}", user, "fair_sales_missing",
                    {**_fair_data(fair), "day": today, "booths": sorted(booths[application["id"]]),
                     "application_id": application["id"]}))
    return await enqueue_notifications(outgoing)


RULES = [application_window_closing, setup_tomorrow, starts_tomorrow, sales_missing]
