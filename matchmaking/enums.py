"""Enumerations of the matchmaking module, with their labels for pages."""

import enum

from core.errors import N_


class Side(str, enum.Enum):
    buyer = "buyer"
    producer = "producer"


class Interest(str, enum.Enum):
    """What one side says of meeting the other: "no" from either side excludes the pair."""

    must = "must"
    would = "would"
    no = "no"


class RequestStatus(str, enum.Enum):
    sent = "sent"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"  # unanswered by the organizer's deadline: it no longer holds a slot


class MeetingStatus(str, enum.Enum):
    draft = "draft"  # proposed by the scheduler; moves when it runs again
    confirmed = "confirmed"  # sent to both sides; never moves
    held = "held"
    no_show = "no_show"
    cancelled = "cancelled"


# Meetings that occupy their slot and table.
STANDING = frozenset({MeetingStatus.draft, MeetingStatus.confirmed, MeetingStatus.held, MeetingStatus.no_show})

LABELS = (
    (Side.buyer, N_("Buyer")),
    (Side.producer, N_("Producer")),
    (Interest.must, N_("Must meet")),
    (Interest.would, N_("Would meet")),
    (Interest.no, N_("Not interested")),
    (RequestStatus.sent, N_("Sent")),
    (RequestStatus.accepted, N_("Accepted")),
    (RequestStatus.declined, N_("Declined")),
    (RequestStatus.expired, N_("Expired")),
    (MeetingStatus.draft, N_("Draft")),
    (MeetingStatus.confirmed, N_("Confirmed")),
    (MeetingStatus.held, N_("Held")),
    (MeetingStatus.no_show, N_("No-show")),
    (MeetingStatus.cancelled, N_("Cancelled")),
)
