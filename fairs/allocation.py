"""Booth allocation: which application gets which booths, and why.

Pure: plain data in, plain data out, no database and no clock beyond measuring the solve.

Two stages, in the order an organizer ranks what matters:

1. Who gets booths, in which zone and of which kind: an integer programme solved by HiGHS. An
   application takes all of its booths or none; a booth goes to one exhibitor; a run of booths
   lies side by side in one row and shares one kind and set of amenities (a standard request may
   have corner booths, standard booths open on two sides); zones take only the
   groups, province or invited applications they are for; blocked booths stay empty; locked
   assignments stay. It maximises the sum, over the applications served, of their priority (base,
   stars above 3, first time in the series, a featured province) and how well their zone
   preference is met, less a penalty for every booth a province gets over its fair share.
   One-booth requests are aggregated by booth class (zone, kind, amenities), which keeps the
   model small enough to prove optimality for a national fair in seconds.
2. Where inside each zone: a group's exhibitors side by side and same-subgroup competitors
   apart: a greedy layout along each row, improved by exhibitors trading places. It is bounded by
   the most any layout of the chosen exhibitors could score (`layout_bound`), so the outcome
   reports a bound and a gap for the whole objective.

The first-come-first-served assignment a clerk would make is computed too: it starts the solver
(which therefore never returns less) and is the baseline the benchmark compares with.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

# Geometry is in metres; touching edges are compared with this tolerance.
_EPS = 1e-6

_Placement = tuple[int, tuple[Any, ...], int | None]  # (request, booth class key, segment)


@dataclass(frozen=True)
class Zone:
    id: int
    name: str
    groups: frozenset[str] = frozenset()  # OCOP group codes the zone takes; empty: any
    province: str | None = None  # a province pavilion takes only that province's producers
    invited_only: bool = False  # a partner's pavilion takes only applications that ask for it
    every_product: bool = False  # a group zone takes an exhibitor by its main group, or only if all its products fit


@dataclass(frozen=True)
class Booth:
    id: int
    code: str
    zone: int
    x: float
    y: float
    width: float
    depth: float
    kind: str
    amenities: frozenset[str] = frozenset()
    blocked: bool = False


@dataclass(frozen=True)
class Request:
    """An eligible application as the engine sees it."""

    id: int
    booths: int
    kind: str
    group: str  # the OCOP group of most of its products
    subgroup: str
    province: str
    stars: int  # the best star rating among its products
    order: int  # submission rank: first come, first served, and ties go to the earlier one
    amenities: frozenset[str] = frozenset()
    zones: tuple[int, ...] = ()  # preferred zones, best first
    newcomer: bool = False  # never exhibited at an edition of this fair's series
    locked: tuple[int, ...] = ()  # booths the organizer locked to it; kept as they are
    groups: frozenset[str] = frozenset()  # the groups of all its products, when they are not all `group`


@dataclass(frozen=True)
class Weights:
    base: float = 100.0
    per_star: float = 20.0
    newcomer: float = 30.0
    featured_province: float = 30.0
    zone_choice: float = 25.0  # first choice; the second earns two thirds, the third one third
    same_group_neighbours: float = 4.0
    competitor_neighbours: float = 12.0
    over_province_share: float = 40.0
    featured_provinces: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reason:
    """Why an application got what it got: a code the service turns into words, and its details."""

    code: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    assignments: dict[int, tuple[int, ...]]  # request id -> booth ids, left to right
    reasons: dict[int, Reason]  # request id -> why (for everyone, placed or waitlisted)
    objective: float  # the whole objective: the first stage's value and the neighbours of the layout
    bound: float  # no plan of these zones can score more (first stage's bound + the layout's bound)
    gap: float  # relative: (bound - objective) / objective
    optimal: bool  # the first stage (who, where, of which kind) proven optimal
    seconds: float
    greedy_objective: float
    variables: int = 0
    first_stage: float = 0.0  # priority, zone choice and provinces' shares: what the integer programme solves
    first_stage_bound: float = 0.0
    first_stage_gap: float = 0.0


# ---------------------------------------------------------------------------------------------
# Floor-plan structure


def rows_of(booths: Iterable[Booth]) -> list[list[Booth]]:
    """Booths grouped into rows: same zone, same y and depth, touching side by side, left to right."""
    lines: dict[tuple, list[Booth]] = defaultdict(list)
    for booth in booths:
        lines[(booth.zone, round(booth.y, 3), round(booth.depth, 3))].append(booth)
    rows = []
    for line in lines.values():
        line.sort(key=lambda b: (b.x, b.id))
        run = [line[0]]
        for booth in line[1:]:
            if abs(run[-1].x + run[-1].width - booth.x) < _EPS:
                run.append(booth)
            else:
                rows.append(run)
                run = [booth]
        rows.append(run)
    rows.sort(key=lambda r: (r[0].zone, r[0].y, r[0].x))
    return rows


def neighbour_pairs(booths: Iterable[Booth]) -> list[tuple[int, int]]:
    """Touching side-by-side booth pairs (what a visitor sees as neighbours)."""
    return [(a.id, b.id) for row in rows_of(booths) for a, b in zip(row, row[1:], strict=False)]


# A corner booth is a standard booth open on two sides: a standard request may have one.
KIND_ACCEPTS = {"standard": frozenset({"standard", "corner"})}


def accepts(kind: str) -> frozenset[str]:
    """The booth kinds that satisfy a request for `kind`."""
    return KIND_ACCEPTS.get(kind, frozenset({kind}))


def zone_takes(zone: Zone, request: Request) -> bool:
    """Whether the zone may hold the request. A group zone looks at the exhibitor's main group (real
    producers bring products of several groups), or at every product shown when the zone asks so."""
    if zone.groups:
        shown = (request.groups or {request.group}) if zone.every_product else {request.group}
        if not shown <= zone.groups:
            return False
    if zone.province and request.province != zone.province:
        return False
    return not (zone.invited_only and zone.id not in request.zones)


def zone_refusal(zone: Zone, booths: Iterable[Booth], request: Request) -> Reason | None:
    """Why the zone can never hold the request, whatever the others ask; None when it can. What an
    applicant is told beside a preferred zone before sending: its theme, its province, or its booths
    (no booth of the kind, none with the amenities, no run long enough)."""
    if zone.groups:
        shown = (request.groups or {request.group}) if zone.every_product else {request.group}
        outside = sorted(shown - zone.groups)
        if outside:
            return Reason("every_product" if zone.every_product else "group",
                          {"groups": outside, "zone_groups": sorted(zone.groups), "main": request.group})
    if zone.province and request.province != zone.province:
        return Reason("province", {"province": zone.province})
    kinds = accepts(request.kind)
    usable = [b for b in booths if b.zone == zone.id and not b.blocked and b.kind in kinds]
    if not usable:
        return Reason("no_kind", {"kind": request.kind})
    fitting = [b for b in usable if request.amenities <= b.amenities]
    if not fitting:
        return Reason("no_amenities", {"kind": request.kind, "amenities": sorted(request.amenities)})
    if not any(len(segment.booths) >= request.booths for segment in _segments(fitting)):
        return Reason("no_adjacent", {"kind": request.kind, "amenities": sorted(request.amenities),
                                      "booths": request.booths})
    return None


def priority(request: Request, weights: Weights) -> float:
    return (weights.base + weights.per_star * max(0, request.stars - 3)
            + (weights.newcomer if request.newcomer else 0.0)
            + (weights.featured_province if request.province in weights.featured_provinces else 0.0))


def zone_bonus(request: Request, zone: int, weights: Weights) -> float:
    if zone not in request.zones:
        return 0.0
    return weights.zone_choice * max(0.0, 1.0 - request.zones.index(zone) / 3.0)


def province_shares(requests: Sequence[Request], capacity: int) -> dict[str, int]:
    """Each province's fair share of the booths: its part of the booths asked for, rounded up."""
    asked: dict[str, int] = defaultdict(int)
    for request in requests:
        asked[request.province] += request.booths
    total = sum(asked.values())
    if total <= capacity:
        return dict(asked)
    return {province: math.ceil(capacity * n / total) for province, n in asked.items()}


