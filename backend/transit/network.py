"""The in-memory network of all loaded feeds, and per-date views of it for the router.

`Network` holds every feed's arrays side by side (global stop, pattern and trip numbers), the
walking transfers (within each feed from its import, across feeds computed here), and a grid index
for finding stops near a coordinate. A `DayView` lays out the trip instances around one date as
sorted columns per pattern, which is what the vectorised RAPTOR in `raptor.py` scans.
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from backend.transit.geo import TRANSFER_RADIUS_M, GridIndex, distance_m, walk_seconds
from backend.transit.gtfs import DEFAULT_CHANGE_S, NO_SERVICE, FeedData

# Journeys longer than this (first departure to arrival) are not searched.
MAX_JOURNEY_S = 4 * 3600
# A change on foot of several steps (one of them from transfers.txt or between two feeds, say bus
# stop -> station entrance -> platform) is chained up to this many seconds in all.
MAX_CHAIN_S = 600
# A day view covers [R, R + HORIZON_S) with R = the UTC date's midnight minus 12 h.
HALF_DAY = 43_200
HORIZON_S = 2 * 86_400
TIME_BITS = 20  # times in a day view are below 2**20 s; keys are column << TIME_BITS | time


def expand_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + n) for every (s, n), without a Python loop."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offs = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(offs, lengths) + np.repeat(np.asarray(starts, np.int64), lengths)


@dataclass
class FeedInfo:
    name: str
    version: str
    timezone: zoneinfo.ZoneInfo
    day0: dt.date
    first: dt.date
    last: dt.date
    svc_days: np.ndarray
    trip_lo: int
    trip_hi: int
    stop_lo: int
    stop_hi: int


class Network:
    """All feeds combined. Built once per process per set of feed versions."""

    def __init__(self, feeds: list[tuple[str, FeedData]]) -> None:
        self.feeds: list[FeedInfo] = []
        lat, lon, change, pat_stops, pat_len, pat_rules = [], [], [], [], [], []
        trip_pattern, trip_offset, trip_route, trip_head, trip_service, st_arr, st_dep = [], [], [], [], [], [], []
        trip_headway, trip_zone, stop_zone = [], [], []
        fp_from, fp_to, fp_secs, fp_special, nf_from, nf_to, stop_group = [], [], [], [], [], [], []
        self.stop_names: list[str] = []
        self.route_short: list[str] = []
        self.route_type_list: list[np.ndarray] = []
        self.headsigns: list[str] = []
        # Every time zone of the feeds (agencies and stops), by name; stops and trips point into it.
        self.zone_names: list[str] = []
        # Stay-seated through trips (see gtfs.py): through trip -> [(real trip, first position), ...].
        self.trip_parts: dict[int, list[tuple[int, int]]] = {}
        n_stops = n_pat = n_trips = n_st = n_routes = n_heads = 0
        for k, (version, feed) in enumerate(feeds):
            a, m = feed.arrays, feed.meta
            ns, nt = len(a["stop_lat"]), len(a["trip_route"])
            local_zones = m.get("zones") or [m["timezone"]]
            zmap = np.asarray([self._zone(z) for z in local_zones], dtype=np.int32)
            self.feeds.append(FeedInfo(m["name"], version, zoneinfo.ZoneInfo(m["timezone"]),
                                       dt.date.fromisoformat(m["day0"]), dt.date.fromisoformat(m["first_date"]),
                                       dt.date.fromisoformat(m["last_date"]), a["svc_days"],
                                       n_trips, n_trips + nt, n_stops, n_stops + ns))
            lat.append(a["stop_lat"]); lon.append(a["stop_lon"]); change.append(a["stop_change"])
            stop_group.append(np.full(ns, k, dtype=np.int32))
            stop_zone.append(zmap[a["stop_zone"]] if "stop_zone" in a else np.full(ns, zmap[0], np.int32))
            pat_stops.append(a["pat_stops"].astype(np.int32) + n_stops)
            pat_len.append(np.diff(a["pat_indptr"]))
            pat_rules.append(a["pat_rules"] if "pat_rules" in a else np.zeros(len(a["pat_stops"]), np.int8))
            tp = a["trip_pattern"].astype(np.int32)
            trip_pattern.append(np.where(tp >= 0, tp + n_pat, -1))
            trip_offset.append(a["trip_offset"][:-1] + n_st)
            trip_route.append(a["trip_route"] + n_routes)
            trip_head.append(a["trip_head"] + n_heads)
            trip_service.append(a["trip_service"])
            trip_headway.append(a["trip_headway"] if "trip_headway" in a else np.zeros(nt, np.int32))
            route_zone = zmap[a["route_zone"]] if "route_zone" in a else np.full(len(m["route_short"]), zmap[0], np.int32)
            trip_zone.append(route_zone[a["trip_route"]] if nt else np.empty(0, np.int32))
            st_arr.append(a["st_arr"]); st_dep.append(a["st_dep"])
            fp_from.append(a["fp_from"] + n_stops); fp_to.append(a["fp_to"] + n_stops); fp_secs.append(a["fp_secs"])
            fp_special.append(self._explicit(a))
            if "nf_from" in a:
                nf_from.append(a["nf_from"] + n_stops); nf_to.append(a["nf_to"] + n_stops)
            if "blk_trip" in a:
                ptr = a["blk_indptr"]
                for b, through in enumerate(a["blk_trip"].tolist()):
                    self.trip_parts[through + n_trips] = [
                        (int(t) + n_trips, int(p)) for t, p in
                        zip(a["blk_part_trip"][ptr[b]:ptr[b + 1]], a["blk_part_pos"][ptr[b]:ptr[b + 1]])]
            self.stop_names += m["stop_names"]
            self.route_short += m["route_short"]
            self.route_type_list.append(a["route_type"])
            self.headsigns += m["headsigns"]
            n_stops += ns; n_pat += len(a["pat_indptr"]) - 1; n_trips += nt; n_st += len(a["st_arr"])
            n_routes += len(m["route_short"]); n_heads += len(m["headsigns"])
        cat = lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)  # noqa: E731
        self.n_stops = n_stops
        self.stop_lat, self.stop_lon = cat(lat, np.float64), cat(lon, np.float64)
        self.stop_change = cat(change, np.int64)
        self.stop_zone = cat(stop_zone, np.int32)
        self.pat_stops = cat(pat_stops, np.int32)
        self.pat_len = cat(pat_len, np.int64)
        self.pat_indptr = np.concatenate([[0], np.cumsum(self.pat_len)]).astype(np.int64)
        # Per pattern position: pickup_type * 4 + drop_off_type (0 regular, 1 none, 2 phone, 3 driver).
        self.pat_rules = cat(pat_rules, np.int8)
        self.trip_pattern = cat(trip_pattern, np.int32)
        self.trip_offset = cat(trip_offset, np.int64)
        self.trip_route = cat(trip_route, np.int32)
        self.trip_head = cat(trip_head, np.int32)
        self.trip_service = cat(trip_service, np.int32)
        self.trip_headway = cat(trip_headway, np.int32)  # > 0: a headway trip (frequencies exact_times=0)
        self.trip_zone = cat(trip_zone, np.int32)
        self.route_type = cat(self.route_type_list, np.int16)
        self.st_arr, self.st_dep = cat(st_arr, np.int32), cat(st_dep, np.int32)
        self.zones = [zoneinfo.ZoneInfo(z) for z in self.zone_names]
        group = cat(stop_group, np.int32)
        self.grid = GridIndex(self.stop_lat, self.stop_lon)
        f_from, f_to, f_secs = cat(fp_from, np.int64), cat(fp_to, np.int64), cat(fp_secs, np.int64)
        special = cat(fp_special, bool)
        fixed = f_from[special] * max(n_stops, 1) + f_to[special]  # transfers.txt times stay as given
        if len(self.feeds) > 1:
            # Walks between stops of different feeds (bus stop beside a railway station): a change
            # of vehicle, so never shorter than a change at one stop.
            i, j, d = self.grid.pairs_within(TRANSFER_RADIUS_M, group=group)
            f_from = np.concatenate([f_from, i]); f_to = np.concatenate([f_to, j])
            f_secs = np.concatenate([f_secs, np.maximum(walk_seconds(d), DEFAULT_CHANGE_S)])
            special = np.concatenate([special, np.ones(len(i), dtype=bool)])
        forbidden = cat(nf_from, np.int64) * max(n_stops, 1) + cat(nf_to, np.int64)
        f_from, f_to, f_secs, special = chain_footpaths(f_from, f_to, f_secs, special, forbidden, max(n_stops, 1), fixed)
        order = np.lexsort((f_from, f_to))
        # Footpaths indexed by the stop walked TO: RAPTOR goes backwards in time.
        self.fp_from, self.fp_secs = f_from[order], f_secs[order]
        self.fp_indptr = np.searchsorted(f_to[order], np.arange(n_stops + 1)).astype(np.int64)
        # The footpaths that a straight walk does not already beat (transfers.txt, between feeds,
        # chained): a walk at either end may continue along one of them.
        self.sp_from, self.sp_to, self.sp_secs = f_from[special], f_to[special], f_secs[special]
        self._days: OrderedDict[tuple[dt.date, str], DayView] = OrderedDict()
        self._days_lock = threading.Lock()  # plans run in worker threads
        # Live delays (`backend.transit.realtime.Overlay`), kept current by `realtime.refresh`.
        self.live = None
        self.live_token: tuple = ()

    def _zone(self, name: str) -> int:
        if name not in self.zone_names:
            self.zone_names.append(name)
        return self.zone_names.index(name)

    @staticmethod
    def _explicit(a: dict) -> np.ndarray:
        """Which of a feed's footpaths come from transfers.txt (rather than derived by distance)."""
        n = len(a["fp_from"])
        if "fp_explicit" in a:
            return a["fp_explicit"].astype(bool)
        return np.zeros(n, dtype=bool)

    def zone_of_stop(self, stop: int) -> zoneinfo.ZoneInfo:
        return self.zones[int(self.stop_zone[stop])] if self.zones else dt.timezone.utc

    def zone_near(self, point: tuple[float, float], radius_m: float = 2000.0) -> zoneinfo.ZoneInfo | None:
        """The time zone of the stop nearest to a point (None when no stop is within `radius_m`)."""
        idx, d = self.grid.near(point[0], point[1], radius_m)
        if not len(idx):
            if not len(self.stop_lat):
                return None
            d = distance_m(point[0], point[1], self.stop_lat, self.stop_lon)
            idx = np.arange(len(d))
        return self.zone_of_stop(int(idx[int(np.argmin(d))]))

    @property
    def versions(self) -> dict[str, str]:
        return {f.name: f.version for f in self.feeds}

    def walk_between(self, u: int, v: int) -> int:
        """Seconds of the footpath u -> v (which must exist)."""
        a, b = self.fp_indptr[v], self.fp_indptr[v + 1]
        hit = np.nonzero(self.fp_from[a:b] == u)[0]
        return int(self.fp_secs[a + hit[0]])

    def day(self, date: dt.date) -> "DayView":
        """The day view for a UTC date (a few are kept; building one takes a fraction of a second)."""
        live = self.live  # a new live state is a new view (the old one ages out)
        key = (date, live.version if live is not None else "")
        with self._days_lock:
            view = self._days.get(key)
            if view is None:
                view = DayView(self, date, live)
                self._days[key] = view
                while len(self._days) > 3:
                    self._days.popitem(last=False)
            else:
                self._days.move_to_end(key)
            return view


