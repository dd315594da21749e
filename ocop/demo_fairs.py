"""Demo fairs: one in each state of the workflow, built through the fairs services like an organizer would.

The running one is modelled on Hanoi's OCOP trade weeks in Thống Nhất park: about a hundred
booths in food, drinks-and-herbs and handicraft zones plus a row of outdoor tents, exhibitors from
many provinces, check-ins, visitors and booth sales for the days so far. Last year's edition of
the same series is closed with its full figures, so the two can be compared.
"""

from __future__ import annotations

import datetime as dt
import random

import msgspec

from catalog.tables import Product
from core.audit import SYSTEM
from core.errors import DomainError
from fairs import services
from fairs.enums import FairStatus
from fairs.schemas import ApplicationIn, FairIn, GridIn, ZoneIn
from fairs.tables import Application, BoothSale, VisitorCount

# (code, name, theme, groups or province, rows, columns, booth kind, amenities)
_PARK_ZONES = [
    ("A", "Khu thực phẩm", "group", "food", 4, 12, "standard", ["power"]),
    ("B", "Khu đồ uống và dược liệu", "group", "beverages,herbal", 2, 10, "standard", ["power"]),
    ("C", "Khu thủ công mỹ nghệ", "group", "handicrafts,ornamental", 2, 10, "standard", []),
    ("D", "Lều ngoài trời", "outdoor", "", 1, 12, "tent", []),
]
_SMALL_ZONES = [
    ("A", "Khu thực phẩm – đồ uống", "group", "food,beverages", 2, 10, "standard", ["power"]),
    ("B", "Khu tổng hợp", "general", "", 2, 8, "standard", []),
]


async def _build(rng: random.Random, data: FairIn, zones: list[tuple]) -> int:
    fair_id = await services.create_fair(data, SYSTEM)
    x = 0.0
    for code, name, theme, value, rows, columns, kind, amenities in zones:
        zone_id = await services.add_zone(fair_id, msgspec.convert({'code': code, 'name': name, 'theme': theme, 'theme_value': value}, ZoneIn), SYSTEM)
        await services.generate_booths(fair_id, msgspec.convert({'zone_id': zone_id, 'rows': rows, 'columns': columns, 'x': x, 'kind': kind, 'amenities': amenities,
                                                        'price': 1_500_000 if kind != 'tent' else 800_000}, GridIn),
                                       SYSTEM)
        x += columns * 3.0 + 6.0
    return fair_id


async def _apply(rng: random.Random, fair_id: int, by_producer: dict[int, list[dict]], count: int) -> list[int]:
    zones = await services.zones(fair_id)
    start = (await services.get_fair(fair_id)).starts_on
    certified = {p: [x for x in rows if x["certified_on"] and x["certified_on"] <= start] for p, rows in by_producer.items()}
    applied = []
    for producer_id in rng.sample(sorted(p for p, rows in certified.items() if rows), k=count):
        products = certified[producer_id][:3]
        fitting = [z.id for z in zones if not z.theme_value or z.theme.value != "group"
                   or products[0]["group_code"] in z.theme_value.split(",")]
        wanted = rng.choices([1, 2, 3], weights=[0.75, 0.2, 0.05])[0]
        tent = rng.random() < 0.1
        data = msgspec.convert({
            "producer_id": producer_id, "product_ids": [p["id"] for p in products], "booths_wanted": 1 if tent else wanted,
            "booth_kind": "tent" if tent else "standard",
            "amenities": ["power"] if products[0]["group_code"] == "food" and rng.random() < 0.5 else [],
            "zone_preferences": rng.sample(fitting, k=min(len(fitting), rng.choice([0, 1, 2])))}, ApplicationIn)
        try:
            applied.append(await services.apply(fair_id, data, SYSTEM))
        except DomainError:  # a demo producer whose products don't fit this fair's plan: skip it
            continue
    return applied


async def _days_of_trade(rng: random.Random, fair_id: int, first: dt.date, last: dt.date) -> None:
    """Check-ins, visitors per day and each exhibitor's sales, the busiest days at the weekend."""
    placed = await Application.select(Application.id).where(Application.fair == fair_id,
                                                           Application.status.is_in(["allocated", "confirmed"]))
    for application in placed:
        if rng.random() < 0.95:
            await services.check_in(application["id"], SYSTEM)
    visitors, sales = [], []
    day = first
    while day <= last:
        weekend = 1.6 if day.weekday() >= 5 else 1.0
        visitors.append(VisitorCount(fair=fair_id, day=day, visitors=int(rng.gauss(9000, 1500) * weekend)))
        for application in placed:
            if rng.random() < 0.85:
                transactions = max(1, int(rng.gauss(40, 15) * weekend))
                sales.append(BoothSale(fair=fair_id, application=application["id"], day=day, transactions=transactions,
                                       revenue=transactions * rng.choice([85_000, 120_000, 150_000, 210_000])))
        day += dt.timedelta(days=1)
    await VisitorCount.insert(*visitors)
    if sales:
        await BoothSale.insert(*sales)


