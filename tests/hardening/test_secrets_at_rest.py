"""Secrets at rest: the session table holds only the SHA-256 of each cookie's token, so a copy of it (a
backup) opens no session, neither in the pages nor in piccolo-admin; backups and restored databases are
their owner's alone from the first byte; a backup can leave the sessions out; and the upgrade replaces
the tokens already stored by their digests without logging anyone out."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from accounts.piccolo_migrations.accounts_2026_12_06t08_40_00_000000 import hash_session_tokens
from tests.conftest import Client, run
from tests.hardening.stock_stream import query
from tests.hardening.test_backup import fresh_database, ocop  # noqa: F401  (a fixture shared with the backup tests)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stored_tokens(url: str | None = None) -> set[str]:
    return {row[0] for row in query(url or os.environ["DATABASE_URL"], "SELECT token FROM ocop_session")}


def user_id(username: str) -> int:
    from accounts.tables import User

    return run(User.select(User.id).where(User.username == username).first())["id"]


def holding(server: str, token: str) -> Client:
    """A client that presents `token` as its session cookie, as someone who read it somewhere would."""
    client = Client(base_url=server, follow_redirects=False, timeout=30)
    client.cookies.set("id", token)
    return client


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@contextmanager
def permissive_umask() -> Iterator[None]:
    """umask 0: whatever the files' mode is, it comes from the code, not from the caller's umask."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_the_session_table_holds_the_digest_of_the_cookie_token_never_the_token(login):
    token = login("viewer").cookies["id"]
    tokens = stored_tokens()
    assert token not in tokens
    assert digest(token) in tokens
    assert all(len(t) == 64 and set(t) <= set("0123456789abcdef") for t in tokens), tokens


def test_a_digest_read_from_the_table_opens_no_session(login, server):
    admin = login("admin")
    assert admin.get("/users/").status_code == 200
    with holding(server, digest(admin.cookies["id"])) as stolen:
        page = stolen.get("/users/")
        assert page.status_code == 302 and page.headers["location"].startswith("/login")
        assert stolen.get("/admin/api/tables/").status_code == 302


def test_piccolo_admin_creates_reads_and_removes_sessions_through_the_digest(server, users):
    from accounts.tables import Session

    admin = user_id(users["admin"])
    token = run(Session.create_session(admin)).token  # what piccolo-admin's login puts in its cookie
    assert digest(token) in stored_tokens() and token not in stored_tokens()
    assert run(Session.get_user_id(token)) == admin
    assert run(Session.get_user_id(digest(token))) is None
    with holding(server, token) as client:
        tables = client.get("/admin/api/tables/")  # the application's check, then piccolo-admin's own
        assert tables.status_code == 200 and "product" in tables.text
    run(Session.remove_session(token))  # piccolo-admin's logout
    assert digest(token) not in stored_tokens()


def test_backups_and_restored_databases_are_readable_by_their_owner_only(tmp_path, fresh_database, monkeypatch):  # noqa: F811
    from ocop import backup as backups

    # The file while it is still being written, under its temporary name: already the owner's alone.
    partial_modes: list[int] = []
    move_into_place = backups._move_into_place

    def recording(temporary: Path, final: Path) -> None:
        partial_modes.append(stat.S_IMODE(temporary.stat().st_mode))
        move_into_place(temporary, final)

    monkeypatch.setattr(backups, "_move_into_place", recording)
    destination = tmp_path / "ocop.backup"
    destination.write_bytes(b"an older backup, readable by all")
    destination.chmod(0o644)
    with permissive_umask():
        backups.backup(destination)
        assert owner_only(destination)
        backups.restore(destination, url=fresh_database)
        by_command = ocop("backup", str(tmp_path / "by-command.backup"))
    assert by_command.returncode == 0, by_command.stderr
    assert owner_only(tmp_path / "by-command.backup")
    if fresh_database.startswith("sqlite"):
        restored = Path(fresh_database[len("sqlite:///"):])
        assert owner_only(restored)
        assert partial_modes == [0o600, 0o600]
    else:
        assert partial_modes == [0o600]  # a PostgreSQL restore writes no file
    assert not list(tmp_path.glob(".*.partial"))


def test_a_backup_without_sessions_restores_with_none_and_a_full_one_keeps_them_as_digests(
        login, tmp_path, fresh_database):  # noqa: F811
    token = login("viewer").cookies["id"]
    full, lean = tmp_path / "full.backup", tmp_path / "lean.backup"
    written = ocop("backup", str(full))
    assert written.returncode == 0, written.stderr
    written = ocop("backup", "--without-sessions", str(lean))
    assert written.returncode == 0 and "sessions left out" in written.stdout, written.stderr
    if fresh_database.startswith("sqlite"):
        # Not even in the file's free pages (pg_dump's custom format is compressed: its rows are checked below).
        assert digest(token).encode() in full.read_bytes() and token.encode() not in full.read_bytes()
        assert digest(token).encode() not in lean.read_bytes()

    restored = ocop("restore", str(lean), database=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert query(fresh_database, "SELECT COUNT(*) FROM ocop_session") == [(0,)]
    assert query(fresh_database, "SELECT COUNT(*) FROM ocop_user")[0][0] > 0  # the rest is all there

    restored = ocop("restore", str(full), database=fresh_database)
    assert restored.returncode == 0, restored.stderr
    tokens = stored_tokens(fresh_database)
    assert digest(token) in tokens and token not in tokens


def test_the_upgrade_stores_each_token_as_its_digest_and_the_cookie_still_logs_in(login, server, users):
    from accounts.tables import Session

    login("viewer")  # a session stored the new way, which the upgrade leaves alone
    before = stored_tokens()
    token = secrets.token_urlsafe(32)  # a session stored before the upgrade, as the token itself
    now = dt.datetime.now()
    run(Session.insert(Session(token=token, user_id=user_id(users["admin"]), expiry_date=now + dt.timedelta(hours=1),
                               max_expiry_date=now + dt.timedelta(days=1))))
    try:
        assert run(hash_session_tokens()) >= 1
        after = stored_tokens()
        assert token not in after and digest(token) in after
        assert before <= after  # the digests already there are not hashed again
        assert run(hash_session_tokens()) == 0
        with holding(server, token) as client:
            assert client.get("/users/").status_code == 200  # still logged in as the admin
    finally:
        run(Session.delete().where(Session.token.is_in([token, digest(token)])))



def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    import os
    import stat

    from core.database import prepare_sqlite_file

    previous = os.umask(0)  # whatever the shell's umask, the file is private
    try:
        path = tmp_path / "moi" / "ocop.sqlite3"
        prepare_sqlite_file(str(path))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
