"""The meeting schedule of a connection conference: which buyer meets which producer, in which slot, at which table.

Pure: plain data in, plain data out, no database and no clock beyond measuring the solve.

A pair meets at most once; a participant has at most one meeting a slot, never more than its quota, and
only in slots it attends; a slot holds at most as many meetings as there are tables, each at its own
table; locked meetings stay where they are. The schedule maximises the total value of its meetings
(`meeting_value`: accepted requests and mutual "must meet"s first).

Three stages:

1. Which meetings: an integer programme solved by HiGHS, a maximum-weight b-matching of buyers and
   producers with their quotas and the tables of the day. Bipartite degree rows are totally unimodular,
   so its relaxation is nearly whole and it solves at the root. Rows a slot assignment needs are added
   where the chosen meetings break them (Hall's condition, found by a matching or a flow): a
   participant's meetings that fit only in slots U number at most |U|; the meetings that fit only in
   slots U, at most the tables of U. Every row holds for every schedule, so the programme's bound is a
   bound on any schedule: the outcome's `bound`.
2. When: the chosen meetings coloured by slots, an edge colouring of the bipartite graph, the
   narrowest windows first, each into the free slot least loaded and least asked for by the meetings
   still waiting (with alternating-path swaps where both sides' free slots differ: Kőnig's method,
   within each meeting's window), then balanced under the tables a slot has, by swapping two slots
   along alternating paths that have one more meeting in the full slot (de Werra's method).
3. Repair, only when the schedule is short of the bound: a meeting that found no slot is dropped, the
   lowest valued first; every candidate that now fits (straight away or after a swap) is added, the
   most valuable first, and a candidate takes the place of cheaper meetings whenever the trade gains.
   Then HiGHS solves the slot-indexed programme, started from this schedule: the whole of it for a
   small conference (its bound then replaces stage one's), or, for a large one, the meetings chosen and
   placed with the most valuable other candidates its budget of columns allows.

`fit_late` fits late changes around a running schedule without moving any of its meetings; `first_come`
is the baseline the benchmark compares with: buyers booking their choices themselves, in turn.
"""

from __future__ import annotations

import functools
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

Interest = Literal["must", "would", "no", ""]  # "": the side has not said
Pair = tuple[int, int]  # (buyer id, producer id)

# What a meeting is worth: the match score (0–100) orders pairs inside a tier, and the tiers never overlap.
INTEREST_POINTS = {"must": 400, "would": 100, "": 0}
MUTUAL_MUST = 1200  # on top of both sides' "must"
ACCEPTED_REQUEST = 2000  # one side asked, the other accepted

# The full slot-indexed programme is solved when it has at most this many columns.
EXACT_COLUMNS = 20_000


def meeting_value(score: int, buyer_interest: Interest, producer_interest: Interest, accepted: bool = False) -> int | None:
    """What meeting the pair is worth to the conference, or None when either side said "no" (the pair is
    excluded and never scheduled). Tiers, from the most valuable: an accepted request between two who both
    must meet (4000–4100), an accepted request (2200–2600), a mutual "must meet" (2000–2100), one side's
    "must" (500–600 with the other's "would"), two "would"s (200–300); the match score adds 0–100."""
    if not 0 <= score <= 100:
        raise ValueError(f"a match score is from 0 to 100, not {score}")
    for interest in (buyer_interest, producer_interest):
        if interest not in ("must", "would", "no", ""):
            raise ValueError(f"interest is 'must', 'would', 'no' or '', not {interest!r}")
    if "no" in (buyer_interest, producer_interest):
        return None
    value = INTEREST_POINTS[buyer_interest] + INTEREST_POINTS[producer_interest] + score
    if buyer_interest == producer_interest == "must":
        value += MUTUAL_MUST
    if accepted:
        value += ACCEPTED_REQUEST
    return value


# ---------------------------------------------------------------------------------------------
# What goes in and what comes out


@dataclass(frozen=True)
class Participant:
    id: int
    quota: int  # the most meetings it takes
    available: frozenset[int] | None = None  # the slots it attends; None: every slot


@dataclass(frozen=True)
class Candidate:
    buyer: int
    producer: int
    value: int  # meeting_value(...); a pair worth nothing is never given a table


@dataclass(frozen=True)
class Conference:
    """A connection conference as the engine sees it: slots 0..slots-1, tables 1..tables in each."""

    slots: int
    tables: int
    buyers: Sequence[Participant]
    producers: Sequence[Participant]
    candidates: Sequence[Candidate]
    excluded: frozenset[Pair] = frozenset()  # pairs one side said no to: never scheduled, even by hand


@dataclass(frozen=True, order=True)
class Meeting:
    slot: int
    table: int
    buyer: int
    producer: int

    @property
    def pair(self) -> Pair:
        return (self.buyer, self.producer)


@dataclass(frozen=True)
class Unscheduled:
    """A candidate worth a table that did not get one, or a meeting that cannot stand: why, as a code (for a
    page to translate) with its facts, and in words."""

    buyer: int
    producer: int
    value: int
    reason: str  # a key of _WORDS
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def words(self) -> str:
        side = self.details.get("side", "")
        fields = {"slot": "", "table": "", "quota": "", "table_count": "", **self.details,
                  "last_slot": self.details.get("slot_count", 0) - 1, "buyer": self.buyer, "producer": self.producer,
                  "who": f"{side} {self.buyer if side == 'buyer' else self.producer}" if side else "one side",
                  "slots": ", ".join(str(s) for s in self.details.get("slots", ()))}
        return _WORDS[self.reason].format(**fields)


_WORDS = {
    # Why a candidate has no meeting.
    "excluded": "one of the two said no to this meeting",
    "absent": "{who} is not at the conference",
    "never_together": "buyer {buyer} and producer {producer} attend no slot in common",
    "quota": "{who} already has its {quota} meetings",
    "no_common_free_slot": "buyer {buyer} and producer {producer} are never free at the same time: "
                           "the slots both attend ({slots}) are taken",
    "no_table": "every table is taken in the slots both are free ({slots})",
    "not_reached": "the time allowed ran out before this meeting was placed",
    # Why a meeting cannot stand (fit_late takes it out; a locked one is refused).
    "no_such_slot": "the conference has no slot {slot} (its slots are 0 to {last_slot})",
    "no_such_table": "the conference has no table {table} (its tables are 1 to {table_count})",
    "unavailable": "{who} does not attend slot {slot}",
    "twice": "the pair already meets in another slot",
    "double_booked": "{who} has another meeting in slot {slot}",
    "table_taken": "another meeting has table {table} in slot {slot}",
    "over_quota": "{who} takes at most {quota} meetings",
}


