"""Writing the stock ledger: movements and their balances, in one transaction, exactly once.

A *unit* is a list of movements that succeed or fail together (one sale, the two halves of a
transfer, a batch of 10,000, the corrections of a count). For each movement of a unit:

1. a movement with the same idempotency key already in the ledger makes the unit a replay:
   the stored movements are returned and nothing is written;
2. the balance of point × product × lot changes by the signed quantity with one conditional
   statement, so stock can never go below zero, even under concurrency;
3. the movement row is appended.

On SQLite every unit goes through one writer thread per process that commits many units in
one transaction (group commit) and answers each caller only after COMMIT: the same durability
as a transaction per request at a fraction of the cost. That durability is WAL's with
synchronous=NORMAL: a killed process loses nothing acknowledged (tests/hardening kills the
server mid-stream), a power cut or an operating-system crash may lose the last commits. Each unit sits in a SAVEPOINT, so a
refused unit does not disturb the others in the group. On PostgreSQL each unit is a plain
transaction on the pool; the conditional UPDATE takes the row lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import msgspec

from core.audit import raw_audit_insert
from core.database import Checkpointer, WriteTurn, placeholders
from core.errors import N_, Conflict, DomainError


class WriterUnavailable(DomainError):
    status_code = 503


class InsufficientStock(Conflict):
    """Selling or moving more than is on hand; carries the quantity available."""

    def __init__(self, product_id: int, lot_code: str, available: int, lots: dict[str, int] | None = None) -> None:
        self.available = available
        self.product_id = product_id
        if not lot_code and not available and lots:
            # Taken without a lot where all the stock is in lots: say which lots hold it.
            super().__init__(
                N_("This product is kept by lot here: choose one of its lots (%(lots)s). The movement was refused."),
                lots=", ".join(f"{code}: {quantity}" for code, quantity in sorted(lots.items())),
            )
            return
        super().__init__(
            N_("Only %(available)s left of this product (lot %(lot)s): the movement was refused."),
            available=available,
            lot=lot_code or "—",
        )

    @classmethod
    def from_balances(cls, product_id: int, lot_code: str, lots: dict[str, int]) -> InsufficientStock:
        """From the product's balances at the point, lot code → quantity."""
        return cls(product_id, lot_code, lots.get(lot_code, 0), {code: q for code, q in lots.items() if code and q > 0})


class HeldForAnother(Conflict):
    """Receiving into a lot that is on hand for another owner: a lot is held for one owner at a time."""

    def __init__(self, lot_code: str, quantity: int, holder: str | None) -> None:
        if holder is None:
            super().__init__(
                N_("Lot %(lot)s of this product is here as the point's own goods (%(quantity)s on hand): receive "
                   "consigned goods under their own lot code. The movement was refused."),
                lot=lot_code or "—", quantity=quantity)
            return
        super().__init__(
            N_("Lot %(lot)s of this product is here as goods consigned by %(holder)s (%(quantity)s on hand): receive "
               "these goods under their own lot code, or with the same owner. The movement was refused."),
            lot=lot_code or "—", quantity=quantity, holder=holder)


POINT_OWNS = 0  # the owner of the point's own goods; any other owner is a producer's id


@dataclass(frozen=True)
class Held:
    """Whose goods a lot holds, on which terms: what every movement of the lot carries."""

    owner: int = POINT_OWNS
    commission_bp: int | None = None
    producer_price: int | None = None


@dataclass(frozen=True)
class MovementSpec:
    """A movement checked by the service and ready to be written.

    Ownership: a decrease moves the goods of whoever the lot holds them for. An increase with `held`
    (a receipt) sets the lot's owner and terms, refused while the lot holds another owner's goods; with
    `follows`, it takes those of the movement before it in the unit (the incoming half of a transfer);
    otherwise (a customer's return, a count) it adds to the lot's current owner.
    """

    point_id: int
    product_id: int
    kind: str
    quantity: int
    unit_price: int = 0
    lot_code: str = ""
    lot_expiry: dt.date | None = None
    happened_at: dt.datetime | None = None
    recorded_by: int | None = None
    idempotency_key: str | None = None
    corrects: int | None = None
    transfer: str | None = None
    note: str = ""
    held: Held | None = None
    follows: bool = False


