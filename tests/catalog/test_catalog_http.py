"""Catalog CRUD over HTTP: pages (forms) and the JSON API, with audit rows."""

from __future__ import annotations

from core.formatting import vietnam_today
from tests.conftest import product_payload, run, unique


def test_organizer_creates_producer_and_product_through_the_pages(login):
    client = login("organizer")
    name = unique("Hợp tác xã Chè Tân Cương ")
    response = client.form("/catalog/producers/", {"name": name, "kind": "cooperative", "province_code": "thai-nguyen",
                                                   "commune": "Phường Tân Cương", "registration_code": unique()})
    assert response.status_code == 302
    producer_url = response.headers["location"]
    producer_id = int(producer_url.rsplit("/", 1)[1])

    product = product_payload(producer_id, name="Chè búp Tân Cương", group_code="food", subgroup_code="tea")
    response = client.form("/catalog/products/", {k: str(v) for k, v in product.items()})
    assert response.status_code == 302, response.text
    product_url = response.headers["location"]

    page = client.get(product_url)
    assert page.status_code == 200
    assert "Chè búp Tân Cương" in page.text
    assert "10/03/2025" in page.text  # dates shown dd/mm/yyyy
    assert "10/03/2028" in page.text  # expiry defaults to 36 months after certification
    assert "180.000 ₫" in page.text  # VND formatted the Vietnamese way

    listing = client.get("/catalog/products/", params={"q": "che bup tan cuong", "producer_id": producer_id})
    assert "Chè búp Tân Cương" in listing.text
    assert name in client.get(producer_url).text


def test_product_update_through_the_api_is_audited_with_before_and_after(login, producer_id):
    client = login("organizer")
    created = client.api("POST", "/api/v1/products", product_payload(producer_id))
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["status"] in {"valid", "expiring"}

    changed = product_payload(producer_id, certificate_number=product["certificate_number"], score=92, stars=5,
                              certifying_level="ministry", code=product["code"])
    updated = client.api("PUT", f"/api/v1/products/{product['id']}", changed)
    assert updated.status_code == 200, updated.text
    assert updated.json()["stars"] == 5

    from core.tables import AuditEntry

    rows = run(AuditEntry.select().where((AuditEntry.entity == "product") & (AuditEntry.entity_id == str(product["id"]))).order_by(AuditEntry.id))
    assert [r["action"] for r in rows] == ["create", "update"]
    assert rows[1]["username"] == "t-organizer"
    import json

    before = json.loads(rows[1]["before"]) if isinstance(rows[1]["before"], str) else rows[1]["before"]
    after = json.loads(rows[1]["after"]) if isinstance(rows[1]["after"], str) else rows[1]["after"]
    assert before["stars"] == 4 and after["stars"] == 5
    assert "score" in after and "name" not in after  # only what changed
    page = client.get(f"/catalog/products/{product['id']}")
    assert "t-organizer" in page.text  # the history is shown on the record's page


def test_product_list_api_filters_and_paginates(login, producer_id):
    client = login("viewer")
    organizer = login("organizer")
    marker = unique("Nước mắm Phú Quốc ")
    for stars, score in ((3, 55), (4, 75), (4, 80)):
        response = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=marker, stars=stars, score=score))
        assert response.status_code == 201, response.text
    page = client.get("/api/v1/products", params={"q": marker.lower(), "stars": 4, "page_size": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    second = client.get("/api/v1/products", params={"q": marker, "stars": 4, "page_size": 1, "page": 2}).json()
    assert second["items"][0]["id"] != page["items"][0]["id"]
    assert client.get("/api/v1/products", params={"q": marker, "province": "ha-noi"}).json()["total"] == 3
    assert client.get("/api/v1/products", params={"q": marker, "province": "hue"}).json()["total"] == 0


def test_search_is_accent_insensitive_like_vietnamese_typing(login, producer_id):
    organizer = login("organizer")
    tag = unique()
    organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=f"Đường phèn Quảng Ngãi {tag}"))
    found = organizer.get("/api/v1/products", params={"q": f"duong phen quang ngai {tag}"}).json()
    assert found["total"] == 1