@dataclass(frozen=True)
class Schedule:
    meetings: tuple[Meeting, ...]  # by slot, then table
    objective: int  # the total value of the meetings, locked ones included
    bound: float  # no schedule of this conference (with these locks) is worth more
    gap: float  # (bound - objective) / bound
    optimal: bool  # proven: no schedule is worth more
    seconds: float
    unscheduled: tuple[Unscheduled, ...]  # every candidate worth a table that has none, and why, most valuable first
    removed: tuple[Unscheduled, ...] = ()  # fit_late: meetings of the running schedule that could no longer take place
    moved: int = 0  # meetings of the previous schedule now in another slot or at another table
    selected_bound: float = 0.0  # stage one's proven bound (the slot-free programme), before any exact solve


class ScheduleConflict(ValueError):
    """Locked meetings that cannot all stand: the message says which and why."""


# ---------------------------------------------------------------------------------------------
# The instance: participants as vertices of a bipartite graph, slots as bit masks


@functools.lru_cache(maxsize=1 << 16)
def _bits(mask: int) -> tuple[int, ...]:
    """The slots of a mask, in order."""
    slots = []
    while mask:
        low = mask & -mask
        slots.append(low.bit_length() - 1)
        mask ^= low
    return tuple(slots)


def _mask(slots: Iterable[int]) -> int:
    mask = 0
    for slot in slots:
        mask |= 1 << slot
    return mask


@dataclass
class _Edge:
    buyer: int  # vertex index
    producer: int  # vertex index
    pair: Pair
    value: int  # 0 for a locked pair that is no candidate
    window: int  # the slots both attend


class _Instance:
    def __init__(self, conference: Conference) -> None:
        if conference.slots < 1 or conference.tables < 1:
            raise ValueError("a conference has at least one slot and one table")
        self.conference = conference
        self.slots, self.tables = conference.slots, conference.tables
        every = (1 << conference.slots) - 1
        self.buyer_index: dict[int, int] = {}
        self.producer_index: dict[int, int] = {}
        self.ids: list[int] = []
        self.quota: list[int] = []
        self.available: list[int] = []
        for side, index in ((conference.buyers, self.buyer_index), (conference.producers, self.producer_index)):
            for participant in side:
                if participant.id in index:
                    raise ValueError(f"participant {participant.id} is listed twice")
                slots = every if participant.available is None else _mask(s for s in participant.available if 0 <= s < self.slots)
                index[participant.id] = len(self.ids)
                self.ids.append(participant.id)
                self.quota.append(max(0, participant.quota))
                self.available.append(slots)
        self.vertices = len(self.ids)
        self.edges: list[_Edge] = []
        self.edge_of: dict[Pair, int] = {}
        self.absent: dict[Pair, int] = {}  # candidates of someone not at the conference -> value
        for candidate in conference.candidates:
            pair = (candidate.buyer, candidate.producer)
            if pair in self.edge_of:  # the same pair twice: it is worth its best
                edge = self.edges[self.edge_of[pair]]
                edge.value = max(edge.value, candidate.value)
            elif candidate.buyer in self.buyer_index and candidate.producer in self.producer_index:
                self._add(pair, candidate.value)
            else:
                self.absent[pair] = max(self.absent.get(pair, candidate.value), candidate.value)
        self.by_vertex: list[list[int]] = [[] for _ in range(self.vertices)]
        for e, edge in enumerate(self.edges):
            self.by_vertex[edge.buyer].append(e)
            self.by_vertex[edge.producer].append(e)

    def _add(self, pair: Pair, value: int) -> int:
        u, v = self.buyer_index[pair[0]], self.producer_index[pair[1]]
        self.edge_of[pair] = len(self.edges)
        self.edges.append(_Edge(u, v, pair, value, self.available[u] & self.available[v]))
        return len(self.edges) - 1

    def edge(self, pair: Pair) -> int:
        """The edge of a pair, made (worth nothing) for a meeting set by hand between two who are no candidates."""
        if pair not in self.edge_of:
            e = self._add(pair, 0)
            self.by_vertex[self.edges[e].buyer].append(e)
            self.by_vertex[self.edges[e].producer].append(e)
        return self.edge_of[pair]

    def worth_a_table(self, e: int) -> bool:
        edge = self.edges[e]
        return edge.value > 0 and edge.pair not in self.conference.excluded


def _problems(instance: _Instance, meetings: Sequence[Meeting], held: int = 0) -> list[tuple[int, str, dict[str, Any]]]:
    """The meetings that cannot stand beside the ones before them in `meetings`: (position, code, facts). The first
    `held` stand as they are, judged or not: they only take their places."""
    problems: list[tuple[int, str, dict[str, Any]]] = []
    busy: set[tuple[str, int, int]] = set()
    tables: set[tuple[int, int]] = set()
    pairs: set[Pair] = set()
    count: dict[int, int] = defaultdict(int)
    for position, meeting in enumerate(meetings):
        u, v = instance.buyer_index.get(meeting.buyer), instance.producer_index.get(meeting.producer)
        if position < held:
            busy.update({("b", meeting.buyer, meeting.slot), ("p", meeting.producer, meeting.slot)})
            tables.add((meeting.slot, meeting.table))
            pairs.add(meeting.pair)
            for vertex in (u, v):
                if vertex is not None:
                    count[vertex] += 1
        elif u is None or v is None:
            problems.append((position, "absent", {"side": "buyer" if u is None else "producer"}))
        elif meeting.pair in instance.conference.excluded:
            problems.append((position, "excluded", {}))
        elif not 0 <= meeting.slot < instance.slots:
            problems.append((position, "no_such_slot", {"slot_count": instance.slots}))
        elif not 1 <= meeting.table <= instance.tables:
            problems.append((position, "no_such_table", {"table_count": instance.tables}))
        elif not instance.available[u] >> meeting.slot & 1 or not instance.available[v] >> meeting.slot & 1:
            problems.append((position, "unavailable", {"side": "buyer" if not instance.available[u] >> meeting.slot & 1
                                                              else "producer"}))
        elif meeting.pair in pairs:
            problems.append((position, "twice", {}))
        elif ("b", meeting.buyer, meeting.slot) in busy or ("p", meeting.producer, meeting.slot) in busy:
            problems.append((position, "double_booked", {"side": "buyer" if ("b", meeting.buyer, meeting.slot) in busy
                                                                else "producer"}))
        elif (meeting.slot, meeting.table) in tables:
            problems.append((position, "table_taken", {}))
        elif count[u] >= instance.quota[u] or count[v] >= instance.quota[v]:
            vertex, side = (u, "buyer") if count[u] >= instance.quota[u] else (v, "producer")
            problems.append((position, "over_quota", {"side": side, "quota": instance.quota[vertex]}))
        else:
            busy.update({("b", meeting.buyer, meeting.slot), ("p", meeting.producer, meeting.slot)})
            tables.add((meeting.slot, meeting.table))
            pairs.add(meeting.pair)
            count[u] += 1
            count[v] += 1
    return problems


