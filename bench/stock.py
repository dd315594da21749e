"""Stock ledger figures, in one run, on SQLite:

1. single-movement POST through the whole stack (session auth, CSRF, validation, scope check,
   ledger, balance, idempotency, audit) with 16 connections (wrk), then another write through the
   same pipeline (an agreement delivery: a line read, a delivery row, an audit row), next to a bare Litestar
   endpoint that only validates the same body (the framework's ceiling here) and raw sqlite3
   doing the same two writes per transaction (the database's ceiling);
2. one batch of 10,000 movements in one request;
3. the balance query of a point carrying 5,000 products after millions of ledger rows, and its
   stock as of a past date;
4. the server's memory (RSS) during the load.

Usage: python bench/stock.py [--seconds 10] [--ledger-rows 5000000]
Targets (issue "Sales points"): ≥ 2,500 movements/s and ≥ 40 % of the bare ceiling, p99 ≤ 25 ms;
batch ≤ 1 s; balance query ≤ 20 ms; as-of query ≤ 300 ms; server RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import threading
import time
from pathlib import Path

import harness

WORKDIR = harness.scratch("ocop-stock-bench-", database=None)
DB_PATH = WORKDIR / "stock.db"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"

WRK_SCRIPT = """
local counter = 0
local tag = "%(tag)s"
local products = {%(products)s}
local thread_id = 0
function setup(thread)
  thread:set("id", math.random(1, 1000000000))
end
function init(args)
  thread_id = id or math.random(1, 1000000000)
end
request = function()
  counter = counter + 1
  local product = products[(counter %% #products) + 1]
  local body = '{"product_id":' .. product .. ',"kind":"receipt","quantity":1}'
  wrk.headers["Idempotency-Key"] = tag .. "-" .. thread_id .. "-" .. counter
  return wrk.format("POST", "%(path)s", nil, body)
end
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.2)


def run_wrk(base: str, path: str, headers: dict, products: list[int], seconds: int, connections: int = 16) -> dict:
    script = WORKDIR / f"wrk-{random.randrange(10**9)}.lua"
    script.write_text(WRK_SCRIPT % {"tag": f"b{random.randrange(10**9)}", "products": ",".join(map(str, products)), "path": path})
    return harness.run_wrk(script, base + path, connections, seconds, headers)


DELIVERY_SCRIPT = """
local agreements = {%(agreements)s}
local lines = {%(lines)s}
local counter = 0
request = function()
  counter = counter + 1
  local i = (counter %% #agreements) + 1
  local body = '{"line_id":' .. lines[i] .. ',"delivered_on":"%(day)s","quantity":1}'
  return wrk.format("POST", "/api/v1/agreements/" .. agreements[i] .. "/deliveries", nil, body)
end
"""


def run_delivery_wrk(base: str, agreements: list[tuple[int, int]], headers: dict, seconds: int) -> dict:
    script = WORKDIR / "delivery.lua"
    script.write_text(DELIVERY_SCRIPT % {"agreements": ",".join(str(a) for a, _ in agreements),
                                         "lines": ",".join(str(line) for _, line in agreements),
                                         "day": time.strftime("%Y-%m-%d")})
    path = f"/api/v1/agreements/{agreements[0][0]}/deliveries"
    harness.run_wrk(script, base + path, 16, 2, headers)  # warm-up
    return harness.run_wrk(script, base + path, 16, seconds, headers)


def raw_sqlite_ceiling(seconds: float) -> float:
    """The same two writes per transaction (movement insert, balance upsert) in a plain loop."""
    path = WORKDIR / "raw.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, point INT, product INT, kind TEXT, quantity INT, key TEXT UNIQUE)")
    connection.execute("CREATE TABLE b (point INT, product INT, lot TEXT, quantity INT, PRIMARY KEY (point, product, lot))")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO m (point, product, kind, quantity, key) VALUES (1, ?, 'receipt', 1, ?)", (count % 200, f"k{count}"))
        connection.execute("INSERT INTO b VALUES (1, ?, '', 1) ON CONFLICT (point, product, lot) DO UPDATE SET quantity = quantity + 1", (count % 200,))
        connection.execute("COMMIT")
        count += 1
    return count / (time.perf_counter() - started)


