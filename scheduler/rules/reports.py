"""After a fair: its outcome report is owed the day after it ends. The rule records the task; the
tasks job compiles it (through the reports module once it is there) and emails it to the organizers."""

from __future__ import annotations

import datetime as dt

from core.settings import settings
from fairs.tables import Fair
from scheduler import clock
from scheduler.tables import ScheduledTask


async def outcome_reports_due(now: dt.datetime) -> int:
    """One task per fair that ended at least N days ago (running or closed), written once."""
    cutoff = clock.today() - dt.timedelta(days=settings.report_after_days)
    fairs = await Fair.select(Fair.id, Fair.name, Fair.ends_on).where(Fair.ends_on <= cutoff,
                                                                       Fair.status.is_in(["running", "closed"]))
    written = 0
    for fair in fairs:
        key = f"report:fair:{fair['id']}"
        if await ScheduledTask.exists().where(ScheduledTask.key == key):
            continue
        await ScheduledTask.insert(ScheduledTask(key=key, kind="fair_outcome_report", due_at=now,
                                                 data={"fair_id": fair["id"], "fair": fair["name"]}))
        written += 1
    return written


RULES = [outcome_reports_due]
