"""Agreements over HTTP: recorded whole or not at all, their workflow, who sees them, the printed copy."""

from __future__ import annotations

from tests.agreements.conftest import agreement_payload
from tests.pdf import pdf_text


def test_an_agreement_is_recorded_with_a_generated_code_and_its_committed_value(organizer, buyer_id, supplier):
    producer, products = supplier()
    response = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products))
    assert response.status_code == 201, response.text
    agreement = response.json()
    assert agreement["code"].startswith("TT-") and agreement["status"] == "signed"
    assert agreement["committed_value"] == 2 * 100 * 50_000
    assert [line["remaining_quantity"] for line in agreement["lines"]] == [100, 100]


def test_agreements_entered_at_once_each_get_their_own_code(login, buyer_id, supplier):
    from concurrent.futures import ThreadPoolExecutor

    producer, products = supplier()
    clerks = [login("organizer") for _ in range(6)]
    with ThreadPoolExecutor(len(clerks)) as pool:
        responses = list(pool.map(
            lambda clerk: clerk.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products)), clerks))
    assert [r.status_code for r in responses] == [201] * len(clerks), [r.text for r in responses if r.status_code != 201]
    assert len({r.json()["code"] for r in responses}) == len(clerks)


def test_generated_codes_count_on_from_codes_already_there_past_9999_and_skip_codes_typed_by_hand(
        organizer, buyer_id, supplier):
    """Codes are numbered per year, on from the highest already there ("10000" sorts before "9999" as
    text), and a number a clerk already typed by hand is skipped."""
    producer, products = supplier()
    year = {"signed_on": "2018-05-02", "valid_until": "2018-12-31"}

    def create(**overrides) -> str:
        response = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products,
                                                                               **year, **overrides))
        assert response.status_code == 201, response.text
        return response.json()["code"]

    create(code="TT-2018-9999")  # typed by hand before any was generated
    create(code="TT-2018-0007B")  # typed by hand, not a number
    assert create() == "TT-2018-10000"
    create(code="TT-2018-10002")
    assert [create(), create()] == ["TT-2018-10001", "TT-2018-10003"]


def test_a_line_for_another_producers_product_is_refused_and_nothing_is_saved(organizer, buyer_id, supplier):
    producer, products = supplier()
    _, foreign = supplier(1)
    before = organizer.get("/api/v1/agreements", params={"buyer_id": buyer_id}).json()["total"]
    response = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products + foreign))
    assert response.status_code == 422
    assert "lines.2.product_id" in response.json()["errors"]
    assert organizer.get("/api/v1/agreements", params={"buyer_id": buyer_id}).json()["total"] == before


def test_negative_amounts_and_a_term_ending_before_it_starts_are_refused(organizer, buyer_id, supplier):
    producer, products = supplier(1)
    bad = agreement_payload(buyer_id, producer, products, valid_from="2026-05-01", valid_until="2026-04-01")
    bad["lines"][0].update(quantity=-5, unit_price=-1)
    # Each field's own limits are checked with the request's schema, all at once; the agreement's rules after.
    refused = organizer.api("POST", "/api/v1/agreements", bad)
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"lines.0.quantity", "lines.0.unit_price"}
    bad["lines"][0].update(quantity=5, unit_price=1)
    refused = organizer.api("POST", "/api/v1/agreements", bad)
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"valid_until"}


def test_only_the_workflow_transitions_are_allowed(organizer, buyer_id, supplier):
    producer, products = supplier(1)
    agreement = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products, status="draft")).json()
    url = f"/api/v1/agreements/{agreement['id']}/status"
    assert organizer.api("POST", url, {"status": "fulfilled"}).status_code == 409  # a draft is signed first
    assert organizer.api("POST", url, {"status": "signed"}).json()["status"] == "signed"
    assert organizer.api("POST", url, {"status": "cancelled"}).json()["status"] == "cancelled"
    assert organizer.api("POST", url, {"status": "in_progress"}).status_code == 409  # cancelled is final


