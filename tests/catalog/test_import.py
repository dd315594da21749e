"""Excel/CSV import: a preview listing every row's problems, then an all-or-nothing commit."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from tests.conftest import run, unique

PRODUCT_HEADERS = ["Tên sản phẩm", "Chủ thể", "Mã số thuế", "Nhóm", "Phân nhóm", "Số sao", "Điểm",
                   "Số giấy chứng nhận", "Ngày công nhận", "Đơn vị tính", "Giá"]
PRODUCER_HEADERS = ["Tên chủ thể", "Loại hình", "Mã số thuế", "Tỉnh", "Xã/phường", "Địa chỉ"]


def workbook(producers: list[list], products: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Chủ thể"
    sheet.append(PRODUCER_HEADERS)
    for row in producers:
        sheet.append(row)
    products_sheet = book.create_sheet("Sản phẩm")
    products_sheet.append(PRODUCT_HEADERS)
    for row in products:
        products_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, content: bytes, filename: str = "danh-sach.xlsx"):
    return client.post(
        "/catalog/import/",
        files={"file": (filename, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        data={"_csrf_token": client.csrf()},
    )


def _products_named(prefix: str) -> int:
    from catalog.tables import Product

    return run(Product.count().where(Product.name.like(f"{prefix}%")))


def test_preview_reports_each_bad_row_and_commit_refuses_the_whole_file(login):
    import datetime as dt

    client = login("organizer")
    tag = unique()
    code = unique("MST")
    producers = [[f"HTX Mật ong {tag}", "Hợp tác xã", code, "Hà Nội", "Xã Ba Vì", "Thôn 3"]]
    products = [
        [f"{tag} Mật ong hoa nhãn", "", code, "Thực phẩm", "", 4, 75, f"{tag}-1", dt.datetime(2025, 5, 1), "chai", 150000],
        [f"{tag} Mật ong bạc hà", f"HTX Mật ong {tag}", "", "food", "", "7 sao", 75, f"{tag}-2", "01/05/2025", "chai", 150000],
        [f"{tag} Sữa chua", "Không có chủ thể này", "", "food", "", 3, 55, f"{tag}-3", "01/05/2025", "hũ", 20000],
        [f"{tag} Mật ong rừng", "", code, "food", "", 3, 60, f"{tag}-1", "31/02/2025", "chai", 150000],
    ]
    response = _upload(client, workbook(producers, products))
    assert response.status_code == 200, response.text
    page = response.text
    assert "Import everything" not in page and "Nhập tất cả" not in page
    # a bad star value; a duplicate certificate and a bad date on one row. A producer the catalogue
    # lacks is no problem: the file creates it.
    assert page.count('class="bad"') == 2
    for heading in ("Số sao", "Số giấy chứng nhận", "Ngày công nhận"):  # the columns as the file names them
        assert f'data-field="{heading}"' in page

    token = re.search(r"/catalog/import/([\w-]+)/commit", page)
    assert token is None  # no commit button while rows have problems
    from catalog.importing import commit_upload  # a forced commit is refused too
    from catalog.tables import ImportUpload
    from core.audit import SYSTEM
    from core.errors import ValidationFailed

    stored = run(ImportUpload.select(ImportUpload.token).order_by(ImportUpload.id, ascending=False).first())
    try:
        run(commit_upload(stored["token"], SYSTEM))
        raise AssertionError("commit should be refused")
    except ValidationFailed:
        pass
    assert _products_named(tag) == 0


def test_clean_workbook_is_committed_in_full(login):
    client = login("organizer")
    tag = unique()
    code = unique("MST")
    producers = [[f"HTX Chè {tag}", "HTX", code, "Thái Nguyên", "Phường Tân Cương", ""],
                 [f"Hộ kinh doanh {tag}", "Hộ kinh doanh", "", "Hà Giang", "", ""]]  # pre-2025 province name
    products = [[f"{tag} Chè {i}", "", code, "food", "tea", 4, 70 + i, f"{tag}-{i}", "2025-01-15", "hộp", 90000] for i in range(10)]
    products.append([f"{tag} Mứt", f"Hộ kinh doanh {tag}", "", "food", "", 3, 50, f"{tag}-x", "2025-01-15", "hộp", 50000])
    preview = _upload(client, workbook(producers, products))
    assert preview.status_code == 200
    token = re.search(r"/catalog/import/([\w-]+)/commit", preview.text).group(1)
    done = client.form(f"/catalog/import/{token}/commit", {})
    assert done.status_code == 200, done.text
    assert _products_named(tag) == 11
    from catalog.tables import Producer

    moved = run(Producer.select(Producer.province_code).where(Producer.name == f"Hộ kinh doanh {tag}").first())
    assert moved["province_code"] == "tuyen-quang"  # Hà Giang merged into Tuyên Quang in 2025
    again = client.form(f"/catalog/import/{token}/commit", {})
    assert again.status_code == 422  # a preview commits once


def test_imported_products_are_searchable_and_so_are_products_created_after(login):
    from tests.conftest import product_payload

    client = login("organizer")
    tag = unique()
    code = unique("MST")
    producers = [[f"HTX Nấm {tag}", "HTX", code, "Lâm Đồng", "", ""]]
    # "số17", not "17": a hex tag may hold "17" itself, and then every product matches
    products = [[f"Nấm linh chi {tag} số{i}", "", code, "food", "", 4, 75, f"{tag}-{i}", "2025-01-15", "hộp", 90000]
                for i in range(30)]
    preview = _upload(client, workbook(producers, products))
    token = re.search(r"/catalog/import/([\w-]+)/commit", preview.text).group(1)
    assert client.form(f"/catalog/import/{token}/commit", {}).status_code == 200
    found = client.get("/api/v1/products", params={"q": f"linh chi {tag}", "page_size": 50}).json()
    assert found["total"] == 30
    assert client.get("/api/v1/products", params={"q": f"{tag} số17"}).json()["total"] == 1
    # the index is fed row by row again after the import
    producer = client.get("/api/v1/producers", params={"q": tag}).json()["items"][0]["id"]
    created = client.api("POST", "/api/v1/products", product_payload(producer, name=f"Trà nấm {tag}"))
    assert created.status_code == 201, created.text
    assert client.get("/api/v1/products", params={"q": f"tra nam {tag}"}).json()["total"] == 1


def test_a_workbook_that_unpacks_past_the_limit_is_refused_unread(login):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(257):
                member.write(block)
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    response = _upload(login("organizer"), buffer.getvalue())
    assert response.status_code == 422 and "256 MB" in response.text


def test_csv_with_products_for_known_producers(login, producer_id):
    from catalog.tables import Producer

    name = run(Producer.select(Producer.name).where(Producer.id == producer_id).first())["name"]
    tag = unique()
    text = "Tên sản phẩm;Chủ thể;Nhóm;Số sao;Điểm;Số giấy chứng nhận;Ngày công nhận\n"
    text += f"{tag} Gạo ST25;{name};Thực phẩm;5;92;{tag}-1;10/10/2025\n"
    text += f"{tag} Gạo nếp;{name};Thực phẩm;3;52;{tag}-2;10/10/2025\n"
    client = login("organizer")
    preview = client.post("/catalog/import/", files={"file": ("ds.csv", text.encode("utf-8-sig"), "text/csv")},
                          data={"_csrf_token": client.csrf()})
    assert preview.status_code == 200, preview.text
    # a 5-star product is certified by the ministry (the rules say so): read so, not reported
    assert 'class="bad"' not in preview.text
    token = re.search(r"/catalog/import/([\w-]+)/commit", preview.text).group(1)
    assert client.form(f"/catalog/import/{token}/commit", {}).status_code == 200
    from catalog.tables import Product

    five = run(Product.select(Product.certifying_level, Product.producer).where(Product.name == f"{tag} Gạo ST25").first())
    assert five == {"certifying_level": "ministry", "producer": producer_id}  # matched by name, not created again


def test_wrong_type_or_oversized_upload_is_refused(login):
    client = login("organizer")
    fake = _upload(client, b"%PDF-1.4 not a spreadsheet", "ds.xlsx")
    assert fake.status_code == 422 and 'id="e-file"' in fake.text
    wrong = _upload(client, b"hello", "ds.exe")
    assert wrong.status_code == 422
    huge = _upload(client, b"PK\x03\x04" + b"0" * (10 * 1024 * 1024 + 10))
    assert huge.status_code in (413, 422)


def test_viewer_cannot_import(login):
    client = login("viewer")
    assert client.get("/catalog/import/").status_code == 403


def test_a_preview_committed_twice_at_once_imports_once(login):
    from concurrent.futures import ThreadPoolExecutor

    client = login("organizer")
    tag = unique()
    code = unique("MST")
    book = workbook([[f"HTX {tag}", "HTX", code, "Huế", "", ""]],
                    [[f"{tag} Mè xửng", "", code, "food", "", 3, 55, f"{tag}-1", "2025-01-15", "hộp", 40000]])
    token = re.search(r"/catalog/import/([\w-]+)/commit", _upload(client, book).text).group(1)
    second = login("organizer")
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda c: c.form(f"/catalog/import/{token}/commit", {}).status_code, [client, second]))
    assert sorted(answers) == [200, 422]
    assert _products_named(tag) == 1


def test_export_writes_formula_like_text_as_text(login, producer_id):
    from openpyxl import load_workbook

    organizer = login("organizer")
    name = "=HYPERLINK(\"http://x\")" + unique()
    assert organizer.api("POST", "/api/v1/products", {
        "producer_id": producer_id, "name": name, "group_code": "food", "stars": 3, "score": 55,
        "certificate_number": unique("GCN-"), "certified_on": "2025-01-01"}).status_code == 201
    content = organizer.get("/catalog/products/export.xlsx", params={"q": name[-10:]}).content
    cell = load_workbook(io.BytesIO(content)).active.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == "'" + name
