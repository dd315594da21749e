"""A NUL character is refused with a 422 problem on both engines, whichever write it reaches:
PostgreSQL cannot hold it, and a SQLite file holding it could not be moved to PostgreSQL."""

from __future__ import annotations

import datetime as dt

from core.formatting import vietnam_today
from tests.conftest import run, unique


def test_a_nul_in_text_is_refused_as_the_fields_error_and_nothing_is_written(login):
    from fairs.tables import Fair
    from salespoints.tables import SalesPoint

    organizer = login("organizer")
    tag = unique("Điểm OCOP ")  # looked for by this NUL-free part: PostgreSQL refuses a NUL in a read too
    name = tag + " \x00"
    point = organizer.api("POST", "/api/v1/salespoints", {"name": name, "province_code": "ha-noi"})
    assert point.status_code == 422, point.text
    assert point.headers["content-type"].startswith("application/problem+json")
    # Every text field's rule (core.fields) refuses it; the engines' own refusal stays beneath (below).
    assert "not allowed" in point.json()["errors"]["name"] or "không được phép" in point.json()["errors"]["name"]
    assert run(SalesPoint.count().where(SalesPoint.name.like(f"{tag}%"))) == 0

    day = vietnam_today() + dt.timedelta(days=40)
    fair_tag = unique("Hội chợ ")
    fair_name = fair_tag + " \x00"
    fair = organizer.api("POST", "/api/v1/fairs", {"name": fair_name, "starts_on": day.isoformat(),
                                                   "ends_on": (day + dt.timedelta(days=3)).isoformat()})
    assert fair.status_code == 422, fair.text
    assert run(Fair.count().where(Fair.name.like(f"{fair_tag}%"))) == 0

    # The same organizer goes on working: the refusal left no transaction open.
    assert organizer.api("POST", "/api/v1/salespoints", {"name": unique("Điểm OCOP "), "province_code": "ha-noi"}).status_code == 201


def test_the_sqlite_engine_refuses_nul_in_every_write_path():
    import pytest

    from core import database
    from piccolo_conf import DB
    from salespoints.tables import SalesPoint

    if DB.engine_type != "sqlite":
        pytest.skip("PostgreSQL refuses it itself")

    async def attempts() -> list[str]:
        refused = []
        for label, write in [
            ("insert", lambda: SalesPoint.insert(SalesPoint(name="a\x00b", province_code="ha-noi"))),
            ("update", lambda: SalesPoint.update({SalesPoint.address: "x\x00"}).where(SalesPoint.id == -1)),
            ("bulk", lambda: database.insert_many(SalesPoint, [{"name": "c\x00d", "province_code": "ha-noi"}])),
        ]:
            try:
                await write()
            except database.UnstorableText:
                refused.append(label)
        async with DB.transaction():
            try:
                await SalesPoint.insert(SalesPoint(name="e\x00f", province_code="ha-noi"))
            except database.UnstorableText:
                refused.append("in a transaction")
        return refused

    assert run(attempts()) == ["insert", "update", "bulk", "in a transaction"]
    # LIKE would stop at the NUL in its own pattern: look for the character itself.
    assert run(SalesPoint.raw("SELECT COUNT(*) AS n FROM sales_point WHERE instr(name, char(0)) > 0"))[0]["n"] == 0
