"""Connection conferences: the meeting room, registrations with needs and offers, matches and what each side
says of them, meeting requests, the schedule, the day's marks, and the funnel from meeting to delivered trade.

Organizers (and admins) change everything here; staff who read (viewers) read it. Every change is audited.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections import defaultdict
from typing import Any

from piccolo.columns import Column

from accounts.enums import Role
from agreements.schemas import AgreementIn
from agreements.services import create_agreement
from agreements.tables import Agreement, AgreementLine
from catalog import reference
from catalog.services import producer_users
from catalog.tables import Buyer, Producer, Product
from core import i18n
from core.audit import Actor, record_audit
from core.database import fetch_rows, is_sqlite
from core.errors import N_, Conflict, Forbidden, Msg, NotFound, ValidationFailed, render
from core.formatting import VIETNAM, clock
from core.ids import is_id
from core.outbox import Outgoing, enqueue_notifications
from core.tables import Notification
from fairs.enums import FairKind
from fairs.tables import Fair
from matchmaking import calendar_file, scheduling, scoring
from matchmaking.enums import STANDING, Interest, MeetingStatus, RequestStatus, Side
from matchmaking.link_signing import participant_path
from matchmaking.schemas import (
    FunnelOut,
    InterestIn,
    MatchOut,
    MeetingAgreementIn,
    MeetingOut,
    ParticipantIn,
    ParticipantOut,
    RequestOut,
    RoomIn,
    RoomOut,
    ScheduleOut,
    SlotOut,
)
from matchmaking.tables import Meeting, MeetingRequest, MeetingRoom, MeetingSlot, Offer, PairInterest, Participant

ORGANIZERS = (Role.admin, Role.organizer)
READERS = (*ORGANIZERS, Role.viewer)
# Meetings people were told of: they hold their places, and a schedule sent lists them.
SCHEDULED = (MeetingStatus.confirmed.value, MeetingStatus.held.value, MeetingStatus.no_show.value)


def ensure_organizer(actor: Actor) -> None:
    if actor.role not in ORGANIZERS:
        raise Forbidden(N_("Only organizers may do this."))


def ensure_reader(actor: Actor | None) -> None:
    if actor is None or actor.role not in READERS:
        raise Forbidden(N_("Only the organizing office reads the conference's matchmaking."))


async def conference(fair_id: int) -> dict[str, Any]:
    """The fair, which must be a connection conference."""
    row = await Fair.select(Fair.id, Fair.name, Fair.kind, Fair.starts_on, Fair.ends_on).where(
        Fair.id == fair_id).first() if is_id(fair_id) else None
    if row is None:
        raise NotFound(N_("This fair does not exist."))
    if row["kind"] != FairKind.connection_conference.value:
        raise ValidationFailed({"fair": N_("Meetings are scheduled for connection conferences only.")})
    return row


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _join(values) -> str:
    return ",".join(str(v) for v in values)


# -- the meeting room ------------------------------------------------------------------------------------------


async def set_room(fair_id: int, data: RoomIn, actor: Actor) -> RoomOut:
    """Sets the tables and the day's sessions; the slots are numbered in time order. Refused once meetings are
    confirmed (they hold slots people were told)."""
    ensure_organizer(actor)
    await conference(fair_id)
    errors: dict[str, Any] = {}
    starts = []
    for session in data.sessions:
        hour, minute = (int(part) for part in session.starts.split(":"))
        first = dt.datetime.combine(data.day, dt.time(hour, minute), tzinfo=VIETNAM)
        starts += [first + dt.timedelta(minutes=data.meeting_minutes * n) for n in range(session.slots)]
    starts.sort()
    if any(later < earlier + dt.timedelta(minutes=data.meeting_minutes) for earlier, later in zip(starts, starts[1:], strict=False)):
        errors["sessions"] = N_("Two sessions overlap: a slot would start before the one before it ends.")
    if len(starts) > 64:
        errors["sessions"] = N_("At most 64 slots in a day.")
    if errors:
        raise ValidationFailed(errors)
    if await Meeting.exists().where((Meeting.fair == fair_id) & (Meeting.status != MeetingStatus.draft.value)
                                    & (Meeting.status != MeetingStatus.cancelled.value)):
        raise Conflict(N_("Meetings are confirmed already: their slots cannot change."))
    async with Fair._meta.db.transaction():
        await Meeting.delete().where(Meeting.fair == fair_id)
        await MeetingSlot.delete().where(MeetingSlot.fair == fair_id)
        await MeetingRoom.delete().where(MeetingRoom.fair == fair_id)
        await MeetingRoom.insert(MeetingRoom(fair=fair_id, tables=data.tables, meeting_minutes=data.meeting_minutes,
                                             requests_close_at=data.requests_close_at))
        await MeetingSlot.insert(*[MeetingSlot(fair=fair_id, number=n, starts_at=moment.astimezone(dt.UTC))
                                   for n, moment in enumerate(starts)])
        await record_audit(actor, "room", "fair", fair_id, None, {"tables": data.tables, "slots": len(starts)})
    return await room(fair_id)


async def room(fair_id: int) -> RoomOut:
    await conference(fair_id)
    row = await MeetingRoom.select().where(MeetingRoom.fair == fair_id).first()
    slots = await MeetingSlot.select(MeetingSlot.number, MeetingSlot.starts_at).where(
        MeetingSlot.fair == fair_id).order_by(MeetingSlot.number)
    return RoomOut(fair_id=fair_id, tables=row["tables"] if row else 0, meeting_minutes=row["meeting_minutes"] if row else 20,
                   requests_close_at=row["requests_close_at"] if row else None,
                   slots=[SlotOut(number=s["number"], starts_at=s["starts_at"]) for s in slots])


# -- registrations ---------------------------------------------------------------------------------------------


async def register(fair_id: int, data: ParticipantIn, actor: Actor) -> int:
    """Registers a buyer with its needs or a producer with its offer (its own products only); registering the same
    party again updates its registration."""
    ensure_organizer(actor)
    return await save_registration(fair_id, data, actor)


async def save_registration(fair_id: int, data: ParticipantIn, actor: Actor) -> int:
    """`register` once the caller's right is checked (an organizer, or the party through its own link)."""
    await conference(fair_id)
    errors: dict[str, Any] = {}
    buyer = producer = None
    if data.side is Side.buyer:
        buyer = await Buyer.select(Buyer.id).where(Buyer.id == data.buyer_id).first() if data.buyer_id else None
        if buyer is None:
            errors["buyer_id"] = N_("This buyer does not exist.")
        if data.product_ids:
            errors["product_ids"] = N_("A buyer offers no products: its needs say what it looks for.")
    else:
        producer = await Producer.select(Producer.id).where(Producer.id == data.producer_id).first() if data.producer_id else None
        if producer is None:
            errors["producer_id"] = N_("This producer does not exist.")
        elif data.product_ids:
            own = {r["id"] for r in await Product.select(Product.id).where(
                Product.id.is_in(list(data.product_ids)) & (Product.producer == producer["id"])
                & Product.withdrawn_on.is_null())}
            if set(data.product_ids) - own:
                errors["product_ids"] = N_("A producer offers its own products only, none withdrawn.")
    if data.price_min is not None and data.price_max is not None and data.price_min > data.price_max:
        errors["price_max"] = N_("The highest price is below the lowest.")
    unknown = [g for g in data.groups if g not in reference.groups()]
    if unknown:
        errors["groups"] = N_("Choose the groups from the OCOP list.")
    if [code for code in data.provinces if code not in reference.provinces()]:
        errors["provinces"] = N_("Choose the provinces from the list.")
    slots = await MeetingSlot.count().where(MeetingSlot.fair == fair_id)
    if any(slot >= slots for slot in data.available):
        errors["available"] = N_("Choose time slots of the conference's room.")
    if errors:
        raise ValidationFailed(errors)
    values: dict[Column | str, Any] = {
        Participant.quota: data.quota, Participant.available: _join(sorted(set(data.available))),
        Participant.groups: _join(data.groups), Participant.min_stars: data.min_stars,
        Participant.provinces: _join(data.provinces), Participant.price_min: data.price_min,
        Participant.price_max: data.price_max, Participant.volume: data.volume, Participant.capacity: data.capacity,
        Participant.min_order: data.min_order, Participant.notes: data.notes, Participant.language: data.language,
    }
    async with Fair._meta.db.transaction():
        await _lock(fair_id)
        column = Participant.buyer if buyer else Participant.producer
        party = (buyer or producer or {})["id"]
        existing = await Participant.select(Participant.id).where((Participant.fair == fair_id) & (column == party)).first()
        if existing:
            participant = existing["id"]
            await _keeps_its_meetings(participant, data)
            await Participant.update(values).where(Participant.id == participant)
        else:
            row = Participant(fair=fair_id, side=data.side.value, buyer=buyer["id"] if buyer else None,
                              producer=producer["id"] if producer else None)
            participant = (await Participant.insert(row))[0]["id"]
            await Participant.update(values).where(Participant.id == participant)
        await Offer.delete().where(Offer.participant == participant)
        if data.product_ids:
            await Offer.insert(*[Offer(participant=participant, product=p) for p in sorted(set(data.product_ids))])
        await record_audit(actor, "register", "fair", fair_id, None, {"participant": participant, "side": data.side.value})
    return participant


