"""Every response carries the security headers, whatever produced it (a page, the API, a static file, an
error raised before any handler, a redirect, a 304, piccolo-admin's mount), and the pages' policy leaves
no room for inline script. tests/accounts/test_access.py checks the basic set on a few pages; this
goes through every kind of response and reads the policy itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def directives(policy: str) -> dict[str, set[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def assert_protected(response, label: str) -> dict[str, set[str]]:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (label, name, response.headers.get(name))
    assert "camera=(self)" in response.headers.get("permissions-policy", ""), label
    policy = directives(response.headers.get("content-security-policy", ""))
    assert policy.get("frame-ancestors") == {"'none'"}, (label, policy)
    assert policy.get("default-src") == {"'self'"}, (label, policy)
    assert policy.get("script-src") == {"'self'"}, (label, policy)  # no inline script, no eval, no other origin
    assert policy.get("object-src", {"'self'"}) <= {"'self'", "'none'"} and policy.get("base-uri") == {"'self'"}, label
    return policy


@pytest.fixture
def api_client(login):
    return login("viewer")


# (label, method, path, expected status): responses made by very different parts of the stack
RESPONSES = [
    ("page", "GET", "/login", 200),
    ("public page", "GET", "/catalogue", 200),
    ("redirect to log in", "GET", "/catalog/products/", 302),
    ("API 401", "GET", "/api/v1/products", 401),
    ("static file", "GET", "/static/js/app.js", 200),
    ("missing static file", "GET", "/static/js/nothing.js", 404),
    ("no such route", "GET", "/no/such/page", 404),
    ("no such API route", "GET", "/api/v1/nothing", 404),
    ("method not allowed", "DELETE", "/login", 405),
    ("HEAD of a static file", "HEAD", "/static/js/app.js", 200),
    ("CORS preflight", "OPTIONS", "/login", 204),
    ("CSRF refusal", "POST", "/language", 403),
    ("OpenAPI schema", "GET", "/api/schema/openapi.json", 200),
    ("missing photo", "GET", "/media/photos/0000.webp", 404),
    ("open data download", "GET", "/open-data/products.csv", 200),
    ("admin, logged out", "GET", "/admin/", 302),
]


@pytest.mark.parametrize(("label", "method", "path", "status"), RESPONSES, ids=[r[0] for r in RESPONSES])
def test_every_kind_of_response_carries_the_headers(anonymous, label, method, path, status):
    response = anonymous.request(method, path)
    assert response.status_code == status, (label, response.status_code, response.text[:200])
    policy = assert_protected(response, label)
    if not path.startswith("/admin"):
        assert policy.get("style-src") == {"'self'"}, (label, policy)


def test_logged_in_pages_api_errors_and_not_modified_answers_carry_the_headers(login, anonymous):
    viewer = login("viewer")
    for label, response in (("page", viewer.get("/catalog/products/")), ("API", viewer.get("/api/v1/products")),
                            ("API 403", viewer.api("POST", "/api/v1/fairs", {})),
                            ("page 403", viewer.get("/users/")),
                            ("API 404", viewer.get("/api/v1/products/999999999")),
                            ("API 400", viewer.api("POST", "/api/v1/salespoints/1/movements", {"nonsense": True}))):
        assert response.status_code < 500, (label, response.status_code)
        assert_protected(response, label)
    first = anonymous.get("/catalogue")
    again = anonymous.get("/catalogue", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert_protected(again, "304")


def test_piccolo_admin_gets_its_own_policy_without_inline_scripts(login):
    admin = login("admin")
    for path in ("/admin/", "/admin/api/tables/"):
        response = admin.get(path)
        assert response.status_code == 200, path
        policy = assert_protected(response, path)
        # its Vue build sets style attributes while rendering; its scripts are files
        assert policy["style-src"] == {"'self'", "'unsafe-inline'"}, policy
    assert assert_protected(login("viewer").get("/admin/"), "admin refused")["script-src"] == {"'self'"}


def test_only_the_email_preview_allows_inline_styles(login):
    from core.security import policy_for

    assert "'unsafe-inline'" in directives(policy_for("/notifications/12"))["style-src"]
    for path in ("/notifications/", "/notifications/12/retry", "/catalog/products/1", "/p/ABC"):
        assert directives(policy_for(path))["style-src"] == {"'self'"}, path
    assert login("organizer").get("/notifications/999999999").headers["content-security-policy"] == policy_for("/notifications/1")


# -- the templates keep to the policy ---------------------------------------------------------------------------------

TEMPLATES = ROOT / "templates"
# Not pages: emails (styled inline, as mail clients need) and the print templates WeasyPrint turns into PDFs.
NOT_PAGES = {"email", "agreements/print/", "salespoints/print/", "matchmaking/print/", "reports/print.html", "reports/print.css"}


def _pages() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html")
                  if not any(str(p.relative_to(TEMPLATES)).startswith(skip) for skip in NOT_PAGES))


@pytest.mark.parametrize("template", _pages(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_page_templates_have_no_inline_script_handlers_or_styles(template: Path):
    text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S)  # Jinja comments are not sent
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", text), "inline event handler: use a data- attribute and static/js"
    assert not re.search(r"javascript:", text, re.I), "javascript: URL"
    for attributes in re.findall(r"<script\b([^>]*)>", text, re.I):
        assert "src=" in attributes or "application/ld+json" in attributes, f"inline <script{attributes}>"
    assert not re.search(r"<[^>]*\sstyle\s*=", text), "style attribute: use a class in static/css"
    assert not re.search(r"<style\b", text, re.I), "<style> element: use static/css"
