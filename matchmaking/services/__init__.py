"""Connection conferences: the meeting room, registrations with needs and offers, matches and what each side
says of them, meeting requests, the schedule, the day's marks, and the funnel from meeting to delivered trade.

Organizers (and admins) change everything here; staff who read (viewers) read it. Every change is audited.

The rooms: common, room, registrations, requests, meetings, funnel, schedule, by_hand."""

from matchmaking.services.by_hand import add_meeting, move_meeting, swap_meetings
from matchmaking.services.common import ORGANIZERS, READERS, conference, ensure_organizer, ensure_reader
from matchmaking.services.funnel import funnel
from matchmaking.services.meetings import (
    agreement_from_meeting,
    confirm_drafts,
    mark,
    meeting,
    meetings,
    notify_schedules,
    participant_calendar,
    record_mark,
)
from matchmaking.services.registrations import (
    certified_products,
    check_in,
    own_products,
    participant,
    participants,
    party_options,
    product_names,
    register,
    save_registration,
)
from matchmaking.services.requests import (
    answer_request,
    expire_requests,
    make_request,
    matches,
    record_answer,
    requests,
    requests_closed,
    save_interest,
    send_request,
    set_interest,
)
from matchmaking.services.room import room, set_room
from matchmaking.services.schedule import fit_late, run_schedule

__all__ = [
    "ORGANIZERS",
    "READERS",
    "add_meeting",
    "agreement_from_meeting",
    "answer_request",
    "certified_products",
    "check_in",
    "conference",
    "confirm_drafts",
    "ensure_organizer",
    "ensure_reader",
    "expire_requests",
    "fit_late",
    "funnel",
    "make_request",
    "mark",
    "matches",
    "meeting",
    "meetings",
    "move_meeting",
    "notify_schedules",
    "own_products",
    "participant",
    "participant_calendar",
    "participants",
    "party_options",
    "product_names",
    "record_answer",
    "record_mark",
    "register",
    "requests",
    "requests_closed",
    "room",
    "run_schedule",
    "save_interest",
    "save_registration",
    "send_request",
    "set_interest",
    "set_room",
    "swap_meetings",
]
