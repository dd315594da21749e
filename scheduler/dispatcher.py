"""The dispatcher: claims due notifications, delivers them, marks them sent; retries with backoff.

Claiming is one statement that moves rows from pending to sending with a claim that expires (on
PostgreSQL the rows are locked and skipped by other dispatchers; on SQLite the writer lock
serialises claims), so two dispatchers never deliver the same row. A dispatcher that dies between
sending and marking leaves the row claimed: once the claim expires it is sent again with the same
Message-ID, which the receiving server can recognise.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass

import aiosmtplib
import jinja2

from core.audit import SYSTEM
from core.database import fetch_rows
from core.settings import settings
from core.tables import Notification
from matchmaking import documents as meeting_documents
from matchmaking import services as meetings
from salespoints import settlements, statement_documents
from scheduler import clock, mail

log = logging.getLogger("ocop.dispatcher")
CLAIM_SECONDS = 120
BATCH = 200
MARK_EVERY = 5
LANES = 8  # SMTP connections at a time
BACKOFF_MINUTES = (1, 5, 15, 60, 240)


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, retried {self.retried}, failed {self.failed}"


def _postgres() -> bool:
    return Notification._meta.db.engine_type == "postgres"


async def claim(worker: str, limit: int = BATCH) -> list[dict]:
    """Takes up to `limit` due rows (pending and due, or sending with an expired claim) for `worker`."""
    now = clock.now()
    until = now + dt.timedelta(seconds=CLAIM_SECONDS)
    lock = " FOR UPDATE SKIP LOCKED" if _postgres() else ""
    async with Notification._meta.db.transaction():
        return await fetch_rows(Notification._meta.db,
            "UPDATE notification SET status = 'sending', claimed_by = {}, claimed_until = {}, attempts = attempts + 1 "
            "WHERE id IN (SELECT id FROM notification WHERE (status = 'pending' AND due_at <= {}) "
            f"OR (status = 'sending' AND claimed_until < {{}}) ORDER BY due_at, id LIMIT {int(limit)}{lock}) "
            "RETURNING id, key, recipient, email, language, channel, template, data, attempts, message_id",
            worker, until, now, now)


async def _finish(row: dict, worker: str, values: dict) -> None:
    # Only the claim's holder may finish it: a row reclaimed after an expired claim belongs to another.
    await Notification.update(values).where(Notification.id == row["id"], Notification.claimed_by == worker,
                                            Notification.status == "sending")


async def deliver(row: dict, connection: mail.Connection | None = None) -> str:
    """Sends one claimed notification; returns a note for the record."""
    data = row["data"]
    if isinstance(data, str):
        data = json.loads(data or "{}")
    rendered = mail.render(row["template"], data, row["language"])
    if row["channel"] != "email":
        return "in-app"
    if not row["email"]:
        return "no email address: in-app only"
    message = mail.build(rendered, row["email"], row["message_id"], await _attachments(data))
    return await mail.send(message, connection)


async def _attachments(data: dict) -> tuple[mail.Attachment, ...]:
    """The documents a notification names, rendered as they stand when it is sent."""
    if data.get("attach_calendar"):
        participant = int(data["attach_calendar"])
        name, content = await meetings.participant_calendar(participant)
        printed, pdf = await meeting_documents.participant_schedule_pdf(participant)
        return mail.Attachment(name, content, "text/calendar"), mail.Attachment(printed, pdf)
    statement_id = data.get("attach_statement")
    if not statement_id:
        return ()
    statement = await settlements.get_statement(int(statement_id), SYSTEM)
    pdf = await statement_documents.statement_pdf(mail.environment(), statement,
                                                  await settlements.statement_lines(statement), clock.today())
    return (mail.Attachment(statement_documents.filename(statement, "pdf"), pdf),)


async def dispatch(worker: str, limit: int = BATCH, concurrency: int = LANES) -> DispatchResult:
    """One pass: claim due rows and deliver them over `concurrency` SMTP connections at a time."""
    result = DispatchResult()
    rows = await claim(worker, limit)
    if not rows:
        return result
    # The Message-ID is stored before the first send: a resend after a crash carries the same one.
    for row in rows:
        if not row["message_id"]:
            row["message_id"] = mail.message_id(row["key"])
            await Notification.update({Notification.message_id: row["message_id"]}).where(Notification.id == row["id"])

    async def lane(mine: list[dict]) -> None:
        sent: list[int] = []
        notes: list[tuple[int, str]] = []
        async with mail.Connection() as connection:
            for row in mine:
                try:
                    note = await deliver(row, connection)
                except (jinja2.TemplateError, KeyError, TypeError, ValueError) as error:  # the message itself is broken
                    await _finish(row, worker, {Notification.status: "failed",
                                                Notification.error: f"template: {error}"[:1000]})
                    result.failed += 1
                    log.warning("notification %s failed: %s", row["key"], error)
                    continue
                except Exception as error:  # noqa: BLE001 (SMTP refusals, timeouts, network: retried)
                    await _retry_or_fail(row, worker, error, result)
                    continue
                if note.startswith("no email"):
                    notes.append((row["id"], note))
                sent.append(row["id"])
                result.sent += 1
                if len(sent) >= MARK_EVERY:  # marked in small groups: a crash resends few, all with their Message-ID
                    await _mark_sent(sent, worker)
                    sent = []
        await _mark_sent(sent, worker)
        for notification_id, note in notes:
            await Notification.update({Notification.error: note}).where(Notification.id == notification_id)

    lanes = [rows[i::concurrency] for i in range(concurrency)]
    await asyncio.gather(*(lane(mine) for mine in lanes if mine))
    return result


async def _mark_sent(ids: list[int], worker: str) -> None:
    if ids:
        await Notification.update({Notification.status: "sent", Notification.sent_at: clock.now(),
                                   Notification.error: ""}).where(
            Notification.id.is_in(ids), Notification.claimed_by == worker, Notification.status == "sending")


def _refused_for_good(error: Exception) -> bool:
    """The server refuses the address itself with a 5xx (no such mailbox): sending again cannot help.
    Other refusals (a relay's policy, a full disk) may pass later and are retried."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(r.code >= 500 for r in error.recipients)
    return isinstance(error, aiosmtplib.SMTPRecipientRefused) and error.code >= 500


async def _retry_or_fail(row: dict, worker: str, error: Exception, result: DispatchResult) -> None:
    if row["attempts"] >= settings.send_attempts or _refused_for_good(error):
        await _finish(row, worker, {Notification.status: "failed", Notification.error: str(error)[:1000]})
        result.failed += 1
    else:
        delay = BACKOFF_MINUTES[min(row["attempts"], len(BACKOFF_MINUTES)) - 1]
        await _finish(row, worker, {Notification.status: "pending", Notification.error: str(error)[:1000],
                                    Notification.due_at: clock.now() + dt.timedelta(minutes=delay)})
        result.retried += 1


async def dispatch_all(worker: str) -> DispatchResult:
    """Passes until nothing is due (the scheduler's job)."""
    total = DispatchResult()
    while True:
        step = await dispatch(worker)
        total.sent, total.retried, total.failed = total.sent + step.sent, total.retried + step.retried, total.failed + step.failed
        if step.sent + step.retried + step.failed < BATCH:
            return total


async def retry(notification_id: int) -> None:
    """An admin's retry of a failed notification: due now, attempts counted afresh."""
    await Notification.update({Notification.status: "pending", Notification.attempts: 0, Notification.due_at: clock.now(),
                                Notification.error: ""}).where(Notification.id == notification_id,
                                                               Notification.status == "failed")
