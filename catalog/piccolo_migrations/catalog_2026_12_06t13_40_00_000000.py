"""Product photos get a third rendition, sized for a phone (at most 640 px wide and 1200 px high, WebP at
quality 75), which the public product page offers between the thumbnail and the display size. Photos uploaded
before this release get theirs made here from their display rendition (the upload itself is not kept), stored
like any rendition; a photo whose display file is missing is left without one and named in the migration's
output (the page then offers the display rendition). Going back drops the columns and keeps the stored files."""

import asyncio
import hashlib
import io
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString
from PIL import Image

from core.migrations import ddl

ID = "2026-12-06T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "product photos: a rendition sized for phones"

BOX, QUALITY = (640, 1200), 75  # as catalog.imaging makes the phone size at upload
COLUMNS = {"phone_path": "VARCHAR(255) NOT NULL DEFAULT ''", "phone_width": "INTEGER NOT NULL DEFAULT 0",
           "phone_height": "INTEGER NOT NULL DEFAULT 0"}


def phone_rendition(display: bytes) -> tuple[bytes, int, int]:
    """The phone size of a photo made from its display rendition (WebP, already upright, sRGB, without metadata)."""
    with Image.open(io.BytesIO(display), formats=("WEBP",)) as image:
        image.load()
        copy = image.copy()
    copy.thumbnail(BOX, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, "WEBP", quality=QUALITY, method=4, exif=b"", xmp=b"", icc_profile=None)
    return buffer.getvalue(), copy.width, copy.height


async def make_phone_renditions() -> int:
    """Makes and stores the phone rendition of every photo that has none; returns how many photos got one."""
    engine = engine_finder()
    assert engine is not None, "no Piccolo engine configured (PICCOLO_CONF)"
    rows = await engine.run_querystring(QueryString(
        "SELECT id, display_path FROM product_photo WHERE phone_path = '' ORDER BY id"))
    made: dict[str, tuple[bytes, int, int]] = {}  # display file → its phone rendition (photos may share a file)
    added = 0
    for row in rows:
        display = Path(row["display_path"]).stem
        if display not in made:
            pieces = await engine.run_querystring(QueryString(
                "SELECT data FROM stored_chunk WHERE sha256 = {} ORDER BY number", display))
            if not pieces:
                print(f"photo {row['id']}: its display file {display} is missing; left without a phone rendition")
                continue
            made[display] = await asyncio.to_thread(phone_rendition, b"".join(bytes(p["data"]) for p in pieces))
        content, width, height = made[display]
        digest = hashlib.sha256(content).hexdigest()
        async with engine.transaction():
            # far smaller than a chunk (core.uploads): one piece; the same bytes are stored once
            if not await engine.run_querystring(QueryString("SELECT id FROM stored_file WHERE sha256 = {}", digest)):
                await engine.run_querystring(QueryString(
                    "INSERT INTO stored_file (sha256, size, chunks, stored_at) VALUES ({}, {}, 1, CURRENT_TIMESTAMP)",
                    digest, len(content)))
                await engine.run_querystring(QueryString(
                    "INSERT INTO stored_chunk (sha256, number, data) VALUES ({}, 0, {})", digest, content))
            await engine.run_querystring(QueryString(
                "UPDATE product_photo SET phone_path = {}, phone_width = {}, phone_height = {} WHERE id = {}",
                f"photos/{digest[:2]}/{digest}.webp", width, height, row["id"]))
        added += 1
    if added:
        print(f"{added} product photos got a rendition sized for phones")
    return added


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)
    for column, declaration in COLUMNS.items():
        manager.add_raw(ddl(f"ALTER TABLE product_photo ADD COLUMN {column} {declaration}"))
        manager.add_raw_backwards(ddl(f"ALTER TABLE product_photo DROP COLUMN {column}"))
    manager.add_raw(make_phone_renditions)
    return manager
