"""Reading a conference's registration sheet as offices write it: headings with or without accents, title rows
above them, sides in words, needs in free text, old province names, prices in every usual spelling, time windows
read against the room's slots; what a row leaves empty stays unknown."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.enums import BuyerKind
from catalog.headed_sheets import read_headed
from core.errors import Msg, ValidationFailed
from matchmaking import registration_sheet as sheet_reader
from matchmaking.enums import Side
from matchmaking.registration_sheet import CellProblem
from tests.conftest import xlsx_of

SLOTS = [dt.time(8, 30), dt.time(8, 50), dt.time(9, 10), dt.time(13, 30), dt.time(13, 50), dt.time(14, 10)]


def _sheet(rows: list[list]):
    return read_headed("dang-ky.xlsx", xlsx_of(rows), sheet_reader.FIELD_OF, sheet_reader.REQUIRED,
                       sheet_reader.NO_HEADINGS)


def _drafts(rows: list[list], starts=SLOTS):
    return sheet_reader.read_registrations(_sheet(rows), starts).drafts


def _text(message) -> str:
    return message.render() if isinstance(message, Msg) else message


@pytest.mark.parametrize("headings", [
    ["STT", "Tên doanh nghiệp/HTX", "Bên", "Mã số thuế", "Tỉnh/thành phố", "Nhóm sản phẩm quan tâm", "Hạng sao tối thiểu",
     "Tỉnh quan tâm", "Giá từ", "Giá đến", "Sản lượng cần", "Số cuộc gặp tối đa", "Khung giờ", "Email", "Điện thoại",
     "Ghi chú"],
    ["TT", "TEN DON VI", "VAI TRO", "MST", "TINH", "NHOM SAN PHAM", "HANG SAO", "TINH QUAN TAM", "GIA TU (VND)",
     "GIA DEN (VND)", "NHU CAU", "SO CUOC GAP", "THOI GIAN", "E-mail", "SĐT", "GHI CHU"],
    ["No", "Company name", "Role", "Tax code", "Province", "Product groups", "Min stars", "Provinces of interest",
     "Price from", "Price to", "Volume", "Max meetings", "Time window", "Email", "Phone", "Notes"],
    ["1. Tên đơn vị", "2. Loại", "3. Mã số doanh nghiệp", "4. Tỉnh/TP", "5. Nhóm hàng quan tâm", "6. Sao tối thiểu",
     "7. Địa phương quan tâm", "8. Giá từ (đồng)", "9. Giá đến (đồng)", "10. Sản lượng", "11. Số lượt gặp", "12. Buổi",
     "13. Thư điện tử", "14. Số điện thoại", "15. Ghi chú"],
])
def test_headings_are_read_however_the_office_writes_them(headings):
    title = ["DANH SÁCH ĐĂNG KÝ THAM GIA HỘI NGHỊ KẾT NỐI GIAO THƯƠNG"]
    found = _sheet([title, ["(Kèm theo Công văn số 123/SCT-QLTM)"], [], headings, ["x"] * len(headings)])
    assert set(found.columns) == {"name", "side", "code", "province", "groups", "min_stars", "provinces", "price_min",
                                  "price_max", "volume", "quota", "window", "email", "phone", "notes"}


def test_a_sheet_naming_no_participant_column_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        _sheet([["Sản phẩm", "Giá"], ["Mật ong", 1]])
    assert refused.value.errors["file"].msgid == sheet_reader.NO_HEADINGS


HEADINGS = ["STT", "Tên doanh nghiệp/HTX", "Bên", "Tỉnh/thành phố", "Nhóm sản phẩm quan tâm", "Hạng sao tối thiểu",
            "Tỉnh quan tâm", "Giá từ", "Giá đến", "Sản lượng cần", "Năng lực cung ứng", "Số cuộc gặp tối đa", "Khung giờ",
            "Ghi chú"]


def test_a_buyers_needs_are_read_from_free_text_and_old_province_names():
    [draft] = _drafts([HEADINGS, [1, "Công ty CP Nông sản Sạch", "Nhà phân phối", "Quảng Bình", "Thực phẩm; Đồ uống",
                                  "từ 4 sao", "Bắc Giang, Thừa Thiên Huế và Hà Nội", "50.000", "200,000đ", "2 tấn/tháng",
                                  None, "6 cuộc", "Sáng", "Ưu tiên hàng có mã vạch"]])
    assert not draft.problems
    assert (draft.side, draft.buyer_kind) == (Side.buyer, BuyerKind.distributor)
    assert draft.place.province_code == "quang-tri" and draft.place.legacy_province == "Quảng Bình"
    assert draft.groups == ["food", "beverages"] and draft.min_stars == 4
    assert draft.provinces == ["bac-ninh", "hue", "ha-noi"]
    assert (draft.price_min, draft.price_max, draft.volume) == (50_000, 200_000, "2 tấn/tháng")
    assert (draft.quota, draft.available, draft.notes) == (6, [0, 1, 2], "Ưu tiên hàng có mã vạch")


def test_what_a_row_leaves_empty_stays_unknown():
    [draft] = _drafts([HEADINGS, [1, "HTX Chè Tân Cương", "Bên bán"] + [None] * 11])
    assert not draft.problems and draft.side is Side.producer and draft.buyer_kind is None
    for name in ("groups", "min_stars", "provinces", "price_min", "price_max", "volume", "capacity", "min_order",
                 "products", "quota", "available", "notes"):
        assert getattr(draft, name) is None, name
    assert draft.place.province_code == "" and draft.code == ""


def test_each_bad_cell_is_a_problem_of_its_row():
    drafts = _drafts([
        HEADINGS,
        [1, "Siêu thị Xanh", None, "", "Thực phẩm", 4],  # no side
        [2, "Siêu thị Đỏ", "Khách mời", "", "Thực phẩm"],  # a side no reader knows
        [3, None, "Bên mua", "Hà Nội", "Thực phẩm"],  # no name
        [4, "Công ty Giá Ngược", "Bên mua", "", "", "", "", "300.000", "200.000"],
        [5, "Công ty Hai Sao", "Bên mua", "", "", "2 sao"],
        [6, "Công ty Bánh Kẹo", "Bên mua", "", "Bánh kẹo; Đồ uống"],
        [7, "Công ty Xa Lạ", "Bên mua", "Tỉnh Mặt Trăng"],
        [8, "Công ty Ba Buổi", "Bên mua", "", "", "", "", "một ít", "", "", "", "100", "Tối"],
    ])
    problems = {d.row: {k: _text(v) for k, v in d.problems.items()} for d in drafts}
    assert set(problems[2]) == {"side"} and "Bên mua" in problems[2]["side"]  # rows as the sheet numbers them
    assert "Khách mời" in problems[3]["side"]
    assert set(problems[4]) == {"name"}
    assert problems[5] == {"price_max": sheet_reader.PRICES_CROSSED}
    assert problems[6] == {"min_stars": sheet_reader.BAD_STARS}
    assert problems[7] == {"groups": "Not an OCOP group: Bánh kẹo."}
    assert set(problems[8]) == {"province"}
    assert set(problems[9]) == {"price_min", "quota", "window"}


def test_section_titles_give_their_side_and_numbered_empty_rows_are_left_out():
    reading = sheet_reader.read_registrations(_sheet([
        ["STT", "Tên đơn vị", "Tỉnh"],
        ["I. BÊN MUA"],
        [1, "Siêu thị Hạnh Phúc", "Hà Nội"],
        [None, "B. CHỦ THỂ OCOP"],
        [1, "HTX Miến Dong", "Bắc Kạn"],
        [2],
        [3],
    ]), SLOTS)
    assert [(d.name, d.side) for d in reading.drafts] == [("Siêu thị Hạnh Phúc", Side.buyer), ("HTX Miến Dong", Side.producer)]
    assert reading.sections == [(2, Side.buyer), (4, Side.producer)]
    assert reading.drafts[1].place.province_code == "thai-nguyen"  # Bắc Kạn joined Thái Nguyên in 2025


def test_a_lone_name_in_a_row_is_a_registration_not_a_section():
    reading = sheet_reader.read_registrations(_sheet([["Tên đơn vị", "Bên"], ["Siêu thị Co.op Huế"]]), SLOTS)
    assert [d.name for d in reading.drafts] == ["Siêu thị Co.op Huế"] and "side" in reading.drafts[0].problems


@pytest.mark.parametrize(("written", "side", "kind"), [
    ("Bên mua", Side.buyer, None), ("Người mua", Side.buyer, None), ("Nhà phân phối", Side.buyer, BuyerKind.distributor),
    ("Siêu thị", Side.buyer, BuyerKind.supermarket_chain), ("Xuất khẩu", Side.buyer, BuyerKind.exporter),
    ("Bên mua (sàn thương mại điện tử)", Side.buyer, BuyerKind.ecommerce), ("bán lẻ", Side.buyer, None),
    ("Bên bán", Side.producer, None), ("Chủ thể OCOP", Side.producer, None), ("NHA SAN XUAT", Side.producer, None),
])
def test_sides_in_words(written, side, kind):
    assert sheet_reader.side_of(written) == (side, kind)


def test_a_cell_naming_both_sides_or_none_states_no_side():
    assert sheet_reader.side_of("Bên mua, bên bán") is None
    assert sheet_reader.side_of("Khách mời") is None


@pytest.mark.parametrize(("written", "amount"), [
    (50000, 50_000), (50000.0, 50_000), ("50.000", 50_000), ("50,000đ", 50_000), ("50.000 đ", 50_000),
    ("50 nghìn", 50_000), ("50 ngàn", 50_000), ("50k", 50_000), ("1,5 triệu", 1_500_000), ("1.2tr", 1_200_000),
    ("1.200.000 VNĐ", 1_200_000), ("1 200 000", 1_200_000), ("120.000 đ/kg", 120_000), ("Thỏa thuận", None),
    ("", None), (None, None),
])
def test_prices_as_offices_write_them(written, amount):
    assert sheet_reader.money(written) == amount


@pytest.mark.parametrize("written", ["1.5", "50.000,5", "năm mươi", "-50000", -1, 10.5, "12.34.567"])
def test_prices_that_say_no_whole_number_of_dong_are_problems(written):
    with pytest.raises(CellProblem):
        sheet_reader.money(written)


@given(st.integers(min_value=0, max_value=10**12))
def test_a_price_written_with_vietnamese_thousands_reads_back(amount):
    grouped = f"{amount:,}".replace(",", ".")
    assert sheet_reader.money(grouped) == sheet_reader.money(f"{grouped} đ") == sheet_reader.money(amount) == amount


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_thousands_in_words_read_back(thousands):
    assert sheet_reader.money(f"{thousands} nghìn") == thousands * 1000


def test_a_price_band_in_one_cell():
    assert sheet_reader.price_range("50.000 – 200.000") == (50_000, 200_000)
    assert sheet_reader.price_range("từ 50 nghìn đến 200 nghìn") == (50_000, 200_000)
    assert sheet_reader.price_range("dưới 100.000") == (None, 100_000)
    with pytest.raises(CellProblem):
        sheet_reader.price_range("100.000")


@pytest.mark.parametrize(("written", "stars"), [(4, 4), ("4", 4), ("4 sao", 4), ("từ 3 sao", 3), ("4 sao trở lên", 4),
                                                ("5*", 5), ("★★★", 3), (None, None)])
def test_stars_at_least(written, stars):
    assert sheet_reader.min_stars(written) == stars


@pytest.mark.parametrize(("written", "slots"), [
    ("Sáng", [0, 1, 2]), ("buổi chiều", [3, 4, 5]), ("Cả ngày", []), ("Sáng, Chiều", []), ("sáng và chiều", []),
    ("Sáng (8h - 11h30)", [0, 1, 2]),
    ("8:30-9:00", [0, 1]), ("8h30 - 9h15", [0, 1, 2]), ("13:30 – 14:00", [3, 4]), ("", None), (None, None),
])
def test_time_windows_become_the_rooms_slots(written, slots):
    assert sheet_reader.window(written, SLOTS) == slots


def test_a_window_the_room_cannot_give_is_a_problem():
    with pytest.raises(CellProblem):
        sheet_reader.window("Tối", SLOTS)
    with pytest.raises(CellProblem):  # a morning-only room has no afternoon
        sheet_reader.window("Chiều", SLOTS[:3])
    with pytest.raises(CellProblem):  # no room yet: no slot to name
        sheet_reader.window("Sáng", [])
    assert sheet_reader.window("Cả ngày", []) == []  # every slot, whichever they will be


@given(st.lists(st.times(), min_size=1, max_size=64).map(sorted))
def test_morning_and_afternoon_split_the_day(starts):
    def slots(word: str) -> set[int]:
        try:
            found = sheet_reader.window(word, starts)
        except CellProblem:
            return set()
        return set(range(len(starts))) if found == [] else set(found)

    morning, afternoon = slots("Sáng"), slots("Chiều")
    assert not morning & afternoon and morning | afternoon == set(range(len(starts)))
    assert all(starts[n] < sheet_reader.NOON for n in morning)


def test_groups_with_commas_in_their_names_and_old_names():
    assert sheet_reader.groups("Vải, may mặc; Thảo dược") == ["handicrafts", "herbal"]
    assert sheet_reader.groups("Nhóm đồ uống (trà, cà phê)") == ["beverages"]
    assert sheet_reader.groups("Tất cả") == []  # no preference
    assert sheet_reader.provinces("Toàn quốc") == []
    assert sheet_reader.provinces("TP HCM; Bình Dương") == ["ho-chi-minh"]


@pytest.mark.parametrize(("written", "language"), [("Tiếng Anh", "en"), ("TIENG VIET", "vi"), ("English", "en"),
                                                   ("", None)])
def test_the_language_a_participant_is_written_to_in(written, language):
    [draft] = _drafts([["Tên đơn vị", "Bên", "Ngôn ngữ"], ["Korea Fresh Import Co.", "Bên mua", written]])
    assert draft.language == language and not draft.problems


def test_a_language_we_do_not_write_in_is_a_problem():
    [draft] = _drafts([["Tên đơn vị", "Bên", "Ngôn ngữ"], ["Korea Fresh Import Co.", "Bên mua", "Tiếng Hàn"]])
    assert "Tiếng Hàn" in _text(draft.problems["language"])


def test_product_sets_are_read_by_their_names_commas_inside_them_kept():
    [draft] = _drafts([["Tên đơn vị", "Bên", "Bộ sản phẩm quan tâm"],
                       ["Công ty Trà Việt", "Bên mua", "Chè; Cà phê, ca cao"]])
    assert draft.subgroups == ["tea", "coffee_cocoa"] and not draft.problems
    [wrong] = _drafts([["Tên đơn vị", "Bên", "Bộ sản phẩm quan tâm"], ["Công ty Trà Việt", "Bên mua", "Rượu vang Pháp"]])
    assert "Rượu vang Pháp" in _text(wrong.problems["subgroups"])
