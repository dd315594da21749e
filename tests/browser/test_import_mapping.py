"""In real Chromium: a list with a heading no alias knows is uploaded, the clerk says what the column
holds and saves the choice as a profile, and the next list written the same way goes in with it."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.conftest import run, unique


def _list(tmp_path, name: str, rows: list[list]) -> str:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_clerk_maps_an_unknown_heading_saves_a_profile_and_reuses_it(page, server, sign_in, shot, tmp_path):
    from catalog.tables import Product

    tag = unique()
    profile = unique("Xã Tân Cương ")
    headings = ["Tên sản phẩm", "Hộ/HTX sở hữu sản phẩm", "Số sao"]
    sign_in(page, "organizer", "/catalog/import/")
    page.set_input_files("#f-file", _list(tmp_path, "xa-1.xlsx", [headings, [f"Chè móc câu {tag}", f"HTX Chè {tag}", "4 sao"]]))
    page.click("form[action='/catalog/import/'] button[type=submit]")
    page.wait_for_selector("#choices")
    question = page.locator("select[name='heading:ho htx so huu san pham']")
    assert question.count() == 1  # the heading nothing placed is asked about, by its own words
    assert "/commit" not in page.content()
    shot(page, "import-1-question")

    question.select_option("producer")
    page.fill("#f-profile-name", profile)
    page.click("button[name=save_profile]")
    page.wait_for_selector("form[action$='/commit']")
    shot(page, "import-2-answered")

    page.goto(f"{server}/catalog/import/")
    page.set_input_files("#f-file", _list(tmp_path, "xa-2.xlsx", [headings, [f"Chè búp {tag}", f"HTX Chè {tag}", 3]]))
    page.select_option("#f-profile", profile)
    page.click("form[action='/catalog/import/'] button[type=submit]")
    page.wait_for_selector("form[action$='/commit']")  # nothing asked: the profile says it
    page.click("form[action$='/commit'] button[type=submit]")
    page.wait_for_selector("text=/Import done|Nhập dữ liệu thành công/")
    shot(page, "import-3-done")
    found = run(Product.select(Product.name, Product.producer.name.as_alias("producer")).where(Product.name.like(f"%{tag}%")))
    assert found == [{"name": f"Chè búp {tag}", "producer": f"HTX Chè {tag}"}]
