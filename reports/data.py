"""What a report is built from: gathered through the modules' services and tables, returned as
plain frozen dataclasses with codes (not labels), so the same data renders in any language and its
digest says exactly what a compiled report shows. No HTTP, no rendering.

Money is VND as integers; SUM over BIGINT comes back as Decimal on PostgreSQL, hence `int()`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast

import msgspec

from agreements.services import fair_summary
from agreements.tables import Agreement, AgreementProducer, Milestone
from catalog.services import today
from core.database import fetch_rows
from core.formatting import VIETNAM
from core.text import natural_key
from fairs import services as fairs
from fairs.enums import ApplicationStatus, FairKind
from fairs.tables import Application, ApplicationProduct, Booth, BoothAssignment, BoothSale, Fair
from matchmaking import services as matchmaking

PRODUCER_KINDS = ("enterprise", "cooperative", "cooperative_group", "household")
# Agreements in these states commit no one to anything: left out of the measures (as fair_summary does).
NOT_COMMITTING = ("draft", "cancelled")
RUNNING = ("signed", "in_progress")
# An application holding the booths it was given: whom the organizers expect at the fair.
PLACED = (ApplicationStatus.allocated.value, ApplicationStatus.confirmed.value)


def as_date(value: Any) -> dt.date | None:
    """Raw SQLite rows carry dates as ISO text; PostgreSQL rows carry date objects."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def as_day(value: Any) -> dt.date:
    """`as_date` of a column that is never NULL."""
    return cast(dt.date, as_date(value))


def digest(data: Any) -> str:
    """SHA-256 of the data a report is built from (its compilation time left out)."""
    values = asdict(data)
    values.pop("generated_on", None)
    return hashlib.sha256(msgspec.json.encode(values, order="sorted")).hexdigest()


# -- the fair outcome report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FairInfo:
    id: int
    name: str
    kind: str
    status: str
    series: str
    edition: int | None
    venue: str
    address: str
    province_code: str
    starts_on: dt.date
    ends_on: dt.date
    organizers: tuple[str, ...]
    description: str

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Exhibitor:
    application_id: int
    booths: tuple[str, ...]
    zone: str
    producer: str
    producer_kind: str
    province_code: str
    group_code: str  # the group most of its products belong to
    products: tuple[str, ...]
    best_stars: int
    revenue: int
    transactions: int
    days_reported: int
    checked_in: bool
    status: str


@dataclass(frozen=True)
class Share:
    """One slice of a breakdown: a code (kind, province, group, star count) and its figures."""

    code: str
    exhibitors: int = 0
    products: int = 0
    booths: int = 0
    revenue: int = 0


@dataclass(frozen=True)
class StatusFigures:
    """The applications that ended in one status, the booths they asked for and the booths they hold."""

    status: str
    applications: int
    booths_wanted: int
    booths_given: int


@dataclass(frozen=True)
class Waiting:
    """An application left on the waiting list."""

    producer: str
    province_code: str
    booths_wanted: int


@dataclass(frozen=True)
class Day:
    day: dt.date
    visitors: int | None
    revenue: int
    transactions: int
    booths_reporting: int


@dataclass(frozen=True)
class BuyerKindFigures:
    kind: str
    agreements: int
    committed: int
    delivered: int


@dataclass(frozen=True)
class AgreementEntry:
    code: str
    signed_on: dt.date
    kind: str
    status: str
    buyer: str
    buyer_kind: str
    producers: str
    committed: int
    delivered: int
    overdue: bool


@dataclass(frozen=True)
class MeetingRow:
    """Meetings of one buyer kind, producer province or product group, and what they became."""

    name: str
    scheduled: int
    held: int
    no_shows: int
    agreements: int
    committed: int
    delivered: int


@dataclass(frozen=True)
class MeetingFigures:
    """A connection conference's buyer–producer meetings, from request to delivered trade."""

    participants: int
    requests: int
    accepted: int
    scheduled: int
    held: int
    no_shows: int
    agreements: int
    per_meeting_held: float
    committed: int
    delivered: int
    by_buyer_kind: tuple[MeetingRow, ...]
    by_province: tuple[MeetingRow, ...]
    by_group: tuple[MeetingRow, ...]


@dataclass(frozen=True)
class AgreementFigures:
    agreements: int
    committed: int
    delivered: int
    with_deliveries: int
    overdue: int
    by_buyer_kind: tuple[BuyerKindFigures, ...]
    by_status: tuple[tuple[str, int], ...]
    entries: tuple[AgreementEntry, ...]  # every agreement recorded at the fair, drafts and cancelled ones included

    @property
    def share(self) -> float:
        return self.delivered / self.committed if self.committed else 0.0


