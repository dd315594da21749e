"""Following agreements up over HTTP: deliveries against their lines, overdue milestones, the
per-fair measures, and the scans attached to them (who may upload and download what)."""

from __future__ import annotations

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from tests.agreements.conftest import TODAY, agreement_payload
from tests.conftest import Client, product_payload, run, stored_files, unique


def days(n: int) -> str:
    """The ISO date n days from today (negative: in the past)."""
    return (TODAY + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def make_agreement(organizer, buyer_id, supplier):
    """make_agreement(lines=1, **overrides) → the agreement as the API returns it (100 hộp at 50,000 per line)."""

    def make(lines: int = 1, **overrides) -> dict:
        producer, products = supplier(lines)
        response = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products, **overrides))
        assert response.status_code == 201, response.text
        return response.json()

    return make


def deliver(client, agreement: dict, quantity: int, on: int = -1, line: int = 0, **extra):
    body = {"line_id": agreement["lines"][line]["id"], "delivered_on": days(on), "quantity": quantity, **extra}
    return client.api("POST", f"/api/v1/agreements/{agreement['id']}/deliveries", body)


def fetch(client, agreement: dict) -> dict:
    response = client.get(f"/api/v1/agreements/{agreement['id']}")
    assert response.status_code == 200, response.text
    return response.json()


def own_producer(users) -> int:
    """The producer the `producer` test user acts for."""
    from accounts.tables import User
    from catalog.tables import ProducerMember

    user = run(User.select(User.id).where(User.username == users["producer"]).first())["id"]
    return run(ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user).first())["producer"]


# ---------------------------------------------------------------------------------------------
# Deliveries


def test_a_partial_delivery_moves_a_signed_agreement_into_progress_and_shows_what_is_left(organizer, make_agreement):
    agreement = make_agreement(lines=2)
    assert agreement["status"] == "signed"
    response = deliver(organizer, agreement, 30, on=-5)
    assert response.status_code == 201, response.text
    after = fetch(organizer, agreement)
    assert after["status"] == "in_progress"
    first, second = after["lines"]
    assert (first["delivered_quantity"], first["remaining_quantity"], first["delivered_value"]) == (30, 70, 1_500_000)
    assert (second["delivered_quantity"], second["remaining_quantity"]) == (0, 100)
    assert after["delivered_value"] == 1_500_000 and after["share"] == 0.15
    assert [(d["quantity"], d["value"], d["delivered_on"]) for d in after["deliveries"]] == [(30, 1_500_000, days(-5))]
    # a second delivery keeps it in progress and adds up; a value given is taken as is
    assert deliver(organizer, agreement, 20, on=-2, value=900_000).status_code == 201
    after = fetch(organizer, agreement)
    assert after["status"] == "in_progress" and after["lines"][0]["remaining_quantity"] == 50
    assert after["delivered_value"] == 2_400_000


def test_more_than_is_left_is_refused_unless_confirmed_as_an_over_delivery(organizer, make_agreement):
    agreement = make_agreement()
    assert deliver(organizer, agreement, 70).status_code == 201
    refused = deliver(organizer, agreement, 31)
    assert refused.status_code == 422
    assert "30 hộp" in refused.json()["errors"]["quantity"]  # it says what is left
    assert fetch(organizer, agreement)["lines"][0]["delivered_quantity"] == 70
    assert deliver(organizer, agreement, 30).status_code == 201  # exactly what is left is fine
    assert deliver(organizer, agreement, 1).status_code == 422
    assert deliver(organizer, agreement, 15, over_delivery=True).status_code == 201
    line = fetch(organizer, agreement)["lines"][0]
    assert (line["delivered_quantity"], line["remaining_quantity"]) == (115, 0)
    assert [d["over_delivery"] for d in fetch(organizer, agreement)["deliveries"]] == [False, False, True]


