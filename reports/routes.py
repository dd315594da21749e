"""Report pages (previews, stored versions, downloads, "compile now") and /api/v1/reports. Thin:
parse, call a service, render or send the file."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal, get_args

from litestar import Controller, Request, Response
from litestar.response import Redirect, Template

from accounts.guards import acting, current_actor, require_login
from catalog.routes import optional_int
from core.errors import N_, ValidationFailed
from core.forms import parse_date
from core.kept_pages import KeptPages
from core.routing import get, post
from core.settings import settings
from core.spreadsheets import XLSX_MEDIA_TYPE
from reports import pdf, services
from reports.enums import ReportKind
from reports.services import ArtifactOut, Subject

Language = Literal["vi", "en"]  # the API refuses another; a page falls back to Vietnamese (`_language`)
LANGUAGES = get_args(Language)


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else "vi"


def _day(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise ValidationFailed({field: N_("Enter a date as dd/mm/yyyy.")}) from None


@cache
def _stylesheet() -> bytes:
    return (settings.templates_dir / "reports" / "report.css").read_bytes()


def _file(content: bytes, media_type: str, filename: str, inline: bool = True) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(content, media_type=media_type, headers={"content-disposition": f'{disposition}; filename="{filename}"'})


async def _live(subject: Subject, extension: str, lang: str) -> Response:
    """The report from the data as it is now, not stored."""
    content = await services.render_one(subject, extension, _language(lang))
    name = f"{subject.key.replace(':', '-').replace('..', '_')}"
    if extension == "pdf":
        return _file(content, "application/pdf", f"{name}.pdf")
    return _file(content, XLSX_MEDIA_TYPE, f"{name}.xlsx", inline=False)


async def _preview_context(request: Request, subject: Subject, lang: str, links: dict) -> dict:
    language = _language(lang)
    body, document = await services.preview(subject, language)
    actor = current_actor(request)
    return {"body": body, "document": document, "links": links, "lang": language,
            "can_compile": actor is not None and actor.role in services.COMPILERS}


async def _preview(request: Request, subject: Subject, lang: str, links: dict) -> Template:
    return Template(template_name="reports/preview.html", context=await _preview_context(request, subject, lang, links))


# What a fair's outcome report counts: the fair's own records, names, and the agreements signed there.
OUTCOME_AREAS = ("fairs", "catalog", "fair_agreements", "meetings")
_kept = KeptPages()


def _query(**values) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


class ReportPages(Controller):
    path = "/reports"
    guards = [require_login]
    include_in_schema = False

    @get("/report.css")
    async def stylesheet(self) -> Response:
        return Response(_stylesheet(), media_type="text/css", headers={"cache-control": "max-age=3600"})

    @get("/")
    async def index(self, request: Request, kind: str = "") -> Template:
        actor = acting(request)
        services.ensure_reader(actor)
        return Template(template_name="reports/index.html", context={
            "artifacts": await services.list_artifacts(kind=kind), "kind": kind, "kinds": list(ReportKind),
            "month": dt.date.today().strftime("%Y-%m"), "can_compile": actor.role in services.COMPILERS,
            "points": await _points(), "fairs": await _fairs()})

    @get("/artifacts/{artifact_id:int}/{extension:str}")
    async def download(self, request: Request, artifact_id: int, extension: str) -> Response:
        artifact, content = await services.artifact_file(artifact_id, extension, current_actor(request))
        name = f"{artifact.subject.replace(':', '-').replace('..', '_')}-v{artifact.version}.{extension}"
        if extension == "pdf":
            return _file(content, "application/pdf", name)
        return _file(content, XLSX_MEDIA_TYPE, name, inline=False)

    # -- the sales-point monthly report

    @get("/salespoints")
    async def salespoints(self, request: Request, month: str = "", point_id: str = "", lang: str = "vi") -> Template:
        point = optional_int(point_id)  # the form's "all points" is an empty value
        await services.ensure_point_reader(current_actor(request), point)
        month = month or dt.date.today().strftime("%Y-%m")
        subject = await services.salespoint_subject(month, point)
        query = _query(month=month, point_id=point)
        return await _preview(request, subject, lang, {
            "pdf": f"/reports/salespoints/pdf?{query}&lang={_language(lang)}",
            "xlsx": f"/reports/salespoints/xlsx?{query}&lang={_language(lang)}",
            "compile": f"/reports/salespoints/compile?{query}", "self": f"/reports/salespoints?{query}",
            "back": "/reports/"})

    @get("/salespoints/{extension:str}")
    async def salespoints_file(self, request: Request, extension: str, month: str = "", point_id: int | None = None,
                               lang: str = "vi") -> Response:
        await services.ensure_point_reader(current_actor(request), point_id)
        if extension not in ("pdf", "xlsx"):
            raise ValidationFailed({"extension": N_("Choose PDF or .xlsx.")})
        subject = await services.salespoint_subject(month or dt.date.today().strftime("%Y-%m"), point_id)
        return await _live(subject, extension, lang)

    @post("/salespoints/compile")
    async def compile_salespoints(self, request: Request, month: str = "", point_id: int | None = None,
                                  lang: str = "vi") -> Redirect:
        actor = current_actor(request)
        services.ensure_compiler(actor)
        subject = await services.salespoint_subject(month or dt.date.today().strftime("%Y-%m"), point_id)
        await services.compile_and_store(subject, actor, _language(lang))
        return Redirect(f"/reports/?kind={ReportKind.salespoint_monthly.value}")

    # -- the agreement follow-up report

    @get("/agreements")
    async def agreements(self, request: Request, fair_id: str = "", since: str = "", until: str = "",
                         lang: str = "vi") -> Template | Redirect:
        chosen = optional_int(fair_id)  # the form's "signed in a period" is an empty value
        services.ensure_reader(current_actor(request))
        if not chosen and not since and not until:  # nothing chosen yet: the form that chooses
            return Redirect(f"/reports/?kind={ReportKind.agreement_followup.value}")
        subject = await services.followup_subject(chosen, _day(since, "since"), _day(until, "until"))
        query = _query(fair_id=chosen, since=since, until=until)
        return await _preview(request, subject, lang, {
            "pdf": f"/reports/agreements/pdf?{query}&lang={_language(lang)}",
            "xlsx": f"/reports/agreements/xlsx?{query}&lang={_language(lang)}",
            "compile": f"/reports/agreements/compile?{query}", "self": f"/reports/agreements?{query}",
            "back": f"/fairs/{chosen}/reports" if chosen else "/reports/"})

    @get("/agreements/{extension:str}")
    async def agreements_file(self, request: Request, extension: str, fair_id: int | None = None, since: str = "",
                              until: str = "", lang: str = "vi") -> Response:
        services.ensure_reader(current_actor(request))
        if extension not in ("pdf", "xlsx"):
            raise ValidationFailed({"extension": N_("Choose PDF or .xlsx.")})
        subject = await services.followup_subject(fair_id, _day(since, "since"), _day(until, "until"))
        return await _live(subject, extension, lang)

    @post("/agreements/compile")
    async def compile_agreements(self, request: Request, fair_id: int | None = None, since: str = "", until: str = "",
                                 lang: str = "vi") -> Redirect:
        actor = current_actor(request)
        services.ensure_compiler(actor)
        subject = await services.followup_subject(fair_id, _day(since, "since"), _day(until, "until"))
        await services.compile_and_store(subject, actor, _language(lang))
        return Redirect(f"/fairs/{fair_id}/reports" if fair_id else f"/reports/?kind={ReportKind.agreement_followup.value}")


class FairReportPages(Controller):
    """A fair's reports: its outcome report previewed, printed and compiled, and the stored versions."""

    path = "/fairs/{fair_id:int}/reports"
    guards = [require_login]
    include_in_schema = False

    @get("/")
    async def versions(self, request: Request, fair_id: int) -> Template:
        actor = acting(request)
        services.ensure_reader(actor)
        from fairs.services import get_fair

        return Template(template_name="reports/fair_reports.html", context={
            "fair": await get_fair(fair_id), "artifacts": await services.list_artifacts(fair_id=fair_id),
            "can_compile": actor.role in services.COMPILERS})

    @get("/_list")
    async def fragment(self, request: Request, fair_id: int) -> Template:
        """The stored versions for the fair's page (loaded by htmx)."""
        actor = current_actor(request)
        readable = actor is not None and actor.role in services.READERS
        return Template(template_name="reports/_artifacts.html", context={
            "fair_id": fair_id, "artifacts": (await services.list_artifacts(fair_id=fair_id, limit=5)) if readable else [],
            "readable": readable})

    @get("/_fulfilment")
    async def fulfilment_fragment(self, request: Request, fair_id: int) -> Template:
        """Fulfilment by province and by kind of buyer, for the fair's page (loaded by htmx)."""
        actor = current_actor(request)
        readable = actor is not None and actor.role in services.READERS
        data = (await services.followup_subject(fair_id, None, None)).data if readable else None
        return Template(template_name="reports/_fulfilment.html", context={"fair_id": fair_id, "data": data})

    @get("/outcome")
    async def outcome(self, request: Request, fair_id: int, lang: str = "vi") -> Response:
        actor = current_actor(request)
        services.ensure_reader(actor)
        base = f"/fairs/{fair_id}/reports"

        async def context() -> dict:
            return await _preview_context(request, await services.fair_subject(fair_id), lang, {
                "pdf": f"{base}/outcome/pdf?lang={_language(lang)}", "xlsx": f"{base}/outcome/xlsx?lang={_language(lang)}",
                "compile": f"{base}/outcome/compile?", "self": f"{base}/outcome?", "back": base})

        # Gathering the figures takes longer than anything else on the page: kept while nothing they count changed.
        return await _kept.page(request, "reports/preview.html", OUTCOME_AREAS, actor, context)

    @get("/outcome/{extension:str}")
    async def outcome_file(self, request: Request, fair_id: int, extension: str, lang: str = "vi") -> Response:
        services.ensure_reader(current_actor(request))
        if extension not in ("pdf", "xlsx"):
            raise ValidationFailed({"extension": N_("Choose PDF or .xlsx.")})
        return await _live(await services.fair_subject(fair_id), extension, lang)

    @post("/outcome/compile")
    async def compile_outcome(self, request: Request, fair_id: int, lang: str = "vi") -> Redirect:
        actor = current_actor(request)
        services.ensure_compiler(actor)
        await services.compile_and_store(await services.fair_subject(fair_id), actor, _language(lang))
        return Redirect(f"/fairs/{fair_id}/reports")


