"""Rendering a notification (subject, plain text, HTML) in its recipient's language, and sending it.

Templates live in templates/email/<template>.html: a `subject` block, a `text` block (the plain
part) and a `body` block (the HTML part), extending email/base.html. With no SMTP host set,
messages are written as .eml files to the outbox folder (the inbox shows them in any case).
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import uuid
from dataclasses import dataclass
from email import encoders
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core import formatting, i18n
from core.settings import settings
from scheduler import clock


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


_environments: dict[bool, Environment] = {}


def environment(html: bool = True) -> Environment:
    """The HTML part escapes what it inserts; the subject and the plain part are not HTML and must not."""
    if html not in _environments:
        env = Environment(loader=FileSystemLoader(settings.templates_dir),
                          autoescape=select_autoescape(["html"]) if html else False,
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
        env.filters.update(i18n.per_render_filters(vnd=formatting.vnd, date=formatting.date, datetime=formatting.datetime,
                                                   number=formatting.number))
        env.globals.update(base_url=settings.base_url, language=i18n.current_language.get)
        _environments[html] = env
    return _environments[html]


def render(template: str, data: dict, language: str) -> Rendered:
    """The message in `language` (a missing template or variable raises: the dispatcher records it)."""
    token = i18n.current_language.set(language if language in i18n.LANGUAGES else "vi")
    try:
        plain = environment(html=False).get_template(f"email/{template}.html")
        context = plain.new_context({"data": data})
        blocks = {name: "".join(plain.blocks[name](context)).strip() for name in ("subject", "text")}
        html = environment().get_template(f"email/{template}.html").render(data=data)
    finally:
        i18n.current_language.reset(token)
    return Rendered(" ".join(blocks["subject"].split()), blocks["text"], html)


def message_id(key: str) -> str:
    """A Message-ID fixed by the notification's key: the same message always carries the same one."""
    domain = settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "ocop.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    media_type: str = "application/pdf"


def build(rendered: Rendered, to: str, msgid: str, attachments: tuple[Attachment, ...] = ()) -> Message:
    """multipart/alternative: the plain part first, then the HTML (the classic MIME classes: the
    modern EmailMessage API took most of the dispatcher's time on header parsing); with attachments,
    that inside a multipart/mixed that carries them after it."""
    message = MIMEMultipart("mixed") if attachments else MIMEMultipart("alternative")
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = str(Header(rendered.subject, "utf-8"))
    message["Message-ID"] = msgid
    # In Vietnam's time with its +0700: the -0000 of formatdate(localtime=False) means "zone unknown".
    message["Date"] = email.utils.format_datetime(clock.local_now().replace(microsecond=0))
    body = MIMEMultipart("alternative") if attachments else message
    body.attach(MIMEText(rendered.text, "plain", "utf-8"))
    body.attach(MIMEText(rendered.html, "html", "utf-8"))
    if attachments:
        message.attach(body)
    for attachment in attachments:
        maintype, subtype = attachment.media_type.split("/", 1)
        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment.content)
        encoders.encode_base64(part)
        part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
        message.attach(part)
    return message


class Connection:
    """One SMTP connection reused for many messages (opened on the first, reopened after a drop)."""

    def __init__(self) -> None:
        self.client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.quit()
            self.client = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self.client is None or not self.client.is_connected:
            self.client = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port,
                                          use_tls=settings.smtp_security == "tls",
                                          start_tls=settings.smtp_security == "starttls", timeout=settings.smtp_timeout)
            await self.client.connect()
            if settings.smtp_user:
                await self.client.login(settings.smtp_user, settings.smtp_password)
        return self.client

    async def send(self, message: Message) -> str:
        # Flattened once here, with the message's own (compat32) policy: aiosmtplib's re-flattening
        # under the SMTP policy cost more than everything else the dispatcher does.
        raw = message.as_bytes()
        sender = email.utils.parseaddr(message["From"])[1]
        try:
            client = await self._connected()
            response = await client.sendmail(sender, [message["To"]], raw)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError):
            await self.close()  # a dropped or stuck connection is not reused
            raise
        return str(response[1])[:500]


async def send(message: Message, connection: Connection | None = None) -> str:
    """Sends through SMTP (or writes an .eml file when none is set); the server's answer or the file."""
    if not settings.smtp_host:
        folder = settings.outbox_dir
        folder.mkdir(parents=True, exist_ok=True)
        name = folder / f"{message['Message-ID'].strip('<>').split('@')[0]}.eml"
        temporary = folder / f".{uuid.uuid4().hex}.part"
        temporary.write_bytes(bytes(message))
        os.replace(temporary, name)
        return f"written to {name}"
    if connection is not None:
        return await connection.send(message)
    async with Connection() as own:
        return await own.send(message)
