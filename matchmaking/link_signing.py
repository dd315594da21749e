"""The signed link that opens a participant's own page without an account: made for one participant, good until
two weeks after its conference ends."""

from __future__ import annotations

import datetime as dt

from core import signed_links
from core.formatting import VIETNAM

LINK_PURPOSE = "meeting-participant"
LINK_DAYS_AFTER = 14


def participant_path(participant_id: int, ends_on: dt.date) -> str:
    return f"/meet/{signed_links.sign(LINK_PURPOSE, participant_id, ends_on + dt.timedelta(days=LINK_DAYS_AFTER))}"


def participant_of(token: str) -> int:
    """The participant a link was made for; Forbidden when altered, made for another page, or past its day."""
    return signed_links.read(LINK_PURPOSE, token, dt.datetime.now(VIETNAM).date())