def _standing(instance: _Instance, meetings: Sequence[Meeting]) -> tuple[list[Meeting], list[Unscheduled]]:
    """The meetings that can stand together, taken in the given order, and why each other one cannot."""
    problems = _problems(instance, meetings)
    gone = {position for position, _, _ in problems}
    refused = []
    for position, code, details in problems:
        meeting = meetings[position]
        e = instance.edge_of.get(meeting.pair)
        refused.append(Unscheduled(meeting.buyer, meeting.producer, instance.edges[e].value if e is not None else 0, code,
                                   {**details, "slot": meeting.slot, "table": meeting.table}))
    return [m for position, m in enumerate(meetings) if position not in gone], refused


# ---------------------------------------------------------------------------------------------
# The board: the schedule being built


class _Board:
    def __init__(self, instance: _Instance) -> None:
        self.instance = instance
        self.at: list[list[int]] = [[-1] * instance.slots for _ in range(instance.vertices)]  # vertex, slot -> edge
        self.busy = [0] * instance.vertices  # slots taken, as a mask
        self.count = [0] * instance.vertices
        self.load = [0] * instance.slots
        self.members: list[set[int]] = [set() for _ in range(instance.slots)]
        self.slot_of: dict[int, int] = {}
        self.fixed: set[int] = set()
        self.changes = [0] * instance.slots  # per slot, for caches of what a slot holds
        self._cheapest: dict[int, tuple[int, list[int]]] = {}

    def place(self, e: int, slot: int) -> None:
        edge = self.instance.edges[e]
        for vertex in (edge.buyer, edge.producer):
            self.at[vertex][slot] = e
            self.busy[vertex] |= 1 << slot
            self.count[vertex] += 1
        self.load[slot] += 1
        self.members[slot].add(e)
        self.slot_of[e] = slot
        self.changes[slot] += 1

    def remove(self, e: int) -> int:
        slot = self.slot_of.pop(e)
        edge = self.instance.edges[e]
        for vertex in (edge.buyer, edge.producer):
            self.at[vertex][slot] = -1
            self.busy[vertex] &= ~(1 << slot)
            self.count[vertex] -= 1
        self.load[slot] -= 1
        self.members[slot].discard(e)
        self.changes[slot] += 1
        return slot

    def cheapest_in(self, slot: int) -> list[int]:
        """The slot's five least valuable meetings that may move, cheapest first."""
        cached = self._cheapest.get(slot)
        if cached is None or cached[0] != self.changes[slot]:
            edges = self.instance.edges
            movable = sorted((f for f in self.members[slot] if f not in self.fixed), key=lambda f: (edges[f].value, f))
            cached = (self.changes[slot], movable[:5])
            self._cheapest[slot] = cached
        return cached[1]

    def open_slots(self) -> int:
        """The slots with a table left, as a mask."""
        return _mask(s for s in range(self.instance.slots) if self.load[s] < self.instance.tables)

    def free_for(self, e: int) -> int:
        """The slots in the pair's window where both are free."""
        edge = self.instance.edges[e]
        return edge.window & ~self.busy[edge.buyer] & ~self.busy[edge.producer]

    def room(self, e: int) -> bool:
        edge = self.instance.edges[e]
        quota = self.instance.quota
        return self.count[edge.buyer] < quota[edge.buyer] and self.count[edge.producer] < quota[edge.producer]

    def value(self) -> int:
        return sum(self.instance.edges[e].value for e in self.slot_of)

    def other_end(self, e: int, vertex: int) -> int:
        edge = self.instance.edges[e]
        return edge.producer if edge.buyer == vertex else edge.buyer

    def chain(self, vertex: int, first: int, second: int) -> list[int]:
        """The meetings met walking from `vertex` along its meeting in slot `first`, then the next one's in
        `second`, and so on: a path, since `vertex` has no meeting in `second` when this is called."""
        edges, colour, other = [], first, second
        while (e := self.at[vertex][colour]) >= 0:
            edges.append(e)
            vertex = self.other_end(e, vertex)
            colour, other = other, colour
        return edges

    def component(self, e: int, a: int, b: int) -> tuple[list[int], bool]:
        """The meetings in slots a and b linked to `e` through shared participants: a path or a cycle."""
        edge = self.instance.edges[e]
        other = b if self.slot_of[e] == a else a
        sides = []
        for start in (edge.producer, edge.buyer):
            walked: list[int] = []
            vertex, colour = start, other
            while (f := self.at[vertex][colour]) >= 0:
                if f == e:  # back round to where it started (only the first walk can tell)
                    return [e] + walked, True
                walked.append(f)
                vertex = self.other_end(f, vertex)
                colour = a if colour == b else b
            sides.append(walked)
        return sides[1][::-1] + [e] + sides[0], False

    def swappable(self, edges: list[int], a: int, b: int) -> bool:
        both = (1 << a) | (1 << b)
        return all(f not in self.fixed and self.instance.edges[f].window & both == both for f in edges)

    def swap(self, edges: list[int], a: int, b: int) -> None:
        slots = [self.remove(f) for f in edges]
        for f, slot in zip(edges, slots, strict=True):
            self.place(f, b if slot == a else a)


