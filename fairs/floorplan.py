"""Floor-plan geometry: booth grids for a zone, and the checks an imported or edited plan must pass.

Pure. Positions and sizes are metres on the venue's grid, x to the right and y downwards, the
origin at the top-left corner of the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BoothSpec:
    code: str
    x: float
    y: float
    width: float
    depth: float
    kind: str = "standard"
    amenities: frozenset[str] = frozenset()
    price: int = 0


def grid(prefix: str, rows: int, columns: int, *, x: float = 0.0, y: float = 0.0, width: float = 3.0,
         depth: float = 3.0, aisle: float = 3.0, back_to_back: bool = True, kind: str = "standard",
         mark_corners: bool = True, amenities: frozenset[str] = frozenset(), price: int = 0,
         first_number: int = 1) -> list[BoothSpec]:
    """Rows × columns booths, numbered row by row (A01, A02, …).

    Rows stand back to back in pairs with an aisle between pairs (or an aisle after every row),
    and the booths at both ends of a row are corners: open on two sides.
    """
    booths = []
    number = first_number
    for row in range(rows):
        top = y + row // 2 * (2 * depth + aisle) + row % 2 * depth if back_to_back else y + row * (depth + aisle)
        for column in range(columns):
            corner = mark_corners and kind == "standard" and columns > 1 and column in (0, columns - 1)
            booths.append(BoothSpec(f"{prefix}{number:02d}", round(x + column * width, 3), round(top, 3), width, depth,
                                    "corner" if corner else kind, amenities, price))
            number += 1
    return booths


def extent(booths: Sequence[BoothSpec]) -> tuple[float, float]:
    """Width and depth of the smallest rectangle from the origin that holds every booth."""
    return (max((b.x + b.width for b in booths), default=0.0), max((b.y + b.depth for b in booths), default=0.0))


def overlapping(booths: Sequence[BoothSpec]) -> list[tuple[str, str]]:
    """Pairs of booth codes whose rectangles overlap (touching edges are fine)."""
    ordered = sorted(booths, key=lambda b: b.x)
    found = []
    active: list[BoothSpec] = []
    for booth in ordered:
        active = [a for a in active if a.x + a.width > booth.x + 1e-6]
        for other in active:
            if other.y < booth.y + booth.depth - 1e-6 and booth.y < other.y + other.depth - 1e-6:
                found.append((other.code, booth.code))
        active.append(booth)
    return found


def duplicated_codes(booths: Sequence[BoothSpec]) -> list[str]:
    seen, twice = set(), []
    for booth in booths:
        key = booth.code.strip().upper()
        if key in seen and key not in twice:
            twice.append(key)
        seen.add(key)
    return twice
