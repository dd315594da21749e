"""Sales the server refused when a counter sent them: reported by the counter, kept with the reason,
listed for the point's manager, and resolved by recording them again (against another lot or product) or
by dismissing them with a note. Reporting is idempotent: a counter that reports twice keeps one row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.audit import Actor, record_audit
from core.database import fetch_rows
from core.errors import N_, Conflict, NotFound, ValidationFailed
from core.ids import is_id
from salespoints import services
from salespoints.schemas import MovementIn, MovementResult, RefusedSaleIn, RefusedSaleOut
from salespoints.tables import RefusedSale

OPEN, RECORDED, DISMISSED = "open", "recorded", "dismissed"


def _out(row: dict[str, Any]) -> RefusedSaleOut:
    return RefusedSaleOut(
        id=row["id"], point_id=row["point"], product_id=row["product"], product_name=row["product_name"],
        kind=row["kind"], quantity=row["quantity"], lot_code=row["lot_code"], happened_at=row["happened_at"],
        reason=row["reason"], refused_at=row["refused_at"], status=row["status"], movement_id=row["movement"],
        note=row["note"])


async def report(point_id: int, data: RefusedSaleIn, actor: Actor) -> RefusedSaleOut:
    """Keeps a refused sale for the point's manager; reported again, the same sale is kept once."""
    await services.get_point(point_id)
    await services.ensure_can_write(actor, point_id)
    first = data.movements[0]
    if not first.idempotency_key:
        raise ValidationFailed({"movements": N_("Each sale from the counter carries its key.")})
    key = f"p{point_id}:{first.idempotency_key}"
    async with RefusedSale._meta.db.transaction():
        rows = await fetch_rows(
            RefusedSale._meta.db,
            "INSERT INTO refused_sale (point, product, product_name, kind, quantity, lot_code, happened_at, key, reason, "
            "refused_at, reported_by, status, note) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, CURRENT_TIMESTAMP, {}, {}, {}) "
            "ON CONFLICT (key) DO NOTHING RETURNING id",
            point_id, first.product_id if is_id(first.product_id) else None, data.name[:255], first.kind.value,
            sum(m.quantity for m in data.movements), first.lot_code if len(data.movements) == 1 else "",
            first.happened_at, key, data.reason[:1000], actor.user_id, OPEN, "")
        if rows:
            await record_audit(actor, "refused_sale", "sales_point", point_id, None,
                               {"refused_sale": rows[0]["id"], "product": first.product_id, "reason": data.reason[:200]})
    row = await RefusedSale.select().where(RefusedSale.key == key).first()
    assert row is not None  # written above, or by the first report of the same sale
    return _out(row)


async def listed(point_id: int, status: str = OPEN) -> list[RefusedSaleOut]:
    rows = await RefusedSale.select().where(RefusedSale.point == point_id, RefusedSale.status == status).order_by(
        RefusedSale.refused_at, ascending=status == OPEN).limit(200)
    return [_out(row) for row in rows]


async def open_count(point_id: int) -> int:
    return await RefusedSale.count().where(RefusedSale.point == point_id, RefusedSale.status == OPEN)


async def _open_one(point_id: int, refused_id: int, actor: Actor) -> dict[str, Any]:
    await services.ensure_can_write(actor, point_id)
    row = await RefusedSale.select().where(RefusedSale.id == refused_id, RefusedSale.point == point_id).first() \
        if is_id(refused_id) else None
    if row is None:
        raise NotFound(N_("This refused sale does not exist."))
    if row["status"] != OPEN:
        raise Conflict(N_("This refused sale was already resolved."))
    return row


async def _resolve(refused_id: int, actor: Actor, status: str, note: str, movement: int | None) -> None:
    async with RefusedSale._meta.db.transaction():
        changed = await RefusedSale.update({
            RefusedSale.status: status, RefusedSale.note: note, RefusedSale.movement: movement,
            RefusedSale.resolved_by: actor.user_id, RefusedSale.resolved_at: dt.datetime.now(dt.UTC),
        }).where(RefusedSale.id == refused_id, RefusedSale.status == OPEN).returning(RefusedSale.id)
        if changed:
            await record_audit(actor, f"refused_sale_{status}", "refused_sale", refused_id, {"status": OPEN},
                               {"status": status, "note": note, "movement": movement})


async def record_again(point_id: int, refused_id: int, line: MovementIn, actor: Actor) -> MovementResult:
    """Records the sale as the manager corrects it (another lot, product or quantity). Its key is the refused
    sale's own, so a second press records nothing twice; then the refused sale is closed."""
    await _open_one(point_id, refused_id, actor)
    result = await services.record_movement(point_id, line, actor, f"refused-{refused_id}")
    await _resolve(refused_id, actor, RECORDED, line.note, result.movement_ids[0] if result.movement_ids else None)
    return result


async def dismiss(point_id: int, refused_id: int, note: str, actor: Actor) -> None:
    """Closes a refused sale without recording it: the note says why (the customer left, a mistake…)."""
    await _open_one(point_id, refused_id, actor)
    if not note.strip():
        raise ValidationFailed({"note": N_("Say why this sale is not recorded.")})
    await _resolve(refused_id, actor, DISMISSED, note.strip()[:2000], None)
