"""Every state-changing request needs its CSRF token: each form POST the application registers (taken
from the access matrix, so a new form is covered the day it gets its access rule) and each write of the
API is refused without it, sent by an administrator, who may make every one of them with the token."""

from __future__ import annotations

import re

import pytest

from core import i18n
from tests.conftest import PASSWORDS, Client
from tests.hardening.test_access_matrix import CASES, OK, ROLES

ADMIN = ROLES.index("admin")
# What the refusal page says to the administrator, who reads Vietnamese.
FORM_EXPIRED = i18n.translations("vi").gettext("The form expired. Reload the page and try again.")
WRITES = sorted({(c.method, c.route, c.upload is not None) for c in CASES if c.method != "GET" and c.expect[ADMIN] == OK})
FORMS = [w for w in WRITES if not w[1].startswith("/api/")]
API = [w for w in WRITES if w[1].startswith("/api/")]


def concrete(route: str) -> str:
    """Any id (or day) does: the token is checked before the request reaches its handler."""
    samples = {"int": "1", "date": "2000-01-01"}
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: samples.get(m.group(2), "x"), route)


@pytest.fixture(scope="module")
def admin(server, users):
    with Client(base_url=server, follow_redirects=False, timeout=30) as client:
        assert client.log_in(users["admin"], PASSWORDS["admin"]).status_code == 302
        yield client


def test_every_form_post_is_listed():
    assert len(FORMS) > 40 and ("POST", "/login", False) in FORMS and ("POST", "/logout", False) in FORMS


@pytest.mark.parametrize(("method", "route", "upload"), FORMS, ids=[f"{m} {r}" for m, r, _ in FORMS])
def test_a_form_post_without_its_token_is_refused(admin, method, route, upload):
    files = {"file": ("a.csv", b"a,b\n1,2\n")} if upload else None
    response = admin.request(method, concrete(route), data={"name": "x"}, files=files)
    assert response.status_code == 403, response.text[:300]
    assert FORM_EXPIRED in response.text  # not a refusal of the role


@pytest.mark.parametrize(("method", "route", "upload"), API, ids=[f"{m} {r}" for m, r, _ in API])
def test_an_api_write_without_its_token_header_is_refused(admin, method, route, upload):
    if upload:
        response = admin.request(method, concrete(route), files={"file": ("a.csv", b"a,b\n1,2\n")})
    else:
        response = admin.request(method, concrete(route), json={})
    assert response.status_code == 403, response.text[:300]
    assert response.json()["title"] == FORM_EXPIRED  # the reason, in the user's language


def test_a_token_from_another_browser_is_refused(admin, server):
    with Client(base_url=server) as stranger:
        foreign = stranger.csrf()
    assert foreign != admin.csrf()
    response = admin.post("/catalog/producers/", data={"name": "x", "_csrf_token": foreign})
    assert response.status_code == 403 and FORM_EXPIRED in response.text
    assert admin.request("PUT", "/api/v1/producers/1", json={}, headers={"x-csrftoken": foreign}).status_code == 403


def test_the_refusal_speaks_the_language_the_visitor_chose(server):
    with Client(base_url=server, follow_redirects=False, timeout=30) as visitor:
        visitor.get("/login")
        visitor.cookies.set("lang", "en")
        response = visitor.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "The form expired. Reload the page and try again." in response.text and '<html lang="en">' in response.text


def plant(client: Client, token: str) -> None:
    """The browser holds `token` as its only CSRF cookie, as if someone had set it there."""
    client.cookies.delete("ocop_csrftoken")
    client.cookies.set("ocop_csrftoken", token, domain=client.base_url.host)
    assert client.cookies.get("ocop_csrftoken") == token


def test_a_token_pair_from_another_session_is_refused(server, users):
    """The token's HMAC covers the session cookie: a pair copied from one browser (planted through a sibling
    subdomain, say) does not work beside another user's session cookie."""
    with Client(base_url=server, follow_redirects=False, timeout=30) as victim, \
            Client(base_url=server, follow_redirects=False, timeout=30) as attacker:
        assert victim.log_in(users["admin"], PASSWORDS["admin"]).status_code == 302
        assert attacker.log_in(users["viewer"], PASSWORDS["viewer"]).status_code == 302
        planted = attacker.csrf()
        plant(victim, planted)
        response = victim.post("/catalog/producers/", data={"name": "x", "_csrf_token": planted})
        assert response.status_code == 403 and FORM_EXPIRED in response.text
        assert victim.request("PUT", "/api/v1/producers/1", json={}, headers={"x-csrftoken": planted}).status_code == 403
        # An anonymous visitor's pair is no better: it is bound to no session.
        with Client(base_url=server) as stranger:
            anonymous = stranger.csrf()
        plant(victim, anonymous)
        assert victim.post("/language", data={"language": "en", "_csrf_token": anonymous}).status_code == 403


def test_logging_in_and_out_hands_over_a_token_for_the_new_session(server, users):
    with Client(base_url=server, follow_redirects=False, timeout=30) as browser:
        before = browser.csrf()
        assert browser.log_in(users["organizer"], PASSWORDS["organizer"]).status_code == 302
        during = browser.cookies.get("ocop_csrftoken")
        assert during and during != before
        # The token from before the login no longer goes with the session cookie.
        assert browser.post("/language", data={"language": "vi", "_csrf_token": before},
                            headers={"cookie": f"id={browser.cookies.get('id')}; ocop_csrftoken={before}"}).status_code == 403
        assert browser.form("/language", {"language": "vi", "next": "/"}).status_code in (302, 303)
        assert browser.form("/logout", {}).status_code in (302, 303)
        after = browser.cookies.get("ocop_csrftoken")
        assert after and after != during
        assert browser.get("/login").status_code == 200 and browser.cookies.get("ocop_csrftoken") == after  # kept while it fits


def test_a_safe_request_replaces_a_token_bound_to_another_session(server, users):
    with Client(base_url=server, follow_redirects=False, timeout=30) as browser:
        assert browser.log_in(users["viewer"], PASSWORDS["viewer"]).status_code == 302
        with Client(base_url=server) as stranger:
            plant(browser, stranger.csrf())
        page = browser.get("/")
        fresh = page.cookies.get("ocop_csrftoken")
        assert fresh and fresh in page.text  # the page's forms carry the token the browser now holds
        assert browser.form("/language", {"language": "vi", "next": "/"}).status_code in (302, 303)
