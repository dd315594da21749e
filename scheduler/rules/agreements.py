"""Agreement reminders: milestones coming due (to the buyer and the producers), milestones overdue
(to the organizers), and terms ending (to the parties). Each once per subject and lead time; none
for an agreement that is closed or already fully delivered. And once a week, the agreements due to
be closed (to the organizers)."""

from __future__ import annotations

import datetime as dt

from agreements.enums import DELIVERING
from agreements.fulfilment import Fulfilment, LineFulfilment, closing_status
from agreements.services.partners import buyer_path
from agreements.tables import Agreement, AgreementLine, AgreementProducer, Milestone
from core.outbox import Outgoing, enqueue_notifications
from core.settings import settings
from scheduler import clock
from scheduler.rules.recipients import organizers, producer_users

# Closed agreements (fulfilled, partially fulfilled, lapsed, cancelled) and drafts owe nothing.
RUNNING = sorted(status.value for status in DELIVERING)
CLOSING_DIGEST_WEEKDAY = 0  # Monday: the office's week starts with what is left to close
VERDICTS = ("fulfilled", "partially_fulfilled", "lapsed")  # the digest's order


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


def _verdict(lines: list[dict], valid_until: dt.date | None, today: dt.date) -> str | None:
    """closing_status on the lines' kept totals: the verdict the agreement's page suggests. Only the
    quantities count towards it; the values and the on-time split are left at zero."""
    result = Fulfilment([LineFulfilment(r["id"], r["quantity"], r["delivered_quantity"], 0, 0, 0, 0) for r in lines],
                        [], 0, 0, 0, 0)
    return closing_status(result, valid_until, today)


async def agreements_to_close(now: dt.datetime) -> int:
    """On Mondays from the digest hour on: to each organizer, once per ISO week, the running agreements
    fully delivered or past their term, each with the verdict to close it with. Nothing when none is."""
    local = clock.local_now()
    if local.weekday() != CLOSING_DIGEST_WEEKDAY or local.hour < settings.digest_hour:
        return 0
    today = local.date()
    lines: dict[int, list[dict]] = {}
    for row in await AgreementLine.select(AgreementLine.id, AgreementLine.agreement, AgreementLine.quantity,
                                          AgreementLine.delivered_quantity).where(
            AgreementLine.agreement.status.is_in(RUNNING)):
        lines.setdefault(row["agreement"], []).append(row)
    listed = []
    for row in await Agreement.select(Agreement.id, Agreement.code, Agreement.valid_until, Agreement.buyer.name).where(
            Agreement.status.is_in(RUNNING)):
        verdict = _verdict(lines.get(row["id"], []), row["valid_until"], today)
        if verdict is not None:
            listed.append({"agreement_id": row["id"], "code": row["code"], "buyer": row["buyer.name"],
                           "verdict": verdict, "valid_until": row["valid_until"]})
    if not listed:
        return 0
    # Every one of them, not the first few: no page lists the agreements to close, the mail is where they are.
    listed.sort(key=lambda r: (VERDICTS.index(r["verdict"]), r["valid_until"] or dt.date.max, r["code"]))
    year, week, _ = today.isocalendar()
    data = {"week": f"{year}-W{week:02d}", "agreements": listed}
    return await enqueue_notifications(Outgoing(f"agreements:to-close:{year}-W{week:02d}:{user}", user,
                                                "agreements_to_close", data) for user in await organizers())


RULES = [milestones_due, milestones_overdue, terms_ending, agreements_to_close]
