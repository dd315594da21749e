"""Backing up and restoring the database named by DATABASE_URL (`ocop backup`, `ocop restore`).

SQLite: the backup is SQLite's online backup API, one step, so it copies one consistent
snapshot while the server goes on writing (readers never block writers in WAL mode). A restore
refuses a database another process has open, copies the backup into a temporary file beside the
database and moves it into place in one rename, so a crash halfway leaves the old database.

PostgreSQL: `pg_dump` in its custom format (a consistent snapshot, taken while the server
writes) and `pg_restore --clean --if-exists` in one transaction, from the newest PostgreSQL
binaries on the machine (a dump tool reads servers of its own major version and older).

Either way the file is written beside its destination under a temporary name and renamed
when complete: a failed backup never replaces a good one. Backups and restored SQLite files are
created readable by their owner only (0600) before their first byte: they hold password hashes
and session digests. `without_sessions` leaves the session rows out of a backup. Uploaded scans, product
photos and compiled reports are stored in the database (core.uploads), so a backup holds them too.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_BIN_FOLDERS = "/usr/lib/postgresql/*/bin"  # Debian and Ubuntu keep one folder per major version
SESSION_TABLE = "ocop_session"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


def backup(destination: str | os.PathLike, url: str | None = None, *, without_sessions: bool = False) -> str:
    """Writes a backup of the database in `url` (default: DATABASE_URL) to `destination`, readable by
    its owner only; with `without_sessions`, the backup holds no session rows (everyone logs in again
    after restoring it).

    Safe while the server runs. `destination` is replaced only once the new backup is complete.
    Returns a line saying what was written.
    """
    destination = Path(destination)
    if destination.is_dir():
        raise BackupError(f"{destination} is a folder: give the backup file's name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    engine, target = _database(url)
    if engine == "sqlite":
        _sqlite_backup(target, destination, without_sessions)
    else:
        _pg_backup(target, destination, without_sessions)
    left_out = ", sessions left out" if without_sessions else ""
    return f"backed up {_describe(engine, target)} to {destination} ({destination.stat().st_size:,} bytes{left_out})"


def restore(source: str | os.PathLike, url: str | None = None, force: bool = False) -> str:
    """Replaces the database in `url` (default: DATABASE_URL) with the backup in `source`.

    The server and the scheduler must be stopped: a SQLite database another process has open
    is refused, and so is a PostgreSQL database with other sessions unless `force` is given.
    Returns a line saying what was restored.
    """
    source = Path(source)
    header = _read_header(source)
    engine, target = _database(url)
    if engine == "sqlite":
        if not header.startswith(SQLITE_MAGIC):
            hint = " (it is a PostgreSQL dump: restore it with DATABASE_URL set to a PostgreSQL database)" \
                if header.startswith(PG_DUMP_MAGIC) else ""
            raise BackupError(f"{source} is not a SQLite backup{hint}.")
        _sqlite_restore(source, target)
    else:
        if not header.startswith(PG_DUMP_MAGIC):
            hint = " (it is a SQLite backup: restore it with DATABASE_URL set to a SQLite file)" \
                if header.startswith(SQLITE_MAGIC) else ""
            raise BackupError(f"{source} is not a PostgreSQL dump in pg_dump's custom format{hint}.")
        _pg_restore(source, target, force)
    return f"restored {source} into {_describe(engine, target)}"


# -- common --------------------------------------------------------------------------------------


def _database(url: str | None) -> tuple[str, str]:
    """("sqlite", file path) or ("postgres", URL), read the way the server reads DATABASE_URL."""
    from core.database import engine_from_url, is_sqlite

    url = url if url is not None else os.environ.get("DATABASE_URL")
    if urlsplit(url or "").scheme in ("postgres", "postgresql"):
        return "postgres", str(url)  # (building Piccolo's engine would connect to ask the server's version)
    try:
        engine = engine_from_url(url)
    except ValueError as error:
        raise BackupError(str(error)) from None
    if not is_sqlite(engine):
        raise BackupError(f"DATABASE_URL {url!r} names neither a SQLite file nor a PostgreSQL database.")
    return "sqlite", str(engine.path)


def _describe(engine: str, target: str) -> str:
    if engine == "sqlite":
        return target
    parts = urlsplit(target)
    return f"database {parts.path.lstrip('/') or '(default)'} on {parts.hostname or 'localhost'}:{parts.port or 5432}"


def _read_header(source: Path) -> bytes:
    if not source.exists():
        raise BackupError(f"There is no backup at {source}.")
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    try:
        with source.open("rb") as file:
            return file.read(16)
    except OSError as error:
        raise BackupError(f"Cannot read {source}: {error.strerror}.") from None


def _temporary_beside(path: Path) -> Path:
    """A name in the same folder, so the final rename is atomic (one file system)."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def _create_private(path: Path) -> None:
    """Creates `path` empty with mode 0600, so whatever writes it next (SQLite, pg_dump) never has
    it readable by others, whatever the umask; SQLite gives its journal and WAL the same mode."""
    path.unlink(missing_ok=True)  # a leftover of a crashed run with the same process id
    # O_EXCL and O_NOFOLLOW: a file or link planted under this name by someone else is not written through.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # exactly 0600, also under a umask that would drop the owner's write bit
    finally:
        os.close(descriptor)