@dataclass
class UnitResult:
    """What a written (or replayed) unit produced: movement ids and the balances after it."""

    movement_ids: list[int]
    balances: list[int]
    replayed: bool = False


@dataclass(frozen=True)
class Unit:
    """What to write: ready specs, or a context query whose row `build` turns into specs.

    The second form lets the hot path (one movement at the counter) read what it is checked
    against (the point, the manager, the assortment, the certificate) inside the writing
    transaction: consistent with the write, and with no extra round trip before it.
    """

    specs: tuple[MovementSpec, ...] = ()
    context_sql: str = ""  # with {} placeholders
    context_params: tuple = ()
    build: Callable[[dict | None], list[MovementSpec]] | None = None
    audit: dict | None = None
    # Keys a `build` unit will write: a retry finds them and replays without re-checking
    # (the product may have left the assortment since the first, successful attempt).
    replay_keys: tuple[str, ...] = ()

    def sql_for(self, engine: str) -> str:
        return placeholders(self.context_sql, engine)


@dataclass
class _Pending:
    unit: Unit
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    result: Any = None
    error: BaseException | None = None


_MOVEMENT_COLUMNS = (
    "point", "product", "kind", "quantity", "unit_price", "lot_code", "lot_expiry", "happened_at",
    "recorded_by", "idempotency_key", "corrects", "transfer", "note", "owner", "commission_bp", "producer_price",
)
_HELD = "quantity, owner, commission_bp, producer_price"

# -- the statements, written once -------------------------------------------------------------
# In PostgreSQL's numbered form; SQLite reads the same numbers as ?1, ?2 (`_Dialect`). `{in}` is a
# membership test in a list passed as one parameter, the one thing the engines spell differently.

_BALANCE = "SELECT quantity FROM stock_balance WHERE point = $1 AND product = $2 AND lot_code = $3"
_LOCK_BALANCE = _BALANCE + " FOR UPDATE"  # PostgreSQL's row lock; SQLite's one writer needs none
_LOTS = "SELECT lot_code, quantity FROM stock_balance WHERE point = $1 AND product = $2"
_ON_HAND = ("SELECT product, lot_code, quantity, owner, commission_bp, producer_price "
            "FROM stock_balance WHERE point = $1 AND product {in $2 int}")
_HOLDER = "SELECT name FROM producer WHERE id = $1"
# No ORDER BY: with it, SQLite's planner (on an analyzed file) walks the whole ledger in id order instead of
# looking the keys up in their index. `_replay` sorts the few rows.
BY_KEYS = "SELECT id, point, product, lot_code, idempotency_key FROM stock_movement WHERE idempotency_key {in $1 varchar}"
# Stock can never go below zero: the decrease is conditional on what the balance holds.
_TAKE = ("UPDATE stock_balance SET quantity = quantity + $1 "
         f"WHERE point = $2 AND product = $3 AND lot_code = $4 AND quantity + $1 >= 0 RETURNING {_HELD}")
_UPSERT = ("INSERT INTO stock_balance (point, product, lot_code, lot_expiry, quantity, owner, commission_bp, producer_price) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (point, product, lot_code) DO UPDATE SET quantity = {quantity}, "
           "lot_expiry = COALESCE(excluded.lot_expiry, stock_balance.lot_expiry){held}")
_NEW_OWNER = (", owner = excluded.owner, commission_bp = excluded.commission_bp, producer_price = excluded.producer_price")
# Adds to the lot's owner (the row's, or the point when the lot is new).
_ADD = _UPSERT.format(quantity="stock_balance.quantity + excluded.quantity", held="") + f" RETURNING {_HELD}"
# Adds for a given owner: only to a lot that holds that owner's goods or nothing.
_ADD_OWNED = (_UPSERT.format(quantity="stock_balance.quantity + excluded.quantity", held=_NEW_OWNER)
              + f" WHERE stock_balance.owner = excluded.owner OR stock_balance.quantity = 0 RETURNING {_HELD}")
