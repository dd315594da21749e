"""Compressed responses for every kind that gains from it (pages, CSS, JavaScript, JSON, CSV; SVG in the
fair workflow test), brotli first and gzip for a client that takes only gzip; nothing compressed twice (a
photo); static files named by their fingerprint and kept by browsers for a year; htmx only where used."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.catalog.test_photos import make_product, png
from tests.catalog.test_photos import upload as upload_photo

BOTH = {"accept-encoding": "br, gzip"}
GZIP = {"accept-encoding": "gzip"}


def fetched(client, url: str, headers: dict) -> httpx.Response:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response


def static_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_styles_scripts_json_and_csv_are_compressed(login, anonymous, producer_id, encoding):
    headers = BOTH if encoding == "br" else GZIP
    organizer = login("organizer")
    for _ in range(3):  # a listing long enough to be worth compressing (from 500 bytes)
        make_product(organizer, producer_id)
    page = fetched(organizer, "/catalog/products", headers)
    urls = static_urls(page.text)
    assert any("/css/app.css?v=" in u for u in urls) and any("/js/app.js?v=" in u for u in urls)
    responses = {
        "html": page,
        "css": fetched(anonymous, next(u for u in urls if ".css" in u), headers),
        "javascript": fetched(anonymous, next(u for u in urls if "/js/htmx.min.js" in u), headers),
        "json": fetched(organizer, f"/api/v1/products?producer_id={producer_id}", headers),
        "csv": fetched(anonymous, "/open-data/products.csv", headers),
        "public page": fetched(anonymous, "/catalogue", headers),
    }
    for kind, response in responses.items():
        assert response.headers.get("content-encoding") == encoding, kind
        assert "accept-encoding" in response.headers.get("vary", "").lower(), kind
    plain = anonymous.get("/catalogue", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == responses["public page"].text


def test_a_photo_is_not_compressed_again_and_static_files_are_kept_for_a_year(login, anonymous, producer_id):
    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    photo = upload_photo(organizer, product["id"], png(900, 700)).json()
    served = fetched(anonymous, photo["display_url"], BOTH)
    assert "content-encoding" not in served.headers and served.headers["content-type"] == "image/webp"
    for url in static_urls(fetched(anonymous, f"/p/{product['code']}", BOTH).text):
        response = fetched(anonymous, url, BOTH)
        assert "max-age=31536000" in response.headers["cache-control"] and "immutable" in response.headers["cache-control"]


def test_htmx_is_loaded_only_by_the_pages_that_use_it(login):
    manager, organizer = login("salespoint_manager"), login("organizer")
    assert any("htmx" in u for u in static_urls(organizer.get("/catalog/products").text))
    for client, url in ((organizer, "/"), (organizer, "/agreements/"), (manager, "/salespoints/")):
        page = client.get(url)
        assert page.status_code == 200, url
        assert not any("htmx" in u for u in static_urls(page.text)), url
        assert "data-inbox-count" in page.text  # the unread count comes from app.js instead
