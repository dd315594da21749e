"""The shopper's side: what a QR scan shows, where to buy, the catalogue, and nothing private."""

from __future__ import annotations

import datetime as dt
import json
import re

from core.formatting import vietnam_today
from tests.conftest import ROOT, product_payload, unique
from tests.salespoints.conftest import move


def _product(login, producer_id, **overrides) -> dict:
    payload = {**product_payload(producer_id, name=unique("Mật ong ")), **overrides}
    response = login("organizer").api("POST", "/api/v1/products", payload)
    assert response.status_code == 201, response.text
    return response.json()


def _certified_on_for_expiry_in(days: int) -> str:
    """A certification date whose 36-month expiry falls `days` from today."""
    expiry = vietnam_today() + dt.timedelta(days=days)
    return expiry.replace(year=expiry.year - 3).isoformat()


def test_the_four_validity_states_read_plainly(login, anonymous, producer_id):
    valid = _product(login, producer_id, certified_on=_certified_on_for_expiry_in(400))
    soon = _product(login, producer_id, certified_on=_certified_on_for_expiry_in(20))
    expired = _product(login, producer_id, certified_on=_certified_on_for_expiry_in(-1))
    withdrawn = _product(login, producer_id, withdrawn_on=vietnam_today().isoformat(),
                         certified_on=_certified_on_for_expiry_in(400))
    page = anonymous.get(f"/p/{valid['code']}?lang=en").text
    assert "Certified OCOP product" in page and "Valid until" in page and "verdict-ok" in page
    page = anonymous.get(f"/p/{soon['code']}?lang=en").text
    assert re.search(r"expires in (19|20|21) days", page)
    page = anonymous.get(f"/p/{expired['code']}?lang=en").text
    assert "Not a certified OCOP product" in page and "expired on" in page and "verdict-bad" in page
    page = anonymous.get(f"/p/{withdrawn['code']}?lang=en").text
    assert "Not a certified OCOP product" in page and "withdrawn" in page
    assert "Chứng nhận" in anonymous.get(f"/p/{valid['code']}?lang=vi").text or "OCOP" in page


def test_where_to_buy_follows_the_stock_ledger(shop, anonymous, login):
    point, product_id, manager = shop["point"], shop["products"][0], shop["manager"]
    code = manager.get(f"/api/v1/products/{product_id}").json()["code"]
    assert move(manager, point, product_id, "receipt", 1).status_code == 201
    page = anonymous.get(f"/p/{code}").text
    assert f">{manager.get(f'/api/v1/salespoints/{point}').json()['name']}<" in page
    assert move(manager, point, product_id, "sale", 1).status_code == 201  # the last unit
    page = anonymous.get(f"/p/{code}").text
    assert manager.get(f"/api/v1/salespoints/{point}").json()["name"] not in page


def test_catalogue_search_is_accent_insensitive_and_shows_certified_products_only(login, anonymous, producer_id):
    tag = unique()
    _product(login, producer_id, name=f"Đường phèn Quảng Ngãi {tag}")
    _product(login, producer_id, name=f"Đường phèn cũ {tag}", certified_on=_certified_on_for_expiry_in(-30))
    page = anonymous.get("/catalogue", params={"q": f"duong phen {tag}"}).text
    assert f"Đường phèn Quảng Ngãi {tag}" in page and f"Đường phèn cũ {tag}" not in page
    for hostile in ('"%\'; DROP TABLE product; --', "<script>alert(1)</script>", "%%%", "_", "a\x00b"):
        response = anonymous.get("/catalogue", params={"q": hostile, "page": -5})
        assert response.status_code == 200 and "<script>alert(1)</script>" not in response.text


def test_private_fields_never_reach_public_pages(login, anonymous):
    organizer = login("organizer")
    secret_phone, secret_email = "0987654321", f"{unique()}@secret.vn"
    producer = organizer.api("POST", "/api/v1/producers", {
        "name": unique("HTX Kín "), "kind": "cooperative", "province_code": "hue", "phone": secret_phone,
        "email": secret_email, "address": "Số 9 ngõ kín", "publish_contact": False}).json()
    product = _product(login, producer["id"])
    pages = [anonymous.get(f"/p/{product['code']}").text, anonymous.get(f"/producers/{producer['id']}").text,
             anonymous.get("/catalogue", params={"q": product["name"]}).text]
    for page in pages:
        assert secret_phone not in page and secret_email not in page and "ngõ kín" not in page