# ---------------------------------------------------------------------------------------------
# Stage one: which meetings (HiGHS)


def _hall_violation(windows: list[int], capacity: Mapping[int, int] | None = None) -> int | None:
    """Slots U with more of the given meetings fitting only in U than U can hold (one a slot, or
    `capacity[slot]`), or None when every meeting can have a slot: a maximum flow from meetings (grouped
    by window) into slots, and the slots its residual graph reaches from a meeting left without one."""
    groups: dict[int, int] = defaultdict(int)
    for window in windows:
        groups[window] += 1
    room = {s: (1 if capacity is None else capacity.get(s, 0)) for w in groups for s in _bits(w)}
    flow: dict[int, dict[int, int]] = {w: defaultdict(int) for w in groups}
    left = dict(groups)
    for window in sorted(groups, key=lambda w: (bin(w).count("1"), w)):  # a first fill, the narrowest first
        for slot in sorted(_bits(window), key=lambda s: -room[s]):
            take = min(left[window], room[slot])
            if take > 0:
                flow[window][slot] += take
                room[slot] -= take
                left[window] -= take
    while True:
        short = [w for w in groups if left[w] > 0]
        if not short:
            return None
        # Breadth-first over the residual graph: window -> any slot of it; slot -> windows sending it flow.
        came_from: dict[tuple[str, int], tuple[str, int] | None] = {("w", w): None for w in short}
        queue: list[tuple[str, int]] = [("w", w) for w in short]
        reached = None
        while queue and reached is None:
            kind, node = queue.pop(0)
            if kind == "w":
                for slot in _bits(node):
                    if ("s", slot) not in came_from:
                        came_from[("s", slot)] = (kind, node)
                        if room[slot] > 0:
                            reached = slot
                            break
                        queue.append(("s", slot))
            else:
                for window in groups:
                    if flow[window].get(node, 0) > 0 and ("w", window) not in came_from:
                        came_from[("w", window)] = (kind, node)
                        queue.append(("w", window))
        if reached is None:
            return _mask(node for kind, node in came_from if kind == "s")
        path, step = [], ("s", reached)
        while (previous := came_from[step]) is not None:
            path.append((previous, step))
            step = previous
        start = step[1]
        amount = min(left[start], room[reached],
                     *(flow[b[1]][a[1]] for a, b in path if a[0] == "s"))
        for a, b in path:
            if a[0] == "w":
                flow[a[1]][b[1]] += amount
            else:
                flow[b[1]][a[1]] -= amount
        left[start] -= amount
        room[reached] -= amount


@dataclass
class _Selection:
    chosen: list[int]
    bound: float  # for the free edges, without the locked meetings' value
    optimal: bool


def _select(instance: _Instance, board: _Board, free: list[int], favoured: set[int], deadline: float) -> _Selection:
    """The most valuable set of meetings that the quotas, windows and tables allow, slots aside."""
    import highspy

    if not free:
        return _Selection([], 0.0, True)
    started = time.perf_counter()
    edges, slots = instance.edges, instance.slots
    capacity = {s: instance.tables - board.load[s] for s in range(slots)}
    usable = [board.free_for(e) for e in free]
    vertices = sorted({v for e in free for v in (edges[e].buyer, edges[e].producer)})
    row_of = {v: r for r, v in enumerate(vertices)}
    upper = [float(min(instance.quota[v] - board.count[v], bin(instance.available[v] & ~board.busy[v]).count("1")))
             for v in vertices]
    total_row = len(vertices)
    upper.append(float(sum(capacity.values())))
    n = len(free)
    # Previous meetings are kept when it costs nothing: a bonus worth less than 1 in all (values are whole).
    bonus = 0.5 / (len(favoured) + 1)
    cost = np.array([-(edges[e].value + (bonus if e in favoured else 0.0)) for e in free])
    buyer_rows = np.array([row_of[edges[e].buyer] for e in free], dtype=np.int32)
    producer_rows = np.array([row_of[edges[e].producer] for e in free], dtype=np.int32)
    index = np.column_stack([buyer_rows, producer_rows, np.full(n, total_row, dtype=np.int32)]).ravel()

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(upper)
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(len(upper), -highspy.kHighsInf)
    lp.row_upper_ = np.array(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 3 * n + 1, 3, dtype=np.int32)
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = np.ones(3 * n)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    solver = highspy.Highs()
    # Presolve's probing costs more than the relaxation it would shrink, which is nearly whole as it is; and
    # no gap is left open, which costs nothing here and leaves no bound a unit above an optimal choice.
    for option, setting in (("output_flag", False), ("mip_rel_gap", 0.0), ("threads", 1), ("random_seed", 0),
                            ("presolve", "off")):
        solver.setOptionValue(option, setting)
    solver.passModel(lp)

    local = {e: i for i, e in enumerate(free)}
    by_vertex: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(free):
        by_vertex[edges[e].buyer].append(i)
        by_vertex[edges[e].producer].append(i)
    added: set[tuple[int, int]] = set()  # (vertex or -1 for the tables, slots) rows already there
    # Until a run proves better: nothing chosen, and every candidate's value as the bound.
    chosen, bound, optimal, solved = [], float(sum(edges[e].value for e in free)), False, False
    while True:
        solver.setOptionValue("time_limit", max(0.05, deadline - time.perf_counter()))
        # A run that fails (HiGHS's threads set otherwise earlier in the process) or stops before it has a
        # whole solution proves nothing: what the rounds before found stands (their rows were fewer, so
        # their bound holds), or else the greedy, and the gap tells.
        ran = solver.run() != highspy.HighsStatus.kError
        info = solver.getInfo()
        status = solver.getModelStatus()
        if not ran or info.primal_solution_status < 2 or status not in (
                highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit):
            break
        solved = True
        chosen = [free[i] for i in np.flatnonzero(np.asarray(solver.getSolution().col_value) > 0.5)]
        if math.isfinite(info.mip_dual_bound):
            bound = min(bound, -info.mip_dual_bound)
        optimal = status == highspy.HighsModelStatus.kOptimal
        # Another round only while it has time to finish: rows added make the next one no faster.
        if not optimal or time.perf_counter() > deadline - 0.25 * (deadline - started):
            break
        cuts: list[tuple[int, int]] = []
        picked: dict[int, list[int]] = defaultdict(list)
        for e in chosen:
            picked[edges[e].buyer].append(e)
            picked[edges[e].producer].append(e)
        for vertex, mine in picked.items():
            if len(mine) > 1:
                over = _hall_violation([usable[local[e]] for e in mine])
                if over is not None and (vertex, over) not in added:
                    cuts.append((vertex, over))
        over = _hall_violation([usable[local[e]] for e in chosen], capacity)
        if over is not None and (-1, over) not in added:
            cuts.append((-1, over))
        if not cuts:
            break
        starts, entries, limits = [0], [], []
        for vertex, slots_mask in cuts:
            added.add((vertex, slots_mask))
            within = by_vertex[vertex] if vertex >= 0 else range(n)
            columns = [i for i in within if usable[i] & ~slots_mask == 0]
            entries += columns
            starts.append(len(entries))
            limits.append(bin(slots_mask).count("1") if vertex >= 0 else sum(capacity[s] for s in _bits(slots_mask)))
        solver.addRows(len(cuts), np.full(len(cuts), -highspy.kHighsInf), np.array(limits, dtype=float), len(entries),
                       np.array(starts[:-1], dtype=np.int32), np.array(entries, dtype=np.int32), np.ones(len(entries)))
    if not solved:  # stopped before any whole solution: a greedy one stands in
        chosen = _greedy_selection(instance, board, free)
    return _Selection(chosen, bound, optimal)


