"""Generated requests against every operation the published schema documents (the /api/v1 API and the
open-data feeds), as every role: the application never answers with a server error, every 4xx of the API
is a problem document, every response matches the schema (status, media type, headers, body), a request
the schema calls invalid is refused, one it calls valid is not refused as malformed (400), and a method a
path does not take is a 405 whose Allow, like the OPTIONS answer's, names the documented methods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from core.formatting import vietnam_today
from tests.conftest import PASSWORDS, Client, product_payload, run, unique

# Requests per operation for each role, about 2,400 in all: the more a role may do, the further its requests
# get past the guards, so the most go to the admin.
EXAMPLES = {"anonymous": 1, "viewer": 2, "producer": 4, "salespoint_manager": 4, "organizer": 5, "admin": 14}
ROLES = tuple(EXAMPLES)
# The coverage phase sends, one at a time, each value the schema calls invalid (a quoted number, a number for
# a boolean, a missing field), methods no path takes and OPTIONS: about 5,000 requests a role, so it runs only
# as the role whose requests get furthest. The whole test takes about a minute on this machine.
COVERAGE_ROLE = "admin"
SCHEMA_PATH = "/api/schema/openapi.json"
# A fixed seed: every run, on either engine, sends the same generated requests.
SEED = 20250701
TODAY = vietnam_today()
# Integers just past what the storage holds: 32-bit ids and counts on PostgreSQL, 64-bit integers on SQLite.
INTEGER_EDGES = [-1, 0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20]
# Text at the edges: the calendar's first and last days (and moments that leave it in UTC), a NUL, a formula.
TEXT_EDGES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "a\x00b", "=1+1"]


@schemathesis.check
def problem_document(ctx, response, case) -> None:
    """Every 4xx from the API is the problem document the exception handlers write (ocop/app.py):
    {"status": <the status>, "title": <non-empty text>, "errors"?: {field: message}}."""
    if not 400 <= response.status_code < 500 or not case.path.startswith("/api/"):
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/problem+json"), f"{response.status_code} with content type {content_type!r}"
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) <= {"status", "title", "errors"}, body
    assert body.get("status") == response.status_code, body
    assert isinstance(body.get("title"), str) and body["title"].strip(), body
    if "errors" in body:
        errors = body["errors"]
        assert isinstance(errors, dict) and errors, body
        assert all(isinstance(v, str) and v for v in errors.values()), body


@pytest.fixture(scope="module")
def world(server, users) -> Iterator[dict[str, list]]:
    """Records the generated requests can hit: without them nearly every path id would be a 404. The producer
    of the session's producer user, which other modules find by its name, is put back as it was afterwards."""
    from accounts.tables import User
    from catalog.tables import Producer, ProducerMember

    organizer = Client(base_url=server, follow_redirects=False, timeout=30)
    assert organizer.log_in(users["organizer"], PASSWORDS["organizer"]).status_code == 302

    def create(path: str, payload: dict, status: int = 201) -> dict:
        response = organizer.api("POST", path, payload)
        assert response.status_code == status, response.text
        return response.json() if response.content else {}

    manager = run(User.select(User.id).where(User.username == users["salespoint_manager"]).first())["id"]
    producer_user = run(User.select(User.id).where(User.username == users["producer"]).first())["id"]
    own_producer = run(ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == producer_user).first())["producer"]
    as_it_was = run(Producer.select().where(Producer.id == own_producer).first())
    producer = create("/api/v1/producers", {"name": unique("HTX "), "kind": "cooperative", "province_code": "ha-noi"})["id"]
    products = [create("/api/v1/products", product_payload(p, name=unique("Sản phẩm ")))["id"] for p in (producer, own_producer)]
    buyer = create("/api/v1/buyers", {"name": unique("Siêu thị "), "kind": "supermarket_chain"})["id"]

    points = [create("/api/v1/salespoints", {"name": unique("Điểm OCOP "), "province_code": "ha-noi"})["id"] for _ in range(2)]
    for point in points:
        create(f"/api/v1/salespoints/{point}/managers", {"user_id": manager}, 204)
        for product in products:
            response = organizer.api("PUT", f"/api/v1/salespoints/{point}/assortment/{product}", {"selling_price": 50_000})
            assert response.status_code == 200, response.text
            create(f"/api/v1/salespoints/{point}/movements", {"product_id": product, "kind": "receipt", "quantity": 50})
    count = create(f"/api/v1/salespoints/{points[0]}/counts", {})["id"]

    fair = create("/api/v1/fairs", {
        "name": unique("Tuần hàng OCOP "), "kind": "trade_week", "province_code": "ha-noi", "min_stars": 3,
        "starts_on": (TODAY + dt.timedelta(days=30)).isoformat(), "ends_on": (TODAY + dt.timedelta(days=34)).isoformat(),
    })["id"]
    zone = create(f"/api/v1/fairs/{fair}/zones", {"code": "A", "name": "Thực phẩm", "theme": "group", "theme_value": "food"})["id"]
    create(f"/api/v1/fairs/{fair}/booths/grid", {"zone_id": zone, "rows": 1, "columns": 4})
    booths = [b["id"] for b in organizer.get(f"/api/v1/fairs/{fair}/plan").json()["booths"]]
    create(f"/api/v1/fairs/{fair}/status", {"status": "open"})
    applications = [
        create(f"/api/v1/fairs/{fair}/applications", {"producer_id": p, "product_ids": [product]})["id"]
        for p, product in zip((producer, own_producer), products, strict=True)
    ]

    agreement = create("/api/v1/agreements", {
        "buyer_id": buyer, "producer_ids": [producer, own_producer], "signed_on": (TODAY - dt.timedelta(days=10)).isoformat(),
        "kind": "offtake", "fair_id": fair,
        "lines": [{"product_id": p, "quantity": 100, "unit": "hộp", "unit_price": 50_000} for p in products],
        "milestones": [{"due_on": (TODAY + dt.timedelta(days=20)).isoformat(), "description": "Đợt giao đầu"}],
    })
    organizer.close()
    yield {
        "producer": [producer, own_producer], "product": products, "buyer": [buyer], "point": points, "count": [count],
        "fair": [fair], "zone": [zone], "booth": booths, "application": applications, "agreement": [agreement["id"]],
        "line": [line["id"] for line in agreement["lines"]], "milestone": [m["id"] for m in agreement["milestones"]],
        "user": [manager], "province": ["ha-noi", "son-la"], "group": ["food"], "subgroup": ["raw_preprocessed_food"],
    }
    run(Producer.update({getattr(Producer, column): value for column, value in as_it_was.items() if column != "id"})
        .where(Producer.id == own_producer))


