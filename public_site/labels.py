"""QR label sheets: A4 pages of stickers, each with the product's QR address, name, stars and code.

The layouts are the common sticker sheets (3 × 8 and 4 × 10 on A4). The PDF is drawn by
WeasyPrint from HTML with the QR codes inline as SVG (vectors, sharp at any printer resolution).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from html import escape

import segno

LAYOUTS = {"3x8": (3, 8), "4x10": (4, 10)}


@dataclass(frozen=True)
class Label:
    url: str
    name: str
    stars: int
    code: str


def qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", xmldecl=False, svgns=True, scale=4, border=1, nl=False)
    return buffer.getvalue().decode()


def label_sheet_html(labels: list[Label], layout: str) -> str:
    """The HTML of the sheet(s): one grid cell per label, as many A4 pages as needed."""
    columns, rows = LAYOUTS[layout]
    cells = []
    for label in labels:
        name = unicodedata.normalize("NFC", label.name)
        stars = f'<div class="stars">{"★" * label.stars} OCOP</div>' if label.stars else ""
        cells.append(
            f'<div class="label"><div class="qr">{qr_svg(label.url)}</div>'
            f'<div class="text"><div class="name">{escape(name)}</div>{stars}'
            f'<div class="code">{escape(label.code)}</div></div></div>'
        )
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 10mm 5mm; }}
body {{ margin: 0; font-family: "DejaVu Sans", sans-serif; }}
.sheet {{ display: grid; grid-template-columns: repeat({columns}, 1fr); grid-auto-rows: {277 / rows:.2f}mm; }}
.label {{ display: flex; align-items: center; gap: 2mm; padding: 1.5mm; overflow: hidden; box-sizing: border-box;
          break-inside: avoid; }}
.qr svg {{ width: {min(277 / rows - 4, 190 / columns / 2):.1f}mm; height: auto; }}
.name {{ font-size: {8 if columns == 3 else 6.5}pt; font-weight: bold; line-height: 1.15; max-height: 3.6em; overflow: hidden; }}
.stars {{ font-size: 7pt; color: #b8860b; }}
.code {{ font-size: 6pt; color: #444; }}
</style></head><body><div class="sheet">{"".join(cells)}</div></body></html>"""


def label_sheet_pdf(labels: list[Label], layout: str) -> bytes:
    """Renders the sheet to PDF (seconds for many pages: call it off the event loop)."""
    from weasyprint import HTML

    return HTML(string=label_sheet_html(labels, layout), url_fetcher=_no_fetching).write_pdf()


def _no_fetching(url: str, *args, **kwargs):
    # Everything is inline: a sheet built from user data must not fetch anything.
    raise ValueError(f"label sheets fetch nothing ({url})")
