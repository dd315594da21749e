"""Demo meetings: the buyer–producer meetings of the demo connection conference four months ago, as they went.

The buyers and producers of the conference's agreements came, with some others; each side said whom it must or
would meet (the pairs that later signed both said "must meet"), some requests were accepted, some declined, some
left to expire; the engine scheduled the day, the organizer confirmed it, most meetings were held and a few
missed; each agreement signed there is linked to the meeting it came from.
"""

from __future__ import annotations

import datetime as dt
import random

from agreements.tables import Agreement, AgreementProducer
from catalog import reference
from catalog.tables import Buyer, Product
from core.audit import SYSTEM
from core.tables import Notification
from fairs.tables import Fair
from matchmaking import services
from matchmaking.enums import Interest, MeetingStatus, Side
from matchmaking.schemas import InterestIn, ParticipantIn, RoomIn, SessionIn
from matchmaking.tables import Meeting, MeetingRequest, MeetingRoom

_GROUPS = ["food", "beverages", "herbal", "handicrafts", "ornamental", "tourism"]


def _stated_needs(buyer: int) -> dict:
    """What a buyer wrote beyond its groups, as registrations come: some name provinces, a price band or a volume,
    many leave them empty (unknown, never made up). Drawn from the buyer's own seed: the rest of the demo is
    unchanged by it."""
    own = random.Random(buyer)
    needs: dict = {}
    if own.random() < 0.4:
        needs["provinces"] = own.sample(sorted(reference.provinces()), k=own.choice([1, 2, 3]))
    if own.random() < 0.35:
        low = own.choice([20_000, 50_000, 80_000])
        needs.update(price_min=low, price_max=low * own.choice([3, 5, 10]))
    if own.random() < 0.25:
        needs["subgroups"] = own.sample(sorted(reference.subgroups()), k=own.choice([1, 2]))
    if own.random() < 0.5:
        needs["volume"] = own.choice(["2 tấn/tháng", "500 hộp/tháng", "1 container/quý", "300 kg/tuần"])
    return needs


async def seed_meetings(rng: random.Random, fair_id: int) -> dict[str, int]:
    fair = await Fair.select(Fair.starts_on).where(Fair.id == fair_id).first()
    assert fair is not None, "the demo conference exists"
    await services.set_room(fair_id, RoomIn(day=fair["starts_on"], tables=30, meeting_minutes=20, sessions=[
        SessionIn(starts="08:30", slots=9), SessionIn(starts="13:30", slots=9)]), SYSTEM)
    signed = await Agreement.select(Agreement.id, Agreement.buyer).where(Agreement.fair == fair_id)
    parties = {r["agreement"]: r["producer"] for r in await AgreementProducer.select(
        AgreementProducer.agreement, AgreementProducer.producer).where(
        AgreementProducer.agreement.is_in([a["id"] for a in signed] or [0]))}
    buyers = sorted({a["buyer"] for a in signed} | {b["id"] for b in await Buyer.select(Buyer.id)})
    producers = sorted(set(parties.values()))
    offered: dict[int, list[int]] = {}
    for row in await Product.select(Product.id, Product.producer).where(
            Product.producer.is_in(producers or [0]) & (Product.stars >= 3) & Product.withdrawn_on.is_null()):
        offered.setdefault(row["producer"], []).append(row["id"])
    buyer_ids, producer_ids = {}, {}
    for buyer in buyers:
        groups = rng.sample(_GROUPS, k=rng.choice([1, 2, 3]))
        buyer_ids[buyer] = await services.register(fair_id, ParticipantIn(
            side=Side.buyer, buyer_id=buyer, quota=rng.choice([8, 10, 12]), groups=groups, min_stars=rng.choice([None, 3, 4]),
            available=list(range(9)) if rng.random() < 0.15 else [], **_stated_needs(buyer)), SYSTEM)  # a few: mornings
    for producer in producers:
        producer_ids[producer] = await services.register(fair_id, ParticipantIn(
            side=Side.producer, producer_id=producer, quota=rng.choice([6, 8]),
            product_ids=offered.get(producer, [])[:5]), SYSTEM)
    signing = {(buyer_ids[a["buyer"]], producer_ids[parties[a["id"]]]): a["id"] for a in signed if a["id"] in parties}
    for b, p in signing:
        for side in (Side.buyer, Side.producer):
            await services.set_interest(fair_id, InterestIn(buyer=b, producer=p, side=side, says=Interest.must), SYSTEM)
    for b in buyer_ids.values():  # and what else each buyer said of a few others
        for p in rng.sample(list(producer_ids.values()), k=min(6, len(producer_ids))):
            if (b, p) not in signing:
                says = rng.choice([Interest.would, Interest.would, Interest.must, Interest.no])
                await services.set_interest(fair_id, InterestIn(buyer=b, producer=p, side=Side.buyer, says=says), SYSTEM)
    for (b, p) in rng.sample(sorted(signing), k=min(40, len(signing))):
        made = await services.send_request(fair_id, b, p, rng.choice([Side.buyer, Side.producer]), SYSTEM)
        if rng.random() < 0.8:
            await services.answer_request(made, True, SYSTEM)
    await services.run_schedule(fair_id, SYSTEM)
    await services.confirm_drafts(fair_id, SYSTEM)
    # Each participant received its schedule before the day, four months ago.
    sent_at = dt.datetime.combine(fair["starts_on"] - dt.timedelta(days=5), dt.time(2), tzinfo=dt.UTC)
    await Notification.update({Notification.status: "sent", Notification.sent_at: sent_at}).where(
        Notification.key.like(f"meetings:{fair_id}:%"))
    # Requests were due the week before; those left unanswered expired then.
    await MeetingRoom.update({MeetingRoom.requests_close_at: dt.datetime.combine(
        fair["starts_on"] - dt.timedelta(days=7), dt.time(17), tzinfo=dt.UTC)}).where(MeetingRoom.fair == fair_id)
    await services.expire_requests(fair_id)
    held = missed = linked = 0
    for meeting in await Meeting.select().where(Meeting.fair == fair_id):
        agreement = signing.get((meeting["buyer"], meeting["producer"]))
        if agreement is None and rng.random() < 0.12:
            await services.mark(meeting["id"], MeetingStatus.no_show, SYSTEM)
            missed += 1
            continue
        await services.mark(meeting["id"], MeetingStatus.held, SYSTEM)
        held += 1
        if agreement is not None:  # signed at the ceremony that closed the day
            await Meeting.update({Meeting.agreement: agreement}).where(Meeting.id == meeting["id"])
            linked += 1
    return {"meetings_held": held, "no_shows": missed, "agreements_from_meetings": linked,
            "meeting_requests": await MeetingRequest.count().where(MeetingRequest.fair == fair_id)}
