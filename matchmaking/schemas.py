"""What comes in and goes out of the matchmaking module."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from agreements.enums import AgreementKind, AgreementStatus
from agreements.schemas import MAX_LINES, LineIn, MilestoneIn, SignatoryIn
from core.errors import N_, Msg
from core.fields import Id, Money, message, text
from matchmaking.enums import Interest, MeetingStatus, Side

MAX_SLOTS = 64
# What a participant's e-mails, printed schedule and calendar are written in.
Language = Annotated[str, Meta(pattern="^(vi|en)$", extra=message(N_("Choose one of the listed values.")))]
MAX_TABLES = 1_000
MAX_QUOTA = 64
Quota = Annotated[int, Meta(ge=0, le=MAX_QUOTA, extra=message(N_("A quota is between 0 and 64 meetings.")))]
Clock = Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", extra=message(N_("A time is written as hh:mm, e.g. 08:30.")))]


class SessionIn(msgspec.Struct, kw_only=True):
    """A run of back-to-back meetings: its first start and how many slots."""

    starts: Clock
    slots: Annotated[int, Meta(ge=1, le=MAX_SLOTS, extra=message(N_("A session has 1 to 64 slots.")))]


class RoomIn(msgspec.Struct, kw_only=True):
    """The meeting room of a conference: its tables, the length of a meeting, the sessions of the day."""

    day: dt.date
    tables: Annotated[int, Meta(ge=1, le=MAX_TABLES, extra=message(N_("Between 1 and 1,000 tables.")))]
    meeting_minutes: Annotated[int, Meta(ge=5, le=240, extra=message(N_("A meeting lasts 5 to 240 minutes.")))] = 20
    sessions: Annotated[list[SessionIn], Meta(min_length=1, max_length=8, extra=message(
        too_low=N_("Add at least one session."), too_high=N_("At most 8 sessions.")))]
    requests_close_at: dt.datetime | None = None


class SlotOut(msgspec.Struct, kw_only=True):
    number: int
    starts_at: dt.datetime


class RoomOut(msgspec.Struct, kw_only=True):
    fair_id: int
    tables: int
    meeting_minutes: int
    requests_close_at: dt.datetime | None
    slots: list[SlotOut]


Slot = Annotated[int, Meta(ge=0, lt=MAX_SLOTS, extra=message(N_("Choose a time slot of the conference.")))]
Stars = Annotated[int, Meta(ge=3, le=5, extra=message(N_("OCOP stars are 3, 4 or 5.")))]


class OwnNeedsIn(msgspec.Struct, kw_only=True):
    """What a participant says of itself (through its own link, or the organizer for it): the slots it attends, a
    buyer's needs, a producer's offer. Its side, party and quota are the organizer's."""

    available: list[Slot] = []  # empty: every slot
    groups: list[Annotated[str, text(32)]] = []
    subgroups: list[Annotated[str, text(40)]] = []
    min_stars: Stars | None = None
    provinces: list[Annotated[str, text(32)]] = []
    price_min: Money | None = None
    price_max: Money | None = None
    volume: Annotated[str, text(255)] = ""
    product_ids: list[Id] = []
    capacity: Annotated[str, text(255)] = ""
    min_order: Annotated[str, text(255)] = ""
    notes: Annotated[str, text(2000)] = ""
    language: Language = "vi"


class ParticipantIn(OwnNeedsIn, kw_only=True):
    """A buyer's registration with its needs, or a producer's with the products it offers: what it says of itself,
    and its side, party and quota."""

    side: Side
    buyer_id: Id | None = None
    producer_id: Id | None = None
    quota: Quota = 8


class NeedsForm(OwnNeedsIn, kw_only=True):
    """The organizer's form of a registration: what the participant says, and its quota."""

    quota: Quota = 8


class PlaceIn(msgspec.Struct, kw_only=True):
    """Where a meeting goes: a time slot and a table."""

    slot: Slot
    table: Annotated[int, Meta(ge=1, le=MAX_TABLES, extra=message(N_("Choose a table of the room.")))]


class ExtraMeetingIn(PlaceIn, kw_only=True):
    """A meeting the organizer adds by hand in a free slot and table."""

    buyer: Id  # the buyer's participant id
    producer: Id  # the producer's participant id


class SwapIn(msgspec.Struct, kw_only=True):
    other: Id  # the meeting to exchange slots and tables with


