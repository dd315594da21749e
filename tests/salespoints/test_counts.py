"""Stock counts (kiểm kê): counted lines against the books, posted as corrections in the ledger."""

from __future__ import annotations

from tests.conftest import run
from tests.salespoints.conftest import move


def test_posting_a_count_brings_each_counted_lot_to_what_was_counted(shop):
    point, (first, second), manager = shop["point"], shop["products"], shop["manager"]
    assert move(manager, point, first, "receipt", 10, lot_code="A").status_code == 201
    assert move(manager, point, second, "receipt", 4).status_code == 201
    opened = manager.api("POST", f"/api/v1/salespoints/{point}/counts")
    assert opened.status_code == 201, opened.text
    count = opened.json()["id"]
    assert manager.api("POST", f"/api/v1/salespoints/{point}/counts").status_code == 409  # one open count at a time
    sheet = manager.api("PUT", f"/api/v1/salespoints/counts/{count}/lines", {"product_id": first, "lot_code": "A", "counted": 7})
    assert sheet.status_code == 200
    row = next(r for r in sheet.json()["rows"] if r["product_id"] == first)
    assert (row["booked"], row["counted"], row["difference"]) == (10, 7, -3)
    assert manager.api("PUT", f"/api/v1/salespoints/counts/{count}/lines", {"product_id": first, "counted": -1}).status_code == 422
    assert move(manager, point, first, "sale", 1, lot_code="A").status_code == 201  # sold while counting
    posted = manager.api("POST", f"/api/v1/salespoints/counts/{count}/post")
    assert posted.status_code == 201, posted.text
    balances = {(r["product_id"], r["lot_code"]): r["quantity"] for r in manager.get(f"/api/v1/salespoints/{point}/balances").json()}
    assert balances[(first, "A")] == 6 and balances[(second, "")] == 4  # 7 counted, 1 sold since; uncounted stay
    assert manager.api("POST", f"/api/v1/salespoints/counts/{count}/post").status_code == 422  # posted once
    from salespoints.services import ledger_differences

    assert run(ledger_differences()) == []


def test_counts_are_for_the_points_managers_only(shop, login):
    point = shop["point"]
    assert login("viewer").api("POST", f"/api/v1/salespoints/{point}/counts").status_code == 403


def test_a_count_is_entered_and_posted_from_its_page(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 5).status_code == 201
    opened = manager.form(f"/salespoints/{point}/counts", {})
    assert opened.status_code == 302
    count_url = opened.headers["location"]
    assert manager.form(f"{count_url}/lines", {"product_id": str(product), "lot_code": "", "counted": "3"}).status_code == 302
    page = manager.get(count_url)
    assert page.status_code == 200 and "-2" in page.text
    assert manager.form(f"{count_url}/post", {}).status_code == 302
    balances = manager.get(f"/api/v1/salespoints/{point}/balances").json()
    assert sum(r["quantity"] for r in balances if r["product_id"] == product) == 3