def test_a_producer_sees_only_the_agreements_it_is_party_to(organizer, login, users, buyer_id, supplier):
    from accounts.tables import User
    from catalog.tables import ProducerMember
    from tests.conftest import product_payload, run

    user = run(User.select(User.id).where(User.username == users["producer"]).first())["id"]
    own = run(ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user).first())["producer"]
    own_product = organizer.api("POST", "/api/v1/products", product_payload(own)).json()["id"]
    mine = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, own, [own_product])).json()
    producer, products = supplier(1)
    other = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products)).json()
    client = login("producer")
    listed = {a["id"] for a in client.get("/api/v1/agreements", params={"page_size": 500}).json()["items"]}
    assert mine["id"] in listed and other["id"] not in listed
    assert client.get(f"/api/v1/agreements/{mine['id']}").status_code == 200
    assert client.get(f"/api/v1/agreements/{other['id']}").status_code == 404  # as a missing id: it tells nothing
    assert client.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, own, [own_product])).status_code == 403
    assert login("viewer").api("POST", f"/api/v1/agreements/{mine['id']}/status", {"status": "lapsed"}).status_code == 403


def test_the_printed_agreement_names_the_parties_and_lines(organizer, buyer_id, supplier):
    producer, products = supplier(2)
    agreement = organizer.api("POST", "/api/v1/agreements", agreement_payload(buyer_id, producer, products)).json()
    response = organizer.get(f"/agreements/{agreement['id']}/print.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert agreement["buyer_name"] in text and agreement["producers"][0]["name"] in text
    for line in agreement["lines"]:
        assert line["product_name"] in text
    assert "10.000.000" in text  # the total, in Vietnamese number format
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nguyễn Văn An" in text


def test_the_ceremony_page_means_the_running_fair_takes_names_typed_in_full_and_counts_what_it_lists(
        organizer, buyer_id, supplier):
    import re

    from fairs.tables import Fair
    from tests.conftest import run

    running = run(Fair.select(Fair.id).where(Fair.status == "running").order_by(Fair.starts_on, ascending=False).first())
    page = organizer.get("/agreements/ceremony").text
    if running:  # the suite's fairs tests may have left one running
        assert f'name="fair_id" value="{running["id"]}"' in page
    elsewhere = organizer.get("/agreements/ceremony", params={"fair_id": "none"})
    assert 'name="fair_id" value=""' in elsewhere.text
    producer, products = supplier(1)
    buyer = organizer.get(f"/api/v1/buyers/{buyer_id}").json()["name"]
    producer_name = organizer.get(f"/api/v1/producers/{producer}").json()["name"]
    product_name = organizer.get(f"/api/v1/products/{products[0]}").json()["name"]
    organizer.cookies.set("lang", "vi")  # 1.200 and 45.000 as Vietnamese offices write them
    saved = organizer.form("/agreements/ceremony", {
        "fair_id": "", "status": "signed", "signed_on": "20/11/2026", "kind": "memorandum",
        "buyer": f"  {buyer} ", "producers": producer_name,  # typed out, not picked from the suggestions
        "line_0_product": f"{product_name} [#{products[0]}]", "line_0_quantity": "1.200", "line_0_unit": "hộp",
        "line_0_unit_price": "45.000"})
    assert saved.status_code == 302, saved.text[:2000]
    assert "fair_id=none" in saved.headers["location"]
    after = organizer.get(saved.headers["location"]).text
    counted = int(re.search(r'id="totals"><strong>(\d+)</strong>', after).group(1))
    listed = after[after.index("Entered so far") if "Entered so far" in after else after.index("Đã nhập"):]
    assert counted >= 1 and len(re.findall(r'<tr><td><a href="/agreements/\d+">', listed)) == min(counted, 8)
    created = organizer.get("/api/v1/agreements", params={"buyer_id": buyer_id}).json()["items"]
    assert [(a["fair_id"], a["committed_value"]) for a in created] == [(None, 54_000_000)]
