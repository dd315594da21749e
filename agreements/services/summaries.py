"""The measure no one had: how many signed agreements turned into trade, and how much — per fair,
per buyer, per producer. Aggregates in SQL over the stored committed and delivered values."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count, Sum

from agreements.enums import AgreementStatus
from agreements.schemas import FairSummary
from agreements.services.records import as_key
from agreements.tables import Agreement
from catalog.services import today
from catalog.tables import Buyer
from core.database import fetch_rows

_LEFT_OUT = (AgreementStatus.draft.value, AgreementStatus.cancelled.value)
_RUNNING = (AgreementStatus.signed.value, AgreementStatus.in_progress.value)


async def fair_summary(fair_id: int | None) -> FairSummary:
    """Signed count, committed and delivered value, by buyer kind and status, the top buyers and
    producers, and how many agreements are overdue — for one fair (or all agreements).

    Two passes over the fair's agreements instead of one query per figure: the first groups them by
    buyer and status (a few hundred rows at most) and the rest is summed here."""
    scope, args = ("a.fair = {}", [as_key(fair_id)]) if fair_id is not None else ("1 = 1", [])
    groups = await fetch_rows(Agreement._meta.db,
        "SELECT a.buyer AS buyer, b.kind AS kind, a.status AS status, COUNT(*) AS agreements, "
        "SUM(a.committed_value) AS committed, SUM(a.delivered_value) AS delivered, "
        "SUM(CASE WHEN EXISTS (SELECT 1 FROM delivery d WHERE d.agreement = a.id) THEN 1 ELSE 0 END) AS delivering, "
        # The earliest unmet milestone, probed per agreement: PostgreSQL would hash every open milestone for EXISTS.
        f"SUM(CASE WHEN a.status IN ('{_RUNNING[0]}', '{_RUNNING[1]}') AND (SELECT MIN(m.due_on) FROM milestone m "
        "WHERE m.agreement = a.id AND m.done_on IS NULL) < {} THEN 1 ELSE 0 END) AS overdue "
        f"FROM agreement a JOIN buyer b ON b.id = a.buyer WHERE {scope} GROUP BY a.buyer, b.kind, a.status",
        today(), *args)
    top_producers = await fetch_rows(Agreement._meta.db,
        "SELECT p.id AS id, p.name AS name, t.agreements AS agreements, t.committed AS committed, "
        "t.delivered AS delivered FROM (SELECT l.producer AS producer, COUNT(DISTINCT l.agreement) AS agreements, "
        "SUM(l.value) AS committed, SUM(l.delivered_value) AS delivered FROM agreement_line l "
        f"JOIN agreement a ON a.id = l.agreement WHERE {scope} AND a.status NOT IN ('{_LEFT_OUT[0]}', '{_LEFT_OUT[1]}') "
        "GROUP BY l.producer ORDER BY SUM(l.value) DESC LIMIT 10) t JOIN producer p ON p.id = t.producer "
        "ORDER BY t.committed DESC", *args)

    totals = {"agreements": 0, "committed": 0, "delivered": 0, "delivering": 0, "overdue": 0}
    by_kind: dict[str, dict] = {}
    by_status: dict[str, dict] = {}
    by_buyer: dict[int, dict] = {}
    for row in map(_ints, groups):
        status = by_status.setdefault(row["status"], {"status": row["status"], "agreements": 0, "committed": 0})
        status["agreements"] += row["agreements"]
        status["committed"] += row["committed"]
        totals["overdue"] += row["overdue"]
        if row["status"] in _LEFT_OUT:  # drafts and cancelled agreements commit no one to anything
            continue
        for key in totals.keys() - {"overdue"}:
            totals[key] += row[key]
        for bucket, name, value in ((by_kind, "kind", row["kind"]), (by_buyer, "id", row["buyer"])):
            sums = bucket.setdefault(value, {name: value, "agreements": 0, "committed": 0, "delivered": 0})
            for key in ("agreements", "committed", "delivered"):
                sums[key] += row[key]
    top_buyers = sorted(by_buyer.values(), key=lambda b: (-b["committed"], b["id"]))[:10]
    names = {b["id"]: b["name"] for b in await Buyer.select(Buyer.id, Buyer.name).where(
        Buyer.id.is_in([b["id"] for b in top_buyers] or [0]))}
    return FairSummary(
        fair_id=fair_id, agreements=totals["agreements"], committed_value=totals["committed"],
        delivered_value=totals["delivered"], with_deliveries=totals["delivering"], overdue=totals["overdue"],
        by_buyer_kind=sorted(by_kind.values(), key=lambda k: -k["committed"]),
        by_status=sorted(by_status.values(), key=lambda s: -s["agreements"]),
        top_buyers=[{"id": b["id"], "name": names.get(b["id"], ""), **b} for b in top_buyers],
        top_producers=[_ints(r) for r in top_producers])


def _ints(row: dict) -> dict:
    # SUM over BIGINT comes back as Decimal on PostgreSQL: VND has no minor unit.
    return {k: int(v or 0) if k in _SUMS else v for k, v in row.items()}


_SUMS = ("committed", "delivered", "agreements", "delivering", "overdue")


async def running_totals(fair_id: int | None) -> dict:
    """What the ceremony page shows: agreements entered so far for the event and their committed value."""
    query = Agreement.select(Count(Agreement.id, alias="n"), Sum(Agreement.committed_value, alias="value")).where(
        Agreement.status.not_in([AgreementStatus.cancelled.value, AgreementStatus.draft.value]))
    query = query.where(Agreement.fair == as_key(fair_id)) if fair_id else query.where(Agreement.fair.is_null())
    row = (await query)[0]
    return {"agreements": row["n"] or 0, "committed_value": int(row["value"] or 0)}
