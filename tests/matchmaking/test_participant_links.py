"""A participant through its own signed link, without an account: its needs, whom it wants to meet, its requests
and answers, its meetings marked on the day; and the organizer's hand at the desk: check-in, an extra meeting,
a meeting moved or two swapped, each refused when it would break a rule."""

from __future__ import annotations

import datetime as dt
import json
import re

from core import signed_links
from core.formatting import vietnam_today
from tests.conftest import run, unique
from tests.matchmaking.conftest import ok as _ok


def _links(conference) -> dict[int, str]:
    found = _ok(conference["organizer"].get(f"{conference['base']}/links"), 200)
    return {int(k): re.sub(r"^https?://[^/]+", "", v) for k, v in found.items()}


def _participant(conference, participant_id: int) -> dict:
    return next(p for p in _ok(conference["organizer"].get(f"{conference['base']}/participants"), 200)
                if p["id"] == participant_id)


def _begin_every_slot(fair_id: int) -> None:
    from matchmaking.tables import MeetingSlot

    run(MeetingSlot.update({MeetingSlot.starts_at: dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)}).where(
        MeetingSlot.fair == fair_id))


def test_the_link_opens_its_participants_page_only(conference, anonymous):
    links = _links(conference)
    chain = conference["buyers"]["chain"]
    page = anonymous.get(links[chain["id"]])
    assert page.status_code == 200 and chain["name"] in page.text
    assert page.headers["x-robots-tag"] == "noindex" and "no-store" in page.headers["cache-control"]
    assert conference["buyers"]["exporter"]["name"] not in page.text  # the other buyer is no concern of its
    payload, signature = links[chain["id"]].removeprefix("/meet/").split(".")
    altered = f"/meet/{payload}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    assert anonymous.get(altered).status_code == 403
    expired = signed_links.sign("meeting-participant", chain["id"], vietnam_today() - dt.timedelta(days=1))
    assert anonymous.get(f"/meet/{expired}").status_code == 403
    other_purpose = signed_links.sign("buyer", chain["id"], vietnam_today() + dt.timedelta(days=5))
    assert anonymous.get(f"/meet/{other_purpose}").status_code == 403
    assert conference["organizer"].get(f"{conference['base']}/links").status_code == 200
    assert anonymous.get(f"{conference['base']}/links").status_code in (302, 401)


def test_a_buyer_states_its_needs_through_its_link_and_its_quota_stays_the_organizers(conference, anonymous):
    chain = conference["buyers"]["chain"]
    link = _links(conference)[chain["id"]]
    saved = anonymous.form(f"{link}/needs", {"groups": ["food", "beverages"], "subgroups": ["tea"],
                                             "provinces": ["hue", "ha-noi"],
                                             "min_stars": "3", "price_min": "40.000", "price_max": "90.000",
                                             "volume": "2 tấn/tháng", "available": ["0", "1", "2"], "quota": "60",
                                             "notes": "Cần hàng có mã vạch"})
    assert saved.status_code == 302, saved.text
    after = _participant(conference, chain["id"])
    assert sorted(after["groups"]) == ["beverages", "food"] and sorted(after["provinces"]) == ["ha-noi", "hue"]
    assert after["subgroups"] == ["tea"]
    assert anonymous.form(f"{link}/needs", {"subgroups": ["wine"]}).status_code == 422
    assert (after["min_stars"], after["price_min"], after["price_max"]) == (3, 40_000, 90_000)
    assert after["volume"] == "2 tấn/tháng" and after["available"] == [0, 1, 2] and after["quota"] == 3
    # A price band upside down: the page again, saying so, and nothing changed.
    refused = anonymous.form(f"{link}/needs", {"price_min": "90.000", "price_max": "10.000", "groups": ["food"]})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    assert _participant(conference, chain["id"])["price_max"] == 90_000
    # A buyer cannot slip in products, and unknown provinces are refused with the field named.
    assert anonymous.form(f"{link}/needs", {"provinces": ["atlantis"]}).status_code == 422


