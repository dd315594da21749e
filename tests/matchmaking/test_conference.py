"""A connection conference through the HTTP API: its room, buyers with needs and producers with offers, matches
that explain themselves, what each side says, requests that expire, the schedule, the day's marks, and the
funnel from meeting to agreement."""

from __future__ import annotations

import datetime as dt

from tests.conftest import product_payload, run, unique
from tests.fairs.conftest import fair_payload
from tests.matchmaking.conftest import TODAY
from tests.matchmaking.conftest import ok as _ok


def test_matches_rank_by_the_buyers_needs_and_say_why(conference):
    organizer, base = conference["organizer"], conference["base"]
    organizer.cookies.set("lang", "en")
    chain = conference["buyers"]["chain"]["id"]
    found = _ok(organizer.get(f"{base}/matches", params={"buyer": chain}), 200)
    ranked = [m["producer"] for m in found]
    honey, tea, basket = (conference["producers"][k]["id"] for k in ("honey", "tea", "basket"))
    assert ranked[0] == honey and ranked.index(tea) < ranked.index(basket)
    best = found[0]
    assert best["score"] == 100 and any("Offers what the buyer looks for" in r for r in best["reasons"])
    weak = next(m for m in found if m["producer"] == basket)
    assert any("None of its products is in the groups" in r for r in weak["reasons"])
    # A buyer that stated nothing finds every producer as good a match.
    exporter = conference["buyers"]["exporter"]["id"]
    assert {m["score"] for m in _ok(organizer.get(f"{base}/matches", params={"buyer": exporter}), 200)} == {50}


