"""What comes in and goes out of the fairs module."""

from __future__ import annotations

import datetime as dt

import msgspec

from fairs.enums import ApplicationStatus, BoothKind, FairKind, FairStatus, FeePolicy, ZoneTheme


class FairIn(msgspec.Struct, kw_only=True):
    name: str
    starts_on: dt.date
    ends_on: dt.date
    kind: FairKind = FairKind.trade_fair
    series: str = ""
    edition: int | None = None
    venue: str = ""
    address: str = ""
    province_code: str = ""
    setup_on: dt.date | None = None
    applications_open_on: dt.date | None = None
    applications_close_on: dt.date | None = None
    min_stars: int = 3
    fee_policy: FeePolicy = FeePolicy.free
    fixed_fee: int = 0
    support_policy: str = ""
    organizers: str = ""
    description: str = ""
    featured_provinces: str = ""


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

    base: float = 100.0
    per_star: float = 20.0
    newcomer: float = 30.0
    featured_province: float = 30.0
    zone_choice: float = 25.0
    same_group_neighbours: float = 4.0
    competitor_neighbours: float = 12.0
    over_province_share: float = 40.0


class ZoneIn(msgspec.Struct, kw_only=True):
    code: str
    name: str
    theme: ZoneTheme = ZoneTheme.general
    theme_value: str = ""


class ZoneOut(ZoneIn, kw_only=True):
    id: int


class GridIn(msgspec.Struct, kw_only=True):
    """A block of booths generated in a zone: rows × columns from a corner, aisles between row pairs."""

    zone_id: int
    rows: int
    columns: int
    x: float = 0.0
    y: float = 0.0
    width: float = 3.0
    depth: float = 3.0
    aisle: float = 3.0
    back_to_back: bool = True
    kind: BoothKind = BoothKind.standard
    amenities: list[str] = []
    price: int = 0
    prefix: str = ""
    first_number: int = 1


class BoothIn(msgspec.Struct, kw_only=True):
    zone_id: int
    code: str
    x: float
    y: float
    width: float = 3.0
    depth: float = 3.0
    kind: BoothKind = BoothKind.standard
    amenities: list[str] = []
    price: int = 0
    blocked: bool = False
    note: str = ""


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
    producer_id: int
    product_ids: list[int]
    booths_wanted: int = 1
    booth_kind: BoothKind = BoothKind.standard
    amenities: list[str] = []
    zone_preferences: list[int] = []
    notes: str = ""


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
    notes: str
    product_ids: list[int]
    products: list[str]
    problems: list[str]  # in the reader's language
    explanation: str  # in the reader's language
    booths: list[str]
    submitted_at: dt.datetime
    checked_in_at: dt.datetime | None = None


class AssignIn(msgspec.Struct, kw_only=True):
    application_id: int
    booth_ids: list[int]
    lock: bool = True


class SwapIn(msgspec.Struct, kw_only=True):
    booth_a: int
    booth_b: int


class AllocationOut(msgspec.Struct, kw_only=True):
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
    visitors: int


class BoothSaleIn(msgspec.Struct, kw_only=True):
    application_id: int
    day: dt.date
    revenue: int
    transactions: int = 0
    notes: str = ""


class DayFigures(msgspec.Struct, kw_only=True):
    day: dt.date
    visitors: int | None
    revenue: int
    transactions: int
    booths_reporting: int
