"""Fixtures for report tests: a trade week with its whole outcome (and last year's edition), an
empty fair, a small fair's applications from received to checked in, written straight to the tables
(mostly by reports.synthetic)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import random

import pytest

from core.formatting import vietnam_today
from tests.conftest import run, unique
from tests.pdf import pdf_pages, pdf_text  # noqa: F401  (the report tests' PDF readers)

TODAY = vietnam_today()


def db(function, *args, **kwargs):
    """`await function(*args, **kwargs)` on a fresh loop with the database opened for it."""
    from ocop.cli import _with_database

    return run(_with_database(functools.partial(function, *args, **kwargs)))


def workbook(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content), data_only=True)


@pytest.fixture
def organizer(login):
    return login("organizer")


@pytest.fixture(scope="session")
def trade_week(database, users) -> dict:
    """Last year's edition (closed) and this year's (closed yesterday): ~30 booths, 25 agreements."""
    from reports import synthetic

    async def make() -> dict:
        rng = random.Random(5)
        parties = await synthetic.seed_parties(rng, producers=60, buyers=12, tag=unique("t"))
        series = unique("Tuần hàng OCOP thử ")
        earlier = await synthetic.seed_fair(rng, parties, name=f"{series} {TODAY.year - 1}", booths=24, agreements=10,
                                            starts_on=TODAY - dt.timedelta(days=370), series=series, edition=TODAY.year - 1)
        fair = await synthetic.seed_fair(rng, parties, name=f"{series} {TODAY.year}", booths=32, agreements=25,
                                         starts_on=TODAY - dt.timedelta(days=6), series=series, edition=TODAY.year)
        return {"fair": fair, "earlier": earlier, "parties": parties}

    return db(make)


@pytest.fixture
def empty_fair(database) -> int:
    """A fair with neither booths, sales nor agreements."""
    from fairs.tables import Fair

    async def make() -> int:
        return (await Fair.insert(Fair(name=unique("Hội chợ trống "), venue="Nhà văn hoá", province_code="ha-noi",
                                       starts_on=TODAY - dt.timedelta(days=3), ends_on=TODAY - dt.timedelta(days=2),
                                       status="closed")))[0]["id"]

    return db(make)


@pytest.fixture(scope="session")
def large_fair(database, users) -> int:
    """A fair whose booth and agreement listings run to some twenty pages."""
    from reports import synthetic

    async def make() -> int:
        rng = random.Random(8)
        parties = await synthetic.seed_parties(rng, producers=320, buyers=20, tag=unique("l"))
        return await synthetic.seed_fair(rng, parties, name=unique("Hội chợ OCOP lớn "), booths=300, agreements=420,
                                         starts_on=TODAY - dt.timedelta(days=9), kind="trade_fair")

    return db(make)


# How the applications of a small fair ended: status, booths wanted, booths held, checked in. In the order
# they came in; booths only for those placed (withdrawing releases them), check-ins only for those placed.
APPLICATIONS = [
    ("confirmed", 2, ("B01", "B02"), True),
    ("waitlisted", 2, (), False),
    ("confirmed", 1, ("B10",), False),
    ("ineligible", 1, (), False),
    ("allocated", 2, ("B03",), False),
    ("withdrawn", 2, (), False),
    ("waitlisted", 3, (), False),
    ("confirmed", 1, ("B04",), True),
    ("eligible", 1, (), False),
    ("waitlisted", 1, (), False),
]


async def seed_applications(rng: random.Random, check_ins: bool = True) -> dict:
    """A closed fair whose applications ended as APPLICATIONS say (no check-in at all unless `check_ins`);
    its id and each application as the report should show it."""
    from catalog.tables import Producer
    from fairs.tables import Application, Booth, BoothAssignment, Fair, Zone
    from reports import synthetic

    parties = await synthetic.seed_parties(rng, producers=len(APPLICATIONS), buyers=1, tag=unique("a"))
    starts_on = TODAY - dt.timedelta(days=5)
    fair = (await Fair.insert(Fair(name=unique("Hội chợ đăng ký "), venue="Nhà văn hoá", province_code="ha-noi",
                                   starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=2), status="closed")))[0]["id"]
    zone = (await Zone.insert(Zone(fair=fair, code="B", name="Khu B")))[0]["id"]
    codes = [f"B{n:02d}" for n in range(1, 13)]
    made_booths = await Booth.insert(*[Booth(fair=fair, zone=zone, code=c, x=3.0 * i, y=0.0, price=1_500_000)
                                       for i, c in enumerate(codes)])
    booth_ids = {code: r["id"] for code, r in zip(codes, made_booths, strict=True)}
    names = {r["id"]: r["name"] for r in await Producer.select(Producer.id, Producer.name).where(
        Producer.id.is_in([p["id"] for p in parties.producers]))}
    made = []
    for index, ((status, wanted, booths, arrived), producer) in enumerate(zip(APPLICATIONS, parties.producers, strict=True)):
        arrived = arrived and check_ins
        row = (await Application.insert(Application(
            fair=fair, producer=producer["id"], status=status, booths_wanted=wanted,
            submitted_at=dt.datetime.combine(starts_on - dt.timedelta(days=30), dt.time(8 + index), tzinfo=dt.UTC),
            checked_in_at=dt.datetime.combine(starts_on, dt.time(1), tzinfo=dt.UTC) if arrived else None)))[0]
        if booths:
            await BoothAssignment.insert(*[BoothAssignment(
                fair=fair, booth=booth_ids[code], application=row["id"],
                state="confirmed" if status == "confirmed" else "proposed") for code in booths])
        made.append({"producer": names[producer["id"]], "province_code": producer["province_code"], "status": status,
                     "wanted": wanted, "booths": booths, "checked_in": arrived})
    return {"fair": fair, "applications": made}


@pytest.fixture
def applications_fair(database) -> dict:
    return db(seed_applications, random.Random(11))


@pytest.fixture
def unchecked_fair(database) -> dict:
    """The same fair with its check-ins never kept."""
    return db(seed_applications, random.Random(12), check_ins=False)


@pytest.fixture
def trading_point(database) -> dict:
    """A sales point with a month of trade (sales, a customer return, a write-off of a lot, a product under its
    reorder threshold), well in the past; its id, the month and the figures the report should give."""
    from catalog.tables import Producer, Product
    from salespoints.tables import AssortmentItem, SalesPoint, StockBalance, StockMovement

    month = TODAY.replace(day=1) - dt.timedelta(days=40)

    async def make() -> dict:
        producer = (await Producer.insert(Producer(name=unique("HTX "), kind="cooperative", province_code="ha-noi")))[0]["id"]
        products = [(await Product.insert(Product(
            producer=producer, name=unique(name), group_code="food", subgroup_code="processed_food", stars=4, score=78,
            code=unique("P"), unit="hộp", reference_price=100_000, province_code="ha-noi")))[0]["id"]
            for name in ("Mật ong ", "Trà ")]
        point = (await SalesPoint.insert(SalesPoint(name=unique("Điểm OCOP "), province_code="ha-noi")))[0]["id"]
        for product in products:
            await AssortmentItem.insert(AssortmentItem(point=point, product=product, selling_price=120_000,
                                                       reorder_threshold=50))
        at = dt.datetime.combine(month.replace(day=3), dt.time(9), tzinfo=dt.timezone(dt.timedelta(hours=7)))
        # Balances equal the ledger lot by lot, as the ledger writer keeps them (other tests check the whole ledger).
        moves = [(products[0], "receipt", 1_500, 0, ""), (products[0], "sale", -1_207, 1_150_000, ""),
                 (products[1], "receipt", 38, 0, ""), (products[1], "receipt", 2, 0, "L-07"),
                 (products[1], "sale", -3, 95_000, ""), (products[0], "customer_return", 1, 1_150_000, ""),
                 (products[1], "write_off", -2, 0, "L-07")]
        for index, (product, kind, quantity, price, lot) in enumerate(moves):
            await StockMovement.insert(StockMovement(point=point, product=product, kind=kind, quantity=quantity,
                                                     unit_price=price, lot_code=lot,
                                                     happened_at=at + dt.timedelta(hours=index)))
        await StockBalance.insert(StockBalance(point=point, product=products[0], quantity=294),
                                  StockBalance(point=point, product=products[1], quantity=35))
        return {"point": point, "month": month.strftime("%Y-%m"), "revenue": 1_206 * 1_150_000 + 3 * 95_000,
                "units": 1_209, "written_off": 2 * 120_000}

    return db(make)
