"""User administration on /users: linking producer users and sales-point managers to what they act for,
editing a user (role, email, active, password) with every change audited, and the admin's own lock-out."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.conftest import Client, product_payload, run, unique
from tests.fairs.conftest import fair_payload
from tests.salespoints.conftest import carry, make_point, move

PASSWORD = "first-pass-123"


def _user_id(username: str) -> int:
    from accounts.tables import User

    return run(User.select(User.id).where(User.username == username).first())["id"]


def _producer_name(client: Client, producer_id: int) -> str:
    return client.get(f"/api/v1/producers/{producer_id}").json()["name"]


def _point_name(client: Client, point_id: int) -> str:
    return client.get(f"/api/v1/salespoints/{point_id}").json()["name"]


def _create(admin: Client, role: str, **fields) -> tuple[str, object]:
    username = unique(f"{role[:4]}-")
    response = admin.form("/users/", {"username": username, "password": PASSWORD, "email": f"{username}@x.vn",
                                      "role": role, **fields})
    return username, response


@contextlib.contextmanager
def _logged_in(server: str, username: str, password: str = PASSWORD) -> Iterator[Client]:
    with Client(base_url=server, follow_redirects=False, timeout=30) as client:
        response = client.log_in(username, password)
        assert response.status_code == 302, response.text
        yield client


def _audit(user_id: int) -> list[dict]:
    """The user's audit rows, each with `changes`: what it set that differs from before."""
    import json

    from core.audit import audit_trail

    def loaded(stored) -> dict:
        return (json.loads(stored) if isinstance(stored, str) else stored) or {}

    missing = object()
    return [{"changes": [(k, v) for k, v in loaded(row["after"]).items() if loaded(row["before"]).get(k, missing) != v]}
            for row in run(audit_trail("user", user_id))]


def test_a_producer_user_linked_on_the_users_page_sees_its_producer_when_applying_for_a_fair(login, server, producer_id):
    admin, organizer = login("admin"), login("organizer")
    name = _producer_name(organizer, producer_id)
    username, response = _create(admin, "producer", producers=f"{name} [#{producer_id}]")
    assert response.status_code == 302, response.text
    listing = admin.get("/users/").text
    assert username in listing and name in listing

    fair_id = organizer.api("POST", "/api/v1/fairs", fair_payload()).json()["id"]
    with _logged_in(server, username) as producer:
        page = producer.get(f"/fairs/{fair_id}/apply")
        assert page.status_code == 200 and name in page.text
        # the producer is the only one it may choose, so the products form opens at once
        assert f'name="producer_id" value="{producer_id}"' in page.text
    assert any(dict(e["changes"]).get("producer_added", "").endswith(f"(#{producer_id})") for e in _audit(_user_id(username)))


def test_the_producer_picker_suggests_producers_by_part_of_their_name(login, producer_id):
    admin = login("admin")
    name = _producer_name(admin, producer_id)
    suggestions = admin.get("/users/producer-choices", params={"producers": name.split()[-1]})
    assert suggestions.status_code == 200 and f"[#{producer_id}]" in suggestions.text
    # a suggestion already chosen still finds its producer, and nothing typed suggests nothing
    again = admin.get("/users/producer-choices", params={"producers": f"{name} [#{producer_id}]"})
    assert f"[#{producer_id}]" in again.text
    assert "option" not in admin.get("/users/producer-choices", params={"producers": " "}).text


def test_a_link_that_does_not_fit_the_role_or_names_nothing_is_refused_and_nothing_is_written(login, producer_id):
    from accounts.tables import User

    admin = login("admin")
    username, response = _create(admin, "viewer", producers=f"x [#{producer_id}]")
    assert response.status_code == 422 and 'id="new-e-producers"' in response.text
    username2, response2 = _create(admin, "producer", producers="a name typed but never chosen")
    assert response2.status_code == 422 and 'id="new-e-producers"' in response2.text
    username3, response3 = _create(admin, "salespoint_manager", points="#999999999")
    assert response3.status_code == 422 and 'id="new-e-points"' in response3.text
    for name in (username, username2, username3):
        assert not run(User.exists().where(User.username == name))


