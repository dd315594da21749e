"""Settings read from the environment once, at import."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret_key() -> str:
    """OCOP_SECRET_KEY, or a random key kept beside the database so every worker shares it."""
    key = os.environ.get("OCOP_SECRET_KEY")
    if key:
        return key
    key_file = Path(os.environ.get("OCOP_SECRET_FILE", ".ocop-secret"))
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
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
    )


settings = load_settings()
