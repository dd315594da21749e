"""The meeting schedule of a national connection conference on seeded synthetic data: solve time, the bound
and the gap, what buyers booking for themselves would get, and late changes fitted around the schedule.

    python bench/matchmaking.py [--seeds 3]

Size: 300 buyers (quota 10 meetings), 1,500 producers (quota 8), each buyer with 40 ranked choices drawn
by producers' popularity, 16 twenty-minute slots (8 in the morning, 8 in the afternoon), 120 tables:
1,920 meetings at most, for 3,000 that buyers' quotas would take. About a fifth of the participants
attend only part of the day. Producers say "no" to 8 % of the buyers who chose them and "must" to 20 %;
a buyer must meet its first 8 choices; 5 % of the pairs are accepted requests.

For each seed: the schedule (HiGHS, 10 s limit; the median of --repeats runs, as the machine is shared),
the first-come baseline (buyers in a random arrival order booking their choices by rank), then 20 late
changes (late buyers and producers, buyers leaving early or arriving late, requests accepted on the day)
fitted by `fit_late` one after another as they come, and all twenty fitted at once on the first
schedule, each time asserting that no meeting already scheduled moved. Prints a table and, last, one
JSON line of the figures (medians over the seeds, and worst cases).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchmaking.scheduling import (
    ACCEPTED_REQUEST,
    Candidate,
    Conference,
    Meeting,
    Participant,
    Schedule,
    first_come,
    fit_late,
    meeting_value,
    schedule_meetings,
    schedule_value,
    violations,
)

BUYERS, PRODUCERS, CHOICES, SLOTS, TABLES = 300, 1500, 40, 16, 120
BUYER_QUOTA, PRODUCER_QUOTA, MUST_CHOICES = 10, 8, 8
PART_DAY_SHARE, ACCEPTED_SHARE = 0.2, 0.05
TARGET_SCHEDULE_S, TARGET_GAP_PCT, TARGET_LATE_S, LATE_CHANGES = 10.0, 1.0, 2.0, 20


@dataclass
class Synthetic:
    conference: Conference
    choices: dict[int, list[int]]  # buyer -> producers, first choice first
    kinds: dict[tuple[int, int], tuple[str, str, bool]]  # pair -> (buyer says, producer says, accepted)
    rng: random.Random


def part_day(rng: random.Random) -> frozenset[int]:
    """A participant who attends only part of the day: a morning or an afternoon, arrives late, leaves early."""
    kind = rng.choice(("morning", "afternoon", "late", "early"))
    half = SLOTS // 2
    if kind == "morning":
        return frozenset(range(half))
    if kind == "afternoon":
        return frozenset(range(half, SLOTS))
    if kind == "late":
        return frozenset(range(rng.randint(2, half), SLOTS))
    return frozenset(range(rng.randint(half, SLOTS - 2)))


def pair(rng: random.Random, rank: int) -> tuple[int, str, str, bool]:
    """The match score, what each side says, and whether a request was accepted, for a buyer's choice."""
    score = max(0, min(100, round(95 - 1.2 * rank + rng.gauss(0, 8))))
    buyer_says = "must" if rank < MUST_CHOICES else "would"
    draw = rng.random()
    producer_says = "no" if draw < 0.08 else "must" if draw < 0.28 else "would"
    return score, buyer_says, producer_says, rng.random() < ACCEPTED_SHARE


def synthetic_conference(seed: int) -> Synthetic:
    rng = random.Random(seed)
    buyer_ids = list(range(1, BUYERS + 1))
    producer_ids = list(range(10_001, 10_001 + PRODUCERS))
    popularity = [1.0 / (i + 10) ** 0.7 for i in range(PRODUCERS)]  # a long tail: some producers are sought after
    rng.shuffle(popularity)

    def participant(pid: int, quota: int) -> Participant:
        return Participant(pid, quota, part_day(rng) if rng.random() < PART_DAY_SHARE else None)

    buyers = [participant(b, BUYER_QUOTA) for b in buyer_ids]
    producers = [participant(p, PRODUCER_QUOTA) for p in producer_ids]
    candidates, excluded, choices, kinds = [], set(), {}, {}
    for buyer in buyer_ids:
        chosen: list[int] = []
        while len(chosen) < CHOICES:
            producer = rng.choices(producer_ids, weights=popularity)[0]
            if producer not in chosen:
                chosen.append(producer)
        choices[buyer] = chosen
        for rank, producer in enumerate(chosen):
            score, buyer_says, producer_says, accepted = pair(rng, rank)
            kinds[(buyer, producer)] = (buyer_says, producer_says, accepted)
            value = meeting_value(score, buyer_says, producer_says, accepted)
            if value is None:
                excluded.add((buyer, producer))
            else:
                candidates.append(Candidate(buyer, producer, value))
    return Synthetic(Conference(SLOTS, TABLES, buyers, producers, candidates, frozenset(excluded)), choices, kinds, rng)


