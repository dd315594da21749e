"""Who is acting, and the one audit writer every module's writes go through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.querystring import QueryString

from core.roles import Role
from core.tables import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who is acting: what services need to check rights and write audit rows."""

    user_id: int | None
    username: str
    role: Role
    producer_ids: frozenset[int] = frozenset()
    language: str = "vi"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin


SYSTEM = Actor(user_id=None, username="system", role=Role.admin)


# The audit insert for writers on raw connections (the stock ledger's): the same row record_audit writes.
_AUDIT_COLUMNS = ("happened_at", "user_id", "username", "action", "entity", "entity_id", "before", "after")


def raw_audit_insert(placeholders: list[str]) -> str:
    """INSERT of one audit row, with the engine's placeholders ("?" or "$1"…) for its eight values."""
    return f"INSERT INTO audit_entry ({', '.join(_AUDIT_COLUMNS)}) VALUES ({', '.join(placeholders)})"


_AUDIT_INSERT = raw_audit_insert(["{}"] * len(_AUDIT_COLUMNS))


async def record_audit(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Writes one audit row; call it inside the transaction of the change it records."""
    # The statement written once (the ledger's too): a Piccolo insert built a table object and its SQL
    # for every audited write, which cost more than the row.
    await AuditEntry._meta.db.run_querystring(QueryString(
        _AUDIT_INSERT, dt.datetime.now(dt.UTC), actor.user_id, actor.username, action, entity, str(entity_id),
        _json(before), _json(after)))


def _json(values: dict[str, Any] | None) -> str | None:
    return None if values is None else msgspec.json.encode(jsonable(values), enc_hook=str).decode()


def jsonable(values: Any) -> Any:
    """Values JSON can hold: dates as ISO text, all the way down."""
    if isinstance(values, dict):
        return {k: jsonable(v) for k, v in values.items()}
    if isinstance(values, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in values]
    if isinstance(values, (dt.date, dt.datetime)):
        return values.isoformat()
    return values


async def audit_trail(entity: str, entity_id: Any, limit: int = 50) -> list[dict[str, Any]]:
    """The newest audit rows of one record, for its page."""
    return await (
        AuditEntry.select()
        .where((AuditEntry.entity == entity) & (AuditEntry.entity_id == str(entity_id)))
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
    )
