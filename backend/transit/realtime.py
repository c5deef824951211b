"""Live delays and service alerts (GTFS-Realtime), applied to the day's network in every process.

The design, for any number of web and worker processes on one database:

1. `poll` (a job, `backend.jobs`) fetches each configured feed (`WERKMAAT_GTFS_RT_<FEED>_*`,
   `backend.settings.RealtimeFeed`) at its interval. One process per interval does it: the feed's
   `TransitLive` row has a `next_fetch_at` that is claimed with one conditional UPDATE. A fetch is
   bounded in time (`FETCH_TIMEOUT_S`), size (`MAX_BYTES`) and rate (the interval, at least 1 s).
2. The answer is decoded with `gtfs-realtime-bindings`, turned into plain JSON (trip updates:
   trip, service day, stop time updates; alerts: texts, periods, lines/stops/trips) and stored
   compressed in the row with a new `version`. A broken answer (HTTP error, too big, not a
   FeedMessage, no header timestamp) is logged and recorded in `status`/`error`, and nothing of it
   is applied; an answer whose header timestamp is older than `STALE_FACTOR` x the interval is
   ignored the same way ("stale"). `werkmaat transit list` shows each row's state.
3. Every process, on each journey question (`planner.plan_arrive_by`), calls `refresh(net)`: one
   small query for the rows' versions. When they changed (or a stored answer grew stale, which is
   how a feed that stops answering stops counting, `APPLY_SLACK_S` after it turned stale), it loads the rows and builds an `Overlay` for
   its network: per trip instance (trip, service day) the cancelled flag and, per stop, arrival and
   departure delays and skipped stops. `network.DayView` applies it while laying out the day, so
   RAPTOR routes over live times, never over a cancelled trip, and never boards or alights at a
   skipped stop. Ride legs then carry the delay (`leg_fields`).

Matching (GTFS-Realtime reference): a TripUpdate names its trip by `trip_id` (frequency-based
trips also by `start_time`) and its service day by `start_date` (absent: the feed's local date,
or the day before for a trip still under way after midnight). A StopTimeUpdate is matched by
`stop_id`; one with only a `stop_sequence` is not used (the import keeps stop order, not the
feed's sequence numbers) and counted as unmatched. A delay holds for the later stops until the
next update; NO_DATA ends it; a stop before the first update keeps its timetable time; live times
never run backwards along a trip. ADDED and other unscheduled trips are not routed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import hashlib
import math
import re
import uuid
import zlib
from dataclasses import dataclass

import numpy as np

from backend.db import point_read
from backend.transit.network import Network, service_day_base
from backend.transit.tables import TransitLive

log = logging.getLogger("werkmaat.transit.realtime")

KINDS = ("trip_updates", "alerts")
MAX_BYTES = 16 * 1024 * 1024  # a national TripUpdates feed is a few MB
FETCH_TIMEOUT_S = 10.0
STALE_FACTOR = 3
# A stored answer keeps counting this much longer than STALE_FACTOR x interval after its header
# time, so that our own fetch being a few seconds late (a busy process) does not drop live data.
APPLY_SLACK_S = 10
SKIPPED_ARR = 1 << 40  # an arrival no search ever reaches: nobody alights at a skipped stop
SKIPPED_DEP = -1  # a departure before every search window: nobody boards there

# gtfs-realtime.proto enum values (TripDescriptor / StopTimeUpdate schedule_relationship).
TRIP_SCHEDULED, TRIP_CANCELED, TRIP_DELETED = 0, 3, 7
STOP_SCHEDULED, STOP_SKIPPED, STOP_NO_DATA = 0, 1, 2

class RealtimeError(Exception):
    """A fetched answer that cannot be used; the message says why (logged, shown in the status)."""


def feed_key(name: str) -> str:
    """The `<FEED>` of the settings for a loaded feed's name: upper case, other characters `_`."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --- decoding -------------------------------------------------------------------------------------

def _text(translated) -> dict[str, str]:
    return {t.language or "": t.text for t in translated.translation}


