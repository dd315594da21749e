"""Who may do what to a fair: logged-out visitors are sent to log in, viewers only look, a producer's
user acts for its own producer only, and page forms need their CSRF token."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import product_payload, run
from tests.fairs.conftest import TODAY, fair_payload, move

FIRST_DAY = TODAY + dt.timedelta(days=30)


@pytest.fixture
def producer(login):
    return login("producer")


@pytest.fixture
def own_producer(users) -> int:
    """The id of the producer the `producer` test user acts for."""
    from catalog.tables import Producer

    row = run(Producer.select(Producer.id).where(Producer.name == "HTX Test Producer").first())
    return row["id"]


@pytest.fixture
def own_product(organizer, own_producer) -> int:
    response = organizer.api("POST", "/api/v1/products", product_payload(own_producer))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def apply(client, fair_id: int, producer_id: int, product_id: int):
    return client.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                      {"producer_id": producer_id, "product_ids": [product_id]})


def fair(client, fair_id: int) -> dict:
    return client.get(f"/api/v1/fairs/{fair_id}").json()


def free_booth(client, fair_id: int) -> int:
    return next(b["id"] for b in client.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"] if b["state"] == "free")


# -- logged out -------------------------------------------------------------------------------------


def test_a_logged_out_visitor_gets_401_from_the_fairs_api(anonymous, make_fair):
    fair_id, _ = make_fair()
    for method, url, body in (("GET", "/api/v1/fairs", None), ("GET", f"/api/v1/fairs/{fair_id}", None),
                              ("GET", f"/api/v1/fairs/{fair_id}/applications", None),
                              ("POST", "/api/v1/fairs", fair_payload()),
                              ("POST", f"/api/v1/fairs/{fair_id}/status", {"status": "open"})):
        response = anonymous.api(method, url, body)
        assert response.status_code == 401, (method, url, response.text)
        assert response.json()["title"]


def test_a_logged_out_visitor_is_sent_to_log_in_from_fair_pages(anonymous, make_fair):
    fair_id, _ = make_fair()
    for page in ("/fairs", f"/fairs/{fair_id}", f"/fairs/{fair_id}/plan", f"/fairs/{fair_id}/applications",
                 f"/fairs/{fair_id}/days", f"/fairs/{fair_id}/apply"):
        response = anonymous.get(page)
        assert response.status_code in (302, 303), (page, response.status_code)
        assert response.headers["location"].startswith("/login"), page


# -- viewers --------------------------------------------------------------------------------------


def test_a_viewer_cannot_create_a_fair(login):
    viewer = login("viewer")
    payload = fair_payload()
    response = viewer.api("POST", "/api/v1/fairs", payload)
    assert response.status_code == 403, response.text
    assert response.json()["title"]
    assert payload["name"] not in {f["name"] for f in viewer.get("/api/v1/fairs").json()}


def test_a_viewer_cannot_move_a_fair_along_its_workflow(login, organizer, make_fair):
    viewer = login("viewer")
    fair_id, _ = make_fair()
    response = viewer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": "open"})
    assert response.status_code == 403, response.text
    assert fair(organizer, fair_id)["status"] == "draft"


def test_a_viewer_cannot_assign_booths_or_run_the_allocation(login, organizer, make_fair, exhibitor):
    viewer = login("viewer")
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    producer_id, product = exhibitor()
    application = apply(organizer, fair_id, producer_id, product).json()["id"]
    move(organizer, fair_id, "allocating")
    response = viewer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                          {"application_id": application, "booth_ids": [free_booth(organizer, fair_id)]})
    assert response.status_code == 403, response.text
    assert viewer.api("POST", f"/api/v1/fairs/{fair_id}/allocation").status_code == 403
    assert fair(organizer, fair_id)["assigned"] == 0
    assert organizer.get(f"/api/v1/fairs/applications/{application}").json()["status"] == "eligible"


# -- producers -----------------------------------------------------------------------------------


def test_a_producer_applies_for_its_own_producer(producer, organizer, make_fair, own_producer, own_product):
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    response = apply(producer, fair_id, own_producer, own_product)
    assert response.status_code == 201, response.text
    assert response.json()["producer_id"] == own_producer and response.json()["status"] == "eligible"


def test_a_producer_cannot_apply_for_another_producer(producer, organizer, make_fair, exhibitor):
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    other, product = exhibitor()
    response = apply(producer, fair_id, other, product)
    assert response.status_code == 403, response.text
    assert response.json()["title"]
    assert organizer.get(f"/api/v1/fairs/{fair_id}/applications").json() == []


def test_a_producer_sees_only_its_own_applications(producer, organizer, make_fair, exhibitor, own_producer, own_product):
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    mine = apply(producer, fair_id, own_producer, own_product).json()["id"]
    other, product = exhibitor()
    theirs = apply(organizer, fair_id, other, product).json()["id"]
    listed = producer.get(f"/api/v1/fairs/{fair_id}/applications")
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [mine]
    assert {a["id"] for a in organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()} == {mine, theirs}
    assert producer.get(f"/api/v1/fairs/applications/{theirs}").status_code == 404  # as if it did not exist
    assert producer.get(f"/api/v1/fairs/applications/{mine}").status_code == 200


def test_a_producer_cannot_run_the_allocation_or_assign_booths(producer, organizer, make_fair, own_producer, own_product):
    fair_id, _ = make_fair()
    move(organizer, fair_id, "open")
    mine = apply(producer, fair_id, own_producer, own_product).json()["id"]
    move(organizer, fair_id, "allocating")
    assert producer.api("POST", f"/api/v1/fairs/{fair_id}/allocation").status_code == 403
    response = producer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                            {"application_id": mine, "booth_ids": [free_booth(organizer, fair_id)]})
    assert response.status_code == 403, response.text
    assert fair(organizer, fair_id)["assigned"] == 0
    assert producer.get(f"/api/v1/fairs/applications/{mine}").json()["status"] == "eligible"


def test_a_producer_records_booth_sales_only_for_its_own_application(producer, organizer, make_fair, exhibitor,
                                                                     own_producer, own_product):
    # a fair running today: a day's sales are recorded once the day has come
    fair_id, _ = make_fair(starts_on=TODAY.isoformat(), ends_on=(TODAY + dt.timedelta(days=4)).isoformat())
    move(organizer, fair_id, "open")
    mine = apply(producer, fair_id, own_producer, own_product).json()["id"]
    other, product = exhibitor()
    theirs = apply(organizer, fair_id, other, product).json()["id"]
    move(organizer, fair_id, "allocating")
    for application in (mine, theirs):
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                                 {"application_id": application, "booth_ids": [free_booth(organizer, fair_id)]})
        assert response.status_code == 204, response.text
    move(organizer, fair_id, "published")
    move(organizer, fair_id, "running")
    sale = {"day": TODAY.isoformat(), "revenue": 1_200_000, "transactions": 9}
    response = producer.api("POST", f"/api/v1/fairs/{fair_id}/sales", {"application_id": mine, **sale})
    assert response.status_code == 204, response.text
    response = producer.api("POST", f"/api/v1/fairs/{fair_id}/sales", {"application_id": theirs, **sale, "revenue": 99})
    assert response.status_code == 404, response.text  # another's application is as if it did not exist
    first = organizer.get(f"/api/v1/fairs/{fair_id}/days").json()[0]
    assert (first["revenue"], first["transactions"], first["booths_reporting"]) == (1_200_000, 9, 1)


# -- CSRF ---------------------------------------------------------------------------------------


def test_a_page_form_without_its_csrf_token_is_refused(organizer, make_fair):
    payload = fair_payload()
    response = organizer.post("/fairs/new", data=payload)  # no _csrf_token
    assert response.status_code == 403, response.text
    assert payload["name"] not in {f["name"] for f in organizer.get("/api/v1/fairs").json()}
    fair_id, _ = make_fair()
    response = organizer.post(f"/fairs/{fair_id}/status", data={"status": "open"})
    assert response.status_code == 403, response.text
    assert fair(organizer, fair_id)["status"] == "draft"
    response = organizer.form(f"/fairs/{fair_id}/status", {"status": "open"})  # the same form with its token passes
    assert response.status_code == 302, response.text
    assert fair(organizer, fair_id)["status"] == "open"


def test_a_fair_page_offers_only_the_links_its_reader_may_follow(organizer, login):
    fair = organizer.api("POST", "/api/v1/fairs", fair_payload()).json()["id"]
    reports, ceremony = f'href="/fairs/{fair}/reports"', f'href="/agreements/ceremony?fair_id={fair}"'
    page = organizer.get(f"/fairs/{fair}").text
    assert reports in page and ceremony in page
    assert organizer.get(f"/agreements/ceremony?fair_id={fair}").status_code == 200
    for role in ("salespoint_manager", "producer"):
        client = login(role)
        page = client.get(f"/fairs/{fair}").text
        assert reports not in page and ceremony not in page, role
        assert client.get(f"/fairs/{fair}/reports").status_code == 403  # what the link would have led to
    assert reports in login("viewer").get(f"/fairs/{fair}").text
