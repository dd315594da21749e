"""The reminder rules, run against a fixed clock: each writes what is due then, to the right people,
with the right template, once, however often it runs; and nothing when nothing is due.

The database is shared with the other tests, so each test looks at the notifications of its own
subjects (their keys start with the subject), and a second run must write nothing at all.
"""

from __future__ import annotations

import datetime as dt
import json

from tests.conftest import unique
from tests.scheduler.conftest import (
    db,
    local,
    make_agreement,
    make_fair,
    make_milestone,
    make_point,
    make_producer,
    make_product,
    make_user,
    notifications,
    organizer_ids,
    place,
)

DAY = dt.timedelta(days=1)


def written(prefix: str) -> set[tuple]:
    """(key, recipient, email, template) of the subject's notifications."""
    return {(r["key"], r["recipient"], r["email"], r["template"]) for r in db(notifications, prefix)}


def run_twice(rule, clock) -> int:
    """Runs the rule twice at the clock's moment: the second run must write nothing."""
    first = db(rule, clock.now())
    assert db(rule, clock.now()) == 0, f"{rule.__name__} wrote again"
    return first


def loads(data) -> dict:
    return json.loads(data) if isinstance(data, str) else data


def renders(prefix: str) -> None:
    """Every notification of the subject can be rendered from the data the rule stored, in both languages."""
    from scheduler import mail

    rows = db(notifications, prefix)
    assert rows
    for row in rows:
        data = loads(row["data"])
        for language in ("vi", "en"):
            message = mail.render(row["template"], data, language)
            assert message.subject and message.text and message.html


# -- agreements ------------------------------------------------------------------------------------------


def test_a_milestone_reminds_the_producer_users_and_the_buyer_seven_days_before_then_the_day_before(clock):
    from scheduler.rules.agreements import milestones_due

    day = dt.date(2091, 3, 1)
    buyer_email = f"{unique('buyer-')}@sieuthi.test"

    async def setup():
        producer, members = await make_producer(members=2)
        agreement = await make_agreement([producer], buyer_email=buyer_email)
        return agreement, await make_milestone(agreement, day + 7 * DAY), members

    agreement, milestone, members = db(setup)
    prefix = f"agreement:{agreement}:milestone:{milestone}:"

    def expected(lead: str) -> set[tuple]:
        rows = {(f"{prefix}{lead}:u{u['id']}", u["id"], u["email"], "milestone_due") for u in members}
        return rows | {(f"{prefix}{lead}:buyer", None, buyer_email, "milestone_due")}

    clock.set_now(local(day - DAY))  # eight days ahead: nothing yet
    db(milestones_due, clock.now())
    assert written(prefix) == set()

    clock.set_now(local(day))  # seven days ahead
    assert run_twice(milestones_due, clock) >= 3
    assert written(prefix) == expected("d7")
    buyer_row = next(r for r in db(notifications, prefix) if r["key"].endswith(":buyer"))
    assert buyer_row["language"] == "vi"
    assert loads(buyer_row["data"])["days"] == 7

    for between in (2, 4, 5):  # the days in between add nothing
        clock.set_now(local(day + between * DAY, 8))
        db(milestones_due, clock.now())
        assert written(prefix) == expected("d7")

    clock.set_now(local(day + 6 * DAY))  # tomorrow
    run_twice(milestones_due, clock)
    assert written(prefix) == expected("d7") | expected("d1")
    data = {r["key"]: loads(r["data"]) for r in db(notifications, prefix)}
    assert data[f"{prefix}d1:buyer"]["days"] == 1 and data[f"{prefix}d1:buyer"]["due_on"] == (day + 7 * DAY).isoformat()
    renders(prefix)

    clock.set_now(local(day + 7 * DAY))  # the day itself: nothing more
    db(milestones_due, clock.now())
    assert written(prefix) == expected("d7") | expected("d1")


