"""The meeting-schedule engine: the rules every schedule keeps on small random conferences, its value
against an exhaustive search and an independent integer programme, late changes that move nothing, and
worked examples of the choices it makes. Pure: no database, no server."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking import scheduling
from matchmaking.scheduling import (
    Candidate,
    Conference,
    Meeting,
    Participant,
    Schedule,
    ScheduleConflict,
    first_come,
    fit_late,
    meeting_value,
    schedule_meetings,
    schedule_value,
    violations,
)

INTERESTS = ("must", "would", "would", "no", "")

# ---------------------------------------------------------------------------------------------
# An independent reading of the rules, and the best schedule by exhaustive search


def attends(participant: Participant, slot: int, slots: int) -> bool:
    return 0 <= slot < slots and (participant.available is None or slot in participant.available)


def broken_rules(conference: Conference, meetings: tuple[Meeting, ...] | list[Meeting]) -> list[str]:
    """Every rule a list of meetings breaks, checked from the rules' wording (not from the engine's code)."""
    buyers = {b.id: b for b in conference.buyers}
    producers = {p.id: p for p in conference.producers}
    broken = []
    for label, key in (("a buyer twice in a slot", lambda m: (m.buyer, m.slot)),
                       ("a producer twice in a slot", lambda m: (m.producer, m.slot)),
                       ("a table twice in a slot", lambda m: (m.slot, m.table)),
                       ("a pair twice", lambda m: m.pair)):
        broken += [f"{label}: {k}" for k, n in Counter(map(key, meetings)).items() if n > 1]
    for side, people, key in (("buyer", buyers, lambda m: m.buyer), ("producer", producers, lambda m: m.producer)):
        for pid, n in Counter(map(key, meetings)).items():
            if pid not in people:
                broken.append(f"{side} {pid} is not at the conference")
            elif n > people[pid].quota:
                broken.append(f"{side} {pid} over its quota")
    for m in meetings:
        if m.pair in conference.excluded:
            broken.append(f"excluded pair {m.pair}")
        if not 1 <= m.table <= conference.tables:
            broken.append(f"no table {m.table}")
        for participant in (buyers.get(m.buyer), producers.get(m.producer)):
            if participant is not None and not attends(participant, m.slot, conference.slots):
                broken.append(f"{participant.id} does not attend slot {m.slot}")
    return broken


def values_of(conference: Conference) -> dict[tuple[int, int], int]:
    return {(c.buyer, c.producer): c.value for c in conference.candidates}


def best_value(conference: Conference, locked: tuple[Meeting, ...] = ()) -> int:
    """The most any schedule keeping the locked meetings can be worth: every candidate in every slot or none,
    searched depth first (with the rest's total value as the bound that prunes)."""
    buyers = {b.id: b for b in conference.buyers}
    producers = {p.id: p for p in conference.producers}
    values = values_of(conference)
    locked_pairs = {m.pair for m in locked}
    options = []
    for (b, p), value in sorted(values.items(), key=lambda item: -item[1]):
        if value > 0 and (b, p) not in conference.excluded and (b, p) not in locked_pairs:
            slots = [s for s in range(conference.slots) if attends(buyers[b], s, conference.slots)
                     and attends(producers[p], s, conference.slots)]
            if slots:
                options.append(((b, p), value, slots))
    busy = {(("b", m.buyer), m.slot) for m in locked} | {(("p", m.producer), m.slot) for m in locked}
    count = Counter([("b", m.buyer) for m in locked] + [("p", m.producer) for m in locked])
    load = Counter(m.slot for m in locked)
    quota = {("b", b): buyers[b].quota for b in buyers} | {("p", p): producers[p].quota for p in producers}
    remaining = [sum(v for _, v, _ in options[i:]) for i in range(len(options) + 1)]
    best = 0

    def search(i: int, total: int) -> None:
        nonlocal best
        best = max(best, total)
        if i == len(options) or total + remaining[i] <= best:
            return
        (b, p), value, slots = options[i]
        sides = (("b", b), ("p", p))
        if all(count[side] < quota[side] for side in sides):
            for slot in slots:
                if load[slot] < conference.tables and all((side, slot) not in busy for side in sides):
                    busy.update((side, slot) for side in sides)
                    count.update(sides)
                    load[slot] += 1
                    search(i + 1, total + value)
                    busy.difference_update((side, slot) for side in sides)
                    count.subtract(sides)
                    load[slot] -= 1
        search(i + 1, total)

    search(0, 0)
    return best + sum(values.get(m.pair, 0) for m in locked)


def full_programme_optimum(conference: Conference) -> int:
    """The optimum of the slot-indexed integer programme, written here from the rules and solved by HiGHS."""
    import highspy

    buyers = {b.id: b for b in conference.buyers}
    producers = {p.id: p for p in conference.producers}
    columns = [(c, s) for c in conference.candidates if c.value > 0 and (c.buyer, c.producer) not in conference.excluded
               for s in range(conference.slots)
               if attends(buyers[c.buyer], s, conference.slots) and attends(producers[c.producer], s, conference.slots)]
    rows: dict[tuple, int] = {}
    limits: list[float] = []
    entries: list[tuple[int, int]] = []
    for j, (c, s) in enumerate(columns):
        for key, limit in ((("pair", c.buyer, c.producer), 1), (("slot", s), conference.tables),
                           (("buyer at", c.buyer, s), 1), (("producer at", c.producer, s), 1),
                           (("buyer quota", c.buyer), buyers[c.buyer].quota),
                           (("producer quota", c.producer), producers[c.producer].quota)):
            if key not in rows:
                rows[key] = len(limits)
                limits.append(float(limit))
            entries.append((j, rows[key]))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(columns), len(limits)
    lp.col_cost_ = np.array([-float(c.value) for c, _ in columns])
    lp.col_lower_, lp.col_upper_ = np.zeros(len(columns)), np.ones(len(columns))
    lp.row_lower_, lp.row_upper_ = np.full(len(limits), -highspy.kHighsInf), np.array(limits)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted([j for j, _ in entries], np.arange(len(columns) + 1)).astype(np.int32)
    lp.a_matrix_.index_ = np.array([r for _, r in entries], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(entries))
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)
    solver = highspy.Highs()
    # One thread, as every HiGHS user in the project: the process shares one thread pool, set by its first run.
    for option, setting in (("output_flag", False), ("threads", 1), ("mip_rel_gap", 0.0)):
        solver.setOptionValue(option, setting)
    solver.passModel(lp)
    solver.run()
    assert solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return round(-solver.getInfo().objective_function_value)


