"""Agreement reminders: milestones coming due (to the buyer and the producers), milestones overdue
(to the organizers), and terms ending (to the parties). Each once per subject and lead time; none
for an agreement that is closed or already fully delivered."""

from __future__ import annotations

import datetime as dt

from agreements.enums import DELIVERING
from agreements.services.partners import buyer_path
from agreements.tables import Agreement, AgreementLine, AgreementProducer, Milestone
from core.outbox import Outgoing, enqueue_notifications
from core.settings import settings
from scheduler import clock
from scheduler.rules.recipients import organizers, producer_users

# Closed agreements (fulfilled, partially fulfilled, lapsed, cancelled) and drafts owe nothing.
RUNNING = sorted(status.value for status in DELIVERING)


async def _parties(agreement_ids: set[int]) -> dict[int, set[int]]:
    producers: dict[int, set[int]] = {}
    for row in await AgreementProducer.select(AgreementProducer.agreement, AgreementProducer.producer).where(
            AgreementProducer.agreement.is_in(list(agreement_ids) or [0])):
        producers.setdefault(row["agreement"], set()).add(row["producer"])
    return producers


async def _fully_delivered(agreement_ids: set[int]) -> set[int]:
    """The agreements among these whose every line is delivered (Fulfilment.complete, read from the
    lines' kept totals): their status may not say so yet, but nothing is left to remind anyone of."""
    lines: dict[int, list[bool]] = {}
    for row in await AgreementLine.select(AgreementLine.agreement, AgreementLine.quantity,
                                          AgreementLine.delivered_quantity).where(
            AgreementLine.agreement.is_in(list(agreement_ids) or [0])):
        lines.setdefault(row["agreement"], []).append(row["delivered_quantity"] >= row["quantity"])
    return {agreement for agreement, delivered in lines.items() if all(delivered)}


def _to_parties(key: str, agreement: dict, producers: set[int], members: dict[int, list[int]], template: str,
               data: dict) -> list[Outgoing]:
    outgoing = [Outgoing(f"{key}:u{user}", user, template, data) for producer in sorted(producers)
                for user in members.get(producer, [])]
    if agreement["buyer.email"]:  # the buyer has no account: written to by email, with a link that needs none
        outgoing.append(Outgoing(f"{key}:buyer", None, template, {**data, "link": buyer_path(agreement["buyer"])},
                                 email=agreement["buyer.email"]))
    return outgoing


def _data(agreement: dict) -> dict:
    return {"agreement_id": agreement["id"], "code": agreement["code"], "buyer": agreement["buyer.name"],
            "valid_until": agreement["valid_until"]}


async def milestones_due(now: dt.datetime) -> int:
    """A milestone due within each lead time (7 days, then 1), of an agreement not yet fully delivered:
    once per milestone and lead time."""
    today = clock.today()
    horizon = max(settings.milestone_days)
    rows = await Milestone.select(Milestone.id, Milestone.due_on, Milestone.description, Milestone.quantity,
                                  Milestone.agreement.id, Milestone.agreement.code, Milestone.agreement.valid_until,
                                  Milestone.agreement.buyer, Milestone.agreement._.buyer.name,
                                  Milestone.agreement._.buyer.email).where(
        Milestone.done_on.is_null(), Milestone.due_on >= today, Milestone.due_on <= today + dt.timedelta(days=horizon),
        Milestone.agreement.status.is_in(RUNNING))
    done = await _fully_delivered({r["agreement.id"] for r in rows})
    rows = [r for r in rows if r["agreement.id"] not in done]
    parties = await _parties({r["agreement.id"] for r in rows})
    members = await producer_users(set().union(*parties.values()) if parties else set())
    outgoing = []
    for row in rows:
        left = (row["due_on"] - today).days
        # The tightest lead time reached: a scheduler down for days sends the latest reminder, once.
        lead = min(d for d in settings.milestone_days if left <= d)
        agreement = {k.removeprefix("agreement."): v for k, v in row.items() if k.startswith("agreement.")}
        data = {**_data(agreement), "due_on": row["due_on"], "days": left, "milestone": row["description"],
                "quantity": row["quantity"]}
        outgoing += _to_parties(f"agreement:{row['agreement.id']}:milestone:{row['id']}:d{lead}", agreement,
                                parties.get(row["agreement.id"], set()), members, "milestone_due", data)
    return await enqueue_notifications(outgoing)


async def milestones_overdue(now: dt.datetime) -> int:
    """A milestone past its date and unmet, of an agreement not yet fully delivered: to the organizers, once."""
    today = clock.today()
    rows = await Milestone.select(Milestone.id, Milestone.due_on, Milestone.description, Milestone.agreement.id,
                                  Milestone.agreement.code, Milestone.agreement._.buyer.name).where(
        Milestone.done_on.is_null(), Milestone.due_on < today, Milestone.agreement.status.is_in(RUNNING))
    done = await _fully_delivered({r["agreement.id"] for r in rows})
    rows = [r for r in rows if r["agreement.id"] not in done]
    users = await organizers() if rows else []
    outgoing = []
    for row in rows:
        data = {"agreement_id": row["agreement.id"], "code": row["agreement.code"], "buyer": row["agreement.buyer.name"],
                "due_on": row["due_on"], "milestone": row["description"], "days_late": (today - row["due_on"]).days}
        outgoing += [Outgoing(f"agreement:{row['agreement.id']}:milestone:{row['id']}:overdue:{user}", user,
                              "milestone_overdue", data) for user in users]
    return await enqueue_notifications(outgoing)


async def terms_ending(now: dt.datetime) -> int:
    """A term ending within N days, with goods still to deliver: to the parties, once per agreement."""
    today = clock.today()
    rows = await Agreement.select(Agreement.id, Agreement.code, Agreement.valid_until, Agreement.committed_value,
                                  Agreement.delivered_value, Agreement.buyer, Agreement.buyer.name,
                                  Agreement.buyer.email).where(
        Agreement.status.is_in(RUNNING), Agreement.valid_until >= today,
        Agreement.valid_until <= today + dt.timedelta(days=settings.term_end_days))
    done = await _fully_delivered({r["id"] for r in rows})
    rows = [r for r in rows if r["id"] not in done]
    parties = await _parties({r["id"] for r in rows})
    members = await producer_users(set().union(*parties.values()) if parties else set())
    outgoing = []
    for row in rows:
        data = {**_data(row), "days": (row["valid_until"] - today).days, "committed": row["committed_value"],
                "delivered": row["delivered_value"]}
        outgoing += _to_parties(f"agreement:{row['id']}:term:{row['valid_until'].isoformat()}", row,
                                parties.get(row["id"], set()), members, "agreement_term_ending", data)
    return await enqueue_notifications(outgoing)


RULES = [milestones_due, milestones_overdue, terms_ending]