def test_a_milestone_met_or_of_a_closed_agreement_reminds_nobody(clock):
    from scheduler.rules.agreements import milestones_due, milestones_overdue

    day = dt.date(2091, 4, 1)

    async def setup():
        producer, _ = await make_producer()
        running = await make_agreement([producer], buyer_email="buyer@sieuthi.test")
        closed = await make_agreement([producer], buyer_email="buyer@sieuthi.test", status="fulfilled")
        return [(running, await make_milestone(running, day + DAY, done_on=day - DAY)),
                (running, await make_milestone(running, day - DAY, done_on=day - 2 * DAY)),
                (closed, await make_milestone(closed, day + DAY)), (closed, await make_milestone(closed, day - DAY))]

    subjects = db(setup)
    clock.set_now(local(day))
    db(milestones_due, clock.now())
    db(milestones_overdue, clock.now())
    for agreement, milestone in subjects:
        assert written(f"agreement:{agreement}:milestone:{milestone}:") == set()


def test_an_overdue_milestone_goes_to_every_organizer_once(clock):
    from scheduler.rules.agreements import milestones_overdue

    day = dt.date(2091, 5, 10)

    async def setup():
        producer, _ = await make_producer()
        agreement = await make_agreement([producer], buyer_email="buyer@sieuthi.test", status="in_progress")
        return agreement, await make_milestone(agreement, day)

    agreement, milestone = db(setup)
    prefix = f"agreement:{agreement}:milestone:{milestone}:overdue:"
    clock.set_now(local(day, 23, 59))  # due today: not late yet
    db(milestones_overdue, clock.now())
    assert written(prefix) == set()

    clock.set_now(local(day + DAY, 0, 5))
    run_twice(milestones_overdue, clock)
    organizers = db(organizer_ids)
    assert organizers
    emails = {r["id"]: r["email"] for r in db(_emails, organizers)}
    assert written(prefix) == {(f"{prefix}{u}", u, emails[u], "milestone_overdue") for u in organizers}

    clock.set_now(local(day + 9 * DAY))  # still late days later: not again
    db(milestones_overdue, clock.now())
    assert len(written(prefix)) == len(organizers)
    renders(prefix)


async def _emails(ids) -> list[dict]:
    from accounts.tables import User

    return await User.select(User.id, User.email).where(User.id.is_in(list(ids)))


def test_a_term_ending_within_thirty_days_reminds_the_parties_once(clock):
    from scheduler.rules.agreements import terms_ending

    day = dt.date(2091, 6, 1)
    until = day + 30 * DAY

    async def setup():
        first, first_users = await make_producer()
        second, second_users = await make_producer()
        return await make_agreement([first, second], buyer_email="mua@sieuthi.test", valid_until=until), first_users + second_users

    agreement, members = db(setup)
    prefix = f"agreement:{agreement}:term:{until.isoformat()}"
    clock.set_now(local(day - DAY))  # 31 days left
    db(terms_ending, clock.now())
    assert written(prefix) == set()

    clock.set_now(local(day))
    run_twice(terms_ending, clock)
    expected = {(f"{prefix}:u{u['id']}", u["id"], u["email"], "agreement_term_ending") for u in members}
    expected.add((f"{prefix}:buyer", None, "mua@sieuthi.test", "agreement_term_ending"))
    assert written(prefix) == expected

    clock.set_now(local(day + 20 * DAY))
    db(terms_ending, clock.now())
    assert written(prefix) == expected
    renders(prefix)


async def _line(agreement: int, producer: int, quantity: int, delivered: int) -> None:
    """A line of `quantity` units with `delivered` of them delivered (the total the deliveries keep)."""
    from agreements.tables import AgreementLine

    await AgreementLine.insert(AgreementLine(agreement=agreement, producer=producer, product=await make_product(producer),
                                             quantity=quantity, delivered_quantity=delivered))


