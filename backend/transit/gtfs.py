"""Reading a GTFS zip into compact arrays (`FeedData`), with errors that name the file and line.

Real-world quirks handled: a UTF-8 byte order mark, quoted fields, CRLF line ends, extra or
reordered columns, blank optional fields, H:MM:SS times and times past 24:00, files in one
subfolder of the zip, stations (`location_type` 1: not boarded; their platforms are), stop times
without a time (non-timepoints: interpolated between the timed stops around them), a feed with
only calendar.txt or only calendar_dates.txt, and frequency-based trips (frequencies.txt: the stop
times are a template, expanded into one trip per run).
"""

from __future__ import annotations

import array
import csv
import datetime as dt
import io
import json
import re
import zipfile
import zoneinfo
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from backend.transit.geo import TRANSFER_RADIUS_M, GridIndex, walk_seconds

# Same-stop change when transfers.txt says nothing: time to get off, and find and board the next one.
DEFAULT_CHANGE_S = 60
TIME_RE = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class FeedError(Exception):
    """A feed that cannot be imported; the message names the file and line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line = file, line
        super().__init__(f"{file} line {line}: {message}" if line else f"{file}: {message}")


@dataclass
class FeedData:
    """One feed as arrays; `arrays` and `meta` are what is stored (see `store.py`)."""

    arrays: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        meta = np.frombuffer(json.dumps(self.meta).encode(), dtype=np.uint8)
        np.savez_compressed(buf, __meta__=meta, **self.arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "FeedData":
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
        return cls(arrays, meta)


class _Table:
    """One CSV file of the zip: header columns by name, rows with their line numbers."""

    def __init__(self, zf: zipfile.ZipFile, member: str, name: str) -> None:
        self.name = name
        raw = zf.open(member)
        self.text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        self.reader = csv.reader(self.text)
        try:
            header = next(self.reader)
        except StopIteration:
            header = []
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FeedError(name, 1, f"cannot be read ({exc})") from None
        self.cols = {h.strip().lstrip("\ufeff"): i for i, h in enumerate(header)}

    def col(self, name: str, required: bool = True) -> int | None:
        if name not in self.cols:
            if required:
                raise FeedError(self.name, 1, f"the column '{name}' is missing")
            return None
        return self.cols[name]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for row in self.reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                yield self.reader.line_num, row
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FeedError(self.name, self.reader.line_num + 1, f"cannot be read ({exc})") from None

    def error(self, line: int, message: str) -> FeedError:
        return FeedError(self.name, line, message)


def _get(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _open_tables(path: str) -> tuple[zipfile.ZipFile, dict[str, str]]:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise FeedError(str(path), None, f"is not a readable zip file ({exc})") from None
    members: dict[str, str] = {}
    for info in zf.infolist():
        base = info.filename.rsplit("/", 1)[-1]
        if base.endswith(".txt") and base not in members and not info.is_dir():
            members[base] = info.filename
    return zf, members


def _date(table: _Table, line: int, text: str, column: str) -> dt.date:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 and text.isdigit() else _bad()
    except ValueError:
        raise table.error(line, f"{column} '{text}' is not a date YYYYMMDD") from None


def _bad():
    raise ValueError


def read_feed(path: str, name: str, progress: Callable[[str], None] = lambda _: None) -> FeedData:
    """Read and check a GTFS zip; raise `FeedError` (file and line) on anything that does not fit."""
    zf, members = _open_tables(path)
    with zf:
        def table(fname: str, required: bool = True) -> _Table | None:
            if fname not in members:
                if required:
                    raise FeedError(fname, None, "is missing from the zip")
                return None
            return _Table(zf, members[fname], fname)

        # Agency: the time zone all times of the feed are in.
        t = table("agency.txt")
        tz_col = t.col("agency_timezone")
        tz_name = None
        for line, row in t.rows():
            tz_name = _get(row, tz_col)
            try:
                zoneinfo.ZoneInfo(tz_name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise t.error(line, f"agency_timezone '{tz_name}' is not a known time zone") from None
            break
        if not tz_name:
            raise FeedError("agency.txt", None, "has no agency")

        # Stops: boardable ones (location_type 0 or blank) become the network's stops.
        progress("stops")
        t = table("stops.txt")
        c_id, c_name = t.col("stop_id"), t.col("stop_name", required=False)
        c_lat, c_lon = t.col("stop_lat"), t.col("stop_lon")
        c_type, c_parent = t.col("location_type", required=False), t.col("parent_station", required=False)
        stop_index: dict[str, int] = {}
        stop_ids, stop_names, lats, lons, parents = [], [], [], [], []
        stations: dict[str, str] = {}
        for line, row in t.rows():
            sid = _get(row, c_id)
            if not sid:
                raise t.error(line, "stop_id is empty")
            ltype = _get(row, c_type) or "0"
            if ltype not in ("0", "1", "2", "3", "4"):
                raise t.error(line, f"location_type '{ltype}' is not 0-4")
            if ltype != "0":
                if ltype == "1":
                    stations[sid] = _get(row, c_name)
                continue
            try:
                lat, lon = float(_get(row, c_lat)), float(_get(row, c_lon))
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError
            except ValueError:
                raise t.error(line, f"stop_lat/stop_lon '{_get(row, c_lat)}', '{_get(row, c_lon)}' "
                                    "is not a coordinate") from None
            if sid in stop_index:
                raise t.error(line, f"stop_id '{sid}' appears twice")
            stop_index[sid] = len(stop_ids)
            stop_ids.append(sid)
            stop_names.append(_get(row, c_name) or sid)
            lats.append(lat)
            lons.append(lon)
            parents.append(_get(row, c_parent))
        if not stop_ids:
            raise FeedError("stops.txt", None, "has no stops to board")

        # Routes.
        t = table("routes.txt")
        c_id, c_short = t.col("route_id"), t.col("route_short_name", required=False)
        c_long, c_type = t.col("route_long_name", required=False), t.col("route_type", required=False)
        route_index: dict[str, int] = {}
        route_short, route_long, route_type = [], [], []
        for line, row in t.rows():
            rid = _get(row, c_id)
            if not rid:
                raise t.error(line, "route_id is empty")
            route_index[rid] = len(route_short)
            route_short.append(_get(row, c_short) or _get(row, c_long) or rid)
            route_long.append(_get(row, c_long))
            rt = _get(row, c_type) or "3"
            route_type.append(int(rt) if rt.isdigit() else 3)

        # Services: calendar.txt (weekly pattern) and calendar_dates.txt (exceptions); either may be missing.
        progress("calendar")
        weekly: dict[str, tuple[list[bool], dt.date, dt.date]] = {}
        t_cal = table("calendar.txt", required=False)
        if t_cal:
            c_sid = t_cal.col("service_id")
            c_days = [t_cal.col(d) for d in WEEKDAYS]
            c_start, c_end = t_cal.col("start_date"), t_cal.col("end_date")
            for line, row in t_cal.rows():
                flags = []
                for d, c in zip(WEEKDAYS, c_days):
                    v = _get(row, c)
                    if v not in ("0", "1"):
                        raise t_cal.error(line, f"{d} '{v}' is not 0 or 1")
                    flags.append(v == "1")
                start = _date(t_cal, line, _get(row, c_start), "start_date")
                end = _date(t_cal, line, _get(row, c_end), "end_date")
                weekly[_get(row, c_sid)] = (flags, start, end)
        exceptions: list[tuple[str, dt.date, bool]] = []
        t_dates = table("calendar_dates.txt", required=False)
        if t_dates:
            c_sid, c_date, c_ex = t_dates.col("service_id"), t_dates.col("date"), t_dates.col("exception_type")
            for line, row in t_dates.rows():
                ex = _get(row, c_ex)
                if ex not in ("1", "2"):
                    raise t_dates.error(line, f"exception_type '{ex}' is not 1 or 2")
                exceptions.append((_get(row, c_sid), _date(t_dates, line, _get(row, c_date), "date"), ex == "1"))
        if t_cal is None and t_dates is None:
            raise FeedError("calendar.txt", None, "is missing, and so is calendar_dates.txt (one is needed)")
        service_index: dict[str, int] = {}
        for sid in list(weekly) + [e[0] for e in exceptions]:
            service_index.setdefault(sid, len(service_index))
        all_dates = [d for _, s, e in weekly.values() for d in (s, e)] + [e[1] for e in exceptions]
        if not all_dates:
            raise FeedError("calendar.txt", None, "has no service days")
        day0, day1 = min(all_dates), max(all_dates)
        n_days = (day1 - day0).days + 1
        days = np.zeros((max(len(service_index), 1), n_days), dtype=bool)
        for sid, (flags, start, end) in weekly.items():
            s = service_index[sid]
            for k in range((start - day0).days, (end - day0).days + 1):
                if flags[(day0 + dt.timedelta(days=k)).weekday()]:
                    days[s, k] = True
        for sid, date, added in exceptions:
            days[service_index[sid], (date - day0).days] = added

        # Trips.
        progress("trips")
        t = table("trips.txt")
        c_route, c_svc, c_trip = t.col("route_id"), t.col("service_id"), t.col("trip_id")
        c_head = t.col("trip_headsign", required=False)
        trip_index: dict[str, int] = {}
        trip_route, trip_service, trip_head, trip_line = [], [], [], []
        headsigns: dict[str, int] = {}
        never_runs: set[str] = set()
        for line, row in t.rows():
            tid, rid, sid = _get(row, c_trip), _get(row, c_route), _get(row, c_svc)
            if rid not in route_index:
                raise t.error(line, f"route_id '{rid}' is not in routes.txt")
            if sid not in service_index:
                # A service without any day: the trip never runs; keep it out.
                never_runs.add(tid)
                continue
            if tid in trip_index:
                raise t.error(line, f"trip_id '{tid}' appears twice")
            trip_index[tid] = len(trip_route)
            trip_route.append(route_index[rid])
            trip_service.append(service_index[sid])
            trip_head.append(headsigns.setdefault(_get(row, c_head), len(headsigns)))
            trip_line.append(line)

        # Stop times: the big one. Kept in typed arrays while read, then sorted with numpy.
        progress("stop_times")
        t = table("stop_times.txt")
        c_trip, c_arr, c_dep = t.col("trip_id"), t.col("arrival_time"), t.col("departure_time")
        c_stop, c_seq = t.col("stop_id"), t.col("stop_sequence")
        cache: dict[str, int] = {"": -1}
        # Typed arrays, not lists: 4-8 bytes a value instead of a pointer plus an int object, so a
        # national feed of 10 million stop times fits in a few hundred MB while it is read.
        st_trip, st_stop, st_arr, st_dep = (array.array("i") for _ in range(4))
        st_seq, st_line = array.array("q"), array.array("q")
        parent_of_station: dict[str, list[int]] = {}
        for i, p in enumerate(parents):
            if p:
                parent_of_station.setdefault(p, []).append(i)

        def parse_time(text: str, line: int, column: str) -> int:
            value = cache.get(text)
            if value is None:
                value = cache[text] = _seconds(t, line, text, column)
            return value

        count = 0
        for line, row in t.rows():
            tid = row[c_trip].strip() if c_trip < len(row) else ""
            trip = trip_index.get(tid)
            if trip is None:
                if tid in never_runs:
                    continue  # its service has no day at all
                raise t.error(line, f"trip_id '{tid}' is not in trips.txt")
            sid = row[c_stop].strip() if c_stop < len(row) else ""
            stop = stop_index.get(sid)
            if stop is None:
                if sid in stations:
                    raise t.error(line, f"stop_id '{sid}' is a station (location_type 1), not a stop to board")
                raise t.error(line, f"stop_id '{sid}' is not in stops.txt")
            a = parse_time(row[c_arr] if c_arr < len(row) else "", line, "arrival_time")
            d = parse_time(row[c_dep] if c_dep < len(row) else "", line, "departure_time")
            seq = row[c_seq].strip() if c_seq < len(row) else ""
            if not seq.isdigit() or len(seq) > 18:
                raise t.error(line, f"stop_sequence '{seq}' is not a whole number")
            st_trip.append(trip); st_seq.append(int(seq)); st_stop.append(stop)
            st_arr.append(a if a >= 0 else d); st_dep.append(d if d >= 0 else a); st_line.append(line)
            count += 1
            if count % 500_000 == 0:
                progress(f"stop_times: {count:,} rows")

        progress("patterns")
        st_trip_a = np.asarray(st_trip, dtype=np.int32)
        order = np.lexsort((np.asarray(st_seq, dtype=np.int64), st_trip_a))
        del st_seq
        st_trip_a = st_trip_a[order]
        stop_a = np.asarray(st_stop, dtype=np.int32)[order]
        arr_a = np.asarray(st_arr, dtype=np.int32)[order]
        dep_a = np.asarray(st_dep, dtype=np.int32)[order]
        line_a = np.asarray(st_line, dtype=np.int64)[order]
        del st_trip, st_stop, st_arr, st_dep, st_line
        n_trips = len(trip_route)
        counts, offsets = _trip_offsets(st_trip_a, n_trips)
        _interpolate(arr_a, dep_a, offsets, line_a)
        _check_times(arr_a, dep_a, st_trip_a, offsets, line_a)

        # Frequency-based trips: their stop times are a template, run every headway_secs.
        starts = _frequencies(table("frequencies.txt", required=False), trip_index, never_runs)
        if starts:
            progress(f"frequencies: {len(starts):,} trips")
            st_trip_a, stop_a, arr_a, dep_a, line_a, copies = _expand_frequencies(
                starts, st_trip_a, stop_a, arr_a, dep_a, line_a, offsets)
            for tr in copies:
                trip_route.append(trip_route[tr]); trip_service.append(trip_service[tr])
                trip_head.append(trip_head[tr]); trip_line.append(trip_line[tr])
            n_trips = len(trip_route)
            counts, offsets = _trip_offsets(st_trip_a, n_trips)

        # Patterns: trips with the same stop sequence; a trip with fewer than two stops is dropped.
        keep_trip = counts >= 2
        pattern_of: dict[bytes, int] = {}
        trip_pattern = np.full(n_trips, -1, dtype=np.int32)
        pat_stops: list[np.ndarray] = []
        offs = offsets.tolist()
        for tr in np.nonzero(keep_trip)[0].tolist():
            seq_stops = stop_a[offs[tr]:offs[tr + 1]]
            key = seq_stops.tobytes()
            p = pattern_of.get(key)
            if p is None:
                p = pattern_of[key] = len(pat_stops)
                pat_stops.append(seq_stops)
            trip_pattern[tr] = p
        pat_indptr = np.zeros(len(pat_stops) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in pat_stops], out=pat_indptr[1:])

        # Transfers: derived walks within TRANSFER_RADIUS_M, then transfers.txt on top.
        progress("transfers")
        lat_a, lon_a = np.asarray(lats), np.asarray(lons)
        grid = GridIndex(lat_a, lon_a)
        fi, fj, fd = grid.pairs_within(TRANSFER_RADIUS_M)
        walks = dict(zip(zip(fi.tolist(), fj.tolist()), walk_seconds(fd).tolist()))
        change = np.full(len(stop_ids), DEFAULT_CHANGE_S, dtype=np.int32)
        t = table("transfers.txt", required=False)
        n_transfers_txt = 0
        if t:
            c_from, c_to = t.col("from_stop_id"), t.col("to_stop_id")
            c_kind, c_min = t.col("transfer_type", required=False), t.col("min_transfer_time", required=False)
            c_ftrip = t.col("from_trip_id", required=False)

            def expand(sid: str, line: int) -> list[int]:
                if sid in stop_index:
                    return [stop_index[sid]]
                if sid in stations:
                    return parent_of_station.get(sid, [])
                raise t.error(line, f"stop_id '{sid}' is not in stops.txt")

            for line, row in t.rows():
                if _get(row, c_ftrip):
                    continue  # trip-to-trip guarantees are not modelled; the stop rule still applies
                kind = _get(row, c_kind) or "0"
                if kind not in ("0", "1", "2", "3", "4", "5"):
                    raise t.error(line, f"transfer_type '{kind}' is not 0-5")
                mtext = _get(row, c_min)
                if mtext and not mtext.isdigit():
                    raise t.error(line, f"min_transfer_time '{mtext}' is not a number of seconds")
                for a in expand(_get(row, c_from), line):
                    for b in expand(_get(row, c_to), line):
                        n_transfers_txt += 1
                        if kind == "3":
                            if a == b:
                                change[a] = 1 << 20  # never change here
                            walks.pop((a, b), None)
                            continue
                        secs = int(mtext) if mtext else (0 if kind == "1" else None)
                        if a == b:
                            change[a] = secs if secs is not None else DEFAULT_CHANGE_S
                        else:
                            if secs is None:
                                d = float(np.asarray(walk_seconds(
                                    _dist(lat_a[a], lon_a[a], lat_a[b], lon_a[b]))))
                                secs = int(d)
                            walks[(a, b)] = secs
        if walks:
            fp = np.asarray([(a, b, s) for (a, b), s in walks.items()], dtype=np.int64)
        else:
            fp = np.zeros((0, 3), dtype=np.int64)

        active_days = np.nonzero(days[np.unique(trip_service[: n_trips]) if n_trips else [], :].any(axis=0))[0] \
            if n_trips else np.empty(0, dtype=np.int64)
        if not len(active_days) or not keep_trip.any():
            raise FeedError("trips.txt", None, "no trip runs on any day")
        first = day0 + dt.timedelta(days=int(active_days[0]))
        last = day0 + dt.timedelta(days=int(active_days[-1]))

        arrays = {
            "stop_lat": lat_a, "stop_lon": lon_a, "stop_change": change,
            "route_type": np.asarray(route_type, dtype=np.int16),
            "trip_route": np.asarray(trip_route, dtype=np.int32),
            "trip_service": np.asarray(trip_service, dtype=np.int32),
            "trip_head": np.asarray(trip_head, dtype=np.int32),
            "trip_pattern": trip_pattern, "trip_offset": offsets,
            "st_arr": arr_a, "st_dep": dep_a,
            "pat_indptr": pat_indptr,
            "pat_stops": np.concatenate(pat_stops).astype(np.int32),
            "svc_days": days,
            "fp_from": fp[:, 0].astype(np.int32), "fp_to": fp[:, 1].astype(np.int32),
            "fp_secs": fp[:, 2].astype(np.int32),
        }
        meta = {
            "name": name, "timezone": tz_name, "day0": day0.isoformat(),
            "first_date": first.isoformat(), "last_date": last.isoformat(),
            "stop_ids": stop_ids, "stop_names": stop_names,
            "route_short": route_short, "route_long": route_long,
            "headsigns": list(headsigns),
            "counts": {"stops": len(stop_ids), "routes": len(route_short), "trips": int(keep_trip.sum()),
                       "stop_times": int(len(arr_a)), "patterns": len(pat_stops),
                       "walking_transfers": int(len(fp)), "transfers_txt": n_transfers_txt},
        }
        return FeedData(arrays, meta)


def _trip_offsets(st_trip: np.ndarray, n_trips: int) -> tuple[np.ndarray, np.ndarray]:
    """Stop times per trip, and where each trip's run starts in the arrays sorted by trip."""
    counts = np.bincount(st_trip, minlength=n_trips)
    offsets = np.zeros(n_trips + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return counts, offsets


def _frequencies(t: _Table | None, trip_index: dict[str, int], never_runs: set[str]) -> dict[int, list[int]]:
    """frequencies.txt: for each frequency-based trip, the start times of its runs (sorted).

    Runs start at start_time, then every headway_secs while before end_time (exact_times 0 and 1
    alike: a schedule of headways is planned as if it ran on the minute)."""
    starts: dict[int, list[int]] = {}
    if t is None:
        return starts
    c_trip, c_start, c_end = t.col("trip_id"), t.col("start_time"), t.col("end_time")
    c_head = t.col("headway_secs")
    for line, row in t.rows():
        tid = _get(row, c_trip)
        trip = trip_index.get(tid)
        if trip is None:
            if tid in never_runs:
                continue
            raise t.error(line, f"trip_id '{tid}' is not in trips.txt")
        first, end = (_seconds(t, line, _get(row, c), column) for c, column in ((c_start, "start_time"), (c_end, "end_time")))
        headway = _get(row, c_head)
        if not headway.isdigit() or int(headway) <= 0:
            raise t.error(line, f"headway_secs '{headway}' is not a positive number of seconds")
        if end < first:
            raise t.error(line, "end_time is before start_time")
        starts.setdefault(trip, []).extend(range(first, end, int(headway)))
    return {trip: sorted(set(times)) for trip, times in starts.items() if times}


def _seconds(t: _Table, line: int, text: str, column: str) -> int:
    """H:MM:SS (hours past 24 allowed) as seconds, or an error naming the file, line and column."""
    m = TIME_RE.match(text)
    if not m:
        raise t.error(line, f"{column} '{text}' is not a time HH:MM:SS")
    return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])