# ---------------------------------------------------------------------------------------------
# Random small conferences


@st.composite
def conferences(draw, max_buyers: int = 4, max_producers: int = 4, max_slots: int = 4, max_pairs: int = 8) -> Conference:
    """A few buyers and producers (quotas 0–3, some attending only some slots), a few candidate pairs with
    random scores and interests (a "no" excludes the pair), one to three tables."""
    slots = draw(st.integers(1, max_slots))
    window = st.none() | st.frozensets(st.integers(0, slots - 1))

    def side(first: int, most: int) -> list[Participant]:
        return [Participant(first + i, draw(st.integers(0, 3)), draw(window)) for i in range(draw(st.integers(1, most)))]

    buyers, producers = side(1, max_buyers), side(101, max_producers)
    pairs = draw(st.lists(st.tuples(st.sampled_from([b.id for b in buyers]), st.sampled_from([p.id for p in producers])),
                          unique=True, max_size=max_pairs))
    candidates, excluded = [], set()
    for buyer, producer in pairs:
        value = meeting_value(draw(st.integers(0, 100)), draw(st.sampled_from(INTERESTS)), draw(st.sampled_from(INTERESTS)),
                              draw(st.booleans()))
        if value is None:
            excluded.add((buyer, producer))
        else:
            candidates.append(Candidate(buyer, producer, value))
    return Conference(slots, draw(st.integers(1, 3)), buyers, producers, candidates, frozenset(excluded))


@dataclass(frozen=True)
class Locked:
    conference: Conference
    locked: tuple[Meeting, ...]


@st.composite
def conferences_with_locks(draw) -> Locked:
    """A conference and a few meetings the organizer locked: drawn at random, kept only where they keep the rules."""
    conference = draw(conferences())
    locked: list[Meeting] = []
    for _ in range(draw(st.integers(0, 3))):
        meeting = Meeting(draw(st.integers(0, conference.slots - 1)), draw(st.integers(1, conference.tables)),
                          draw(st.sampled_from([b.id for b in conference.buyers])),
                          draw(st.sampled_from([p.id for p in conference.producers])))
        if not broken_rules(conference, [*locked, meeting]):
            locked.append(meeting)
    return Locked(conference, tuple(locked))