def test_a_fully_delivered_agreement_is_not_reminded_of_its_term_ending_but_a_half_delivered_one_is(clock):
    from scheduler.rules.agreements import terms_ending

    day = dt.date(2091, 6, 20)
    until = day + 10 * DAY

    async def setup():
        producer, _ = await make_producer()
        delivered = await make_agreement([producer], buyer_email="mua@sieuthi.test", valid_until=until,
                                         status="in_progress")
        await _line(delivered, producer, 500, 500)
        await _line(delivered, producer, 200, 240)  # over-delivered is delivered too
        half = await make_agreement([producer], buyer_email="mua@sieuthi.test", valid_until=until, status="in_progress")
        await _line(half, producer, 500, 500)
        await _line(half, producer, 200, 100)
        closed = []
        for status in ("fulfilled", "partially_fulfilled", "lapsed", "cancelled"):
            agreement = await make_agreement([producer], buyer_email="mua@sieuthi.test", valid_until=until, status=status)
            await _line(agreement, producer, 500, 0)
            closed.append(agreement)
        return delivered, half, closed

    delivered, half, closed = db(setup)
    clock.set_now(local(day))
    db(terms_ending, clock.now())
    for agreement in (delivered, *closed):
        assert written(f"agreement:{agreement}:term:") == set()
    assert (f"agreement:{half}:term:{until.isoformat()}:buyer", None, "mua@sieuthi.test",
            "agreement_term_ending") in written(f"agreement:{half}:term:")


def test_a_fully_delivered_agreement_has_no_milestone_reminders_but_a_half_delivered_one_has(clock):
    from scheduler.rules.agreements import milestones_due, milestones_overdue

    day = dt.date(2091, 6, 25)

    async def setup():
        producer, _ = await make_producer()
        subjects = {}
        for name, delivered in (("delivered", 300), ("half", 150)):
            agreement = await make_agreement([producer], buyer_email="mua@sieuthi.test", status="in_progress")
            await _line(agreement, producer, 300, delivered)
            subjects[name] = (agreement, await make_milestone(agreement, day + DAY),
                              await make_milestone(agreement, day - DAY))
        return subjects

    subjects = db(setup)
    clock.set_now(local(day))
    db(milestones_due, clock.now())
    db(milestones_overdue, clock.now())
    agreement, coming, late = subjects["delivered"]
    assert written(f"agreement:{agreement}:milestone:") == set()
    agreement, coming, late = subjects["half"]
    assert f"agreement:{agreement}:milestone:{coming}:d1:buyer" in {
        key for key, *_ in written(f"agreement:{agreement}:milestone:{coming}:d1:")}
    assert written(f"agreement:{agreement}:milestone:{late}:overdue:")


# -- certificates ----------------------------------------------------------------------------------------


def test_a_certificate_expiring_reminds_the_producer_and_the_managers_of_points_carrying_it_at_90_then_30_days(clock):
    from scheduler.rules.catalog import certificates_expiring

    day = dt.date(2091, 7, 1)
    expires = day + 90 * DAY

    async def setup():
        producer, members = await make_producer()
        product = await make_product(producer, expires_on=expires)
        carrier = await make_user("salespoint_manager", language="en")
        other = await make_user("salespoint_manager")
        await make_point([carrier["id"]], carries=[(product, 0)])
        await make_point([other["id"]], carries=[(await make_product(producer), 0)])  # does not carry it
        return product, members[0], carrier

    product, member, carrier = db(setup)
    prefix = f"product:{product}:expiry:{expires.isoformat()}:"

    def expected(lead: int) -> set[tuple]:
        return {(f"{prefix}d{lead}:{u['id']}", u["id"], u["email"], "certificate_expiring") for u in (member, carrier)}

    clock.set_now(local(day - DAY))  # 91 days left
    db(certificates_expiring, clock.now())
    assert written(prefix) == set()

    clock.set_now(local(day))
    run_twice(certificates_expiring, clock)
    assert written(prefix) == expected(90)
    languages = {r["recipient"]: r["language"] for r in db(notifications, prefix)}
    assert languages == {member["id"]: "vi", carrier["id"]: "en"}

    clock.set_now(local(day + 59 * DAY))  # 31 days left: still the 90-day reminder
    db(certificates_expiring, clock.now())
    assert written(prefix) == expected(90)

    clock.set_now(local(day + 60 * DAY))  # 30 days left
    run_twice(certificates_expiring, clock)
    assert written(prefix) == expected(90) | expected(30)
    renders(prefix)


# -- a scheduler that was down ---------------------------------------------------------------------------


