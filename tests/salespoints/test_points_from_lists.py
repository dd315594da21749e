"""Sales points made on a page and imported from a sheet as provinces list them."""

from __future__ import annotations

import re

from tests.conftest import run, unique, xlsx_of


def _points(tag: str) -> list[dict]:
    from salespoints.tables import SalesPoint

    return run(SalesPoint.select(SalesPoint.name, SalesPoint.province_code, SalesPoint.legacy_province,
                                 SalesPoint.legacy_district, SalesPoint.opening_hours)
               .where(SalesPoint.name.like(f"%{tag}%")).order_by(SalesPoint.name))


def test_a_point_is_created_and_edited_on_a_page_and_a_second_one_alike_is_flagged(login):
    client = login("organizer")
    tag = unique()
    made = client.form("/salespoints/new", {"name": f"Điểm OCOP {tag}", "province_code": "ha-noi", "kind": "showroom",
                                            "address": "Số 1 phố Tràng Tiền", "policy": "strict_ocop", "min_ocop_share": "100"})
    assert made.status_code in (200, 302, 303), made.text
    point_id = int(re.search(r"/salespoints/(\d+)", made.headers.get("location", "")).group(1))
    twice = client.form("/salespoints/new", {"name": f"điểm ocop {tag}", "province_code": "ha-noi", "kind": "showroom",
                                             "address": "số 1 phố tràng tiền", "policy": "strict_ocop", "min_ocop_share": "100"})
    assert twice.status_code == 422 and 'id="e-name"' in twice.text  # the same point entered twice
    edited = client.form(f"/salespoints/{point_id}/edit", {
        "name": f"Điểm OCOP {tag}", "province_code": "ha-noi", "kind": "showroom", "address": "Số 1 phố Tràng Tiền",
        "opening_hours": "8:00–21:00", "legacy_district": "quận Hoàn Kiếm", "policy": "strict_ocop", "min_ocop_share": "100"})
    assert edited.status_code in (200, 302, 303)
    assert _points(tag) == [{"name": f"Điểm OCOP {tag}", "province_code": "ha-noi", "legacy_province": "",
                             "legacy_district": "quận Hoàn Kiếm", "opening_hours": "8:00–21:00"}]
    assert "quận Hoàn Kiếm" in client.get(f"/salespoints/{point_id}").text


def test_points_are_imported_with_their_old_district_and_duplicates_are_flagged(login):
    client = login("organizer")
    tag = unique()
    rows = [["DANH SÁCH ĐIỂM GIỚI THIỆU VÀ BÁN SẢN PHẨM OCOP"], [],
            ["STT", "Tên điểm bán", "Địa chỉ", "Huyện", "Tỉnh", "Giờ mở cửa"],
            [1, f"Điểm OCOP Cầu Kè {tag}", "ấp Phú Hòa, xã Cầu Kè", "huyện Cầu Kè", "Trà Vinh", "7:00–20:00"],
            [2, f"Điểm OCOP Phong Điền {tag}", "xã Phong Thu, huyện Phong Điền, tỉnh Thừa Thiên Huế", "", "", ""]]
    preview = client.post("/salespoints/import", files={"file": ("diem.xlsx", xlsx_of(rows), "application/octet-stream")},
                          data={"_csrf_token": client.csrf()})
    assert preview.status_code == 200 and 'class="bad"' not in preview.text, preview.text
    token = re.search(r"/salespoints/import/([\w-]+)/commit", preview.text).group(1)
    assert client.form(f"/salespoints/import/{token}/commit", {}).status_code in (200, 302, 303)
    found = {p["name"]: p for p in _points(tag)}
    first = found[f"Điểm OCOP Cầu Kè {tag}"]
    assert first["province_code"] == "vinh-long" and first["legacy_province"] == "Trà Vinh"
    assert first["legacy_district"] == "huyện Cầu Kè" and first["opening_hours"] == "7:00–20:00"
    second = found[f"Điểm OCOP Phong Điền {tag}"]
    assert second["province_code"] == "hue" and second["legacy_district"] == "huyện Phong Điền"
    again = client.post("/salespoints/import", files={"file": ("diem.xlsx", xlsx_of(rows + [rows[3]]), "application/octet-stream")},
                        data={"_csrf_token": client.csrf()})
    flagged = re.findall(r'data-field="([^"]*)"', again.text)
    assert flagged.count("Tên điểm bán") == 3 and "/commit" not in again.text  # two already there, one twice in the file
