"""Importing the organizers' sheet of agreements: a preview naming every row's problems and every
buyer or producer the catalogue does not know, then a commit that writes all of it once, or nothing."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from openpyxl import Workbook

from core.text import fold
from tests.agreements.conftest import TODAY
from tests.conftest import Client, product_payload, unique

HEADERS = ["code", "signed_on", "kind", "buyer", "producer", "product", "quantity", "unit", "unit_price", "value",
           "valid_until"]
VIETNAMESE = ["Số biên bản", "Ngày ký", "Hình thức", "Bên mua", "Chủ thể OCOP", "Tên sản phẩm", "Số lượng",
              "Đơn vị tính", "Đơn giá", "Thành tiền", "Hiệu lực đến"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGNED = (TODAY - dt.timedelta(days=10)).strftime("%d/%m/%Y")
UNTIL = (TODAY + dt.timedelta(days=180)).strftime("%d/%m/%Y")


def sheet(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(code="", buyer="", producer="", product="", quantity=100, unit_price=50_000, value=None, kind="Hợp đồng",
        signed_on=SIGNED, valid_until=UNTIL, unit="hộp") -> list:
    return [code, signed_on, kind, buyer, producer, product, quantity, unit, unit_price, value, valid_until]


def preview(client, content: bytes, filename: str = "bien-ban-ky-ket.xlsx", fair_id: int | None = None):
    return client.post("/api/v1/agreements/import?lang=en", files={"file": (filename, content, XLSX)},
                       data={"fair_id": str(fair_id)} if fair_id else {}, headers={"x-csrftoken": client.csrf()})


def commit(client, token: str, choices: dict | None = None):
    return client.api("POST", f"/api/v1/agreements/import/{token}/commit?lang=en", choices or {})


@pytest.fixture
def catalogue(organizer):
    """A buyer and a producer with two products, under names unique to the test."""
    tag = unique()
    buyer = organizer.api("POST", "/api/v1/buyers", {"name": f"Siêu thị Bình Minh {tag}", "kind": "supermarket_chain"})
    assert buyer.status_code == 201, buyer.text
    producer = organizer.api("POST", "/api/v1/producers", {"name": f"HTX Chè Shan Tuyết {tag}", "kind": "cooperative",
                                                            "province_code": "son-la"})
    assert producer.status_code == 201, producer.text
    products = {}
    for name in (f"Chè Shan Tuyết {tag}", f"Hồng trà {tag}"):
        response = organizer.api("POST", "/api/v1/products", product_payload(producer.json()["id"], name=name))
        assert response.status_code == 201, response.text
        products[name] = response.json()["id"]
    return {"tag": tag, "buyer": buyer.json()["name"], "buyer_id": buyer.json()["id"], "producer": producer.json()["name"],
            "producer_id": producer.json()["id"], "products": list(products), "product_ids": products}


def imported(client, **params) -> list[dict]:
    """The agreements matching the list filters, in full."""
    items = client.get("/api/v1/agreements", params={"page_size": 500, **params}).json()["items"]
    return [client.get(f"/api/v1/agreements/{a['id']}").json() for a in sorted(items, key=lambda a: a["id"])]


# ---------------------------------------------------------------------------------------------
# A clean sheet


@pytest.mark.parametrize("headers", [HEADERS, VIETNAMESE], ids=["english", "vietnamese"])
def test_a_clean_sheet_is_previewed_then_imported_whole(organizer, catalogue, headers):
    c = catalogue
    code = unique("BB-").upper()
    tea, black = c["products"]
    content = sheet([
        row(code, c["buyer"], c["producer"], tea, quantity=200, unit_price=120_000),
        row(code, c["buyer"], c["producer"], black, quantity="1.500", unit_price="35.000", value="50.000.000"),
        row("", c["buyer"].upper(), c["producer"], tea, quantity=10, kind="Biên bản ghi nhớ", valid_until=None,
            signed_on=TODAY - dt.timedelta(days=3)),  # an Excel date cell; names matched without case
    ], headers)
    response = preview(organizer, content)
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["agreements"], report["lines"], report["problems"], report["unknown"]) == (2, 3, {}, [])
    assert report["filename"] == "bien-ban-ky-ket.xlsx"
    assert imported(organizer, buyer_id=c["buyer_id"]) == []  # a preview writes nothing

    result = commit(organizer, report["token"])
    assert result.status_code == 201, result.text
    assert result.json() == {"imported": 2}
    contract, memorandum = imported(organizer, buyer_id=c["buyer_id"])
    assert contract["code"] == code and contract["kind"] == "offtake" and contract["status"] == "signed"
    assert contract["signed_on"] == (TODAY - dt.timedelta(days=10)).isoformat()
    assert contract["valid_until"] == (TODAY + dt.timedelta(days=180)).isoformat()
    assert [(x["product_id"], x["quantity"], x["unit_price"], x["value"]) for x in contract["lines"]] == [
        (c["product_ids"][tea], 200, 120_000, 24_000_000), (c["product_ids"][black], 1_500, 35_000, 50_000_000)]
    assert contract["committed_value"] == 74_000_000
    assert [p["id"] for p in contract["producers"]] == [c["producer_id"]]
    assert memorandum["kind"] == "memorandum" and memorandum["code"].startswith(f"TT-{TODAY.year}-")
    assert memorandum["signed_on"] == (TODAY - dt.timedelta(days=3)).isoformat() and memorandum["valid_until"] is None
    assert memorandum["committed_value"] == 500_000


def test_agreements_imported_for_a_fair_belong_to_it_and_take_its_codes(organizer, catalogue):
    c = catalogue
    fair = organizer.api("POST", "/api/v1/fairs", {"name": unique("Hội chợ OCOP "), "starts_on": TODAY.isoformat(),
                                                    "ends_on": (TODAY + dt.timedelta(days=3)).isoformat()}).json()["id"]
    content = sheet([row("", c["buyer"], c["producer"], c["products"][0]),
                     row("", c["buyer"], c["producer"], c["products"][1])])
    token = preview(organizer, content, fair_id=fair).json()["token"]
    assert commit(organizer, token).json() == {"imported": 2}
    agreements = imported(organizer, fair_id=fair)
    year = (TODAY - dt.timedelta(days=10)).year
    assert [a["code"] for a in agreements] == [f"HN{fair}-{year}-0001", f"HN{fair}-{year}-0002"]
    summary = organizer.get("/api/v1/agreements/summary", params={"fair_id": fair}).json()
    assert (summary["agreements"], summary["committed_value"]) == (2, 10_000_000)


# ---------------------------------------------------------------------------------------------
# Problems


def test_the_preview_names_each_rows_problems_and_the_commit_writes_nothing(organizer, catalogue):
    c = catalogue
    tea = c["products"][0]
    shared = unique("BB-").upper()
    content = sheet([
        row("", c["buyer"], c["producer"], tea),  # row 2: fine
        row("", "", c["producer"], tea),  # 3: no buyer
        row("", c["buyer"], c["producer"], tea, signed_on="31/02/2026"),  # 4: no such day
        row("", c["buyer"], c["producer"], tea, quantity=0),  # 5
        row("", c["buyer"], c["producer"], tea, unit_price=-10),  # 6
        row("", c["buyer"], c["producer"], tea, kind="Cho thuê"),  # 7: not a kind of agreement
        row("", c["buyer"], c["producer"], "Sản phẩm không có"),  # 8: not this producer's product
        row("", c["buyer"], c["producer"], tea, valid_until="hết năm"),  # 9
        row(shared, c["buyer"], c["producer"], tea),  # 10 and 11: one code, two dates
        row(shared, c["buyer"], c["producer"], tea, signed_on=(TODAY - dt.timedelta(days=1)).strftime("%d/%m/%Y")),
    ])
    report = preview(organizer, content).json()
    problems = report["problems"]
    assert sorted(problems, key=int) == [str(n) for n in range(3, 12)]
    expected = {"3": "buyer is missing", "4": "signing date", "5": "quantity above zero", "6": "not negative",
                "7": "Unknown kind", "8": "no product of this name", "9": "end of the term", "10": "same code",
                "11": "same code"}
    for number, words in expected.items():
        assert any(words in message for message in problems[number]), (number, problems[number])
    assert report["unknown"] == []
    refused = commit(organizer, report["token"])
    assert refused.status_code == 422 and "nothing was imported" in refused.json()["errors"]["file"]
    assert imported(organizer, buyer_id=c["buyer_id"]) == []


def test_the_problems_are_told_in_the_readers_language(organizer, catalogue):
    content = sheet([row("", "", catalogue["producer"], catalogue["products"][0])])
    vietnamese = organizer.post("/api/v1/agreements/import?lang=vi", files={"file": ("a.xlsx", content, XLSX)},
                                headers={"x-csrftoken": organizer.csrf()}).json()
    assert vietnamese["problems"] == {"2": ["Thiếu đơn vị thu mua."]}
    assert preview(organizer, content).json()["problems"] == {"2": ["The buyer is missing."]}


def test_a_preview_for_a_fair_that_does_not_exist_is_refused(organizer, catalogue):
    content = sheet([row("", catalogue["buyer"], catalogue["producer"], catalogue["products"][0])])
    response = preview(organizer, content, fair_id=999_999_999)
    assert response.status_code == 422 and "fair_id" in response.json()["errors"]


@pytest.mark.parametrize(("case", "quantity"), [("words", "hai trăm"), ("four decimals", "2,5555"), ("zero", 0)])
def test_a_quantity_that_is_no_number_of_the_line_is_a_problem_not_a_guess(organizer, catalogue, case, quantity):
    c = catalogue
    report = preview(organizer, sheet([row("", c["buyer"], c["producer"], c["products"][0], quantity=quantity)])).json()
    assert "2" in report["problems"], case


@pytest.mark.parametrize(("case", "quantity", "expected"), [
    ("a decimal comma", "2,5", 2.5), ("a number with decimals", 2.5, 2.5), ("a decimal point", "0.75", 0.75),
    ("thousands grouped", "1.200", 1200)])
def test_a_quantity_with_decimals_is_taken_as_traded(organizer, catalogue, case, quantity, expected):
    c = catalogue
    report = preview(organizer, sheet([row(unique("BB-").upper(), c["buyer"], c["producer"], c["products"][0],
                                           quantity=quantity, unit="tấn", unit_price=20_000_000)])).json()
    assert report["problems"] == {}, (case, report["problems"])
    assert commit(organizer, report["token"]).json() == {"imported": 1}
    line = organizer.get("/api/v1/agreements", params={"buyer_id": c["buyer_id"]}).json()["items"][0]
    agreement = organizer.get(f"/api/v1/agreements/{line['id']}").json()
    assert agreement["lines"][0]["quantity"] == expected and agreement["lines"][0]["value"] == round(expected * 20_000_000)


def test_a_row_the_commit_would_refuse_is_reported_in_the_preview(organizer, catalogue):
    c = catalogue
    taken = unique("BB-").upper()
    first = preview(organizer, sheet([row(taken, c["buyer"], c["producer"], c["products"][0])])).json()
    assert commit(organizer, first["token"]).json() == {"imported": 1}
    content = sheet([
        row(taken, c["buyer"], c["producer"], c["products"][0]),  # row 2: the code is already used
        row("", c["buyer"], c["producer"], c["products"][0], valid_until=(TODAY - dt.timedelta(days=20)).strftime(
            "%d/%m/%Y")),  # 3: the term ends before it was signed
        row("", c["buyer"], c["producer"], c["products"][1]),  # 4: fine
        row("BB-" + "9" * 40, c["buyer"], c["producer"], c["products"][1]),  # 5: a code longer than 40 characters
    ])
    report = preview(organizer, content).json()
    assert sorted(report["problems"]) == ["2", "3", "5"]
    assert commit(organizer, report["token"]).status_code == 422
    assert len(imported(organizer, buyer_id=c["buyer_id"])) == 1


# ---------------------------------------------------------------------------------------------
# Names the catalogue does not know


def test_unknown_buyers_and_producers_are_offered_to_create_or_match_then_imported(organizer, catalogue):
    c = catalogue
    tag = c["tag"]
    new_buyer = f"Siêu thị Hoàng Gia {tag}"
    misspelt = f"HTX Che Shan Tuyet {tag} Ha Giang"
    code = unique("BB-").upper()
    content = sheet([
        row(code, new_buyer, misspelt, c["products"][0]),
        row(code, new_buyer, misspelt, c["products"][1]),
        row("", new_buyer, c["producer"], c["products"][0]),
    ])
    report = preview(organizer, content).json()
    assert report["problems"] == {}
    unknown = {u["key"]: u for u in report["unknown"]}
    assert set(unknown) == {f"buyer:{fold(new_buyer)}", f"producer:{fold(misspelt)}"}
    buyer, producer = unknown[f"buyer:{fold(new_buyer)}"], unknown[f"producer:{fold(misspelt)}"]
    assert (buyer["kind"], buyer["name"], buyer["rows"]) == ("buyer", new_buyer, [2, 3, 4])
    assert producer["rows"] == [2, 3]
    assert [c["producer_id"], c["producer"]] == producer["suggestions"][0]  # the closest name first
    assert [c["buyer_id"], c["buyer"]] in buyer["suggestions"]

    refused = commit(organizer, report["token"])  # no choice made: nothing written
    assert refused.status_code == 422
    result = commit(organizer, report["token"], {buyer["key"]: "create", producer["key"]: str(c["producer_id"])})
    assert result.status_code == 201, result.text
    assert result.json() == {"imported": 2}
    agreements = imported(organizer, q=fold(new_buyer))
    assert len(agreements) == 2 and len({a["buyer_id"] for a in agreements}) == 1  # the buyer is created once
    assert agreements[0]["buyer_name"] == new_buyer and agreements[0]["buyer_kind"] == "other"
    assert agreements[0]["code"] == code and len(agreements[0]["lines"]) == 2
    assert {p["id"] for a in agreements for p in a["producers"]} == {c["producer_id"]}


def test_the_import_page_offers_the_same_choices_and_imports_with_them(organizer, catalogue):
    c = catalogue
    new_buyer = f"Chuỗi cửa hàng Sạch {c['tag']}"
    content = sheet([row("", new_buyer, c["producer"], c["products"][0])])
    page = organizer.post("/agreements/import", files={"file": ("a.xlsx", content, XLSX)},
                          data={"_csrf_token": organizer.csrf()})
    assert page.status_code == 200, page.text
    token = re.search(r'action="/agreements/import/([\w-]+)/commit"', page.text).group(1)
    (field,) = re.findall(r'<select name="([^"]+)"', page.text)
    assert html.unescape(field) == f"buyer:{fold(new_buyer)}"
    done = organizer.form(f"/agreements/import/{token}/commit", {html.unescape(field): "create"})
    assert done.status_code in (302, 303) and done.headers["location"] == "/agreements/?imported=1"
    assert [a["buyer_name"] for a in imported(organizer, q=fold(new_buyer))] == [new_buyer]


def test_a_producer_cannot_be_created_from_the_sheet(organizer, catalogue):
    c = catalogue
    name = f"Tổ hợp tác Mới {c['tag']}"
    report = preview(organizer, sheet([row("", c["buyer"], name, c["products"][0])])).json()
    (entry,) = report["unknown"]
    assert entry["key"] == f"producer:{fold(name)}"
    assert commit(organizer, report["token"], {entry["key"]: "create"}).status_code == 422
    assert imported(organizer, buyer_id=c["buyer_id"]) == []


def test_matching_to_a_producer_without_the_product_is_refused(organizer, catalogue, supplier):
    c = catalogue
    other, _ = supplier(1)
    name = f"Chủ thể lạ {c['tag']}"
    report = preview(organizer, sheet([row("", c["buyer"], name, c["products"][0])])).json()
    result = commit(organizer, report["token"], {f"producer:{fold(name)}": str(other)})
    assert result.status_code == 422
    assert imported(organizer, buyer_id=c["buyer_id"]) == []
    result = commit(organizer, report["token"], {f"producer:{fold(name)}": str(c["producer_id"])})
    assert result.json() == {"imported": 1}  # the preview is kept until it is imported


# ---------------------------------------------------------------------------------------------
# Once, and only sheets


def test_committing_the_same_preview_twice_imports_it_once(organizer, catalogue):
    c = catalogue
    token = preview(organizer, sheet([row("", c["buyer"], c["producer"], c["products"][0])])).json()["token"]
    assert commit(organizer, token).json() == {"imported": 1}
    again = commit(organizer, token)
    assert again.status_code == 422 and "Upload the file again" in again.json()["errors"]["file"]
    assert len(imported(organizer, buyer_id=c["buyer_id"])) == 1
    assert commit(organizer, "no-such-token").status_code == 422


def test_simultaneous_commits_of_one_preview_import_it_once(organizer, server, catalogue):
    c = catalogue
    token = preview(organizer, sheet([row("", c["buyer"], c["producer"], c["products"][0])])).json()["token"]
    clients = [Client(base_url=server, cookies=organizer.cookies, follow_redirects=False, timeout=60) for _ in range(6)]
    try:
        with ThreadPoolExecutor(len(clients)) as pool:  # a double click, and then some
            statuses = sorted(pool.map(lambda client: commit(client, token).status_code, clients))
    finally:
        for client in clients:
            client.close()
    assert statuses == [201] + [422] * 5
    assert len(imported(organizer, buyer_id=c["buyer_id"])) == 1


@pytest.mark.parametrize(("case", "filename", "content"), [
    ("text renamed .xlsx", "bien-ban.xlsx", "Mã,Ngày ký\nBB-1,01/01/2026\n".encode()),
    ("a zip that is no workbook", "bien-ban.xlsx", b"PK\x03\x04" + bytes(200)),
    ("a pdf", "bien-ban.pdf", b"%PDF-1.7\n" + bytes(100)),
    ("an empty file", "bien-ban.xlsx", b""),
])
def test_a_file_that_is_not_a_sheet_is_refused(organizer, case, filename, content):
    response = preview(organizer, content, filename)
    assert response.status_code == 422, case
    assert "file" in response.json()["errors"]


def test_a_long_file_name_survives_until_the_commit(organizer, catalogue):
    c = catalogue
    token = preview(organizer, sheet([row("", c["buyer"], c["producer"], c["products"][0])]),
                    filename="bien-ban-" + "rat-dai-" * 40 + ".xlsx").json()["token"]
    assert commit(organizer, token).json() == {"imported": 1}


def test_only_organizers_import(login, catalogue):
    content = sheet([row("", catalogue["buyer"], catalogue["producer"], catalogue["products"][0])])
    for role in ("viewer", "producer"):
        assert preview(login(role), content).status_code == 403
    token = preview(login("organizer"), content).json()["token"]
    assert commit(login("viewer"), token).status_code == 403
    assert commit(login("admin"), token).json() == {"imported": 1}