async def _lock(fair_id: int) -> None:
    """Inside a write transaction: one change to a conference's meetings at a time, so that what a change checked
    still holds when it writes (SQLite's single writer is such a lock already)."""
    if not is_sqlite(Fair._meta.db):
        await Fair.select(Fair.id).where(Fair.id == fair_id).lock_rows()


async def _standing_meetings(participant: int) -> list[dict[str, Any]]:
    """A participant's meetings people were told of: confirmed, held or missed."""
    return await Meeting.select(Meeting.id, Meeting.buyer, Meeting.producer, Meeting.slot).where(
        ((Meeting.buyer == participant) | (Meeting.producer == participant)) & Meeting.status.is_in(list(SCHEDULED)))


async def _keeps_its_meetings(participant: int, data: ParticipantIn) -> None:
    """A registration changed after its meetings were confirmed keeps them: their slots stay attended and the quota
    holds them (the organizers move or cancel a meeting first)."""
    standing = await _standing_meetings(participant)
    dropped = sorted({m["slot"] for m in standing if data.available and m["slot"] not in data.available})
    errors: dict[str, Any] = {}
    if dropped:
        starts = {s.number: s.starts_at for s in (await room((await _participant(participant))["fair"])).slots}
        errors["available"] = Msg(N_("It has a confirmed meeting at %(time)s: keep that time slot, or ask the organizers "
                                     "to move the meeting."), time=", ".join(clock(starts.get(n)) for n in dropped))
    if data.quota < len(standing):
        errors["quota"] = Msg(N_("It has %(n)s confirmed meetings already."), n=len(standing))
    if errors:
        raise ValidationFailed(errors)


_PARTICIPANTS = (
    "SELECT pa.*, COALESCE(b.name, pr.name) AS name, COALESCE(b.province_code, pr.province_code) AS party_province, "
    "b.kind AS buyer_kind FROM participant pa LEFT JOIN buyer b ON b.id = pa.buyer LEFT JOIN producer pr ON pr.id = pa.producer "
    "WHERE pa.fair = {} ORDER BY pa.side, name"
)


async def participants(fair_id: int) -> list[ParticipantOut]:
    await conference(fair_id)
    rows = await fetch_rows(Participant._meta.db, _PARTICIPANTS, fair_id)
    offers: dict[int, list[int]] = defaultdict(list)
    for offer in await Offer.select(Offer.participant, Offer.product).where(Offer.participant.is_in([r["id"] for r in rows] or [0])):
        offers[offer["participant"]].append(offer["product"])
    return [ParticipantOut(
        id=r["id"], fair_id=fair_id, side=r["side"], buyer_id=r["buyer"], producer_id=r["producer"], name=r["name"] or "",
        province_code=r["party_province"] or "", quota=r["quota"], available=[int(s) for s in _split(r["available"])],
        groups=_split(r["groups"]), min_stars=r["min_stars"], provinces=_split(r["provinces"]), price_min=r["price_min"],
        price_max=r["price_max"], volume=r["volume"], product_ids=sorted(offers[r["id"]]), capacity=r["capacity"],
        min_order=r["min_order"], notes=r["notes"], arrived=r["arrived_at"] is not None, language=r["language"])
        for r in rows]


async def participant(fair_id: int, participant_id: int) -> ParticipantOut:
    """One participant of the conference (NotFound for another conference's)."""
    found = [p for p in await participants(fair_id) if p.id == participant_id]
    if not found:
        raise NotFound(N_("This participant is not registered."))
    return found[0]


async def check_in(participant_id: int, actor: Actor, fair_id: int | None = None) -> None:
    """The participant is at the conference (the desk's record; arriving twice keeps the first time)."""
    ensure_organizer(actor)
    row = await _participant(participant_id)
    if fair_id is not None and row["fair"] != fair_id:
        raise NotFound(N_("This participant is not registered."))
    if row["arrived_at"] is not None:
        return
    await Participant.update({Participant.arrived_at: dt.datetime.now(dt.UTC)}).where(Participant.id == row["id"])


