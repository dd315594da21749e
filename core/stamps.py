"""Stamps of the data behind kept renders: one value per area, changed by database triggers at
every write to the area's tables, so a render kept under the stamps it was built from is never
served after a change, whoever made it (a page, an import, the scheduler, a restored backup).

Areas, and the tables whose writes change them (migration reports 2026-12-05T23:00):
- `fairs`: fairs, zones, booths, applications and their products, assignments, allocation runs,
  visitor counts, booth sales;
- `catalog`: producers, products, buyers (their names are shown everywhere);
- `fair_agreements`: agreements signed at a fair, with their parties, lines, milestones and
  deliveries (agreements signed elsewhere leave it alone);
- `meetings`: the matchmaking of connection conferences (migration reports 2026-12-06T14:00).

Read the stamps before the data: a write committed in between shows as new stamps at the next
read (one render more than needed), never as a stale render kept under new stamps. The triggers
set a random value, not a counter, so no two states of the data share a stamp, not even across
a restored backup.
"""

from __future__ import annotations

from typing import Any

from core.database import fetch_tuples

AREAS = ("fairs", "catalog", "fair_agreements", "meetings")
Stamps = tuple[int, ...]


async def read(engine: Any, *areas: str) -> Stamps:
    """The areas' stamps, in the order named: one statement."""
    unknown = set(areas) - set(AREAS)
    if unknown:
        raise ValueError(f"unknown stamp areas: {sorted(unknown)}")
    rows: dict[str, int] = {row[0]: row[1] for row in await fetch_tuples(engine, "SELECT name, stamp FROM data_stamp")}
    return tuple(rows.get(area, 0) for area in areas)
