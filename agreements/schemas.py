"""What comes in and goes out of the agreements module."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from agreements.enums import AgreementKind, AgreementStatus, Party
from agreements.quantities import MAX_QUANTITY
from core.errors import N_, Msg
from core.fields import Id, filled, message, text

MAX_AMOUNT = 10**13  # đồng
MAX_LINES = 200

# A quantity in the line's unit, decimals allowed (2.5 kg); kept in thousandths (agreements.quantities).
Quantity = Annotated[float, Meta(gt=0, le=MAX_QUANTITY, extra=message(N_("Enter a quantity above zero.")))]
Price = Annotated[int, Meta(ge=0, le=MAX_AMOUNT, extra=message(N_("Enter a price in đồng, not negative.")))]
Value = Annotated[int, Meta(ge=0, le=MAX_AMOUNT, extra=message(N_("Enter a value in đồng, not negative.")))]


class LineIn(msgspec.Struct, kw_only=True):
    product_id: Id
    quantity: Quantity
    unit: Annotated[str, text(32)] = ""
    unit_price: Price = 0
    value: Value | None = None  # VND; quantity × unit price when left out


class MilestoneIn(msgspec.Struct, kw_only=True):
    due_on: dt.date
    description: Annotated[str, filled(255, message=N_("Say what is due (at most 255 characters)."))]
    line: int | None = None  # index into the agreement's lines (0-based)
    quantity: Quantity | None = None


class SignatoryIn(msgspec.Struct, kw_only=True):
    party: Party
    name: Annotated[str, filled(120, message=N_("Give the signatory's name (at most 120 characters)."))]
    title: Annotated[str, text(120)] = ""
    organisation: Annotated[str, text(255)] = ""
    producer_id: Id | None = None  # which producer a producer's representative signs for (needed when several)
    signed_on: dt.date | None = None  # none: the agreement's signing day


class AgreementIn(msgspec.Struct, kw_only=True):
    buyer_id: Id
    producer_ids: Annotated[list[Id], Meta(min_length=1, extra=message(too_low=N_("Name at least one producer.")))]
    signed_on: dt.date
    lines: Annotated[list[LineIn], Meta(min_length=1, max_length=MAX_LINES, extra=message(
        too_low=N_("Add at least one line: a product and its quantity."),
        too_high=Msg(N_("At most %(n)s lines."), n=MAX_LINES)))]
    kind: AgreementKind = AgreementKind.memorandum
    code: Annotated[str, text(40)] = ""  # generated when left out
    fair_id: Id | None = None
    place: Annotated[str, text(255)] = ""
    status: AgreementStatus = AgreementStatus.signed
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    milestones: list[MilestoneIn] = []
    signatories: list[SignatoryIn] = []
    notes: Annotated[str, text(5000)] = ""


class LineOut(msgspec.Struct, kw_only=True):
    id: int
    producer_id: int
    producer_name: str
    product_id: int
    product_name: str
    quantity: float
    unit: str
    unit_price: int
    value: int
    delivered_quantity: float
    delivered_value: int
    remaining_quantity: float
    on_time_quantity: float  # in the line's unit
    late_quantity: float
    on_time_value: int = 0
    late_value: int = 0


class MilestoneChangeOut(msgspec.Struct, kw_only=True):
    previous_due_on: dt.date
    due_on: dt.date
    agreed_on: dt.date  # deliveries from this day on are judged against `due_on`
    reason: str


class MilestoneOut(msgspec.Struct, kw_only=True):
    id: int
    due_on: dt.date  # the date in force now
    description: str
    line_id: int | None
    quantity: float | None
    met_on: dt.date | None
    overdue: bool
    late: bool  # met after the date in force on the day it was met
    original_due_on: dt.date | None = None  # set when it was moved
    changes: list[MilestoneChangeOut] = []


class RescheduleIn(msgspec.Struct, kw_only=True):
    """A milestone moved by the parties: its new date, why, and the day they agreed it (today by default)."""

    due_on: dt.date
    reason: Annotated[str, filled(255, message=N_("Say why the date moves (at most 255 characters)."))]
    agreed_on: dt.date | None = None


class DeliveryOut(msgspec.Struct, kw_only=True):
    id: int
    line_id: int
    product_name: str
    delivered_on: dt.date
    quantity: float
    value: int
    over_delivery: bool
    note: str
    evidence_id: int | None
    buyer_confirmed_at: dt.datetime | None = None
    buyer_note: str = ""


class AttachmentOut(msgspec.Struct, kw_only=True):
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class AgreementOut(msgspec.Struct, kw_only=True):
    id: int
    code: str
    kind: AgreementKind
    status: AgreementStatus
    fair_id: int | None
    fair_name: str
    place: str
    signed_on: dt.date
    buyer_id: int
    buyer_name: str
    buyer_kind: str
    buyer_province: str = ""
    fair_province_code: str = ""
    template_id: int | None = None  # the version of its kind's articles it was signed with
    producers: list[dict]
    signatories: list[dict]
    valid_from: dt.date | None
    valid_until: dt.date | None
    committed_value: int
    delivered_value: int
    share: float
    on_time_value: int  # đồng delivered by the dates agreed: units of different lines are never added up
    late_value: int
    overdue_milestones: int
    suggested_status: str | None
    notes: str
    lines: list[LineOut]
    milestones: list[MilestoneOut]
    deliveries: list[DeliveryOut]
    attachments: list[AttachmentOut]


class AgreementRow(msgspec.Struct, kw_only=True):
    """A list row: enough to scan a fair's agreements."""

    id: int
    code: str
    kind: str
    status: AgreementStatus
    signed_on: dt.date
    fair_id: int | None
    buyer_name: str
    producers: str
    committed_value: int
    delivered_value: int
    overdue: bool


class AgreementPage(msgspec.Struct, kw_only=True):
    items: list[AgreementRow]
    total: int
    page: int
    page_size: int


class AgreementFilter(msgspec.Struct, kw_only=True):
    fair_id: int | None = None
    signed_at_no_fair: bool = False  # only those signed elsewhere (the ceremony page without a fair)
    buyer_id: int | None = None
    producer_id: int | None = None
    province_code: str = ""
    status: str = ""
    overdue: bool = False
    q: str = ""
    page: int = 1
    page_size: int = 50


class DeliveryIn(msgspec.Struct, kw_only=True):
    line_id: Id
    delivered_on: dt.date
    quantity: Quantity
    value: Value | None = None  # VND; quantity × the line's unit price when left out
    over_delivery: bool = False  # confirms a delivery beyond what the line has left
    note: Annotated[str, text(255)] = ""
    evidence_id: Id | None = None


class StatusIn(msgspec.Struct, kw_only=True):
    status: AgreementStatus


class FairSummary(msgspec.Struct, kw_only=True):
    fair_id: int | None
    agreements: int
    committed_value: int
    delivered_value: int
    with_deliveries: int
    overdue: int
    by_buyer_kind: list[dict]
    by_status: list[dict]
    top_buyers: list[dict]
    top_producers: list[dict]
