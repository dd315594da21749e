"""Quantities as traded: decimals in the reader's own notation, kept exactly, valued to the đồng,
and units of different lines never added together."""

from __future__ import annotations

import datetime as dt
import html
import re

from tests.agreements.conftest import TODAY, agreement_payload


def _form(buyer: dict, producer: dict, product: dict, quantity: str, price: str) -> dict:
    return {"status": "signed", "signed_on": (TODAY - dt.timedelta(days=3)).strftime("%d/%m/%Y"), "kind": "offtake",
            "buyer": f"{buyer['name']} [#{buyer['id']}]", "producers": f"{producer['name']} [#{producer['id']}]",
            "line_0_product": f"{product['name']} [#{product['id']}]", "line_0_quantity": quantity,
            "line_0_unit": "tấn", "line_0_unit_price": price, "fair_id": ""}


def _created(client, buyer_id: int) -> dict:
    newest = max(client.get("/api/v1/agreements", params={"buyer_id": buyer_id}).json()["items"], key=lambda a: a["id"])
    return client.get(f"/api/v1/agreements/{newest['id']}").json()


def test_decimal_quantities_are_typed_as_each_language_writes_them(organizer, buyer_id, supplier):
    producer_id, (product_id,) = supplier(1)
    buyer = organizer.get(f"/api/v1/buyers/{buyer_id}").json()
    producer = organizer.get(f"/api/v1/producers/{producer_id}").json()
    product = organizer.get(f"/api/v1/products/{product_id}").json()
    organizer.cookies.set("lang", "vi")
    made = organizer.form("/agreements/new", _form(buyer, producer, product, "2,5", "20.000.000"))
    assert made.status_code == 302, made.text[:2000]
    vietnamese = _created(organizer, buyer_id)
    assert (vietnamese["lines"][0]["quantity"], vietnamese["lines"][0]["value"]) == (2.5, 50_000_000)
    page = html.unescape(organizer.get(f"/agreements/{vietnamese['id']}").text)
    assert "2,5 tấn" in page
    organizer.cookies.set("lang", "en")
    made = organizer.form("/agreements/new", _form(buyer, producer, product, "1,200.25", "1,000"))
    assert made.status_code == 302, made.text[:2000]
    english = _created(organizer, buyer_id)
    assert (english["lines"][0]["quantity"], english["lines"][0]["value"]) == (1200.25, 1_200_250)
    assert "1,200.25 tấn" in html.unescape(organizer.get(f"/agreements/{english['id']}").text)

    # A delivery of half a tonne, typed the Vietnamese way on the agreement's page.
    organizer.cookies.set("lang", "vi")
    delivered = organizer.form(f"/agreements/{vietnamese['id']}/deliveries", {
        "line_id": str(vietnamese["lines"][0]["id"]), "delivered_on": (TODAY - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        "quantity": "0,5"})
    assert delivered.status_code in (302, 303), delivered.text[:2000]
    after = organizer.get(f"/api/v1/agreements/{vietnamese['id']}").json()
    assert (after["lines"][0]["delivered_quantity"], after["lines"][0]["remaining_quantity"]) == (0.5, 2.0)
    assert after["delivered_value"] == 10_000_000

    # More than three decimals is refused where it was typed, and nothing is saved.
    refused = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer_id, [product_id], lines=[
        {"product_id": product_id, "quantity": 2.5555, "unit": "tấn", "unit_price": 1000}]))
    assert refused.status_code == 422 and "lines.0.quantity" in refused.json()["errors"]


def test_units_of_different_lines_are_never_added_together(organizer, buyer_id, supplier):
    producer, (chicken, cocoa) = supplier(2)
    created = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, [], lines=[
        {"product_id": chicken, "quantity": 150, "unit": "kg", "unit_price": 180_000},
        {"product_id": cocoa, "quantity": 450, "unit": "túi", "unit_price": 60_000}], milestones=[
        {"due_on": (TODAY - dt.timedelta(days=30)).isoformat(), "description": "Gà đợt 1", "line": 0, "quantity": 100}]))
    assert created.status_code == 201, created.text
    agreement = created.json()
    lines = agreement["lines"]
    for line, quantity, day in ((lines[0], 100, -20), (lines[1], 20, -5)):  # the chicken ten days late; cocoa on time
        response = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/deliveries", {
            "line_id": line["id"], "delivered_on": (TODAY + dt.timedelta(days=day)).isoformat(), "quantity": quantity})
        assert response.status_code == 201, response.text
    after = organizer.get(f"/api/v1/agreements/{agreement['id']}").json()
    assert "on_time_quantity" not in after and "late_quantity" not in after  # no sum of kg and bags anywhere
    assert (after["on_time_value"], after["late_value"]) == (20 * 60_000, 100 * 180_000)
    assert [(line["on_time_quantity"], line["late_quantity"]) for line in after["lines"]] == [(0, 100), (20, 0)]
    organizer.cookies.set("lang", "en")
    page = html.unescape(organizer.get(f"/agreements/{agreement['id']}").text)
    card = re.search(r"<h2 class=\"stat-label\">Delivered on time / late</h2>(.*?)</div>", page, re.S).group(1)
    assert "1.200.000 ₫" in card and "18.000.000 ₫" in card and "6.2\xa0% on time" in card  # đồng, never units