async def prepare(products: int) -> dict:
    """Migrates the database and makes a manager, a point and an assortment, through the services."""
    from accounts.enums import Role
    from accounts.services import create_user
    from catalog.tables import Producer, Product
    from salespoints.tables import AssortmentItem, SalesPoint, SalesPointManager

    async with harness.fresh_database():
        manager = await create_user("bench-manager", "bench-password", Role.salespoint_manager, "m@bench.vn")
        producer = (await Producer.insert(Producer(name="HTX Bench", kind="cooperative", province_code="ha-noi")))[0]["id"]
        today = __import__("catalog.services", fromlist=["today"]).today()
        rows = [Product(producer=producer, name=f"Sản phẩm {i}", group_code="food", stars=4, score=75,
                        certificate_number=f"B-{i}", certified_on=today, expires_on=today.replace(year=today.year + 3),
                        code=f"bench{i}", province_code="ha-noi") for i in range(products)]
        for start in range(0, len(rows), 500):
            await Product.insert(*rows[start : start + 500])
        product_ids = [r["id"] for r in await Product.select(Product.id).order_by(Product.id)]
        point = (await SalesPoint.insert(SalesPoint(name="Điểm Bench", province_code="ha-noi")))[0]["id"]
        await SalesPointManager.insert(SalesPointManager(point=point, user=manager.id))
        for start in range(0, len(product_ids), 500):
            await AssortmentItem.insert(*[AssortmentItem(point=point, product=p, selling_price=50_000)
                                          for p in product_ids[start : start + 500]])
        agreements = await _agreements(producer, product_ids[0], manager.id)
        return {"point": point, "products": product_ids, "agreements": agreements}


async def _agreements(producer: int, product: int, user: int, count: int = 200) -> list[tuple[int, int]]:
    """Running agreements, one line each, that the bench's user records deliveries against in turn (an
    agreement gets tens of deliveries in a run, as a real one does in its term)."""
    import datetime as dt

    import msgspec

    from accounts.enums import Role
    from accounts.tables import User
    from agreements.schemas import AgreementIn
    from agreements.services import create_agreement
    from agreements.tables import AgreementLine
    from catalog.tables import Buyer
    from core.audit import SYSTEM

    await User.update({User.role: Role.organizer.value}).where(User.id == user)  # deliveries are an organizer's
    buyer = (await Buyer.insert(Buyer(name="Siêu thị Bench", kind="supermarket_chain", province_code="ha-noi")))[0]["id"]
    today = dt.date.today()
    found = []
    for _ in range(count):
        data = msgspec.convert({"buyer_id": buyer, "producer_ids": [producer], "kind": "offtake",
                                "signed_on": (today - dt.timedelta(days=1)).isoformat(),
                                "valid_until": (today + dt.timedelta(days=365)).isoformat(),
                                "lines": [{"product_id": product, "quantity": 10**9, "unit": "hộp", "unit_price": 1}]},
                               AgreementIn)
        agreement = await create_agreement(data, SYSTEM)
        line = await AgreementLine.select(AgreementLine.id).where(AgreementLine.agreement == agreement).first()
        found.append((agreement, line["id"]))
    return found


def log_in(base: str) -> tuple:
    client, cookie, token = harness.log_in(base, "bench-manager", "bench-password")
    return client, {"Cookie": cookie, "x-csrftoken": token, "Content-Type": "application/json"}


def fill_ledger(point: int, products: list[int], rows: int) -> float:
    """Appends `rows` receipts for the point straight into the ledger (and sets the balances to match)."""
    started = time.perf_counter()
    connection = sqlite3.connect(DB_PATH, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    start_day = time.time() - 365 * 86400
    batch = 100_000
    for offset in range(0, rows, batch):
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO stock_movement (point, product, kind, quantity, unit_price, lot_code, happened_at, note) "
            "VALUES (?, ?, 'receipt', 1, 50000, '', ?, '')",
            ((point, products[i % len(products)],
              time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime(start_day + i * 365 * 86400 / rows)))
             for i in range(offset, min(rows, offset + batch))),
        )
        connection.execute("COMMIT")
    connection.execute("BEGIN")
    connection.execute("DELETE FROM stock_balance WHERE point = ?", (point,))
    connection.execute(
        "INSERT INTO stock_balance (point, product, lot_code, quantity) "
        "SELECT point, product, lot_code, SUM(quantity) FROM stock_movement WHERE point = ? GROUP BY point, product, lot_code",
        (point,),
    )
    connection.execute("COMMIT")
    connection.close()
    return time.perf_counter() - started


async def take_snapshots() -> int:
    """What `ocop stock snapshot` does: each point's stock at every past month start."""
    from salespoints.services import snapshot_month_starts

    async with harness.engine():
        return await snapshot_month_starts()


