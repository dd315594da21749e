"""A producer's phone, e-mail, address and contact person: staff (admin, organizer, viewer) and the
producer's own users read them; everyone else only once the producer publishes them. The withheld
fields stay in the JSON as empty strings, and no reader (detail, list, pages, export) leaks them."""

from __future__ import annotations

import io
import random

import pytest
from openpyxl import load_workbook

from tests.conftest import run, unique

LOGGED_IN = ("viewer", "producer", "salespoint_manager", "organizer", "admin")
STAFF = {"viewer", "organizer", "admin"}
CONTACT_FIELDS = ("phone", "email", "address", "contact_person")
EDITABLE = ("name", "kind", "province_code", "registration_code", "commune", "address", "legacy_province",
            "legacy_district", "contact_person", "phone", "email", "publish_contact")


def _contacts() -> dict[str, str]:
    return {"phone": f"09{random.randrange(10**8):08d}", "email": f"{unique('kin-')}@secret.vn",
            "address": f"Số {unique()} ngõ Kín", "contact_person": f"Bà {unique('Riêng ')}"}


def _create(organizer, contacts: dict[str, str], publish: bool) -> tuple[int, str]:
    name = unique("HTX Liên hệ ")
    response = organizer.api("POST", "/api/v1/producers", {"name": name, "kind": "cooperative", "province_code": "hue",
                                                          "publish_contact": publish, **contacts})
    assert response.status_code == 201, response.text
    return response.json()["id"], name


def _export_rows(client, name: str) -> list[tuple]:
    response = client.get("/catalog/producers/export.xlsx", params={"q": name})
    assert response.status_code == 200, response.text
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _reads(client, producer_id: int, name: str) -> dict[str, str]:
    """Every reader of the producer, as text: the detail and list API, the list and detail pages, the export."""
    detail = client.get(f"/api/v1/producers/{producer_id}")
    listing = client.get("/api/v1/producers", params={"q": name})
    assert detail.status_code == 200 and listing.status_code == 200, (detail.text, listing.text)
    [item] = listing.json()["items"]
    pages = [client.get(f"/catalog/producers/{producer_id}"), client.get("/catalog/producers/", params={"q": name}),
             client.get("/catalog/producers/", params={"q": name}, headers={"hx-request": "true", "hx-target": "results"})]
    assert all(page.status_code == 200 for page in pages)
    rows = _export_rows(client, name)
    assert len(rows) == 2 and rows[1][0] == name
    return {"detail": detail.text, "list": listing.text, "pages": "".join(page.text for page in pages),
            "export": repr(rows), "item": repr(item)}


def _assert_seen(reads: dict[str, str], contacts: dict[str, str], role: str) -> None:
    for value in contacts.values():
        assert value in reads["detail"] and value in reads["list"] and value in reads["export"], (role, value)
        assert value in reads["pages"], (role, value)  # the producer's page


def _assert_withheld(reads: dict[str, str], contacts: dict[str, str], role: str) -> None:
    for where, text in reads.items():
        for value in contacts.values():
            assert value not in text, (role, where, value)


@pytest.fixture
def organizer(login):
    return login("organizer")


@pytest.fixture
def own_producer(organizer, users):
    """The producer user's own producer, given contacts for the test and put back as it was after."""
    from catalog.tables import Producer

    producer_id = run(Producer.select(Producer.id).where(Producer.name == "HTX Test Producer").first())["id"]
    before = organizer.get(f"/api/v1/producers/{producer_id}").json()
    contacts = _contacts()
    response = organizer.api("PUT", f"/api/v1/producers/{producer_id}",
                             {**{k: before[k] for k in EDITABLE}, **contacts, "publish_contact": False})
    assert response.status_code == 200, response.text
    yield producer_id, before["name"], contacts
    organizer.api("PUT", f"/api/v1/producers/{producer_id}", {k: before[k] for k in EDITABLE})


