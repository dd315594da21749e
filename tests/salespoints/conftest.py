"""Fixtures for sales points: a point with a manager and an assortment of valid OCOP products."""

from __future__ import annotations

import pytest

from tests.conftest import product_payload, run, unique


def make_point(client, name: str = "", **extra) -> int:
    response = client.api("POST", "/api/v1/salespoints", {"name": name or unique("Điểm OCOP "), "province_code": "ha-noi", **extra})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_product(client, producer_id: int, **overrides) -> int:
    response = client.api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Sản phẩm "), **overrides))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def carry(client, point_id: int, product_id: int, price: int = 100_000, threshold: int = 0) -> None:
    response = client.api("PUT", f"/api/v1/salespoints/{point_id}/assortment/{product_id}",
                          {"selling_price": price, "reorder_threshold": threshold})
    assert response.status_code == 200, response.text


@pytest.fixture
def shop(login, users, producer_id):
    """A point managed by the test manager, carrying two valid products."""
    from accounts.tables import User

    organizer = login("organizer")
    point_id = make_point(organizer)
    manager_id = run(User.select(User.id).where(User.username == users["salespoint_manager"]).first())["id"]
    assert organizer.api("POST", f"/api/v1/salespoints/{point_id}/managers", {"user_id": manager_id}).status_code == 204
    products = [make_product(organizer, producer_id) for _ in range(2)]
    for product_id in products:
        carry(organizer, point_id, product_id)
    return {"point": point_id, "products": products, "organizer": organizer, "manager": login("salespoint_manager")}


def move(client, point_id: int, product_id: int, kind: str, quantity: int, key: str | None = None, **extra):
    headers = {"x-csrftoken": client.csrf()}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(f"/api/v1/salespoints/{point_id}/movements",
                       json={"product_id": product_id, "kind": kind, "quantity": quantity, **extra}, headers=headers)