def decode(kind: str, body: bytes) -> tuple[dt.datetime, list[dict]]:
    """The header timestamp and the entities of one answer, as plain values; RealtimeError if broken."""
    from google.protobuf.message import DecodeError
    from google.transit import gtfs_realtime_pb2

    message = gtfs_realtime_pb2.FeedMessage()
    try:
        message.ParseFromString(body)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise RealtimeError(f"not a GTFS-Realtime FeedMessage ({exc})") from None
    if not message.header.gtfs_realtime_version:
        raise RealtimeError("not a GTFS-Realtime FeedMessage (no header)")
    if not message.header.timestamp:
        raise RealtimeError("the header has no timestamp")
    header_at = dt.datetime.fromtimestamp(message.header.timestamp, dt.timezone.utc)
    out: list[dict] = []
    for entity in message.entity:
        if entity.is_deleted:
            continue
        if kind == "trip_updates" and entity.HasField("trip_update"):
            update = entity.trip_update
            trip = update.trip
            stops = []
            for s in update.stop_time_update:
                arr = s.arrival if s.HasField("arrival") else None
                dep = s.departure if s.HasField("departure") else None
                stops.append({
                    "stop": s.stop_id, "seq": s.stop_sequence if s.HasField("stop_sequence") else None,
                    "rel": int(s.schedule_relationship),
                    "ad": arr.delay if arr is not None and arr.HasField("delay") else None,
                    "at": arr.time if arr is not None and arr.HasField("time") else None,
                    "dd": dep.delay if dep is not None and dep.HasField("delay") else None,
                    "dt": dep.time if dep is not None and dep.HasField("time") else None,
                })
            out.append({"trip": trip.trip_id, "route": trip.route_id, "date": trip.start_date,
                        "time": trip.start_time, "rel": int(trip.schedule_relationship),
                        "delay": update.delay if update.HasField("delay") else None, "stops": stops})
        elif kind == "alerts" and entity.HasField("alert"):
            alert = entity.alert
            out.append({
                "id": entity.id,
                "periods": [[p.start if p.HasField("start") else None, p.end if p.HasField("end") else None]
                            for p in alert.active_period],
                "entities": [{"route": e.route_id, "stop": e.stop_id, "trip": e.trip.trip_id if e.HasField("trip") else ""}
                             for e in alert.informed_entity],
                "header": _text(alert.header_text), "description": _text(alert.description_text),
                "effect": int(alert.effect) if alert.HasField("effect") else 0,
            })
    return header_at, out


# --- fetching (the job) ---------------------------------------------------------------------------

async def _fetch(session, url: str, headers: dict[str, str]) -> bytes:
    import aiohttp

    try:
        async with session.get(url, headers=headers, max_redirects=3,
                               timeout=aiohttp.ClientTimeout(total=FETCH_TIMEOUT_S)) as response:
            if response.status != 200:
                raise RealtimeError(f"HTTP {response.status}")
            if response.content_length is not None and response.content_length > MAX_BYTES:
                raise RealtimeError(f"answer larger than {MAX_BYTES} bytes")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise RealtimeError(f"answer larger than {MAX_BYTES} bytes")
            return bytes(body)
    except asyncio.TimeoutError:
        raise RealtimeError(f"no answer within {FETCH_TIMEOUT_S:.0f} s") from None
    except aiohttp.ClientError as exc:
        raise RealtimeError(f"{type(exc).__name__}: {exc}") from None


def _sources():
    from backend.settings import get_settings

    for feed in get_settings().gtfs_rt:
        for kind, url in (("trip_updates", feed.trip_updates_url), ("alerts", feed.alerts_url)):
            if url:
                yield feed, kind, url


async def _claim(key: str, feed: str, kind: str, interval: float, now: dt.datetime) -> bool:
    """True for the one process that may fetch `key` now (the next fetch moves on by `interval`)."""
    await TransitLive.insert(TransitLive(key=key, feed=feed, kind=kind, interval_s=math.ceil(interval))
                             ).on_conflict(action="DO NOTHING")
    claimed = await TransitLive.update({TransitLive.next_fetch_at: now + dt.timedelta(seconds=interval)}).where(
        (TransitLive.key == key)
        & (TransitLive.next_fetch_at.is_null() | (TransitLive.next_fetch_at <= now))).returning(TransitLive.id)
    return bool(claimed)


