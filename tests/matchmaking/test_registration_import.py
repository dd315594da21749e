"""Importing a connection conference's registrations from the office's sheet, through the pages: a preview that
writes nothing, a commit that registers the good rows with their needs and offers and skips the others, and the
same sheet again updating rather than duplicating."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.formatting import vietnam_today
from tests.conftest import product_payload, run, unique, xlsx_of
from tests.fairs.conftest import fair_payload

TODAY = vietnam_today()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADINGS = ["STT", "Tên doanh nghiệp/HTX", "Bên", "Mã số thuế", "Tỉnh/thành phố", "Nhóm sản phẩm quan tâm",
            "Hạng sao tối thiểu", "Tỉnh quan tâm", "Giá từ", "Giá đến", "Sản lượng cần", "Năng lực cung ứng",
            "Đơn hàng tối thiểu", "Số cuộc gặp tối đa", "Khung giờ", "Email", "Điện thoại", "Ghi chú"]


def _ok(response, status: int = 201):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def conference(login):
    """A conference whose room has a morning and an afternoon of 3 slots each; in the catalogue a buyer, a
    producer with a tax code and one without (in Huế), each with an OCOP product and the second with an unrated one."""
    organizer = login("organizer")
    fair = _ok(organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")))["id"]
    _ok(organizer.api("PUT", f"/api/v1/fairs/{fair}/matchmaking/room", {
        "day": (TODAY + dt.timedelta(days=30)).isoformat(), "tables": 4, "meeting_minutes": 20,
        "sessions": [{"starts": "08:30", "slots": 3}, {"starts": "13:30", "slots": 3}]}), 200)
    tag = unique()
    buyer = _ok(organizer.api("POST", "/api/v1/buyers", {"name": f"Siêu thị Xanh {tag}", "kind": "supermarket_chain",
                                                         "province_code": "ha-noi"}))
    code = str(unique())[:10]
    honey = _ok(organizer.api("POST", "/api/v1/producers", {"name": f"HTX Mật ong {tag}", "kind": "cooperative",
                                                            "province_code": "ha-noi", "registration_code": code}))
    tea = _ok(organizer.api("POST", "/api/v1/producers", {"name": f"HTX Chè {tag}", "kind": "cooperative",
                                                          "province_code": "hue"}))
    products = {}
    for producer, name, stars in ((honey, "Mật ong hoa nhãn", 4), (tea, "Chè búp", 3), (tea, "Trà thử", 0)):
        products[name] = _ok(organizer.api("POST", "/api/v1/products", product_payload(
            producer["id"], name=f"{name} {tag}", stars=stars, score={0: None, 3: 60, 4: 78}[stars])))["id"]
    return {"organizer": organizer, "fair": fair, "tag": tag, "buyer": buyer, "honey": honey, "tea": tea, "code": code,
            "products": products}


def _sheet(conference) -> bytes:
    """The office's list: a title and a note above the headings, blank rows, the catalogue's buyer written in capitals
    without accents, a new buyer from an old province, the producers by tax code and by a name written another way
    with its old province, a producer the catalogue lacks, and a row with no side."""
    tag = conference["tag"]
    return xlsx_of([
        ["DANH SÁCH ĐĂNG KÝ THAM GIA HỘI NGHỊ KẾT NỐI CUNG CẦU SẢN PHẨM OCOP"],
        ["(Kèm theo Công văn số 123/SCT-QLTM)"],
        [],
        HEADINGS,
        [1, f"SIEU THI XANH {tag.upper()}", "Bên mua", None, "Hà Nội", "Thực phẩm; Đồ uống", "từ 4 sao",
         "Hà Nội, Bắc Giang", "50.000", "200,000đ", "2 tấn/tháng", None, None, 5, "Sáng", None, None, None],
        [2, f"Công ty CP Phân phối Miền Trung {tag}", "Nhà phân phối", None, "Quảng Bình", None, None, None, "50 nghìn",
         None, None, None, None, None, "Cả ngày", f"lienhe-{tag}@example.vn", "0912 345 678", "Đăng ký qua biểu mẫu"],
        [],
        [3, "HTX Mật ong (ghi theo giấy phép)", "Chủ thể OCOP", conference["code"], None, None, None, None, None, None,
         None, "500 hộp/tháng", "50 hộp", 4, "Chiều", None, None, None],
        [4, f"Hợp tác xã Chè {tag}", "Bên bán", None, "Thừa Thiên Huế", None, None, None, None, None, None, None, None,
         None, None, None, None, None],
        [5, f"HTX Không Có Trong Danh Sách {tag}", "Bên bán", None, "Hà Nội"] + [None] * 13,
        [6, f"Công ty Chưa Rõ Vai Trò {tag}", None, None, "Hà Nội"] + [None] * 13,
        [7, f"Công ty Giá Ngược {tag}", "Bên mua", None, "", None, "2 sao", None, "300.000", "200.000"] + [None] * 8,
    ])


def _upload(client, fair: int, content: bytes, filename: str = "dang-ky.xlsx", media_type: str = XLSX):
    return client.post(f"/fairs/{fair}/meetings/import/", files={"file": (filename, content, media_type)},
                       data={"_csrf_token": client.csrf()})


def _token(page: str) -> str:
    return re.search(r'name="token" value="([\w-]+)"', page).group(1)


def _participants(client, fair: int) -> list[dict]:
    return _ok(client.get(f"/api/v1/fairs/{fair}/matchmaking/participants"), 200)


def _buyers_named(name: str) -> list[dict]:
    from catalog.tables import Buyer

    return run(Buyer.select().where(Buyer.name == name))


def test_preview_says_what_each_row_does_and_writes_nothing(conference):
    organizer, fair, tag = conference["organizer"], conference["fair"], conference["tag"]
    organizer.cookies.set("lang", "en")
    response = _upload(organizer, fair, _sheet(conference))
    assert response.status_code == 200, response.text
    page = response.text
    assert "4 new registrations, 0 registrations updated, 1 buyers added to the catalogue" in page
    assert page.count('class="bad"') == 3
    # each problem named under the column as the sheet heads it
    assert re.search(r'data-field="Tên doanh nghiệp/HTX"><strong>[^<]*</strong>: No producer of the catalogue', page)
    assert 'data-field="Bên"' in page and 'data-field="Hạng sao tối thiểu"' in page and 'data-field="Giá đến"' in page
    assert "adds the buyer to the catalogue (Distributor / wholesaler)" in page
    assert _participants(organizer, fair) == []
    assert _buyers_named(f"Công ty CP Phân phối Miền Trung {tag}") == []


def test_commit_registers_the_good_rows_with_their_needs_and_skips_the_others(conference):
    organizer, fair, tag = conference["organizer"], conference["fair"], conference["tag"]
    content = _sheet(conference)
    committed = organizer.form(f"/fairs/{fair}/meetings/import/commit",
                               {"token": _token(_upload(organizer, fair, content).text)})
    assert committed.status_code in (302, 303), committed.text
    assert committed.headers["location"] == f"/fairs/{fair}/meetings/#participants-title"

    registered = _participants(organizer, fair)
    by_party = {(p["side"], p["buyer_id"] or p["producer_id"]): p for p in registered}
    assert len(registered) == 4
    chain = by_party[("buyer", conference["buyer"]["id"])]
    assert (chain["groups"], chain["min_stars"], chain["provinces"]) == (["food", "beverages"], 4, ["ha-noi", "bac-ninh"])
    assert (chain["price_min"], chain["price_max"], chain["volume"]) == (50_000, 200_000, "2 tấn/tháng")
    assert (chain["quota"], chain["available"]) == (5, [0, 1, 2])

    [created] = _buyers_named(f"Công ty CP Phân phối Miền Trung {tag}")
    assert (created["kind"], created["province_code"], created["email"], created["phone"]) == (
        "distributor", "quang-tri", f"lienhe-{tag}@example.vn", "0912 345 678")
    assert created["contact_person"] == ""  # the sheet does not say: nothing made up
    newcomer = by_party[("buyer", created["id"])]
    assert (newcomer["price_min"], newcomer["price_max"], newcomer["min_stars"]) == (50_000, None, None)
    assert (newcomer["groups"], newcomer["provinces"], newcomer["available"]) == ([], [], [])
    assert newcomer["notes"] == "Đăng ký qua biểu mẫu" and newcomer["quota"] == 8

    honey = by_party[("producer", conference["honey"]["id"])]  # found by its tax code
    assert honey["product_ids"] == [conference["products"]["Mật ong hoa nhãn"]]
    assert (honey["capacity"], honey["min_order"]) == ("500 hộp/tháng", "50 hộp")
    assert (honey["quota"], honey["available"]) == (4, [3, 4, 5])
    tea = by_party[("producer", conference["tea"]["id"])]  # by its name written another way, in its old province
    assert tea["product_ids"] == [conference["products"]["Chè búp"]]  # its OCOP products only

    from core.tables import AuditEntry

    audit = run(AuditEntry.select(AuditEntry.after).where(
        (AuditEntry.action == "import") & (AuditEntry.entity == "fair") & (AuditEntry.entity_id == str(fair))).first())
    assert '"registered":4' in audit["after"] and '"skipped_rows":[10,11,12]' in audit["after"]


def test_the_same_sheet_again_updates_rather_than_duplicates(conference):
    organizer, fair, tag = conference["organizer"], conference["fair"], conference["tag"]
    content = _sheet(conference)
    for _ in range(2):
        organizer.form(f"/fairs/{fair}/meetings/import/commit", {"token": _token(_upload(organizer, fair, content).text)})
    organizer.cookies.set("lang", "en")
    again = _upload(organizer, fair, content).text
    assert "0 new registrations, 4 registrations updated, 0 buyers added to the catalogue" in again
    assert len(_participants(organizer, fair)) == 4
    assert len(_buyers_named(f"Công ty CP Phân phối Miền Trung {tag}")) == 1


def test_a_blank_cell_keeps_what_the_registration_holds(conference):
    organizer, fair = conference["organizer"], conference["fair"]
    base = f"/api/v1/fairs/{fair}/matchmaking/participants"
    _ok(organizer.api("POST", base, {"side": "buyer", "buyer_id": conference["buyer"]["id"], "quota": 3,
                                     "groups": ["handicrafts"], "min_stars": 5}), 201)
    content = xlsx_of([["Tên đơn vị", "Bên", "Tỉnh", "Giá đến"],
                       [conference["buyer"]["name"], "Bên mua", "Hà Nội", "90.000"]])
    organizer.form(f"/fairs/{fair}/meetings/import/commit", {"token": _token(_upload(organizer, fair, content).text)})
    [buyer] = _participants(organizer, fair)
    assert (buyer["quota"], buyer["groups"], buyer["min_stars"], buyer["price_max"]) == (3, ["handicrafts"], 5, 90_000)


def test_a_csv_export_of_the_registration_form_is_read_too(conference):
    organizer, fair = conference["organizer"], conference["fair"]
    text = ("Tên đơn vị;Vai trò;Mã số doanh nghiệp;Khung giờ\n"
            f";Nhà sản xuất;{conference['code']};8:30-9:10\n")
    preview = _upload(organizer, fair, text.encode("utf-8-sig"), "form.csv", "text/csv")
    assert preview.status_code == 200 and 'class="bad"' not in preview.text
    organizer.form(f"/fairs/{fair}/meetings/import/commit", {"token": _token(preview.text)})
    [honey] = _participants(organizer, fair)
    assert honey["producer_id"] == conference["honey"]["id"] and honey["available"] == [0, 1]


def test_the_template_reads_back_as_a_registration(conference):
    organizer, fair = conference["organizer"], conference["fair"]
    template = organizer.get(f"/fairs/{fair}/meetings/import/template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"].startswith(XLSX)
    preview = _upload(organizer, fair, template.content)
    assert preview.status_code == 200 and 'class="ok"' in preview.text and 'class="bad"' not in preview.text


def test_only_organizers_import(conference, login):
    fair = conference["fair"]
    for role in ("viewer", "producer", "salespoint_manager"):
        client = login(role)
        assert client.get(f"/fairs/{fair}/meetings/import/").status_code == 403
        assert _upload(client, fair, _sheet(conference)).status_code == 403
        assert client.form(f"/fairs/{fair}/meetings/import/commit", {"token": "x"}).status_code == 403
    assert _participants(conference["organizer"], fair) == []


def test_what_is_not_a_spreadsheet_is_refused_with_a_message(conference):
    organizer, fair = conference["organizer"], conference["fair"]
    organizer.cookies.set("lang", "en")
    wrong = _upload(organizer, fair, b"%PDF-1.4 a scan", "dang-ky.pdf", "application/pdf")
    assert wrong.status_code == 422 and 'id="e-file"' in wrong.text
    assert "Only .xlsx and .csv files can be imported." in wrong.text and 'role="alert"' in wrong.text
    fake = _upload(organizer, fair, b"not a zip at all", "dang-ky.xlsx")
    assert fake.status_code == 422 and "This is not an Excel .xlsx file." in fake.text
    headless = _upload(organizer, fair, xlsx_of([["Sản phẩm", "Giá"], ["Mật ong", 1]]))
    assert headless.status_code == 422 and "No row of headings names the participants" in headless.text


def test_a_token_of_another_import_or_conference_commits_nothing(conference, login):
    organizer, fair = conference["organizer"], conference["fair"]
    other = _ok(organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")))["id"]
    token = _token(_upload(organizer, fair, _sheet(conference)).text)
    assert organizer.form(f"/fairs/{other}/meetings/import/commit", {"token": token}).status_code == 422
    assert organizer.form(f"/fairs/{fair}/meetings/import/commit", {"token": "no-such-token"}).status_code == 422
    assert _participants(organizer, fair) == [] == _participants(organizer, other)
    # the refused attempt gave the file back: the preview still commits, once
    assert organizer.form(f"/fairs/{fair}/meetings/import/commit", {"token": token}).status_code in (302, 303)
    assert organizer.form(f"/fairs/{fair}/meetings/import/commit", {"token": token}).status_code == 422


def test_a_preview_committed_twice_at_once_registers_once(conference, login):
    from concurrent.futures import ThreadPoolExecutor

    organizer, fair, tag = conference["organizer"], conference["fair"], conference["tag"]
    token = _token(_upload(organizer, fair, _sheet(conference)).text)
    second = login("organizer")
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda c: c.form(f"/fairs/{fair}/meetings/import/commit", {"token": token}).status_code,
                                [organizer, second]))
    assert sorted(answers) == [302, 422]
    assert len(_participants(organizer, fair)) == 4
    assert len(_buyers_named(f"Công ty CP Phân phối Miền Trung {tag}")) == 1
