"""In real Chromium on a phone: a sales-point manager receives goods at the counter, sells in two taps,
counts the stock and posts the count, and sees what is low; no page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.salespoints.conftest import carry

LOW_STOCK = re.compile("^(Sắp hết hàng|Low stock)$")  # the heading of the low-stock list
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def fits_the_phone(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= PHONE["viewport"]["width"], f"the page scrolls sideways: {widths}"


def counter_ready(page: Page) -> None:
    """counter.js has started: it shows whether the phone is online."""
    page.wait_for_function("() => document.getElementById('net-state').textContent !== ''")


@pytest.mark.browser_context_args(**PHONE)
def test_a_manager_receives_sells_counts_and_sees_low_stock_on_a_phone(page, shop, shot, sign_in):
    point, (first, second), organizer, manager = shop["point"], shop["products"], shop["organizer"], shop["manager"]
    carry(organizer, point, first, price=180_000, threshold=5)  # the office sets when each is low
    carry(organizer, point, second, price=95_000, threshold=2)
    names = {p: organizer.get(f"/api/v1/products/{p}").json()["name"] for p in (first, second)}

    def stock_line(product: int):  # the product's line in the stock on hand (the movements do not link it)
        return page.locator(f"tr:has(a[href='/catalog/products/{product}'])")

    def count_line(product: int):
        return page.locator("table.table tbody tr", has_text=names[product])

    def on_hand() -> set[tuple]:
        return {(b["product_id"], b["lot_code"], b["quantity"])
                for b in manager.get(f"/api/v1/salespoints/{point}/balances").json()}

    sign_in(page, "salespoint_manager", f"/salespoints/{point}")
    # Nothing received yet: both products are out of stock, so both are listed as low.
    expect(page.locator("section.card", has=page.locator("h2", has_text=LOW_STOCK)).locator("li")).to_have_count(2)
    fits_the_phone(page)
    shot(page, "journey-manager-01-point")

    # 1. Goods received at the counter: "receipt", then 12 of the first product (lot L-2511) and 6 of the second (no lot).
    page.locator(f"a.button[href='/salespoints/{point}/counter']").tap()
    page.wait_for_url(f"**/salespoints/{point}/counter")
    counter_ready(page)
    page.locator("input[name=counter-kind][value=receipt]").tap()
    for number, (product, quantity, lot) in enumerate(((first, "12", "L-2511"), (second, "6", ""))):
        item = page.locator(f"#counter-items li[data-id='{product}'] button")
        item.tap()
        expect(page.locator("#counter-sheet")).to_be_visible()
        expect(page.locator("#lot")).to_have_value("")  # a receipt names its own lot
        page.fill("#qty", quantity)
        page.fill("#lot", lot)
        page.locator("#confirm").tap()
        expect(page.locator("#counter-log li.ok")).to_have_count(number + 1)
        expect(item.locator(".stock")).to_have_text(quantity)
    expect(page.locator("#queue-count")).to_have_text("0")
    fits_the_phone(page)
    shot(page, "journey-manager-02-received")
    assert on_hand() == {(first, "L-2511", 12), (second, "", 6)}

    # 2. On the point's page the goods are in stock; then a sale in two taps on the counter opened
    # afresh: the product, then "Record" (the lot on hand is taken).
    page.locator(f"h1 a[href='/salespoints/{point}']").tap()
    page.wait_for_url(f"**/salespoints/{point}")
    expect(stock_line(first)).to_contain_text("L-2511")
    expect(stock_line(second)).to_contain_text("6")
    page.locator(f"a.button[href='/salespoints/{point}/counter']").tap()
    page.wait_for_url(f"**/salespoints/{point}/counter")
    counter_ready(page)
    expect(page.locator("input[name=counter-kind][value=sale]")).to_be_checked()
    item = page.locator(f"#counter-items li[data-id='{first}'] button")
    item.tap()
    expect(page.locator("#lot")).to_have_value("")  # empty: the lots on hand are taken, soonest expiry first
    page.locator("#confirm").tap()
    expect(page.locator("#counter-log li.ok")).to_have_count(3)  # the two receipts, kept from before, and the sale
    expect(page.locator("#counter-log li.ok").first).to_contain_text("× 1")
    expect(page.locator("#counter-log li.refused")).to_have_count(0)
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(item.locator(".stock")).to_have_text("11")
    fits_the_phone(page)
    shot(page, "journey-manager-03-sold")
    assert on_hand() == {(first, "L-2511", 11), (second, "", 6)}

    # 3. A stock count, opened from the point's page: 4 of the first on the shelf (7 fewer than booked), the second
    # as booked; then posted.
    page.locator(f"h1 a[href='/salespoints/{point}']").tap()
    page.wait_for_url(f"**/salespoints/{point}")
    expect(stock_line(first).locator("td").nth(3)).to_have_text("11")
    with page.expect_navigation(url=re.compile(r".*/salespoints/counts/\d+$")):
        page.locator(f"form[action='/salespoints/{point}/counts'] button[type=submit]").tap()
    expect(count_line(first).locator("td").nth(2)).to_have_text("11")
    expect(count_line(second).locator("td").nth(2)).to_have_text("6")
    fits_the_phone(page)
    shot(page, "journey-manager-04-count-open")
    for product, counted in ((first, "4"), (second, "6")):
        count_line(product).locator("input[name=counted]").fill(counted)
        with page.expect_navigation(url=re.compile(r".*/salespoints/counts/\d+$")):
            count_line(product).locator("button[type=submit]").tap()
        expect(count_line(product).locator("input[name=counted]")).to_have_value(counted)
    expect(count_line(first).locator("td").nth(4)).to_have_text("-7")
    expect(count_line(first)).to_have_class("bad")
    expect(count_line(second).locator("td").nth(4)).to_have_text("0")
    expect(count_line(second)).not_to_have_class("bad")
    fits_the_phone(page)
    shot(page, "journey-manager-05-counted")
    with page.expect_navigation(url=f"**/salespoints/{point}"):
        page.locator("button[formaction$='/post']").tap()

    # 4. Back on the point's page: the first, 4 on hand, at or under its threshold of 5, is listed as low; the second is not.
    low = page.locator("section.card", has=page.locator("h2", has_text=LOW_STOCK))
    expect(low).to_be_visible()
    expect(low.locator("li")).to_have_count(1)
    expect(low.locator("li")).to_contain_text(f"{names[first]}: 4")
    expect(stock_line(first)).to_have_class("bad")
    expect(stock_line(second)).not_to_have_class("bad")
    fits_the_phone(page)
    shot(page, "journey-manager-06-low-stock")
    assert on_hand() == {(first, "L-2511", 4), (second, "", 6)}