property_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def schedule(case: Locked) -> Schedule:
    return schedule_meetings(case.conference, locked=case.locked, time_limit=5.0)


# ---------------------------------------------------------------------------------------------
# The rules every schedule keeps


@property_settings
@given(conferences_with_locks())
def test_no_participant_and_no_table_is_booked_twice_in_a_slot(case):
    meetings = schedule(case).meetings
    for key in (lambda m: (m.buyer, m.slot), lambda m: (m.producer, m.slot), lambda m: (m.slot, m.table), lambda m: m.pair):
        assert max(Counter(map(key, meetings)).values(), default=0) <= 1
    assert all(1 <= m.table <= case.conference.tables and 0 <= m.slot < case.conference.slots for m in meetings)


@property_settings
@given(conferences_with_locks())
def test_nobody_has_more_meetings_than_its_quota_locked_ones_counted(case):
    meetings = schedule(case).meetings
    quota = {("b", b.id): b.quota for b in case.conference.buyers} | {("p", p.id): p.quota for p in case.conference.producers}
    used = Counter([("b", m.buyer) for m in meetings] + [("p", m.producer) for m in meetings])
    assert all(n <= quota[side] for side, n in used.items())


@property_settings
@given(conferences_with_locks())
def test_a_meeting_falls_in_a_slot_both_sides_attend(case):
    buyers = {b.id: b for b in case.conference.buyers}
    producers = {p.id: p for p in case.conference.producers}
    for m in schedule(case).meetings:
        assert attends(buyers[m.buyer], m.slot, case.conference.slots)
        assert attends(producers[m.producer], m.slot, case.conference.slots)


@property_settings
@given(conferences_with_locks())
def test_excluded_pairs_never_meet_and_only_candidates_or_locked_pairs_do(case):
    outcome = schedule(case)
    allowed = {(c.buyer, c.producer) for c in case.conference.candidates if c.value > 0} | {m.pair for m in case.locked}
    assert not {m.pair for m in outcome.meetings} & case.conference.excluded
    assert {m.pair for m in outcome.meetings} <= allowed
    assert not broken_rules(case.conference, outcome.meetings)


@property_settings
@given(conferences_with_locks())
def test_locked_meetings_stay_in_their_slot_at_their_table(case):
    assert set(case.locked) <= set(schedule(case).meetings)


@property_settings
@given(conferences_with_locks())
def test_the_value_is_what_the_meetings_are_worth_and_never_above_the_bound(case):
    outcome = schedule(case)
    assert outcome.objective == schedule_value(case.conference, outcome.meetings)
    assert outcome.objective <= outcome.bound
    assert outcome.gap == pytest.approx((outcome.bound - outcome.objective) / outcome.bound if outcome.bound else 0.0)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conferences_with_locks())
def test_a_small_conference_gets_the_best_schedule_there_is(case):
    best = best_value(case.conference, case.locked)
    outcome = schedule(case)
    assert outcome.bound >= best  # the bound is a bound
    assert outcome.objective == best
    assert outcome.optimal


@property_settings
@given(conferences_with_locks())
def test_every_candidate_left_out_gets_a_reason_that_is_true(case):
    conference, outcome = case.conference, schedule(case)
    scheduled = {m.pair for m in outcome.meetings}
    worth_a_table = {(c.buyer, c.producer) for c in conference.candidates if c.value > 0}
    assert {(r.buyer, r.producer) for r in outcome.unscheduled} == worth_a_table - scheduled
    quota = {("buyer", b.id): b.quota for b in conference.buyers} | {("producer", p.id): p.quota for p in conference.producers}
    used = Counter([("buyer", m.buyer) for m in outcome.meetings] + [("producer", m.producer) for m in outcome.meetings])
    busy = {("b", m.buyer, m.slot) for m in outcome.meetings} | {("p", m.producer, m.slot) for m in outcome.meetings}
    load = Counter(m.slot for m in outcome.meetings)
    buyers = {b.id: b for b in conference.buyers}
    producers = {p.id: p for p in conference.producers}
    for reason in outcome.unscheduled:
        both = [s for s in range(conference.slots) if attends(buyers[reason.buyer], s, conference.slots)
                and attends(producers[reason.producer], s, conference.slots)]
        free = [s for s in both if ("b", reason.buyer, s) not in busy and ("p", reason.producer, s) not in busy]
        assert reason.words
        if reason.reason == "excluded":
            assert (reason.buyer, reason.producer) in conference.excluded
        elif reason.reason == "never_together":
            assert not both
        elif reason.reason == "quota":
            side = reason.details["side"]
            who = reason.buyer if side == "buyer" else reason.producer
            assert used[(side, who)] == quota[(side, who)] == reason.details["quota"]
        elif reason.reason == "no_common_free_slot":
            assert both and not free
        else:
            assert reason.reason == "no_table"
            assert free and all(load[s] == conference.tables for s in free)