def test_a_scheduler_down_for_days_sends_only_the_latest_reminder_once(clock):
    from scheduler.runner import run_rules

    day = dt.date(2091, 8, 1)

    async def setup():
        producer, members = await make_producer()
        agreement = await make_agreement([producer], buyer_email="down@sieuthi.test")
        milestone = await make_milestone(agreement, day + 8 * DAY)
        product = await make_product(producer, expires_on=day + 91 * DAY)
        return agreement, milestone, product, members[0]

    agreement, milestone, product, member = db(setup)
    milestone_prefix = f"agreement:{agreement}:milestone:{milestone}:"
    product_prefix = f"product:{product}:expiry:"

    clock.set_now(local(day))  # the last run before it went down: nothing due yet
    assert all(count >= 0 for count in db(run_rules).values())
    assert written(milestone_prefix) == written(product_prefix) == set()

    clock.set_now(local(day + 63 * DAY, 10))  # back two months later: the milestone is past, 28 days left on the certificate
    db(run_rules)
    assert set(db(run_rules).values()) == {0}  # a second run writes nothing
    assert {k.rsplit(":", 1)[0] for k, *_ in written(product_prefix)} == {
        f"{product_prefix}{(day + 91 * DAY).isoformat()}:d30"}
    assert {r[0] for r in written(milestone_prefix)} == {f"{milestone_prefix}overdue:{u}" for u in db(organizer_ids)}


def test_a_scheduler_down_until_the_day_before_a_milestone_sends_the_day_before_reminder_only(clock):
    from scheduler.runner import run_rules

    day = dt.date(2091, 9, 1)

    async def setup():
        producer, members = await make_producer()
        agreement = await make_agreement([producer], buyer_email="late@sieuthi.test")
        return agreement, await make_milestone(agreement, day + 9 * DAY), members[0]

    agreement, milestone, member = db(setup)
    prefix = f"agreement:{agreement}:milestone:{milestone}:"
    clock.set_now(local(day))  # nine days ahead
    db(run_rules)
    clock.set_now(local(day + 8 * DAY, 7))  # down for a week: tomorrow now
    db(run_rules)
    db(run_rules)
    assert written(prefix) == {(f"{prefix}d1:u{member['id']}", member["id"], member["email"], "milestone_due"),
                               (f"{prefix}d1:buyer", None, "late@sieuthi.test", "milestone_due")}


def test_a_failing_rule_is_recorded_and_the_others_still_run(clock, monkeypatch):
    from scheduler import runner
    from scheduler.rules.agreements import terms_ending

    async def broken(now):
        raise RuntimeError("broken rule")

    day = dt.date(2091, 10, 1)

    async def setup():
        producer, _ = await make_producer()
        return await make_agreement([producer], valid_until=day + 10 * DAY)

    agreement = db(setup)
    monkeypatch.setattr(runner, "RULES", [broken, terms_ending])
    clock.set_now(local(day))
    result = db(runner.run_rules)
    assert result["broken"] == -1 and result["terms_ending"] >= 1
    assert written(f"agreement:{agreement}:term:")


# -- sales points ----------------------------------------------------------------------------------------


def test_the_sales_point_digest_goes_to_its_managers_from_seven_in_the_morning_once_a_day(clock):
    from scheduler.rules.salespoints import daily_digest

    day = dt.date(2091, 11, 5)

    async def setup():
        producer, _ = await make_producer()
        low, lot = await make_product(producer), await make_product(producer)
        managers = [await make_user("salespoint_manager"), await make_user("salespoint_manager", language="en")]
        point = await make_point([m["id"] for m in managers], carries=[(low, 5), (lot, 0)],
                                 stock=[(low, 2, "", None), (lot, 10, "L-01", day + 10 * DAY)])
        quiet_manager = await make_user("salespoint_manager")
        plenty = await make_product(producer)
        quiet = await make_point([quiet_manager["id"]], carries=[(plenty, 5)], stock=[(plenty, 50, "", day + 300 * DAY)])
        return point, managers, quiet

    point, managers, quiet = db(setup)

    def expected(on: dt.date) -> set[tuple]:
        return {(f"salespoint:{point}:digest:{on.isoformat()}:{m['id']}", m["id"], m["email"], "salespoint_digest")
                for m in managers}

    clock.set_now(local(day, 6, 59))
    assert db(daily_digest, clock.now()) == 0  # before the digest hour nothing at all
    assert written(f"salespoint:{point}:") == set()

    clock.set_now(local(day, 7, 0))
    run_twice(daily_digest, clock)
    assert written(f"salespoint:{point}:") == expected(day)
    data = loads(db(notifications, f"salespoint:{point}:")[0]["data"])
    assert [(r["quantity"], r["threshold"]) for r in data["low"]] == [(2, 5)]
    assert [(r["lot"], r["quantity"], r["expiry"]) for r in data["expiring"]] == [("L-01", 10, (day + 10 * DAY).isoformat())]
    renders(f"salespoint:{point}:")

    clock.set_now(local(day, 18, 30))  # later that day: not again
    db(daily_digest, clock.now())
    assert written(f"salespoint:{point}:") == expected(day)

    clock.set_now(local(day + DAY, 7, 30))  # the next morning: the next digest
    run_twice(daily_digest, clock)
    assert written(f"salespoint:{point}:") == expected(day) | expected(day + DAY)
    assert written(f"salespoint:{quiet}:") == set()  # nothing to say: no digest


