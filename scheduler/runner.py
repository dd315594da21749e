"""The scheduler: APScheduler's asyncio scheduler running the lease, the dispatcher, the rules and
the owed tasks. Any number may run (one per web worker, `ocop scheduler` alone); only the lease
holder does the work, and the work itself is claimed row by row in the database.

Missed runs are coalesced: a scheduler that was down for a day runs each job once on start, and
the rules, which look at the data as it is now, write what is due then (each notification once).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import time
from typing import Any, cast

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from piccolo.columns import Column

from core.settings import settings
from scheduler import clock, dispatcher, lease, statements
from scheduler.rules import RULES
from scheduler.rules import statements as owed_statements
from scheduler.tables import JobRun, ScheduledTask

log = logging.getLogger("ocop.scheduler")
LEASE_SECONDS = 15


async def run_rules(now: dt.datetime | None = None) -> dict[str, int]:
    """Every rule once; a failing rule is logged and the others still run. Rows written per rule."""
    now = now or clock.now()
    written = {}
    for rule in RULES:
        try:
            written[rule.__name__] = await rule(now)
        except Exception:  # one broken rule must not silence the others
            log.exception("rule %s failed", rule.__name__)
            written[rule.__name__] = -1
    return written


async def run_tasks() -> str:
    """Owed tasks that are due: compile outcome reports (through the reports module when present) and the
    month's consignment statements."""
    waiting = await ScheduledTask.select().where(ScheduledTask.status == "waiting", ScheduledTask.due_at <= clock.now())
    done = 0
    for task in waiting:
        if task["kind"] == owed_statements.KIND:
            compile_scheduled = statements.compile_and_send
        else:
            try:
                from reports import compile_scheduled  # the reports module provides the compiler
            except ImportError:
                await ScheduledTask.update({ScheduledTask.result: "waiting for the report compiler"}).where(
                    ScheduledTask.id == task["id"])
                continue
        try:
            result = await compile_scheduled(task)
        except Exception as error:  # noqa: BLE001 (a report that cannot be compiled is recorded, the others go on)
            await ScheduledTask.update({ScheduledTask.status: "failed", ScheduledTask.result: str(error)[:1000]}).where(
                ScheduledTask.id == task["id"])
            continue
        await ScheduledTask.update({ScheduledTask.status: "done", ScheduledTask.result: str(result)[:1000],
                                    ScheduledTask.done_at: clock.now()}).where(ScheduledTask.id == task["id"])
        done += 1
    return f"{done} of {len(waiting)} done"


async def _refresh_statistics() -> str:
    from core import database
    from piccolo_conf import DB

    await database.refresh_statistics(DB)
    return "planner statistics refreshed"


class Scheduler:
    """Start it inside a running event loop; stop it on shutdown."""

    def __init__(self) -> None:
        self.holder = lease.holder_name()
        self.active = False
        self.aps = AsyncIOScheduler(timezone=clock.VIETNAM, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600})

    async def _record(self, job: str, work) -> None:
        started = clock.now()
        began = time.perf_counter()
        try:
            result, ok = await work(), True
        except Exception as error:  # recorded for the admin page; the job runs again next tick
            log.exception("job %s failed", job)
            result, ok = error, False
        values: dict[str, Any] = {"started_at": started, "finished_at": clock.now(), "ok": ok, "holder": self.holder,
                  "result": f"{result} ({time.perf_counter() - began:.2f} s)"[:1000]}
        if await JobRun.exists().where(JobRun.job == job):
            await JobRun.update(cast("dict[Column | str, Any]", values)).where(JobRun.job == job)
        else:
            await JobRun.insert(JobRun(job=job, **values))

    async def keep_lease(self) -> None:
        try:
            active = await lease.hold(self.holder)
        except Exception:  # the database is away: stop working until it is back
            log.exception("lease check failed")
            active = False
        if active != self.active:
            log.info("scheduler %s %s the lease", self.holder, "holds" if active else "lost")
        self.active = active

    async def dispatch(self) -> None:
        if self.active:
            await self._record("dispatch", lambda: dispatcher.dispatch_all(self.holder))

    async def rules(self) -> None:
        if self.active:
            await self._record("rules", run_rules)

    async def tasks(self) -> None:
        if self.active:
            await self._record("tasks", run_tasks)

    async def statistics(self) -> None:
        if self.active:
            await self._record("statistics", _refresh_statistics)

    async def start(self) -> None:
        await self.keep_lease()
        now = dt.datetime.now(clock.VIETNAM)
        self.aps.add_job(self.keep_lease, "interval", seconds=LEASE_SECONDS, id="lease")
        self.aps.add_job(self.dispatch, "interval", seconds=settings.dispatch_seconds, id="dispatch", next_run_time=now)
        self.aps.add_job(self.rules, "interval", minutes=settings.rules_minutes, id="rules", next_run_time=now)
        self.aps.add_job(self.tasks, "interval", minutes=5, id="tasks", next_run_time=now)
        # Each worker analyzed the database when it started; data grows since (imports, a season's sales).
        self.aps.add_job(self.statistics, "interval", hours=6, id="statistics")
        self.aps.start()

    async def stop(self) -> None:
        if self.aps.running:  # a stop asked for while it was starting
            self.aps.shutdown(wait=False)
        if self.active:
            await lease.release(self.holder)
            self.active = False

    def jobs(self) -> list[dict]:
        return [{"id": job.id, "next_run": job.next_run_time} for job in self.aps.get_jobs()]


async def run_forever() -> None:
    """`ocop scheduler`: the scheduler alone, until interrupted."""
    from core import database
    from piccolo_conf import DB

    # SIGTERM (systemd, Docker) stops it as Ctrl-C does: the lease is released, not left to expire.
    # The handlers go in first, so a signal that comes while it starts (lease already taken) is heard.
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # no signal handlers in an event loop on Windows
            asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
    await database.start(DB)
    scheduler = Scheduler()
    try:
        await scheduler.start()
        log.info("scheduler %s started", scheduler.holder)
        await stopping.wait()
        log.info("scheduler %s stopping", scheduler.holder)
    finally:
        await scheduler.stop()
        # Jobs still running hold database connections: let them end briefly, then cancel them, so
        # closing the connection pool (which waits for its connections) cannot hang the shutdown.
        running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        _, pending = await asyncio.wait(running, timeout=5) if running else (set(), set())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await database.stop(DB, grace_seconds=3)