@dataclass(frozen=True)
class Edition:
    fair_id: int
    name: str
    edition: int | None
    starts_on: dt.date
    ends_on: dt.date
    booths_planned: int
    booths_used: int
    exhibitors: int
    provinces: int
    visitors: int
    revenue: int
    agreements: int
    committed: int


@dataclass(frozen=True)
class FairOutcome:
    fair: FairInfo
    generated_on: dt.date
    booths_planned: int  # every booth on the plan that is not blocked
    booths_blocked: int
    booths_used: int
    applications: int  # not withdrawn
    waitlisted: int
    by_status: tuple[StatusFigures, ...]  # every application received, withdrawn ones included
    waiting: tuple[Waiting, ...]  # in the order the applications came in
    exhibitors: tuple[Exhibitor, ...]  # ordered by their first booth
    products: int
    by_kind: tuple[Share, ...]
    by_province: tuple[Share, ...]
    by_group: tuple[Share, ...]
    by_stars: tuple[Share, ...]
    days: tuple[Day, ...]
    agreements: AgreementFigures
    editions: tuple[Edition, ...] = field(default=())  # earlier editions of the series, oldest first
    meetings: MeetingFigures | None = None  # a connection conference's meetings, once scheduled

    @property
    def revenue(self) -> int:
        return sum(d.revenue for d in self.days)

    @property
    def transactions(self) -> int:
        return sum(d.transactions for d in self.days)

    @property
    def visitors(self) -> int:
        return sum(d.visitors or 0 for d in self.days)

    @property
    def provinces(self) -> int:
        return len({e.province_code for e in self.exhibitors if e.province_code})

    @property
    def checked_in(self) -> int:
        return sum(1 for e in self.exhibitors if e.checked_in)

    @property
    def received(self) -> int:
        return sum(s.applications for s in self.by_status)

    @property
    def booths_wanted(self) -> int:
        return sum(s.booths_wanted for s in self.by_status)

    @property
    def placed(self) -> tuple[Exhibitor, ...]:
        return tuple(e for e in self.exhibitors if e.status in PLACED)

    @property
    def no_shows(self) -> tuple[Exhibitor, ...]:
        return tuple(e for e in self.placed if not e.checked_in)

    def as_edition(self) -> Edition:
        return Edition(self.fair.id, self.fair.name, self.fair.edition, self.fair.starts_on, self.fair.ends_on,
                       self.booths_planned, self.booths_used, len(self.exhibitors), self.provinces, self.visitors,
                       self.revenue, self.agreements.agreements, self.agreements.committed)


async def fair_outcome(fair_id: int) -> FairOutcome:
    """Everything the outcome report of a fair shows; NotFound when the fair does not exist."""
    fair = await fairs.get_fair(fair_id)  # raises NotFound
    info = FairInfo(fair.id, fair.name, getattr(fair.kind, "value", fair.kind), getattr(fair.status, "value", fair.status), fair.series, fair.edition, fair.venue,
                    fair.address, fair.province_code, fair.starts_on, fair.ends_on,
                    tuple(line.strip() for line in fair.organizers.splitlines() if line.strip()), fair.description)
    booths = await Booth.select(Booth.id, Booth.code, Booth.blocked, Booth.zone.name).where(Booth.fair == fair_id)
    held = await BoothAssignment.select(BoothAssignment.booth, BoothAssignment.application).where(
        BoothAssignment.fair == fair_id)
    applications = await Application.select(
        Application.id, Application.status, Application.booths_wanted, Application.checked_in_at,
        Application.producer.name, Application.producer.kind, Application.producer.province_code).where(
        Application.fair == fair_id).order_by(Application.submitted_at).order_by(Application.id)
    shown = await ApplicationProduct.select(
        ApplicationProduct.application, ApplicationProduct.product, ApplicationProduct.product.name,
        ApplicationProduct.product.group_code, ApplicationProduct.product.stars).where(
        ApplicationProduct.application.fair == fair_id).order_by(ApplicationProduct.id)
    sales = {r["application"]: r for r in await fetch_rows(BoothSale._meta.db,
        "SELECT application, SUM(revenue) AS revenue, SUM(transactions) AS transactions, COUNT(*) AS days "
        "FROM booth_sale WHERE fair = {} GROUP BY application", fair_id)}
    days = tuple(Day(d.day, d.visitors, d.revenue, d.transactions, d.booths_reporting)
                 for d in await fairs.daily_figures(fair_id))

    booth_by_id = {b["id"]: b for b in booths}
    booths_of: dict[int, list[dict]] = {}
    for row in held:
        booths_of.setdefault(row["application"], []).append(booth_by_id[row["booth"]])
    products_of: dict[int, list[dict]] = {}
    for row in shown:
        products_of.setdefault(row["application"], []).append(row)
    exhibitors = []
    for application in applications:
        mine = sorted(booths_of.get(application["id"], []), key=lambda b: natural_key(b["code"]))
        if not mine:
            continue
        products = products_of.get(application["id"], [])
        groups = Counter(p["product.group_code"] for p in products)
        sold = sales.get(application["id"], {})
        exhibitors.append(Exhibitor(
            application_id=application["id"], booths=tuple(b["code"] for b in mine), zone=mine[0]["zone.name"],
            producer=application["producer.name"], producer_kind=application["producer.kind"],
            province_code=application["producer.province_code"],
            group_code=groups.most_common(1)[0][0] if groups else "",
            products=tuple(p["product.name"] for p in products), best_stars=max((p["product.stars"] for p in products), default=0),
            revenue=int(sold.get("revenue") or 0), transactions=int(sold.get("transactions") or 0),
            days_reported=int(sold.get("days") or 0), checked_in=application["checked_in_at"] is not None,
            status=application["status"]))
    exhibitors.sort(key=lambda e: natural_key(e.booths[0]))
    placed_products = {p["product"]: p for e in exhibitors for p in products_of.get(e.application_id, [])}
    return FairOutcome(
        fair=info, generated_on=today(),
        booths_planned=sum(1 for b in booths if not b["blocked"]), booths_blocked=sum(1 for b in booths if b["blocked"]),
        booths_used=len(held),
        applications=sum(1 for a in applications if a["status"] != "withdrawn"),
        waitlisted=sum(1 for a in applications if a["status"] == "waitlisted"),
        by_status=_by_status(applications, booths_of), waiting=_waiting(applications),
        exhibitors=tuple(exhibitors), products=len(placed_products),
        by_kind=_by_kind(exhibitors), by_province=_by_province(exhibitors), by_group=_by_group(exhibitors, placed_products),
        by_stars=_by_stars(exhibitors, placed_products), days=days,
        agreements=await agreement_figures(fair_id), editions=await earlier_editions(info),
        meetings=await meeting_figures(fair_id) if info.kind == FairKind.connection_conference.value else None)


