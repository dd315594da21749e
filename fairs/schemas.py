"""What comes in and goes out of the fairs module."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from core.errors import N_
from core.fields import Id, filled, message, text
from fairs.enums import ApplicationStatus, BoothKind, FairKind, FairStatus, FeePolicy, ZoneTheme

MAX_PRODUCTS = 30  # on one application
MAX_FEE = 10**10  # đồng, for a booth or a fair's fee
MAX_REVENUE = 10**11  # đồng, a booth's sales in a day
LONG_TEXT = 20_000  # a fair's policies and description

Fee = Annotated[int, Meta(ge=0, le=MAX_FEE, extra=message(N_("Enter an amount in đồng, not negative.")))]
Weight = Annotated[float, Meta(ge=0, le=10_000, extra=message(N_("Enter a weight from 0 to 10 000.")))]
Metres = Annotated[float, Meta(ge=0, le=2_000, extra=message(
    N_("Positions are metres from the top-left corner of the plan, from 0 to 2 000.")))]
Side = Annotated[float, Meta(gt=0, le=100, extra=message(N_("A booth is more than 0 and at most 100 m on each side.")))]


class FairIn(msgspec.Struct, kw_only=True):
    name: Annotated[str, filled(255)]
    starts_on: dt.date
    ends_on: dt.date
    kind: FairKind = FairKind.trade_fair
    series: Annotated[str, text(120)] = ""
    edition: Annotated[int, Meta(ge=1, le=9999, extra=message(N_("Enter an edition number from 1.")))] | None = None
    venue: Annotated[str, text(255)] = ""
    address: Annotated[str, text(255)] = ""
    province_code: str = ""
    setup_on: dt.date | None = None
    applications_open_on: dt.date | None = None
    applications_close_on: dt.date | None = None
    min_stars: Annotated[int, Meta(ge=3, le=5, extra=message(N_("OCOP products have 3 to 5 stars.")))] = 3
    fee_policy: FeePolicy = FeePolicy.free
    fixed_fee: Fee = 0
    support_policy: Annotated[str, text(LONG_TEXT)] = ""
    organizers: Annotated[str, text(LONG_TEXT)] = ""
    description: Annotated[str, text(LONG_TEXT)] = ""
    featured_provinces: Annotated[str, text(255)] = ""


class FairOut(FairIn, kw_only=True):
    id: int
    status: FairStatus
    weights: dict
    booths: int = 0
    applications: int = 0
    assigned: int = 0


class StatusIn(msgspec.Struct, kw_only=True):
    status: FairStatus


class WeightsIn(msgspec.Struct, kw_only=True):
    """The allocation weights an organizer may tune for a fair."""

    base: Weight = 100.0
    per_star: Weight = 20.0
    newcomer: Weight = 30.0
    featured_province: Weight = 30.0
    zone_choice: Weight = 25.0
    same_group_neighbours: Weight = 4.0
    competitor_neighbours: Weight = 12.0
    over_province_share: Weight = 40.0


class ZoneIn(msgspec.Struct, kw_only=True):
    code: Annotated[str, filled(16, message=N_("Give the zone a short code (at most 16 characters)."))]
    name: Annotated[str, filled(120, message=N_("Give the zone a name (at most 120 characters)."))]
    theme: ZoneTheme = ZoneTheme.general
    theme_value: Annotated[str, text(120)] = ""
    every_product: bool = False  # a group zone: every product shown of its groups, not only the main group


class ZoneOut(ZoneIn, kw_only=True):
    id: int


class GridIn(msgspec.Struct, kw_only=True):
    """A block of booths generated in a zone: rows × columns from a corner, aisles between row pairs."""

    zone_id: Id
    rows: int
    columns: int
    x: Metres = 0.0
    y: Metres = 0.0
    width: Side = 3.0
    depth: Side = 3.0
    aisle: float = 3.0
    back_to_back: bool = True
    kind: BoothKind = BoothKind.standard
    amenities: list[str] = []
    price: Fee = 0
    prefix: Annotated[str, text(16)] = ""
    first_number: int = 1


class BoothIn(msgspec.Struct, kw_only=True):
    zone_id: Id
    code: Annotated[str, filled(24, message=N_("A booth code has 1 to 24 characters."))]
    x: Metres
    y: Metres
    width: Side = 3.0
    depth: Side = 3.0
    kind: BoothKind = BoothKind.standard
    amenities: list[str] = []
    price: Fee = 0
    blocked: bool = False
    note: Annotated[str, text(255)] = ""


class BoothOut(msgspec.Struct, kw_only=True):
    id: int
    zone_id: int
    code: str
    x: float
    y: float
    width: float
    depth: float
    kind: str
    amenities: list[str]
    price: int
    blocked: bool
    state: str  # free, proposed, confirmed, blocked
    application_id: int | None = None
    exhibitor: str = ""
    locked: bool = False


class FloorPlan(msgspec.Struct, kw_only=True):
    fair_id: int
    width: float
    depth: float
    zones: list[ZoneOut]
    booths: list[BoothOut]


class ApplicationIn(msgspec.Struct, kw_only=True):
    producer_id: Id
    product_ids: Annotated[list[Id], Meta(min_length=1, max_length=MAX_PRODUCTS, extra=message(
        N_("List the products you will show (at most 30).")))]
    booths_wanted: Annotated[int, Meta(ge=1, le=4, extra=message(N_("Ask for 1 to 4 booths.")))] = 1
    booth_kind: BoothKind = BoothKind.standard
    amenities: list[str] = []
    zone_preferences: Annotated[list[Id], Meta(max_length=3, extra=message(N_("Name at most 3 zones, best first.")))] = []
    main_group: Annotated[str, text(32)] = ""  # what themed zones look at; empty: the group of most products
    notes: Annotated[str, text(2000)] = ""


class ApplicationOut(msgspec.Struct, kw_only=True):
    id: int
    fair_id: int
    producer_id: int
    producer_name: str
    province_code: str
    status: ApplicationStatus
    booths_wanted: int
    booth_kind: str
    amenities: list[str]
    zone_preferences: list[int]
    main_group: str  # as declared, or the group of most of its products
    notes: str
    product_ids: list[int]
    products: list[str]
    problems: list[str]  # in the reader's language
    explanation: str  # in the reader's language
    booths: list[str]
    submitted_at: dt.datetime
    checked_in_at: dt.datetime | None = None


class AssignIn(msgspec.Struct, kw_only=True):
    application_id: Id
    booth_ids: Annotated[list[Id], Meta(min_length=1, max_length=4, extra=message(N_("Choose 1 to 4 different booths.")))]
    lock: bool = True


class SwapIn(msgspec.Struct, kw_only=True):
    booth_a: Id
    booth_b: Id


class AllocationOut(msgspec.Struct, kw_only=True):
    """One run's figures. `objective` is the whole plan's score (priority, zone choice, provinces'
    shares and neighbours); no plan can score more than `bound`; `gap` is (bound - objective) /
    objective; `optimal` when that gap is under 0.01 %."""

    fair_id: int
    placed: int
    waitlisted: int
    objective: float
    bound: float
    gap: float
    optimal: bool
    seconds: float
    greedy_objective: float


class VisitorsIn(msgspec.Struct, kw_only=True):
    day: dt.date
    visitors: Annotated[int, Meta(ge=0, le=10_000_000, extra=message(N_("Enter a number of visitors, not negative.")))]


class BoothSaleIn(msgspec.Struct, kw_only=True):
    application_id: Id
    day: dt.date
    revenue: Annotated[int, Meta(ge=0, le=MAX_REVENUE, extra=message(N_("Enter the revenue in đồng, not negative.")))]
    transactions: Annotated[int, Meta(ge=0, le=1_000_000, extra=message(N_("Enter a number of sales, not negative.")))] = 0
    notes: Annotated[str, text(255)] = ""


class DayEntryIn(msgspec.Struct, kw_only=True):
    """One booth's line of a day's grid: no revenue means the booth has not reported (any entry is removed)."""

    application_id: Id
    revenue: Annotated[int, Meta(ge=0, le=MAX_REVENUE, extra=message(N_("Enter the revenue in đồng, not negative.")))] | None = None
    transactions: Annotated[int, Meta(ge=0, le=1_000_000, extra=message(N_("Enter a number of sales, not negative.")))] = 0
    notes: Annotated[str, text(255)] = ""


class DayGridIn(msgspec.Struct, kw_only=True):
    """A whole day at once: its visitors (none: not counted) and every booth's sales."""

    visitors: Annotated[int, Meta(ge=0, le=10_000_000, extra=message(N_("Enter a number of visitors, not negative.")))] | None = None
    entries: Annotated[list[DayEntryIn], Meta(max_length=2_000)] = []


class CheckInIn(msgspec.Struct, kw_only=True):
    """The check-in list as shown: of the applications listed, those ticked have arrived."""

    shown: Annotated[list[Id], Meta(max_length=2_000)] = []
    arrived: Annotated[list[Id], Meta(max_length=2_000)] = []


class DayFigures(msgspec.Struct, kw_only=True):
    day: dt.date
    visitors: int | None
    revenue: int
    transactions: int
    booths_reporting: int
