"""In real Chromium at a phone's size: a shopper scans a product's QR stamp, checks the certificate, sees
the photo, and follows where-to-buy to the sales point's page — with no sideways scrolling anywhere."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.catalog.test_photos import jpeg_with_exif, upload
from tests.public.test_labels import _decoded
from tests.salespoints.conftest import move

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


def test_a_shopper_scans_the_qr_stamp_on_a_phone_and_finds_a_shop_that_has_it(browser, server, shop, shot):
    organizer, manager, point = shop["organizer"], shop["manager"], shop["point"]
    product_id = shop["products"][0]
    product = organizer.get(f"/api/v1/products/{product_id}").json()
    point_name = organizer.get(f"/api/v1/salespoints/{point}").json()["name"]
    assert move(manager, point, product_id, "receipt", 12).status_code == 201
    photo = upload(organizer, product_id, jpeg_with_exif(1600, 1200, 1)).json()
    assert upload(organizer, product_id, jpeg_with_exif(1200, 1600, 1)).status_code == 201  # a second, beside it

    # The address printed in the label's QR code is the one the phone opens.
    sheet = organizer.get(f"/labels/product/{product_id}", params={"layout": "3x8", "copies": 1})
    (address,) = _decoded(sheet.content, "3x8")
    assert address == f"{server}/p/{product['code']}"

    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        response = page.goto(address)
        assert response.status == 200
        verdict = page.locator("section.verdict")
        expect(verdict).to_have_class("verdict verdict-ok")
        expect(verdict.locator(".stars-glyphs")).to_have_text("★" * product["stars"])
        expect(verdict.locator(".stars-text")).to_have_text(f"{product['stars']} sao")  # the rating in words too
        expect(verdict).to_contain_text(dt.date.fromisoformat(product["expires_on"]).strftime("%d/%m/%Y"))
        expect(page.locator("h1")).to_have_text(product["name"])

        main_photo = page.locator(".gallery img").first
        expect(main_photo).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=main_photo.element_handle())
        # beside another, the photo is 85 % of the page's width (304 px) at 2 device pixels each: the phone size
        # (640 px wide) does, neither the thumbnail nor the display size (1200 px, twice the bytes and more)
        assert main_photo.evaluate("img => img.currentSrc").endswith(photo["phone_url"])
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        shot(page, "public-1-product-on-a-phone")

        link = page.locator(f"a[href='/s/{point}']")
        expect(link).to_have_text(point_name)
        with page.expect_navigation() as navigation:
            link.tap()
        assert navigation.value.status == 200
        page.wait_for_url(f"**/s/{point}")
        expect(page.locator("h1")).to_have_text(point_name)
        item = page.locator("ul.public-list li", has_text=product["name"])
        expect(item.locator(".badge")).to_have_class("badge status-valid")  # in stock, with no count shown
        expect(page.locator("a[href^='https://www.openstreetmap.org/search']")).to_have_count(1)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        shot(page, "public-2-sales-point-on-a-phone")
    finally:
        context.close()
