"""In real Chromium, under the Content-Security-Policy: the pages the other journeys do not open still
work, with nothing refused (the `page` fixture fails a test on any refusal the browser reports)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import run, unique
from tests.fairs.conftest import exhibitor, make_fair, move, organizer  # noqa: F401  (fixtures shared with the fair tests)


def test_piccolo_admin_works_under_its_policy(page, sign_in):
    sign_in(page, "admin", "/")
    page.goto(page.url.rstrip("/") + "/admin/")
    page.locator("a:visible", has_text="Producer").first.click()
    add = page.locator(":text-is('Add Row'), :text-is('ADD ROW')").first
    expect(add).to_be_visible()
    add.click()
    expect(page.get_by_text("Add Producer")).to_be_visible()


def test_filters_without_inline_handlers_on_a_fair(page, server, organizer, make_fair, exhibitor, sign_in):  # noqa: F811
    fair_id, _ = make_fair(rows=1, columns=4)
    move(organizer, fair_id, "open")
    names = []
    for _ in range(2):
        producer, product = exhibitor()
        assert organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                             {"producer_id": producer, "product_ids": [product]}).status_code == 201
        names.append(organizer.get(f"/api/v1/producers/{producer}").json()["name"])
    move(organizer, fair_id, "allocating")
    assert organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation").json()["placed"] == 2
    move(organizer, fair_id, "published")

    # the public page's exhibitor search (a script file, no oninput)
    page.goto(f"{server}/f/{fair_id}")
    items = page.locator(".exhibitors li")
    expect(items).to_have_count(2)
    page.fill("input[data-filter]", names[0][-6:])
    expect(items.filter(has_text=names[0])).to_be_visible()
    expect(items.filter(has_text=names[1])).to_be_hidden()

    # the organizer's application list submits its status filter on change (no onchange)
    sign_in(page, "organizer", f"/fairs/{fair_id}/applications")
    with page.expect_navigation(url=f"**/fairs/{fair_id}/applications?status=allocated"):
        page.select_option("select[name=status]", "allocated")
    expect(page.locator("table.applications tbody tr")).to_have_count(2)


def test_an_emails_preview_keeps_its_inline_styles_and_runs_nothing(page, sign_in, users):
    from accounts.tables import User
    from core.outbox import enqueue_notification
    from core.tables import Notification

    key = unique("csp-preview-")
    user = run(User.select(User.id).where(User.username == users["organizer"]).first())["id"]
    run(enqueue_notification(key, user, "report_ready", {"artifact_id": 1, "title": "Báo cáo", "version": 1, "pages": 3,
                                                        "fair_id": None}))
    notification = run(Notification.select(Notification.id).where(Notification.key == key).first())["id"]
    sign_in(page, "organizer", f"/notifications/{notification}")
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.locator("body")).to_contain_text("Báo cáo")
    # the email's banner is styled by its own style attribute, allowed on this page only
    banner = frame.locator("div").first
    expect(banner).to_have_css("background-color", "rgb(31, 122, 61)")


def test_the_product_pages_json_ld_is_data_the_policy_leaves_alone(page, server, organizer, exhibitor):  # noqa: F811
    _, product = exhibitor()
    code = organizer.get(f"/api/v1/products/{product}").json()["code"]
    page.goto(f"{server}/p/{code}")
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert data["@type"] == "Product" and data["sku"] == code