_SET = _UPSERT.format(quantity="excluded.quantity", held=_NEW_OWNER)
_APPEND = (f"INSERT INTO stock_movement ({', '.join(_MOVEMENT_COLUMNS)}) "
           f"VALUES ({', '.join(f'${i}' for i in range(1, len(_MOVEMENT_COLUMNS) + 1))})")
_NEXT_ID = "SELECT COALESCE(MAX(id), 0) + 1 FROM stock_movement"
_LAST_ID = "SELECT MAX(id) FROM stock_movement"
# A movement dated before snapshot runs of its point changes what those runs hold.
_SNAPSHOT_ADJUST = (
    "INSERT INTO stock_snapshot (point, product, lot_code, taken_at, quantity) "
    "SELECT r.point, $1, $2, r.taken_at, $3 FROM stock_snapshot_run r WHERE r.point = $4 AND r.taken_at >= $5 "
    "ON CONFLICT (point, taken_at, product, lot_code) DO UPDATE SET quantity = stock_snapshot.quantity + excluded.quantity"
)
_AUDIT = raw_audit_insert([f"${i}" for i in range(1, 9)])


class _Dialect:
    """Where the ledger's SQL differs between the engines, and only there: placeholders, lists
    passed as one parameter, the clock's type, row locks, and SQLite's batch path."""

    _IN_LIST = re.compile(r"\{in \$(\d+) (\w+)\}")

    def __init__(self, name: str) -> None:
        self.name = name
        self.sqlite = name == "sqlite"
        self._spelled: dict[str, str] = {}

    def sql(self, statement: str) -> str:
        spelled = self._spelled.get(statement)
        if spelled is None:
            if self.sqlite:
                spelled = self._IN_LIST.sub(r"IN (SELECT value FROM json_each(?\1))", statement).replace("$", "?")
            else:
                spelled = self._IN_LIST.sub(r"= ANY($\1::\2[])", statement)
            self._spelled[statement] = spelled
        return spelled

    def value(self, parameter: Any) -> Any:
        """A list parameter as the engine takes it: SQLite reads it with json_each."""
        return msgspec.json.encode(parameter).decode() if self.sqlite and isinstance(parameter, list) else parameter

    def now(self) -> Any:
        # On SQLite as text, as Piccolo's adapter would write a UTC datetime: the adapter is slow per call.
        moment = dt.datetime.now(dt.UTC)
        return str(moment) if self.sqlite else moment


SQLITE, POSTGRES = _Dialect("sqlite"), _Dialect("postgres")


# -- one unit, as steps an engine's driver runs -------------------------------------------------
# The logic is written once, as a generator of (statement, parameters, what it returns); the SQLite
# writer's thread runs it on sqlite3, PostgreSQL's pool on asyncpg.

VALUE, ROW, ROWS, NONE, MANY = "value", "row", "rows", "none", "many"
Step = tuple[str, tuple, str]
Steps = Generator[Step, Any, Any]


def _audit_json(audit: dict, written: list[int]) -> str:
    return msgspec.json.encode({**audit["after"], "movements": written}, enc_hook=str).decode()


def _audit_step(audit: dict | None, specs: list[MovementSpec], written: list[int], now: Any) -> Steps:
    """The unit's one audit row: on the point, the movements it wrote."""
    if audit is not None and written:
        yield (_AUDIT, (now, audit["user_id"], audit["username"], audit["action"], "salespoint",
                        str(specs[0].point_id), None, _audit_json(audit, written)), NONE)


def _movement_values(spec: MovementSpec, now: Any, held: Held) -> tuple:
    return (
        spec.point_id, spec.product_id, spec.kind, spec.quantity, spec.unit_price, spec.lot_code, spec.lot_expiry,
        spec.happened_at or now, spec.recorded_by, spec.idempotency_key, spec.corrects, spec.transfer, spec.note,
        held.owner, held.commission_bp, held.producer_price,
    )