# ---------------------------------------------------------------------------------------------
# Segments: where requests can go


@dataclass(frozen=True)
class _Segment:
    """Touching free booths in one row, all of one kind and one set of amenities."""

    zone: int
    kind: str
    amenities: frozenset[str]
    booths: tuple[int, ...]  # left to right


@dataclass
class _Plan:
    """Everything about the instance that both the solver and the baseline use."""

    booths: dict[int, Booth]
    zones: dict[int, Zone]
    requests: list[Request]  # in submission order
    weights: Weights
    segments: list[_Segment]
    classes: dict[tuple, list[int]]  # (zone, kind, amenities) -> its segment indices
    fitting: list[list[tuple]]  # request index -> the classes it may use, preferred zones first
    locked: dict[int, tuple[int, ...]]  # request id -> its locked booths
    shares: dict[str, int]


def _segments(free: Sequence[Booth]) -> list[_Segment]:
    segments = []
    for row in rows_of(free):
        run = [row[0]]
        for booth in row[1:]:
            if booth.kind == run[-1].kind and booth.amenities == run[-1].amenities:
                run.append(booth)
            else:
                segments.append(_Segment(run[0].zone, run[0].kind, run[0].amenities, tuple(b.id for b in run)))
                run = [booth]
        segments.append(_Segment(run[0].zone, run[0].kind, run[0].amenities, tuple(b.id for b in run)))
    return segments


