"""Bad input to a fair over HTTP: each case is refused with a clear 4xx naming the field (or a titled
problem) and leaves the fair exactly as it was. Two cases are not errors at all: an ineligible
product gives a kept, ineligible application, and a booth nobody has gives a waitlisted one."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from fairs.enums import FairStatus
from tests.fairs.conftest import TODAY, fair_payload, move

FIRST_DAY = TODAY + dt.timedelta(days=30)
LAST_DAY = TODAY + dt.timedelta(days=34)
COLUMNS = ("zone", "code", "x", "y", "width", "depth", "kind", "amenities", "price")


@pytest.fixture
def organizer(organizer):
    organizer.cookies.set("lang", "en")  # messages checked below are the English msgids
    return organizer


def fair(client, fair_id: int) -> dict:
    response = client.get(f"/api/v1/fairs/{fair_id}")
    assert response.status_code == 200, response.text
    return response.json()


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


def field_errors(response) -> dict[str, str]:
    body = problem(response, 422)
    assert body["errors"], body
    return body["errors"]


def import_csv(client, fair_id: int, rows: list[tuple]):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return client.post(f"/api/v1/fairs/{fair_id}/booths/import", headers={"x-csrftoken": client.csrf()},
                       files={"file": ("booths.csv", text.getvalue().encode(), "text/csv")})


def apply(client, fair_id: int, producer_id: int, product_ids: list[int], **fields):
    return client.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                      {"producer_id": producer_id, "product_ids": product_ids, **fields})


def running_fair(organizer, make_fair, exhibitor) -> tuple[int, int]:
    """A running fair with one exhibitor holding one booth: (fair id, application id)."""
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    producer, product = exhibitor()
    application = apply(organizer, fair_id, producer, [product])
    assert application.status_code == 201, application.text
    move(organizer, fair_id, "allocating")
    booth = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"][0]["id"]
    assigned = organizer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                             {"application_id": application.json()["id"], "booth_ids": [booth]})
    assert assigned.status_code == 204, assigned.text
    move(organizer, fair_id, "published")
    move(organizer, fair_id, "running")
    return fair_id, application.json()["id"]


def days(client, fair_id: int) -> list[dict]:
    return client.get(f"/api/v1/fairs/{fair_id}/days").json()


# -- floor plans ----------------------------------------------------------------------------------


def test_overlapping_booths_in_an_import_are_refused_and_nothing_is_saved(organizer, make_fair):
    fair_id, _ = make_fair()
    before = fair(organizer, fair_id)["booths"]
    response = import_csv(organizer, fair_id, [
        ("A", "A20", 0, 10, 3, 3, "standard", "power,water", 0),  # fine on its own
        ("A", "A21", 20, 10, 3, 3, "standard", "", 0),
        ("A", "A22", 21.5, 11, 3, 3, "standard", "", 0),  # half on A21
    ])
    errors = field_errors(response)
    assert any("overlap" in message and "A21" in message and "A22" in message for message in errors.values()), errors
    assert fair(organizer, fair_id)["booths"] == before


def test_duplicated_booth_codes_in_an_import_are_refused_and_nothing_is_saved(organizer, make_fair):
    fair_id, _ = make_fair()
    before = fair(organizer, fair_id)["booths"]
    response = import_csv(organizer, fair_id, [
        ("A", "A30", 0, 10, 3, 3, "standard", "", 0),
        ("A", "A30", 6, 10, 3, 3, "standard", "", 0),
    ])
    errors = field_errors(response)
    assert "A30" in errors["code"] and "twice" in errors["code"], errors
    assert fair(organizer, fair_id)["booths"] == before


def test_an_imported_booth_code_already_in_the_plan_is_refused_and_nothing_is_saved(organizer, make_fair):
    fair_id, _ = make_fair()
    before = fair(organizer, fair_id)["booths"]
    response = import_csv(organizer, fair_id, [
        ("A", "A40", 0, 10, 3, 3, "standard", "", 0),
        ("A", "a01", 6, 10, 3, 3, "standard", "", 0),  # A01 comes from the grid; codes ignore case
    ])
    errors = field_errors(response)
    assert "A01" in errors["code"], errors
    assert fair(organizer, fair_id)["booths"] == before


def test_an_imported_booth_on_top_of_an_existing_one_is_refused_and_nothing_is_saved(organizer, make_fair):
    fair_id, _ = make_fair()
    before = fair(organizer, fair_id)["booths"]
    response = import_csv(organizer, fair_id, [("A", "A50", 1, 1, 3, 3, "standard", "", 0)])
    errors = field_errors(response)
    assert any("overlap" in message and "A50" in message for message in errors.values()), errors
    assert fair(organizer, fair_id)["booths"] == before


def test_an_import_without_a_file_or_without_booths_is_refused_and_nothing_is_saved(organizer, make_fair):
    fair_id, _ = make_fair()
    before = fair(organizer, fair_id)["booths"]
    response = organizer.post(f"/api/v1/fairs/{fair_id}/booths/import", headers={"x-csrftoken": organizer.csrf()},
                              files={"sheet": ("booths.csv", b"zone,code,x,y\nA,A60,0,10\n", "text/csv")})
    assert "Choose a file" in field_errors(response)["file"]
    assert "no booths" in field_errors(import_csv(organizer, fair_id, []))["file"]
    assert fair(organizer, fair_id)["booths"] == before


def test_a_grid_that_overlaps_existing_booths_is_refused_and_nothing_is_saved(organizer, make_fair):
    fair_id, zones = make_fair()
    before = fair(organizer, fair_id)["booths"]
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/booths/grid",
                             {"zone_id": zones["A"], "rows": 2, "columns": 3, "x": 4.5, "y": 1.0, "prefix": "N"})
    errors = field_errors(response)
    assert any("overlap" in message and "N01" in message for message in errors.values()), errors
    assert fair(organizer, fair_id)["booths"] == before
    assert not [b for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"] if b["code"].startswith("N")]


# -- applications -----------------------------------------------------------------------------------


def test_an_application_for_more_booths_than_exist_of_its_type_is_refused(organizer, make_fair, exhibitor):
    fair_id, _ = make_fair(columns=3)  # per zone: corner, standard, corner → 2 standard booths in the fair
    move(organizer, fair_id, "open")
    producer, product = exhibitor()
    errors = field_errors(apply(organizer, fair_id, producer, [product], booths_wanted=3, booth_kind="standard"))
    assert "only 2 booths" in errors["booths_wanted"], errors
    errors = field_errors(apply(organizer, fair_id, producer, [product], booths_wanted=1, booth_kind="premium"))
    assert "only 0 booths" in errors["booths_wanted"], errors
    assert organizer.get(f"/api/v1/fairs/{fair_id}/applications").json() == []
    assert fair(organizer, fair_id)["applications"] == 0


def test_an_application_listing_another_producers_products_is_refused(organizer, make_fair, exhibitor):
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    producer, own = exhibitor()
    _, foreign = exhibitor()
    errors = field_errors(apply(organizer, fair_id, producer, [own, foreign]))
    assert "not this producer" in errors["product_ids"], errors
    assert organizer.get(f"/api/v1/fairs/{fair_id}/applications").json() == []
    assert fair(organizer, fair_id)["applications"] == 0


def test_a_product_whose_certificate_expires_during_the_fair_gives_an_ineligible_application_naming_it(
        organizer, make_fair, exhibitor):
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    expires = LAST_DAY - dt.timedelta(days=2)
    producer, product = exhibitor(name="Trà shan tuyết hết hạn", certified_on="2022-06-01", expires_on=expires.isoformat())
    stored = organizer.get(f"/api/v1/products/{product}")
    assert stored.status_code == 200 and stored.json()["expires_on"] == expires.isoformat(), stored.text
    response = apply(organizer, fair_id, producer, [product])
    assert response.status_code == 201, response.text
    application = response.json()
    assert application["status"] == "ineligible"
    assert len(application["problems"]) == 1
    assert "Trà shan tuyết hết hạn" in application["problems"][0]
    assert expires.strftime("%d/%m/%Y") in application["problems"][0]


def test_an_application_needing_refrigeration_no_booth_has_is_waitlisted_with_the_reason(organizer, make_fair, exhibitor):
    fair_id, zones = make_fair()  # every booth has power only
    move(organizer, fair_id, "open")
    producer, product = exhibitor()
    cold = apply(organizer, fair_id, producer, [product], amenities=["refrigeration"], zone_preferences=[zones["A"]])
    assert cold.status_code == 201, cold.text  # asking is not an error
    assert cold.json()["status"] == "eligible"
    other, other_product = exhibitor()
    plain = apply(organizer, fair_id, other, [other_product])
    assert plain.status_code == 201, plain.text
    move(organizer, fair_id, "allocating")
    run = organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation")
    assert run.status_code == 201, run.text
    assert run.json()["placed"] == 1 and run.json()["waitlisted"] == 1
    waiting = organizer.get(f"/api/v1/fairs/applications/{cold.json()['id']}").json()
    assert waiting["status"] == "waitlisted" and waiting["booths"] == []
    assert "Waitlisted" in waiting["explanation"] and "refrigeration" in waiting["explanation"], waiting["explanation"]
    placed = organizer.get(f"/api/v1/fairs/applications/{plain.json()['id']}").json()
    assert placed["status"] == "allocated" and len(placed["booths"]) == 1


# -- the days of the fair -----------------------------------------------------------------------------


@pytest.mark.parametrize("day", [FIRST_DAY - dt.timedelta(days=1), LAST_DAY + dt.timedelta(days=1)])
def test_booth_sales_for_a_day_outside_the_fair_are_refused(organizer, make_fair, exhibitor, day):
    fair_id, application = running_fair(organizer, make_fair, exhibitor)
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/sales",
                             {"application_id": application, "day": day.isoformat(), "revenue": 1_000_000, "transactions": 3})
    errors = field_errors(response)
    assert "day of the fair" in errors["day"], errors
    assert all(d["revenue"] == 0 and d["booths_reporting"] == 0 for d in days(organizer, fair_id))


def test_negative_booth_sales_are_refused(organizer, make_fair, exhibitor):
    fair_id, application = running_fair(organizer, make_fair, exhibitor)
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/sales",
                             {"application_id": application, "day": FIRST_DAY.isoformat(), "revenue": -500_000,
                              "transactions": -2})
    errors = field_errors(response)
    assert "not negative" in errors["revenue"] and "not negative" in errors["transactions"], errors
    assert all(d["revenue"] == 0 and d["transactions"] == 0 and d["booths_reporting"] == 0 for d in days(organizer, fair_id))


def test_a_negative_visitor_count_is_refused(organizer, make_fair, exhibitor):
    fair_id, _ = running_fair(organizer, make_fair, exhibitor)
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/visitors", {"day": FIRST_DAY.isoformat(), "visitors": -1})
    errors = field_errors(response)
    assert "not negative" in errors["visitors"], errors
    assert all(d["visitors"] is None for d in days(organizer, fair_id))


# -- the fair itself --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["published", "allocating", "running", "closed"])
def test_a_draft_fair_cannot_skip_the_workflow(organizer, make_fair, target):
    fair_id, _ = make_fair()
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": target})
    body = problem(response, 409)
    assert "draft" in body["title"] and target in body["title"], body
    assert fair(organizer, fair_id)["status"] == "draft"


def test_a_closed_fair_goes_nowhere(organizer, make_fair, exhibitor):
    fair_id, _ = running_fair(organizer, make_fair, exhibitor)
    move(organizer, fair_id, "closed")
    for target in FairStatus:
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": target.value})
        body = problem(response, 409)
        assert "closed" in body["title"], body
    assert fair(organizer, fair_id)["status"] == "closed"


def test_an_unknown_status_is_refused(organizer, make_fair):
    fair_id, _ = make_fair()
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": "archived"})
    problem(response, 400)
    assert fair(organizer, fair_id)["status"] == "draft"


def test_a_fair_that_ends_before_it_starts_is_refused(organizer):
    payload = fair_payload(starts_on=(TODAY + dt.timedelta(days=40)).isoformat(),
                           ends_on=(TODAY + dt.timedelta(days=38)).isoformat())
    errors = field_errors(organizer.api("POST", "/api/v1/fairs", payload))
    assert "end before it starts" in errors["ends_on"], errors
    assert payload["name"] not in {f["name"] for f in organizer.get("/api/v1/fairs").json()}


def test_moving_a_fairs_end_before_its_start_is_refused_and_the_dates_stay(organizer, make_fair):
    fair_id, _ = make_fair()
    before = fair(organizer, fair_id)
    changed = {k: before[k] for k in fair_payload()} | {"ends_on": (TODAY + dt.timedelta(days=20)).isoformat()}
    errors = field_errors(organizer.api("PUT", f"/api/v1/fairs/{fair_id}", changed))
    assert "end before it starts" in errors["ends_on"], errors
    after = fair(organizer, fair_id)
    assert (after["starts_on"], after["ends_on"]) == (before["starts_on"], before["ends_on"])


def test_the_apply_page_shows_products_the_fair_cannot_admit_with_the_reason_and_keeps_ticks_after_an_error(
        organizer, make_fair, exhibitor):
    import html
    import re

    from tests.conftest import product_payload

    fair_id, zones = make_fair()
    move(organizer, fair_id, "open")
    producer, valid = exhibitor()
    expired = organizer.api("POST", "/api/v1/products", product_payload(
        producer, name="Trà hết hạn", certified_on="2020-01-15")).json()["id"]
    organizer.cookies.set("lang", "en")
    page = html.unescape(organizer.get(f"/fairs/{fair_id}/apply", params={"producer_id": producer}).text)
    offered = re.search(rf'<input type="checkbox" name="product_ids" value="{expired}"[^>]*>', page).group(0)
    assert "disabled" in offered and "expires on 15/01/2023, before the fair ends" in page
    assert "disabled" not in re.search(rf'<input type="checkbox" name="product_ids" value="{valid}"[^>]*>', page).group(0)
    # a refused form keeps the zones chosen, in the order chosen
    refused = organizer.form(f"/fairs/{fair_id}/apply", {"producer_id": str(producer), "product_ids": str(valid),
                                                        "booths_wanted": "9", "zone_preferences": str(zones["B"])})
    assert refused.status_code == 422
    first = re.search(r'<select name="zone_preferences" id="f-zone-1">.*?</select>', refused.text, re.S).group(0)
    assert f'<option value="{zones["B"]}" selected>' in first


def test_the_workflow_buttons_lead_forward_and_closing_asks_to_be_confirmed(organizer, make_fair, exhibitor):
    import re

    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    page = organizer.get(f"/fairs/{fair_id}").text
    buttons = re.findall(r'<button class="button( secondary)?" name="status" value="(\w+)"', page)
    assert buttons == [("", "allocating"), (" secondary", "draft")]  # the primary action is the next step
    fair_id, _ = running_fair(organizer, make_fair, exhibitor)
    organizer.cookies.set("lang", "en")
    now = re.search(r'<p id="floor-now">([^<]*)</p>', organizer.get(f"/fairs/{fair_id}").text).group(1)
    assert re.match(r"Now: 1 exhibitors hold 1 of \d+ booths; 0 applications wait\.", now), now  # the hand edit counted
    unconfirmed = organizer.form(f"/fairs/{fair_id}/status", {"status": "closed"})
    assert unconfirmed.status_code == 409 and fair(organizer, fair_id)["status"] == "running"
    assert 'name="confirm"' in unconfirmed.text
    confirmed = organizer.form(f"/fairs/{fair_id}/status", {"status": "closed", "confirm": "1"})
    assert confirmed.status_code in (302, 303) and fair(organizer, fair_id)["status"] == "closed"


def test_zones_and_booths_are_edited_and_deleted_unless_an_exhibitor_holds_them(organizer, make_fair, exhibitor):
    fair_id, application = running_fair(organizer, make_fair, exhibitor)
    plan = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()
    held = next(b for b in plan["booths"] if b["application_id"] == application)
    free = next(b for b in plan["booths"] if b["application_id"] is None)
    zone = next(z for z in plan["zones"] if z["id"] == held["zone_id"])
    refused = organizer.api("DELETE", f"/api/v1/fairs/{fair_id}/booths/{held['id']}")
    assert refused.status_code == 409 and held["code"] in refused.text
    refused_zone = organizer.api("DELETE", f"/api/v1/fairs/{fair_id}/zones/{zone['id']}")
    assert refused_zone.status_code == 409 and held["code"] in refused_zone.text
    assert organizer.api("DELETE", f"/api/v1/fairs/{fair_id}/booths/{free['id']}").status_code == 204
    renamed = organizer.api("PUT", f"/api/v1/fairs/{fair_id}/zones/{zone['id']}",
                            {"code": zone["code"], "name": "Khu ẩm thực", "theme": "general"})
    assert renamed.status_code == 200, renamed.text
    after = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()
    assert free["id"] not in {b["id"] for b in after["booths"]}
    assert next(z for z in after["zones"] if z["id"] == zone["id"])["name"] == "Khu ẩm thực"
    page = organizer.form(f"/fairs/{fair_id}/booths/{held['id']}/delete", {})
    assert page.status_code == 409 and held["code"] in page.text  # the page says why, and keeps the booth
    assert organizer.api("DELETE", f"/api/v1/fairs/{fair_id}/booths/{held['id']}/assignment").status_code == 204
    others = [z for z in after["zones"] if z["id"] != zone["id"]]
    for other in others:  # a zone no one holds a booth in goes, with its booths
        assert organizer.api("DELETE", f"/api/v1/fairs/{fair_id}/zones/{other['id']}").status_code == 204
    assert organizer.api("DELETE", f"/api/v1/fairs/{fair_id}/zones/{zone['id']}").status_code == 204
    assert organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"] == []


def test_the_apply_form_says_before_sending_which_preferred_zone_can_never_take_the_application(
        organizer, make_fair, exhibitor):
    import html

    fair_id, zones = make_fair()
    move(organizer, fair_id, "open")
    producer, tea = exhibitor(group="beverages", subgroup="non_alcoholic_beverages", name="Trà xanh")
    organizer.cookies.set("lang", "en")
    form = {"producer_id": str(producer), "product_ids": str(tea), "booths_wanted": "1", "booth_kind": "standard"}
    # Live, while choosing: the food zone cannot take a tea producer; the general zone can.
    warned = organizer.form(f"/fairs/{fair_id}/apply/zones", {**form, "zone_preferences": [str(zones["A"]), str(zones["B"])]})
    assert warned.status_code == 200
    text = html.unescape(warned.text)
    assert "Zone A · Thực phẩm takes Thực phẩm; most of these products are Đồ uống." in text
    assert "Tổng hợp" not in text and 'name="warned" value="1"' in text
    assert organizer.form(f"/fairs/{fair_id}/apply/zones", {**form, "zone_preferences": str(zones["B"])}).text.strip() == ""
    assert organizer.form(f"/fairs/{fair_id}/apply/zones", {"producer_id": str(producer)}).status_code == 200  # half-filled
    # Sent without having seen it (no script): said once, nothing recorded, the choices kept.
    said = organizer.form(f"/fairs/{fair_id}/apply", {**form, "zone_preferences": str(zones["A"])})
    assert said.status_code == 422
    assert "most of these products are Đồ uống" in html.unescape(said.text) and 'name="warned" value="1"' in said.text
    assert organizer.get(f"/api/v1/fairs/{fair_id}/applications").json() == []
    # Declaring the main group changes what the zones see; a group none of its products has is refused.
    other = organizer.form(f"/fairs/{fair_id}/apply", {**form, "zone_preferences": str(zones["A"]), "main_group": "food"})
    assert other.status_code == 422 and "Choose the group of one of the products listed" in html.unescape(other.text)
    # Sent again as it is: recorded, booths may still be laid out or changed.
    sent = organizer.form(f"/fairs/{fair_id}/apply", {**form, "zone_preferences": str(zones["A"]), "warned": "1"})
    assert sent.status_code in (302, 303), sent.text
    [application] = organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()
    assert application["zone_preferences"] == [zones["A"]] and application["main_group"] == "beverages"


def test_a_declared_main_group_is_what_themed_zones_look_at(organizer, make_fair):
    from tests.conftest import product_payload, unique

    fair_id, zones = make_fair()
    move(organizer, fair_id, "open")
    producer = organizer.api("POST", "/api/v1/producers", {"name": unique("HTX Dược liệu "), "kind": "cooperative",
                                                           "province_code": "ha-noi"}).json()["id"]
    products = [organizer.api("POST", "/api/v1/products", product_payload(
        producer, name=name, group_code=group, subgroup_code=subgroup)).json()["id"]
        for name, group, subgroup in (("Mật ong rừng", "food", "raw_preprocessed_food"),
                                      ("Xà phòng sả", "herbal", "herbal_cosmetics"),
                                      ("Tinh dầu sả", "herbal", "essential_oils_other_herbs"))]
    form = {"producer_id": str(producer), "product_ids": [str(p) for p in products], "zone_preferences": str(zones["A"])}
    assert "most of these products are" in organizer.form(f"/fairs/{fair_id}/apply/zones", form).text
    assert organizer.form(f"/fairs/{fair_id}/apply/zones", {**form, "main_group": "food"}).text.strip() == ""
    page = organizer.get(f"/fairs/{fair_id}/apply", params={"producer_id": producer}).text
    assert 'name="main_group"' in page and '<option value="herbal">' in page
    applied = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                            {"producer_id": producer, "product_ids": products, "main_group": "food",
                             "zone_preferences": [zones["A"]]})
    assert applied.status_code == 201, applied.text
    move(organizer, fair_id, "allocating")
    run = organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation")
    assert run.status_code == 201 and run.json()["placed"] == 1, run.text
    placed = organizer.get(f"/api/v1/fairs/applications/{applied.json()['id']}").json()
    assert placed["main_group"] == "food" and placed["booths"][0].startswith("A")  # the food zone, as chosen
