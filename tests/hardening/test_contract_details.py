"""Details of the HTTP contract the audit's fuzzing found drifting: one charset per content type; moments
given only as ISO dates, never as bare numbers a generic parser would read as seconds; bodies and query
values read with the types the schema gives them, not coerced or ignored; OPTIONS and 405 naming every
method of a path; the open-data feeds' download header and rate limit in the schema."""

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


def test_a_json_body_is_read_with_the_types_its_schema_gives(login, producer_id):
    """Quoted numbers, numbers for booleans and seconds for moments are not what the schema allows: refused
    with the field named, not converted. 1.0 is the integer 1, as JSON Schema counts it."""
    from tests.conftest import product_payload, unique

    organizer = login("organizer")
    producer = {"name": unique("HTX "), "kind": "cooperative", "province_code": "ha-noi"}
    for bad in (0, "true"):
        refused = organizer.api("POST", "/api/v1/producers", {**producer, "publish_contact": bad})
        assert refused.status_code == 400 and "publish_contact" in refused.json()["errors"], (bad, refused.text)
    point = {"name": unique("Điểm OCOP "), "province_code": "ha-noi"}
    refused = organizer.api("POST", "/api/v1/salespoints", {**point, "min_ocop_share": "50"})
    assert refused.status_code == 400 and "min_ocop_share" in refused.json()["errors"], refused.text
    made = organizer.api("POST", "/api/v1/salespoints", {**point, "min_ocop_share": 50.0})
    assert made.status_code == 201 and made.json()["min_ocop_share"] == 50, made.text

    product = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Trà "))).json()["id"]
    carried = organizer.api("PUT", f"/api/v1/salespoints/{made.json()['id']}/assortment/{product}", {"selling_price": 50_000})
    assert carried.status_code == 200, carried.text
    movements = f"/api/v1/salespoints/{made.json()['id']}/movements"
    receipt = {"product_id": product, "kind": "receipt", "quantity": 5}
    for field, bad in (("quantity", "5"), ("happened_at", 1_700_000_000), ("unit_price", "null")):
        refused = organizer.api("POST", movements, {**receipt, field: bad})
        assert refused.status_code == 400 and field in refused.json()["errors"], (field, refused.text)
    assert organizer.api("POST", movements, receipt).status_code == 201