def test_a_manager_linked_to_a_point_records_movements_there_and_not_at_another_point(login, server, producer_id):
    admin, organizer = login("admin"), login("organizer")
    point_a, point_b = make_point(organizer), make_point(organizer)
    product = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Sản phẩm "))).json()["id"]
    for point in (point_a, point_b):
        carry(organizer, point, product)
    username, response = _create(admin, "salespoint_manager", points=f"{_point_name(organizer, point_a)} [#{point_a}]")
    assert response.status_code == 302, response.text
    user_id = _user_id(username)
    with _logged_in(server, username) as manager:
        assert move(manager, point_a, product, "receipt", 5).status_code == 201
        assert move(manager, point_b, product, "receipt", 5).status_code == 403
        # linked to B on the user page, unlinked from A: the rights follow
        assert admin.form(f"/users/{user_id}/points", {"points": str(point_b)}).status_code == 302
        assert admin.form(f"/users/{user_id}/points/{point_a}/delete", {}).status_code == 302
        assert move(manager, point_b, product, "receipt", 5).status_code == 201
        assert move(manager, point_a, product, "receipt", 5).status_code == 403
    changes = [dict(e["changes"]) for e in _audit(user_id)]
    assert any("point_added" in c for c in changes) and any("point_removed" in c for c in changes)
    from core.audit import audit_trail

    point_rows = run(audit_trail("salespoint", point_a))
    assert any("manager_removed" in str(r["after"]) for r in point_rows)
    assert any("manager_added" in str(r["after"]) for r in point_rows)


def test_producers_are_linked_and_unlinked_on_the_user_page(login, server, producer_id):
    admin, organizer = login("admin"), login("organizer")
    username, _ = _create(admin, "producer", producers=str(producer_id))
    user_id = _user_id(username)
    other = organizer.api("POST", "/api/v1/producers", {"name": unique("HTX Chè "), "kind": "cooperative",
                                                         "province_code": "ha-noi"}).json()["id"]
    page = admin.get(f"/users/{user_id}")
    assert page.status_code == 200 and _producer_name(admin, producer_id) in page.text
    assert admin.form(f"/users/{user_id}/producers", {"producers": f"HTX [#{other}]"}).status_code == 302
    assert admin.form(f"/users/{user_id}/producers/{producer_id}/delete", {}).status_code == 302
    fair_id = organizer.api("POST", "/api/v1/fairs", fair_payload()).json()["id"]
    with _logged_in(server, username) as producer:
        text = producer.get(f"/fairs/{fair_id}/apply").text
        assert _producer_name(admin, other) in text and _producer_name(admin, producer_id) not in text
    assert admin.form(f"/users/{user_id}/producers", {"producers": "no such producer"}).status_code == 422


def test_changing_the_role_removes_the_links_the_new_role_does_not_use(login, producer_id):
    from catalog.tables import ProducerMember

    admin = login("admin")
    username, _ = _create(admin, "producer", producers=str(producer_id))
    user_id = _user_id(username)
    response = admin.form(f"/users/{user_id}", {"email": f"{username}@x.vn", "role": "viewer", "active": "1"})
    assert response.status_code == 302, response.text
    assert not run(ProducerMember.exists().where(ProducerMember.user == user_id))
    changes = [dict(e["changes"]) for e in _audit(user_id)]
    assert any(c.get("role") == "viewer" for c in changes) and any("producer_removed" in c for c in changes)


def test_a_deactivated_user_is_logged_out_and_cannot_log_in_until_reactivated(login, server):
    admin = login("admin")
    username, _ = _create(admin, "viewer")
    user_id = _user_id(username)
    with _logged_in(server, username) as user:
        assert user.get("/catalog/products/").status_code == 200
        response = admin.form(f"/users/{user_id}", {"email": f"{username}@x.vn", "role": "viewer"})
        assert response.status_code == 302, response.text
        assert user.get("/catalog/products/").status_code == 302  # sent to log in
    with Client(base_url=server, follow_redirects=False, timeout=30) as again:
        assert again.log_in(username, PASSWORD).status_code == 422
    assert "Inactive" in admin.get("/users/?lang=en").text
    assert admin.form(f"/users/{user_id}", {"email": f"{username}@x.vn", "role": "viewer", "active": "1"}).status_code == 302
    with _logged_in(server, username):
        pass
    assert any(dict(e["changes"]).get("active") is False for e in _audit(user_id))


