"""A sales point's public page: where it is, when it opens, and what is on its shelves (never how many)."""

from __future__ import annotations

import re

from tests.salespoints.conftest import carry, make_point, make_product, move


def test_a_sales_point_page_shows_its_address_hours_map_and_stock_levels_without_counts(shop, anonymous, producer_id):
    point, (stocked, empty), organizer, manager = shop["point"], shop["products"], shop["organizer"], shop["manager"]
    low = make_product(organizer, producer_id)
    carry(organizer, point, low, threshold=10)
    assert move(manager, point, stocked, "receipt", 7919).status_code == 201
    assert move(manager, point, low, "receipt", 3).status_code == 201
    names = {p: organizer.get(f"/api/v1/products/{p}").json()["name"] for p in (stocked, empty, low)}
    facts = organizer.get(f"/api/v1/salespoints/{point}").json()

    response = anonymous.get(f"/s/{point}?lang=en")
    assert response.status_code == 200 and "etag" in response.headers and "set-cookie" not in response.headers
    page = response.text
    assert facts["name"] in page and "openstreetmap.org/search" in page
    for name, level in ((names[stocked], "in stock"), (names[low], "few left"), (names[empty], "out of stock")):
        item = page[page.index(name):]
        assert item[: item.index("</li>")].count(level) == 1, (name, level)
    assert page.index(names[stocked]) < page.index(names[empty])  # what is on the shelf comes first
    assert not re.search(r"(?<![0-9a-f])7919(?![0-9a-f])", page)  # a level, never the count

    product_page = anonymous.get(f"/p/{organizer.get(f'/api/v1/products/{stocked}').json()['code']}").text
    assert f'href="/s/{point}"' in product_page  # where to buy links to the point's page


def test_opening_hours_appear_and_unknown_points_are_404(login, anonymous):
    organizer = login("organizer")
    point = make_point(organizer, address="Số 5 Hàng Bông", commune="Phường Hoàn Kiếm", opening_hours="7:30–22:00")
    page = anonymous.get(f"/s/{point}").text
    assert "7:30–22:00" in page and "Số 5 Hàng Bông, Phường Hoàn Kiếm" in page
    assert anonymous.get("/s/999999999").status_code == 404
    assert anonymous.get("/s/0").status_code == 404
