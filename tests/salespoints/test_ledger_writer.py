"""The ledger's writer behind the movement endpoints: refusals worded as problem documents, writers of
several worker processes taking turns, a unit waiting off the event loop, a failed unit undone alone."""

from __future__ import annotations

import pytest

from tests.conftest import run, unique
from tests.salespoints.conftest import move


def test_a_refused_movement_is_a_problem_document_with_the_security_headers(shop, anonymous):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    refused = move(manager, point, product, "sale", 10_000)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "content-security-policy" in refused.headers
    no_token = manager.post(f"/api/v1/salespoints/{point}/movements", json={"product_id": product, "kind": "receipt", "quantity": 1})
    assert no_token.status_code == 403
    assert anonymous.post(f"/api/v1/salespoints/{point}/movements",
                          json={"product_id": product, "kind": "receipt", "quantity": 1},
                          headers={"x-csrftoken": anonymous.csrf()}).status_code == 401
    malformed = manager.post(f"/api/v1/salespoints/{point}/movements", content=b'{"product_id": ',
                             headers={"x-csrftoken": manager.csrf(), "content-type": "application/json"})
    assert malformed.status_code == 400 and malformed.headers["content-type"].startswith("application/problem+json")


def test_ledger_writers_of_two_worker_processes_take_turns_and_lose_nothing(shop):
    """Each worker process has its own ledger writer; on SQLite they queue on a lock file. Two writers
    with their own lock-file handles (as two processes have) write at once: every unit commits once."""
    import asyncio

    from piccolo_conf import DB
    from salespoints import ledger
    from salespoints.tables import StockBalance, StockMovement

    if DB.engine_type != "sqlite":
        pytest.skip("the lock file serves SQLite's single writer")
    point, product = shop["point"], shop["products"][0]
    writers = [ledger.SQLiteLedgerWriter(DB.path, {"timeout": 30}) for _ in range(2)]
    tag = unique("turns-")

    async def write_all() -> list[ledger.UnitResult]:
        units = [ledger.Unit(specs=(ledger.MovementSpec(point_id=point, product_id=product, kind="receipt", quantity=1,
                                                        idempotency_key=f"{tag}-{i}"),)) for i in range(200)]
        return await asyncio.gather(*(writers[i % 2].submit(unit) for i, unit in enumerate(units)))

    try:
        results = run(write_all())
    finally:
        for writer in writers:
            writer.stop()
    assert len({r.movement_ids[0] for r in results}) == 200
    written = run(StockMovement.count().where(StockMovement.idempotency_key.like(f"{tag}-%")))
    ledger_sum = run(StockMovement.raw("SELECT SUM(quantity) AS q FROM stock_movement WHERE point = {} AND product = {}",
                                       point, product))[0]["q"]
    balance = run(StockBalance.select(StockBalance.quantity).where(
        (StockBalance.point == point) & (StockBalance.product == product)).first())["quantity"]
    assert written == 200 and balance == ledger_sum


