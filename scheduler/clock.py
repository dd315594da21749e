"""The scheduler's clock: real time, or a time a test sets (in process by `set_now`, or for a
subprocess by OCOP_NOW, from which its time runs on)."""

from __future__ import annotations

import datetime as dt
import os

from core.formatting import VIETNAM

_fixed: dt.datetime | None = None
_started = dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The current moment, in UTC (SQLite compares stored times as text: one zone for all)."""
    if _fixed is not None:
        return _fixed.astimezone(dt.UTC)
    real = dt.datetime.now(dt.UTC)
    forced = os.environ.get("OCOP_NOW")
    if forced:  # the process starts at that moment, and time runs on from there
        moment = dt.datetime.fromisoformat(forced)
        start = (moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)).astimezone(dt.UTC)
        return start + (real - _started)
    return real


def local_now() -> dt.datetime:
    return now().astimezone(VIETNAM)


def today() -> dt.date:
    """Today in Vietnam, the day every rule counts from."""
    return local_now().date()


def set_now(moment: dt.datetime | None) -> None:
    """Fixes the clock (None: back to real time). For tests."""
    global _fixed
    _fixed = moment