def _plan(zones: Sequence[Zone], booths: Sequence[Booth], requests: Sequence[Request], weights: Weights) -> _Plan:
    booth_by_id = {b.id: b for b in booths}
    zone_by_id = {z.id: z for z in zones}
    requests = sorted(requests, key=lambda r: (r.order, r.id))
    locked = {r.id: tuple(sorted(r.locked, key=lambda b: (booth_by_id[b].x, b))) for r in requests if r.locked}
    taken = {b for ids in locked.values() for b in ids}
    free = [b for b in booths if not b.blocked and b.id not in taken]
    segments = _segments(free)
    classes: dict[tuple, list[int]] = defaultdict(list)
    for index, segment in enumerate(segments):
        classes[(segment.zone, segment.kind, segment.amenities)].append(index)
    zone_order = sorted(zone_by_id)
    longest = {key: max(len(segments[s].booths) for s in ss) for key, ss in classes.items()}
    by_zone: dict[int, list[tuple]] = defaultdict(list)
    for key in sorted(classes, key=lambda k: (k[0], sorted(k[2]), k[1])):
        by_zone[key[0]].append(key)
    suitable: dict[tuple, list[tuple]] = {}  # (zone, kind, amenities, length) -> classes, exact kind first

    def classes_for(zone_id: int, request: Request) -> list[tuple]:
        signature = (zone_id, request.kind, request.amenities, request.booths)
        if signature not in suitable:
            kinds = accepts(request.kind)
            keys = [k for k in by_zone[zone_id] if k[1] in kinds and request.amenities <= k[2] and longest[k] >= request.booths]
            suitable[signature] = sorted(keys, key=lambda k: k[1] != request.kind)
        return suitable[signature]

    fitting = []
    for request in requests:
        mine = []
        if not request.locked:
            for zone_id in list(request.zones) + [z for z in zone_order if z not in request.zones]:
                zone = zone_by_id.get(zone_id)
                if zone is not None and zone_takes(zone, request):
                    mine += classes_for(zone_id, request)
        fitting.append(mine)
    return _Plan(booth_by_id, zone_by_id, requests, weights, segments, dict(classes), fitting, locked,
                 province_shares(requests, len(free) + len(taken)))

# ---------------------------------------------------------------------------------------------
# Scoring (the one definition of the objective; the solver's model encodes exactly this)


def score(zones: Sequence[Zone], booths: Sequence[Booth], requests: Sequence[Request],
          assignments: dict[int, tuple[int, ...]], weights: Weights = Weights()) -> float:
    """The objective value of an assignment, computed directly."""
    booth_by_id = {b.id: b for b in booths}
    request_by_id = {r.id: r for r in requests}
    holder = {booth: rid for rid, ids in assignments.items() for booth in ids}
    total = 0.0
    for rid, ids in assignments.items():
        request = request_by_id[rid]
        total += priority(request, weights) + zone_bonus(request, booth_by_id[ids[0]].zone, weights)
    for a, b in neighbour_pairs(booths):
        ra, rb = holder.get(a), holder.get(b)
        if ra is None or rb is None or ra == rb:
            continue
        left, right = request_by_id[ra], request_by_id[rb]
        if left.group == right.group:
            total += weights.same_group_neighbours
        if left.subgroup == right.subgroup:
            total -= weights.competitor_neighbours
    capacity = sum(1 for b in booths if not b.blocked or b.id in holder)
    shares = province_shares(requests, capacity)
    used: dict[str, int] = defaultdict(int)
    for rid, ids in assignments.items():
        used[request_by_id[rid].province] += len(ids)
    total -= weights.over_province_share * sum(max(0, n - shares.get(p, 0)) for p, n in used.items())
    return total


# ---------------------------------------------------------------------------------------------
# First come, first served: the baseline, and the solver's starting point


def _greedy_choice(plan: _Plan, order: Sequence[int] | None = None) -> list[tuple | None]:
    """Per request: (class, segment index) of the first free run, or None — taking the requests in
    `order` (submission order by default: first come, first served)."""
    used = [0] * len(plan.segments)  # booths taken from the left of each segment
    chosen: list[tuple | None] = [None] * len(plan.requests)
    for index in order if order is not None else range(len(plan.requests)):
        request = plan.requests[index]
        for key in plan.fitting[index]:
            fits = next((s for s in plan.classes[key] if len(plan.segments[s].booths) - used[s] >= request.booths), None)
            if fits is not None:
                chosen[index] = (key, fits)
                used[fits] += request.booths
                break
    return chosen


