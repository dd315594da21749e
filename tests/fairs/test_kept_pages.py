"""The floor-plan page and the outcome-report preview are kept between requests while nothing they show
changed, and never served stale: every write to what they show (through any page, the API, the scheduler
or a direct database write) is seen at the next request, and each session gets its own CSRF token."""

from __future__ import annotations

import re

from tests.conftest import unique
from tests.fairs.conftest import move


def _token(page: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


def test_the_plan_page_shows_each_change_at_the_next_request(organizer, make_fair):
    fair_id, zones = make_fair(rows=1, columns=3)
    first = organizer.get(f"/fairs/{fair_id}/plan")
    assert first.status_code == 200 and "A01" in first.text and "Z99" not in first.text
    assert organizer.get(f"/fairs/{fair_id}/plan").text == first.text  # unchanged data: the same page

    added = organizer.api("POST", f"/api/v1/fairs/{fair_id}/booths",
                          {"zone_id": zones["A"], "code": "Z99", "x": 80, "y": 0, "width": 3, "depth": 3})
    assert added.status_code == 201, added.text
    assert "Z99" in organizer.get(f"/fairs/{fair_id}/plan").text


def test_a_renamed_exhibitor_shows_on_the_kept_plan(organizer, make_fair, exhibitor):
    fair_id, _ = make_fair(rows=1, columns=3)
    producer, product = exhibitor()
    move(organizer, fair_id, "open")
    applied = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                            {"producer_id": producer, "product_ids": [product], "booths_wanted": 1})
    assert applied.status_code == 201, applied.text
    booth = next(b["id"] for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"] if b["code"] == "A01")
    assigned = organizer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                             {"application_id": applied.json()["id"], "booth_ids": [booth]})
    assert assigned.status_code == 204, assigned.text
    before = organizer.get(f"/fairs/{fair_id}/plan").text
    new_name = unique("HTX Đổi tên ")
    renamed = organizer.api("PUT", f"/api/v1/producers/{producer}",
                            {"name": new_name, "kind": "cooperative", "province_code": "ha-noi"})
    assert renamed.status_code == 200, renamed.text
    assert new_name not in before and new_name in organizer.get(f"/fairs/{fair_id}/plan").text


def test_each_session_gets_its_own_csrf_token_in_a_kept_page(login, make_fair):
    fair_id, _ = make_fair()
    one, other = login("organizer"), login("organizer")
    first, second = one.get(f"/fairs/{fair_id}/plan").text, other.get(f"/fairs/{fair_id}/plan").text
    assert _token(first) == one.csrf() and _token(second) == other.csrf() and one.csrf() != other.csrf()
    # The token a page carries is accepted: a form posted from the kept page goes through.
    posted = other.post(f"/fairs/{fair_id}/zones", data={"_csrf_token": _token(second), "code": "K",
                                                           "name": "Khu mới", "theme": "general"})
    assert posted.status_code in (302, 303), posted.text[:300]
    assert "Khu mới" in one.get(f"/fairs/{fair_id}/plan").text