async def seed_fairs(rng: random.Random, on: dt.date) -> dict[str, int]:
    """Six fairs, draft to closed; returns how many of each thing were made."""
    rows = await Product.select(Product.id, Product.producer, Product.group_code, Product.stars, Product.certified_on).where(
        (Product.stars >= 3) & (Product.expires_on > on + dt.timedelta(days=60)) & Product.withdrawn_on.is_null())
    by_producer: dict[int, list[dict]] = {}
    for row in rows:
        by_producer.setdefault(row["producer"], []).append(row)
    series = "Tuần hàng OCOP Hà Nội"

    async def trade_week(name: str, start: dt.date, edition: int) -> int:
        fair = msgspec.convert({
            "name": name, "kind": "trade_week", "series": series, "edition": edition, "venue": "Công viên Thống Nhất",
            "address": "Đường Trần Nhân Tông, Hai Bà Trưng", "province_code": "ha-noi", "starts_on": start,
            "ends_on": start + dt.timedelta(days=4), "setup_on": start - dt.timedelta(days=1),
            "applications_open_on": start - dt.timedelta(days=60), "applications_close_on": start - dt.timedelta(days=14),
            "min_stars": 3, "fee_policy": "free", "organizers": "Văn phòng Điều phối nông thôn mới Hà Nội\nSở Công Thương Hà Nội",
            "support_policy": "Miễn phí gian hàng cho chủ thể OCOP 3 sao trở lên; hỗ trợ điện, nước.",
            "featured_provinces": "lai-chau,dien-bien"}, FairIn)
        return await _build(rng, fair, _PARK_ZONES)

    async def advance(fair_id: int, *states: FairStatus) -> None:
        for state in states:
            if state is FairStatus.published:
                await services.run_allocation(fair_id, SYSTEM)
            await services.change_status(fair_id, state, SYSTEM)

    # Last year's edition: over, with its figures.
    last_year = on - dt.timedelta(days=365)
    closed = await trade_week(f"{series} {last_year.year}", last_year - dt.timedelta(days=2), last_year.year)
    await advance(closed, FairStatus.open)
    await _apply(rng, closed, by_producer, 110)
    await advance(closed, FairStatus.allocating, FairStatus.published, FairStatus.running)
    await _days_of_trade(rng, closed, last_year - dt.timedelta(days=2), last_year + dt.timedelta(days=2))
    await advance(closed, FairStatus.closed)

    # This year's edition: running now, day three of five.
    running = await trade_week(f"{series} {on.year}", on - dt.timedelta(days=2), on.year)
    await advance(running, FairStatus.open)
    await _apply(rng, running, by_producer, 130)
    await advance(running, FairStatus.allocating, FairStatus.published, FairStatus.running)
    await _days_of_trade(rng, running, on - dt.timedelta(days=2), on)

    async def regional(name: str, kind: str, venue: str, province: str, start: dt.date) -> int:
        return await _build(rng, msgspec.convert({
            "name": name, "kind": kind, "venue": venue, "province_code": province, "starts_on": start, "ends_on": start + dt.timedelta(days=3),
            "applications_open_on": on - dt.timedelta(days=10), "applications_close_on": start - dt.timedelta(days=7),
            "min_stars": 3, "fee_policy": "fixed", "fixed_fee": 2_000_000, "organizers": "Sở Công Thương"}, FairIn), _SMALL_ZONES)

    published = await regional("Hội chợ OCOP Quảng Ninh", "trade_fair", "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
                               "quang-ninh", on + dt.timedelta(days=14))
    await advance(published, FairStatus.open)
    await _apply(rng, published, by_producer, 45)
    await advance(published, FairStatus.allocating, FairStatus.published)

    allocating = await regional("Hội chợ triển lãm OCOP khu vực miền Trung", "trade_fair", "Công viên APEC, Đà Nẵng",
                                "da-nang", on + dt.timedelta(days=35))
    await advance(allocating, FairStatus.open)
    await _apply(rng, allocating, by_producer, 50)
    await advance(allocating, FairStatus.allocating)
    await services.run_allocation(allocating, SYSTEM)

    opened = await regional("Hội nghị kết nối giao thương sản phẩm OCOP 2026", "connection_conference",
                            "Trung tâm Hội nghị Quốc gia", "ha-noi", on + dt.timedelta(days=50))
    await advance(opened, FairStatus.open)
    await _apply(rng, opened, by_producer, 12)

    await regional("Tuần hàng OCOP Cần Thơ", "trade_week", "Bến Ninh Kiều", "can-tho", on + dt.timedelta(days=90))

    # Four months ago: a connection conference, its exhibition over; its agreements are followed up now.
    start = on - dt.timedelta(days=120)
    conference = await _build(rng, msgspec.convert({
        "name": "Hội nghị kết nối cung cầu sản phẩm OCOP các tỉnh phía Bắc", "kind": "connection_conference",
        "series": "Kết nối cung cầu OCOP", "venue": "Trung tâm Hội nghị Quốc gia", "province_code": "ha-noi",
        "starts_on": start, "ends_on": start + dt.timedelta(days=1), "min_stars": 3,
        "organizers": "Văn phòng Điều phối nông thôn mới Trung ương\nSở Công Thương Hà Nội"}, FairIn), _SMALL_ZONES)
    await advance(conference, FairStatus.open)
    await _apply(rng, conference, by_producer, 30)
    await advance(conference, FairStatus.allocating, FairStatus.published, FairStatus.running)
    await _days_of_trade(rng, conference, start, start + dt.timedelta(days=1))
    await advance(conference, FairStatus.closed)
    return {"fairs": 7, "applications": await Application.count(), "conference": conference}
