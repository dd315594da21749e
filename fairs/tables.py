"""Fairs (hội chợ, tuần hàng, hội nghị kết nối), their floor plans, applications, booth assignments
and what happened on each day.

One booth, one exhibitor: `BoothAssignment.booth` is unique in the database, so two concurrent
edits can never give a booth twice.
"""

from piccolo.columns import JSON, BigInt, Boolean, Date, Float, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from catalog.tables import Producer, Product
from fairs.enums import ApplicationStatus, AssignmentState, BoothKind, FairKind, FairStatus, FeePolicy, ZoneTheme


class Fair(Table):
    id: Serial
    name = Varchar(length=255)
    kind = Varchar(length=32, choices=FairKind, default=FairKind.trade_fair.value)
    series = Varchar(length=120, default="", index=True)  # editions of one event share it
    edition = Integer(null=True, default=None)
    venue = Varchar(length=255, default="")
    address = Varchar(length=255, default="")
    province_code = Varchar(length=32, default="")
    starts_on = Date()
    ends_on = Date()
    setup_on = Date(null=True, default=None)
    applications_open_on = Date(null=True, default=None)
    applications_close_on = Date(null=True, default=None)
    min_stars = Integer(default=3)
    fee_policy = Varchar(length=16, choices=FeePolicy, default=FeePolicy.free.value)
    fixed_fee = BigInt(default=0)  # VND per booth
    support_policy = Text(default="")
    organizers = Text(default="")  # organizing units, one per line
    description = Text(default="")
    status = Varchar(length=16, choices=FairStatus, default=FairStatus.draft.value, index=True)
    weights = JSON(default="{}")  # the allocation weights the organizer tuned
    featured_provinces = Varchar(length=255, default="")  # comma-separated province codes
    created_at = Timestamptz(default=TimestamptzNow())


class Zone(Table):
    """A zone (khu) of the floor plan with its theme."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    code = Varchar(length=16)
    name = Varchar(length=120)
    theme = Varchar(length=16, choices=ZoneTheme, default=ZoneTheme.general.value)
    theme_value = Varchar(length=120, default="")  # OCOP group codes (comma-separated) or a province code
    # A group zone takes an exhibitor by its main group; this asks that every product shown be of its groups.
    every_product = Boolean(default=False)


class Booth(Table):
    """A booth (gian hàng): position and size in metres on the plan."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    zone = ForeignKey(references=Zone, index=True)
    code = Varchar(length=24)
    x = Float()
    y = Float()
    width = Float(default=3.0)
    depth = Float(default=3.0)
    kind = Varchar(length=16, choices=BoothKind, default=BoothKind.standard.value)
    amenities = Varchar(length=64, default="")  # comma-separated Amenity values
    price = BigInt(default=0)  # VND
    blocked = Boolean(default=False)
    note = Varchar(length=255, default="")


class Application(Table):
    """A producer's application (đăng ký tham gia) for booths at a fair."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    producer = ForeignKey(references=Producer, index=True)
    status = Varchar(length=16, choices=ApplicationStatus, default=ApplicationStatus.submitted.value, index=True)
    booths_wanted = Integer(default=1)
    booth_kind = Varchar(length=16, choices=BoothKind, default=BoothKind.standard.value)
    amenities = Varchar(length=64, default="")
    zone_preferences = Varchar(length=120, default="")  # zone ids, best first
    main_group = Varchar(length=32, default="")  # declared; empty: the group of most of its products
    notes = Text(default="")
    problems = JSON(default="[]")  # why it is ineligible, as messages with their parameters
    explanation = JSON(default="{}")  # the allocation's reason for what it got
    submitted_at = Timestamptz(default=TimestamptzNow())
    submitted_by = ForeignKey(references=User, null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)


class ApplicationProduct(Table):
    id: Serial
    application = ForeignKey(references=Application, index=True)
    product = ForeignKey(references=Product, index=True)


class BoothAssignment(Table):
    """Which application holds a booth; unique per booth."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    booth = ForeignKey(references=Booth, unique=True)
    application = ForeignKey(references=Application, index=True)
    state = Varchar(length=16, choices=AssignmentState, default=AssignmentState.proposed.value)
    locked = Boolean(default=False)
    assigned_at = Timestamptz(default=TimestamptzNow())
    assigned_by = Integer(null=True, default=None)


class AllocationRun(Table):
    """One run of the allocation engine: its figures, for the organizer and the record."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    ran_at = Timestamptz(default=TimestamptzNow())
    ran_by = Integer(null=True, default=None)
    objective = Float()
    bound = Float()
    gap = Float()
    optimal = Boolean()
    seconds = Float()
    greedy_objective = Float()
    placed = Integer()
    waitlisted = Integer()


class VisitorCount(Table):
    id: Serial
    fair = ForeignKey(references=Fair, index=True)
    day = Date()
    visitors = Integer()
    recorded_by = Integer(null=True, default=None)


class BoothSale(Table):
    """An exhibitor's sales on one day of the fair."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    application = ForeignKey(references=Application, index=True)
    day = Date()
    revenue = BigInt()  # VND
    transactions = Integer(default=0)
    notes = Varchar(length=255, default="")
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