# Which world records feed which parameter: path parameters most of the time, body fields often.
PATH_PARAMETERS = {
    "product_id": "product", "producer_id": "producer", "buyer_id": "buyer", "point_id": "point", "count_id": "count",
    "fair_id": "fair", "booth_id": "booth", "application_id": "application", "agreement_id": "agreement",
    "milestone_id": "milestone",
}
BODY_FIELDS = {
    "producer_id": "producer", "product_id": "product", "buyer_id": "buyer", "fair_id": "fair", "zone_id": "zone",
    "application_id": "application", "to_point_id": "point", "user_id": "user", "line_id": "line",
    "booth_a": "booth", "booth_b": "booth", "producer_ids[*]": "producer", "product_ids[*]": "product",
    "booth_ids[*]": "booth", "lines[*].product_id": "product", "movements[*].product_id": "product",
    "province_code": "province", "group_code": "group", "subgroup_code": "subgroup",
}


def _with_id_edges(values: list) -> list:
    """Mostly the world's records; now and then an id just past 32 or 64 bits, which no record can have:
    with a body that is otherwise right, such an id reaches the queries."""
    return values * 3 + [2**31, 2**63] if all(isinstance(v, int) for v in values) else values


@pytest.fixture(params=ROLES)
def role(request) -> str:
    return request.param


