"""create_app(): wires every module's routes, templates, auth, CSRF, errors and the database."""

from __future__ import annotations

import functools
import gc
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
import msgspec
from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins import ReceiveRoutePlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.response import Redirect, Template
from litestar.routes import BaseRoute, HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.utils.scope.state import ScopeState

from accounts.routes import AccountPages
from agreements.routes import AgreementApi, AgreementPages, PartnerPages
from catalog.routes import BuyerApi, BuyerPages, ImportPages, ProducerApi, ProducerPages, ProductApi, ProductPages
from core import database, fields, i18n
from core.compression import COMPRESSION
from core.errors import PROBLEM_MEDIA_TYPE, DomainError, Problem, ValidationFailed, render
from core.json_bodies import refuse_lax_json
from core.routing import answer_options_with_every_method, get
from core.security import CSRFCheck, add_security_headers
from core.settings import settings
from fairs.routes import ExhibitorLinkPages, FairApi, FairPages
from matchmaking.desk_routes import ParticipantPages
from matchmaking.document_routes import MeetingDocuments
from matchmaking.import_routes import RegistrationImportPages
from matchmaking.link_routes import ParticipantLinkPages
from matchmaking.routes import MatchmakingApi, MatchmakingPages
from ocop.admin import admin_mount
from ocop.auth import CSRF_COOKIE, LANGUAGE_KEY, SESSION_COOKIE, ActorMiddleware
from ocop.dashboard import dashboard
from ocop.templating import configure_environment, page_environment
from ocop.user_pages import UserPages
from public_site.routes import LabelSheets, OpenData, PublicFairs, PublicPages, exhibitor_stickers, photo_file, sitemap
from reports.routes import FairReportPages, ReportApi, ReportPages
from salespoints import services as salespoints
from salespoints.routes import SalesPointApi, SalesPointPages
from salespoints.settlement_routes import StatementApi, StatementPages
from scheduler.routes import InboxPages, NotificationAdmin

CSRF_FAILURE = "CSRF token verification failed"  # the detail of Litestar's CSRF refusal (a PermissionDeniedException)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(status: int, title: str, errors: dict | None = None) -> Response:
    return Response(Problem(status, title, errors or None), status_code=status, media_type=PROBLEM_MEDIA_TYPE)


class ProblemResponses(ReceiveRoutePlugin):
    """Documents the problem document as every /api/ operation's error answer. Left alone, Litestar
    documents a 400 of its own shape ({status_code, detail, extra}, as application/json), which
    `_problem` never writes, and no other 4xx at all."""

    _spec = {
        status: ResponseSpec(Problem, media_type=PROBLEM_MEDIA_TYPE, description=description, generate_examples=False)
        for status, description in (
            (400, "The request does not match the schema; `errors` names each field."),
            ("4XX", "Refused: not logged in, not allowed, not found, in conflict or invalid; `title` says why."),
        )
    }

    def receive_route(self, route: BaseRoute) -> None:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            for handler in route.route_handlers:
                handler.responses = {**self._spec, **(handler.responses or {})}  # type: ignore[dict-item]  # Litestar says int keys; "4XX" works


def in_request_language(handler: Callable[[Request, Any], Response]) -> Callable[[Request, Any], Response]:
    """An error raised outside the handler (the CSRF check wraps each route, inside ActorMiddleware)
    reaches its exception handler after the middleware has reset the language: the handler and
    the page it renders speak the request's language again."""

    @functools.wraps(handler)
    def answer(request: Request, exc: Any) -> Response:
        language = cast("str | None", request.scope.get(LANGUAGE_KEY))  # put there by ActorMiddleware
        if language:
            i18n.current_language.set(language)
        return handler(request, exc)

    return answer


def _error_page(request: Request, status: int, message: str) -> Template:
    return Template(template_name="error.html", context={"status": status, "message": message}, status_code=status)