async def _participant(participant_id: int) -> dict[str, Any]:
    row = await Participant.select().where(Participant.id == participant_id).first() if is_id(participant_id) else None
    if row is None:
        raise NotFound(N_("This participant is not registered."))
    return row


async def party_options(fair_id: int) -> dict[str, list[tuple[int, str]]]:
    """Buyers and producers not yet registered for the conference, by name (the page's registration forms)."""
    registered = await Participant.select(Participant.buyer, Participant.producer).where(Participant.fair == fair_id)
    buyers_in = {r["buyer"] for r in registered if r["buyer"]}
    producers_in = {r["producer"] for r in registered if r["producer"]}
    buyers = await Buyer.select(Buyer.id, Buyer.name).order_by(Buyer.name)
    producers = await Producer.select(Producer.id, Producer.name).order_by(Producer.name)
    return {"buyers": [(b["id"], b["name"]) for b in buyers if b["id"] not in buyers_in],
            "producers": [(p["id"], p["name"]) for p in producers if p["id"] not in producers_in]}


async def certified_products(producer_id: int) -> list[int]:
    """What a producer registered from the page offers: its OCOP products not withdrawn."""
    rows = await Product.select(Product.id).where((Product.producer == producer_id) & (Product.stars >= 3)
                                                  & Product.withdrawn_on.is_null())
    return [r["id"] for r in rows]


async def own_products(producer_id: int) -> list[tuple[int, str]]:
    """What a producer may offer: its products not withdrawn, by name, with their stars."""
    rows = await Product.select(Product.id, Product.name, Product.stars).where(
        (Product.producer == producer_id) & Product.withdrawn_on.is_null()).order_by(Product.name)
    return [(r["id"], f"{r['name']} ({r['stars']}★)" if r["stars"] else r["name"]) for r in rows]


async def product_names(ids: list[int]) -> list[tuple[int, str]]:
    rows = await Product.select(Product.id, Product.name).where(Product.id.is_in(ids or [0])).order_by(Product.name)
    return [(r["id"], r["name"]) for r in rows]


async def meeting(meeting_id: int) -> MeetingOut:
    row = await Meeting.select(Meeting.fair).where(Meeting.id == meeting_id).first() if is_id(meeting_id) else None
    found = [m for m in await meetings(row["fair"]) if m.id == meeting_id] if row else []
    if not found:
        raise NotFound(N_("This meeting does not exist."))
    return found[0]


# -- matches, interests and requests -------------------------------------------------------------------------


async def set_interest(fair_id: int, data: InterestIn, actor: Actor) -> None:
    ensure_organizer(actor)
    await save_interest(fair_id, data, actor)


async def save_interest(fair_id: int, data: InterestIn, actor: Actor) -> None:
    """What one side says of a pair, once the caller's right to speak for that side is checked. A "no" to a pair
    with a confirmed meeting waits until the organizers cancel it."""
    await conference(fair_id)
    await _pair(fair_id, data.buyer, data.producer)
    column = PairInterest.buyer_says if data.side is Side.buyer else PairInterest.producer_says
    async with Fair._meta.db.transaction():
        await _lock(fair_id)
        if data.says is Interest.no and await Meeting.exists().where(
                (Meeting.buyer == data.buyer) & (Meeting.producer == data.producer) & Meeting.status.is_in(list(SCHEDULED))):
            raise ValidationFailed({"says": N_("These two have a confirmed meeting: the organizers cancel it first.")})
        found = await PairInterest.select(PairInterest.id).where(
            (PairInterest.buyer == data.buyer) & (PairInterest.producer == data.producer)).first()
        if found is None:
            await PairInterest.insert(PairInterest(fair=fair_id, buyer=data.buyer, producer=data.producer))
        await PairInterest.update({column: data.says.value}).where(
            (PairInterest.buyer == data.buyer) & (PairInterest.producer == data.producer))
        await record_audit(actor, "interest", "fair", fair_id, None, {"buyer": data.buyer, "producer": data.producer,
                                                                      "side": data.side.value, "says": data.says.value})


async def _pair(fair_id: int, buyer: int, producer: int) -> tuple[dict, dict]:
    rows = {r["id"]: r for r in await Participant.select().where(
        (Participant.fair == fair_id) & Participant.id.is_in([buyer, producer]))}
    if rows.get(buyer, {}).get("side") != Side.buyer.value:
        raise ValidationFailed({"buyer": N_("This buyer is not registered for the conference.")})
    if rows.get(producer, {}).get("side") != Side.producer.value:
        raise ValidationFailed({"producer": N_("This producer is not registered for the conference.")})
    return rows[buyer], rows[producer]


async def _scoring_inputs(fair_id: int) -> tuple[list[ParticipantOut], dict[int, scoring.Need], dict[int, scoring.Offer]]:
    listed = await participants(fair_id)
    products = {r["id"]: r for r in await Product.select(Product.id, Product.group_code, Product.stars,
                                                         Product.reference_price).where(
        Product.id.is_in([p for x in listed for p in x.product_ids] or [0]))}
    needs = {p.id: scoring.Need(frozenset(p.groups), p.min_stars, frozenset(p.provinces), p.price_min, p.price_max)
             for p in listed if p.side == Side.buyer.value}
    offers = {p.id: scoring.Offer(p.province_code, tuple(
        scoring.OfferedProduct(products[i]["group_code"], products[i]["stars"] or 0, products[i]["reference_price"])
        for i in p.product_ids if i in products)) for p in listed if p.side == Side.producer.value}
    return listed, needs, offers


async def matches(fair_id: int, buyer: int | None = None, producer: int | None = None, limit: int = 50) -> list[MatchOut]:
    """Pairs best first with their reasons (for one buyer, one producer, or the whole conference)."""
    listed, needs, offers = await _scoring_inputs(fair_id)
    names = {p.id: p.name for p in listed}
    said = {(r["buyer"], r["producer"]): r for r in await PairInterest.select().where(PairInterest.fair == fair_id)}
    requested = await _request_status(fair_id)
    groups = {code: group.name_vi for code, group in reference.groups().items()}
    found = []
    for b, need in needs.items():
        if buyer is not None and b != buyer:
            continue
        for p, offer in offers.items():
            if producer is not None and p != producer:
                continue
            match = scoring.score(need, offer, groups)
            interest = said.get((b, p), {})
            status = requested.get((b, p), "")
            value = scheduling.meeting_value(match.score, interest.get("buyer_says", ""),
                                             interest.get("producer_says", ""), status == RequestStatus.accepted.value) or 0
            found.append(MatchOut(buyer=b, producer=p, buyer_name=names[b], producer_name=names[p], score=match.score,
                                  reasons=[render(r, i18n.gettext) for r in match.reasons], buyer_says=interest.get("buyer_says", ""),
                                  producer_says=interest.get("producer_says", ""), request=status, value=value))
    found.sort(key=lambda m: (-m.value, -m.score, m.buyer_name, m.producer_name))
    return found[:limit]