def _greedy_selection(instance: _Instance, board: _Board, free: list[int]) -> list[int]:
    count = list(board.count)
    chosen = []
    for e in sorted(free, key=lambda e: -instance.edges[e].value):
        edge = instance.edges[e]
        if count[edge.buyer] < instance.quota[edge.buyer] and count[edge.producer] < instance.quota[edge.producer]:
            chosen.append(e)
            count[edge.buyer] += 1
            count[edge.producer] += 1
    return chosen


# ---------------------------------------------------------------------------------------------
# Stage two: when (an edge colouring by slots, then balanced under the tables)


def _by_chain(board: _Board, e: int, within_tables: bool) -> bool:
    """Places the meeting after swapping two slots along an alternating path, when its two sides have free
    slots in their window but none in common. `within_tables`: only where no slot then holds too many."""
    instance = board.instance
    edge = instance.edges[e]
    u, v = edge.buyer, edge.producer
    free_u, free_v = edge.window & ~board.busy[u], edge.window & ~board.busy[v]
    best: tuple[int, list[int], int, int] | None = None  # (overflow, path, its slots, the slot e takes)
    for alpha in sorted(_bits(free_u), key=lambda s: board.load[s]):
        for beta in _bits(free_v):
            if within_tables and board.load[alpha] >= instance.tables and board.load[beta] >= instance.tables:
                continue  # swapping two full slots leaves no table for one more meeting
            # Free at u, taken at v (and the other way round): swap them on the path from v (or from u).
            for start, first, second in ((v, alpha, beta), (u, beta, alpha)):
                path = board.chain(start, first, second)
                if not board.swappable(path, first, second):
                    continue
                moved = sum(1 if board.slot_of[f] == first else -1 for f in path)
                load_first = board.load[first] - moved + 1
                load_second = board.load[second] + moved
                overflow = max(0, load_first - instance.tables) + max(0, load_second - instance.tables)
                if within_tables and overflow > max(0, board.load[first] - instance.tables) + max(
                        0, board.load[second] - instance.tables):
                    continue
                if best is None or (overflow, len(path)) < (best[0], len(best[1])):
                    best = (overflow, path, second, first)
                if overflow == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is not None and best[0] == 0:
            break
    if best is None:
        return False
    _, path, second, first = best
    board.swap(path, first, second)
    board.place(e, first)
    return True


def _colour(board: _Board, chosen: list[int], previous_slot: Mapping[int, int]) -> list[int]:
    """Gives every chosen meeting a slot, tables aside; returns the ones left without."""
    instance = board.instance
    edges = instance.edges
    rest = []
    for e in sorted(chosen, key=lambda e: (e not in previous_slot, -edges[e].value, e)):
        slot = previous_slot.get(e)
        if slot is not None and board.free_for(e) >> slot & 1 and board.load[slot] < instance.tables:
            board.place(e, slot)
        else:
            rest.append(e)
    degree: dict[int, int] = defaultdict(int)
    for e in rest:
        degree[edges[e].buyer] += 1
        degree[edges[e].producer] += 1
    # The narrowest windows and the busiest participants first: they have the fewest ways to fit.
    rest.sort(key=lambda e: (bin(edges[e].window).count("1"), -(degree[edges[e].buyer] + degree[edges[e].producer]),
                             -edges[e].value, e))
    # What the meetings still waiting are expected to ask of each slot: a meeting weighs on each slot of its
    # window by one over the window's width. A slot is chosen by its load and this demand.
    demand = [0.0] * instance.slots
    for e in rest:
        window = _bits(edges[e].window)
        for slot in window:
            demand[slot] += 1.0 / len(window)
    left = []
    for e in rest:
        window = _bits(edges[e].window)
        for slot in window:
            demand[slot] -= 1.0 / len(window)
        free = board.free_for(e)
        if free:
            board.place(e, min(_bits(free), key=lambda s: (board.load[s] >= instance.tables, board.load[s] + demand[s], s)))
        elif not _by_chain(board, e, within_tables=False):
            left.append(e)
    return left


