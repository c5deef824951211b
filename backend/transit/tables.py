"""Imported GTFS feeds, stored as one compact blob per feed (split in chunks).

Why a blob and not a row per stop time: the router never queries single stop times; every process
loads a whole feed into arrays at once. A compressed numpy archive (about 1 byte per stop time and
column after compression) loads in well under a second, is written in one short transaction (so a
re-import replaces the feed atomically and a failed one leaves the old data), and needs neither
1.5 million INSERTs nor a bulk path that differs between SQLite and PostgreSQL.
"""

from piccolo.columns import Bytea, Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class TransitFeed(Table):
    """One loaded feed; `version` changes on every import so that routers reload it."""

    name = Varchar(length=60, unique=True, help_text="Chosen at import (default: the zip's name).")
    version = Varchar(length=40, help_text="Random id of this import; the chunks carry it too.")
    timezone = Varchar(length=60, help_text="agency_timezone: every time of the feed is local to it.")
    first_date = Date(help_text="First service day with a trip.")
    last_date = Date(help_text="Last service day with a trip.")
    stops = Integer(default=0)
    routes = Integer(default=0)
    trips = Integer(default=0)
    stop_times = Integer(default=0)
    size_bytes = Integer(default=0)
    imported_at = Timestamptz(default=TimestamptzNow())


class TransitFeedChunk(Table):
    """A piece of a feed's archive (`FeedData.to_bytes`), in order of `seq`."""

    feed_name = Varchar(length=60, index=True)
    version = Varchar(length=40, index=True)
    seq = Integer()
    data = Bytea()


class TransitLive(Table):
    """The last GTFS-Realtime answer of one configured feed and kind (trip updates or alerts).

    Written by whichever process's job fetched it (one per interval: `next_fetch_at` is claimed with
    one UPDATE); read by every process, which rebuilds its live overlay when `version` changes.
    `data` is the decoded answer as compressed JSON (`backend.transit.realtime`), kept from the last
    good answer: a broken or stale answer only changes `status`/`error`.
    """

    key = Varchar(length=80, unique=True, help_text="'<FEED>:trip_updates' or '<FEED>:alerts'.")
    feed = Varchar(length=60, help_text="The <FEED> of WERKMAAT_GTFS_RT_<FEED>_*: a loaded feed's name, upper case.")
    kind = Varchar(length=20, help_text="trip_updates or alerts.")
    version = Varchar(length=40, default="", help_text="Changes whenever `data` does.")
    data = Bytea(default=b"", help_text="zlib-compressed JSON of the last good answer.")
    header_at = Timestamptz(null=True, default=None, help_text="The header timestamp of that answer.")
    interval_s = Integer(default=30, help_text="The poll interval it was fetched at.")
    entities = Integer(default=0)
    status = Varchar(length=12, default="never", help_text="ok, stale, error or never.")
    error = Varchar(length=300, default="", help_text="Why the last fetch was not applied.")
    fetched_at = Timestamptz(null=True, default=None, help_text="Last attempt.")
    ok_at = Timestamptz(null=True, default=None, help_text="Last good answer.")
    next_fetch_at = Timestamptz(null=True, default=None, help_text="No process fetches before this.")
