"""In real Chromium on a phone: a producer applies to a fair with their products, finds their booth once the
organizer has allocated and published the plan, confirms it, and reads the set-up reminder in the inbox."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from catalog.services import today
from tests.browser.test_journey_manager import PHONE, fits_the_phone
from tests.browser.test_journey_organizer import catalogued, own_producer
from tests.conftest import unique
from tests.fairs.conftest import fair_payload, move
from tests.scheduler.conftest import db


@pytest.mark.browser_context_args(**PHONE)
def test_a_producer_applies_finds_the_booth_and_reads_the_set_up_reminder(page, users, login, shot, sign_in):
    from scheduler import clock
    from scheduler.rules.fairs import setup_tomorrow

    day = today()
    organizer = login("organizer")
    own = own_producer(users)
    products = [catalogued(organizer, own, "Mật ong bạc hà "), catalogued(organizer, own, "Mật ong hoa nhãn ")]
    # The organizer's part: a fair whose set-up day is tomorrow, one zone of booths, open for applications.
    fair = organizer.api("POST", "/api/v1/fairs", fair_payload(
        name=unique("Tuần hàng nông sản OCOP "), setup_on=(day + dt.timedelta(days=1)).isoformat(),
        starts_on=(day + dt.timedelta(days=2)).isoformat(), ends_on=(day + dt.timedelta(days=5)).isoformat()))
    assert fair.status_code == 201, fair.text
    fair_id, name = fair.json()["id"], fair.json()["name"]
    zone = organizer.api("POST", f"/api/v1/fairs/{fair_id}/zones", {"code": "A", "name": "Thực phẩm", "theme": "group",
                                                                    "theme_value": "food"})
    assert zone.status_code == 201, zone.text
    grid = organizer.api("POST", f"/api/v1/fairs/{fair_id}/booths/grid",
                         {"zone_id": zone.json()["id"], "rows": 1, "columns": 4, "amenities": ["power"]})
    assert grid.status_code == 201, grid.text
    hall = organizer.api("POST", f"/api/v1/fairs/{fair_id}/zones", {"code": "B", "name": "Sảnh chung"})
    assert hall.status_code == 201, hall.text
    move(organizer, fair_id, "open")

    # 1. The producer finds the fair and applies with both products.
    sign_in(page, "producer", "/fairs/")
    page.locator("table.table a", has_text=name).tap()
    page.wait_for_url(f"**/fairs/{fair_id}")
    expect(page.locator(".heading-row .badge")).to_have_class("badge fair-open")
    fits_the_phone(page)
    shot(page, "journey-producer-01-fair")
    page.locator(f"nav.tabs a[href='/fairs/{fair_id}/apply']").tap()
    page.wait_for_url(f"**/fairs/{fair_id}/apply")
    expect(page.locator("input[name=producer_id]")).to_have_value(str(own))  # their one producer, chosen already
    for product in products:
        page.locator(f"input[name=product_ids][value='{product}']").check()
    page.select_option("#f-booths_wanted", "1")
    page.locator("input[name=amenities][value=power]").check()
    # Preferences as the producer ranks them, not as the page lists them: B first, then A.
    page.select_option("#f-zone-1", str(hall.json()["id"]))
    page.select_option("#f-zone-2", str(zone.json()["id"]))
    page.fill("#f-notes", "Cần bàn trưng bày mật ong")
    fits_the_phone(page)
    shot(page, "journey-producer-02-apply")
    with page.expect_navigation(url=re.compile(r".*/fairs/applications/\d+$")):
        page.locator(f"form[action='/fairs/{fair_id}/apply'] button[type=submit]").tap()
    application = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".badge.application-eligible")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Mật ong bạc hà")
    expect(page.locator("dl.facts")).to_contain_text("Mật ong hoa nhãn")
    expect(page.locator("dl.facts ol li")).to_have_text(["B · Sảnh chung", "A · Thực phẩm"])  # the order given
    fits_the_phone(page)
    shot(page, "journey-producer-03-applied")

    # The organizer allocates the booths and publishes the floor plan.
    move(organizer, fair_id, "allocating")
    run = organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation")
    assert run.status_code == 201 and run.json()["placed"] == 1, run.text
    move(organizer, fair_id, "published")
    booth = organizer.get(f"/api/v1/fairs/applications/{application}").json()["booths"]
    assert len(booth) == 1
    booth = booth[0]

    # 2. Their booth: on their application (reached from the fair's applications), then confirmed.
    page.locator(f"h1 a[href='/fairs/{fair_id}']").tap()
    page.wait_for_url(f"**/fairs/{fair_id}")
    expect(page.locator(".heading-row .badge")).to_have_class("badge fair-published")
    page.locator(f"nav.tabs a[href='/fairs/{fair_id}/applications']").tap()
    page.wait_for_url(f"**/fairs/{fair_id}/applications")
    mine = page.locator(f"#application-{application}")
    expect(page.locator("table.applications tbody tr")).to_have_count(1)  # only their own
    expect(mine.locator("td").nth(4)).to_have_text(booth)
    mine.locator(f"a[href='/fairs/applications/{application}']").tap()
    page.wait_for_url(f"**/fairs/applications/{application}")
    expect(page.locator(".badge.application-allocated")).to_be_visible()
    expect(page.locator("p", has=page.locator(".badge")).locator("strong")).to_have_text(booth)
    expect(page.locator("p.explanation")).to_contain_text(booth)
    fits_the_phone(page)
    shot(page, "journey-producer-04-booth")
    with page.expect_navigation(url=f"**/fairs/applications/{application}"):
        page.locator(f"form[action='/fairs/applications/{application}/confirm'] button").tap()
    expect(page.locator(".badge.application-confirmed")).to_be_visible()
    page.locator(f"h1 a[href='/fairs/{fair_id}']").tap()
    page.wait_for_url(f"**/fairs/{fair_id}")
    page.locator(f"nav.tabs a[href='/fairs/{fair_id}/plan']").tap()
    page.wait_for_url(f"**/fairs/{fair_id}/plan")
    held = page.locator("#plan g.booth", has=page.locator("title", has_text=booth))
    expect(held).to_have_attribute("data-state", "confirmed")
    expect(page.locator("tr", has=page.locator("td", has_text=re.compile(f"^{booth}$")))).to_contain_text("HTX Test Producer")
    fits_the_phone(page)
    shot(page, "journey-producer-05-plan")

    # 3. The scheduler's rule for the eve of set-up writes the reminder; the producer reads it in the inbox.
    clock.set_now(dt.datetime.combine(day, dt.time(18), clock.VIETNAM))  # the eve of set-up, even past midnight
    try:
        assert db(setup_tomorrow, clock.now()) >= 1
    finally:
        clock.set_now(None)
    page.reload()
    expect(page.locator(".inbox-link .badge.count")).to_be_visible()  # the unread count, loaded by htmx
    page.locator(".inbox-link").tap()
    page.wait_for_url("**/inbox/")
    reminder = page.locator("article.message", has_text=re.compile(f"Ngày mai.*{re.escape(name)}"))
    expect(reminder).to_have_count(1)
    published = page.locator("article.message", has_text=f"Gian hàng của bạn tại {name}: {booth}")
    expect(published).to_have_count(1)  # written when the plan was published, each of its lines apart
    assert f"Ngày dàn dựng: {day + dt.timedelta(days=1):%d/%m/%Y}." in published.locator("p.pre").inner_text().splitlines()
    expect(reminder).to_have_class(re.compile(r"\bunread\b"))
    expect(reminder.locator("strong")).to_contain_text(booth)
    expect(reminder.locator("p.pre")).to_contain_text(f"/f/{fair_id}")
    fits_the_phone(page)
    shot(page, "journey-producer-06-reminder")
    with page.expect_navigation(url="**/inbox/"):
        reminder.locator("form button").tap()
    reminder = page.locator("article.message", has_text=re.compile(f"Ngày mai.*{re.escape(name)}"))
    expect(reminder).not_to_have_class(re.compile(r"\bunread\b"))
    expect(reminder.locator("form")).to_have_count(0)
    shot(page, "journey-producer-07-read")