def test_an_over_delivery_flag_on_a_delivery_within_what_is_left_is_not_kept(organizer, make_agreement):
    agreement = make_agreement()
    assert deliver(organizer, agreement, 10, over_delivery=True).status_code == 201
    assert fetch(organizer, agreement)["deliveries"][0]["over_delivery"] is False


@pytest.mark.parametrize(("case", "field", "body"), [
    ("before signing", "delivered_on", {"delivered_on": days(-41)}),
    ("in the future", "delivered_on", {"delivered_on": days(3)}),
    ("zero", "quantity", {"quantity": 0}),
    ("negative", "quantity", {"quantity": -5}),
    ("negative value", "value", {"value": -1}),
])
def test_a_delivery_outside_the_term_or_with_bad_amounts_is_refused_and_nothing_saved(organizer, make_agreement,
                                                                                       case, field, body):
    agreement = make_agreement()  # signed 40 days ago
    response = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/deliveries",
                             {"line_id": agreement["lines"][0]["id"], "delivered_on": days(-1), "quantity": 10, **body})
    assert response.status_code == 422, case
    assert field in response.json()["errors"]
    after = fetch(organizer, agreement)
    assert after["deliveries"] == [] and after["status"] == "signed" and after["delivered_value"] == 0


def test_an_over_delivery_worth_more_than_any_real_amount_is_refused(organizer, buyer_id, supplier):
    producer, products = supplier(1)
    payload = agreement_payload(buyer_id, producer, products)
    payload["lines"][0]["unit_price"] = 10**8
    agreement = organizer.api("POST", "/api/v1/agreements", payload).json()
    response = deliver(organizer, agreement, 10**12, over_delivery=True)  # 10^20 đồng
    assert response.status_code == 422 and "quantity" in response.json()["errors"]
    assert fetch(organizer, agreement)["deliveries"] == []


def test_a_delivery_after_the_term_is_refused(organizer, make_agreement):
    agreement = make_agreement(signed_on=days(-60), valid_until=days(-10))
    response = deliver(organizer, agreement, 10, on=-5)
    assert response.status_code == 422 and "delivered_on" in response.json()["errors"]
    assert deliver(organizer, agreement, 10, on=-10).status_code == 201  # the last day of the term still counts


def test_a_delivery_on_another_agreements_line_is_refused(organizer, make_agreement):
    agreement, other = make_agreement(), make_agreement()
    response = organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/deliveries",
                             {"line_id": other["lines"][0]["id"], "delivered_on": days(-1), "quantity": 10})
    assert response.status_code == 422 and "line_id" in response.json()["errors"]
    assert fetch(organizer, other)["deliveries"] == []


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_no_delivery_is_recorded_against_a_draft_or_cancelled_agreement(organizer, make_agreement, status):
    agreement = make_agreement(status="draft")
    if status == "cancelled":
        url = f"/api/v1/agreements/{agreement['id']}/status"
        assert organizer.api("POST", url, {"status": "cancelled"}).status_code == 201
    assert deliver(organizer, agreement, 10).status_code == 409
    after = fetch(organizer, agreement)
    assert after["deliveries"] == [] and after["status"] == status


def test_the_agreements_producer_may_record_deliveries_and_others_may_not(organizer, login, users, buyer_id,
                                                                           make_agreement):
    own = own_producer(users)
    product = organizer.api("POST", "/api/v1/products", product_payload(own, name=unique("Chè "))).json()["id"]
    mine = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, own, [product])).json()
    other = make_agreement()
    producer = login("producer")
    assert deliver(producer, mine, 10).status_code == 201
    assert deliver(producer, other, 10).status_code == 404  # another's agreement is as if it did not exist
    assert deliver(login("viewer"), mine, 10).status_code == 403
    assert fetch(organizer, mine)["lines"][0]["delivered_quantity"] == 10
    assert fetch(organizer, other)["deliveries"] == []


