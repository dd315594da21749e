"""A sale the server refuses when the counter sends it is never lost: the counter reports it (once, however
often it tries), it waits in the point's list with its reason, and the manager records it again or
dismisses it with a note; only the point's manager and organizers see or touch it."""

from __future__ import annotations

import uuid

from tests.salespoints.conftest import move


def report(client, point: int, product: int, quantity: int = 2, key: str | None = None, reason: str = "Only 0 left"):
    return client.api("POST", f"/api/v1/salespoints/{point}/refused-sales", {
        "movements": [{"product_id": product, "kind": "sale", "quantity": quantity,
                       "idempotency_key": key or str(uuid.uuid4()), "happened_at": "2026-12-01T09:30:00+07:00"}],
        "name": "Mật ong", "reason": reason})


def waiting(client, point: int, status: str = "open") -> list[dict]:
    response = client.get(f"/api/v1/salespoints/{point}/refused-sales", params={"status": status})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_refused_sale_reported_twice_is_kept_once_with_its_reason(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    key = str(uuid.uuid4())
    first, again = report(manager, point, product, key=key), report(manager, point, product, key=key)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"]
    (kept,) = [r for r in waiting(manager, point) if r["id"] == first.json()["id"]]
    assert (kept["quantity"], kept["kind"], kept["reason"], kept["status"]) == (2, "sale", "Only 0 left", "open")
    counter = manager.get(f"/salespoints/{point}/counter").text
    assert f'data-refused="{len(waiting(manager, point))}"' in counter and f"/salespoints/{point}/refused" in counter


def test_the_manager_records_it_again_once_or_dismisses_it_with_a_note(shop):
    point, products, manager = shop["point"], shop["products"], shop["manager"]
    assert move(manager, point, products[1], "receipt", 5).status_code == 201
    sold = report(manager, point, products[0], quantity=2).json()
    page = manager.get(f"/salespoints/{point}/refused")
    assert page.status_code == 200 and "Only 0 left" in page.text

    # Recorded again against the other product, which is in stock; pressed twice, it is recorded once.
    form = {"product_id": products[1], "kind": "sale", "quantity": 2}
    assert manager.form(f"/salespoints/{point}/refused/{sold['id']}/record", form).status_code == 302
    again = manager.form(f"/salespoints/{point}/refused/{sold['id']}/record", form)
    assert again.status_code == 409
    balances = manager.get(f"/api/v1/salespoints/{point}/balances").json()
    assert sum(r["quantity"] for r in balances if r["product_id"] == products[1]) == 3
    (recorded,) = [r for r in waiting(manager, point, "recorded") if r["id"] == sold["id"]]
    assert recorded["movement_id"]

    # Still short: the refusal is shown on the page and the sale stays open.
    short = report(manager, point, products[0], quantity=1).json()
    refused = manager.form(f"/salespoints/{point}/refused/{short['id']}/record",
                           {"product_id": products[0], "kind": "sale", "quantity": 1})
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert short["id"] in {r["id"] for r in waiting(manager, point)}

    # Dismissed: only with a note.
    assert manager.form(f"/salespoints/{point}/refused/{short['id']}/dismiss", {"note": " "}).status_code == 422
    assert manager.form(f"/salespoints/{point}/refused/{short['id']}/dismiss",
                        {"note": "Khách đổi ý"}).status_code == 302
    (dismissed,) = [r for r in waiting(manager, point, "dismissed") if r["id"] == short["id"]]
    assert dismissed["note"] == "Khách đổi ý"


def test_a_sale_without_its_key_is_refused_and_another_point_is_out_of_reach(shop, login):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    keyless = manager.api("POST", f"/api/v1/salespoints/{point}/refused-sales", {
        "movements": [{"product_id": product, "kind": "sale", "quantity": 1}], "reason": "x"})
    assert keyless.status_code == 422
    from tests.salespoints.conftest import make_point

    elsewhere = make_point(shop["organizer"])
    assert report(manager, elsewhere, product).status_code == 403
    assert manager.get(f"/salespoints/{elsewhere}/refused").status_code == 403
    assert login("viewer").get(f"/api/v1/salespoints/{point}/refused-sales").status_code == 403