def test_search_follows_a_renamed_product_and_mixes_short_and_long_words(login, producer_id):
    organizer = login("organizer")
    tag = unique().lower()
    product = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=f"Cá kho làng Vũ Đại {tag}")).json()

    def found(q: str) -> list[int]:
        return [p["id"] for p in organizer.get("/api/v1/products", params={"q": q}).json()["items"]]

    assert found(f"ca kho {tag}") == [product["id"]]  # "ca" is too short for the index: matched by a scan
    assert found(f'vu dai "{tag}') == []  # a quote is part of the word, not query syntax
    renamed = organizer.api("PUT", f"/api/v1/products/{product['id']}",
                            {**product_payload(producer_id, name=f"Tương bần Hưng Yên {tag}")})
    assert renamed.status_code == 200, renamed.text
    assert found(f"ca kho {tag}") == []
    assert found(f"tuong ban {tag}") == [product["id"]]


def test_certificate_status_filter_finds_expired_products(login, producer_id):
    organizer = login("organizer")
    name = unique("Rượu ")
    organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=name, certified_on="2020-01-01"))
    expired = organizer.get("/api/v1/products", params={"q": name, "status": "expired"}).json()
    assert expired["total"] == 1 and expired["items"][0]["status"] == "expired"
    assert organizer.get("/api/v1/products", params={"q": name, "status": "valid"}).json()["total"] == 0


def test_buyer_is_created_listed_and_edited(login):
    client = login("organizer")
    name = unique("Siêu thị ")
    response = client.form("/catalog/buyers/", {"name": name, "kind": "supermarket_chain", "province_code": "ha-noi"})
    assert response.status_code == 302
    listing = client.get("/catalog/buyers/", params={"q": name})
    assert name in listing.text
    buyers = client.get("/api/v1/buyers", params={"q": name}).json()
    assert len(buyers) == 1
    edited = client.api("PUT", f"/api/v1/buyers/{buyers[0]['id']}", {"name": name, "kind": "exporter"})
    assert edited.status_code == 200 and edited.json()["kind"] == "exporter"


def test_export_downloads_the_filtered_list_as_xlsx(login, producer_id):
    import io

    from openpyxl import load_workbook

    client = login("viewer")
    organizer = login("organizer")
    name = unique("Bánh chưng ")
    organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=name))
    response = client.get("/catalog/products/export.xlsx", params={"q": name})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Tên sản phẩm" and len(rows) == 2 and rows[1][1] == name


def test_missing_records_answer_404(login):
    client = login("viewer")
    assert client.get("/api/v1/products/999999").status_code == 404
    assert client.get("/catalog/products/999999").status_code == 404
    body = client.get("/api/v1/producers/999999").json()
    assert body["status"] == 404 and body["title"]


def test_certificates_expiring_soon_come_nearest_first_and_a_producer_sees_only_its_own(login, producer_id):
    import datetime as dt

    from accounts.tables import User
    from catalog.reference import add_months
    from catalog.tables import ProducerMember

    organizer, producer = login("organizer"), login("producer")
    member = ProducerMember.select(ProducerMember.producer).where(
        ProducerMember.user.is_in(User.select(User.id).where(User.username == "t-producer")))
    own = run(member.first())["producer"]
    today = vietnam_today()
    tag = unique()

    def expiring_in(days: int, owner: int, name: str) -> None:
        certified = add_months(today + dt.timedelta(days=days), -36)
        response = organizer.api("POST", "/api/v1/products", product_payload(owner, name=name, certified_on=certified.isoformat()))
        assert response.status_code == 201 and response.json()["expires_on"] == (today + dt.timedelta(days=days)).isoformat()

    expiring_in(80, producer_id, f"Trà xa {tag}")
    expiring_in(3, producer_id, f"Trà gần {tag}")
    expiring_in(40, own, f"Mật ong của tôi {tag}")
    listed = organizer.get("/api/v1/products", params={"status": "expiring", "page_size": 100}).json()["items"]
    dates = [p["expires_on"] for p in listed]
    assert dates == sorted(dates) and dates[0] <= (today + dt.timedelta(days=3)).isoformat()
    mine = producer.get("/").text
    assert f"Mật ong của tôi {tag}" in mine and f"Trà gần {tag}" not in mine
    assert f"Trà gần {tag}" in organizer.get("/").text  # three days left: on the first lines of everyone's list