def test_simultaneous_deliveries_never_take_more_than_the_line_has_left(organizer, server, make_agreement):
    agreement = make_agreement(lines=2)
    organizer.csrf()
    clients = [Client(base_url=server, cookies=organizer.cookies, follow_redirects=False, timeout=60) for _ in range(12)]
    try:
        with ThreadPoolExecutor(len(clients)) as pool:  # 12 × 20 on a line of 100, and 12 × 1 on the other
            statuses = list(pool.map(lambda n: deliver(clients[n], agreement, 20 if n % 2 else 1, line=n % 2).status_code,
                                     range(len(clients))))
    finally:
        for client in clients:
            client.close()
    assert sorted(statuses) == [201] * 11 + [422]  # the sixth delivery of 20 finds nothing left
    after = fetch(organizer, agreement)
    assert [line["delivered_quantity"] for line in after["lines"]] == [6, 100]
    assert after["delivered_value"] == 106 * 50_000 == sum(d["value"] for d in after["deliveries"])
    assert after["status"] == "in_progress"
    # The totals kept on the record (what lists and summaries read) add up to the same.
    listed = organizer.get("/api/v1/agreements", params={"q": after["code"], "page_size": 100}).json()["items"]
    assert [row["delivered_value"] for row in listed if row["code"] == after["code"]] == [106 * 50_000], listed[:3]


# ---------------------------------------------------------------------------------------------
# Milestones


def overdue_ids(client, buyer_id: int) -> set[int]:
    page = client.get("/api/v1/agreements", params={"overdue": "true", "buyer_id": buyer_id, "page_size": 500}).json()
    return {a["id"] for a in page["items"]}


def test_a_milestone_past_due_and_unmet_makes_the_agreement_overdue_until_deliveries_meet_it(organizer, buyer_id,
                                                                                             make_agreement):
    agreement = make_agreement(milestones=[
        {"due_on": days(-20), "description": "Đợt 1", "line": 0, "quantity": 30},
        {"due_on": days(-10), "description": "Đợt 2", "line": 0, "quantity": 30},
        {"due_on": days(30), "description": "Đợt 3", "line": 0, "quantity": 40},
    ])
    on_track = make_agreement(milestones=[{"due_on": days(10), "description": "Đợt 1", "line": 0, "quantity": 50}])
    assert overdue_ids(organizer, buyer_id) == {agreement["id"]}
    assert fetch(organizer, agreement)["overdue_milestones"] == 2
    listed = organizer.get("/api/v1/agreements", params={"buyer_id": buyer_id}).json()["items"]
    assert {a["id"]: a["overdue"] for a in listed} == {agreement["id"]: True, on_track["id"]: False}

    assert deliver(organizer, agreement, 30, on=-15).status_code == 201  # meets the first, five days late
    after = fetch(organizer, agreement)
    assert after["overdue_milestones"] == 1 and agreement["id"] in overdue_ids(organizer, buyer_id)
    first = after["milestones"][0]
    assert (first["met_on"], first["late"], first["overdue"]) == (days(-15), True, False)

    assert deliver(organizer, agreement, 35, on=-12).status_code == 201  # meets the second on time, 5 towards the third
    after = fetch(organizer, agreement)
    assert after["overdue_milestones"] == 0 and overdue_ids(organizer, buyer_id) == set()
    assert [(m["met_on"], m["late"]) for m in after["milestones"]] == [(days(-15), True), (days(-12), False), (None, False)]
    # In the line's unit per line; in đồng (50,000 a box) for the agreement: units are never added across lines.
    assert (after["lines"][0]["on_time_quantity"], after["lines"][0]["late_quantity"]) == (35, 30)
    assert (after["on_time_value"], after["late_value"]) == (35 * 50_000, 30 * 50_000)


def test_a_milestone_without_a_quantity_is_met_when_an_organizer_marks_it_done(organizer, buyer_id, make_agreement):
    agreement = make_agreement(milestones=[{"due_on": days(-5), "description": "Ký phụ lục giá"}])
    assert overdue_ids(organizer, buyer_id) == {agreement["id"]}
    deliver(organizer, agreement, 100)
    assert fetch(organizer, agreement)["overdue_milestones"] == 1  # deliveries do not meet it
    milestone = fetch(organizer, agreement)["milestones"][0]["id"]
    url = f"/api/v1/agreements/{agreement['id']}/milestones/{milestone}"
    assert organizer.api("POST", url, {"done_on": days(-1)}).status_code == 201
    after = fetch(organizer, agreement)
    assert after["overdue_milestones"] == 0 and after["milestones"][0]["met_on"] == days(-1)
    assert overdue_ids(organizer, buyer_id) == set()


