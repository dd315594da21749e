"""A seeded, believable demo programme: producers across provinces, products over every group, buyers, users.

The same seed gives the same data, so a demo, a screenshot and a bug report agree.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import TypeVar

from accounts import services as accounts
from accounts.enums import Role
from catalog import list_values, reference
from catalog.enums import CertifyingLevel, ProducerKind
from catalog.reference import DATA_DIR, fold
from catalog.services import new_product_code, today
from catalog.tables import Buyer, Producer, ProducerMember, Product

# Demo accounts only: documented in README.md, never for a real deployment.
DEMO_USERS = [
    ("admin", "ocop-admin-demo", Role.admin),
    ("organizer", "ocop-organizer-demo", Role.organizer),
    ("manager", "ocop-manager-demo", Role.salespoint_manager),
    ("producer", "ocop-producer-demo", Role.producer),
    ("viewer", "ocop-viewer-demo", Role.viewer),
]
_T = TypeVar("_T")
_STAR_MIX = [(3, 0.55), (4, 0.40), (5, 0.05)]
_KIND_MIX = [
    (ProducerKind.cooperative, 0.40),
    (ProducerKind.enterprise, 0.30),
    (ProducerKind.household, 0.22),
    (ProducerKind.cooperative_group, 0.08),
]


@dataclass
class DemoSize:
    producers: int = 300
    products: int = 1000
    buyers: int = 30


def _pick(rng: random.Random, weighted: list[tuple[_T, float]]) -> _T:
    values, weights = zip(*weighted, strict=False)
    return rng.choices(values, weights=weights, k=1)[0]


def _gtin(body: str) -> str:
    """A GTIN-13 with its check digit: Vietnam's 893 prefix and twelve digits in all before it."""
    return body + str(list_values.check_digit(body))


def _score_for(rng: random.Random, stars: int) -> int:
    band = next(b for b in reference.rules().star_bands if b.stars == stars)
    return rng.randint(int(band.min_score), int(band.max_score))


