"""Database engines: chosen from DATABASE_URL, with persistent connections on SQLite.

Piccolo's SQLite engine opens a new connection (and a thread) for every query, which
caps a page at a few hundred queries a second. `PooledSQLiteEngine` keeps Piccolo's
query building and migrations but runs statements on long-lived connections:
reads on a small pool of reader connections, every write and every transaction on
one writer connection per event loop, so writers in one process queue in memory
instead of spinning on SQLite's busy handler.

Statements run on the event loop's own thread: most take tens of microseconds, less than
handing them to a thread and back, which also hands the GIL to and fro and tripled the cost
of a small request. Two things keep a slow one from holding every other request up:
- a statement seen taking longer than `SLOW_SECONDS` runs on the executor from then on (per
  process, by its text), so a heavy read blocks the loop once, not at every call;
- nothing on the loop waits for a lock: the write turn is taken there only when free at once,
  and BEGIN only with SQLite's busy timeout at zero; otherwise the wait goes to the executor.
  COMMIT never checkpoints (automatic checkpoints are off; `Checkpointer` copies the WAL back
  beside the writers), so with synchronous=NORMAL it does not wait for the disk either.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from typing import Any, cast
from urllib.parse import urlparse

from piccolo.columns.defaults.base import Default
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

# Piccolo converts every INTEGER cell through Decimal to tolerate floats stored in integer
# columns. This application only ever writes integers there, and that conversion was the
# largest cost of reading thousands of rows (a point's stock): read them as plain ints.
sqlite3.register_converter("INTEGER", int)

DEFAULT_SQLITE_PATH = "ocop.db"
_READ_PREFIXES = ("SELECT", "WITH", "EXPLAIN", "(SELECT")
_READERS = 4  # as many as executor threads: more could not run at once anyway
SLOW_SECONDS = 0.002  # a statement slower than this leaves the loop's thread from then on
_SLOW_KEPT = 4096  # statement texts remembered as slow, per process
_BUSY_MS = 30_000  # how long a write waits (off the loop) for a writer outside the turn


class UnstorableText(ValueError):
    """Text with a NUL character, refused before it is written: PostgreSQL cannot hold it (asyncpg
    refuses it there), and a SQLite file holding it could not be moved to PostgreSQL."""


def _refuse_nul(args: Sequence) -> None:
    for value in args:
        if isinstance(value, str) and "\x00" in value:
            raise UnstorableText("text with a NUL character")


class WriteTurn:
    """The write turn on one SQLite file, shared by every writer of every process: the Piccolo engine's
    writer connections and the stock ledger's. Writers queue on a lock file beside the database and
    each is woken the moment the one before it lets go; on SQLite's own lock a waiting writer polls
    with growing sleeps (1, 2, 5 … 100 ms), which under mixed load held requests up to half a second.

    Each instance is its own handle on the file (flock excludes handles, not processes), so two turns
    in one process exclude each other too. Take the turn before BEGIN, give it back after COMMIT.
    """

    def __init__(self, database_path: str) -> None:
        self._path = database_path + "-writer.lock"
        self._file: Any = None

    def _handle(self) -> Any:
        if self._file is None:
            self._file = open(self._path, "a+b")
        return self._file

    def take(self) -> None:
        """Waits for the turn (blocking: call it off the event loop)."""
        if fcntl is not None:
            fcntl.flock(self._handle(), fcntl.LOCK_EX)

    def wait_until_free(self) -> None:
        """Returns once the turn has been free (blocking: call it off the event loop). Not taken: a
        waiter on the loop takes it there, so the turn is never held while a busy loop gets round to
        its holder (two workers that did so held each other up for hundreds of milliseconds)."""
        self.take()
        self.give_back()

    def take_now(self) -> bool:
        """The turn if it is free at once; False (and not taken) otherwise."""
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._handle(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def give_back(self) -> None:
        if fcntl is not None and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Checkpointer:
    """Copies a SQLite file's WAL back into the database on a thread of its own, and has the WAL
    start over before it grows long.

    Writers turn the automatic checkpoint off (`wal_autocheckpoint = 0`): it would run inside a
    COMMIT, with an fsync, while the event loop waits on it. Here a PASSIVE checkpoint every tenth of
    a second copies what was written without blocking anyone. That alone never lets the WAL start
    over under steady writes (new frames keep arriving while it copies), and a WAL left to grow
    slows every read: under a mixed load it reached a gigabyte in seconds and throughput fell
    fivefold. So once the WAL holds `RESTART_FRAMES`, one more PASSIVE checkpoint runs holding the
    write turn: no frame can arrive meanwhile, so it copies the few left (about a millisecond),
    and the next writer starts the WAL over, unless a reader is still on it (then next time).
    Never RESTART: it waits for readers, and writers would wait behind it.

    One per file and process (`of`): the ORM's writer and the stock ledger share it.
    """

    RESTART_FRAMES = 2000  # about 8 MB of pages
    _running: dict[str, Checkpointer] = {}
    _registry_lock = threading.Lock()

    def __init__(self, path: str) -> None:
        self._path = path
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def of(cls, path: str) -> Checkpointer:
        with cls._registry_lock:
            found = cls._running.get(path)
            if found is None:
                found = cls._running[path] = cls(path)
            return found

    def start(self) -> None:
        with self._registry_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopped.clear()
                self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=0)
        connection.execute("PRAGMA journal_size_limit = 67108864")  # the file is cut back to 64 MB at a restart
        turn = WriteTurn(self._path)
        try:
            while not self._stopped.wait(0.1):
                with contextlib.suppress(sqlite3.Error):
                    _, frames, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if frames >= self.RESTART_FRAMES:
                        turn.take()
                        try:
                            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                        finally:
                            turn.give_back()
        finally:
            turn.close()
            connection.close()


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


class _LoopConnections:
    """The connections one event loop uses: a writer under a lock, idle readers."""

    def __init__(self) -> None:
        self.writer: sqlite3.Connection | None = None
        self.writer_lock = asyncio.Lock()
        self.turn: WriteTurn | None = None  # the writer's turn among all writers of the file
        self.idle_readers: list[sqlite3.Connection] = []
        # Readers are opened once and reused: opening one costs a schema parse and
        # throws away the statement cache, which under load cost more than the queries.
        self.reader_slots = asyncio.Semaphore(_READERS)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on the loop's writer connection, always BEGIN IMMEDIATE.

    Taking the write lock up front means a read-then-write transaction never fails
    with "database is locked" when it tries to upgrade.
    """

    __slots__ = ("_lock", "_turn")

    async def __aenter__(self) -> PooledSQLiteTransaction:
        if self._parent is not None:
            return cast(PooledSQLiteTransaction, self._parent)  # nested in one of this engine's
        engine: PooledSQLiteEngine = self.engine  # type: ignore[assignment]
        connections = engine._loop_connections()
        self._lock = connections.writer_lock
        await self._lock.acquire()
        self.connection = None
        turn = engine._turn(connections)
        try:
            while not turn.take_now():
                await engine._call(turn.wait_until_free)
        except BaseException:
            self._lock.release()
            raise
        try:
            self.connection = await engine._writer(connections)
            try:
                self.connection.execute("BEGIN IMMEDIATE")  # busy timeout zero: it never waits here
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
                # A writer outside the turn (a tool on the file) holds the lock: wait for it off the loop.
                await engine._call(engine._begin_waiting, self.connection)
        except BaseException:
            # Cancelled while BEGIN waited for the lock: BEGIN may still have succeeded.
            if self.connection is not None:
                engine._discard_writer_if_open(self.connection)
            turn.give_back()
            self._lock.release()
            raise
        self._turn = turn
        self.context = self.engine.current_transaction.set(self)
        return self

    async def commit(self) -> None:
        self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            # A failed COMMIT (or ROLLBACK) must not leave the writer inside a transaction.
            self.engine._discard_writer_if_open(self.connection)  # type: ignore[attr-defined]
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            self._turn.give_back()
            self._lock.release()
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine on persistent connections (see module docstring)."""

    __slots__ = ("_per_loop", "_executor", "_lock", "_slow", "_checkpointer")

    def __init__(self, path: str = DEFAULT_SQLITE_PATH, timeout: float = 30.0, **kwargs: Any):
        super().__init__(path=path, timeout=timeout, check_same_thread=False, **kwargs)
        # Piccolo registers a converter for INTEGER columns that parses each cell from text in
        # Python: about 1 µs a cell, four times the fetch of it. SQLite stores integers natively and
        # hands them over as ints (a float written to an INTEGER column is stored as an integer
        # when it is one), so the converter only costs. The others (dates, booleans...) stay.
        sqlite3.converters.pop("INTEGER", None)
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnections] = (
            weakref.WeakKeyDictionary()
        )
        self._executor = ThreadPoolExecutor(max_workers=_READERS + 1, thread_name_prefix="sqlite")
        self._lock = threading.Lock()
        self._slow: set[str] = set()
        self._checkpointer = Checkpointer.of(path)

    # -- connections -------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(**self.connection_kwargs)
        connection.execute("PRAGMA foreign_keys = ON")
        # WAL survives a process crash with NORMAL; only a power cut can lose the
        # last commits, which is the accepted trade for 10x write throughput.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(f"PRAGMA busy_timeout = {int(self.connection_kwargs['timeout'] * 1000)}")
        return connection

    def _open_writer(self) -> sqlite3.Connection:
        connection = self._open()
        connection.execute("PRAGMA busy_timeout = 0")  # see _begin_waiting
        connection.execute("PRAGMA wal_autocheckpoint = 0")  # see Checkpointer
        self._checkpointer.start()
        return connection

    @staticmethod
    def _begin_waiting(connection: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE that waits for the write lock (on the executor)."""
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        try:
            connection.execute("BEGIN IMMEDIATE")
        finally:
            connection.execute("PRAGMA busy_timeout = 0")

    async def _statement(self, fetch, connection: sqlite3.Connection, query: str, args: list) -> list:
        """`fetch` run on the loop's thread, or on the executor once the statement was seen slow."""
        if query in self._slow:
            return await self._call(fetch, connection, query, args)
        return self._inline(fetch, connection, query, args)

    def _inline(self, fetch, connection: sqlite3.Connection, query: str, args: list) -> list:
        """`fetch` on the loop's thread; the statement is marked slow when it took too long."""
        # The thread's CPU time, not the clock's: on a busy machine the clock also counts the time the
        # system gave other processes, and fast statements would be sent off the loop one by one.
        started = time.thread_time()
        try:
            return fetch(connection, query, args)
        finally:
            if time.thread_time() - started > SLOW_SECONDS:
                if len(self._slow) >= _SLOW_KEPT:
                    self._slow.clear()
                self._slow.add(query)

    def _loop_connections(self) -> _LoopConnections:
        loop = asyncio.get_running_loop()
        connections = self._per_loop.get(loop)
        if connections is not None:
            return connections
        with self._lock:
            connections = self._per_loop.get(loop)
            if connections is None:
                connections = _LoopConnections()
                self._per_loop[loop] = connections
            return connections

    async def _call(self, function, *args):
        """Runs a statement on the executor. A cancelled caller still waits for the statement to
        finish, so a connection is never handed on (or a lock released) while it is in use."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, function, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            with contextlib.suppress(BaseException):
                await future
            raise

    def _turn(self, connections: _LoopConnections) -> WriteTurn:
        if connections.turn is None:
            connections.turn = WriteTurn(self.path)
        return connections.turn

    async def _writer(self, connections: _LoopConnections) -> sqlite3.Connection:
        if connections.writer is None:
            connections.writer = await self._call(self._open_writer)
        return connections.writer

    def _discard_writer_if_open(self, connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.Error:
                connections = self._loop_connections()
                if connections.writer is connection:
                    connections.writer = None
                connection.close()

    def close_connections(self) -> None:
        """Close every pooled connection (tests and CLI commands call this at exit)."""
        with self._lock:
            for connections in list(self._per_loop.values()):
                for connection in connections.idle_readers:
                    connection.close()
                connections.idle_readers.clear()
                if connections.writer is not None:
                    connections.writer.close()
                    connections.writer = None
                if connections.turn is not None:
                    connections.turn.close()
                    connections.turn = None
            self._per_loop.clear()
        self._checkpointer.stop()

    # -- statements ----------------------------------------------------------

    @staticmethod
    def _fetch(connection: sqlite3.Connection, query: str, args: list) -> list[dict]:
        # Rows as dicts, as Piccolo expects; names read once per query (a row factory would
        # rebuild cursor.description for every row, which cost more than the query itself).
        cursor = connection.execute(query, args)
        try:
            rows = cursor.fetchall()
            if not rows:
                return []
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=False)) for row in rows]
        finally:
            cursor.close()

    @staticmethod
    def _fetch_tuples(connection: sqlite3.Connection, query: str, args: list) -> list[tuple]:
        return connection.execute(query, args).fetchall()

    async def _run_read(self, query: str, args: list, fetch=None) -> list:
        fetch = fetch or self._fetch
        connections = self._loop_connections()
        if connections.idle_readers and query not in self._slow:
            # Run to its end without yielding to the loop: no other request can ask for the
            # connection meanwhile, so it takes no reader slot (the slots bound the executor's reads).
            idle = connections.idle_readers.pop()
            try:
                return self._inline(fetch, idle, query, args)
            finally:
                connections.idle_readers.append(idle)
        async with connections.reader_slots:
            connection = connections.idle_readers.pop() if connections.idle_readers else None
            if connection is None:
                connection = await self._call(self._open)
            try:
                return await self._statement(fetch, connection, query, args)
            finally:
                connections.idle_readers.append(connection)

    async def _run_write(self, query: str, args: list) -> list[dict]:
        async with self.transaction() as transaction:  # one statement; the same turn, lock and BEGIN
            rows = await self._statement(self._fetch, transaction.connection, query, args)
        return rows

    async def _run(self, query: str, args: list | None) -> list[dict]:
        args = args or []
        transaction = self.current_transaction.get()
        if transaction is not None:
            _refuse_nul(args)
            return await self._statement(self._fetch, transaction.connection, query, args)
        # Piccolo tags only inserts with a query type, so reads are told by their text.
        if query.lstrip().upper().startswith(_READ_PREFIXES):
            return await self._run_read(query, args)
        _refuse_nul(args)
        return await self._run_write(query, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        query, query_args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=querystring.__str__())
        return await self._run(query, query_args)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._run(ddl, [])

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=TransactionType.immediate, allow_nested=allow_nested
        )


async def fetch_tuples(engine: Any, sql: str, *args: Any) -> list[Sequence]:
    """Rows as tuples (`{}` placeholders), for reads of thousands of rows where a dict per row costs
    more than the query. On SQLite, columns selected as expressions (`quantity + 0`) also skip the
    per-cell type converters Piccolo registers, which cost a third of a 5,000-row read."""
    return await _fetch(engine, sql, args, tuples=True)


async def fetch_rows(engine: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows as dicts (`{}` placeholders, plain values), for SQL written once and read on every request (the
    public product page's): the statement's engine form is kept, where a Piccolo raw query parsed and
    compiled it anew each time."""
    return await _fetch(engine, sql, args, tuples=False)