def _expand_frequencies(starts: dict[int, list[int]], st_trip, stop, arr, dep, line, offsets):
    """Each frequency-based trip becomes its runs: the template is moved to the first start, and a
    new trip number is appended per further start (returned: the template of each new trip, in order)."""
    arr, dep = arr.copy(), dep.copy()
    n = len(offsets) - 1
    copies: list[int] = []
    parts = ([st_trip], [stop], [arr], [dep], [line])
    for tr, times in sorted(starts.items()):
        a, b = int(offsets[tr]), int(offsets[tr + 1])
        if b == a:
            continue
        base = int(dep[a])
        t_arr, t_dep = arr[a:b] - base, dep[a:b] - base
        arr[a:b], dep[a:b] = t_arr + times[0], t_dep + times[0]
        for start in times[1:]:
            parts[0].append(np.full(b - a, n + len(copies), dtype=st_trip.dtype))
            parts[1].append(stop[a:b]); parts[2].append(t_arr + start); parts[3].append(t_dep + start)
            parts[4].append(line[a:b])
            copies.append(tr)
    return (*(np.concatenate(p) for p in parts), copies)


def _dist(a, b, c, d):
    from backend.transit.geo import distance_m
    return distance_m(a, b, c, d)


def _interpolate(arr: np.ndarray, dep: np.ndarray, offsets: np.ndarray, lines: np.ndarray) -> None:
    """Fill the times of non-timepoint stops (-1) linearly between the timed stops of their trip."""
    missing = np.nonzero(arr < 0)[0]
    if not len(missing):
        return
    trip_of = np.searchsorted(offsets, missing, side="right") - 1
    for trip in np.unique(trip_of).tolist():
        a, b = int(offsets[trip]), int(offsets[trip + 1])
        seg = arr[a:b]
        known = np.nonzero(seg >= 0)[0]
        if len(known) == 0 or known[0] != 0 or known[-1] != b - a - 1:
            line = int(lines[a] if len(known) == 0 or known[0] != 0 else lines[b - 1])
            raise FeedError("stop_times.txt", line, "the first and last stop of a trip need a time")
        pos = np.arange(b - a)
        filled = np.interp(pos, known, dep[a:b][known].astype(np.float64)).round().astype(np.int32)
        gap = seg < 0
        arr[a:b][gap] = filled[gap]
        dep[a:b][gap] = filled[gap]


def _check_times(arr, dep, trip, offsets, lines) -> None:
    """Times along a trip may not go back (arrival <= departure <= next arrival)."""
    bad = np.nonzero(dep < arr)[0]
    if len(bad):
        raise FeedError("stop_times.txt", int(lines[bad[0]]), "departure_time is before arrival_time")
    back = np.nonzero((arr[1:] < dep[:-1]) & (trip[1:] == trip[:-1]))[0]
    if len(back):
        raise FeedError("stop_times.txt", int(lines[back[0] + 1]),
                        "arrival_time is before the departure from the previous stop of the trip")
