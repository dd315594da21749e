"""Organizers edit the articles each kind of agreement is printed with; each edit is a new version,
and an agreement keeps the text it was signed with."""

from __future__ import annotations

import html
import io

from pypdf import PdfReader

from tests.agreements.conftest import agreement_payload
from tests.conftest import unique


def _text(client, agreement_id: int) -> str:
    pdf = client.get(f"/agreements/{agreement_id}/print.pdf")
    assert pdf.status_code == 200
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())


def test_an_edited_text_prints_on_new_agreements_and_the_old_ones_keep_theirs(organizer, login, buyer_id, supplier):
    producer, products = supplier(1)
    before = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products,
                                                                           kind="distribution")).json()
    current = organizer.get("/api/v1/agreements/templates/distribution").json()
    assert current["version"] >= 1 and current["articles"][0]["body"].startswith("{goods}")

    # Through the page: the payment article reworded, a new article on returns, one removed.
    page = organizer.get("/agreements/templates/distribution")
    assert page.status_code == 200
    articles = current["articles"]
    clause = unique("Thanh toán trong 15 ngày kể từ ngày nhận hóa đơn ")
    form = {}
    for n, article in enumerate(articles):
        body = clause if article["title"].startswith("Giá, chiết khấu") else article["body"]
        keep = not article["title"].startswith("Trách nhiệm")
        form[f"title_{n}"], form[f"body_{n}"] = (article["title"], body) if keep else ("", "")
    form[f"title_{len(articles)}"] = "Đổi trả hàng"
    form[f"body_{len(articles)}"] = "Hàng lỗi được đổi trong 07 ngày.\n{schedule}"
    saved = organizer.form("/agreements/templates/distribution", form)
    assert saved.status_code in (302, 303), saved.text[:2000]
    after = organizer.get("/api/v1/agreements/templates/distribution").json()
    assert after["version"] == current["version"] + 1
    assert [a["title"] for a in after["articles"]][-1] == "Đổi trả hàng"

    made = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products,
                                                                         kind="distribution")).json()
    new_text, old_text = _text(organizer, made["id"]), _text(organizer, before["id"])
    assert clause in new_text and "Đổi trả hàng" in new_text and "Trách nhiệm của các bên" not in new_text
    assert clause not in old_text and "Trách nhiệm của các bên" in old_text  # signed with the earlier version

    # Saving the same text again makes no new version; a broken placeholder or an empty set is refused.
    assert organizer.api("PUT", "/api/v1/agreements/templates/distribution",
                         {"articles": after["articles"]}).json()["version"] == after["version"]
    broken = organizer.form("/agreements/templates/distribution", {"title_0": "Hàng hóa", "body_0": "{hang_hoa}"})
    assert broken.status_code == 422 and "{hang_hoa}" in html.unescape(broken.text)
    assert organizer.api("PUT", "/api/v1/agreements/templates/distribution", {"articles": []}).status_code == 422
    assert organizer.get("/api/v1/agreements/templates/distribution").json()["version"] == after["version"]
    assert organizer.get("/agreements/templates/barter").status_code == 404
    assert login("producer").get("/agreements/templates/distribution").status_code == 403
    # The text as supplied, saved again (other tests print this kind): a new version, the same words.
    restored = organizer.api("PUT", "/api/v1/agreements/templates/distribution", {"articles": current["articles"]})
    assert restored.status_code == 200 and restored.json()["version"] == after["version"] + 1