# -- fairs -----------------------------------------------------------------------------------------------


def test_exhibitors_are_told_the_day_before_set_up_with_their_booths(clock):
    from scheduler.rules.fairs import setup_tomorrow

    day = dt.date(2092, 1, 10)

    async def setup():
        fair = await make_fair(day + 2 * DAY, day + 5 * DAY, setup_on=day + DAY)
        placed, (member,) = await make_producer()
        waiting, _ = await make_producer()
        application = await place(fair, placed, booths=2)
        await place(fair, waiting, status="waitlisted")
        plain = await make_fair(day + DAY, day + 3 * DAY, status="running")  # no set-up day: the day before it starts
        plain_producer, (plain_member,) = await make_producer()
        plain_application = await place(plain, plain_producer, status="confirmed")
        draft = await make_fair(day + 2 * DAY, day + 5 * DAY, status="draft", setup_on=day + DAY)
        await place(draft, placed)
        return fair, application, member, plain, plain_application, plain_member, draft

    fair, application, member, plain, plain_application, plain_member, draft = db(setup)
    clock.set_now(local(day - DAY))  # two days before set-up
    db(setup_tomorrow, clock.now())
    assert written(f"fair:{fair}:setup:") == written(f"fair:{plain}:setup:") == set()

    clock.set_now(local(day, 6))
    run_twice(setup_tomorrow, clock)
    assert written(f"fair:{fair}:setup:") == {
        (f"fair:{fair}:setup:{application}:{member['id']}", member["id"], member["email"], "fair_setup_tomorrow")}
    assert written(f"fair:{plain}:setup:") == {(f"fair:{plain}:setup:{plain_application}:{plain_member['id']}",
                                                plain_member["id"], plain_member["email"], "fair_setup_tomorrow")}
    assert written(f"fair:{draft}:") == set()
    assert loads(db(notifications, f"fair:{fair}:setup:")[0]["data"])["booths"] == ["A01", "A02"]
    renders(f"fair:{fair}:setup:")


def test_the_organizers_are_told_the_day_before_a_fair_starts(clock):
    from scheduler.rules.fairs import starts_tomorrow

    day = dt.date(2092, 2, 10)
    fair = db(make_fair, day + DAY, day + 3 * DAY)
    prefix = f"fair:{fair}:starts:"
    clock.set_now(local(day - DAY, 20))
    db(starts_tomorrow, clock.now())
    assert written(prefix) == set()

    clock.set_now(local(day, 0, 1))
    run_twice(starts_tomorrow, clock)
    organizers = db(organizer_ids)
    emails = {r["id"]: r["email"] for r in db(_emails, organizers)}
    assert written(prefix) == {(f"{prefix}{u}", u, emails[u], "fair_starts_tomorrow") for u in organizers}
    renders(prefix)


