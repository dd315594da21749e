"""In real Chromium: an organizer runs a connection conference's meetings from its page, from the room and the
registrations to an agreement recorded from a meeting held, which the funnel then counts."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.formatting import vietnam_today
from tests.conftest import product_payload, unique
from tests.fairs.conftest import fair_payload


def test_an_organizer_runs_a_conference_from_registration_to_an_agreement(page, login, sign_in):
    organizer = login("organizer")
    fair = organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")).json()["id"]
    buyer_name = unique("Siêu thị Xanh ")
    organizer.api("POST", "/api/v1/buyers", {"name": buyer_name, "kind": "supermarket_chain"})
    producer_name = unique("HTX Chè Tân Cương ")
    producer = organizer.api("POST", "/api/v1/producers", {"name": producer_name, "kind": "cooperative",
                                                            "province_code": "thai-nguyen"}).json()["id"]
    product_name = unique("Chè búp ")
    organizer.api("POST", "/api/v1/products", product_payload(producer, name=product_name))

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "organizer", f"/fairs/{fair}/meetings/")
    page.fill("#room-f-tables", "4")
    page.fill("#room-f-morning_slots", "3")
    page.fill("#room-f-afternoon_slots", "3")
    page.click("#room-title ~ form button[type=submit]")
    expect(page.locator("main")).to_contain_text("4")  # 4 tables, 6 slots

    page.select_option("#buyer-f-party_id", label=buyer_name)
    page.select_option("#buyer-f-min_stars", "4")
    page.check("input[name=groups][value=food]")
    page.click("#register-buyer-title ~ form button[type=submit]")
    page.select_option("#producer-f-party_id", label=producer_name)
    page.click("#register-producer-title ~ form button[type=submit]")
    participants = page.locator("#participants-title ~ ul")
    expect(participants).to_contain_text(buyer_name)
    expect(participants).to_contain_text(producer_name)
    expect(page.locator("#matches-title ~ ul")).to_contain_text("100/100")  # food, 4 stars: what the buyer looks for

    page.click("text=Xếp lịch gặp")  # run the schedule
    row = page.locator("tr[id^=meeting-]").first
    expect(row).to_contain_text(buyer_name)
    page.click("text=Xác nhận lịch gặp dự kiến")  # confirm the draft
    row = page.locator("tr[id^=meeting-]").first
    row.locator("button[value=held]").click()
    row = page.locator("tr[id^=meeting-]").first
    row.locator("a", has_text="Ghi nhận thỏa thuận").click()

    page.wait_for_url(re.compile(rf".*/fairs/{fair}/meetings/\d+/agreement$"))
    page.select_option("#f-product_id", label=product_name)
    page.fill("#f-quantity", "200")
    page.fill("#f-unit_price", "150000")
    page.click("form button[type=submit].button")
    page.wait_for_url(re.compile(r".*/agreements/\d+$"))
    expect(page.locator("main")).to_contain_text(buyer_name)
    expect(page.locator("main")).to_contain_text(producer_name)

    funnel = organizer.get(f"/api/v1/fairs/{fair}/matchmaking/funnel").json()
    assert (funnel["held"], funnel["agreements"], funnel["committed_value"]) == (1, 1, 30_000_000)
    page.goto(f"{page.url.split('/agreements')[0]}/fairs/{fair}/meetings/")
    expect(page.locator("tr[id^=meeting-] a[href^='/agreements/']")).to_have_count(1)


def test_participants_act_through_their_own_links_on_a_phone(page, login, server):
    """A buyer opens its link, states its needs, says it must meet a producer and asks; the producer accepts on its
    own link; once the schedule is confirmed and the meeting has begun, the buyer marks it held."""
    import datetime as dt

    from matchmaking.tables import MeetingSlot
    from tests.conftest import run
    from tests.matchmaking.conftest import ok

    organizer = login("organizer")
    fair = ok(organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")))["id"]
    base = f"/api/v1/fairs/{fair}/matchmaking"
    ok(organizer.api("PUT", f"{base}/room", {"day": vietnam_today().isoformat(), "tables": 2,
                                             "sessions": [{"starts": "08:30", "slots": 4}]}), 200)
    buyer_name, producer_name = unique("Chuỗi Bách Hóa "), unique("HTX Mật ong ")
    buyer = ok(organizer.api("POST", "/api/v1/buyers", {"name": buyer_name, "kind": "supermarket_chain"}))["id"]
    producer = ok(organizer.api("POST", "/api/v1/producers", {"name": producer_name, "kind": "cooperative",
                                                              "province_code": "son-la"}))["id"]
    product = ok(organizer.api("POST", "/api/v1/products", product_payload(producer, name=unique("Mật ong "))))["id"]
    buyer_id = ok(organizer.api("POST", f"{base}/participants", {"side": "buyer", "buyer_id": buyer}))["id"]
    producer_id = ok(organizer.api("POST", f"{base}/participants", {"side": "producer", "producer_id": producer,
                                                                     "product_ids": [product]}))["id"]
    links = {int(k): re.sub(r"^https?://[^/]+", server, v) for k, v in ok(organizer.get(f"{base}/links"), 200).items()}

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(links[buyer_id])
    expect(page.locator("h1")).to_contain_text(buyer_name)
    page.check("input[name=groups][value=food]")
    page.fill("#f-price_max", "300.000")
    page.click("#needs-title ~ form button[type=submit]")
    expect(page.locator("input[name=groups][value=food]")).to_be_checked()
    match = page.locator("#matches-title ~ ul li", has_text=producer_name)
    match.locator("button[value=must]").click()
    match = page.locator("#matches-title ~ ul li", has_text=producer_name)
    expect(match.locator("button[value=must]")).to_have_attribute("aria-pressed", "true")
    match.locator("form[action$='/requests'] button").click()
    expect(page.locator("#requests-title ~ ul")).to_contain_text(producer_name)

    page.goto(links[producer_id])
    page.locator("#requests-title ~ ul li", has_text=buyer_name).locator("button[value='1']").click()
    expect(page.locator("#requests-title ~ ul")).to_contain_text("Đã nhận lời")

    ok(organizer.api("POST", f"{base}/schedule"))
    ok(organizer.api("POST", f"{base}/schedule/confirm"))
    run(MeetingSlot.update({MeetingSlot.starts_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)}).where(
        MeetingSlot.fair == fair))
    page.goto(links[buyer_id])
    row = page.locator("tr[id^=meeting-]", has_text=producer_name)
    row.locator("button[value=held]").click()
    expect(page.locator("tr[id^=meeting-]", has_text=producer_name).locator(".meeting-status")).to_have_text("Đã gặp")
    (meeting,) = ok(organizer.get(f"{base}/meetings"), 200)
    assert meeting["status"] == "held" and (meeting["buyer"], meeting["producer"]) == (buyer_id, producer_id)