@pytest.mark.parametrize("holder", ["sqlite write lock", "another worker's turn"])
def test_a_unit_that_cannot_be_written_at_once_waits_off_the_event_loop(shop, holder):
    """Units are written on the event loop's thread only when nothing is in the way. While another
    connection holds SQLite's write lock, or another worker process holds the writers' lock file,
    the unit waits off the loop (a thread waits for the turn, the writer thread for SQLite's lock):
    the loop keeps serving, and the unit is written once the way is free."""
    import asyncio
    import fcntl
    import sqlite3
    import time

    from piccolo_conf import DB
    from salespoints import ledger
    from salespoints.tables import StockMovement

    if DB.engine_type != "sqlite":
        pytest.skip("SQLite's single writer")
    point, product = shop["point"], shop["products"][0]
    key = unique("waits-")
    writer = ledger.SQLiteLedgerWriter(DB.path, {"timeout": 30})
    if holder == "sqlite write lock":
        blocker = sqlite3.connect(DB.path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")
        release = lambda: (blocker.execute("COMMIT"), blocker.close())  # noqa: E731
    else:
        lock_file = open(DB.path + "-writer.lock", "a+b")  # held until release
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        release = lambda: (fcntl.flock(lock_file, fcntl.LOCK_UN), lock_file.close())  # noqa: E731

    async def scenario() -> tuple[int, bool, ledger.UnitResult]:
        unit = ledger.Unit(specs=(ledger.MovementSpec(point_id=point, product_id=product, kind="receipt", quantity=3,
                                                      idempotency_key=key),))
        task = asyncio.ensure_future(writer.submit(unit))
        started, ticks = time.monotonic(), 0
        while ticks < 20 and time.monotonic() - started < 3:  # a loop blocked on the lock would not tick
            await asyncio.sleep(0.01)
            ticks += 1
        waited = not task.done()
        release()
        return ticks, waited, await asyncio.wait_for(task, 30)

    try:
        ticks, waited, result = run(scenario())
    finally:
        writer.stop()
    assert ticks == 20 and waited and not result.replayed
    assert run(StockMovement.count().where(StockMovement.idempotency_key == key)) == 1


def test_a_unit_failing_after_it_wrote_is_undone_alone_and_its_group_is_still_written(shop):
    """A one-movement unit has no savepoint of its own; when one fails after writing (here its
    movement cannot be stored), the group is undone and redone unit by unit, inside the same
    transaction: the other units of the group are written, the failed one leaves nothing."""
    import asyncio

    from piccolo_conf import DB
    from salespoints import ledger
    from salespoints.tables import StockBalance, StockMovement

    if DB.engine_type != "sqlite":
        pytest.skip("SQLite's group commit")
    point, product = shop["point"], shop["products"][0]
    tag = unique("redo-")
    writer = ledger.SQLiteLedgerWriter(DB.path, {"timeout": 30})

    def unit(name: str, note: object = "") -> ledger.Unit:
        return ledger.Unit(specs=(ledger.MovementSpec(point_id=point, product_id=product, kind="receipt", quantity=2,
                                                      idempotency_key=f"{tag}-{name}", note=note),))

    async def one_group() -> list:
        # Submitted in one turn of the loop: one group.
        units = [unit("a"), unit("b", note=object()), unit("c")]
        return await asyncio.gather(*(writer.submit(u) for u in units), return_exceptions=True)

    try:
        first, failed, last = run(one_group())
    finally:
        writer.stop()
    assert isinstance(failed, Exception) and not isinstance(first, Exception) and not isinstance(last, Exception)
    keys = {r["idempotency_key"] for r in run(StockMovement.select(StockMovement.idempotency_key).where(
        StockMovement.idempotency_key.like(f"{tag}-%")))}
    assert keys == {f"{tag}-a", f"{tag}-c"}
    ledger_sum = run(StockMovement.raw("SELECT SUM(quantity) AS q FROM stock_movement WHERE point = {} AND product = {}",
                                       point, product))[0]["q"]
    balance = run(StockBalance.select(StockBalance.quantity).where(
        (StockBalance.point == point) & (StockBalance.product == product)).first())["quantity"]
    assert balance == ledger_sum


def test_idempotency_keys_are_looked_up_in_their_index_on_an_analyzed_ledger(tmp_path):
    """Every sale with an Idempotency-Key looks its key up first: on a ledger of many rows, with the statistics
    ANALYZE keeps, that must stay an index search, never a walk of the whole ledger."""
    import sqlite3

    from piccolo_conf import DB
    from salespoints import ledger

    if DB.engine_type != "sqlite":
        pytest.skip("the planner checked is SQLite's")
    schema = sqlite3.connect(DB.path).execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'stock_movement' AND sql IS NOT NULL").fetchall()
    copy = sqlite3.connect(tmp_path / "ledger.db")
    for (statement,) in schema:
        copy.execute(statement.replace('REFERENCES "', 'REFERENCES "x_'))  # the copy holds no other table
    copy.executemany("INSERT INTO stock_movement (point, product, kind, quantity, unit_price, lot_code, happened_at, "
                     "idempotency_key, note) VALUES (1, 1, 'sale', -1, 0, '', '2026-01-01', ?, '')",
                     [(f"k{n}",) for n in range(20_000)])
    copy.execute("ANALYZE")
    plan = " ".join(row[3] for row in copy.execute("EXPLAIN QUERY PLAN " + ledger.SQLITE.sql(ledger.BY_KEYS), ('["k5"]',)))
    assert "USING INDEX" in plan and "SCAN stock_movement" not in plan, plan
    assert copy.execute(ledger.SQLITE.sql(ledger.BY_KEYS), ('["k5", "k7"]',)).fetchall()[0][4] in ("k5", "k7")
