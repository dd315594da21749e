"""A connection conference's meetings printed: each participant's own schedule, a card for every table in use, and
the room's grid of tables by time slot, A4. A schedule is written in its participant's language; the cards and the
grid, put up in the room on the day, in Vietnamese.

Printed meetings are those that stand for the day: confirmed, and held once marked so. A draft may still move, a
cancelled one frees its place, and a no-show did not take place: none of them is printed. The pieces that lay out
and render are pure (plain data in, HTML or PDF out); the loading from the tables is kept apart below them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from catalog import reference
from catalog.enums import LABELS as CATALOG_LABELS
from catalog.enums import BuyerKind
from catalog.tables import Buyer, Product
from core import formatting, i18n
from core.errors import N_, NotFound
from core.ids import is_id
from core.settings import settings
from fairs.tables import Fair
from matchmaking import services
from matchmaking.enums import LABELS, MeetingStatus, Side
from matchmaking.schemas import ParticipantOut
from matchmaking.tables import Meeting, Participant

PRINTED = (MeetingStatus.confirmed.value, MeetingStatus.held.value)
TABLES_PER_PAGE = 8  # columns of the room's grid on one A4 landscape page, each name still readable
_BUYER_KINDS = {member.value: text for member, text in CATALOG_LABELS if isinstance(member, BuyerKind)}
_SIDES = {member.value: text for member, text in LABELS if isinstance(member, Side)}


@dataclass(frozen=True)
class Heading:
    """The conference as every printed page names it."""

    name: str
    venue: str
    day: str  # dd/mm/yyyy, the day of its meetings


@dataclass(frozen=True)
class Party:
    """A participant as a printed page shows it: for a producer, `detail` is what it offers; for a buyer, its kind."""

    id: int
    side: str
    name: str
    province: str
    detail: str


@dataclass(frozen=True)
class Slot:
    number: int
    starts: str  # hh:mm, Vietnam time
    ends: str


@dataclass(frozen=True)
class Booked:
    """A printed meeting."""

    slot: Slot
    table: int
    buyer: Party
    producer: Party
    held: bool

    def other(self, party_id: int) -> Party:
        return self.producer if self.buyer.id == party_id else self.buyer


@dataclass(frozen=True)
class GridPage:
    """A page of the room's grid: some tables as columns, every slot as a row, a cell per table (None: free)."""

    tables: list[int]
    rows: list[tuple[Slot, list[Booked | None]]]


# -- pure: times, layout, HTML and PDF --------------------------------------------------------------------


def _in(language: str, text: str) -> str:
    """A label in `language`, whatever the reader's: a printed page is written for whom it is handed to."""
    token = i18n.current_language.set(language)
    try:
        return i18n.gettext(text) if text else ""
    finally:
        i18n.current_language.reset(token)


def slots_of(starts: dict[int, dt.datetime], minutes: int) -> dict[int, Slot]:
    """Each slot's start and end as the day's clock reads them."""
    return {number: Slot(number, formatting.clock(moment), formatting.clock(moment + dt.timedelta(minutes=minutes)))
            for number, moment in starts.items()}


def by_table(meetings: Iterable[Booked]) -> list[tuple[int, list[Booked]]]:
    """The tables with at least one meeting, in number order, each with its meetings in time order."""
    found: dict[int, list[Booked]] = {}
    for m in meetings:
        found.setdefault(m.table, []).append(m)
    return [(table, sorted(found[table], key=lambda m: m.slot.number)) for table in sorted(found)]


def grid_pages(tables: int, slots: Sequence[Slot], meetings: Iterable[Booked],
               per_page: int = TABLES_PER_PAGE) -> list[GridPage]:
    """The room's tables (1..tables, and any other a meeting stands at) cut into pages of `per_page` columns."""
    placed = {(m.slot.number, m.table): m for m in meetings}
    numbers = sorted(set(range(1, tables + 1)) | {table for _slot, table in placed})
    return [GridPage(chunk, [(slot, [placed.get((slot.number, table)) for table in chunk]) for slot in slots])
            for chunk in (numbers[start:start + per_page] for start in range(0, len(numbers), per_page))]


@functools.cache
def _environment() -> Environment:
    # Its own environment: the schedule is also rendered for an e-mail, where no request (and no page engine) is.
    env = Environment(loader=FileSystemLoader(settings.templates_dir), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=settings.template_reload,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def render_html(template: str, language: str = "vi", **context: Any) -> str:
    """A printed page's HTML, its words in `language`."""
    token = i18n.current_language.set(language)
    try:
        return _environment().get_template(f"matchmaking/print/{template}").render(language=language, **context)
    finally:
        i18n.current_language.reset(token)


def schedule_html(heading: Heading, party: Party, meetings: Sequence[Booked], minutes: int, printed_at: str,
                  language: str = "vi") -> str:
    """One participant's meetings in time order, with whom and where (`meetings` are its own), in `language`."""
    ordered = sorted(meetings, key=lambda m: (m.slot.number, m.table))
    return render_html("schedule.html", language, heading=heading, party=party,
                       side=_in(language, _SIDES.get(party.side, party.side)),
                       minutes=minutes, printed_at=printed_at, meetings=[(m, m.other(party.id)) for m in ordered],
                       buyer_side=party.side == Side.buyer.value)


def table_cards_html(heading: Heading, meetings: Iterable[Booked]) -> str:
    """A page per table in use: its number to be read from across the room, and who sits there when."""
    return render_html("table_cards.html", heading=heading, tables=by_table(meetings))


def room_grid_html(heading: Heading, pages: Sequence[GridPage]) -> str:
    return render_html("room_grid.html", heading=heading, pages=pages)


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"the printed meetings fetch nothing ({url})")