async def poll(now: dt.datetime | None = None) -> int:
    """The job: fetch every configured source whose interval has passed; returns how many were fetched."""
    import aiohttp

    sources = list(_sources())
    if not sources:
        return 0
    now = now or utcnow()
    fetched = 0
    async with aiohttp.ClientSession(headers={"User-Agent": "Werkmaat (GTFS-Realtime)"}) as session:
        for feed, kind, url in sources:
            key = f"{feed.feed}:{kind}"
            if not await _claim(key, feed.feed, kind, feed.interval, now):
                continue
            fetched += 1
            headers = {"Accept": "application/x-protobuf, application/octet-stream"}
            if feed.header_name:
                headers[feed.header_name] = feed.header_value
            await _fetch_one(session, key, kind, url, headers, feed.interval)
    return fetched


async def _fetch_one(session, key: str, kind: str, url: str, headers: dict, interval: float) -> None:
    now = utcnow()
    values: dict = {TransitLive.fetched_at: now, TransitLive.interval_s: math.ceil(interval)}
    try:
        body = await _fetch(session, url, headers)
        header_at, entities = await asyncio.to_thread(decode, kind, body)
        age = (now - header_at).total_seconds()
        if age > STALE_FACTOR * interval:
            raise RealtimeError(f"stale: the header timestamp {header_at:%Y-%m-%d %H:%M:%S} UTC is {age:.0f} s old "
                                f"(more than {STALE_FACTOR} x {interval:g} s); ignored")
    except RealtimeError as exc:
        stale = str(exc).startswith("stale")
        log.warning("GTFS-Realtime %s: %s", key, exc)
        values.update({TransitLive.status: "stale" if stale else "error", TransitLive.error: str(exc)[:300]})
        await TransitLive.update(values).where(TransitLive.key == key)
        return
    text = json.dumps(entities, separators=(",", ":")).encode()
    # The same content keeps its version: processes rebuild their overlay only when something changed.
    version = hashlib.sha256(text).hexdigest()[:32]
    values.update({TransitLive.status: "ok", TransitLive.error: "", TransitLive.data: zlib.compress(text),
                   TransitLive.version: version, TransitLive.header_at: header_at,
                   TransitLive.entities: len(entities), TransitLive.ok_at: now})
    await TransitLive.update(values).where(TransitLive.key == key)


async def status_lines() -> list[str]:
    """One line per configured source for `werkmaat transit list`: state, age, last error."""
    try:
        rows = await TransitLive.select().order_by(TransitLive.key)
    except Exception:  # noqa: BLE001 - a database not migrated yet has no live state
        rows = []
    by_key = {r["key"]: r for r in rows}
    try:
        from backend.transit.store import list_feeds

        loaded = {feed_key(f["name"]) for f in await list_feeds()}
    except Exception:  # noqa: BLE001 - as above
        loaded = set()
    lines = []
    keys = [f"{feed.feed}:{kind}" for feed, kind, _ in _sources()]
    for key in keys + [k for k in by_key if k not in keys]:
        row = by_key.get(key)
        if row is None:
            lines.append(f"live {key}: not fetched yet")
            continue
        when = lambda v: f"{v:%Y-%m-%d %H:%M:%S} UTC" if v else "never"  # noqa: E731
        line = (f"live {key}: {row['status']}, {row['entities']:,} entities of {when(row['header_at'])}, "
                f"every {row['interval_s']} s; last fetch {when(row['fetched_at'])}, last good {when(row['ok_at'])}")
        if row["error"]:
            line += f"; error: {row['error']}"
        if key not in keys:
            line += " (no longer configured)"
        elif row["feed"] not in loaded:
            line += f" (no loaded feed is named {row['feed']}: see WERKMAAT_GTFS_RT_<FEED>)"
        lines.append(line)
    return lines


# --- the overlay ----------------------------------------------------------------------------------

