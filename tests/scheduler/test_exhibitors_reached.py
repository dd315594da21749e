"""A published fair reaches every exhibitor: through its users when it has an account, otherwise at
its catalogue address with a signed link that opens its own booth page without logging in."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

from core.formatting import vietnam_today
from tests.conftest import unique
from tests.scheduler.conftest import db, dispatch, make_fair, make_producer, place

LINK = re.compile(r"/exhibitor/[A-Za-z0-9_.\-]+")


async def _producer(email: str = "") -> tuple[int, str]:
    from catalog.tables import Producer

    name = unique("HTX Trà ")
    row = (await Producer.insert(Producer(name=name, kind="cooperative", province_code="ha-noi", email=email)))[0]
    return row["id"], name


def _text(received) -> str:
    return received.message.get_body(preferencelist=("plain",)).get_content()


def _signed(application_id: int, until: str) -> str:
    """A link as the server signs it (the tests' server shares this process's key), for a day of the test's choosing."""
    from core import signed_links

    return f"/exhibitor/{signed_links.sign('exhibitor', application_id, dt.date.fromisoformat(until))}"


def test_publishing_reaches_exhibitors_without_accounts_once_each_with_a_link_that_needs_no_login(
        outbox, login, anonymous, clock):
    today = vietnam_today()
    fair = db(make_fair, today + dt.timedelta(days=10), today + dt.timedelta(days=13), status="allocating")
    tea, tea_name = db(_producer, f"{unique('tra')}@htx.test")
    later, _ = db(_producer, f"{unique('cho')}@htx.test")
    wrong, wrong_name = db(_producer, f"{unique('sai')}@htx.test")
    silent, silent_name = db(_producer)
    member, (user,) = db(make_producer, 1)
    placed = db(place, fair, tea)
    waiting = db(place, fair, later, status="waitlisted")
    db(place, fair, wrong)
    db(place, fair, silent)
    db(place, fair, member)
    emails = {p: db(_email_of, p) for p in (tea, later, wrong)}
    outbox.unknown.add(emails[wrong])

    organizer = login("organizer")
    published = organizer.api("POST", f"/api/v1/fairs/{fair}/status", {"status": "published"})
    assert published.status_code == 201, published.text
    clock.set_now(None)
    dispatch()
    dispatch()  # a second pass sends nothing again

    # Exactly one message each: the account holder at its user's address, the others at the catalogue's.
    assert len(outbox.to(emails[tea])) == 1 and len(outbox.to(emails[later])) == 1
    assert len(outbox.to(user["email"])) == 1 and not outbox.to(emails[wrong])
    assert outbox.count() == 3
    assert not LINK.search(_text(outbox.to(user["email"])[0]))  # an account holder logs in; no open link
    reach = organizer.get(f"/api/v1/fairs/{fair}/reach").json()
    assert reach == {"sent": 3, "waiting": 0, "refused": [wrong_name], "no_address": [silent_name]}
    page = organizer.get(f"/fairs/{fair}")
    assert "3 reached" in page.text or "3 đã nhận" in page.text
    assert silent_name in page.text and wrong_name in page.text

    # The link opens the exhibitor's own page without logging in, and lets it confirm its booths.
    link = LINK.search(_text(outbox.to(emails[tea])[0])).group(0)
    own = anonymous.get(link)
    assert own.status_code == 200 and tea_name in own.text and "A01" in own.text
    assert own.headers["x-robots-tag"] == "noindex"
    confirmed = anonymous.form(f"{link}/confirm", {})
    assert confirmed.status_code in (302, 303) and confirmed.headers["location"] == link
    assert organizer.get(f"/api/v1/fairs/applications/{placed}").json()["status"] == "confirmed"
    stickers = anonymous.get(f"{link}/stickers.pdf")
    assert stickers.status_code == 200 and stickers.headers["content-type"] == "application/pdf"
    assert stickers.content.startswith(b"%PDF")
    waiting_link = LINK.search(_text(outbox.to(emails[later])[0])).group(0)
    assert anonymous.get(waiting_link).status_code == 200

    # An altered or expired link opens nothing, and confirms nothing.
    altered = link[:-2] + ("A" if link[-2] != "A" else "B") + link[-1]
    assert anonymous.get(altered).status_code == 403
    payload, signature = link.removeprefix("/exhibitor/").split(".")
    other = base64.urlsafe_b64encode(json.dumps([waiting, "2099-12-31"]).encode()).rstrip(b"=").decode()
    assert anonymous.get(f"/exhibitor/{other}.{signature}").status_code == 403  # another id, the same signature
    expired = _signed(placed, (today - dt.timedelta(days=1)).isoformat())
    refused = anonymous.get(expired)
    assert refused.status_code == 403 and ("expired" in refused.text or "hết hạn" in refused.text)
    assert anonymous.form(f"{expired}/confirm", {}).status_code == 403
    assert anonymous.get(_signed(placed, (today + dt.timedelta(days=1)).isoformat())).status_code == 200


async def _email_of(producer: int) -> str:
    from catalog.tables import Producer

    return (await Producer.select(Producer.email).where(Producer.id == producer).first())["email"]
