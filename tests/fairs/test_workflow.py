"""A fair from draft to closed over HTTP: plan, applications, allocation, hand edits, publishing, the days."""

from __future__ import annotations

import datetime as dt

from tests.fairs.conftest import TODAY, move


def test_a_fair_runs_from_applications_to_a_published_plan_and_daily_figures(organizer, anonymous, make_fair, exhibitor):
    fair_id, zones = make_fair(starts_on=TODAY.isoformat(), ends_on=(TODAY + dt.timedelta(days=4)).isoformat())
    move(organizer, fair_id, "open")
    applied, products = [], []
    for stars in (3, 4, 5):
        producer, product = exhibitor(stars=stars)
        products.append(product)
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications", {
            "producer_id": producer, "product_ids": [product], "booths_wanted": 1, "zone_preferences": [zones["A"]]})
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "eligible"
        applied.append(response.json()["id"])
    move(organizer, fair_id, "allocating")
    run = organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation")
    assert run.status_code == 201, run.text
    assert run.json()["placed"] == 3 and run.json()["optimal"]
    applications = organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()
    assert {a["status"] for a in applications} == {"allocated"}
    assert all(a["explanation"] and len(a["booths"]) == 1 for a in applications)
    plan = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()
    assert sum(1 for b in plan["booths"] if b["state"] == "proposed") == 3
    assert anonymous.get(f"/f/{fair_id}").status_code == 404  # not public before publishing
    move(organizer, fair_id, "published")
    public = anonymous.get(f"/f/{fair_id}")
    assert public.status_code == 200 and "set-cookie" not in public.headers
    placed = organizer.get(f"/api/v1/fairs/applications/{applied[0]}").json()
    assert placed["producer_name"] in public.text
    booth = placed["booths"][0]
    assert placed["producer_name"] in anonymous.get(f"/f/{fair_id}/b/{booth}").text
    qr = anonymous.get(f"/f/{fair_id}/qr/{booth}.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert anonymous.get(f"/f/{fair_id}/qr/{booth}.svg", headers={"accept-encoding": "br"}).headers["content-encoding"] == "br"
    product_code = organizer.get(f"/api/v1/products/{products[0]}").json()["code"]
    assert f"/f/{fair_id}/b/{booth}" in anonymous.get(f"/p/{product_code}").text  # "at a fair now or soon"
    sheet = organizer.get(f"/labels/fair/{fair_id}")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    move(organizer, fair_id, "running")
    tomorrow = organizer.api("POST", f"/api/v1/fairs/{fair_id}/visitors",
                             {"day": (TODAY + dt.timedelta(days=1)).isoformat(), "visitors": 1200})
    assert tomorrow.status_code == 422 and "day" in tomorrow.json()["errors"]  # counted once the day has come
    day = TODAY
    assert organizer.api("POST", f"/api/v1/fairs/{fair_id}/visitors", {"day": day.isoformat(), "visitors": 1200}).status_code == 204
    sale = organizer.api("POST", f"/api/v1/fairs/{fair_id}/sales", {"application_id": applied[0], "day": day.isoformat(),
                                                                   "revenue": 2_500_000, "transactions": 31})
    assert sale.status_code == 204, sale.text
    days = organizer.get(f"/api/v1/fairs/{fair_id}/days").json()
    assert days[0]["visitors"] == 1200 and days[0]["revenue"] == 2_500_000
    for page in ("", "/plan", "/applications", "/days", "/plan.pdf"):
        assert organizer.get(f"/fairs/{fair_id}{page}").status_code == 200, page


def test_an_organizer_builds_a_plan_with_the_page_forms(organizer, login):
    from tests.fairs.conftest import fair_payload

    created = organizer.form("/fairs/new", fair_payload(starts_on="01/03/2027", ends_on="05/03/2027"))
    assert created.status_code == 302, created.text
    fair_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert organizer.form(f"/fairs/{fair_id}/zones", {"code": "a", "name": "Thủ công", "theme": "group",
                                                      "theme_value": "handicrafts"}).status_code == 302
    zone_id = organizer.get(f"/api/v1/fairs/{fair_id}/zones").json()[0]["id"]
    grid = organizer.form(f"/fairs/{fair_id}/grid", {"zone_id": zone_id, "rows": 2, "columns": 5, "x": 0, "y": 0,
                                                     "aisle": 3, "kind": "standard", "price": 0, "back_to_back": "1"})
    assert grid.status_code == 302, grid.text
    booths = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"]
    assert [b["code"] for b in booths][:3] == ["A01", "A02", "A03"] and len(booths) == 10
    assert {b["kind"] for b in booths if b["code"] in ("A01", "A05", "A06", "A10")} == {"corner"}
    target = booths[2]
    edited = organizer.form(f"/fairs/{fair_id}/booths/{target['id']}", {
        "zone_id": zone_id, "code": "A03", "x": target["x"], "y": target["y"], "width": 3, "depth": 3, "kind": "premium",
        "price": 2500000, "amenities": "power", "blocked": "1"})
    assert edited.status_code == 302, edited.text
    after = next(b for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"] if b["id"] == target["id"])
    assert after["kind"] == "premium" and after["blocked"] and after["state"] == "blocked" and after["amenities"] == ["power"]
    # Moving it onto its neighbour is refused, with the overlap named, and nothing changes.
    overlap = organizer.form(f"/fairs/{fair_id}/booths/{target['id']}", {
        "zone_id": zone_id, "code": "A03", "x": target["x"] + 1.5, "y": target["y"], "width": 3, "depth": 3,
        "kind": "premium", "price": 0})
    assert overlap.status_code == 422 and "A03" in overlap.text
    assert f'id="b{target["id"]}-f-code"' in overlap.text  # the refused booth's form is shown inline, open
    assert next(b for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"]
                if b["id"] == target["id"])["x"] == target["x"]
    page = organizer.get(f"/fairs/{fair_id}/plan")
    assert page.status_code == 200 and 'data-code="A03"' in page.text
    # Each booth's edit form is fetched when opened, not sent with the page.
    assert f'id="b{target["id"]}-f-code"' not in page.text and f"/booths/{target['id']}/edit" in page.text
    form = organizer.get(f"/fairs/{fair_id}/booths/{target['id']}/edit")
    assert form.status_code == 200 and f'id="b{target["id"]}-f-code"' in form.text and 'value="A03"' in form.text
    assert login("viewer").get(f"/fairs/{fair_id}/booths/{target['id']}/edit").status_code == 403
    assert organizer.get(f"/fairs/{fair_id}/booths/999999/edit").status_code == 404


def test_publishing_writes_one_notification_per_exhibitor_user_once(organizer, login, make_fair, users):
    from accounts.tables import User
    from catalog.tables import ProducerMember
    from core.tables import Notification
    from tests.conftest import product_payload, run

    producer_client = login("producer")
    user = run(User.select(User.id).where(User.username == users["producer"]).first())["id"]
    own = run(ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user).first())["producer"]
    product = organizer.api("POST", "/api/v1/products", product_payload(own)).json()["id"]
    fair_id, zones = make_fair()
    move(organizer, fair_id, "open")
    applied = producer_client.api("POST", f"/api/v1/fairs/{fair_id}/applications", {"producer_id": own, "product_ids": [product]})
    assert applied.status_code == 201, applied.text
    move(organizer, fair_id, "allocating")
    assert organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation").json()["placed"] == 1
    move(organizer, fair_id, "published")
    mine = run(Notification.select().where(Notification.recipient == user, Notification.key.like(f"fair:{fair_id}:%")))
    assert len(mine) == 1 and mine[0]["template"] == "fair_booths_published" and mine[0]["status"] == "pending"
    # Back to allocating and published again with the same booths: nothing new to say.
    move(organizer, fair_id, "allocating")
    move(organizer, fair_id, "published")
    assert run(Notification.count().where(Notification.recipient == user, Notification.key.like(f"fair:{fair_id}:%"))) == 1
    # The exhibitor confirms its booth on its own.
    confirmed = producer_client.api("POST", f"/api/v1/fairs/applications/{applied.json()['id']}/confirm")
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "confirmed"


def test_the_fair_page_states_its_booth_fee_in_words_and_amount(organizer):
    from tests.fairs.conftest import fair_payload

    organizer.cookies.set("lang", "vi")  # another test may have left the organizer's chosen language at English
    free = organizer.api("POST", "/api/v1/fairs", fair_payload()).json()["id"]
    fixed = organizer.api("POST", "/api/v1/fairs", fair_payload(fee_policy="fixed", fixed_fee=1_500_000)).json()["id"]
    assert "Miễn phí" in organizer.get(f"/fairs/{free}").text
    page = organizer.get(f"/fairs/{fixed}").text
    assert "Phí cố định mỗi gian hàng: 1.500.000" in page
