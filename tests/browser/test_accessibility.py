"""axe-core (the copy axe-playwright-python bundles) in Chromium over every page of the three journeys, the
shopper's, the organizer's and the sales-point manager's, at phone and desktop width, on the demo
programme loaded into a database of its own: no violation anywhere, whatever its impact (critical, serious,
moderate or minor)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe

from core.formatting import vietnam_today
from matchmaking.link_signing import participant_path
from tests.conftest import ROOT, run, serve, stop_server
from tests.hardening.stock_stream import query
from tests.hardening.test_backup import _postgres

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
DEMO = {"organizer": "ocop-organizer-demo", "manager": "ocop-manager-demo", "producer": "ocop-producer-demo"}

LOAD_DEMO = """
import asyncio
from ocop.cli import _with_database, migrate
from ocop.demo import load_demo
asyncio.run(migrate())
asyncio.run(_with_database(load_demo))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo programme in a database of its own, served on 127.0.0.1: (its address, its database URL)."""
    folder = tmp_path_factory.mktemp("axe")
    url = os.environ["DATABASE_URL"]
    name = ""
    if url.startswith("sqlite"):
        url = f"sqlite:///{folder / 'demo.db'}"
    else:
        name = f"ocop_axe_{uuid.uuid4().hex[:10]}"
        run(_postgres(url, f'CREATE DATABASE "{name}"'))
        url = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    loaded = subprocess.run([sys.executable, "-c", LOAD_DEMO], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                            capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    process, base = serve(folder / "server.log", DATABASE_URL=url)
    try:
        yield base, url
    finally:
        stop_server(process)
        if name:
            run(_postgres(os.environ["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _api(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/login")
    response = client.post("/login", data={"username": username, "password": DEMO[username],
                                           "_csrf_token": client.cookies["ocop_csrftoken"]})
    assert response.status_code == 302, response.text[:300]
    return client


def _items(body):
    return body["items"] if isinstance(body, dict) else body


@pytest.fixture(scope="module")
def journeys(demo) -> dict[str, list[str]]:
    """Each journey's pages, with ids found through the API as a user would find them (the product with
    photos read from the database: no API lists photos across products)."""
    base, url = demo
    ((code, product, producer),) = query(url, "SELECT code, id, producer FROM product WHERE id = "
                                              "(SELECT MIN(product) FROM product_photo)")
    # A consignment statement at a point of the demo manager's, and one of the demo producer's.
    ((statement, statement_point),) = query(url, "SELECT s.id, s.point FROM settlement s JOIN sales_point_manager m "
                                                 "ON m.point = s.point JOIN ocop_user u ON u.id = m.\"user\" "
                                                 "WHERE u.username = 'manager' ORDER BY s.month DESC, s.id LIMIT 1")
    ((own_statement,),) = query(url, "SELECT s.id FROM settlement s JOIN producer_member pm ON pm.producer = s.producer "
                                     "JOIN ocop_user u ON u.id = pm.\"user\" WHERE u.username = 'producer' "
                                     "ORDER BY s.month DESC, s.id LIMIT 1")
    ((conference,),) = query(url, "SELECT MIN(fair) FROM meeting")
    ((participant,),) = query(url, f"SELECT MIN(buyer) FROM meeting WHERE fair = {conference}")
    # The demo conference is past and so are its links: a participant's page is opened with one made for today.
    own_page = participant_path(participant, vietnam_today())
    organizer, manager = _api(base, "organizer"), _api(base, "manager")
    try:
        fairs = _items(organizer.get("/api/v1/fairs").json())
        fair = next(f for f in fairs if f["status"] in ("running", "published"))["id"]
        booth = next(b["code"] for b in organizer.get(f"/api/v1/fairs/{fair}/plan").json()["booths"]
                     if b.get("state") in ("confirmed", "proposed"))
        agreement = _items(organizer.get("/api/v1/agreements").json())[0]["id"]
        point = _items(manager.get("/api/v1/salespoints").json())[0]["id"]
    finally:
        organizer.close()
        manager.close()
    return {
        "public": ["/catalogue", f"/p/{code}", f"/producers/{producer}", f"/s/{point}", f"/f/{fair}",
                   f"/f/{fair}/b/{booth}", "/login", own_page],
        "organizer": ["/", "/catalog/products", f"/catalog/products/{product}", "/catalog/producers", "/catalog/import",
                      "/fairs/", f"/fairs/{fair}", f"/fairs/{fair}/plan", f"/fairs/{fair}/applications", "/agreements/",
                      f"/agreements/{agreement}", "/agreements/ceremony", f"/fairs/{fair}/reports/outcome", "/inbox/",
                      f"/fairs/{conference}/meetings/", f"/fairs/{conference}/meetings/participants/{participant}",
                      f"/fairs/{conference}/meetings/desk", f"/fairs/{conference}/meetings/import/"],
        "manager": ["/salespoints/", f"/salespoints/{point}", f"/salespoints/{point}/counter", f"/salespoints/{point}/refused",
                    f"/salespoints/{statement_point}/statements", f"/salespoints/statements/{statement}"],
        "producer": ["/salespoints/consigned", f"/salespoints/statements/{own_statement}"],
    }


def _signed_in(browser, base: str, journey: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    if journey != "public":
        page = context.new_page()
        username = journey
        page.goto(f"{base}/login?next=/")
        page.fill("#f-username", username)
        page.fill("#f-password", DEMO[journey])
        page.click("button[type=submit].button")
        page.wait_for_url(f"{base}/")
        page.close()
    return context


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("journey", ["public", "organizer", "manager", "producer"])
def test_no_page_of_a_journey_has_an_accessibility_violation(browser, demo, journeys, journey, width):
    base = demo[0]
    axe = Axe()
    context = _signed_in(browser, base, journey, WIDTHS[width])
    found = []
    try:
        page = context.new_page()
        for path in journeys[journey]:
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            results = axe.run(page)
            for violation in results.response["violations"]:
                targets = [" ".join(node["target"]) for node in violation["nodes"]][:4]
                found.append(f"{path} [{violation['impact']}] {violation['id']}: {violation['help']} — {targets}")
    finally:
        context.close()
    assert not found, "\n".join(found)
