"""Demo photos: a few products get a picture drawn at load time (a soft gradient in their OCOP group's
colours with the product's initials), added through the same service as an upload, so they are
stored, resized and served like real photos.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from catalog.photos import add_photo
from catalog.reference import fold
from core.audit import SYSTEM

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")  # has Vietnamese capitals (Đ, Ư, Ơ)
# Two colours per OCOP group: top-left and bottom-right of the picture.
GROUP_COLOURS = {
    "food": ((246, 178, 107), (196, 84, 44)),
    "beverages": ((168, 213, 150), (46, 112, 74)),
    "herbal": ((205, 220, 170), (96, 128, 64)),
    "handicrafts": ((234, 196, 160), (140, 78, 52)),
    "ornamental": ((180, 226, 196), (36, 120, 96)),
    "tourism": ((160, 205, 235), (40, 96, 150)),
}
SIZE = (1200, 900)


def initials(name: str) -> str:
    words = [w for w in name.split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper() or "OCOP"


def picture(name: str, group_code: str, variant: int = 0) -> bytes:
    """A JPEG: a diagonal gradient, a pale disc, and the initials in white."""
    start, end = GROUP_COLOURS.get(group_code, GROUP_COLOURS["food"])
    if variant % 2:
        start, end = end, start
    vertical = Image.linear_gradient("L").resize(SIZE)
    mask = ImageChops.add(vertical, vertical.transpose(Image.Transpose.ROTATE_90).resize(SIZE), scale=2)  # diagonal
    image = Image.composite(Image.new("RGB", SIZE, end), Image.new("RGB", SIZE, start), mask)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((330, 180, 870, 720), fill=(255, 255, 255, 60))
    text = initials(name)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    if FONT.exists():
        font = ImageFont.truetype(str(FONT), 220)
    else:  # Pillow's own font has no Vietnamese letters: write them without accents
        font, text = ImageFont.load_default(size=220), fold(text).upper()
    draw.text((SIZE[0] / 2, SIZE[1] / 2), text, font=font, fill=(255, 255, 255, 235), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


async def seed_photos(products: list[dict]) -> int:
    """Adds one or two drawn photos to each product given (dicts with id, name, group_code)."""
    added = 0
    for index, product in enumerate(products):
        for variant in range(1 + (index % 3 == 0)):
            await add_photo(product["id"], picture(product["name"], product["group_code"], variant), SYSTEM)
            added += 1
    return added
