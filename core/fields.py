"""Field rules written once, on the Structs: limits and formats are msgspec `Meta` on each field's type,
so a form, the JSON API and a spreadsheet import refuse the same values, and the API's schema documents
them (maxLength, minimum, pattern). `problems` says, field by field, what a value breaks, in words.

    class ZoneIn(msgspec.Struct):
        code: Annotated[str, fields.filled(16)]
        name: Annotated[str, fields.filled(120)]
        note: Annotated[str, fields.text(255)] = ""
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec
from msgspec import Meta
from msgspec import inspect as types

from core.errors import N_, Msg
from core.ids import MAX_ID

NO_NUL = "^[^\\x00]*$"  # PostgreSQL cannot hold a NUL, and a SQLite file holding one could not move to it
FILLED = "^[^\\x00]*[^\\x00\\s][^\\x00]*$"  # something besides spaces, and no NUL

NOT_ALLOWED = N_("This value contains a character that is not allowed.")
REQUIRED = N_("This field is required.")


def text(max_length: int, **extra: str) -> Meta:
    """Optional text of at most `max_length` characters."""
    return Meta(max_length=max_length, pattern=NO_NUL, extra=extra or None)


def filled(max_length: int, **extra: str) -> Meta:
    """Text that must say something (not only spaces), of at most `max_length` characters."""
    return Meta(min_length=1, max_length=max_length, pattern=FILLED, extra=extra or None)


def message(text: str | None = None, *, too_low: Any = None, too_high: Any = None) -> dict[str, Any]:
    """The words a broken rule gets when the generic ones would not say enough: `Meta(..., extra=message(N_("…")))`;
    the limits of a number or a list may have words of their own."""
    words = {"message": text, "too_low": too_low, "too_high": too_high}
    return {key: value for key, value in words.items() if value is not None}


def email(*, required: bool = False) -> Meta:
    """An e-mail address (something with an @), or nothing when it is not `required`."""
    pattern = "^[^\\x00@]*@[^\\x00]*$"
    return Meta(min_length=1 if required else 0, max_length=255, pattern=pattern if required else f"^$|{pattern}",
                extra=message(N_("Enter a valid email address.")))


EMAIL = email()

MAX_MONEY = 10**12  # đồng: a thousand billion, past any trade this product records
# An amount of money in đồng: prices, values, fees.
Money = Annotated[int, Meta(ge=0, le=MAX_MONEY, extra=message(too_low=N_("The price cannot be negative."),
                                                               too_high=N_("This price is too large.")))]

# A record's id: 32-bit on PostgreSQL (SERIAL); a larger number names no record.
Id = Annotated[int, Meta(gt=0, le=MAX_ID, extra=message(N_("Choose a record from the list.")))]


def problems(data: msgspec.Struct | Mapping[str, Any], struct: type[msgspec.Struct] | None = None, *,
             nested: bool = True) -> dict[str, Msg | str]:
    """What each field of `data` (a Struct, or the mapping a request sent for `struct`) breaks, by field
    name; fields of nested Structs as "lines.0.unit", unless `nested` is False (a caller checking a large
    list's items itself). Empty when every field keeps its rules."""
    struct = struct or type(data)  # type: ignore[assignment]
    if nested and isinstance(data, msgspec.Struct):
        try:  # msgspec checks every rule in C; the walk below, which finds the words, runs only on a refusal
            msgspec.convert(msgspec.to_builtins(data), struct)
            return {}
        except (msgspec.ValidationError, TypeError):
            pass
    found: dict[str, Msg | str] = {}
    _check_struct(data, _info(struct), "", found, nested)
    return found


def is_rule(description: str) -> bool:
    """Whether msgspec's description of a refusal is a broken rule (a limit, a pattern), not a wrong type."""
    return any(mark in description for mark in (" of length ", "matching regex", "` >", "` <"))


@functools.cache
def _pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@functools.cache
def _info(struct: type[msgspec.Struct]) -> types.StructType:
    return types.type_info(struct)  # type: ignore[return-value]


def _check_struct(data: Any, info: types.StructType, prefix: str, found: dict[str, Msg | str], nested: bool) -> None:
    for field in info.fields:
        if isinstance(data, Mapping):
            if field.encode_name not in data:
                continue
            value = data[field.encode_name]
        else:
            value = getattr(data, field.name)
        _check(value, field.type, prefix + field.name, found, nested)


def _words(kind: types.Type) -> tuple[dict, types.Type]:
    """A type's own words (`Meta.extra`) and the type beneath them."""
    return (kind.extra or {}, kind.type) if isinstance(kind, types.Metadata) else ({}, kind)


def _check(value: Any, kind: types.Type, where: str, found: dict[str, Msg | str], nested: bool) -> None:
    extra, kind = _words(kind)
    if isinstance(kind, types.UnionType):  # optional: None keeps every rule
        if value is None:
            return
        extra, kind = _words(next((t for t in kind.types if not isinstance(t, types.NoneType)), kind))
    if isinstance(kind, types.StructType):
        if nested and isinstance(value, msgspec.Struct | Mapping):
            _check_struct(value, kind, where + ".", found, nested)
        return
    if isinstance(kind, types.ListType):
        if isinstance(value, list | tuple):
            if kind.min_length and len(value) < kind.min_length:
                found[where] = extra.get("too_low") or extra.get("message") or REQUIRED
                return
            if kind.max_length is not None and len(value) > kind.max_length:
                found[where] = extra.get("too_high") or extra.get("message") or Msg(N_("At most %(n)s items."),
                                                                                        n=kind.max_length)
                return
            for index, item in enumerate(value if nested else ()):
                _check(item, kind.item_type, f"{where}.{index}", found, nested)
        return
    broken = _broken(value, kind, extra)
    if broken is not None:
        found[where] = extra.get("message") or broken


def _broken(value: Any, kind: types.Type, extra: dict) -> Msg | str | None:
    """The generic words for the rule `value` breaks, or None when it keeps them (or is of another type:
    converting the type is the caller's business)."""
    if isinstance(kind, types.StrType) and isinstance(value, str):
        if "\x00" in value:
            return NOT_ALLOWED if kind.pattern else None
        if (kind.min_length and len(value) < kind.min_length) or (kind.pattern == FILLED and not value.strip()):
            return REQUIRED
        if kind.max_length is not None and len(value) > kind.max_length:
            return Msg(N_("At most %(n)s characters."), n=kind.max_length)
        if kind.pattern and not _pattern(kind.pattern).search(value):
            return N_("This value is not valid.")
        return None
    if isinstance(kind, types.IntType | types.FloatType) and isinstance(value, int | float) and not isinstance(value, bool):
        low = kind.ge if kind.ge is not None else kind.gt
        high = kind.le if kind.le is not None else kind.lt
        too_low = (kind.ge is not None and value < kind.ge) or (kind.gt is not None and value <= kind.gt)
        too_high = (kind.le is not None and value > kind.le) or (kind.lt is not None and value >= kind.lt)
        if not (too_low or too_high):
            return None
        if too_low and "too_low" in extra:
            return extra["too_low"]
        if too_high and "too_high" in extra:
            return extra["too_high"]
        if kind.gt == 0 and (high is None or too_low):
            return N_("Enter a number greater than 0.")
        if high is None:
            return Msg(N_("Enter a number of at least %(low)s."), low=low)
        if low is None or too_high:
            return Msg(N_("Enter a number of at most %(high)s."), high=high)
        return Msg(N_("Enter a number from %(low)s to %(high)s."), low=low, high=high)
    return None
