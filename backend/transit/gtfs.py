"""Reading a GTFS zip into compact arrays (`FeedData`), with errors that name the file and line.

Real-world quirks handled: a UTF-8 byte order mark, quoted fields (also with line breaks inside),
CRLF line ends, extra or reordered columns, blank optional fields, empty (0-byte) optional files,
H:MM:SS times and times past 24:00, files in one subfolder of the zip, stations (`location_type` 1:
not boarded; their platforms are), stop times without a time (non-timepoints: interpolated between
the timed stops around them), a feed with only calendar.txt or only calendar_dates.txt.

Rules of the feed that routing honours:
- `pickup_type`/`drop_off_type` 1: no boarding / no alighting there; 2 and 3 (phone the agency,
  ask the driver) are allowed and the leg says so.
- `block_id`: when the next trip of a block on that day continues from the stop where the trip
  ends, a rider stays seated (no change time). Such chains are stored as extra "through" trips whose
  parts are the real trips (`blk_*` arrays), so a ride on one is shown as the real trips it is made of.
- `frequencies.txt`: exact_times=1 is a timetable (one trip per run); exact_times=0 (or blank) is a
  headway: the vehicle comes every headway_secs at times not known in advance, so the trip is planned
  with the worst-case wait: "be at the stop by T" and arrive as if the vehicle came a full headway
  later (be-at-stop times on a grid of `HEADWAY_STEP` seconds, never later than needed).
- Time zones: each agency's `agency_timezone` (trips follow their route's agency) and each stop's
  `stop_timezone` (for showing times at that stop; a platform takes its station's zone).
- transfers.txt: 0/1 (recommended/timed), 2 (minimum time), 3 (not possible) between stops or the
  platforms of stations.

Things a feed gets wrong that do not stop the import are collected in `meta["warnings"]` (trips
with an unknown service_id, agencies in different zones, stops without coordinates, routes without
trips), and the import summary ends with them.
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
# transfers.txt type 3 on one stop: a change there is never possible.
NO_CHANGE_S = 1 << 20
# block_id: a rider stays seated through at most this many trips of a block in one ride.
SEATED_TRIPS = 3
# Headway trips (exact_times=0): be-at-stop times every headway / 10, between 1 and 5 minutes apart.
HEADWAY_STEP_MIN_S, HEADWAY_STEP_MAX_S = 60, 300
TIME_RE = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# pickup_type / drop_off_type: 0 regular, 1 none, 2 phone the agency, 3 ask the driver.
NO_SERVICE = 1


def headway_step(headway: int) -> int:
    return min(max(headway // 10, HEADWAY_STEP_MIN_S), HEADWAY_STEP_MAX_S)


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
    """One CSV file of the zip: header columns by name, rows with the line of the file they start on.

    A row's line number counts every physical line before it (also the line breaks inside quoted
    fields); a byte that is not UTF-8 is reported on the line it is on."""

    def __init__(self, zf: zipfile.ZipFile, member: str, name: str) -> None:
        self.name = name
        self.zf, self.member = zf, member
        self.physical = 0      # lines handed to the csv reader so far
        self.eof = False
        self.text = io.TextIOWrapper(zf.open(member), encoding="utf-8-sig", newline="")
        self.reader = csv.reader(self._lines())
        try:
            header = next(self.reader)
        except StopIteration:
            header = []
        except csv.Error as exc:
            raise FeedError(name, 1, f"cannot be read ({exc})") from None
        self.cols = {h.strip().lstrip("\ufeff"): i for i, h in enumerate(header)}

    def _lines(self) -> Iterator[str]:
        try:
            for line in self.text:
                self.physical += 1
                yield line
        except UnicodeDecodeError:
            raise self._bad_byte() from None
        self.eof = True

    def _bad_byte(self) -> FeedError:
        """The text is decoded in blocks: find the line of the first byte that is not UTF-8."""
        with self.zf.open(self.member) as raw:
            for n, chunk in enumerate(raw, 1):
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return FeedError(self.name, n, f"is not UTF-8 text (byte 0x{chunk[exc.start]:02x} "
                                                   f"at character {exc.start + 1})")
        return FeedError(self.name, None, "is not UTF-8 text")

    def col(self, name: str, required: bool = True) -> int | None:
        if name not in self.cols:
            if required:
                raise FeedError(self.name, 1, f"the column '{name}' is missing")
            return None
        return self.cols[name]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = self.reader
        while True:
            start = self.physical + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FeedError(self.name, start, f"cannot be read ({exc})") from None
            if self.eof and self.physical > start:
                # The reader ran to the end of the file inside a quoted field.
                raise FeedError(self.name, start, "a quote (\") opened on this line is never closed")
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            yield start, row

    def error(self, line: int, message: str) -> FeedError:
        return FeedError(self.name, line, message)


def _get(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _open_tables(path: str) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise FeedError(str(path), None, f"is not a readable zip file ({exc})") from None
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        base = info.filename.rsplit("/", 1)[-1]
        if base.endswith(".txt") and base not in members and not info.is_dir():
            members[base] = info
    return zf, members


def _date(table: _Table, line: int, text: str, column: str) -> dt.date:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 and text.isdigit() else _bad()
    except ValueError:
        raise table.error(line, f"{column} '{text}' is not a date YYYYMMDD") from None


def _bad():
    raise ValueError


def _zone(t: _Table, line: int, text: str, column: str) -> str:
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise t.error(line, f"{column} '{text}' is not a known time zone") from None
    return text


def _stop_type(t: _Table, line: int, text: str, column: str) -> int:
    if text in ("", "0", "1", "2", "3"):
        return int(text or 0)
    raise t.error(line, f"{column} '{text}' is not 0-3")


def read_feed(path: str, name: str, progress: Callable[[str], None] = lambda _: None) -> FeedData:
    """Read and check a GTFS zip; raise `FeedError` (file and line) on anything that does not fit."""
    zf, members = _open_tables(path)
    warnings: list[str] = []
    with zf:
        def table(fname: str, required: bool = True) -> _Table | None:
            info = members.get(fname)
            if info is None or info.file_size == 0:
                if required:
                    raise FeedError(fname, None, "is missing from the zip" if info is None else "is empty")
                return None  # an empty optional file is the same as no file
            return _Table(zf, info.filename, fname)

        # Agencies: the time zone of the times of their routes' trips.
        t = table("agency.txt")
        c_tz, c_aid = t.col("agency_timezone"), t.col("agency_id", required=False)
        agency_zone: dict[str, str] = {}
        tz_name = None
        for line, row in t.rows():
            zone = _zone(t, line, _get(row, c_tz), "agency_timezone")
            agency_zone.setdefault(_get(row, c_aid), zone)
            tz_name = tz_name or zone
        if not tz_name:
            raise FeedError("agency.txt", None, "has no agency")
        zones = [tz_name]
        zone_index = {tz_name: 0}

        def zone_of(text: str) -> int:
            return zone_index.setdefault(text, len(zone_index)) if text else 0

        distinct = sorted(set(agency_zone.values()))
        if len(distinct) > 1:
            warnings.append(f"agencies are in different time zones ({', '.join(distinct)}); "
                            "each agency's trips are planned in its own zone")

        # Stops: boardable ones (location_type 0 or blank) become the network's stops.
        progress("stops")
        t = table("stops.txt")
        c_id, c_name = t.col("stop_id"), t.col("stop_name", required=False)
        c_lat, c_lon = t.col("stop_lat"), t.col("stop_lon")
        c_type, c_parent = t.col("location_type", required=False), t.col("parent_station", required=False)
        c_stz = t.col("stop_timezone", required=False)
        stop_index: dict[str, int] = {}
        stop_ids, stop_names, lats, lons, parents, stop_tz = [], [], [], [], [], []
        stations: dict[str, tuple[str, float | None, float | None, str]] = {}
        no_coords: dict[str, int] = {}  # stops without coordinates (and no station to take them from)

        def coordinate(line: int, row: list[str]) -> tuple[float, float] | None:
            la, lo = _get(row, c_lat), _get(row, c_lon)
            if not la and not lo:
                return None
            try:
                lat, lon = float(la), float(lo)
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError
            except ValueError:
                raise t.error(line, f"stop_lat/stop_lon '{la}', '{lo}' is not a coordinate") from None
            return lat, lon

        pending: list[tuple[int, str, str, str, str]] = []  # stops whose coordinates come from the station
        for line, row in t.rows():
            sid = _get(row, c_id)
            if not sid:
                raise t.error(line, "stop_id is empty")
            ltype = _get(row, c_type) or "0"
            if ltype not in ("0", "1", "2", "3", "4"):
                raise t.error(line, f"location_type '{ltype}' is not 0-4")
            stz = _get(row, c_stz)
            if stz:
                _zone(t, line, stz, "stop_timezone")
            if ltype != "0":
                if ltype == "1":
                    point = coordinate(line, row)
                    stations[sid] = (_get(row, c_name), *(point or (None, None)), stz)
                continue
            if sid in stop_index or sid in no_coords:
                raise t.error(line, f"stop_id '{sid}' appears twice")
            point = coordinate(line, row)
            if point is None:
                pending.append((line, sid, _get(row, c_name), _get(row, c_parent), stz))
                no_coords[sid] = line
                continue
            stop_index[sid] = len(stop_ids)
            stop_ids.append(sid)
            stop_names.append(_get(row, c_name) or sid)
            lats.append(point[0])
            lons.append(point[1])
            parents.append(_get(row, c_parent))
            stop_tz.append(stz)
        for line, sid, sname, parent, stz in pending:
            st_info = stations.get(parent)
            if st_info is None or st_info[1] is None:
                continue  # left out below, with a warning
            del no_coords[sid]
            stop_index[sid] = len(stop_ids)
            stop_ids.append(sid); stop_names.append(sname or sid)
            lats.append(st_info[1]); lons.append(st_info[2]); parents.append(parent); stop_tz.append(stz)
        if no_coords:
            first_line = min(no_coords.values())
            warnings.append(f"{len(no_coords):,} stops have no coordinates (first: stops.txt line {first_line}, "
                            f"'{min(no_coords, key=no_coords.get)}'); they and their stop times were left out")
        if not stop_ids:
            raise FeedError("stops.txt", None, "has no stops to board")
        # A platform shows times in its station's zone; without one, its own; else the agency's.
        stop_zone = [zone_of(stations.get(p, ("", None, None, ""))[3] or own if p else own)
                     for p, own in zip(parents, stop_tz)]

        # Routes.
        t = table("routes.txt")
        c_id, c_short = t.col("route_id"), t.col("route_short_name", required=False)
        c_long, c_type = t.col("route_long_name", required=False), t.col("route_type", required=False)
        c_agency = t.col("agency_id", required=False)
        route_index: dict[str, int] = {}
        route_short, route_long, route_type, route_zone = [], [], [], []
        for line, row in t.rows():
            rid = _get(row, c_id)
            if not rid:
                raise t.error(line, "route_id is empty")
            route_index[rid] = len(route_short)
            route_short.append(_get(row, c_short) or _get(row, c_long) or rid)
            route_long.append(_get(row, c_long))
            rt = _get(row, c_type) or "3"
            route_type.append(int(rt) if rt.isdigit() else 3)
            route_zone.append(zone_of(agency_zone.get(_get(row, c_agency), tz_name)))

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
        c_head, c_block = t.col("trip_headsign", required=False), t.col("block_id", required=False)
        trip_index: dict[str, int] = {}
        trip_route, trip_service, trip_head, trip_line, trip_block = [], [], [], [], []
        headsigns: dict[str, int] = {}
        never_runs: dict[str, int] = {}
        unknown_services: set[str] = set()
        for line, row in t.rows():
            tid, rid, sid = _get(row, c_trip), _get(row, c_route), _get(row, c_svc)
            if rid not in route_index:
                raise t.error(line, f"route_id '{rid}' is not in routes.txt")
            if sid not in service_index:
                # A service in neither calendar file: the trip never runs; keep it out (and say so).
                never_runs[tid] = line
                unknown_services.add(sid)
                continue
            if tid in trip_index:
                raise t.error(line, f"trip_id '{tid}' appears twice")
            trip_index[tid] = len(trip_route)
            trip_route.append(route_index[rid])
            trip_service.append(service_index[sid])
            trip_head.append(headsigns.setdefault(_get(row, c_head), len(headsigns)))
            trip_line.append(line)
            trip_block.append(_get(row, c_block))
        if never_runs:
            first_line = min(never_runs.values())
            names = ", ".join(f"'{s}'" for s in sorted(unknown_services)[:3]) + (", ..." if len(unknown_services) > 3 else "")
            warnings.append(f"{len(never_runs):,} trips have a service_id that is in neither calendar.txt nor "
                            f"calendar_dates.txt ({names}; first: trips.txt line {first_line}); they were left out")

        # Stop times: the big one. Kept in typed arrays while read, then sorted with numpy.
        progress("stop_times")
        t = table("stop_times.txt")
        c_trip, c_arr, c_dep = t.col("trip_id"), t.col("arrival_time"), t.col("departure_time")
        c_stop, c_seq = t.col("stop_id"), t.col("stop_sequence")
        c_pick, c_drop = t.col("pickup_type", required=False), t.col("drop_off_type", required=False)
        cache: dict[str, int] = {"": -1}
        # Typed arrays, not lists: 4-8 bytes a value instead of a pointer plus an int object, so a
        # national feed of 10 million stop times fits in a few hundred MB while it is read.
        st_trip, st_stop, st_arr, st_dep = (array.array("i") for _ in range(4))
        st_seq, st_line = array.array("q"), array.array("q")
        st_rule = array.array("b")  # pickup_type * 4 + drop_off_type
        parent_of_station: dict[str, list[int]] = {}
        for i, p in enumerate(parents):
            if p:
                parent_of_station.setdefault(p, []).append(i)

        def parse_time(text: str, line: int, column: str) -> int:
            value = cache.get(text)
            if value is None:
                value = cache[text] = _seconds(t, line, text, column)
            return value

        rules: dict[tuple[str, str], int] = {}

        def rule(p: str, d: str, line: int) -> int:
            value = rules.get((p, d))
            if value is None:
                value = rules[p, d] = (_stop_type(t, line, p, "pickup_type") * 4
                                       + _stop_type(t, line, d, "drop_off_type"))
            return value

        count = 0
        has_rules = c_pick is not None or c_drop is not None
        n_pick = c_pick if c_pick is not None else 1 << 30
        n_drop = c_drop if c_drop is not None else 1 << 30
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
                if sid in no_coords:
                    continue  # a stop without coordinates: left out (see the warnings)
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
            if has_rules:
                st_rule.append(rule(row[n_pick].strip() if n_pick < len(row) else "",
                                    row[n_drop].strip() if n_drop < len(row) else "", line))
            else:
                st_rule.append(0)
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
        rule_a = np.asarray(st_rule, dtype=np.int8)[order]
        del st_trip, st_stop, st_arr, st_dep, st_line, st_rule
        n_trips = len(trip_route)
        counts, offsets = _trip_offsets(st_trip_a, n_trips)
        _interpolate(arr_a, dep_a, offsets, line_a)
        _check_times(arr_a, dep_a, st_trip_a, offsets, line_a)
        trip_headway = [0] * n_trips

        # Frequency-based trips: their stop times are a template, run every headway_secs.
        runs = _frequencies(table("frequencies.txt", required=False), trip_index, never_runs)
        freq_trips = set(runs)
        if runs:
            progress(f"frequencies: {sum(len(v) for v in runs.values()):,} runs")
            st_trip_a, stop_a, arr_a, dep_a, line_a, rule_a, copies = _expand_frequencies(
                runs, st_trip_a, stop_a, arr_a, dep_a, line_a, rule_a, offsets)
            for tr, wait in copies:
                trip_route.append(trip_route[tr]); trip_service.append(trip_service[tr])
                trip_head.append(trip_head[tr]); trip_line.append(trip_line[tr])
                trip_headway.append(wait)
            for tr, times in runs.items():
                trip_headway[tr] = times[0][1]
            n_trips = len(trip_route)
            counts, offsets = _trip_offsets(st_trip_a, n_trips)
        n_real = n_trips

        # Blocks: a rider stays seated into the next trip of the block that continues from the stop.
        chains = _block_chains(trip_block, np.asarray(trip_service, dtype=np.int64), days, offsets,
                               stop_a, arr_a, dep_a, freq_trips | {i for i in range(n_real) if counts[i] < 2})
        blk_trip, blk_indptr, blk_part_trip, blk_part_pos = [], [0], [], []
        if chains:
            progress(f"blocks: {len(chains):,} stay-seated chains")
            extra_svc: dict[bytes, int] = {}
            parts = ([st_trip_a], [stop_a], [arr_a], [dep_a], [line_a], [rule_a])
            for chain, mask in chains:
                key = mask.tobytes()
                svc = extra_svc.get(key)
                if svc is None:
                    svc = extra_svc[key] = days.shape[0] + len(extra_svc)
                new = len(trip_route)
                trip_route.append(trip_route[chain[0]]); trip_service.append(svc)
                trip_head.append(trip_head[chain[0]]); trip_line.append(trip_line[chain[0]])
                trip_headway.append(0)
                pos = 0
                for k, tr in enumerate(chain):
                    a, b = int(offsets[tr]), int(offsets[tr + 1])
                    blk_part_trip.append(tr); blk_part_pos.append(pos)
                    s_arr, s_rule = arr_a[a:b].copy(), rule_a[a:b].copy()
                    if k:  # the stop where the previous part ended: arrive as that one, leave as this one
                        parts[3][-1] = parts[3][-1].copy()
                        parts[3][-1][-1] = dep_a[a]
                        parts[5][-1] = parts[5][-1].copy()
                        parts[5][-1][-1] = (rule_a[a] // 4) * 4 + parts[5][-1][-1] % 4
                        a += 1
                        s_arr, s_rule = s_arr[1:], s_rule[1:]
                    parts[0].append(np.full(b - a, new, dtype=st_trip_a.dtype))
                    parts[1].append(stop_a[a:b]); parts[2].append(s_arr); parts[3].append(dep_a[a:b])
                    parts[4].append(line_a[a:b]); parts[5].append(s_rule)
                    pos += b - a if k else b - a - 1
                blk_trip.append(new)
                blk_indptr.append(len(blk_part_trip))
            days = np.vstack([days, np.asarray([np.frombuffer(k, dtype=bool) for k in extra_svc])])
            st_trip_a, stop_a, arr_a, dep_a, line_a, rule_a = (np.concatenate(p) for p in parts)
            n_trips = len(trip_route)
            counts, offsets = _trip_offsets(st_trip_a, n_trips)

        # Patterns: trips with the same stop sequence and the same boarding rules; a trip with fewer
        # than two stops is dropped.
        keep_trip = counts >= 2
        pattern_of: dict[bytes, int] = {}
        trip_pattern = np.full(n_trips, -1, dtype=np.int32)
        pat_stops: list[np.ndarray] = []
        pat_rules: list[np.ndarray] = []
        offs = offsets.tolist()
        for tr in np.nonzero(keep_trip)[0].tolist():
            seq_stops = stop_a[offs[tr]:offs[tr + 1]]
            seq_rules = rule_a[offs[tr]:offs[tr + 1]]
            key = seq_stops.tobytes() + seq_rules.tobytes()
            p = pattern_of.get(key)
            if p is None:
                p = pattern_of[key] = len(pat_stops)
                pat_stops.append(seq_stops)
                pat_rules.append(seq_rules)
            trip_pattern[tr] = p
        pat_indptr = np.zeros(len(pat_stops) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in pat_stops], out=pat_indptr[1:])

        # Routes without a trip that runs.
        used = np.zeros(len(route_short), dtype=bool)
        if n_real:
            used[np.asarray(trip_route[:n_real])[keep_trip[:n_real]]] = True
        if (~used).any():
            idle = [route_short[i] for i in np.nonzero(~used)[0][:3].tolist()]
            warnings.append(f"{int((~used).sum()):,} routes have no trips ({', '.join(idle)}"
                            f"{', ...' if (~used).sum() > 3 else ''})")

        # Transfers: derived walks within TRANSFER_RADIUS_M, then transfers.txt on top.
        progress("transfers")
        lat_a, lon_a = np.asarray(lats), np.asarray(lons)
        grid = GridIndex(lat_a, lon_a)
        fi, fj, fd = grid.pairs_within(TRANSFER_RADIUS_M)
        walks = dict(zip(zip(fi.tolist(), fj.tolist()), walk_seconds(fd).tolist()))
        change = np.full(len(stop_ids), DEFAULT_CHANGE_S, dtype=np.int32)
        forbidden: set[tuple[int, int]] = set()
        explicit: set[tuple[int, int]] = set()
        t = table("transfers.txt", required=False)
        n_transfers_txt = 0
        if t:
            c_from, c_to = t.col("from_stop_id"), t.col("to_stop_id")
            c_kind, c_min = t.col("transfer_type", required=False), t.col("min_transfer_time", required=False)
            c_ftrip = t.col("from_trip_id", required=False)
            c_ttrip = t.col("to_trip_id", required=False)

            def expand(sid: str, line: int) -> list[int]:
                if sid in stop_index:
                    return [stop_index[sid]]
                if sid in stations:
                    return parent_of_station.get(sid, [])
                if sid in no_coords:
                    return []
                raise t.error(line, f"stop_id '{sid}' is not in stops.txt")

            for line, row in t.rows():
                if _get(row, c_ftrip) or _get(row, c_ttrip):
                    continue  # trip-to-trip guarantees are not modelled; the stop rule still applies
                kind = _get(row, c_kind) or "0"
                if kind not in ("0", "1", "2", "3", "4", "5"):
                    raise t.error(line, f"transfer_type '{kind}' is not 0-5")
                if kind in ("4", "5"):
                    continue  # in-seat rules are between trips (see block_id)
                mtext = _get(row, c_min)
                if mtext and not mtext.isdigit():
                    raise t.error(line, f"min_transfer_time '{mtext}' is not a number of seconds")
                for a in expand(_get(row, c_from), line):
                    for b in expand(_get(row, c_to), line):
                        n_transfers_txt += 1
                        if kind == "3":
                            if a == b:
                                change[a] = NO_CHANGE_S  # never change here
                            walks.pop((a, b), None)
                            explicit.discard((a, b))
                            forbidden.add((a, b))
                            continue
                        secs = int(mtext) if mtext else (0 if kind == "1" else None)
                        forbidden.discard((a, b))
                        if a == b:
                            change[a] = secs if secs is not None else DEFAULT_CHANGE_S
                        else:
                            if secs is None:
                                d = float(np.asarray(walk_seconds(
                                    _dist(lat_a[a], lon_a[a], lat_a[b], lon_a[b]))))
                                secs = int(d)
                            walks[(a, b)] = secs
                            explicit.add((a, b))
        if walks:
            fp = np.asarray([(a, b, s) for (a, b), s in walks.items()], dtype=np.int64)
        else:
            fp = np.zeros((0, 3), dtype=np.int64)
        fp_explicit = np.asarray([p in explicit for p in walks], dtype=bool)
        nf = np.asarray(sorted(forbidden), dtype=np.int64).reshape(-1, 2)

        active_days = np.nonzero(days[np.unique(trip_service[: n_trips]) if n_trips else [], :].any(axis=0))[0] \
            if n_trips else np.empty(0, dtype=np.int64)
        if not len(active_days) or not keep_trip.any():
            raise FeedError("trips.txt", None, "no trip runs on any day")
        first = day0 + dt.timedelta(days=int(active_days[0]))
        last = day0 + dt.timedelta(days=int(active_days[-1]))
        zones = list(zone_index)

        arrays = {
            "stop_lat": lat_a, "stop_lon": lon_a, "stop_change": change,
            "stop_zone": np.asarray(stop_zone, dtype=np.int16),
            "route_type": np.asarray(route_type, dtype=np.int16),
            "route_zone": np.asarray(route_zone, dtype=np.int16),
            "trip_route": np.asarray(trip_route, dtype=np.int32),
            "trip_service": np.asarray(trip_service, dtype=np.int32),
            "trip_head": np.asarray(trip_head, dtype=np.int32),
            "trip_headway": np.asarray(trip_headway, dtype=np.int32),
            "trip_pattern": trip_pattern, "trip_offset": offsets,
            "st_arr": arr_a, "st_dep": dep_a,
            "pat_indptr": pat_indptr,
            "pat_stops": np.concatenate(pat_stops).astype(np.int32),
            "pat_rules": np.concatenate(pat_rules).astype(np.int8),
            "svc_days": days,
            "fp_from": fp[:, 0].astype(np.int32), "fp_to": fp[:, 1].astype(np.int32),
            "fp_secs": fp[:, 2].astype(np.int32), "fp_explicit": fp_explicit,
            "nf_from": nf[:, 0].astype(np.int32), "nf_to": nf[:, 1].astype(np.int32),
            "blk_trip": np.asarray(blk_trip, dtype=np.int32),
            "blk_indptr": np.asarray(blk_indptr, dtype=np.int64),
            "blk_part_trip": np.asarray(blk_part_trip, dtype=np.int32),
            "blk_part_pos": np.asarray(blk_part_pos, dtype=np.int32),
        }
        # Live updates (realtime.py) name trips by trip_id: frequency copies share their template's,
        # stay-seated through trips have none.
        tid_of_line = {trip_line[i]: tid for tid, i in trip_index.items()}
        meta = {
            "trip_ids": [tid_of_line.get(trip_line[i], "") if i < n_real else "" for i in range(n_trips)],
            "route_ids": list(route_index),
            "name": name, "timezone": tz_name, "zones": zones, "day0": day0.isoformat(),
            "first_date": first.isoformat(), "last_date": last.isoformat(),
            "stop_ids": stop_ids, "stop_names": stop_names,
            "route_short": route_short, "route_long": route_long,
            "headsigns": list(headsigns),
            "counts": {"stops": len(stop_ids), "routes": len(route_short),
                       "trips": int(keep_trip[:n_real].sum()),
                       "stop_times": int(offsets[n_real]), "patterns": len(pat_stops),
                       "walking_transfers": int(len(fp)), "transfers_txt": n_transfers_txt,
                       "stay_seated": len(blk_trip)},
            "warnings": warnings,
        }
        return FeedData(arrays, meta)


def _trip_offsets(st_trip: np.ndarray, n_trips: int) -> tuple[np.ndarray, np.ndarray]:
    """Stop times per trip, and where each trip's run starts in the arrays sorted by trip."""
    counts = np.bincount(st_trip, minlength=n_trips)
    offsets = np.zeros(n_trips + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return counts, offsets


def _frequencies(t: _Table | None, trip_index: dict[str, int], never_runs) -> dict[int, list[tuple[int, int]]]:
    """frequencies.txt: for each frequency-based trip, its runs as (time at the first stop, wait).

    exact_times=1: runs start at start_time, then every headway_secs while before end_time (wait 0).
    exact_times=0 or blank: a headway. The rider is at the first stop at a time T of a grid
    (`headway_step`) from start_time while T + headway_secs <= end_time, and the vehicle may come
    as late as T + headway_secs (wait = headway_secs): be-at-stop times are T plus the template's
    offsets, arrivals T + headway plus the template's offsets."""
    runs: dict[int, list[tuple[int, int]]] = {}
    if t is None:
        return runs
    c_trip, c_start, c_end = t.col("trip_id"), t.col("start_time"), t.col("end_time")
    c_head, c_exact = t.col("headway_secs"), t.col("exact_times", required=False)
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
        exact = _get(row, c_exact) or "0"
        if exact not in ("0", "1"):
            raise t.error(line, f"exact_times '{exact}' is not 0 or 1")
        if end < first:
            raise t.error(line, "end_time is before start_time")
        h = int(headway)
        if exact == "1":
            runs.setdefault(trip, []).extend((s, 0) for s in range(first, end, h))
        else:
            runs.setdefault(trip, []).extend((s, h) for s in range(first, max(first + 1, end - h + 1), headway_step(h)))
    return {trip: sorted(set(times)) for trip, times in runs.items() if times}


def _seconds(t: _Table, line: int, text: str, column: str) -> int:
    """H:MM:SS (hours past 24 allowed) as seconds, or an error naming the file, line and column."""
    m = TIME_RE.match(text)
    if not m:
        raise t.error(line, f"{column} '{text}' is not a time HH:MM:SS")
    return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])


