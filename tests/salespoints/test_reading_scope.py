"""A producer's user reads sales points through its own products only: another producer's stock, sales
and prices at the same point are not its business. Staff read everything."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from core.formatting import vietnam_today
from tests.conftest import run
from tests.salespoints.conftest import carry, make_product, move


def _own_producer(users) -> int:
    from accounts.tables import User
    from catalog.tables import ProducerMember

    user = run(User.select(User.id).where(User.username == users["producer"]).first())["id"]
    return run(ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user).first())["producer"]


def test_a_producer_reads_a_point_through_its_own_products_only(shop, login, users):
    point, organizer, manager = shop["point"], shop["organizer"], shop["manager"]
    other = shop["products"][0]  # another producer's
    own = make_product(organizer, _own_producer(users))
    carry(organizer, point, own)
    for product in (own, other):
        assert move(manager, point, product, "receipt", 10).status_code == 201
        assert move(manager, point, product, "sale", 2).status_code == 201
    producer = login("producer")
    today = vietnam_today().isoformat()

    def products(client, path, **params) -> set[int]:
        response = client.get(f"/api/v1/salespoints/{point}/{path}", params=params)
        assert response.status_code == 200, response.text
        return {row["product_id"] for row in response.json()}

    assert products(producer, "balances") == products(producer, "movements") == {own}
    assert products(producer, "sales", since=today, until=today) == {own}
    assert products(producer, "stock", as_of=(dt.datetime.now() + dt.timedelta(minutes=5)).isoformat()) == {own}
    assert {own, other} <= products(manager, "balances") == products(organizer, "balances")
    assert {own, other} <= products(organizer, "movements")

    def sheet_products(client, name) -> set[int]:
        rows = list(load_workbook(io.BytesIO(client.get(f"/salespoints/{point}/{name}").content)).active
                    .iter_rows(values_only=True))[1:]
        return {row[2] if name == "movements.xlsx" else row[0] for row in rows}

    assert sheet_products(producer, "stock.xlsx") == sheet_products(producer, "movements.xlsx") == {own}
    assert {own, other} <= sheet_products(manager, "movements.xlsx")
    # the point's page: the producer's own lines, and not the point's takings of every producer
    other_name = organizer.get(f"/api/v1/products/{other}").json()["name"]
    page = producer.get(f"/salespoints/{point}").text
    assert 'id="sales-by-day"' not in page and 'id="compliance"' not in page and other_name not in page
    staff_page = manager.get(f"/salespoints/{point}").text
    assert 'id="sales-by-day"' in staff_page and 'id="compliance"' in staff_page and other_name in staff_page
    # the list of points: no point's totals, which sum every producer's stock
    assert 'class="stock-value"' not in producer.get("/salespoints/").text
    assert 'class="stock-value"' in manager.get("/salespoints/").text
