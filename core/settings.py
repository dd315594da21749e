"""Settings read from the environment once, at import."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


MIN_SECRET_LENGTH = 32


def _listening_url(env) -> str:
    """Without an address set, links point where this server listens (a demo on another port too)."""
    host = env.get("OCOP_HOST", "127.0.0.1")
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{env.get('OCOP_PORT', '8000')}"


def _secret_key(production: bool) -> str:
    """OCOP_SECRET_KEY, or a random key kept in OCOP_SECRET_FILE (default `.ocop-secret` in the working
    directory) so every worker shares it. In production (Secure cookies, or a non-loopback address) the key must be chosen
    on purpose: the application refuses to start with neither variable set, or with a short key."""
    key = os.environ.get("OCOP_SECRET_KEY")
    if key:
        if production and len(key) < MIN_SECRET_LENGTH:
            raise RuntimeError(f"OCOP_SECRET_KEY is too short for production: use at least {MIN_SECRET_LENGTH} random characters")
        return key
    if production and not os.environ.get("OCOP_SECRET_FILE"):
        raise RuntimeError("Set OCOP_SECRET_KEY (or OCOP_SECRET_FILE, a file only the service can read) in production")
    key_file = Path(os.environ.get("OCOP_SECRET_FILE", ".ocop-secret"))
    try:
        # O_EXCL: when several workers start at once, one writes the key and all read it.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = key_file.read_text().strip()
            if key:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{key_file} is empty: delete it or set OCOP_SECRET_KEY") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    host: str
    port: int
    session_hours: int
    max_upload_bytes: int
    secure_cookies: bool
    allowed_hosts: list[str]
    photo_max_bytes: int = 8 * 1024 * 1024  # a product photo as uploaded, before re-encoding
    public_rate_limit: int = 600  # requests a minute per client IP on the public pages; 0: no limit
    public_version_seconds: float = 1.0  # how long a worker trusts its read of the public pages' data version
    public_page_cache: bool = True  # rendered public pages reused while their data is unchanged
    template_reload: bool = False  # templates read again when their file changes (development)
    # Email: with no SMTP host, messages go to the in-app inbox and to .eml files in outbox_dir.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_security: str = "none"  # none, starttls or tls
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout: float = 20.0
    mail_from: str = "OCOP <no-reply@ocop.local>"
    outbox_dir: Path = Path("outbox")
    base_url: str = "http://127.0.0.1:8000"  # how links in emails start
    # The scheduler: started by the web application unless disabled (then run `ocop scheduler`).
    scheduler_in_web: bool = True
    dispatch_seconds: int = 10
    rules_minutes: int = 5
    send_attempts: int = 5
    # Rules: lead days and hours, in Asia/Ho_Chi_Minh time.
    application_close_days: int = 3
    milestone_days: tuple[int, ...] = (7, 1)
    term_end_days: int = 30
    certificate_days: tuple[int, ...] = (90, 30)
    sales_missing_hour: int = 20
    digest_hour: int = 7
    report_after_days: int = 1
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"

    @property
    def session_cookie(self) -> str:
        return self._cookie_prefix + "id"  # "id" is the name piccolo-admin reads (ocop/admin.py hands it on)

    @property
    def csrf_cookie(self) -> str:
        return self._cookie_prefix + "ocop_csrftoken"

    @property
    def _cookie_prefix(self) -> str:
        # Over HTTPS a browser keeps a __Host- cookie only when it is Secure, for the whole site and this host
        # alone: a neighbouring subdomain or a plain-HTTP page cannot plant a session or CSRF cookie.
        return "__Host-" if self.secure_cookies else ""


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")


def load_settings() -> Settings:
    env = os.environ
    # Bound to anything but loopback, the server is reached over a network: cookies are Secure unless the
    # operator says otherwise on purpose, and it does not start on a key nobody chose.
    public = not is_loopback(env.get("OCOP_HOST", "127.0.0.1"))
    secure_cookies = env.get("OCOP_SECURE_COOKIES", "1" if public else "0") == "1"
    return Settings(
        database_url=env.get("DATABASE_URL", ""),
        secret_key=_secret_key(production=secure_cookies or public),
        host=env.get("OCOP_HOST", "127.0.0.1"),
        port=int(env.get("OCOP_PORT", "8000")),
        session_hours=int(env.get("OCOP_SESSION_HOURS", "12")),
        max_upload_bytes=int(env.get("OCOP_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
        secure_cookies=secure_cookies,
        allowed_hosts=[h.strip() for h in env.get("OCOP_ALLOWED_HOSTS", "").split(",") if h.strip()],
        photo_max_bytes=int(env.get("OCOP_PHOTO_MAX_BYTES", str(8 * 1024 * 1024))),
        public_rate_limit=int(env.get("OCOP_PUBLIC_RATE_LIMIT", "600")),
        public_version_seconds=float(env.get("OCOP_PUBLIC_VERSION_SECONDS", "1")),
        public_page_cache=env.get("OCOP_PUBLIC_PAGE_CACHE", "1") != "0",
        template_reload=env.get("OCOP_TEMPLATE_RELOAD", "0") == "1",
        smtp_host=env.get("OCOP_SMTP_HOST", ""),
        smtp_port=int(env.get("OCOP_SMTP_PORT", "25")),
        smtp_security=env.get("OCOP_SMTP_SECURITY", "none"),
        smtp_user=env.get("OCOP_SMTP_USER", ""),
        smtp_password=env.get("OCOP_SMTP_PASSWORD", ""),
        smtp_timeout=float(env.get("OCOP_SMTP_TIMEOUT", "20")),
        mail_from=env.get("OCOP_MAIL_FROM", "OCOP <no-reply@ocop.local>"),
        outbox_dir=Path(env.get("OCOP_OUTBOX_DIR", "outbox")),
        base_url=env.get("OCOP_BASE_URL", _listening_url(env)).rstrip("/"),
        scheduler_in_web=env.get("OCOP_SCHEDULER_IN_WEB", "1") == "1",
        dispatch_seconds=int(env.get("OCOP_DISPATCH_SECONDS", "10")),
        rules_minutes=int(env.get("OCOP_RULES_MINUTES", "5")),
        send_attempts=int(env.get("OCOP_SEND_ATTEMPTS", "5")),
        application_close_days=int(env.get("OCOP_APPLICATION_CLOSE_DAYS", "3")),
        milestone_days=tuple(int(d) for d in env.get("OCOP_MILESTONE_DAYS", "7,1").split(",")),
        term_end_days=int(env.get("OCOP_TERM_END_DAYS", "30")),
        certificate_days=tuple(int(d) for d in env.get("OCOP_CERTIFICATE_DAYS", "90,30").split(",")),
        sales_missing_hour=int(env.get("OCOP_SALES_MISSING_HOUR", "20")),
        digest_hour=int(env.get("OCOP_DIGEST_HOUR", "7")),
        report_after_days=int(env.get("OCOP_REPORT_AFTER_DAYS", "1")),
    )


settings = load_settings()