def _balance(board: _Board, deadline: float) -> list[int]:
    """Moves meetings out of slots holding more than the tables, along alternating paths with one more
    meeting in the full slot than in one with room; a meeting no path moves is taken out (the cheapest
    first) and returned."""
    instance = board.instance
    tables, edges = instance.tables, instance.edges
    dropped: list[int] = []
    while True:
        over = [s for s in range(instance.slots) if board.load[s] > tables]
        if not over:
            return dropped
        a = max(over, key=lambda s: (board.load[s], -s))
        moved = False
        if time.perf_counter() < deadline:
            for b in sorted((s for s in range(instance.slots) if board.load[s] < tables), key=lambda s: (board.load[s], s)):
                seen: set[int] = set()
                for e in sorted(board.members[a]):
                    if e in seen or e in board.fixed:
                        continue
                    path, cycle = board.component(e, a, b)
                    seen.update(path)
                    if cycle:
                        continue
                    surplus = sum(1 if board.slot_of[f] == a else -1 for f in path)
                    if surplus > 0 and board.swappable(path, a, b):
                        board.swap(path, a, b)
                        moved = True
                        break
                if moved:
                    break
        if not moved:
            cheapest = min((e for e in board.members[a] if e not in board.fixed), key=lambda e: (edges[e].value, e))
            board.remove(cheapest)
            dropped.append(cheapest)


# ---------------------------------------------------------------------------------------------
# Stage three: repair and trades


def _insert(board: _Board, e: int) -> bool:
    """Adds the meeting where it fits now, or after a swap along an alternating path; False if neither."""
    if not board.room(e) or not board.instance.edges[e].window & board.open_slots():
        return False  # a swap moves meetings between two slots: one of them must have a table left
    tables = board.instance.tables
    free = [s for s in _bits(board.free_for(e)) if board.load[s] < tables]
    if free:
        board.place(e, min(free, key=lambda s: (board.load[s], s)))
        return True
    return _by_chain(board, e, within_tables=True)


def _trade(board: _Board, e: int) -> list[int] | None:
    """Takes out cheaper meetings in the way of `e` (its sides' meetings in one slot, one of each side's when
    at quota, the slot's cheapest when no table is left) and puts `e` in their place, when that gains;
    returns the meetings taken out, or None when no trade gains."""
    instance = board.instance
    edges, tables = instance.edges, instance.tables
    edge = edges[e]
    u, v = edge.buyer, edge.producer

    def cheapest(among: Iterable[int]) -> int | None:
        movable = [f for f in among if f not in board.fixed]
        return min(movable, key=lambda f: (edges[f].value, f)) if movable else None

    best: tuple[int, int, list[int]] | None = None  # (value taken out, slot, meetings taken out)
    for slot in _bits(edge.window):
        out = {f for f in (board.at[u][slot], board.at[v][slot]) if f >= 0}
        if out & board.fixed:
            continue
        for vertex in (u, v):
            if board.count[vertex] - sum(1 for f in out if vertex in (edges[f].buyer, edges[f].producer)) >= instance.quota[vertex]:
                mine = cheapest(board.at[vertex][s] for s in _bits(board.busy[vertex]) if board.at[vertex][s] not in out)
                if mine is not None:
                    out.add(mine)
        if any(board.count[vertex] - sum(1 for f in out if vertex in (edges[f].buyer, edges[f].producer))
               >= instance.quota[vertex] for vertex in (u, v)):
            continue
        if board.load[slot] - sum(1 for f in out if board.slot_of[f] == slot) >= tables:
            other = next((f for f in board.cheapest_in(slot) if f not in out), None)
            if other is None:
                continue
            out.add(other)
        cost = sum(edges[f].value for f in out)
        if cost < edge.value and (best is None or cost < best[0]):
            best = (cost, slot, sorted(out))
    if best is None:
        return None
    _, slot, out_list = best
    for f in out_list:
        board.remove(f)
    board.place(e, slot)
    return out_list


def _repair(board: _Board, waiting: list[int], deadline: float) -> None:
    """Adds what fits, the most valuable first, then trades while a trade gains (each trade gains at least 1,
    so this ends); what a trade takes out is fitted again elsewhere when it can be."""
    edges = board.instance.edges
    waiting = sorted(set(waiting), key=lambda e: (-edges[e].value, e))
    for e in waiting:
        if e not in board.slot_of:
            _insert(board, e)
    for _ in range(4):
        traded = False
        for e in waiting:
            if time.perf_counter() > deadline:
                return
            if e in board.slot_of:
                continue
            out = _trade(board, e)
            if out is None:
                continue
            traded = True
            for f in sorted(out, key=lambda f: (-edges[f].value, f)):
                _insert(board, f)
        if not traded:
            return


# ---------------------------------------------------------------------------------------------
# The exact programme for small conferences


def _solve_exact(board: _Board, free: list[int], deadline: float) -> tuple[dict[int, int] | None, float, bool]:
    """The slot-indexed programme over the given candidates (every rule, as rows: each pair once, a
    participant once a slot and within its quota, a slot within its tables), started from the board:
    (slot of each meeting, the programme's bound, proven optimal). None when it found nothing better;
    the bound holds for schedules made of these candidates only."""
    import highspy

    instance = board.instance
    edges, tables = instance.edges, instance.tables
    fixed_busy = [0] * instance.vertices
    fixed_load = [0] * instance.slots
    for e in board.fixed:
        edge = edges[e]
        fixed_busy[edge.buyer] |= 1 << board.slot_of[e]
        fixed_busy[edge.producer] |= 1 << board.slot_of[e]
        fixed_load[board.slot_of[e]] += 1
    fixed_count = [bin(m).count("1") for m in fixed_busy]
    columns = [(e, s) for e in free
               for s in _bits(edges[e].window & ~fixed_busy[edges[e].buyer] & ~fixed_busy[edges[e].producer])]
    rows: dict[tuple[Any, ...], int] = {}
    upper: list[float] = []

    def row(key: tuple[Any, ...], limit: float) -> int:
        if key not in rows:
            rows[key] = len(upper)
            upper.append(limit)
        return rows[key]

    starts, index = [0], []
    for e, s in columns:
        edge = edges[e]
        entries = [row(("pair", e), 1.0), row(("slot", s), float(tables - fixed_load[s]))]
        for vertex in (edge.buyer, edge.producer):
            entries.append(row(("at", vertex, s), 1.0))
            entries.append(row(("quota", vertex), float(instance.quota[vertex] - fixed_count[vertex])))
        index += sorted(entries)
        starts.append(len(index))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(columns), len(upper)
    lp.col_cost_ = np.array([-float(edges[e].value) for e, _ in columns])
    lp.col_lower_ = np.zeros(len(columns))
    lp.col_upper_ = np.ones(len(columns))
    lp.row_lower_ = np.full(len(upper), -highspy.kHighsInf)
    lp.row_upper_ = np.array(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)
    solver = highspy.Highs()
    for option, setting in (("output_flag", False), ("mip_rel_gap", 0.0), ("threads", 1), ("random_seed", 0),
                            ("time_limit", max(0.05, deadline - time.perf_counter()))):
        solver.setOptionValue(option, setting)
    solver.passModel(lp)
    start = highspy.HighsSolution()
    start.col_value = [1.0 if e not in board.fixed and board.slot_of.get(e) == s else 0.0 for e, s in columns]
    start.value_valid = True
    solver.setSolution(start)
    if solver.run() == highspy.HighsStatus.kError:
        return None, math.inf, False
    info = solver.getInfo()
    bound = -info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else math.inf
    optimal = solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    if info.primal_solution_status < 2:
        return None, bound, False
    values = solver.getSolution().col_value
    found = {columns[i][0]: columns[i][1] for i in range(len(columns)) if values[i] > 0.5}
    current = sum(edges[e].value for e in board.slot_of if e not in board.fixed)
    if sum(edges[e].value for e in found) <= current:
        return None, bound, optimal
    return found, bound, optimal


