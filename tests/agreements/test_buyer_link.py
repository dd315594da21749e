"""A buyer without an account follows its agreements from a signed link: reads them, downloads the
signed document, confirms a delivery received. An expired or altered link opens nothing, and a link
opens only its own buyer's agreements."""

from __future__ import annotations

import datetime as dt
import html
import re

from tests.agreements.conftest import TODAY, agreement_payload


def _signed(buyer_id: int, until: dt.date) -> str:
    from core import signed_links

    return f"/partner/{signed_links.sign('buyer', buyer_id, until)}"


def test_a_buyer_reads_its_agreements_and_confirms_a_delivery_from_its_link(organizer, anonymous, buyer_id, supplier):
    producer, products = supplier(1)
    created = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products))
    assert created.status_code == 201, created.text
    agreement = created.json()["id"]
    line = organizer.get(f"/api/v1/agreements/{agreement}").json()["lines"][0]["id"]
    delivered = organizer.api("POST", f"/api/v1/agreements/{agreement}/deliveries",
                              {"line_id": line, "delivered_on": (TODAY - dt.timedelta(days=5)).isoformat(), "quantity": 40})
    assert delivered.status_code == 201, delivered.text
    delivery = delivered.json()["id"]

    # The organizer hands the link on from the agreement's page.
    page = html.unescape(organizer.get(f"/agreements/{agreement}").text)
    link = re.search(r'class="link-copy" readonly value="https?://[^/"]+(/partner/[^"]+)"', page).group(1)

    anonymous.cookies.set("lang", "en")
    own = anonymous.get(link)
    assert own.status_code == 200 and created.json()["code"] in own.text
    assert own.headers["x-robots-tag"] == "noindex"
    pdf = anonymous.get(f"{link}/agreements/{agreement}/print.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    confirmed = anonymous.form(f"{link}/deliveries/{delivery}/confirm", {"note": "Đủ 40 hộp, bao bì tốt"})
    assert confirmed.status_code in (302, 303) and confirmed.headers["location"] == link
    stored = organizer.get(f"/api/v1/agreements/{agreement}").json()["deliveries"][0]
    assert stored["buyer_confirmed_at"] and stored["buyer_note"] == "Đủ 40 hộp, bao bì tốt"
    assert "the buyer confirmed" in organizer.get(f"/agreements/{agreement}", headers={"cookie": "lang=en"}).text or \
        "Đủ 40 hộp" in organizer.get(f"/agreements/{agreement}").text
    assert anonymous.form(f"{link}/deliveries/{delivery}/confirm", {}).status_code == 409  # once

    # Another buyer's agreement, or its delivery, is not reached through this link.
    other = organizer.api("POST", "/api/v1/buyers", {"name": "Chuỗi khác", "kind": "supermarket_chain"}).json()["id"]
    theirs = organizer.api("POST", "/api/v1/agreements", agreement_payload(other, producer, products)).json()["id"]
    assert anonymous.get(f"{link}/agreements/{theirs}/print.pdf").status_code == 404
    assert anonymous.get(_signed(other, TODAY + dt.timedelta(days=1))).status_code == 200
    assert created.json()["code"] not in anonymous.get(_signed(other, TODAY + dt.timedelta(days=1))).text

    # Expired or altered: refused, and nothing confirmed with it.
    expired = _signed(buyer_id, TODAY - dt.timedelta(days=1))
    assert anonymous.get(expired).status_code == 403
    payload, signature = link.removeprefix("/partner/").split(".")
    altered = f"/partner/{payload}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    assert anonymous.get(altered).status_code == 403
    exhibitor = _signed(buyer_id, TODAY + dt.timedelta(days=5)).replace("/partner/", "/exhibitor/")
    assert anonymous.get(exhibitor).status_code == 403  # a link made for one page opens no other
