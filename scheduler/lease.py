"""One active scheduler among any number of processes: a lease row in the database.

The holder renews it well before it expires; another process takes it over once it has expired
(its holder died or lost the database), so a dead scheduler is replaced within `ttl` seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from typing import Any

from piccolo.columns import Column

from scheduler import clock
from scheduler.tables import SchedulerLease

LEASE = "scheduler"
TTL_SECONDS = 45


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def hold(holder: str, ttl: int = TTL_SECONDS, name: str = LEASE) -> bool:
    """Takes or renews the lease; True while this holder has it."""
    now = clock.now()
    until = now + dt.timedelta(seconds=ttl)
    async with SchedulerLease._meta.db.transaction():
        row = await SchedulerLease.select().where(SchedulerLease.name == name).first()
        if row is None:
            # Of two processes starting at once, one row is written; the other finds it taken (no error).
            inserted = await SchedulerLease.insert(
                SchedulerLease(name=name, holder=holder, expires_at=until, acquired_at=now)).on_conflict(
                target=SchedulerLease.name, action="DO NOTHING").returning(SchedulerLease.id)
            return bool(inserted)
        if row["holder"] != holder and row["expires_at"] > now:
            return False
        values: dict[Column | str, Any] = {SchedulerLease.holder: holder, SchedulerLease.expires_at: until}
        if row["holder"] != holder:
            values[SchedulerLease.acquired_at] = now
        # The condition is checked again in the update: of two processes racing here, one changes the row.
        changed = await SchedulerLease.update(values).where(
            SchedulerLease.name == name,
            (SchedulerLease.holder == holder) | (SchedulerLease.expires_at <= now)).returning(SchedulerLease.id)
        return bool(changed)


async def release(holder: str, name: str = LEASE) -> None:
    await SchedulerLease.update({SchedulerLease.expires_at: clock.now()}).where(
        SchedulerLease.name == name, SchedulerLease.holder == holder)


async def current(name: str = LEASE) -> dict | None:
    return await SchedulerLease.select().where(SchedulerLease.name == name).first()