def _communes() -> dict[str, list[str]]:
    import csv

    result: dict[str, list[str]] = {}
    with open(DATA_DIR / "communes.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            result.setdefault(row["province_code"], []).append(row["name"])
    return result


def producer_rows(rng: random.Random, count: int) -> list[Producer]:
    names = json.loads((DATA_DIR / "demo_names.json").read_text(encoding="utf-8"))
    provinces = list(reference.provinces().values())
    communes = _communes()
    rows, used = [], set()
    for index in range(count):
        kind = _pick(rng, _KIND_MIX)
        province = rng.choice(provinces)
        person = f"{rng.choice(names['family_names'])} {rng.choice(names['middle_names'])} {rng.choice(names['given_names'])}"
        pattern = rng.choice(names["producer_name_patterns"][kind.value])
        name = pattern.format(x=rng.choice(names["producer_name_words"]), person=person)
        if name in used:
            name = f"{name} {province.name}"
        if name in used:
            name = f"{name} {index + 1}"
        used.add(name)
        commune = rng.choice(communes.get(province.code, [""]))
        registration = f"{rng.randint(1, 9)}{rng.randint(100000000, 999999999)}" if kind is not ProducerKind.household else None
        rows.append(
            Producer(
                name=name,
                kind=kind.value,
                registration_code=registration,
                province_code=province.code,
                commune=commune,
                address=f"Số {rng.randint(1, 200)}, thôn {rng.randint(1, 12)}",
                legacy_province=rng.choice(province.merged_from) if province.merged_from else province.name,
                contact_person=person,
                phone=f"09{rng.randint(10000000, 99999999)}",
                email=f"lienhe{index + 1}@example.vn",
                publish_contact=rng.random() < 0.6,
                search_text=fold(" ".join([name, registration or "", commune, province.name])),
            )
        )
    return rows


def product_rows(rng: random.Random, producers: list[dict], count: int, on: dt.date) -> list[Product]:
    names = json.loads((DATA_DIR / "demo_names.json").read_text(encoding="utf-8"))
    subgroups = list(reference.subgroups().values())
    rows = []
    for index in range(count):
        producer = producers[index % len(producers)] if index < len(producers) else rng.choice(producers)
        subgroup = rng.choice(subgroups)
        stars = _pick(rng, _STAR_MIX)
        # Certified within the last four years: some certificates have run out, some are about to.
        certified_on = on - dt.timedelta(days=rng.randint(10, 4 * 365))
        expires_on = reference.default_expiry(certified_on)
        low, high = names["price_ranges"][subgroup.code]
        name = rng.choice(names["products"][subgroup.code])
        certificate = f"{rng.randint(100, 9999)}/QĐ-UBND-{index + 1:05d}"
        rows.append(
            Product(
                producer=producer["id"],
                name=name,
                group_code=subgroup.group_code,
                subgroup_code=subgroup.code,
                stars=stars,
                score=_score_for(rng, stars),
                potential_five_star=stars == 4 and rng.random() < 0.1,
                certificate_number=certificate,
                certifying_level=(CertifyingLevel.ministry if stars == 5 else CertifyingLevel.province).value,
                certifying_body="Bộ Nông nghiệp và Môi trường" if stars == 5 else f"UBND {reference.province_name(producer['province_code'])}",
                certified_on=certified_on,
                expires_on=expires_on,
                withdrawn_on=certified_on + dt.timedelta(days=200) if rng.random() < 0.01 else None,
                code=new_product_code(),
                barcode=_gtin(f"893{rng.randint(100000000, 999999999)}"),
                unit=names["units"][subgroup.code],
                reference_price=rng.randrange(low, high, 1000),
                province_code=producer["province_code"],
                search_text=fold(" ".join([name, producer["name"], certificate])),
            )
        )
    return rows


async def _insert(table, rows: list, size: int = 500) -> None:
    async with table._meta.db.transaction():
        for start in range(0, len(rows), size):
            await table.insert(*rows[start : start + size])


async def seed_programme(seed: int, size: DemoSize) -> list[dict]:
    """Inserts producers, products and buyers made from `seed`; returns the producers inserted."""
    rng = random.Random(seed)
    first_new = (await Producer.select(Producer.id).order_by(Producer.id, ascending=False).first() or {"id": 0})["id"]
    await _insert(Producer, producer_rows(rng, size.producers))
    producers = await Producer.select(Producer.id, Producer.name, Producer.province_code).where(
        Producer.id > first_new
    ).order_by(Producer.id)
    await _insert(Product, product_rows(rng, producers, size.products, today()))
    names = json.loads((DATA_DIR / "demo_names.json").read_text(encoding="utf-8"))
    provinces = list(reference.provinces())
    await _insert(
        Buyer,
        [
            Buyer(name=b["name"], kind=b["kind"], province_code=rng.choice(provinces),
                  contact_person="Phòng thu mua", phone=f"028{rng.randint(1000000, 9999999)}",
                  email=f"thumua{i + 1}@example.vn", search_text=fold(b["name"]))
            for i, b in enumerate(names["buyers"][: size.buyers])
        ],
    )
    return producers


async def ensure_lapsed_examples(on: dt.date) -> dict[str, int]:
    """At least one expired and one withdrawn product, whatever the seed and size, so that what a
    shopper sees for a product that lost the OCOP mark can always be shown."""
    lapsed = Product.withdrawn_on.is_null() & (Product.expires_on < on)
    if not await Product.count().where(lapsed):
        row = await Product.select(Product.id).where(Product.withdrawn_on.is_null()).order_by(Product.id, ascending=False).first()
        assert row is not None  # the demo data has products
        certified_on = on - dt.timedelta(days=3 * 365 + 75)
        await Product.update({Product.certified_on: certified_on, Product.expires_on: reference.default_expiry(certified_on)}).where(
            Product.id == row["id"])
    withdrawn = Product.withdrawn_on.is_not_null() & (Product.withdrawn_on <= on)
    if not await Product.count().where(withdrawn):
        row = await Product.select(Product.id).where(Product.withdrawn_on.is_null(), Product.expires_on > on).order_by(
            Product.id, ascending=False).first()
        assert row is not None  # the demo data has products still certified
        await Product.update({Product.withdrawn_on: on - dt.timedelta(days=20)}).where(Product.id == row["id"])
    return {"expired_products": await Product.count().where(lapsed), "withdrawn_products": await Product.count().where(withdrawn)}


async def seed_product_photos(producer_id: int) -> int:
    """Drawn photos for the demo producer's products and the first products of the first sales point."""
    from ocop.demo_photos import seed_photos
    from salespoints.tables import AssortmentItem, SalesPoint

    columns = (Product.id, Product.name, Product.group_code)
    chosen = await Product.select(*columns).where(Product.producer == producer_id).order_by(Product.id).limit(3)
    first_point = await SalesPoint.select(SalesPoint.id).order_by(SalesPoint.id).first()
    if first_point:
        carried = await AssortmentItem.select(AssortmentItem.product).where(AssortmentItem.point == first_point["id"])
        ids = [r["product"] for r in carried if r["product"] not in {c["id"] for c in chosen}]
        chosen += await Product.select(*columns).where(Product.id.is_in(ids or [0])).order_by(Product.name).limit(5)
    return await seed_photos(chosen)


_POINTS = [
    ("Điểm giới thiệu và bán sản phẩm OCOP Hà Nội - Hoàn Kiếm", "ha-noi", "showroom", 100),
    ("Điểm OCOP Công viên Thống Nhất", "ha-noi", "showroom", 100),
    ("Góc OCOP siêu thị Long Biên", "ha-noi", "market_corner", 100),
    ("Ki-ốt OCOP Văn Miếu", "ha-noi", "tourist_kiosk", 100),
    ("Trung tâm OCOP Hạ Long", "quang-ninh", "showroom", 70),
    ("Điểm OCOP chợ Móng Cái", "quang-ninh", "market_corner", 70),
    ("Điểm OCOP Thái Nguyên - Tân Cương", "thai-nguyen", "showroom", 100),
    ("Điểm OCOP Huế - Đông Ba", "hue", "tourist_kiosk", 100),
    ("Điểm OCOP Đà Nẵng - Hàn", "da-nang", "showroom", 100),
    ("Cửa hàng OCOP trực tuyến TP Hồ Chí Minh", "ho-chi-minh", "online", 100),
    ("Điểm OCOP Cần Thơ - Ninh Kiều", "can-tho", "showroom", 100),
    ("Điểm OCOP Lâm Đồng - Đà Lạt", "lam-dong", "tourist_kiosk", 100),
]
# The year's weeks before Tết (mid-February 2026) sell three to four times an ordinary week.
_TET = dt.date(2026, 2, 17)


def _season(day: dt.date) -> float:
    days_before_tet = (_TET - day).days
    if 0 <= days_before_tet <= 28:
        return 3.5 - days_before_tet / 14
    return 1.0


def _consignment(product: dict, price: int, demo_producer: int) -> tuple[int, int | None, int | None]:
    """(owner, commission in hundredths of a per cent, producer's price) of a product's goods at a demo point: a
    third of the producers, the demo producer among them, consign theirs, some for a commission, some at a price."""
    producer = product["producer"]
    if producer != demo_producer and producer % 3:
        return 0, None, None
    if producer % 2:
        return producer, None, max(1000, price * 4 // 5 // 1000 * 1000)
    return producer, 1500, None


async def seed_salespoints(rng: random.Random, managers: list[int], on: dt.date, demo_producer: int = 0) -> dict[str, int]:
    """Twelve points with managers, assortments, and a year of receipts and sales (peaks before
    Tết), some lots close to expiry, and one point running low; a third of the producers' goods held on
    consignment (the demo producer's at the demo manager's first point); balances rebuilt from the ledger."""
    from salespoints.tables import AssortmentItem, SalesPoint, SalesPointManager, StockBalance, StockMovement

    soon = on + dt.timedelta(days=120)
    sellable = await Product.select(Product.id, Product.reference_price, Product.group_code, Product.producer).where(
        (Product.stars >= 3) & (Product.expires_on > soon) & Product.withdrawn_on.is_null()
    )
    movements: list[tuple] = []
    balances: dict[tuple, tuple[int, dt.date, tuple[int, int | None, int | None]]] = {}
    assortment: list = []
    start = on - dt.timedelta(days=365)
    for index, (name, province, kind, share) in enumerate(_POINTS):
        point = (await SalesPoint.insert(SalesPoint(
            name=name, province_code=province, kind=kind, min_ocop_share=share, address=f"Số {rng.randint(1, 300)} đường chính",
            opening_hours="8:00–21:00", opened_on=start - dt.timedelta(days=rng.randint(30, 900)),
        )))[0]["id"]
        await SalesPointManager.insert(SalesPointManager(point=point, user=managers[index % len(managers)]))
        low_point = index == 3
        chosen = rng.sample(sellable, k=min(40, len(sellable)))
        if index == 0:
            chosen += [p for p in sellable if p["producer"] == demo_producer and p not in chosen]
        for product in chosen:
            price = max(1000, product["reference_price"] + rng.choice([0, 5000, 10000]))
            held = _consignment(product, price, demo_producer)
            threshold = rng.choice([5, 10, 20])
            assortment.append(AssortmentItem(point=point, product=product["id"], selling_price=price, reorder_threshold=threshold))
            lot_days = 540 if product["group_code"] in ("handicrafts", "ornamental") else 150
            lots: list[list] = []  # [lot code, expiry, quantity], oldest first: sales take from it (FIFO)
            day = start
            while day <= on:
                on_hand = sum(lot[2] for lot in lots)
                if on_hand < threshold * 2 and not (low_point and day > on - dt.timedelta(days=30)):
                    quantity = rng.randint(30, 80)
                    lots.append([f"L{day:%y%m%d}-{product['id']}", day + dt.timedelta(days=lot_days), quantity])
                    movements.append((point, product["id"], "receipt", quantity, price, lots[-1][0], held, day))
                wanted = int(rng.random() * 3 * _season(day))
                while wanted and lots:
                    taken = min(wanted, lots[0][2])
                    movements.append((point, product["id"], "sale", -taken, price, lots[0][0], held, day))
                    lots[0][2] -= taken
                    wanted -= taken
                    if not lots[0][2]:
                        lots.pop(0)
                day += dt.timedelta(days=rng.choice([1, 1, 2, 3]))
            for code, expiry, quantity in lots:
                if expiry < on and quantity:  # expired on the shelf: written off
                    movements.append((point, product["id"], "write_off", -quantity, price, code, held, on))
                    quantity = 0
                balances[(point, product["id"], code)] = (quantity, expiry, held)
    await _insert(AssortmentItem, assortment)
    rows = [
        StockMovement(point=p, product=pr, kind=k, quantity=q, unit_price=price, lot_code=lot,
                      happened_at=dt.datetime.combine(day, dt.time(2 + rng.randint(0, 11)), tzinfo=dt.UTC),
                      owner=held[0], commission_bp=held[1], producer_price=held[2])
        for p, pr, k, q, price, lot, held, day in movements
    ]
    await _insert(StockMovement, rows, size=1000)
    await _insert(StockBalance, [StockBalance(point=k[0], product=k[1], lot_code=k[2], lot_expiry=expiry, quantity=q,
                                              owner=held[0], commission_bp=held[1], producer_price=held[2])
                                 for k, (q, expiry, held) in balances.items() if q])
    await _settle_demo_months(on)
    return {"sales_points": len(_POINTS), "movements": len(rows)}


async def _settle_demo_months(on: dt.date) -> None:
    """The year's consignment statements compiled month by month and paid, but last month's: compiled, to be paid."""
    from core.audit import SYSTEM
    from salespoints import settlements
    from salespoints.schemas import PaymentIn

    months, day = [], on.replace(day=1) - dt.timedelta(days=365)
    while day < on.replace(day=1):
        months.append(settlements.month_of(day))
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    _, end = settlements.month_bounds(months[-1])
    for point in await settlements.points_with_consignment(end):
        for month in months:
            for statement_id in await settlements.compile_month(point, month, SYSTEM):
                if month != months[-1]:
                    owed = (await settlements.get_statement(statement_id, SYSTEM)).owed
                    await settlements.mark_paid(statement_id, PaymentIn(amount=owed, paid_on=on,
                                                                        reference=f"UNC {statement_id:05d}"), SYSTEM)


async def load_demo(seed: int = 2025, size: DemoSize = DemoSize()) -> dict[str, int]:
    """Fills an empty database with the demo programme and one user per role; does nothing otherwise."""
    if await Producer.count() > 0:
        return {}
    producers = await seed_programme(seed, size)
    lapsed = await ensure_lapsed_examples(today())
    managers = []
    for username, password, role in DEMO_USERS:
        user = await accounts.create_user(username, password, role, f"{username}@demo.ocop.vn")
        if role is Role.producer:
            await ProducerMember.insert(ProducerMember(user=user.id, producer=producers[0]["id"]))
        if role is Role.salespoint_manager:
            managers.append(user.id)
    password = {u: p for u, p, _ in DEMO_USERS}["manager"]
    for number in range(2, 7):  # more managers, the demo manager keeps two points of its own
        user = await accounts.create_user(f"manager{number}", password, Role.salespoint_manager, f"manager{number}@demo.ocop.vn")
        managers.append(user.id)
    stock = await seed_salespoints(random.Random(seed + 1), managers, today(), producers[0]["id"])
    photos = await seed_product_photos(producers[0]["id"])
    from ocop.demo_fairs import seed_fairs

    fairs = await seed_fairs(random.Random(seed + 2), today())
    from ocop.demo_agreements import seed_agreements

    conference = fairs.pop("conference")
    agreements = await seed_agreements(random.Random(seed + 3), today(), conference)
    from ocop.demo_matchmaking import seed_meetings

    meetings = await seed_meetings(random.Random(seed + 4), conference)
    return {"producers": size.producers, "products": size.products, "buyers": size.buyers, **lapsed, **stock,
            "photos": photos, **fairs, **agreements, **meetings}