async def service_balance_ms(point: int, runs: int = 20) -> float:
    """The balance query itself: the service call in this process, without HTTP and its 0.8 MB of JSON."""
    from salespoints.services import balances

    async with harness.engine():
        await balances(point)  # the reader connection opened, the pages in the cache
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            await balances(point)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--ledger-rows", type=int, default=5_000_000)
    args = parser.parse_args()

    setup = asyncio.run(prepare(args.products))
    point, products = setup["point"], setup["products"]
    path = f"/api/v1/salespoints/{point}/movements"
    hot = products[:200]

    bare_process, bare_base = harness.start_server("bare_app:app", WORKDIR)
    try:
        run_wrk(bare_base, path, {"Content-Type": "application/json"}, hot, 2)  # warm-up
        bare = run_wrk(bare_base, path, {"Content-Type": "application/json"}, hot, args.seconds)
    finally:
        harness.stop(bare_process)

    raw = raw_sqlite_ceiling(args.seconds)

    process, base = harness.start_server("ocop.asgi:app", WORKDIR)
    sampler = RssSampler(process.pid)
    sampler.start()
    try:
        client, headers = log_in(base)
        run_wrk(base, path, headers, hot, 2)  # warm-up
        full = run_wrk(base, path, headers, hot, args.seconds)
        idle_rss = rss_mb(process.pid)
        delivery = run_delivery_wrk(base, setup["agreements"], headers, args.seconds)

        lines = [{"product_id": products[i % len(products)], "kind": "receipt", "quantity": 2,
                  "idempotency_key": f"batch-{i}"} for i in range(10_000)]
        started = time.perf_counter()
        response = client.post(f"/api/v1/salespoints/{point}/movements/batch", json={"movements": lines},
                               headers={"x-csrftoken": headers["x-csrftoken"]})
        batch_s = time.perf_counter() - started
        assert response.status_code == 201, response.text[:500]

        fill_s = fill_ledger(point, products, args.ledger_rows)
        started = time.perf_counter()
        snapshots = asyncio.run(take_snapshots())
        snapshot_s = time.perf_counter() - started
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            response = client.get(f"/api/v1/salespoints/{point}/balances")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and len(response.json()) >= args.products
        balance_ms = statistics.median(timings)
        balance_service_ms = asyncio.run(service_balance_ms(point))
        as_of_timings = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(f"/api/v1/salespoints/{point}/stock", params={"as_of": time.strftime("%Y-%m-%dT00:00:00", time.gmtime(time.time() - 180 * 86400))})
            as_of_timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:300]
        as_of_ms = statistics.median(as_of_timings)
    finally:
        sampler.running = False
        harness.stop(process)

    share = full["rps"] / bare["rps"] * 100
    print(f"stock bench on SQLite ({os.cpu_count()} cores), wrk 16 connections, {args.seconds} s each")
    print(f"{'single movement POST, whole stack':<40}{full['rps']:>8.0f} req/s  p50 {full['p50_ms']:.1f} ms  p99 {full['p99_ms']:.1f} ms  "
          f"non-2xx {full['non_2xx']}")
    print(f"{'agreement delivery POST, whole stack':<40}{delivery['rps']:>8.0f} req/s  p50 {delivery['p50_ms']:.1f} ms  "
          f"p99 {delivery['p99_ms']:.1f} ms  non-2xx {delivery['non_2xx']}")
    print(f"{'bare Litestar, validation only':<40}{bare['rps']:>8.0f} req/s  p50 {bare['p50_ms']:.1f} ms  p99 {bare['p99_ms']:.1f} ms")
    print(f"{'raw sqlite3, 2 writes per transaction':<40}{raw:>8.0f} txn/s")
    print(f"{'whole stack / bare Litestar':<40}{share:>8.0f} %   (target ≥ 2,500 req/s and ≥ 40 %, p99 ≤ 25 ms)")
    print(f"{'batch of 10,000 movements':<40}{batch_s:>8.2f} s   (target ≤ 1 s)")
    print(f"{'balances of 5,000 products':<40}{balance_ms:>8.1f} ms  after {args.ledger_rows:,} ledger rows "
          f"(filled in {fill_s:.0f} s; target ≤ 20 ms)")
    print(f"{'  of which the query (service call)':<40}{balance_service_ms:>8.1f} ms  in process, without HTTP and JSON")
    print(f"{'stock as of six months ago':<40}{as_of_ms:>8.1f} ms  (target ≤ 300 ms; {snapshots} monthly snapshots "
          f"written in {snapshot_s:.1f} s first)")
    print(f"{'server RSS':<40}{sampler.peak:>8.0f} MB peak, {idle_rss:.0f} MB after load (target ≤ 300 MB)")
    print(json.dumps({
        "post_rps": round(full["rps"]), "post_p50_ms": full["p50_ms"], "post_p99_ms": full["p99_ms"],
        "post_non_2xx": full["non_2xx"], "delivery_rps": round(delivery["rps"]), "delivery_p50_ms": delivery["p50_ms"],
        "delivery_p99_ms": delivery["p99_ms"], "delivery_non_2xx": delivery["non_2xx"], "bare_rps": round(bare["rps"]), "bare_p99_ms": bare["p99_ms"],
        "raw_sqlite_txn_per_s": round(raw), "share_of_bare_pct": round(share, 1), "batch_10k_s": round(batch_s, 2),
        "balance_5k_ms": round(balance_ms, 1), "balance_5k_service_ms": round(balance_service_ms, 1), "as_of_ms": round(as_of_ms, 1), "snapshot_s": round(snapshot_s, 1), "ledger_rows": args.ledger_rows, "rss_peak_mb": round(sampler.peak),
    }))


if __name__ == "__main__":
    main()