# ---------------------------------------------------------------------------------------------
# Late changes


@st.composite
def late_changes(draw) -> tuple[Conference, Conference]:
    """A conference, and the same after a few late changes: a participant withdraws, another now attends
    fewer slots, a quota is lowered, a side now says no, a late buyer arrives with its requests accepted."""
    before = draw(conferences(max_pairs=10))
    buyers, producers = list(before.buyers), list(before.producers)
    candidates, excluded = list(before.candidates), set(before.excluded)
    for _ in range(draw(st.integers(1, 4))):
        change = draw(st.sampled_from(("withdraws", "fewer_slots", "lower_quota", "says_no", "late_buyer")))
        people = draw(st.sampled_from((buyers, producers)))
        if change == "withdraws" and len(people) > 1:
            people.pop(draw(st.integers(0, len(people) - 1)))
        elif change == "fewer_slots":
            i = draw(st.integers(0, len(people) - 1))
            people[i] = replace(people[i], available=draw(st.frozensets(st.integers(0, before.slots - 1))))
        elif change == "lower_quota":
            i = draw(st.integers(0, len(people) - 1))
            people[i] = replace(people[i], quota=max(0, people[i].quota - 1))
        elif change == "says_no" and candidates:
            said_no = candidates.pop(draw(st.integers(0, len(candidates) - 1)))
            excluded.add((said_no.buyer, said_no.producer))
        elif change == "late_buyer":
            buyer = max(b.id for b in buyers) + 1
            buyers.append(Participant(buyer, draw(st.integers(1, 3))))
            for producer in draw(st.lists(st.sampled_from([p.id for p in producers]), unique=True, min_size=1, max_size=3)):
                candidates.append(Candidate(buyer, producer, meeting_value(draw(st.integers(0, 100)), "must", "would", True) or 0))
    return before, replace(before, buyers=buyers, producers=producers, candidates=candidates, excluded=frozenset(excluded))


@property_settings
@given(late_changes())
def test_fit_late_moves_nothing_already_scheduled(change):
    before, after = change
    running = schedule_meetings(before).meetings
    outcome = fit_late(after, running)
    removed = {(r.buyer, r.producer) for r in outcome.removed}
    for meeting in running:
        assert meeting in outcome.meetings or meeting.pair in removed
    assert not broken_rules(after, outcome.meetings)


@property_settings
@given(late_changes())
def test_fit_late_takes_out_only_meetings_that_can_no_longer_take_place(change):
    before, after = change
    running = schedule_meetings(before).meetings
    outcome = fit_late(after, running)
    buyers = {b.id: b for b in after.buyers}
    producers = {p.id: p for p in after.producers}
    kept = Counter([("buyer", m.buyer) for m in outcome.meetings if m in running]
                   + [("producer", m.producer) for m in outcome.meetings if m in running])
    for reason in outcome.removed:
        slot = reason.details["slot"]
        if reason.reason == "absent":
            assert reason.buyer not in buyers or reason.producer not in producers
        elif reason.reason == "excluded":
            assert (reason.buyer, reason.producer) in after.excluded
        elif reason.reason == "unavailable":
            assert not attends(buyers[reason.buyer], slot, after.slots) or not attends(producers[reason.producer], slot, after.slots)
        else:
            assert reason.reason == "over_quota"
            side = reason.details["side"]
            who = reason.buyer if side == "buyer" else reason.producer
            assert kept[(side, who)] == (buyers if side == "buyer" else producers)[who].quota
    if not broken_rules(after, running):  # nothing taken out for nothing
        assert not outcome.removed


# ---------------------------------------------------------------------------------------------
# Against an independent integer programme, on conferences too big to search exhaustively