def chain_footpaths(f_from, f_to, f_secs, special, forbidden, n: int, fixed=None):
    """Footpaths plus the chains of several steps that take at most `MAX_CHAIN_S` in all.

    Only chains with a `special` step (transfers.txt, between feeds) are added: walks derived from
    straight-line distance alone are never faster than the straight walk between their ends. A
    pair that transfers.txt forbids (type 3, `forbidden` as from * n + to) is not chained, a pair
    it gives a time for (`fixed`, same keys) keeps that time, and a chain does not come back to
    where it started. Returns the quickest footpath per pair and
    whether it is special (a chain, or a step of transfers.txt / between feeds)."""
    if not special.any():
        return f_from, f_to, f_secs, special.astype(bool)
    key = f_from * n + f_to
    plain: dict[int, int] = {}
    spec: dict[int, int] = {}
    for k, s, sp in zip(key.tolist(), f_secs.tolist(), special.tolist()):
        d = spec if sp else plain
        if k not in d or s < d[k]:
            d[k] = s
    no = set(forbidden.tolist())
    if fixed is not None:
        no |= set(fixed.tolist())
    out: dict[int, list[tuple[int, int]]] = {}
    into: dict[int, list[tuple[int, int]]] = {}
    for d in (plain, spec):
        for k, s in d.items():
            if s <= MAX_CHAIN_S:
                out.setdefault(k // n, []).append((k % n, s))
                into.setdefault(k % n, []).append((k // n, s))
    frontier = {k for k, s in spec.items() if s < MAX_CHAIN_S}
    while frontier:  # extend every chain with a special step by one footpath at either end
        nxt = set()
        for k in frontier:
            s0 = spec[k]
            a, b = divmod(k, n)
            for c, s in out.get(b, ()):
                kk, total = a * n + c, s0 + s
                if c != a and total <= MAX_CHAIN_S and kk not in no and total < spec.get(kk, MAX_CHAIN_S + 1):
                    spec[kk] = total
                    nxt.add(kk)
            for z, s in into.get(a, ()):
                kk, total = z * n + b, s + s0
                if z != b and total <= MAX_CHAIN_S and kk not in no and total < spec.get(kk, MAX_CHAIN_S + 1):
                    spec[kk] = total
                    nxt.add(kk)
        frontier = nxt
    best = dict(plain)
    flag = dict.fromkeys(plain, False)
    for k, s in spec.items():
        if k not in best or s < best[k]:
            best[k], flag[k] = s, True
    keys = np.fromiter(best.keys(), dtype=np.int64, count=len(best))
    secs = np.fromiter(best.values(), dtype=np.int64, count=len(best))
    return keys // n, keys % n, secs, np.fromiter((flag[k] for k in best), dtype=bool, count=len(best))


def service_day_base(date: dt.date, tz: zoneinfo.ZoneInfo) -> int:
    """Epoch seconds of a GTFS service day's time 00:00:00: noon local time minus 12 hours
    (so that times stay right on days when the clocks change)."""
    noon = dt.datetime.combine(date, dt.time(12), tzinfo=tz)
    return int(noon.timestamp()) - HALF_DAY


class DayView:
    """Trip instances around one UTC date, as sorted columns per (FIFO) pattern.

    Times are seconds since `ref` (the date's 00:00 UTC minus 12 h). Instances of service days
    from two days before to one day after are included, so trips past 24:00 of yesterday's service
    and every time zone are covered. Trips of one pattern that overtake each other are split into
    separate sub-patterns, so every column is sorted by both arrival and departure.
    """

    def __init__(self, net: Network, date: dt.date, live=None) -> None:
        self.date = date
        self.ref = int(dt.datetime.combine(date, dt.time(0), tzinfo=dt.timezone.utc).timestamp()) - HALF_DAY
        inst_trip, inst_shift = [], []
        first_dep = net.st_dep[net.trip_offset] if len(net.trip_offset) else np.empty(0, np.int32)
        last_idx = net.trip_offset + net.pat_len[np.maximum(net.trip_pattern, 0)] - 1
        last_arr = net.st_arr[last_idx] if len(last_idx) else np.empty(0, np.int32)
        for f in net.feeds:
            all_trips = np.arange(f.trip_lo, f.trip_hi)
            all_trips = all_trips[net.trip_pattern[all_trips] >= 0]
            zones = net.trip_zone[all_trips]
            # Each agency's trips count their times from its own zone's service day.
            for z in np.unique(zones).tolist():
                trips = all_trips[zones == z]
                tz = net.zones[z] if net.zones else f.timezone
                for delta in (-2, -1, 0, 1):
                    d = date + dt.timedelta(days=delta)
                    k = (d - f.day0).days
                    if not 0 <= k < f.svc_days.shape[1]:
                        continue
                    shift = service_day_base(d, tz) - self.ref
                    on = trips[f.svc_days[net.trip_service[trips], k]]
                    on = on[(last_arr[on] + shift >= HALF_DAY - MAX_JOURNEY_S) & (first_dep[on] + shift < HALF_DAY + 86_400)]
                    inst_trip.append(on); inst_shift.append(np.full(len(on), shift, dtype=np.int64))
        trip = np.concatenate(inst_trip) if inst_trip else np.empty(0, np.int64)
        shift = np.concatenate(inst_shift) if inst_shift else np.empty(0, np.int64)
        if live is not None:  # live data: a cancelled trip does not run
            keep = live.running(trip, shift + self.ref)
            trip, shift = trip[keep], shift[keep]
        pattern = net.trip_pattern[trip].astype(np.int64)
        order = np.lexsort((first_dep[trip] + shift, pattern))
        trip, shift, pattern = trip[order], shift[order], pattern[order]
        vpat = self._split_fifo(net, trip, shift, pattern, live, self.ref)
        order = np.argsort(vpat, kind="stable")
        trip, shift, pattern, vpat = trip[order], shift[order], pattern[order], vpat[order]
        self.inst_trip, self.inst_shift = trip, shift

        uq, inst_start, counts = np.unique(vpat, return_index=True, return_counts=True)
        nq = len(uq)
        self.vp_pattern = pattern[inst_start] if nq else np.empty(0, np.int64)
        self.vp_inst_start = inst_start.astype(np.int64)
        self.vp_m = counts.astype(np.int64)
        self.vp_len = net.pat_len[self.vp_pattern]
        self.col_base = np.concatenate([[0], np.cumsum(self.vp_len)]).astype(np.int64)
        n_cols = int(self.col_base[-1])
        col_q = np.repeat(np.arange(nq), self.vp_len)
        self.col_q = col_q
        self.col_pos = np.arange(n_cols) - self.col_base[col_q]
        col_src = net.pat_indptr[self.vp_pattern][col_q] + self.col_pos
        self.col_stop = net.pat_stops[col_src].astype(np.int64)
        # pickup_type / drop_off_type 1: no boarding / no alighting at that column.
        rules = net.pat_rules[col_src] if len(net.pat_rules) else np.zeros(n_cols, np.int8)
        self.col_board_ok = rules // 4 != NO_SERVICE
        self.col_alight_ok = rules % 4 != NO_SERVICE
        sizes = self.vp_m[col_q]
        self.data_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        # Element (instance rank k of sub-pattern q, position i) sits at data_start[col_base[q]+i] + k.
        n_inst = len(trip)
        inst_q = np.repeat(np.arange(nq), self.vp_m)
        inst_rank = np.arange(n_inst) - self.vp_inst_start[inst_q] if n_inst else np.empty(0, np.int64)
        lens = self.vp_len[inst_q]
        e_inst = np.repeat(np.arange(n_inst), lens)
        e_pos = expand_ranges(np.zeros(n_inst, np.int64), lens)
        src = net.trip_offset[trip][e_inst] + e_pos
        dst = self.data_start[self.col_base[inst_q][e_inst] + e_pos] + inst_rank[e_inst]
        limit = (1 << TIME_BITS) - 1
        self.arr = np.empty(len(dst), dtype=np.int64)
        self.dep = np.empty(len(dst), dtype=np.int64)
        # Clipping keeps columns sorted; clipped times lie far outside every searched window.
        arr, dep = net.st_arr[src] + shift[e_inst], net.st_dep[src] + shift[e_inst]
        if live is not None:  # live delays; a skipped stop gets times nobody can use
            arr, dep = live.adjust(trip, shift + self.ref, e_inst, e_pos, arr, dep)
        self.arr[dst] = np.clip(arr, 0, limit)
        self.dep[dst] = np.clip(dep, 0, limit)
        col_of_elem = np.repeat(np.arange(n_cols), sizes)
        self.key = (col_of_elem << TIME_BITS) | self.arr
        # Which sub-patterns serve each stop (CSR by stop).
        pair = np.unique(self.col_stop * max(nq, 1) + col_q)
        self.sp_stop_q = pair % max(nq, 1)
        self.sp_indptr = np.searchsorted(pair // max(nq, 1), np.arange(net.n_stops + 1)).astype(np.int64)

    @staticmethod
    def _split_fifo(net: Network, trip, shift, pattern, live=None, ref: int = 0) -> np.ndarray:
        """Sub-pattern number per instance: the pattern itself, unless trips overtake within it."""
        n = len(trip)
        vpat = pattern * 1024
        if n < 2:
            return vpat
        lens = net.pat_len[pattern]
        e_inst = np.repeat(np.arange(n), lens)
        e_pos = expand_ranges(np.zeros(n, np.int64), lens)
        src = net.trip_offset[trip][e_inst] + e_pos
        arr = net.st_arr[src] + shift[e_inst]
        dep = net.st_dep[src] + shift[e_inst]
        if live is not None:
            arr, dep = live.adjust(trip, shift + ref, e_inst, e_pos, arr, dep)
        starts = np.concatenate([[0], np.cumsum(lens)])[:-1]
        same = np.zeros(n, dtype=bool)
        same[1:] = pattern[1:] == pattern[:-1]
        e_same = same[e_inst]
        prev = np.arange(len(arr)) - lens[e_inst]
        bad_e = e_same & ((arr < arr[np.maximum(prev, 0)]) | (dep < dep[np.maximum(prev, 0)]))
        bad_patterns = np.unique(pattern[e_inst[bad_e]])
        for p in bad_patterns.tolist():
            members = np.nonzero(pattern == p)[0]
            lasts: list[int] = []
            for inst in members.tolist():
                a = slice(starts[inst], starts[inst] + lens[inst])
                for g, last in enumerate(lasts):
                    b = slice(starts[last], starts[last] + lens[last])
                    if (arr[a] >= arr[b]).all() and (dep[a] >= dep[b]).all():
                        lasts[g] = inst
                        vpat[inst] = p * 1024 + g
                        break
                else:
                    vpat[inst] = p * 1024 + len(lasts)
                    lasts.append(inst)
        return vpat
