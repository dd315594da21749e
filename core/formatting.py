"""Vietnamese formatting through Babel: VND without a minor unit, dd/mm/yyyy, Asia/Ho_Chi_Minh."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from core.i18n import LOCALES, current_language

# The country's one time zone (UTC+7, no daylight saving): dates are Vietnam's days everywhere.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def vietnam_day(moment: dt.datetime) -> dt.date:
    """The Vietnamese calendar day of a stored (aware) moment."""
    return moment.astimezone(VIETNAM).date()


def vnd(amount: int | None) -> str:
    """1234567 → '1.234.567 ₫' (the đồng has no minor unit)."""
    if amount is None:
        return ""
    return format_currency(amount, "VND", format="#,##0 ¤", locale="vi_VN", currency_digits=False)


def number(value: float | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=LOCALES[current_language.get()])


def percent(value: float | None, digits: int = 1) -> str:
    """A percentage (38.25 -> "38,3 %" in Vietnamese, "38.3 %" in English; 100.0 -> "100 %")."""
    if value is None:
        return ""
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=LOCALES[current_language.get()]) + "\u00a0%"


def date(value: dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return _day(value)


@functools.lru_cache(maxsize=4096)
def _day(value: dt.date) -> str:
    # Babel takes microseconds a date; pages print the same few dates (validity, fair days) again and again.
    return format_date(value, "dd/MM/yyyy", locale="vi_VN")


def datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def clock(value: dt.datetime | None) -> str:
    """The time of day in Vietnam, hh:mm (a meeting's start on a day the page already names)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(VIETNAM).strftime("%H:%M")
