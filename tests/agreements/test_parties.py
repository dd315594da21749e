"""Every party signs: an agreement of one buyer and several producers prints a representative block
for each party, entered through the API or at the signing ceremony, and each kind of agreement
prints its own articles in the Vietnamese administrative form."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.agreements.conftest import TODAY, agreement_payload
from tests.conftest import unique


def _pdf_text(client, agreement_id: int) -> str:
    response = client.get(f"/agreements/{agreement_id}/print.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return " ".join(text.split())


@pytest.fixture
def three_producers(supplier):
    return [supplier(1) for _ in range(3)]


def test_an_agreement_of_a_buyer_and_three_producers_prints_a_signature_block_for_each_party(
        organizer, buyer_id, three_producers):
    producers = [p for p, _ in three_producers]
    lines = [{"product_id": products[0], "quantity": quantity, "unit": "kg", "unit_price": 120_000}
             for (_, products), quantity in zip(three_producers, (2.5, 100, 40), strict=True)]
    people = ["Lò Thị Mai", "Hà Văn Sinh", "Vì Thị Lan"]
    payload = agreement_payload(buyer_id, producers[0], [], producer_ids=producers, lines=lines, signatories=[
        {"party": "buyer", "name": "Nguyễn Văn An", "title": "Giám đốc"},
        *[{"party": "producer", "name": person, "title": "Chủ nhiệm HTX", "producer_id": producer}
          for person, producer in zip(people, producers, strict=True)]])
    created = organizer.api("POST", "/api/v1/agreements", payload)
    assert created.status_code == 201, created.text
    agreement = created.json()["id"]
    record = organizer.get(f"/api/v1/agreements/{agreement}").json()
    assert (record["lines"][0]["quantity"], record["lines"][0]["value"]) == (2.5, 300_000)  # 2.5 kg as traded
    stored = record["signatories"]
    assert [(s["party"], s["producer_id"]) for s in stored] == [("buyer", None)] + [("producer", p) for p in producers]
    text = _pdf_text(organizer, agreement)
    names = [organizer.get(f"/api/v1/producers/{p}").json()["name"] for p in producers]
    assert "ĐẠI DIỆN BÊN A" in text and "Nguyễn Văn An" in text and "2,5 kg" in text
    blocks = [text.index(f"ĐẠI DIỆN BÊN B{n}") for n in (1, 2, 3)]
    assert blocks == sorted(blocks)
    for n, (name, person) in enumerate(zip(names, people, strict=True), start=1):
        block = text[text.index(f"ĐẠI DIỆN BÊN B{n}"):]
        assert block.index(name) < block.index(person), (n, block[:300])  # its producer, then who signs for it
        assert re.search(rf"BÊN B{n} \(Bên bán\): {re.escape(name)}", text)

    # Several producers: a representative must say which one it signs for; one not of the agreement is refused.
    unnamed = organizer.api("POST", "/api/v1/agreements", {**payload, "code": unique("X"), "signatories": [
        {"party": "producer", "name": "Lò Thị Mai"}]})
    assert unnamed.status_code == 422 and "signatories.0.producer_id" in unnamed.json()["errors"]
    stranger = organizer.api("POST", "/api/v1/agreements", {**payload, "code": unique("X"), "signatories": [
        {"party": "producer", "name": "Lò Thị Mai", "producer_id": buyer_id + 10_000}]})
    assert stranger.status_code == 422 and "signatories.0.producer_id" in stranger.json()["errors"]


def test_at_the_ceremony_each_producer_has_its_representative_and_all_four_sign(organizer, buyer_id, three_producers):
    buyer = organizer.get(f"/api/v1/buyers/{buyer_id}").json()["name"]
    form = {"fair_id": "", "status": "signed", "signed_on": TODAY.strftime("%d/%m/%Y"), "kind": "offtake",
            "buyer": f"{buyer} [#{buyer_id}]", "buyer_signatory": "Nguyễn Văn An", "buyer_title": "Giám đốc",
            "producers": [], "code": unique("LK-")}
    people = ["Lò Thị Mai", "Hà Văn Sinh", "Vì Thị Lan"]
    for slot, ((producer, products), person) in enumerate(zip(three_producers, people, strict=True)):
        name = organizer.get(f"/api/v1/producers/{producer}").json()["name"]
        product = organizer.get(f"/api/v1/products/{products[0]}").json()["name"]
        form["producers"].append(f"{name} [#{producer}]")
        form[f"producer_{slot}_signatory"] = person
        form[f"producer_{slot}_title"] = "Giám đốc HTX"
        form.update({f"line_{slot}_product": f"{product} [#{products[0]}]", f"line_{slot}_quantity": "50",
                     f"line_{slot}_unit": "hộp", f"line_{slot}_unit_price": "90000"})
    organizer.cookies.set("lang", "en")
    saved = organizer.form("/agreements/ceremony", form)
    assert saved.status_code == 302, saved.text[:3000]
    code = form["code"].upper()
    [agreement] = [a for a in organizer.get("/api/v1/agreements", params={"buyer_id": buyer_id}).json()["items"]
                   if a["code"] == code]
    text = _pdf_text(organizer, agreement["id"])
    for party, person in (("A", "Nguyễn Văn An"), ("B1", people[0]), ("B2", people[1]), ("B3", people[2])):
        block = text[text.index(f"ĐẠI DIỆN BÊN {party}"):]
        assert person in block[:400], (party, block[:400])


@pytest.mark.parametrize(("kind", "title", "articles"), [
    ("memorandum", "BIÊN BẢN GHI NHỚ HỢP TÁC", ["Sản phẩm, số lượng và giá trị dự kiến", "Chất lượng và ghi nhãn sản phẩm OCOP",
                                                "Thời hạn và tiến độ", "Trách nhiệm của các bên", "Điều khoản chung"]),
    ("offtake", "HỢP ĐỒNG MUA BÁN HÀNG HÓA", ["Hàng hóa, số lượng", "Chất lượng, quy cách và ghi nhãn",
                                             "Giá và phương thức thanh toán", "Giao nhận hàng hóa", "Trách nhiệm của các bên",
                                             "Bất khả kháng", "Giải quyết tranh chấp", "Hiệu lực hợp đồng"]),
    ("distribution", "HỢP ĐỒNG PHÂN PHỐI SẢN PHẨM", ["Sản phẩm phân phối", "Phạm vi và hình thức phân phối",
                                                    "Chất lượng và ghi nhãn", "Giá, chiết khấu và thanh toán",
                                                    "Tiến độ giao hàng", "Trách nhiệm", "Bất khả kháng", "Hiệu lực"]),
    ("consignment", "HỢP ĐỒNG KÝ GỬI HÀNG HÓA", ["Hàng hóa ký gửi", "Chất lượng và ghi nhãn", "Giá bán, hoa hồng và thanh toán",
                                                "Giao nhận, bảo quản và trả lại hàng", "Trách nhiệm", "Bất khả kháng",
                                                "Hiệu lực"]),
])
def test_each_kind_of_agreement_prints_its_own_articles_in_order(organizer, buyer_id, supplier, kind, title, articles):
    producer, products = supplier(1)
    created = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products, kind=kind,
                                                                            place="Hà Nội"))
    assert created.status_code == 201, created.text
    text = _pdf_text(organizer, created.json()["id"])
    assert text.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc")
    signed = TODAY - __import__("datetime").timedelta(days=40)
    assert f"Hà Nội, ngày {signed.day} tháng {signed.month} năm {signed.year}" in text
    assert title in text and f"Số: {created.json()['code']}" in text
    found = [re.search(rf"Điều (\d+)\. {re.escape(article)}", text) for article in articles]
    assert all(found), [a for a, f in zip(articles, found, strict=True) if not f]
    assert [int(f.group(1)) for f in found] == list(range(1, len(articles) + 1))  # numbered in order
    assert "ĐẠI DIỆN BÊN A" in text and "ĐẠI DIỆN BÊN B" in text and "Lò Thị Mai" in text
