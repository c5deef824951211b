"""The SQLite converters `backend.db` puts in place of Piccolo's for UUID and TIMESTAMPTZ columns give
the same values as Piccolo's, and fail the same way on what is not a UUID."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pytest
from piccolo.engine import sqlite as piccolo_sqlite

from backend import db


@pytest.mark.parametrize("value", [uuid.uuid4() for _ in range(20)] + [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)])
def test_uuid_as_stored_and_as_text(value):
    for raw in (str(value).encode(), str(value), str(value).upper().encode(), value.hex.encode(), f"{{{value}}}"):
        ours = db.convert_uuid_out(raw)
        assert ours == piccolo_sqlite.convert_uuid_out(raw) == value
        assert type(ours) is uuid.UUID and ours.is_safe == uuid.SafeUUID.unknown
        assert str(ours) == str(value) and hash(ours) == hash(value)


@pytest.mark.parametrize("raw", [b"x" * 36, b"0123456-89ab-cdef-0123-456789abcdef", b"", b"12345678-1234-1234-1234-12345678901g",
                                 b"12345678_1234-1234-1234-123456789012", "not a uuid"])
def test_not_a_uuid_fails_as_with_piccolo(raw):
    with pytest.raises(ValueError):
        piccolo_sqlite.convert_uuid_out(raw)
    with pytest.raises(ValueError):
        db.convert_uuid_out(raw)


@pytest.mark.parametrize("raw", [b"2026-12-03 10:00:00+00:00", b"2026-12-03 10:00:00.123456+00:00",
                                 b"2026-03-29 01:59:59.999999", "2026-10-25 00:30:00+00:00", b"2026-12-03T23:50:00"])
def test_timestamptz_as_piccolo(raw):
    ours = db.convert_timestamptz_out(raw)
    assert ours == piccolo_sqlite.convert_timestamptz_out(raw)
    assert ours.tzinfo is dt.timezone.utc


def test_registered_for_every_sqlite_connection(tmp_path):
    """A table's UUID and TIMESTAMPTZ columns come back as UUID and aware datetime through the
    converters registered in the process (what the pooled connections and Piccolo's queries use):
    ours, not Piccolo's, which would give the same values."""
    assert sqlite3.converters["UUID"] is db.convert_uuid_out
    assert sqlite3.converters["TIMESTAMPTZ"] is db.convert_timestamptz_out
    assert sqlite3.adapters[(uuid.UUID, sqlite3.PrepareProtocol)] is db.convert_uuid_in
    con = sqlite3.connect(tmp_path / "c.db", detect_types=sqlite3.PARSE_DECLTYPES)
    con.execute('CREATE TABLE t ("id" UUID, "at" TIMESTAMPTZ)')
    value, at = uuid.uuid4(), dt.datetime(2026, 12, 3, 22, 50, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    con.execute("INSERT INTO t VALUES (?, ?)", (value, piccolo_sqlite.convert_datetime_in(at)))
    assert con.execute("SELECT CAST(id AS TEXT) FROM t WHERE id = ?", (value,)).fetchone()[0] == str(value)
    got_id, got_at = con.execute("SELECT id, at FROM t").fetchone()
    assert got_id == value and type(got_id) is uuid.UUID
    assert got_at == at and got_at.tzinfo is dt.timezone.utc and got_at.hour == 21
    con.close()


def test_converted_values_are_remembered_and_bounded(monkeypatch):
    """A value read again comes from memory (the same immutable object, equal to a fresh parse), the
    memory never holds more than CONVERTED_MAX values, and what failed to parse is not kept."""
    monkeypatch.setattr(db, "CONVERTED_MAX", 50)
    monkeypatch.setattr(db, "_uuids", {})
    monkeypatch.setattr(db, "_instants", {})
    monkeypatch.setattr(db, "_uuid_texts", {})
    value = uuid.uuid4()
    assert db.convert_uuid_in(value) == piccolo_sqlite.convert_uuid_in(value) == db.convert_uuid_in(value)
    first = db.convert_uuid_out(str(value).encode())
    assert db.convert_uuid_out(str(value).encode()) is first == value
    at = b"2026-12-03 23:50:00+00:00"
    assert db.convert_timestamptz_out(at) is db.convert_timestamptz_out(at) == piccolo_sqlite.convert_timestamptz_out(at)
    for n in range(200):
        raw = str(uuid.UUID(int=n)).encode()
        assert db.convert_uuid_out(raw) == uuid.UUID(int=n) == db.convert_uuid_out(raw)
        assert db.convert_uuid_in(uuid.UUID(int=n)) == raw.decode() == db.convert_uuid_in(uuid.UUID(int=n))
        instant = f"2026-12-03 10:{n // 60:02d}:{n % 60:02d}+00:00".encode()
        assert db.convert_timestamptz_out(instant) == piccolo_sqlite.convert_timestamptz_out(instant)
        assert len(db._uuids) <= 50 and len(db._instants) <= 50 and len(db._uuid_texts) <= 50
    for _ in range(2):
        with pytest.raises(ValueError):
            db.convert_uuid_out(b"x" * 36)
        with pytest.raises(ValueError):
            db.convert_timestamptz_out(b"not a time")
    assert b"x" * 36 not in db._uuids and b"not a time" not in db._instants


def test_hhmm_is_strftime_at_every_minute():
    """The table behind `recurrence.hhmm` gives what strftime("%H:%M") gives, for each minute of a day
    and for times and aware instants alike."""
    from backend.schedule import recurrence

    start = dt.datetime(2026, 10, 25, 0, 0, tzinfo=dt.timezone.utc)
    for minute in range(24 * 60):
        at = start + dt.timedelta(minutes=minute, seconds=59)
        assert recurrence.hhmm(at) == at.strftime("%H:%M") == recurrence.hhmm(at.time())
        local = recurrence.to_local(at)
        assert recurrence.hhmm(local) == local.strftime("%H:%M")
