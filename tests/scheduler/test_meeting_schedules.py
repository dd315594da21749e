"""Confirmed meetings reach their participants through a real SMTP server: each buyer at its address and each
producer's users get their meetings with a calendar file and the printable schedule, once per state of their
schedule."""

from __future__ import annotations

import datetime as dt
import re

from core.formatting import vietnam_today
from tests.conftest import unique
from tests.pdf import pdf_text
from tests.scheduler.conftest import db, dispatch, make_producer, make_product, real_now


async def _conference() -> dict:
    from catalog.tables import Buyer
    from core.audit import SYSTEM
    from fairs.tables import Fair
    from matchmaking import services
    from matchmaking.enums import Side
    from matchmaking.schemas import ParticipantIn, RoomIn, SessionIn

    day = vietnam_today() + dt.timedelta(days=20)
    fair = (await Fair.insert(Fair(name=unique("Hội nghị kết nối "), kind="connection_conference", venue="Cung Văn hóa",
                                   province_code="ha-noi", starts_on=day, ends_on=day)))[0]["id"]
    await services.set_room(fair, RoomIn(day=day, tables=2, sessions=[SessionIn(starts="08:30", slots=3)]), SYSTEM)
    email = f"{unique('mua-')}@buyer.test"
    buyer_name = unique("Siêu thị ")
    buyer = (await Buyer.insert(Buyer(name=buyer_name, kind="supermarket_chain", email=email)))[0]["id"]
    producer, users = await make_producer(members=1)
    product = await make_product(producer)
    buying = await services.register(fair, ParticipantIn(side=Side.buyer, buyer_id=buyer, quota=3), SYSTEM)
    selling = await services.register(fair, ParticipantIn(side=Side.producer, producer_id=producer, product_ids=[product]),
                                      SYSTEM)
    await services.run_schedule(fair, SYSTEM)
    await services.confirm_drafts(fair, SYSTEM)
    names = {p.id: p.name for p in await services.participants(fair)}
    return {"fair": fair, "buyer_email": email, "producer_email": users[0]["email"], "buying": buying, "selling": selling,
            "buyer_name": buyer_name, "producer_name": names[selling]}


def _attachment(received, media_type: str):
    (part,) = [p for p in received.message.iter_attachments() if p.get_content_type() == media_type]
    return part


def _calendar(received) -> str:
    assert len(list(received.message.iter_attachments())) == 2  # the calendar file and the printable schedule
    part = _attachment(received, "text/calendar")
    assert part.get_filename().endswith(".ics")
    return part.get_payload(decode=True).decode()


def _schedule(received) -> str:
    """The text of the printable schedule attached."""
    part = _attachment(received, "application/pdf")
    assert part.get_filename().startswith("lich-gap-") and part.get_filename().endswith(".pdf")
    return pdf_text(part.get_payload(decode=True))


def _dispatch_due(clock) -> None:
    """A pass with the clock just past what was enqueued until now (rendering the schedules takes a while)."""
    clock.set_now(real_now() + dt.timedelta(seconds=1))
    dispatch()


def test_each_participant_gets_its_confirmed_meetings_with_a_calendar_once_per_change(outbox, clock):
    from core.audit import SYSTEM
    from matchmaking import services
    from matchmaking.enums import Side
    from matchmaking.schemas import ParticipantIn

    made = db(_conference)
    ours = {made["buyer_email"], made["producer_email"]}
    _dispatch_due(clock)
    first = {r.rcpt[0]: r for r in outbox.received if r.rcpt[0] in ours}
    assert set(first) == ours
    text = _calendar(first[made["buyer_email"]])
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.count("BEGIN:VEVENT") == 1 and "UID:meeting-" in text
    assert "LOCATION:Bàn 1\\, Cung Văn hóa" in text
    printed = _schedule(first[made["buyer_email"]])  # the same meeting, to print: the other party, at table 1
    assert made["buyer_name"] in printed and "Cung Văn hóa" in printed
    assert any(made["producer_name"] in line and " 1 " in line for line in printed.splitlines())
    printed = _schedule(first[made["producer_email"]])
    assert made["producer_name"] in printed and made["buyer_name"] in printed and "Chuỗi siêu thị" in printed

    # Confirmed again with nothing changed: nothing is sent again.
    outbox.clear()
    db(services.confirm_drafts, made["fair"], SYSTEM)
    _dispatch_due(clock)
    assert [r for r in outbox.received if r.rcpt[0] in ours] == []

    # A producer arrives late and is fitted in: the buyer's schedule changed, the first producer's did not.
    async def late() -> None:
        producer, _ = await make_producer(members=0)
        product = await make_product(producer)
        await services.register(made["fair"], ParticipantIn(side=Side.producer, producer_id=producer,
                                                            product_ids=[product]), SYSTEM)
        await services.fit_late(made["fair"], SYSTEM)
        await services.confirm_drafts(made["fair"], SYSTEM)

    db(late)
    _dispatch_due(clock)
    again = [r for r in outbox.received if r.rcpt[0] in ours]
    assert [r.rcpt[0] for r in again] == [made["buyer_email"]]
    assert _calendar(again[0]).count("BEGIN:VEVENT") == 2
    printed = _schedule(again[0])  # both meetings, on the printed schedule too
    assert len(re.findall(r"\d\d:\d\d–\d\d:\d\d", printed)) == 2 and "2 cuộc gặp" in printed


def test_a_calendar_line_is_folded_and_its_text_escaped():
    from matchmaking.calendar_file import Event, calendar

    moment = dt.datetime(2027, 1, 5, 1, 30, tzinfo=dt.UTC)
    text = calendar("Hội nghị", [Event("meeting-1@ocop", moment, moment + dt.timedelta(minutes=20),
                                       "Gặp HTX Chè; Tân Cương, Thái Nguyên " + "rất dài " * 12)], moment)
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Gặp HTX Chè\\; Tân Cương\\, Thái Nguyên" in unfolded and "DTSTART:20270105T013000Z" in unfolded
