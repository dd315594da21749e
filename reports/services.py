"""Reports: compile (gather the data, print the PDF and the .xlsx in the workers), store as a new
version of the subject, list, download, and the scheduler's post-fair compilation.

Who: organizers and admins compile; they and viewers read every report; a sales-point manager
reads the monthly report of the points they manage.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from accounts.enums import REPORT_READERS, Role
from accounts.tables import User
from core import uploads
from core.audit import Actor, record_audit
from core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from core.ids import is_id
from core.outbox import enqueue_notification
from core.render_cache import RenderCache
from reports import data as gather
from reports import jobs, pdf
from reports.enums import ReportKind
from reports.tables import ReportArtifact

log = logging.getLogger(__name__)

READERS = REPORT_READERS
COMPILERS = (Role.admin, Role.organizer)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ArtifactOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    subject: str
    fair_id: int | None
    version: int
    language: str
    title: str
    digest: str
    pages: int
    pdf_size: int
    xlsx_size: int
    compiled_by: str
    compiled_at: dt.datetime
    seconds: float


@dataclass(frozen=True)
class Subject:
    """What a report is about: its kind, a stable key for its versions, the fair it belongs to, its title."""

    kind: ReportKind
    key: str
    fair_id: int | None
    data: Any


@dataclass(frozen=True)
class Compiled:
    subject: Subject
    language: str
    digest: str
    pdf: bytes
    pages: int
    xlsx: bytes
    timings: dict[str, float]


# -- rights ------------------------------------------------------------------------------------------------


def ensure_reader(actor: Actor | None) -> None:
    if actor is None or actor.role not in READERS:
        raise Forbidden(N_("Only organizers, administrators and viewers may read reports."))


def ensure_compiler(actor: Actor | None) -> None:
    if actor is None or actor.role not in COMPILERS:
        raise Forbidden(N_("Only organizers may compile reports."))


async def ensure_point_reader(actor: Actor | None, point_id: int | None) -> None:
    """Staff read every sales-point report; a manager only the report of a point they manage."""
    if actor is not None and actor.role in READERS:
        return
    if actor is not None and actor.role is Role.salespoint_manager and point_id is not None:
        from salespoints.services import managed_point_ids

        if point_id in await managed_point_ids(actor):
            return
    raise Forbidden(N_("You may read the reports of your own sales points only."))


# -- subjects: the data of each kind of report ---------------------------------------------------------------


async def fair_subject(fair_id: int) -> Subject:
    """The outcome report's data; NotFound for a fair that does not exist."""
    return Subject(ReportKind.fair_outcome, f"fair:{fair_id}", fair_id, await gather.fair_outcome(fair_id))


