"""The weekly digest of agreements to close: on Mondays, to every organizer, the running agreements fully
delivered or past their term, each with the verdict to close it with; once a week, and never when
nothing is to close.

The database is shared with the other tests, so the digest lists their agreements too: each test
looks for its own in it, in a week of its own.
"""

from __future__ import annotations

import datetime as dt
import json

from tests.scheduler.conftest import db, local, make_agreement, make_producer, make_product, notifications, organizer_ids

DAY = dt.timedelta(days=1)
MONDAY = dt.date(2095, 3, 7)  # ISO week 2095-W10


def _key_prefix(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"agreements:to-close:{year}-W{week:02d}:"


async def _agreement(producer: int, lines: list[tuple[int, int]], status: str = "in_progress",
                     valid_until: dt.date | None = None) -> int:
    """An agreement with lines of (quantity, delivered) in thousandths of a unit, as the deliveries keep them."""
    from agreements.tables import AgreementLine

    agreement = await make_agreement([producer], valid_until=valid_until, status=status)
    for quantity, delivered in lines:
        await AgreementLine.insert(AgreementLine(agreement=agreement, producer=producer,
                                                 product=await make_product(producer), quantity=quantity,
                                                 delivered_quantity=delivered))
    return agreement


def _data(row: dict) -> dict:
    return json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]


def _listed(row: dict) -> dict[int, dict]:
    return {item["agreement_id"]: item for item in _data(row)["agreements"]}


def test_on_monday_each_organizer_is_sent_the_agreements_to_close_with_their_verdicts_once_that_week(clock):
    from scheduler import mail
    from scheduler.rules.agreements import agreements_to_close

    async def setup():
        producer, _ = await make_producer()
        return {
            "delivered": await _agreement(producer, [(500_000, 500_000), (200_000, 240_000)],  # over-delivered counts
                                          valid_until=MONDAY + 30 * DAY),
            "ended": await _agreement(producer, [(500_000, 200_000)], valid_until=MONDAY - 3 * DAY),
            "ended_undelivered": await _agreement(producer, [(100_000, 0)], status="signed",
                                                  valid_until=MONDAY - DAY),
            "half": await _agreement(producer, [(500_000, 250_000)], valid_until=MONDAY + 30 * DAY),
            "ends_today": await _agreement(producer, [(500_000, 250_000)], valid_until=MONDAY),
            "cancelled": await _agreement(producer, [(500_000, 500_000)], status="cancelled",
                                          valid_until=MONDAY - 3 * DAY),
            "fulfilled": await _agreement(producer, [(500_000, 500_000)], status="fulfilled"),
        }

    ours = db(setup)
    prefix = _key_prefix(MONDAY)
    clock.set_now(local(MONDAY, 9))
    assert db(agreements_to_close, clock.now()) >= 1

    rows = db(notifications, prefix)
    organizers = db(organizer_ids)
    assert {(r["key"], r["recipient"], r["template"]) for r in rows} == {
        (f"{prefix}{user}", user, "agreements_to_close") for user in organizers}
    for row in rows:
        listed = _listed(row)
        assert listed[ours["delivered"]]["verdict"] == "fulfilled"
        assert listed[ours["ended"]]["verdict"] == "partially_fulfilled"
        assert listed[ours["ended_undelivered"]]["verdict"] == "lapsed"
        for name in ("half", "ends_today", "cancelled", "fulfilled"):
            assert ours[name] not in listed, name

    message = mail.render("agreements_to_close", _data(rows[0]), "en")
    ended = _listed(rows[0])[ours["ended"]]
    assert "agreements to close" in message.subject
    assert f"{ended['code']} with {ended['buyer']}: the term ended on 04/03/2095 with part delivered; " \
           "close it as partially fulfilled." in message.text
    assert f"/agreements/{ours['delivered']}\"" in message.html
    assert "thỏa thuận cần kết thúc" in mail.render("agreements_to_close", _data(rows[0]), "vi").subject

    # The rules run all day: later that Monday, the week's digest is written already.
    clock.set_now(local(MONDAY, 15))
    assert db(agreements_to_close, clock.now()) == 0
    assert len(db(notifications, prefix)) == len(organizers)


def test_before_the_digest_hour_and_on_other_days_nothing_is_sent(clock):
    from scheduler.rules.agreements import agreements_to_close

    monday = MONDAY + 7 * DAY

    async def setup():
        producer, _ = await make_producer()
        await _agreement(producer, [(100_000, 100_000)])

    db(setup)
    for moment in (local(monday, 5), local(monday + DAY, 9), local(monday + 4 * DAY, 9)):
        clock.set_now(moment)
        assert db(agreements_to_close, clock.now()) == 0
    assert db(notifications, _key_prefix(monday)) == []


def test_with_nothing_to_close_nobody_is_written_to(clock):
    from agreements.tables import Agreement
    from scheduler.rules.agreements import RUNNING, agreements_to_close

    monday = MONDAY + 14 * DAY

    class Undone(Exception):
        pass

    async def run_alone() -> tuple[int, list]:
        producer, _ = await make_producer()
        running = await _agreement(producer, [(500_000, 250_000)], valid_until=monday + 30 * DAY)
        try:
            # The other tests' running agreements closed, for this transaction only: ours is all that runs.
            async with Agreement._meta.db.transaction():
                await Agreement.update({Agreement.status: "cancelled"}).where(
                    Agreement.status.is_in(RUNNING), Agreement.id != running)
                raise Undone(await agreements_to_close(clock.now()), await notifications(_key_prefix(monday)))
        except Undone as undone:
            return undone.args

    async def running() -> int:
        return await Agreement.count().where(Agreement.status.is_in(RUNNING))

    clock.set_now(local(monday, 9))
    before = db(running)
    assert db(run_alone) == (0, [])
    assert db(notifications, _key_prefix(monday)) == []
    assert db(running) == before + 1  # the others run on: nothing of the transaction stayed