def _replace(board: _Board, found: Mapping[int, int] | None) -> None:
    """Puts a solver's meetings (edge -> slot) in place of every meeting that is not locked."""
    if found is None:
        return
    for e in [e for e in board.slot_of if e not in board.fixed]:
        board.remove(e)
    for e, slot in found.items():
        board.place(e, slot)


# ---------------------------------------------------------------------------------------------
# Tables, reasons, the outcome


def _tables(board: _Board, locked: Sequence[Meeting], previous: Mapping[int, tuple[int, int]]) -> list[Meeting]:
    """A table for every meeting: locked ones keep theirs, the previous schedule's keep theirs when free,
    the others take the lowest numbers left."""
    instance = board.instance
    taken: dict[int, set[int]] = defaultdict(set)
    table_of: dict[int, int] = {}
    for meeting in locked:
        e = instance.edge_of[meeting.pair]
        table_of[e] = meeting.table
        taken[meeting.slot].add(meeting.table)
    for e, slot in sorted(board.slot_of.items()):
        if e not in table_of and e in previous and previous[e][0] == slot and previous[e][1] not in taken[slot] \
                and 1 <= previous[e][1] <= instance.tables:
            table_of[e] = previous[e][1]
            taken[slot].add(previous[e][1])
    free_tables = {s: iter([t for t in range(1, instance.tables + 1) if t not in taken[s]]) for s in range(instance.slots)}
    meetings = []
    for e, slot in sorted(board.slot_of.items(), key=lambda item: (item[1], instance.edges[item[0]].pair)):
        table = table_of.get(e) or next(free_tables[slot])
        buyer, producer = instance.edges[e].pair
        meetings.append(Meeting(slot, table, buyer, producer))
    return sorted(meetings)


def _why(board: _Board, e: int) -> Unscheduled:
    instance = board.instance
    edge = instance.edges[e]
    u, v = edge.buyer, edge.producer

    def reason(code: str, **details: object) -> Unscheduled:
        return Unscheduled(edge.pair[0], edge.pair[1], edge.value, code, details)

    if edge.pair in instance.conference.excluded:
        return reason("excluded")
    if not edge.window:
        return reason("never_together")
    for vertex, side in ((u, "buyer"), (v, "producer")):
        if board.count[vertex] >= instance.quota[vertex]:
            return reason("quota", side=side, quota=instance.quota[vertex])
    free = board.free_for(e)
    if not free:
        return reason("no_common_free_slot", slots=_bits(edge.window))
    if all(board.load[s] >= instance.tables for s in _bits(free)):
        return reason("no_table", slots=_bits(free))
    return reason("not_reached", slots=_bits(free))


def _reasons(board: _Board) -> list[Unscheduled]:
    instance = board.instance
    reasons = [_why(board, e) for e, edge in enumerate(instance.edges) if edge.value > 0 and e not in board.slot_of]
    reasons += [Unscheduled(b, p, value, "absent", {"side": "buyer" if b not in instance.buyer_index else "producer"})
                for (b, p), value in instance.absent.items() if value > 0]
    return sorted(reasons, key=lambda r: (-r.value, r.buyer, r.producer))


def schedule_meetings(conference: Conference, locked: Sequence[Meeting] = (), previous: Sequence[Meeting] = (),
                      time_limit: float = 10.0) -> Schedule:
    """The schedule of most value that keeps every rule, with its bound, and a reason for every candidate left out.

    Locked meetings stay in their slot at their table (ScheduleConflict when they break a rule among
    themselves). A previous schedule is kept where it costs nothing: its meetings are preferred among equals
    and keep their slot and table when they can. `time_limit` seconds bound the whole run (the bound
    stays honest when it stops early). The same input gives the same output.
    """
    return _schedule(_Instance(conference), locked, previous, time_limit, time.perf_counter())