def test_repeated_views_are_answered_304_and_a_change_changes_the_tag(login, anonymous, producer_id):
    product = _product(login, producer_id)
    first = anonymous.get(f"/p/{product['code']}")
    tag = first.headers["etag"]
    assert "set-cookie" not in first.headers  # no session or CSRF cost for anonymous readers
    again = anonymous.get(f"/p/{product['code']}", headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    changed = {**product_payload(producer_id, name=product["name"] + " mới", certificate_number=product["certificate_number"]),
               "code": product["code"]}
    assert login("organizer").api("PUT", f"/api/v1/products/{product['id']}", changed).status_code == 200
    assert anonymous.get(f"/p/{product['code']}", headers={"if-none-match": tag}).status_code == 200


def test_json_ld_describes_a_schema_org_product(login, anonymous, producer_id):
    product = _product(login, producer_id, barcode="8935000000014")
    page = anonymous.get(f"/p/{product['code']}").text
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == product["name"] and data["sku"] == product["code"] and data["gtin13"] == "8935000000014"
    assert data["offers"]["priceCurrency"] == "VND"


def test_unknown_or_malformed_codes_are_a_friendly_404(anonymous):
    for code in ("nope", "x" * 300, "%00", "'; select 1; --"):
        response = anonymous.get(f"/p/{code}")
        assert response.status_code == 404 and 'action="/catalogue"' in response.text


def test_open_data_feeds_and_sitemap_list_certified_products_with_public_fields_only(login, anonymous, producer_id):
    import csv
    import io

    from openpyxl import load_workbook

    product = _product(login, producer_id)
    expired = _product(login, producer_id, certified_on=_certified_on_for_expiry_in(-3))
    rows = anonymous.get("/open-data/products.json").json()
    codes = {row["code"] for row in rows}
    assert product["code"] in codes and expired["code"] not in codes
    assert set(rows[0]) == {"code", "name", "producer_name", "province_name", "group_code", "subgroup_code", "stars",
                            "certificate_number", "certified_on", "expires_on", "status", "unit", "reference_price", "barcode"}
    text = anonymous.get("/open-data/products.csv").content.decode("utf-8-sig")
    assert product["code"] in {row[0] for row in csv.reader(io.StringIO(text))}
    sheet = load_workbook(io.BytesIO(anonymous.get("/open-data/products.xlsx").content)).active
    assert product["code"] in {row[0] for row in sheet.iter_rows(values_only=True)}
    sitemap = anonymous.get("/sitemap.xml").text
    assert f"/p/{product['code']}</loc>" in sitemap and f"/p/{expired['code']}<" not in sitemap


def test_every_page_names_the_site_icon_and_it_is_served(anonymous, login):
    for client, path in ((anonymous, "/catalogue"), (login("viewer"), "/")):
        icon = re.search(r'<link rel="icon" href="([^"]+)"', client.get(path).text).group(1)
        served = anonymous.get(icon)
        assert served.status_code == 200 and served.headers["content-type"].startswith("image/svg+xml"), path


def test_the_stars_are_read_as_words_and_shown_in_a_colour_that_stands_out(login, anonymous, producer_id):
    """The rating is what a shopper scanning the stamp looks for: in words beside the ★ glyphs (which a screen
    reader skips), visible on the product page, and the glyphs at ≥ 3:1 on every box they sit in."""
    product = _product(login, producer_id, stars=4)
    page = anonymous.get(f"/p/{product['code']}?lang=vi").text
    assert '<span class="stars-glyphs" aria-hidden="true">★★★★</span> <span class="stars-text">4 sao</span>' in page
    assert "4 stars" in anonymous.get(f"/p/{product['code']}?lang=en").text
    listed = anonymous.get("/catalogue", params={"q": product["name"]}).text
    assert '<span class="visually-hidden">4 sao</span>' in listed  # in lists, for the screen reader only

    css = (ROOT / "static" / "css" / "public.css").read_text()  # the public pages' stylesheet
    glyphs = re.search(r"\.stars-glyphs \{ color: (#[0-9a-f]{6})", css).group(1)
    boxes = {name: re.search(rf"\.{name} \{{ background: (#[0-9a-f]{{6}})", css).group(1)
             for name in ("verdict-ok", "verdict-soon", "verdict-bad")}
    for background in ["#ffffff", *boxes.values()]:
        assert contrast(glyphs, background) >= 3, (glyphs, background)


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