def test_a_milestone_met_by_deliveries_cannot_be_marked_by_hand(organizer, make_agreement):
    agreement = make_agreement(milestones=[{"due_on": days(-5), "description": "Đợt 1", "line": 0, "quantity": 10}])
    milestone = agreement["milestones"][0]["id"]
    url = f"/api/v1/agreements/{agreement['id']}/milestones/{milestone}"
    assert organizer.api("POST", url, {"done_on": days(-1)}).status_code == 409
    assert fetch(organizer, agreement)["milestones"][0]["met_on"] is None


def test_a_milestone_with_a_quantity_but_no_line_can_still_be_marked_done(organizer, buyer_id, make_agreement):
    # deliveries cannot meet it (no line says what they are of): an organizer must be able to
    agreement = make_agreement(milestones=[{"due_on": days(-5), "description": "Giao 10 tấn", "quantity": 10}])
    milestone = agreement["milestones"][0]["id"]
    url = f"/api/v1/agreements/{agreement['id']}/milestones/{milestone}"
    assert organizer.api("POST", url, {"done_on": days(-2)}).status_code == 201
    assert fetch(organizer, agreement)["overdue_milestones"] == 0
    assert overdue_ids(organizer, buyer_id) == set()


def test_a_closed_agreement_is_no_longer_overdue(organizer, buyer_id, make_agreement):
    agreement = make_agreement(milestones=[{"due_on": days(-5), "description": "Đợt 1", "line": 0, "quantity": 10}])
    organizer.api("POST", f"/api/v1/agreements/{agreement['id']}/status", {"status": "lapsed"})
    assert overdue_ids(organizer, buyer_id) == set()


# ---------------------------------------------------------------------------------------------
# The per-fair summary


def test_the_fair_summary_counts_and_sums_its_agreements(organizer, login, make_agreement):
    fair = organizer.api("POST", "/api/v1/fairs", {"name": unique("Hội chợ OCOP "), "starts_on": days(-45),
                                                    "ends_on": days(-41)})
    assert fair.status_code == 201, fair.text
    fair_id = fair.json()["id"]
    two_lines = make_agreement(lines=2, fair_id=fair_id)  # 10,000,000
    one_line = make_agreement(fair_id=fair_id, milestones=[  # 5,000,000, overdue
        {"due_on": days(-3), "description": "Đợt 1", "line": 0, "quantity": 50}])
    make_agreement(fair_id=fair_id, status="draft")  # drafts commit no one
    cancelled = make_agreement(fair_id=fair_id)
    organizer.api("POST", f"/api/v1/agreements/{cancelled['id']}/status", {"status": "cancelled"})
    make_agreement()  # signed elsewhere
    untouched = make_agreement(fair_id=fair_id)
    for agreement, quantity, line in ((two_lines, 30, 0), (two_lines, 10, 1)):
        assert deliver(organizer, agreement, quantity, line=line).status_code == 201

    summary = login("viewer").get("/api/v1/agreements/summary", params={"fair_id": fair_id}).json()
    assert summary["fair_id"] == fair_id
    assert summary["agreements"] == 3
    assert summary["committed_value"] == 20_000_000
    assert summary["delivered_value"] == 2_000_000
    assert summary["with_deliveries"] == 1
    assert summary["overdue"] == 1
    statuses = {s["status"]: s["agreements"] for s in summary["by_status"]}
    assert statuses == {"in_progress": 1, "signed": 2, "draft": 1, "cancelled": 1}
    assert summary["by_buyer_kind"] == [{"kind": "supermarket_chain", "agreements": 3, "committed": 20_000_000,
                                         "delivered": 2_000_000}]
    (buyer,) = summary["top_buyers"]
    assert (buyer["agreements"], buyer["committed"], buyer["delivered"]) == (3, 20_000_000, 2_000_000)
    producers = {p["id"]: (p["agreements"], p["committed"], p["delivered"]) for p in summary["top_producers"]}
    assert producers == {two_lines["producers"][0]["id"]: (1, 10_000_000, 2_000_000),
                         one_line["producers"][0]["id"]: (1, 5_000_000, 0),
                         untouched["producers"][0]["id"]: (1, 5_000_000, 0)}
    everything = organizer.get("/api/v1/agreements/summary").json()
    assert everything["agreements"] >= 4 and everything["committed_value"] >= 25_000_000


