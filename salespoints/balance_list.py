"""A point's on-hand stock as a list: its balances with each product's name and the point's terms
for it (reorder threshold, selling price).

On SQLite, turning 5,000 joined rows into Python objects costs twice what the join itself does,
and most of it goes to the names and terms, which change seldom, while balances change at every
sale. So each process keeps a point's terms between reads, stamped with `reference_stamp`, to
which triggers give a new random value on any change of a product's name or an assortment row
(migration 2026-11-23T23:00). A read takes the stamp in the same statement as the balances and
uses the kept terms only when the stamps agree and they know every product read; otherwise it
reads the join and keeps what it found. PostgreSQL reads the join every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from operator import attrgetter

from core.database import fetch_tuples, is_sqlite
from salespoints.schemas import BalanceOut
from salespoints.tables import StockBalance

Terms = tuple[str, int, int]  # product name, reorder threshold, selling price

_STAMP = "SELECT stamp + 0 FROM reference_stamp WHERE name = 'point_terms'"
# Columns as expressions (`+ 0`, `|| ''`): plain values, without SQLite's per-cell converters.
_JOINED = (
    "SELECT b.product + 0, b.lot_code || '', b.lot_expiry || '', b.quantity + 0, b.owner + 0, "
    "p.name || '', a.reorder_threshold + 0, a.selling_price + 0 "
    "FROM stock_balance b JOIN product p ON p.id = b.product "
    "LEFT JOIN assortment_item a ON a.point = b.point AND a.product = b.product "
    "WHERE b.point = {} AND b.quantity <> 0"
)
_ON_HAND = (
    "SELECT product + 0, lot_code || '', lot_expiry || '', quantity + 0, owner + 0 FROM stock_balance "
    "WHERE point = {} AND quantity <> 0"
)
_KEPT_POINTS = 1_000
_ORDER = attrgetter("product_name", "product_id", "lot_code")

# point id → (stamp, product id → terms), in this process
_kept: dict[int, tuple[int, dict[int, Terms]]] = {}


async def balances(point_id: int) -> list[BalanceOut]:
    """On-hand stock of a point per product and lot, by product name, flagged low when the
    product's total is at or under its reorder threshold."""
    db = StockBalance._meta.db
    if not is_sqlite(db):
        rows = await fetch_tuples(db, _JOINED, point_id)
        return _listed(rows, _terms_of(rows))
    # The stamp is read before the balances: terms changed in between are then read again next time.
    stamp = (await fetch_tuples(db, _STAMP))[0][0]
    kept = _kept.get(point_id)
    if kept is not None and kept[0] == stamp:
        rows = await fetch_tuples(db, _ON_HAND, point_id)
        terms = kept[1]
        if all(row[0] in terms for row in rows):
            return _listed(rows, terms)
    rows = await fetch_tuples(db, _JOINED, point_id)
    terms = _terms_of(rows)
    if len(_kept) >= _KEPT_POINTS:
        _kept.clear()
    _kept[point_id] = (stamp, terms)
    return _listed(rows, terms)


def _terms_of(rows: Iterable[Sequence]) -> dict[int, Terms]:
    return {row[0]: (row[5], row[6] or 0, row[7] or 0) for row in rows}


def _listed(rows: Sequence[Sequence], terms: dict[int, Terms]) -> list[BalanceOut]:
    """Rows start with product, lot code, lot expiry (ISO text or None), quantity, owner."""
    totals: dict[int, int] = {}
    for row in rows:
        totals[row[0]] = totals.get(row[0], 0) + row[3]
    date = dt.date.fromisoformat
    listed = []
    for row in rows:
        product, lot, expiry, quantity, owner = row[0], row[1], row[2], row[3], row[4]
        name, threshold, price = terms[product]
        listed.append(BalanceOut(product_id=product, product_name=name, lot_code=lot, quantity=quantity,
                                 lot_expiry=date(expiry) if expiry else None, reorder_threshold=threshold,
                                 selling_price=price, low=totals[product] <= threshold, owner=owner))
    listed.sort(key=_ORDER)  # by name, then product and lot
    return listed