@functools.lru_cache(maxsize=512)
def placeholders(sql: str, engine_type: str) -> str:
    """SQL written with `{}` placeholders in the engine's own spelling: `?` on SQLite, `$1`, `$2`… on PostgreSQL."""
    if engine_type == "sqlite":
        return sql.replace("{}", "?")
    parts = sql.split("{}")
    return "".join(part + (f"${number}" if number < len(parts) else "") for number, part in enumerate(parts, 1))


async def _fetch(engine: Any, sql: str, args: tuple, tuples: bool) -> list:
    transaction = engine.current_transaction.get()
    if isinstance(engine, PooledSQLiteEngine):
        query, values = placeholders(sql, "sqlite"), list(args)
        fetch = engine._fetch_tuples if tuples else engine._fetch
        if transaction is not None:
            return await engine._statement(fetch, transaction.connection, query, values)
        return await engine._run_read(query, values, fetch)
    pool = engine.pool if isinstance(engine, PostgresEngine) else None
    if isinstance(engine, PostgresEngine) and (transaction is not None or pool is not None):
        query = placeholders(sql, "postgres")
        if transaction is not None:
            rows = await transaction.connection.fetch(query, *args)
        else:
            async with cast(Any, pool).acquire() as connection:
                rows = await connection.fetch(query, *args)
        return rows if tuples else [dict(row) for row in rows]
    rows = await engine.run_querystring(QueryString(sql, *args))  # Piccolo's own engines (measurements)
    return [tuple(row.values()) for row in rows] if tuples else rows