async def meeting_figures(fair_id: int) -> MeetingFigures | None:
    """The conference's funnel from meeting request to delivered trade; None before any meeting is scheduled."""
    funnel = await matchmaking.funnel(fair_id)
    if not funnel.scheduled:
        return None

    def rows(entries: list[dict]) -> tuple[MeetingRow, ...]:
        return tuple(MeetingRow(e["name"], e["scheduled"], e["held"], e["no_shows"], e["agreements"],
                                e["committed_value"], e["delivered_value"]) for e in entries)

    return MeetingFigures(funnel.participants, funnel.requests, funnel.accepted, funnel.scheduled, funnel.held,
                          funnel.no_shows, funnel.agreements, funnel.agreements_per_meeting_held, funnel.committed_value,
                          funnel.delivered_value, rows(funnel.by_buyer_kind), rows(funnel.by_province), rows(funnel.by_group))


def _by_status(applications: list[dict], booths_of: dict[int, list[dict]]) -> tuple[StatusFigures, ...]:
    """How the applications ended, in the order of the workflow."""
    figures: dict[str, list[int]] = {}
    for application in applications:
        entry = figures.setdefault(application["status"], [0, 0, 0])
        entry[0] += 1
        entry[1] += application["booths_wanted"] or 0
        entry[2] += len(booths_of.get(application["id"], []))
    known = [s.value for s in ApplicationStatus]
    order = [s for s in known if s in figures] + sorted(set(figures) - set(known))
    return tuple(StatusFigures(s, *figures[s]) for s in order)


def _waiting(applications: list[dict]) -> tuple[Waiting, ...]:
    return tuple(Waiting(a["producer.name"], a["producer.province_code"], a["booths_wanted"] or 0)
                 for a in applications if a["status"] == ApplicationStatus.waitlisted.value)


def _by_kind(exhibitors: list[Exhibitor]) -> tuple[Share, ...]:
    counts = Counter(e.producer_kind for e in exhibitors)
    revenue: Counter[str] = Counter()
    for e in exhibitors:
        revenue[e.producer_kind] += e.revenue
    kinds = list(PRODUCER_KINDS) + sorted(set(counts) - set(PRODUCER_KINDS))
    return tuple(Share(k, exhibitors=counts[k], revenue=revenue[k]) for k in kinds)


def _by_province(exhibitors: list[Exhibitor]) -> tuple[Share, ...]:
    figures: dict[str, list[int]] = {}
    for e in exhibitors:
        entry = figures.setdefault(e.province_code, [0, 0, 0])
        entry[0] += 1
        entry[1] += len(e.booths)
        entry[2] += e.revenue
    ordered = sorted(figures.items(), key=lambda item: (-item[1][0], -item[1][2], item[0]))
    return tuple(Share(code, exhibitors=n, booths=b, revenue=r) for code, (n, b, r) in ordered)


