"""Product photos as the pages use them: an uploaded JPEG, PNG or WebP checked from its content, turned
upright, converted to sRGB and re-encoded as WebP in the three sizes the pages ask for, without EXIF,
GPS, XMP or colour-profile metadata. Pure: bytes in, bytes out (Pillow only, no files, no database).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import cast

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from core.errors import N_, Msg, ValidationFailed

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# name → the box (width, height) in pixels each rendition is fitted into. The thumbnail fills grids and lists; the
# display size wide screens and zooming in. The phone size is bound by its width, as the product page's photo strip
# is: beside another photo a photo takes 85 % of the screen's width less the page's padding, 279–320 CSS px on
# phones 360–408 px wide (most of them), at most 640 device pixels at 2 each. A photo alone, a wider phone or a
# denser screen takes the display size.
SIZES = {"thumb": (320, 320), "phone": (640, 1200), "display": (1200, 1200)}
MAX_PIXELS = 50_000_000  # a 50-megapixel photo decodes to ~150 MB: anything larger is refused unread
MEDIA_TYPE, EXTENSION = "image/webp", ".webp"
# WebP quality by size. The phone size is drawn at two device pixels per CSS pixel, where artefacts are half as
# large: it takes libwebp's own default, some 15 % lighter than 80 for a phone on a slow network.
QUALITY = {"thumb": 80, "phone": 75, "display": 80}

NOT_AN_IMAGE = N_("This file is not a JPEG, PNG or WebP image.")
DAMAGED = N_("This image is damaged or incomplete; export it again and upload the new file.")


@dataclass(frozen=True)
class Rendition:
    size: str
    content: bytes
    width: int
    height: int


class _Source(io.BytesIO):
    """The upload as a file that notices when a decoder asks for bytes past its end. Pillow only raises
    on a truncated image while `ImageFile.LOAD_TRUNCATED_IMAGES` is off, and WeasyPrint turns that
    process-wide switch on when it is imported: this check holds either way."""

    ran_out = False

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data and size != 0:
            self.ran_out = True
        return data


def _refuse(message: str | Msg) -> ValidationFailed:
    return ValidationFailed({"file": message})


def _opened(source: io.BytesIO) -> Image.Image:
    """The image, opened only by the JPEG, PNG and WebP decoders, with its size checked before decoding."""
    too_large = Msg(N_("This image is too large: at most %(n)s megapixels."), n=MAX_PIXELS // 1_000_000)
    try:
        image = Image.open(source, formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise _refuse(NOT_AN_IMAGE) from None
    except Image.DecompressionBombError:
        raise _refuse(too_large) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(DAMAGED) from None
    if not image.width or not image.height:
        raise _refuse(DAMAGED)
    if image.width * image.height > MAX_PIXELS:
        raise _refuse(too_large)
    return image


def decode(content: bytes) -> Image.Image:
    """The uploaded image decoded whole and upright (EXIF orientation applied), in RGB or RGBA.

    ValidationFailed on the "file" field when it is not a JPEG, PNG or WebP, is truncated or corrupt,
    or has too many pixels.
    """
    if not content:
        raise _refuse(N_("Choose a photo to upload."))
    try:
        _opened(io.BytesIO(content)).verify()  # checksums and structure (PNG chunks), without decoding the pixels
        source = _Source(content)
        image = _opened(source)
        if image.format == "JPEG":
            image.draft("RGB", SIZES["display"])  # decode at a reduced scale: much faster
        source.ran_out = False
        image.load()  # a truncated file fails here, or leaves `ran_out` set
        if source.ran_out:
            raise _refuse(DAMAGED)
        upright = ImageOps.exif_transpose(image)
        return _srgb(upright)
    except ValidationFailed:
        raise
    # what Pillow's decoders and its EXIF reader raise on malformed data
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError):
        raise _refuse(DAMAGED) from None


def _srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB: an embedded colour profile (Display P3 on phones, CMYK) is applied, then dropped."""
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    target = "RGBA" if alpha else "RGB"
    profile = image.info.get("icc_profile")
    if profile:
        try:
            working = image if image.mode in ("RGB", "RGBA", "CMYK") else image.convert(target)
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            # not in place: the converted copy is returned
            return cast(Image.Image, ImageCms.profileToProfile(working, source, ImageCms.createProfile("sRGB"),
                                                               outputMode=target))
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable or mismatched profile: keep the pixels as they are
    return image if image.mode == target else image.convert(target)


def renditions(image: Image.Image) -> list[Rendition]:
    """The image re-encoded as WebP at every size in SIZES (never enlarged), with no metadata at all."""
    made = []
    for name, box in SIZES.items():
        copy = image.copy()
        copy.thumbnail(box, Image.Resampling.LANCZOS)
        copy.info.clear()  # nothing from the upload travels on: no EXIF, XMP or ICC
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=QUALITY[name], method=4, exif=b"", xmp=b"", icc_profile=None)
        made.append(Rendition(size=name, content=buffer.getvalue(), width=copy.width, height=copy.height))
    return made


def prepare(content: bytes) -> list[Rendition]:
    """Checks an upload and makes its renditions (CPU-bound: call it off the event loop)."""
    return renditions(decode(content))
