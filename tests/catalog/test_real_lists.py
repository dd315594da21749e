"""Lists written the ways provinces publish them go in as they are, with no hand edit beyond the
preview's questions, and nothing a list lacks appears as a value anywhere."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys

from openpyxl import Workbook, load_workbook

from tests.conftest import ROOT, run, unique


def xlsx(rows: list[list], title: str = "Sheet1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, filename: str, **fields):
    return client.post("/catalog/import/", files={"file": (filename, content, "application/octet-stream")},
                       data={"_csrf_token": client.csrf(), **fields})


def token_of(page: str) -> str:
    return re.search(r"/catalog/import/([\w-]+)/choices", page).group(1)


def commit(client, page: str):
    found = re.search(r"/catalog/import/([\w-]+)/commit", page)
    assert found, "no commit button: " + " | ".join(re.findall(r'data-field="[^"]*"><strong>[^<]*</strong>: [^<]*', page))
    return client.form(f"/catalog/import/{found.group(1)}/commit", {})


def products(tag: str) -> dict[str, dict]:
    from catalog.tables import Product

    rows = run(Product.select(Product.name, Product.stars, Product.score, Product.decision_number, Product.certified_on,
                              Product.expires_on, Product.group_code, Product.certificate_number, Product.code,
                              Product.province_code, Product.producer.name.as_alias("producer_name"),
                              Product.producer.legacy_province.as_alias("legacy_province"),
                              Product.producer.legacy_district.as_alias("legacy_district"),
                              Product.producer.kind.as_alias("kind"), Product.producer.commune.as_alias("commune"))
               .where(Product.name.like(f"%{tag}%")))
    return {row["name"]: row for row in rows}


def test_a_commune_retyped_decision_appendix_goes_in_as_it_is(login):
    """Title rows above the headings, a numbering column, producers with their commune appended and
    spelled two ways, stars as "4 sao" and 0, one decision shared by many products, no score, no
    province column (the address names the pre-2025 province)."""
    client = login("organizer")
    tag = unique()
    rows = [
        ["DANH SÁCH SẢN PHẨM OCOP ĐƯỢC CÔNG NHẬN NĂM 2023"],
        ["(Kèm theo Quyết định số 2008/QĐ-UBND ngày 7/4/2023 của UBND tỉnh)"],
        [],
        ["STT", "Tên sản phẩm", "Chủ thể", "Địa chỉ", "Hạng sao", "Số QĐ", "Ngày công nhận"],
        ["1", f"Chè búp {tag}", f"HTX Chè {tag}, xã Phong Thu", "xã Phong Thu, huyện Phong Điền, tỉnh Thừa Thiên Huế",
         "4 sao", "2008/QĐ-UBND", "07/04/2023"],
        ["2", f"Chè túi lọc {tag}", f"Hợp tác xã chè {tag}", "xã Phong Thu, huyện Phong Điền, tỉnh Thừa Thiên Huế",
         "3 sao", "2008/QĐ-UBND", "07/04/2023"],
        ["3", f"Mè xửng {tag}", f"Cơ sở Mè xửng {tag}", "phường Đông Ba, thành phố Huế, tỉnh Thừa Thiên Huế",
         "5 sao", "2008/QĐ-UBND", "07/04/2023"],
        ["4", f"Bánh ép {tag}", f"Cơ sở Mè xửng {tag}", "phường Đông Ba, thành phố Huế, tỉnh Thừa Thiên Huế",
         0, "", ""],
    ]
    preview = upload(client, xlsx(rows, "PL1"), "phu-luc-qd-2008.xlsx")
    assert preview.status_code == 200, preview.text
    assert 'class="bad"' not in preview.text
    # 07/04/2023 may be either order and no date in the column settles it: the preview asks, once
    assert "/commit" not in preview.text and 'name="order:ngay cong nhan"' in preview.text
    answered = client.form(f"/catalog/import/{token_of(preview.text)}/choices", {"order:ngay cong nhan": "dmy"})
    assert commit(client, answered.text).status_code == 200
    found = products(tag)
    assert len(found) == 4
    first, second = found[f"Chè búp {tag}"], found[f"Chè túi lọc {tag}"]
    assert first["producer_name"] == second["producer_name"] == f"HTX Chè {tag}"  # one producer, spelled two ways
    assert first["commune"] == "xã Phong Thu" and first["kind"] == "cooperative"
    assert first["province_code"] == "hue" and first["legacy_province"] == "Thừa Thiên Huế"
    assert first["legacy_district"] == "huyện Phong Điền"
    assert {p["decision_number"] for p in found.values() if p["stars"]} == {"2008/QĐ-UBND"}  # shared, not unique
    assert all(p["score"] is None for p in found.values())  # no list gives one: none made up
    assert all(p["certificate_number"] is None for p in found.values())
    assert first["certified_on"] == dt.date(2023, 4, 7) and first["expires_on"] == dt.date(2026, 4, 7)
    candidate = found[f"Bánh ép {tag}"]
    assert candidate["stars"] == 0 and candidate["certified_on"] is None and candidate["expires_on"] is None
    assert found[f"Mè xửng {tag}"]["kind"] == "household"


def test_a_json_keyed_export_with_iso_dates_and_old_districts(login):
    client = login("organizer")
    tag = unique()
    text = "product_name,subject_name,star_rating,decision_number,cert_issued_at,province,district\n"
    text += f"Tịnh bột nghệ {tag},HTX Nông nghiệp {tag},4,1234/QĐ-UBND,2024-03-15,Trà Vinh,huyện Cầu Kè\n"
    text += f"Bánh tét lá cẩm {tag},HTX Nông nghiệp {tag},3,1234/QĐ-UBND,2024-03-15T00:00:00Z,Trà Vinh,huyện Cầu Kè\n"
    preview = upload(client, text.encode(), "records.csv")
    assert preview.status_code == 200 and 'class="bad"' not in preview.text, preview.text
    assert commit(client, preview.text).status_code == 200
    found = products(tag)[f"Tịnh bột nghệ {tag}"]
    assert found["province_code"] == "vinh-long" and found["legacy_province"] == "Trà Vinh"  # merged in July 2025
    assert found["legacy_district"] == "huyện Cầu Kè"
    assert found["kind"] == "cooperative" and found["certified_on"] == dt.date(2024, 3, 15)


def test_an_abolished_district_written_alone_finds_its_province(login):
    """A district's list names only the district (in a column, or at the end of an address): the district
    table of before July 2025 gives the province, with the old province kept; a name several provinces
    had ("huyện Châu Thành") is settled only by the province the clerk says the list is from."""
    client = login("organizer")
    tag = unique()
    rows = [
        ["Tên sản phẩm", "Chủ thể", "Hạng sao", "Huyện", "Địa chỉ"],
        [f"Tịnh bột nghệ {tag}", f"HTX Nghệ {tag}", "3 sao", "huyện Cầu Kè", ""],
        [f"Mật ong {tag}", f"Tổ hợp tác Ong {tag}", "4 sao", "", "ấp Chánh Hội, xã Mỹ Chánh, Huyện Châu Thành A"],
        [f"Bánh tét {tag}", f"Cơ sở Bánh tét {tag}", "3 sao", "Huyện Châu Thành", ""],
    ]
    preview = upload(client, xlsx(rows), "danh-sach-huyen.xlsx")
    assert preview.status_code == 200 and 'class="bad"' not in preview.text, preview.text
    assert 'name="province"' in preview.text  # the preview offers to say which province the list is from
    chosen = client.form(f"/catalog/import/{token_of(preview.text)}/choices", {"province": "vinh-long"})
    assert commit(client, chosen.text).status_code == 200
    found = products(tag)
    alone = found[f"Tịnh bột nghệ {tag}"]
    assert (alone["province_code"], alone["legacy_province"], alone["legacy_district"]) == (
        "vinh-long", "Trà Vinh", "huyện Cầu Kè")
    in_address = found[f"Mật ong {tag}"]
    assert (in_address["province_code"], in_address["legacy_province"], in_address["legacy_district"]) == (
        "can-tho", "Hậu Giang", "Huyện Châu Thành A")
    # Bến Tre, Trà Vinh and Vĩnh Long each had one; all three are Vĩnh Long now, which of them is not known.
    shared = found[f"Bánh tét {tag}"]
    assert (shared["province_code"], shared["legacy_province"], shared["legacy_district"]) == (
        "vinh-long", "", "Huyện Châu Thành")


def test_the_same_product_name_under_two_producers_is_two_products(login):
    """Lists name products as producers do: "Mật ong" of one cooperative is not "Mật ong" of another."""
    client = login("organizer")
    tag = unique()
    rows = [
        ["Tên sản phẩm", "Chủ thể", "Hạng sao", "Tỉnh"],
        [f"Mật ong hoa nhãn {tag}", f"HTX Ong mật Hưng Yên {tag}", "3 sao", "Hưng Yên"],
        [f"Mật ong hoa nhãn {tag}", f"Cơ sở nuôi ong Bảy Hiền {tag}", "4 sao", "Hưng Yên"],
    ]
    preview = upload(client, xlsx(rows), "mat-ong.xlsx")
    assert preview.status_code == 200 and 'class="bad"' not in preview.text, preview.text
    assert commit(client, preview.text).status_code == 200
    from catalog.tables import Product

    made = run(Product.select(Product.stars, Product.producer.name.as_alias("producer"))
               .where(Product.name == f"Mật ong hoa nhãn {tag}").order_by(Product.stars))
    assert [(p["producer"], p["stars"]) for p in made] == [
        (f"HTX Ong mật Hưng Yên {tag}", 3), (f"Cơ sở nuôi ong Bảy Hiền {tag}", 4)]


def test_a_district_name_alone_is_read_against_the_2024_district_table():
    from catalog.list_values import Place, district_place

    assert district_place("huyện Cầu Kè") == Place("vinh-long", "Trà Vinh", "huyện Cầu Kè")
    assert district_place("TP. Bảo Lộc") == Place("lam-dong", "", "TP. Bảo Lộc")  # Lâm Đồng kept its name
    assert district_place("thị xã Sơn Tây") == Place("ha-noi", "", "thị xã Sơn Tây")
    assert district_place("Huyện Châu Thành") is None  # five provinces now: not guessed
    assert district_place("Huyện Châu Thành", near="tay-ninh") == Place("tay-ninh", "", "Huyện Châu Thành")  # Long An or Tây Ninh
    assert district_place("huyện Chợ Gạo", near="dong-thap") == Place("dong-thap", "Tiền Giang", "huyện Chợ Gạo")
    assert district_place("huyện Không Có") is None


def test_short_headings_legacy_groups_and_month_first_dates(login):
    """A web developer's list: `name`, `author`, `star`, a "[tách]" prefix, 2019 group names, and
    dates month first (a day over 12 in the column says so)."""
    client = login("organizer")
    tag = unique()
    rows = [["name", "author", "star", "[tách] Nhóm", "Ngày công nhận", "Tỉnh"],
            [f"Cao atiso {tag}", f"Công ty TNHH {tag}", "4", "Thảo dược", "4/13/2022", "Lâm Đồng"],
            [f"Rượu cần {tag}", f"Công ty TNHH {tag}", "3*", "Đồ uống", "5/6/2022", "Đắk Nông"]]
    preview = upload(client, xlsx(rows), "web.xlsx")
    assert 'class="bad"' not in preview.text, preview.text
    assert commit(client, preview.text).status_code == 200
    found = products(tag)
    assert found[f"Cao atiso {tag}"]["group_code"] == "herbal" and found[f"Rượu cần {tag}"]["group_code"] == "beverages"
    assert found[f"Cao atiso {tag}"]["certified_on"] == dt.date(2022, 4, 13)
    assert found[f"Rượu cần {tag}"]["certified_on"] == dt.date(2022, 5, 6)  # month first, as the column writes
    assert found[f"Rượu cần {tag}"]["province_code"] == "lam-dong"  # Đắk Nông, merged into Lâm Đồng
    assert found[f"Cao atiso {tag}"]["kind"] == "enterprise"


def test_a_decision_written_in_free_text_and_rows_with_none(login):
    """A list copied from a news article: typed numbering, the decision inside a remark, and rows
    with no decision and no date at all, which stay undated and say so on the public page."""
    client = login("organizer")
    tag = unique()
    rows = [["Tên sản phẩm", "Chủ thể", "Xếp hạng sao OCOP", "Ghi chú"],
            [f"1. Mật ong bạc hà {tag}", f"HTX Ong {tag}", "4 sao", "QĐ số 2008/QĐ-UBND ngày 7/4/2023"],
            [f"2. Chè Shan {tag}", f"HTX Ong {tag}", "3 sao", ""]]
    preview = upload(client, xlsx(rows), "bao.xlsx")
    assert 'class="bad"' not in preview.text, preview.text
    assert commit(client, preview.text).status_code == 200
    found = products(tag)
    honey = found[f"Mật ong bạc hà {tag}"]  # the typed number is gone
    assert honey["decision_number"] == "2008/QĐ-UBND" and honey["certified_on"] == dt.date(2023, 4, 7)
    undated = found[f"Chè Shan {tag}"]
    assert undated["certified_on"] is None and undated["expires_on"] is None and undated["decision_number"] == ""
    page = client.get(f"/p/{undated['code']}")
    assert page.status_code == 200
    verdict = re.search(r'<section class="verdict.*?</section>', page.text, re.S).group(0)
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{4}", verdict)  # no validity date the source never gave
    assert "không thể xác nhận" in verdict or "cannot be confirmed" in verdict
    listed = client.get("/api/v1/products", params={"q": tag, "status": "undated"}).json()
    assert [p["name"] for p in listed["items"]] == [f"Chè Shan {tag}"]  # staff's list of products to complete


def test_an_ambiguous_date_column_is_asked_once_and_the_answer_is_kept(login):
    client = login("organizer")
    tag = unique()
    rows = [["Tên sản phẩm", "Chủ thể", "Số sao", "Ngày công nhận"],
            [f"Nước mắm {tag}", f"Công ty {tag}", 4, "3/5/2024"],
            [f"Mắm tôm {tag}", f"Công ty {tag}", 3, "4/6/2024"]]
    preview = upload(client, xlsx(rows), "mo-ho.xlsx")
    assert "/commit" not in preview.text and 'name="order:ngay cong nhan"' in preview.text
    answered = client.form(f"/catalog/import/{token_of(preview.text)}/choices", {"order:ngay cong nhan": "dmy", "unrated": "keep"})
    assert answered.status_code == 200 and 'value="dmy" checked' in answered.text
    assert commit(client, answered.text).status_code == 200
    assert products(tag)[f"Nước mắm {tag}"]["certified_on"] == dt.date(2024, 5, 3)


def test_every_problem_of_every_row_is_named_by_the_files_own_columns(login):
    client = login("organizer")
    tag = unique()
    rows = [["Tên sản phẩm", "Chủ thể", "Số sao", "Mã vạch", "Tỉnh", "Nhóm"],
            [f"Gạo {tag}", f"HTX {tag}", "7 sao", "8934588063054", "Tỉnh Không Có", "Ngũ cốc lạ"],
            [f"Gạo nếp {tag}", f"HTX {tag}", "4", "8934588063053", "An Giang", "Thực phẩm"]]
    preview = upload(client, xlsx(rows), "loi.xlsx")
    bad = re.findall(r'data-field="([^"]*)"', preview.text)
    assert sorted(bad) == ["Mã vạch", "Nhóm", "Số sao", "Tỉnh"]  # all four at once, one row
    copy = client.get(f"/catalog/import/{token_of(preview.text)}/problems.xlsx")
    sheet = load_workbook(io.BytesIO(copy.content)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] in ("Problems", "Lỗi") and "Mã vạch" in (sheet.cell(row=2, column=len(header)).value or "")
    assert not sheet.cell(row=3, column=len(header)).value


def test_unrated_rows_are_kept_as_candidates_or_skipped_as_the_clerk_chooses(login):
    client = login("organizer")
    tag = unique()
    rows = [["Tên sản phẩm", "Chủ thể", "Số sao"], [f"Cam {tag}", f"HTX Cam {tag}", 3], [f"Bưởi {tag}", f"HTX Cam {tag}", ""]]
    preview = upload(client, xlsx(rows), "sao.xlsx")
    skipped = client.form(f"/catalog/import/{token_of(preview.text)}/choices", {"unrated": "skip"})
    assert commit(client, skipped.text).status_code == 200
    assert list(products(tag)) == [f"Cam {tag}"]


def test_an_unknown_heading_is_mapped_saved_as_a_profile_and_reused(login):
    client = login("organizer")
    tag = unique()
    profile = unique("Huyện X ")
    rows = [["Tên SP OCOP năm 2024", "Đơn vị sản xuất ra sản phẩm", "Số sao"], [f"Nấm {tag}", f"HTX Nấm {tag}", 3]]
    preview = upload(client, xlsx(rows), "huyen.xlsx")
    assert 'name="heading:don vi san xuat ra san pham"' in preview.text
    saved = client.form(f"/catalog/import/{token_of(preview.text)}/choices", {
        "heading:ten sp ocop nam 2024": "name", "heading:don vi san xuat ra san pham": "producer",
        "unrated": "keep", "profile_name": profile, "save_profile": "1"})
    assert saved.status_code == 200 and 'class="bad"' not in saved.text
    again = upload(client, xlsx(rows[:1] + [[f"Nấm rơm {tag}", f"HTX Nấm {tag}", 4]]), "huyen-2.xlsx", profile=profile)
    assert 'class="bad"' not in again.text and "/commit" in again.text
    assert commit(client, again.text).status_code == 200
    assert list(products(f"Nấm rơm {tag}")) == [f"Nấm rơm {tag}"]


def test_the_command_line_names_problems_by_column_and_never_prints_a_traceback(tmp_path):
    environment = {**os.environ}
    empty = tmp_path / "trong.xlsx"
    empty.write_bytes(xlsx([["Ghi chú"], ["không có gì"]]))
    refused = subprocess.run([sys.executable, "-m", "ocop.cli", "import", str(empty)], cwd=ROOT, env=environment,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr and refused.stderr.strip()
    tag = unique()
    listed = tmp_path / "ds.xlsx"
    listed.write_bytes(xlsx([["Tên SP", "Người làm", "Hạng"], [f"Miến {tag}", f"HTX Miến {tag}", "3 sao"]]))
    mapped = subprocess.run([sys.executable, "-m", "ocop.cli", "import", str(listed), "--map", "Tên SP=name",
                             "--map", "Người làm=producer", "--map", "Hạng=stars"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert mapped.returncode == 0 and "1 products" in mapped.stdout, mapped.stdout + mapped.stderr


def test_a_near_name_is_offered_as_the_same_producer_and_never_merged_unasked(login):
    client = login("organizer")
    tag = unique()
    first = [["Tên sản phẩm", "Chủ thể", "Tỉnh", "Số sao"], [f"Chè {tag}", f"HTX Chè {tag} Tân Cương", "Thái Nguyên", 3]]
    assert commit(client, upload(client, xlsx(first), "a.xlsx").text).status_code == 200
    second = [first[0], [f"Chè xanh {tag}", f"HTX Chè {tag} Tân Cương Thái Nguyên", "Thái Nguyên", 4]]
    preview = upload(client, xlsx(second), "b.xlsx")
    question = re.search(r'name="(same:[^"]+)"', preview.text)
    assert question and "/commit" in preview.text  # asked, and a new producer unless the clerk says otherwise
    existing = re.search(r'<option value="(\d+)"[^>]*>[^<]*Tân Cương \(', preview.text).group(1)
    answered = client.form(f"/catalog/import/{token_of(preview.text)}/choices", {question.group(1): existing})
    assert f'value="{existing}" selected' in answered.text
    assert commit(client, answered.text).status_code == 200
    found = products(tag)
    assert found[f"Chè xanh {tag}"]["producer_name"] == f"HTX Chè {tag} Tân Cương"  # the one the clerk chose
    from catalog.tables import Producer

    assert run(Producer.count().where(Producer.name.like(f"%{tag}%"))) == 1


def test_a_newer_version_of_a_list_updates_what_changed_and_adds_what_is_new(login):
    from core.tables import AuditEntry

    client = login("organizer")
    tag = unique()
    headings = ["Tên sản phẩm", "Chủ thể", "Tỉnh", "Hạng sao", "Số QĐ", "Ngày công nhận", "Điểm"]
    first = [headings, [f"Miến dong {tag}", f"HTX Miến {tag}", "Bắc Kạn", "3 sao", "", "", 60],
             [f"Măng khô {tag}", f"HTX Miến {tag}", "Bắc Kạn", "3 sao", "55/QĐ-UBND", "20/5/2024", 62]]
    assert commit(client, upload(client, xlsx(first), "v1.xlsx").text).status_code == 200
    before = products(tag)
    second = [headings, [f"Miến dong {tag}", f"HTX Miến {tag}", "Bắc Kạn", "4 sao", "77/QĐ-UBND", "15/8/2025", ""],
              [f"Măng khô {tag}", f"HTX Miến {tag}", "Bắc Kạn", "3 sao", "55/QĐ-UBND", "20/5/2024", 62],
              [f"Mật ong {tag}", f"HTX Miến {tag}", "Bắc Kạn", "3 sao", "77/QĐ-UBND", "15/8/2025", ""]]
    preview = upload(client, xlsx(second), "v2.xlsx")
    assert 'class="bad"' not in preview.text
    assert re.search(r"Changed:|Thay đổi:", preview.text) and re.search(r"Unchanged\.|Không đổi\.", preview.text)
    assert commit(client, preview.text).status_code == 200
    after = products(tag)
    assert len(after) == 3 and after[f"Miến dong {tag}"]["code"] == before[f"Miến dong {tag}"]["code"]  # the same product
    changed = after[f"Miến dong {tag}"]
    assert changed["stars"] == 4 and changed["decision_number"] == "77/QĐ-UBND"
    assert changed["certified_on"] == dt.date(2025, 8, 15) and changed["score"] == 60  # a blank erases nothing
    from catalog.tables import Product

    product_id = run(Product.select(Product.id).where(Product.name == f"Miến dong {tag}").first())["id"]
    trail = run(AuditEntry.select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
                .where((AuditEntry.entity == "product") & (AuditEntry.entity_id == str(product_id))))
    assert any(entry["action"] == "update" for entry in trail)
