"""The pooled SQLite engine: concurrent transactions serialise instead of failing, rollbacks leave nothing."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from piccolo.columns import Integer, Varchar
from piccolo.table import Table

from ocop.database import PooledSQLiteEngine, prepare_sqlite_file
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
