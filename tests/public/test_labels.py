"""QR label sheets: the requested number of labels, each QR decoding to the product's address."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from public_site.labels import LAYOUTS
from tests.conftest import product_payload, unique


def _cells(page: Image.Image, layout: str):
    # The sheet's grid (A4, 5 mm side and 10 mm top margins), one crop per sticker: zbar misses the odd
    # code among two dozen on a whole page, never one alone, and a crop proves each sticker holds one code.
    columns, rows = LAYOUTS[layout]
    per_mm = page.size[0] / 210
    width, height = 200 * per_mm / columns, 277 * per_mm / rows
    for row in range(rows):
        for column in range(columns):
            left, top = 5 * per_mm + column * width, 10 * per_mm + row * height
            yield page.crop((int(left), int(top), int(left + width), int(top + height)))


def _decoded(pdf: bytes, layout: str) -> list[str]:
    folder = Path(tempfile.mkdtemp())
    (folder / "sheet.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(folder / "sheet.pdf"), str(folder / "page")], check=True)
    found = []
    for page in sorted(folder.glob("page*.png")):
        for cell in _cells(Image.open(page), layout):
            symbols = decode(cell, symbols=[ZBarSymbol.QRCODE])
            assert len(symbols) <= 1
            found += [symbol.data.decode() for symbol in symbols]
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
