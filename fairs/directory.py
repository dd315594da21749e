"""The exhibitor directory printed: an A4 PDF for visitors, grouped by zone, and the organizers' .xlsx.
Pure: the entries come from fairs.services.directory; every fixed text is in the reader's language."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from catalog.enums import LABELS as CATALOG_LABELS
from catalog.enums import ProducerKind
from core import formatting, i18n
from core.errors import N_
from core.spreadsheets import safe_cell
from fairs.plans import no_fetching
from fairs.schemas import FairOut

if TYPE_CHECKING:
    from fairs.services.directory import DirectoryEntry, DirectoryProduct

_KIND_LABELS = {member.value: text for member, text in CATALOG_LABELS if isinstance(member, ProducerKind)}
CONTACT_FIELDS = (("phone", N_("Phone")), ("email", N_("Email")), ("address", N_("Address")),
                  ("contact_person", N_("Contact person")))
# Widths in characters, in the order of the export's columns.
_COLUMN_WIDTHS = (14, 24, 36, 18, 20, 60, 10, 16, 28, 40, 24)


def stars_text(stars: int) -> str:
    """A rating as words ("4 sao"), which reads the same printed in black and white or copied as text."""
    return i18n.gettext("%(stars)s-star") % {"stars": stars}


def kind_label(kind: str) -> str:
    return i18n.gettext(_KIND_LABELS[kind]) if kind in _KIND_LABELS else kind


def contacts(entry: DirectoryEntry, with_contacts: bool) -> dict[str, str]:
    """The contacts shown, by field (empty when withheld): every one given with_contacts, else only those
    of a producer who agreed to publish them (its contact person too: the directory goes to visitors)."""
    shown = with_contacts or entry.publish_contact
    return {field: getattr(entry, field) if shown else "" for field, _label in CONTACT_FIELDS}


def _dates(fair: FairOut) -> str:
    return f"{formatting.date(fair.starts_on)} – {formatting.date(fair.ends_on)}"


def _product_line(product: DirectoryProduct) -> str:
    return f"{product.name} ({', '.join(part for part in (stars_text(product.stars), product.group) if part)})"


# -- the PDF -------------------------------------------------------------------------------------------

_PDF_STYLE = """
@page { size: A4 portrait; margin: 15mm 14mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.35; }
.title { font-size: 10pt; text-transform: uppercase; letter-spacing: 0.05em; color: #555; }
h1 { font-size: 16pt; margin: 1mm 0 1mm; }
.meta { color: #555; margin-bottom: 6mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 0.6pt solid #333; }
.exhibitor { margin: 0 0 3mm; page-break-inside: avoid; }
.booths { font-weight: bold; display: inline-block; min-width: 22mm; }
.name { font-weight: bold; }
.about, .products, .contacts { margin-left: 22mm; }
.about { color: #444; }
.contact { display: inline-block; margin-right: 4mm; color: #444; }
.empty { margin-top: 10mm; font-style: italic; }
"""


async def directory_pdf(fair: FairOut, entries: Sequence[DirectoryEntry], public: bool = True) -> bytes:
    """An A4 portrait PDF: the fair on a cover line, then each zone's exhibitors by booth with their
    products and ratings. The public copy shows only contacts their producer published; the organizers'
    (public=False) shows every contact. Rendered off the event loop."""
    gettext = i18n.gettext
    meta = " · ".join(escape(part) for part in (fair.venue, _dates(fair)) if part)
    parts = [f'<!doctype html><html lang="{i18n.current_language.get()}"><head><meta charset="utf-8">'
             f"<style>{_PDF_STYLE}</style></head><body>"
             f'<div class="title">{escape(gettext("Exhibitor directory"))}</div>'
             f'<h1>{escape(fair.name)}</h1><div class="meta">{meta}</div>']
    if not entries:
        parts.append(f'<p class="empty">{escape(gettext("No exhibitor holds a booth at this fair yet."))}</p>')
    zone = None
    for entry in entries:
        if entry.zone_code != zone:
            zone = entry.zone_code
            parts.append(f"<h2>{escape(gettext('Zone'))} {escape(entry.zone_code)} · {escape(entry.zone_name)}</h2>")
        about = " · ".join(escape(part) for part in (kind_label(entry.producer_kind), entry.province) if part)
        products = "".join(f"<div>– {escape(_product_line(p))}</div>" for p in entry.products)
        given = contacts(entry, with_contacts=not public)
        # One box a contact: a line breaks between contacts, never inside a short one.
        shown = "".join(f'<span class="contact">{escape(gettext(label))}: {escape(given[field])}</span>'
                        for field, label in CONTACT_FIELDS if given[field])
        parts.append(f'<div class="exhibitor"><span class="booths">{escape(", ".join(entry.booths))}</span>'
                     f'<span class="name">{escape(entry.producer)}</span><div class="about">{about}</div>'
                     + (f'<div class="products">{products}</div>' if products else "")
                     + (f'<div class="contacts">{shown}</div>' if shown else "") + "</div>")
    parts.append("</body></html>")
    html = "".join(parts)

    def render() -> bytes:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=no_fetching).write_pdf()

    return await asyncio.to_thread(render)


# -- the spreadsheet -------------------------------------------------------------------------------------


def directory_xlsx(fair: FairOut, entries: Sequence[DirectoryEntry], with_contacts: bool = True) -> bytes:
    """One row per exhibitor, in the directory's order, under a bold, frozen header row. The organizers'
    export carries every contact; with_contacts=False keeps only those the producers published."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    gettext = i18n.gettext
    headers = [gettext("Booths"), gettext("Zone"), gettext("Producer"), gettext("Kind"), gettext("Province"),
               gettext("Products"), gettext("Checked in"), *(gettext(label) for _field, label in CONTACT_FIELDS)]
    book = Workbook(write_only=True)
    book.properties.title = safe_cell(f"{gettext('Exhibitor directory')}: {fair.name}")
    sheet = book.create_sheet(gettext("Exhibitors")[:31])
    for index, width in enumerate(_COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=safe_cell(text))
        cell.font = bold
        return cell

    sheet.append([header(text) for text in headers])
    for entry in entries:
        given = contacts(entry, with_contacts)
        row = [", ".join(entry.booths), f"{entry.zone_code} · {entry.zone_name}", entry.producer,
               kind_label(entry.producer_kind), entry.province, "; ".join(_product_line(p) for p in entry.products),
               gettext("Yes") if entry.checked_in else gettext("No"), *(given[field] for field, _label in CONTACT_FIELDS)]
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