def random_conference(seed: int, buyers: int = 8, producers: int = 12, slots: int = 6, tables: int = 3,
                      density: float = 0.35, part_day: float = 0.4) -> Conference:
    rng = random.Random(seed)

    def available() -> frozenset[int] | None:
        if rng.random() >= part_day:
            return None
        first = rng.randrange(slots)
        return frozenset(range(first, rng.randrange(first, slots) + 1))

    buyer_list = [Participant(i, rng.randint(1, 4), available()) for i in range(1, buyers + 1)]
    producer_list = [Participant(100 + i, rng.randint(1, 3), available()) for i in range(1, producers + 1)]
    candidates, excluded = [], set()
    for b in buyer_list:
        for p in producer_list:
            if rng.random() < density:
                value = meeting_value(rng.randint(0, 100), rng.choice(("must", "would", "would")),
                                      rng.choice(("must", "would", "would", "no")), rng.random() < 0.1)
                if value is None:
                    excluded.add((b.id, p.id))
                else:
                    candidates.append(Candidate(b.id, p.id, value))
    return Conference(slots, tables, buyer_list, producer_list, candidates, frozenset(excluded))


SEEDS = range(12)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_conference_of_a_hundred_candidates_gets_the_optimum_of_the_full_programme(seed):
    conference = random_conference(seed, tables=(2, 3, 5)[seed % 3])
    optimum = full_programme_optimum(conference)
    outcome = schedule_meetings(conference)
    assert not broken_rules(conference, outcome.meetings)
    assert outcome.bound >= optimum
    assert outcome.objective == optimum


def test_without_the_exact_programme_the_stages_come_within_a_few_percent_of_the_optimum(monkeypatch):
    """Stages one to three alone (what a national conference, too big for the full programme, gets)."""
    monkeypatch.setattr(scheduling, "EXACT_COLUMNS", 0)
    gaps = []
    for seed in range(30):
        conference = random_conference(seed, tables=(2, 3, 5)[seed % 3])
        optimum = full_programme_optimum(conference)
        outcome = schedule_meetings(conference)
        assert not broken_rules(conference, outcome.meetings)
        assert outcome.bound >= optimum >= outcome.objective
        gaps.append((optimum - outcome.objective) / optimum)
    assert max(gaps) <= 0.05
    assert sum(gaps) / len(gaps) <= 0.01


def test_a_provincial_conference_is_scheduled_within_one_percent_of_its_bound():
    conference = random_conference(7, buyers=60, producers=200, slots=12, tables=20, density=0.06, part_day=0.2)
    outcome = schedule_meetings(conference, time_limit=10.0)
    assert not broken_rules(conference, outcome.meetings)
    assert outcome.gap <= 0.01
    assert outcome.objective > schedule_value(conference, first_come(conference))


# ---------------------------------------------------------------------------------------------
# Worked examples


def conference_of(*candidates: Candidate, slots: int = 1, tables: int = 1, quota: int = 3,
                  available: dict[int, frozenset[int]] | None = None, excluded: frozenset = frozenset()) -> Conference:
    available = available or {}
    buyers = sorted({c.buyer for c in candidates})
    producers = sorted({c.producer for c in candidates})
    return Conference(slots, tables, [Participant(b, quota, available.get(b)) for b in buyers],
                      [Participant(p, quota, available.get(p)) for p in producers], list(candidates), excluded)


def test_meeting_value_puts_accepted_requests_then_mutual_must_meets_first():
    accepted = meeting_value(0, "would", "would", accepted=True)
    mutual_must = meeting_value(100, "must", "must")
    one_must = meeting_value(100, "must", "would")
    two_woulds = meeting_value(100, "would", "would")
    unsaid = meeting_value(100, "would", "")
    assert accepted > mutual_must > one_must > two_woulds > unsaid > 0
    assert meeting_value(50, "must", "must", accepted=True) > accepted
    assert meeting_value(80, "would", "would") > meeting_value(20, "would", "would")  # the score orders a tier


def test_a_no_from_either_side_excludes_the_pair_whatever_else_is_said():
    assert meeting_value(100, "no", "must", accepted=True) is None
    assert meeting_value(100, "must", "no") is None
    with pytest.raises(ValueError):
        meeting_value(101, "must", "must")
    with pytest.raises(ValueError):
        meeting_value(50, "maybe", "must")  # type: ignore[arg-type]


