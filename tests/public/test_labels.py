"""QR label sheets: the requested number of labels, each QR decoding to the product's address."""

from __future__ import annotations

import pypdfium2
import zxingcpp
from PIL import Image

from public_site.labels import LAYOUTS
from tests.conftest import product_payload, unique


def _cells(page: Image.Image, layout: str):
    # The sheet's grid (A4, 5 mm side and 10 mm top margins), one crop per sticker: a crop proves each
    # sticker holds one code, and nothing on a neighbour's edge is read as this one's.
    columns, rows = LAYOUTS[layout]
    per_mm = page.size[0] / 210
    width, height = 200 * per_mm / columns, 277 * per_mm / rows
    for row in range(rows):
        for column in range(columns):
            left, top = 5 * per_mm + column * width, 10 * per_mm + row * height
            yield page.crop((int(left), int(top), int(left + width), int(top + height)))


def _decoded(pdf: bytes, layout: str) -> list[str]:
    found = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=300 / 72, grayscale=True).to_pil()  # 300 dpi
        for cell in _cells(image, layout):
            symbols = zxingcpp.read_barcodes(cell, formats=zxingcpp.BarcodeFormat.QRCode)
            assert len(symbols) <= 1
            found += [symbol.text for symbol in symbols]
    document.close()
    return found


def test_a_product_sheet_has_the_requested_labels_and_each_qr_opens_the_product_page(login, producer_id, server):
    organizer = login("organizer")
    product = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Trà shan tuyết "))).json()
    response = organizer.get(f"/labels/product/{product['id']}", params={"layout": "3x8", "copies": 24})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    codes = _decoded(response.content, "3x8")
    assert len(codes) == 24
    assert set(codes) == {f"{server}/p/{product['code']}"}


def test_a_sales_point_sheet_labels_its_certified_assortment(shop, server):
    organizer, point = shop["organizer"], shop["point"]
    response = organizer.get(f"/labels/salespoint/{point}", params={"layout": "4x10"})
    assert response.status_code == 200
    codes = _decoded(response.content, "4x10")
    expected = {f"{server}/p/{organizer.get(f'/api/v1/products/{p}').json()['code']}" for p in shop["products"]}
    assert sorted(codes) == sorted(expected)


def test_label_sheets_need_a_login_and_a_known_layout(anonymous, login, producer_id):
    assert anonymous.get(f"/labels/producer/{producer_id}").status_code == 302
    assert login("viewer").get(f"/labels/producer/{producer_id}", params={"layout": "9x9"}).status_code == 422
