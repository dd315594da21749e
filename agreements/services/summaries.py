"""The measure no one had: how many signed agreements turned into trade, and how much — per fair,
per buyer, per producer. Aggregates in SQL over the stored committed and delivered values."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count, Sum

from agreements.enums import AgreementStatus
from agreements.schemas import FairSummary
from agreements.services.records import overdue_clause
from agreements.tables import Agreement
from catalog.services import today


def _scope(fair_id: int | None) -> tuple[str, list]:
    # Drafts and cancelled agreements commit no one to anything: they are left out of the measures.
    where = "a.status NOT IN ('draft', 'cancelled')"
    if fair_id is None:
        return where, []
    return where + " AND a.fair = {}", [fair_id]


async def fair_summary(fair_id: int | None) -> FairSummary:
    """Signed count, committed and delivered value, by buyer kind and status, the top buyers and
    producers, and how many agreements are overdue — for one fair (or all agreements)."""
    where, args = _scope(fair_id)
    totals = (await Agreement.raw(
        "SELECT COUNT(*) AS agreements, COALESCE(SUM(a.committed_value), 0) AS committed, "
        "COALESCE(SUM(a.delivered_value), 0) AS delivered, "
        "COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM delivery d WHERE d.agreement = a.id) THEN 1 ELSE 0 END), 0) "
        f"AS with_deliveries FROM agreement a WHERE {where}",
        *args))[0]
    by_kind = await Agreement.raw(
        "SELECT b.kind AS kind, COUNT(*) AS agreements, SUM(a.committed_value) AS committed, "
        f"SUM(a.delivered_value) AS delivered FROM agreement a JOIN buyer b ON b.id = a.buyer WHERE {where} "
        "GROUP BY b.kind ORDER BY SUM(a.committed_value) DESC", *args)
    by_status = await Agreement.raw(  # every status, drafts and cancelled ones included
        "SELECT a.status AS status, COUNT(*) AS agreements, SUM(a.committed_value) AS committed FROM agreement a "
        f"WHERE {'a.fair = {}' if fair_id is not None else '1 = 1'} GROUP BY a.status ORDER BY COUNT(*) DESC", *args)
    top_buyers = await Agreement.raw(
        "SELECT b.id AS id, b.name AS name, COUNT(*) AS agreements, SUM(a.committed_value) AS committed, "
        f"SUM(a.delivered_value) AS delivered FROM agreement a JOIN buyer b ON b.id = a.buyer WHERE {where} "
        "GROUP BY b.id, b.name ORDER BY SUM(a.committed_value) DESC LIMIT 10", *args)
    top_producers = await Agreement.raw(
        "SELECT p.id AS id, p.name AS name, COUNT(DISTINCT a.id) AS agreements, SUM(l.value) AS committed, "
        "SUM(l.delivered_value) AS delivered FROM agreement a JOIN agreement_line l ON l.agreement = a.id "
        f"JOIN producer p ON p.id = l.producer WHERE {where} GROUP BY p.id, p.name ORDER BY SUM(l.value) DESC LIMIT 10",
        *args)
    overdue = Agreement.count().where(overdue_clause(today()))
    if fair_id is not None:
        overdue = overdue.where(Agreement.fair == fair_id)
    return FairSummary(
        fair_id=fair_id, agreements=totals["agreements"], committed_value=int(totals["committed"]),
        delivered_value=int(totals["delivered"]), with_deliveries=int(totals["with_deliveries"]), overdue=await overdue,
        by_buyer_kind=[_ints(r) for r in by_kind], by_status=[_ints(r) for r in by_status],
        top_buyers=[_ints(r) for r in top_buyers], top_producers=[_ints(r) for r in top_producers])


def _ints(row: dict) -> dict:
    # SUM over BIGINT comes back as Decimal on PostgreSQL: VND has no minor unit.
    return {k: int(v) if k in ("committed", "delivered", "agreements") and v is not None else v for k, v in row.items()}


async def running_totals(fair_id: int | None) -> dict:
    """What the ceremony page shows: agreements entered so far for the event and their committed value."""
    query = Agreement.select(Count(Agreement.id, alias="n"), Sum(Agreement.committed_value, alias="value")).where(
        Agreement.status.not_in([AgreementStatus.cancelled.value, AgreementStatus.draft.value]))
    query = query.where(Agreement.fair == fair_id) if fair_id else query.where(Agreement.fair.is_null())
    row = (await query)[0]
    return {"agreements": row["n"] or 0, "committed_value": int(row["value"] or 0)}