def test_each_side_says_and_asks_through_its_link_and_the_other_answers(conference, anonymous):
    links = _links(conference)
    chain, honey, tea = (conference["buyers"]["chain"]["id"], conference["producers"]["honey"]["id"],
                         conference["producers"]["tea"]["id"])
    assert anonymous.form(f"{links[chain]}/interests", {"other": tea, "says": "no"}).status_code == 302
    assert anonymous.form(f"{links[honey]}/interests", {"other": chain, "says": "must"}).status_code == 302
    matches = {m["producer"]: m for m in _ok(conference["organizer"].get(
        f"{conference['base']}/matches", params={"buyer": chain}), 200)}
    assert matches[tea]["value"] == 0 and matches[tea]["buyer_says"] == "no"
    assert matches[honey]["producer_says"] == "must"
    # Excluded by its own "no", the buyer cannot ask for that meeting; it can ask for another.
    refused = anonymous.form(f"{links[chain]}/requests", {"other": tea})
    assert refused.status_code == 422 and "role=\"alert\"" in refused.text
    assert anonymous.form(f"{links[chain]}/requests", {"other": honey}).status_code == 302
    (request,) = _ok(conference["organizer"].get(f"{conference['base']}/requests"), 200)
    assert request["asked_by"] == "buyer"
    # The buyer cannot accept its own request, nor can a producer it was not sent to; the honey producer can.
    assert anonymous.form(f"{links[chain]}/requests/{request['id']}/answer", {"accept": "1"}).status_code == 404
    assert anonymous.form(f"{links[tea]}/requests/{request['id']}/answer", {"accept": "1"}).status_code == 404
    assert anonymous.form(f"{links[honey]}/requests/{request['id']}/answer", {"accept": "1"}).status_code == 302
    (answered,) = _ok(conference["organizer"].get(f"{conference['base']}/requests"), 200)
    assert answered["status"] == "accepted"
    # A participant of another side cannot be named as its own side's other: a buyer naming a buyer is refused.
    exporter = conference["buyers"]["exporter"]["id"]
    assert anonymous.form(f"{links[chain]}/interests", {"other": exporter, "says": "must"}).status_code == 422


def _scheduled(conference) -> list[dict]:
    organizer, base = conference["organizer"], conference["base"]
    _ok(organizer.api("POST", f"{base}/schedule"))
    _ok(organizer.api("POST", f"{base}/schedule/confirm"))
    return _ok(organizer.get(f"{base}/meetings"), 200)


def test_a_participant_marks_its_own_meetings_once_they_have_begun(conference, anonymous):
    links = _links(conference)
    meetings = _scheduled(conference)
    meeting = meetings[0]
    buyer_link, producer_link = links[meeting["buyer"]], links[meeting["producer"]]
    early = anonymous.form(f"{buyer_link}/meetings/{meeting['id']}/mark", {"status": "held"})
    assert early.status_code == 422  # not begun yet
    _begin_every_slot(conference["fair"])
    page = anonymous.get(buyer_link).text
    assert f'/meetings/{meeting["id"]}/mark' in page
    assert anonymous.form(f"{buyer_link}/meetings/{meeting['id']}/mark", {"status": "held"}).status_code == 302
    # Another participant's link does not reach this meeting; a participant cannot cancel one.
    stranger = next(links[p] for p in links if p not in (meeting["buyer"], meeting["producer"]))
    assert anonymous.form(f"{stranger}/meetings/{meeting['id']}/mark", {"status": "no_show"}).status_code == 404
    assert anonymous.form(f"{producer_link}/meetings/{meeting['id']}/mark", {"status": "cancelled"}).status_code == 422
    from matchmaking.tables import Meeting

    row = run(Meeting.select(Meeting.status, Meeting.marked_by).where(Meeting.id == meeting["id"]).first())
    assert row == {"status": "held", "marked_by": f"link:participant:{meeting['buyer']}"}
    calendar = anonymous.get(f"{buyer_link}/calendar.ics")
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text
    printed = anonymous.get(f"{buyer_link}/schedule.pdf")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")


