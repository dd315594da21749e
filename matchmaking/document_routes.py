"""The conference's meetings printed, for the organizing office: a participant's schedule, the table cards and the
room's grid, as PDFs under the meetings page. Thin: parse, call matchmaking.documents, answer."""

from __future__ import annotations

from litestar import Controller
from litestar.response import Response

from accounts.guards import require_login
from core.routing import get
from matchmaking import documents
from matchmaking.routes import require_reader


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"content-disposition": f'inline; filename="{filename}"'})


class MeetingDocuments(Controller):
    path = "/fairs/{fair_id:int}/meetings"
    guards = [require_login, require_reader]
    include_in_schema = False

    @get("/participants/{participant_id:int}/schedule.pdf")
    async def schedule(self, fair_id: int, participant_id: int) -> Response:
        """One participant's confirmed meetings, to hand out or send (a participant of another fair: 404)."""
        filename, content = await documents.participant_schedule_pdf(participant_id, fair_id=fair_id)
        return _pdf(content, filename)

    @get("/table-cards.pdf")
    async def table_cards(self, fair_id: int) -> Response:
        """A page per table in use: its number, large, and who meets there when."""
        return _pdf(await documents.table_cards_pdf(fair_id), f"bien-so-ban-{fair_id}.pdf")

    @get("/room-grid.pdf")
    async def room_grid(self, fair_id: int) -> Response:
        """The room's tables by time slot, some tables a page."""
        return _pdf(await documents.room_grid_pdf(fair_id), f"so-do-ban-gap-{fair_id}.pdf")
