"""Closing the loop on the agreement's page: a running agreement fully delivered, or past its term, is
offered for closing with the verdict it has earned, in one click, to those who may change its status."""

from __future__ import annotations

import datetime as dt
import html
import re

from tests.agreements.conftest import TODAY, agreement_payload


def _create(organizer, buyer_id, supplier, **overrides) -> dict:
    producer, products = supplier(1)
    response = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def _deliver(organizer, agreement: dict, quantity: int) -> None:
    body = {"line_id": agreement["lines"][0]["id"], "delivered_on": (TODAY - dt.timedelta(days=5)).isoformat(),
            "quantity": quantity}
    response = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/deliveries", body)
    assert response.status_code == 201, response.text


def _notice(client, agreement: dict) -> str | None:
    """The closing notice of the agreement's page (read in English), or None."""
    client.cookies.set("lang", "en")
    page = client.get(f"/agreements/{agreement['id']}")
    assert page.status_code == 200, page.text
    found = re.search(r'<div class="notice" role="status" id="closing-suggestion">(.*?)</div>', page.text, re.S)
    return html.unescape(" ".join(found.group(1).split())) if found else None


def test_a_fully_delivered_agreement_is_offered_closing_as_fulfilled_in_one_click(organizer, buyer_id, supplier):
    agreement = _create(organizer, buyer_id, supplier)
    assert _notice(organizer, agreement) is None  # nothing delivered, the term runs: nothing to close
    _deliver(organizer, agreement, 60)
    assert _notice(organizer, agreement) is None
    _deliver(organizer, agreement, 40)

    notice = _notice(organizer, agreement)
    assert notice is not None and "Every line is delivered: close it as fulfilled." in notice
    form = re.search(r'<form method="post" action="([^"]+)"', notice)
    button = re.search(r'<button class="button" name="(\w+)" value="(\w+)">Close as fulfilled</button>', notice)
    assert form and button, notice
    assert form.group(1) == f"/agreements/{agreement['id']}/status"

    # Pressing it posts what the button carries, as the page's status buttons do.
    pressed = organizer.form(form.group(1), {button.group(1): button.group(2)})
    assert pressed.status_code in (302, 303), pressed.text
    assert pressed.headers["location"] == f"/agreements/{agreement['id']}"
    assert organizer.get(f"/api/v1/agreements/{agreement['id']}").json()["status"] == "fulfilled"
    assert _notice(organizer, agreement) is None  # closed: nothing more to offer


def test_an_agreement_past_its_term_is_offered_closing_as_partially_fulfilled_or_lapsed(
        organizer, login, buyer_id, supplier):
    ended_on = TODAY - dt.timedelta(days=2)
    part = _create(organizer, buyer_id, supplier, valid_until=ended_on.isoformat())
    _deliver(organizer, part, 40)
    nothing = _create(organizer, buyer_id, supplier, valid_until=ended_on.isoformat())
    day = ended_on.strftime("%d/%m/%Y")

    notice = _notice(organizer, part)
    assert notice is not None and f"The term ended on {day} with part delivered: close it as partially fulfilled." in notice
    assert 'name="status" value="partially_fulfilled">Close as partially fulfilled</button>' in notice
    notice = _notice(organizer, nothing)
    assert notice is not None and f"The term ended on {day} with nothing delivered: close it as lapsed." in notice
    assert 'name="status" value="lapsed">Close as lapsed</button>' in notice

    # A reader who may not change the status is offered nothing.
    assert _notice(login("viewer"), part) is None
