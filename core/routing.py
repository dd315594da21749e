"""Litestar's route decorators, with one cost taken off every guarded request.

Litestar hands each guard `copy(handler)` so that a guard cannot change the handler; that copy of a
large object was a measurable share of every API write. The guards here only read the connection, so
the handler itself is passed. Everything else is Litestar's own.
"""

from __future__ import annotations

from typing import Any

import litestar
from litestar.connection import ASGIConnection


class _GuardedOnce:
    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        for guard in self.resolve_guards():  # type: ignore[attr-defined]
            await guard(connection, self)


class get(_GuardedOnce, litestar.get):
    pass


class post(_GuardedOnce, litestar.post):
    pass


class put(_GuardedOnce, litestar.put):
    pass


class patch(_GuardedOnce, litestar.patch):
    pass


class delete(_GuardedOnce, litestar.delete):
    pass