class ParticipantOut(msgspec.Struct, kw_only=True):
    id: int
    fair_id: int
    side: str
    buyer_id: int | None
    producer_id: int | None
    name: str
    province_code: str
    quota: int
    available: list[int]
    groups: list[str]
    subgroups: list[str]
    min_stars: int | None
    provinces: list[str]
    price_min: int | None
    price_max: int | None
    volume: str
    product_ids: list[int]
    capacity: str
    min_order: str
    notes: str
    arrived: bool
    language: str = "vi"


class InterestIn(msgspec.Struct, kw_only=True):
    """What one side says of meeting the other."""

    buyer: Id  # the buyer's participant id
    producer: Id  # the producer's participant id
    side: Side
    says: Interest


class MatchOut(msgspec.Struct, kw_only=True):
    buyer: int
    producer: int
    buyer_name: str
    producer_name: str
    score: int
    reasons: list[str]
    buyer_says: str
    producer_says: str
    request: str  # the latest request's status, "" when none
    value: int  # what the schedule counts it for; 0: excluded


class RequestIn(msgspec.Struct, kw_only=True):
    buyer: Id
    producer: Id
    asked_by: Side


class AnswerIn(msgspec.Struct, kw_only=True):
    accept: bool


class RequestOut(msgspec.Struct, kw_only=True):
    id: int
    buyer: int
    producer: int
    buyer_name: str
    producer_name: str
    asked_by: str
    status: str
    sent_at: dt.datetime
    answered_at: dt.datetime | None


class MeetingOut(msgspec.Struct, kw_only=True):
    id: int
    buyer: int
    producer: int
    buyer_name: str
    producer_name: str
    slot: int
    starts_at: dt.datetime | None
    table_number: int
    status: str
    value: int
    agreement_id: int | None


class MarkIn(msgspec.Struct, kw_only=True):
    status: MeetingStatus


class ScheduleOut(msgspec.Struct, kw_only=True):
    meetings: int
    value: int
    bound: int
    gap: float
    seconds: float
    unscheduled: list[dict]


class FunnelOut(msgspec.Struct, kw_only=True):
    """What the conference's meetings turned into."""

    participants: int
    requests: int
    accepted: int
    scheduled: int
    held: int
    no_shows: int
    agreements: int
    agreements_per_meeting_held: float
    committed_value: int
    delivered_value: int
    by_buyer_kind: list[dict]
    by_province: list[dict]
    by_group: list[dict]


class MeetingAgreementIn(msgspec.Struct, kw_only=True):
    """The agreement a meeting produced: its parties and conference are the meeting's, the rest as signed."""

    signed_on: dt.date
    lines: Annotated[list[LineIn], Meta(min_length=1, max_length=MAX_LINES, extra=message(
        too_low=N_("Add at least one line: a product and its quantity."),
        too_high=Msg(N_("At most %(n)s lines."), n=MAX_LINES)))]
    kind: AgreementKind = AgreementKind.memorandum
    status: AgreementStatus = AgreementStatus.signed
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    milestones: list[MilestoneIn] = []
    signatories: list[SignatoryIn] = []
    notes: Annotated[str, text(5000)] = ""


class RoomForm(msgspec.Struct, kw_only=True):
    """The room as the page's form sets it: a morning and an afternoon session (0 slots: none)."""

    day: dt.date
    tables: Annotated[int, Meta(ge=1, le=MAX_TABLES, extra=message(N_("Between 1 and 1,000 tables.")))]
    meeting_minutes: Annotated[int, Meta(ge=5, le=240, extra=message(N_("A meeting lasts 5 to 240 minutes.")))] = 20
    morning_starts: Clock = "08:30"
    morning_slots: Annotated[int, Meta(ge=0, le=MAX_SLOTS, extra=message(N_("A session has 1 to 64 slots.")))] = 0
    afternoon_starts: Clock = "13:30"
    afternoon_slots: Annotated[int, Meta(ge=0, le=MAX_SLOTS, extra=message(N_("A session has 1 to 64 slots.")))] = 0


class RegistrationForm(msgspec.Struct, kw_only=True):
    side: Side
    party_id: Id
    quota: Quota = 8
    min_stars: Annotated[int, Meta(ge=3, le=5, extra=message(N_("OCOP stars are 3, 4 or 5.")))] | None = None


class MeetingAgreementForm(msgspec.Struct, kw_only=True):
    """The page's form: the agreement and its first line."""

    signed_on: dt.date
    kind: AgreementKind = AgreementKind.memorandum
    product_id: Id
    quantity: Annotated[float, Meta(gt=0, le=1e12, extra=message(N_("Enter a quantity above zero.")))]
    unit: Annotated[str, text(32)] = ""
    unit_price: Money = 0