class ReportApi(Controller):
    path = "/api/v1/reports"
    guards = [require_login]
    tags = ["reports"]

    @get("/")
    async def artifacts(self, request: Request, fair_id: int | None = None,
                        kind: ReportKind | None = None) -> list[ArtifactOut]:
        services.ensure_reader(current_actor(request))
        return await services.list_artifacts(fair_id=fair_id, kind=kind.value if kind else "")

    @get("/fulfilment")
    async def fulfilment(self, request: Request, fair_id: int | None = None, since: dt.date | None = None,
                         until: dt.date | None = None) -> dict:
        """How far agreements were delivered, in đồng, by the producers' province and by kind of buyer:
        the figures provinces compare (of a fair, or of the agreements signed in a period, ISO dates)."""
        services.ensure_reader(current_actor(request))
        data = (await services.followup_subject(fair_id, since, until)).data
        return {"fair_id": fair_id, "since": since, "until": until,
                "all": _figures(data.all_lines), "by_province": [_figures(f) for f in data.by_province],
                "by_buyer_kind": [_figures(f) for f in data.by_buyer_kind]}

    @get("/fairs/{fair_id:int}/outcome")
    async def outcome_data(self, request: Request, fair_id: int) -> dict:
        """The figures the outcome report is built from."""
        services.ensure_reader(current_actor(request))
        from dataclasses import asdict

        subject = await services.fair_subject(fair_id)
        return {"digest": services.gather.digest(subject.data), **asdict(subject.data)}

    @post("/fairs/{fair_id:int}/outcome")
    async def compile_outcome(self, request: Request, fair_id: int, lang: Language = "vi") -> ArtifactOut:
        actor = current_actor(request)
        services.ensure_compiler(actor)
        artifact, _ = await services.compile_and_store(await services.fair_subject(fair_id), actor, lang)
        return artifact


def _figures(figures) -> dict:
    return {"key": figures.key, "agreements": figures.agreements, "lines": figures.lines,
            "lines_delivered": figures.lines_delivered, "committed": figures.committed,
            "delivered": figures.delivered, "share": figures.share}


async def _points() -> list[dict]:
    from salespoints.tables import SalesPoint

    return await SalesPoint.select(SalesPoint.id, SalesPoint.name).order_by(SalesPoint.name)


async def _fairs() -> list[dict]:
    from fairs.tables import Fair

    return await Fair.select(Fair.id, Fair.name).order_by(Fair.starts_on, ascending=False)


def stop_workers() -> None:
    """The application's shutdown: the report workers end with it."""
    pdf.shutdown()
