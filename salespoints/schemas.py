"""What comes in and goes out of the sales-point module."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from core.errors import N_, Msg
from core.fields import NO_NUL, Id, Money, filled, message, text
from core.ids import MAX_ID
from salespoints.enums import MovementKind, PointKind, Policy

MAX_BATCH = 10_000
MAX_COUNT_LINES = 5_000  # lines saved at once from a count sheet
MAX_KEY = 80  # what a client may send; the stored key adds the point and the user
MAX_QUANTITY = 1_000_000

TOO_LARGE = N_("This quantity is too large.")
Percent = Annotated[float, Meta(ge=0, le=100, extra=message(N_("A share is between 0 and 100 %.")))]
# A product of the point's assortment: an id past any record's is not one either.
Carried = Annotated[int, Meta(gt=0, le=MAX_ID, extra=message(N_("This product is not in the point's assortment.")))]
Lot = Annotated[str, text(64)]
IdempotencyKey = Annotated[str, Meta(min_length=1, max_length=MAX_KEY, pattern=NO_NUL, extra=message(
    Msg(N_("An idempotency key has 1–%(n)s characters."), n=MAX_KEY)))]


class SalesPointIn(msgspec.Struct, kw_only=True):
    name: Annotated[str, filled(255)]
    province_code: str = ""  # "": the source does not say
    kind: PointKind = PointKind.showroom
    commune: Annotated[str, text(120)] = ""
    address: Annotated[str, text(255)] = ""
    legacy_province: Annotated[str, text(120)] = ""
    legacy_district: Annotated[str, text(120)] = ""
    opening_hours: Annotated[str, text(120)] = ""
    opened_on: dt.date | None = None
    policy: Policy = Policy.strict_ocop
    min_ocop_share: Annotated[int, Meta(ge=0, le=100, extra=message(N_("A share is between 0 and 100 %.")))] = 100


class SalesPointOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    province_code: str
    province_name: str
    commune: str
    address: str
    legacy_province: str
    legacy_district: str
    opening_hours: str
    opened_on: dt.date | None
    status: str
    policy: str
    min_ocop_share: int


Threshold = Annotated[int, Meta(ge=0, le=MAX_QUANTITY, extra=message(
    too_low=N_("The threshold cannot be negative."), too_high=TOO_LARGE))]


class AssortmentIn(msgspec.Struct, kw_only=True):
    selling_price: Money = 0
    reorder_threshold: Threshold = 0
    specialty: bool = False


class AssortmentItemIn(msgspec.Struct, kw_only=True):
    """The point page's range form: a product and its terms at the point (the price must be typed)."""

    product_id: Id
    selling_price: Money
    reorder_threshold: Threshold = 0
    specialty: bool = False

    def terms(self) -> AssortmentIn:
        return AssortmentIn(selling_price=self.selling_price, reorder_threshold=self.reorder_threshold,
                            specialty=self.specialty)


class ManagerIn(msgspec.Struct, kw_only=True):
    user_id: Id


class MovementIn(msgspec.Struct, kw_only=True):
    """A movement as the counter enters it: the quantity is positive, the kind gives the direction
    (adjustments and count corrections carry their own sign)."""

    product_id: Carried
    kind: MovementKind
    quantity: Annotated[int, Meta(ge=-MAX_QUANTITY, le=MAX_QUANTITY, extra=message(TOO_LARGE))]
    unit_price: Money | None = None
    lot_code: Lot = ""
    lot_expiry: dt.date | None = None
    happened_at: dt.datetime | None = None
    corrects: Annotated[int, Meta(gt=0, le=MAX_ID, extra=message(N_("This movement does not exist.")))] | None = None
    note: Annotated[str, text(2000)] = ""
    idempotency_key: IdempotencyKey | None = None
    # A receipt of goods the producer consigns (ký gửi): they stay the producer's until sold, and the point
    # owes it for each unit sold, less its commission (or the producer's price per unit, when so agreed).
    # Without either, the terms of the producer's last consignment of the product at the point apply.
    consigned: bool = False
    commission_percent: Percent | None = None
    producer_price: Money | None = None


