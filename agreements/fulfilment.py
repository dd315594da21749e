"""Fulfilment arithmetic: how much of an agreement was delivered, on time or late, and which
milestones are met or overdue. Pure: plain data in, plain data out.

Rules. A line's deliveries fill its milestones in due-date order (a milestone's quantity is what
falls due on its date, on top of the earlier ones): a unit is on time when it is delivered by the
due date of the milestone it fills, late otherwise. Units beyond every milestone are on time until
the end of the agreement's term (always, with no term). A milestone is met on the day the line's
deliveries reach the milestones' running total (or on the day an organizer marked it done, for a
milestone without a quantity); it is overdue when its date has passed unmet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast


@dataclass(frozen=True)
class LineTerms:
    id: int
    quantity: int
    value: int


@dataclass(frozen=True)
class DeliveryFact:
    line: int
    delivered_on: dt.date
    quantity: int
    value: int


@dataclass(frozen=True)
class MilestoneTerms:
    id: int
    due_on: dt.date  # the date in force now
    line: int | None = None
    quantity: int | None = None
    done_on: dt.date | None = None
    # Earlier dates, each with the day it stopped being in force ((date, replaced on), oldest first): a
    # delivery is judged against the date agreed at the time it was made.
    earlier: tuple[tuple[dt.date, dt.date], ...] = ()

    def due_at(self, day: dt.date) -> dt.date:
        """The date the parties had agreed on `day`."""
        for date, replaced_on in self.earlier:
            if day < replaced_on:
                return date
        return self.due_on


@dataclass(frozen=True)
class LineFulfilment:
    line: int
    committed_quantity: int
    delivered_quantity: int
    committed_value: int
    delivered_value: int
    on_time_quantity: int
    late_quantity: int
    on_time_value: int = 0  # the đồng of the units delivered on time (each delivery's value shared by its units)
    late_value: int = 0

    @property
    def remaining_quantity(self) -> int:
        return max(0, self.committed_quantity - self.delivered_quantity)

    @property
    def over_quantity(self) -> int:
        return max(0, self.delivered_quantity - self.committed_quantity)

    @property
    def share(self) -> float:
        """Delivered over committed quantity (above 1 when over-delivered)."""
        return self.delivered_quantity / self.committed_quantity if self.committed_quantity else 0.0


@dataclass(frozen=True)
class MilestoneState:
    id: int
    due_on: dt.date
    met_on: dt.date | None
    overdue: bool

    @property
    def late(self) -> bool:
        return self.met_on is not None and self.met_on > self.due_on


@dataclass(frozen=True)
class Fulfilment:
    lines: list[LineFulfilment]
    milestones: list[MilestoneState]
    committed_value: int
    delivered_value: int
    # In đồng, never in units: lines of different units (kg of chicken, bags of cocoa) cannot be added up.
    on_time_value: int
    late_value: int

    @property
    def share(self) -> float:
        """Delivered over committed value."""
        return self.delivered_value / self.committed_value if self.committed_value else 0.0

    @property
    def complete(self) -> bool:
        return bool(self.lines) and all(line.delivered_quantity >= line.committed_quantity for line in self.lines)

    @property
    def overdue(self) -> list[MilestoneState]:
        return [m for m in self.milestones if m.overdue]


def _fill(quantity_due: list[tuple[MilestoneTerms, int]], deliveries: list[DeliveryFact], valid_until: dt.date | None):
    """(on time, late) units, (on time, late) đồng, and the day each running total of `quantity_due` was reached.
    A unit is on time when delivered by the date its milestone had on the day of the delivery."""
    reached: list[dt.date | None] = [None] * len(quantity_due)
    on_time = late = on_time_value = late_value = 0
    slot, room = 0, quantity_due[0][1] if quantity_due else 0
    for delivery in sorted(deliveries, key=lambda d: (d.delivered_on, d.quantity, d.value)):  # by content: any listing order
        left, in_time = delivery.quantity, 0
        while left > 0:
            if slot < len(quantity_due):
                taken = min(left, room)
                due = quantity_due[slot][0].due_at(delivery.delivered_on)
                if delivery.delivered_on <= due:
                    in_time += taken
                left -= taken
                room -= taken
                if room == 0:
                    reached[slot] = delivery.delivered_on
                    slot += 1
                    room = quantity_due[slot][1] if slot < len(quantity_due) else 0
            else:
                if valid_until is None or delivery.delivered_on <= valid_until:
                    in_time += left
                left = 0
        on_time += in_time
        late += delivery.quantity - in_time
        # The delivery's value shared by its units, rounded once per delivery: the two parts add up to it.
        share = (delivery.value * in_time + delivery.quantity // 2) // delivery.quantity if delivery.quantity else 0
        on_time_value += share
        late_value += delivery.value - share
    return on_time, late, on_time_value, late_value, reached


def fulfilment(lines: Sequence[LineTerms], deliveries: Iterable[DeliveryFact], milestones: Sequence[MilestoneTerms],
               valid_until: dt.date | None, today: dt.date) -> Fulfilment:
    """The agreement's fulfilment on `today`: per line, per milestone, and in total."""
    by_line: dict[int, list[DeliveryFact]] = {line.id: [] for line in lines}
    for delivery in deliveries:
        by_line.setdefault(delivery.line, []).append(delivery)
    states: dict[int, MilestoneState] = {}
    results = []
    for line in lines:
        mine = sorted((m for m in milestones if m.line == line.id and m.quantity), key=lambda m: (m.due_on, m.id))
        # `mine` holds only milestones with a quantity
        on_time, late, on_time_value, late_value, reached = _fill(
            [(m, cast(int, m.quantity)) for m in mine], by_line[line.id], valid_until)
        for milestone, met_on in zip(mine, reached, strict=True):
            met_on = met_on or milestone.done_on
            states[milestone.id] = _state(milestone, met_on, today)
        delivered = by_line[line.id]
        results.append(LineFulfilment(line.id, line.quantity, sum(d.quantity for d in delivered), line.value,
                                      sum(d.value for d in delivered), on_time, late, on_time_value, late_value))
    for milestone in milestones:  # milestones without a quantity: met when marked done
        if milestone.id not in states:
            states[milestone.id] = _state(milestone, milestone.done_on, today)
    return Fulfilment(results, sorted(states.values(), key=lambda m: (m.due_on, m.id)), sum(line.value for line in lines),
                      sum(r.delivered_value for r in results), sum(r.on_time_value for r in results),
                      sum(r.late_value for r in results))


def _state(milestone: MilestoneTerms, met_on: dt.date | None, today: dt.date) -> MilestoneState:
    """Met late when met after the date in force that day; overdue when the date in force now has passed unmet."""
    due = milestone.due_at(met_on) if met_on else milestone.due_on
    return MilestoneState(milestone.id, due, met_on, met_on is None and milestone.due_on < today)


def closing_status(result: Fulfilment, valid_until: dt.date | None, today: dt.date) -> str | None:
    """The verdict once it is due: fulfilled when every line is delivered; at the end of the term,
    partially fulfilled when something was delivered, lapsed when nothing was; None before that."""
    if result.complete:
        return "fulfilled"
    if valid_until is not None and today > valid_until:
        return "partially_fulfilled" if any(line.delivered_quantity > 0 for line in result.lines) else "lapsed"
    return None
