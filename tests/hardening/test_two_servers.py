"""Two application servers on one PostgreSQL database, each in a folder of its own, as behind a load
balancer: nothing either keeps on its disk matters. A login on one is valid on the other, a photo uploaded
through one is served by the other, a public page changed through one is fresh on the other within the
documented lag (OCOP_PUBLIC_VERSION_SECONDS), and of their two schedulers exactly one holds the lease."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from tests.catalog.test_photos import jpeg_with_exif, make_product
from tests.catalog.test_photos import upload as upload_photo
from tests.conftest import PASSWORDS, Client, product_payload, run, serve, stop_server

pytestmark = pytest.mark.skipif(not os.environ["DATABASE_URL"].startswith("postgres"),
                                reason="application servers share a PostgreSQL database; a SQLite file is one machine's")

LAG_SECONDS = 1.0  # OCOP_PUBLIC_VERSION_SECONDS as shipped


@pytest.fixture
def pair(database, users, tmp_path):
    """Servers A and B, each started in an empty folder of its own, both running the scheduler."""
    servers = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            servers.append(serve(folder / "server.log", cwd=folder, OCOP_SCHEDULER_IN_WEB="1",
                                 OCOP_PUBLIC_VERSION_SECONDS=str(LAG_SECONDS), OCOP_DISPATCH_SECONDS="1",
                                 OCOP_RULES_MINUTES="100000", OCOP_OUTBOX_DIR=str(folder / "outbox"),
                                 OCOP_UPLOADS_DIR=str(folder / "uploads")))  # what older releases kept on disk
        yield servers
    finally:
        for process, _ in servers:
            stop_server(process)


def test_two_servers_on_one_database_serve_as_one(pair, users):
    from scheduler import lease
    from scheduler.tables import JobRun

    (server_a, a), (server_b, b) = pair
    started = dt.datetime.now(dt.UTC)
    with Client(base_url=a, follow_redirects=False, timeout=30) as on_a, \
            Client(base_url=b, follow_redirects=False, timeout=30) as on_b, \
            Client(base_url=b, follow_redirects=False, timeout=30) as visitor:
        # A login on A is a login on B: the session, and the CSRF token bound to it, work there too.
        assert on_a.log_in(users["organizer"], PASSWORDS["organizer"]).status_code == 302
        on_b.cookies.update(on_a.cookies)
        assert users["organizer"] in on_b.get("/").text
        producer = on_b.api("POST", "/api/v1/producers", {"name": "HTX Chè Tân Cương", "kind": "cooperative",
                                                          "province_code": "thai-nguyen"})
        assert producer.status_code == 201, producer.text

        # A photo uploaded through A is served by B, byte for byte.
        product = make_product(on_a, producer.json()["id"])
        added = upload_photo(on_a, product["id"], jpeg_with_exif())
        assert added.status_code == 201, added.text
        for url in (added.json()["thumb_url"], added.json()["display_url"]):
            assert visitor.get(url).content == on_a.get(url).content != b""

        # The public page, read on B, changed through A: fresh on B within the documented lag.
        page = f"/p/{product['code']}"
        assert product["name"] in visitor.get(page).text
        renamed = on_a.api("PUT", f"/api/v1/products/{product['id']}",
                           product_payload(product["producer_id"], name="Chè búp Tân Cương đặc biệt",
                                           certificate_number=product["certificate_number"]))
        assert renamed.status_code == 200, renamed.text
        changed_at = time.monotonic()
        while "Chè búp Tân Cương đặc biệt" not in visitor.get(page).text:
            assert time.monotonic() - changed_at < LAG_SECONDS + 2, "B still shows the old page"
            time.sleep(0.05)

    # Exactly one of the two schedulers holds the lease, and only it runs the jobs.
    pids = {str(server_a.pid), str(server_b.pid)}
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(seen) < 3:
        current = run(lease.current())
        dispatch = run(JobRun.select(JobRun.holder, JobRun.started_at).where(JobRun.job == "dispatch").first())
        if current and dispatch and dispatch["started_at"] >= started:
            assert current["holder"].split(":")[1] in pids
            assert dispatch["holder"] == current["holder"]
            seen.add(f"{current['holder']} {dispatch['started_at']}")
        time.sleep(0.5)
    assert len(seen) >= 3, "the dispatch job did not run under the lease"
    assert len({s.split(" ")[0] for s in seen}) == 1  # the same holder throughout
