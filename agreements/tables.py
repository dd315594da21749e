"""Agreements (biên bản hợp tác, biên bản ghi nhớ, hợp đồng) between a buyer and producers, their
lines, milestones, deliveries and attached scans.

Quantities are whole numbers in the line's unit (write 2.5 tonnes as 2,500 kg); money is VND.
"""

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from agreements.enums import AgreementKind, AgreementStatus, Party
from catalog.tables import Buyer, Producer, Product
from fairs.tables import Fair


class AgreementTemplate(Table):
    """A version of the articles of one kind of agreement (a JSON list of [title, body])."""

    id: Serial
    kind = Varchar(length=24, choices=AgreementKind)
    version = Integer()
    articles = Text(default="[]")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Agreement(Table):
    id: Serial
    code = Varchar(length=40, unique=True)
    kind = Varchar(length=24, choices=AgreementKind, default=AgreementKind.memorandum.value)
    fair = ForeignKey(references=Fair, null=True, default=None, index=True)
    place = Varchar(length=255, default="")  # where it was signed, when not at a fair in the system
    signed_on = Date(index=True)
    buyer = ForeignKey(references=Buyer, index=True)
    status = Varchar(length=24, choices=AgreementStatus, default=AgreementStatus.signed.value, index=True)
    valid_from = Date(null=True, default=None)
    valid_until = Date(null=True, default=None, index=True)
    committed_value = BigInt(default=0)  # VND, the sum of its lines
    delivered_value = BigInt(default=0)  # VND, the sum of its deliveries (kept with each delivery)
    notes = Text(default="")
    template = ForeignKey(references=AgreementTemplate, null=True, default=None)  # the articles it was signed with
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AgreementProducer(Table):
    id: Serial
    agreement = ForeignKey(references=Agreement, index=True)
    producer = ForeignKey(references=Producer, index=True)


class Signatory(Table):
    """Who signs for a party: the buyer's representative, one per producer, the organizer as witness."""

    id: Serial
    agreement = ForeignKey(references=Agreement, index=True)
    party = Varchar(length=16, choices=Party)
    producer = ForeignKey(references=Producer, null=True, default=None)  # the producer it signs for
    name = Varchar(length=120)
    title = Varchar(length=120, default="")  # chức vụ
    organisation = Varchar(length=255, default="")
    signed_on = Date(null=True, default=None)  # none: the agreement's signing day


class AgreementLine(Table):
    id: Serial
    agreement = ForeignKey(references=Agreement, index=True)
    producer = ForeignKey(references=Producer, index=True)
    product = ForeignKey(references=Product, index=True)
    quantity = BigInt()
    unit = Varchar(length=32, default="")
    unit_price = BigInt(default=0)  # VND per unit
    value = BigInt(default=0)  # VND
    # Kept with each delivery, so summaries read lines, not every delivery ever made.
    delivered_quantity = BigInt(default=0)
    delivered_value = BigInt(default=0)


class Milestone(Table):
    """A delivery milestone: what is due by when (optionally a quantity of one line)."""

    id: Serial

    agreement = ForeignKey(references=Agreement, index=True)
    due_on = Date(index=True)
    description = Varchar(length=255)
    line = ForeignKey(references=AgreementLine, null=True, default=None)
    quantity = BigInt(null=True, default=None)
    done_on = Date(null=True, default=None)  # the day it was met (by deliveries, or marked by an organizer)


class MilestoneChange(Table):
    """A milestone moved: its date before and after, the day the parties agreed it, and why."""

    id: Serial

    milestone = ForeignKey(references=Milestone, index=True)
    previous_due_on = Date()
    due_on = Date()
    agreed_on = Date()  # from this day on, deliveries are judged against the new date
    reason = Varchar(length=255, default="")
    changed_by = Integer(null=True, default=None)
    changed_at = Timestamptz(default=TimestamptzNow())


class Attachment(Table):
    """A scan or evidence file stored on disk, its type checked from its content."""

    id: Serial

    agreement = ForeignKey(references=Agreement, index=True)
    filename = Varchar(length=255)
    media_type = Varchar(length=64)
    size = Integer()
    sha256 = Varchar(length=64)
    path = Varchar(length=255)  # its stored name (core.uploads)
    uploaded_by = Integer(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class Delivery(Table):
    """Goods delivered (or bought) against a line: the follow-up that measures the agreement."""

    id: Serial

    agreement = ForeignKey(references=Agreement, index=True)
    line = ForeignKey(references=AgreementLine, index=True)
    delivered_on = Date(index=True)
    quantity = BigInt()
    value = BigInt()  # VND
    evidence = ForeignKey(references=Attachment, null=True, default=None)
    over_delivery = Boolean(default=False)  # confirmed on purpose: more than the line had left
    note = Varchar(length=255, default="")
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
    buyer_confirmed_at = Timestamptz(null=True, default=None)  # the buyer's word that it was received
    buyer_note = Varchar(length=255, default="")
