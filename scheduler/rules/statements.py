"""On the first day of a month (or the first run after it), the previous month's consignment statements are
owed: one task per point that held or moved producers' goods (scheduler.statements compiles and sends them)."""

from __future__ import annotations

import datetime as dt

from salespoints import settlements
from scheduler import clock
from scheduler.tables import ScheduledTask

KIND = "consignment_statements"


async def statements_due(now: dt.datetime) -> int:
    """From the first day of a month on, one task per point that held or moved producers' goods last month."""
    month = settlements.previous_month(clock.today())
    _, end = settlements.month_bounds(month)
    written = 0
    for point in await settlements.points_with_consignment(end):
        key = f"statements:{point}:{month}"
        if await ScheduledTask.exists().where(ScheduledTask.key == key):
            continue
        await ScheduledTask.insert(ScheduledTask(key=key, kind=KIND, due_at=now, data={"point_id": point, "month": month}))
        written += 1
    return written


RULES = [statements_due]
