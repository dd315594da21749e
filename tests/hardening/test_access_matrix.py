"""Who may call what: every route the application registers, for each role, against the live server.

The table below states the intended outcome of each route for an anonymous visitor, a viewer, a
producer's user, the manager of sales point A, an organizer and an administrator:

    OK      the request reaches the handler (any answer but 401/403 and a login redirect; a 404 or 422
            for the deliberately incomplete requests sent here is fine, a 5xx is not)
    LOGIN   login required: pages redirect a GET to /login and answer other methods 401; the API answers 401
    NO      forbidden: 403

A route the application registers without a row here fails `test_every_route_has_an_expectation`, so a
new route cannot ship without its rule. Rows that name an object ("own", "other", "point B") check
object-level rights: the manager of point A on point B, a producer on another producer's application,
agreement or product.

The writes send bodies that parse but that the domain refuses (a zero quantity, a day outside the fair,
an unknown zone), so that a role that may write gets a 4xx without changing anything, and a role that
may not gets its 403 from the rights check, which comes before the domain's checks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.formatting import vietnam_today
from tests.conftest import Client, product_payload, run, unique
from tests.fairs.conftest import fair_payload

ROLES = ("anonymous", "viewer", "producer", "salespoint_manager", "organizer", "admin")
OK, LOGIN, NO = "ok", "login", "forbidden"
HIDDEN = "not found"  # an object the role may not see answers 404, exactly as a missing id: it tells nothing

#                    anonymous viewer producer manager A organizer admin
EVERYONE = (OK, OK, OK, OK, OK, OK)
LOGGED_IN = (LOGIN, OK, OK, OK, OK, OK)
ORGANIZERS = (LOGIN, NO, NO, NO, OK, OK)
ADMINS = (LOGIN, NO, NO, NO, NO, OK)
READERS = (LOGIN, OK, NO, NO, OK, OK)  # staff who read reports, agreement figures and every booth's sales
APPLICANTS = (LOGIN, NO, OK, NO, OK, OK)  # the producer for its own producer, organizers for anyone
OWN_PRODUCER = (LOGIN, NO, OK, NO, OK, OK)  # the producer on its own product, application or agreement
AGREEMENT_READERS = (LOGIN, OK, OK, NO, OK, OK)  # a producer sees only its own (filtered lists, 403 on others)
OWN_AGREEMENT = (LOGIN, OK, OK, NO, OK, OK)
OTHERS_AGREEMENT = (LOGIN, OK, HIDDEN, NO, OK, OK)
OWN_APPLICATION = (LOGIN, HIDDEN, OK, HIDDEN, OK, OK)  # read by its producer and organizers; to others, not there
OTHERS_APPLICATION = (LOGIN, HIDDEN, HIDDEN, HIDDEN, OK, OK)
OTHERS_APPLICATION_ACTION = (LOGIN, NO, HIDDEN, NO, OK, OK)  # the role refused first (whatever the id), then the object
OTHERS_AGREEMENT_WRITE = (LOGIN, NO, HIDDEN, NO, OK, OK)
POINT_A = (LOGIN, NO, NO, OK, OK, OK)  # the manager writes at its own point A only
POINT_B = ORGANIZERS
POINT_A_READERS = (LOGIN, OK, NO, OK, OK, OK)  # a point's reports: staff readers and the point's manager
OTHERS_STATEMENT = (LOGIN, OK, HIDDEN, HIDDEN, OK, OK)  # another producer's statement at another manager's point
OTHERS_STATEMENT_PAYMENT = (LOGIN, NO, NO, HIDDEN, OK, OK)
PRODUCERS_ONLY = (LOGIN, NO, OK, NO, NO, NO)
FUTURE_PAYMENT = {"amount": 1, "paid_on": "2999-01-01"}  # refused after the rights are checked

NOWHERE = 999_999_999  # an id that exists nowhere
LONG_AGO = "2000-01-01"  # a day outside every fair and agreement term


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # as the application registers it
    expect: tuple[str, ...]  # one outcome per role of ROLES
    url: str = ""  # what is requested, "{name}" taken from the module's objects; by default the route's own
    body: Any = None  # JSON for /api/, form fields for pages
    upload: tuple[str, bytes] | None = None  # a multipart "file"
    fresh_session: bool = False  # the request ends or replaces the session: each role sends it from a new one
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url or self.route}{' (' + self.note + ')' if self.note else ''}"


def case(method: str, route: str, expect: tuple[str, ...], url: str = "", note: str = "", **options) -> Case:
    return Case(method, route, expect, url, note=note, **options)


GARBAGE = ("scan.txt", b"not a scan, a photo or a sheet")
BOOTH_SHEET = ("booths.csv", b"khu,ma,vi tri x,vi tri y\nNOPE,Z99,500,500\n")  # a zone the fair does not have
NO_AGREEMENT = {"buyer_id": 0, "producer_ids": [], "signed_on": LONG_AGO, "lines": []}
# Where a role may write but not at this record (a point it does not manage, an agreement it is not party to),
# the body keeps every field's own rule (core.fields), which the API checks before the service checks the
# scope: the refusal must come from the scope, and an allowed role still gets a 4xx from a later rule.
NO_SUCH_ID = 2**31 - 2
SCOPE_ASSORTMENT = {"selling_price": 1, "specialty": True}  # a strict-OCOP point lists no specialties
# A refused sale as a counter reports it: valid, so a refusal can only come from the point's rights. Each role's
# request reports its own (the key differs), and a second run of the matrix finds it kept once.
REFUSED_SALE = {"movements": [{"product_id": "{own_product}", "kind": "sale", "quantity": 1,
                               "idempotency_key": "matrix-refused"}], "name": "x", "reason": "Only 0 left"}
NO_FAIR = {"name": "", "starts_on": LONG_AGO, "ends_on": LONG_AGO}
NO_BOOTH = {"zone_id": 0, "code": "Z99", "x": 0, "y": 0}  # a zone the fair does not have

CASES: list[Case] = [
    # -- application shell ------------------------------------------------------------------------------------
    case("GET", "/", EVERYONE),
    case("GET", "/health", EVERYONE),
    case("GET", "/static/{file_path:path}", EVERYONE, "/static/css/app.css"),
    case("GET", "/admin", ADMINS, "/admin/", note="piccolo-admin"),
    case("GET", "/api/schema", EVERYONE),
    case("GET", "/api/schema/openapi.json", EVERYONE),
    case("GET", "/api/schema/{path:str}", EVERYONE, "/api/schema/swagger"),
    # -- accounts ---------------------------------------------------------------------------------------------
    case("GET", "/login", EVERYONE),
    case("POST", "/login", EVERYONE, body={"username": "{locked_out}", "password": "x"}, fresh_session=True,
         note="an account already throttled: answered 429 before any password check"),
    case("POST", "/logout", LOGGED_IN, fresh_session=True),
    case("POST", "/language", EVERYONE, body={"language": "vi", "next": "/"}),
    case("GET", "/users", ADMINS),
    case("POST", "/users", ADMINS, body={}),
    case("GET", "/users/producer-choices", ADMINS, "/users/producer-choices?producers=HTX"),
    # a user's page and its writes, on a user that exists nowhere: an admin gets 404 and nothing changes
    case("GET", "/users/{user_id:int}", ADMINS),
    case("POST", "/users/{user_id:int}", ADMINS, body={"email": "nobody@x.vn", "role": "viewer"}),
    case("POST", "/users/{user_id:int}/password", ADMINS, body={"password": "long-enough", "password_again": "long-enough"}),
    case("POST", "/users/{user_id:int}/producers", ADMINS, body={"producers": "{own_producer}"}),
    case("POST", "/users/{user_id:int}/producers/{producer_id:int}/delete", ADMINS),
    case("POST", "/users/{user_id:int}/points", ADMINS, body={"points": "{point_a}"}),
    case("POST", "/users/{user_id:int}/points/{point_id:int}/delete", ADMINS),
    # -- catalog: pages ---------------------------------------------------------------------------------------
    case("GET", "/catalog/products", LOGGED_IN),
    case("GET", "/catalog/products/export.xlsx", LOGGED_IN, "/catalog/products/export.xlsx?producer_id={own_producer}"),
    case("GET", "/catalog/products/new", ORGANIZERS),
    case("POST", "/catalog/products", ORGANIZERS, body={}),
    case("GET", "/catalog/products/{product_id:int}", LOGGED_IN),
    case("GET", "/catalog/products/{product_id:int}/edit", ORGANIZERS),
    case("POST", "/catalog/products/{product_id:int}", ORGANIZERS, body={}),
    case("POST", "/catalog/products/{product_id:int}/photos", OWN_PRODUCER, "/catalog/products/{own_product}/photos",
         upload=GARBAGE, note="own product"),
    case("POST", "/catalog/products/{product_id:int}/photos", ORGANIZERS, "/catalog/products/{other_product}/photos",
         upload=GARBAGE, note="another producer's product"),
    case("POST", "/catalog/products/{product_id:int}/photos/{photo_id:int}/delete", OWN_PRODUCER,
         "/catalog/products/{own_product}/photos/{nowhere}/delete", note="own product"),
    case("POST", "/catalog/products/{product_id:int}/photos/{photo_id:int}/delete", ORGANIZERS,
         "/catalog/products/{other_product}/photos/{nowhere}/delete", note="another producer's product"),
    case("GET", "/catalog/producers", LOGGED_IN),
    case("GET", "/catalog/producers/export.xlsx", LOGGED_IN, "/catalog/producers/export.xlsx?q=nothing-matches-this"),
    case("GET", "/catalog/producers/new", ORGANIZERS),
    case("POST", "/catalog/producers", ORGANIZERS, body={}),
    case("GET", "/catalog/producers/{producer_id:int}", LOGGED_IN),
    case("GET", "/catalog/producers/{producer_id:int}/edit", ORGANIZERS),
    case("POST", "/catalog/producers/{producer_id:int}", ORGANIZERS, body={}),
    case("GET", "/catalog/buyers", LOGGED_IN),
    case("GET", "/catalog/buyers/new", ORGANIZERS),
    case("POST", "/catalog/buyers", ORGANIZERS, body={}),
    case("GET", "/catalog/buyers/{buyer_id:int}/edit", ORGANIZERS),
    case("POST", "/catalog/buyers/{buyer_id:int}", ORGANIZERS, body={}),
    case("GET", "/catalog/import", ORGANIZERS),
    case("POST", "/catalog/import", ORGANIZERS, upload=GARBAGE),
    case("POST", "/catalog/import/{token:str}/commit", ORGANIZERS, "/catalog/import/no-such-token/commit"),
    case("GET", "/catalog/import/template.xlsx", ORGANIZERS),
    case("GET", "/catalog/import/{token:str}/problems.xlsx", ORGANIZERS, "/catalog/import/no-such-token/problems.xlsx"),
    case("POST", "/catalog/import/{token:str}/choices", ORGANIZERS, "/catalog/import/no-such-token/choices"),
    # -- catalog: API -----------------------------------------------------------------------------------------
    case("GET", "/api/v1/products", LOGGED_IN),
    case("POST", "/api/v1/products", ORGANIZERS, body={"producer_id": 0, "name": "", "group_code": "", "subgroup_code": "",
                                                        "stars": 0}),
    case("GET", "/api/v1/products/{product_id:int}", LOGGED_IN),
    case("PUT", "/api/v1/products/{product_id:int}", ORGANIZERS, body={"producer_id": 0, "name": "", "group_code": "",
                                                                        "subgroup_code": "", "stars": 0}),
    case("GET", "/api/v1/products/{product_id:int}/photos", LOGGED_IN),
    case("POST", "/api/v1/products/{product_id:int}/photos", OWN_PRODUCER, "/api/v1/products/{own_product}/photos",
         upload=GARBAGE, note="own product"),
    case("POST", "/api/v1/products/{product_id:int}/photos", ORGANIZERS, "/api/v1/products/{other_product}/photos",
         upload=GARBAGE, note="another producer's product"),
    case("DELETE", "/api/v1/products/{product_id:int}/photos/{photo_id:int}", OWN_PRODUCER,
         "/api/v1/products/{own_product}/photos/{nowhere}", note="own product"),
    case("DELETE", "/api/v1/products/{product_id:int}/photos/{photo_id:int}", ORGANIZERS,
         "/api/v1/products/{other_product}/photos/{nowhere}", note="another producer's product"),
    case("GET", "/api/v1/producers", LOGGED_IN),
    case("POST", "/api/v1/producers", ORGANIZERS, body={"name": "", "kind": "cooperative", "province_code": ""}),
    case("GET", "/api/v1/producers/{producer_id:int}", LOGGED_IN),
    case("PUT", "/api/v1/producers/{producer_id:int}", ORGANIZERS, body={"name": "", "kind": "cooperative", "province_code": ""}),
    case("GET", "/api/v1/buyers", LOGGED_IN),
    case("POST", "/api/v1/buyers", ORGANIZERS, body={"name": "", "kind": "distributor"}),
    case("GET", "/api/v1/buyers/{buyer_id:int}", LOGGED_IN),
    case("PUT", "/api/v1/buyers/{buyer_id:int}", ORGANIZERS, body={"name": "", "kind": "distributor"}),
    # -- sales points: pages (every logged-in role reads every point, a producer its own products' lines; a manager writes at its own)
    case("GET", "/salespoints", LOGGED_IN),
    case("GET", "/salespoints/{point_id:int}", LOGGED_IN),
    case("GET", "/salespoints/new", ORGANIZERS),
    case("POST", "/salespoints/new", ORGANIZERS, body={"name": ""}),
    case("GET", "/salespoints/{point_id:int}/edit", ORGANIZERS, "/salespoints/{point_a}/edit"),
    case("POST", "/salespoints/{point_id:int}/edit", ORGANIZERS, "/salespoints/{point_a}/edit", body={"name": ""}),
    case("GET", "/salespoints/import", ORGANIZERS),
    case("POST", "/salespoints/import", ORGANIZERS, upload=GARBAGE),
    case("POST", "/salespoints/import/{token:str}/commit", ORGANIZERS, "/salespoints/import/no-such-token/commit"),
    case("GET", "/salespoints/{point_id:int}/stock.xlsx", LOGGED_IN),
    case("GET", "/salespoints/{point_id:int}/movements.xlsx", LOGGED_IN),
    case("GET", "/salespoints/{point_id:int}/counter", POINT_A, "/salespoints/{point_a}/counter", note="point A"),
    case("GET", "/salespoints/{point_id:int}/counter", POINT_B, "/salespoints/{point_b}/counter", note="point B"),
    case("GET", "/salespoints/counter-sw.js", LOGGED_IN),
    case("GET", "/salespoints/{point_id:int}/refused", POINT_A, "/salespoints/{point_a}/refused", note="point A"),
    case("GET", "/salespoints/{point_id:int}/refused", POINT_B, "/salespoints/{point_b}/refused", note="point B"),
    case("POST", "/salespoints/{point_id:int}/refused/{refused_id:int}/record", POINT_A,
         "/salespoints/{point_a}/refused/{nowhere}/record", body={"product_id": "{own_product}", "kind": "sale",
                                                                  "quantity": 1}, note="point A"),
    case("POST", "/salespoints/{point_id:int}/refused/{refused_id:int}/record", POINT_B,
         "/salespoints/{point_b}/refused/{nowhere}/record", body={"product_id": "{own_product}", "kind": "sale",
                                                                  "quantity": 1}, note="point B"),
    case("POST", "/salespoints/{point_id:int}/refused/{refused_id:int}/dismiss", POINT_A,
         "/salespoints/{point_a}/refused/{nowhere}/dismiss", body={"note": "x"}, note="point A"),
    case("POST", "/salespoints/{point_id:int}/refused/{refused_id:int}/dismiss", POINT_B,
         "/salespoints/{point_b}/refused/{nowhere}/dismiss", body={"note": "x"}, note="point B"),
    case("POST", "/salespoints/{point_id:int}/assortment", POINT_A, "/salespoints/{point_a}/assortment",
         body={"product_id": "{own_product}", "selling_price": -1}, note="point A"),
    case("POST", "/salespoints/{point_id:int}/assortment", POINT_B, "/salespoints/{point_b}/assortment",
         body={"product_id": "{own_product}", "selling_price": -1}, note="point B"),
    case("POST", "/salespoints/{point_id:int}/movements", POINT_A, "/salespoints/{point_a}/movements",
         body={"product_id": "{own_product}", "kind": "receipt", "quantity": 0}, note="point A"),
    case("POST", "/salespoints/{point_id:int}/movements", POINT_B, "/salespoints/{point_b}/movements",
         body={"product_id": "{own_product}", "kind": "receipt", "quantity": 0}, note="point B"),
    case("POST", "/salespoints/{point_id:int}/transfers", POINT_A, "/salespoints/{point_a}/transfers",
         body={"to_point_id": "{point_b}", "product_id": "{own_product}", "quantity": 0}, note="point A"),
    case("POST", "/salespoints/{point_id:int}/transfers", POINT_B, "/salespoints/{point_b}/transfers",
         body={"to_point_id": "{point_b}", "product_id": "{own_product}", "quantity": 1}, note="point B"),
    case("POST", "/salespoints/{point_id:int}/counts", POINT_A, "/salespoints/{point_a}/counts", note="point A"),
    case("POST", "/salespoints/{point_id:int}/counts", POINT_B, "/salespoints/{point_b}/counts", note="point B"),
    case("GET", "/salespoints/counts/{count_id:int}", LOGGED_IN),
    case("POST", "/salespoints/counts/{count_id:int}/lines", POINT_A, "/salespoints/counts/{count_a}/lines",
         body={"product_id": "{own_product}", "counted": -1}, note="count at point A"),
    case("POST", "/salespoints/counts/{count_id:int}/lines", POINT_B, "/salespoints/counts/{count_b}/lines",
         body={"product_id": "{own_product}", "counted": -1}, note="count at point B"),
    case("POST", "/salespoints/counts/{count_id:int}/post", POINT_B, "/salespoints/counts/{count_b}/post", note="count at point B"),
    case("POST", "/salespoints/counts/{count_id:int}/post", POINT_A, "/salespoints/counts/{count_a}/post", note="count at point A"),
    # -- matchmaking of a connection conference ----------------------------------------------------------------
    case("PUT", "/api/v1/fairs/{fair_id:int}/matchmaking/room", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/room", body={"tables": 0}),
    case("GET", "/api/v1/fairs/{fair_id:int}/matchmaking/room", READERS, "/api/v1/fairs/{conference}/matchmaking/room"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/participants", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/participants", body={}),
    case("GET", "/api/v1/fairs/{fair_id:int}/matchmaking/participants", READERS, "/api/v1/fairs/{conference}/matchmaking/participants"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/participants/{participant_id:int}/arrived", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/participants/{nowhere}/arrived"),
    case("GET", "/api/v1/fairs/{fair_id:int}/matchmaking/matches", READERS, "/api/v1/fairs/{conference}/matchmaking/matches"),
    case("PUT", "/api/v1/fairs/{fair_id:int}/matchmaking/interests", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/interests", body={}),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/requests", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/requests", body={}),
    case("GET", "/api/v1/fairs/{fair_id:int}/matchmaking/requests", READERS, "/api/v1/fairs/{conference}/matchmaking/requests"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/requests/{request_id:int}/answer", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/requests/{nowhere}/answer", body={}),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/schedule", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/schedule"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/schedule/late", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/schedule/late"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/schedule/confirm", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/schedule/confirm"),
    case("GET", "/api/v1/fairs/{fair_id:int}/matchmaking/meetings", READERS, "/api/v1/fairs/{conference}/matchmaking/meetings"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/meetings/{meeting_id:int}/mark", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/meetings/{nowhere}/mark", body={}),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/meetings/{meeting_id:int}/agreement", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/meetings/{nowhere}/agreement", body={}),
    case("GET", "/api/v1/fairs/{fair_id:int}/matchmaking/funnel", READERS, "/api/v1/fairs/{conference}/matchmaking/funnel"),
    case("GET", "/fairs/{fair_id:int}/meetings", READERS, "/fairs/{conference}/meetings/"),
    case("POST", "/fairs/{fair_id:int}/meetings/schedule", ORGANIZERS, "/fairs/{conference}/meetings/schedule"),
    case("POST", "/fairs/{fair_id:int}/meetings/room", ORGANIZERS, "/fairs/{conference}/meetings/room", body={"tables": "0"}),
    case("POST", "/fairs/{fair_id:int}/meetings/interests", ORGANIZERS, "/fairs/{conference}/meetings/interests",
         body={"side": "buyer", "says": "no"}),
    case("POST", "/fairs/{fair_id:int}/meetings/requests", ORGANIZERS, "/fairs/{conference}/meetings/requests",
         body={"asked_by": "buyer"}),
    case("POST", "/fairs/{fair_id:int}/meetings/requests/{request_id:int}/answer", ORGANIZERS,
         "/fairs/{conference}/meetings/requests/{nowhere}/answer", body={"accept": "1"}),
    case("POST", "/fairs/{fair_id:int}/meetings/participants", ORGANIZERS, "/fairs/{conference}/meetings/participants",
         body={"side": "buyer", "party_id": ""}),
    case("GET", "/fairs/{fair_id:int}/meetings/{meeting_id:int}/agreement", ORGANIZERS,
         "/fairs/{conference}/meetings/{nowhere}/agreement"),
    case("POST", "/fairs/{fair_id:int}/meetings/{meeting_id:int}/agreement", ORGANIZERS,
         "/fairs/{conference}/meetings/{nowhere}/agreement", body={"signed_on": ""}),
    case("POST", "/fairs/{fair_id:int}/meetings/confirm", ORGANIZERS, "/fairs/{conference}/meetings/confirm"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/meetings", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/meetings",
         body={}),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/meetings/{meeting_id:int}/move", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/meetings/{nowhere}/move", body={"slot": 0, "table": 1}),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/meetings/{meeting_id:int}/swap", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/meetings/{nowhere}/swap", body={"other": 1}),
    # The participants' links are secrets the organizers hand out: viewers read the conference, not its links.
    case("GET", "/api/v1/fairs/{fair_id:int}/matchmaking/links", ORGANIZERS, "/api/v1/fairs/{conference}/matchmaking/links"),
    case("POST", "/api/v1/fairs/{fair_id:int}/matchmaking/links/send", ORGANIZERS,
         "/api/v1/fairs/{conference}/matchmaking/links/send"),
    case("GET", "/fairs/{fair_id:int}/meetings/participants/{participant_id:int}", READERS,
         "/fairs/{conference}/meetings/participants/{nowhere}"),
    case("POST", "/fairs/{fair_id:int}/meetings/participants/{participant_id:int}", ORGANIZERS,
         "/fairs/{conference}/meetings/participants/{nowhere}", body={"quota": "x"}),
    case("POST", "/fairs/{fair_id:int}/meetings/participants/{participant_id:int}/arrived", ORGANIZERS,
         "/fairs/{conference}/meetings/participants/{nowhere}/arrived"),
    case("POST", "/fairs/{fair_id:int}/meetings/add", ORGANIZERS, "/fairs/{conference}/meetings/add", body={"slot": "x"}),
    case("POST", "/fairs/{fair_id:int}/meetings/{meeting_id:int}/move", ORGANIZERS, "/fairs/{conference}/meetings/{nowhere}/move",
         body={"slot": "0", "table": "1"}),
    case("POST", "/fairs/{fair_id:int}/meetings/{meeting_id:int}/swap", ORGANIZERS, "/fairs/{conference}/meetings/{nowhere}/swap",
         body={"other": "1"}),
    case("GET", "/fairs/{fair_id:int}/meetings/desk", READERS, "/fairs/{conference}/meetings/desk"),
    case("GET", "/fairs/{fair_id:int}/meetings/import", ORGANIZERS, "/fairs/{conference}/meetings/import/"),
    case("POST", "/fairs/{fair_id:int}/meetings/import", ORGANIZERS, "/fairs/{conference}/meetings/import/", upload=GARBAGE),
    case("POST", "/fairs/{fair_id:int}/meetings/import/commit", ORGANIZERS, "/fairs/{conference}/meetings/import/commit",
         body={"token": "no-such-token"}),
    case("GET", "/fairs/{fair_id:int}/meetings/import/template.xlsx", ORGANIZERS,
         "/fairs/{conference}/meetings/import/template.xlsx"),
    case("GET", "/fairs/{fair_id:int}/meetings/participants/{participant_id:int}/schedule.pdf", READERS,
         "/fairs/{conference}/meetings/participants/{nowhere}/schedule.pdf"),
    case("GET", "/fairs/{fair_id:int}/meetings/table-cards.pdf", READERS, "/fairs/{conference}/meetings/table-cards.pdf"),
    case("GET", "/fairs/{fair_id:int}/meetings/room-grid.pdf", READERS, "/fairs/{conference}/meetings/room-grid.pdf"),
    case("POST", "/fairs/{fair_id:int}/meetings/links", ORGANIZERS, "/fairs/{conference}/meetings/links"),
    case("POST", "/fairs/{fair_id:int}/meetings/{meeting_id:int}/mark", ORGANIZERS,
         "/fairs/{conference}/meetings/{nowhere}/mark", body={"status": "held"}),
    # -- consignment statements: a statement of the test producer at point A, and one of another producer at B
    case("GET", "/salespoints/{point_id:int}/statements", LOGGED_IN, "/salespoints/{point_a}/statements"),
    case("POST", "/salespoints/{point_id:int}/statements", POINT_A, "/salespoints/{point_a}/statements",
         body={"month": "2025-13"}, note="point A"),
    case("POST", "/salespoints/{point_id:int}/statements", POINT_B, "/salespoints/{point_b}/statements",
         body={"month": "2025-13"}, note="point B"),
    case("GET", "/salespoints/statements/{statement_id:int}", LOGGED_IN, "/salespoints/statements/{statement_a}",
         note="own producer at point A"),
    case("GET", "/salespoints/statements/{statement_id:int}", OTHERS_STATEMENT, "/salespoints/statements/{statement_b}",
         note="another producer at point B"),
    case("GET", "/salespoints/statements/{statement_id:int}/statement.pdf", LOGGED_IN,
         "/salespoints/statements/{statement_a}/statement.pdf", note="point A"),
    case("GET", "/salespoints/statements/{statement_id:int}/statement.pdf", OTHERS_STATEMENT,
         "/salespoints/statements/{statement_b}/statement.pdf", note="point B"),
    case("GET", "/salespoints/statements/{statement_id:int}/statement.xlsx", LOGGED_IN,
         "/salespoints/statements/{statement_a}/statement.xlsx", note="point A"),
    case("GET", "/salespoints/statements/{statement_id:int}/statement.xlsx", OTHERS_STATEMENT,
         "/salespoints/statements/{statement_b}/statement.xlsx", note="point B"),
    case("POST", "/salespoints/statements/{statement_id:int}/paid", POINT_A, "/salespoints/statements/{statement_a}/paid",
         body={"amount": "", "paid_on": ""}, note="point A"),
    case("POST", "/salespoints/statements/{statement_id:int}/paid", OTHERS_STATEMENT_PAYMENT,
         "/salespoints/statements/{statement_b}/paid", body={"amount": "", "paid_on": ""}, note="point B"),
    case("GET", "/salespoints/consigned", PRODUCERS_ONLY),
    case("GET", "/api/v1/salespoints/{point_id:int}/statements", LOGGED_IN, "/api/v1/salespoints/{point_a}/statements"),
    case("POST", "/api/v1/salespoints/{point_id:int}/statements/{month:str}", POINT_A,
         "/api/v1/salespoints/{point_a}/statements/2025-13", note="point A"),
    case("POST", "/api/v1/salespoints/{point_id:int}/statements/{month:str}", POINT_B,
         "/api/v1/salespoints/{point_b}/statements/2025-13", note="point B"),
    case("GET", "/api/v1/salespoints/statements/{statement_id:int}", LOGGED_IN, "/api/v1/salespoints/statements/{statement_a}",
         note="point A"),
    case("GET", "/api/v1/salespoints/statements/{statement_id:int}", OTHERS_STATEMENT,
         "/api/v1/salespoints/statements/{statement_b}", note="point B"),
    case("POST", "/api/v1/salespoints/statements/{statement_id:int}/payment", POINT_A,
         "/api/v1/salespoints/statements/{statement_a}/payment", body=FUTURE_PAYMENT, note="point A"),
    case("POST", "/api/v1/salespoints/statements/{statement_id:int}/payment", OTHERS_STATEMENT_PAYMENT,
         "/api/v1/salespoints/statements/{statement_b}/payment", body=FUTURE_PAYMENT, note="point B"),
    # -- sales points: API ------------------------------------------------------------------------------------
    case("GET", "/api/v1/salespoints", LOGGED_IN),
    case("POST", "/api/v1/salespoints", ORGANIZERS, body={"name": "", "province_code": "ha-noi"}),
    case("GET", "/api/v1/salespoints/{point_id:int}", LOGGED_IN),
    case("POST", "/api/v1/salespoints/{point_id:int}/managers", ORGANIZERS, body={"user_id": 0}),
    case("PUT", "/api/v1/salespoints/{point_id:int}/assortment/{product_id:int}", POINT_A,
         "/api/v1/salespoints/{point_a}/assortment/{own_product}", body={"selling_price": -1}, note="point A"),
    case("PUT", "/api/v1/salespoints/{point_id:int}/assortment/{product_id:int}", POINT_B,
         "/api/v1/salespoints/{point_b}/assortment/{own_product}", body=SCOPE_ASSORTMENT, note="point B"),
    case("GET", "/api/v1/salespoints/{point_id:int}/balances", LOGGED_IN),
    case("GET", "/api/v1/salespoints/{point_id:int}/refused-sales", POINT_A, "/api/v1/salespoints/{point_a}/refused-sales",
         note="point A"),
    case("GET", "/api/v1/salespoints/{point_id:int}/refused-sales", POINT_B, "/api/v1/salespoints/{point_b}/refused-sales",
         note="point B"),
    case("POST", "/api/v1/salespoints/{point_id:int}/refused-sales", POINT_A, "/api/v1/salespoints/{point_a}/refused-sales",
         body=REFUSED_SALE, note="point A"),
    case("POST", "/api/v1/salespoints/{point_id:int}/refused-sales", POINT_B, "/api/v1/salespoints/{point_b}/refused-sales",
         body=REFUSED_SALE, note="point B"),
    case("GET", "/api/v1/salespoints/{point_id:int}/stock", LOGGED_IN, "/api/v1/salespoints/{point_a}/stock?as_of=2025-01-01T00:00:00"),
    case("GET", "/api/v1/salespoints/{point_id:int}/movements", LOGGED_IN),
    case("GET", "/api/v1/salespoints/{point_id:int}/sales", LOGGED_IN,
         "/api/v1/salespoints/{point_a}/sales?since=2025-01-01&until=2025-01-31"),
    case("POST", "/api/v1/salespoints/{point_id:int}/movements", POINT_A, "/api/v1/salespoints/{point_a}/movements",
         body={"product_id": "{own_product}", "kind": "receipt", "quantity": 0}, note="point A"),
    case("POST", "/api/v1/salespoints/{point_id:int}/movements", POINT_B, "/api/v1/salespoints/{point_b}/movements",
         body={"product_id": "{own_product}", "kind": "receipt", "quantity": 0}, note="point B"),
    case("POST", "/api/v1/salespoints/{point_id:int}/movements/batch", POINT_A, "/api/v1/salespoints/{point_a}/movements/batch",
         body={"movements": [{"product_id": "{own_product}", "kind": "receipt", "quantity": 0}]}, note="point A"),
    case("POST", "/api/v1/salespoints/{point_id:int}/movements/batch", POINT_B, "/api/v1/salespoints/{point_b}/movements/batch",
         body={"movements": [{"product_id": "{own_product}", "kind": "receipt", "quantity": 0}]}, note="point B"),
    case("POST", "/api/v1/salespoints/{point_id:int}/transfers", POINT_A, "/api/v1/salespoints/{point_a}/transfers",
         body={"to_point_id": "{point_b}", "product_id": "{own_product}", "quantity": 0}, note="point A"),
    case("POST", "/api/v1/salespoints/{point_id:int}/transfers", POINT_B, "/api/v1/salespoints/{point_b}/transfers",
         body={"to_point_id": "{point_b}", "product_id": "{own_product}", "quantity": 1}, note="point B"),
    case("POST", "/api/v1/salespoints/{point_id:int}/counts", POINT_A, "/api/v1/salespoints/{point_a}/counts", note="point A"),
    case("POST", "/api/v1/salespoints/{point_id:int}/counts", POINT_B, "/api/v1/salespoints/{point_b}/counts", note="point B"),
    case("GET", "/api/v1/salespoints/counts/{count_id:int}", LOGGED_IN),
    case("PUT", "/api/v1/salespoints/counts/{count_id:int}/lines", POINT_A, "/api/v1/salespoints/counts/{count_a}/lines",
         body={"product_id": "{own_product}", "counted": -1}, note="count at point A"),
    case("PUT", "/api/v1/salespoints/counts/{count_id:int}/lines", POINT_B, "/api/v1/salespoints/counts/{count_b}/lines",
         body={"product_id": NO_SUCH_ID, "counted": 1}, note="count at point B"),
    case("POST", "/api/v1/salespoints/counts/{count_id:int}/post", POINT_B, "/api/v1/salespoints/counts/{count_b}/post",
         note="count at point B"),
    case("POST", "/api/v1/salespoints/counts/{count_id:int}/post", POINT_A, "/api/v1/salespoints/counts/{count_a}/post",
         note="count at point A"),
    # -- fairs: pages (the module's fair is running, with an application of the test producer and another's) ---
    case("GET", "/fairs", LOGGED_IN),
    case("GET", "/fairs/new", ORGANIZERS),
    case("POST", "/fairs/new", ORGANIZERS, body=NO_FAIR),
    case("GET", "/fairs/{fair_id:int}", LOGGED_IN),
    case("GET", "/fairs/{fair_id:int}/edit", ORGANIZERS),
    case("POST", "/fairs/{fair_id:int}/edit", ORGANIZERS, body=NO_FAIR),
    case("POST", "/fairs/{fair_id:int}/status", ORGANIZERS, body={"status": "draft"}),
    case("POST", "/fairs/{fair_id:int}/weights", ORGANIZERS, body={"base": -1}),
    case("POST", "/fairs/{fair_id:int}/allocate", ORGANIZERS),
    case("GET", "/fairs/{fair_id:int}/plan", LOGGED_IN),
    case("GET", "/fairs/{fair_id:int}/plan.pdf", LOGGED_IN),
    case("POST", "/fairs/{fair_id:int}/zones", ORGANIZERS, body={"code": "Z", "name": "Z", "theme": "province", "theme_value": "nowhere"}),
    case("POST", "/fairs/{fair_id:int}/grid", ORGANIZERS, body={"zone_id": 0, "rows": 0, "columns": 0}),
    case("POST", "/fairs/{fair_id:int}/booths/import", ORGANIZERS, upload=BOOTH_SHEET),
    case("GET", "/fairs/{fair_id:int}/booths/{booth_id:int}/edit", ORGANIZERS),
    case("POST", "/fairs/{fair_id:int}/booths/{booth_id:int}", ORGANIZERS, body=NO_BOOTH),
    case("POST", "/fairs/{fair_id:int}/assign", ORGANIZERS, body={"application_id": 0, "booth_ids": 0}),
    case("POST", "/fairs/{fair_id:int}/swap", ORGANIZERS, body={"booth_a": 0, "booth_b": 0}),
    case("POST", "/fairs/{fair_id:int}/booths/{booth_id:int}/release", ORGANIZERS),
    # deleting what an exhibitor holds is refused (409) to the roles allowed, so the world stays as it is
    case("POST", "/fairs/{fair_id:int}/booths/{booth_id:int}/delete", ORGANIZERS, "/fairs/{fair_id}/booths/{held_booth}/delete"),
    case("POST", "/fairs/{fair_id:int}/zones/{zone_id:int}", ORGANIZERS, "/fairs/{fair_id}/zones/{zone_id}",
         body={"code": "Z", "name": "Z", "theme": "province", "theme_value": "nowhere"}),
    case("POST", "/fairs/{fair_id:int}/zones/{zone_id:int}/delete", ORGANIZERS, "/fairs/{fair_id}/zones/{zone_id}/delete"),
    case("POST", "/fairs/{fair_id:int}/booths/{booth_id:int}/lock", ORGANIZERS, body={"locked": "1"}),
    case("GET", "/fairs/{fair_id:int}/applications", LOGGED_IN, note="a producer's list holds its own only"),
    case("GET", "/fairs/{fair_id:int}/apply", APPLICANTS),
    case("GET", "/fairs/{fair_id:int}/applications/import", ORGANIZERS),
    case("POST", "/fairs/{fair_id:int}/applications/import", ORGANIZERS, body={}),
    case("POST", "/fairs/{fair_id:int}/applications/import/{token:str}/commit", ORGANIZERS,
         "/fairs/{fair_id}/applications/import/not-a-preview/commit", body={}),
    case("POST", "/fairs/{fair_id:int}/apply/zones", APPLICANTS,
         body={"producer_id": "{own_producer}", "product_ids": "{own_product}", "zone_preferences": "{zone_id}"},
         note="the apply form's live zone check, for the test producer"),
    case("POST", "/fairs/{fair_id:int}/apply/zones", ORGANIZERS,
         body={"producer_id": "{other_producer}", "product_ids": "{other_product}", "zone_preferences": "{zone_id}"},
         note="for another producer"),
    case("POST", "/fairs/{fair_id:int}/apply", APPLICANTS, body={"producer_id": "{own_producer}", "product_ids": "{own_product}"},
         note="for the test producer"),
    case("POST", "/fairs/{fair_id:int}/apply", ORGANIZERS, body={"producer_id": "{other_producer}", "product_ids": "{other_product}"},
         note="for another producer"),
    case("GET", "/fairs/applications/{application_id:int}", OWN_APPLICATION, "/fairs/applications/{own_application}", note="own"),
    case("GET", "/fairs/applications/{application_id:int}", OTHERS_APPLICATION, "/fairs/applications/{other_application}",
         note="another producer's"),
    case("POST", "/fairs/applications/{application_id:int}/{action:str}", OWN_PRODUCER,
         "/fairs/applications/{own_application}/confirm", note="own"),
    case("POST", "/fairs/applications/{application_id:int}/{action:str}", OTHERS_APPLICATION_ACTION,
         "/fairs/applications/{other_application}/confirm", note="another producer's"),
    case("GET", "/fairs/{fair_id:int}/days", LOGGED_IN, note="a producer sees its own booth's sales only"),
    case("POST", "/fairs/{fair_id:int}/visitors", ORGANIZERS, body={"day": LONG_AGO, "visitors": 1}),
    case("GET", "/fairs/{fair_id:int}/days/{day:str}", ORGANIZERS, "/fairs/{fair_id}/days/" + LONG_AGO),
    case("POST", "/fairs/{fair_id:int}/days/{day:str}", ORGANIZERS, "/fairs/{fair_id}/days/" + LONG_AGO,
         body={"visitors": "1"}),
    case("GET", "/fairs/{fair_id:int}/check-in", ORGANIZERS),
    case("GET", "/fairs/{fair_id:int}/directory.pdf", ORGANIZERS),
    case("GET", "/fairs/{fair_id:int}/exhibitors.xlsx", ORGANIZERS),
    case("POST", "/fairs/{fair_id:int}/check-in", ORGANIZERS, body={"shown": "{own_application}"}),
    case("POST", "/fairs/{fair_id:int}/sales", OWN_PRODUCER,
         body={"application_id": "{own_application}", "day": LONG_AGO, "revenue": 1}, note="own booth"),
    case("POST", "/fairs/{fair_id:int}/sales", OTHERS_APPLICATION_ACTION,
         body={"application_id": "{other_application}", "day": LONG_AGO, "revenue": 1}, note="another exhibitor's booth"),
    # -- fairs: API -------------------------------------------------------------------------------------------
    case("GET", "/api/v1/fairs", LOGGED_IN),
    case("POST", "/api/v1/fairs", ORGANIZERS, body=NO_FAIR),
    case("GET", "/api/v1/fairs/{fair_id:int}", LOGGED_IN),
    case("PUT", "/api/v1/fairs/{fair_id:int}", ORGANIZERS, body=NO_FAIR),
    case("POST", "/api/v1/fairs/{fair_id:int}/status", ORGANIZERS, body={"status": "draft"}),
    case("PUT", "/api/v1/fairs/{fair_id:int}/weights", ORGANIZERS, body={"base": -1}),
    case("GET", "/api/v1/fairs/{fair_id:int}/zones", LOGGED_IN),
    case("POST", "/api/v1/fairs/{fair_id:int}/zones", ORGANIZERS, body={"code": "Z", "name": "Z", "theme": "province", "theme_value": "nowhere"}),
    case("POST", "/api/v1/fairs/{fair_id:int}/booths", ORGANIZERS, body=NO_BOOTH),
    case("POST", "/api/v1/fairs/{fair_id:int}/booths/grid", ORGANIZERS, body={"zone_id": 0, "rows": 0, "columns": 0}),
    case("POST", "/api/v1/fairs/{fair_id:int}/booths/import", ORGANIZERS, upload=BOOTH_SHEET),
    case("PUT", "/api/v1/fairs/{fair_id:int}/booths/{booth_id:int}", ORGANIZERS, body=NO_BOOTH),
    case("GET", "/api/v1/fairs/{fair_id:int}/plan", LOGGED_IN),
    case("GET", "/api/v1/fairs/{fair_id:int}/reach", ORGANIZERS),
    case("PUT", "/api/v1/fairs/{fair_id:int}/days/{day:date}", ORGANIZERS, "/api/v1/fairs/{fair_id}/days/" + LONG_AGO,
         body={"visitors": 1}),
    case("PUT", "/api/v1/fairs/{fair_id:int}/check-ins", ORGANIZERS, body={"shown": ["{own_application}"]}),
    case("GET", "/api/v1/fairs/{fair_id:int}/applications", LOGGED_IN, note="a producer's list holds its own only"),
    case("POST", "/api/v1/fairs/{fair_id:int}/applications", APPLICANTS,
         body={"producer_id": "{own_producer}", "product_ids": ["{own_product}"]}, note="for the test producer"),
    case("POST", "/api/v1/fairs/{fair_id:int}/applications", ORGANIZERS,
         body={"producer_id": "{other_producer}", "product_ids": ["{other_product}"]}, note="for another producer"),
    case("GET", "/api/v1/fairs/applications/{application_id:int}", OWN_APPLICATION,
         "/api/v1/fairs/applications/{own_application}", note="own"),
    case("GET", "/api/v1/fairs/applications/{application_id:int}", OTHERS_APPLICATION,
         "/api/v1/fairs/applications/{other_application}", note="another producer's"),
    case("POST", "/api/v1/fairs/applications/{application_id:int}/confirm", OWN_PRODUCER,
         "/api/v1/fairs/applications/{own_application}/confirm", note="own"),
    case("POST", "/api/v1/fairs/applications/{application_id:int}/confirm", OTHERS_APPLICATION_ACTION,
         "/api/v1/fairs/applications/{other_application}/confirm", note="another producer's"),
    case("POST", "/api/v1/fairs/applications/{application_id:int}/check-in", ORGANIZERS,
         "/api/v1/fairs/applications/{other_application}/check-in"),
    case("POST", "/api/v1/fairs/{fair_id:int}/allocation", ORGANIZERS),
    case("POST", "/api/v1/fairs/{fair_id:int}/assignments", ORGANIZERS, body={"application_id": 0, "booth_ids": []}),
    case("POST", "/api/v1/fairs/{fair_id:int}/swaps", ORGANIZERS, body={"booth_a": 0, "booth_b": 0}),
    case("DELETE", "/api/v1/fairs/{fair_id:int}/booths/{booth_id:int}/assignment", ORGANIZERS),
    case("DELETE", "/api/v1/fairs/{fair_id:int}/booths/{booth_id:int}", ORGANIZERS, "/api/v1/fairs/{fair_id}/booths/{held_booth}"),
    case("PUT", "/api/v1/fairs/{fair_id:int}/zones/{zone_id:int}", ORGANIZERS, "/api/v1/fairs/{fair_id}/zones/{zone_id}",
         body={"code": "Z", "name": "Z", "theme": "province", "theme_value": "nowhere"}),
    case("DELETE", "/api/v1/fairs/{fair_id:int}/zones/{zone_id:int}", ORGANIZERS, "/api/v1/fairs/{fair_id}/zones/{zone_id}"),
    case("PUT", "/api/v1/fairs/{fair_id:int}/booths/{booth_id:int}/lock", ORGANIZERS, body={"locked": True}),
    case("POST", "/api/v1/fairs/{fair_id:int}/visitors", ORGANIZERS, body={"day": LONG_AGO, "visitors": 1}),
    case("POST", "/api/v1/fairs/{fair_id:int}/sales", OWN_PRODUCER,
         body={"application_id": "{own_application}", "day": LONG_AGO, "revenue": 1}, note="own booth"),
    case("POST", "/api/v1/fairs/{fair_id:int}/sales", OTHERS_APPLICATION_ACTION,
         body={"application_id": "{other_application}", "day": LONG_AGO, "revenue": 1}, note="another exhibitor's booth"),
    case("GET", "/api/v1/fairs/{fair_id:int}/days", LOGGED_IN),
    # last of the fairs: withdrawing changes the applications the rows above use
    case("POST", "/api/v1/fairs/applications/{application_id:int}/withdraw", OWN_PRODUCER,
         "/api/v1/fairs/applications/{own_application}/withdraw", note="own"),
    case("POST", "/api/v1/fairs/applications/{application_id:int}/withdraw", OTHERS_APPLICATION_ACTION,
         "/api/v1/fairs/applications/{other_application}/withdraw", note="another producer's"),
    # -- agreements: pages (the test producer is party to "own", not to "other") ---------------------------------
    case("GET", "/agreements", AGREEMENT_READERS, note="a producer's list holds its own only"),
    case("GET", "/agreements/new", ORGANIZERS),
    case("POST", "/agreements/new", ORGANIZERS, body={"buyer": "0", "signed_on": LONG_AGO}),
    case("GET", "/agreements/ceremony", ORGANIZERS),
    case("POST", "/agreements/ceremony", ORGANIZERS, body={"buyer": "0", "signed_on": LONG_AGO}),
    case("GET", "/agreements/products", AGREEMENT_READERS, "/agreements/products?producers={own_producer}"),
    case("GET", "/agreements/import", ORGANIZERS),
    case("POST", "/agreements/import", ORGANIZERS, upload=GARBAGE),
    case("POST", "/agreements/import/{token:str}/commit", ORGANIZERS, "/agreements/import/no-such-token/commit"),
    case("GET", "/agreements/{agreement_id:int}", OWN_AGREEMENT, "/agreements/{own_agreement}", note="own"),
    case("GET", "/agreements/{agreement_id:int}", OTHERS_AGREEMENT, "/agreements/{other_agreement}", note="another producer's"),
    case("GET", "/agreements/{agreement_id:int}/print.pdf", OWN_AGREEMENT, "/agreements/{own_agreement}/print.pdf", note="own"),
    case("GET", "/agreements/{agreement_id:int}/print.pdf", OTHERS_AGREEMENT, "/agreements/{other_agreement}/print.pdf",
         note="another producer's"),
    case("POST", "/agreements/{agreement_id:int}/deliveries", OWN_PRODUCER, "/agreements/{own_agreement}/deliveries",
         body={"line_id": 0, "delivered_on": LONG_AGO, "quantity": 0}, note="own"),
    case("POST", "/agreements/{agreement_id:int}/deliveries", OTHERS_AGREEMENT_WRITE, "/agreements/{other_agreement}/deliveries",
         body={"line_id": 0, "delivered_on": LONG_AGO, "quantity": 0}, note="another producer's"),
    case("POST", "/agreements/{agreement_id:int}/attachments", OWN_PRODUCER, "/agreements/{own_agreement}/attachments",
         upload=GARBAGE, note="own"),
    case("POST", "/agreements/{agreement_id:int}/attachments", OTHERS_AGREEMENT_WRITE, "/agreements/{other_agreement}/attachments",
         upload=GARBAGE, note="another producer's"),
    case("GET", "/agreements/attachments/{attachment_id:int}", OWN_PRODUCER, "/agreements/attachments/{own_attachment}",
         note="a scan of its own agreement"),
    case("GET", "/agreements/attachments/{attachment_id:int}", OTHERS_AGREEMENT_WRITE, "/agreements/attachments/{other_attachment}",
         note="a scan of another producer's agreement"),
    case("POST", "/agreements/{agreement_id:int}/status", ORGANIZERS, "/agreements/{own_agreement}/status",
         body={"status": "draft"}),
    case("POST", "/agreements/{agreement_id:int}/milestones/{milestone_id:int}", ORGANIZERS,
         "/agreements/{own_agreement}/milestones/{own_milestone}", body={"done": "0"}),
    case("POST", "/agreements/{agreement_id:int}/milestones/{milestone_id:int}/reschedule", ORGANIZERS,
         "/agreements/{own_agreement}/milestones/{own_milestone}/reschedule", body={"due_on": LONG_AGO, "reason": "x"}),
    case("GET", "/agreements/templates", ORGANIZERS),
    case("GET", "/agreements/templates/{kind:str}", ORGANIZERS, "/agreements/templates/offtake"),
    case("POST", "/agreements/templates/{kind:str}", ORGANIZERS, "/agreements/templates/offtake", body={"title_0": ""}),
    # -- agreements: API --------------------------------------------------------------------------------------
    case("GET", "/api/v1/agreements/templates/{kind:str}", ORGANIZERS, "/api/v1/agreements/templates/offtake"),
    case("PUT", "/api/v1/agreements/templates/{kind:str}", ORGANIZERS, "/api/v1/agreements/templates/offtake",
         body={"articles": []}),
    case("GET", "/api/v1/agreements", AGREEMENT_READERS, note="a producer's list holds its own only"),
    case("POST", "/api/v1/agreements", ORGANIZERS, body=NO_AGREEMENT),
    case("GET", "/api/v1/agreements/summary", READERS),
    case("GET", "/api/v1/agreements/{agreement_id:int}", OWN_AGREEMENT, "/api/v1/agreements/{own_agreement}", note="own"),
    case("GET", "/api/v1/agreements/{agreement_id:int}", OTHERS_AGREEMENT, "/api/v1/agreements/{other_agreement}",
         note="another producer's"),
    case("PUT", "/api/v1/agreements/{agreement_id:int}", ORGANIZERS, "/api/v1/agreements/{own_agreement}", body=NO_AGREEMENT),
    case("POST", "/api/v1/agreements/{agreement_id:int}/status", ORGANIZERS, "/api/v1/agreements/{own_agreement}/status",
         body={"status": "draft"}),
    case("POST", "/api/v1/agreements/{agreement_id:int}/deliveries", OWN_PRODUCER, "/api/v1/agreements/{own_agreement}/deliveries",
         body={"line_id": 0, "delivered_on": LONG_AGO, "quantity": 0}, note="own"),
    case("POST", "/api/v1/agreements/{agreement_id:int}/deliveries", OTHERS_AGREEMENT_WRITE,
         "/api/v1/agreements/{other_agreement}/deliveries", body={"line_id": NO_SUCH_ID, "delivered_on": LONG_AGO, "quantity": 1},
         note="another producer's"),
    case("POST", "/api/v1/agreements/{agreement_id:int}/attachments", OWN_PRODUCER,
         "/api/v1/agreements/{own_agreement}/attachments", upload=GARBAGE, note="own"),
    case("POST", "/api/v1/agreements/{agreement_id:int}/attachments", OTHERS_AGREEMENT_WRITE,
         "/api/v1/agreements/{other_agreement}/attachments", upload=GARBAGE, note="another producer's"),
    case("POST", "/api/v1/agreements/{agreement_id:int}/milestones/{milestone_id:int}", ORGANIZERS,
         "/api/v1/agreements/{own_agreement}/milestones/{own_milestone}", body={}),
    case("POST", "/api/v1/agreements/{agreement_id:int}/milestones/{milestone_id:int}/reschedule", ORGANIZERS,
         "/api/v1/agreements/{own_agreement}/milestones/{own_milestone}/reschedule", body={"due_on": LONG_AGO, "reason": "x"}),
    case("POST", "/api/v1/agreements/import", ORGANIZERS, upload=GARBAGE),
    case("POST", "/api/v1/agreements/import/{token:str}/commit", ORGANIZERS, "/api/v1/agreements/import/no-such-token/commit",
         body={}),
    # -- reports (staff readers; a manager reads its own point's) ------------------------------------------------
    case("GET", "/reports", READERS),
    case("GET", "/reports/report.css", LOGGED_IN),
    case("GET", "/reports/artifacts/{artifact_id:int}/{extension:str}", READERS, "/reports/artifacts/{fair_report}/pdf",
         note="a fair's outcome report"),
    case("GET", "/reports/artifacts/{artifact_id:int}/{extension:str}", POINT_A_READERS, "/reports/artifacts/{point_a_report}/pdf",
         note="point A's month"),
    case("GET", "/reports/artifacts/{artifact_id:int}/{extension:str}", READERS, "/reports/artifacts/{point_b_report}/pdf",
         note="point B's month"),
    case("GET", "/reports/salespoints", POINT_A_READERS, "/reports/salespoints?point_id={point_a}&month=not-a-month",
         note="point A"),
    case("GET", "/reports/salespoints", READERS, "/reports/salespoints?point_id={point_b}&month=not-a-month", note="point B"),
    case("GET", "/reports/salespoints/{extension:str}", POINT_A_READERS, "/reports/salespoints/doc?point_id={point_a}",
         note="point A"),
    case("GET", "/reports/salespoints/{extension:str}", READERS, "/reports/salespoints/doc?point_id={point_b}", note="point B"),
    case("POST", "/reports/salespoints/compile", ORGANIZERS, "/reports/salespoints/compile?month=not-a-month"),
    case("GET", "/reports/agreements", READERS),
    case("GET", "/reports/agreements/{extension:str}", READERS, "/reports/agreements/doc"),
    case("POST", "/reports/agreements/compile", ORGANIZERS),
    case("GET", "/fairs/{fair_id:int}/reports", READERS),
    case("GET", "/fairs/{fair_id:int}/reports/_list", LOGGED_IN, note="empty for those who may not read reports"),
    case("GET", "/fairs/{fair_id:int}/reports/_fulfilment", LOGGED_IN, note="empty for those who may not read reports"),
    case("GET", "/fairs/{fair_id:int}/reports/outcome", READERS),
    case("GET", "/fairs/{fair_id:int}/reports/outcome/{extension:str}", READERS, "/fairs/{fair_id}/reports/outcome/doc"),
    case("POST", "/fairs/{fair_id:int}/reports/outcome/compile", ORGANIZERS, "/fairs/{nowhere}/reports/outcome/compile"),
    case("GET", "/api/v1/reports", READERS),
    case("GET", "/api/v1/reports/fairs/{fair_id:int}/outcome", READERS),
    case("GET", "/api/v1/reports/fulfilment", READERS, "/api/v1/reports/fulfilment?fair_id={fair_id}"),
    case("POST", "/api/v1/reports/fairs/{fair_id:int}/outcome", ORGANIZERS, "/api/v1/reports/fairs/{nowhere}/outcome"),
    # -- inbox and notifications ------------------------------------------------------------------------------
    case("GET", "/inbox", LOGGED_IN),
    case("GET", "/inbox/count", LOGGED_IN),
    case("POST", "/inbox/{notification_id:int}/read", LOGGED_IN, note="only the reader's own notifications change"),
    case("POST", "/inbox/read-all", LOGGED_IN),
    case("GET", "/notifications", ORGANIZERS),
    case("GET", "/notifications/{notification_id:int}", ORGANIZERS),
    case("POST", "/notifications/{notification_id:int}/retry", ORGANIZERS),
    # -- public pages (no login; read-only) -------------------------------------------------------------------
    case("GET", "/catalogue", EVERYONE),
    case("GET", "/p/{code:str}", EVERYONE, "/p/{own_product_code}"),
    case("GET", "/producers/{producer_id:int}", EVERYONE),
    case("GET", "/s/{point_id:int}", EVERYONE),
    case("GET", "/f/{fair_id:int}", EVERYONE),
    case("GET", "/f/{fair_id:int}/b/{code:str}", EVERYONE, "/f/{fair_id}/b/{booth_code}"),
    # A buyer's page opens with its signed link only, as an exhibitor's does: no role opens them without.
    case("GET", "/partner/{token:str}", (NO,) * 6, "/partner/not-a-signed-link"),
    case("GET", "/partner/{token:str}/agreements/{agreement_id:int}/print.pdf", (NO,) * 6,
         "/partner/not-a-signed-link/agreements/1/print.pdf"),
    case("POST", "/partner/{token:str}/deliveries/{delivery_id:int}/confirm", (NO,) * 6,
         "/partner/not-a-signed-link/deliveries/1/confirm"),
    # A conference participant's page likewise: its signed link, or nothing.
    case("GET", "/meet/{token:str}", (NO,) * 6, "/meet/not-a-signed-link"),
    case("POST", "/meet/{token:str}/needs", (NO,) * 6, "/meet/not-a-signed-link/needs", body={"quota": "1"}),
    case("POST", "/meet/{token:str}/interests", (NO,) * 6, "/meet/not-a-signed-link/interests", body={"other": "1", "says": "no"}),
    case("POST", "/meet/{token:str}/requests", (NO,) * 6, "/meet/not-a-signed-link/requests", body={"other": "1"}),
    case("POST", "/meet/{token:str}/requests/{request_id:int}/answer", (NO,) * 6, "/meet/not-a-signed-link/requests/1/answer",
         body={"accept": "1"}),
    case("POST", "/meet/{token:str}/meetings/{meeting_id:int}/mark", (NO,) * 6, "/meet/not-a-signed-link/meetings/1/mark",
         body={"status": "held"}),
    case("GET", "/meet/{token:str}/calendar.ics", (NO,) * 6, "/meet/not-a-signed-link/calendar.ics"),
    case("GET", "/meet/{token:str}/schedule.pdf", (NO,) * 6, "/meet/not-a-signed-link/schedule.pdf"),
    # An exhibitor's own page opens with its signed link only: no role opens it with anything else.
    case("GET", "/exhibitor/{token:str}", (NO,) * 6, "/exhibitor/not-a-signed-link"),
    case("POST", "/exhibitor/{token:str}/confirm", (NO,) * 6, "/exhibitor/not-a-signed-link/confirm"),
    case("GET", "/exhibitor/{token:str}/stickers.pdf", (NO,) * 6, "/exhibitor/not-a-signed-link/stickers.pdf"),
    case("GET", "/f/{fair_id:int}/qr/{code:str}", EVERYONE, "/f/{fair_id}/qr/{booth_code}.svg"),
    case("GET", "/open-data/products.csv", EVERYONE),
    case("GET", "/open-data/products.json", EVERYONE),
    case("GET", "/open-data/products.xlsx", EVERYONE),
    case("GET", "/sitemap.xml", EVERYONE),
    case("GET", "/media/photos/{name:str}", EVERYONE, "/media/photos/{nowhere}.webp"),
    case("GET", "/labels/fair/{fair_id:int}", LOGGED_IN, "/labels/fair/{fair_id}?layout=none"),
    case("GET", "/labels/product/{product_id:int}", LOGGED_IN, "/labels/product/{own_product}?layout=none"),
    case("GET", "/labels/producer/{producer_id:int}", LOGGED_IN, "/labels/producer/{own_producer}?layout=none"),
    case("GET", "/labels/salespoint/{point_id:int}", LOGGED_IN, "/labels/salespoint/{point_a}?layout=none"),
]

# Where a route's own parameters point when a row does not say: the module's objects by parameter name.
DEFAULTS = {"product_id": "own_product", "producer_id": "own_producer", "buyer_id": "buyer", "point_id": "point_a",
            "count_id": "count_a", "fair_id": "fair_id", "booth_id": "held_booth", "application_id": "own_application",
            "agreement_id": "own_agreement", "notification_id": "nowhere", "photo_id": "nowhere", "milestone_id": "own_milestone",
            "user_id": "nowhere", "participant_id": "nowhere", "request_id": "nowhere", "meeting_id": "nowhere"}


# -- the registered routes ---------------------------------------------------------------------------------------


def registered_routes() -> set[tuple[str, str]]:
    """(method, path) of every route handler of the application; a mounted ASGI app counts as a GET."""
    from litestar.routes import ASGIRoute, HTTPRoute

    from ocop.app import create_app

    routes = set()
    for route in create_app().routes:
        if isinstance(route, HTTPRoute):
            routes.update((method, route.path) for method in route.route_handler_map if method not in ("OPTIONS", "HEAD"))
        elif isinstance(route, ASGIRoute):
            routes.add(("GET", route.path))
        else:
            routes.add(("WEBSOCKET", route.path))
    return routes


def test_every_route_has_an_expectation():
    registered = registered_routes()
    stated = {(c.method, c.route) for c in CASES}
    if registered - stated:
        pytest.fail("routes with no stated access rule (add a row to CASES):\n" + "\n".join(
            f"  {method} {path}" for method, path in sorted(registered - stated)))
    if stated - registered:
        pytest.fail("rules for routes that no longer exist:\n" + "\n".join(
            f"  {method} {path}" for method, path in sorted(stated - registered)))


# -- the module's objects and clients ------------------------------------------------------------------------------


@dataclass
class World:
    server: str
    ids: dict[str, Any]
    user_ids: dict[str, int]
    clients: dict[str, Client] = field(default_factory=dict)

    def session(self, role: str) -> Client:
        """A client with a session of its own (none for the anonymous visitor) and its CSRF cookie."""
        from accounts.services import open_session

        client = Client(base_url=self.server, follow_redirects=False, timeout=60)
        if role != "anonymous":
            client.cookies.set("id", run(open_session(self.user_ids[role], 1)))
        client.csrf()
        return client


async def _stored_reports(fair_id: int, point_a: int, point_b: int) -> dict[str, int]:
    """A fair's outcome report and a month of each point, as stored versions whose files are not on disk
    (reading one answers 409 to those who may, 403 to the others)."""
    from reports.tables import ReportArtifact

    made = {}
    for name, kind, subject, fair in (("fair_report", "fair_outcome", f"fair:{fair_id}", fair_id),
                                      ("point_a_report", "salespoint_monthly", f"salespoints:2025-01:{point_a}", None),
                                      ("point_b_report", "salespoint_monthly", f"salespoints:2025-01:{point_b}", None)):
        row = ReportArtifact(kind=kind, subject=subject, fair=fair, version=1, title=subject, digest="0" * 64,
                             pdf_path=f"reports/{unique()}.pdf", pdf_sha256="0" * 64,
                             xlsx_path=f"reports/{unique()}.xlsx", xlsx_sha256="0" * 64)
        made[name] = (await ReportArtifact.insert(row))[0]["id"]
    return made


def _ok(response, *expected: int):
    assert response.status_code in expected, (response.request.method, response.request.url, response.status_code, response.text)
    return response


@pytest.fixture(scope="module")
def world(server, users) -> World:
    from accounts.tables import LoginAttempt, User
    from catalog.tables import Producer

    user_ids = {r["username"]: r["id"] for r in run(User.select(User.id, User.username))}
    world = World(server, {}, {role: user_ids[users[role]] for role in ROLES if role != "anonymous"})
    world.clients = {role: world.session(role) for role in ROLES}
    organizer = world.clients["organizer"]
    ids = world.ids
    ids["nowhere"] = NOWHERE

    # catalog: the test producer (whose user is the "producer" role) and another, with a product each, and a buyer
    ids["own_producer"] = run(Producer.select(Producer.id).where(Producer.name == "HTX Test Producer").first())["id"]
    ids["other_producer"] = _ok(organizer.api("POST", "/api/v1/producers", {
        "name": unique("HTX khác "), "kind": "cooperative", "province_code": "ha-noi"}), 201).json()["id"]
    for owner in ("own", "other"):
        product = _ok(organizer.api("POST", "/api/v1/products", product_payload(
            ids[f"{owner}_producer"], name=unique("Sản phẩm "))), 201).json()
        ids[f"{owner}_product"], ids[f"{owner}_product_code"] = product["id"], product["code"]
    ids["buyer"] = _ok(organizer.api("POST", "/api/v1/buyers", {"name": unique("Siêu thị "), "kind": "supermarket_chain"}),
                       201).json()["id"]

    # sales points A (managed by the "salespoint_manager" user) and B (not), each with a stock count open
    for name in ("a", "b"):
        point = _ok(organizer.api("POST", "/api/v1/salespoints", {"name": unique(f"Điểm {name.upper()} "),
                                                                  "province_code": "ha-noi"}), 201).json()["id"]
        ids[f"point_{name}"] = point
        _ok(organizer.api("PUT", f"/api/v1/salespoints/{point}/assortment/{ids['own_product']}",
                          {"selling_price": 100_000}), 200)
        ids[f"count_{name}"] = _ok(organizer.api("POST", f"/api/v1/salespoints/{point}/counts"), 201).json()["id"]
    _ok(organizer.api("POST", f"/api/v1/salespoints/{ids['point_a']}/managers",
                      {"user_id": world.user_ids["salespoint_manager"]}), 204)

    # a fair running today with two exhibitors, each with a booth and today's sales (a day is recorded once it has come)
    fair = fair_payload(starts_on=vietnam_today().isoformat(), ends_on=(vietnam_today() + dt.timedelta(days=4)).isoformat())
    ids["fair_id"] = fair_id = _ok(organizer.api("POST", "/api/v1/fairs", fair), 201).json()["id"]
    zone = _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/zones", {"code": "A", "name": "Thực phẩm", "theme": "general"}),
               201).json()["id"]
    ids["zone_id"] = zone
    _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/booths/grid", {"zone_id": zone, "rows": 1, "columns": 4}), 201)
    _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": "open"}), 201)
    for owner in ("own", "other"):
        ids[f"{owner}_application"] = _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications", {
            "producer_id": ids[f"{owner}_producer"], "product_ids": [ids[f"{owner}_product"]]}), 201).json()["id"]
    _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": "allocating"}), 201)
    booths = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"]
    for owner, booth in zip(("own", "other"), booths, strict=False):
        _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                          {"application_id": ids[f"{owner}_application"], "booth_ids": [booth["id"]]}), 204)
    ids["held_booth"], ids["booth_code"] = booths[0]["id"], booths[0]["code"]
    for status in ("published", "running"):
        _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/status", {"status": status}), 201)
    for owner, revenue in (("own", 1_111_000), ("other", 7_777_000)):
        ids[f"{owner}_revenue"] = revenue
        _ok(organizer.api("POST", f"/api/v1/fairs/{fair_id}/sales", {
            "application_id": ids[f"{owner}_application"], "day": fair["starts_on"], "revenue": revenue}), 204)

    # agreements: one the test producer is party to, one it is not; a milestone and a scan on each
    for owner in ("own", "other"):
        agreement = _ok(organizer.api("POST", "/api/v1/agreements", {
            "buyer_id": ids["buyer"], "producer_ids": [ids[f"{owner}_producer"]], "signed_on": vietnam_today().isoformat(),
            "lines": [{"product_id": ids[f"{owner}_product"], "quantity": 10, "unit": "hộp", "unit_price": 50_000}],
            "milestones": [{"due_on": (vietnam_today() + dt.timedelta(days=30)).isoformat(), "description": "Gặp lại"}],
        }), 201).json()
        ids[f"{owner}_agreement"], ids[f"{owner}_milestone"] = agreement["id"], agreement["milestones"][0]["id"]
        scan = organizer.post(f"/api/v1/agreements/{agreement['id']}/attachments", headers={"x-csrftoken": organizer.csrf()},
                              files={"file": ("bien-ban.pdf", _blank_pdf(), "application/pdf")})
        ids[f"{owner}_attachment"] = _ok(scan, 201).json()["id"]

    # a connection conference whose matchmaking the organizing office runs
    ids["conference"] = _ok(organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")), 201).json()["id"]

    # a consignment statement at each point (rows only: their rights are read from the row)
    from salespoints.tables import Settlement

    for name, point, producer in (("statement_a", "point_a", "own_producer"), ("statement_b", "point_b", "other_producer")):
        ids[name] = run(Settlement.insert(Settlement(point=ids[point], producer=ids[producer], month="2025-01")))[0]["id"]

    # stored reports (rows only: compiling them would cost seconds, and their rights are read from the row)
    ids.update(run(_stored_reports(fair_id, ids["point_a"], ids["point_b"])))

    # an account already throttled, so that logging in as it is answered before any password is hashed:
    # failures from the suite's own address (those from elsewhere would not make it wait), past the longest wait
    locked = unique("locked-")
    run(LoginAttempt.insert(*[LoginAttempt(username=locked, client="127.0.0.1") for _ in range(15)]))
    ids["locked_out"] = locked

    yield world
    for client in world.clients.values():
        client.close()


# -- what the lists and pages show besides their status ------------------------------------------------------------------


def test_a_producer_sees_only_its_own_booth_sales_on_the_days_page(world):
    page = f"/fairs/{world.ids['fair_id']}/days"
    own, other = (f"{world.ids[f'{owner}_revenue']:,}".replace(",", ".") for owner in ("own", "other"))
    mine = world.clients["producer"].get(page)
    assert mine.status_code == 200 and own in mine.text and other not in mine.text
    for role in ("viewer", "organizer"):
        text = world.clients[role].get(page).text
        assert own in text and other in text, role


def test_a_producer_lists_only_its_own_applications_and_agreements(world):
    producer, ids = world.clients["producer"], world.ids
    applications = {a["id"] for a in producer.get(f"/api/v1/fairs/{ids['fair_id']}/applications").json()}
    assert applications == {ids["own_application"]}
    agreements = {a["id"] for a in producer.get("/api/v1/agreements", params={"page_size": 500}).json()["items"]}
    assert ids["own_agreement"] in agreements and ids["other_agreement"] not in agreements


def test_the_agreement_figures_are_shown_to_staff_only(world):
    """The summary names every producer's committed value: a producer's agreement list does not show it."""
    marker = "By buyer kind, top buyers and producers"
    for role in ("viewer", "organizer"):
        assert marker in world.clients[role].get("/agreements/?lang=en").text, role
    assert marker not in world.clients["producer"].get("/agreements/?lang=en").text


# -- checking one route for every role ----------------------------------------------------------------------------------


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    """Names in braces replaced by the module's objects; a value that is only a name keeps the object's type."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in ids:
            return ids[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), value)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def url_of(c: Case, ids: dict[str, Any]) -> str:
    template = c.url or re.sub(r"\{(\w+):\w+\}", lambda m: "{" + DEFAULTS.get(m.group(1), m.group(1)) + "}", c.route)
    return _fill(template, ids)