class BatchIn(msgspec.Struct, kw_only=True):
    movements: Annotated[list[MovementIn], Meta(min_length=1, max_length=MAX_BATCH, extra=message(
        too_low=N_("The batch is empty."), too_high=Msg(N_("At most %(n)s movements in one batch."), n=MAX_BATCH)))]


class TransferIn(msgspec.Struct, kw_only=True):
    to_point_id: Annotated[int, Meta(gt=0, le=MAX_ID, extra=message(N_("This sales point does not exist.")))]
    product_id: Carried
    quantity: Annotated[int, Meta(gt=0, le=MAX_QUANTITY, extra=message(
        N_("Enter a positive quantity: the kind of movement gives its direction.")))]
    lot_code: Lot = ""
    note: Annotated[str, text(2000)] = ""


class MovementResult(msgspec.Struct, kw_only=True):
    movement_ids: list[int]
    balances: list[int]
    replayed: bool


class BalanceOut(msgspec.Struct, kw_only=True):
    product_id: int
    product_name: str
    lot_code: str
    lot_expiry: dt.date | None
    quantity: int
    reorder_threshold: int
    selling_price: int
    low: bool
    owner: int = 0  # the producer who consigned the lot; 0: the point's own goods


class MovementOut(msgspec.Struct, kw_only=True):
    id: int
    product_id: int
    product_name: str
    kind: str
    quantity: int
    unit_price: int
    lot_code: str
    happened_at: dt.datetime
    recorded_by: int | None
    corrects: int | None
    transfer: str | None
    note: str
    owner: int = 0  # whose goods moved: a producer's id for consigned goods, 0 for the point's own


class CountLineIn(msgspec.Struct, kw_only=True):
    product_id: Carried
    counted: Annotated[int, Meta(ge=0, le=MAX_QUANTITY, extra=message(
        too_low=N_("A counted quantity cannot be negative."), too_high=TOO_LARGE))]
    lot_code: Lot = ""


class CountRow(msgspec.Struct, kw_only=True):
    product_id: int
    product_name: str
    lot_code: str
    booked: int
    counted: int | None
    difference: int | None


class CountSheet(msgspec.Struct, kw_only=True):
    id: int
    point_id: int
    status: str
    opened_at: dt.datetime
    rows: list[CountRow]


class RefusedSaleIn(msgspec.Struct, kw_only=True):
    """A sale queued at the counter and refused when it was sent, as the counter reports it: its lines as
    queued (the first line's idempotency key names it), the product as shown, and the reason given."""

    movements: Annotated[list[MovementIn], Meta(min_length=1, max_length=50, extra=message(
        too_low=N_("The batch is empty."), too_high=Msg(N_("At most %(n)s movements in one batch."), n=50)))]
    name: Annotated[str, text(255)] = ""
    reason: Annotated[str, text(1000)] = ""


class RefusedSaleOut(msgspec.Struct, kw_only=True):
    id: int
    point_id: int
    product_id: int | None
    product_name: str
    kind: MovementKind
    quantity: int
    lot_code: str
    happened_at: dt.datetime | None
    reason: str
    refused_at: dt.datetime
    status: str
    movement_id: int | None
    note: str


class PaymentIn(msgspec.Struct, kw_only=True):
    """The point's payment of a statement: closes it."""

    amount: Money
    paid_on: dt.date
    reference: Annotated[str, text(120)] = ""


class SettlementOut(msgspec.Struct, kw_only=True):
    """A producer's monthly consignment statement at a point (money in VND, quantities in units)."""

    id: int
    point_id: int
    point_name: str
    producer_id: int
    producer_name: str
    month: str
    status: str  # open (compiled again on demand) or paid (closed)
    received: int
    sold: int
    sales_value: int
    commission: int
    owed: int
    carried: int  # of `owed`, for movements of earlier months recorded after their statement was closed
    returned: int
    other: int
    held: int
    lines: int
    paid_amount: int | None
    paid_on: dt.date | None
    paid_reference: str
    compiled_at: dt.datetime
    closed_at: dt.datetime | None
