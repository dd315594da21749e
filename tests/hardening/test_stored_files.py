"""Uploads live in the database (core.uploads): a backup holds them and a restore brings them back byte
for byte; the upgrade moves the files older releases kept on disk in; the same bytes are stored once even
when two writers keep them at the same moment; and a file larger than a chunk comes back whole."""

from __future__ import annotations

import asyncio
import hashlib
import os

import pytest

from accounts.piccolo_migrations.accounts_2026_12_06t10_00_01_000000 import move_files_in
from core import uploads
from tests.catalog.test_photos import jpeg_with_exif, make_product
from tests.catalog.test_photos import upload as upload_photo
from tests.conftest import run, stored_files
from tests.hardening.stock_stream import query
from tests.hardening.test_backup import fresh_database, ocop  # noqa: F401  (a fixture shared with the backup tests)


def restored_files(url: str) -> dict[str, bytes]:
    """Each stored file of the database at `url`, put together from its chunks, by its recorded SHA-256."""
    pieces: dict[str, list[bytes]] = {}
    for sha256, _, data in query(url, "SELECT sha256, number, data FROM stored_chunk ORDER BY sha256, number"):
        pieces.setdefault(sha256, []).append(bytes(data))
    return {sha256: b"".join(parts) for sha256, parts in pieces.items()}


def test_a_backup_restored_into_a_fresh_database_brings_back_every_upload(login, producer_id, tmp_path,
                                                                         fresh_database):  # noqa: F811
    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    assert upload_photo(organizer, product["id"], jpeg_with_exif()).status_code == 201
    backup = tmp_path / "with-uploads.backup"
    written = ocop("backup", str(backup))
    assert written.returncode == 0, written.stderr
    restored = ocop("restore", str(backup), database=fresh_database)
    assert restored.returncode == 0, restored.stderr

    kept, back = stored_files(), restored_files(fresh_database)
    assert kept and set(back) == set(kept)
    for sha256, content in back.items():
        assert hashlib.sha256(content).hexdigest() == sha256 and content == kept[sha256]


def test_the_upgrade_moves_the_files_kept_on_disk_into_the_database(tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    scan = b"%PDF-1.4 a scan kept on disk by an older release " + os.urandom(uploads.CHUNK_BYTES)  # two chunks
    photo = b"RIFF a photo rendition" + os.urandom(64)
    wrong = b"bytes that do not match their name"
    named = {
        folder / "agreements" / hashlib.sha256(scan).hexdigest()[:2] / f"{hashlib.sha256(scan).hexdigest()}.pdf": scan,
        folder / "photos" / hashlib.sha256(photo).hexdigest()[:2] / f"{hashlib.sha256(photo).hexdigest()}.webp": photo,
        folder / "photos" / "ab" / f"{'ab' * 32}.webp": wrong,
        folder / "reports" / "cd" / ".0123.part": b"an interrupted write",
    }
    for path, content in named.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    monkeypatch.setenv("OCOP_UPLOADS_DIR", str(folder))
    moved = [hashlib.sha256(scan).hexdigest(), hashlib.sha256(photo).hexdigest()]
    try:
        assert run(move_files_in()) == 2
        assert [run(uploads.read(sha256)) for sha256 in moved] == [scan, photo]
        assert run(uploads.read("ab" * 32)) is None  # left out, and named in the output
        assert run(move_files_in()) == 0  # a second run adds nothing
        assert all(path.exists() for path in named)  # the folder stays until someone removes it
    finally:
        for sha256 in moved:
            run(uploads.forget(sha256))


def test_the_same_bytes_kept_twice_at_once_are_stored_once():
    content = os.urandom(uploads.CHUNK_BYTES * 2 + 17)  # three chunks, the last one short
    sha256 = hashlib.sha256(content).hexdigest()

    async def twice() -> list[tuple[str, str]]:
        return list(await asyncio.gather(uploads.keep(content, "agreements", ".pdf"),
                                         uploads.keep(content, "agreements", ".pdf")))

    try:
        first, second = run(twice())
        assert first == second == (uploads.name_for(sha256, "agreements", ".pdf"), sha256)
        assert query(os.environ["DATABASE_URL"], f"SELECT COUNT(*) FROM stored_file WHERE sha256 = '{sha256}'") == [(1,)]
        assert query(os.environ["DATABASE_URL"], f"SELECT COUNT(*) FROM stored_chunk WHERE sha256 = '{sha256}'") == [(3,)]
        assert run(uploads.read(sha256)) == content
        assert run(uploads.size_of(sha256)) == len(content)

        async def streamed() -> list[bytes]:
            return [piece async for piece in uploads.chunks(sha256)]

        assert [len(piece) for piece in run(streamed())] == [uploads.CHUNK_BYTES, uploads.CHUNK_BYTES, 17]
    finally:
        run(uploads.forget(sha256))
    assert run(uploads.read(sha256)) is None and run(uploads.size_of(sha256)) is None


def test_a_file_over_the_store_limit_is_refused_before_anything_is_written(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_BYTES", 1000)
    content = os.urandom(1001)
    with pytest.raises(uploads.TooLarge):
        run(uploads.keep(content, "reports", ".pdf"))
    assert run(uploads.size_of(hashlib.sha256(content).hexdigest())) is None
