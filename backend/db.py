"""The database engine, chosen by `DATABASE_URL`: SQLite by default, PostgreSQL for real deployments.

SQLite runs on `PooledSQLiteEngine`: connections stay open for the life of the process (a few
readers and one writer, each set up once), and every query is one call on a small, fixed set of
threads. Piccolo's own SQLite engine opens a new connection, in a new thread, for every query.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import sqlite3
import threading
import uuid
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.exceptions import TransactionError
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import Atomic, SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString

SQLITE_BUSY_TIMEOUT_SECONDS = 30
SQLITE_READERS = 4
"""Reader connections per process. SQLite releases the GIL while it works, so on two cores a few
readers run in parallel with the Python that builds the answers; more only wait for the CPU."""


# --- column converters ---------------------------------------------------------------------------
# Piccolo registers SQLite converters per declared column type. Its UUID and TIMESTAMPTZ ones go
# through a str/bytes wrapper and `uuid.UUID`'s general parser; a Home reads some 25 UUIDs and a
# dozen timestamps, so these two are replaced by ones that give the same values in half the time
# (3.3 -> 1.7 us a UUID here). Anything but the stored form (36 characters, dashes in their places)
# goes to the general parser, which also raises on what is not a UUID.
#
# The same values come back request after request (the asker's id, their items, their session's
# times), and both types are immutable, so each converter remembers the values it made, by the
# stored bytes: a dict lookup instead of a parse (1.7 -> 0.1 us a UUID). At most CONVERTED_MAX
# values each (a few MB); the memory is emptied when full. Only what parsed without error is kept.

CONVERTED_MAX = 16384
_new_object = object.__new__
_set_slot = object.__setattr__
_UUID_UNKNOWN = uuid.SafeUUID.unknown
_UTC = dt.timezone.utc
_from_iso = dt.datetime.fromisoformat
_uuids: dict[bytes | str, uuid.UUID] = {}
_instants: dict[bytes | str, dt.datetime] = {}
_uuid_texts: dict[int, str] = {}


def _parse_uuid(value: bytes | str) -> uuid.UUID:
    if isinstance(value, str):
        value = value.encode()
    if len(value) == 36 and value[8] == value[13] == value[18] == value[23] == 45 and value.count(b"-") == 4:
        digits = value.replace(b"-", b"")
        if digits.isalnum():  # no sign, space or underscore, which int() would take
            out = _new_object(uuid.UUID)
            _set_slot(out, "int", int(digits, 16))
            _set_slot(out, "is_safe", _UUID_UNKNOWN)
            return out
    return uuid.UUID(value.decode())


def _keep(memory: dict, key: Any, value: Any) -> Any:
    """Remember `value` under `key` (emptying the memory first when it is full); returns `value`.
    Only on a miss: the converters look up their memory inline, a hit costs no call."""
    if len(memory) >= CONVERTED_MAX:
        memory.clear()
    memory[key] = value
    return value


def convert_uuid_out(value: bytes | str) -> uuid.UUID:
    found = _uuids.get(value)
    return found if found is not None else _keep(_uuids, value, _parse_uuid(value))


def convert_timestamptz_out(value: bytes | str) -> dt.datetime:
    found = _instants.get(value)
    if found is not None:
        return found
    text = value.decode() if isinstance(value, bytes) else value
    return _keep(_instants, value, _from_iso(text).replace(tzinfo=_UTC))


def convert_uuid_in(value: uuid.UUID) -> str:
    """A UUID as a statement's argument: its text, as Piccolo's adapter gives it, remembered by its
    number (`str` of a UUID is formatted in Python, and the asker's id goes into most statements)."""
    found = _uuid_texts.get(value.int)
    return found if found is not None else _keep(_uuid_texts, value.int, str(value))


sqlite3.register_converter("UUID", convert_uuid_out)
sqlite3.register_converter("TIMESTAMPTZ", convert_timestamptz_out)
sqlite3.register_adapter(uuid.UUID, convert_uuid_in)


class SecureDeleteConnection(sqlite3.Connection):
    """An SQLite connection that overwrites deleted and replaced content with zeros
    (`secure_delete`), so an erased person's rows do not stay readable in the file's free space."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA secure_delete = ON")


def connection_pragmas(read_only: bool) -> list[str]:
    """What every pooled connection is set up with, once, when it opens."""
    pragmas = [
        "PRAGMA journal_mode = WAL",  # kept in the file; readers never wait for the writer
        "PRAGMA synchronous = NORMAL",  # with WAL: durable at checkpoints, safe against corruption
        "PRAGMA foreign_keys = ON",
        f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}",  # another process's writer
    ]
    if read_only:
        # A write that reaches a reader by mistake fails at once instead of taking the write lock.
        pragmas.append("PRAGMA query_only = ON")
    return pragmas


def is_read(sql: str) -> bool:
    """A statement that only reads, so it may run on a reader connection. Piccolo's `select`,
    `objects`, `count` and `exists` all start with SELECT; anything else (PRAGMA, DDL, a raw WITH
    that could hide a DELETE) goes to the writer."""
    return sql.lstrip()[:6].upper() == "SELECT"


class PooledConnection:
    """One open sqlite3 connection with its own thread (`thread`, None for the inline reader, which
    the event loop's thread uses): its statements run one after another, in order, without waiting
    on each other for a lock. `execute` is awaitable, so Piccolo's savepoints work on it unchanged."""

    __slots__ = ("raw", "lock", "read_only", "pool", "thread")

    def __init__(self, raw: sqlite3.Connection, read_only: bool, pool: "_Pool",
                 thread: ThreadPoolExecutor | None) -> None:
        self.raw = raw
        self.lock = threading.Lock()
        self.read_only = read_only
        self.pool = pool
        self.thread = thread

    def submit(self, sql: str, args: Any = ()) -> Future:
        return self.thread.submit(self.run, sql, args)

    def run(self, sql: str, args: Any = ()) -> list[dict]:
        """In a pool thread: run one statement to its end and return its rows as dicts."""
        with self.lock:
            cursor = self.raw.execute(sql, args)
            try:
                rows = cursor.fetchall()
                description = cursor.description
            finally:
                cursor.close()
        if not description:
            return []
        names = [column[0] for column in description]
        return [dict(zip(names, row)) for row in rows]

    async def execute(self, sql: str, args: Any = ()) -> list[dict]:
        return await self.pool.call(self, sql, args)


class _Pool:
    """The connections of one engine in one event loop (of one process): opened when first needed,
    kept open until `close`."""

    def __init__(self, engine: "PooledSQLiteEngine", loop: asyncio.AbstractEventLoop) -> None:
        self.engine = engine
        self.loop = loop
        self.readers: list[PooledConnection] = []  # idle ones
        self.opened: list[PooledConnection] = []
        self.reader_slots = asyncio.Semaphore(engine.readers)
        self.writer: PooledConnection | None = None
        self.writer_lock = asyncio.Lock()
        self.inline: PooledConnection | None = None  # `read_inline`'s own reader
        self.closed = False

    def _connect(self, read_only: bool, busy_timeout_ms: int | None = None) -> sqlite3.Connection:
        raw = sqlite3.connect(**self.engine.connection_kwargs)
        for pragma in connection_pragmas(read_only):
            raw.execute(pragma).close()
        if busy_timeout_ms is not None:
            raw.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}").close()
        return raw

    async def _open(self, read_only: bool) -> PooledConnection:
        """A new connection and its thread (the connection is opened there)."""
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="werkmaat-sqlite")
        try:
            raw = await asyncio.wrap_future(thread.submit(self._connect, read_only))
        except BaseException:
            thread.shutdown(wait=False)
            raise
        connection = PooledConnection(raw, read_only, self, thread)
        self.opened.append(connection)
        return connection

    async def call(self, connection: PooledConnection, sql: str, args: Any = ()) -> list[dict]:
        return await asyncio.wrap_future(connection.submit(sql, args))

    # --- checking connections out and in -------------------------------------------------------

    async def acquire(self, read_only: bool) -> PooledConnection:
        if read_only:
            await self.reader_slots.acquire()
            try:
                if self.readers:
                    return self.readers.pop()
                return await self._open(True)
            except BaseException:
                self.reader_slots.release()
                raise
        await self.writer_lock.acquire()
        try:
            if self.writer is None:
                self.writer = await self._open(False)
            return self.writer
        except BaseException:
            self.writer_lock.release()
            raise

    def release(self, connection: PooledConnection) -> None:
        if connection.read_only:
            if not self.closed:
                self.readers.append(connection)
            self.reader_slots.release()
        else:
            self.writer_lock.release()

    def release_when_done(self, future: Future, connection: PooledConnection) -> None:
        """Give a connection back once the statement running on it has ended (its caller was
        cancelled while the thread still works), so nobody else uses it meanwhile."""
        future.add_done_callback(lambda _: self.loop.call_soon_threadsafe(self.release, connection))

    async def run(self, sql: str, args: Any, read_only: bool) -> list[dict]:
        """One statement outside a transaction, on a reader or on the writer (autocommit)."""
        connection = await self.acquire(read_only)
        future = connection.submit(sql, args)
        try:
            rows = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            self.release_when_done(future, connection)
            raise
        except BaseException:
            self.release(connection)
            raise
        self.release(connection)
        return rows

    def read_inline(self, sql: str, args: Any) -> list[dict] | None:
        """A read of a few rows by key, right here on the event loop's thread (see
        `PooledSQLiteEngine.point_read`); None when SQLite was busy, so the caller takes a thread."""
        if self.inline is None:
            raw = self._connect(True, busy_timeout_ms=INLINE_BUSY_TIMEOUT_MS)
            self.inline = PooledConnection(raw, True, self, thread=None)
            self.opened.append(self.inline)
        try:
            return self.inline.run(sql, args)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return None
            raise

    def close(self) -> None:
        """Close every connection (in the pool's threads, after what runs there) and stop the threads."""
        self.closed = True
        for connection in self.opened:
            def close(c: PooledConnection = connection) -> None:
                with c.lock:
                    c.raw.close()
            if connection.thread is None:
                close()
                continue
            try:
                connection.thread.submit(close)
            except RuntimeError:  # its thread is already shut down (interpreter exit)
                pass
            connection.thread.shutdown(wait=False)
        self.opened.clear()
        self.readers.clear()


