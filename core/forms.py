"""Turning submitted form fields (all strings) into typed Structs, collecting every field's error."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from core.errors import N_, Msg, ValidationFailed
from core.i18n import current_language

S = TypeVar("S", bound=msgspec.Struct)

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
# A whole number as people type it: 1500, or grouped by thousands with one separator, the one of the
# form's language (Vietnamese 1.500 or 1 500, English 1,500 or 1 500). The other mark is that language's
# decimal point: "1,5" or "0,250" in Vietnamese (and "1.5" in English) are not whole numbers, and
# stripping the mark would make them 15 and 250.
_GROUPING = {"vi": ". ", "en": ", "}


def _whole_number_pattern(language: str) -> re.Pattern:
    marks = re.escape(_GROUPING.get(language, _GROUPING["vi"]))
    return re.compile(rf"[+-]?(?:\d+|[1-9]\d{{0,2}}([{marks}])\d{{3}}(?:\1\d{{3}})*)")


def parse_date(value: Any) -> dt.date:
    """A date from a date object, ISO text or the dd/mm/yyyy Vietnamese offices write."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for date_format in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError(text)


def whole_number(text: Any) -> int:
    """A whole number as typed in the request's language (`_GROUPING`); ValueError for anything else."""
    text = str(text).strip()
    if not _whole_number_pattern(current_language.get()).fullmatch(text):
        raise ValueError(text)
    return int(re.sub(r"[., ]", "", text))


def decimal_number(text: Any) -> float:
    """A number as typed in the request's language, decimals allowed: "2,5" and "1.200,5" in Vietnamese,
    "2.5" and "1,200.5" in English; the other mark is taken as the decimal point when it cannot be a
    thousands mark ("2.5" in Vietnamese). ValueError for anything else."""
    text = str(text).strip().replace(" ", "").replace("\u00a0", "")
    group, point = (".", ",") if current_language.get() == "vi" else (",", ".")
    found = re.fullmatch(rf"([+-]?)(\d{{1,3}}(?:{re.escape(group)}\d{{3}})+|\d+)(?:{re.escape(point)}(\d+))?", text)
    if found:
        sign, whole, fraction = found.group(1), found.group(2).replace(group, ""), found.group(3) or "0"
    elif found := re.fullmatch(r"([+-]?)(\d+)[.,](\d+)", text):
        sign, whole, fraction = found.groups()
    else:
        raise ValueError(text)
    return float(f"{sign}{whole}.{fraction}")


def _message_for(annotation: Any) -> str:
    base = _unwrap_optional(annotation)
    if base is int:
        return N_("Enter a whole number.")
    if base is float:
        return N_("Enter a number.")
    if base is dt.date:
        return N_("Enter a date as dd/mm/yyyy.")
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return N_("Choose one of the listed values.")
    return N_("This value is not valid.")


@functools.cache
def _unwrap_optional(annotation: Any) -> Any:
    """Optional[X] -> X; anything else unchanged."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _convert(value: Any, annotation: Any) -> Any:
    base = _unwrap_optional(annotation)
    optional = base is not annotation
    if isinstance(value, str):
        value = value.strip()
        if value == "" and optional:
            return None
    if base is bool:
        return value in (True, "1", "on", "true", "yes", 1)
    if base is dt.date:
        return parse_date(value)
    if typing.get_origin(base) is list and not isinstance(value, list):
        value = [value]  # a form sends one value for a list with one item
    if base is int and isinstance(value, str):
        return whole_number(value)
    if base is float and isinstance(value, str):
        return decimal_number(value)
    return _typed(value, base)


def _typed(value: Any, annotation: Any) -> Any:
    """`value` converted to `annotation`'s type, Structs within it built by `assemble`."""
    base = _unwrap_optional(annotation)
    if value is None and base is not annotation:
        return None
    if isinstance(base, type) and issubclass(base, msgspec.Struct):
        return assemble(value, base) if isinstance(value, Mapping) else value
    if typing.get_origin(base) is list and isinstance(value, list):
        (item,) = typing.get_args(base)
        return [_typed(v, item) for v in value]
    return msgspec.convert(value, base, strict=False)


def assemble(data: Mapping[str, Any], struct: type[S]) -> S:
    """`struct` built from values of the right types (or convertible: "2026-01-31", "3") without checking its
    field rules (core.fields): the service checks them with all its other rules, so that a form or an
    import is told of every fault at once. A wrong type raises msgspec.ValidationError."""
    hints, _ = _shape(struct)  # the types without their Meta
    return struct(**{field: _typed(data[field], hints[field]) for field in struct.__struct_fields__ if field in data})


@functools.cache
def _shape(struct: type[msgspec.Struct]) -> tuple[dict[str, Any], frozenset[str]]:
    """A Struct's field types and required fields (resolved once: get_type_hints is slow)."""
    fields = struct.__struct_fields__
    optional = fields[len(fields) - len(struct.__struct_defaults__) :]
    return typing.get_type_hints(struct), frozenset(fields) - frozenset(optional)


def parse_struct(data: Mapping[str, Any], struct: type[S]) -> S:
    """Builds `struct` from strings; raises ValidationFailed naming every bad or missing field."""
    hints, required = _shape(struct)
    values: dict[str, Any] = {}
    errors: dict[str, Msg | str] = {}
    for field in struct.__struct_fields__:
        annotation = hints[field]
        if field not in data or (data[field] in ("", None) and _unwrap_optional(annotation) is not bool):
            if field in required:
                errors[field] = N_("This field is required.")
            elif _unwrap_optional(annotation) is bool and field not in data:
                values[field] = False
            continue
        try:
            values[field] = _convert(data[field], annotation)
        except (ValueError, TypeError, msgspec.ValidationError):
            errors[field] = _message_for(annotation)
    if errors:
        raise ValidationFailed(errors)
    return struct(**values)