async def _request_status(fair_id: int) -> dict[tuple[int, int], str]:
    """The latest request of each pair."""
    status: dict[tuple[int, int], str] = {}
    for row in await MeetingRequest.select(MeetingRequest.buyer, MeetingRequest.producer, MeetingRequest.status).where(
            MeetingRequest.fair == fair_id).order_by(MeetingRequest.id):
        status[(row["buyer"], row["producer"])] = row["status"]
    return status


async def send_request(fair_id: int, buyer: int, producer: int, asked_by: Side, actor: Actor) -> int:
    ensure_organizer(actor)
    return await make_request(fair_id, buyer, producer, asked_by, actor)


async def make_request(fair_id: int, buyer: int, producer: int, asked_by: Side, actor: Actor) -> int:
    """A request from `asked_by`'s side, once the caller's right to ask for it is checked."""
    await conference(fair_id)
    await _pair(fair_id, buyer, producer)
    await expire_requests(fair_id)
    said = await PairInterest.select().where((PairInterest.buyer == buyer) & (PairInterest.producer == producer)).first()
    if said and Interest.no.value in (said["buyer_says"], said["producer_says"]):
        raise ValidationFailed({"producer": N_("One side said it does not want this meeting.")})
    if (await _request_status(fair_id)).get((buyer, producer)) in (RequestStatus.sent.value, RequestStatus.accepted.value):
        raise Conflict(N_("This pair has a request already."))
    if await MeetingRequest.exists().where((MeetingRequest.buyer == buyer) & (MeetingRequest.producer == producer)
                                           & (MeetingRequest.asked_by == asked_by.value)
                                           & (MeetingRequest.status == RequestStatus.declined.value)):
        raise Conflict(N_("The other side declined this request: it is not sent again."))
    if await requests_closed(fair_id):
        raise ValidationFailed({"producer": N_("Requests closed at the organizer's deadline.")})
    request_id = (await MeetingRequest.insert(MeetingRequest(fair=fair_id, buyer=buyer, producer=producer,
                                                             asked_by=asked_by.value)))[0]["id"]
    await record_audit(actor, "request", "fair", fair_id, None, {"request": request_id})
    return request_id


async def requests_closed(fair_id: int) -> bool:
    row = await MeetingRoom.select(MeetingRoom.requests_close_at).where(MeetingRoom.fair == fair_id).first()
    return bool(row and row["requests_close_at"] and row["requests_close_at"] <= dt.datetime.now(dt.UTC))


async def answer_request(request_id: int, accept: bool, actor: Actor, fair_id: int | None = None) -> None:
    ensure_organizer(actor)
    await record_answer(request_id, accept, actor, fair_id=fair_id)


async def record_answer(request_id: int, accept: bool, actor: Actor, answering: int | None = None,
                        fair_id: int | None = None) -> None:
    """Accepts or declines a request still open (of `fair_id`, when given). `answering`, a participant id, answers
    only a request made to it by the other side (a party cannot accept its own request)."""
    row = await MeetingRequest.select().where(MeetingRequest.id == request_id).first() if is_id(request_id) else None
    if row is not None and fair_id is not None and row["fair"] != fair_id:
        row = None
    if row is not None and answering is not None:
        asked = row["producer"] if row["asked_by"] == Side.buyer.value else row["buyer"]
        row = row if asked == answering else None
    if row is None:
        raise NotFound(N_("This request does not exist."))
    await expire_requests(row["fair"])
    status = RequestStatus.accepted if accept else RequestStatus.declined
    done = await MeetingRequest.update({MeetingRequest.status: status.value, MeetingRequest.answered_at: dt.datetime.now(dt.UTC)}).where(
        (MeetingRequest.id == request_id) & (MeetingRequest.status == RequestStatus.sent.value)).returning(MeetingRequest.id)
    if not done:
        raise Conflict(N_("This request was answered already, or expired."))
    await record_audit(actor, "answer", "fair", row["fair"], None, {"request": request_id, "status": status.value})


async def expire_requests(fair_id: int | None = None) -> int:
    """Requests still unanswered at their conference's deadline expire (they no longer hold a slot)."""
    now = dt.datetime.now(dt.UTC)
    closed = MeetingRoom.select(MeetingRoom.fair).where(MeetingRoom.requests_close_at <= now)
    query = MeetingRequest.update({MeetingRequest.status: RequestStatus.expired.value}).where(
        (MeetingRequest.status == RequestStatus.sent.value) & MeetingRequest.fair.is_in(closed))
    if fair_id is not None:
        query = query.where(MeetingRequest.fair == fair_id)
    return len(await query.returning(MeetingRequest.id))


async def requests(fair_id: int) -> list[RequestOut]:
    await conference(fair_id)
    await expire_requests(fair_id)
    names = {p.id: p.name for p in await participants(fair_id)}
    return [RequestOut(id=r["id"], buyer=r["buyer"], producer=r["producer"], buyer_name=names.get(r["buyer"], ""),
                       producer_name=names.get(r["producer"], ""), asked_by=r["asked_by"], status=r["status"],
                       sent_at=r["sent_at"], answered_at=r["answered_at"])
            for r in await MeetingRequest.select().where(MeetingRequest.fair == fair_id).order_by(MeetingRequest.id)]


# -- meetings --------------------------------------------------------------------------------------------------


async def meetings(fair_id: int, participant: int | None = None) -> list[MeetingOut]:
    names = {p.id: p.name for p in await participants(fair_id)}
    starts = {s.number: s.starts_at for s in (await room(fair_id)).slots}
    query = Meeting.select().where((Meeting.fair == fair_id) & (Meeting.status != MeetingStatus.cancelled.value))
    if participant is not None:
        query = query.where((Meeting.buyer == participant) | (Meeting.producer == participant))
    rows = await query.order_by(Meeting.slot).order_by(Meeting.table_number)
    return [MeetingOut(id=r["id"], buyer=r["buyer"], producer=r["producer"], buyer_name=names.get(r["buyer"], ""),
                       producer_name=names.get(r["producer"], ""), slot=r["slot"], starts_at=starts.get(r["slot"]),
                       table_number=r["table_number"], status=r["status"], value=r["value"], agreement_id=r["agreement"])
            for r in rows]


