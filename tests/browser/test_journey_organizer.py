"""In real Chromium, the organizer's whole fair through the pages: the fair form, a floor plan from the
grid generator, two producers' applications, the allocation run, publishing, a day's visitors and a
booth's sales, an agreement signed at the fair, and the outcome report (preview and PDF)."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from catalog.services import today
from core.formatting import vnd
from tests.conftest import product_payload, run, unique


def own_producer(users) -> int:
    """The producer the test producer user acts for."""
    from accounts.tables import User
    from catalog.tables import ProducerMember

    user = run(User.select(User.id).where(User.username == users["producer"]).first())["id"]
    return run(ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user).first())["producer"]


def catalogued(organizer, producer_id: int, name: str) -> int:
    """A certified product of the producer, entered in the catalogue by the programme office."""
    response = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=unique(name)))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def move_to(page: Page, fair_id: int, status: str) -> None:
    """Presses the workflow button on the fair's page and waits for the page to come back in that state."""
    with page.expect_navigation(url=f"**/fairs/{fair_id}"):
        page.click(f"form[action='/fairs/{fair_id}/status'] button[value={status}]")
    expect(page.locator(".heading-row .badge")).to_have_class(f"badge fair-{status}")


def test_an_organizer_runs_a_fair_from_the_form_to_the_outcome_report(page, server, users, login, shot, sign_in):
    day = today()  # in Vietnam, as the server counts it: the fair runs from today
    name = unique("Hội chợ OCOP Hà Nội ")
    organizer, producer = login("organizer"), login("producer")
    own = own_producer(users)
    other = organizer.api("POST", "/api/v1/producers", {"name": unique("HTX Chè Thái Nguyên "), "kind": "cooperative",
                                                        "province_code": "thai-nguyen"})
    assert other.status_code == 201, other.text
    other = other.json()["id"]
    honey, tea = catalogued(organizer, own, "Mật ong hoa nhãn "), catalogued(organizer, other, "Chè Tân Cương ")
    buyer = organizer.api("POST", "/api/v1/buyers", {"name": unique("Siêu thị Co.opmart "), "kind": "supermarket_chain"})
    assert buyer.status_code == 201, buyer.text
    buyer = buyer.json()["id"]

    # 1. The fair form.
    sign_in(page, "organizer", "/fairs/")
    page.click("a.button[href='/fairs/new']")
    page.wait_for_url("**/fairs/new")
    page.fill("#f-name", name)
    page.select_option("#f-kind", "trade_fair")
    page.fill("#f-venue", "Cung Văn hoá Hữu nghị")
    page.select_option("#f-province_code", "ha-noi")
    page.fill("#f-starts_on", day.isoformat())
    page.fill("#f-ends_on", (day + dt.timedelta(days=2)).isoformat())
    page.select_option("#f-min_stars", "3")
    page.fill("#f-organizers", "Sở Công Thương Hà Nội")
    shot(page, "journey-organizer-01-fair-form")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/fairs/\d+$"))
    fair_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator(".heading-row .badge")).to_have_class("badge fair-draft")
    shot(page, "journey-organizer-02-fair-created")

    # 2. The floor plan: a zone, then two rows of four booths from the grid generator.
    page.click(f"nav.tabs a[href='/fairs/{fair_id}/plan']")
    page.wait_for_url(f"**/fairs/{fair_id}/plan")
    page.click("details.card summary")
    page.fill("#z-f-code", "A")
    page.fill("#z-f-name", "Thực phẩm")
    page.select_option("#z-f-theme", "group")
    page.fill("#z-f-theme_value", "food,beverages")
    with page.expect_navigation(url=f"**/fairs/{fair_id}/plan"):
        page.click(f"form[action='/fairs/{fair_id}/zones'] button[type=submit]")
    expect(page.locator("p.error")).to_have_count(0)
    page.click("details.card summary")
    page.select_option("#g-f-zone_id", label="A · Thực phẩm")
    page.fill("#g-f-rows", "2")
    page.fill("#g-f-columns", "4")
    page.check(f"form[action='/fairs/{fair_id}/grid'] input[name=amenities][value=power]")
    with page.expect_navigation(url=f"**/fairs/{fair_id}/plan"):
        page.click(f"form[action='/fairs/{fair_id}/grid'] button[type=submit]")
    expect(page.locator("p.error")).to_have_count(0)
    expect(page.locator("#plan g.booth")).to_have_count(8)
    expect(page.locator("#plan g.booth[data-state=free]")).to_have_count(8)
    shot(page, "journey-organizer-03-floor-plan")

    # 3. Applications: open the fair; the producer applies for their own products, and the organizer
    # enters a second producer's application for them; both are listed, eligible.
    page.click(f"h1 a[href='/fairs/{fair_id}']")
    page.wait_for_url(f"**/fairs/{fair_id}")
    move_to(page, fair_id, "open")
    zone = organizer.get(f"/api/v1/fairs/{fair_id}/zones").json()[0]["id"]
    for client, producer_id, product in ((producer, own, honey), (organizer, other, tea)):
        response = client.api("POST", f"/api/v1/fairs/{fair_id}/applications", {
            "producer_id": producer_id, "product_ids": [product], "booths_wanted": 1, "amenities": ["power"],
            "zone_preferences": [zone]})
        assert response.status_code == 201, response.text
    page.click(f"nav.tabs a[href='/fairs/{fair_id}/applications']")
    page.wait_for_url(f"**/fairs/{fair_id}/applications")
    rows = page.locator("table.applications tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.applications .badge.application-eligible")).to_have_count(2)
    shot(page, "journey-organizer-04-applications")

    # 4. Allocation: move to allocating and run the engine; each application gets a booth and its reason.
    page.click(f"h1 a[href='/fairs/{fair_id}']")
    page.wait_for_url(f"**/fairs/{fair_id}")
    move_to(page, fair_id, "allocating")
    with page.expect_navigation(url=f"**/fairs/{fair_id}/applications"):
        page.click(f"form[action='/fairs/{fair_id}/allocate'] button[type=submit]")
    expect(page.locator("table.applications .badge.application-allocated")).to_have_count(2)
    for row in rows.all():
        expect(row.locator("td").nth(4)).to_have_text(re.compile(r"^A\d+$"))
        expect(row.locator("td.explanation")).not_to_be_empty()
    shot(page, "journey-organizer-05-allocated")

    # 5. Publish the floor plan, then open the fair.
    page.click(f"h1 a[href='/fairs/{fair_id}']")
    page.wait_for_url(f"**/fairs/{fair_id}")
    move_to(page, fair_id, "published")
    expect(page.locator(f"nav.tabs a[href='/f/{fair_id}']")).to_be_visible()
    expect(page.locator(".cards .card").first.locator(".big-number")).to_have_text("2 / 8")
    shot(page, "journey-organizer-06-published")
    move_to(page, fair_id, "running")

    # 6. The day's visitors and a booth's sales.
    page.click(f"nav.tabs a[href='/fairs/{fair_id}/days']")
    page.wait_for_url(f"**/fairs/{fair_id}/days")
    page.fill("#v-f-day", day.isoformat())
    page.fill("#v-f-visitors", "1250")
    with page.expect_navigation(url=f"**/fairs/{fair_id}/days"):
        page.click(f"form[action='/fairs/{fair_id}/visitors'] button[type=submit]")
    exhibitor = page.locator("#s-f-application_id option", has_text=re.compile("HTX Chè Thái Nguyên"))
    page.select_option("#s-f-application_id", exhibitor.get_attribute("value"))
    page.fill("#s-f-day", day.isoformat())
    page.fill("#s-f-revenue", "4500000")
    page.fill("#s-f-transactions", "36")
    with page.expect_navigation(url=f"**/fairs/{fair_id}/days"):
        page.click(f"form[action='/fairs/{fair_id}/sales'] button[type=submit]")
    expect(page.locator("p.error")).to_have_count(0)
    first_day = page.locator("table.table").first.locator("tbody tr").first
    expect(first_day).to_contain_text("1.250")
    expect(first_day).to_contain_text(vnd(4_500_000))
    expect(page.locator("section.card table tbody")).to_contain_text("HTX Chè Thái Nguyên")
    shot(page, "journey-organizer-07-visitors-and-sales")

    # 7. An agreement signed at the fair: the buyer and producer from the lists, a line of the producer's tea.
    page.click("header nav a[href='/agreements/']")
    page.wait_for_url("**/agreements/")
    page.click("a.button[href='/agreements/new']")
    page.wait_for_url("**/agreements/new")
    page.select_option("#f-fair_id", str(fair_id))
    page.fill("#f-buyer", page.locator(f'#buyer-list option[value$="[#{buyer}]"]').get_attribute("value"))
    page.fill("#f-producer-0", page.locator(f'#producer-list option[value$="[#{other}]"]').get_attribute("value"))
    with page.expect_response(lambda r: "/agreements/products?" in r.url):
        page.press("#f-producer-0", "Tab")  # leaving the field: htmx offers the producer's products
    product = page.locator(f'#product-list option[value$="[#{tea}]"]')
    expect(product).to_have_count(1)
    page.fill("[name=line_0_product]", product.get_attribute("value"))
    page.fill("[name=line_0_quantity]", "2.000")
    page.fill("[name=line_0_unit]", "hộp")
    page.fill("[name=line_0_unit_price]", "85.000")
    page.select_option("#f-kind", "offtake")
    page.fill("#f-buyer_signatory", "Nguyễn Văn An")
    page.fill("#f-producer_0_signatory", "Lò Thị Mai")
    shot(page, "journey-organizer-08-agreement-form")
    with page.expect_navigation(url=re.compile(r".*/agreements/\d+$")):
        page.click("form[action='/agreements/new'] button[type=submit]")
    expect(page.locator(".badge.agreement-signed")).to_be_visible()
    expect(page.locator(f"dl.facts a[href='/fairs/{fair_id}']")).to_have_text(name)
    expect(page.locator(".cards .card").first.locator(".big-number")).to_have_text(vnd(2_000 * 85_000))
    shot(page, "journey-organizer-09-agreement")

    # 8. The outcome report: from the fair's reports, the preview, and its PDF link answers with a PDF.
    page.click(f"dl.facts a[href='/fairs/{fair_id}']")
    page.wait_for_url(f"**/fairs/{fair_id}")
    page.click(f"nav.tabs a[href='/fairs/{fair_id}/reports']")
    page.wait_for_url(f"**/fairs/{fair_id}/reports")
    page.click(f"a.button[href='/fairs/{fair_id}/reports/outcome']")
    page.wait_for_url(f"**/fairs/{fair_id}/reports/outcome")
    expect(page.locator(".report-cover h1")).to_contain_text(name)
    expect(page.locator("#overview .report-figure").first).to_be_visible()
    expect(page.locator("#overview")).to_contain_text("1.250")
    shot(page, "journey-organizer-10-report")
    pdf_link = page.locator(".report-actions a.button", has_text="PDF")
    # The first report of a fresh server starts its print workers: give it time.
    pdf = page.request.get(f"{server}{pdf_link.get_attribute('href')}", timeout=60_000)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
