"""Random sequences of receipts, sales, transfers, write-offs and adjustments, checked after every step:
balances equal the ledger sums, are never negative, and match a simple model."""

from __future__ import annotations

import asyncio
import threading

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.conftest import unique

LOTS = ["", "L1"]


@pytest.fixture(scope="module")
def loop():
    """One event loop in a thread for the whole machine (Playwright may own the main thread's loop)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def test_balances_always_equal_the_ledger_and_never_go_negative(database, loop):
    from catalog import services as catalog
    from catalog.schemas import ProducerIn, ProductIn
    from core.audit import SYSTEM
    from core.errors import DomainError
    from salespoints import services
    from salespoints.schemas import AssortmentIn, MovementIn, SalesPointIn, TransferIn
    from salespoints.tables import StockBalance

    def call(awaitable):
        async def wait():
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wait(), loop).result(timeout=60)

    producer = call(catalog.create_producer(ProducerIn(name=unique("HTX "), kind="cooperative", province_code="hue"), SYSTEM))
    products = [
        call(catalog.create_product(ProductIn(producer_id=producer, name=unique("SP "), group_code="food", stars=4, score=75,
                                              certificate_number=unique("GCN-"), certified_on=catalog.today()), SYSTEM))
        for _ in range(2)
    ]

    class Ledger(RuleBasedStateMachine):
        @initialize()
        def open_points(self):
            self.points = [call(services.create_point(SalesPointIn(name=unique("Điểm "), province_code="hue"), SYSTEM))
                           for _ in range(2)]
            for point in self.points:
                for product in products:
                    call(services.set_assortment(point, product, AssortmentIn(selling_price=1000), SYSTEM))
            self.model: dict[tuple, int] = {}

        def _record(self, point, product, kind, quantity, lot, sign):
            key = (point, product, lot)
            try:
                call(services.record_movement(point, MovementIn(product_id=product, kind=kind, quantity=quantity, lot_code=lot), SYSTEM))
            except DomainError:
                assert self.model.get(key, 0) + sign * quantity < 0  # refused only when it would go negative
                return
            self.model[key] = self.model.get(key, 0) + sign * quantity

        @rule(point=st.integers(0, 1), product=st.integers(0, 1), lot=st.sampled_from(LOTS), quantity=st.integers(1, 20))
        def receive(self, point, product, lot, quantity):
            self._record(self.points[point], products[product], "receipt", quantity, lot, 1)

        @rule(point=st.integers(0, 1), product=st.integers(0, 1), lot=st.sampled_from(LOTS), quantity=st.integers(1, 25))
        def sell(self, point, product, lot, quantity):
            self._record(self.points[point], products[product], "sale", quantity, lot, -1)

        @rule(point=st.integers(0, 1), product=st.integers(0, 1), lot=st.sampled_from(LOTS), quantity=st.integers(1, 5))
        def write_off(self, point, product, lot, quantity):
            self._record(self.points[point], products[product], "write_off", quantity, lot, -1)

        @rule(point=st.integers(0, 1), product=st.integers(0, 1), lot=st.sampled_from(LOTS), quantity=st.integers(-5, 5).filter(bool))
        def adjust(self, point, product, lot, quantity):
            self._record(self.points[point], products[product], "adjustment", quantity, lot, 1)

        @rule(source=st.integers(0, 1), product=st.integers(0, 1), lot=st.sampled_from(LOTS), quantity=st.integers(1, 15))
        def transfer(self, source, product, lot, quantity):
            origin, destination = self.points[source], self.points[1 - source]
            try:
                call(services.transfer(origin, TransferIn(to_point_id=destination, product_id=products[product],
                                                          quantity=quantity, lot_code=lot), SYSTEM))
            except DomainError:
                assert self.model.get((origin, products[product], lot), 0) < quantity
                return
            self.model[(origin, products[product], lot)] = self.model.get((origin, products[product], lot), 0) - quantity
            self.model[(destination, products[product], lot)] = self.model.get((destination, products[product], lot), 0) + quantity

        @invariant()
        def balances_match_the_ledger_and_the_model(self):
            if not hasattr(self, "points"):
                return
            assert call(services.ledger_differences()) == []
            rows = call(StockBalance.select().where(StockBalance.point.is_in(self.points)))
            assert all(r["quantity"] >= 0 for r in rows)
            stored = {(r["point"], r["product"], r["lot_code"]): r["quantity"] for r in rows}
            assert {k: v for k, v in stored.items() if v} == {k: v for k, v in self.model.items() if v}

    Ledger.TestCase.settings = settings(max_examples=12, stateful_step_count=15, deadline=None,
                                        suppress_health_check=list(HealthCheck))
    Ledger.TestCase().runTest()
