"""Stored files: their pieces indexed in order, and the files kept on disk until now (the uploads folder,
OCOP_UPLOADS_DIR) moved into the database, each checked against the SHA-256 its name carries. The folder is
left as it was, to be removed by hand once a backup has been taken; a file whose bytes do not match its name
is left out and named in the migration's output. Going back keeps the stored files."""

import hashlib
import os
import re
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from core.migrations import index_steps

ID = "2026-12-06T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "stored files indexed; files on disk moved into the database"

INDEXES = {"stored_chunk_piece": "UNIQUE INDEX IF NOT EXISTS stored_chunk_piece ON stored_chunk (sha256, number)"}
CHUNK_BYTES = 512 * 1024  # as core.uploads writes them
_NAME = re.compile(r"[0-9a-f]{64}")
FOLDERS = ("agreements", "photos", "reports")  # what the application kept on disk


async def move_files_in() -> int:
    """Stores each file of the uploads folder not yet in the database; returns how many were added."""
    engine = engine_finder()
    assert engine is not None, "no Piccolo engine configured (PICCOLO_CONF)"
    root = Path(os.environ.get("OCOP_UPLOADS_DIR", "uploads"))
    added = 0
    for path in sorted(p for folder in FOLDERS for p in (root / folder).glob("*/*") if p.is_file()):
        if not _NAME.fullmatch(path.stem):
            continue  # a temporary file of an interrupted write
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != path.stem:
            print(f"left out (its bytes do not match its name): {path}")
            continue
        pieces = [content[i:i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)] or [b""]
        async with engine.transaction():
            known = await engine.run_querystring(QueryString("SELECT id FROM stored_file WHERE sha256 = {}", path.stem))
            if known:
                continue
            await engine.run_querystring(QueryString(
                "INSERT INTO stored_file (sha256, size, chunks, stored_at) VALUES ({}, {}, {}, CURRENT_TIMESTAMP)",
                path.stem, len(content), len(pieces)))
            for number, piece in enumerate(pieces):
                await engine.run_querystring(QueryString(
                    "INSERT INTO stored_chunk (sha256, number, data) VALUES ({}, {}, {})", path.stem, number, piece))
        added += 1
    if added:
        print(f"{added} files moved from {root} into the database; the folder may go once a backup is taken")
    return added


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    manager.add_raw(move_files_in)
    return manager