def _by_group(exhibitors: list[Exhibitor], products: dict[int, dict]) -> tuple[Share, ...]:
    from catalog import reference

    exhibiting: Counter[str] = Counter()
    revenue: Counter[str] = Counter()
    for e in exhibitors:
        exhibiting[e.group_code] += 1
        revenue[e.group_code] += e.revenue
    shown = Counter(p["product.group_code"] for p in products.values())
    codes = [g for g in reference.groups() if exhibiting[g] or shown[g]]
    codes += sorted(c for c in set(exhibiting) | set(shown) if c not in codes)
    return tuple(Share(c, exhibitors=exhibiting[c], products=shown[c], revenue=revenue[c]) for c in codes)


def _by_stars(exhibitors: list[Exhibitor], products: dict[int, dict]) -> tuple[Share, ...]:
    best = Counter(e.best_stars for e in exhibitors)
    shown = Counter(p["product.stars"] for p in products.values())
    stars = sorted(set(best) | set(shown) | {3, 4, 5}, reverse=True)
    return tuple(Share(str(s), exhibitors=best[s], products=shown[s]) for s in stars if s)


async def agreement_figures(fair_id: int) -> AgreementFigures:
    """The fair's agreements: the measures of `fair_summary` and every agreement as a list entry."""
    summary = await fair_summary(fair_id)
    rows = await Agreement.select(
        Agreement.id, Agreement.code, Agreement.kind, Agreement.status, Agreement.signed_on, Agreement.committed_value,
        Agreement.delivered_value, Agreement.buyer.name, Agreement.buyer.kind).where(Agreement.fair == fair_id)
    return AgreementFigures(
        agreements=summary.agreements, committed=summary.committed_value, delivered=summary.delivered_value,
        with_deliveries=summary.with_deliveries, overdue=summary.overdue,
        by_buyer_kind=tuple(BuyerKindFigures(r["kind"], r["agreements"], r["committed"] or 0, r["delivered"] or 0)
                            for r in summary.by_buyer_kind),
        by_status=tuple((r["status"], r["agreements"]) for r in summary.by_status),
        entries=await _entries(rows))


async def _entries(rows: list[dict]) -> tuple[AgreementEntry, ...]:
    ids = [r["id"] for r in rows]
    names: dict[int, list[str]] = {}
    late: set[int] = set()
    for start in range(0, len(ids), 900):  # SQLite binds at most 999 parameters
        chunk = ids[start:start + 900]
        for p in await AgreementProducer.select(AgreementProducer.agreement, AgreementProducer.producer.name).where(
                AgreementProducer.agreement.is_in(chunk)).order_by(AgreementProducer.id):
            names.setdefault(p["agreement"], []).append(p["producer.name"])
        late |= {m["agreement"] for m in await Milestone.select(Milestone.agreement).where(
            Milestone.agreement.is_in(chunk), Milestone.due_on < today(), Milestone.done_on.is_null())}
    entries = [AgreementEntry(
        code=r["code"], signed_on=as_day(r["signed_on"]), kind=r["kind"], status=r["status"], buyer=r["buyer.name"],
        buyer_kind=r["buyer.kind"], producers=", ".join(names.get(r["id"], [])), committed=r["committed_value"],
        delivered=r["delivered_value"], overdue=r["id"] in late and r["status"] in RUNNING) for r in rows]
    entries.sort(key=lambda e: (e.signed_on, natural_key(e.code)))
    return tuple(entries)


