"""Compiled reports are kept as numbered versions (who, when, from what data), listed on the
fair's page, downloadable by those who may read them, and compiled by the scheduler after a fair."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from tests.reports.conftest import db, pdf_text, workbook


def versions(organizer, fair: int) -> list[dict]:
    response = organizer.get("/api/v1/reports/", params={"fair_id": fair})
    assert response.status_code == 200, response.text
    return response.json()


def test_compile_now_keeps_a_new_version_only_when_the_data_changed(organizer, trade_week, login):
    from fairs.tables import VisitorCount

    fair = trade_week["fair"]
    before = len(versions(organizer, fair))
    response = organizer.form(f"/fairs/{fair}/reports/outcome/compile", {})
    assert response.status_code in (302, 303), response.text
    first = versions(organizer, fair)
    assert len(first) == before + 1
    latest = first[0]
    assert latest["kind"] == "fair_outcome" and latest["compiled_by"] == "t-organizer" and latest["pages"] > 3
    assert organizer.form(f"/fairs/{fair}/reports/outcome/compile", {}).status_code in (302, 303)
    assert len(versions(organizer, fair)) == before + 1  # same data, same language: the same version

    async def more_visitors() -> None:
        row = await VisitorCount.select().where(VisitorCount.fair == fair).first()
        await VisitorCount.update({VisitorCount.visitors: row["visitors"] + 1}).where(VisitorCount.id == row["id"])

    db(more_visitors)
    assert organizer.form(f"/fairs/{fair}/reports/outcome/compile", {}).status_code in (302, 303)
    second = versions(organizer, fair)[0]
    assert second["version"] == latest["version"] + 1 and second["digest"] != latest["digest"]

    listed = organizer.get(f"/fairs/{fair}/reports/_list").text
    assert f"/reports/artifacts/{second['id']}/pdf" in listed and f"/reports/artifacts/{latest['id']}/pdf" in listed
    assert f"/fairs/{fair}/reports" in organizer.get(f"/fairs/{fair}").text

    stored = organizer.get(f"/reports/artifacts/{second['id']}/pdf")
    assert stored.status_code == 200 and stored.headers["content-type"] == "application/pdf"
    assert "Trang" in pdf_text(stored.content)
    sheet = organizer.get(f"/reports/artifacts/{second['id']}/xlsx")
    assert sheet.status_code == 200 and "Theo ngày" in workbook(sheet.content).sheetnames
    assert login("viewer").get(f"/reports/artifacts/{second['id']}/pdf").status_code == 200
    assert login("producer").get(f"/reports/artifacts/{second['id']}/pdf").status_code == 403
    assert login("viewer").form(f"/fairs/{fair}/reports/outcome/compile", {}).status_code == 403


def test_a_damaged_file_is_refused(organizer, trade_week):
    from core.tables import StoredChunk
    from reports.tables import ReportArtifact

    fair = trade_week["fair"]
    organizer.form(f"/fairs/{fair}/reports/outcome/compile", {"lang": "en"})
    artifact = versions(organizer, fair)[0]

    async def digest() -> str:
        return (await ReportArtifact.select(ReportArtifact.xlsx_sha256).where(ReportArtifact.id == artifact["id"]).first())["xlsx_sha256"]

    sha256 = db(digest)
    original = db(StoredChunk.select(StoredChunk.data).where(StoredChunk.sha256 == sha256, StoredChunk.number == 0).first)["data"]

    def put(data: bytes):
        return StoredChunk.update({StoredChunk.data: data}).where(StoredChunk.sha256 == sha256, StoredChunk.number == 0)

    try:
        db(put(bytes(original) + b"tampered").run)
        assert organizer.get(f"/reports/artifacts/{artifact['id']}/xlsx").status_code == 409
    finally:
        db(put(bytes(original)).run)
    assert hashlib.sha256(organizer.get(f"/reports/artifacts/{artifact['id']}/xlsx").content).hexdigest() == sha256


def test_the_scheduler_compiles_the_report_and_writes_one_email_per_organizer(trade_week, users):
    from core.tables import Notification
    from reports import compile_scheduled
    from reports.services import organizer_ids
    from scheduler.mail import render

    fair = trade_week["fair"]
    result = db(compile_scheduled, {"id": 1, "key": f"report:fair:{fair}", "data": json.dumps({"fair_id": fair, "fair": "x"})})
    assert f"fair {fair}" in result and "version" in result

    async def written() -> list[dict]:
        return await Notification.select().where(Notification.template == "report_ready",
                                                 Notification.key.like(f"report:fair:{fair}:%"))

    organizers = db(organizer_ids)
    rows = db(written)
    assert sorted(r["recipient"] for r in rows) == organizers
    data = rows[0]["data"] if isinstance(rows[0]["data"], dict) else json.loads(rows[0]["data"])
    message = render("report_ready", data, "vi")
    assert f"/reports/artifacts/{data['artifact_id']}/pdf" in message.text and data["title"] in message.subject
    # Run again (a restart): nothing new is written.
    db(compile_scheduled, {"data": {"fair_id": fair}})
    assert len(db(written)) == len(rows)


def test_the_outcome_data_is_served_as_json(organizer, trade_week):
    response = organizer.get(f"/api/v1/reports/fairs/{trade_week['fair']}/outcome")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["fair"]["id"] == trade_week["fair"] and len(body["digest"]) == 64
    assert dt.date.fromisoformat(body["days"][0]["day"])


def test_the_preview_shows_a_write_made_outside_the_application_at_the_next_request(organizer, trade_week):
    """The preview is kept while its data is unchanged; database triggers mark every change, so even a
    write that bypasses the services (a repair in the database, an import script) is shown at once."""
    from fairs.tables import VisitorCount

    fair = trade_week["fair"]
    first = organizer.get(f"/fairs/{fair}/reports/outcome").text
    assert organizer.get(f"/fairs/{fair}/reports/outcome").text == first

    async def many_visitors() -> None:
        row = await VisitorCount.select().where(VisitorCount.fair == fair).first()
        await VisitorCount.update({VisitorCount.visitors: 987_654}).where(VisitorCount.id == row["id"])

    db(many_visitors)
    assert "987.654" not in first and "987.654" in organizer.get(f"/fairs/{fair}/reports/outcome").text
