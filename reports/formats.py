"""How values read in a report, in its language: money, counts, shares, dates, and the labels of codes."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal

from agreements.enums import LABELS as AGREEMENT_LABELS
from catalog import reference
from catalog.enums import LABELS as CATALOG_LABELS
from core import formatting
from core.i18n import LOCALES, current_language
from fairs.enums import LABELS as FAIR_LABELS
from reports.document import Shown
from reports.i18n import gettext
from salespoints.enums import LABELS as SALESPOINT_LABELS

# Keyed by enum and value, dictionary by dictionary: members are str enums, so FairStatus.draft and
# AgreementStatus.draft are equal keys, and one merged dict would keep only one of their labels.
_LABELS: dict[tuple[str, str], str] = {
    (type(member).__name__, member.value): text
    for labels in (CATALOG_LABELS, FAIR_LABELS, AGREEMENT_LABELS, SALESPOINT_LABELS) for member, text in labels}


def label(enum_class: type[enum.Enum], code: str | None) -> str:
    """The translated label of a code of `enum_class` (the code itself when unknown)."""
    if not code:
        return ""
    return gettext(_LABELS.get((enum_class.__name__, code), code))


def vnd(amount: int | None) -> str:
    """1234567 → '1.234.567 ₫' in every language, as the programme writes it (core.formatting.vnd)."""
    return f"{money(amount)}\u00a0₫"  # never a line between the amount and its unit


def money(amount: int | None) -> str:
    """1234567 → '1.234.567' (the column says ₫): Babel's Vietnamese grouping, without Babel's cost per call."""
    amount = int(amount or 0)
    return ("-" if amount < 0 else "") + f"{abs(amount):,}".replace(",", ".")


def number(value: int | float | None) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        grouped = f"{abs(value):,}"
        if current_language.get() == "vi":
            grouped = grouped.replace(",", ".")
        return ("-" if value < 0 else "") + grouped
    return formatting.number(value or 0)


def percent(share: float | None) -> str:
    """0.452 → '45,2 %' (Vietnamese) or '45.2 %'."""
    if share is None:
        return "—"
    return format_decimal(round(share * 100, 1), "0.0", locale=LOCALES[current_language.get()]) + " %"


def date(value: dt.date | None) -> str:
    return formatting.date(value) if value else ""


def stars(value: int | str | None) -> str:
    return f"{value} ★" if value else "—"


def group_name(code: str) -> str:
    group = reference.groups().get(code)
    if group is None:
        return code or gettext("Not stated")
    return group.name_vi if current_language.get() == "vi" else group.name_en


def province_name(code: str) -> str:
    return reference.province_name(code) if code else gettext("Not stated")


def change(current: int, previous: int) -> Shown | str:
    """'+12,5 %' against an earlier figure, the share kept for the .xlsx ('—' when there is nothing to compare)."""
    if not previous:
        return "—"
    share = (current - previous) / previous
    return Shown(share, "percent", ("+" if share >= 0 else "−") + percent(abs(share)))


_HEADLINE: dict[str, Callable[[Any], str]] = {"money": vnd, "int": number, "percent": percent, "date": date}


def shown(value: Any, kind: str) -> Shown:
    """A headline value as the report writes it (money with its unit), kept typed for the .xlsx; a pair
    of values of one kind reads '12 / 32'."""
    write = _HEADLINE[kind]
    text = " / ".join(write(v) for v in value) if isinstance(value, tuple) else write(value)
    return Shown(value, kind, text)
