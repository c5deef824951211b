"""The pooled SQLite engine (`backend.db.PooledSQLiteEngine`): connections are opened once and
reused, each is set up with the pragmas, writes are serialized on the one writer, a transaction
reads its own writes, and no query starts a thread. In-process, on a temporary file."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import threading
from pathlib import Path

import pytest
from piccolo.engine.exceptions import TransactionError
from piccolo.querystring import QueryString as Q

from backend.db import (SQLITE_BUSY_TIMEOUT_SECONDS, PooledConnection, PooledSQLiteEngine, engine_from_url, is_read,
                        one_snapshot, point_read)


def run_in_fresh_thread(coro):
    """asyncio.run in a thread of its own: in the full suite a session-wide Playwright keeps an event loop
    running in the main thread, where asyncio.run refuses to start."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture
def engine(tmp_path: Path) -> PooledSQLiteEngine:
    engine = engine_from_url(f"sqlite:///{tmp_path / 'pool.db'}")
    assert isinstance(engine, PooledSQLiteEngine)

    async def schema() -> None:
        await engine.run_ddl("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER DEFAULT 0)")
        await engine.run_ddl("CREATE TABLE child (id INTEGER PRIMARY KEY, item INTEGER REFERENCES item (id))")
        await engine.close_connection_pool()

    run_in_fresh_thread(schema())
    return engine


def run(engine: PooledSQLiteEngine, coro_fn):
    async def main():
        try:
            return await coro_fn()
        finally:
            await engine.close_connection_pool()

    return run_in_fresh_thread(main())


def test_connections_are_opened_once_and_reused(engine):
    async def body():
        opened = []
        real_connect = engine.pool()._connect

        def counting_connect(read_only, busy_timeout_ms=None):
            opened.append(read_only)
            return real_connect(read_only, busy_timeout_ms)

        engine.pool()._connect = counting_connect
        for i in range(50):
            await engine.run_querystring(Q("INSERT INTO item (name) VALUES ({})", f"n{i}"))
            await engine.run_querystring(Q("SELECT * FROM item WHERE name = {}", f"n{i}"))
        rows = await asyncio.gather(*(engine.run_querystring(Q("SELECT count(*) AS c FROM item")) for _ in range(40)))
        assert all(r == [{"c": 50}] for r in rows)
        # One writer, and at most `readers` readers however many reads ran at once.
        assert opened.count(False) == 1
        assert 1 <= opened.count(True) <= engine.readers
        assert len(engine.pool().opened) == len(opened)

    run(engine, body)


def test_every_connection_has_the_pragmas(engine):
    async def body():
        pool = engine.pool()
        writer = await pool.acquire(read_only=False)
        readers = [await pool.acquire(read_only=True) for _ in range(engine.readers)]
        try:
            for connection in [writer, *readers]:
                def pragma(name: str, c=connection):
                    return c.raw.execute(f"PRAGMA {name}").fetchone()[0]

                assert pragma("journal_mode") == "wal"
                assert pragma("synchronous") == 1  # NORMAL (FULL is 2)
                assert pragma("foreign_keys") == 1
                assert pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_SECONDS * 1000
                assert pragma("secure_delete") == 1
                assert pragma("query_only") == (1 if connection.read_only else 0)
        finally:
            for connection in [writer, *readers]:
                pool.release(connection)
        # The inline reader of point reads too.
        await point_read(engine, "SELECT count(*) AS c FROM item")
        assert pool.inline.raw.execute("PRAGMA synchronous").fetchone()[0] == 1
        assert pool.inline.raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert pool.inline.raw.execute("PRAGMA query_only").fetchone()[0] == 1

    run(engine, body)


def test_foreign_keys_are_enforced_outside_transactions(engine):
    async def body():
        with pytest.raises(sqlite3.IntegrityError):
            await engine.run_querystring(Q("INSERT INTO child (item) VALUES ({})", 12345))

    run(engine, body)


def test_no_thread_per_query(engine):
    async def body():
        before = set(threading.enumerate())
        for i in range(100):
            await engine.run_querystring(Q("INSERT INTO item (name) VALUES ({})", f"t{i}"))
        await asyncio.gather(*(engine.run_querystring(Q("SELECT * FROM item")) for _ in range(200)))
        new = set(threading.enumerate()) - before
        # The pool's threads only: one per connection, for 300 queries.
        assert len(new) <= engine.readers + 1, [t.name for t in new]
        assert all(t.name.startswith("werkmaat-sqlite") for t in new)

    run(engine, body)


