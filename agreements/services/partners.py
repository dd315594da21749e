"""A buyer in the loop without an account: a signed link, good for ninety days, opens its own
agreements (read, download the printed document) and lets it confirm a delivery received, recorded
beside the producer's entry. The link opens nothing else: not another buyer's agreements, not a page
that changes terms."""

from __future__ import annotations

import datetime as dt

from accounts.enums import Role
from agreements.schemas import AgreementOut
from agreements.services.records import get_agreement
from agreements.tables import Agreement, Delivery
from catalog.services import today
from catalog.tables import Buyer
from core import signed_links
from core.audit import SYSTEM, Actor, record_audit
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.ids import is_id

LINK_PURPOSE = "buyer"
LINK_DAYS = 90


def buyer_path(buyer_id: int, on: dt.date | None = None) -> str:
    """The path of a buyer's own page, signed, good for ninety days from `on` (today)."""
    return f"/partner/{signed_links.sign(LINK_PURPOSE, buyer_id, (on or today()) + dt.timedelta(days=LINK_DAYS))}"


async def link_buyer(token: str) -> dict:
    """The buyer a link was made for (Forbidden when altered or past its day; NotFound when it is gone)."""
    buyer_id = signed_links.read(LINK_PURPOSE, token, today())
    buyer = await Buyer.select(Buyer.id, Buyer.name, Buyer.kind).where(Buyer.id == buyer_id).first()
    if buyer is None:
        raise NotFound(N_("This buyer is no longer in the catalogue."))
    return buyer


async def buyer_agreements(token: str) -> tuple[dict, list[AgreementOut]]:
    """The link's buyer and its agreements, newest first, each with lines, fulfilment and deliveries."""
    buyer = await link_buyer(token)
    rows = await Agreement.select(Agreement.id).where(Agreement.buyer == buyer["id"]).order_by(
        Agreement.signed_on, ascending=False)
    return buyer, [await get_agreement(r["id"], SYSTEM) for r in rows]


async def buyer_agreement(token: str, agreement_id: int) -> AgreementOut:
    """One agreement of the link's buyer; any other is refused as if it did not exist."""
    buyer = await link_buyer(token)
    row = await Agreement.select(Agreement.buyer).where(Agreement.id == agreement_id).first() if is_id(agreement_id) else None
    if row is None or row["buyer"] != buyer["id"]:
        raise NotFound(N_("This agreement does not exist."))
    return await get_agreement(agreement_id, SYSTEM)


async def confirm_received(token: str, delivery_id: int, note: str = "") -> None:
    """The buyer confirms a delivery received (once; its note kept): its word beside the producer's entry."""
    buyer = await link_buyer(token)
    if len(note) > 255:
        raise ValidationFailed({"note": N_("At most 255 characters.")})
    actor = Actor(user_id=None, username=f"link:buyer:{buyer['id']}", role=Role.viewer)
    async with Delivery._meta.db.transaction():
        row = await Delivery.select(Delivery.id, Delivery.agreement.buyer, Delivery.buyer_confirmed_at).where(
            Delivery.id == delivery_id).first() if is_id(delivery_id) else None
        if row is None or row["agreement.buyer"] != buyer["id"]:
            raise NotFound(N_("This delivery does not exist."))
        if row["buyer_confirmed_at"] is not None:
            raise Conflict(N_("This delivery is confirmed already."))
        now = dt.datetime.now(dt.UTC)
        await Delivery.update({Delivery.buyer_confirmed_at: now, Delivery.buyer_note: note.strip()}).where(
            Delivery.id == delivery_id)
        await record_audit(actor, "buyer_confirmed", "delivery", delivery_id, None,
                           {"buyer": buyer["id"], "at": now, "note": note.strip()})

