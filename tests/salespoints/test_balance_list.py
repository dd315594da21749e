"""The balance list keeps each point's product names and terms between reads (on SQLite): whatever
changes them, through the API or straight in the database, shows in the next list."""

from __future__ import annotations

from tests.conftest import product_payload, run
from tests.salespoints.conftest import carry, make_product, move


def _listed(client, point: int) -> list[dict]:
    response = client.get(f"/api/v1/salespoints/{point}/balances")
    assert response.status_code == 200, response.text
    return response.json()


def _joined(point: int) -> list[dict]:
    """The list as the tables say it, computed here."""
    from catalog.tables import Product
    from salespoints.tables import AssortmentItem, StockBalance

    balances = run(StockBalance.select().where((StockBalance.point == point) & (StockBalance.quantity != 0)))
    names = {r["id"]: r["name"] for r in run(Product.select(Product.id, Product.name))}
    terms = {r["product"]: r for r in run(AssortmentItem.select().where(AssortmentItem.point == point))}
    totals: dict[int, int] = {}
    for b in balances:
        totals[b["product"]] = totals.get(b["product"], 0) + b["quantity"]
    listed = []
    for b in balances:
        item = terms.get(b["product"], {"reorder_threshold": 0, "selling_price": 0})
        listed.append({
            "product_id": b["product"], "product_name": names[b["product"]], "lot_code": b["lot_code"],
            "lot_expiry": b["lot_expiry"].isoformat() if b["lot_expiry"] else None, "quantity": b["quantity"],
            "reorder_threshold": item["reorder_threshold"], "selling_price": item["selling_price"],
            "low": totals[b["product"]] <= item["reorder_threshold"], "owner": b["owner"],
        })
    return sorted(listed, key=lambda r: (r["product_name"], r["product_id"], r["lot_code"]))


def test_names_and_terms_changed_anywhere_show_in_the_next_list(shop, producer_id):
    from catalog.tables import Product
    from salespoints.tables import AssortmentItem

    point, (first, second), organizer, manager = shop["point"], shop["products"], shop["organizer"], shop["manager"]
    for lot in ("B", "A"):
        assert move(manager, point, first, "receipt", 4, lot_code=lot, lot_expiry="2099-01-31").status_code == 201
    assert move(manager, point, second, "receipt", 3).status_code == 201
    assert _listed(manager, point) == _joined(point)
    assert [r["lot_code"] for r in _listed(manager, point) if r["product_id"] == first] == ["A", "B"]

    # Renamed through the API: the list follows, and its order with it.
    response = organizer.api("PUT", f"/api/v1/products/{second}", product_payload(producer_id, name="AAA đầu danh sách"))
    assert response.status_code in (200, 204), response.text
    listed = _listed(manager, point)
    assert listed == _joined(point) and listed[0]["product_name"] == "AAA đầu danh sách"

    # The threshold raised through the API: the product is now low.
    carry(organizer, point, first, price=120_000, threshold=8)
    listed = _listed(manager, point)
    assert listed == _joined(point)
    assert {(r["low"], r["selling_price"]) for r in listed if r["product_id"] == first} == {(True, 120_000)}

    # A product newly carried and received appears.
    third = make_product(organizer, producer_id)
    carry(organizer, point, third, price=55_000)
    assert move(manager, point, third, "receipt", 2).status_code == 201
    assert _listed(manager, point) == _joined(point)

    # Changed straight in the database, as the raw-data admin or a SQL console would.
    run(Product.update({Product.name: "ZZZ cuối danh sách"}).where(Product.id == first))
    run(AssortmentItem.update({AssortmentItem.reorder_threshold: 0}).where(
        (AssortmentItem.point == point) & (AssortmentItem.product == first)))
    listed = _listed(manager, point)
    assert listed == _joined(point) and listed[-1]["product_name"] == "ZZZ cuối danh sách" and not listed[-1]["low"]

    # Dropped from the assortment with stock left: still listed, without terms.
    run(AssortmentItem.delete().where((AssortmentItem.point == point) & (AssortmentItem.product == third)))
    listed = _listed(manager, point)
    assert listed == _joined(point)
    assert [(r["reorder_threshold"], r["selling_price"]) for r in listed if r["product_id"] == third] == [(0, 0)]


def test_a_list_read_twice_in_one_process_is_the_same(shop):
    from core.database import is_sqlite
    from salespoints import balance_list
    from salespoints.tables import StockBalance

    point, products, manager = shop["point"], shop["products"], shop["manager"]
    for index, product in enumerate(products):
        assert move(manager, point, product, "receipt", 5 + index).status_code == 201
    first = run(balance_list.balances(point))
    assert move(manager, point, products[0], "sale", 2).status_code == 201
    second = run(balance_list.balances(point))
    assert [b.quantity for b in second] == [b.quantity - (2 if b.product_id == products[0] else 0) for b in first]
    if is_sqlite(StockBalance._meta.db):  # the second read used the terms kept from the first
        assert point in balance_list._kept
