"""Files kept on disk under the uploads folder, named by their SHA-256 (the same bytes are stored once)."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from core.settings import settings


def keep(content: bytes, folder: str, extension: str) -> tuple[str, str]:
    """Writes `content` once as <folder>/<2 hex>/<sha256><extension> (whole, then renamed, so a reader never
    sees half a file); returns its path relative to the uploads folder and its SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    relative = Path(folder) / digest[:2] / f"{digest}{extension}"
    target = settings.uploads_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{uuid.uuid4().hex}.part")
        temporary.write_bytes(content)
        os.replace(temporary, target)
    return str(relative), digest


def stored_path(relative: str) -> Path:
    """Where a kept file is on disk."""
    return settings.uploads_dir / relative


def forget(relative: str) -> None:
    """Removes a kept file (no error when it is already gone)."""
    stored_path(relative).unlink(missing_ok=True)