def test_no_from_either_side_excludes_the_pair_and_requests_expire(conference):
    organizer, base = conference["organizer"], conference["base"]
    chain, honey = conference["buyers"]["chain"]["id"], conference["producers"]["honey"]["id"]
    tea = conference["producers"]["tea"]["id"]
    _ok(organizer.api("PUT", f"{base}/interests", {"buyer": chain, "producer": honey, "side": "producer", "says": "no"}), 204)
    pair = next(m for m in _ok(organizer.get(f"{base}/matches", params={"buyer": chain}), 200) if m["producer"] == honey)
    assert pair["value"] == 0 and pair["producer_says"] == "no"
    refused = organizer.api("POST", f"{base}/requests", {"buyer": chain, "producer": honey, "asked_by": "buyer"})
    assert refused.status_code == 422

    asked = _ok(organizer.api("POST", f"{base}/requests", {"buyer": chain, "producer": tea, "asked_by": "buyer"}))
    assert asked["status"] == "sent"
    assert organizer.api("POST", f"{base}/requests", {"buyer": chain, "producer": tea, "asked_by": "producer"}).status_code == 409
    # The organizer's deadline passes: the unanswered request expires and can no longer be accepted.
    from matchmaking.tables import MeetingRoom

    run(MeetingRoom.update({MeetingRoom.requests_close_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(
        MeetingRoom.fair == conference["fair"]))
    assert [r["status"] for r in _ok(organizer.get(f"{base}/requests"), 200)] == ["expired"]
    late = organizer.api("POST", f"{base}/requests/{asked['id']}/answer", {"accept": True})
    assert late.status_code == 409


def test_only_organizers_change_and_staff_read(conference, login):
    base = conference["base"]
    viewer, producer, manager = login("viewer"), login("producer"), login("salespoint_manager")
    assert viewer.get(f"{base}/participants").status_code == 200
    assert viewer.api("POST", f"{base}/schedule").status_code == 403
    assert producer.get(f"{base}/participants").status_code == 403
    assert manager.get(f"/fairs/{conference['fair']}/meetings/").status_code == 403
    assert viewer.get(f"/fairs/{conference['fair']}/meetings/").status_code == 200
    organizer = conference["organizer"]  # an id past any record's is no conference, not a server error
    beyond = f"/api/v1/fairs/{2**63}/matchmaking"
    assert organizer.api("PUT", f"{beyond}/interests", {"buyer": 1, "producer": 2, "side": "buyer", "says": "no"}).status_code == 404
    assert organizer.api("POST", f"{beyond}/requests", {"buyer": 1, "producer": 2, "asked_by": "buyer"}).status_code == 404


def test_a_trade_fair_has_no_meeting_room(login):
    organizer = login("organizer")
    fair = _ok(organizer.api("POST", "/api/v1/fairs", fair_payload()))["id"]
    response = organizer.api("PUT", f"/api/v1/fairs/{fair}/matchmaking/room", {
        "day": TODAY.isoformat(), "tables": 2, "sessions": [{"starts": "08:30", "slots": 3}]})
    assert response.status_code == 422


def _meetings(client, base: str) -> list[dict]:
    return _ok(client.get(f"{base}/meetings"), 200)


def test_the_schedule_keeps_every_rule_and_confirmed_meetings_never_move(conference, login):
    organizer, base = conference["organizer"], conference["base"]
    chain, exporter = conference["buyers"]["chain"]["id"], conference["buyers"]["exporter"]["id"]
    honey, tea, basket = (conference["producers"][k]["id"] for k in ("honey", "tea", "basket"))
    asked = _ok(organizer.api("POST", f"{base}/requests", {"buyer": exporter, "producer": basket, "asked_by": "buyer"}))
    _ok(organizer.api("POST", f"{base}/requests/{asked['id']}/answer", {"accept": True}), 204)
    _ok(organizer.api("PUT", f"{base}/interests", {"buyer": chain, "producer": tea, "side": "buyer", "says": "no"}), 204)

    outcome = _ok(organizer.api("POST", f"{base}/schedule"))
    meetings = _meetings(organizer, base)
    assert outcome["meetings"] == len(meetings) > 0 and outcome["value"] <= outcome["bound"]
    pairs = {(m["buyer"], m["producer"]) for m in meetings}
    assert (exporter, basket) in pairs and (chain, tea) not in pairs
    by_slot: dict[int, list[dict]] = {}
    for m in meetings:
        by_slot.setdefault(m["slot"], []).append(m)
    for slot in by_slot.values():  # nobody twice in a slot, no table twice, no more than the room's two tables
        assert len({m["buyer"] for m in slot}) == len({m["producer"] for m in slot}) == len(slot) <= 2
        assert len({m["table_number"] for m in slot}) == len(slot)
    for party, quota in ((honey, 2), (tea, 2), (basket, 2), (chain, 3), (exporter, 3)):
        assert sum(party in (m["buyer"], m["producer"]) for m in meetings) <= quota

    _ok(organizer.api("POST", f"{base}/schedule/confirm"))
    confirmed = {(m["id"], m["slot"], m["table_number"]) for m in _meetings(organizer, base)}
    # A producer arrives late: fitted around the confirmed meetings, which stay where they are.
    producer = _ok(organizer.api("POST", "/api/v1/producers", {"name": unique("HTX late "), "kind": "cooperative",
                                                                "province_code": "ha-noi"}))["id"]
    product = _ok(organizer.api("POST", "/api/v1/products", product_payload(producer, name=unique("SP "))))["id"]
    late = _ok(organizer.api("POST", f"{base}/participants", {"side": "producer", "producer_id": producer,
                                                               "product_ids": [product], "quota": 2}))["id"]
    _ok(organizer.api("POST", f"{base}/schedule/late"))
    after = _meetings(organizer, base)
    assert confirmed <= {(m["id"], m["slot"], m["table_number"]) for m in after}
    _ok(organizer.api("POST", f"{base}/schedule"))  # run again: nothing confirmed moves either
    assert confirmed <= {(m["id"], m["slot"], m["table_number"]) for m in _meetings(organizer, base)}
    assert any(m["producer"] == late for m in _meetings(organizer, base)) or len(confirmed) == 6 * 2

    # On the day: one meeting missed, one held and an agreement recorded from it.
    held, missed = sorted(confirmed)[:2]
    _ok(organizer.api("POST", f"{base}/meetings/{missed[0]}/mark", {"status": "no_show"}), 204)
    meeting = next(m for m in _meetings(organizer, base) if m["id"] == held[0])
    producer_id = next(p for p in _ok(organizer.get(f"{base}/participants"), 200) if p["id"] == meeting["producer"])
    made = _ok(organizer.api("POST", f"{base}/meetings/{held[0]}/agreement", {
        "signed_on": TODAY.isoformat(),
        "lines": [{"product_id": producer_id["product_ids"][0], "quantity": 100, "unit": "hộp", "unit_price": 80_000}]}))
    agreement = _ok(organizer.get(f"/api/v1/agreements/{made['agreement_id']}"), 200)
    assert agreement["fair_id"] == conference["fair"] and agreement["committed_value"] == 8_000_000
    again = organizer.api("POST", f"{base}/meetings/{held[0]}/agreement", {
        "signed_on": TODAY.isoformat(),
        "lines": [{"product_id": producer_id["product_ids"][0], "quantity": 1, "unit": "hộp", "unit_price": 1}]})
    assert again.status_code == 409
    funnel = _ok(organizer.get(f"{base}/funnel"), 200)
    assert (funnel["requests"], funnel["accepted"], funnel["held"], funnel["no_shows"], funnel["agreements"]) == (1, 1, 1, 1, 1)
    assert funnel["committed_value"] == 8_000_000 and funnel["agreements_per_meeting_held"] == 1.0
    assert organizer.get(f"/fairs/{conference['fair']}/meetings/").status_code == 200
    # The conference's outcome report gains the section, with the same figures.
    report = organizer.get(f"/fairs/{conference['fair']}/reports/outcome", params={"lang": "en"})
    assert report.status_code == 200 and "From meetings to trade" in report.text, report.text[-2000:]
    section = report.text[report.text.index('id="meetings"'):]
    assert "Agreements from meetings" in section and "8.000.000" in section


def test_the_page_takes_what_each_side_says_and_requests_with_their_answers(conference):
    organizer, fair = conference["organizer"], conference["fair"]
    chain, honey, tea = (conference["buyers"]["chain"]["id"], conference["producers"]["honey"]["id"],
                         conference["producers"]["tea"]["id"])
    page = f"/fairs/{fair}/meetings"
    said = organizer.form(f"{page}/interests", {"buyer": chain, "producer": tea, "side": "producer", "says": "no"})
    assert said.status_code == 302
    asked = organizer.form(f"{page}/requests", {"buyer": chain, "producer": honey, "asked_by": "buyer"})
    assert asked.status_code == 302
    excluded = organizer.form(f"{page}/requests", {"buyer": chain, "producer": tea, "asked_by": "buyer"})
    assert excluded.status_code == 422  # the page again, saying one side does not want it
    (request,) = _ok(organizer.get(f"{conference['base']}/requests"), 200)
    assert organizer.form(f"{page}/requests/{request['id']}/answer", {"accept": "1"}).status_code == 302
    assert organizer.form(f"{page}/requests/{request['id']}/answer", {"accept": "0"}).status_code == 409
    matches = {m["producer"]: m for m in _ok(organizer.get(f"{conference['base']}/matches", params={"buyer": chain}), 200)}
    assert matches[tea]["value"] == 0 and matches[honey]["request"] == "accepted"
    assert organizer.get(f"{page}/").status_code == 200
