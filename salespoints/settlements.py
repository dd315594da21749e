"""Monthly consignment statements (quyết toán hàng ký gửi): what a point owes each producer whose goods it sells.

A statement of a point, a producer and a month settles the producer's consigned movements at the point dated
before the month's end that no other statement has settled: the month's own, and any recorded late for a month
already closed (shown as carried). Each movement is settled once (`SettlementLine.movement` is unique), so the
statements of a point add up to its consigned trade, and each sale can be traced to the statement that paid for it.

A statement stays open, and is compiled again as often as asked, until it is marked paid: then it is closed for
good. Compiling writes its lines first and reads the figures back from them, in one transaction, so a movement
recorded meanwhile is either in both or in neither.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from accounts.enums import Role
from core.audit import Actor, record_audit
from core.database import fetch_rows, fetch_tuples
from core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from core.formatting import VIETNAM, vietnam_today
from core.ids import is_id
from salespoints import services
from salespoints.enums import MovementKind
from salespoints.ledger import POINT_OWNS
from salespoints.schemas import PaymentIn, SettlementOut
from salespoints.tables import SalesPoint, Settlement, StockMovement

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
OPEN, PAID = "open", "paid"
READERS = (Role.admin, Role.organizer, Role.viewer)


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day: dt.date) -> str:
    return month_of(day.replace(day=1) - dt.timedelta(days=1))


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The month's [start, end) in UTC, the month being Vietnam's."""
    found = MONTH.fullmatch(month)
    if found is None or not 2000 <= int(found[1]) <= 2100:
        raise ValidationFailed({"month": N_("A month is written as year-month, e.g. 2026-11.")})
    first = dt.date(int(found[1]), int(found[2]), 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM).astimezone(dt.UTC)

    return start(first), start(following)


# -- the figures, from settled lines (pure) --------------------------------------------------------------------


