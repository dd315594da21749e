"""`ocop backup` taken while movements are being written, and `ocop restore` into a fresh
database: the restored ledger is one consistent moment (every request whole or absent, every
movement with its balance effect and its audit row, balances equal to the ledger's sums); and
the restore refuses what is not a backup and a database that is in use."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import ROOT, run
from tests.hardening.stock_stream import Request, build_scene, check_ledger, plan, query, read_ledger, send

SEED = 20251124


def ocop(*arguments: str, database: str | None = None) -> subprocess.CompletedProcess:
    """The `ocop` command with the test environment (DATABASE_URL replaced by `database`)."""
    environment = {**os.environ, **({"DATABASE_URL": database} if database else {})}
    return subprocess.run([sys.executable, "-m", "ocop.cli", *arguments], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)


async def _postgres(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database: a new SQLite file, or a new database in the PostgreSQL cluster."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"ocop_restored_{uuid.uuid4().hex[:12]}"
    run(_postgres(url, f'CREATE DATABASE "{name}"'))
    yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    run(_postgres(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the stream stalled"
        time.sleep(0.02)


def test_a_backup_taken_while_movements_are_written_restores_to_a_consistent_ledger(
        login, users, producer_id, server, tmp_path, fresh_database):
    scene = build_scene(login, users, producer_id)
    requests = plan(random.Random(SEED), scene, 5000)  # more than the stream gets through: it runs until stopped
    stop = threading.Event()
    stream = threading.Thread(target=send, args=(server, scene, requests), kwargs={"threads": 4, "stop": stop})
    stream.start()

    def acknowledged() -> int:
        return sum(r.state == "acknowledged" for r in requests)

    try:
        _wait_for(lambda: acknowledged() >= 40)
        started = time.monotonic()
        backed_up = ocop("backup", str(tmp_path / "ocop.backup"))
        finished = time.monotonic()
        during = acknowledged()
        _wait_for(lambda: acknowledged() >= during + 20)  # and the server goes on writing after it
    finally:
        stop.set()
        stream.join()
    assert backed_up.returncode == 0, backed_up.stderr
    assert "backed up" in backed_up.stdout
    assert all(r.state != "refused" for r in requests), [r.answer for r in requests if r.state == "refused"][:5]
    assert any(started < r.acknowledged_at < finished for r in requests), "no write went on during the backup"

    restored = ocop("restore", str(tmp_path / "ocop.backup"), database=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert query(fresh_database, "SELECT COUNT(*) FROM migration") == query(os.environ["DATABASE_URL"], "SELECT COUNT(*) FROM migration")
    if fresh_database.startswith("sqlite"):
        assert query(fresh_database, "PRAGMA integrity_check") == [("ok",)]

    # One moment of the ledger: every request whole or absent, each movement audited once, the
    # balances the initial stock plus what the recorded requests did.
    sent: list[Request] = [r for r in requests if r.state != "unsent"]
    ledger = read_ledger(fresh_database, scene)
    check_ledger(scene, sent, ledger)
    for request in sent:
        present = request.keys[0] in ledger.movements
        if request.acknowledged_at and request.acknowledged_at < started:
            assert present, f"acknowledged before the backup began, missing from it: {request}"
        if request.sent_at > finished:
            assert not present, f"sent after the backup was written, found in it: {request}"
    assert 40 <= sum(r.keys[0] in ledger.movements for r in sent) < len(sent)
    assert {r.kind for r in sent if r.keys[0] in ledger.movements} == {"movement", "transfer", "batch"}
    # And across the whole restored database, by the product's own check.
    rebuilt = ocop("stock", "rebuild", database=fresh_database)
    assert rebuilt.returncode == 0 and "balances equal the ledger" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr


def test_restore_refuses_a_missing_file_a_file_that_is_no_backup_and_a_database_in_use(server, tmp_path, monkeypatch):
    from ocop.backup import BackupError, backup, pg_tool, restore

    with pytest.raises(BackupError, match="There is no backup at"):
        restore(tmp_path / "missing.backup")
    with pytest.raises(BackupError, match="is not a file"):
        restore(tmp_path)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a backup of anything")
    with pytest.raises(BackupError, match="is not a"):
        restore(junk)
    with pytest.raises(BackupError, match="does not exist"):
        backup(tmp_path / "no such folder" / "ocop.backup")
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        with pytest.raises(BackupError, match="is the database itself"):
            backup(url[len("sqlite:///"):])

    # The test database itself is in use by the running server: a restore over it is refused
    # and leaves it as it was.
    copy = tmp_path / "live.backup"
    backup(copy)
    with pytest.raises(BackupError, match="in use by another process|other session"):
        restore(copy)
    assert httpx.get(f"{server}/health", timeout=10).status_code == 200
    assert query(url, "SELECT COUNT(*) FROM migration")[0][0] > 0

    monkeypatch.setenv("OCOP_PG_BIN", str(tmp_path))
    for tool in ("pg_dump", "pg_restore", "psql"):
        with pytest.raises(BackupError, match=f"{tool} was not found in OCOP_PG_BIN"):
            pg_tool(tool)

    # Through the command line: the reason on stderr and a failing exit status.
    refused = ocop("restore", str(tmp_path / "missing.backup"))
    assert refused.returncode != 0 and "There is no backup at" in refused.stderr, refused.stderr