async def earlier_editions(fair: FairInfo) -> tuple[Edition, ...]:
    """The series' editions that started before this one (oldest first), with their headline figures."""
    if not fair.series.strip():
        return ()
    rows = await Fair.select(Fair.id, Fair.name, Fair.edition, Fair.starts_on, Fair.ends_on).where(
        Fair.series == fair.series, Fair.id != fair.id, Fair.starts_on < fair.starts_on,
        Fair.status.is_in(["running", "closed"])).order_by(Fair.starts_on)
    if not rows:
        return ()
    ids = [r["id"] for r in rows]
    marks = ", ".join("{}" for _ in ids)

    async def per_fair(sql: str) -> dict[int, dict]:
        return {r["fair"]: r for r in await fetch_rows(Fair._meta.db, sql.replace("(IDS)", f"({marks})"), *ids)}

    planned = await per_fair("SELECT fair, SUM(CASE WHEN blocked THEN 0 ELSE 1 END) AS n FROM booth "
                             "WHERE fair IN (IDS) GROUP BY fair")
    used = await per_fair("SELECT a.fair AS fair, COUNT(*) AS booths, COUNT(DISTINCT a.application) AS exhibitors, "
                          "COUNT(DISTINCT p.province_code) AS provinces FROM booth_assignment a "
                          "JOIN application ap ON ap.id = a.application JOIN producer p ON p.id = ap.producer "
                          "WHERE a.fair IN (IDS) GROUP BY a.fair")
    visitors = await per_fair("SELECT fair, SUM(visitors) AS n FROM visitor_count WHERE fair IN (IDS) GROUP BY fair")
    revenue = await per_fair("SELECT fair, SUM(revenue) AS n FROM booth_sale WHERE fair IN (IDS) GROUP BY fair")
    signed = await per_fair("SELECT fair, COUNT(*) AS n, SUM(committed_value) AS committed FROM agreement "
                            f"WHERE fair IN (IDS) AND status NOT IN ('{NOT_COMMITTING[0]}', '{NOT_COMMITTING[1]}') "
                            "GROUP BY fair")
    editions = []
    for r in rows:
        u, s = used.get(r["id"], {}), signed.get(r["id"], {})
        editions.append(Edition(
            r["id"], r["name"], r["edition"], as_day(r["starts_on"]), as_day(r["ends_on"]),
            int((planned.get(r["id"]) or {}).get("n") or 0), int(u.get("booths") or 0), int(u.get("exhibitors") or 0),
            int(u.get("provinces") or 0), int((visitors.get(r["id"]) or {}).get("n") or 0),
            int((revenue.get(r["id"]) or {}).get("n") or 0), int(s.get("n") or 0), int(s.get("committed") or 0)))
    return tuple(editions)



# -- the sales-point monthly report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSales:
    product_id: int
    name: str
    group_code: str
    units: int
    revenue: int


@dataclass(frozen=True)
class LowStock:
    product: str
    on_hand: int
    threshold: int


@dataclass(frozen=True)
class WriteOff:
    day: dt.date
    product: str
    lot_code: str
    units: int
    value: int


@dataclass(frozen=True)
class PointMonth:
    point_id: int
    name: str
    province_code: str
    kind: str
    revenue: int
    units: int
    sales: int  # sale lines recorded
    returned: int  # units customers brought back
    stock_units: int
    stock_value: int  # at the month's end (now, for the running month), at the point's selling prices
    written_off_units: int
    written_off_value: int
    top_products: tuple[ProductSales, ...]
    low_stock: tuple[LowStock, ...]  # when the report was compiled
    write_offs: tuple[WriteOff, ...]
    days: tuple[tuple[dt.date, int, int], ...]  # day, units, revenue


@dataclass(frozen=True)
class SalesMonth:
    year: int
    month: int
    point_id: int | None  # None: every point
    generated_on: dt.date
    stock_as_of: dt.date
    points: tuple[PointMonth, ...]
    top_products: tuple[ProductSales, ...]  # across the points reported

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return (self.first_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    @property
    def revenue(self) -> int:
        return sum(p.revenue for p in self.points)

    @property
    def units(self) -> int:
        return sum(p.units for p in self.points)

    @property
    def stock_value(self) -> int:
        return sum(p.stock_value for p in self.points)

    @property
    def written_off_value(self) -> int:
        return sum(p.written_off_value for p in self.points)

    @property
    def days(self) -> tuple[tuple[dt.date, int, int], ...]:
        totals: dict[dt.date, list[int]] = {}
        for point in self.points:
            for day, units, revenue in point.days:
                entry = totals.setdefault(day, [0, 0])
                entry[0] += units
                entry[1] += revenue
        day, out = self.first_day, []
        while day <= self.last_day:
            units, revenue = totals.get(day, (0, 0))
            out.append((day, units, revenue))
            day += dt.timedelta(days=1)
        return tuple(out)


def _vietnam_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM).astimezone(dt.UTC)