def _move_into_place(temporary: Path, final: Path) -> None:
    """Flushes the finished file to disk, renames it over `final` and flushes the folder entry."""
    with temporary.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(temporary, final)
    folder = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


# -- SQLite --------------------------------------------------------------------------------------


def _sqlite_backup(database: str, destination: Path, without_sessions: bool) -> None:
    if not os.path.isfile(database):
        raise BackupError(f"There is no database at {database} (DATABASE_URL).")
    if destination.exists() and os.path.samefile(destination, database):
        raise BackupError(f"{destination} is the database itself: write the backup to another file.")
    temporary = _temporary_beside(destination)
    try:
        _create_private(temporary)
        with contextlib.closing(sqlite3.connect(database, timeout=30)) as source, \
                contextlib.closing(sqlite3.connect(temporary)) as copy:
            # One step (pages=-1): the whole file under one read snapshot. Writers go on meanwhile;
            # a step at a time would start over whenever another connection wrote.
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            _check_sqlite(copy, destination)
            if without_sessions:
                # secure_delete zeroes the deleted rows' bytes, or they would stay readable in free pages.
                copy.execute("PRAGMA secure_delete = ON")
                copy.execute(f"DELETE FROM {SESSION_TABLE}")
                copy.commit()
        _move_into_place(temporary, destination)
    except sqlite3.Error as error:
        raise BackupError(f"The backup of {database} failed: {error}.") from None
    finally:
        temporary.unlink(missing_ok=True)