def counts(synthetic: Synthetic, meetings: tuple[Meeting, ...]) -> dict[str, int]:
    mutual = sum(1 for m in meetings if synthetic.kinds.get(m.pair, ("", "", False))[:2] == ("must", "must"))
    accepted = sum(1 for m in meetings if synthetic.kinds.get(m.pair, ("", "", False))[2])
    return {"meetings": len(meetings), "mutual_must": mutual, "accepted": accepted,
            "value": schedule_value(synthetic.conference, meetings)}


def late_change(synthetic: Synthetic, number: int, schedule: Schedule) -> tuple[str, Conference]:
    """The conference after one more late change, in turn: a late buyer, a late producer, someone who now
    leaves early or arrives late, a request accepted on the day."""
    rng, conference = synthetic.rng, synthetic.conference
    kind = ("late_buyer", "late_producer", "leaves_early", "arrives_late", "accepted")[number % 5]
    buyers, producers = list(conference.buyers), list(conference.producers)
    candidates, kinds = list(conference.candidates), synthetic.kinds
    if kind == "late_buyer":
        buyer = max(b.id for b in buyers) + 1
        buyers.append(Participant(buyer, BUYER_QUOTA, frozenset(range(SLOTS // 2, SLOTS))))
        for rank, producer in enumerate(rng.sample([p.id for p in producers], 12)):
            score, buyer_says, producer_says, accepted = pair(rng, rank)
            value = meeting_value(score, buyer_says, producer_says, accepted)
            kinds[(buyer, producer)] = (buyer_says, producer_says, accepted)
            if value is not None:
                candidates.append(Candidate(buyer, producer, value))
    elif kind == "late_producer":
        producer = max(p.id for p in producers) + 1
        producers.append(Participant(producer, PRODUCER_QUOTA))
        for buyer in rng.sample([b.id for b in buyers], 4):
            kinds[(buyer, producer)] = ("must", "would", True)
            candidates.append(Candidate(buyer, producer, meeting_value(90, "must", "would", True) or 0))
    elif kind in ("leaves_early", "arrives_late"):
        busy = sorted({m.buyer for m in schedule.meetings})
        buyer = rng.choice(busy)
        index = next(i for i, b in enumerate(buyers) if b.id == buyer)
        slots = frozenset(range(SLOTS - 3)) if kind == "leaves_early" else frozenset(range(3, SLOTS))
        buyers[index] = replace(buyers[index], available=slots & (buyers[index].available or frozenset(range(SLOTS))))
    else:
        open_pairs = [c for c in candidates if not kinds[(c.buyer, c.producer)][2]]
        chosen = rng.choice(open_pairs)
        buyer_says, producer_says, _ = kinds[(chosen.buyer, chosen.producer)]
        kinds[(chosen.buyer, chosen.producer)] = (buyer_says, producer_says, True)
        candidates = [replace(c, value=c.value + ACCEPTED_REQUEST) if c is chosen else c for c in candidates]
    synthetic.conference = replace(conference, buyers=buyers, producers=producers, candidates=candidates)
    return kind, synthetic.conference


def fitted_without_moving(before: tuple[Meeting, ...], conference: Conference) -> tuple[Schedule, float]:
    """fit_late on the running schedule, timed; asserts that nothing already scheduled moved."""
    started = time.perf_counter()
    outcome = fit_late(conference, before)
    seconds = time.perf_counter() - started
    taken_out = {(r.buyer, r.producer) for r in outcome.removed}
    now = set(outcome.meetings)
    # Every meeting is where it was, or was taken out with a reason (its side left or no longer attends).
    assert all(m in now or m.pair in taken_out for m in before), "a scheduled meeting moved"
    assert not violations(conference, outcome.meetings)
    return outcome, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="runs of the schedule per seed (the median is kept)")
    args = parser.parse_args()
    rows = []
    print(f"{'seed':>4}{'cands':>7}{'solve s':>9}{'meetings':>9}{'value':>9}{'bound':>10}{'gap %':>7}"
          f"{'must-must':>10}{'FCFS':>6}{'accepted':>9}{'FCFS':>6}{'FCFS value':>11}"
          f"{'late s med':>11}{'late s max':>11}{'20 at once s':>13}{'fitted':>7}{'removed':>8}")
    for seed in range(1, args.seeds + 1):
        synthetic = synthetic_conference(seed)
        conference = synthetic.conference
        seconds = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            schedule = schedule_meetings(conference, time_limit=TARGET_SCHEDULE_S)
            seconds.append(time.perf_counter() - started)
        elapsed = statistics.median(seconds)
        assert not violations(conference, schedule.meetings)
        arrival = [b.id for b in conference.buyers]
        synthetic.rng.shuffle(arrival)
        booked = first_come(conference, synthetic.choices, arrival)
        assert not violations(conference, booked)
        ours, theirs = counts(synthetic, schedule.meetings), counts(synthetic, booked)

        # The changes one at a time, each fitted as it comes; then all twenty fitted at once.
        current, late_seconds, fitted, removed = schedule.meetings, [], 0, 0
        for number in range(LATE_CHANGES):
            _, changed = late_change(synthetic, number, schedule)
            outcome, took = fitted_without_moving(current, changed)
            late_seconds.append(took)
            fitted += len(set(outcome.meetings) - set(current))
            removed += len(outcome.removed)
            current = outcome.meetings
        at_once = statistics.median(fitted_without_moving(schedule.meetings, synthetic.conference)[1]
                                    for _ in range(args.repeats))

        row = {"seed": seed, "candidates": len(conference.candidates), "schedule_s": elapsed, "gap_pct": 100 * schedule.gap,
               "objective": schedule.objective, "bound": schedule.bound, "ours": ours, "first_come": theirs,
               "late_median_s": statistics.median(late_seconds), "late_max_s": max(late_seconds),
               "late_total_s": sum(late_seconds), "at_once_s": at_once, "fitted": fitted, "removed": removed}
        rows.append(row)
        print(f"{seed:>4}{row['candidates']:>7}{elapsed:>9.2f}{ours['meetings']:>9}{schedule.objective:>9}"
              f"{schedule.bound:>10.0f}{row['gap_pct']:>7.3f}{ours['mutual_must']:>10}{theirs['mutual_must']:>6}"
              f"{ours['accepted']:>9}{theirs['accepted']:>6}{theirs['value']:>11}{row['late_median_s']:>11.3f}"
              f"{row['late_max_s']:>11.3f}{at_once:>13.3f}{fitted:>7}{removed:>8}")

    def median(key: str, side: str | None = None) -> float:
        return statistics.median(r[side][key] if side else r[key] for r in rows)

    figures = {
        "schedule_s_median": round(median("schedule_s"), 2),
        "schedule_s_max": round(max(r["schedule_s"] for r in rows), 2),
        "gap_pct_median": round(median("gap_pct"), 3),
        "gap_pct_max": round(max(r["gap_pct"] for r in rows), 3),
        "meetings_median": median("meetings", "ours"),
        "first_come_meetings_median": median("meetings", "first_come"),
        "mutual_must_meetings_median": median("mutual_must", "ours"),
        "first_come_mutual_must_meetings_median": median("mutual_must", "first_come"),
        "accepted_request_meetings_median": median("accepted", "ours"),
        "first_come_accepted_request_meetings_median": median("accepted", "first_come"),
        "value_over_first_come_pct_median": round(statistics.median(
            100 * (r["objective"] - r["first_come"]["value"]) / r["first_come"]["value"] for r in rows), 1),
        "late_change_s_median": round(median("late_median_s"), 3),
        "late_change_s_max": round(max(r["late_max_s"] for r in rows), 3),
        "late_changes_one_by_one_total_s_median": round(median("late_total_s"), 2),
        "late_changes_at_once_s_median": round(median("at_once_s"), 3),
        "late_meetings_fitted_median": median("fitted"),
        "late_meetings_removed_median": median("removed"),
    }
    print(f"schedule: median {figures['schedule_s_median']} s, max {figures['schedule_s_max']} s (target ≤ {TARGET_SCHEDULE_S} s); "
          f"gap to the bound: median {figures['gap_pct_median']} %, max {figures['gap_pct_max']} % (target ≤ {TARGET_GAP_PCT} %)")
    print(f"mutual must-meet meetings: {figures['mutual_must_meetings_median']} against "
          f"{figures['first_come_mutual_must_meetings_median']} when buyers book for themselves; accepted requests met: "
          f"{figures['accepted_request_meetings_median']} against {figures['first_come_accepted_request_meetings_median']}; "
          f"value {figures['value_over_first_come_pct_median']} % above")
    print(f"{LATE_CHANGES} late changes fitted one at a time: median {figures['late_change_s_median']} s each, max "
          f"{figures['late_change_s_max']} s (target ≤ {TARGET_LATE_S} s), {figures['late_changes_one_by_one_total_s_median']} s "
          f"in all; all {LATE_CHANGES} fitted at once: {figures['late_changes_at_once_s_median']} s; nothing already scheduled moved")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