def test_a_query_value_the_schema_does_not_allow_is_refused_not_ignored(login, anonymous):
    """Filters typed as numbers, dates and the listed choices, and refused otherwise: a filter that is
    silently dropped answers another question than the one asked."""
    organizer = login("organizer")
    refusals = (
        ("/api/v1/products", "stars", "abc"), ("/api/v1/products", "stars", "9"), ("/api/v1/products", "stars", "-1"),
        ("/api/v1/products", "producer_id", "abc"), ("/api/v1/products", "status", "soon"),
        ("/api/v1/producers", "kind", "farm"), ("/api/v1/buyers", "kind", "shop"),
        ("/api/v1/fairs", "status", "bogus"), ("/api/v1/fairs/999999999/applications", "status", "bogus"),
        ("/api/v1/agreements", "status", "bogus"), ("/api/v1/reports", "kind", "bogus"),
        ("/api/v1/reports/fulfilment", "since", "01/11/2026"),
    )
    for path, name, bad in refusals:
        refused = organizer.get(path, params={name: bad})
        assert refused.status_code == 400 and name in refused.json()["errors"], (path, name, bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    refused = organizer.api("POST", "/api/v1/reports/fairs/999999999/outcome?lang=fr")
    assert refused.status_code == 400 and "lang" in refused.json()["errors"], refused.text
    for path, params in (("/api/v1/products", {"stars": 4, "status": "valid", "producer_id": 1}),
                         ("/api/v1/producers", {"kind": "cooperative"}), ("/api/v1/buyers", {"kind": "exporter"}),
                         ("/api/v1/fairs", {"status": "open"}), ("/api/v1/agreements", {"status": "signed"}),
                         ("/api/v1/reports", {"kind": "fair_outcome"}),
                         ("/api/v1/reports/fulfilment", {"since": "2026-11-01", "until": "2026-11-30"})):
        assert organizer.get(path, params=params).status_code == 200, (path, params)

    schema = anonymous.get("/api/schema/openapi.json").json()

    def documented(path: str, method: str, name: str) -> dict:
        """A parameter's schema, its null option left out and a named enumeration read in place."""
        found = next(p["schema"] for p in schema["paths"][path][method]["parameters"] if p["name"] == name)
        for option in found.get("oneOf", [found]):
            if "$ref" in option:
                option = schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
            if option.get("type") != "null":
                return {**found, **option}
        raise AssertionError(found)

    assert documented("/api/v1/products", "get", "stars").items() >= {"type": "integer", "minimum": 0, "maximum": 5}.items()
    assert set(documented("/api/v1/products", "get", "status")["enum"]) == {"valid", "expiring", "expired", "withdrawn", "undated"}
    assert "cooperative" in documented("/api/v1/producers", "get", "kind")["enum"]
    assert "open" in documented("/api/v1/fairs", "get", "status")["enum"]
    assert documented("/api/v1/reports/fulfilment", "get", "since")["format"] == "date"
    assert documented("/api/v1/reports/fairs/{fair_id}/outcome", "post", "lang")["enum"] == ["vi", "en"]
    assert documented("/api/v1/fairs/{fair_id}/days/{day}", "put", "day")["format"] == "date"


def test_a_days_figures_are_addressed_by_an_iso_day_only(login):
    from tests.fairs.conftest import fair_payload

    organizer = login("organizer")
    fair = organizer.api("POST", "/api/v1/fairs", fair_payload()).json()["id"]
    for day in ("30-11-2026", "30.11.2026", "hôm-nay"):
        refused = organizer.api("PUT", f"/api/v1/fairs/{fair}/days/{day}", {"visitors": 1, "entries": []})
        assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json", (day, refused.text)


def test_the_moment_of_a_stock_reading_is_documented_as_it_is_read(anonymous):
    import re

    doc = anonymous.get("/api/schema/openapi.json").json()["paths"]
    as_of = next(p for p in doc["/api/v1/salespoints/{point_id}/stock"]["get"]["parameters"] if p["name"] == "as_of")
    pattern = as_of["schema"]["pattern"]
    for good in ("2026-11-30", "2026-11-30T18:00", "2026-11-30T18:00:00+07:00", "2026-11-30T11:00:00Z"):
        assert re.search(pattern, good), good
    for bad in ("0.5", "1700000000", "hôm qua", "20261130", " 2026-11-30"):
        assert not re.search(pattern, bad), bad


def test_every_documented_path_answers_with_the_methods_it_documents(login, anonymous):
    """OPTIONS lists every method of a path, and a method it does not take is a 405 naming them (RFC 9110),
    as a problem document on the API. Litestar 2 listed only the first handler's method in OPTIONS."""
    import re

    organizer = login("organizer")
    schema = anonymous.get("/api/schema/openapi.json").json()
    checked = 0
    for template, item in schema["paths"].items():
        documented = {method.upper() for method in item if method in ("get", "put", "post", "delete", "patch")}
        parameters = {p["name"]: p["schema"] for operation in item.values() for p in operation.get("parameters", [])}
        samples = {name: "1" if kind.get("type") == "integer" else "2026-11-30" if kind.get("format") == "date" else "x"
                   for name, kind in parameters.items()}
        path = re.sub(r"\{(\w+)\}", lambda match, samples=samples: samples[match.group(1)], template)
        options = organizer.request("OPTIONS", path)
        assert options.status_code == 204, (path, options.status_code)
        assert {m.strip() for m in options.headers["allow"].split(",")} == documented | {"OPTIONS"}, (path, options.headers["allow"])
        other = next(m for m in ("PATCH", "DELETE", "PUT", "POST") if m not in documented)
        refused = organizer.request(other, path, headers={"x-csrftoken": organizer.csrf()})
        assert refused.status_code == 405, (other, path, refused.status_code)
        assert {m.strip() for m in refused.headers["allow"].split(",")} == documented | {"OPTIONS"}, (path, refused.headers["allow"])
        if path.startswith("/api/"):
            assert refused.headers["content-type"] == "application/problem+json", path
        checked += 1
    assert checked == len(schema["paths"]) > 60


def test_the_open_data_feeds_document_their_download_name_and_their_rate_limit(anonymous):
    doc = anonymous.get("/api/schema/openapi.json").json()["paths"]
    for feed in ("products.json", "products.csv", "products.xlsx"):
        responses = doc[f"/open-data/{feed}"]["get"]["responses"]
        assert responses["200"]["headers"]["Content-Disposition"]["required"] is True, feed
        too_many = responses["429"]
        assert list(too_many["content"]) == ["text/html"], feed
        wait = too_many["headers"]["Retry-After"]
        assert wait["required"] is True and wait["schema"] == {"type": "integer", "minimum": 1}, feed
        sent = anonymous.get(f"/open-data/{feed}")
        assert sent.headers["content-disposition"].startswith("attachment; filename="), feed