def test_goods_delivered_without_a_price_still_count_as_an_agreement_with_deliveries(organizer, make_agreement, buyer_id,
                                                                                     supplier):
    fair_id = organizer.api("POST", "/api/v1/fairs", {"name": unique("Hội chợ OCOP "), "starts_on": days(-45),
                                                       "ends_on": days(-41)}).json()["id"]
    producer, products = supplier(1)
    payload = agreement_payload(buyer_id, producer, products, fair_id=fair_id, kind="memorandum")
    payload["lines"][0]["unit_price"] = 0
    agreement = organizer.api("POST", "/api/v1/agreements", payload).json()
    assert deliver(organizer, agreement, 40).status_code == 201
    summary = organizer.get("/api/v1/agreements/summary", params={"fair_id": fair_id}).json()
    assert (summary["agreements"], summary["delivered_value"], summary["with_deliveries"]) == (1, 0, 1)


# ---------------------------------------------------------------------------------------------
# Attached scans


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def upload(client, agreement: dict, filename: str, content: bytes, media_type: str = "application/octet-stream"):
    return client.post(f"/api/v1/agreements/{agreement['id']}/attachments",
                       files={"file": (filename, content, media_type)}, headers={"x-csrftoken": client.csrf()})


@pytest.mark.parametrize(("kind", "filename", "media_type"), [
    ("PDF", "bien-ban.pdf", "application/pdf"),
    ("PNG", "anh chup.png", "image/png"),
    ("JPEG", "scan.jpg", "image/jpeg"),
])
def test_a_pdf_png_or_jpeg_scan_is_attached_and_downloaded_whole(organizer, make_agreement, kind, filename, media_type):
    agreement = make_agreement()
    content = image(kind)
    response = upload(organizer, agreement, filename, content)
    assert response.status_code == 201, response.text
    (attachment,) = fetch(organizer, agreement)["attachments"]
    assert attachment["id"] == response.json()["id"]
    assert (attachment["filename"], attachment["media_type"], attachment["size"]) == (filename, media_type, len(content))
    download = organizer.get(f"/agreements/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"].startswith(media_type)


def test_the_type_comes_from_the_content_not_the_name(organizer, make_agreement):
    agreement = make_agreement()
    response = upload(organizer, agreement, "bien-ban.pdf", image("PNG"), "application/pdf")
    assert response.status_code == 201
    assert fetch(organizer, agreement)["attachments"][0]["media_type"] == "image/png"


