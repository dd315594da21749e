"""Milestones that move honestly: a slipped milestone is moved after deliveries, the original date
stays visible, and each delivery is judged against the date in force on the day it was made."""

from __future__ import annotations

import datetime as dt
import html

from agreements.fulfilment import DeliveryFact, LineTerms, MilestoneTerms, fulfilment
from tests.agreements.conftest import TODAY, agreement_payload


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def test_a_delivery_is_judged_against_the_date_agreed_when_it_was_made():
    day = dt.date(2026, 3, 1)
    # Due 10 March; on 15 March the parties move it to 31 March.
    moved = MilestoneTerms(1, day.replace(day=31), line=1, quantity=100,
                           earlier=((day.replace(day=10), day.replace(day=15)),))
    before, after = DeliveryFact(1, day.replace(day=12), 40, 400), DeliveryFact(1, day.replace(day=20), 60, 600)
    result = fulfilment([LineTerms(1, 100, 1000)], [before, after], [moved], None, day.replace(day=25))
    line = result.lines[0]
    # 12 March: past the 10 March then in force, late; 20 March: by the new date, on time.
    assert (line.on_time_quantity, line.late_quantity) == (60, 40)
    assert (result.on_time_value, result.late_value) == (600, 400)
    met = result.milestones[0]
    assert met.met_on == day.replace(day=20) and not met.late and not met.overdue
    assert moved.due_at(day.replace(day=14)) == day.replace(day=10) and moved.due_at(day.replace(day=15)) == day.replace(day=31)


def test_a_slipped_milestone_is_moved_after_deliveries_with_its_reason_and_original_date_kept(
        organizer, login, buyer_id, supplier):
    producer, products = supplier(1)
    created = organizer.api("POST", "/api/v1/agreements", agreement_payload(
        buyer_id, producer, products, milestones=[
            {"due_on": days(-20), "description": "Đợt 1", "line": 0, "quantity": 50},
            {"due_on": days(-5), "description": "Đợt 2", "line": 0, "quantity": 50}]))
    assert created.status_code == 201, created.text
    agreement = created.json()
    first, second = (m["id"] for m in agreement["milestones"])
    line = agreement["lines"][0]["id"]
    assert organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/deliveries",
                         {"line_id": line, "delivered_on": days(-25), "quantity": 50}).status_code == 201
    before = organizer.get(f"/api/v1/agreements/{agreement['id']}").json()
    assert before["overdue_milestones"] == 1

    # Ten days ago the buyer agreed to take the second half later; recorded today, after a delivery.
    moved = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/milestones/{second}/reschedule",
                          {"due_on": days(15), "reason": "Kho của bên mua đang sửa", "agreed_on": days(-10)})
    assert moved.status_code == 204, moved.text
    after = organizer.get(f"/api/v1/agreements/{agreement['id']}").json()
    milestone = next(m for m in after["milestones"] if m["id"] == second)
    assert (milestone["due_on"], milestone["original_due_on"]) == (days(15), days(-5))
    assert milestone["changes"] == [{"previous_due_on": days(-5), "due_on": days(15), "agreed_on": days(-10),
                                     "reason": "Kho của bên mua đang sửa"}]
    assert after["overdue_milestones"] == 0 and not milestone["overdue"]
    # Delivered yesterday: after the old date, but the new one was agreed before: on time.
    assert organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/deliveries",
                         {"line_id": line, "delivered_on": days(-1), "quantity": 50}).status_code == 201
    done = organizer.get(f"/api/v1/agreements/{agreement['id']}").json()
    assert (done["lines"][0]["on_time_quantity"], done["lines"][0]["late_quantity"]) == (100, 0)
    assert next(m for m in done["milestones"] if m["id"] == second)["late"] is False

    organizer.cookies.set("lang", "en")
    page = html.unescape(organizer.get(f"/agreements/{agreement['id']}").text)
    assert "first agreed: " in page and "Kho của bên mua đang sửa" in page
    audit = organizer.get(f"/agreements/{agreement['id']}").text
    assert "reschedule" in audit or "Kho của bên mua" in audit

    # Refused: a met milestone, a date outside the term, a day agreed in the future, and for a producer.
    met = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/milestones/{first}/reschedule",
                        {"due_on": days(10), "reason": "x"})
    assert met.status_code == 409
    outside = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/milestones/{second}/reschedule",
                            {"due_on": days(900), "reason": "x"})
    assert outside.status_code in (409, 422)
    ahead = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/milestones/{second}/reschedule",
                          {"due_on": days(10), "reason": "x", "agreed_on": days(3)})
    assert ahead.status_code in (409, 422)
    assert login("producer").api("POST", f"/api/v1/agreements/{agreement['id']}/milestones/{second}/reschedule",
                                 {"due_on": days(10), "reason": "x"}).status_code == 403


def test_the_follow_up_report_says_how_many_milestones_were_moved(organizer, buyer_id, supplier):
    from reports.data import agreement_followup
    from tests.conftest import run

    producer, products = supplier(1)
    signed = TODAY - dt.timedelta(days=400)
    agreement = organizer.api("POST", "/api/v1/agreements", agreement_payload(
        buyer_id, producer, products, signed_on=signed.isoformat(), valid_until=days(60), milestones=[
            {"due_on": days(-3), "description": "Đợt 1", "line": 0, "quantity": 50},
            {"due_on": days(20), "description": "Đợt 2", "line": 0, "quantity": 50}])).json()
    for due in (days(10), days(12)):  # moved twice: counted once
        moved = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/milestones/"
                                      f"{agreement['milestones'][0]['id']}/reschedule", {"due_on": due, "reason": "Mưa lũ"})
        assert moved.status_code == 204, moved.text
    report = run(agreement_followup(None, signed, signed))
    assert (report.milestones, report.moved_milestones) == (2, 1)