async def salespoint_month(year: int, month: int, point_id: int | None = None) -> SalesMonth:
    """A month of one point (or of every point): sales, stock value at the month's end, best sellers,
    products low on stock and write-offs. NotFound for a point that does not exist."""
    from salespoints import services as salespoints
    from salespoints.tables import AssortmentItem, SalesPoint, StockMovement

    if point_id is not None:
        found = [await salespoints.get_point(point_id)]  # raises NotFound
        rows: list[dict[str, Any]] = [
            {"id": p.id, "name": p.name, "province_code": p.province_code, "kind": getattr(p.kind, "value", p.kind)}
            for p in found]
    else:
        rows = await SalesPoint.select(SalesPoint.id, SalesPoint.name, SalesPoint.province_code, SalesPoint.kind).order_by(
            SalesPoint.name)
    first = dt.date(year, month, 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    now = dt.datetime.now(dt.UTC)
    end = min(_vietnam_midnight(following), now)
    ids = [r["id"] for r in rows]
    moves = await StockMovement.select(
        StockMovement.point, StockMovement.product, StockMovement.product.name, StockMovement.product.group_code,
        StockMovement.kind, StockMovement.quantity, StockMovement.unit_price, StockMovement.lot_code,
        StockMovement.happened_at).where(
        StockMovement.point.is_in(ids or [0]), StockMovement.happened_at >= _vietnam_midnight(first),
        StockMovement.happened_at < _vietnam_midnight(following),
        StockMovement.kind.is_in(["sale", "customer_return", "write_off"])) if ids else []
    prices = {(r["point"], r["product"]): r for r in await AssortmentItem.select(
        AssortmentItem.point, AssortmentItem.product, AssortmentItem.product.name, AssortmentItem.selling_price,
        AssortmentItem.reorder_threshold).where(AssortmentItem.point.is_in(ids or [0]))} if ids else {}
    by_point: dict[int, list[dict]] = {}
    for move in moves:
        by_point.setdefault(move["point"], []).append(move)
    everywhere: dict[int, list] = {}
    points: list[PointMonth] = []
    for row in rows:
        mine = by_point.get(row["id"], [])
        sold = [m for m in mine if m["kind"] in ("sale", "customer_return")]
        products: dict[int, list] = {}
        days: dict[dt.date, list[int]] = {}
        for m in sold:
            entry = products.setdefault(m["product"], [m["product.name"], m["product.group_code"], 0, 0])
            entry[2] -= m["quantity"]
            entry[3] -= m["quantity"] * m["unit_price"]
            total = everywhere.setdefault(m["product"], [m["product.name"], m["product.group_code"], 0, 0])
            total[2] -= m["quantity"]
            total[3] -= m["quantity"] * m["unit_price"]
            day = (m["happened_at"].astimezone(VIETNAM)).date()
            days.setdefault(day, [0, 0])
            days[day][0] -= m["quantity"]
            days[day][1] -= m["quantity"] * m["unit_price"]
        stock = await salespoints.stock_as_of(row["id"], end)
        on_hand: dict[int, int] = {}
        for item in stock:
            on_hand[item["product_id"]] = on_hand.get(item["product_id"], 0) + item["quantity"]
        now_on_hand: dict[int, int] = {}
        for balance in await salespoints.balances(row["id"]):
            now_on_hand[balance.product_id] = now_on_hand.get(balance.product_id, 0) + balance.quantity
        low = sorted((LowStock(item["product.name"], now_on_hand.get(product, 0), item["reorder_threshold"])
                      for (point, product), item in prices.items()
                      if point == row["id"] and now_on_hand.get(product, 0) <= item["reorder_threshold"]),
                     key=lambda s: (s.on_hand - s.threshold, s.product))
        write_offs = tuple(sorted((WriteOff(m["happened_at"].astimezone(VIETNAM).date(), m["product.name"], m["lot_code"],
                                            -m["quantity"], -m["quantity"] * (m["unit_price"] or (
                                                prices.get((row["id"], m["product"])) or {}).get("selling_price", 0)))
                                   for m in mine if m["kind"] == "write_off"), key=lambda w: (w.day, w.product)))
        points.append(PointMonth(
            point_id=row["id"], name=row["name"], province_code=row["province_code"], kind=row["kind"],
            revenue=sum(p[3] for p in products.values()), units=sum(p[2] for p in products.values()),
            sales=sum(1 for m in sold if m["kind"] == "sale"),
            returned=sum(m["quantity"] for m in sold if m["kind"] == "customer_return"),
            stock_units=sum(q for q in on_hand.values() if q > 0),
            stock_value=sum(q * (prices.get((row["id"], p)) or {}).get("selling_price", 0) for p, q in on_hand.items() if q > 0),
            written_off_units=sum(w.units for w in write_offs), written_off_value=sum(w.value for w in write_offs),
            top_products=_best(products), low_stock=tuple(low), write_offs=write_offs,
            days=tuple((d, u, r) for d, (u, r) in sorted(days.items()))))
    return SalesMonth(year, month, point_id, today(), min(following - dt.timedelta(days=1), today()), tuple(points),
                      _best(everywhere))


def _best(products: dict[int, list], limit: int = 10) -> tuple[ProductSales, ...]:
    ranked = sorted(products.items(), key=lambda item: (-item[1][3], item[1][0]))
    return tuple(ProductSales(pid, name, group, units, revenue) for pid, (name, group, units, revenue) in ranked[:limit]
                 if units or revenue)


# -- the agreement follow-up report -------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowedAgreement:
    code: str
    signed_on: dt.date
    buyer: str
    buyer_kind: str
    producers: str
    status: str
    committed: int
    delivered: int
    valid_until: dt.date | None
    last_delivery: dt.date | None
    overdue_milestones: int


@dataclass(frozen=True)
class OverdueMilestone:
    code: str
    buyer: str
    producers: str
    due_on: dt.date
    description: str
    days_late: int


@dataclass(frozen=True)
class PartyFigures:
    name: str
    kind: str  # buyer kind, or the producer's province
    agreements: int
    committed: int
    delivered: int


@dataclass(frozen=True)
class FollowedLine:
    """A line of a followed agreement, with whom it belongs to: its producer (and the producer's province)
    and its agreement's buyer. Its quantities are in its own unit, compared only with each other."""

    agreement: int
    producer_id: int
    producer: str
    province_code: str
    buyer_kind: str
    unit: str
    quantity: int
    delivered_quantity: int
    committed: int  # VND
    delivered: int  # VND

    @property
    def fully_delivered(self) -> bool:
        """As agreements.fulfilment counts a line complete: its whole quantity delivered."""
        return self.delivered_quantity >= self.quantity


@dataclass(frozen=True)
class FulfilmentFigures:
    """How far the lines of one group (a province, a kind of buyer) were delivered, in value."""

    key: str  # the province code or buyer kind ("" for all the lines)
    agreements: int = 0  # with a line in the group: one with lines in two groups counts in both
    lines: int = 0
    lines_delivered: int = 0  # fully delivered
    committed: int = 0
    delivered: int = 0

    @property
    def share(self) -> float | None:
        """Delivered over committed value (above 1 when over-delivered); None when nothing was committed."""
        return self.delivered / self.committed if self.committed else None


FulfilmentKey = Literal["province_code", "buyer_kind"]


def fulfilment_of(key: str, lines: Iterable[FollowedLine]) -> FulfilmentFigures:
    """The figures of these lines taken together, under `key`."""
    agreements: set[int] = set()
    count = delivered_lines = committed = delivered = 0
    for line in lines:
        agreements.add(line.agreement)
        count += 1
        delivered_lines += 1 if line.fully_delivered else 0
        committed += line.committed
        delivered += line.delivered
    return FulfilmentFigures(key, len(agreements), count, delivered_lines, committed, delivered)


def fulfilment_by(key: FulfilmentKey, lines: Iterable[FollowedLine]) -> tuple[FulfilmentFigures, ...]:
    """The lines grouped by their province or their buyer's kind, the largest commitment first. Each line
    counts once, in its own group, so the groups' values add up to the lines' total."""
    groups: dict[str, list[FollowedLine]] = {}
    for line in lines:
        groups.setdefault(getattr(line, key), []).append(line)
    return tuple(sorted((fulfilment_of(code, mine) for code, mine in groups.items()), key=lambda g: (-g.committed, g.key)))


@dataclass(frozen=True)
class FollowUp:
    fair_id: int | None
    fair_name: str
    since: dt.date | None
    until: dt.date | None
    generated_on: dt.date
    agreements: tuple[FollowedAgreement, ...]
    overdue: tuple[OverdueMilestone, ...]
    by_buyer: tuple[PartyFigures, ...]
    by_producer: tuple[PartyFigures, ...]
    by_province: tuple[FulfilmentFigures, ...] = ()  # of the producers, line by line
    by_buyer_kind: tuple[FulfilmentFigures, ...] = ()
    all_lines: FulfilmentFigures = FulfilmentFigures("")
    milestones: int = 0  # of the agreements followed
    moved_milestones: int = 0  # moved by the parties at least once (agreements.MilestoneChange)

    @property
    def committed(self) -> int:
        return sum(a.committed for a in self.agreements)

    @property
    def delivered(self) -> int:
        return sum(a.delivered for a in self.agreements)

    @property
    def with_deliveries(self) -> int:
        return sum(1 for a in self.agreements if a.delivered)


async def agreement_followup(fair_id: int | None, since: dt.date | None = None, until: dt.date | None = None) -> FollowUp:
    """The agreements of a fair (or signed in a period) that commit anyone: fulfilment, overdue
    milestones, by buyer and by producer, by the producers' province and by kind of buyer.
    NotFound for a fair that does not exist."""
    fair_name = ""
    args: list[Any]
    if fair_id is not None:
        fair_name = (await fairs.get_fair(fair_id)).name  # raises NotFound
        scope, args = "a.fair = {}", [fair_id]
    else:
        scope, args = "a.signed_on >= {} AND a.signed_on <= {}", [since, until]
    where = f"{scope} AND a.status NOT IN ('{NOT_COMMITTING[0]}', '{NOT_COMMITTING[1]}')"
    rows = await fetch_rows(Agreement._meta.db,
        "SELECT a.id, a.code, a.signed_on, a.status, a.committed_value, a.delivered_value, a.valid_until, "
        f"b.name AS buyer, b.kind AS buyer_kind FROM agreement a JOIN buyer b ON b.id = a.buyer WHERE {where}", *args)
    last = {r["agreement"]: as_date(r["day"]) for r in await fetch_rows(Agreement._meta.db,
        "SELECT d.agreement, MAX(d.delivered_on) AS day FROM delivery d JOIN agreement a ON a.id = d.agreement "
        f"WHERE {where} GROUP BY d.agreement", *args)}
    milestones = await fetch_rows(Agreement._meta.db,
        "SELECT m.agreement, m.due_on, m.description FROM milestone m JOIN agreement a ON a.id = m.agreement "
        f"WHERE {where} AND m.done_on IS NULL AND m.due_on < {{}} AND a.status IN ('{RUNNING[0]}', '{RUNNING[1]}') "
        "ORDER BY m.due_on", *args, today())
    counted = (await fetch_rows(Agreement._meta.db,
        "SELECT COUNT(DISTINCT m.id) AS milestones, COUNT(DISTINCT mc.milestone) AS moved FROM milestone m "
        f"JOIN agreement a ON a.id = m.agreement LEFT JOIN milestone_change mc ON mc.milestone = m.id WHERE {where}",
        *args))[0]
    kind_of = {r["id"]: r["buyer_kind"] for r in rows}
    # Every line once, with its producer's province: the producer, province and buyer-kind figures all add these up.
    lines = tuple(FollowedLine(
        agreement=r["agreement"], producer_id=r["producer"], producer=r["producer_name"], province_code=r["province_code"] or "",
        buyer_kind=kind_of.get(r["agreement"], ""), unit=r["unit"], quantity=int(r["quantity"]),
        delivered_quantity=int(r["delivered_quantity"]), committed=int(r["value"]), delivered=int(r["delivered_value"]))
        for r in await fetch_rows(Agreement._meta.db,
            "SELECT l.agreement, l.producer, p.name AS producer_name, p.province_code, l.unit, l.quantity, "
            "l.delivered_quantity, l.value, l.delivered_value FROM agreement a JOIN agreement_line l ON l.agreement = a.id "
            f"JOIN producer p ON p.id = l.producer WHERE {where} ORDER BY l.id", *args))
    names: dict[int, list[str]] = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 900):
        for p in await AgreementProducer.select(AgreementProducer.agreement, AgreementProducer.producer.name).where(
                AgreementProducer.agreement.is_in(ids[start:start + 900])).order_by(AgreementProducer.id):
            names.setdefault(p["agreement"], []).append(p["producer.name"])
    late: dict[int, list[dict]] = {}
    for m in milestones:
        late.setdefault(m["agreement"], []).append(m)
    agreements = sorted((FollowedAgreement(
        code=r["code"], signed_on=as_day(r["signed_on"]), buyer=r["buyer"], buyer_kind=r["buyer_kind"],
        producers=", ".join(names.get(r["id"], [])), status=r["status"], committed=int(r["committed_value"]),
        delivered=int(r["delivered_value"]), valid_until=as_date(r["valid_until"]), last_delivery=last.get(r["id"]),
        overdue_milestones=len(late.get(r["id"], []))) for r in rows), key=lambda a: (a.signed_on, natural_key(a.code)))
    by_code = {r["id"]: r for r in rows}
    on = today()
    overdue = tuple(OverdueMilestone(
        code=by_code[m["agreement"]]["code"], buyer=by_code[m["agreement"]]["buyer"],
        producers=", ".join(names.get(m["agreement"], [])), due_on=as_day(m["due_on"]), description=m["description"],
        days_late=(on - as_day(m["due_on"])).days) for m in milestones if m["agreement"] in by_code)
    buyers: dict[tuple[str, str], list[int]] = {}
    for a in agreements:
        entry = buyers.setdefault((a.buyer, a.buyer_kind), [0, 0, 0])
        entry[0] += 1
        entry[1] += a.committed
        entry[2] += a.delivered
    producers: dict[int, list[FollowedLine]] = {}
    for line in lines:
        producers.setdefault(line.producer_id, []).append(line)
    by_producer = []
    for mine in producers.values():
        figures = fulfilment_of("", mine)
        by_producer.append(PartyFigures(mine[0].producer, mine[0].province_code, figures.agreements, figures.committed,
                                        figures.delivered))
    return FollowUp(
        fair_id=fair_id, fair_name=fair_name, since=since, until=until, generated_on=on, agreements=tuple(agreements),
        overdue=overdue,
        by_buyer=tuple(sorted((PartyFigures(n, k, *v) for (n, k), v in buyers.items()), key=lambda p: (-p.committed, p.name))),
        by_producer=tuple(sorted(by_producer, key=lambda p: (-p.committed, p.name))),
        by_province=fulfilment_by("province_code", lines), by_buyer_kind=fulfilment_by("buyer_kind", lines),
        all_lines=fulfilment_of("", lines), milestones=int(counted["milestones"] or 0),
        moved_milestones=int(counted["moved"] or 0))
