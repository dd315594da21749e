"""Applications imported from a sheet as an office collects them: headings as written, producers as
the catalogue names them (spelled another way), products listed in one cell, booths and zones in
words; every problem shown before anything is saved, then all rows in or none."""

from __future__ import annotations

import html
import re

from tests.conftest import product_payload, unique, xlsx_of
from tests.fairs.conftest import move


def _preview(client, fair_id: int, rows: list[list]):
    return client.post(f"/fairs/{fair_id}/applications/import",
                       files={"file": ("dang-ky.xlsx", xlsx_of(rows), "application/octet-stream")},
                       data={"_csrf_token": client.csrf()})


def _producer(organizer, name: str, province: str, products: list[tuple[str, str]]) -> tuple[int, list[int]]:
    producer = organizer.api("POST", "/api/v1/producers", {"name": name, "kind": "cooperative", "province_code": province})
    assert producer.status_code == 201, producer.text
    ids = []
    for product, group in products:
        made = organizer.api("POST", "/api/v1/products", product_payload(
            producer.json()["id"], name=product, group_code=group,
            subgroup_code={"food": "raw_preprocessed_food", "beverages": "non_alcoholic_beverages"}[group]))
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return producer.json()["id"], ids


def test_applications_from_a_sheet_are_previewed_with_every_problem_then_imported_whole(organizer, make_fair):
    fair_id, zones = make_fair()
    move(organizer, fair_id, "open")
    tag = unique()
    honey, honey_products = _producer(organizer, f"Hợp tác xã Ong mật {tag}", "ha-noi",
                                      [(f"Mật ong hoa nhãn {tag}", "food"), (f"Mật ong bạc hà {tag}", "food")])
    tea, (tea_product,) = _producer(organizer, f"HTX Chè {tag}", "thai-nguyen", [(f"Trà xanh {tag}", "beverages")])
    _producer(organizer, f"HTX Trà Tân Cương {tag}", "thai-nguyen", [(f"Trà móc câu {tag}", "beverages")])
    twin_north, _ = _producer(organizer, f"HTX Nông sản {tag}", "ha-noi", [(f"Gạo {tag}", "food")])
    twin_south, (rice_south,) = _producer(organizer, f"HTX Nông sản {tag}", "can-tho", [(f"Gạo {tag}", "food")])
    organizer.cookies.set("lang", "en")
    headings = ["STT", "Tên chủ thể", "Tỉnh", "Sản phẩm trưng bày", "Số gian", "Loại gian", "Yêu cầu điện nước",
                "Khu ưu tiên", "Ghi chú"]
    good = [
        [1, f"HTX Ong mật {tag}, xã Ba Vì", "", f"Mật ong hoa nhãn {tag}; Mật ong bạc hà {tag}", 2, "Tiêu chuẩn", "Điện",
         "A", "Cần kệ"],
        [2, f"HTX Nông sản {tag}", "Cần Thơ", f"Gạo {tag}", "", "", "", "Tổng hợp", ""],
    ]
    bad = [
        [3, f"HTX Chè {tag}", "Thái Nguyên", f"Trà xanh {tag}\nTrà đen {tag}", 1, "", "", "B", ""],  # no such product
        [4, f"HTX Nông sản {tag}", "", f"Gạo {tag}", 1, "", "", "", ""],  # two producers of that name
        [5, f"HTX Chè {tag}", "", f"Trà xanh {tag}", 1, "Gian VIP", "Wifi", "A, Z", ""],  # type, amenity, zones
        [6, f"HTX Hoa Quả {tag}", "", "Vải thiều", 1, "", "", "", ""],  # not in the catalogue
    ]
    noted = [7, f"HTX Trà Tân Cương {tag}", "", f"Trà móc câu {tag}", 1, "", "", "A", ""]  # a food zone takes no tea
    rows = [["DANH SÁCH ĐĂNG KÝ THAM GIA TUẦN HÀNG OCOP"], [], headings, *good, *bad, noted]
    preview = _preview(organizer, fair_id, rows)
    assert preview.status_code == 200, preview.text
    text = html.unescape(preview.text)
    problems = {int(row): cells for row, cells in re.findall(r'<tr class="bad"><td>(\d+)</td>(.*?)</tr>', text, re.S)}
    assert sorted(problems) == [6, 7, 8, 9]  # sheet rows of the four bad lines (title, blank, headings above)
    assert f"Not among this producer's products in the catalogue: Trà đen {tag}" in problems[6]
    assert "add the province column" in problems[7]
    assert "Not a booth type of this fair: Gian VIP" in problems[8] and "Wifi" in problems[8] and "Z" in problems[8]
    assert "No producer of the catalogue has this name" in problems[9]
    # A preferred zone that cannot take it is said, not refused: its booths may still change.
    assert re.search(r'<tr class="ok"><td>10</td>.*most of these products are Đồ uống', text, re.S)
    assert "/commit" not in preview.text  # nothing to import while a row has a problem
    assert organizer.get(f"/api/v1/fairs/{fair_id}/applications").json() == []

    ready = _preview(organizer, fair_id, [headings, *good])
    assert ready.status_code == 200 and 'class="bad"' not in ready.text, ready.text
    token = re.search(rf"/fairs/{fair_id}/applications/import/([\w-]+)/commit", ready.text).group(1)
    done = organizer.form(f"/fairs/{fair_id}/applications/import/{token}/commit", {})
    assert done.status_code in (302, 303), done.text
    made = {a["producer_id"]: a for a in organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()}
    assert set(made) == {honey, twin_south}  # the Cần Thơ one, as the province column said
    first = made[honey]
    assert sorted(first["product_ids"]) == sorted(honey_products) and first["booths_wanted"] == 2
    assert first["amenities"] == ["power"] and first["zone_preferences"] == [zones["A"]] and first["notes"] == "Cần kệ"
    assert made[twin_south]["product_ids"] == [rice_south] and made[twin_south]["zone_preferences"] == [zones["B"]]
    assert made[twin_south]["booths_wanted"] == 1 and made[twin_south]["booth_kind"] == "standard"
    # A preview is used once; the same sheet again finds them already applied.
    assert organizer.form(f"/fairs/{fair_id}/applications/import/{token}/commit", {}).status_code == 422
    again = html.unescape(_preview(organizer, fair_id, [headings, *good]).text)
    assert again.count("already applied to this fair") == 2
    assert tea and twin_north  # made for the look-ups above