def _schedule(instance: _Instance, locked: Sequence[Meeting], previous: Sequence[Meeting], time_limit: float,
              started: float, locks_checked: bool = False) -> Schedule:
    deadline = started + time_limit
    locked = sorted(locked)
    refused = [] if locks_checked else _standing(instance, locked)[1]
    if refused:
        first = refused[0]
        raise ScheduleConflict(f"the locked meeting of buyer {first.buyer} and producer {first.producer} in slot "
                               f"{first.details['slot']} at table {first.details['table']} cannot stand: {first.words}")
    board = _Board(instance)
    for meeting in locked:
        e = instance.edge(meeting.pair)
        board.place(e, meeting.slot)
        board.fixed.add(e)
    locked_value = board.value()
    previous_at = {instance.edge_of[m.pair]: (m.slot, m.table) for m in previous if m.pair in instance.edge_of}

    # What could ever have a table: worth one, sides with room in their quotas, a slot both have free and
    # that locked meetings leave a table in.
    open_slots = board.open_slots()
    free = [e for e in range(len(instance.edges))
            if instance.worth_a_table(e) and e not in board.fixed and board.room(e) and board.free_for(e) & open_slots]
    selection = _select(instance, board, free, set(previous_at), started + 0.6 * time_limit)
    left = _colour(board, selection.chosen, {e: slot for e, (slot, _) in previous_at.items()})
    dropped = _balance(board, deadline)
    # Values are whole numbers: so is the best schedule, and the bound may be rounded down.
    bound = float(math.floor(locked_value + selection.bound + 1e-6))
    if board.value() < bound:
        _repair(board, left + dropped + free, deadline)
    optimal = selection.optimal and board.value() >= bound
    if not optimal and time.perf_counter() < deadline:
        columns = sum(bin(instance.edges[e].window).count("1") for e in free)
        if columns <= EXACT_COLUMNS:  # small enough to solve whole: the schedule, and a bound as tight as it gets
            found, exact_bound, optimal = _solve_exact(board, free, deadline)
            bound = min(bound, float(math.floor(locked_value + exact_bound + 1e-6)))
            _replace(board, found)
        else:  # what was chosen and placed, and the most valuable others while the budget lasts, solved
            # again together (a large neighbourhood); its bound holds for them only
            pool = set(selection.chosen) | {e for e in board.slot_of if e not in board.fixed}
            budget = EXACT_COLUMNS - sum(bin(instance.edges[e].window).count("1") for e in pool)
            for e in sorted(set(free) - pool, key=lambda e: (-instance.edges[e].value, e)):
                budget -= bin(instance.edges[e].window).count("1")
                if budget < 0:
                    break
                pool.add(e)
            found, _, _ = _solve_exact(board, sorted(pool), deadline)
            if found is not None:
                _replace(board, found)
                _repair(board, free, deadline)
            optimal = board.value() >= bound
    objective = board.value()
    bound = max(bound, float(objective))
    meetings = _tables(board, locked, previous_at)
    moved = sum(1 for m in meetings if instance.edge_of[m.pair] in previous_at
                and previous_at[instance.edge_of[m.pair]] != (m.slot, m.table))
    return Schedule(tuple(meetings), objective, bound, (bound - objective) / bound if bound > 0 else 0.0,
                    optimal or objective >= bound, time.perf_counter() - started,
                    tuple(_reasons(board)), moved=moved, selected_bound=locked_value + selection.bound)


def fit_late(conference: Conference, current: Sequence[Meeting], time_limit: float = 2.0) -> Schedule:
    """Late arrivals and late changes fitted into the free slots and tables: no meeting of `current` moves.

    Every meeting of `current` stays in its slot at its table, unless it can no longer take place (a side
    left or now says no, a side no longer attends the slot, a quota was lowered: the least valuable go); those
    are taken out and listed in `removed` with the reason. New candidates get what is left, the most
    valuable first. The bound is with the running schedule locked.
    """
    started = time.perf_counter()
    instance = _Instance(conference)
    value = {e: edge.value for e, edge in enumerate(instance.edges)}
    # The most valuable first: when a quota was lowered, the least valuable meetings go.
    ordered = sorted(current, key=lambda m: (-value.get(instance.edge_of.get((m.buyer, m.producer), -1), 0), m))
    kept, removed = _standing(instance, ordered)
    outcome = _schedule(instance, kept, (), time_limit, started, locks_checked=True)
    return replace(outcome, removed=tuple(removed))


# ---------------------------------------------------------------------------------------------
# The baseline: buyers booking for themselves


def first_come(conference: Conference, choices: Mapping[int, Sequence[int]] | None = None,
               arrival: Sequence[int] | None = None, locked: Sequence[Meeting] = ()) -> tuple[Meeting, ...]:
    """What self-booking gives: each buyer in arrival order (the listed order by default) books its choices,
    best first (by value by default), each into the earliest slot both attend and are free in with a
    table left, while both have room in their quotas. A producer who said no declines."""
    instance = _Instance(conference)
    if choices is None:
        ranked: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for edge in instance.edges:
            if edge.value > 0:
                ranked[edge.pair[0]].append((-edge.value, edge.pair[1]))
        choices = {buyer: [p for _, p in sorted(pairs)] for buyer, pairs in ranked.items()}
    board = _Board(instance)
    for meeting in locked:
        e = instance.edge(meeting.pair)
        board.place(e, meeting.slot)
    for buyer in arrival if arrival is not None else [b.id for b in conference.buyers]:
        for producer in choices.get(buyer, ()):
            if producer not in instance.producer_index or buyer not in instance.buyer_index \
                    or (buyer, producer) in conference.excluded:
                continue
            e = instance.edge((buyer, producer))
            if e in board.slot_of or not board.room(e):
                continue
            slot = next((s for s in range(instance.slots)
                         if board.free_for(e) >> s & 1 and board.load[s] < instance.tables), None)
            if slot is not None:
                board.place(e, slot)
    return tuple(_tables(board, locked, {}))


def schedule_value(conference: Conference, meetings: Iterable[Meeting]) -> int:
    """The total value of the meetings, as the schedule counts it."""
    values: dict[Pair, int] = {}
    for candidate in conference.candidates:
        values[(candidate.buyer, candidate.producer)] = max(values.get((candidate.buyer, candidate.producer), 0),
                                                            candidate.value)
    return sum(values.get(m.pair, 0) for m in meetings)


def violations(conference: Conference, meetings: Sequence[Meeting]) -> list[str]:
    """What breaks a rule in a schedule (a hand-edited one, say), in words; empty when it keeps them all."""
    return [f"buyer {r.buyer}, producer {r.producer}, slot {r.details['slot']}, table {r.details['table']}: {r.words}"
            for r in _standing(_Instance(conference), meetings)[1]]


def hand_refusals(conference: Conference, standing: Sequence[Meeting], changed: Sequence[Meeting]) -> list[Unscheduled]:
    """Why each meeting of `changed` (an organizer's swap, move or extra meeting) cannot stand beside the standing
    ones. A standing meeting holds its table, its two sides' time and a meeting of their quotas whatever else is
    said of it since (a side that now says no still has it): only the changes are judged."""
    problems = _problems(_Instance(conference), [*standing, *changed], held=len(standing))
    return [Unscheduled(changed[position - len(standing)].buyer, changed[position - len(standing)].producer, 0, code,
                        {**details, "slot": changed[position - len(standing)].slot,
                         "table": changed[position - len(standing)].table})
            for position, code, details in problems]