def test_the_organizer_adds_moves_and_swaps_meetings_within_the_rules(conference):
    organizer, base = conference["organizer"], conference["base"]
    chain, exporter = conference["buyers"]["chain"]["id"], conference["buyers"]["exporter"]["id"]
    honey, tea, basket = (conference["producers"][k]["id"] for k in ("honey", "tea", "basket"))
    _ok(organizer.api("PUT", f"{base}/interests", {"buyer": exporter, "producer": tea, "side": "producer", "says": "no"}), 204)
    made = _ok(organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": honey, "slot": 0, "table": 1}))
    assert made["status"] == "confirmed" and (made["slot"], made["table_number"]) == (0, 1)

    def refused(path: str, body: dict, words: str) -> None:
        response = organizer.api("POST", f"{base}/{path}", body)
        assert response.status_code == 409 and words in response.text, response.text

    organizer.cookies.set("lang", "en")
    refused("meetings", {"buyer": exporter, "producer": basket, "slot": 0, "table": 1}, "Another meeting has that table")
    refused("meetings", {"buyer": chain, "producer": basket, "slot": 0, "table": 2}, "has another meeting at that time")
    refused("meetings", {"buyer": exporter, "producer": tea, "slot": 1, "table": 1}, "does not want this meeting")
    refused("meetings", {"buyer": chain, "producer": honey, "slot": 1, "table": 1}, "meet at another time already")
    assert organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": honey, "slot": 99, "table": 1}).status_code == 422
    other = _ok(organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": basket, "slot": 3, "table": 2}))
    # Moved to a free place; then swapped with the other meeting of the same buyer.
    _ok(organizer.api("POST", f"{base}/meetings/{made['id']}/move", {"slot": 1, "table": 2}), 204)
    _ok(organizer.api("POST", f"{base}/meetings/{made['id']}/swap", {"other": other["id"]}), 204)
    placed = {m["id"]: (m["slot"], m["table_number"]) for m in _ok(organizer.get(f"{base}/meetings"), 200)}
    assert placed[made["id"]] == (3, 2) and placed[other["id"]] == (1, 2)
    # The exporter attends the morning only: a meeting cannot be moved into its afternoon.
    _ok(organizer.api("POST", f"{base}/participants", {"side": "buyer", "buyer_id": _participant(conference, exporter)["buyer_id"],
                                                        "quota": 3, "available": [0, 1, 2]}))
    late = _ok(organizer.api("POST", f"{base}/meetings", {"buyer": exporter, "producer": honey, "slot": 2, "table": 1}))
    refused(f"meetings/{late['id']}/move", {"slot": 4, "table": 1}, "does not attend that time slot")
    # A meeting held stays where it was.
    _ok(organizer.api("POST", f"{base}/meetings/{late['id']}/mark", {"status": "held"}), 204)
    refused(f"meetings/{late['id']}/move", {"slot": 5, "table": 1}, "stays where it was")
    # What the hand changes left keeps every rule, by the engine's own check.
    from matchmaking import scheduling

    rows = _ok(organizer.get(f"{base}/meetings"), 200)
    engine = scheduling.Conference(slots=6, tables=2, candidates=[], buyers=[
        scheduling.Participant(chain, 3), scheduling.Participant(exporter, 3, frozenset({0, 1, 2}))], producers=[
        scheduling.Participant(p, 2) for p in (honey, tea, basket)], excluded=frozenset({(exporter, tea)}))
    assert scheduling.violations(engine, [scheduling.Meeting(m["slot"], m["table_number"], m["buyer"], m["producer"])
                                          for m in rows]) == []


def test_the_desk_checks_in_and_the_page_form_changes_the_registration(conference, login):
    organizer, fair = conference["organizer"], conference["fair"]
    honey = conference["producers"]["honey"]
    desk = organizer.get(f"/fairs/{fair}/meetings/desk", params={"q": honey["name"].split()[-1]})
    assert desk.status_code == 200 and honey["name"] in desk.text
    arrived = organizer.form(f"/fairs/{fair}/meetings/participants/{honey['id']}/arrived", {"back": "desk", "q": "x"})
    assert arrived.status_code == 302 and "/desk?q=x" in arrived.headers["location"]
    assert _participant(conference, honey["id"])["arrived"] is True
    page = f"/fairs/{fair}/meetings/participants/{honey['id']}"
    shown = organizer.get(page)
    assert shown.status_code == 200 and "/meet/" in shown.text
    saved = organizer.form(page, {"quota": "5", "capacity": "3 tấn/tháng", "min_order": "100 hộp",
                                  "product_ids": [str(i) for i in honey["product_ids"]], "available": ["3", "4"]})
    assert saved.status_code == 302, saved.text
    after = _participant(conference, honey["id"])
    assert (after["quota"], after["capacity"], after["min_order"], after["available"]) == (5, "3 tấn/tháng", "100 hộp", [3, 4])
    viewer = login("viewer")
    read = viewer.get(page)
    assert read.status_code == 200 and "/meet/" not in read.text  # the link is the organizer's to hand out
    assert viewer.form(page, {"quota": "9"}).status_code == 403
    assert viewer.form(f"{page}/arrived", {}).status_code == 403


def test_each_participant_is_sent_its_link_once(conference):
    organizer, base = conference["organizer"], conference["base"]
    buyer = _ok(organizer.api("POST", "/api/v1/buyers", {"name": unique("Chuỗi "), "kind": "supermarket_chain",
                                                         "email": "mua@example.vn"}))["id"]
    _ok(organizer.api("POST", f"{base}/participants", {"side": "buyer", "buyer_id": buyer}))
    first = _ok(organizer.api("POST", f"{base}/links/send"))
    assert first["queued"] >= 1
    assert _ok(organizer.api("POST", f"{base}/links/send"))["queued"] == 0
    from core.tables import Notification

    rows = run(Notification.select(Notification.email, Notification.data).where(
        Notification.key.like(f"meeting-link:{conference['fair']}:%")))
    assert any(r["email"] == "mua@example.vn" and "/meet/" in str(r["data"]) for r in rows)


def test_a_participant_written_to_in_english_gets_its_schedule_and_calendar_in_english(conference, anonymous):
    from core.tables import Notification
    from tests.pdf import pdf_text

    organizer, base = conference["organizer"], conference["base"]
    links = _links(conference)
    exporter = conference["buyers"]["exporter"]["id"]
    assert anonymous.form(f"{links[exporter]}/needs", {"language": "en"}).status_code == 302
    assert _participant(conference, exporter)["language"] == "en"
    assert anonymous.form(f"{links[exporter]}/needs", {"language": "ko"}).status_code == 422  # only what we write in
    assert "Your meetings" in anonymous.get(links[exporter]).text  # its page speaks English too, unless asked
    assert "Lịch gặp của quý đơn vị" in anonymous.get(links[exporter], params={"lang": "vi"}).text
    assert "Lịch gặp của quý đơn vị" in anonymous.get(links[conference["buyers"]["chain"]["id"]]).text
    honey = conference["producers"]["honey"]["id"]
    buyer = _participant(conference, exporter)["buyer_id"]
    held = _ok(organizer.get(f"/api/v1/buyers/{buyer}"), 200)
    _ok(organizer.api("PUT", f"/api/v1/buyers/{buyer}", {"name": held["name"], "kind": held["kind"],
                                                          "email": "import@korea-fresh.example"}), 200)
    _ok(organizer.api("POST", f"{base}/meetings", {"buyer": exporter, "producer": honey, "slot": 0, "table": 1}))
    calendar = anonymous.get(f"{links[exporter]}/calendar.ics").text
    assert "SUMMARY:Meeting with" in calendar and "Table 1" in calendar
    text = pdf_text(anonymous.get(f"{links[exporter]}/schedule.pdf").content).lower()
    assert "business matching meetings" in text and "products offered" in text
    chain = conference["buyers"]["chain"]["id"]  # still Vietnamese
    _ok(organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": honey, "slot": 1, "table": 1}))
    assert "lịch gặp kết nối giao thương" in pdf_text(anonymous.get(f"{links[chain]}/schedule.pdf").content).lower()
    sent = run(Notification.select(Notification.key, Notification.language).where(
        Notification.key.like(f"meetings:{conference['fair']}:{exporter}:%")))
    assert len(sent) == 1 and sent[0]["language"] == "en"  # its schedule, sent when the meeting was added


def test_a_participant_cannot_undo_what_the_organizers_confirmed(conference, anonymous):
    """A "no", a slot dropped or a quota lowered under a confirmed meeting is refused in words: the organizers move
    or cancel the meeting first. Their own schedule runs stay consistent with it."""
    organizer, base = conference["organizer"], conference["base"]
    links = _links(conference)
    chain, honey = conference["buyers"]["chain"]["id"], conference["producers"]["honey"]["id"]
    meeting = _ok(organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": honey, "slot": 0, "table": 1}))
    refused = anonymous.form(f"{links[honey]}/interests", {"other": chain, "says": "no"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    dropped = anonymous.form(f"{links[chain]}/needs", {"available": ["3", "4"]})
    assert dropped.status_code == 422 and "08:30" in dropped.text
    lowered = organizer.api("POST", f"{base}/participants", {"side": "buyer", "buyer_id": _participant(conference, chain)[
        "buyer_id"], "quota": 0})
    assert lowered.status_code == 422
    assert anonymous.form(f"{links[chain]}/needs", {"available": ["9"]}).status_code == 422  # the room has 6 slots
    exporter, tea = conference["buyers"]["exporter"]["id"], conference["producers"]["tea"]["id"]
    taken = organizer.api("POST", f"{base}/meetings", {"buyer": exporter, "producer": tea, "slot": 0, "table": 1})
    assert taken.status_code == 409
    _ok(organizer.api("POST", f"{base}/schedule"))
    _ok(organizer.api("POST", f"{base}/schedule/late"))
    (kept,) = [m for m in _ok(organizer.get(f"{base}/meetings"), 200) if m["id"] == meeting["id"]]
    assert (kept["status"], kept["slot"], kept["table_number"]) == ("confirmed", 0, 1)
    # Cancelled by the organizers, the pair can then be refused.
    _ok(organizer.api("POST", f"{base}/meetings/{meeting['id']}/mark", {"status": "cancelled"}), 204)
    assert anonymous.form(f"{links[honey]}/interests", {"other": chain, "says": "no"}).status_code == 302


def test_each_change_of_a_schedule_is_sent_once_and_a_change_undone_is_sent_again(conference):
    from core.tables import Notification

    organizer, base = conference["organizer"], conference["base"]
    chain = conference["buyers"]["chain"]["id"]
    buyer = _participant(conference, chain)["buyer_id"]
    held = _ok(organizer.get(f"/api/v1/buyers/{buyer}"), 200)
    _ok(organizer.api("PUT", f"/api/v1/buyers/{buyer}", {"name": held["name"], "kind": held["kind"],
                                                          "email": "mua@chuoi.example"}), 200)
    honey, basket = conference["producers"]["honey"]["id"], conference["producers"]["basket"]["id"]

    def sent() -> list[list[str]]:
        rows = run(Notification.select(Notification.data).where(
            Notification.key.like(f"meetings:{conference['fair']}:{chain}:%")).order_by(Notification.id))
        return [[line["when"][:5] for line in (r["data"] if isinstance(r["data"], dict) else json.loads(
            r["data"]))["meetings"]] for r in rows]

    one = _ok(organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": honey, "slot": 0, "table": 1}))
    two = _ok(organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": basket, "slot": 3, "table": 1}))
    assert sent() == [["08:30"], ["08:30", "13:30"]]
    _ok(organizer.api("POST", f"{base}/meetings/{one['id']}/swap", {"other": two["id"]}), 204)
    _ok(organizer.api("POST", f"{base}/meetings/{one['id']}/swap", {"other": two["id"]}), 204)
    assert len(sent()) == 4  # swapped, and swapped back: each sent
    _ok(organizer.api("POST", f"{base}/meetings/{one['id']}/mark", {"status": "held"}), 204)
    exporter, tea = conference["buyers"]["exporter"]["id"], conference["producers"]["tea"]["id"]
    _ok(organizer.api("POST", f"{base}/meetings", {"buyer": exporter, "producer": tea, "slot": 1, "table": 1}))
    assert len(sent()) == 4  # a meeting marked held changes nobody's schedule, nor does another's meeting


def test_odd_numbers_and_other_conferences_get_words_not_errors(conference, anonymous, login):
    organizer, base = conference["organizer"], conference["base"]
    link = _links(conference)[conference["buyers"]["chain"]["id"]]
    for odd in ("²", "99999999999999999999", "-1", "x"):
        assert anonymous.form(f"{link}/requests", {"other": odd}).status_code == 422, odd
        assert anonymous.form(f"{link}/interests", {"other": odd, "says": "must"}).status_code == 422, odd
    fair = conference["fair"]
    assert organizer.form(f"/fairs/{fair}/meetings/add", {"back": "²", "slot": "0", "table": "1"}).status_code == 422
    chain, honey = conference["buyers"]["chain"]["id"], conference["producers"]["honey"]["id"]
    meeting = _ok(organizer.api("POST", f"{base}/meetings", {"buyer": chain, "producer": honey, "slot": 0, "table": 1}))
    from tests.fairs.conftest import fair_payload

    other = _ok(organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")))["id"]
    elsewhere = f"/api/v1/fairs/{other}/matchmaking/meetings/{meeting['id']}/mark"
    assert organizer.api("POST", elsewhere, {"status": "held"}).status_code == 404


def test_a_declined_request_is_not_sent_again_by_the_same_side(conference, anonymous):
    links = _links(conference)
    chain, honey = conference["buyers"]["chain"]["id"], conference["producers"]["honey"]["id"]
    assert anonymous.form(f"{links[chain]}/requests", {"other": honey}).status_code == 302
    (request,) = _ok(conference["organizer"].get(f"{conference['base']}/requests"), 200)
    assert anonymous.form(f"{links[honey]}/requests/{request['id']}/answer", {"accept": "0"}).status_code == 302
    assert anonymous.form(f"{links[chain]}/requests", {"other": honey}).status_code == 409
    assert anonymous.form(f"{links[honey]}/requests", {"other": chain}).status_code == 302  # the other side may ask
