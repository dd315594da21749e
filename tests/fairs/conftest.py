"""Fixtures for fair tests: a fair with a small floor plan, and producers with eligible products."""

from __future__ import annotations

import datetime as dt

import pytest

from core.formatting import vietnam_today
from tests.conftest import product_payload, unique

TODAY = vietnam_today()


def fair_payload(**overrides) -> dict:
    payload = {"name": unique("Tuần hàng OCOP "), "kind": "trade_week", "venue": "Công viên Thống Nhất",
               "starts_on": (TODAY + dt.timedelta(days=30)).isoformat(), "ends_on": (TODAY + dt.timedelta(days=34)).isoformat(),
               "province_code": "ha-noi", "min_stars": 3}
    payload.update(overrides)
    return payload


@pytest.fixture
def organizer(login):
    return login("organizer")


@pytest.fixture
def make_fair(organizer):
    """make_fair(rows=1, columns=6) → (fair id, {zone code: zone id}) with a food zone and a general zone."""

    def make(rows: int = 1, columns: int = 6, **overrides) -> tuple[int, dict[str, int]]:
        fair = organizer.api("POST", "/api/v1/fairs", fair_payload(**overrides))
        assert fair.status_code == 201, fair.text
        fair_id = fair.json()["id"]
        zones = {}
        for code, name, theme, value, x in (("A", "Thực phẩm", "group", "food", 0.0), ("B", "Tổng hợp", "general", "", 40.0)):
            response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/zones",
                                     {"code": code, "name": name, "theme": theme, "theme_value": value})
            assert response.status_code == 201, response.text
            zones[code] = response.json()["id"]
            grid = organizer.api("POST", f"/api/v1/fairs/{fair_id}/booths/grid",
                                 {"zone_id": zones[code], "rows": rows, "columns": columns, "x": x, "amenities": ["power"]})
            assert grid.status_code == 201, grid.text
        return fair_id, zones

    return make


@pytest.fixture
def exhibitor(organizer):
    """exhibitor(stars=4, group="food") → (producer id, product id), created through the API."""

    def make(stars: int = 4, group: str = "food", subgroup: str = "raw_preprocessed_food", **product) -> tuple[int, int]:
        producer = organizer.api("POST", "/api/v1/producers",
                                 {"name": unique("HTX "), "kind": "cooperative", "province_code": "ha-noi"}).json()["id"]
        score = {3: 60, 4: 78, 5: 92}[stars]
        level = {"certifying_level": "ministry"} if stars == 5 else {}
        response = organizer.api("POST", "/api/v1/products", product_payload(
            producer, stars=stars, score=score, group_code=group, subgroup_code=subgroup, **level, **product))
        assert response.status_code == 201, response.text
        return producer, response.json()["id"]

    return make


def move(organizer, fair_id: int, status: str) -> None:
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": status})
    assert response.status_code == 201, response.text

