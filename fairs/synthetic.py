"""Seeded synthetic fairs for the allocation benchmark and tests: zones, booths and requests.

Modelled on OCOP events: most booths standard 3 m × 3 m in back-to-back rows, corners at row
ends, a few premium and refrigerated booths, food the largest zone, a province pavilion, an
outdoor row of tents; most applicants want one booth, some two, a few three or four.
"""

from __future__ import annotations

import random

from fairs.allocation import Booth, Request, Zone
from fairs.floorplan import grid

# The six groups of the 2023 rules with as many subgroups as the rules give each
# (catalog/data/ocop_rules.json): food, beverages, herbal, handicrafts, ornamental, tourism.
GROUPS = {"1": ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"], "2": ["2.1", "2.2"], "3": ["3.1", "3.2", "3.3"],
          "4": ["4.1", "4.2"], "5": ["5.1", "5.2"], "6": ["6.1"]}
PROVINCES = ["HNI", "HPG", "QNH", "NAN", "HUE", "DNG", "LDG", "HCM", "CTO", "AGG", "LCI", "SLA"]

# (name, share of booths, groups, province pavilion, invited only, booth kind)
_ZONES = [
    ("Thực phẩm", 0.40, {"1"}, None, False, "standard"),
    ("Đồ uống – Thảo dược", 0.20, {"2", "3"}, None, False, "standard"),
    ("Thủ công mỹ nghệ", 0.20, {"4", "5"}, None, False, "standard"),
    ("Gian tỉnh bạn", 0.10, set(), "HPG", False, "standard"),
    ("Ngoài trời", 0.10, set(), None, False, "tent"),
]


def synthetic_fair(booth_count: int, request_count: int, seed: int = 1, multi_group: bool = False):
    """(zones, booths, requests) of about `booth_count` booths, repeated zones for large fairs.
    With `multi_group`, every producer also brings products of one or two other groups, as real
    producers do (a honey cooperative with herbal soap), and is placed by its main group."""
    rng = random.Random(seed)
    copies = max(1, round(booth_count / 120))
    zones: list[Zone] = []
    booths: list[Booth] = []
    x = 0.0
    for copy in range(copies):
        for name, share, groups, province, invited, kind in _ZONES:
            zone_id = len(zones) + 1
            zones.append(Zone(zone_id, f"{name} {copy + 1}" if copies > 1 else name, frozenset(groups), province, invited))
            count = max(2, round(booth_count * share / copies))
            columns = min(12, count)
            rows = -(-count // columns)
            specs = grid(f"Z{zone_id}-", rows, columns, x=x, y=0.0, kind=kind)[:count]
            # Amenities come by row, as power and water lines run along rows; food zones have a refrigerated row.
            row_amenities = {}
            for row, top in enumerate(sorted({spec.y for spec in specs})):
                amenities = {"power"} if rng.random() < 0.8 else set()
                if groups == {"1"} and row == 0:
                    amenities |= {"refrigeration", "water"}
                row_amenities[top] = frozenset(amenities)
            premium_row = rng.choice(sorted(row_amenities)) if kind == "standard" and rows > 2 else None
            for spec in specs:
                booth_amenities = row_amenities[spec.y]
                kind_here = "premium" if spec.y == premium_row and spec.kind == "standard" and spec.x - x < 12 else spec.kind
                booths.append(Booth(len(booths) + 1, spec.code, zone_id, spec.x, spec.y, spec.width, spec.depth,
                                    kind_here, booth_amenities, blocked=rng.random() < 0.01))
            x += columns * 3.0 + 6.0
    requests = []
    group_weights = {"1": 0.45, "2": 0.12, "3": 0.1, "4": 0.18, "5": 0.1, "6": 0.05}
    for index in range(request_count):
        group = rng.choices(list(group_weights), weights=list(group_weights.values()))[0]
        subgroup = rng.choice(GROUPS[group])
        province = rng.choice(PROVINCES)
        wanted = rng.choices([1, 2, 3, 4], weights=[0.7, 0.2, 0.07, 0.03])[0]
        kind = rng.choices(["standard", "corner", "premium", "tent"], weights=[0.75, 0.1, 0.05, 0.1])[0]
        if kind == "corner":
            wanted = 1
        amenities = set()
        if rng.random() < 0.5:
            amenities.add("power")
        if group == "1" and rng.random() < 0.1:
            amenities.add("refrigeration")
        shown = frozenset({group, *rng.sample([g for g in GROUPS if g != group], k=rng.choice([1, 2]))}) \
            if multi_group else frozenset()
        fitting = [z.id for z in zones if (not z.groups or group in z.groups) and (not z.province or z.province == province)]
        preferred = tuple(rng.sample(fitting, k=min(len(fitting), rng.choice([0, 1, 2, 3]))))
        requests.append(Request(index + 1, wanted, kind, group, subgroup, province, rng.choice([3, 3, 3, 4, 4, 5]),
                                order=index, amenities=frozenset(amenities), zones=preferred,
                                newcomer=rng.random() < 0.3, groups=shown))
    return zones, booths, requests
