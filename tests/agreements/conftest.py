"""Fixtures for agreement tests: a buyer, producers with products, and an agreement factory."""

from __future__ import annotations

import datetime as dt

import pytest

from core.formatting import vietnam_today
from tests.conftest import product_payload, unique

TODAY = vietnam_today()


@pytest.fixture
def organizer(login):
    return login("organizer")


@pytest.fixture
def buyer_id(organizer) -> int:
    response = organizer.api("POST", "/api/v1/buyers", {"name": unique("Siêu thị "), "kind": "supermarket_chain"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def supplier(organizer):
    """supplier() → (producer id, [product ids]) created through the API."""

    def make(products: int = 2) -> tuple[int, list[int]]:
        producer = organizer.api("POST", "/api/v1/producers",
                                 {"name": unique("HTX "), "kind": "cooperative", "province_code": "son-la"}).json()["id"]
        ids = []
        for _ in range(products):
            response = organizer.api("POST", "/api/v1/products", product_payload(producer, name=unique("Chè ")))
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        return producer, ids

    return make


def agreement_payload(buyer_id: int, producer_id: int, product_ids: list[int], **overrides) -> dict:
    payload = {
        "buyer_id": buyer_id, "producer_ids": [producer_id], "signed_on": (TODAY - dt.timedelta(days=40)).isoformat(),
        "valid_until": (TODAY + dt.timedelta(days=60)).isoformat(), "kind": "offtake",
        "lines": [{"product_id": p, "quantity": 100, "unit": "hộp", "unit_price": 50_000} for p in product_ids],
        "signatories": [{"party": "buyer", "name": "Nguyễn Văn An", "title": "Giám đốc"},
                        {"party": "producer", "name": "Lò Thị Mai", "title": "Chủ nhiệm HTX"}],
    }
    payload.update(overrides)
    return payload
