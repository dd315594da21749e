"""The counter's hot path (`ocop.counter_path`): it answers plain movement POSTs itself, exactly as
the route would, and hands everything else to the route with the body intact."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run, unique
from tests.salespoints.conftest import move


class Route:
    """Stands in for the application behind the hot path: records what it was handed."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []

    async def __call__(self, scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.calls.append(body)
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"route"})


def _call(path: str, body: bytes, headers: dict[str, str] | list[tuple[str, str]], chunks: int = 1) -> tuple[Route, list[dict]]:
    from ocop.counter_path import serve

    pairs = headers.items() if isinstance(headers, dict) else headers
    route, sent = Route(), []
    size = -(-len(body) // chunks) if body else 1
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    messages = [{"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1} for i, piece in enumerate(pieces)]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in pairs]}
    run(serve(route, scope, receive, send))
    return route, sent


def _session_headers(client, **extra) -> dict[str, str]:
    token = client.csrf()
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"content-type": "application/json", "cookie": cookie, "x-csrftoken": token, **extra}


def _body(product_id: int, quantity: int = 1, kind: str = "receipt") -> bytes:
    return json.dumps({"product_id": product_id, "kind": kind, "quantity": quantity}).encode()


def test_a_plain_sale_is_answered_by_the_hot_path_with_the_routes_headers(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    body = _body(product, 5)
    route, sent = _call(f"/api/v1/salespoints/{point}/movements", body,
                        {**_session_headers(manager), "content-length": str(len(body)), "idempotency-key": unique("k")},
                        chunks=3)
    assert route.calls == []
    start, payload = sent[0], json.loads(sent[1]["body"])
    assert start["status"] == 201
    names = {name for name, _ in start["headers"]}
    assert {b"content-security-policy", b"x-frame-options", b"x-content-type-options", b"content-type"} <= names
    assert payload["balances"] == [5] and payload["replayed"] is False

    # The same request through the route (a charset in the content type sends it there) looks the same.
    through_route = manager.post(f"/api/v1/salespoints/{point}/movements", content=_body(product, 1),
                                 headers={"x-csrftoken": manager.csrf(), "content-type": "application/json; charset=utf-8"})
    through_hot_path = move(manager, point, product, "receipt", 1)
    assert through_route.status_code == through_hot_path.status_code == 201
    assert through_route.json().keys() == through_hot_path.json().keys()
    assert through_hot_path.json()["balances"] == [through_route.json()["balances"][0] + 1]
    for header in ("content-security-policy", "x-frame-options", "referrer-policy", "content-type"):
        assert through_route.headers[header] == through_hot_path.headers[header]


@pytest.mark.parametrize("case", ["no csrf header", "wrong csrf", "anonymous", "malformed json", "unknown field type",
                                  "form body", "header twice", "no length", "odd length", "too large", "refused sale"])
def test_anything_not_plain_goes_to_the_route_with_its_body_intact(shop, case):
    from salespoints.tables import StockMovement

    point, product, manager = shop["point"], shop["products"][1], shop["manager"]
    body = _body(product, 10_000, "sale") if case == "refused sale" else _body(product)
    headers = _session_headers(manager)
    if case == "no csrf header":
        del headers["x-csrftoken"]
    elif case == "wrong csrf":
        headers["x-csrftoken"] = headers["x-csrftoken"][:-4] + "0000"
    elif case == "anonymous":
        headers["cookie"] = f"ocop_csrftoken={headers['x-csrftoken']}"
    elif case == "malformed json":
        body = body[:-3]
    elif case == "unknown field type":
        body = json.dumps({"product_id": str(product), "kind": "receipt", "quantity": 1}).encode()
    elif case == "form body":
        headers["content-type"] = "application/x-www-form-urlencoded"
        body = f"product_id={product}&kind=receipt&quantity=1".encode()
    elif case == "too large":
        body = json.dumps({"product_id": product, "kind": "receipt", "quantity": 1, "note": "x" * 20_000}).encode()
    if case == "odd length":
        headers["content-length"] = "12abc"
    elif case != "no length":
        headers["content-length"] = str(len(body))
    pairs = list(headers.items()) + ([("x-csrftoken", headers["x-csrftoken"])] if case == "header twice" else [])
    before = run(StockMovement.count().where(StockMovement.point == point))
    route, sent = _call(f"/api/v1/salespoints/{point}/movements", body, pairs)
    assert route.calls == [body]
    assert sent[0]["status"] == 299
    assert run(StockMovement.count().where(StockMovement.point == point)) == before


def test_the_routes_answers_for_what_the_hot_path_passes_on_are_problem_documents(shop, anonymous):
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
    the unit waits on the writer thread: the loop keeps serving, and the unit is written once the
    way is free."""
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