def _held_refusal(point: int, product: int, lot: str) -> Steps:
    """The refusal of a receipt into a lot held for another owner, naming that owner."""
    row = yield (f"SELECT {_HELD} FROM stock_balance WHERE point = $1 AND product = $2 AND lot_code = $3",
                 (point, product, lot), ROW)
    owner = row["owner"] if row else POINT_OWNS
    holder = (yield (_HOLDER, (owner,), VALUE)) if owner != POINT_OWNS else None
    return HeldForAnother(lot, row["quantity"] if row else 0, holder)


def _balance(point: int, product: int, lot: str) -> Steps:
    return (yield (_BALANCE, (point, product, lot), VALUE)) or 0


def _replay(keys: tuple[str, ...]) -> Steps:
    """The stored result when every key is in the ledger; else None, with the keys that are (→ ids)."""
    rows = sorted((yield (BY_KEYS, (list(keys),), ROWS)), key=lambda row: row[0])
    if len(rows) != len(keys):
        return None, {r[4]: r[0] for r in rows}
    balances = []
    for row in rows:
        balances.append((yield from _balance(row[1], row[2], row[3])))
    return UnitResult(movement_ids=[r[0] for r in rows], balances=balances, replayed=True), {}


def _recorded(specs: list[MovementSpec]) -> Steps:
    """Idempotency keys of the unit already in the ledger → their movement ids."""
    keys = [s.idempotency_key for s in specs if s.idempotency_key]
    if not keys:
        return {}
    return {r[4]: r[0] for r in (yield (BY_KEYS, (keys,), ROWS))}


def _refusal(point: int, product: int, lot: str, running: dict[tuple[int, int, str], int] | None = None) -> Steps:
    """The refusal of a movement taking more than its balance holds, with what is there by lot
    (`running`: balances as a unit being checked has left them so far)."""
    lots = {r[0]: r[1] for r in (yield (_LOTS, (point, product), ROWS))}
    lots.update({key[2]: quantity for key, quantity in (running or {}).items() if key[:2] == (point, product)})
    return InsufficientStock.from_balances(product, lot, lots)


def _unit(unit: Unit, dialect: _Dialect) -> Steps:
    """Writes one unit on an open transaction; raises without writing on refusal.

    Movements whose idempotency key is already in the ledger are not written again: their
    stored ids are returned, so a retried request or a re-sent offline batch takes effect once.
    """
    specs = list(unit.specs)
    recorded: dict[str, int] | None = None
    if unit.replay_keys:
        replay, recorded = yield from _replay(unit.replay_keys)
        if replay is not None:
            return replay
    if unit.build is not None:
        specs = unit.build((yield (unit.sql_for(dialect.name), unit.context_params, ROW)))
    if recorded is not None and not {s.idempotency_key for s in specs if s.idempotency_key} <= set(unit.replay_keys):
        recorded = None  # the unit writes keys the replay check did not look up
    if not dialect.sqlite:  # balance rows locked in one global order: crossing transfers cannot deadlock
        for key in sorted({(s.point_id, s.product_id, s.lot_code) for s in specs}):
            yield (_LOCK_BALANCE, key, NONE)
    if recorded is None:
        recorded = yield from _recorded(specs)
    now = dialect.now()
    if dialect.sqlite and len(specs) > 1:
        return (yield from _many(specs, recorded, unit.audit, now))
    ids, balances, written = [], [], []
    held = Held()
    for spec in specs:
        if spec.idempotency_key is not None and spec.idempotency_key in recorded:
            ids.append(recorded[spec.idempotency_key])
            balances.append((yield from _balance(spec.point_id, spec.product_id, spec.lot_code)))
            continue
        where = (spec.point_id, spec.product_id, spec.lot_code)
        if spec.quantity < 0:
            row = yield (_TAKE, (spec.quantity, *where), ROW)
            if row is None:
                raise (yield from _refusal(*where))
        else:
            given = held if spec.follows else spec.held
            if given is None:
                row = yield (_ADD, (*where, spec.lot_expiry, spec.quantity, POINT_OWNS, None, None), ROW)
            else:
                row = yield (_ADD_OWNED, (*where, spec.lot_expiry, spec.quantity, given.owner, given.commission_bp,
                                          given.producer_price), ROW)
                if row is None:
                    raise (yield from _held_refusal(*where))
        held = Held(row["owner"], row["commission_bp"], row["producer_price"])
        balances.append(row["quantity"])
        movement = yield (_APPEND + " RETURNING id", _movement_values(spec, now, held), VALUE)
        if spec.happened_at is not None:  # dated in the past: snapshots taken since must include it
            yield (_SNAPSHOT_ADJUST, (spec.product_id, spec.lot_code, spec.quantity, spec.point_id, spec.happened_at), NONE)
        ids.append(movement)
        written.append(movement)
    yield from _audit_step(unit.audit, specs, written, now)
    return UnitResult(movement_ids=ids, balances=balances, replayed=not written)


