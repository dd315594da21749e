"""Session tokens at rest as their SHA-256: the tokens already stored are replaced by their digests
here, in Python on either engine, so every cookie handed out before the upgrade still logs in.
Going back cannot recover a token from its digest: it ends every session instead."""

import hashlib
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from core.migrations import ddl

ID = "2026-12-06T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "session tokens stored as their SHA-256"

# A digest is 64 lowercase hex characters; a token (token_urlsafe(32)) is 43 characters, so a row
# already holding a digest is left alone and the step can run twice.
_DIGEST = re.compile(r"[0-9a-f]{64}")


async def hash_session_tokens() -> int:
    """Replaces each stored session token by its SHA-256 (hex); returns how many rows changed."""
    engine = engine_finder()
    assert engine is not None, "no Piccolo engine configured (PICCOLO_CONF)"
    changed = 0
    async with engine.transaction():
        for row in await engine.run_querystring(QueryString("SELECT id, token FROM ocop_session")):
            if _DIGEST.fullmatch(row["token"]):
                continue
            digest = hashlib.sha256(row["token"].encode()).hexdigest()
            await engine.run_querystring(QueryString("UPDATE ocop_session SET token = {} WHERE id = {}", digest, row["id"]))
            changed += 1
    return changed


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(hash_session_tokens)
    manager.add_raw_backwards(ddl("DELETE FROM ocop_session"))
    return manager