def share(value: int, basis_points: int) -> int:
    """`basis_points` hundredths of a per cent of `value`, rounded half away from zero (a return mirrors its sale)."""
    sign = -1 if value < 0 else 1
    return sign * ((abs(value) * basis_points + 5_000) // 10_000)


@dataclass
class Figures:
    received: int = 0
    sold: int = 0
    sales_value: int = 0
    owed: int = 0
    carried: int = 0
    returned: int = 0
    other: int = 0
    lines: int = 0

    @property
    def commission(self) -> int:
        return self.sales_value - self.owed


def owed_for(kind: str, quantity: int, unit_price: int, commission_bp: int | None, producer_price: int | None) -> tuple[int, int]:
    """(sales value, amount owed to the producer) of `quantity` units moved as `kind` (signed as in the ledger:
    a sale is negative, a customer's return positive). Without recorded terms the point keeps nothing."""
    if kind not in (MovementKind.sale.value, MovementKind.customer_return.value):
        return 0, 0
    value = -quantity * unit_price
    if producer_price is not None:
        return value, -quantity * producer_price
    return value, value - share(value, commission_bp or 0)


def add_group(figures: Figures, kind: str, quantity: int, count: int, unit_price: int, commission_bp: int | None,
              producer_price: int | None, earlier: bool) -> None:
    """Adds a group of settled movements alike in kind, price, terms and month (earlier or not) to the figures."""
    figures.lines += count
    if kind in (MovementKind.receipt.value, MovementKind.transfer_in.value):
        figures.received += quantity
    elif kind in (MovementKind.sale.value, MovementKind.customer_return.value):
        value, owed = owed_for(kind, quantity, unit_price, commission_bp, producer_price)
        figures.sold -= quantity
        figures.sales_value += value
        figures.owed += owed
        if earlier:
            figures.carried += owed
    elif kind == MovementKind.producer_return.value:
        figures.returned -= quantity
    else:
        figures.other += quantity


# -- compiling -------------------------------------------------------------------------------------------------

_UNSETTLED = (
    "FROM stock_movement m WHERE m.point = {} AND m.owner <> 0 AND m.happened_at < {} "
    "AND NOT EXISTS (SELECT 1 FROM settlement_line l WHERE l.movement = m.id)"
)
_CANDIDATES = "SELECT DISTINCT m.owner " + _UNSETTLED
_HELD = ("SELECT m.owner, SUM(m.quantity) FROM stock_movement m WHERE m.point = {} AND m.owner <> 0 "
         "AND m.happened_at < {} GROUP BY m.owner")
_FORGET_OPEN = ("DELETE FROM settlement_line WHERE settlement IN "
                "(SELECT id FROM settlement WHERE point = {} AND month = {} AND status = 'open')")
# A movement already settled (by any statement) is skipped by its unique line, not by a NOT EXISTS on the table
# being written: PostgreSQL's planner, its statistics saying the table is empty, scanned it once per movement.
_SETTLE = (
    "INSERT INTO settlement_line (settlement, movement) SELECT s.id, m.id "
    "FROM stock_movement m JOIN settlement s ON s.point = m.point AND s.producer = m.owner AND s.month = {} "
    "AND s.status = 'open' WHERE m.point = {} AND m.owner <> 0 AND m.happened_at < {} "
    "ON CONFLICT (movement) DO NOTHING"
)
_GROUPS = (
    "SELECT l.settlement, m.kind, m.unit_price, m.commission_bp, m.producer_price, "
    "CASE WHEN m.happened_at < {} THEN 1 ELSE 0 END AS earlier, SUM(m.quantity), COUNT(*) "
    "FROM settlement_line l JOIN stock_movement m ON m.id = l.movement "
    "WHERE l.settlement IN (SELECT id FROM settlement WHERE point = {} AND month = {} AND status = 'open') "
    "GROUP BY l.settlement, m.kind, m.unit_price, m.commission_bp, m.producer_price, earlier"
)


async def compile_month(point_id: int, month: str, actor: Actor) -> list[int]:
    """Compiles the point's statements of `month` (those still open); returns the ids of the open ones."""
    await _ensure_can_settle(actor, point_id)
    start, end = month_bounds(month)
    db = Settlement._meta.db
    now = dt.datetime.now(dt.UTC)
    async with db.transaction():
        closed = {r["producer"] for r in await Settlement.select(Settlement.producer).where(
            (Settlement.point == point_id) & (Settlement.month == month) & (Settlement.status == PAID))}
        await fetch_rows(db, _FORGET_OPEN, point_id, month)
        held = {row[0]: int(row[1]) for row in await fetch_tuples(db, _HELD, point_id, end)}
        owners = {row[0] for row in await fetch_tuples(db, _CANDIDATES, point_id, end)}
        owners |= {owner for owner, quantity in held.items() if quantity}
        owners -= closed
        existing = {r["producer"]: r["id"] for r in await Settlement.select(Settlement.id, Settlement.producer).where(
            (Settlement.point == point_id) & (Settlement.month == month))}
        fresh = [Settlement(point=point_id, producer=owner, month=month, status=OPEN, compiled_at=now)
                 for owner in sorted(owners - set(existing))]
        if fresh:
            await Settlement.insert(*fresh)
        await fetch_rows(db, _SETTLE, month, point_id, end)
        figures: dict[int, Figures] = {}
        for settlement, kind, price, bp, producer_price, earlier, quantity, count in await fetch_tuples(
                db, _GROUPS, start, point_id, month):
            add_group(figures.setdefault(settlement, Figures()), kind, int(quantity), int(count), price, bp,
                      producer_price, bool(earlier))
        statements = await Settlement.select(Settlement.id, Settlement.producer).where(
            (Settlement.point == point_id) & (Settlement.month == month) & (Settlement.status == OPEN))
        for row in statements:
            f = figures.get(row["id"], Figures())
            await Settlement.update({
                Settlement.compiled_at: now, Settlement.received: f.received, Settlement.sold: f.sold,
                Settlement.sales_value: f.sales_value, Settlement.commission: f.commission, Settlement.owed: f.owed,
                Settlement.carried: f.carried, Settlement.returned: f.returned, Settlement.other: f.other,
                Settlement.held: int(held.get(row["producer"], 0)), Settlement.lines: f.lines,
            }).where(Settlement.id == row["id"])
        await record_audit(actor, "compile", "salespoint", point_id, None, {"month": month, "statements": len(statements)})
    return [row["id"] for row in statements]


async def mark_paid(settlement_id: int, payment: PaymentIn, actor: Actor) -> SettlementOut:
    """Records the payment and closes the statement: nothing changes it afterwards."""
    statement = await get_statement(settlement_id, actor)
    await _ensure_can_settle(actor, statement.point_id)
    if payment.paid_on > vietnam_today():
        raise ValidationFailed({"paid_on": N_("A payment is dated today or earlier.")})
    async with Settlement._meta.db.transaction():
        done = await Settlement.update({
            Settlement.status: PAID, Settlement.paid_amount: payment.amount, Settlement.paid_on: payment.paid_on,
            Settlement.paid_reference: payment.reference.strip(), Settlement.paid_by: actor.user_id,
            Settlement.closed_at: dt.datetime.now(dt.UTC),
        }).where((Settlement.id == settlement_id) & (Settlement.status == OPEN)).returning(Settlement.id)
        if not done:
            raise Conflict(N_("This statement is already paid and closed."))
        await record_audit(actor, "paid", "settlement", settlement_id, None,
                           {"amount": payment.amount, "paid_on": payment.paid_on, "reference": payment.reference})
    return await get_statement(settlement_id, actor)


# -- reading ---------------------------------------------------------------------------------------------------

_STATEMENT = (
    "SELECT s.*, sp.name AS point_name, p.name AS producer_name FROM settlement s "
    "JOIN sales_point sp ON sp.id = s.point JOIN producer p ON p.id = s.producer WHERE {where} ORDER BY {order}"
)


def _out(row: dict) -> SettlementOut:
    return SettlementOut(
        id=row["id"], point_id=row["point"], point_name=row["point_name"], producer_id=row["producer"],
        producer_name=row["producer_name"], month=row["month"], status=row["status"], received=row["received"],
        sold=row["sold"], sales_value=row["sales_value"], commission=row["commission"], owed=row["owed"],
        carried=row["carried"], returned=row["returned"], other=row["other"], held=row["held"], lines=row["lines"],
        paid_amount=row["paid_amount"], paid_on=services._as_date(row["paid_on"]), paid_reference=row["paid_reference"],
        compiled_at=_moment(row["compiled_at"]), closed_at=_moment(row["closed_at"]) if row["closed_at"] else None,
    )


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return value


async def get_statement(settlement_id: int, actor: Actor | None) -> SettlementOut:
    rows = await fetch_rows(Settlement._meta.db, _STATEMENT.format(where="s.id = {}", order="s.id"),
                            settlement_id) if is_id(settlement_id) else []
    if not rows or not await may_read(actor, rows[0]["point"], rows[0]["producer"]):
        raise NotFound(N_("This statement does not exist."))
    return _out(rows[0])


async def point_statements(point_id: int, actor: Actor | None, month: str | None = None) -> list[SettlementOut]:
    """The point's statements, newest month first, as far as `actor` may read them."""
    where = "s.point = {}"
    params: list[Any] = [point_id]
    if month:
        month_bounds(month)
        where += " AND s.month = {}"
        params.append(month)
    rows = await fetch_rows(Settlement._meta.db, _STATEMENT.format(where=where, order="s.month DESC, p.name"), *params)
    return [_out(r) for r in rows if await may_read(actor, r["point"], r["producer"])]


async def producer_statements(producer_ids: set[int]) -> list[SettlementOut]:
    """A producer's statements at every point, newest month first."""
    if not producer_ids:
        return []
    marks = ", ".join("{}" for _ in producer_ids)
    rows = await fetch_rows(Settlement._meta.db, _STATEMENT.format(
        where=f"s.producer IN ({marks})", order="s.month DESC, sp.name"), *sorted(producer_ids))
    return [_out(r) for r in rows]


_LINES = (
    "SELECT m.id, m.happened_at, m.kind, m.quantity, m.unit_price, m.lot_code, m.commission_bp, m.producer_price, "
    "p.name AS product_name FROM settlement_line l JOIN stock_movement m ON m.id = l.movement "
    "JOIN product p ON p.id = m.product WHERE l.settlement = {} ORDER BY m.happened_at, m.id"
)


async def statement_lines(statement: SettlementOut) -> list[dict]:
    """Every settled movement of the statement, oldest first, with what each sale owes (its trace)."""
    start, _ = month_bounds(statement.month)
    lines = []
    for row in await fetch_rows(Settlement._meta.db, _LINES, statement.id):
        happened = _moment(row["happened_at"])
        value, owed = owed_for(row["kind"], row["quantity"], row["unit_price"], row["commission_bp"], row["producer_price"])
        lines.append({**row, "happened_at": happened, "value": value, "owed": owed, "earlier": happened < start})
    return lines


async def may_read(actor: Actor | None, point_id: int, producer_id: int) -> bool:
    """Organizers, viewers and admins read every statement; a point's managers its point's; a producer's users
    their producer's."""
    if actor is None:
        return False
    if actor.role in READERS:
        return True
    if actor.role is Role.producer:
        return producer_id in actor.producer_ids
    if actor.role is Role.salespoint_manager:
        return point_id in await services.managed_point_ids(actor)
    return False


async def _ensure_can_settle(actor: Actor, point_id: int) -> None:
    if not await SalesPoint.exists().where(SalesPoint.id == point_id):
        raise NotFound(N_("This sales point does not exist."))
    if not await services.can_write(actor, point_id):
        raise Forbidden(N_("You do not manage this sales point."))


async def points_with_consignment(before: dt.datetime) -> list[int]:
    """Points holding or having moved producers' goods before `before`: those that owe statements."""
    rows = await StockMovement.select(StockMovement.point).where(
        (StockMovement.owner != POINT_OWNS) & (StockMovement.happened_at < before)).distinct()
    return sorted(r["point"] for r in rows)




_CONSIGNED_STOCK = (
    "SELECT b.point, sp.name AS point_name, b.product, p.name AS product_name, b.lot_code, b.lot_expiry, b.quantity, "
    "b.commission_bp, b.producer_price FROM stock_balance b JOIN sales_point sp ON sp.id = b.point "
    "JOIN product p ON p.id = b.product WHERE b.owner IN ({owners}) AND b.quantity <> 0 ORDER BY sp.name, p.name, b.lot_code"
)
_CONSIGNED_SALES = (
    "SELECT m.id, m.point, sp.name AS point_name, p.name AS product_name, m.kind, m.quantity, m.unit_price, "
    "m.commission_bp, m.producer_price, m.happened_at FROM stock_movement m JOIN sales_point sp ON sp.id = m.point "
    "JOIN product p ON p.id = m.product WHERE m.owner IN ({owners}) AND m.kind IN ('sale', 'customer_return') "
    "ORDER BY m.id DESC LIMIT 50"
)


async def producer_overview(producer_ids: set[int]) -> dict[str, list]:
    """A producer's goods at every point: what is held where, the latest sales, and the statements."""
    if not producer_ids:
        return {"stock": [], "sales": [], "statements": []}
    owners = ", ".join("{}" for _ in producer_ids)
    ids = sorted(producer_ids)
    db = Settlement._meta.db
    stock = await fetch_rows(db, _CONSIGNED_STOCK.format(owners=owners), *ids)
    sales = []
    for row in await fetch_rows(db, _CONSIGNED_SALES.format(owners=owners), *ids):
        value, owed = owed_for(row["kind"], row["quantity"], row["unit_price"], row["commission_bp"], row["producer_price"])
        sales.append({**row, "happened_at": _moment(row["happened_at"]), "value": value, "owed": owed})
    return {"stock": stock, "sales": sales, "statements": await producer_statements(producer_ids)}