def _expand_frequencies(runs: dict[int, list[tuple[int, int]]], st_trip, stop, arr, dep, line, rule, offsets):
    """Each frequency-based trip becomes its runs: the template is moved to the first run, and a new
    trip number is appended per further run (returned: (template, wait) of each new trip, in order)."""
    arr, dep = arr.copy(), dep.copy()
    n = len(offsets) - 1
    copies: list[tuple[int, int]] = []
    parts = ([st_trip], [stop], [arr], [dep], [line], [rule])
    for tr, times in sorted(runs.items()):
        a, b = int(offsets[tr]), int(offsets[tr + 1])
        if b == a:
            continue
        base = int(dep[a])
        t_arr, t_dep = arr[a:b] - base, dep[a:b] - base
        (s0, w0) = times[0]
        arr[a:b], dep[a:b] = t_arr + s0 + w0, t_dep + s0
        for start, wait in times[1:]:
            parts[0].append(np.full(b - a, n + len(copies), dtype=st_trip.dtype))
            parts[1].append(stop[a:b]); parts[2].append(t_arr + start + wait); parts[3].append(t_dep + start)
            parts[4].append(line[a:b]); parts[5].append(rule[a:b])
            copies.append((tr, wait))
    return (*(np.concatenate(p) for p in parts), copies)