def test_a_new_password_works_and_the_old_one_no_longer_does(login, server):
    from accounts.tables import User

    admin = login("admin")
    username, _ = _create(admin, "viewer")
    user_id = _user_id(username)
    mismatch = admin.form(f"/users/{user_id}/password", {"password": "second-pass-456", "password_again": "other"})
    assert mismatch.status_code == 422
    short = admin.form(f"/users/{user_id}/password", {"password": "short", "password_again": "short"})
    assert short.status_code == 422
    response = admin.form(f"/users/{user_id}/password", {"password": "second-pass-456", "password_again": "second-pass-456"})
    assert response.status_code == 302, response.text
    stored = run(User.select(User.password).where(User.id == user_id).first())["password"]
    assert stored.startswith("pbkdf2_sha256$600000$")
    with Client(base_url=server, follow_redirects=False, timeout=30) as client:
        assert client.log_in(username, PASSWORD).status_code == 422
    with _logged_in(server, username, "second-pass-456"):
        pass
    history = _audit(user_id)
    assert any(dict(e["changes"]).get("password_set") for e in history)
    assert "second-pass-456" not in str(history)


def test_an_admin_cannot_deactivate_or_demote_themselves(login, users):
    from accounts.tables import User

    admin = login("admin")
    me = _user_id(users["admin"])
    email = f"{users['admin']}@test.vn"
    deactivate = admin.form(f"/users/{me}?lang=en", {"email": email, "role": "admin"})
    assert deactivate.status_code == 422 and "deactivate yourself" in deactivate.text
    demote = admin.form(f"/users/{me}?lang=en", {"email": email, "role": "organizer", "active": "1"})
    assert demote.status_code == 422 and "administrator rights" in demote.text
    row = run(User.select(User.role, User.active, User.admin).where(User.id == me).first())
    assert row == {"role": "admin", "active": True, "admin": True}
    assert admin.get("/users/").status_code == 200


def test_another_admin_can_be_demoted_while_an_active_admin_remains(login, users):
    from accounts.tables import User

    admin = login("admin")
    username, created = _create(admin, "admin")
    assert created.status_code == 302, created.text
    other = _user_id(username)
    demoted = admin.form(f"/users/{other}", {"email": f"{username}@x.vn", "role": "viewer", "active": "1"})
    assert demoted.status_code == 302, demoted.text
    assert run(User.select(User.role, User.admin).where(User.id == other).first()) == {"role": "viewer", "admin": False}
    assert run(User.count().where((User.role == "admin") & User.active.eq(True))) >= 1


def test_the_user_page_is_in_vietnamese_by_default(login, users):
    page = login("admin").get(f"/users/{_user_id(users['producer'])}")
    assert page.status_code == 200 and "Lịch sử thay đổi" in page.text and "Người dùng" in page.text


@pytest.mark.parametrize("role", ["viewer", "producer", "salespoint_manager", "organizer"])
def test_non_admins_are_refused_every_user_administration_route(login, users, role):
    client = login(role)
    target = _user_id(users["viewer"])
    for path in (f"/users/{target}", "/users/producer-choices?producers=HTX"):
        assert client.get(path).status_code == 403, path
    posts = {
        f"/users/{target}": {"email": "taken@x.vn", "role": "admin", "active": "1"},
        f"/users/{target}/password": {"password": "hijacked-pass", "password_again": "hijacked-pass"},
        f"/users/{target}/producers": {"producers": "1"},
        f"/users/{target}/producers/1/delete": {},
        f"/users/{target}/points": {"points": "1"},
        f"/users/{target}/points/1/delete": {},
    }
    for path, data in posts.items():
        assert client.form(path, data).status_code == 403, path
    from accounts.tables import User

    assert run(User.select(User.role).where(User.id == target).first())["role"] == "viewer"


def test_an_unknown_user_is_not_found(login):
    admin = login("admin")
    assert admin.get("/users/999999999").status_code == 404
    assert admin.form("/users/999999999/password", {"password": "long-enough", "password_again": "long-enough"}).status_code == 404
