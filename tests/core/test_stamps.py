"""Data stamps (core/stamps.py): every write to an area's tables gives its stamp a new value, in the
writing transaction, on SQLite and PostgreSQL alike; writes elsewhere leave it as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reports.conftest import db


async def _stamps() -> tuple[int, ...]:
    from core import stamps
    from piccolo_conf import DB

    return await stamps.read(DB, "fairs", "catalog", "fair_agreements")


def _after(write) -> tuple[bool, bool, bool]:
    """Which of (fairs, catalog, fair_agreements) changed across `write`."""

    async def measured() -> tuple[bool, bool, bool]:
        before = await _stamps()
        await write()
        after = await _stamps()
        return tuple(b != a for b, a in zip(before, after, strict=True))  # type: ignore[return-value]

    return db(measured)


@pytest.fixture(scope="module")
def parties(database):
    from catalog.tables import Buyer, Producer, Product
    from fairs.tables import Fair

    async def make() -> dict:
        producer = (await Producer.insert(Producer(name="HTX Dấu", kind="cooperative", province_code="ha-noi")))[0]["id"]
        product = (await Product.insert(Product(code="STAMP-1", name="Trà", producer=producer, province_code="ha-noi",
                                                group_code="beverages", subgroup_code="tea", stars=4, score=80,
                                                certificate_number="GCN-STAMP", certified_on=dt.date(2025, 1, 1))))[0]["id"]
        buyer = (await Buyer.insert(Buyer(name="Siêu thị Dấu", kind="supermarket")))[0]["id"]
        fair = (await Fair.insert(Fair(name="Hội chợ Dấu", kind="trade_week", venue="Hà Nội", province_code="ha-noi",
                                       starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 1, 9))))[0]["id"]
        return {"producer": producer, "product": product, "buyer": buyer, "fair": fair}

    return db(make)


def test_a_fair_write_changes_the_fairs_stamp_only(parties):
    from fairs.tables import Zone

    async def write() -> None:
        await Zone.insert(Zone(fair=parties["fair"], code="S", name="Khu dấu"))

    assert _after(write) == (True, False, False)


def test_a_renamed_product_changes_the_catalog_stamp_only(parties):
    from catalog.tables import Product

    async def write() -> None:
        await Product.update({Product.name: "Trà đổi tên"}).where(Product.id == parties["product"])

    assert _after(write) == (False, True, False)


def _agreement(parties: dict, fair: int | None):
    from agreements.tables import Agreement, AgreementLine

    async def write() -> None:
        row = (await Agreement.insert(Agreement(code=f"STAMP-{fair}-{dt.datetime.now().timestamp()}", fair=fair,
                                                signed_on=dt.date(2026, 1, 6), buyer=parties["buyer"])))[0]
        await AgreementLine.insert(AgreementLine(agreement=row["id"], producer=parties["producer"],
                                                 product=parties["product"], quantity=10))

    return write


def test_an_agreement_signed_at_a_fair_changes_the_fair_agreements_stamp(parties):
    assert _after(_agreement(parties, parties["fair"])) == (False, False, True)


def test_an_agreement_signed_elsewhere_leaves_every_stamp(parties):
    assert _after(_agreement(parties, None)) == (False, False, False)


def test_a_rolled_back_write_leaves_the_stamp(parties):
    from fairs.tables import Zone

    async def write() -> None:
        try:
            async with Zone._meta.db.transaction():
                await Zone.insert(Zone(fair=parties["fair"], code="R", name="Khu bỏ"))
                raise RuntimeError("undone")
        except RuntimeError:
            pass

    assert _after(write) == (False, False, False)