def test_the_last_table_goes_to_the_mutual_must_meet_and_the_other_pair_is_told_no_table_was_left():
    must = Candidate(1, 101, meeting_value(40, "must", "must") or 0)
    would = Candidate(2, 102, meeting_value(100, "would", "would") or 0)
    outcome = schedule_meetings(conference_of(must, would))
    assert [m.pair for m in outcome.meetings] == [(1, 101)]
    assert outcome.meetings[0].table == 1
    (left_out,) = outcome.unscheduled
    assert (left_out.buyer, left_out.producer, left_out.reason) == (2, 102, "no_table")
    assert "every table is taken" in left_out.words


def test_a_buyer_at_its_quota_is_told_so_and_keeps_its_best_meetings():
    candidates = [Candidate(1, 100 + i, 200 + i) for i in range(1, 5)]
    conference = replace(conference_of(*candidates, slots=4, tables=4), buyers=[Participant(1, 2)])
    outcome = schedule_meetings(conference)
    assert sorted(m.producer for m in outcome.meetings) == [103, 104]
    assert {r.reason for r in outcome.unscheduled} == {"quota"}
    assert outcome.unscheduled[0].words == "buyer 1 already has its 2 meetings"


def test_a_producer_who_attends_only_the_morning_meets_only_in_the_morning():
    morning = frozenset(range(4))
    candidates = [Candidate(b, 101, 300) for b in range(1, 7)]
    outcome = schedule_meetings(conference_of(*candidates, slots=8, tables=2, quota=8, available={101: morning}))
    assert len(outcome.meetings) == 4
    assert {m.slot for m in outcome.meetings} == morning


def test_two_who_never_attend_at_the_same_time_are_told_so():
    outcome = schedule_meetings(conference_of(Candidate(1, 101, 300), slots=4,
                                              available={1: frozenset({0, 1}), 101: frozenset({2, 3})}))
    assert not outcome.meetings
    assert outcome.unscheduled[0].reason == "never_together"


def test_locked_meetings_that_break_a_rule_are_refused():
    conference = conference_of(Candidate(1, 101, 300), Candidate(2, 101, 300), slots=2, tables=2,
                               available={101: frozenset({0})})
    with pytest.raises(ScheduleConflict, match="does not attend slot 1"):
        schedule_meetings(conference, locked=[Meeting(1, 1, 1, 101)])
    with pytest.raises(ScheduleConflict, match="producer 101 has another meeting in slot 0"):
        schedule_meetings(conference, locked=[Meeting(0, 1, 1, 101), Meeting(0, 2, 2, 101)])
    excluded = replace(conference, excluded=frozenset({(1, 101)}))
    with pytest.raises(ScheduleConflict, match="said no"):
        schedule_meetings(excluded, locked=[Meeting(0, 1, 1, 101)])


def test_a_meeting_locked_by_hand_stays_even_between_two_who_are_no_candidates():
    conference = conference_of(Candidate(1, 101, 300), Candidate(2, 102, 300), slots=1, tables=2)
    outcome = schedule_meetings(conference, locked=[Meeting(0, 2, 1, 102)])
    assert outcome.meetings == (Meeting(0, 2, 1, 102),)
    assert outcome.objective == 0  # worth nothing to the objective, and it keeps buyer 1 and producer 102 busy
    assert {r.reason for r in outcome.unscheduled} == {"no_common_free_slot"}


def test_running_again_on_the_previous_schedule_moves_nothing():
    conference = random_conference(3, buyers=10, producers=20, slots=8, tables=4)
    first = schedule_meetings(conference)
    again = schedule_meetings(conference, previous=first.meetings)
    assert again.meetings == first.meetings
    assert again.moved == 0


def test_the_same_conference_gets_the_same_schedule():
    conference = random_conference(5, buyers=10, producers=20, slots=8, tables=4)
    assert schedule_meetings(conference).meetings == schedule_meetings(conference).meetings


def test_when_the_organizer_locks_meetings_and_runs_again_they_stay_and_the_rest_is_rearranged():
    conference = random_conference(11, buyers=10, producers=20, slots=8, tables=4)
    first = schedule_meetings(conference)
    locked = first.meetings[::3]
    more = replace(conference, candidates=[*conference.candidates, Candidate(1, 120, 5000), Candidate(2, 119, 5000)])
    again = schedule_meetings(more, locked=locked, previous=first.meetings)
    assert set(locked) <= set(again.meetings)
    assert not broken_rules(more, again.meetings)