def _reverse(stop: np.ndarray, offsets: np.ndarray, a: int, b: int) -> bool:
    """Whether trip b goes back along trip a's stops (a bus turning round at the end of its line:
    staying on only brings the rider back)."""
    sa, sb = stop[offsets[a]:offsets[a + 1]], stop[offsets[b]:offsets[b + 1]]
    return len(sa) == len(sb) and bool((sa[::-1] == sb).all())


def _day_groups(days: np.ndarray, services: tuple[int, ...]) -> list[tuple[int, np.ndarray]]:
    """The days grouped by which of `services` run: (bit set of running services, days), for days
    on which any runs."""
    sub = days[list(services)]
    if len(services) > 62:  # more services than bits: group by the columns themselves
        cols, inverse = np.unique(sub.T, axis=0, return_inverse=True)
        return [(int(sum(1 << i for i in np.nonzero(c)[0].tolist())), inverse.reshape(-1) == g)
                for g, c in enumerate(cols) if c.any()]
    codes = (sub.astype(np.int64) << np.arange(len(services), dtype=np.int64)[:, None]).sum(axis=0)
    return [(int(c), codes == c) for c in np.unique(codes[codes != 0]).tolist()]


def _block_chains(block: list[str], service: np.ndarray, days: np.ndarray, offsets: np.ndarray,
                  stop: np.ndarray, arr: np.ndarray, dep: np.ndarray, exclude: set[int]) -> list[tuple[list[int], np.ndarray]]:
    """Stay-seated chains: (trips in order, service days on which exactly that chain runs).

    On each day, the trips of a block that run that day are taken in order of departure; a trip
    continues into the next one when that one starts at the stop where it ends, not before it
    arrives, and does not just go back along the same stops. Days on which the same trips run share
    their chains. A long chain is stored as overlapping windows of `SEATED_TRIPS` trips, so that the
    through trips repeat the same few stop sequences (patterns) instead of one long one per block."""
    by_block: dict[str, list[int]] = {}
    for tr, b in enumerate(block):
        if b and tr not in exclude:
            by_block.setdefault(b, []).append(tr)
    out: dict[tuple[int, ...], np.ndarray] = {}
    # The days of a block differ only by which of its services run: group days by that, once per
    # set of services (most blocks share theirs).
    groups_of: dict[tuple[int, ...], list[tuple[int, np.ndarray]]] = {}
    for trips in by_block.values():
        if len(trips) < 2:
            continue
        tr = np.asarray(trips, dtype=np.int64)
        tr = tr[np.argsort(dep[offsets[tr]], kind="stable")]
        first_stop, first_dep = stop[offsets[tr]].tolist(), dep[offsets[tr]].tolist()
        last_stop, last_arr = stop[offsets[tr + 1] - 1].tolist(), arr[offsets[tr + 1] - 1].tolist()
        svc = service[tr].tolist()
        key_s = tuple(sorted(set(svc)))
        groups = groups_of.get(key_s)
        if groups is None:
            groups = groups_of[key_s] = _day_groups(days, key_s)
        bit = {x: i for i, x in enumerate(key_s)}
        bits = [bit[x] for x in svc]
        for code, mask in groups:
            members = [i for i, b in enumerate(bits) if code >> b & 1]
            if len(members) < 2:
                continue
            chain = [members[0]]
            for x, y in zip(members[:-1] + [None], members[1:] + [None]):
                if y is not None and first_stop[y] == last_stop[x] and first_dep[y] >= last_arr[x] \
                        and not _reverse(stop, offsets, int(tr[x]), int(tr[y])):
                    chain.append(y)
                    continue
                # Windows of up to SEATED_TRIPS trips: every seated ride of that many fits in one.
                for k in range(max(1, len(chain) - SEATED_TRIPS + 1) if len(chain) > 1 else 0):
                    key = tuple(int(tr[c]) for c in chain[k:k + SEATED_TRIPS])
                    out[key] = out[key] | mask if key in out else mask
                chain = [y]
    return [(list(k), v) for k, v in out.items()]


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