def test_concurrent_writes_are_serialized_and_none_is_lost(engine):
    async def body():
        await engine.run_querystring(Q("INSERT INTO item (name, n) VALUES ('counter', 0)"))

        async def bump() -> None:
            # Read and write in one transaction: lost updates if two ran at once.
            async with engine.transaction():
                rows = await engine.run_querystring(Q("SELECT n FROM item WHERE name = 'counter'"))
                await asyncio.sleep(0)  # let the others try to get in between
                await engine.run_querystring(Q("UPDATE item SET n = {} WHERE name = 'counter'", rows[0]["n"] + 1))

        await asyncio.gather(*(bump() for _ in range(60)))
        rows = await engine.run_querystring(Q("SELECT n FROM item WHERE name = 'counter'"))
        assert rows == [{"n": 60}]

    run(engine, body)


def test_uniqueness_races_have_one_winner(engine):
    async def body():
        results = await asyncio.gather(
            *(engine.run_querystring(Q("INSERT INTO item (name) VALUES ('same')")) for _ in range(10)),
            return_exceptions=True)
        assert sum(1 for r in results if isinstance(r, sqlite3.IntegrityError)) == 9
        assert sum(1 for r in results if r == []) == 1

    run(engine, body)


def test_a_transaction_reads_its_own_writes_and_others_do_not_until_commit(engine):
    async def body():
        seen_outside = []
        inside = asyncio.Event()
        done = asyncio.Event()

        async def writer():
            async with engine.transaction():
                await engine.run_querystring(Q("INSERT INTO item (name) VALUES ('mine')"))
                rows = await engine.run_querystring(Q("SELECT name FROM item WHERE name = 'mine'"))
                assert rows == [{"name": "mine"}]
                inside.set()
                await done.wait()

        async def reader():
            await inside.wait()
            seen_outside.append(await engine.run_querystring(Q("SELECT name FROM item WHERE name = 'mine'")))
            seen_outside.append(await point_read(engine, "SELECT name FROM item WHERE name = {}", "mine"))
            done.set()

        await asyncio.gather(writer(), reader())
        assert seen_outside == [[], []]  # readers see committed data only
        assert await engine.run_querystring(Q("SELECT name FROM item")) == [{"name": "mine"}]

    run(engine, body)


def test_a_failed_transaction_rolls_back_and_frees_the_writer(engine):
    async def body():
        with pytest.raises(sqlite3.IntegrityError):
            async with engine.transaction():
                await engine.run_querystring(Q("INSERT INTO item (name) VALUES ('a')"))
                await engine.run_querystring(Q("INSERT INTO item (name) VALUES ('a')"))
        assert await engine.run_querystring(Q("SELECT * FROM item")) == []
        await asyncio.wait_for(engine.run_querystring(Q("INSERT INTO item (name) VALUES ('b')")), 5)
        assert not engine.pool().writer_lock.locked()

    run(engine, body)


def test_a_cancelled_query_gives_its_connection_back(engine):
    async def body():
        await engine.run_querystring(Q("INSERT INTO item (name) VALUES ('x')"))
        slow = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3000000) SELECT count(*) AS c FROM r"
        task = asyncio.create_task(engine.run_querystring(Q("SELECT * FROM (" + slow + ")")))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Every reader comes back (the cancelled one once its statement ended).
        rows = await asyncio.wait_for(asyncio.gather(
            *(engine.run_querystring(Q("SELECT name FROM item")) for _ in range(engine.readers * 2))), 30)
        assert all(r == [{"name": "x"}] for r in rows)

    run(engine, body)


def test_a_read_snapshot_is_read_only_and_consistent(engine):
    async def body():
        await engine.run_querystring(Q("INSERT INTO item (name) VALUES ('one')"))
        async with one_snapshot(engine):
            first = await engine.run_querystring(Q("SELECT count(*) AS c FROM item"))
            # Another task (its own context, no snapshot) writes meanwhile.
            await asyncio.get_running_loop().create_task(
                engine.run_querystring(Q("INSERT INTO item (name) VALUES ('two')")), context=contextvars.Context())
            again = await engine.run_querystring(Q("SELECT count(*) AS c FROM item"))
            assert first == again == [{"c": 1}]
            with pytest.raises(TransactionError):
                await engine.run_querystring(Q("DELETE FROM item"))
            with pytest.raises(TransactionError):
                async with engine.transaction():
                    pass
        assert await engine.run_querystring(Q("SELECT count(*) AS c FROM item")) == [{"c": 2}]

    run(engine, body)


