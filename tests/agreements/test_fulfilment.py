"""The fulfilment arithmetic, without a database: what was delivered, on time or late, which
milestones are met or overdue, and the verdict at the end of the term."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.fulfilment import (
    DeliveryFact,
    LineTerms,
    MilestoneTerms,
    closing_status,
    fulfilment,
)

START = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    """The n-th day of the agreement (day 0 is the day it was signed)."""
    return START + dt.timedelta(days=n)


def line(id: int = 1, quantity: int = 100, value: int | None = None) -> LineTerms:
    return LineTerms(id, quantity, quantity * 1_000 if value is None else value)


def delivered(n: int, quantity: int, line_id: int = 1, value: int | None = None) -> DeliveryFact:
    return DeliveryFact(line_id, day(n), quantity, quantity * 1_000 if value is None else value)


def due(id: int, n: int, quantity: int | None = None, line_id: int | None = 1, done: int | None = None) -> MilestoneTerms:
    return MilestoneTerms(id, day(n), line_id if quantity else None, quantity, day(done) if done is not None else None)


def state(result, milestone_id: int):
    return next(m for m in result.milestones if m.id == milestone_id)


# ---------------------------------------------------------------------------------------------
# Quantities and values delivered


def test_a_partial_delivery_leaves_the_rest_remaining():
    result = fulfilment([line(quantity=100)], [delivered(5, 30), delivered(9, 25)], [], None, TODAY)
    (only,) = result.lines
    assert (only.delivered_quantity, only.remaining_quantity, only.over_quantity) == (55, 45, 0)
    assert only.delivered_value == 55_000 and only.share == 0.55
    assert result.delivered_value == 55_000 and result.committed_value == 100_000 and result.share == 0.55
    assert not result.complete


def test_an_over_delivery_counts_above_the_commitment_and_completes_the_line():
    result = fulfilment([line(quantity=100)], [delivered(5, 80), delivered(9, 40)], [], None, TODAY)
    (only,) = result.lines
    assert (only.delivered_quantity, only.remaining_quantity, only.over_quantity) == (120, 0, 20)
    assert only.share == 1.2 and result.share == 1.2
    assert result.complete


def test_every_line_must_be_delivered_for_the_agreement_to_be_complete():
    lines = [line(1, 100), line(2, 50)]
    assert not fulfilment(lines, [delivered(3, 100, 1)], [], None, TODAY).complete
    assert fulfilment(lines, [delivered(3, 100, 1), delivered(4, 50, 2)], [], None, TODAY).complete
    assert not fulfilment([], [], [], None, TODAY).complete  # nothing committed is nothing fulfilled


def test_the_value_delivered_is_the_deliveries_own_value_not_the_line_price():
    result = fulfilment([line(quantity=10, value=1_000_000)], [delivered(2, 5, value=600_000)], [], None, TODAY)
    assert result.delivered_value == 600_000 and result.share == 0.6
    assert result.lines[0].share == 0.5  # the line's share is by quantity


def test_nothing_committed_is_a_share_of_zero_not_a_division_by_zero():
    result = fulfilment([line(quantity=0, value=0)], [delivered(2, 5, value=0)], [], None, TODAY)
    assert result.share == 0.0 and result.lines[0].share == 0.0


# ---------------------------------------------------------------------------------------------
# On time and late: deliveries fill the milestones in due-date order


def test_units_fill_the_milestones_in_due_date_order_and_are_late_after_the_one_they_fill():
    # 40 due by day 10, 40 more by day 20 (the milestones' quantities add up); listed out of order
    milestones = [due(2, 20, 40), due(1, 10, 40)]
    deliveries = [delivered(8, 30), delivered(12, 30), delivered(18, 20)]
    result = fulfilment([line(quantity=80)], deliveries, milestones, day(60), TODAY)
    # day 8: 30 on time for the first; day 12: 10 late for the first, 20 on time for the second; day 18: 20 on time
    assert (result.lines[0].on_time_quantity, result.lines[0].late_quantity) == (70, 10)
    # each delivery's value shared by its units: 30 + 10 late + 20 + 20 at the delivery's own price
    assert result.on_time_value + result.late_value == result.delivered_value
    first, second = state(result, 1), state(result, 2)
    assert first.met_on == day(12) and first.late and not first.overdue
    assert second.met_on == day(18) and not second.late


def test_a_milestone_is_met_on_the_day_the_running_total_is_reached():
    milestones = [due(1, 10, 50), due(2, 30, 50)]
    result = fulfilment([line()], [delivered(3, 20), delivered(6, 29)], milestones, None, TODAY)
    assert state(result, 1).met_on is None  # 49 of 50
    result = fulfilment([line()], [delivered(3, 20), delivered(6, 29), delivered(7, 1)], milestones, None, TODAY)
    assert state(result, 1).met_on == day(7)
    assert state(result, 2).met_on is None
    # one large delivery reaches both running totals on the same day
    result = fulfilment([line()], [delivered(9, 100)], milestones, None, TODAY)
    assert state(result, 1).met_on == state(result, 2).met_on == day(9)


def test_delivering_early_for_a_later_milestone_is_on_time():
    milestones = [due(1, 10, 10), due(2, 40, 10)]
    result = fulfilment([line(quantity=20)], [delivered(2, 20)], milestones, day(50), TODAY)
    assert (result.lines[0].on_time_quantity, result.lines[0].late_quantity) == (20, 0)
    assert state(result, 2).met_on == day(2) and not state(result, 2).late


def test_units_beyond_every_milestone_are_on_time_until_the_end_of_the_term():
    milestones = [due(1, 10, 20)]
    deliveries = [delivered(5, 20), delivered(25, 30), delivered(30, 10), delivered(31, 15)]
    result = fulfilment([line(quantity=100)], deliveries, milestones, day(30), TODAY)
    # the 20 fill the milestone on time; 30 and 10 by the last day of the term; 15 after it
    assert (result.lines[0].on_time_quantity, result.lines[0].late_quantity) == (60, 15)


def test_without_a_term_units_beyond_the_milestones_are_never_late():
    result = fulfilment([line()], [delivered(400, 70)], [], None, TODAY)
    assert (result.lines[0].on_time_quantity, result.lines[0].late_quantity) == (70, 0)
    result = fulfilment([line()], [delivered(5, 10), delivered(400, 70)], [due(1, 10, 10)], None, TODAY)
    assert (result.lines[0].on_time_quantity, result.lines[0].late_quantity) == (80, 0)


def test_each_line_fills_only_its_own_milestones():
    milestones = [due(1, 10, 30, line_id=1), due(2, 10, 30, line_id=2)]
    result = fulfilment([line(1), line(2)], [delivered(5, 30, line_id=2), delivered(15, 30, line_id=1)], milestones,
                        None, TODAY)
    assert state(result, 2).met_on == day(5) and not state(result, 2).late
    assert state(result, 1).met_on == day(15) and state(result, 1).late
    assert [(f.line, f.on_time_quantity, f.late_quantity) for f in result.lines] == [(1, 0, 30), (2, 30, 0)]


# ---------------------------------------------------------------------------------------------
# Overdue milestones


def test_a_milestone_is_overdue_once_its_date_has_passed_unmet():
    milestones = [due(1, 10, 50)]
    deliveries = [delivered(3, 20)]
    assert not state(fulfilment([line()], deliveries, milestones, None, day(10)), 1).overdue  # due today: not yet
    result = fulfilment([line()], deliveries, milestones, None, day(11))
    assert state(result, 1).overdue and [m.id for m in result.overdue] == [1]
    result = fulfilment([line()], [*deliveries, delivered(11, 30)], milestones, None, day(11))
    assert not state(result, 1).overdue and state(result, 1).late and result.overdue == []


def test_a_milestone_without_a_quantity_is_met_only_when_marked_done():
    milestones = [due(1, 10, done=None), due(2, 10, done=14)]
    result = fulfilment([line()], [delivered(3, 100)], milestones, None, day(20))
    first, second = state(result, 1), state(result, 2)
    assert first.met_on is None and first.overdue  # deliveries do not meet it, however many
    assert second.met_on == day(14) and second.late and not second.overdue


def test_a_quantity_milestone_marked_done_counts_as_met_even_short_of_its_quantity():
    milestones = [MilestoneTerms(1, day(10), 1, 50, day(9))]
    result = fulfilment([line()], [delivered(3, 10)], milestones, None, day(20))
    assert state(result, 1).met_on == day(9) and not state(result, 1).overdue


def test_milestones_are_listed_by_due_date():
    milestones = [due(3, 30, 10), due(1, 20), due(2, 10, 10)]
    assert [m.id for m in fulfilment([line()], [], milestones, None, TODAY).milestones] == [2, 1, 3]


# ---------------------------------------------------------------------------------------------
# The verdict


def test_the_verdict_is_fulfilled_as_soon_as_everything_is_delivered():
    result = fulfilment([line(quantity=10)], [delivered(3, 10)], [], day(30), day(5))
    assert closing_status(result, day(30), day(5)) == "fulfilled"


def test_before_the_term_ends_an_incomplete_agreement_has_no_verdict():
    result = fulfilment([line(quantity=10)], [delivered(3, 4)], [], day(30), day(30))
    assert closing_status(result, day(30), day(30)) is None
    assert closing_status(fulfilment([line()], [], [], None, day(900)), None, day(900)) is None  # no term: never lapses


def test_after_the_term_it_is_partially_fulfilled_or_lapsed():
    part = fulfilment([line(quantity=10)], [delivered(3, 4)], [], day(30), day(31))
    assert closing_status(part, day(30), day(31)) == "partially_fulfilled"
    nothing = fulfilment([line(quantity=10)], [], [], day(30), day(31))
    assert closing_status(nothing, day(30), day(31)) == "lapsed"


def test_goods_delivered_free_of_charge_still_make_it_partially_fulfilled():
    # a memorandum often names quantities without prices: something was delivered, it did not lapse
    result = fulfilment([line(quantity=10, value=0)], [delivered(3, 4, value=0)], [], day(30), day(31))
    assert closing_status(result, day(30), day(31)) == "partially_fulfilled"


# ---------------------------------------------------------------------------------------------
# Properties, on random agreements

LINE_IDS = (1, 2, 3)


@st.composite
def agreements(draw):
    lines = [LineTerms(i, draw(st.integers(0, 500)), draw(st.integers(0, 10**9)))
             for i in LINE_IDS[:draw(st.integers(1, len(LINE_IDS)))]]
    line_ids = [x.id for x in lines]
    milestones = [MilestoneTerms(n, day(draw(st.integers(0, 90))), draw(st.sampled_from([*line_ids, None])),
                                 draw(st.one_of(st.none(), st.integers(1, 200))),
                                 draw(st.one_of(st.none(), st.integers(0, 120).map(day))) if draw(st.booleans()) else None)
                  for n in range(1, draw(st.integers(0, 6)) + 1)]
    deliveries = [DeliveryFact(draw(st.sampled_from(line_ids)), day(draw(st.integers(0, 120))), draw(st.integers(1, 300)),
                               draw(st.integers(0, 10**8)))
                  for _ in range(draw(st.integers(0, 10)))]
    valid_until = draw(st.one_of(st.none(), st.integers(0, 120).map(day)))
    today = day(draw(st.integers(0, 150)))
    return lines, deliveries, milestones, valid_until, today


properties = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@properties
@given(agreements())
def test_every_delivered_unit_is_either_on_time_or_late(agreement):
    lines, deliveries, milestones, valid_until, today = agreement
    result = fulfilment(lines, deliveries, milestones, valid_until, today)
    for f in result.lines:
        mine = [d for d in deliveries if d.line == f.line]
        assert f.on_time_quantity >= 0 and f.late_quantity >= 0
        assert f.on_time_quantity + f.late_quantity == f.delivered_quantity == sum(d.quantity for d in mine)
        assert f.delivered_value == sum(d.value for d in mine)
    assert sum(f.on_time_quantity + f.late_quantity for f in result.lines) == sum(d.quantity for d in deliveries)
    for f in result.lines:  # in đồng, the on-time and late parts are the delivered value, shared out
        assert f.on_time_value >= 0 and f.late_value >= 0 and f.on_time_value + f.late_value == f.delivered_value
        assert (f.late_value == 0) if f.late_quantity == 0 else True
    assert result.on_time_value + result.late_value == result.delivered_value
    assert result.delivered_value == sum(d.value for d in deliveries)
    assert result.committed_value == sum(x.value for x in lines)


@properties
@given(agreements())
def test_shares_remaining_and_over_quantities_add_up(agreement):
    lines, deliveries, milestones, valid_until, today = agreement
    result = fulfilment(lines, deliveries, milestones, valid_until, today)
    for f in result.lines:
        assert f.remaining_quantity >= 0 and f.over_quantity >= 0 and min(f.remaining_quantity, f.over_quantity) == 0
        assert f.committed_quantity - f.delivered_quantity == f.remaining_quantity - f.over_quantity
        if f.committed_quantity:
            assert f.share == f.delivered_quantity / f.committed_quantity
    assert result.share == (result.delivered_value / result.committed_value if result.committed_value else 0.0)
    assert result.complete == all(f.remaining_quantity == 0 for f in result.lines)


@properties
@given(agreements())
def test_a_milestone_is_met_by_deliveries_exactly_when_its_running_total_is_reached(agreement):
    lines, deliveries, milestones, valid_until, today = agreement
    result = fulfilment(lines, deliveries, milestones, valid_until, today)
    states = {m.id: m for m in result.milestones}
    assert sorted(states) == sorted(m.id for m in milestones)
    for x in lines:
        mine = sorted((m for m in milestones if m.line == x.id and m.quantity), key=lambda m: (m.due_on, m.id))
        dates = sorted(d.delivered_on for d in deliveries if d.line == x.id)
        running = 0
        for m in mine:
            running += m.quantity
            reached = next((d for d in dates if sum(e.quantity for e in deliveries
                                                     if e.line == x.id and e.delivered_on <= d) >= running), None)
            met_on = states[m.id].met_on
            assert met_on == (reached or m.done_on)
            if m.done_on is None and met_on is not None:
                assert met_on >= dates[0]  # never met before the first delivery
    for m in milestones:
        s = states[m.id]
        assert s.overdue == (s.met_on is None and m.due_on < today)
        assert s.late == (s.met_on is not None and s.met_on > m.due_on)


@properties
@given(agreements(), st.randoms(use_true_random=False))
def test_the_order_deliveries_are_listed_in_does_not_matter(agreement, shuffler: random.Random):
    lines, deliveries, milestones, valid_until, today = agreement
    shuffled = list(deliveries)
    shuffler.shuffle(shuffled)
    assert fulfilment(lines, shuffled, milestones, valid_until, today) == fulfilment(lines, deliveries, milestones,
                                                                                  valid_until, today)


@properties
@given(agreements())
def test_without_milestones_nothing_is_late_before_the_term_ends(agreement):
    lines, deliveries, _, valid_until, today = agreement
    result = fulfilment(lines, deliveries, [], valid_until, today)
    late = sum(d.quantity for d in deliveries if valid_until is not None and d.delivered_on > valid_until)
    assert (sum(f.late_quantity for f in result.lines), result.milestones) == (late, [])


@properties
@given(agreements())
def test_the_verdict_follows_from_the_deliveries_and_the_term(agreement):
    lines, deliveries, milestones, valid_until, today = agreement
    result = fulfilment(lines, deliveries, milestones, valid_until, today)
    verdict = closing_status(result, valid_until, today)
    if result.complete:
        assert verdict == "fulfilled"
    elif valid_until is None or today <= valid_until:
        assert verdict is None
    else:
        anything = any(f.delivered_quantity > 0 for f in result.lines)
        assert verdict == ("partially_fulfilled" if anything else "lapsed")