async def confirm_drafts(fair_id: int, actor: Actor) -> int:
    """Confirms the draft schedule (confirmed meetings never move when the schedule runs again) and sends each
    participant whose schedule is new or changed its meetings, with a calendar file."""
    ensure_organizer(actor)
    await conference(fair_id)
    async with Fair._meta.db.transaction():
        await _lock(fair_id)
        done = await Meeting.update({Meeting.status: MeetingStatus.confirmed.value}).where(
            (Meeting.fair == fair_id) & (Meeting.status == MeetingStatus.draft.value)).returning(Meeting.id)
        await notify_schedules(fair_id)
        await record_audit(actor, "confirm", "fair", fair_id, None, {"meetings": len(done)})
    return len(done)


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y") if moment else ""


async def _schedules_sent(fair_id: int) -> dict[int, tuple[int, str]]:
    """Participant id → (how many schedules it was sent, the digest of the last one)."""
    sent: dict[int, tuple[int, str]] = {}
    for row in await Notification.select(Notification.key, Notification.data).where(
            Notification.key.like(f"meetings:{fair_id}:%")):
        parts = row["key"].split(":")  # meetings, fair, participant, version[, user]
        if len(parts) < 4 or not parts[2].isdigit() or not parts[3].isdigit():
            continue
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        version = int(parts[3])
        if version > sent.get(int(parts[2]), (0, ""))[0]:
            sent[int(parts[2])] = (version, (data or {}).get("digest", ""))
    return sent


async def notify_schedules(fair_id: int) -> int:
    """Each participant whose schedule differs from the one it was last sent is sent it, once: its confirmed meetings
    (held or missed ones too, the day's record of them), numbered per participant so that a change undone is sent
    again. Buyers at their address, producers to their users (or the producer's address when it has none). Called
    inside the change's transaction, with the conference locked."""
    fair = await Fair.select(Fair.name, Fair.ends_on).where(Fair.id == fair_id).first()
    listed = {p.id: p for p in await participants(fair_id)}
    sent = await _schedules_sent(fair_id)
    mine: dict[int, list[MeetingOut]] = {participant: [] for participant in sent if participant in listed}
    for m in await meetings(fair_id):
        if m.status in SCHEDULED:
            mine.setdefault(m.buyer, []).append(m)
            mine.setdefault(m.producer, []).append(m)
    buyers = {r["id"]: r["email"] for r in await Buyer.select(Buyer.id, Buyer.email).where(
        Buyer.id.is_in([p.buyer_id for p in listed.values() if p.buyer_id] or [0]))}
    producer_ids = [p.producer_id for p in listed.values() if p.producer_id]
    producers = {r["id"]: r["email"] for r in await Producer.select(Producer.id, Producer.email).where(
        Producer.id.is_in(producer_ids or [0]))}
    members = await producer_users(producer_ids)
    outgoing = []
    for participant_id, held in mine.items():
        p = listed[participant_id]
        buyer_side = p.side == Side.buyer.value
        rows = sorted(held, key=lambda m: (m.slot, m.table_number))
        lines = [{"when": _when(m.starts_at), "table": m.table_number,
                  "with": m.producer_name if buyer_side else m.buyer_name} for m in rows]
        digest = hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()[:16]
        version, last = sent.get(participant_id, (0, ""))
        if digest == last:
            continue
        data = {"fair_id": fair_id, "fair": fair["name"] if fair else "", "name": p.name, "meetings": lines,
                "attach_calendar": participant_id, "digest": digest,
                "link": participant_path(participant_id, fair["ends_on"]) if fair else ""}
        key = f"meetings:{fair_id}:{participant_id}:{version + 1}"
        if buyer_side:
            if buyers.get(p.buyer_id or 0):
                outgoing.append(Outgoing(key, None, "meeting_schedule", data, email=buyers[p.buyer_id or 0],
                                         language=p.language))
        elif members.get(p.producer_id or 0):
            outgoing += [Outgoing(f"{key}:{user}", user, "meeting_schedule", data) for user in members[p.producer_id or 0]]
        elif producers.get(p.producer_id or 0):
            outgoing.append(Outgoing(key, None, "meeting_schedule", data, email=producers[p.producer_id or 0],
                                     language=p.language))
    return await enqueue_notifications(outgoing)


async def participant_calendar(participant_id: int) -> tuple[str, bytes]:
    """The participant's confirmed meetings as an .ics file: (file name, content)."""
    row = await _participant(participant_id)
    fair = await Fair.select(Fair.name, Fair.venue).where(Fair.id == row["fair"]).first()
    minutes = (await room(row["fair"])).meeting_minutes
    buyer_side = row["side"] == Side.buyer.value
    language = i18n.current_language.set(row["language"])  # the participant's calendar, in its language
    try:
        events = [calendar_file.Event(
            uid=f"meeting-{m.id}@ocop", starts=m.starts_at, ends=m.starts_at + dt.timedelta(minutes=minutes),
            summary=render(Msg(N_("Meeting with %(name)s"), name=m.producer_name if buyer_side else m.buyer_name),
                           i18n.gettext),
            location=", ".join(part for part in (render(Msg(N_("Table %(n)s"), n=m.table_number), i18n.gettext),
                                                 fair["venue"] if fair else "") if part),
            description=fair["name"] if fair else "")
            for m in await meetings(row["fair"], participant_id) if m.starts_at and m.status in SCHEDULED]
    finally:
        i18n.current_language.reset(language)
    text = calendar_file.calendar(fair["name"] if fair else "", events, dt.datetime.now(dt.UTC))
    return f"lich-gap-{row['fair']}-{participant_id}.ics", text.encode("utf-8")


async def mark(meeting_id: int, status: MeetingStatus, actor: Actor, fair_id: int | None = None) -> None:
    """On the day: a confirmed meeting held or missed (or cancelled, which frees its slot and table)."""
    ensure_organizer(actor)
    await record_mark(meeting_id, status, actor, fair_id=fair_id)


async def _meeting_row(meeting_id: int, fair_id: int | None) -> dict[str, Any]:
    """A meeting (of `fair_id`, when given), locked for the change; NotFound otherwise."""
    row = await Meeting.select(Meeting.fair).where(Meeting.id == meeting_id).first() if is_id(meeting_id) else None
    if row is None or (fair_id is not None and row["fair"] != fair_id):
        raise NotFound(N_("This meeting does not exist."))
    await _lock(row["fair"])
    return await Meeting.select().where(Meeting.id == meeting_id).first() or {}


