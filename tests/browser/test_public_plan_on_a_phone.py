"""In real Chromium at a phone's size: a visitor opens a published fair's page from its QR code and uses the
floor plan as a venue map — booth codes readable without zooming, the page never scrolling sideways (the plan
pans inside its own frame), buttons to zoom out to the whole plan and back in, a tap on a booth opens its page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fairs.conftest import exhibitor, make_fair, move, organizer  # noqa: F401  (fixtures shared with the fair tests)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= 390"
FITS_ITS_FRAME = """() => {
  const frame = document.querySelector('.plan-wrap'), plan = frame.querySelector('svg').getBoundingClientRect();
  const box = frame.getBoundingClientRect();
  return frame.scrollWidth <= frame.clientWidth && frame.scrollHeight <= frame.clientHeight
    && plan.left >= box.left && plan.right <= box.right && plan.top >= box.top && plan.bottom <= box.bottom;
}"""


def smallest(page, selector: str) -> float:
    return page.evaluate(f"Math.min(...[...document.querySelectorAll({selector!r})].map(t => t.getBoundingClientRect().height))")


@pytest.fixture
def published_fair(organizer, make_fair, exhibitor):  # noqa: F811
    """A published fair of two zones, 2 × 8 booths each (about 70 m wide), with two exhibitors placed."""
    fair_id, zones = make_fair(rows=2, columns=8)
    move(organizer, fair_id, "open")
    for stars in (4, 5):
        producer, product = exhibitor(stars=stars)
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications", {
            "producer_id": producer, "product_ids": [product], "booths_wanted": 1, "zone_preferences": [zones["A"]]})
        assert response.status_code == 201, response.text
    move(organizer, fair_id, "allocating")
    assert organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation").json()["placed"] == 2
    move(organizer, fair_id, "published")
    return fair_id


def test_a_visitor_reads_zooms_and_taps_the_floor_plan_on_a_phone(browser, server, published_fair, shot):
    context = browser.new_context(**PHONE)
    refusals: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: refusals.append(m.text) if "Content Security Policy" in m.text else None)
        assert page.goto(f"{server}/f/{published_fair}").status == 200
        plan = page.locator(".plan-wrap svg.floor-plan")
        expect(plan).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert smallest(page, "svg.floor-plan g.booth text") >= 11
        assert smallest(page, "svg.floor-plan .zone-name") >= 11
        shot(page, "public-plan-1-phone")

        zoom_in, zoom_out = page.locator("button[data-zoom=in]"), page.locator("button[data-zoom=out]")
        expect(zoom_out).to_be_visible()
        for _ in range(12):  # zooming out stops once the whole plan is in view
            if zoom_out.is_disabled():
                break
            zoom_out.tap()
        expect(zoom_out).to_be_disabled()
        assert page.evaluate(FITS_ITS_FRAME)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        shot(page, "public-plan-2-whole-plan")

        while smallest(page, "svg.floor-plan g.booth text") < 11:
            zoom_in.tap()
        assert not page.evaluate(FITS_ITS_FRAME)  # back to a readable scale: the plan pans in its frame
        assert page.evaluate(NO_SIDEWAYS_SCROLL)

        booth = page.locator("svg.floor-plan a[href$='/b/B16']")  # the last booth, far to the right
        with page.expect_navigation() as navigation:
            booth.tap()
        assert navigation.value.status == 200
        page.wait_for_url(f"**/f/{published_fair}/b/B16")
        expect(page.locator("h1")).to_contain_text("B16")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        shot(page, "public-plan-3-booth")

        page.goto(f"{server}/f/{published_fair}/b/A01")  # an exhibitor's booth, with products and the QR code
        expect(page.locator("h1")).to_contain_text("A01")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    finally:
        context.close()
    assert not refusals, refusals


def test_without_javascript_the_plan_is_readable_and_pans_in_its_frame(browser, server, published_fair):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        assert page.goto(f"{server}/f/{published_fair}").status == 200
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        assert smallest(page, "svg.floor-plan g.booth text") >= 11
        expect(page.locator("button[data-zoom=in]")).to_be_hidden()  # the buttons need the script
        frame = page.locator(".plan-wrap")
        assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    finally:
        context.close()


def test_on_a_wide_screen_the_whole_plan_fits_as_before(browser, server, published_fair):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        assert page.goto(f"{server}/f/{published_fair}").status == 200
        frame = page.locator(".plan-wrap")
        assert frame.evaluate("f => f.scrollWidth <= f.clientWidth")
        expect(page.locator("button[data-zoom=out]")).to_be_disabled()  # already the whole plan
        page.locator("button[data-zoom=in]").click()
        assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    finally:
        context.close()


def test_a_pinch_on_the_plan_zooms_the_plan_not_the_page(browser, server, published_fair):
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        assert page.goto(f"{server}/f/{published_fair}").status == 200
        plan = page.locator(".plan-wrap svg.floor-plan")
        served = float(plan.get_attribute("width"))
        frame = page.locator(".plan-wrap").bounding_box()
        pinch = context.new_cdp_session(page)  # Chromium's own two-finger gesture, as from a touch screen
        middle = {"x": frame["x"] + frame["width"] / 2, "y": frame["y"] + frame["height"] / 2, "gestureSourceType": "touch"}
        pinch.send("Input.synthesizePinchGesture", {**middle, "scaleFactor": 0.8})
        expect(plan).not_to_have_attribute("width", str(int(served)))
        narrower = float(plan.get_attribute("width"))
        assert narrower < served
        pinch.send("Input.synthesizePinchGesture", {**middle, "scaleFactor": 2})
        page.wait_for_function("w => document.querySelector('.plan-wrap svg').width.baseVal.value > w", arg=served)
        assert page.evaluate("visualViewport.scale") == 1  # the page itself did not zoom
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    finally:
        context.close()
