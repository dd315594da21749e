"""Files kept in the database under their SHA-256 (the same bytes are stored once): scans, product photos
and compiled reports. In the database, a backup holds them, a restore brings them back, and every
application server on one database serves the same files; no server keeps anything on its disk.

A file's bytes are split into chunks (`StoredChunk`), written in the caller's transaction so the file and
the row that names it appear together, and read back one chunk at a time."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

from core.database import fetch_rows, fetch_tuples
from core.tables import StoredChunk, StoredFile

CHUNK_BYTES = 512 * 1024  # a photo in one chunk; a 10 MB scan in twenty
MAX_BYTES = 64 * 1024 * 1024  # a backstop: every upload is checked against its own, smaller limit first


class TooLarge(ValueError):
    """A file over MAX_BYTES: a caller forgot its own limit."""


def _engine():
    return StoredFile._meta.db


def name_for(digest: str, folder: str, extension: str) -> str:
    """The name a referring row keeps: <folder>/<2 hex>/<sha256><extension> (its digest and its kind)."""
    return str(Path(folder) / digest[:2] / f"{digest}{extension}")


def digest_of(name: str) -> str:
    return Path(name).stem


async def keep(content: bytes, folder: str, extension: str) -> tuple[str, str]:
    """Stores `content` once, inside the caller's transaction when there is one; returns its name and
    SHA-256. The same bytes kept twice, even at the same moment on two servers, are stored once."""
    if len(content) > MAX_BYTES:
        raise TooLarge(f"{len(content)} bytes: a stored file is at most {MAX_BYTES}")
    digest = hashlib.sha256(content).hexdigest()
    pieces = [content[i:i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)] or [b""]
    async with _engine().transaction():
        # ON CONFLICT: a second writer of the same bytes waits for the first to commit, then adds nothing.
        added = await fetch_rows(
            _engine(), "INSERT INTO stored_file (sha256, size, chunks, stored_at) VALUES ({}, {}, {}, CURRENT_TIMESTAMP) "
            "ON CONFLICT (sha256) DO NOTHING RETURNING id", digest, len(content), len(pieces))
        if added:
            await StoredChunk.insert(*(StoredChunk(sha256=digest, number=n, data=piece) for n, piece in enumerate(pieces)))
    return name_for(digest, folder, extension), digest


async def size_of(digest: str) -> int | None:
    """The stored file's size in bytes, or None when no file has this digest."""
    row = await StoredFile.select(StoredFile.size).where(StoredFile.sha256 == digest).first()
    return row["size"] if row else None


async def chunks(digest: str) -> AsyncIterator[bytes]:
    """The file's bytes a chunk at a time (one query each), for a response that streams them."""
    count = await StoredFile.select(StoredFile.chunks).where(StoredFile.sha256 == digest).first()
    for number in range(count["chunks"] if count else 0):
        rows = await fetch_tuples(_engine(), "SELECT data FROM stored_chunk WHERE sha256 = {} AND number = {}", digest, number)
        if rows:
            yield bytes(rows[0][0])


async def read(digest: str) -> bytes | None:
    """The whole file, or None when none has this digest. The caller compares its checksum when it matters."""
    if await size_of(digest) is None:
        return None
    return b"".join([piece async for piece in chunks(digest)])


async def forget(digest: str) -> None:
    """Removes a stored file (nothing happens when it is already gone); the caller knows no row uses it."""
    async with _engine().transaction():
        await StoredChunk.delete().where(StoredChunk.sha256 == digest)
        await StoredFile.delete().where(StoredFile.sha256 == digest)
