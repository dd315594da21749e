"""Rendering a notification (subject, plain text, HTML) in its recipient's language, and sending it.

Templates live in templates/email/<template>.html: a `subject` block, a `text` block (the plain
part) and a `body` block (the HTML part), extending email/base.html. With no SMTP host set,
messages are written as .eml files to the outbox folder (the inbox shows them in any case).
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core import i18n
from core.settings import settings
from ocop import formatting


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
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
        env.filters.update(vnd=formatting.vnd, date=formatting.date, datetime=formatting.datetime, number=formatting.number)
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


def build(rendered: Rendered, to: str, msgid: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Message-ID"] = msgid
    message["Date"] = email.utils.formatdate(localtime=False)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


async def send(message: EmailMessage) -> str:
    """Sends through SMTP (or writes an .eml file when none is set); the server's answer or the file."""
    if not settings.smtp_host:
        folder = settings.outbox_dir
        folder.mkdir(parents=True, exist_ok=True)
        name = folder / f"{message['Message-ID'].strip('<>').split('@')[0]}.eml"
        temporary = folder / f".{uuid.uuid4().hex}.part"
        temporary.write_bytes(bytes(message))
        os.replace(temporary, name)
        return f"written to {name}"
    response = await aiosmtplib.send(
        message, hostname=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_user or None,
        password=settings.smtp_password or None, use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls", timeout=settings.smtp_timeout)
    return str(response[1])[:500]
