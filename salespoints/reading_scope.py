"""What a reader may see of a sales point's stock and trade. Everyone logged in reads every point, but a
producer's user sees the lines of its own producers' products only: another producer's stock, sales
and prices at the same point are that producer's business."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from accounts.enums import Role
from catalog.tables import Product
from core.audit import Actor

Row = TypeVar("Row")


async def product_scope(actor: Actor | None) -> frozenset[int] | None:
    """The products whose lines `actor` may read at sales points; None for all of them."""
    if actor is None or actor.role is not Role.producer:
        return None
    if not actor.producer_ids:
        return frozenset()
    rows = await Product.select(Product.id).where(Product.producer.is_in(sorted(actor.producer_ids)))
    return frozenset(r["id"] for r in rows)


def _product_of(row) -> int | None:
    if isinstance(row, dict):
        return row.get("product_id", row.get("product"))
    return getattr(row, "product_id", None)


def within(rows: Iterable[Row], scope: frozenset[int] | None) -> list[Row]:
    """The rows (with a product_id) that the scope lets through."""
    rows = list(rows)
    return rows if scope is None else [row for row in rows if _product_of(row) in scope]
