"""JSON request bodies read with the types the published schema gives them.

Litestar converts a body to the handler's types in msgspec's lax mode, which takes "5" for 5, 0, 1, "true"
and "1" for booleans, "null" for null and a number of seconds for a moment: the API accepted what its own
schema calls invalid. `refuse_lax_json` converts the body once more in strict mode, before the handler
runs, and refuses what only the lax mode took, naming the field as Litestar does. A number with no
fractional part still counts as an integer (1.0 is 1), as JSON Schema counts it.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException, ValidationException
from litestar.params import BodyKwarg

_WHERE = re.compile(r" - at `\$\.?(.*)`$")
_LARGEST_EXACT = 2**53  # integral floats below this are exact integers


async def refuse_lax_json(request: Request) -> None:
    """Before a handler that reads a JSON body: a ValidationException (400) when the body holds a value of
    another type than the field's, which Litestar's own conversion would have coerced."""
    data = request.route_handler.parsed_data_field
    if data is None or not request.url.path.startswith("/api/"):
        return
    body_kwarg = data.kwarg_definition
    if isinstance(body_kwarg, BodyKwarg) and body_kwarg.media_type != RequestEncodingType.JSON:
        return
    try:
        body = await request.json()  # kept in the request's scope: Litestar reads it from there, not again
    except SerializationException:
        return  # not JSON at all: Litestar refuses it (400) as it reads the body
    dec_hook = request.route_handler.default_deserializer

    def convert(value: Any, strict: bool) -> str | None:
        try:
            msgspec.convert(value, data.annotation, strict=strict, dec_hook=dec_hook, str_keys=True)
        except msgspec.ValidationError as error:
            return str(error)
        return None

    if convert(body, strict=True) is None:
        return
    wrong = convert(_whole_numbers(body), strict=True)
    # Only what the lax mode alone takes: a body refused either way is Litestar's to refuse, with its words
    # (and the field rules' messages, ocop.app._broken_rules).
    if wrong is not None and convert(body, strict=False) is None:
        raise ValidationException(detail=f"Validation failed for {request.method} {request.url.path}", extra=[_problem(wrong)])


def _problem(message: str) -> dict[str, str]:
    """msgspec's "Expected `int`, got `str` - at `$.lines[0].quantity`" as Litestar words a body's error."""
    found = _WHERE.search(message)
    text = message[: found.start()] if found else message
    return {"message": text, "key": found.group(1) if found and found.group(1) else "body", "source": "body"}


def _whole_numbers(value: Any) -> Any:
    """The body with every float that is a whole number as an int, which strict mode takes for a float too."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _LARGEST_EXACT:
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value