def _many(specs: list[MovementSpec], recorded: dict[str, int], audit: dict | None, now: Any) -> Steps:
    """SQLite's path for a unit of many movements (a batch of 10,000, a transfer, a count): the
    balances it touches are read once, each movement is checked against the running balance in
    order, and only then is anything written: every touched balance once, every movement through
    one executemany.

    This is sound because the unit runs on the only writer, inside its write transaction: nothing
    can change those balances between the read and the write. Statement by statement, a batch of
    10,000 cost 20,000 round trips from Python into SQLite.
    """
    on_hand, holders = yield from _on_hand({(s.point_id, s.product_id, s.lot_code) for s in specs})
    expiry: dict[tuple[int, int, str], dt.date] = {}
    ids: list[int | None] = []
    balances, fresh, carried = [], [], []
    held = Held()
    for spec in specs:
        key = (spec.point_id, spec.product_id, spec.lot_code)
        if spec.idempotency_key in recorded:
            ids.append(recorded[spec.idempotency_key])
            balances.append(on_hand.get(key, 0))
            continue
        before = on_hand.get(key, 0)
        after = before + spec.quantity
        if after < 0:
            raise (yield from _refusal(spec.point_id, spec.product_id, spec.lot_code, on_hand))
        given = held if spec.follows else spec.held
        if spec.quantity > 0 and given is not None:
            holder = holders.get(key, Held())
            if before > 0 and holder.owner != given.owner:
                name = (yield (_HOLDER, (holder.owner,), VALUE)) if holder.owner != POINT_OWNS else None
                raise HeldForAnother(spec.lot_code, before, name)
            holders[key] = given
        held = holders.get(key, Held())
        on_hand[key] = after
        if spec.quantity > 0 and spec.lot_expiry is not None:
            expiry[key] = spec.lot_expiry
        ids.append(None)
        balances.append(after)
        fresh.append(spec)
        carried.append(held)
    if not fresh:
        return UnitResult(movement_ids=ids, balances=balances, replayed=True)  # type: ignore[arg-type]
    touched = {(s.point_id, s.product_id, s.lot_code) for s in fresh}
    rows = []
    for key in sorted(touched):
        holder = holders.get(key, Held())
        rows.append((*key, expiry.get(key), on_hand[key], holder.owner, holder.commission_bp, holder.producer_price))
    yield (_SET, rows, MANY)  # type: ignore[misc]
    # The writer holds the write lock and the ledger is append-only: new rows take the next ids in order.
    first = yield (_NEXT_ID, (), VALUE)
    yield (_APPEND, [_movement_values(spec, now, h) for spec, h in zip(fresh, carried, strict=True)], MANY)  # type: ignore[misc]
    last = yield (_LAST_ID, (), VALUE)
    if last - first + 1 != len(fresh):
        raise RuntimeError("stock_movement ids were not assigned in sequence")
    written = list(range(first, last + 1))
    numbers = iter(written)
    ids = [next(numbers) if i is None else i for i in ids]
    dated = [(s.product_id, s.lot_code, s.quantity, s.point_id, s.happened_at) for s in fresh if s.happened_at is not None]
    if dated:  # dated in the past: snapshots taken since must include them
        yield (_SNAPSHOT_ADJUST, dated, MANY)  # type: ignore[misc]
    yield from _audit_step(audit, specs, written, now)
    return UnitResult(movement_ids=ids, balances=balances)  # type: ignore[arg-type]