def send(client: Client, c: Case, url: str, ids: dict[str, Any]):
    body = _fill(c.body, ids)
    token = client.csrf()
    if c.method == "GET":
        return client.get(url)
    if c.upload is not None:
        name, content = c.upload
        return client.request(c.method, url, data={"_csrf_token": token}, files={"file": (name, content)},
                              headers={"x-csrftoken": token})
    if url.startswith("/api/"):
        return client.request(c.method, url, json=body, headers={"x-csrftoken": token})
    return client.request(c.method, url, data={**{k: str(v) for k, v in (body or {}).items()}, "_csrf_token": token})


def _blank_pdf() -> bytes:
    """A real one-page PDF: a scan is read before it is kept (one that cannot be read is refused)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def outcome(method: str, url: str, response, expected: str = "") -> str:
    status, location = response.status_code, response.headers.get("location", "")
    if expected == HIDDEN:
        return HIDDEN if status == 404 else f"{status}, where only 404 tells nothing"
    page_get = method == "GET" and not url.startswith("/api/")
    if status == 401:
        return LOGIN if not page_get else "401 where a page should redirect to /login"
    if status in (301, 302, 303, 307) and location.startswith("/login"):
        # a page GET is sent to log in; any other request answers 401 (logging out redirects there: allowed)
        return LOGIN if page_get else OK
    if status == 403:
        return NO
    if status >= 500:
        return f"server error {status}"
    return OK


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_route_answers_each_role_as_intended(world, c: Case):
    url = url_of(c, world.ids)
    wrong = []
    for role, expected in zip(ROLES, c.expect, strict=True):
        client = world.session(role) if c.fresh_session else world.clients[role]
        try:
            response = send(client, c, url, world.ids)
        finally:
            if c.fresh_session:
                client.close()
        got = outcome(c.method, url, response, expected)
        if got != expected:
            wrong.append(f"{role}: expected {expected}, got {got} ({response.status_code} {response.text[:160]!r})")
    assert not wrong, f"{c.method} {url}:\n" + "\n".join(wrong)
