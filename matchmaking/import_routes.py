"""The organizer's import of a conference's registrations from a sheet: the form, the preview, the commit and a
blank template. Thin: parse, call the importer, render."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from accounts.enums import Role
from accounts.guards import acting, require_login, require_roles
from core.errors import ValidationFailed
from core.routing import get, post
from core.spreadsheets import xlsx_response
from matchmaking import registration_import, services

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


class RegistrationImportPages(Controller):
    path = "/fairs/{fair_id:int}/meetings/import"
    guards = [require_login, require_roles(Role.organizer)]
    include_in_schema = False

    @get("/")
    async def form(self, fair_id: int) -> Template:
        return await _form(fair_id, {})

    @get("/template.xlsx")
    async def template(self, fair_id: int) -> Response:
        await services.conference(fair_id)
        return xlsx_response(registration_import.template_workbook(), "mau-dang-ky-ket-noi.xlsx")

    @post("/")
    async def preview(self, request: Request, fair_id: int, data: Upload) -> Template:
        """What the sheet would register, update and create, and every row's problems; nothing is registered."""
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise ValidationFailed({"file": registration_import.NO_FILE})
            preview = await registration_import.preview_upload(fair_id, upload.filename or "", await upload.read(),
                                                               acting(request))
        except ValidationFailed as error:
            return await _form(fair_id, error.errors, 422)
        return Template(template_name="matchmaking/import_preview.html", context={
            "fair": await services.conference(fair_id), "preview": preview, "plan": preview.plan})

    @post("/commit")
    async def commit(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        """Registers the previewed sheet's good rows, skipping those with problems."""
        try:
            await registration_import.commit_upload(fair_id, str(data.get("token") or ""), acting(request))
        except ValidationFailed as error:
            return await _form(fair_id, error.errors, 422)
        return Redirect(f"/fairs/{fair_id}/meetings/#participants-title")


async def _form(fair_id: int, errors: dict, status_code: int = 200) -> Template:
    return Template(template_name="matchmaking/import.html", status_code=status_code, context={
        "fair": await services.conference(fair_id), "room": await services.room(fair_id), "errors": errors})