def parse_month(month: str) -> tuple[int, int]:
    match = _MONTH.match(month or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationFailed({"month": N_("Choose a month (YYYY-MM).")})
    return int(match.group(1)), int(match.group(2))


async def salespoint_subject(month: str, point_id: int | None) -> Subject:
    year, number = parse_month(month)
    data = await gather.salespoint_month(year, number, point_id)
    key = f"salespoints:{year:04d}-{number:02d}" + (f":{point_id}" if point_id else "")
    return Subject(ReportKind.salespoint_monthly, key, None, data)


async def followup_subject(fair_id: int | None, since: dt.date | None, until: dt.date | None) -> Subject:
    if fair_id is None and (since is None or until is None):
        raise ValidationFailed({"since": N_("Choose a fair, or the first and last day of a period.")})
    if fair_id is None and since is not None and until is not None and since > until:
        raise ValidationFailed({"until": N_("The period cannot end before it starts.")})
    if fair_id is None and since is not None and until is not None and (until - since).days > 3 * 366:
        raise ValidationFailed({"until": N_("A period is at most three years.")})
    data = await gather.agreement_followup(fair_id, since, until)
    key = f"agreements:fair:{fair_id}" if fair_id is not None else f"agreements:{since}..{until}"
    return Subject(ReportKind.agreement_followup, key, fair_id, data)


# -- compiling ---------------------------------------------------------------------------------------------------


async def compile_subject(subject: Subject, language: str = "vi") -> Compiled:
    """The PDF and the .xlsx of a subject, made side by side in the report workers."""
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    executor = pdf.pool()
    printed, sheet = await asyncio.gather(
        print_report(subject, language),
        loop.run_in_executor(executor, jobs.tabulate, subject.kind.value, subject.data, language))
    timings = {**printed.seconds, "total": time.perf_counter() - started}
    return Compiled(subject, language, gather.digest(subject.data), printed.pdf, printed.pages, sheet, timings)


async def print_report(subject: Subject, language: str = "vi") -> jobs.Printed:
    """The report's PDF, printed in a report worker."""
    return await asyncio.get_running_loop().run_in_executor(pdf.pool(), jobs.print_pdf, subject.kind.value,
                                                            subject.data, language)


async def render_one(subject: Subject, extension: str, language: str = "vi") -> bytes:
    """Only the PDF or only the .xlsx of a subject, from the data as it is now (not stored)."""
    loop = asyncio.get_running_loop()
    if extension == "pdf":
        return (await print_report(subject, language)).pdf
    return await loop.run_in_executor(pdf.pool(), jobs.tabulate, subject.kind.value, subject.data, language)


async def compile_fair_outcome(fair_id: int, language: str = "vi") -> Compiled:
    """Gathers and prints a fair's outcome report without storing it (the benchmark measures this)."""
    started = time.perf_counter()
    subject = await fair_subject(fair_id)
    gathered = time.perf_counter() - started
    compiled = await compile_subject(subject, language)
    compiled.timings["data"] = gathered
    return compiled


def title_of(subject: Subject, language: str) -> str:
    from reports import followup, monthly, outcome

    titles: dict[ReportKind, Callable[[Any], str]] = {ReportKind.fair_outcome: outcome.title, ReportKind.salespoint_monthly: monthly.title,
              ReportKind.agreement_followup: followup.title}
    with jobs.language(language):
        return titles[subject.kind](subject.data)


async def compile_and_store(subject: Subject, actor: Actor | None, language: str = "vi",
                            notify: list[int] | None = None) -> tuple[ArtifactOut, bool]:
    """A new version of the subject's report, unless the latest one was built from the same data in the
    same language (then that one, and False). Notifications, if any, are written in the same transaction."""
    latest = await _latest(subject.key, subject.kind.value)
    digest = gather.digest(subject.data)
    if latest is not None and latest["digest"] == digest and latest["language"] == language:
        return _out(latest), False
    started = time.perf_counter()
    compiled = await compile_subject(subject, language)
    pdf_sha, xlsx_sha = hashlib.sha256(compiled.pdf).hexdigest(), hashlib.sha256(compiled.xlsx).hexdigest()
    pdf_path, xlsx_path = uploads.name_for(pdf_sha, "reports", ".pdf"), uploads.name_for(xlsx_sha, "reports", ".xlsx")
    values: dict[str, Any] = {
        "kind": subject.kind.value, "subject": subject.key, "fair": subject.fair_id, "language": language,
        "title": title_of(subject, language)[:255], "digest": digest, "pages": compiled.pages,
        "pdf_path": pdf_path, "pdf_sha256": pdf_sha, "pdf_size": len(compiled.pdf), "xlsx_path": xlsx_path,
        "xlsx_sha256": xlsx_sha, "xlsx_size": len(compiled.xlsx),
        "compiled_by": actor.user_id if actor else None,
        "compiled_by_name": actor.username if actor else "scheduler", "seconds": round(time.perf_counter() - started, 3)}
    for attempt in range(3):  # two compilations at once: the second takes the next number
        try:
            async with ReportArtifact._meta.db.transaction():
                await uploads.keep(compiled.pdf, "reports", ".pdf")  # with the row that names them, or not at all
                await uploads.keep(compiled.xlsx, "reports", ".xlsx")
                version = 1 + (await _latest_version(subject.key, subject.kind.value))
                row = (await ReportArtifact.insert(ReportArtifact(**values, version=version)))[0]
                if actor is not None:
                    await record_audit(actor, "compile", "report", row["id"], None,
                                       {"kind": values["kind"], "subject": subject.key, "version": version})
                for user_id in notify or []:
                    await enqueue_notification(f"report:{subject.key}:v{version}:{user_id}", user_id, "report_ready", {
                        "artifact_id": row["id"], "title": values["title"], "version": version, "pages": compiled.pages,
                        "fair_id": subject.fair_id})
            break
        except Exception as error:  # a unique violation is retried, anything else raised
            if attempt == 2 or "unique" not in str(error).lower():
                raise
    return await get_artifact(row["id"]), True


async def compile_for_task(task: dict) -> str:
    """The scheduler's owed task: the fair's outcome report compiled, stored and sent to every organizer."""
    raw = task.get("data") or {}
    data = json.loads(raw) if isinstance(raw, str) else raw
    fair_id = int(data.get("fair_id") or 0)
    subject = await fair_subject(fair_id)
    artifact, created = await compile_and_store(subject, None, "vi", notify=await organizer_ids())
    if not created:
        # Already compiled from the same data (an organizer pressed "compile now"): still sent, once.
        async with ReportArtifact._meta.db.transaction():
            for user_id in await organizer_ids():
                await enqueue_notification(f"report:{subject.key}:v{artifact.version}:{user_id}", user_id, "report_ready", {
                    "artifact_id": artifact.id, "title": artifact.title, "version": artifact.version,
                    "pages": artifact.pages, "fair_id": fair_id})
    state = "compiled" if created else "unchanged since"
    return f"outcome report of fair {fair_id}: {state} version {artifact.version}, {artifact.pages} pages"


async def organizer_ids() -> list[int]:
    """The organizing office's active users (the admins when there is no organizer)."""
    rows = await User.select(User.id, User.role).where(User.active.eq(True),
                                                       User.role.is_in([Role.organizer.value, Role.admin.value]))
    chosen = [r["id"] for r in rows if r["role"] == Role.organizer.value]
    return sorted(chosen or [r["id"] for r in rows])


# -- stored versions -------------------------------------------------------------------------------------------------

_LISTED = (ReportArtifact.id, ReportArtifact.kind, ReportArtifact.subject, ReportArtifact.fair, ReportArtifact.version,
           ReportArtifact.language, ReportArtifact.title, ReportArtifact.digest, ReportArtifact.pages,
           ReportArtifact.pdf_size, ReportArtifact.xlsx_size, ReportArtifact.compiled_by_name,
           ReportArtifact.compiled_at, ReportArtifact.seconds)


def _out(row: dict) -> ArtifactOut:
    return ArtifactOut(id=row["id"], kind=row["kind"], subject=row["subject"], fair_id=row["fair"], version=row["version"],
                       language=row["language"], title=row["title"], digest=row["digest"], pages=row["pages"],
                       pdf_size=row["pdf_size"], xlsx_size=row["xlsx_size"], compiled_by=row["compiled_by_name"],
                       compiled_at=row["compiled_at"], seconds=row["seconds"])


async def _latest(key: str, kind: str) -> dict | None:
    return await ReportArtifact.select(*_LISTED).where(ReportArtifact.subject == key, ReportArtifact.kind == kind).order_by(
        ReportArtifact.version, ascending=False).first()


async def _latest_version(key: str, kind: str) -> int:
    row = await _latest(key, kind)
    return row["version"] if row else 0


async def get_artifact(artifact_id: int) -> ArtifactOut:
    row = await ReportArtifact.select(*_LISTED).where(ReportArtifact.id == artifact_id).first() if is_id(artifact_id) else None
    if row is None:
        raise NotFound(N_("This report does not exist."))
    return _out(row)


async def list_artifacts(fair_id: int | None = None, kind: str = "", limit: int = 200) -> list[ArtifactOut]:
    """Stored reports, newest first: a fair's, or of one kind, or all."""
    query = ReportArtifact.select(*_LISTED)
    if fair_id is not None:  # an id no fair can have matches nothing, rather than overflow the column
        query = query.where(ReportArtifact.fair == (fair_id if is_id(fair_id) else 0))
    if kind:
        query = query.where(ReportArtifact.kind == kind)
    rows = await query.order_by(ReportArtifact.compiled_at, ascending=False).order_by(ReportArtifact.id, ascending=False).limit(limit)
    return [_out(r) for r in rows]


def _point_of(key: str) -> int | None:
    parts = key.split(":")
    return int(parts[2]) if len(parts) == 3 and parts[0] == "salespoints" and parts[2].isdigit() else None


async def artifact_file(artifact_id: int, extension: str, actor: Actor | None) -> tuple[ArtifactOut, bytes]:
    """A stored report's PDF or .xlsx for those who may read it, checked against its checksum."""
    if extension not in ("pdf", "xlsx"):
        raise NotFound(N_("This report does not exist."))
    artifact = await get_artifact(artifact_id)
    if artifact.kind == ReportKind.salespoint_monthly.value:
        await ensure_point_reader(actor, _point_of(artifact.subject))
    else:
        ensure_reader(actor)
    row = await ReportArtifact.select(getattr(ReportArtifact, f"{extension}_path"),
                                      getattr(ReportArtifact, f"{extension}_sha256")).where(
        ReportArtifact.id == artifact_id).first()
    row = cast("dict[str, Any]", row)  # get_artifact found it above
    content = await uploads.read(row[f"{extension}_sha256"])
    if content is None:
        raise Conflict(N_("This report's file is missing on the server; compile it again.")) from None
    if hashlib.sha256(content).hexdigest() != row[f"{extension}_sha256"]:
        raise Conflict(N_("This report's file was damaged on the server; compile it again."))
    return artifact, content


# Previews rendered per worker, by the digest of their data: the same data is rendered once.
_previews: RenderCache[tuple[Any, Any]] = RenderCache(32)


async def preview(subject: Subject, language: str):
    """The report's content for the preview page, rendered off the event loop once per version of its
    data (a preview asked again while nothing it shows has changed is not rendered again)."""
    from reports import render

    # The digest leaves out when the data was gathered, which the preview prints: that goes in the key too.
    key = (subject.kind, subject.key, language, getattr(subject.data, "generated_on", None), gather.digest(subject.data))
    if (kept := _previews.get(key)) is not None:
        return kept

    def make():
        document = jobs.build(subject.kind.value, subject.data, language)
        with jobs.language(language):
            return render.preview_html(document), document

    return _previews.put(key, await asyncio.to_thread(make))
