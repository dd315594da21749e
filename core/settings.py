"""Settings read from the environment once, at import."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret_key() -> str:
    """OCOP_SECRET_KEY, or a random key kept beside the database so every worker shares it."""
    key = os.environ.get("OCOP_SECRET_KEY")
    if key:
        return key
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
    login_attempts: int
    login_window_minutes: int
    max_upload_bytes: int
    secure_cookies: bool
    allowed_hosts: list[str]
    uploads_dir: Path = Path("uploads")  # attached scans and evidence, by checksum
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"


def load_settings() -> Settings:
    env = os.environ
    return Settings(
        database_url=env.get("DATABASE_URL", ""),
        secret_key=_secret_key(),
        host=env.get("OCOP_HOST", "127.0.0.1"),
        port=int(env.get("OCOP_PORT", "8000")),
        session_hours=int(env.get("OCOP_SESSION_HOURS", "12")),
        login_attempts=int(env.get("OCOP_LOGIN_ATTEMPTS", "5")),
        login_window_minutes=int(env.get("OCOP_LOGIN_WINDOW_MINUTES", "15")),
        max_upload_bytes=int(env.get("OCOP_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))),
        secure_cookies=env.get("OCOP_SECURE_COOKIES", "0") == "1",
        allowed_hosts=[h.strip() for h in env.get("OCOP_ALLOWED_HOSTS", "").split(",") if h.strip()],
        uploads_dir=Path(env.get("OCOP_UPLOADS_DIR", "uploads")),
    )


settings = load_settings()