async def record_mark(meeting_id: int, status: MeetingStatus, actor: Actor, party: int | None = None,
                      fair_id: int | None = None) -> None:
    """`mark`, once the caller's right is checked. `party`, a participant id, marks only its own confirmed meetings,
    held or missed, once they have begun (the other side's word can be changed by either, the last one stands)."""
    if status not in (MeetingStatus.held, MeetingStatus.no_show, MeetingStatus.cancelled):
        raise ValidationFailed({"status": N_("A meeting is marked held, no-show or cancelled.")})
    async with Fair._meta.db.transaction():
        row = await _meeting_row(meeting_id, fair_id)
        if party is not None and party not in (row["buyer"], row["producer"]):
            raise NotFound(N_("This meeting does not exist."))
        await _marked(row, status, actor, party)


async def _marked(row: dict[str, Any], status: MeetingStatus, actor: Actor, party: int | None) -> None:
    """The mark itself, the meeting read under the conference's lock."""
    meeting_id = row["id"]
    if party is not None:
        if status is MeetingStatus.cancelled or row["status"] not in (
                MeetingStatus.confirmed.value, MeetingStatus.held.value, MeetingStatus.no_show.value):
            raise ValidationFailed({"status": N_("A participant marks its confirmed meetings held or missed.")})
        starts = await MeetingSlot.select(MeetingSlot.starts_at).where(
            (MeetingSlot.fair == row["fair"]) & (MeetingSlot.number == row["slot"])).first()
        if starts is None or starts["starts_at"] > dt.datetime.now(dt.UTC):
            raise ValidationFailed({"status": N_("A meeting is marked once it has begun.")})
    if row["agreement"] is not None and status is not MeetingStatus.held:
        raise Conflict(N_("An agreement came of this meeting: it was held."))
    await Meeting.update({Meeting.status: status.value, Meeting.marked_by: actor.username[:100]}).where(Meeting.id == meeting_id)
    await record_audit(actor, "mark", "fair", row["fair"], None, {"meeting": meeting_id, "status": status.value})
    if status is MeetingStatus.cancelled:
        await notify_schedules(row["fair"])  # both sides are told their meeting is off


async def agreement_from_meeting(meeting_id: int, data: MeetingAgreementIn, actor: Actor,
                                 fair_id: int | None = None) -> int:
    """Records the agreement a held meeting produced, its parties and conference taken from the meeting, and links
    the two (a meeting marked only as scheduled is taken as held: the agreement proves it)."""
    ensure_organizer(actor)
    async with Fair._meta.db.transaction():
        row = await _meeting_row(meeting_id, fair_id)
        if row["agreement"] is not None:
            raise Conflict(N_("An agreement is recorded for this meeting already."))
        if row["status"] in (MeetingStatus.no_show.value, MeetingStatus.cancelled.value):
            raise ValidationFailed({"meeting": N_("This meeting did not take place.")})
        parties = {r["id"]: r for r in await Participant.select().where(
            Participant.id.is_in([row["buyer"], row["producer"]]))}
        signed = AgreementIn(**{f: getattr(data, f) for f in data.__struct_fields__},
                             buyer_id=parties[row["buyer"]]["buyer"], producer_ids=[parties[row["producer"]]["producer"]],
                             fair_id=row["fair"])
        agreement = await create_agreement(signed, actor)
        await Meeting.update({Meeting.agreement: agreement, Meeting.status: MeetingStatus.held.value}).where(
            Meeting.id == meeting_id)
    return agreement


# -- the funnel ------------------------------------------------------------------------------------------------


async def funnel(fair_id: int) -> FunnelOut:
    """Requests, meetings and what they became: agreements, committed and delivered value, by buyer kind, by the
    producer's province and by OCOP group of the agreements' products."""
    await conference(fair_id)
    await expire_requests(fair_id)
    listed = {p.id: p for p in await participants(fair_id)}
    kinds = {r["id"]: r["kind"] for r in await Buyer.select(Buyer.id, Buyer.kind).where(
        Buyer.id.is_in([p.buyer_id for p in listed.values() if p.buyer_id] or [0]))}
    requested = await MeetingRequest.select(MeetingRequest.status).where(MeetingRequest.fair == fair_id)
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    agreements = {r["id"]: r for r in await Agreement.select(Agreement.id, Agreement.committed_value, Agreement.delivered_value).where(
        Agreement.id.is_in([r["agreement"] for r in rows if r["agreement"]] or [0]))}
    groups = await _agreement_groups(list(agreements))
    held = [r for r in rows if r["status"] == MeetingStatus.held.value]

    def tally(key) -> list[dict]:
        table: dict[str, dict] = {}
        for r in rows:
            for name in key(r):
                entry = table.setdefault(name, {"name": name, "scheduled": 0, "held": 0, "no_shows": 0, "agreements": 0,
                                                "committed_value": 0, "delivered_value": 0})
                entry["scheduled"] += 1
                entry["held"] += r["status"] == MeetingStatus.held.value
                entry["no_shows"] += r["status"] == MeetingStatus.no_show.value
                if r["agreement"] in agreements:
                    entry["agreements"] += 1
                    entry["committed_value"] += agreements[r["agreement"]]["committed_value"]
                    entry["delivered_value"] += agreements[r["agreement"]]["delivered_value"]
        return sorted(table.values(), key=lambda e: (-e["scheduled"], e["name"]))

    linked = [agreements[r["agreement"]] for r in rows if r["agreement"] in agreements]
    return FunnelOut(
        participants=len(listed), requests=len(requested),
        accepted=sum(r["status"] == RequestStatus.accepted.value for r in requested), scheduled=len(rows), held=len(held),
        no_shows=sum(r["status"] == MeetingStatus.no_show.value for r in rows), agreements=len(linked),
        agreements_per_meeting_held=round(len(linked) / len(held), 3) if held else 0.0,
        committed_value=sum(a["committed_value"] for a in linked), delivered_value=sum(a["delivered_value"] for a in linked),
        by_buyer_kind=tally(lambda r: [kinds.get(listed[r["buyer"]].buyer_id or 0, "") or "—"]),
        by_province=tally(lambda r: [reference.province_name(listed[r["producer"]].province_code) or "—"]),
        by_group=tally(lambda r: groups.get(r["agreement"], ["—"])),
    )


