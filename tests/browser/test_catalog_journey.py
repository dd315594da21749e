"""In real Chromium: log in, create a product through the form, find it in the list."""

from __future__ import annotations

import re

from tests.conftest import PASSWORDS, unique


def test_organizer_logs_in_creates_a_product_and_sees_it_listed(page, server, users, producer_id, shot):
    page.goto(f"{server}/catalog/products/")
    assert "/login" in page.url  # anonymous visitors are sent to log in
    page.fill("#f-username", users["organizer"])
    page.fill("#f-password", PASSWORDS["organizer"])
    page.click("button[type=submit].button")
    page.wait_for_url("**/catalog/products**")
    shot(page, "catalog-1-products")

    page.click("a.button[href='/catalog/products/new']")
    page.wait_for_url("**/catalog/products/new")
    name = unique("Mật ong hoa nhãn Hưng Yên ")
    page.select_option("#f-producer_id", str(producer_id))
    page.fill("#f-name", name)
    page.select_option("#f-group_code", "food")
    page.fill("#f-score", "76")
    page.select_option("#f-stars", "4")
    page.fill("#f-certificate_number", unique("GCN-"))
    page.fill("#f-certified_on", "2025-06-01")
    page.fill("#f-reference_price", "150000")
    shot(page, "catalog-2-new-product")
    page.click("form.grid button[type=submit]")
    page.wait_for_url(re.compile(r".*/catalog/products/\d+$"))
    assert name in page.inner_text("h1")
    assert "01/06/2028" in page.content()
    shot(page, "catalog-3-product")

    page.goto(f"{server}/catalog/products/")
    page.wait_for_function("() => window.htmx !== undefined")  # deferred: a loaded machine runs it late
    page.fill("input[name=q]", name.lower().replace("ậ", "a").replace("ư", "u").replace("ê", "e"))  # typed without accents
    page.press("input[name=q]", "Tab")  # the change event also searches, should the input event come too early
    page.wait_for_selector(f"#results >> text={name}")
    shot(page, "catalog-4-found")


def test_phone_sized_screen_shows_the_list_readably(page, server, shot, sign_in):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "viewer", "/catalog/products/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # no sideways scrolling on a phone
    shot(page, "catalog-phone")