def _on_hand(keys: set[tuple[int, int, str]]) -> Steps:
    """Current quantities of point × product × lot (absent: no row yet) and whose goods they are, read per point."""
    products_by_point: dict[int, set[int]] = {}
    for point, product, _ in keys:
        products_by_point.setdefault(point, set()).add(product)
    found: dict[tuple[int, int, str], int] = {}
    holders: dict[tuple[int, int, str], Held] = {}
    for point, products in products_by_point.items():
        for product, lot, quantity, owner, commission_bp, producer_price in (yield (_ON_HAND, (point, sorted(products)), ROWS)):
            found[(point, product, lot)] = quantity
            holders[(point, product, lot)] = Held(owner, commission_bp, producer_price)
    return found, holders


# -- the two drivers ------------------------------------------------------------------------------


def sqlite_apply_unit(connection: sqlite3.Connection, unit: Unit) -> UnitResult:
    """Runs a unit's steps on an open SQLite transaction (the writer's)."""
    steps, answer = _unit(unit, SQLITE), None
    try:
        while True:
            answer = _sqlite_answer(connection, *steps.send(answer))
    except StopIteration as done:
        return done.value


def _sqlite_answer(connection: sqlite3.Connection, statement: str, parameters: Any, returns: str) -> Any:
    sql = SQLITE.sql(statement)
    if returns == MANY:
        connection.executemany(sql, parameters)
        return None
    cursor = connection.execute(sql, tuple(SQLITE.value(p) for p in parameters))
    if returns == ROWS:
        return cursor.fetchall()
    row = cursor.fetchone() if returns != NONE else None
    if row is None:
        return None
    return row[0] if returns == VALUE else dict(zip([c[0] for c in cursor.description], row, strict=False))


async def pg_apply(connection, unit: Unit) -> UnitResult:
    """Writes one unit in its own PostgreSQL transaction (same contract as on SQLite)."""
    import asyncpg

    for attempt in range(3):
        try:
            return await _pg_apply_once(connection, unit)
        except (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError):
            # A concurrent request committed the same key between our check and our insert, or two
            # transfers crossed: the next attempt sees the key (a replay) or gets the locks.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _pg_apply_once(connection, unit: Unit) -> UnitResult:
    async with connection.transaction():
        keys = sorted(set(unit.replay_keys) | {s.idempotency_key for s in unit.specs if s.idempotency_key})
        for key in keys:  # same key at once: the second waits here, then replays
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", key)
        steps, answer = _unit(unit, POSTGRES), None
        try:
            while True:
                answer = await _pg_answer(connection, *steps.send(answer))
        except StopIteration as done:
            return done.value


async def _pg_answer(connection, statement: str, parameters: Any, returns: str) -> Any:
    sql = POSTGRES.sql(statement)
    if returns == VALUE:
        return await connection.fetchval(sql, *parameters)
    if returns == ROWS:
        return await connection.fetch(sql, *parameters)
    if returns == ROW:
        row = await connection.fetchrow(sql, *parameters)
        return dict(row) if row is not None else None
    return await connection.execute(sql, *parameters)


_LOOP_TRIES = 4  # waits for the turn before a group goes to the writer thread


