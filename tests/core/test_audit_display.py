"""A record's history in words: values keep their kind, so a phone number that Python's date reader
would also accept stays a phone number."""

from __future__ import annotations

import json

from core.i18n import gettext
from ocop.audit_display import changes


def _shown(after: dict, before: dict | None = None) -> dict[str, str]:
    entry = {"after": json.dumps(after), "before": json.dumps(before) if before is not None else None}
    return dict(changes(entry, label=str))


def test_a_phone_number_that_reads_as_a_date_stays_a_phone_number():
    assert _shown({"phone": "0994060593"})[gettext("Phone")] == "0994060593"


def test_stored_dates_are_written_day_first():
    assert _shown({"signed_on": "2026-03-09"})[gettext("Signed on")] == "09/03/2026"


def test_an_update_shows_only_what_changed():
    assert _shown({"phone": "0912", "name": "A"}, {"phone": "0912", "name": "B"}) == {gettext("Name"): "A"}