def test_point_read_runs_on_the_loop_thread(engine):
    async def body():
        await engine.run_querystring(Q("INSERT INTO item (name) VALUES ('p')"))
        loop_thread = threading.current_thread()
        threads = []
        real_run = PooledConnection.run

        def recording_run(self, sql, args=()):
            threads.append(threading.current_thread())
            return real_run(self, sql, args)

        PooledConnection.run = recording_run
        try:
            assert await point_read(engine, "SELECT name FROM item WHERE name = {}", "p") == [{"name": "p"}]
        finally:
            PooledConnection.run = real_run
        assert threads == [loop_thread]
        with pytest.raises(ValueError):
            await point_read(engine, "DELETE FROM item")

    run(engine, body)


def test_pools_are_per_event_loop(engine):
    # `asyncio.run` in a command, then the server's own loop: each gets working connections.
    for _ in range(3):
        assert run(engine, lambda: engine.run_querystring(Q("SELECT 1 AS one"))) == [{"one": 1}]


def test_what_counts_as_a_read():
    assert is_read('SELECT "item"."id" FROM "item"')
    assert is_read("  select count(*) from item")
    assert not is_read("INSERT INTO item (name) VALUES ('a') RETURNING id")
    assert not is_read("WITH gone AS (DELETE FROM item RETURNING id) SELECT * FROM gone")
    assert not is_read("PRAGMA wal_checkpoint(TRUNCATE)")


# --- PostgreSQL: the connections kept for point reads (`PooledPostgresEngine.point_read`) -----------

@pytest.fixture
def pg_engine():
    import conftest

    from backend.db import PooledPostgresEngine

    url = conftest.create_pg_database()
    engine = engine_from_url(url)
    assert isinstance(engine, PooledPostgresEngine)

    async def schema() -> None:
        await engine.run_ddl("CREATE TABLE item (id SERIAL PRIMARY KEY, name TEXT UNIQUE, n INTEGER DEFAULT 0)")

    run_in_fresh_thread(schema())
    yield engine
    conftest.drop_pg_database(url)


def run_pooled(engine, coro_fn):
    async def main():
        await engine.start_connection_pool(min_size=1, max_size=5)
        try:
            return await coro_fn()
        finally:
            await engine.close_connection_pool()

    return run_in_fresh_thread(main())


def test_pg_point_reads_keep_their_connections(pg_engine):
    from backend.db import POSTGRES_POINT_READ_CONNECTIONS

    async def body():
        await pg_engine.run_querystring(Q("INSERT INTO item (name) VALUES ('a'), ('b')"))
        backends = set()
        for _ in range(20):
            rows = await point_read(pg_engine, "SELECT name, pg_backend_pid() AS pid FROM item WHERE name = {}", "a")
            assert rows[0]["name"] == "a"
            backends.add(rows[0]["pid"])
        assert len(backends) == 1 and len(pg_engine._kept) == 1  # one connection, kept for all twenty

        # Many at once: at most two fewer kept than the pool holds (3 of 5 here), the rest through the
        # pool; all answer, and nothing waits forever for a connection.
        assert POSTGRES_POINT_READ_CONNECTIONS > 3
        answers = await asyncio.wait_for(asyncio.gather(*[
            point_read(pg_engine, "SELECT name, pg_sleep(0.05)::text AS s FROM item WHERE name = {}", name)
            for name in ("a", "b") * 5]), 10)
        assert [a[0]["name"] for a in answers] == ["a", "b"] * 5
        assert len(pg_engine._kept) == 3
        assert sorted(map(id, pg_engine._idle)) == sorted(map(id, pg_engine._kept))

        # Inside a transaction a point read sees the transaction's own writes.
        async with pg_engine.transaction():
            await pg_engine.run_querystring(Q("INSERT INTO item (name) VALUES ('c')"))
            assert await point_read(pg_engine, "SELECT name FROM item WHERE name = {}", "c") == [{"name": "c"}]

    run_pooled(pg_engine, body)


def test_pg_a_failed_or_cancelled_point_read_gives_its_connection_back(pg_engine):
    import asyncpg

    async def body():
        with pytest.raises(asyncpg.exceptions.UndefinedTableError):
            await point_read(pg_engine, "SELECT * FROM nowhere WHERE id = {}", 1)
        assert pg_engine._kept == []
        task = asyncio.ensure_future(point_read(pg_engine, "SELECT pg_sleep({})", 5))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pg_engine._kept == []  # not kept: it may be mid-query
        assert await point_read(pg_engine, "SELECT count(*) AS c FROM item") == [{"c": 0}]

    run_pooled(pg_engine, body)  # and the pool closes without waiting on a kept connection


def test_point_read_refuses_literal_braces(engine):
    async def body():
        with pytest.raises(ValueError):
            await point_read(engine, "SELECT '{{}}' AS x")

    run(engine, body)