class SQLiteLedgerWriter:
    """Commits queued units up to `group_size` per transaction, on one connection per path.

    Units are written on the event loop's own thread, in a callback that runs once the loop has
    gathered what its requests submitted: SQLite in WAL mode with synchronous=NORMAL does not
    wait for the disk at COMMIT, so a group costs the loop well under a millisecond, and no thread
    hands the GIL back and forth with the loop for every statement (which cost a quarter of the
    throughput and doubled p99). That path never blocks the loop: when the write turn is held
    elsewhere (another worker process, a transaction of this one), a thread waits until it is free
    and the loop tries again, with whatever was submitted meanwhile in the same group. Only when that
    fails `_LOOP_TRIES` times in a row (SQLite's lock held outside the turn: a tool, a long import)
    does the group go to the writer thread, which waits with SQLite's busy timeout.
    """

    def __init__(self, path: str, connect_kwargs: dict, group_size: int = 256) -> None:
        self._path = path
        self._connect_kwargs = connect_kwargs
        self._group_size = group_size
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._turn = WriteTurn(path)  # the writer thread's turn among all writers of the file
        # The path on the loop's thread: units gathered per loop, its connection and lock-file handle.
        self._gathered: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
        self._inline_lock = threading.Lock()
        self._inline_connection: sqlite3.Connection | None = None
        self._inline_turn = WriteTurn(path)  # a handle of its own: it excludes the thread's turn too
        self._tries: dict[asyncio.AbstractEventLoop, int] = {}  # loops whose group waits for the turn
        self._checkpointer = Checkpointer.of(path)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
                self._thread.start()
                self._checkpointer.start()

    async def submit(self, unit: Unit) -> UnitResult:
        loop = asyncio.get_running_loop()
        pending = _Pending(unit=unit, future=loop.create_future(), loop=loop)
        if self._thread is None or not self._thread.is_alive():
            self._ensure_thread()  # also the fallback path and the checkpoints
        gathered = self._gathered.get(loop)
        if gathered is None:
            self._gathered[loop] = [pending]
            loop.call_soon(self._write_gathered, loop)
        else:
            gathered.append(pending)
        # Every unit is answered: written here, or failed over to the thread, which answers all it takes.
        return await pending.future

    def _write_gathered(self, loop: asyncio.AbstractEventLoop) -> None:
        group = self._gathered.pop(loop, [])
        if len(group) > self._group_size:
            self._gathered[loop] = group[self._group_size :]
            loop.call_soon(self._write_gathered, loop)
            group = group[: self._group_size]
        if not group:
            return
        if self._write_now(group):
            self._tries.pop(loop, None)
            _settle(group)
            return
        tries = self._tries.get(loop, 0) + 1
        if tries >= _LOOP_TRIES:
            self._tries.pop(loop, None)
            for pending in group:
                self._queue.put(pending)
            return
        # Kept gathered (later units join it) while a thread waits for the turn; the loop goes on serving.
        self._tries[loop] = tries
        self._gathered[loop] = group + self._gathered.get(loop, [])
        waited = loop.run_in_executor(None, _wait_for_turn, self._path)
        waited.add_done_callback(lambda _: self._write_gathered(loop))

    def _write_now(self, group: list[_Pending]) -> bool:
        """Commits the group at once on this thread, or says False (nothing written) when that
        would mean waiting: for the other path, another process's turn, or SQLite's write lock."""
        if not self._inline_lock.acquire(blocking=False):
            return False
        try:
            if not self._inline_turn.take_now():
                return False
            try:
                if self._inline_connection is None:
                    self._inline_connection = self._connect()
                    self._inline_connection.execute("PRAGMA busy_timeout = 0")
                try:
                    self._inline_connection.execute("BEGIN IMMEDIATE")
                except sqlite3.Error:
                    return False  # locked by another connection (or worse: the thread will say)
                self._commit_group(self._inline_connection, group, begun=True)
                return True
            finally:
                self._inline_turn.give_back()
        finally:
            self._inline_lock.release()

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._queue.put(None)
                self._thread.join(timeout=10)
            self._thread = None
        with self._inline_lock:
            if self._inline_connection is not None:
                self._inline_connection.close()
                self._inline_connection = None
            self._inline_turn.close()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, **self._connect_kwargs)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints run beside the writer (core.database.Checkpointer), not inside a commit that callers wait for.
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        return connection

    def _run(self) -> None:
        try:
            connection = self._connect()
        except Exception as error:  # noqa: BLE001 - callers must hear about it, not wait
            self._fail_queued(error)
            return
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                group = [first]
                try:
                    with self._turn_taken():
                        # Gathered once the turn is ours: what queued while another worker wrote joins this group.
                        while len(group) < self._group_size:
                            try:
                                item = self._queue.get_nowait()
                            except queue.Empty:
                                break
                            if item is None:
                                self._queue.put(None)  # stop after this group
                                break
                            group.append(item)
                        self._commit_group(connection, group)
                except Exception as error:  # noqa: BLE001 - keep serving; this group's callers are told
                    for pending in group:
                        pending.result, pending.error = None, error
                _settle_threadsafe(group)
        finally:
            connection.close()
            self._turn.close()
            # Whatever stopped the writer, nobody queued behind it may wait forever.
            self._fail_queued(WriterUnavailable(N_("Stock cannot be written right now. Try again in a moment.")))

    @contextlib.contextmanager
    def _turn_taken(self):
        """The write turn among all writers of the file (core.database.WriteTurn), for one group."""
        self._turn.take()
        try:
            yield
        finally:
            self._turn.give_back()

    def _fail_queued(self, error: BaseException) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item.error = error
                _settle_threadsafe([item])

    def _commit_group(self, connection: sqlite3.Connection, group: list[_Pending], guard_all: bool = False,
                      begun: bool = False) -> None:
        """Writes the group in one transaction (begun by the caller, or here), each unit's outcome
        in its `result` or `error`; the caller answers them."""
        try:
            if not begun:
                connection.execute("BEGIN IMMEDIATE")
            # Undone to here, not by ROLLBACK, when the group must be redone: the write lock stays
            # ours (the loop's path could not wait to take it again).
            connection.execute("SAVEPOINT group_start")
            for index, pending in enumerate(group):
                # A one-movement unit is refused before it writes anything (its checks, then the
                # conditional UPDATE), so only larger units pay for a savepoint to undo a partial write.
                guarded = guard_all or len(pending.unit.specs) > 1
                if guarded:
                    connection.execute(f"SAVEPOINT unit{index}")
                changes = connection.total_changes
                try:
                    pending.result = sqlite_apply_unit(connection, pending.unit)
                    if guarded:
                        connection.execute(f"RELEASE unit{index}")
                except Exception as error:
                    if not connection.in_transaction:
                        raise  # SQLite ended the transaction itself (disk full, I/O): the group fails whole
                    if guarded:
                        connection.execute(f"ROLLBACK TO unit{index}")
                        connection.execute(f"RELEASE unit{index}")
                    elif connection.total_changes != changes:
                        # It failed after writing: undo the whole group and redo it unit by unit.
                        connection.execute("ROLLBACK TO group_start")
                        for other in group:
                            other.result, other.error = None, None
                        self._commit_group(connection, group, guard_all=True, begun=True)
                        return
                    pending.result, pending.error = None, error
            connection.execute("COMMIT")
        except BaseException as error:  # noqa: BLE001 - the whole group failed (disk full, locked too long...)
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            for pending in group:
                pending.result, pending.error = None, error


def _wait_for_turn(path: str) -> None:
    """Returns once the write turn on `path` has been free, on a handle of its own (blocking)."""
    turn = WriteTurn(path)
    try:
        turn.wait_until_free()
    finally:
        turn.close()


def _settle_threadsafe(group: list[_Pending]) -> None:
    """Answers the callers of a group with one wake-up of each event loop they wait on (the
    server's one loop, as a rule), not one per caller."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
    for pending in group:
        by_loop.setdefault(pending.loop, []).append(pending)
    for loop, waiting in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the caller's event loop has closed: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, waiting)


def _settle(waiting: list[_Pending]) -> None:
    for pending in waiting:
        if pending.future.done():
            continue
        if pending.error is not None:
            pending.future.set_exception(pending.error)
        else:
            pending.future.set_result(pending.result)
