"""Product photos: adding and removing them, and listing them for the pages.

Uploads are checked from their content and re-encoded by `catalog.imaging` (off the event loop);
the renditions are stored (core.uploads) by their SHA-256 and served at a URL made of it,
so a photo's URL never changes content and can be cached for a year. Each write is one audited
transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path
from typing import Any

from accounts.enums import CATALOG_EDITORS, Role
from catalog import imaging
from catalog.enums import PhotoAction
from catalog.schemas import PhotoOut
from catalog.tables import Product, ProductPhoto
from core import uploads
from core.audit import Actor, record_audit
from core.database import fetch_rows
from core.errors import N_, Forbidden, Msg, NotFound, ValidationFailed
from core.ids import is_id
from core.settings import settings

MAX_PHOTOS = 8  # per product: a phone page shows a few, not an album
FOLDER = "photos"
URL_PREFIX = "/media/photos/"
_FILE_NAME = re.compile(r"^[0-9a-f]{64}\.webp$")


def max_megabytes() -> int | float:
    """The upload limit in MB as people write it: 8, or 2.5."""
    megabytes = round(settings.photo_max_bytes / 1024 / 1024, 1)
    return int(megabytes) if megabytes == int(megabytes) else megabytes


def photo_url(relative_path: str) -> str:
    return URL_PREFIX + Path(relative_path).name


def photo_digest(name: str) -> str | None:
    """The stored file behind /media/photos/{name}, or None when the name is not one of ours."""
    return uploads.digest_of(name) if _FILE_NAME.match(name) else None


def _photo_out(row: dict) -> PhotoOut:
    # A photo whose phone rendition could not be made when that size was added (its display file was missing) offers
    # the display rendition in its place.
    phone = "phone" if row["phone_path"] else "display"
    return PhotoOut(
        id=row["id"], product_id=row["product"], position=row["position"],
        thumb_url=photo_url(row["thumb_path"]), thumb_width=row["thumb_width"], thumb_height=row["thumb_height"],
        phone_url=photo_url(row[f"{phone}_path"]), phone_width=row[f"{phone}_width"], phone_height=row[f"{phone}_height"],
        display_url=photo_url(row["display_path"]), display_width=row["display_width"],
        display_height=row["display_height"], sha256=row["sha256"], uploaded_at=row["uploaded_at"],
    )


async def product_photos(product_id: int) -> list[PhotoOut]:
    """The product's photos in page order (the first is the main photo)."""
    # Written as SQL: every public product page reads them, and Piccolo rebuilt the select each time.
    rows = await fetch_rows(ProductPhoto._meta.db, "SELECT * FROM product_photo WHERE product = {} ORDER BY position, id", product_id)
    return [_photo_out(r) for r in rows]


async def ensure_can_manage_photos(actor: Actor | None, product_id: int) -> None:
    """Organizers and admins manage any product's photos; a producer only those of its own products."""
    if not is_id(product_id):
        raise NotFound(N_("This product does not exist."))
    product = await Product.select(Product.producer).where(Product.id == product_id).first()
    if product is None:
        raise NotFound(N_("This product does not exist."))
    if actor is not None and (actor.role in CATALOG_EDITORS or (
            actor.role is Role.producer and product["producer"] in actor.producer_ids)):
        return
    raise Forbidden(N_("Only organizers and the product's producer may change its photos."))


def can_manage_photos(actor: Actor | None, producer_id: int) -> bool:
    """The same rule for pages that already hold the product: whether to show the upload form."""
    return actor is not None and (actor.role in CATALOG_EDITORS or (
        actor.role is Role.producer and producer_id in actor.producer_ids))


async def _check_room(product_id: int, digest: str) -> None:
    if await ProductPhoto.exists().where(ProductPhoto.product == product_id, ProductPhoto.sha256 == digest):
        raise ValidationFailed({"file": N_("This photo is already on this product.")})
    if await ProductPhoto.count().where(ProductPhoto.product == product_id) >= MAX_PHOTOS:
        raise ValidationFailed({"file": Msg(N_("A product has at most %(n)s photos: remove one first."), n=MAX_PHOTOS)})


async def add_photo(product_id: int, content: bytes, actor: Actor | None) -> PhotoOut:
    """Checks an upload (JPEG, PNG or WebP by its content, size limit, at most MAX_PHOTOS a product),
    stores its renditions without metadata, and adds it last on the product's page. Audited.
    A refused upload leaves nothing on disk or in the database."""
    await ensure_can_manage_photos(actor, product_id)
    assert actor is not None  # the check above refuses an anonymous actor
    if len(content) > settings.photo_max_bytes:
        raise ValidationFailed({"file": Msg(N_("A photo is at most %(n)s MB."), n=max_megabytes())})
    digest = hashlib.sha256(content).hexdigest()
    await _check_room(product_id, digest)
    made = {r.size: r for r in await asyncio.to_thread(imaging.prepare, content)}
    async with ProductPhoto._meta.db.transaction():
        await _check_room(product_id, digest)  # again, now that concurrent uploads are queued behind us
        last = await ProductPhoto.select(ProductPhoto.position).where(ProductPhoto.product == product_id).order_by(
            ProductPhoto.position, ascending=False).first()
        # Written inside the transaction: a removal of the same file elsewhere cannot slip in between.
        paths = {size: (await uploads.keep(r.content, FOLDER, imaging.EXTENSION))[0] for size, r in made.items()}
        values: dict[str, Any] = {
            "product": product_id, "position": (last["position"] + 1) if last else 0, "sha256": digest,
            "thumb_path": paths["thumb"], "thumb_width": made["thumb"].width, "thumb_height": made["thumb"].height,
            "phone_path": paths["phone"], "phone_width": made["phone"].width, "phone_height": made["phone"].height,
            "display_path": paths["display"], "display_width": made["display"].width,
            "display_height": made["display"].height, "uploaded_by": actor.user_id,
        }
        row = (await ProductPhoto.insert(ProductPhoto(**values)).returning(*ProductPhoto.all_columns()))[0]
        await record_audit(actor, PhotoAction.photo_added.value, "product", product_id, None,
                           {"photo": row["id"], "sha256": digest, "bytes": len(content)})
    return _photo_out(row)


async def remove_photo(product_id: int, photo_id: int, actor: Actor | None) -> None:
    """Removes a photo from the product; its files go too unless another photo row uses them. Audited."""
    await ensure_can_manage_photos(actor, product_id)
    assert actor is not None  # the check above refuses an anonymous actor
    async with ProductPhoto._meta.db.transaction():
        row = await ProductPhoto.select().where(
            ProductPhoto.id == photo_id, ProductPhoto.product == product_id).first() if is_id(photo_id) else None
        if row is None:
            raise NotFound(N_("This photo does not exist."))
        await ProductPhoto.delete().where(ProductPhoto.id == photo_id)
        await record_audit(actor, PhotoAction.photo_removed.value, "product", product_id,
                           {"photo": photo_id, "sha256": row["sha256"]}, None)
        for path in {row["thumb_path"], row["phone_path"], row["display_path"]} - {""}:
            in_use = await ProductPhoto.exists().where(
                (ProductPhoto.thumb_path == path) | (ProductPhoto.phone_path == path) | (ProductPhoto.display_path == path))
            if not in_use:
                await uploads.forget(uploads.digest_of(path))