def handle_domain_error(request: Request, exc: DomainError) -> Response:
    message = render(exc.message, i18n.gettext)
    if _wants_json(request):
        errors = {f: render(m, i18n.gettext) for f, m in exc.errors.items()} if isinstance(exc, ValidationFailed) else None
        return _problem(exc.status_code, message, errors)
    return _error_page(request, exc.status_code, message)


def _broken_rules(request: Request, exc: ValidationException) -> dict:
    """Every field rule (core.fields) the request's body breaks, when rules are all msgspec refused it for:
    the framework stops at the first, and an API client should hear of them all at once, as a form does."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra or not all(isinstance(e, dict) and e.get("source") == "body" and fields.is_rule(str(e.get("message")))
                            for e in extra):
        return {}
    body = ScopeState.from_scope(request.scope).json
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    struct = data.annotation if data is not None else None
    if not isinstance(body, dict) or not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
        return {}
    return fields.problems(body, struct)


def handle_http_error(request: Request, exc: HTTPException) -> Response:
    response = _http_error(request, exc)
    if exc.headers:  # what the exception carries for the client: a 405's Allow, a 429's Retry-After
        response.headers.update(exc.headers)
    return response


def _http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if _wants_json(request):
        errors = None
        if isinstance(exc, ValidationException) and (rules := _broken_rules(request, exc)):
            return handle_domain_error(request, ValidationFailed(rules))
        if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
            errors = {str(e.get("key") or e.get("source") or "body"): str(e.get("message")) for e in exc.extra if isinstance(e, dict)}
        if isinstance(exc, PermissionDeniedException) and exc.detail == CSRF_FAILURE:
            return _problem(status, i18n.gettext("The form expired. Reload the page and try again."), None)
        return _problem(status, i18n.gettext(exc.detail) if exc.detail else "", errors)
    if isinstance(exc, NotAuthorizedException) and request.method == "GET":
        return Redirect(f"/login?next={request.url.path}")
    if isinstance(exc, NotAuthorizedException):
        return _error_page(request, 401, i18n.gettext("Log in to continue."))
    if isinstance(exc, PermissionDeniedException) and exc.detail == CSRF_FAILURE:
        return _error_page(request, 403, i18n.gettext("The form expired. Reload the page and try again."))
    if isinstance(exc, PermissionDeniedException):
        return _error_page(request, 403, i18n.gettext("Your role does not allow this."))
    if isinstance(exc, NotFoundException):
        return _error_page(request, 404, i18n.gettext("This page does not exist."))
    return _error_page(request, status, i18n.gettext(exc.detail) if exc.detail else str(status))


def handle_integrity_error(request: Request, exc: Exception) -> Response:
    """A unique key taken by a concurrent request between our check and our write."""
    message = i18n.gettext("This record conflicts with one saved at the same moment. Reload and try again.")
    return _problem(409, message) if _wants_json(request) else _error_page(request, 409, message)


def handle_unstorable_text(request: Request, exc: Exception) -> Response:
    """Text with a NUL that reached a write without a field's check to refuse it (PostgreSQL cannot
    hold it; the SQLite engine refuses it the same way)."""
    message = i18n.gettext("This value contains a character that is not allowed.")
    return _problem(422, message) if _wants_json(request) else _error_page(request, 422, message)


def handle_server_error(request: Request, exc: Exception) -> Response:
    request.logger.exception("unhandled error", exc_info=exc)
    if _wants_json(request):
        return _problem(500, "Internal server error")
    return _error_page(request, 500, i18n.gettext("Something went wrong on our side. Please try again."))


@asynccontextmanager
async def _database(app: Litestar) -> AsyncIterator[None]:
    from piccolo_conf import DB

    await database.start(DB)
    scheduler = None
    if settings.scheduler_in_web:  # every worker may run one: the database lease makes one active
        from scheduler.runner import Scheduler

        scheduler = Scheduler()
        await scheduler.start()
        app.state.scheduler = scheduler
    # Objects made at start-up live as long as the worker: keep them out of the collector's
    # full passes, which otherwise showed up as the slowest requests under load.
    gc.freeze()
    try:
        yield
    finally:
        if scheduler is not None:
            await scheduler.stop()
        salespoints.stop_writer()
        await database.stop(DB)


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    return await dashboard(request)


@get("/health", include_in_schema=False)
async def health() -> dict:
    return {"status": "ok"}


CSRF = CSRFConfig(
    secret=settings.secret_key,
    cookie_name=CSRF_COOKIE,
    cookie_secure=settings.secure_cookies,
    # piccolo-admin has its own CSRF; public pages are read-only and must not set cookies
    exclude=["^/admin(/|$)", "^/p/", "^/catalogue", "^/producers/", "^/open-data/", "^/sitemap.xml", "^/f/",
             "^/s/", "^/media/", "^/static/"],
)


def create_app() -> Litestar:
    template_config = TemplateConfig(
        engine=Engine.from_environment(page_environment(settings.templates_dir)),
        engine_callback=lambda engine: configure_environment(engine.engine),
    )
    handlers: dict[type[Exception], Callable[[Request, Any], Response]] = {
        DomainError: handle_domain_error,
        HTTPException: handle_http_error,
        sqlite3.IntegrityError: handle_integrity_error,
        asyncpg.IntegrityConstraintViolationError: handle_integrity_error,
        asyncpg.CharacterNotInRepertoireError: handle_unstorable_text,
        database.UnstorableText: handle_unstorable_text,
        Exception: handle_server_error,
    }
    app = Litestar(
        route_handlers=[
            home,
            health,
            AccountPages,
            UserPages,
            ProductPages,
            ProducerPages,
            BuyerPages,
            ImportPages,
            ProductApi,
            ProducerApi,
            BuyerApi,
            SalesPointPages,
            SalesPointApi,
            StatementPages,
            StatementApi,
            MatchmakingPages,
            RegistrationImportPages,
            ParticipantPages,
            ParticipantLinkPages,
            MeetingDocuments,
            MatchmakingApi,
            FairPages,
            FairApi,
            ExhibitorLinkPages,
            AgreementPages,
            AgreementApi,
            PartnerPages,
            ReportPages,
            FairReportPages,
            ReportApi,
            InboxPages,
            NotificationAdmin,
            PublicPages,
            PublicFairs,
            OpenData,
            LabelSheets,
            sitemap,
            photo_file,
            exhibitor_stickers,
            admin_mount,
            create_static_files_router(
                path="/static", directories=[settings.static_dir], include_in_schema=False,
                # Pages name each file with its fingerprint (templating.static_url): a new release is a new URL.
                cache_control=CacheControlHeader(max_age=31_536_000, immutable=True),
            ),
        ],
        template_config=template_config,
        compression_config=COMPRESSION,
        plugins=[HTMXPlugin(), ProblemResponses()],
        # Who is asking, then the CSRF check (inside it, so a refusal is worded in the user's language).
        middleware=[DefineMiddleware(ActorMiddleware), DefineMiddleware(CSRFCheck, config=CSRF, session_cookie=SESSION_COOKIE)],
        before_send=[add_security_headers],  # every response, errors and mounts included
        before_request=refuse_lax_json,  # a JSON body as typed: the lax conversion Litestar does would take "5" for 5
        exception_handlers={kind: in_request_language(handler) for kind, handler in handlers.items()},
        lifespan=[_database],
        openapi_config=OpenAPIConfig(
            title="OCOP trade-fair and sales-point API",
            version="1.0.0",
            path="/api/schema",
            # The schema as JSON only: the HTML viewers load their scripts from CDNs, which the
            # pages' policy refuses and which would run with access to the logged-in user's session.
            render_plugins=[JsonRenderPlugin()],
        ),
        request_max_body_size=settings.max_upload_bytes + 1024 * 64,
        debug=False,
    )
    answer_options_with_every_method(app)
    return app

