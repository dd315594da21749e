"""The task of the month's consignment statements (scheduler.rules.statements owes it): compiles the month at the
point (open statements only: a paid one stays as it was) and writes one notification per statement and addressee,
keyed by both, so a task run twice, or a scheduler restarted midway, sends nothing twice. Each producer's users
receive their producer's statement with its PDF attached; a producer with no user, at its own address."""

from __future__ import annotations

import json

from catalog.tables import Producer
from core.audit import SYSTEM
from core.outbox import Outgoing, enqueue_notifications
from salespoints import settlements
from scheduler import clock
from scheduler.rules.recipients import producer_users


async def compile_and_send(task: dict) -> str:
    """Compiles the task's month at its point and writes each producer's notification with its statement."""
    data = task["data"]
    if isinstance(data, str):  # JSON as text on SQLite
        data = json.loads(data or "{}")
    point, month = int(data["point_id"]), str(data["month"])
    ids = await settlements.compile_month(point, month, SYSTEM)
    statements = [await settlements.get_statement(sid, SYSTEM) for sid in ids]
    members = await producer_users({s.producer_id for s in statements})
    addresses = {r["id"]: r["email"] for r in await Producer.select(Producer.id, Producer.email).where(
        Producer.id.is_in([s.producer_id for s in statements] or [0]))}
    outgoing, now = [], clock.now()
    for s in statements:
        message = {"statement_id": s.id, "point": s.point_name, "producer": s.producer_name, "month": s.month,
                   "sold": s.sold, "sales_value": s.sales_value, "owed": s.owed, "held": s.held,
                   "attach_statement": s.id}
        users = members.get(s.producer_id, [])
        for user in users:
            outgoing.append(Outgoing(f"statement:{s.id}:user:{user}", user, "consignment_statement", message, due_at=now))
        if not users and addresses.get(s.producer_id):
            outgoing.append(Outgoing(f"statement:{s.id}:producer", None, "consignment_statement", message,
                                     due_at=now, email=addresses[s.producer_id], language="vi"))
    written = await enqueue_notifications(outgoing)
    return f"{len(statements)} statements of {month} compiled, {written} sent to the outbox"