def _instance_keys(trip: np.ndarray, base: np.ndarray) -> np.ndarray:
    """One int64 per trip instance: the global trip number and its service day's base (minutes)."""
    return (np.asarray(trip, np.int64) << np.int64(31)) | (np.asarray(base, np.int64) // 60)


@dataclass
class Overlay:
    """The live state of every trip instance a feed updates, for one network.

    Entry e (sorted by `keys`): `cancelled[e]`; its stops are `off[e] .. off[e] + length[e]` in the
    flat arrays: delay of arrival and departure (s), skipped, known (a live time, not the timetable).
    """

    version: str
    keys: np.ndarray
    cancelled: np.ndarray
    off: np.ndarray
    length: np.ndarray
    d_arr: np.ndarray
    d_dep: np.ndarray
    skip: np.ndarray
    known: np.ndarray

    def _lookup(self, ik: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.keys):
            return np.zeros(len(ik), np.int64), np.zeros(len(ik), bool)
        idx = np.minimum(np.searchsorted(self.keys, ik), len(self.keys) - 1)
        return idx, self.keys[idx] == ik

    def running(self, trip: np.ndarray, base: np.ndarray) -> np.ndarray:
        """False for the instances (trip, service day base) that are cancelled."""
        idx, hit = self._lookup(_instance_keys(trip, base))
        return ~(hit & self.cancelled[idx])

    def adjust(self, trip: np.ndarray, base: np.ndarray, e_inst: np.ndarray, e_pos: np.ndarray,
               arr: np.ndarray, dep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Live arrival and departure times of the stop-time elements (instance e_inst, position e_pos)."""
        idx, hit = self._lookup(_instance_keys(trip, base))
        if not hit.any():
            return arr, dep
        elements = np.nonzero(hit[e_inst])[0]
        entry = idx[e_inst[elements]]
        pos = e_pos[elements]
        inside = pos < self.length[entry]
        elements, entry, pos = elements[inside], entry[inside], pos[inside]
        flat = self.off[entry] + pos
        arr, dep = arr.astype(np.int64, copy=True), dep.astype(np.int64, copy=True)
        arr[elements] += self.d_arr[flat]
        dep[elements] += self.d_dep[flat]
        skipped = elements[self.skip[flat]]
        arr[skipped] = SKIPPED_ARR
        dep[skipped] = SKIPPED_DEP
        return arr, dep

    def entry(self, trip: int, base: int) -> int | None:
        idx, hit = self._lookup(_instance_keys(np.asarray([trip]), np.asarray([base])))
        return int(idx[0]) if hit[0] else None

    def entries_of(self, trip: int) -> range:
        lo = np.searchsorted(self.keys, np.int64(trip) << np.int64(31))
        hi = np.searchsorted(self.keys, np.int64(trip + 1) << np.int64(31))
        return range(int(lo), int(hi))


@dataclass
class _FeedIndex:
    trips: dict[str, list[int]]  # trip_id -> local trip numbers (several for frequency copies)
    stop_ids: list[str]
    route_ids: list[str]
    trip_ids: list[str]


_indexes: dict[tuple[str, str], _FeedIndex | None] = {}


def _index(name: str, version: str) -> _FeedIndex | None:
    """trip_id and stop_id lookups of a loaded feed; None for a feed imported without its ids."""
    key = (name, version)
    if key not in _indexes:
        from backend.transit import planner

        meta = planner.feed_meta(name)
        if meta is None:
            return None  # not loaded in this process (yet)
        for old in [k for k in _indexes if k[0] == name]:  # an earlier import of this feed
            del _indexes[old]
        if "trip_ids" not in meta:
            log.warning("GTFS-Realtime: feed '%s' was imported without trip ids; import it again", name)
            _indexes[key] = None
            return None
        trips: dict[str, list[int]] = {}
        for i, tid in enumerate(meta["trip_ids"]):
            if tid:
                trips.setdefault(tid, []).append(i)
        _indexes[key] = _FeedIndex(trips, meta["stop_ids"], meta.get("route_ids", []), meta["trip_ids"])
    return _indexes[key]


def _hms(text: str) -> int | None:
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])


def _build(net: Network, sources: list[tuple[str, dt.datetime, list[dict]]], version: str) -> Overlay:
    """The overlay of the trip updates `sources` (feed key, header time, entities) on `net`."""
    entries: dict[int, tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    unmatched = 0
    for fkey, header_at, updates in sources:
        feed = next((f for f in net.feeds if feed_key(f.name) == fkey), None)
        index = _index(feed.name, feed.version) if feed is not None else None
        if index is None:
            continue
        today = header_at.astimezone(feed.timezone).date()
        now_s = int(header_at.timestamp())
        for u in updates:
            rel = u["rel"]
            if rel not in (TRIP_SCHEDULED, TRIP_CANCELED, TRIP_DELETED):
                continue  # added, replacement, duplicated: not routed
            local = index.trips.get(u["trip"])
            if not local:
                unmatched += 1
                continue
            trips = [feed.trip_lo + t for t in local if net.trip_pattern[feed.trip_lo + t] >= 0]
            if not trips:
                continue
            if u["date"]:
                text = u["date"]
                try:
                    if len(text) != 8 or not text.isdigit():
                        raise ValueError(text)
                    days = [dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))]
                except ValueError:
                    unmatched += 1
                    continue
            else:
                days = [today, today - dt.timedelta(days=1)]
            start = _hms(u["time"]) if u["time"] else None
            # The instance meant: the copy starting at start_time, else the one nearest the header time.
            best = None
            for g in trips:
                first = int(net.st_dep[net.trip_offset[g]])
                if start is not None and len(trips) > 1 and first != start:
                    continue
                for day in days:
                    k = (day - feed.day0).days
                    if not 0 <= k < feed.svc_days.shape[1] or not feed.svc_days[net.trip_service[g], k]:
                        continue
                    base = service_day_base(day, _tz(net, feed, g))
                    score = abs(base + first - now_s)
                    if best is None or score < best[0]:
                        best = (score, g, base)
            if best is None:
                unmatched += 1
                continue
            _, g, base = best
            key = (g << 31) | (base // 60)  # as _instance_keys
            entries[key] = _trip_entry(net, index, feed, g, base, u)
    _through_trips(net, entries)
    keys = np.asarray(sorted(entries), dtype=np.int64)
    parts = [entries[int(k)] for k in keys]
    lengths = np.asarray([len(p[1]) for p in parts], dtype=np.int64)
    off = np.concatenate([[0], np.cumsum(lengths)])[:-1].astype(np.int64) if len(parts) else np.empty(0, np.int64)
    cat = lambda i, dtype: np.concatenate([p[i] for p in parts]).astype(dtype) if parts else np.empty(0, dtype)  # noqa: E731
    if unmatched:
        log.info("GTFS-Realtime: %d trip updates match no trip of the loaded feeds", unmatched)
    return Overlay(version, keys, np.asarray([p[0] for p in parts], dtype=bool), off, lengths,
                   cat(1, np.int64), cat(2, np.int64), cat(3, bool), cat(4, bool))


def _through_trips(net: Network, entries: dict) -> None:
    """Stay-seated through trips (blocks, `Network.trip_parts`) take the live state of their parts:
    cancelled when one part is, each part's delays and skipped stops at its own positions."""
    parts_of = getattr(net, "trip_parts", None)
    if not parts_of or not entries:
        return
    mask = (1 << 31) - 1
    days_of: dict[int, set[int]] = {}
    for key in entries:
        days_of.setdefault(key >> 31, set()).add(key & mask)
    for through, parts in parts_of.items():
        if net.trip_pattern[through] < 0:
            continue
        n = int(net.pat_len[net.trip_pattern[through]])
        for day in set().union(*(days_of.get(t, set()) for t, _ in parts)):
            cancelled = False
            d_arr, d_dep = np.zeros(n, np.int64), np.zeros(n, np.int64)
            skip, known = np.zeros(n, bool), np.zeros(n, bool)
            for k, (t, start) in enumerate(parts):
                e = entries.get((t << 31) | day)
                if e is None:
                    continue
                if e[0]:
                    cancelled = True
                    break
                end = min(n, start + len(e[1]))
                first = start + 1 if k else start  # where two parts meet, the arrival is the earlier part's
                d_arr[first:end] = e[1][first - start:end - start]
                d_dep[start:end], skip[start:end] = e[2][:end - start], e[3][:end - start]
                known[start:end] = e[4][:end - start]
            entries[(through << 31) | day] = (cancelled, d_arr, d_dep, skip, known)


def _trip_entry(net: Network, index: _FeedIndex, feed, g: int, base: int, u: dict):
    p = int(net.trip_pattern[g])
    n = int(net.pat_len[p])
    off = int(net.trip_offset[g])
    sched_arr = net.st_arr[off:off + n].astype(np.int64) + base
    sched_dep = net.st_dep[off:off + n].astype(np.int64) + base
    stops = net.pat_stops[net.pat_indptr[p]:net.pat_indptr[p] + n] - feed.stop_lo
    ids = index.stop_ids
    stop_ids = [ids[s] for s in stops.tolist()]
    d_arr, d_dep = np.zeros(n, np.int64), np.zeros(n, np.int64)
    skip, known = np.zeros(n, bool), np.zeros(n, bool)
    if u["rel"] in (TRIP_CANCELED, TRIP_DELETED):
        return True, d_arr, d_dep, skip, known
    at: dict[int, dict] = {}
    cursor = 0
    for s in u["stops"]:
        if not s["stop"]:
            continue  # stop_sequence only: not matched (see the module's doc)
        i = next((j for j in range(cursor, n) if stop_ids[j] == s["stop"]), None)
        if i is None:
            i = next((j for j in range(n) if stop_ids[j] == s["stop"]), None)
        if i is None:
            continue
        at[i] = s
        cursor = i
    current = u["delay"]  # the trip's own delay holds where no stop says otherwise
    for i in range(n):
        s = at.get(i)
        if s is not None:
            if s["rel"] == STOP_SKIPPED:
                skip[i] = True
            elif s["rel"] == STOP_NO_DATA:
                current = None
                continue
            else:
                a = s["ad"] if s["ad"] is not None else (s["at"] - int(sched_arr[i]) if s["at"] else None)
                d = s["dd"] if s["dd"] is not None else (s["dt"] - int(sched_dep[i]) if s["dt"] else None)
                if a is None and d is None:
                    a = d = current
                a = d if a is None else a
                d = a if d is None else d
                if a is not None:
                    d_arr[i], d_dep[i], known[i] = a, d, True
                    current = d
                continue
        if current is not None:
            d_arr[i] = d_dep[i] = current
            known[i] = True
    # Live times never run backwards along the trip (a bus cannot leave before it arrived).
    times = np.empty(2 * n, np.int64)
    times[0::2], times[1::2] = sched_arr + d_arr, sched_dep + d_dep
    times = np.maximum.accumulate(times)
    return False, times[0::2] - sched_arr, times[1::2] - sched_dep, skip, known


# --- every process: keeping the overlay current ---------------------------------------------------

@dataclass
class _Live:
    token: tuple = ()
    alerts: list[tuple[str, dict]] | None = None  # (feed key, alert), of the valid alert rows


_state = _Live()
_cache: dict[tuple[str, str], list[dict]] = {}
_lock = asyncio.Lock()


_LIVE_ROWS = ('SELECT key, feed, kind, version, header_at, interval_s FROM "transit_live" '
              'WHERE version != {}')


def _valid(rows: list[dict], now: dt.datetime) -> list[dict]:
    return [r for r in rows if r["header_at"] is not None
            and (now - r["header_at"]).total_seconds() <= STALE_FACTOR * r["interval_s"] + APPLY_SLACK_S]


async def _rows(now: dt.datetime) -> list[dict]:
    # On every planning request: a hand-written read of a few rows (inline on SQLite), see
    # `store.feed_versions`.
    return _valid(await point_read(TransitLive._meta.db, _LIVE_ROWS, ""), now)


async def refresh(net: Network | None, now: dt.datetime | None = None, live_rows: list[dict] | None = None) -> None:
    """Bring `net.live` (and the alerts) up to the live rows now valid; one small query when unchanged.
    `live_rows`: the rows with a version as the caller has just read them (`store.transit_state`),
    which saves that query."""
    now = now or utcnow()
    try:
        rows = _valid(live_rows, now) if live_rows is not None else await _rows(now)
    except Exception:  # noqa: BLE001 - a database without the table yet: no live data
        log.debug("no live state table", exc_info=True)
        rows = []
    token = (tuple(sorted((r["key"], r["version"]) for r in rows)),
             tuple(sorted(net.versions.items())) if net is not None else ())
    if token == _state.token and (net is None or getattr(net, "live_token", None) == token):
        return
    async with _lock:
        if token == _state.token and (net is None or getattr(net, "live_token", None) == token):
            return
        wanted = {(r["key"], r["version"]) for r in rows}
        for k in [k for k in _cache if k not in wanted]:
            del _cache[k]
        for r in rows:
            if (r["key"], r["version"]) not in _cache:
                found = await TransitLive.select(TransitLive.data).where(
                    (TransitLive.key == r["key"]) & (TransitLive.version == r["version"])).first()
                if found is None:  # replaced meanwhile: the next question sees the newer one
                    continue
                _cache[(r["key"], r["version"])] = json.loads(zlib.decompress(bytes(found["data"])))
        alerts = [(r["feed"], a) for r in rows if r["kind"] == "alerts"
                  for a in _cache.get((r["key"], r["version"]), [])]
        if net is not None:
            sources = [(r["feed"], r["header_at"], _cache[(r["key"], r["version"])]) for r in rows
                       if r["kind"] == "trip_updates" and (r["key"], r["version"]) in _cache]
            if sources:
                version = uuid.uuid4().hex
                overlay = await asyncio.to_thread(_build, net, sources, version)
                net.live = overlay if len(overlay.keys) else None
            else:
                net.live = None
            net.live_token = token
        _state.token, _state.alerts = token, alerts


# --- what a leg says ------------------------------------------------------------------------------

def _feed_of(net: Network, trip: int):
    return next(f for f in net.feeds if f.trip_lo <= trip < f.trip_hi)


def _positions(net: Network, trip: int, board_stop: int, alight_stop: int) -> list[tuple[int, int]]:
    p = int(net.trip_pattern[trip])
    lo = int(net.pat_indptr[p])
    stops = net.pat_stops[lo:lo + int(net.pat_len[p])]
    boards = np.nonzero(stops == board_stop)[0].tolist()
    alights = np.nonzero(stops == alight_stop)[0].tolist()
    return [(b, a) for b in boards for a in alights if a > b]


def _service_day(tz, base: int) -> dt.date | None:
    """The service day whose base is `base` (None when no day's 00:00 falls there)."""
    guess = dt.datetime.fromtimestamp(base + 43_200, dt.timezone.utc).astimezone(tz).date()
    for day in (guess, guess - dt.timedelta(days=1), guess + dt.timedelta(days=1)):
        if service_day_base(day, tz) == base:
            return day
    return None


def _tz(net: Network, feed, trip: int):
    """The zone a trip's times count from (its agency's; the feed's when the network has no zones)."""
    zones, trip_zone = getattr(net, "zones", None), getattr(net, "trip_zone", None)
    return zones[int(trip_zone[trip])] if zones and trip_zone is not None and len(trip_zone) else feed.timezone


def _minutes(seconds: int) -> int:
    return int(math.floor(seconds / 60 + 0.5)) if seconds >= 0 else -int(math.floor(-seconds / 60 + 0.5))


def leg_fields(net: Network, part, dep_epoch: int) -> dict:
    """What a ride leg (`raptor.Ride` of a real trip, leaving at `dep_epoch`) says about live data
    (`Leg` fields): the timetable's times, the delay when a live time is known, and the trip's
    identity (`TripRef`) so that a later look finds it again."""
    from backend.transit.schemas import TripRef

    trip, board_stop, alight_stop = int(part.trip), int(part.board_stop), int(part.alight_stop)
    feed = _feed_of(net, trip)
    index = _index(feed.name, feed.version)
    if index is None or trip - feed.trip_lo >= len(index.trip_ids) or not index.trip_ids[trip - feed.trip_lo]:
        return {}
    off = int(net.trip_offset[trip])
    live = net.live
    tz = _tz(net, feed, trip)
    given = getattr(part, "board_pos", -1), getattr(part, "alight_pos", -1)
    positions = [given] if 0 <= given[0] < given[1] else _positions(net, trip, board_stop, alight_stop)
    for b, a in positions:
        found = None
        if live is not None:
            for e in live.entries_of(trip):
                base = int(live.keys[e] & ((1 << 31) - 1)) * 60
                if base + int(net.st_dep[off + b]) + int(live.d_dep[live.off[e] + b]) == dep_epoch:
                    found = (e, base)
                    break
        base = found[1] if found else dep_epoch - int(net.st_dep[off + b])
        day = _service_day(tz, base)
        if day is None:
            continue
        planned_dep, planned_arr = base + int(net.st_dep[off + b]), base + int(net.st_arr[off + a])
        local = trip - feed.trip_lo
        ref = TripRef(feed=feed.name, trip_id=index.trip_ids[local], service_date=day,
                      route_id=index.route_ids[int(net.trip_route[trip]) - _route_lo(net, feed)]
                      if index.route_ids else "",
                      from_stop_id=index.stop_ids[board_stop - feed.stop_lo],
                      to_stop_id=index.stop_ids[alight_stop - feed.stop_lo])
        out = {"trip": ref, "planned_departure": _at(planned_dep), "planned_arrival": _at(planned_arr)}
        if found is not None:
            e = found[0]
            if live.known[live.off[e] + b]:
                out.update(live=True, delay_minutes=_minutes(int(live.d_dep[live.off[e] + b])))
        return out
    return {}


def _route_lo(net: Network, feed) -> int:
    """The global number of the feed's first route (routes are numbered feed after feed)."""
    from backend.transit import planner

    lo = 0
    for f in net.feeds:
        if f is feed:
            return lo
        lo += len((planner.feed_meta(f.name) or {}).get("route_short", []))
    return lo


def _at(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


@dataclass
class TripState:
    """A planned ride as live data sees it now."""

    cancelled: bool = False
    skipped: bool = False  # the bus passes the stop to board or to alight without stopping
    skipped_alight: bool = False  # ... and it is the stop to alight
    departure: dt.datetime | None = None  # live departure at the board stop
    arrival: dt.datetime | None = None  # live arrival at the alight stop
    delay_minutes: int = 0


def trip_state(net: Network, ref, planned_departure: dt.datetime, planned_arrival: dt.datetime) -> TripState:
    """The live state of a ride planned earlier (`Leg.trip` with its timetable times)."""
    plain = TripState(departure=planned_departure, arrival=planned_arrival)
    feed = next((f for f in net.feeds if f.name == ref.feed), None)
    index = _index(feed.name, feed.version) if feed is not None else None
    live = net.live
    if index is None or live is None:
        return plain
    stops = {s: i for i, s in enumerate(index.stop_ids)}
    board, alight = stops.get(ref.from_stop_id), stops.get(ref.to_stop_id)
    if board is None or alight is None:
        return plain
    for local in index.trips.get(ref.trip_id, []):
        g = feed.trip_lo + local
        if net.trip_pattern[g] < 0:
            continue
        off = int(net.trip_offset[g])
        base = service_day_base(ref.service_date, _tz(net, feed, g))
        for b, a in _positions(net, g, board + feed.stop_lo, alight + feed.stop_lo):
            if base + int(net.st_dep[off + b]) != int(planned_departure.timestamp()):
                continue
            e = live.entry(g, base)
            if e is None:
                return plain
            if live.cancelled[e]:
                return TripState(cancelled=True, departure=planned_departure, arrival=planned_arrival)
            o = int(live.off[e])
            return TripState(skipped=bool(live.skip[o + b] or live.skip[o + a]), skipped_alight=bool(live.skip[o + a]),
                             departure=_at(int(planned_departure.timestamp()) + int(live.d_dep[o + b])),
                             arrival=_at(int(planned_arrival.timestamp()) + int(live.d_arr[o + a])),
                             delay_minutes=_minutes(int(live.d_dep[o + b])))
    return plain


# --- alerts ---------------------------------------------------------------------------------------

def _pick(texts: dict[str, str], language: str) -> str:
    if not texts:
        return ""
    for code, text in texts.items():
        if code.lower() == language:
            return text
    for code, text in texts.items():
        if code.lower().split("-")[0] == language:
            return text
    return texts.get("") or next(iter(texts.values()))


def alerts_for(refs: list, now: dt.datetime, language: str) -> list[dict]:
    """The service alerts active at `now` that name one of these rides' lines, trips or stops
    (`TripRef`s), in `language` where the feed has it: [{id, header, description}]."""
    if not _state.alerts or not refs:
        return []
    keys = {feed_key(r.feed) for r in refs}
    routes = {(feed_key(r.feed), r.route_id) for r in refs if r.route_id}
    trips = {(feed_key(r.feed), r.trip_id) for r in refs}
    stops = {(feed_key(r.feed), s) for r in refs for s in (r.from_stop_id, r.to_stop_id)}
    at = now.timestamp()
    out, seen = [], set()
    for fkey, alert in _state.alerts:
        if fkey not in keys or (fkey, alert["id"]) in seen:
            continue
        periods = alert["periods"]
        if periods and not any((s is None or s <= at) and (e is None or at < e) for s, e in periods):
            continue
        if any((fkey, e["route"]) in routes or (fkey, e["stop"]) in stops or (fkey, e["trip"]) in trips
               for e in alert["entities"]):
            seen.add((fkey, alert["id"]))
            out.append({"id": alert["id"], "header": _pick(alert["header"], language),
                        "description": _pick(alert["description"], language)})
    return out
