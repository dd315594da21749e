"""Sessions end: a login lasts the configured hours and an expired session is refused by the pages, the
API and piccolo-admin alike. Login throttling, per account and address: tests/hardening/test_login_throttle.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from core.settings import settings
from tests.conftest import PASSWORDS, Client, run


@contextmanager
def logged_in(server, users, role: str) -> Iterator[Client]:
    with Client(base_url=server, follow_redirects=False, timeout=30) as client:
        response = client.log_in(users[role], PASSWORDS[role])
        assert response.status_code == 302, response.text
        yield client


def session_row(token: str) -> dict:
    from accounts.tables import Session, token_digest

    return run(Session.select().where(Session.token == token_digest(token)).first())  # only the hash is kept


def test_a_login_lasts_the_configured_hours(server, users):
    with logged_in(server, users, "viewer") as client:
        token = client.cookies["id"]
        left = session_row(token)["expiry_date"] - dt.datetime.now()  # stored as naive local time
        hours = settings.session_hours
        assert dt.timedelta(hours=hours, minutes=-2) < left <= dt.timedelta(hours=hours), left
        assert client.form("/logout", {}).status_code == 302
        assert session_row(token) is None  # logging out deleted it


def test_the_session_cookie_is_http_only_and_same_site(server, users):
    with Client(base_url=server, follow_redirects=False) as client:
        response = client.log_in(users["viewer"], PASSWORDS["viewer"])
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("id="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        assert f"Max-Age={settings.session_hours * 3600}" in cookie


def test_an_expired_session_is_refused_everywhere(server, users):
    from accounts.tables import Session, token_digest

    with logged_in(server, users, "admin") as client:
        token = client.cookies["id"]
        # aged before the server has read it, so no worker holds it in its few-second cache
        run(Session.update({Session.expiry_date: dt.datetime.now() - dt.timedelta(minutes=1)}).where(
            Session.token == token_digest(token)))
        page = client.get("/catalog/products/")
        assert page.status_code == 302 and page.headers["location"].startswith("/login")
        assert client.get("/api/v1/products").status_code == 401
        assert client.get("/admin/").status_code == 302
        assert client.api("POST", "/api/v1/producers", {"name": "x", "kind": "cooperative", "province_code": "hue"}).status_code == 401
