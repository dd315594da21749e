"""A small connection conference built through the API, for the module's tests."""

from __future__ import annotations

import datetime as dt

import pytest

from core.formatting import vietnam_today
from tests.conftest import product_payload, unique
from tests.fairs.conftest import fair_payload

TODAY = vietnam_today()


def ok(response, status: int = 201):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def conference(login):
    """A conference with 2 tables and 6 slots, two buyers (a food chain with needs, an exporter with none) and three
    producers: two of food (one 4-star from Hà Nội, one 3-star from Huế) and one of handicrafts."""
    organizer = login("organizer")
    fair = ok(organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")))["id"]
    base = f"/api/v1/fairs/{fair}/matchmaking"
    ok(organizer.api("PUT", f"{base}/room", {
        "day": (TODAY + dt.timedelta(days=30)).isoformat(), "tables": 2, "meeting_minutes": 20,
        "sessions": [{"starts": "08:30", "slots": 3}, {"starts": "13:30", "slots": 3}]}), 200)
    buyers = {}
    for name, kind in (("chain", "supermarket_chain"), ("exporter", "exporter")):
        buyer = ok(organizer.api("POST", "/api/v1/buyers", {"name": unique(f"{name} "), "kind": kind}))["id"]
        needs = {"groups": ["food"], "min_stars": 4, "provinces": ["ha-noi"], "price_min": 50_000, "price_max": 200_000,
                 "quota": 3} if name == "chain" else {"quota": 3}
        buyers[name] = ok(organizer.api("POST", f"{base}/participants", {"side": "buyer", "buyer_id": buyer, **needs}))
    producers = {}
    for name, group, stars, province, price in (("honey", "food", 4, "ha-noi", 120_000), ("tea", "food", 3, "hue", 90_000),
                                                 ("basket", "handicrafts", 4, "ha-noi", 150_000)):
        producer = ok(organizer.api("POST", "/api/v1/producers", {"name": unique(f"HTX {name} "), "kind": "cooperative",
                                                                    "province_code": province}))["id"]
        subgroup = "raw_preprocessed_food" if group == "food" else "handicraft_decor_household"
        product = ok(organizer.api("POST", "/api/v1/products", product_payload(
            producer, name=unique("SP "), group_code=group, subgroup_code=subgroup, stars=stars, reference_price=price,
            score={3: 60, 4: 78}[stars])))["id"]
        producers[name] = ok(organizer.api("POST", f"{base}/participants", {
            "side": "producer", "producer_id": producer, "product_ids": [product], "quota": 2}))
    return {"organizer": organizer, "fair": fair, "base": base, "buyers": buyers, "producers": producers}
