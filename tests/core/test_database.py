"""The pooled SQLite engine: concurrent transactions serialise instead of failing, rollbacks leave nothing."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from piccolo.columns import Integer, Varchar
from piccolo.table import Table

from core.database import PooledSQLiteEngine, prepare_sqlite_file
from tests.conftest import run


def _engine() -> PooledSQLiteEngine:
    path = Path(tempfile.mkdtemp()) / "engine.db"
    prepare_sqlite_file(str(path))
    return PooledSQLiteEngine(path=str(path))


def _counter_table(engine):
    class Counter(Table, db=engine):
        name = Varchar(length=20)
        value = Integer(default=0)

    return Counter


def test_concurrent_read_then_write_transactions_all_commit_without_lost_updates():
    engine = _engine()
    Counter = _counter_table(engine)

    async def scenario() -> int:
        await Counter.create_table()
        await Counter.insert(Counter(name="c", value=0))

        async def increment() -> None:
            async with engine.transaction():
                row = await Counter.select(Counter.value).where(Counter.name == "c").first()
                await asyncio.sleep(0)  # let the other tasks interleave
                await Counter.update({Counter.value: row["value"] + 1}).where(Counter.name == "c")

        await asyncio.gather(*(increment() for _ in range(50)))
        return (await Counter.select(Counter.value).first())["value"]

    assert run(scenario()) == 50
    engine.close_connections()


def test_a_failed_transaction_leaves_nothing_behind():
    engine = _engine()
    Counter = _counter_table(engine)

    async def scenario() -> int:
        await Counter.create_table()
        try:
            async with engine.transaction():
                await Counter.insert(Counter(name="half", value=1))
                raise RuntimeError("crash mid-transaction")
        except RuntimeError:
            pass
        await Counter.insert(Counter(name="after", value=2))  # the writer is free again
        return await Counter.count()

    assert run(scenario()) == 1
    engine.close_connections()


def test_reads_run_alongside_a_long_write_transaction():
    engine = _engine()
    Counter = _counter_table(engine)

    async def scenario() -> list:
        await Counter.create_table()
        await Counter.insert(Counter(name="seen", value=1))
        started, release = asyncio.Event(), asyncio.Event()

        async def writer() -> None:
            async with engine.transaction():
                await Counter.insert(Counter(name="pending", value=2))
                started.set()
                await release.wait()

        task = asyncio.create_task(writer())
        await started.wait()
        names = [r["name"] for r in await Counter.select(Counter.name)]  # WAL: readers are not blocked
        release.set()
        await task
        return names

    assert run(scenario()) == ["seen"]


def test_a_request_cancelled_while_its_transaction_begins_leaves_the_writer_free():
    """A client that goes away while BEGIN waits for the lock: the transaction it opened is rolled
    back, so the next write commits instead of landing inside a transaction nobody will end."""
    import sqlite3

    engine = _engine()
    Counter = _counter_table(engine)
    path = engine.connection_kwargs["database"]

    async def scenario() -> int:
        await Counter.create_table()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        entered = asyncio.Event()

        async def write() -> None:
            async with engine.transaction():
                entered.set()
                await Counter.insert(Counter(name="never", value=1))

        task = asyncio.create_task(write())
        await asyncio.sleep(0.2)  # BEGIN IMMEDIATE is waiting for the lock in the executor
        task.cancel()
        await asyncio.sleep(0.05)
        other.execute("ROLLBACK")  # BEGIN now succeeds, but its caller has gone
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert not entered.is_set()
        await Counter.insert(Counter(name="after", value=2))
        seen = other.execute("SELECT name FROM counter").fetchall()  # committed: another connection sees it
        other.close()
        return seen

    assert run(scenario()) == [("after",)]
    engine.close_connections()


def test_a_write_waits_for_the_turn_another_process_holds_without_stalling_the_loop_and_goes_at_once_after():
    """Writers of every process queue on one write turn (a lock file beside the database). While another
    process holds it, a transaction waits off the event loop (the loop keeps serving), and it is let
    through the moment the turn is given back, not after SQLite's busy handler's next sleep."""
    import time

    from core.database import WriteTurn

    engine = _engine()
    Counter = _counter_table(engine)
    other_process = WriteTurn(engine.path)  # a handle of its own, as another worker process has

    async def scenario() -> tuple[int, bool, float]:
        await Counter.create_table()
        assert other_process.take_now()

        async def write() -> float:
            async with engine.transaction():
                await Counter.insert(Counter(name="waited", value=1))
            return time.monotonic()

        task = asyncio.ensure_future(write())
        ticks = 0
        while ticks < 20:  # a loop blocked on the turn would not tick
            await asyncio.sleep(0.01)
            ticks += 1
        waited = not task.done()
        released = time.monotonic()
        other_process.give_back()
        written = await asyncio.wait_for(task, 10)
        return ticks, waited, written - released

    try:
        ticks, waited, delay = run(scenario())
    finally:
        other_process.close()
        engine.close_connections()
    assert ticks == 20 and waited
    assert delay < 0.05  # woken by the release itself
    assert run(Counter.count().where(Counter.name == "waited")) == 1


_SLOW_READ = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) "
              "SELECT count(*) AS c FROM n")


async def _ticks_during(work) -> tuple[int, object]:
    """How often another task ran on the loop while `work` was awaited (a loop blocked by it would not tick)."""
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.005)
    before = ticks
    try:
        result = await work
    finally:
        done.set()
        await task
    return ticks - before, result


def test_a_statement_seen_slow_runs_off_the_loop_from_then_on():
    """Statements run on the loop's own thread (cheaper than a thread hop), but one that took longer than
    SLOW_SECONDS goes to the executor at its next call, so a heavy read stalls other requests once at most."""
    engine = _engine()

    async def scenario() -> tuple[int, int, list, list]:
        await engine._run("SELECT 1", [])  # the reader connection opened beforehand
        first_ticks, first = await _ticks_during(engine._run(_SLOW_READ, []))
        second_ticks, second = await _ticks_during(engine._run(_SLOW_READ, []))
        return first_ticks, second_ticks, first, second

    try:
        first_ticks, second_ticks, first, second = run(scenario())
    finally:
        engine.close_connections()
    assert first == second == [{"c": 400000}]
    assert first_ticks <= 1 < second_ticks


def test_a_transaction_waits_off_the_loop_for_a_writer_outside_the_turn():
    """A tool writing to the file without taking the turn (the sqlite3 shell, a restore) holds SQLite's
    lock: BEGIN does not wait for it on the loop (the loop keeps serving), and goes once it is released."""
    import sqlite3

    engine = _engine()
    Counter = _counter_table(engine)
    outsider = sqlite3.connect(engine.path, isolation_level=None, check_same_thread=False)

    async def scenario() -> tuple[int, bool]:
        await Counter.create_table()
        outsider.execute("BEGIN IMMEDIATE")

        async def write() -> None:
            async with engine.transaction():
                await Counter.insert(Counter(name="after", value=1))

        task = asyncio.ensure_future(write())
        ticks, _ = await _ticks_during(asyncio.sleep(0.2))
        waited = not task.done()
        outsider.execute("COMMIT")
        await asyncio.wait_for(task, 10)
        return ticks, waited

    try:
        ticks, waited = run(scenario())
        assert run(Counter.count().where(Counter.name == "after")) == 1
    finally:
        outsider.close()
        engine.close_connections()
    assert waited and ticks > 20
