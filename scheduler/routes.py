"""Every user's inbox, and the notifications admin (upcoming, sent, failed; jobs; the lease)."""

from __future__ import annotations

import json

from litestar import Controller, Request
from litestar.response import Redirect, Response, Template

from accounts.enums import Role
from accounts.guards import acting, require_login, require_roles
from core.database import fetch_rows
from core.errors import N_, NotFound
from core.routing import get, post
from core.settings import settings
from core.tables import Notification
from scheduler import clock, dispatcher, lease, mail
from scheduler.tables import JobRun, ScheduledTask

PAGE = 100


def _data(row: dict) -> dict:
    return json.loads(row["data"]) if isinstance(row["data"], str) else (row["data"] or {})


def _subject(row: dict) -> str:
    try:
        return mail.render(row["template"], _data(row), row["language"]).subject
    except Exception:  # noqa: BLE001 (a broken template still lists, by its name)
        return row["template"]


class InboxPages(Controller):
    path = "/inbox"
    guards = [require_login]
    include_in_schema = False

    @get("/")
    async def inbox(self, request: Request) -> Template:
        actor = acting(request)
        rows = await Notification.select().where(Notification.recipient == actor.user_id,
                                                 Notification.status.is_in(["sent", "sending", "pending", "failed"]),
                                                 Notification.due_at <= clock.now()).order_by(
            Notification.due_at, ascending=False).limit(PAGE)
        items = []
        for row in rows:
            try:
                rendered = mail.render(row["template"], _data(row), actor.language)
            except Exception:  # noqa: BLE001 (shown by its name when its template is broken)
                rendered = None
            items.append({"row": row, "message": rendered})
        # The messages' links are written for mail (absolute, at the configured address); read here, they
        # are links into this site, wherever it is served from.
        return Template(template_name="scheduler/inbox.html", context={"items": items, "mail_base": settings.base_url})

    @get("/count")
    async def count(self, request: Request) -> Response:
        """The unread count for the layout's badge (loaded by htmx after the page)."""
        actor = acting(request)
        unread = await Notification.count().where(Notification.recipient == actor.user_id, Notification.read_at.is_null(),
                                                  Notification.due_at <= clock.now())
        return Response(f'<span class="badge count">{unread}</span>' if unread else "", media_type="text/html")

    @post("/{notification_id:int}/read")
    async def read(self, request: Request, notification_id: int) -> Redirect:
        actor = acting(request)
        await Notification.update({Notification.read_at: clock.now()}).where(
            Notification.id == notification_id, Notification.recipient == actor.user_id)
        return Redirect("/inbox/")

    @post("/read-all")
    async def read_all(self, request: Request) -> Redirect:
        actor = acting(request)
        await Notification.update({Notification.read_at: clock.now()}).where(
            Notification.recipient == actor.user_id, Notification.read_at.is_null())
        return Redirect("/inbox/")


class NotificationAdmin(Controller):
    path = "/notifications"
    guards = [require_roles(Role.organizer)]
    include_in_schema = False

    @get("/")
    async def notifications(self, request: Request, status: str = "", template: str = "", q: str = "") -> Template:
        query = Notification.select()
        if status:
            query = query.where(Notification.status == status)
        if template:
            query = query.where(Notification.template == template)
        if q.strip():
            query = query.where(Notification.key.ilike(f"%{q.strip()}%") | Notification.email.ilike(f"%{q.strip()}%"))
        rows = await query.order_by(Notification.due_at, ascending=False).limit(PAGE)
        counts = {r["status"]: r["n"] for r in await fetch_rows(Notification._meta.db,
            "SELECT status, COUNT(*) AS n FROM notification GROUP BY status")}
        templates = sorted(r["template"] for r in await fetch_rows(Notification._meta.db, "SELECT DISTINCT template FROM notification"))
        scheduler = getattr(request.app.state, "scheduler", None)
        return Template(template_name="scheduler/notifications.html", context={
            "rows": [{**r, "subject": _subject(r)} for r in rows], "counts": counts, "templates": templates,
            "filters": {"status": status, "template": template, "q": q},
            "jobs": await JobRun.select().order_by(JobRun.job), "lease": await lease.current(),
            "tasks": await ScheduledTask.select().order_by(ScheduledTask.id, ascending=False).limit(20),
            "here": scheduler.jobs() if scheduler else [], "now": clock.now()})

    @get("/{notification_id:int}")
    async def notification(self, notification_id: int) -> Template:
        row = await Notification.select().where(Notification.id == notification_id).first()
        if row is None:
            raise NotFound(N_("This notification does not exist."))
        try:
            rendered, problem = mail.render(row["template"], _data(row), row["language"]), ""
        except Exception as error:  # noqa: BLE001 (the admin sees why it cannot be rendered)
            rendered, problem = None, str(error)
        return Template(template_name="scheduler/notification.html",
                        context={"row": row, "message": rendered, "problem": problem, "data": _data(row)})

    @post("/{notification_id:int}/retry")
    async def retry(self, notification_id: int) -> Redirect:
        await dispatcher.retry(notification_id)
        return Redirect(f"/notifications/{notification_id}")