@pytest.mark.parametrize(("case", "filename", "content"), [
    ("text renamed .pdf", "hop-dong.pdf", "Biên bản ghi nhớ hợp tác\n".encode() * 20),
    ("a program", "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(500)),
    ("an empty file", "empty.pdf", b""),
    ("over 10 MB", "big.pdf", b"%PDF-1.7\n" + bytes(10 * 1024 * 1024)),
])
def test_anything_but_a_small_pdf_or_image_is_refused_and_nothing_stored(organizer, make_agreement, case, filename,
                                                                          content):
    agreement = make_agreement()
    before = stored_files()
    response = upload(organizer, agreement, filename, content)
    assert response.status_code == 422, (case, response.text)
    assert "file" in response.json()["errors"]
    assert fetch(organizer, agreement)["attachments"] == []
    assert stored_files() == before


def test_a_scan_is_downloaded_by_organizers_and_the_agreements_producer_only(organizer, login, anonymous, users,
                                                                              buyer_id, make_agreement):
    own = own_producer(users)
    product = organizer.api("POST", "/api/v1/products", product_payload(own, name=unique("Chè "))).json()["id"]
    mine = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, own, [product])).json()
    other = make_agreement()
    producer = login("producer")
    content = image("PDF")
    uploaded = upload(producer, mine, "bien-ban-ky.pdf", content)  # a party may attach its own scans
    assert uploaded.status_code == 201, uploaded.text
    theirs = upload(organizer, other, "khac.pdf", image("PDF")).json()["id"]
    assert upload(producer, other, "x.pdf", content).status_code == 404
    assert upload(login("viewer"), mine, "x.pdf", content).status_code == 403

    url = f"/agreements/attachments/{uploaded.json()['id']}"
    for client in (organizer, producer, login("admin")):
        response = client.get(url)
        assert response.status_code == 200 and response.content == content
        assert response.headers["content-disposition"].startswith("attachment;")
    assert producer.get(f"/agreements/attachments/{theirs}").status_code == 404
    assert login("viewer").get(url).status_code == 403
    assert login("salespoint_manager").get(url).status_code == 403
    assert organizer.get("/agreements/attachments/999999999").status_code == 404
    assert anonymous.get(url).status_code in (302, 401)


def test_a_scan_can_be_the_evidence_of_a_delivery(organizer, make_agreement):
    agreement, other = make_agreement(), make_agreement()
    scan = upload(organizer, agreement, "phieu-xuat-kho.jpg", image("JPEG")).json()["id"]
    elsewhere = upload(organizer, other, "phieu.jpg", image("JPEG")).json()["id"]
    refused = deliver(organizer, agreement, 10, evidence_id=elsewhere)
    assert refused.status_code == 422 and "evidence_id" in refused.json()["errors"]
    assert deliver(organizer, agreement, 10, evidence_id=scan).status_code == 201
    assert fetch(organizer, agreement)["deliveries"][0]["evidence_id"] == scan


def test_the_history_reads_in_words_not_stored_json(organizer, make_agreement):
    import html
    import re

    agreement = make_agreement()
    assert deliver(organizer, agreement, 30, on=-5).status_code == 201
    organizer.cookies.set("lang", "vi")
    page = html.unescape(organizer.get(f"/agreements/{agreement['id']}").text)
    history = page[page.index('class="audit"'):]
    assert "đã ghi một lần giao hàng" in history and "Số lượng: 30" in history and "Giá trị: 1.500.000" in history
    assert "Ngày giao: " + dt.date.fromisoformat(days(-5)).strftime("%d/%m/%Y") in history
    assert not re.search(r'[{}]|"line"|deliver\b', history)
    organizer.cookies.set("lang", "en")
    history = html.unescape(organizer.get(f"/agreements/{agreement['id']}").text)
    assert "recorded a delivery" in history and "Quantity: 30" in history


def test_a_refused_delivery_form_comes_back_as_it_was_typed(organizer, make_agreement):
    import html

    agreement = make_agreement(lines=2)
    second = agreement["lines"][1]["id"]
    refused = organizer.form(f"/agreements/{agreement['id']}/deliveries", {
        "line_id": str(second), "delivered_on": "31/02/2026", "quantity": "1,5 hộp", "note": "giao đợt hai", "over_delivery": "1"})
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert f'<option value="{second}" selected>' in page
    assert 'value="31/02/2026"' in page and 'value="1,5 hộp"' in page and 'value="giao đợt hai"' in page
    assert 'name="over_delivery" value="1" checked' in page
    assert 'id="d-e-delivered_on"' in page and 'id="d-e-quantity"' in page
    assert fetch(organizer, agreement)["deliveries"] == []