async def pdf_of(html: str) -> bytes:
    """The HTML typeset by WeasyPrint, off the event loop."""

    def render() -> bytes:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=_no_fetching).write_pdf()

    return await asyncio.to_thread(render)


# -- the conference as printed, loaded ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Printed:
    heading: Heading
    minutes: int
    tables: int
    slots: dict[int, Slot]
    meetings: list[Booked]
    parties: dict[int, Party]


async def _parties(listed: Sequence[ParticipantOut], with_detail: bool, language: str = "vi") -> dict[int, Party]:
    """The participants as printed; with_detail: a producer's offered products, a buyer's kind (in `language`)."""
    products: dict[int, str] = {}
    kinds: dict[int, str] = {}
    if with_detail:
        offered = sorted({i for p in listed for i in p.product_ids})
        products = {r["id"]: r["name"] for r in await Product.select(Product.id, Product.name).where(
            Product.id.is_in(offered or [0]))}
        kinds = {r["id"]: r["kind"] for r in await Buyer.select(Buyer.id, Buyer.kind).where(
            Buyer.id.is_in([p.buyer_id for p in listed if p.buyer_id] or [0]))}

    def detail(p: ParticipantOut) -> str:
        if p.side == Side.producer.value:
            return ", ".join(sorted(products[i] for i in p.product_ids if i in products))
        kind = kinds.get(p.buyer_id or 0, "")
        return _in(language, _BUYER_KINDS.get(kind, kind))

    return {p.id: Party(p.id, p.side, p.name, reference.province_name(p.province_code) if p.province_code else "",
                        detail(p) if with_detail else "") for p in listed}


async def _printed(fair_id: int, participant_id: int | None = None, language: str = "vi") -> _Printed:
    """The conference's printed meetings (one participant's when given), with the parties and the room."""
    fair = await services.conference(fair_id)
    venue = await Fair.select(Fair.venue).where(Fair.id == fair_id).first()
    room = await services.room(fair_id)
    starts = {s.number: s.starts_at for s in room.slots}
    day = formatting.vietnam_day(min(starts.values())) if starts else fair["starts_on"]
    query = Meeting.select(Meeting.buyer, Meeting.producer, Meeting.slot, Meeting.table_number, Meeting.status).where(
        (Meeting.fair == fair_id) & Meeting.status.is_in(list(PRINTED)))
    if participant_id is not None:
        query = query.where((Meeting.buyer == participant_id) | (Meeting.producer == participant_id))
    rows = await query.order_by(Meeting.slot).order_by(Meeting.table_number)
    listed = await services.participants(fair_id)
    parties = await _parties(listed, with_detail=participant_id is not None, language=language)
    slots = slots_of(starts, room.meeting_minutes)
    meetings = [Booked(slots[r["slot"]], r["table_number"], parties[r["buyer"]], parties[r["producer"]],
                       r["status"] == MeetingStatus.held.value)
                for r in rows if r["slot"] in slots and r["buyer"] in parties and r["producer"] in parties]
    heading = Heading(fair["name"], venue["venue"] if venue else "", formatting.date(day))
    return _Printed(heading, room.meeting_minutes, room.tables, slots, meetings, parties)


async def _participant_fair(participant_id: int, fair_id: int | None) -> int:
    query = Participant.select(Participant.fair).where(Participant.id == participant_id)
    if fair_id is not None:
        query = query.where(Participant.fair == fair_id)
    row = await query.first() if is_id(participant_id) else None
    if row is None:
        raise NotFound(N_("This participant is not registered."))
    return row["fair"]


def schedule_filename(fair_id: int, participant_id: int) -> str:
    return f"lich-gap-{fair_id}-{participant_id}.pdf"


async def participant_schedule_pdf(participant_id: int, fair_id: int | None = None) -> tuple[str, bytes]:
    """The participant's printed schedule (file name, PDF): its confirmed and held meetings in time order, each with
    the time, the table and the other party (a buyer reads what the producer offers, a producer what kind of buyer
    it meets). Given fair_id, that fair must be a connection conference and hold the participant (else NotFound)."""
    if fair_id is not None:
        await services.conference(fair_id)
    fair = await _participant_fair(participant_id, fair_id)
    language = await Participant.select(Participant.language).where(Participant.id == participant_id).first()
    chosen = language["language"] if language else "vi"
    printed = await _printed(fair, participant_id, chosen)
    html = schedule_html(printed.heading, printed.parties[participant_id], printed.meetings, printed.minutes,
                         formatting.datetime(dt.datetime.now(dt.UTC)), chosen)
    return schedule_filename(fair, participant_id), await pdf_of(html)


async def table_cards_pdf(fair_id: int) -> bytes:
    """A4 portrait, one page per table with a printed meeting: the number, the conference, the meetings by time (a
    single page saying so when none is confirmed yet)."""
    printed = await _printed(fair_id)
    return await pdf_of(table_cards_html(printed.heading, printed.meetings))


async def room_grid_pdf(fair_id: int) -> bytes:
    """A4 landscape: slots as rows, the room's tables as columns, TABLES_PER_PAGE tables a page, each cell the buyer
    and the producer of its meeting (blank: free); every page repeats its heading and column headers."""
    printed = await _printed(fair_id)
    slots = [printed.slots[n] for n in sorted(printed.slots)]
    return await pdf_of(room_grid_html(printed.heading, grid_pages(printed.tables, slots, printed.meetings)))
