"""Connection conferences (hội nghị kết nối giao thương): who comes to meet whom, and the meetings.

A conference is a fair of the connection-conference kind (fairs.Fair); its matchmaking adds the meeting room
(tables and time slots), the participants with their needs (a buyer) or offers (a producer), what each side
says of meeting the other, the requests between them, and the scheduled meetings, each of which may become
an agreement (agreements.Agreement keeps no link back: the meeting holds it).
"""

from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from agreements.tables import Agreement
from catalog.tables import Buyer, Producer, Product
from fairs.tables import Fair
from matchmaking.enums import Interest, MeetingStatus, RequestStatus, Side


class MeetingRoom(Table):
    """The conference's meeting room: how many tables, how long a meeting, until when requests are answered."""

    id: Serial

    fair = ForeignKey(references=Fair, unique=True)
    tables = Integer(default=20)
    meeting_minutes = Integer(default=20)
    requests_close_at = Timestamptz(null=True, default=None)  # unanswered requests expire then


class MeetingSlot(Table):
    """A time slot of the conference, numbered from 0 in time order."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    number = Integer()
    starts_at = Timestamptz()


class Participant(Table):
    """A buyer or a producer registered for the conference, with its needs or its offer, its quota of meetings and
    the slots it can attend (none listed: all)."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    side = Varchar(length=16, choices=Side)
    buyer = ForeignKey(references=Buyer, null=True, default=None, index=True)
    producer = ForeignKey(references=Producer, null=True, default=None, index=True)
    quota = Integer(default=8)
    available = Text(default="")  # slot numbers, comma-separated; empty: every slot
    # A buyer's needs (empty or none: no preference stated).
    groups = Text(default="")  # OCOP group codes, comma-separated
    subgroups = Text(default="")  # product sets (OCOP subgroup codes), comma-separated
    min_stars = Integer(null=True, default=None)
    provinces = Text(default="")  # province codes, comma-separated
    price_min = BigInt(null=True, default=None)  # VND per unit
    price_max = BigInt(null=True, default=None)
    volume = Varchar(length=255, default="")  # as the buyer words it ("2 tấn/tháng")
    # A producer's offer besides its products (Offer rows).
    capacity = Varchar(length=255, default="")
    min_order = Varchar(length=255, default="")
    notes = Text(default="")
    language = Varchar(length=8, default="vi")  # what its e-mails and printed schedule are written in
    arrived_at = Timestamptz(null=True, default=None)  # checked in on the day
    created_at = Timestamptz(default=TimestamptzNow())


class Offer(Table):
    """A product a producer offers at the conference."""

    id: Serial

    participant = ForeignKey(references=Participant, index=True)
    product = ForeignKey(references=Product, index=True)


class PairInterest(Table):
    """What each side says of meeting the other ("" while it has not said)."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    buyer = ForeignKey(references=Participant, index=True)
    producer = ForeignKey(references=Participant, index=True)
    buyer_says = Varchar(length=8, choices=Interest, default="")
    producer_says = Varchar(length=8, choices=Interest, default="")


class MeetingRequest(Table):
    """One side asks the other for a meeting; accepted, it weighs most in the schedule."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    buyer = ForeignKey(references=Participant, index=True)
    producer = ForeignKey(references=Participant, index=True)
    asked_by = Varchar(length=16, choices=Side)
    status = Varchar(length=16, choices=RequestStatus, default=RequestStatus.sent.value, index=True)
    sent_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)


class Meeting(Table):
    """A 1:1 meeting at a table in a slot; a draft moves when the schedule runs again, a confirmed one never."""

    id: Serial

    fair = ForeignKey(references=Fair, index=True)
    buyer = ForeignKey(references=Participant, index=True)
    producer = ForeignKey(references=Participant, index=True)
    slot = Integer()
    table_number = Integer()
    status = Varchar(length=16, choices=MeetingStatus, default=MeetingStatus.draft.value, index=True)
    value = Integer(default=0)  # what the schedule counted it for
    agreement = ForeignKey(references=Agreement, null=True, default=None, index=True)
    marked_by = Varchar(length=100, default="")  # who said it was held or missed
    created_at = Timestamptz(default=TimestamptzNow())