INLINE_BUSY_TIMEOUT_MS = 50
"""How long an inline read may wait for SQLite before it hands the read to a thread instead. WAL
readers wait only in rare moments (opening a log another process is resetting); the event loop,
which serves every other request, must not wait the full busy timeout then."""


class PooledTransaction(SQLiteTransaction):
    """A transaction on a pooled connection: a write transaction on the writer (BEGIN IMMEDIATE,
    so the write lock is taken up front and concurrent writers of this process queue for it), a
    read snapshot on a reader (BEGIN DEFERRED, no lock; WAL keeps its view stable)."""

    __slots__ = ("read_only", "pool")

    def __init__(self, engine: "PooledSQLiteEngine", transaction_type: TransactionType, allow_nested: bool,
                 read_only: bool) -> None:
        super().__init__(engine=engine, transaction_type=transaction_type, allow_nested=allow_nested)
        self.read_only = read_only
        if self._parent is not None and self._parent.read_only and not read_only:
            raise TransactionError("A write transaction cannot run inside a read snapshot (one_snapshot).")

    async def __aenter__(self) -> PooledTransaction:
        if self._parent is not None:
            return self._parent
        self.pool = self.engine.pool()
        self.connection = await self.pool.acquire(self.read_only)
        try:
            await self.begin()
        except BaseException:
            self.pool.release(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        await self.connection.execute(f"BEGIN {self.transaction_type.value}")

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        self.engine.current_transaction.reset(self.context)
        statement = None
        if exception:
            if not self._rolled_back:
                statement = "ROLLBACK"
        elif not self._committed and not self._rolled_back:
            statement = "COMMIT"
        if statement is None:
            self.pool.release(self.connection)
            return exception is None
        future = self.connection.submit(statement)
        try:
            await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            self.pool.release_when_done(future, self.connection)
            raise
        except BaseException:
            # A failed COMMIT can leave the transaction open: roll it back before anyone else uses
            # the connection, then report the failure.
            if self.connection.raw.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    await self.connection.execute("ROLLBACK")
            self.pool.release(self.connection)
            raise
        if statement == "COMMIT":
            self._committed = True
        else:
            self._rolled_back = True
        self.pool.release(self.connection)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with open, reused connections.

    - Readers: up to `readers` connections for statements that only read (`is_read`), opened
      `query_only`, so several answers read at once (WAL lets readers and the writer work side
      by side).
    - One writer: every other statement and every transaction, one at a time within the process
      (an asyncio lock; other processes queue on SQLite's own lock, with the busy timeout). A
      transaction's reads run on its own connection, so they see its writes.
    - Each connection is set up once (`connection_pragmas`) and has one thread of its own (at most
      `readers + 1` threads in all), never a new thread per query.

    Pools are per event loop and per process: `asyncio.run` in a command, the server's loop and a
    forked child each get their own, and never share a connection across a fork.
    """

    def __init__(self, path: str, readers: int = SQLITE_READERS, **connection_kwargs: Any) -> None:
        connection_kwargs.setdefault("timeout", SQLITE_BUSY_TIMEOUT_SECONDS)
        connection_kwargs.setdefault("factory", SecureDeleteConnection)
        connection_kwargs["check_same_thread"] = False  # used by one pool thread at a time
        super().__init__(path=path, **connection_kwargs)
        self.readers = readers
        self._pools: dict[int, _Pool] = {}
        self._pools_lock = threading.Lock()
        self._last: _Pool | None = None
        os.register_at_fork(after_in_child=_forget_after_fork(weakref.ref(self)))

    # --- pools -------------------------------------------------------------------------------------

    def pool(self) -> _Pool:
        """The pool of the running event loop (created on first use)."""
        loop = asyncio.get_running_loop()
        pool = self._last
        if pool is not None and pool.loop is loop:
            return pool
        with self._pools_lock:
            pool = self._pools.get(id(loop))
            if pool is None or pool.loop is not loop:
                for key, old in list(self._pools.items()):
                    if old.loop.is_closed():
                        old.close()
                        del self._pools[key]
                pool = self._pools[id(loop)] = _Pool(self, loop)
            self._last = pool
            return pool

    def _forget_pools(self) -> None:
        """In a forked child: the parent's connections and threads are not ours to use or close."""
        self._pools = {}
        self._pools_lock = threading.Lock()
        self._last = None

    async def start_connection_pool(self, **_: Any) -> None:
        """Open the writer and one reader now, so the first request does not pay for it."""
        pool = self.pool()
        for read_only in (False, True):
            pool.release(await pool.acquire(read_only))

    async def close_connection_pool(self) -> None:
        """Close the running loop's connections (the server's lifespan does this at shutdown)."""
        loop = asyncio.get_running_loop()
        with self._pools_lock:
            pool = self._pools.pop(id(loop), None)
            if self._last is pool:
                self._last = None
        if pool is not None:
            # Wait for the writer and every reader to be idle, then close them.
            async with pool.writer_lock:
                for _ in range(self.readers):
                    await pool.reader_slots.acquire()
                pool.close()

    # --- running statements ------------------------------------------------------------------------

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        query, args = querystring.compile_string(engine_type=self.engine_type)
        return await self._run(query, args)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        return await self._run(ddl, ())

    async def _run(self, sql: str, args: Any) -> list[dict]:
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=sql)
        transaction = self.current_transaction.get()
        if transaction is not None:
            if transaction.read_only and not is_read(sql):
                raise TransactionError(f"A write inside a read snapshot (one_snapshot): {sql[:60]}")
            response = await transaction.connection.execute(sql, args)
        else:
            response = await self.pool().run(sql, args, read_only=is_read(sql))
        if self.log_responses:
            self.print_response(query_id=self.query_id, response=response)
        return response

    async def point_read(self, sql: str, args: Any) -> list[dict]:
        """A read of a few rows by primary or unique key (the session lookup on every request,
        `/api/me`): it takes SQLite microseconds, less than handing it to a pool thread and back
        (measured: 9 us CPU inline, 67 us through a thread), so it runs on the event loop's own
        reader connection. Inside a transaction it runs on the transaction's connection. Only for
        such reads: anything that scans would hold up every other request meanwhile. `sql` has
        SQLite's `?` placeholders (see the module's `point_read`)."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.execute(sql, args)
        if not is_read(sql):
            raise ValueError(f"point_read is for SELECT statements: {sql[:60]}")
        pool = self.pool()
        rows = pool.read_inline(sql, args)
        if rows is None:
            rows = await pool.run(sql, args, read_only=True)
        return rows

    # --- transactions ------------------------------------------------------------------------------

    def transaction(self, transaction_type: TransactionType = TransactionType.immediate,
                    allow_nested: bool = True) -> PooledTransaction:
        """A write transaction on the writer. IMMEDIATE by default: a DEFERRED transaction that
        reads and then writes must upgrade its lock, and SQLite fails that upgrade at once (no busy
        timeout) when another process writes. Every transaction here is short and writes."""
        return PooledTransaction(self, transaction_type, allow_nested, read_only=False)

    def read_snapshot(self) -> PooledTransaction:
        """A read-only transaction on a reader: many reads, one consistent view, no lock."""
        return PooledTransaction(self, TransactionType.deferred, allow_nested=True, read_only=True)

    def atomic(self, transaction_type: TransactionType = TransactionType.immediate) -> Atomic:
        return Atomic(engine=self, transaction_type=transaction_type)


def _forget_after_fork(ref: "weakref.ref[PooledSQLiteEngine]") -> Callable[[], None]:
    def forget() -> None:
        engine = ref()
        if engine is not None:
            engine._forget_pools()
    return forget


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool `reset` hook: nothing beyond the ROLLBACK of a transaction left open (which
    asyncpg does itself). See `PooledPostgresEngine`."""


POSTGRES_POOL_MIN, POSTGRES_POOL_MAX = 2, 16
"""Connections of a process's asyncpg pool: a few open at once, at most 16 (asyncpg's own default is
10 and 10: ten held open per process even when idle)."""
POSTGRES_POINT_READ_CONNECTIONS = 8
"""Of those, the most a process keeps for `point_read` (see `PooledPostgresEngine`): one per request
in flight at 8 connections. Always at least two fewer than the pool's size, so transactions and
other queries find a connection and a read waiting to keep one can never wait forever."""


class PooledPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, with two savings on every request (issue 14):

    - The asyncpg pool does not reset a connection's session when it comes back. By default asyncpg
      runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` after every query run
      outside a transaction: a second round trip per query, which cost more than most of our
      queries. Werkmaat never takes advisory locks, LISTENs, keeps cursors or SETs session
      variables outside a transaction, so there is nothing to reset; an open transaction is still
      rolled back (asyncpg does that before calling the hook).
    - `point_read` (the session lookup, `/api/me`, the Home's reads) runs on a few connections taken
      from the pool once and kept (`POSTGRES_POINT_READ_CONNECTIONS`), instead of an acquire and a
      release through the pool per query: measured 26 against 55-60 us of CPU per query. When all
      of them are busy it takes one from the pool as any query does; a connection whose query failed
      or was cancelled goes back to the pool (which closes a broken one) and is not kept.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: list[Any] = []   # connections held for point reads
        self._idle: list[Any] = []   # of those, the ones not running a query now
        self._taking = 0             # kept connections being taken from the pool right now

    async def start_connection_pool(self, **kwargs: Any) -> None:
        kwargs.setdefault("reset", _keep_session)
        kwargs.setdefault("min_size", POSTGRES_POOL_MIN)
        kwargs.setdefault("max_size", POSTGRES_POOL_MAX)
        self._kept, self._idle = [], []
        await super().start_connection_pool(**kwargs)

    async def close_connection_pool(self) -> None:
        """Give the kept connections back (the pool's close waits for every connection), then close."""
        kept, self._kept, self._idle = self._kept, [], []
        if self.pool is not None:
            for connection in kept:
                await self.pool.release(connection)
        await super().close_connection_pool()

    async def point_read(self, sql: str, args: Any) -> list[dict]:
        """Rows of a SELECT by key (`sql` with `$n` placeholders), on a kept connection; inside a
        transaction on the transaction's connection, as Piccolo's own queries."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return [dict(row) for row in await transaction.connection.fetch(sql, *args)]
        if self.pool is None:  # a command without a pool
            return [dict(row) for row in await self._run_in_new_connection(sql, args)]
        connection = self._idle.pop() if self._idle else await self._keep_one()
        if connection is None:  # all kept ones busy: one from the pool, as any query
            async with self.pool.acquire() as other:
                return [dict(row) for row in await other.fetch(sql, *args)]
        try:
            rows = await connection.fetch(sql, *args)
        except BaseException:
            if connection in self._kept:
                self._kept.remove(connection)
                if self.pool is not None:
                    await self.pool.release(connection)
            raise
        if connection in self._kept:  # not given back by close_connection_pool meanwhile
            self._idle.append(connection)
        return [dict(row) for row in rows]

    async def _keep_one(self) -> Any:
        """A connection taken from the pool to keep, or None at the limit. The limit counts the ones
        being taken too: kept ones never go back, so the pool could otherwise run dry."""
        if len(self._kept) + self._taking >= min(POSTGRES_POINT_READ_CONNECTIONS, self.pool.get_max_size() - 2):
            return None
        self._taking += 1
        try:
            connection = await self.pool.acquire()
        finally:
            self._taking -= 1
        self._kept.append(connection)
        return connection


_COMPILED: dict[tuple[str, str], str] = {}
_COMPILED_MAX = 1024


def _compile(sql: str, engine_type: str) -> str:
    """`sql` with `{}` placeholders as the engine writes them (`?` or `$n`), worked out once per
    statement: Piccolo's QueryString does it again on every call (about 8 us per query)."""
    key = (sql, engine_type)
    found = _COMPILED.get(key)
    if found is None:
        if "{{" in sql or "}}" in sql:
            raise ValueError("point_read takes no literal braces")
        parts = sql.split("{}")
        if engine_type == "sqlite":
            found = "?".join(parts)
        else:
            found = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[key] = found
    return found


async def point_read(engine: Engine, sql: str, *args: Any) -> list[dict]:
    """Rows of a hand-written SELECT by key (`{}` for each argument, as in Piccolo's `raw`; plain
    values only), on the cheapest path each database has: inline on SQLite
    (`PooledSQLiteEngine.point_read`), a kept connection on PostgreSQL
    (`PooledPostgresEngine.point_read`). Values come back as Piccolo's own queries return them
    (UUIDs, datetimes, bools)."""
    if isinstance(engine, (PooledSQLiteEngine, PooledPostgresEngine)):
        return await engine.point_read(_compile(sql, engine.engine_type), args)
    return await run_sql(engine, sql, *args)


async def run_sql(engine: Engine, sql: str, *args: Any) -> list[dict]:
    """Rows, as dicts, of one hand-written statement (`{}` for each argument) on the engine's usual
    path: a pool thread on SQLite, the pool on PostgreSQL, the current transaction's connection
    inside one. For statements that write or scan (the caseload's figures, the push batches); a read
    of a few rows by key takes `point_read`."""
    rows = await engine.run_querystring(QueryString(sql, *args))
    return rows if not rows or isinstance(rows[0], dict) else [dict(row) for row in rows]


def one_snapshot(engine: Engine):
    """`async with one_snapshot(Table._meta.db):` around many reads of one answer that must agree.

    On SQLite the reads then run on one reader connection in one transaction: one consistent
    snapshot, no write lock (WAL: writers go on). On PostgreSQL this does nothing, so reads
    gathered with asyncio.gather keep running in parallel on pooled connections. Only for reads:
    a write inside raises `TransactionError`.
    """
    if isinstance(engine, PooledSQLiteEngine):
        return engine.read_snapshot()
    return contextlib.nullcontext()


def engine_from_url(url: str) -> Engine:
    """Build a Piccolo engine from a database URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        return PooledSQLiteEngine(path=path)
    if parsed.scheme in ("postgres", "postgresql"):
        return PooledPostgresEngine(config={"dsn": url.replace("postgres://", "postgresql://", 1)})
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql:// (got {parsed.scheme!r})")


def enable_wal(path: str) -> None:
    """Switch an SQLite file to WAL mode (kept in the file) so readers never wait for the writer."""
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
