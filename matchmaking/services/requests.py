"""Matches and what each side says of them, and the meeting requests between them."""

from __future__ import annotations

import datetime as dt

from catalog import reference
from catalog.tables import Product
from core import i18n
from core.audit import Actor, record_audit
from core.errors import N_, Conflict, NotFound, ValidationFailed, render
from core.ids import is_id
from fairs.tables import Fair
from matchmaking import scheduling, scoring
from matchmaking.enums import Interest, RequestStatus, Side
from matchmaking.schemas import (
    InterestIn,
    MatchOut,
    ParticipantOut,
    RequestOut,
)
from matchmaking.services.common import SCHEDULED, conference, ensure_organizer, lock
from matchmaking.services.registrations import participants
from matchmaking.tables import Meeting, MeetingRequest, MeetingRoom, PairInterest, Participant


async def set_interest(fair_id: int, data: InterestIn, actor: Actor) -> None:
    ensure_organizer(actor)
    await save_interest(fair_id, data, actor)


async def save_interest(fair_id: int, data: InterestIn, actor: Actor) -> None:
    """What one side says of a pair, once the caller's right to speak for that side is checked. A "no" to a pair
    with a confirmed meeting waits until the organizers cancel it."""
    await conference(fair_id)
    await pair(fair_id, data.buyer, data.producer)
    column = PairInterest.buyer_says if data.side is Side.buyer else PairInterest.producer_says
    async with Fair._meta.db.transaction():
        await lock(fair_id)
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


async def pair(fair_id: int, buyer: int, producer: int) -> tuple[dict, dict]:
    rows = {r["id"]: r for r in await Participant.select().where(
        (Participant.fair == fair_id) & Participant.id.is_in([buyer, producer]))}
    if rows.get(buyer, {}).get("side") != Side.buyer.value:
        raise ValidationFailed({"buyer": N_("This buyer is not registered for the conference.")})
    if rows.get(producer, {}).get("side") != Side.producer.value:
        raise ValidationFailed({"producer": N_("This producer is not registered for the conference.")})
    return rows[buyer], rows[producer]


async def scoring_inputs(fair_id: int) -> tuple[list[ParticipantOut], dict[int, scoring.Need], dict[int, scoring.Offer]]:
    listed = await participants(fair_id)
    products = {r["id"]: r for r in await Product.select(Product.id, Product.group_code, Product.subgroup_code,
                                                         Product.stars, Product.reference_price).where(
        Product.id.is_in([p for x in listed for p in x.product_ids] or [0]))}
    needs = {p.id: scoring.Need(frozenset(p.groups), frozenset(p.subgroups), p.min_stars, frozenset(p.provinces),
                                p.price_min, p.price_max)
             for p in listed if p.side == Side.buyer.value}
    offers = {p.id: scoring.Offer(p.province_code, tuple(
        scoring.OfferedProduct(products[i]["group_code"], products[i]["stars"] or 0, products[i]["reference_price"],
                               products[i]["subgroup_code"] or "")
        for i in p.product_ids if i in products)) for p in listed if p.side == Side.producer.value}
    return listed, needs, offers


async def matches(fair_id: int, buyer: int | None = None, producer: int | None = None, limit: int = 50) -> list[MatchOut]:
    """Pairs best first with their reasons (for one buyer, one producer, or the whole conference)."""
    listed, needs, offers = await scoring_inputs(fair_id)
    names = {p.id: p.name for p in listed}
    said = {(r["buyer"], r["producer"]): r for r in await PairInterest.select().where(PairInterest.fair == fair_id)}
    requested = await request_status(fair_id)
    vietnamese = i18n.current_language.get() == "vi"
    groups = {code: group.name_vi if vietnamese else group.name_en for code, group in reference.groups().items()}
    groups.update({code: item.name_vi if vietnamese else item.name_en for code, item in reference.subgroups().items()})
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


async def request_status(fair_id: int) -> dict[tuple[int, int], str]:
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
    await pair(fair_id, buyer, producer)
    await expire_requests(fair_id)
    said = await PairInterest.select().where((PairInterest.buyer == buyer) & (PairInterest.producer == producer)).first()
    if said and Interest.no.value in (said["buyer_says"], said["producer_says"]):
        raise ValidationFailed({"producer": N_("One side said it does not want this meeting.")})
    if (await request_status(fair_id)).get((buyer, producer)) in (RequestStatus.sent.value, RequestStatus.accepted.value):
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
