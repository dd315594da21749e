"""Agreement figures: importing 2,000 agreements from .xlsx, and the per-fair summary over 50,000
agreements with 200,000 deliveries.

Usage: python bench/agreements.py [--import 2000] [--agreements 50000] [--deliveries 200000] [--requests 300]
Uses a fresh database in a temporary folder (SQLite by default, or DATABASE_URL when it is a
PostgreSQL URL, whose public schema is dropped). The summary is measured over HTTP against the
real server (uvicorn on 127.0.0.1), one request at a time, for a fair of about 2,000 agreements.
Targets (issue "Agreements"): import ≤ 10 s, summary p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import random
import statistics
import time

import harness
import httpx
from openpyxl import Workbook

WORKDIR = harness.scratch("ocop-bench-")

HEADERS = ["Số biên bản", "Ngày ký", "Loại", "Bên mua", "Chủ thể", "Sản phẩm", "Số lượng", "Đơn vị tính", "Đơn giá",
           "Hiệu lực đến"]


async def seed_parties(rng: random.Random) -> tuple[list[dict], list[dict], list[dict]]:
    from accounts.enums import Role
    from accounts.services import create_user
    from catalog.tables import Buyer, Product
    from ocop.demo import DemoSize, seed_programme

    await seed_programme(5, DemoSize(producers=600, products=2500, buyers=30))
    await create_user("bench", "bench-password", Role.viewer, "bench@bench.vn")
    buyers = await Buyer.select(Buyer.id, Buyer.name)
    products = await Product.select(Product.id, Product.name, Product.producer, Product.producer.name)
    return buyers, products, []


def agreements_workbook(count: int, buyers: list[dict], products: list[dict], rng: random.Random) -> bytes:
    """The organizers' sheet: one row per line, one to three lines per agreement, rows sharing the code."""
    by_producer: dict[int, list[dict]] = {}
    for p in products:
        by_producer.setdefault(p["producer"], []).append(p)
    producers = sorted(by_producer)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Biên bản")
    sheet.append(HEADERS)
    for number in range(count):
        producer = rng.choice(producers)
        buyer = rng.choice(buyers)
        for product in rng.sample(by_producer[producer], k=min(len(by_producer[producer]), rng.choice([1, 1, 2, 3]))):
            sheet.append([f"BENCH-{number:05d}", "12/10/2026", "Hợp đồng", buyer["name"], product["producer.name"],
                          product["name"], rng.randint(50, 5000), "kg", rng.choice([20_000, 45_000, 120_000]),
                          "31/12/2027"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def measure_import(count: int, buyers, products, rng) -> dict:
    from agreements import importing
    from agreements.tables import Agreement
    from core.audit import SYSTEM

    content = agreements_workbook(count, buyers, products, rng)
    started = time.perf_counter()
    preview = await importing.preview("bench.xlsx", content, None, SYSTEM)
    preview_s = time.perf_counter() - started
    assert not preview.problems and not preview.unknown, (list(preview.problems.items())[:3], preview.unknown[:3])
    started = time.perf_counter()
    written = await importing.commit(preview.token, {}, SYSTEM)
    commit_s = time.perf_counter() - started
    assert written == count and await Agreement.count() >= count
    return {"xlsx_bytes": len(content), "rows": preview.lines, "preview_s": preview_s, "commit_s": commit_s}


async def seed_volume(agreements: int, deliveries: int, buyers, products, rng) -> int:
    """Agreements spread over 25 fairs, their lines, and deliveries against the lines; returns a fair id."""
    from agreements.tables import Agreement, AgreementLine, AgreementProducer, Delivery, Milestone
    from fairs.tables import Fair

    fairs = []
    for number in range(25):
        start = dt.date(2024, 1, 10) + dt.timedelta(days=30 * number)
        row = (await Fair.insert(Fair(name=f"Hội nghị kết nối {number}", kind="connection_conference", starts_on=start,
                                      ends_on=start + dt.timedelta(days=2), status="closed")))[0]
        fairs.append(row["id"])
    first = (await Agreement.select(Agreement.id).order_by(Agreement.id, ascending=False).first() or {"id": 0})["id"]
    rows, links, lines, milestones = [], [], [], []
    for number in range(agreements):
        product = rng.choice(products)
        quantity, price = rng.randint(100, 5000), rng.choice([20_000, 45_000, 120_000])
        signed = dt.date(2024, 1, 10) + dt.timedelta(days=rng.randint(0, 720))
        rows.append(Agreement(code=f"VOL-{number:06d}", kind="offtake", fair=fairs[number % len(fairs)], signed_on=signed,
                              buyer=rng.choice(buyers)["id"], status="in_progress", valid_until=signed + dt.timedelta(days=365),
                              committed_value=quantity * price))
        links.append((first + number + 1, product["producer"]))
        lines.append((first + number + 1, product["producer"], product["id"], quantity, price))
        # Two delivery milestones each, the first past due and met for most of them (the overdue figure).
        for months, met in ((3, rng.random() < 0.8), (9, False)):
            due = signed + dt.timedelta(days=30 * months)
            milestones.append(Milestone(agreement=first + number + 1, due_on=due, description=f"Giao đợt {months}",
                                        done_on=due if met else None))
    async with Agreement._meta.db.transaction():
        for start in range(0, agreements, 2000):
            await Agreement.insert(*rows[start:start + 2000])
        for start in range(0, agreements, 2000):
            await AgreementProducer.insert(*[AgreementProducer(agreement=a, producer=p) for a, p in links[start:start + 2000]])
            await AgreementLine.insert(*[AgreementLine(agreement=a, producer=p, product=pr, quantity=q, unit="kg",
                                                       unit_price=price, value=q * price)
                                         for a, p, pr, q, price in lines[start:start + 2000]])
        for start in range(0, len(milestones), 2000):
            await Milestone.insert(*milestones[start:start + 2000])
    line_ids = [r["id"] for r in await AgreementLine.select(AgreementLine.id, AgreementLine.agreement).where(
        AgreementLine.agreement > first).order_by(AgreementLine.id)]
    batch: list = []
    async with Delivery._meta.db.transaction():
        for _ in range(deliveries):
            index = rng.randrange(len(line_ids))
            batch.append(Delivery(agreement=first + index + 1, line=line_ids[index], delivered_on=dt.date(2025, 6, 1),
                                  quantity=10, value=10 * 45_000))
            if len(batch) == 2500:  # PostgreSQL takes at most 32,767 parameters a statement
                await Delivery.insert(*batch)
                batch = []
        if batch:
            await Delivery.insert(*batch)
    # What recording each delivery keeps up to date, set here in two statements.
    await Agreement.raw("UPDATE agreement_line SET delivered_quantity = (SELECT COALESCE(SUM(quantity), 0) FROM delivery "
                        "WHERE delivery.line = agreement_line.id), delivered_value = (SELECT COALESCE(SUM(value), 0) "
                        "FROM delivery WHERE delivery.line = agreement_line.id) WHERE agreement > {}", first)
    await Agreement.raw("UPDATE agreement SET delivered_value = (SELECT COALESCE(SUM(value), 0) FROM delivery "
                        "WHERE delivery.agreement = agreement.id) WHERE id > {}", first)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        await Agreement.raw("ANALYZE")  # what autovacuum would do after a load this size
    return fairs[3]


async def prepare(args) -> tuple[dict, int]:
    rng = random.Random(17)
    async with harness.fresh_database():
        buyers, products, _ = await seed_parties(rng)
        figures = await measure_import(args.imports, buyers, products, rng)
        started = time.perf_counter()
        fair_id = await seed_volume(args.agreements, args.deliveries, buyers, products, rng)
        figures["volume_seed_s"] = time.perf_counter() - started
    return figures, fair_id


async def measure_summary(base: str, fair_id: int, requests: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await harness.log_in_async(client, "bench", "bench-password")
        for _ in range(10):
            await client.get("/api/v1/agreements/summary", params={"fair_id": fair_id})
        latencies = []
        for _ in range(requests):
            started = time.perf_counter()
            response = await client.get("/api/v1/agreements/summary", params={"fair_id": fair_id})
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
        body = response.json()
    return {"p50_ms": statistics.median(latencies), "p99_ms": harness.percentile(latencies, 0.99), "agreements": body["agreements"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import", dest="imports", type=int, default=2000)
    parser.add_argument("--agreements", type=int, default=50_000)
    parser.add_argument("--deliveries", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    engine = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
    figures, fair_id = asyncio.run(prepare(args))
    process, base = harness.start_server("ocop.asgi:app", WORKDIR, {"OCOP_SCHEDULER_IN_WEB": "0"})
    try:
        summary = asyncio.run(measure_summary(base, fair_id, args.requests))
    finally:
        harness.stop(process)
    total_import = figures["preview_s"] + figures["commit_s"]
    print(f"engine: {engine}, work folder {WORKDIR}")
    print(f"{'import ' + str(args.imports) + ' agreements (.xlsx)':<44}{total_import:>8.2f} s  (preview {figures['preview_s']:.2f} s"
          f" + commit {figures['commit_s']:.2f} s; {figures['rows']} rows, {figures['xlsx_bytes'] / 1024:.0f} KB; target ≤ 10 s)")
    print(f"{'per-fair summary over HTTP':<44}{summary['p99_ms']:>8.1f} ms p99, {summary['p50_ms']:.1f} ms p50 "
          f"({summary['agreements']} agreements in the fair; {args.agreements:,} agreements, {args.deliveries:,} deliveries "
          f"in all; target p99 ≤ 100 ms)")
    print(json.dumps({"engine": engine, "import_s": round(total_import, 2), "import_preview_s": round(figures["preview_s"], 2),
                      "import_commit_s": round(figures["commit_s"], 2), "summary_p50_ms": round(summary["p50_ms"], 1),
                      "summary_p99_ms": round(summary["p99_ms"], 1), "agreements": args.agreements,
                      "deliveries": args.deliveries}))


if __name__ == "__main__":
    main()
