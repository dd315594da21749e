"""Consigned goods (hàng ký gửi) through the HTTP API and pages: whose goods a lot holds, what each movement
carries, the monthly statements, their payment and documents, and what a producer's user sees."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from core.formatting import vietnam_today
from tests.conftest import run
from tests.salespoints.conftest import carry, make_point, make_product, move

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def _last_month() -> tuple[str, str]:
    """The previous month (as the statements name it) and a moment in it (Vietnam time)."""
    first = dt.datetime.now(VIETNAM).date().replace(day=1)
    day = first - dt.timedelta(days=20)
    return f"{day.year:04d}-{day.month:02d}", f"{day.isoformat()}T10:00:00+07:00"


def _month_before(month: str) -> tuple[str, str]:
    year, number = int(month[:4]), int(month[5:])
    day = dt.date(year, number, 1) - dt.timedelta(days=10)
    return f"{day.year:04d}-{day.month:02d}", f"{day.isoformat()}T09:00:00+07:00"


def _test_producer() -> int:
    from catalog.tables import Producer

    return run(Producer.select(Producer.id).where(Producer.name == "HTX Test Producer").first())["id"]


@pytest.fixture
def consignment(login, users, producer_id):
    """A point run by the test manager carrying one product of the test producer (whose user can log in) and one
    of another producer."""
    from accounts.tables import User

    organizer = login("organizer")
    point = make_point(organizer)
    manager_id = run(User.select(User.id).where(User.username == users["salespoint_manager"]).first())["id"]
    assert organizer.api("POST", f"/api/v1/salespoints/{point}/managers", {"user_id": manager_id}).status_code == 204
    mine, other = make_product(organizer, _test_producer()), make_product(organizer, producer_id)
    for product in (mine, other):
        carry(organizer, point, product, price=50_000)
    return {"point": point, "mine": mine, "other": other, "organizer": organizer, "manager": login("salespoint_manager"),
            "other_producer": producer_id}


def _movements(point: int) -> list[dict]:
    from salespoints.tables import StockMovement

    return run(StockMovement.select().where(StockMovement.point == point).order_by(StockMovement.id))


def _compile(client, point: int, month: str) -> list[dict]:
    response = client.post(f"/api/v1/salespoints/{point}/statements/{month}", headers={"x-csrftoken": client.csrf()})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_consigned_lot_keeps_its_owner_and_terms_through_sales_returns_and_transfers(consignment):
    manager, point, product = consignment["manager"], consignment["point"], consignment["mine"]
    producer = _test_producer()
    response = move(manager, point, product, "receipt", 10, lot_code="K1", consigned=True, commission_percent=15)
    assert response.status_code == 201, response.text
    assert move(manager, point, product, "sale", 3, lot_code="K1").status_code == 201
    assert move(manager, point, product, "customer_return", 1, lot_code="K1").status_code == 201
    assert move(manager, point, product, "producer_return", 2, lot_code="K1").status_code == 201
    # Another receipt without terms takes the last ones agreed here.
    assert move(manager, point, product, "receipt", 4, lot_code="K1", consigned=True).status_code == 201
    owners = [(m["kind"], m["quantity"], m["owner"], m["commission_bp"]) for m in _movements(point)]
    assert owners == [("receipt", 10, producer, 1500), ("sale", -3, producer, 1500), ("customer_return", 1, producer, 1500),
                      ("producer_return", -2, producer, 1500), ("receipt", 4, producer, 1500)]
    balances = manager.get(f"/api/v1/salespoints/{point}/balances").json()
    assert [(b["lot_code"], b["quantity"], b["owner"]) for b in balances] == [("K1", 10, producer)]

    # A transfer keeps the owner and the terms at the other point.
    organizer = consignment["organizer"]
    there = make_point(organizer)
    carry(organizer, there, product)
    response = organizer.api("POST", f"/api/v1/salespoints/{point}/transfers",
                             {"to_point_id": there, "product_id": product, "quantity": 4, "lot_code": "K1"})
    assert response.status_code == 201, response.text
    arrived = _movements(there)
    assert [(m["kind"], m["quantity"], m["owner"], m["commission_bp"]) for m in arrived] == [("transfer_in", 4, producer, 1500)]

    from salespoints import services

    assert run(services.ledger_differences()) == []


def test_a_lot_holds_one_owner_and_terms_are_never_invented(consignment):
    manager, point, product = consignment["manager"], consignment["point"], consignment["mine"]
    manager.cookies.set("lang", "en")  # the English msgid is checked below
    response = move(manager, point, product, "receipt", 5, lot_code="A", consigned=True)
    assert response.status_code == 422
    assert "commission_percent" in response.json()["errors"]
    assert move(manager, point, product, "receipt", 5, lot_code="A").status_code == 201  # the point's own
    refused = move(manager, point, product, "receipt", 5, lot_code="A", consigned=True, producer_price=40_000)
    assert refused.status_code == 409
    assert "Lot A of this product is here as the point's own goods (5 on hand)" in refused.json()["title"]
    both = move(manager, point, product, "receipt", 5, lot_code="B", consigned=True, commission_percent=10,
                producer_price=40_000)
    assert both.status_code == 422 and "producer_price" in both.json()["errors"]
    on_sale = move(manager, point, product, "sale", 1, lot_code="A", consigned=True)
    assert on_sale.status_code == 422 and "consigned" in on_sale.json()["errors"]
    # Sold out, the lot may come back as consigned goods.
    assert move(manager, point, product, "sale", 5, lot_code="A").status_code == 201
    assert move(manager, point, product, "receipt", 2, lot_code="A", consigned=True, producer_price=40_000).status_code == 201
    assert [m["owner"] for m in _movements(point)][-1] == _test_producer()


def test_the_month_is_settled_once_paid_closes_it_and_a_late_sale_goes_to_the_next_statement(consignment, login):
    manager, point, mine, other = consignment["manager"], consignment["point"], consignment["mine"], consignment["other"]
    month, moment = _last_month()
    earlier_month, earlier = _month_before(month)
    for product, terms in ((mine, {"commission_percent": 20}), (other, {"producer_price": 30_000})):
        assert move(manager, point, product, "receipt", 50, lot_code="M", consigned=True, happened_at=earlier,
                    **terms).status_code == 201
    assert move(manager, point, mine, "sale", 4, lot_code="M", happened_at=moment, unit_price=51_000).status_code == 201
    assert move(manager, point, other, "sale", 3, lot_code="M", happened_at=moment).status_code == 201
    assert move(manager, point, mine, "sale", 1, lot_code="M").status_code == 201  # this month's: not in it

    statements = {s["producer_id"]: s for s in _compile(manager, point, month)}
    ours = statements[_test_producer()]
    assert (ours["sold"], ours["sales_value"], ours["owed"], ours["commission"], ours["held"]) == (
        4, 204_000, 163_200, 40_800, 46)
    theirs = statements[consignment["other_producer"]]
    assert (theirs["sold"], theirs["sales_value"], theirs["owed"], theirs["held"]) == (3, 150_000, 90_000, 47)
    # The receipts of the month before were not settled yet: this statement settles them too.
    assert ours["received"] == 50 and ours["lines"] == 2
    # Compiled again while open: the same figures, the same lines.
    again = {s["producer_id"]: s for s in _compile(manager, point, month)}
    assert {k: v for k, v in again[_test_producer()].items() if k != "compiled_at"} == {
        k: v for k, v in ours.items() if k != "compiled_at"}

    csrf = {"x-csrftoken": manager.csrf()}
    paid = manager.post(f"/api/v1/salespoints/statements/{ours['id']}/payment",
                        json={"amount": 163_200, "paid_on": vietnam_today().isoformat(), "reference": "UNC 0042"}, headers=csrf)
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "paid"
    again = manager.post(f"/api/v1/salespoints/statements/{ours['id']}/payment",
                         json={"amount": 1, "paid_on": vietnam_today().isoformat()}, headers=csrf)
    assert again.status_code == 409

    # A sale of that month recorded late: the closed statement does not change; the next one carries it.
    assert move(manager, point, mine, "sale", 2, lot_code="M", happened_at=moment, unit_price=50_000).status_code == 201
    recompiled = {s["producer_id"]: s for s in _compile(manager, point, month)}
    assert recompiled[_test_producer()] == paid.json()
    following = dt.date(int(month[:4]), int(month[5:]), 28) + dt.timedelta(days=7)
    next_month = f"{following.year:04d}-{following.month:02d}"
    later = {s["producer_id"]: s for s in _compile(manager, point, next_month)}[_test_producer()]
    assert later["carried"] == 80_000 and later["sold"] == 3 and later["owed"] == 80_000 + 40_000
    assert earlier_month < month

    # Each sale is traced to one statement: the statements add up to the consigned sales.
    from salespoints.tables import SettlementLine

    settled = {r["movement"] for r in run(SettlementLine.select(SettlementLine.movement))}
    consigned_sales = [m["id"] for m in _movements(point) if m["kind"] == "sale"]
    assert set(consigned_sales) <= settled


def test_statement_documents_and_the_producer_sees_its_own_only(consignment, login):
    manager, point, mine, other = consignment["manager"], consignment["point"], consignment["mine"], consignment["other"]
    month, moment = _last_month()
    _, earlier = _month_before(month)
    for product in (mine, other):
        assert move(manager, point, product, "receipt", 9, lot_code="D", consigned=True, commission_percent=12.5,
                    happened_at=earlier).status_code == 201
        assert move(manager, point, product, "sale", 2, lot_code="D", happened_at=moment).status_code == 201
    statements = {s["producer_id"]: s for s in _compile(manager, point, month)}
    ours, theirs = statements[_test_producer()], statements[consignment["other_producer"]]

    pdf = manager.get(f"/salespoints/statements/{ours['id']}/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    sheet = manager.get(f"/salespoints/statements/{ours['id']}/statement.xlsx")
    assert sheet.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(sheet.content))
    rows = list(book["Chi tiết"].iter_rows(values_only=True))
    assert [r[4] for r in rows[1:]] == ["Nhập ký gửi", "Bán"] and rows[2][9] == 87_500

    producer = login("producer")
    assert producer.get(f"/api/v1/salespoints/statements/{ours['id']}").status_code == 200
    assert producer.get(f"/api/v1/salespoints/statements/{theirs['id']}").status_code == 404
    assert producer.get(f"/salespoints/statements/{theirs['id']}/statement.pdf").status_code == 404
    listed = producer.get(f"/api/v1/salespoints/{point}/statements").json()
    assert [s["id"] for s in listed] == [ours["id"]]
    page = producer.get("/salespoints/consigned")
    assert page.status_code == 200
    assert f"/salespoints/statements/{ours['id']}" in page.text and f"/salespoints/statements/{theirs['id']}" not in page.text
    assert manager.get("/salespoints/consigned").status_code == 403
    # A producer cannot compile or pay.
    refused = producer.post(f"/api/v1/salespoints/statements/{ours['id']}/payment",
                            json={"amount": 1, "paid_on": vietnam_today().isoformat()}, headers={"x-csrftoken": producer.csrf()})
    assert refused.status_code == 403
    html = manager.get(f"/salespoints/statements/{ours['id']}")
    assert html.status_code == 200 and "87.500" in html.text
