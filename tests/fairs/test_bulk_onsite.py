"""Bulk work on the days of a fair: a whole day's sales and visitors on one grid, and one tick per
exhibitor on the check-in list, over HTTP as an organizer uses them."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from tests.fairs.conftest import TODAY, move


@pytest.fixture
def week(organizer, make_fair, exhibitor):
    """A running fair that began yesterday with four exhibitors on booths A01–A04 and a fifth waitlisted:
    (fair id, application ids in booth order, the waitlisted one)."""
    fair_id, zones = make_fair(starts_on=(TODAY - dt.timedelta(days=1)).isoformat(),
                               ends_on=(TODAY + dt.timedelta(days=3)).isoformat())
    move(organizer, fair_id, "open")
    applications = []
    for _ in range(5):
        producer, product = exhibitor()
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                                 {"producer_id": producer, "product_ids": [product]})
        assert response.status_code == 201, response.text
        applications.append(response.json()["id"])
    move(organizer, fair_id, "allocating")
    booths = {b["code"]: b["id"] for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"]}
    for number, application in enumerate(applications[:4], start=1):
        assigned = organizer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                                 {"application_id": application, "booth_ids": [booths[f"A{number:02d}"]]})
        assert assigned.status_code == 204, assigned.text
    move(organizer, fair_id, "published")
    move(organizer, fair_id, "running")
    return fair_id, applications[:4], applications[4]


def _day(organizer, fair_id: int, day: dt.date) -> dict:
    return next(d for d in organizer.get(f"/api/v1/fairs/{fair_id}/days").json() if d["day"] == day.isoformat())


def test_a_whole_day_is_entered_on_one_grid_and_a_wrong_line_saves_nothing(organizer, week):
    fair_id, placed, waiting = week
    yesterday = TODAY - dt.timedelta(days=1)
    url = f"/fairs/{fair_id}/days/{yesterday.isoformat()}"
    organizer.cookies.set("lang", "vi")
    page = organizer.get(url)
    assert page.status_code == 200
    assert re.findall(r'name="line" value="(\d+)"', page.text) == [str(a) for a in placed]  # booth order, placed only
    lines = {"visitors": "1.250", "line": [str(a) for a in placed]}
    typed = {f"revenue-{placed[0]}": "2.500.000", f"transactions-{placed[0]}": "31",
             f"revenue-{placed[1]}": "0", f"transactions-{placed[1]}": "",
             f"revenue-{placed[2]}": "", f"notes-{placed[2]}": "Nghỉ buổi sáng",
             f"revenue-{placed[3]}": "-5", f"transactions-{placed[3]}": "ba"}
    refused = organizer.form(url, {**lines, **typed})
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert f'id="g-transactions-{placed[3]}" inputmode="numeric" value="ba" aria-label' in text  # kept as typed
    assert f'id="g-transactions-{placed[3]}-error"' in text
    assert _day(organizer, fair_id, yesterday) == {"day": yesterday.isoformat(), "visitors": None, "revenue": 0,
                                                   "transactions": 0, "booths_reporting": 0}
    negative = organizer.form(url, {**lines, **typed, f"transactions-{placed[3]}": "1"})
    assert negative.status_code == 422 and f'id="g-revenue-{placed[3]}-error"' in negative.text
    assert _day(organizer, fair_id, yesterday)["booths_reporting"] == 0

    saved = organizer.form(url, {**lines, **typed, f"revenue-{placed[3]}": "1.800.000", f"transactions-{placed[3]}": "12"})
    assert saved.status_code in (302, 303), saved.text
    day = _day(organizer, fair_id, yesterday)
    assert (day["visitors"], day["revenue"], day["transactions"], day["booths_reporting"]) == (1250, 4_300_000, 43, 3)
    again = organizer.get(url).text  # the grid shows what is saved; the blank booth stays blank
    assert f'id="g-revenue-{placed[0]}" inputmode="numeric" value="2500000"' in again
    assert f'id="g-revenue-{placed[2]}" inputmode="numeric" value=""' in again

    # Clearing a booth's revenue takes its entry back; the API does the same in JSON.
    api = organizer.api("PUT", f"/api/v1/fairs/{fair_id}/days/{yesterday.isoformat()}", {
        "visitors": 1300, "entries": [{"application_id": placed[0]}, {"application_id": placed[1], "revenue": 450_000}]})
    assert api.status_code == 200 and api.json() == {"changed": 3}, api.text
    day = _day(organizer, fair_id, yesterday)
    assert (day["visitors"], day["revenue"], day["booths_reporting"]) == (1300, 1_800_000 + 450_000, 2)
    stranger = organizer.api("PUT", f"/api/v1/fairs/{fair_id}/days/{yesterday.isoformat()}", {
        "entries": [{"application_id": waiting, "revenue": 1}]})
    assert stranger.status_code == 422 and "entries.0.application_id" in stranger.json()["errors"]
    ahead = organizer.api("PUT", f"/api/v1/fairs/{fair_id}/days/{(TODAY + dt.timedelta(days=1)).isoformat()}",
                          {"visitors": 5})
    assert ahead.status_code == 422  # a day is counted once it has come
    assert organizer.get(f"/fairs/{fair_id}/days/not-a-day").status_code == 422


def test_the_check_in_list_takes_one_tick_per_exhibitor_and_a_mistaken_tick_back(organizer, login, week):
    fair_id, placed, waiting = week
    organizer.cookies.set("lang", "en")
    page = organizer.get(f"/fairs/{fair_id}/check-in")
    assert page.status_code == 200 and "0 of 4 exhibitors have checked in." in page.text
    assert re.findall(r'name="shown" value="(\d+)"', page.text) == [str(a) for a in placed]

    # One tick as it happens (what the page sends for a row): that row alone changes.
    row = organizer.form(f"/fairs/{fair_id}/check-in", {"row": str(placed[1]), "arrived": [str(placed[1]), str(placed[0])]},
                         headers={"hx-request": "true"})
    assert row.status_code == 200 and "1 of 4 exhibitors have checked in." in row.text
    statuses = {a["id"]: a["checked_in_at"] for a in organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()}
    assert statuses[placed[1]] and not statuses[placed[0]]

    # The whole list sent at once: ticks for 1 and 3, the tick on 2 taken back.
    whole = organizer.form(f"/fairs/{fair_id}/check-in", {"shown": [str(a) for a in placed],
                                                          "arrived": [str(placed[0]), str(placed[2])]})
    assert whole.status_code in (302, 303)
    statuses = {a["id"]: a["checked_in_at"] for a in organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()}
    assert [bool(statuses[a]) for a in placed] == [True, False, True, False]
    first_time = statuses[placed[0]]
    organizer.api("PUT", f"/api/v1/fairs/{fair_id}/check-ins", {"shown": [placed[0]], "arrived": [placed[0]]})
    assert organizer.get(f"/api/v1/fairs/applications/{placed[0]}").json()["checked_in_at"] == first_time  # kept

    # An exhibitor with no booth cannot be ticked; nothing else changes with it.
    refused = organizer.api("PUT", f"/api/v1/fairs/{fair_id}/check-ins", {"shown": placed, "arrived": [waiting]})
    assert refused.status_code == 422
    assert bool(organizer.get(f"/api/v1/fairs/applications/{placed[2]}").json()["checked_in_at"])
    producer = login("producer")
    assert producer.api("PUT", f"/api/v1/fairs/{fair_id}/check-ins", {"shown": placed, "arrived": []}).status_code == 403


def test_the_exhibitor_directory_and_export_come_from_the_fair_page(organizer, login, week):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    fair_id, placed, _ = week
    page = organizer.get(f"/fairs/{fair_id}").text
    assert f'href="/fairs/{fair_id}/directory.pdf"' in page and f'href="/fairs/{fair_id}/exhibitors.xlsx"' in page
    pdf = organizer.get(f"/fairs/{fair_id}/directory.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    names = [organizer.get(f"/api/v1/fairs/applications/{a}").json()["producer_name"] for a in placed]
    assert [text.index(name) for name in names] == sorted(text.index(name) for name in names)  # booth order
    sheet = organizer.get(f"/fairs/{fair_id}/exhibitors.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(placed) and [r[2] for r in rows[1:]] == names
    assert login("producer").get(f"/fairs/{fair_id}/exhibitors.xlsx").status_code == 403
