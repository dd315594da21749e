"""The floor plan drawn: SVG for the page (coloured by state, the exhibitor on hover or tap), and
the same drawing on an A3 PDF for printing."""

from __future__ import annotations

import asyncio
from html import escape

from markupsafe import Markup

from core import i18n
from fairs.schemas import FairOut, FloorPlan

_MARGIN = 2.0  # metres around the drawing
_PALETTE = ["#e8f1fb", "#eef7e8", "#fbf1e6", "#f3eafa", "#e9f6f6", "#fbeaea", "#f6f6e4"]
_CODE_DIVISOR = 3.6  # a booth's code is drawn at its shorter side divided by this
_LABEL_PX = 12.5  # a booth code's font size on a visitor's phone before any zoom, in CSS pixels
_PUBLIC_SCALE = (8.0, 40.0)  # pixels per metre, whatever the smallest booth


def plan_svg(plan: FloorPlan, interactive: bool = False, public: bool = False, link: str = "") -> Markup:
    """One SVG in metres: zones as tinted areas with their names, booths as rectangles with their code
    (each a link to `{link}/{code}` when a link is given). The public drawing also carries a natural size
    in pixels at which the smallest booth's code reads comfortably on a phone."""
    width, depth = plan.width + 2 * _MARGIN, plan.depth + 2 * _MARGIN + 2
    classes = "floor-plan" + (" interactive" if interactive else "") + (" public" if public else "")
    natural = ""
    if public:
        scale = _public_scale(plan)
        natural = f' width="{width * scale:.0f}" height="{depth * scale:.0f}"'
    # A drawing whose booths are links or controls is a group of them, not one image (an image holds nothing
    # a keyboard can reach).
    role = "group" if interactive or link else "img"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}"{natural} '
             f'viewBox="{-_MARGIN} {-_MARGIN - 2} {width:.2f} {depth:.2f}" role="{role}" '
             f'aria-label="{escape(i18n.gettext("Floor plan"))}">']
    for index, zone in enumerate(plan.zones):
        booths = [b for b in plan.booths if b.zone_id == zone.id]
        if not booths:
            continue
        left, top = min(b.x for b in booths) - 0.5, min(b.y for b in booths) - 0.5
        right, bottom = max(b.x + b.width for b in booths) + 0.5, max(b.y + b.depth for b in booths) + 0.5
        parts.append(f'<g class="zone"><rect x="{left:.2f}" y="{top:.2f}" width="{right - left:.2f}" '
                     f'height="{bottom - top:.2f}" fill="{_PALETTE[index % len(_PALETTE)]}" rx="0.4"/>'
                     f'<text x="{left:.2f}" y="{top - 0.4:.2f}" class="zone-name">{escape(zone.code)} · '
                     f'{escape(zone.name)}</text></g>')
    for booth in plan.booths:
        holder = booth.exhibitor if booth.state != "free" else ""
        title = f"{booth.code}: {holder}" if holder else f"{booth.code}: {i18n.gettext('Free')}"
        if booth.state == "blocked":
            title = f"{booth.code}: {i18n.gettext('Blocked')}"
        attributes = f'data-booth="{booth.id}" data-code="{escape(booth.code)}" data-state="{booth.state}"'
        if interactive and booth.application_id:
            attributes += f' data-application="{booth.application_id}"'
        if interactive:
            attributes += f' tabindex="0" role="button" aria-label="{escape(title)}"'
        lock = " locked" if booth.locked and not public else ""
        size = min(booth.width, booth.depth)
        shape = (f'<g class="booth {booth.state}{lock}" {attributes}><title>{escape(title)}</title>'
                 f'<rect x="{booth.x:.2f}" y="{booth.y:.2f}" width="{booth.width:.2f}" height="{booth.depth:.2f}"/>'
                 f'<text x="{booth.x + booth.width / 2:.2f}" y="{booth.y + booth.depth / 2:.2f}" '
                 f'font-size="{size / _CODE_DIVISOR:.2f}">{escape(booth.code)}</text></g>')
        if link and booth.state != "blocked":  # a visitor taps a booth to see who is there
            shape = f'<a href="{link}/{escape(booth.code)}" aria-label="{escape(title)}">{shape}</a>'
        parts.append(shape)
    parts.append("</svg>")
    return Markup("".join(parts))


def _public_scale(plan: FloorPlan) -> float:
    """Pixels per metre at which the smallest booth's code is drawn _LABEL_PX tall, within _PUBLIC_SCALE."""
    smallest = min((min(b.width, b.depth) for b in plan.booths), default=3.0)
    low, high = _PUBLIC_SCALE
    return max(low, min(high, _LABEL_PX * _CODE_DIVISOR / smallest)) if smallest > 0 else low


_PDF_STYLE = """
@page { size: A3 landscape; margin: 12mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
.meta { color: #555; margin-bottom: 4mm; }
svg { width: 100%; max-height: 240mm; }
.zone-name { font-size: 1.1px; font-weight: bold; fill: #333; }
.booth rect { stroke: #555; stroke-width: 0.06; fill: #fff; }
.booth.proposed rect { fill: #ffe9a8; }
.booth.confirmed rect { fill: #9fd8a8; }
.booth.blocked rect { fill: #cfcfcf; }
.booth text { text-anchor: middle; dominant-baseline: middle; fill: #222; }
table { border-collapse: collapse; width: 100%; margin-top: 6mm; page-break-before: always; }
td, th { border-bottom: 0.3pt solid #bbb; padding: 1mm 2mm; text-align: left; }
"""


async def plan_pdf(fair: FairOut, plan: FloorPlan) -> bytes:
    """An A3 landscape PDF: the plan, then the booth list with exhibitors (rendered off the event loop)."""
    gettext = i18n.gettext
    rows = "".join(f"<tr><td>{escape(b.code)}</td><td>{escape(gettext(b.kind))}</td>"
                   f"<td>{escape(b.exhibitor if b.state != 'free' else '')}</td></tr>" for b in plan.booths)
    dates = f"{fair.starts_on:%d/%m/%Y} – {fair.ends_on:%d/%m/%Y}"
    html = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>{_PDF_STYLE}</style></head><body>'
            f"<h1>{escape(fair.name)}</h1><div class=\"meta\">{escape(fair.venue)} · {dates}</div>"
            f"{plan_svg(plan)}<table><thead><tr><th>{escape(gettext('Booth'))}</th><th>{escape(gettext('Type'))}</th>"
            f"<th>{escape(gettext('Exhibitor'))}</th></tr></thead><tbody>{rows}</tbody></table></body></html>")

    def render() -> bytes:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=no_fetching).write_pdf()

    return await asyncio.to_thread(render)


def no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"the plan fetches nothing ({url})")