async def _agreement_groups(agreement_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for row in await AgreementLine.select(AgreementLine.agreement, AgreementLine.product.group_code.as_alias("group")).where(
            AgreementLine.agreement.is_in(agreement_ids or [0])):
        group = reference.groups().get(row["group"])
        found[row["agreement"]].add(group.name_vi if group else row["group"])
    return {k: sorted(v) for k, v in found.items()}


# -- the schedule ----------------------------------------------------------------------------------------------

TOP_CHOICES = 40  # the best-scored producers of each buyer stand as candidates even when nobody has said anything


async def _engine_conference(fair_id: int) -> tuple[scheduling.Conference, dict[tuple[int, int], int]]:
    """The conference as the engine sees it, and each candidate pair's value."""
    slots = await MeetingSlot.count().where(MeetingSlot.fair == fair_id)
    room_row = await MeetingRoom.select(MeetingRoom.tables).where(MeetingRoom.fair == fair_id).first()
    if not slots or room_row is None:
        raise ValidationFailed({"room": N_("Set the meeting room first: its tables and time slots.")})
    await expire_requests(fair_id)
    listed, needs, offers = await _scoring_inputs(fair_id)
    said = {(r["buyer"], r["producer"]): r for r in await PairInterest.select().where(PairInterest.fair == fair_id)}
    accepted = {pair for pair, status in (await _request_status(fair_id)).items() if status == RequestStatus.accepted.value}
    values: dict[tuple[int, int], int] = {}
    excluded = set()
    for b, need in needs.items():
        scored = sorted(((scoring.score(need, offer).score, p) for p, offer in offers.items()), reverse=True)
        top = {p for _, p in scored[:TOP_CHOICES]}
        for score, p in scored:
            interest = said.get((b, p), {})
            buyer_says, producer_says = interest.get("buyer_says", ""), interest.get("producer_says", "")
            value = scheduling.meeting_value(score, buyer_says, producer_says, (b, p) in accepted)
            if value is None:
                excluded.add((b, p))
            elif p in top or buyer_says or producer_says or (b, p) in accepted:
                values[(b, p)] = value

    def engine_participant(p: ParticipantOut) -> scheduling.Participant:
        return scheduling.Participant(p.id, p.quota, frozenset(p.available) if p.available else None)

    return scheduling.Conference(
        slots=slots, tables=room_row["tables"],
        buyers=[engine_participant(p) for p in listed if p.side == Side.buyer.value],
        producers=[engine_participant(p) for p in listed if p.side == Side.producer.value],
        candidates=[scheduling.Candidate(b, p, v) for (b, p), v in sorted(values.items())],
        excluded=frozenset(excluded)), values


def _engine_meeting(row: dict) -> scheduling.Meeting:
    return scheduling.Meeting(slot=row["slot"], table=row["table_number"], buyer=row["buyer"], producer=row["producer"])


async def run_schedule(fair_id: int, actor: Actor) -> ScheduleOut:
    """Schedules the conference: draft meetings are placed anew (kept where they cost nothing); confirmed, held and
    missed meetings never move. The engine's bound and gap say how far from the best possible it is."""
    ensure_organizer(actor)
    await conference(fair_id)
    engine_conference, values = await _engine_conference(fair_id)
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    locked = [_engine_meeting(r) for r in rows if r["status"] != MeetingStatus.draft.value]
    previous = [_engine_meeting(r) for r in rows if r["status"] == MeetingStatus.draft.value]
    try:
        result = await asyncio.to_thread(scheduling.schedule_meetings, engine_conference, locked, previous)
    except scheduling.ScheduleConflict as error:
        raise Conflict(N_("The confirmed meetings break a rule among themselves: %(why)s"), why=str(error)) from error
    kept = {(m.slot, m.table) for m in locked}
    async with Fair._meta.db.transaction():
        await _still_as_read(fair_id, locked, lambda status: status != MeetingStatus.draft.value)
        await Meeting.delete().where((Meeting.fair == fair_id) & (Meeting.status == MeetingStatus.draft.value))
        fresh = [Meeting(fair=fair_id, buyer=m.buyer, producer=m.producer, slot=m.slot, table_number=m.table,
                         value=values.get(m.pair, 0)) for m in result.meetings if (m.slot, m.table) not in kept]
        for start in range(0, len(fresh), 500):
            await Meeting.insert(*fresh[start:start + 500])
        await record_audit(actor, "schedule", "fair", fair_id, None, {
            "meetings": len(result.meetings), "value": result.objective, "bound": result.bound, "gap": result.gap})
    return _schedule_out(result)


async def fit_late(fair_id: int, actor: Actor) -> ScheduleOut:
    """Late arrivals and changes fitted into free slots and tables: no standing meeting moves; one that can no
    longer take place (a side now says no, no longer attends the slot) is cancelled, and said so."""
    ensure_organizer(actor)
    await conference(fair_id)
    engine_conference, values = await _engine_conference(fair_id)
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    by_place = {_engine_meeting(r): r for r in rows}
    result = await asyncio.to_thread(scheduling.fit_late, engine_conference, list(by_place))
    placed = set(result.meetings)
    async with Fair._meta.db.transaction():
        await _still_as_read(fair_id, list(by_place), lambda status: True)
        gone = [r for place, r in by_place.items() if place not in placed]
        kept_as_record = [r for r in gone if r["status"] not in (MeetingStatus.draft.value, MeetingStatus.confirmed.value)
                          or r["agreement"] is not None]
        if kept_as_record:  # the day's record is never cancelled: what breaks a rule now is the organizers' to settle
            first = kept_as_record[0]
            raise Conflict(N_("A meeting already held or missed no longer keeps the rules: %(why)s"), why=next(
                (u.words for u in result.removed if (u.buyer, u.producer) == (first["buyer"], first["producer"])), ""))
        if gone:
            await Meeting.update({Meeting.status: MeetingStatus.cancelled.value}).where(
                Meeting.id.is_in([r["id"] for r in gone]))
        fresh = [Meeting(fair=fair_id, buyer=m.buyer, producer=m.producer, slot=m.slot, table_number=m.table,
                         value=values.get(m.pair, 0)) for m in result.meetings if m not in by_place]
        if fresh:
            await Meeting.insert(*fresh)
        await record_audit(actor, "fit_late", "fair", fair_id, None, {"added": len(fresh), "cancelled": len(gone)})
        await notify_schedules(fair_id)  # a confirmed meeting cancelled is news to both sides
    return _schedule_out(result)


async def _still_as_read(fair_id: int, read: list[scheduling.Meeting], counted) -> None:
    """Locks the conference and checks that the meetings the engine worked from (those whose status `counted`) are
    still the ones standing: a change made while it ran would be overwritten, so it is asked to run again."""
    await _lock(fair_id)
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    if {_engine_meeting(r) for r in rows if counted(r["status"])} != set(read):
        raise Conflict(N_("The meetings changed while the schedule was worked out: run it again."))


def _schedule_out(result: scheduling.Schedule) -> ScheduleOut:
    return ScheduleOut(meetings=len(result.meetings), value=result.objective, bound=int(result.bound), gap=result.gap,
                       seconds=round(result.seconds, 3),
                       unscheduled=[{"buyer": u.buyer, "producer": u.producer, "reason": u.reason, "words": u.words}
                                    for u in result.unscheduled[:200]])


# -- changes by hand on the day ------------------------------------------------------------------------------

_REFUSALS = {
    "excluded": N_("One of the two said it does not want this meeting."),
    "absent": N_("Both must be registered for the conference."),
    "no_such_slot": N_("The conference has no such time slot."),
    "no_such_table": N_("The room has no such table."),
    "unavailable": N_("%(who)s does not attend that time slot."),
    "twice": N_("These two meet at another time already."),
    "double_booked": N_("%(who)s has another meeting at that time."),
    "table_taken": N_("Another meeting has that table at that time."),
    "over_quota": N_("%(who)s has all the meetings it takes (%(quota)s)."),
}


async def _check_by_hand(fair_id: int, changed: list[scheduling.Meeting], leaving: set[int]) -> None:
    """Refuses a change that breaks a rule beside the standing meetings (those in `leaving` set aside): the engine's
    own rules, read for the few meetings changed rather than the whole conference's pairs."""
    room_row = await MeetingRoom.select(MeetingRoom.tables).where(MeetingRoom.fair == fair_id).first()
    slots = await MeetingSlot.count().where(MeetingSlot.fair == fair_id)
    if room_row is None or not slots:
        raise ValidationFailed({"room": N_("Set the meeting room first: its tables and time slots.")})
    listed = await participants(fair_id)
    refused_pairs = await PairInterest.select(PairInterest.buyer, PairInterest.producer).where(
        (PairInterest.fair == fair_id) & ((PairInterest.buyer_says == Interest.no.value)
                                          | (PairInterest.producer_says == Interest.no.value)))

    def engine_participant(p: ParticipantOut) -> scheduling.Participant:
        return scheduling.Participant(p.id, p.quota, frozenset(p.available) if p.available else None)

    engine_conference = scheduling.Conference(
        slots=slots, tables=room_row["tables"], candidates=[],
        buyers=[engine_participant(p) for p in listed if p.side == Side.buyer.value],
        producers=[engine_participant(p) for p in listed if p.side == Side.producer.value],
        excluded=frozenset((r["buyer"], r["producer"]) for r in refused_pairs))
    rows = await Meeting.select().where((Meeting.fair == fair_id) & Meeting.status.is_in([s.value for s in STANDING]))
    refused = scheduling.hand_refusals(engine_conference, [_engine_meeting(r) for r in rows if r["id"] not in leaving],
                                       changed)
    if refused:
        first = refused[0]
        names = {p.id: p.name for p in listed}
        who = names.get(first.buyer if first.details.get("side") == "buyer" else first.producer, "")
        raise Conflict(_REFUSALS[first.reason], who=who, quota=first.details.get("quota", ""))


async def _movable(meeting_id: int, fair_id: int) -> dict[str, Any]:
    row = await Meeting.select().where((Meeting.id == meeting_id) & (Meeting.fair == fair_id)).first() \
        if is_id(meeting_id) else None
    if row is None:
        raise NotFound(N_("This meeting does not exist."))
    if row["status"] not in (MeetingStatus.draft.value, MeetingStatus.confirmed.value):
        raise Conflict(N_("A meeting already held or missed stays where it was."))
    return row


async def add_meeting(fair_id: int, buyer: int, producer: int, slot: int, table: int, actor: Actor) -> int:
    """An extra meeting set by the organizer in a free slot and table: confirmed at once (it is the organizer's word)
    and sent to both sides."""
    ensure_organizer(actor)
    await conference(fair_id)
    await _pair(fair_id, buyer, producer)
    async with Fair._meta.db.transaction():
        await _lock(fair_id)
        await _check_by_hand(fair_id, [scheduling.Meeting(slot, table, buyer, producer)], set())
        made = (await Meeting.insert(Meeting(fair=fair_id, buyer=buyer, producer=producer, slot=slot, table_number=table,
                                             status=MeetingStatus.confirmed.value)))[0]["id"]
        await record_audit(actor, "add_meeting", "fair", fair_id, None, {"meeting": made, "slot": slot, "table": table})
        await notify_schedules(fair_id)
    return made


async def move_meeting(fair_id: int, meeting_id: int, slot: int, table: int, actor: Actor) -> None:
    """A meeting moved by hand to a free slot and table; when it was confirmed, both sides are sent the change."""
    ensure_organizer(actor)
    await conference(fair_id)
    async with Fair._meta.db.transaction():
        await _lock(fair_id)
        row = await _movable(meeting_id, fair_id)
        await _check_by_hand(fair_id, [scheduling.Meeting(slot, table, row["buyer"], row["producer"])], {meeting_id})
        await Meeting.update({Meeting.slot: slot, Meeting.table_number: table}).where(Meeting.id == meeting_id)
        await record_audit(actor, "move_meeting", "fair", fair_id, None, {"meeting": meeting_id, "slot": slot, "table": table})
        await notify_schedules(fair_id)


async def swap_meetings(fair_id: int, meeting_id: int, other_id: int, actor: Actor) -> None:
    """Two meetings exchange their slots and tables (a participant asks to see one earlier); refused when either
    side of either meeting cannot make the other time."""
    ensure_organizer(actor)
    await conference(fair_id)
    if meeting_id == other_id:
        raise ValidationFailed({"other": N_("Choose another meeting to swap with.")})
    async with Fair._meta.db.transaction():
        await _lock(fair_id)
        one, other = await _movable(meeting_id, fair_id), await _movable(other_id, fair_id)
        await _check_by_hand(fair_id, [scheduling.Meeting(other["slot"], other["table_number"], one["buyer"], one["producer"]),
                                       scheduling.Meeting(one["slot"], one["table_number"], other["buyer"], other["producer"])],
                             {meeting_id, other_id})
        await Meeting.update({Meeting.slot: other["slot"], Meeting.table_number: other["table_number"]}).where(
            Meeting.id == meeting_id)
        await Meeting.update({Meeting.slot: one["slot"], Meeting.table_number: one["table_number"]}).where(
            Meeting.id == other_id)
        await record_audit(actor, "swap_meetings", "fair", fair_id, None, {"meetings": [meeting_id, other_id]})
        await notify_schedules(fair_id)