def test_fit_late_gives_the_table_of_a_producer_who_withdrew_to_the_best_pair_waiting():
    candidates = [Candidate(1, 101, 2100), Candidate(2, 102, 2000), Candidate(3, 103, 500), Candidate(4, 104, 300)]
    conference = conference_of(*candidates, slots=1, tables=2)
    running = schedule_meetings(conference).meetings
    assert {m.pair for m in running} == {(1, 101), (2, 102)}
    withdrawn = replace(conference, producers=[p for p in conference.producers if p.id != 102])
    outcome = fit_late(withdrawn, running)
    assert [(r.buyer, r.producer, r.reason) for r in outcome.removed] == [(2, 102, "absent")]
    assert outcome.removed[0].words == "producer 102 is not at the conference"
    assert Meeting(0, 1, 1, 101) in outcome.meetings  # unmoved
    assert Meeting(0, 2, 3, 103) in outcome.meetings  # the freed table, to the most valuable pair waiting


def test_fit_late_lets_a_late_request_in_only_where_a_table_is_free():
    candidates = [Candidate(b, 100 + b, 300) for b in range(1, 5)]
    conference = conference_of(*candidates, slots=2, tables=2)
    running = schedule_meetings(conference).meetings
    assert len(running) == 4  # every table taken
    late = replace(conference, buyers=[*conference.buyers, Participant(9, 3)],
                   candidates=[*candidates, Candidate(9, 101, 4000)])
    outcome = fit_late(late, running)
    assert outcome.meetings == running  # nothing moves for it, however valuable
    assert [(r.buyer, r.reason) for r in outcome.unscheduled if r.buyer == 9] == [(9, "no_table")]


def test_first_come_books_each_buyer_in_turn_into_the_earliest_slot_both_have_free():
    candidates = [Candidate(1, 101, 300), Candidate(1, 102, 300), Candidate(2, 101, 2500), Candidate(2, 103, 300)]
    conference = conference_of(*candidates, slots=2, tables=1)
    booked = first_come(conference, choices={1: [101, 102], 2: [101, 103]}, arrival=[1, 2])
    assert booked == (Meeting(0, 1, 1, 101), Meeting(1, 1, 1, 102))  # buyer 2 comes second and finds no table
    assert not violations(conference, booked)
    # The engine gives the accepted request (2, 101) its table: first come, first served could not.
    assert schedule_meetings(conference).objective > schedule_value(conference, booked)


def test_violations_names_what_a_hand_edited_schedule_breaks():
    conference = conference_of(Candidate(1, 101, 300), Candidate(2, 101, 300), slots=2, tables=1)
    assert violations(conference, [Meeting(0, 1, 1, 101), Meeting(1, 1, 2, 101)]) == []
    assert violations(conference, [Meeting(0, 1, 1, 101), Meeting(0, 1, 2, 101)]) == [
        "buyer 2, producer 101, slot 0, table 1: producer 101 has another meeting in slot 0"]
    assert violations(conference, [Meeting(2, 1, 1, 101), Meeting(0, 3, 2, 101), Meeting(0, 1, 7, 101)]) == [
        "buyer 1, producer 101, slot 2, table 1: the conference has no slot 2 (its slots are 0 to 1)",
        "buyer 2, producer 101, slot 0, table 3: the conference has no table 3 (its tables are 1 to 1)",
        "buyer 7, producer 101, slot 0, table 1: buyer 7 is not at the conference"]


def test_a_standing_meeting_holds_its_place_for_a_hand_change_even_once_it_breaks_a_rule():
    """A side said no, or lowered its quota, after its meeting was set: that meeting still holds its table, the
    sides' time and their quota against a meeting added by hand."""
    conference = scheduling.Conference(
        slots=2, tables=1, candidates=[], excluded=frozenset({(1, 10)}),
        buyers=[scheduling.Participant(1, 1), scheduling.Participant(2, 2)],
        producers=[scheduling.Participant(10, 2), scheduling.Participant(11, 2)])
    standing = [scheduling.Meeting(0, 1, 1, 10)]  # now excluded by a "no"
    assert [r.reason for r in scheduling.hand_refusals(conference, standing, [scheduling.Meeting(0, 1, 2, 11)])] == [
        "table_taken"]
    assert [r.reason for r in scheduling.hand_refusals(conference, standing, [scheduling.Meeting(1, 1, 1, 11)])] == [
        "over_quota"]
    assert scheduling.hand_refusals(conference, standing, [scheduling.Meeting(1, 1, 2, 11)]) == []
