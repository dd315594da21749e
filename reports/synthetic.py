"""Seeded fairs with their whole outcome, written straight to the tables the way the services leave
them, for the report tests and the benchmark: producers and products, a floor plan, exhibitors on
booths, visitors and booth sales per day, and agreements with lines, milestones and deliveries.

A trade week is ~120 booths and 150 agreements; a national fair ~1,000 booths and 2,000 agreements.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from agreements.quantities import SCALE
from agreements.tables import Agreement, AgreementLine, AgreementProducer, Delivery, Milestone
from catalog import reference
from catalog.tables import Buyer, Producer, Product
from fairs.tables import Application, ApplicationProduct, Booth, BoothAssignment, BoothSale, Fair, VisitorCount, Zone

KINDS = [("cooperative", 0.40), ("enterprise", 0.30), ("household", 0.22), ("cooperative_group", 0.08)]
BUYER_KINDS = ["supermarket_chain", "distributor", "ecommerce", "exporter", "hotel_restaurant"]


@dataclass(frozen=True)
class Parties:
    producers: list[dict]  # id, province_code
    products: dict[int, list[dict]]  # producer id → its products (id, name, group_code, stars, reference_price)
    buyers: list[int]


def _names() -> dict:
    return json.loads((reference.DATA_DIR / "demo_names.json").read_text(encoding="utf-8"))


async def _insert(table, rows: list, size: int = 500) -> list[dict]:
    out: list[dict] = []
    async with table._meta.db.transaction():
        for start in range(0, len(rows), size):
            out += await table.insert(*rows[start:start + size])
    return out


async def seed_parties(rng: random.Random, producers: int, buyers: int = 40, tag: str = "") -> Parties:
    """Producers from every province with two or three certified products each, and buyers of every kind."""
    names = _names()
    provinces = list(reference.provinces())
    subgroups = list(reference.subgroups().values())
    producer_rows = []
    for index in range(producers):
        kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        pattern = rng.choice(names["producer_name_patterns"][kind])
        person = f"{rng.choice(names['family_names'])} {rng.choice(names['middle_names'])} {rng.choice(names['given_names'])}"
        name = pattern.format(x=rng.choice(names["producer_name_words"]), person=person)
        producer_rows.append(Producer(name=f"{name} {tag}{index + 1}".strip(), kind=kind, province_code=rng.choice(provinces)))
    made = await _insert(Producer, producer_rows)
    people = [{"id": r["id"], "province_code": p.province_code} for r, p in zip(made, producer_rows, strict=True)]
    product_rows, owners = [], []
    for producer in people:
        for _ in range(rng.choice([2, 2, 3])):
            subgroup = rng.choice(subgroups)
            low, high = names["price_ranges"][subgroup.code]
            stars = rng.choices([3, 4, 5], weights=[0.55, 0.40, 0.05])[0]
            product_rows.append(Product(
                producer=producer["id"], name=rng.choice(names["products"][subgroup.code]), group_code=subgroup.group_code,
                subgroup_code=subgroup.code, stars=stars, score={3: 60, 4: 78, 5: 92}[stars],
                certified_on=dt.date(2025, 3, 1), expires_on=dt.date(2028, 3, 1),
                code=f"S{tag}{rng.getrandbits(48):x}", unit=names["units"][subgroup.code],
                reference_price=rng.randrange(low, high, 1000), province_code=producer["province_code"]))
            owners.append(producer["id"])
    products: dict[int, list[dict]] = {}
    for row, product in zip(await _insert(Product, product_rows), product_rows, strict=True):
        products.setdefault(product.producer, []).append(
            {"id": row["id"], "name": product.name, "group_code": product.group_code, "stars": product.stars,
             "reference_price": product.reference_price})
    buyer_rows = [Buyer(name=f"{b['name']} {tag}{i + 1}".strip() if i >= len(names["buyers"]) else b["name"],
                        kind=b["kind"] if b["kind"] in BUYER_KINDS else rng.choice(BUYER_KINDS))
                  for i, b in enumerate((names["buyers"] * (buyers // len(names["buyers"]) + 1))[:buyers])]
    return Parties(people, products, [r["id"] for r in await _insert(Buyer, buyer_rows)])


async def seed_fair(rng: random.Random, parties: Parties, *, name: str, booths: int, agreements: int,
                    starts_on: dt.date, days: int = 5, series: str = "", edition: int | None = None,
                    status: str = "closed", occupancy: float = 0.9, kind: str = "trade_week", on: dt.date | None = None,
                    sales: bool = True) -> int:
    """A fair of `booths` booths in zones of 40, most of them held (one to three per exhibitor),
    visitors and sales for each of its days, and `agreements` agreements signed on its first day."""
    on = on or dt.date.today()
    ends_on = starts_on + dt.timedelta(days=days - 1)
    fair = (await Fair.insert(Fair(
        name=name, kind=kind, series=series, edition=edition, venue="Trung tâm Triển lãm Giảng Võ", address="148 Giảng Võ",
        province_code="ha-noi", starts_on=starts_on, ends_on=ends_on, status=status,
        organizers="Văn phòng Điều phối nông thôn mới Trung ương\nSở Công Thương Hà Nội")))[0]["id"]
    groups = list(reference.groups())
    zone_rows = [Zone(fair=fair, code=chr(65 + i % 26) + ("" if i < 26 else str(i // 26)), name=f"Khu {i + 1}",
                      theme="group", theme_value=groups[i % len(groups)]) for i in range((booths + 39) // 40)]
    zones = await _insert(Zone, zone_rows)
    booth_rows = []
    for number in range(booths):
        zone, code = zones[number // 40], zone_rows[number // 40].code
        booth_rows.append(Booth(fair=fair, zone=zone["id"], code=f"{code}{number % 40 + 1:02d}", x=3.0 * (number % 40),
                                y=12.0 * (number // 40), price=1_500_000, blocked=rng.random() < 0.01))
    booth_ids = [r["id"] for r in await _insert(Booth, booth_rows)]
    free = [b for b, row in zip(booth_ids, booth_rows, strict=True) if not row.blocked]
    wanted = int(len(free) * occupancy)
    exhibitors = rng.sample(parties.producers, k=min(len(parties.producers), wanted))
    applications, placements = [], []
    cursor = 0
    for producer in exhibitors:
        count = min(rng.choices([1, 2, 3], weights=[0.8, 0.17, 0.03])[0], wanted - cursor)
        if count <= 0:
            break
        applications.append(Application(fair=fair, producer=producer["id"], status="confirmed", booths_wanted=count,
                                        checked_in_at=dt.datetime.combine(starts_on, dt.time(1), tzinfo=dt.UTC)
                                        if rng.random() < 0.95 else None))
        placements.append(free[cursor:cursor + count])
        cursor += count
    rows = await _insert(Application, applications)
    assignments, shown, booth_sales = [], [], []
    for row, application, held in zip(rows, applications, placements, strict=True):
        assignments += [BoothAssignment(fair=fair, booth=b, application=row["id"], state="confirmed") for b in held]
        shown += [ApplicationProduct(application=row["id"], product=p["id"])
                  for p in parties.products[application.producer][:3]]
        for day in range(days):
            if sales and rng.random() < 0.9:
                transactions = max(1, int(rng.gauss(40, 15) * (1.5 if day >= days - 2 else 1.0)))
                booth_sales.append(BoothSale(fair=fair, application=row["id"], day=starts_on + dt.timedelta(days=day),
                                             transactions=transactions,
                                             revenue=transactions * rng.choice([85_000, 120_000, 150_000, 210_000])))
    await _insert(BoothAssignment, assignments)
    await _insert(ApplicationProduct, shown)
    if sales:
        await _insert(BoothSale, booth_sales, size=1000)
        await _insert(VisitorCount, [VisitorCount(fair=fair, day=starts_on + dt.timedelta(days=d),
                                                  visitors=int(rng.gauss(9000, 1500) * max(1, booths / 120)))
                                     for d in range(days)])
    if agreements:
        await seed_agreements(rng, parties, fair, agreements, starts_on, on)
    return fair


async def seed_agreements(rng: random.Random, parties: Parties, fair: int | None, count: int, signed_on: dt.date,
                          on: dt.date) -> None:
    """`count` agreements with one or two lines; a third delivered in part or whole, a few overdue."""
    first = (await Agreement.select(Agreement.id).order_by(Agreement.id, ascending=False).first() or {"id": 0})["id"]
    prefix = f"BB-{fair or 0}-{first + 1}"
    heads, links, lines = [], [], []
    for number in range(count):
        producer = rng.choice(parties.producers)
        chosen = parties.products[producer["id"]][: rng.choice([1, 1, 2])]
        kind = rng.choices(["memorandum", "offtake", "distribution", "consignment"], weights=[0.5, 0.3, 0.15, 0.05])[0]
        terms = [(p, rng.choice([100, 200, 500, 1000]), max(10_000, p["reference_price"] * 8 // 10)) for p in chosen]
        status = rng.choices(["signed", "in_progress", "fulfilled", "cancelled", "draft"], weights=[0.55, 0.3, 0.1, 0.03, 0.02])[0]
        heads.append(Agreement(code=f"{prefix}-{number + 1:04d}", kind=kind, fair=fair, signed_on=signed_on,
                               buyer=rng.choice(parties.buyers), status=status,
                               valid_until=signed_on + dt.timedelta(days=rng.choice([180, 365, 730])),
                               committed_value=sum(q * price for _, q, price in terms)))
        links.append(producer["id"])
        lines.append(terms)
    made = await _insert(Agreement, heads)
    await _insert(AgreementProducer, [AgreementProducer(agreement=a["id"], producer=p) for a, p in zip(made, links, strict=True)])
    line_rows, owners = [], []
    for agreement, producer, terms in zip(made, links, lines, strict=True):
        for product, quantity, price in terms:
            line_rows.append(AgreementLine(agreement=agreement["id"], producer=producer, product=product["id"],
                                           quantity=quantity * SCALE, unit="hộp", unit_price=price, value=quantity * price))
            owners.append(agreement["id"])
    line_ids = [r["id"] for r in await _insert(AgreementLine, line_rows)]
    milestones, deliveries, delivered = [], [], {}
    for index, (agreement, head) in enumerate(zip(made, heads, strict=True)):
        if head.kind != "memorandum":
            milestones.append(Milestone(agreement=agreement["id"], due_on=signed_on + dt.timedelta(days=60),
                                        description="Giao đợt 1", quantity=None,
                                        done_on=signed_on + dt.timedelta(days=50) if index % 3 == 0 else None))
        if index % 3 == 0 and head.status in ("in_progress", "fulfilled", "signed"):
            share = 1.0 if head.status == "fulfilled" else rng.choice([0.2, 0.4, 0.7])
            day = min(on, signed_on + dt.timedelta(days=rng.choice([20, 45, 75])))
            for line_id, line in zip(line_ids, line_rows, strict=True):
                if line.agreement == agreement["id"]:
                    quantity = max(1, int(line.quantity // SCALE * share))  # whole boxes, kept in thousandths
                    deliveries.append(Delivery(agreement=agreement["id"], line=line_id, delivered_on=day,
                                               quantity=quantity * SCALE, value=quantity * line.unit_price))
                    delivered[line_id] = (quantity * SCALE, quantity * line.unit_price)
    await _insert(Milestone, milestones)
    await _insert(Delivery, deliveries)
    # What recording a delivery keeps up to date, set the way the agreements service leaves it.
    async with Agreement._meta.db.transaction():
        for line_id, (quantity, value) in delivered.items():
            await AgreementLine.update({AgreementLine.delivered_quantity: quantity, AgreementLine.delivered_value: value}).where(
                AgreementLine.id == line_id)
        totals: dict[int, int] = {}
        for line_id, line in zip(line_ids, line_rows, strict=True):
            if line_id in delivered:
                totals[line.agreement] = totals.get(line.agreement, 0) + delivered[line_id][1]
        for agreement_id, value in totals.items():
            await Agreement.update({Agreement.delivered_value: value}).where(Agreement.id == agreement_id)