def _by_priority(plan: _Plan) -> list[int]:
    """Request indices by what placing them is worth (best zone choice counted), then submission order."""
    def worth(index: int) -> float:
        request = plan.requests[index]
        best_zone = max((zone_bonus(request, key[0], plan.weights) for key in plan.fitting[index]), default=0.0)
        return priority(request, plan.weights) + best_zone

    return sorted(range(len(plan.requests)), key=lambda i: (-worth(i) / plan.requests[i].booths, i))


def first_come_first_served(zones: Sequence[Zone], booths: Sequence[Booth], requests: Sequence[Request],
                            weights: Weights = Weights()) -> dict[int, tuple[int, ...]]:
    """What a clerk does by hand: each application in turn gets the first free booths that fit it."""
    plan = _plan(zones, booths, requests, weights)
    return _greedy_layout(plan, _greedy_choice(plan))


def _greedy_layout(plan: _Plan, chosen: list[tuple | None]) -> dict[int, tuple[int, ...]]:
    used = [0] * len(plan.segments)
    assignments = dict(plan.locked)
    for request, pick in zip(plan.requests, chosen, strict=True):
        if pick:
            s = pick[1]
            assignments[request.id] = plan.segments[s].booths[used[s]:used[s] + request.booths]
            used[s] += request.booths
    return assignments


# ---------------------------------------------------------------------------------------------
# Stage one: who gets booths, and in which zone, of which kind — an integer programme


def allocate_booths(zones: Sequence[Zone], booths: Sequence[Booth], requests: Sequence[Request],
                    weights: Weights = Weights(), time_limit: float = 10.0, gap: float = 1e-3) -> Outcome:
    """The assignment of booths that maximises the weighted score, with a reason for every request.

    Two stages, in the order an organizer ranks them. First, which applications get booths, in
    which zone and of which kind: priority, zone preference and provinces' fair shares — an
    integer programme solved by HiGHS to within `gap` of the proven bound (0.1 % by default;
    `time_limit` seconds stop it earlier; `optimal` when its gap is under 0.01 %). Second, where
    inside each zone: groups kept together and competitors apart, a layout of the first stage's
    choice. The outcome's bound and gap are for the whole objective: the first stage's proven bound
    plus the most any layout of the placed exhibitors could add (`layout_bound`).
    The same input gives the same output.
    """
    started = time.perf_counter()
    plan = _plan(zones, booths, requests, weights)
    greedy = _greedy_choice(plan)
    greedy_assignment = _greedy_layout(plan, greedy)
    greedy_objective = score(zones, booths, requests, greedy_assignment, weights)

    # The solver starts from the better of first come, first served and the same walk by priority.
    by_priority = _by_priority(plan)
    start = max((greedy, _greedy_choice(plan, by_priority)), key=lambda c: _first_stage_value(plan, _greedy_layout(plan, c)))
    chosen, bound, optimal, variables = _solve(plan, start, time_limit, gap)
    assignments = _arrange(plan, chosen)
    objective = score(zones, booths, requests, assignments, weights)
    if objective < greedy_objective - 1e-6:  # never hand back less than the baseline
        assignments, objective = greedy_assignment, greedy_objective
    first_stage = _first_stage_value(plan, assignments)
    bound = max(bound, first_stage)
    first_gap = (bound - first_stage) / max(abs(first_stage), 1e-9)
    # The whole bound: the first stage's, plus the most the neighbours of these exhibitors could add.
    whole = bound + layout_bound(booths, requests, assignments, weights)
    return Outcome(assignments, _reasons(plan, assignments), objective, whole,
                   (whole - objective) / max(abs(objective), 1e-9), optimal, time.perf_counter() - started,
                   greedy_objective, variables, first_stage, bound, first_gap)


