"""Helpers for hand-written migration steps (composite and partial indexes Piccolo cannot declare)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from piccolo.engine import engine_finder


def ddl(sql: str) -> Callable[[], Awaitable[None]]:
    """A raw migration step running one statement on the configured engine (SQLite or PostgreSQL)."""

    async def run() -> None:
        engine = engine_finder()  # the engine PICCOLO_CONF configures, found at run time
        assert engine is not None, "no Piccolo engine configured (PICCOLO_CONF)"
        await engine.run_ddl(sql)

    return run


def index_steps(manager, indexes: dict[str, str]) -> None:
    """Adds `CREATE <statement>` forwards and `DROP INDEX` backwards for each named index."""
    for name, statement in indexes.items():
        manager.add_raw(ddl(f"CREATE {statement}"))
        manager.add_raw_backwards(ddl(f"DROP INDEX IF EXISTS {name}"))
