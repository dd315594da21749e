"""Quantities as traded: "2,5 tấn" is 2.5 of the line's unit. Stored as whole thousandths (BIGINT),
so sums and comparisons are exact on both engines (SQLite passes NUMERIC through float); read and
written as decimal numbers at the edges. Pure."""

from __future__ import annotations

SCALE = 1000  # thousandths: three decimals, enough for grams of a kilogram or millilitres of a litre
MAX_QUANTITY = 10**12  # units: far past any real order, and exact in a float once scaled


def stored(quantity: float) -> int:
    """The thousandths kept for a quantity (2.5 -> 2500); ValueError past three decimals."""
    scaled = round(quantity * SCALE)
    if abs(quantity * SCALE - scaled) > 1e-6 * max(1.0, abs(quantity)):
        raise ValueError(quantity)
    return scaled


def shown(thousandths: int) -> float:
    """The quantity a stored value stands for (2500 -> 2.5)."""
    return thousandths / SCALE


def value_of(thousandths: int, unit_price: int) -> int:
    """The đồng a quantity is worth at a unit price, rounded half up to the đồng."""
    return (thousandths * unit_price + SCALE // 2) // SCALE