def layout_bound(booths: Sequence[Booth], requests: Sequence[Request], assignments: dict[int, tuple[int, ...]],
                 weights: Weights = Weights()) -> float:
    """The most the neighbour terms could add for these exhibitors in their zones, however they stood.

    In a row, exhibitors side by side make one pair fewer than there are of them, and pairs of one
    group one fewer than that per group the row holds; so a zone makes at most its exhibitors less
    its rows in use (at least enough to hold the booths) or less its groups, whichever is more, pairs
    of one group. When a competitor pair scores nothing or less, a good pair has a member outside
    its group's largest subgroup, each of which has two sides. Runs of booths count as one exhibitor."""
    if weights.same_group_neighbours <= 0:
        return 0.0
    request_by_id = {r.id: r for r in requests}
    held = {b for ids in assignments.values() for b in ids}
    row_lengths: dict[int, list[int]] = defaultdict(list)
    place: dict[int, tuple[int, int, int]] = {}  # booth -> (zone, row, position in the row)
    for number, row in enumerate(rows_of(b for b in booths if not b.blocked or b.id in held)):
        row_lengths[row[0].zone].append(len(row))
        place.update({booth.id: (booth.zone, number, position) for position, booth in enumerate(row)})
    # What stands side by side: an exhibitor's touching booths in one row (one piece, unless locked apart).
    pieces: dict[int, list[Request]] = defaultdict(list)
    for rid, ids in assignments.items():
        last = None
        for zone, line, position in sorted(place[b] for b in ids):
            if last is None or (zone, line, position - 1) != last:
                pieces[zone].append(request_by_id[rid])
            last = (zone, line, position)
    used_in = Counter(place[b][0] for b in held)
    pairs = 0
    for zone, standing in pieces.items():
        booths_used, rows = used_in[zone], 0
        for length in sorted(row_lengths[zone], reverse=True):  # the fewest rows that hold them
            if booths_used <= 0:
                break
            booths_used -= length
            rows += 1
        groups: dict[str, list[str]] = defaultdict(list)
        for request in standing:
            groups[request.group].append(request.subgroup)
        most = len(standing) - max(rows, len(groups))
        if weights.competitor_neighbours >= weights.same_group_neighbours:  # a competitor pair adds nothing
            most = min(most, sum(min(len(subs) - 1, 2 * (len(subs) - max(subs.count(s) for s in set(subs))))
                                 for subs in groups.values()))
        pairs += max(0, most)
    return weights.same_group_neighbours * pairs


def _first_stage_value(plan: _Plan, assignments: dict[int, tuple[int, ...]]) -> float:
    request_by_id = {r.id: r for r in plan.requests}
    total = 0.0
    used: dict[str, int] = defaultdict(int)
    for rid, ids in assignments.items():
        request = request_by_id[rid]
        total += priority(request, plan.weights) + zone_bonus(request, plan.booths[ids[0]].zone, plan.weights)
        used[request.province] += len(ids)
    return total - plan.weights.over_province_share * sum(max(0, n - plan.shares.get(p, 0)) for p, n in used.items())


def most_booths(zones: Sequence[Zone], booths: Sequence[Booth], requests: Sequence[Request],
                time_limit: float = 10.0) -> int:
    """The most booths any plan obeying the rules could fill with these applications (zones' themes,
    kinds, amenities, runs side by side, locked booths), whatever their priorities: what "the booths
    that can be filled" means when a plan is judged. Proven by the solver (its bound when stopped)."""
    plan = _plan(zones, booths, requests, Weights(over_province_share=0.0))
    _, bound, _, _ = _solve(plan, _greedy_choice(plan), time_limit, 0.0, worth=lambda request, zone: float(request.booths))
    return int(math.floor(bound + 1e-6)) + sum(len(ids) for ids in plan.locked.values())


