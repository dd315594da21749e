"""Details of the HTTP contract the audit's fuzzing found drifting: one charset per content type, and
moments given only as ISO dates, never as bare numbers a generic parser would read as seconds."""

from __future__ import annotations


def test_text_responses_name_their_charset_once(anonymous, login):
    csv = anonymous.get("/open-data/products.csv")
    assert csv.status_code == 200 and csv.headers["content-type"] == "text/csv; charset=utf-8"
    page = anonymous.get("/catalogue")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    kept = login("organizer").get("/catalog/products/")  # a page kept as bytes around its CSRF token
    assert kept.status_code == 200 and kept.headers["content-type"] == "text/html; charset=utf-8"


def test_a_past_moment_is_an_iso_date_not_a_number(login):
    from tests.conftest import unique

    manager = login("organizer")
    made = manager.api("POST", "/api/v1/salespoints", {"name": unique("Điểm OCOP "), "province_code": "ha-noi"})
    assert made.status_code == 201, made.text
    point = made.json()["id"]
    for bad in ("0.5", "1700000000", "hôm qua"):
        refused = manager.get(f"/api/v1/salespoints/{point}/stock", params={"as_of": bad})
        assert refused.status_code == 422 and "as_of" in refused.json()["errors"], (bad, refused.text)
    for good in ("2026-11-30", "2026-11-30T18:00", "2026-11-30T18:00:00+07:00"):
        assert manager.get(f"/api/v1/salespoints/{point}/stock", params={"as_of": good}).status_code == 200, good


def test_a_method_the_route_does_not_take_is_answered_with_the_ones_it_does(login, anonymous):
    api = login("organizer").request("DELETE", "/api/v1/fairs", headers={"x-csrftoken": "x"})
    assert api.status_code == 405 and {m.strip() for m in api.headers["allow"].split(",")} >= {"GET", "POST"}
    assert api.headers["content-type"] == "application/problem+json"
    page = anonymous.request("PUT", "/catalogue")
    assert page.status_code == 405 and "GET" in page.headers["allow"]


def test_the_open_data_feeds_are_documented_as_what_they_send(anonymous, login, producer_id):
    import msgspec

    from public_site.routes import OpenDataProduct
    from tests.conftest import product_payload

    organizer = login("organizer")
    organizer.api("POST", "/api/v1/products", product_payload(producer_id))  # at least one certified row
    organizer.api("POST", "/api/v1/products", product_payload(  # certified by a decision, with no number of its own
        producer_id, name="Trà không số", certificate_number=None, decision_number="QĐ 2008/QĐ-UBND"))
    doc = anonymous.get("/api/schema/openapi.json").json()["paths"]
    documented = {path: doc[path]["get"]["responses"]["200"]["content"] for path in
                  ("/open-data/products.json", "/open-data/products.csv", "/open-data/products.xlsx")}
    assert documented["/open-data/products.json"]["application/json"]["schema"]["type"] == "array"
    assert list(documented["/open-data/products.csv"]) == ["text/csv"]
    assert list(documented["/open-data/products.xlsx"]) == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    feed = anonymous.get("/open-data/products.json")
    rows = msgspec.json.decode(feed.content, type=list[OpenDataProduct], strict=True)  # every row as documented
    assert rows and feed.headers["content-type"].startswith("application/json")
    assert any(row.certificate_number is None for row in rows)  # what a list without numbers gives, documented
