"""In real Chromium on a phone-sized screen: a sales-point manager records a sale at the counter."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.salespoints.conftest import move


def test_manager_sells_from_the_point_page_on_a_phone(page, shop, shot, sign_in):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 5, lot_code="L-A").status_code == 201
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "salespoint_manager", f"/salespoints/{point}")
    shot(page, "counter-1-point")
    page.select_option("#f-product_id", str(product))
    page.select_option("#f-kind", "sale")
    page.fill("#f-quantity", "2")
    page.fill("#f-lot_code", "L-A")
    page.click("form.grid button[type=submit]")
    page.wait_for_url(f"**/salespoints/{point}")
    shot(page, "counter-2-sold")
    rows = manager.get(f"/api/v1/salespoints/{point}/balances").json()
    assert sum(r["quantity"] for r in rows if r["product_id"] == product) == 3
    assert page.locator("text=Bán hàng").count() >= 1  # the sale is listed among the latest movements
    assert page.evaluate("document.documentElement.scrollWidth") <= 400


def test_counter_sells_in_two_taps_and_keeps_sales_made_offline(page, context, shop, shot, sign_in):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 6).status_code == 201
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "salespoint_manager", f"/salespoints/{point}/counter")
    item = page.locator(f"#counter-items li[data-id='{product}'] button")
    item.click()
    page.click("#confirm")  # second tap: one sale recorded
    expect(page.locator("#queue-count")).to_have_text("0")
    page.wait_for_selector("#counter-log li.ok")
    shot(page, "counter-3-sale")

    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    item.click()
    page.fill("#qty", "2")
    page.click("#confirm")
    assert page.inner_text("#queue-count") == "1"  # kept while offline
    shot(page, "counter-4-offline")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue-count")).to_have_text("0")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second sync sends nothing twice
    page.wait_for_timeout(300)
    rows = manager.get(f"/api/v1/salespoints/{point}/balances").json()
    assert sum(r["quantity"] for r in rows if r["product_id"] == product) == 3
    shot(page, "counter-5-synced")
