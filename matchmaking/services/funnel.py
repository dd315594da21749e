"""The funnel: what the conference's meetings became, in agreements and trade."""

from __future__ import annotations

from collections import defaultdict

from agreements.tables import Agreement, AgreementLine
from catalog import reference
from catalog.tables import Buyer
from matchmaking.enums import STANDING, MeetingStatus, RequestStatus
from matchmaking.schemas import (
    FunnelOut,
)
from matchmaking.services.common import conference
from matchmaking.services.registrations import participants
from matchmaking.services.requests import expire_requests
from matchmaking.tables import Meeting, MeetingRequest


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
