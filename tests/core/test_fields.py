"""Field rules are written once, on the Structs (core.fields): what msgspec accepts is exactly what
`problems` finds nothing wrong with, for every rule of every Struct that comes in; a form, the JSON API
and the API's published schema all speak of the same limits."""

from __future__ import annotations

import typing

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.schemas import AgreementIn, DeliveryIn
from catalog.schemas import BuyerIn, ProducerIn, ProductIn
from core import fields
from fairs.schemas import ApplicationIn, BoothIn, BoothSaleIn, FairIn, GridIn, WeightsIn, ZoneIn
from salespoints.schemas import AssortmentIn, CountLineIn, MovementIn, SalesPointIn, TransferIn
from tests.conftest import unique

STRUCTS = (ProducerIn, ProductIn, BuyerIn, FairIn, WeightsIn, ZoneIn, GridIn, BoothIn, ApplicationIn, BoothSaleIn,
           AgreementIn, DeliveryIn, SalesPointIn, AssortmentIn, MovementIn, TransferIn, CountLineIn)


def _ruled_fields() -> list[tuple[type[msgspec.Struct], str, typing.Any]]:
    """Every (Struct, field, annotation) whose type carries a rule (a `Meta`), plain or optional."""
    found = []
    for struct in STRUCTS:
        for name, annotation in typing.get_type_hints(struct, include_extras=True).items():
            if "Meta(" in repr(annotation):
                found.append((struct, name, annotation))
    return found


RULED = _ruled_fields()

# Values at the edges of every kind of rule: empty, blank, NUL, long text; numbers around every bound in use.
_TEXT = st.one_of(st.sampled_from(["", " ", "  \t", "a\x00b", "\x00", "a@b", "@", "ok", "Mật ong"]),
                  st.text(min_size=0, max_size=3), st.integers(1, 6000).map(lambda n: "x" * n))
_NUMBER = st.one_of(st.sampled_from([0, 1, -1, 3, 5, 6, 100, 101, 10_000, 10_001, 2**31 - 1, 2**31, 10**10, 10**10 + 1,
                                     10**12, 10**12 + 1, 10**13 + 1, -(10**6) - 1]),
                    st.integers(-(10**14), 10**14))


def _values(annotation: typing.Any) -> st.SearchStrategy:
    shown = repr(annotation)
    if "list[" in shown:
        return st.lists(st.one_of(st.integers(-5, 2**31 + 5), st.just({})), max_size=40)
    if "float" in shown:
        return st.one_of(_NUMBER, st.floats(-10, 3000, allow_nan=False))
    if "int" in shown:
        return _NUMBER
    return _TEXT


@pytest.mark.parametrize(("struct", "name", "annotation"), RULED, ids=[f"{s.__name__}.{n}" for s, n, _ in RULED])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_problems_finds_a_fault_exactly_when_msgspec_refuses_the_value(struct, name, annotation, data):
    value = data.draw(_values(annotation))
    try:
        msgspec.convert(value, annotation)
        accepted = True
    except msgspec.ValidationError as error:
        accepted = not fields.is_rule(str(error))  # a wrong type is not a rule: converting it is the caller's part
        if accepted:
            return
    found = {key: problem for key, problem in fields.problems({name: value}, struct).items()
             if key == name or key.startswith(name + ".")}  # a list's items as "product_ids.0"
    assert (not found) == accepted, (value, found)


def test_the_struct_rules_are_found_all_at_once_with_their_own_words():
    found = fields.problems({"producer_id": 0, "name": "   ", "stars": 6, "score": 78, "group_code": "food",
                             "certificate_number": "x" * 65, "reference_price": -1, "unit": "a\x00"}, ProductIn)
    assert {key: msg if isinstance(msg, str) else msg.render() for key, msg in found.items()} == {
        "producer_id": "Choose a record from the list.",
        "name": "This field is required.",
        "stars": "Stars must be between 0 and 5.",
        "certificate_number": "At most 64 characters.",
        "reference_price": "The price cannot be negative.",
        "unit": "This value contains a character that is not allowed.",
    }
    nested = fields.problems({"lines": [{"product_id": 1, "quantity": 0, "unit": "kg"}], "producer_ids": []}, AgreementIn)
    assert set(nested) == {"lines.0.quantity", "producer_ids"}
    # A Struct as a service gets it: the same verdict, whether it keeps its rules (checked by msgspec at once)…
    line = {"product_id": 1, "quantity": 3, "unit": "kg"}
    good = msgspec.convert({"buyer_id": 1, "producer_ids": [2], "signed_on": "2026-01-01", "lines": [line]}, AgreementIn)
    assert fields.problems(good) == {}
    # …or breaks one deep inside (a Struct built without checks, as forms and imports build them).
    bad = msgspec.structs.replace(good, lines=[msgspec.structs.replace(good.lines[0], unit="x" * 33)], notes="a\x00")
    assert set(fields.problems(bad)) == {"lines.0.unit", "notes"}


def test_a_form_and_the_api_refuse_the_same_value_with_the_same_words(login):
    client = login("organizer")
    client.cookies.set("lang", "en")
    long_phone = "0" * 33
    form = client.form("/catalog/producers/", {"name": unique("HTX "), "kind": "cooperative", "province_code": "ha-noi",
                                               "phone": long_phone})
    api = client.api("POST", "/api/v1/producers", {"name": unique("HTX "), "kind": "cooperative",
                                                    "province_code": "ha-noi", "phone": long_phone, "email": "no-at"})
    assert form.status_code == 422 and api.status_code == 422, (form.text[:300], api.text)
    assert "At most 32 characters." in form.text
    assert api.json()["errors"] == {"phone": "At most 32 characters.", "email": "Enter a valid email address."}


def test_the_published_schema_states_the_limits(anonymous):
    schema = anonymous.get("/api/schema/openapi.json").json()["components"]["schemas"]
    producer = next(v for k, v in schema.items() if k.endswith("ProducerIn"))["properties"]
    assert producer["name"]["maxLength"] == 255 and producer["name"]["minLength"] == 1
    assert producer["phone"]["maxLength"] == 32
    movement = next(v for k, v in schema.items() if k.endswith("MovementIn"))["properties"]
    assert movement["quantity"]["maximum"] == 1_000_000
