"""Notification figures: dispatching 10,000 due notifications to a local SMTP server (aiosmtpd on
127.0.0.1), with duplicates and losses counted at the server; and all reminder rules scanning a
national-scale dataset (20,000 products, 5,000 agreements, 200 sales points).

Usage: python bench/notifications.py [--notifications 10000] [--products 20000] [--agreements 5000] [--points 200]
Uses a fresh database in a temporary folder (SQLite by default, or DATABASE_URL when it is a
PostgreSQL URL, whose public schema is dropped). Targets (issue "Scheduler"): dispatch ≤ 60 s with
0 duplicates and 0 losses; rules ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import email
import email.policy
import json
import multiprocessing
import os
import random
import time

import harness
from aiosmtpd.controller import Controller

WORKDIR = harness.scratch("ocop-bench-")


class Recorder:
    """The SMTP server's handler: writes each received Message-ID to a file, one per line."""

    def __init__(self, path: str) -> None:
        self.out = open(path, "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.compat32)
        self.out.write(f"{message['Message-ID']}\n")
        return "250 OK"


def serve_smtp(port: int, path: str) -> None:
    """The local mail server, in its own process as a real one would be."""
    controller = Controller(Recorder(path), hostname="127.0.0.1", port=port)
    controller.start()
    while True:
        time.sleep(3600)


async def _insert_users(users: list[tuple[str, str]]) -> None:
    """Users in bulk with a placeholder password (Piccolo hashes on insert: 0.25 s a user)."""
    from accounts.tables import User

    for start in range(0, len(users), 500):
        chunk = users[start:start + 500]
        values = ", ".join("({}, 'x', '', '', {}, {}, true, false, false, 'vi')" for _ in chunk)
        await User.raw("INSERT INTO ocop_user (username, password, first_name, last_name, email, role, active, admin, "
                       f"superuser, language) VALUES {values}",
                       *[v for name, role in chunk for v in (name, f"{name}@bench.vn", role)])


async def _insert_all(table, rows: list) -> list[dict]:
    """Bulk insert in chunks: PostgreSQL takes at most 32,767 parameters a statement."""
    inserted = []
    for start in range(0, len(rows), 1000):
        inserted += await table.insert(*rows[start:start + 1000])
    return inserted


async def seed(args, rng: random.Random) -> None:
    """Producers with users, products (some certificates expiring), agreements with milestones, points with stock."""
    from accounts.enums import Role
    from accounts.services import create_user
    from accounts.tables import User
    from agreements.tables import Agreement, AgreementLine, AgreementProducer, Milestone
    from catalog.tables import Buyer, Producer, ProducerMember, Product
    from ocop.demo import DemoSize, seed_programme
    from salespoints.tables import AssortmentItem, SalesPoint, SalesPointManager, StockBalance

    await seed_programme(9, DemoSize(producers=2000, products=args.products, buyers=50))
    await create_user("organizer", "bench-password", Role.organizer, "organizer@bench.vn")
    producers = [r["id"] for r in await Producer.select(Producer.id)]
    await _insert_users([(f"producer{i}", Role.producer.value) for i in range(len(producers))])
    user_ids = [r["id"] for r in await User.select(User.id).where(User.username.like("producer%")).order_by(User.id)]
    await _insert_all(ProducerMember, [ProducerMember(user=u, producer=p) for u, p in zip(user_ids, producers, strict=False)])
    products = await Product.select(Product.id, Product.producer)
    today = dt.date.today()
    # A tenth of certificates expire within 90 days: the rule has work to do.
    expiring = [p["id"] for p in rng.sample(products, k=len(products) // 10)]
    for days in range(1, 91):  # one statement per day of expiry, not one per product
        chosen = expiring[days - 1::90]
        if chosen:
            await Product.update({Product.expires_on: today + dt.timedelta(days=days)}).where(Product.id.is_in(chosen))
    buyers = [r["id"] for r in await Buyer.select(Buyer.id)]
    agreements, lines, links, milestones = [], [], [], []
    for number in range(args.agreements):
        product = rng.choice(products)
        signed = today - dt.timedelta(days=rng.randint(10, 300))
        agreements.append(Agreement(code=f"B-{number:06d}", kind="offtake", signed_on=signed, buyer=rng.choice(buyers),
                                    status="signed", valid_until=today + dt.timedelta(days=rng.randint(5, 400)),
                                    committed_value=1_000_000))
        links.append((number, product["producer"]))
        lines.append((number, product["producer"], product["id"]))
        milestones.append((number, today + dt.timedelta(days=rng.randint(-30, 30))))
    inserted = [r["id"] for r in await _insert_all(Agreement, agreements)]
    await _insert_all(AgreementProducer, [AgreementProducer(agreement=inserted[n], producer=p) for n, p in links])
    line_rows = await _insert_all(AgreementLine, [AgreementLine(agreement=inserted[n], producer=p, product=pr, quantity=100,
                                                           unit="kg", unit_price=10_000, value=1_000_000)
                                             for n, p, pr in lines])
    await _insert_all(Milestone, [Milestone(agreement=inserted[n], due_on=day, description="Giao hàng", line=line_rows[n]["id"],
                                       quantity=50) for n, day in milestones])
    await _insert_users([(f"manager{i}", Role.salespoint_manager.value) for i in range(args.points)])
    managers = [r["id"] for r in await User.select(User.id).where(User.username.like("manager%")).order_by(User.id)]
    points = await SalesPoint.insert(*[SalesPoint(name=f"Điểm {i}", province_code="ha-noi") for i in range(args.points)])
    await SalesPointManager.insert(*[SalesPointManager(point=p["id"], user=u) for p, u in zip(points, managers, strict=True)])
    items, balances = [], []
    for point in points:
        for product in rng.sample(products, k=40):
            items.append(AssortmentItem(point=point["id"], product=product["id"], reorder_threshold=10))
            balances.append(StockBalance(point=point["id"], product=product["id"], lot_code="L1",
                                         lot_expiry=today + dt.timedelta(days=rng.randint(5, 200)),
                                         quantity=rng.randint(0, 60)))
    await _insert_all(AssortmentItem, items)
    await _insert_all(StockBalance, balances)


async def measure_rules() -> dict:
    from scheduler import clock
    from scheduler.runner import run_rules

    clock.set_now(dt.datetime.combine(dt.date.today(), dt.time(21, 0), tzinfo=clock.VIETNAM))
    started = time.perf_counter()
    first = await run_rules()
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = await run_rules()
    second_s = time.perf_counter() - started
    clock.set_now(None)
    return {"first_s": first_s, "second_s": second_s, "written": sum(max(0, n) for n in first.values()),
            "rewritten": sum(max(0, n) for n in second.values()), "per_rule": first}


async def measure_dispatch(count: int, port: int) -> dict:
    from core.outbox import enqueue_notification
    from core.settings import settings
    from core.tables import Notification
    from scheduler import dispatcher, mail

    await Notification.delete(force=True)
    mail.settings = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)
    async with Notification._meta.db.transaction():
        for number in range(count):
            await enqueue_notification(f"bench:{number}", None, "milestone_due", {
                "code": f"B-{number}", "buyer": "Siêu thị", "milestone": "Giao đợt 1", "due_on": "2026-12-01", "days": 7,
                "agreement_id": number}, email=f"buyer{number % 500}@bench.vn")
    started = time.perf_counter()
    result = await dispatcher.dispatch_all("bench")
    return {"seconds": time.perf_counter() - started, "result": str(result)}


async def run(args) -> dict:
    port, received_file = harness.free_port(), WORKDIR / "received.txt"
    server = multiprocessing.Process(target=serve_smtp, args=(port, str(received_file)), daemon=True)
    async with harness.fresh_database():
        server.start()
        await asyncio.sleep(1.5)
        try:
            started = time.perf_counter()
            await seed(args, random.Random(5))
            seed_s = time.perf_counter() - started
            rules = await measure_rules()
            dispatch = await measure_dispatch(args.notifications, port)
            await asyncio.sleep(1)  # the server writes the last ids
        finally:
            server.terminate()
    ids = received_file.read_text().split() if received_file.exists() else []
    return {"seed_s": seed_s, "rules": rules, "dispatch": dispatch, "received": len(ids), "distinct": len(set(ids))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--agreements", type=int, default=5000)
    parser.add_argument("--points", type=int, default=200)
    args = parser.parse_args()
    engine = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
    figures = asyncio.run(run(args))
    duplicates = figures["received"] - figures["distinct"]
    losses = args.notifications - figures["distinct"]
    rules = figures["rules"]
    print(f"engine: {engine}, work folder {WORKDIR} (data seeded in {figures['seed_s']:.0f} s)")
    print(f"{'dispatch ' + format(args.notifications, ',') + ' notifications':<40}{figures['dispatch']['seconds']:>8.1f} s   "
          f"({figures['dispatch']['result']}; {duplicates} duplicates, {losses} lost; target ≤ 60 s, 0, 0)")
    print(f"{'all rules, first run':<40}{rules['first_s']:>8.2f} s   ({rules['written']:,} notifications written; "
          f"{args.products:,} products, {args.agreements:,} agreements, {args.points} points; target ≤ 5 s)")
    print(f"{'all rules, run again':<40}{rules['second_s']:>8.2f} s   ({rules['rewritten']} written: each once)")
    print("  per rule: " + ", ".join(f"{k} {v}" for k, v in rules["per_rule"].items()))
    print(json.dumps({"engine": engine, "dispatch_s": round(figures["dispatch"]["seconds"], 1),
                      "dispatch_per_s": round(args.notifications / figures["dispatch"]["seconds"]),
                      "duplicates": duplicates, "losses": losses, "rules_first_s": round(rules["first_s"], 2),
                      "rules_again_s": round(rules["second_s"], 2), "rules_written": rules["written"]}))


if __name__ == "__main__":
    main()