@pytest.mark.parametrize("role", LOGGED_IN)
def test_only_staff_read_an_unpublished_producers_contacts(login, organizer, role):
    contacts = _contacts()
    producer_id, name = _create(organizer, contacts, publish=False)
    reads = _reads(login(role), producer_id, name)
    if role in STAFF:
        _assert_seen(reads, contacts, role)
    else:
        _assert_withheld(reads, contacts, role)


@pytest.mark.parametrize("role", ("producer", "salespoint_manager"))
def test_withheld_contacts_are_empty_strings_and_the_rest_of_the_producer_is_shown(login, organizer, role):
    producer_id, name = _create(organizer, _contacts(), publish=False)
    client = login(role)
    detail = client.get(f"/api/v1/producers/{producer_id}").json()
    [item] = client.get("/api/v1/producers", params={"q": name}).json()["items"]
    for shown in (detail, item):
        assert {field: shown[field] for field in CONTACT_FIELDS} == dict.fromkeys(CONTACT_FIELDS, "")
        assert shown["name"] == name and shown["province_code"] == "hue" and shown["publish_contact"] is False
    page = client.get(f"/catalog/producers/{producer_id}").text
    assert name in page and "Huế" in page
    header, row = _export_rows(client, name)
    assert row[0] == name and [row[header.index(h)] for h in ("Địa chỉ", "Người liên hệ", "Điện thoại", "Email")] \
        == [None] * 4


def test_the_history_on_the_page_does_not_show_withheld_contacts(login, organizer):
    contacts = _contacts()
    producer_id, name = _create(organizer, contacts, publish=False)
    changed = _contacts()
    response = organizer.api("PUT", f"/api/v1/producers/{producer_id}",
                             {"name": name, "kind": "cooperative", "province_code": "hue", **changed})
    assert response.status_code == 200, response.text
    recorded = [*contacts.values(), *changed.values()]  # the create's values and the update's, in the audit rows
    for role in ("producer", "salespoint_manager"):
        page = login(role).get(f"/catalog/producers/{producer_id}").text
        assert "t-organizer" in page  # the history is there, without the contact values
        assert not [value for value in recorded if value in page], role
    staff_page = organizer.get(f"/catalog/producers/{producer_id}").text
    assert all(value in staff_page for value in recorded)


def test_anonymous_reads_nothing(anonymous, organizer):
    contacts = _contacts()
    producer_id, name = _create(organizer, contacts, publish=True)
    responses = [anonymous.get(f"/api/v1/producers/{producer_id}"), anonymous.get("/api/v1/producers", params={"q": name}),
                 anonymous.get(f"/catalog/producers/{producer_id}"), anonymous.get("/catalog/producers/"),
                 anonymous.get("/catalog/producers/export.xlsx", params={"q": name})]
    for response in responses:
        assert response.status_code in (302, 401), (response.url, response.status_code)
        _assert_withheld({str(response.url): response.text}, contacts, "anonymous")


def test_a_producer_reads_its_own_contacts_and_no_other_non_staff_role_does(login, own_producer):
    producer_id, name, contacts = own_producer
    _assert_seen(_reads(login("producer"), producer_id, name), contacts, "producer")
    _assert_withheld(_reads(login("salespoint_manager"), producer_id, name), contacts, "salespoint_manager")


@pytest.mark.parametrize("role", LOGGED_IN)
def test_published_contacts_are_read_by_every_logged_in_role(login, organizer, role):
    contacts = _contacts()
    producer_id, name = _create(organizer, contacts, publish=True)
    _assert_seen(_reads(login(role), producer_id, name), contacts, role)


def test_the_public_page_still_shows_published_contacts_only(anonymous, organizer):
    hidden, shown = _contacts(), _contacts()
    hidden_id, _ = _create(organizer, hidden, publish=False)
    shown_id, _ = _create(organizer, shown, publish=True)
    assert hidden["phone"] not in anonymous.get(f"/producers/{hidden_id}").text
    assert shown["phone"] in anonymous.get(f"/producers/{shown_id}").text