def test_exhibitors_who_have_not_entered_the_days_sales_are_reminded_from_eight_in_the_evening(clock):
    from fairs.tables import BoothSale
    from scheduler.rules.fairs import sales_missing

    day = dt.date(2092, 3, 10)

    async def setup():
        fair = await make_fair(day, day + 2 * DAY, status="running")
        silent, (silent_user,) = await make_producer()
        diligent, (diligent_user,) = await make_producer()
        silent_application = await place(fair, silent)
        diligent_application = await place(fair, diligent)
        await place(fair, (await make_producer())[0], status="waitlisted")
        await BoothSale.insert(BoothSale(fair=fair, application=diligent_application, day=day, revenue=2_500_000,
                                         transactions=31))
        return fair, silent_application, silent_user, diligent_application, diligent_user

    fair, silent_application, silent_user, diligent_application, diligent_user = db(setup)
    prefix = f"fair:{fair}:sales:"
    clock.set_now(local(day, 19, 59))
    assert db(sales_missing, clock.now()) == 0  # before the evening hour nothing at all
    assert written(prefix) == set()

    clock.set_now(local(day, 20, 0))
    run_twice(sales_missing, clock)
    assert written(prefix) == {(f"{prefix}{day.isoformat()}:{silent_application}:{silent_user['id']}", silent_user["id"],
                                silent_user["email"], "fair_sales_missing")}
    renders(prefix)

    clock.set_now(local(day + DAY, 21, 15))  # the next evening neither has entered that day's sales
    run_twice(sales_missing, clock)
    tomorrow = (day + DAY).isoformat()
    assert {r[0] for r in written(f"{prefix}{tomorrow}:")} == {
        f"{prefix}{tomorrow}:{silent_application}:{silent_user['id']}",
        f"{prefix}{tomorrow}:{diligent_application}:{diligent_user['id']}"}

    clock.set_now(local(day + 3 * DAY, 21))  # the fair is over: nothing
    db(sales_missing, clock.now())
    assert len(written(prefix)) == 3


def test_the_outcome_report_is_owed_the_day_after_a_fair_ends_once(clock):
    from scheduler.rules.reports import outcome_reports_due
    from scheduler.tables import ScheduledTask

    day = dt.date(2092, 4, 10)
    fair = db(make_fair, day - 3 * DAY, day, "closed")
    still = db(make_fair, day - 3 * DAY, day + DAY, "running")
    key = f"report:fair:{fair}"

    clock.set_now(local(day, 23, 59))  # its last day
    db(outcome_reports_due, clock.now())
    assert not run_query(ScheduledTask.exists().where(ScheduledTask.key == key))

    clock.set_now(local(day + DAY, 0, 10))
    run_twice(outcome_reports_due, clock)
    tasks = run_query(ScheduledTask.select().where(ScheduledTask.key.is_in([key, f"report:fair:{still}"])))
    assert [(t["key"], t["kind"], t["status"]) for t in tasks] == [(key, "fair_outcome_report", "waiting")]
    assert loads(tasks[0]["data"])["fair_id"] == fair


def run_query(query):
    async def go():
        return await query

    return db(go)


def test_producers_of_an_earlier_edition_are_reminded_before_applications_close(clock):
    from scheduler.rules.fairs import application_window_closing

    day = dt.date(2092, 5, 10)
    series = unique("Series ")

    async def setup():
        earlier = await make_fair(day - 365 * DAY, day - 360 * DAY, status="closed", series=series)
        returning, (returning_user,) = await make_producer()
        applied, _ = await make_producer()
        turned_away, _ = await make_producer()
        await place(earlier, returning)
        await place(earlier, applied)
        await place(earlier, turned_away, status="waitlisted")
        fair = await make_fair(day + 30 * DAY, day + 33 * DAY, status="open", series=series, closes_on=day + 3 * DAY)
        await place(fair, applied, status="submitted")
        return fair, returning, returning_user

    fair, returning, returning_user = db(setup)
    prefix = f"fair:{fair}:closing:"
    clock.set_now(local(day - DAY))  # four days before closing
    db(application_window_closing, clock.now())
    assert written(prefix) == set()

    clock.set_now(local(day))
    run_twice(application_window_closing, clock)
    assert written(prefix) == {(f"{prefix}{returning}:{returning_user['id']}", returning_user["id"],
                                returning_user["email"], "fair_application_closing")}
    renders(prefix)