def engine_from_url(url: str | None):
    """The engine for DATABASE_URL: unset or sqlite:///path is SQLite, postgres(ql):// is PostgreSQL."""
    parsed = urlparse(url or "sqlite:///")
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as SQLAlchemy writes them
        path = (url or "")[len("sqlite:///") :] or DEFAULT_SQLITE_PATH
        if os.environ.get("OCOP_SQLITE_POOL") == "0":
            # Piccolo's engine as shipped (a connection per query): kept to measure against.
            return SQLiteEngine(path=path, timeout=30)
        return PooledSQLiteEngine(path=path)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url})
    raise ValueError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use sqlite:/// or postgresql://)")


def is_sqlite(engine: Any) -> bool:
    return getattr(engine, "engine_type", "") == "sqlite"


def prepare_sqlite_file(path: str) -> None:
    """Create the file's folder and switch it to WAL (the mode persists in the file). A new database
    is created readable by its owner only (it holds password hashes): SQLite gives its -wal and -shm
    files the database's mode."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()


def refresh_sqlite_statistics(path: str) -> None:
    """ANALYZE on a sample of each index, so SQLite's planner knows which filter is the narrow one.

    Without statistics it takes every index equality for equally selective, and a catalogue page filtered
    by province and stars walked a third of the catalogue by stars. The sample bounds the cost (tens of
    milliseconds on a five-million-row ledger).
    """
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA analysis_limit = 1000")
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()


async def refresh_statistics(engine: Any) -> None:
    """The planner's statistics brought up to date (after bulk loads; the scheduler runs it every 6 hours)."""
    if is_sqlite(engine):
        await asyncio.to_thread(refresh_sqlite_statistics, engine.path)
    else:  # autovacuum analyzes too, but only once enough rows changed and it gets round to it
        await engine.run_ddl("ANALYZE")


