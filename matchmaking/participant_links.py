"""A participant in the loop without an account: a signed link, good until two weeks after the conference, opens
its own registration (needs or offer, the slots it attends), its matches to mark must / would / no, its requests to
send and answer, and its meetings to download and, on the day, to mark held or missed. The link opens nothing else:
not another participant's page, not the organizer's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.enums import Role
from catalog.services import producer_users
from catalog.tables import Buyer, Producer
from core.audit import Actor, record_audit
from core.errors import N_, NotFound, ValidationFailed
from core.outbox import Outgoing, enqueue_notifications
from matchmaking import services
from matchmaking.enums import Interest, MeetingStatus, Side
from matchmaking.link_signing import participant_of, participant_path
from matchmaking.schemas import InterestIn, OwnNeedsIn, ParticipantIn, ParticipantOut
from matchmaking.tables import Participant


async def paths(fair_id: int) -> dict[int, str]:
    """Participant id → the path of its own page (the organizer hands them out)."""
    fair = await services.conference(fair_id)
    rows = await Participant.select(Participant.id).where(Participant.fair == fair_id)
    return {r["id"]: participant_path(r["id"], fair["ends_on"]) for r in rows}


class Holder:
    """Who holds a link: the participant, its conference, and the actor its changes are audited under."""

    def __init__(self, participant: ParticipantOut, fair: dict[str, Any]) -> None:
        self.participant = participant
        self.fair = fair
        self.actor = Actor(user_id=None, username=f"link:participant:{participant.id}", role=Role.viewer)

    @property
    def side(self) -> Side:
        return Side(self.participant.side)

    def pair(self, other: int) -> tuple[int, int]:
        """(buyer, producer) of a pair of this participant with `other`."""
        return (self.participant.id, other) if self.side is Side.buyer else (other, self.participant.id)


async def holder(token: str) -> Holder:
    """The participant a link was made for (Forbidden when altered or past its day; NotFound when it is gone)."""
    participant_id = participant_of(token)
    row = await Participant.select(Participant.fair).where(Participant.id == participant_id).first()
    if row is None:
        raise NotFound(N_("This registration no longer exists. Ask the organizers."))
    fair = await services.conference(row["fair"])
    found = [p for p in await services.participants(row["fair"]) if p.id == participant_id]
    return Holder(found[0], fair)


async def update_needs(token: str, data: OwnNeedsIn) -> None:
    """The participant's own needs or offer; its side, party and quota of meetings stay the organizer's."""
    who = await holder(token)
    mine = who.participant
    if who.side is Side.buyer and data.product_ids:
        raise ValidationFailed({"product_ids": N_("A buyer offers no products: its needs say what it looks for.")})
    registration = ParticipantIn(
        side=who.side, buyer_id=mine.buyer_id, producer_id=mine.producer_id, quota=mine.quota,
        **{field: getattr(data, field) for field in OwnNeedsIn.__struct_fields__})
    await services.save_registration(mine.fair_id, registration, who.actor)


async def say(token: str, other: int, says: Interest) -> None:
    """What the participant says of meeting `other` (a participant of the other side)."""
    who = await holder(token)
    buyer, producer = who.pair(other)
    await services.save_interest(who.participant.fair_id, InterestIn(buyer=buyer, producer=producer, side=who.side,
                                                                     says=says), who.actor)


async def ask(token: str, other: int) -> int:
    """A meeting request from the participant to `other`."""
    who = await holder(token)
    buyer, producer = who.pair(other)
    return await services.make_request(who.participant.fair_id, buyer, producer, who.side, who.actor)


async def answer(token: str, request_id: int, accept: bool) -> None:
    """Accepts or declines a request the other side made to the participant."""
    who = await holder(token)
    await services.record_answer(request_id, accept, who.actor, answering=who.participant.id)


async def mark(token: str, meeting_id: int, status: MeetingStatus) -> None:
    """The participant's word on one of its meetings once it has begun: held, or the other side did not come."""
    who = await holder(token)
    await services.record_mark(meeting_id, status, who.actor, party=who.participant.id)


async def calendar(token: str) -> tuple[str, bytes]:
    return await services.participant_calendar((await holder(token)).participant.id)


async def send_links(fair_id: int, actor: Actor) -> int:
    """E-mails each participant its link, once per participant: buyers at their address, producers to their users
    (or the producer's address when it has none). Returns how many messages were queued."""
    services.ensure_organizer(actor)
    fair = await services.conference(fair_id)
    listed = await services.participants(fair_id)
    buyers = {r["id"]: r["email"] for r in await Buyer.select(Buyer.id, Buyer.email).where(
        Buyer.id.is_in([p.buyer_id for p in listed if p.buyer_id] or [0]))}
    producer_ids = [p.producer_id for p in listed if p.producer_id] or [0]
    producers = {r["id"]: r["email"] for r in await Producer.select(Producer.id, Producer.email).where(
        Producer.id.is_in(producer_ids))}
    members = await producer_users(producer_ids)
    outgoing = []
    for p in listed:
        data = {"fair_id": fair_id, "fair": fair["name"], "name": p.name, "side": p.side,
                "link": participant_path(p.id, fair["ends_on"])}
        key = f"meeting-link:{fair_id}:{p.id}"
        users = members.get(p.producer_id or 0, []) if p.producer_id else []
        email = (buyers.get(p.buyer_id or 0) if p.buyer_id else producers.get(p.producer_id or 0)) or ""
        if users:
            outgoing += [Outgoing(f"{key}:{user}", user, "meeting_invitation", data) for user in users]
        elif email.strip():
            outgoing.append(Outgoing(key, None, "meeting_invitation", data, email=email.strip(), language=p.language))
    queued = await enqueue_notifications(outgoing)
    await record_audit(actor, "send_links", "fair", fair_id, None, {"messages": queued})
    return queued



async def page(who: Holder) -> dict[str, Any]:
    """What the participant's own page shows: its meetings (confirmed and after), the requests made to it and by it,
    its best matches with what each side said, and its registration."""
    mine = who.participant
    fair_id = mine.fair_id
    side = {"buyer": mine.id} if who.side is Side.buyer else {"producer": mine.id}
    now = dt.datetime.now(dt.UTC)
    meetings = [m for m in await services.meetings(fair_id, mine.id) if m.status != MeetingStatus.draft.value]
    requests = [r for r in await services.requests(fair_id) if mine.id in (r.buyer, r.producer)]
    return {
        "participant": mine, "fair": who.fair, "room": await services.room(fair_id),
        "meetings": meetings, "begun": {m.id for m in meetings if m.starts_at and m.starts_at <= now},
        "incoming": [r for r in requests if r.asked_by != mine.side],
        "outgoing": [r for r in requests if r.asked_by == mine.side],
        "matches": await services.matches(fair_id, limit=30, **side),
        "requests_closed": await services.requests_closed(fair_id),
    }