@pytest.fixture
def api_schema(server, world, role):
    parameters = {f"path.{name}": {"dictionary": records, "probability": 0.8} for name, records in PATH_PARAMETERS.items()}
    parameters |= {f"body.{name}": {"dictionary": records, "probability": 0.6} for name, records in BODY_FIELDS.items()}
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "request-timeout": 60,  # the first report compiled starts its worker process
            "generation": {
                "mode": "all", "max-examples": EXAMPLES[role], "no-shrink": True, "database": "none",
                "dictionaries": {"integer": {"dictionary": "integer_edges", "probability": 0.25},
                                 "string": {"dictionary": "text_edges", "probability": 0.1}},
            },
            "phases": {
                "examples": {"enabled": True},
                # For the other roles, INTEGER_EDGES and TEXT_EDGES bring the edges that matter here into
                # the fuzzing phase.
                "coverage": {"enabled": role == COVERAGE_ROLE},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "dictionaries": {name: {"values": _with_id_edges(values)} for name, values in world.items()}
            | {"integer_edges": {"values": INTEGER_EDGES}, "text_edges": {"values": TEXT_EDGES}},
            "parameters": parameters,
            "checks": {
                # A request the schema calls invalid is refused with a 4xx: a 5xx is a failure of its own
                # (not_a_server_error), not a refusal.
                "negative_data_rejection": {"expected-statuses": ["400", "401", "403", "404", "405", "409", "413", "415",
                                                                  "422", "429"]},
                # A request the schema calls valid may still break a domain rule the schema cannot state (an
                # end before a start, a product of another producer: 422), but a 400 says it does not match
                # the schema: then the schema and the parsing disagree.
                "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "413", "422",
                                                                   "429"]},
            },
            # Each compiles a PDF report (about a second): a couple show it answers within its contract.
            "operations": [{"include-name": "POST /api/v1/reports/fairs/{fair_id}/outcome", "generation": {"max-examples": 2}}],
        }
    )
    return schemathesis.openapi.from_url(f"{server}{SCHEMA_PATH}", config=config)


@pytest.fixture
def session(server, role, users):
    """A requests session carrying the role's session cookie and the CSRF header API writes need."""
    with requests.Session() as http:
        token = http.get(f"{server}/login").cookies["ocop_csrftoken"]
        if role != "anonymous":
            response = http.post(
                f"{server}/login",
                data={"username": users[role], "password": PASSWORDS[role], "next": "/", "_csrf_token": token},
                allow_redirects=False,
            )
            assert response.status_code == 302, response.text
        http.headers["x-csrftoken"] = http.cookies["ocop_csrftoken"]
        yield http


schema = schemathesis.pytest.from_fixture("api_schema")


def _needs_login(case) -> bool:
    """The API needs a session throughout; elsewhere, an operation needs one where the schema says so."""
    security = case.operation.definition.raw.get("security", case.operation.schema.raw_schema.get("security"))
    return case.path.startswith("/api/v1/") or bool(security)


@schema.parametrize()
def test_api_answers_generated_requests_within_its_contract(case, session, server, role):
    response = case.call(base_url=server, session=session)
    # The login holds for every request (none of them ends the session), and nothing behind one is open
    # to anonymous; the open-data feeds are for anyone.
    if role == "anonymous" and _needs_login(case):
        assert not 200 <= response.status_code < 300, f"{case.method} {case.formatted_path} answered {response.status_code}"
    elif role != "anonymous":
        assert response.status_code != 401, f"{case.method} {case.formatted_path}: the session was lost"
    # The schema conformance check passes over a body whose media type or status the schema does not
    # name, so those two are checked as well.
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
                response_schema_conformance, negative_data_rejection, positive_data_acceptance, unsupported_method,
                allow_header_conformance, problem_document],
    )