async def start(engine: Any) -> None:
    """Open what the engine keeps open for the life of a worker."""
    if is_sqlite(engine):
        prepare_sqlite_file(engine.path)
        await refresh_statistics(engine)
    else:
        await engine.start_connection_pool(min_size=2, max_size=10)


async def stop(engine: Any, grace_seconds: float = 10) -> None:
    if isinstance(engine, PooledSQLiteEngine):
        engine.close_connections()
    elif not is_sqlite(engine) and engine.pool is not None:
        # close() waits for every connection to be released; a query cut off by a cancelled job
        # can keep one in use, so after a grace period the pool is terminated instead.
        try:
            await asyncio.wait_for(engine.pool.close(), timeout=grace_seconds)
        except TimeoutError:
            engine.pool.terminate()
        engine.pool = None


async def insert_many(table: type[Table], rows: list[dict[str, Any]], *, returning: bool = False) -> list[int]:
    """Insert plain rows (column name -> value; a column a row leaves out takes its default) in bulk;
    with `returning`, the new rows' ids in order (one statement a row, for the few rows that need them).

    Piccolo builds a Table object and a quoted statement fragment per row: for a 10,000-product import
    that cost more than the database took to write the rows, and a one-row insert (an agreement, its lines)
    cost more than its statement. Here the values are bound to one statement run for every row
    (executemany), in the caller's transaction or one of its own.
    """
    engine = table._meta.db
    if not rows:
        return []
    key = table._meta.primary_key._meta.db_column_name
    if not isinstance(engine, PooledSQLiteEngine | PostgresEngine):  # Piccolo's own engine (measurements)
        ids = []
        for start in range(0, len(rows), 500):
            ids += [r[key] for r in await table.insert(*[table(**row) for row in rows[start : start + 500]])]
        return ids
    names, made = _insert_shape(table)
    unknown = set().union(*rows) - set(names)
    if unknown:
        raise ValueError(f"{table._meta.tablename} has no column {', '.join(sorted(unknown))}")
    defaults = [_default_now(default) for default in made]
    values = [tuple(_sql_value(row[name]) if name in row else default for name, default in zip(names, defaults,
                                                                                                 strict=True))
              for row in rows]
    quoted = ", ".join(f'"{name}"' for name in names)
    async with engine.transaction():
        transaction = engine.current_transaction.get()
        assert transaction is not None  # the one just opened
        if isinstance(engine, PooledSQLiteEngine):
            for row in values:
                _refuse_nul(row)
            statement = f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
            if returning:
                return await engine._statement(_each_returning, transaction.connection, f'{statement} RETURNING "{key}"',
                                               values)
            await engine._statement(_execute_many, transaction.connection, statement, values)
        else:
            marks = ", ".join(f"${i}" for i in range(1, len(names) + 1))
            statement = f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES ({marks})'
            if returning:
                return [await transaction.connection.fetchval(f'{statement} RETURNING "{key}"', *row) for row in values]
            await transaction.connection.executemany(statement, values)
    return []


@functools.cache
def _insert_shape(table: type[Table]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """A table's columns without its key, and their defaults (a `Default` is evaluated per insert: now()).
    Read once: a Piccolo ForeignKey resolves every attribute read through its own __getattribute__, and
    reading them per insert was a quarter of an agreement's entry."""
    columns = [c for c in table._meta.columns if not c._meta.primary_key]
    defaults = [getattr(c, "default", None) for c in columns]
    return (tuple(c._meta.db_column_name for c in columns),
            tuple(d.value if isinstance(d, Enum) else None if d is ... else d for d in defaults))


def _default_now(default: Any) -> Any:
    """A column's default as Piccolo's get_default_value gives it (a callable called), then evaluated."""
    value = default() if callable(default) else default
    return value.python() if isinstance(value, Default) else value


def _execute_many(connection: sqlite3.Connection, statement: str, rows: list) -> list:
    connection.executemany(statement, rows)
    return []


def _each_returning(connection: sqlite3.Connection, statement: str, rows: list) -> list[int]:
    return [connection.execute(statement, row).fetchone()[0] for row in rows]


def _sql_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
