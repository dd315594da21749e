"""Who may do what: role guards, CSRF, login, rate limiting, sessions."""

from __future__ import annotations

from tests.conftest import PASSWORDS, Client, product_payload, unique


def test_anonymous_pages_redirect_to_login_and_api_answers_401(anonymous):
    response = anonymous.get("/catalog/products/")
    assert response.status_code == 302 and response.headers["location"].startswith("/login")
    assert anonymous.get("/api/v1/products").status_code == 401
    assert anonymous.api("POST", "/api/v1/producers", {"name": "x", "kind": "cooperative", "province_code": "hue"}).status_code == 401


def test_viewer_can_read_but_cannot_create(login, producer_id):
    viewer = login("viewer")
    assert viewer.get("/catalog/products/").status_code == 200
    assert viewer.api("POST", "/api/v1/products", product_payload(producer_id)).status_code == 403
    assert viewer.form("/catalog/producers/", {"name": "x", "kind": "cooperative", "province_code": "hue"}).status_code == 403
    assert viewer.get("/catalog/products/new").status_code == 403
    assert viewer.get("/users/").status_code == 403


def test_only_admins_manage_users(login):
    organizer = login("organizer")
    assert organizer.form("/users/", {"username": unique("u"), "password": "longenough", "email": f"{unique()}@x.vn", "role": "admin"}).status_code == 403
    admin = login("admin")
    username = unique("staff")
    response = admin.form("/users/", {"username": username, "password": "longenough", "email": f"{username}@x.vn", "role": "organizer"})
    assert response.status_code == 302
    assert username in admin.get("/users/").text


def test_admin_area_is_closed_to_non_admins(login, anonymous):
    admin = login("admin")
    assert admin.get("/admin/").status_code == 200
    tables = admin.get("/admin/api/tables/")
    assert tables.status_code == 200 and "product" in tables.text  # one login serves piccolo-admin too
    assert anonymous.get("/admin/api/tables/").status_code == 302
    assert login("viewer").get("/admin/api/tables/").status_code == 403
    assert login("organizer").get("/admin/").status_code == 403


def test_post_without_csrf_token_is_rejected_and_changes_nothing(login):
    client = login("organizer")
    name = unique("HTX no csrf ")
    response = client.post("/catalog/producers/", data={"name": name, "kind": "cooperative", "province_code": "hue"})
    assert response.status_code == 403
    api = client.post("/api/v1/producers", json={"name": name, "kind": "cooperative", "province_code": "hue"})
    assert api.status_code == 403
    assert client.get("/api/v1/producers", params={"q": name}).json()["total"] == 0


def test_wrong_password_is_refused_with_a_message(anonymous, users):
    response = anonymous.log_in(users["viewer"], "not-the-password")
    assert response.status_code == 422
    assert "id" not in anonymous.cookies


def test_wrong_passwords_make_their_address_wait_not_the_account(server, users):
    """The rule in full: tests/hardening/test_login_throttle.py. The addresses are named in X-Forwarded-For,
    which uvicorn trusts from 127.0.0.1 (where the suite's requests come from)."""
    from accounts.enums import Role
    from accounts.services import create_user
    from tests.conftest import run

    username = unique("victim")
    run(create_user(username, "correct-horse", Role.viewer, f"{username}@x.vn"))
    with Client(base_url=server, headers={"X-Forwarded-For": "198.51.100.7"}) as client:
        answers = [client.log_in(username, "wrong-guess").status_code for _ in range(8)]
        # the first five are checked; then the waits (1, 2, 4 s …) outgrow a guess's round trip
        assert answers[:5] == [422] * 5 and answers[-1] == 429, answers
        blocked = client.log_in(username, "correct-horse")
        assert blocked.status_code == 429
        assert "id" not in client.cookies
    with Client(base_url=server, headers={"X-Forwarded-For": "198.51.100.8"}, follow_redirects=False) as elsewhere:
        assert elsewhere.log_in(username, "correct-horse").status_code == 302


def test_logout_ends_the_session(login):
    client = login("viewer")
    assert client.get("/catalog/products/").status_code == 200
    assert client.form("/logout", {}).status_code == 302
    assert client.get("/catalog/products/").status_code == 302


def test_forged_session_cookie_is_anonymous(server):
    with Client(base_url=server, cookies={"id": "forged-token"}) as client:
        assert client.get("/catalog/products/", follow_redirects=False).status_code == 302


def test_login_next_parameter_cannot_send_users_elsewhere(anonymous, users):
    response = anonymous.form("/login", {"username": users["viewer"], "password": PASSWORDS["viewer"], "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["location"] == "/"


def test_security_headers_are_set_on_pages_files_errors_and_the_api(anonymous):
    for path in ("/login", "/static/css/app.css", "/no-such-page", "/api/v1/products", "/catalog/products/"):
        headers = anonymous.get(path).headers
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert headers["referrer-policy"], path


def test_passwords_are_stored_hashed(users):
    from accounts.tables import User
    from tests.conftest import run

    stored = run(User.select(User.password).where(User.username == users["viewer"]).first())["password"]
    assert stored.startswith("pbkdf2_sha256$600000$") and PASSWORDS["viewer"] not in stored