def _solve(plan: _Plan, start: list[tuple | None], time_limit: float, gap: float,
           worth: Callable[[Request, int], float] | None = None):
    """Chosen (class, segment or None) per request, the proven bound, whether optimal, the column count.

    Columns: for a one-booth request, one per class it may use (any booth of the class will do, so
    the class's size is its capacity); for a longer request, one per segment of such a class that
    is long enough (a run must fit in one segment). Rows: one per request (at most one column),
    per class (booths), per segment that longer requests may use (booths), per province (fair
    share, with a penalised slack column).
    """
    import highspy

    weights, requests, segments = plan.weights, plan.requests, plan.segments
    row_upper: list[float] = []

    def new_row(bound: float) -> int:
        row_upper.append(bound)
        return len(row_upper) - 1

    request_row = [new_row(1.0) for _ in requests]
    class_row = {key: new_row(float(sum(len(segments[s].booths) for s in ss))) for key, ss in plan.classes.items()}
    segment_row: dict[int, int] = {}
    province_row: dict[str, int] = {}
    locked_use: dict[str, int] = defaultdict(int)
    request_by_id = {r.id: r for r in requests}
    for rid, ids in plan.locked.items():
        locked_use[request_by_id[rid].province] += len(ids)
    for province in sorted({r.province for r in requests}):
        province_row[province] = new_row(float(plan.shares.get(province, 0) - locked_use[province]))

    cost, starts, index, values = [], [0], [], []
    meaning: list[_Placement | None] = []  # per column: the placement it stands for (None: a penalty column)
    for i, request in enumerate(requests):
        for key in plan.fitting[i]:
            if worth is None:  # the allocation's own objective; ties go to the earlier application
                value = -(priority(request, weights) + zone_bonus(request, key[0], weights)
                          + 1e-3 * (len(requests) - i) / len(requests))
            else:
                value = -worth(request, key[0])
            options = [None] if request.booths == 1 else [s for s in plan.classes[key]
                                                          if len(segments[s].booths) >= request.booths]
            for s in options:
                entries = [(request_row[i], 1.0), (class_row[key], float(request.booths))]
                if s is not None:
                    if s not in segment_row:
                        segment_row[s] = new_row(float(len(segments[s].booths)))
                    entries.append((segment_row[s], float(request.booths)))
                entries.append((province_row[request.province], float(request.booths)))
                entries.sort()
                index += [r for r, _ in entries]
                values += [v for _, v in entries]
                starts.append(len(index))
                cost.append(value)
                meaning.append((i, key, s))
    placements = len(cost)
    for row in province_row.values():  # booths over the fair share, penalised
        index.append(row)
        values.append(-1.0)
        starts.append(len(index))
        cost.append(weights.over_province_share)
        meaning.append(None)
    if placements == 0:  # nothing to decide: the locked booths are the plan, and its value is its own bound
        return [None] * len(requests), -math.inf, True, 0

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), len(row_upper)
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.zeros(len(cost))
    lp.col_upper_ = np.array([1.0] * placements + [float(len(plan.booths))] * len(province_row))
    lp.row_lower_ = np.full(len(row_upper), -highspy.kHighsInf)
    lp.row_upper_ = np.array(row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * placements + [highspy.HighsVarType.kContinuous] * len(province_row)

    solver = highspy.Highs()
    for option, setting in (("output_flag", False), ("time_limit", float(time_limit)), ("mip_rel_gap", float(gap)),
                            ("threads", 1), ("random_seed", 0)):
        solver.setOptionValue(option, setting)
    solver.passModel(lp)
    given = _start_solution(plan, start, meaning, placements, province_row, locked_use)
    rounded = _rounded_relaxation(solver, lp, placements, row_upper, time_limit)
    solver.setSolution(given if np.dot(cost, given.col_value) <= np.dot(cost, rounded.col_value) else rounded)
    solver.run()
    info = solver.getInfo()
    solution = np.array(solver.getSolution().col_value[:placements])
    chosen: list[tuple | None] = [None] * len(requests)
    for column in np.flatnonzero(solution > 0.5):
        i, key, s = cast(_Placement, meaning[column])  # the placement columns come first
        chosen[i] = (key, s)
    # "Optimal" means proven to 0.01 %; a solve stopped by its own (looser) tolerance reports its gap instead.
    optimal = solver.getModelStatus() == highspy.HighsModelStatus.kOptimal and info.mip_gap <= 1e-4
    return chosen, -info.mip_dual_bound, optimal, len(cost)


def _rounded_relaxation(solver, lp, placements: int, row_upper: list[float], time_limit: float):
    """A start from the linear relaxation, which on these models is nearly whole: the placements it
    takes whole first, then the others by how much of them it takes and how much they are worth,
    each only while its rows have room; penalty columns take up what exceeds a fair share."""
    import highspy

    solver.setOptionValue("solve_relaxation", True)
    solver.setOptionValue("time_limit", float(time_limit) / 4)
    solver.run()
    relaxed = np.array(solver.getSolution().col_value[:placements])
    solver.setOptionValue("solve_relaxation", False)
    solver.setOptionValue("time_limit", float(time_limit))
    starts, index, values = (np.asarray(a) for a in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
    cost = np.asarray(lp.col_cost_)
    room = np.array(row_upper, dtype=float)
    soft = np.zeros(len(room), dtype=bool)  # rows with a penalty column: going over them costs, never blocks
    for column in range(placements, len(cost)):
        soft[index[starts[column]:starts[column + 1]]] = True
    chosen = np.zeros(len(cost))
    # By how much the relaxation takes them, then (the ones it leaves out) by worth: room left is filled.
    for column in np.lexsort((cost[:placements], -np.round(relaxed, 6))):
        rows, amounts = index[starts[column]:starts[column + 1]], values[starts[column]:starts[column + 1]]
        if np.all((room[rows] >= amounts - 1e-9) | soft[rows]):
            room[rows] -= amounts
            chosen[column] = 1.0
    for column in range(placements, len(cost)):  # the shares' penalty columns: what each province is over
        chosen[column] = max(0.0, -room[index[starts[column]]])
    solution = highspy.HighsSolution()
    solution.col_value = list(chosen)
    solution.value_valid = True
    return solution


def _start_solution(plan: _Plan, start, meaning, placements: int, province_row, locked_use):
    import highspy

    column_of = {m: c for c, m in enumerate(meaning[:placements])}
    values = np.zeros(len(meaning))
    used: dict[str, int] = defaultdict(int, locked_use)
    for i, pick in enumerate(start):
        if pick is None:
            continue
        key, s = pick
        request = plan.requests[i]
        values[column_of[(i, key, None if request.booths == 1 else s)]] = 1.0
        used[request.province] += request.booths
    for offset, province in enumerate(province_row):
        values[placements + offset] = max(0.0, used[province] - plan.shares.get(province, 0))
    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    return solution


# ---------------------------------------------------------------------------------------------
# Stage two: where inside each zone


def _arrange(plan: _Plan, chosen: list[tuple | None]) -> dict[int, tuple[int, ...]]:
    """Booths for every chosen request, segment by segment along each row, left to right: longer
    requests in their own segment, one-booth requests from their class's pool. Each next place goes
    to the request that scores best beside the one on its left (same group, other subgroup; never a
    competitor when anyone else can stand there), the largest subgroup first so that none is left
    to stand beside itself at the end."""
    weights = plan.weights
    by_id = {r.id: r for r in plan.requests}
    assignments = dict(plan.locked)
    holder = {booth: by_id[rid] for rid, ids in plan.locked.items() for booth in ids}
    pairs = neighbour_pairs(plan.booths.values())
    left = {b: a for a, b in pairs}
    rank = {r.id: i for i, r in enumerate(plan.requests)}
    pools: dict[tuple, dict[str, list[Request]]] = defaultdict(lambda: defaultdict(list))  # class -> subgroup -> singles
    runs: dict[int, list[Request]] = defaultdict(list)  # segment -> longer requests
    for request, pick in zip(plan.requests, chosen, strict=True):
        if pick is not None:
            key, s = pick
            if s is None:
                pools[key][request.subgroup].append(request)
            else:
                runs[s].append(request)
    for s, segment in enumerate(plan.segments):
        pool = pools[(segment.zone, segment.kind, segment.amenities)]
        mine = runs.get(s, [])
        singles = min(sum(len(p) for p in pool.values()), len(segment.booths) - sum(r.booths for r in mine))
        previous = holder.get(left.get(segment.booths[0], -1))
        position = 0
        while mine or singles:
            candidates = list(mine) + ([p[0] for p in pool.values() if p] if singles else [])
            best = max(candidates, key=lambda r: (_beside(previous, r, weights), len(pool.get(r.subgroup, ())),
                                                  sum(len(p) for g, p in pool.items() if p and p[0].group == r.group),
                                                  -rank[r.id]))
            if best.booths > 1 or best in mine:
                mine.remove(best)
            else:
                pool[best.subgroup].pop(0)
                singles -= 1
            ids = segment.booths[position:position + best.booths]
            assignments[best.id] = ids
            for booth in ids:
                holder[booth] = best
            position += best.booths
            previous = best
    _swap_singles(plan, assignments, holder, pairs)
    return assignments


def _swap_singles(plan: _Plan, assignments: dict[int, tuple[int, ...]], holder: dict[int, Request],
                  pairs: list[tuple[int, int]], passes: int = 4) -> None:
    """Local search over the greedy layout: two one-booth exhibitors of one zone (or one and a free
    booth) trade places when each fits the other's booth and they score better beside their new
    neighbours. Priority and zone choice stay as they were, so the first stage's value does not move."""
    weights = plan.weights
    left, right = {b: a for a, b in pairs}, dict(pairs)
    locked = {b for ids in plan.locked.values() for b in ids}

    def around(booths: tuple[int, int]) -> float:
        touched = {(left[b], b) for b in booths if b in left} | {(b, right[b]) for b in booths if b in right}
        return sum(_beside(holder.get(a), cast(Request, holder.get(b)), weights)
                   for a, b in touched if holder.get(a) is not None and holder.get(b) is not None)

    def fits(request: Request | None, booth: int) -> bool:
        place = plan.booths[booth]
        return request is None or (place.kind in accepts(request.kind) and request.amenities <= place.amenities)

    by_zone: dict[int, list[int]] = defaultdict(list)
    for segment in plan.segments:
        by_zone[segment.zone] += [b for b in segment.booths
                                  if b not in locked and (b not in holder or holder[b].booths == 1)]
    for places in by_zone.values():
        for _ in range(passes):
            improved = False
            for i in places:
                best, gain = None, 1e-9
                for j in places:
                    mine, theirs = holder.get(i), holder.get(j)
                    if mine is theirs or not fits(mine, j) or not fits(theirs, i):
                        continue
                    before = around((i, j))
                    _trade(holder, i, j)
                    change = around((i, j)) - before
                    _trade(holder, i, j)
                    if change > gain:
                        best, gain = j, change
                if best is not None:
                    _trade(holder, i, best)
                    improved = True
            if not improved:
                break
        for booth in places:
            if booth in holder:
                assignments[holder[booth].id] = (booth,)


def _trade(holder: dict[int, Request], a: int, b: int) -> None:
    first, second = holder.pop(a, None), holder.pop(b, None)
    if second is not None:
        holder[a] = second
    if first is not None:
        holder[b] = first


def _beside(left: Request | None, right: Request, weights: Weights) -> float:
    """What standing side by side adds to the objective (as `score` counts it)."""
    if left is None or left.id == right.id:
        return 0.0
    return ((weights.same_group_neighbours if left.group == right.group else 0.0)
            - (weights.competitor_neighbours if left.subgroup == right.subgroup else 0.0))


# ---------------------------------------------------------------------------------------------
# Explanations


def _free_run(plan: _Plan, index: int, holder: dict[int, int], zones: set[int] | None = None) -> bool:
    """Whether the final plan leaves `booths` touching free booths that fit the request (in `zones`)."""
    need = plan.requests[index].booths
    for key in plan.fitting[index]:
        if zones is not None and key[0] not in zones:
            continue
        for s in plan.classes[key]:
            run = 0
            for booth in plan.segments[s].booths:
                run = run + 1 if booth not in holder else 0
                if run >= need:
                    return True
    return False


def _reasons(plan: _Plan, assignments: dict[int, tuple[int, ...]]) -> dict[int, Reason]:
    """Each reason states only what the final plan shows: who holds the booths that fit, their
    priorities, what is still free (tests/fairs check every statement against the plan)."""
    reasons: dict[int, Reason] = {}
    holder = {booth: rid for rid, ids in assignments.items() for booth in ids}
    for index, request in enumerate(plan.requests):
        prio = round(priority(request, plan.weights))
        if request.id in assignments:
            ids = assignments[request.id]
            zone = plan.booths[ids[0]].zone
            choice = request.zones.index(zone) + 1 if zone in request.zones else 0
            earlier = set(request.zones[: choice - 1]) if choice else set(request.zones)
            details = {"booths": [plan.booths[b].code for b in ids], "zone": plan.zones[zone].name, "priority": prio,
                       "choice": choice, "earlier_full": not _free_run(plan, index, holder, earlier),
                       "stars": request.stars, "newcomer": request.newcomer,
                       "featured": request.province in plan.weights.featured_provinces}
            reasons[request.id] = Reason("locked" if request.locked else "placed", details)
        else:
            reasons[request.id] = _why_not(plan, index, request, holder, prio)
    return reasons


def _why_not(plan: _Plan, index: int, request: Request, holder: dict[int, int], prio: int) -> Reason:
    zones = [z for z in plan.zones.values() if zone_takes(z, request)]
    base = {"booths": request.booths, "kind": request.kind, "amenities": sorted(request.amenities), "priority": prio}
    if not zones:
        return Reason("no_zone", {**base, "group": request.group, "province": request.province})
    zone_ids = {z.id for z in zones}
    names = [z.name for z in sorted(zones, key=lambda z: z.id)]
    usable = [b for b in plan.booths.values() if b.zone in zone_ids and not b.blocked]
    kinds = accepts(request.kind)
    if not any(b.kind in kinds for b in usable):
        return Reason("no_kind", {**base, "zones": names})
    if not any(b.kind in kinds and request.amenities <= b.amenities for b in usable):
        return Reason("no_amenities", {**base, "zones": names})
    if not plan.fitting[index]:
        return Reason("no_adjacent", {**base, "zones": names})
    fitting = {b for key in plan.fitting[index] for s in plan.classes[key] for b in plan.segments[s].booths
               if len(plan.segments[s].booths) >= request.booths}  # only runs long enough can hold it
    # Only the zones with booths that fit (kind, amenities, length): never one that lacks what it needs.
    where = [plan.zones[z].name for z in sorted({key[0] for key in plan.fitting[index]})]
    facts = {**base, "zones": where, "fitting": len(fitting), "taken": len(fitting & holder.keys())}
    if _free_run(plan, index, holder):
        return Reason("not_reached", facts)  # room is left: the solver stopped before it placed this one
    by_id = {r.id: r for r in plan.requests}
    holders = sorted({round(priority(by_id[holder[b]], plan.weights)) for b in fitting if b in holder})
    facts.update(lowest_holder=holders[0], highest_holder=holders[-1])
    return Reason("outbid" if holders[0] >= prio else "arranged", facts)
