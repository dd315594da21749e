"""Stock as of a past moment gives the same answer with snapshots as from the whole ledger,
including movements recorded later with an earlier date."""

from __future__ import annotations

import datetime as dt
import random

from tests.conftest import run
from tests.salespoints.conftest import move


def _brute_force(point: int, moment: dt.datetime) -> dict:
    from salespoints.tables import StockMovement

    rows = run(StockMovement.select(StockMovement.product, StockMovement.lot_code, StockMovement.quantity).where(
        (StockMovement.point == point) & (StockMovement.happened_at <= moment)))
    totals: dict = {}
    for r in rows:
        totals[(r["product"], r["lot_code"])] = totals.get((r["product"], r["lot_code"]), 0) + r["quantity"]
    return {k: v for k, v in totals.items() if v}


def _as_of(point: int, moment: dt.datetime) -> dict:
    from salespoints.services import stock_as_of

    return {(r["product_id"], r["lot_code"]): r["quantity"] for r in run(stock_as_of(point, moment))}


def test_snapshots_agree_with_the_ledger_even_for_backdated_movements(shop):
    from salespoints.services import take_snapshot

    point, products, manager = shop["point"], shop["products"], shop["manager"]
    rng = random.Random(5)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    def at(day: int) -> str:
        return (start + dt.timedelta(days=day, hours=rng.randint(0, 20))).isoformat()
    for day in range(0, 120, 3):
        assert move(manager, point, rng.choice(products), "receipt", rng.randint(1, 9), happened_at=at(day)).status_code == 201
    for month in (2, 3, 4):
        run(take_snapshot(point, dt.datetime(2025, month, 1, tzinfo=dt.UTC)))
    for day in (20, 45, 70):  # recorded now, dated before the snapshots
        assert move(manager, point, products[0], "receipt", 5, lot_code="LATE", happened_at=at(day)).status_code == 201
    for day in (10, 31, 32, 59, 60, 61, 90, 100, 119, 200):
        moment = start + dt.timedelta(days=day, hours=12)
        assert _as_of(point, moment) == _brute_force(point, moment), day
