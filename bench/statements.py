"""A month's consignment statements of a busy point: 200 producers' goods, 100,000 sales in the month.

    python bench/statements.py [--producers 200] [--sales 100000] [--postgres URL] [--runs 3]

The programme's tables are made by the migrations; the goods, receipts and sales are written straight into the
ledger (as the services leave them: each movement with its owner and terms). Timed, through the service the page
and the scheduler call: compiling the month for the first time (every statement written, every sale settled), and
compiling it again while open (its lines forgotten and settled anew); then one producer's PDF and .xlsx.
Target (issue "Sales points' money"): the month's statements compile in ≤ 5 s. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import time

import harness

WORKDIR = harness.scratch("ocop-statements-", database=None)
VIETNAM = dt.timezone(dt.timedelta(hours=7))
MONTH = "2026-10"
START = dt.datetime(2026, 10, 1, tzinfo=VIETNAM).astimezone(dt.UTC)


def movements(point: int, producers: list[int], products: dict[int, list[int]], sales: int) -> list[tuple]:
    """Receipts at the month's start, then `sales` sales spread over the month, each producer's on its terms."""
    rows = []
    terms = {p: ((1000 + 50 * (i % 20), None) if i % 3 else (None, 40_000)) for i, p in enumerate(producers)}
    for producer in producers:
        bp, price = terms[producer]
        for product in products[producer]:
            rows.append((point, product, "receipt", 10_000, 0, "C", START + dt.timedelta(minutes=1), producer, bp, price))
    random.seed(7)
    seconds = 30 * 86400
    for n in range(sales):
        producer = producers[n % len(producers)]
        bp, price = terms[producer]
        product = products[producer][n % len(products[producer])]
        moment = START + dt.timedelta(seconds=3600 + n * (seconds - 7200) // sales)
        rows.append((point, product, "sale", -random.randint(1, 3), 55_000, "C", moment, producer, bp, price))
    return rows


COLUMNS = "point, product, kind, quantity, unit_price, lot_code, happened_at, owner, commission_bp, producer_price, note"


async def prepare(producer_count: int, sales: int) -> dict:
    from catalog.tables import Producer, Product
    from core.database import is_sqlite
    from salespoints.tables import AssortmentItem, SalesPoint, StockMovement

    async with harness.fresh_database():
        producers = [r["id"] for r in await Producer.insert(*[
            Producer(name=f"HTX Ký gửi {i}", kind="cooperative", province_code="ha-noi") for i in range(producer_count)])]
        products: dict[int, list[int]] = {}
        for producer in producers:
            made = await Product.insert(*[Product(producer=producer, name=f"Sản phẩm {producer}-{k}", group_code="food",
                                                  stars=4, score=75, certificate_number=f"S-{producer}-{k}",
                                                  code=f"s{producer}x{k}", province_code="ha-noi") for k in range(5)])
            products[producer] = [r["id"] for r in made]
        point = (await SalesPoint.insert(SalesPoint(name="Điểm ký gửi", province_code="ha-noi")))[0]["id"]
        everything = [p for ps in products.values() for p in ps]
        for start in range(0, len(everything), 500):
            await AssortmentItem.insert(*[AssortmentItem(point=point, product=p, selling_price=55_000)
                                          for p in everything[start:start + 500]])
        rows = movements(point, producers, products, sales)
        db = StockMovement._meta.db
        started = time.perf_counter()
        if is_sqlite(db):
            import sqlite3

            connection = sqlite3.connect(db.path, isolation_level=None)
            connection.execute("BEGIN")
            connection.executemany(f"INSERT INTO stock_movement ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
                                   [(*r[:6], str(r[6]), *r[7:]) for r in rows])
            connection.execute("INSERT INTO stock_balance (point, product, lot_code, quantity, owner, commission_bp, "
                               "producer_price) SELECT point, product, lot_code, SUM(quantity), MAX(owner), "
                               "MAX(commission_bp), MAX(producer_price) FROM stock_movement GROUP BY point, product, lot_code")
            connection.execute("COMMIT")
            connection.execute("ANALYZE")
            connection.close()
        else:
            import asyncpg

            connection = await asyncpg.connect(os.environ["DATABASE_URL"])
            try:
                await connection.copy_records_to_table("stock_movement", records=[(*r, "") for r in rows],
                                                       columns=[c.strip() for c in COLUMNS.split(",")])
                await connection.execute(
                    "INSERT INTO stock_balance (point, product, lot_code, quantity, owner, commission_bp, producer_price) "
                    "SELECT point, product, lot_code, SUM(quantity), MAX(owner), MAX(commission_bp), MAX(producer_price) "
                    "FROM stock_movement GROUP BY point, product, lot_code")
                await connection.execute("ANALYZE")
            finally:
                await connection.close()
        return {"point": point, "producers": producers, "rows": len(rows), "load_s": time.perf_counter() - started}


async def measure(point: int, runs: int) -> dict:
    from core.audit import SYSTEM
    from salespoints import settlements, statement_documents
    from scheduler import mail

    async with harness.engine():
        started = time.perf_counter()
        ids = await settlements.compile_month(point, MONTH, SYSTEM)
        first = time.perf_counter() - started
        again = []
        for _ in range(runs):
            started = time.perf_counter()
            await settlements.compile_month(point, MONTH, SYSTEM)
            again.append(time.perf_counter() - started)
        statement = await settlements.get_statement(ids[0], SYSTEM)
        started = time.perf_counter()
        lines = await settlements.statement_lines(statement)
        lines_s = time.perf_counter() - started
        started = time.perf_counter()
        pdf = await statement_documents.statement_pdf(mail.environment(), statement, lines, dt.date(2026, 11, 1))
        pdf_s = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = statement_documents.statement_xlsx(statement, lines)
        xlsx_s = time.perf_counter() - started
        assert xlsx.startswith(b"PK")
        listed = await settlements.point_statements(point, SYSTEM, MONTH)
        return {"statements": len(ids), "first_s": first, "again_s": statistics.median(again), "lines": len(lines),
                "lines_ms": lines_s * 1000, "pdf_s": pdf_s, "pdf_kb": len(pdf) / 1024, "xlsx_ms": xlsx_s * 1000,
                "settled": sum(s.lines for s in listed), "owed": sum(s.owed for s in listed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--producers", type=int, default=200)
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="", help="a PostgreSQL database of the bench's own (emptied)")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.postgres or f"sqlite:///{WORKDIR / 'statements.db'}"
    engine = "postgresql" if args.postgres else "sqlite"

    setup = asyncio.run(prepare(args.producers, args.sales))
    figures = asyncio.run(measure(setup["point"], args.runs))
    assert figures["statements"] == args.producers and figures["settled"] == setup["rows"]

    print(f"{engine}: {args.producers} producers, {args.sales:,} sales in {MONTH} ({setup['rows']:,} movements, "
          f"written in {setup['load_s']:.1f} s)")
    print(f"{'compile the month, first time':<42} {figures['first_s']:8.2f} s   (target ≤ 5 s)")
    print(f"{'compile it again while open (median)':<42} {figures['again_s']:8.2f} s")
    lines_label = f"one statement: its {figures['lines']} lines"
    print(f"{lines_label:<42} {figures['lines_ms']:8.1f} ms")
    print(f"{'one statement: PDF':<42} {figures['pdf_s']:8.2f} s   ({figures['pdf_kb']:.0f} KB)")
    print(f"{'one statement: .xlsx':<42} {figures['xlsx_ms']:8.1f} ms")
    print(json.dumps({"engine": engine, "producers": args.producers, "sales": args.sales,
                      "compile_first_s": round(figures["first_s"], 3), "compile_again_s": round(figures["again_s"], 3),
                      "statement_lines": figures["lines"], "lines_ms": round(figures["lines_ms"], 1),
                      "pdf_s": round(figures["pdf_s"], 3), "xlsx_ms": round(figures["xlsx_ms"], 1)}))


if __name__ == "__main__":
    main()