def _check_sqlite(connection: sqlite3.Connection, name: Path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{name} is damaged: {result}.")
    if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migration'").fetchone() is None:
        raise BackupError(f"{name} is a SQLite database but not one of this application (it has no migration table).")


def _sqlite_restore(source: Path, database: str) -> None:
    target = Path(database)
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    if target.exists() and os.path.samefile(source, target):
        raise BackupError(f"{source} is the database itself, not a backup of it.")
    temporary = _temporary_beside(target)
    try:
        _create_private(temporary)
        # Read-only: a restore never changes the backup it reads.
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup_file:
            _check_sqlite(backup_file, source)
            if target.exists():
                _ensure_unused(target)
            with contextlib.closing(sqlite3.connect(temporary)) as copy:
                backup_file.backup(copy, pages=-1)
                copy.execute("PRAGMA journal_mode = WAL")  # what the server runs in
        # A journal or WAL left beside the old file would be replayed into the new one.
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        _move_into_place(temporary, target)
    except sqlite3.Error as error:
        raise BackupError(f"The restore of {source} failed: {error}.") from None
    finally:
        temporary.unlink(missing_ok=True)


def _ensure_unused(target: Path) -> None:
    """Refuses a database another process has open, and folds its WAL into the file.

    Leaving WAL mode needs the only connection to the database: it fails at once when the
    server (or the scheduler, or a shell) still has it open.
    """
    try:
        with contextlib.closing(sqlite3.connect(target, timeout=1, isolation_level=None)) as connection:
            connection.execute("PRAGMA journal_mode = DELETE").fetchall()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise BackupError(
                f"{target} is in use by another process: stop the server and the scheduler, then restore."
            ) from None
        raise BackupError(f"Cannot open {target}: {error}.") from None
    except sqlite3.DatabaseError:
        pass  # the current file is damaged: replacing it is the point of the restore


# -- PostgreSQL ----------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program: from OCOP_PG_BIN when set, else the newest
    /usr/lib/postgresql/<version>/bin that has it, else the PATH."""
    override = os.environ.get("OCOP_PG_BIN")
    folders = [override] if override else sorted(glob.glob(PG_BIN_FOLDERS), key=_folder_version, reverse=True)
    for folder in folders:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = None if override else shutil.which(name)
    if found is None:
        where = f"OCOP_PG_BIN ({override})" if override else f"{PG_BIN_FOLDERS} or the PATH"
        raise BackupError(
            f"{name} was not found in {where}: install the PostgreSQL client programs of the server's major "
            f"version or newer (Debian: apt-get install postgresql-client), or set OCOP_PG_BIN to their folder."
        )
    return found


def _folder_version(folder: str) -> tuple[int, ...]:
    version = Path(folder).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _pg_connection(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries it (never on a command line)."""
    parts = urlsplit(url)
    environment = {**os.environ}
    userinfo, at, host = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        user, _, password = userinfo.partition(":")
        environment["PGPASSWORD"] = unquote(password)
        parts = parts._replace(netloc=f"{user}@{host}")
    return urlunsplit(parts), environment


def _run_tool(arguments: list[str], environment: dict[str, str], what: str) -> str:
    try:
        # umask 077: any file a tool creates is its owner's alone (pg_dump's is created 0600 beforehand too).
        finished = subprocess.run(arguments, env=environment, capture_output=True, text=True, check=False, umask=0o077)
    except OSError as error:
        raise BackupError(f"Cannot run {arguments[0]}: {error.strerror}.") from None
    if finished.returncode != 0:
        raise BackupError(f"{what} failed: {finished.stderr.strip() or f'exit status {finished.returncode}'}")
    return finished.stdout


def _pg_backup(url: str, destination: Path, without_sessions: bool) -> None:
    dump = pg_tool("pg_dump")
    dsn, environment = _pg_connection(url)
    temporary = _temporary_beside(destination)
    # The table itself stays in the dump (a restore recreates it empty); only its rows are left out.
    leave_out = [f"--exclude-table-data={SESSION_TABLE}"] if without_sessions else []
    try:
        _create_private(temporary)  # pg_dump truncates and writes the file it is given, keeping its mode
        _run_tool([dump, "--format=custom", "--no-password", *leave_out, f"--file={temporary}", f"--dbname={dsn}"],
                  environment, "pg_dump")
        _move_into_place(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def _pg_restore(source: Path, url: str, force: bool) -> None:
    restore_tool = pg_tool("pg_restore")
    dsn, environment = _pg_connection(url)
    if not force:
        others = _run_tool([pg_tool("psql"), "--no-psqlrc", "--no-password", "--tuples-only", "--no-align",
                            f"--dbname={dsn}", "--command",
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"],  # not autovacuum
                           environment, "Connecting to the database")
        if int(others.strip() or 0):
            raise BackupError(
                f"{others.strip()} other session(s) are connected to {_describe('postgres', url)}: stop the server "
                f"and the scheduler, then restore (or pass --force if those sessions are not this application)."
            )
    # One transaction: a restore that fails halfway leaves the database as it was. Objects are
    # owned by the user in DATABASE_URL, so a dump restores into another cluster as well.
    _run_tool([restore_tool, "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges",
               "--no-password", f"--dbname={dsn}", str(source)], environment, "pg_restore")
