"""Registrations: a buyer with its needs, a producer with its offer, and what the registration page lists."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from piccolo.columns import Column

from catalog import reference
from catalog.tables import Buyer, Producer, Product
from core.audit import Actor, record_audit
from core.database import fetch_rows
from core.errors import N_, Msg, NotFound, ValidationFailed
from core.formatting import clock
from fairs.tables import Fair
from matchmaking.enums import Side
from matchmaking.schemas import (
    ParticipantIn,
    ParticipantOut,
)
from matchmaking.services.common import SCHEDULED, conference, ensure_organizer, join, lock, participant_row, split
from matchmaking.services.room import room
from matchmaking.tables import Meeting, MeetingSlot, Offer, Participant


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
    if [code for code in data.subgroups if code not in reference.subgroups()]:
        errors["subgroups"] = N_("Choose the product sets from the OCOP list.")
    if [code for code in data.provinces if code not in reference.provinces()]:
        errors["provinces"] = N_("Choose the provinces from the list.")
    slots = await MeetingSlot.count().where(MeetingSlot.fair == fair_id)
    if any(slot >= slots for slot in data.available):
        errors["available"] = N_("Choose time slots of the conference's room.")
    if errors:
        raise ValidationFailed(errors)
    values: dict[Column | str, Any] = {
        Participant.quota: data.quota, Participant.available: join(sorted(set(data.available))),
        Participant.groups: join(data.groups), Participant.subgroups: join(data.subgroups),
        Participant.min_stars: data.min_stars,
        Participant.provinces: join(data.provinces), Participant.price_min: data.price_min,
        Participant.price_max: data.price_max, Participant.volume: data.volume, Participant.capacity: data.capacity,
        Participant.min_order: data.min_order, Participant.notes: data.notes, Participant.language: data.language,
    }
    async with Fair._meta.db.transaction():
        await lock(fair_id)
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
        starts = {s.number: s.starts_at for s in (await room((await participant_row(participant))["fair"])).slots}
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
        province_code=r["party_province"] or "", quota=r["quota"], available=[int(s) for s in split(r["available"])],
        groups=split(r["groups"]), subgroups=split(r["subgroups"]), min_stars=r["min_stars"], provinces=split(r["provinces"]), price_min=r["price_min"],
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
    row = await participant_row(participant_id)
    if fair_id is not None and row["fair"] != fair_id:
        raise NotFound(N_("This participant is not registered."))
    if row["arrived_at"] is not None:
        return
    await Participant.update({Participant.arrived_at: dt.datetime.now(dt.UTC)}).where(Participant.id == row["id"])


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
