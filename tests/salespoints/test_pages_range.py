"""The product range (assortment) from the point page: adding and changing products, the policy's
refusals, who may change it, and the way forward from a transfer the receiving point cannot take."""

from __future__ import annotations

import html

from tests.conftest import product_payload, unique
from tests.salespoints.conftest import carry, make_point, make_product, move


def _english(client):
    # This client's pages in English (a cookie: the language form would also change the user's stored
    # choice, which every later session of the same test user would inherit).
    client.cookies.set("lang", "en")
    return client


def _range(client, point: int) -> dict[int, dict]:
    from salespoints.services import assortment
    from tests.conftest import run

    return {item["product"]: item for item in run(assortment(point))}


def _balance(client, point: int, product: int) -> int:
    return sum(r["quantity"] for r in client.get(f"/api/v1/salespoints/{point}/balances").json() if r["product_id"] == product)


def test_a_manager_adds_a_product_to_the_range_from_the_point_page_then_receives_it(shop, producer_id):
    point, organizer, manager = shop["point"], shop["organizer"], shop["manager"]
    name = unique("Trà shan tuyết ")
    created = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=name))
    assert created.status_code == 201, created.text
    product = created.json()["id"]
    page = manager.get(f"/salespoints/{point}", params={"q": name})
    assert page.status_code == 200
    assert f'name="product_id" value="{product}"' in page.text  # found by the search, offered to add
    added = manager.form(f"/salespoints/{point}/assortment",
                         {"product_id": str(product), "selling_price": "125.000", "reorder_threshold": "4", "q": name})
    assert added.status_code == 302, added.text
    assert added.headers["location"] == f"/salespoints/{point}#range"
    item = _range(manager, point)[product]
    assert (item["selling_price"], item["reorder_threshold"]) == (125_000, 4)
    page = manager.get(f"/salespoints/{point}")
    assert f'id="range-{product}"' in page.text and "125.000 ₫" in page.text
    received = manager.form(f"/salespoints/{point}/movements",
                            {"product_id": str(product), "kind": "receipt", "quantity": "12", "idempotency_key": unique()})
    assert received.status_code == 302, received.text
    assert _balance(manager, point, product) == 12


def test_a_carried_products_price_and_threshold_change_from_the_point_page(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    changed = manager.form(f"/salespoints/{point}/assortment",
                           {"product_id": str(product), "selling_price": "99000", "reorder_threshold": "7"})
    assert changed.status_code == 302, changed.text
    item = _range(manager, point)[product]
    assert (item["selling_price"], item["reorder_threshold"]) == (99_000, 7)
    bad = manager.form(f"/salespoints/{point}/assortment", {"product_id": str(product), "selling_price": "-5"})
    assert bad.status_code == 422 and f'id="r{product}-e-selling_price"' in bad.text
    assert 'value="-5"' in bad.text  # the typed price is kept
    assert _range(manager, point)[product]["selling_price"] == 99_000


def test_the_range_refuses_what_receiving_would_refuse_with_the_same_message(shop, producer_id):
    point, organizer = shop["point"], shop["organizer"]
    manager = _english(shop["manager"])
    expired = make_product(organizer, producer_id, certified_on="2020-01-01")
    two_stars = make_product(organizer, producer_id, stars=2, score=40, certificate_number=None, certified_on=None)
    for product, reason in ((expired, "certificate expired on"), (two_stars, "Only OCOP products of 3 stars or more")):
        refused = manager.form(f"/salespoints/{point}/assortment",
                               {"product_id": str(product), "selling_price": "50000", "reorder_threshold": "0"})
        assert refused.status_code == 422, refused.text
        text = html.unescape(refused.text)
        assert reason in text and 'id="e-range-product"' in text
        assert product not in _range(manager, point)
    # the same words as a receipt of an expired product the API listed anyway
    carry(organizer, point, expired)
    receipt = manager.form(f"/salespoints/{point}/movements",
                           {"product_id": str(expired), "kind": "receipt", "quantity": "1", "idempotency_key": unique()})
    assert receipt.status_code == 422 and "certificate expired on" in html.unescape(receipt.text)


def test_only_those_who_may_change_a_point_change_its_range(shop, login, producer_id):
    point, organizer, manager = shop["point"], shop["organizer"], shop["manager"]
    elsewhere = make_point(organizer)
    product = make_product(organizer, producer_id)
    form = {"product_id": str(product), "selling_price": "10000", "reorder_threshold": "1"}
    assert manager.form(f"/salespoints/{elsewhere}/assortment", form).status_code == 403  # not a point they manage
    viewer = login("viewer")
    assert viewer.form(f"/salespoints/{point}/assortment", form).status_code == 403
    assert login("producer").form(f"/salespoints/{point}/assortment", form).status_code == 403
    assert product not in _range(manager, elsewhere) and product not in _range(manager, point)
    # those who may not change the point see its range without the forms to change it
    page = viewer.get(f"/salespoints/{point}", params={"q": "a"})
    assert page.status_code == 200 and 'id="range"' in page.text and f"/salespoints/{point}/assortment" not in page.text
    assert organizer.form(f"/salespoints/{elsewhere}/assortment", form).status_code == 302  # organizers anywhere


def test_a_transfer_refused_for_want_of_the_product_there_links_to_the_receiving_points_range(shop):
    point, product, organizer = shop["point"], shop["products"][0], shop["organizer"]
    manager = _english(shop["manager"])
    receiving = make_point(organizer)  # not managed by the manager, carries nothing
    assert move(manager, point, product, "receipt", 5).status_code == 201
    form = {"to_point_id": str(receiving), "product_id": str(product), "quantity": "2", "idempotency_key": unique()}
    refused = manager.form(f"/salespoints/{point}/transfers", form)
    assert refused.status_code == 422, refused.text
    link = f'href="/salespoints/{receiving}?add={product}#range"'
    assert link in refused.text and "ask them" in refused.text  # the manager may not change that point
    assert product not in _range(manager, receiving)  # nothing added behind anyone's back
    # an organizer, who may change the receiving point, is told to add it there; the link offers it
    _english(organizer)
    refused = organizer.form(f"/salespoints/{point}/transfers", {**form, "idempotency_key": unique()})
    assert refused.status_code == 422 and link in refused.text and "Add the product there" in refused.text
    offered = organizer.get(f"/salespoints/{receiving}", params={"add": product})
    assert f'name="product_id" value="{product}" required checked' in offered.text
    assert organizer.form(f"/salespoints/{receiving}/assortment",
                          {"product_id": str(product), "selling_price": "100000"}).status_code == 302
    assert manager.form(f"/salespoints/{point}/transfers", {**form, "idempotency_key": unique()}).status_code == 302
    assert _balance(manager, receiving, product) == 2 and _balance(manager, point, product) == 3
