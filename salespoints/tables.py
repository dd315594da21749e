"""Sales points (điểm giới thiệu và bán sản phẩm OCOP), their assortment, and the stock ledger.

`StockMovement` is append-only: never updated or deleted. `StockBalance` is kept in the same
transaction as each movement and can be rebuilt from the ledger (`ocop stock rebuild`).
"""

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from catalog.tables import Producer, Product
from salespoints.enums import CountStatus, MovementKind, PointKind, PointStatus, Policy


class SalesPoint(Table):
    id: Serial
    name = Varchar(length=255)
    kind = Varchar(length=32, choices=PointKind, default=PointKind.showroom.value)
    province_code = Varchar(length=32, index=True)
    commune = Varchar(length=120, default="")
    address = Varchar(length=255, default="")
    # The place before 1 July 2025, as the list the point came from writes it.
    legacy_province = Varchar(length=120, default="")
    legacy_district = Varchar(length=120, default="")
    opening_hours = Varchar(length=120, default="")
    opened_on = Date(null=True, default=None)
    status = Varchar(length=16, choices=PointStatus, default=PointStatus.active.value)
    policy = Varchar(length=32, choices=Policy, default=Policy.strict_ocop.value)
    min_ocop_share = Integer(default=100)  # % of items that must be valid OCOP 3★+ (Quảng Ninh: 70)
    created_at = Timestamptz(default=TimestamptzNow())


class SalesPointManager(Table):
    """A user with the sales-point manager role who may work at this point."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    user = ForeignKey(references=User, index=True)


class AssortmentItem(Table):
    """A product the point carries, its selling price and reorder threshold."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, index=True)
    selling_price = BigInt(default=0)  # VND
    reorder_threshold = Integer(default=0)
    specialty = Boolean(default=False)  # a listed non-OCOP local specialty the policy admits


class StockMovement(Table):
    """One line of the ledger (phiếu nhập / xuất): a signed quantity of a product at a point."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, index=True)
    kind = Varchar(length=24, choices=MovementKind)
    quantity = Integer()
    unit_price = BigInt(default=0)  # VND
    lot_code = Varchar(length=64, default="")
    lot_expiry = Date(null=True, default=None)
    happened_at = Timestamptz(default=TimestamptzNow(), index=True)
    recorded_by = Integer(null=True)
    idempotency_key = Varchar(length=128, null=True, default=None, unique=True)
    corrects = Integer(null=True, default=None)  # the movement this one corrects
    transfer = Varchar(length=64, null=True, default=None, index=True)  # pairs transfer_out/in
    note = Text(default="")
    # Whose goods moved: a producer's id for consigned goods (hàng ký gửi), 0 for the point's own; with
    # the consignment's terms as the lot held them, so a sale says what the point owes for it.
    owner = Integer(default=0)
    commission_bp = Integer(null=True, default=None)  # the point's commission, in hundredths of a per cent
    producer_price = BigInt(null=True, default=None)  # or the price per unit sold owed to the producer (VND)


class StockBalance(Table):
    """On-hand quantity per point × product × lot; always equal to the sum of the ledger."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, index=True)
    lot_code = Varchar(length=64, default="")
    lot_expiry = Date(null=True, default=None)
    quantity = Integer(default=0)
    # A lot is held for one owner at a time: the point itself (0) or the producer who consigned it, on
    # the terms of its latest consignment receipt. Emptied, it may be received again for another owner.
    owner = Integer(default=0)
    commission_bp = Integer(null=True, default=None)
    producer_price = BigInt(null=True, default=None)


class StockCount(Table):
    """Kiểm kê: a stocktake of one point; posting it writes count corrections to the ledger."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    status = Varchar(length=16, choices=CountStatus, default=CountStatus.open.value)
    opened_at = Timestamptz(default=TimestamptzNow())
    opened_by = Integer(null=True)
    posted_at = Timestamptz(null=True, default=None)
    posted_by = Integer(null=True)
    note = Text(default="")


class StockCountLine(Table):
    """What was counted of one product and lot (one line per product and lot in a count)."""

    id: Serial

    count = ForeignKey(references=StockCount, index=True)
    product = ForeignKey(references=Product)
    lot_code = Varchar(length=64, default="")
    counted = Integer()
    booked = Integer(default=0)  # the ledger's quantity when this line was counted


class StockSnapshotRun(Table):
    """A moment at which a point's stock was written down, so "stock as of" starts from it."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    taken_at = Timestamptz()


class StockSnapshot(Table):
    """Stock of one product and lot at a snapshot run (rows with zero are not kept)."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = Integer()
    lot_code = Varchar(length=64, default="")
    taken_at = Timestamptz()
    quantity = Integer(default=0)


class RefusedSale(Table):
    """A sale queued at a counter that the server refused when it was sent (another phone had sold the last
    units, the lot was gone…): kept with the reason until the point's manager records it again or dismisses
    it with a note, so no sale made in front of a customer disappears with a phone's local log."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, null=True)  # the product as queued (the first of its lines)
    product_name = Varchar(length=255, default="")
    kind = Varchar(length=24, choices=MovementKind)
    quantity = Integer()
    lot_code = Varchar(length=64, default="")
    happened_at = Timestamptz(null=True, default=None)  # when the sale was made at the counter
    key = Varchar(length=200, unique=True)  # the queued sale's first idempotency key: reported twice, kept once
    reason = Varchar(length=1000, default="")
    refused_at = Timestamptz(default=TimestamptzNow())
    reported_by = Integer(null=True)
    status = Varchar(length=16, default="open", index=True)  # open, recorded, dismissed
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = Integer(null=True)
    movement = Integer(null=True)  # the movement that recorded it again
    note = Text(default="")


class Settlement(Table):
    """A month's consignment statement (bảng quyết toán hàng ký gửi) of one producer at one point: what of its
    goods sold, came back, left and stayed, and what the point owes it. Compiled again while open; marked paid,
    it is closed for good, and whatever is recorded later for that month appears in a later statement."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    producer = ForeignKey(references=Producer, index=True)
    month = Varchar(length=7)  # "2026-11"
    status = Varchar(length=16, default="open")  # open, paid
    compiled_at = Timestamptz(default=TimestamptzNow())
    received = Integer(default=0)  # units received (receipts and transfers in)
    sold = Integer(default=0)  # units sold, less customers' returns
    sales_value = BigInt(default=0)  # VND, at the prices sold
    commission = BigInt(default=0)  # the point's part of the sales value
    owed = BigInt(default=0)  # to the producer for the statement's sales
    carried = BigInt(default=0)  # of `owed`, for movements of earlier months recorded after their statement
    returned = Integer(default=0)  # units returned to the producer
    other = Integer(default=0)  # units otherwise gone or found (write-offs, counts, transfers out)
    held = Integer(default=0)  # units of the producer's still at the point at the end of the month
    lines = Integer(default=0)
    paid_amount = BigInt(null=True, default=None)
    paid_on = Date(null=True, default=None)
    paid_reference = Varchar(length=120, default="")
    paid_by = Integer(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class SettlementLine(Table):
    """A consigned movement settled by a statement: each belongs to one statement at most."""

    id: Serial

    settlement = ForeignKey(references=Settlement, index=True)
    movement = Integer(unique=True)
