"""The exhibitor directory: the A4 PDF handed to visitors and the organizers' .xlsx, built from the booths
as assigned now. Visitors see a producer's contacts only when it agreed to publish them; the organizers'
export carries every contact; an application without booths is not listed."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fairs.directory import directory_pdf, directory_xlsx
from fairs.services import get_fair
from fairs.services.directory import directory
from tests.conftest import product_payload, run, unique
from tests.fairs.conftest import move

HIDDEN_PHONE, HIDDEN_EMAIL = "0987 654 321", "kin-dao@htx.vn"
SHOWN_PHONE, SHOWN_EMAIL = "0912 345 678", "lienhe@suoigiang.vn"
SCORES = {3: 60, 4: 78, 5: 92}


@dataclass(frozen=True)
class DirectoryFair:
    fair_id: int
    hidden: str  # contacts not published; booth A2
    shown: str  # contacts published; booths A9 and A10; checked in
    general: str  # booth B01
    waiting: str  # waitlisted: no booth
    hidden_product: str


def make_producer(organizer, name: str, **contact) -> int:
    response = organizer.api("POST", "/api/v1/producers",
                             {"name": name, "kind": "cooperative", "province_code": "ha-noi", **contact})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_product(organizer, producer_id: int, name: str, stars: int) -> int:
    level = {"certifying_level": "ministry"} if stars == 5 else {}
    response = organizer.api("POST", "/api/v1/products", product_payload(
        producer_id, name=name, stars=stars, score=SCORES[stars], **level))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def apply(organizer, fair_id: int, producer_id: int, product_ids: list[int], **fields) -> int:
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                             {"producer_id": producer_id, "product_ids": product_ids, **fields})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def assign(organizer, fair_id: int, application_id: int, booth_ids: list[int]) -> None:
    response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                             {"application_id": application_id, "booth_ids": booth_ids})
    assert response.status_code == 204, response.text


@pytest.fixture
def directory_fair(organizer, make_fair) -> DirectoryFair:
    """A published fair: three exhibitors placed by hand, a fourth waitlisted by the allocation run."""
    fair_id, zones = make_fair()  # A01–A06 in zone A "Thực phẩm", B01–B06 in zone B "Tổng hợp"
    for code, x in (("A2", 0.0), ("A9", 3.0), ("A10", 6.0)):  # codes that sort wrongly as plain text
        added = organizer.api("POST", f"/api/v1/fairs/{fair_id}/booths",
                              {"zone_id": zones["A"], "code": code, "x": x, "y": 20.0, "amenities": ["power"]})
        assert added.status_code == 201, added.text
    move(organizer, fair_id, "open")
    hidden, shown = unique("HTX Hậu Lộc "), unique("HTX Chè Suối Giàng ")
    general, waiting = unique("Hộ kinh doanh Bình An "), unique("HTX Kem Tràng Tiền ")
    hidden_product = "Mắm tôm Hậu Lộc đặc biệt"
    hidden_id = make_producer(organizer, hidden, phone=HIDDEN_PHONE, email=HIDDEN_EMAIL, address="Số 9 ngõ kín",
                              contact_person="Bà Nguyễn Thị Kín", publish_contact=False)
    shown_id = make_producer(organizer, shown, phone=SHOWN_PHONE, email=SHOWN_EMAIL, address="Thôn Giàng A",
                             contact_person="Ông Lò Văn Chè", publish_contact=True)
    general_id = make_producer(organizer, general)
    waiting_id = make_producer(organizer, waiting, phone="0900 000 111", publish_contact=True)
    applications = {
        "hidden": apply(organizer, fair_id, hidden_id, [make_product(organizer, hidden_id, hidden_product, 4)]),
        "shown": apply(organizer, fair_id, shown_id, [make_product(organizer, shown_id, "Chè Shan tuyết cổ thụ", 5),
                                                      make_product(organizer, shown_id, "Mật ong bạc hà", 3)],
                       booths_wanted=2),
        "general": apply(organizer, fair_id, general_id, [make_product(organizer, general_id, "Gạo ST25", 4)]),
        # No booth has refrigeration: the allocation run waitlists it.
        "waiting": apply(organizer, fair_id, waiting_id, [make_product(organizer, waiting_id, "Kem cốm", 4)],
                         amenities=["refrigeration"]),
    }
    move(organizer, fair_id, "allocating")
    booths = {b["code"]: b["id"] for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"]}
    assign(organizer, fair_id, applications["hidden"], [booths["A2"]])
    assign(organizer, fair_id, applications["shown"], [booths["A10"], booths["A9"]])
    assign(organizer, fair_id, applications["general"], [booths["B01"]])
    allocation = organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation")
    assert allocation.status_code == 201, allocation.text
    waitlisted = organizer.get(f"/api/v1/fairs/applications/{applications['waiting']}").json()
    assert waitlisted["status"] == "waitlisted" and waitlisted["booths"] == []
    move(organizer, fair_id, "published")
    checked_in = organizer.api("POST", f"/api/v1/fairs/applications/{applications['shown']}/check-in")
    assert checked_in.status_code == 201, checked_in.text
    return DirectoryFair(fair_id, hidden, shown, general, waiting, hidden_product)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return unicodedata.normalize("NFC", text)


def sheet_rows(content: bytes) -> tuple[list[list], object]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


def test_directory_lists_exhibitors_holding_booths_by_zone_then_booth_in_natural_order(directory_fair):
    entries = run(directory(directory_fair.fair_id))
    assert [e.producer for e in entries] == [directory_fair.hidden, directory_fair.shown, directory_fair.general]
    assert [e.booths for e in entries] == [("A2",), ("A9", "A10"), ("B01",)]
    assert [(e.zone_code, e.zone_name) for e in entries] == [("A", "Thực phẩm"), ("A", "Thực phẩm"), ("B", "Tổng hợp")]
    assert [e.checked_in for e in entries] == [False, True, False]
    shown = entries[1]
    assert [(p.name, p.stars) for p in shown.products] == [("Chè Shan tuyết cổ thụ", 5), ("Mật ong bạc hà", 3)]
    assert shown.province == "Hà Nội" and shown.products[0].group and shown.publish_contact
    # The service carries every contact: hiding them is the renderer's business.
    assert (entries[0].phone, entries[0].email, entries[0].publish_contact) == (HIDDEN_PHONE, HIDDEN_EMAIL, False)


def test_visitors_pdf_shows_exhibitors_in_booth_order_with_ratings_and_only_published_contacts(directory_fair):
    fair = run(get_fair(directory_fair.fair_id))
    text = pdf_text(run(directory_pdf(fair, run(directory(directory_fair.fair_id)), public=True)))
    assert fair.name in text and "Công viên Thống Nhất" in text
    assert f"{fair.starts_on:%d/%m/%Y} – {fair.ends_on:%d/%m/%Y}" in text
    zone_a, zone_b = text.index("Khu A · Thực phẩm"), text.index("Khu B · Tổng hợp")
    hidden, shown, general = (text.index(name) for name in (directory_fair.hidden, directory_fair.shown,
                                                             directory_fair.general))
    assert zone_a < hidden < shown < zone_b < general
    assert "A2" in text[zone_a:hidden] and "A9, A10" in text[hidden:shown]
    assert f"{directory_fair.hidden_product} (4 sao" in text
    assert "Chè Shan tuyết cổ thụ (5 sao" in text and "Mật ong bạc hà (3 sao" in text
    assert SHOWN_PHONE in text and SHOWN_EMAIL in text and "Ông Lò Văn Chè" in text
    assert HIDDEN_PHONE not in text and HIDDEN_EMAIL not in text and "ngõ kín" not in text and "Nguyễn Thị Kín" not in text
    assert directory_fair.waiting not in text and "Kem cốm" not in text


def test_organizers_pdf_carries_every_contact(directory_fair):
    fair = run(get_fair(directory_fair.fair_id))
    text = pdf_text(run(directory_pdf(fair, run(directory(directory_fair.fair_id)), public=False)))
    assert HIDDEN_PHONE in text and SHOWN_PHONE in text


def test_organizers_xlsx_has_one_row_per_exhibitor_with_every_contact_under_a_bold_frozen_header(directory_fair):
    fair = run(get_fair(directory_fair.fair_id))
    rows, sheet = sheet_rows(directory_xlsx(fair, run(directory(directory_fair.fair_id))))
    assert rows[0] == ["Gian hàng", "Khu", "Chủ thể OCOP", "Loại hình", "Tỉnh / thành phố", "Sản phẩm", "Đã điểm danh",
                       "Điện thoại", "Email", "Địa chỉ", "Người liên hệ"]
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["A"].width
    hidden, shown, general = rows[1:]
    assert len(rows) == 4 and all(directory_fair.waiting not in str(row) for row in rows)
    assert hidden[:5] == ["A2", "A · Thực phẩm", directory_fair.hidden, "Hợp tác xã", "Hà Nội"]
    assert hidden[5].startswith(f"{directory_fair.hidden_product} (4 sao, ")
    assert hidden[6:10] == ["Không", HIDDEN_PHONE, HIDDEN_EMAIL, "Số 9 ngõ kín"]
    assert hidden[10] == "Bà Nguyễn Thị Kín"
    assert shown[0] == "A9, A10" and shown[2] == directory_fair.shown and shown[6] == "Có"
    assert "Chè Shan tuyết cổ thụ (5 sao" in shown[5] and "; Mật ong bạc hà (3 sao" in shown[5]
    assert general[0] == "B01" and general[7:] == [None, None, None, None]


def test_a_fair_with_no_booths_assigned_says_so_and_exports_only_the_header(organizer, make_fair):
    fair_id, _ = make_fair()
    fair = run(get_fair(fair_id))
    entries = run(directory(fair_id))
    assert entries == []
    text = pdf_text(run(directory_pdf(fair, entries, public=True)))
    assert fair.name in text and "Chưa có đơn vị nào được bố trí gian hàng tại hội chợ này." in text
    rows, _ = sheet_rows(directory_xlsx(fair, entries))
    assert len(rows) == 1 and rows[0][0] == "Gian hàng"
