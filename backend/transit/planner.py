"""Arrive-by journey planning over every loaded feed: the public API of the transit package.

Each process keeps one `Network` in memory and rebuilds it when a feed's version in the database
changes (a re-import anywhere is seen by every web process on its next question).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math

import numpy as np

from backend.errors import InvalidInput
from backend.transit import realtime, store  # noqa: F401
from backend.transit.geo import WALK_SPEED_M_S, distance_m, walk_metres, walk_seconds
from backend.transit.gtfs import FeedData
from backend.transit.network import Network
from backend.transit.raptor import NONE, Path, Ride, run, trace
from backend.transit.schemas import Coverage, FeedCoverage, Journey, Leg

MODES = {0: "tram", 1: "metro", 2: "train", 3: "bus", 4: "ferry", 5: "tram", 6: "other", 7: "other",
         11: "bus", 12: "train"}
# How many access stops (best first) are traced per round, for options with less walking.
ACCESS_CANDIDATES = 4


class NoTransitData(InvalidInput):
    """No feed is loaded."""

    def __init__(self) -> None:
        # Named on arriveBy: no date is covered (and the 400 names a field, as every 400 does).
        super().__init__("transit_no_data", field_errors=[("arriveBy", "transit_no_data", {})])


class DateNotCovered(InvalidInput):
    """The asked date is outside every loaded feed."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        super().__init__("transit_date_not_covered", field_errors=[
            ("arriveBy", "transit_date_not_covered", {"first": first.isoformat(), "last": last.isoformat()})],
            first=first.isoformat(), last=last.isoformat())
        self.first, self.last = first, last


_network: Network | None = None
_feeds: dict[str, tuple[str, FeedData]] = {}
_lock = asyncio.Lock()


def _mode(route_type: int) -> str:
    """bus, tram, metro, train, ferry or other, from a basic or an extended GTFS route_type."""
    if route_type < 100:
        return MODES.get(route_type, "other")
    return {1: "train", 2: "bus", 4: "metro", 7: "bus", 8: "bus", 9: "tram", 10: "ferry", 12: "ferry"}.get(
        route_type // 100, "other")


async def current_network(versions: dict[str, str] | None = None) -> Network | None:
    """The network of the feeds in the database now (reloaded when a feed's version changed).
    `versions`: the feeds' versions when the caller has just read them (`store.transit_state`)."""
    global _network
    wanted = versions if versions is not None else await store.feed_versions()
    if _network is not None and _network.versions == wanted:
        return _network
    async with _lock:
        if _network is not None and _network.versions == wanted:
            return _network
        for _ in range(3):
            for name in list(_feeds):
                if name not in wanted:
                    del _feeds[name]
            missing = [(n, v) for n, v in wanted.items() if _feeds.get(n, ("",))[0] != v]
            stale = False
            for name, version in missing:
                blob = await store.load_blob(name, version)
                if blob is None:  # replaced while we read: look again
                    stale = True
                    break
                _feeds[name] = (version, await asyncio.to_thread(FeedData.from_bytes, blob))
            if not stale:
                break
            wanted = await store.feed_versions()
        if not wanted:
            _network = None
            return None
        parts = [_feeds[n] for n in sorted(wanted) if n in _feeds]
        _network = await asyncio.to_thread(Network, parts)
        return _network


def feed_meta(name: str) -> dict | None:
    """The meta data of a loaded feed (ids, names), as this process last loaded it."""
    found = _feeds.get(name)
    return found[1].meta if found is not None else None


async def coverage() -> Coverage | None:
    """First and last service day over all feeds, with each feed's own figures; None when empty."""
    rows = await store.list_feeds()
    if not rows:
        return None
    feeds = [FeedCoverage(name=r["name"], timezone=r["timezone"], first_date=r["first_date"],
                          last_date=r["last_date"], stops=r["stops"], routes=r["routes"], trips=r["trips"],
                          stop_times=r["stop_times"], imported_at=r["imported_at"]) for r in rows]
    return Coverage(first=min(f.first_date for f in feeds), last=max(f.last_date for f in feeds), feeds=feeds)


def _stops_near(net: Network, point: tuple[float, float], max_walk_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # max_walk_m is walking distance; the grid is searched by straight-line distance.
    idx, d = net.grid.near(point[0], point[1], max_walk_m / float(walk_metres(1.0)))
    return idx.astype(np.int64), walk_seconds(d), np.round(walk_metres(d)).astype(np.int64)


def _chained_ends(net: Network, ends: tuple[np.ndarray, np.ndarray, np.ndarray], max_walk_m: float,
                  access: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stops near a point, plus those one footpath of transfers.txt (or between feeds) further,
    while the walk stays within `max_walk_m` (as time: metres at walking speed). A straight walk
    beats two derived walks, so only those footpaths can add a stop."""
    stops, secs, metres = ends
    if not len(net.sp_from) or not len(stops):
        return ends
    near, far = (net.sp_from, net.sp_to) if access else (net.sp_to, net.sp_from)
    pick = np.isin(near, stops)
    if not pick.any():
        return ends
    near, far, fsecs = near[pick], far[pick], net.sp_secs[pick]
    at = {s: i for i, s in enumerate(stops.tolist())}
    i = np.asarray([at[s] for s in near.tolist()], dtype=np.int64)
    total = secs[i] + fsecs
    walked = metres[i] + np.round(walk_metres(distance_m(net.stop_lat[near], net.stop_lon[near],
                                                         net.stop_lat[far], net.stop_lon[far]))).astype(np.int64)
    ok = total <= max_walk_m / WALK_SPEED_M_S
    all_stops = np.concatenate([stops, far[ok]])
    all_secs = np.concatenate([secs, total[ok]])
    all_m = np.concatenate([metres, walked[ok]])
    order = np.lexsort((all_secs, all_stops))
    first = np.ones(len(order), dtype=bool)
    first[1:] = all_stops[order][1:] != all_stops[order][:-1]
    keep = order[first]
    return all_stops[keep], all_secs[keep], all_m[keep]


def plan_sync(net: Network, origin: tuple[float, float], destination: tuple[float, float],
              arrive_by: dt.datetime, *, max_walk_m: int = 1000, max_transfers: int = 3,
              max_options: int = 3) -> list[Journey]:
    """The search itself, without the database (used by the CLI, the API and the benchmark).

    Times in the legs are in the time zone of the stop they happen at (stop_timezone, else the
    agency's); a walk from the origin takes the zone of its first stop, a direct walk that of
    `arrive_by`."""
    arrive_epoch = int(arrive_by.timestamp())
    utc_date = dt.datetime.fromtimestamp(arrive_epoch, dt.timezone.utc).date()
    view = net.day(utc_date)
    arrive = arrive_epoch - view.ref
    a_stops, a_secs, a_m = _chained_ends(net, _stops_near(net, origin, max_walk_m), max_walk_m, access=True)
    e_stops, e_secs, e_m = _chained_ends(net, _stops_near(net, destination, max_walk_m), max_walk_m, access=False)
    tz = arrive_by.tzinfo

    def at(rel: int, stop: int | None = None) -> dt.datetime:
        zone = net.zone_of_stop(stop) if stop is not None and net.zones else tz
        return dt.datetime.fromtimestamp(view.ref + rel, dt.timezone.utc).astimezone(zone)

    candidates: list[Journey] = []
    res = run(net, view, (a_stops, a_secs), (e_stops, e_secs), arrive, max_transfers + 1)
    seen: set[tuple] = set()
    for r in range(1, max_transfers + 2):
        if res.best[r] == NONE or (r > 1 and res.best[r] == res.best[r - 1]):
            continue
        board = res.rounds[r].board[a_stops]
        ok = np.nonzero(board >= res.low)[0]
        order = ok[np.argsort(-(board[ok] - a_secs[ok]), kind="stable")][:ACCESS_CANDIDATES]
        for i in order.tolist():
            path = trace(net, view, res, r, int(a_stops[i]))
            sig = tuple((x.trip, x.board_stop, x.alight_stop) for x in path.rides)
            if sig in seen:
                continue
            seen.add(sig)
            e = int(np.nonzero(e_stops == path.egress_stop)[0][np.argmin(e_secs[e_stops == path.egress_stop])])
            candidates.append(_journey(net, path, at, int(a_secs[i]), int(a_m[i]), int(e_secs[e]), int(e_m[e]),
                                       origin, destination))
    straight = float(distance_m(origin[0], origin[1], destination[0], destination[1]))
    if walk_metres(straight) <= 2 * max_walk_m:
        secs = int(walk_seconds(straight))
        metres = int(round(float(walk_metres(straight))))
        leg = Leg(kind="walk", departure=at(arrive - secs), arrival=at(arrive), minutes=math.ceil(secs / 60),
                  from_name="", to_name="", metres=metres)
        candidates.append(Journey(departure=leg.departure, arrival=leg.arrival, transfers=0,
                                  walk_metres=metres, legs=[leg]))
    return pareto(candidates, max_options)


def pareto(candidates: list[Journey], max_options: int) -> list[Journey]:
    """The options no other option beats on departure (later), transfers (fewer) and walking (less)."""
    def beats(a: Journey, b: Journey) -> bool:
        ge = a.departure >= b.departure and a.transfers <= b.transfers and a.walk_metres <= b.walk_metres
        gt = a.departure > b.departure or a.transfers < b.transfers or a.walk_metres < b.walk_metres
        return ge and gt
    front = [c for c in candidates if not any(beats(o, c) for o in candidates)]
    unique: dict[tuple, Journey] = {}
    for j in front:
        unique.setdefault((j.departure, j.transfers, j.walk_metres), j)
    front = sorted(unique.values(), key=lambda j: (-j.departure.timestamp(), j.transfers, j.walk_metres))
    return front[:max_options]


RULES = {2: "phone_agency", 3: "ask_driver"}


def real_rides(net: Network, ride: Ride) -> list[tuple[Ride, bool]]:
    """A ride as the real trips it is made of, each with whether the rider stays seated into it.

    A ride on a stay-seated through trip (block_id) becomes one ride per trip of the block."""
    parts = net.trip_parts.get(ride.trip)
    if not parts or ride.board_pos < 0:
        return [(ride, False)]
    starts = [p for _, p in parts]
    i, j = ride.board_pos, ride.alight_pos
    first = max(k for k, p in enumerate(starts) if p <= i)
    last = max(k for k, p in enumerate(starts) if p < j)
    shift = ride.dep - int(net.st_dep[net.trip_offset[ride.trip] + i])
    out = []
    for k in range(first, last + 1):
        trip, start = parts[k]
        end = starts[k + 1] if k + 1 < len(starts) else j
        p_from, p_to = max(i, start) - start, min(j, end) - start
        base = int(net.trip_offset[trip])
        stops = net.pat_stops[net.pat_indptr[net.trip_pattern[trip]]:]
        out.append((Ride(int(stops[p_from]), int(net.st_dep[base + p_from]) + shift, int(stops[p_to]),
                         int(net.st_arr[base + p_to]) + shift, trip, p_from, p_to), k > first))
    return out


def _rule(net: Network, trip: int, pos: int) -> int:
    if pos < 0 or not len(net.pat_rules):
        return 0
    return int(net.pat_rules[net.pat_indptr[net.trip_pattern[trip]] + pos])


def _journey(net: Network, path: Path, at, a_secs: int, a_m: int, e_secs: int, e_m: int,
             origin, destination) -> Journey:
    legs: list[Leg] = []
    first = path.rides[0]
    name = lambda s: net.stop_names[s]  # noqa: E731
    if a_m > 0 or a_secs > 0:
        legs.append(Leg(kind="walk", departure=at(first.dep - a_secs, first.board_stop),
                        arrival=at(first.dep, first.board_stop), minutes=math.ceil(a_secs / 60),
                        from_name="", to_name=name(first.board_stop), metres=a_m))
    walked = a_m
    boardings = 0
    for k, ride in enumerate(path.rides):
        for part, seated in real_rides(net, ride):
            route = int(net.trip_route[part.trip])
            headway = int(net.trip_headway[part.trip]) if len(net.trip_headway) else 0
            boardings += not seated
            legs.append(Leg(kind="ride", departure=at(part.dep, part.board_stop),
                            arrival=at(part.arr, part.alight_stop),
                            minutes=math.ceil((part.arr - part.dep) / 60), from_name=name(part.board_stop),
                            to_name=name(part.alight_stop), line=net.route_short[route],
                            headsign=net.headsigns[int(net.trip_head[part.trip])],
                            mode=_mode(int(net.route_type[route])),
                            pickup="" if seated else RULES.get(_rule(net, part.trip, part.board_pos) // 4, ""),
                            drop_off=RULES.get(_rule(net, part.trip, part.alight_pos) % 4, ""),
                            stay_seated=seated, headway_minutes=math.ceil(headway / 60),
                            **realtime.leg_fields(net, part, int(at(part.dep, part.board_stop).timestamp()))))
        if k < len(path.walks):
            u, v, secs = path.walks[k]
            metres = int(round(float(walk_metres(distance_m(net.stop_lat[u], net.stop_lon[u],
                                                            net.stop_lat[v], net.stop_lon[v])))))
            if u != v and metres > 0:  # stops of two feeds at one place: a change, not a walk
                walked += metres
                legs.append(Leg(kind="walk", departure=at(ride.arr, u), arrival=at(ride.arr + secs, v),
                                minutes=math.ceil(secs / 60), from_name=name(u), to_name=name(v), metres=metres))
    last = path.rides[-1]
    if e_m > 0 or e_secs > 0:
        legs.append(Leg(kind="walk", departure=at(last.arr, last.alight_stop),
                        arrival=at(last.arr + e_secs, last.alight_stop),
                        minutes=math.ceil(e_secs / 60), from_name=name(last.alight_stop), to_name="", metres=e_m))
    walked += e_m
    return Journey(departure=legs[0].departure, arrival=legs[-1].arrival, transfers=boardings - 1,
                   walk_metres=walked, legs=legs)


def leg_notes(leg: Leg, language: str) -> list[str]:
    """What a ride leg asks of the rider beyond boarding and getting off, as sentences in `language`."""
    from backend.i18n import translate

    out = []
    mode = translate(f"transit_mode_{leg.mode or 'bus'}", language)
    if leg.headway_minutes:
        out.append(translate("transit_headway", language, minutes=leg.headway_minutes, mode=mode,
                             time=leg.departure.strftime("%H:%M")))
    if leg.stay_seated:
        out.append(translate("transit_stay_seated", language, line=leg.line, mode=mode))
    if leg.pickup:
        out.append(translate(f"transit_pickup_{leg.pickup}", language, stop=leg.from_name, mode=mode))
    if leg.drop_off:
        out.append(translate(f"transit_drop_off_{leg.drop_off}", language, stop=leg.to_name, mode=mode))
    return out


async def live_network() -> Network:
    """The network now, with its live state brought up to date: the feeds' versions and the live
    rows come from one read (`store.transit_state`). Raises `NoTransitData` when no feed is loaded."""
    state = await store.transit_state()  # None: a database that cannot answer it in one read
    net = await current_network(state[0] if state else None)
    if net is None:
        raise NoTransitData()
    # Live delays, skipped stops, cancelled trips (GTFS-Realtime).
    await realtime.refresh(net, live_rows=state[1] if state else None)
    return net


async def plan_arrive_by(origin: tuple[float, float], destination: tuple[float, float],
                         arrive_by: dt.datetime, *, max_walk_m: int = 1000, max_transfers: int = 3,
                         max_options: int = 3) -> list[Journey]:
    """Up to `max_options` Pareto-best journeys arriving by `arrive_by` (tz-aware).

    Raises `NoTransitData` when no feed is loaded and `DateNotCovered` when the date (in the feeds'
    time zones) lies outside every feed. An empty list means no way within the limits.
    """
    if arrive_by.tzinfo is None:
        raise ValueError("arrive_by must be timezone-aware")
    return await _plan_on(await live_network(), origin, destination, arrive_by, max_walk_m=max_walk_m,
                          max_transfers=max_transfers, max_options=max_options)


async def _plan_on(net: Network, origin: tuple[float, float], destination: tuple[float, float],
                   arrive_by: dt.datetime, **limits: int) -> list[Journey]:
    def covered(f) -> bool:
        try:
            local = arrive_by.astimezone(f.timezone)
            # An arrival just after midnight may use trips of the service day before.
            return f.first <= local.date() <= f.last or f.first <= (local - dt.timedelta(days=1)).date() <= f.last
        except (OverflowError, ValueError):  # year 1 or 9999 in another time zone
            return False

    if not any(covered(f) for f in net.feeds):
        raise DateNotCovered(min(f.first for f in net.feeds), max(f.last for f in net.feeds))
    return await asyncio.to_thread(plan_sync, net, origin, destination, arrive_by, **limits)


# Journeys planned with the default limits, per process: keyed by the network (its feeds' versions)
# and its live state (`live_token`), so a new timetable or a new delay is a new key and an entry is
# never stale. The moment of asking is for the caller to apply (what still leaves in time). The Home
# asks for the same arrival on every refresh of every phone of a workplace (issue 14).
_PLANS: dict[tuple, list[Journey]] = {}
_PLANS_MAX = 512


async def plan_arrive_by_remembered(origin: tuple[float, float], destination: tuple[float, float],
                                    arrive_by: dt.datetime) -> list[Journey]:
    """`plan_arrive_by(origin, destination, arrive_by)`, remembered while the network and its live
    state are the same. The journeys are shared: read them, do not change them."""
    if arrive_by.tzinfo is None:
        raise ValueError("arrive_by must be timezone-aware")
    net = await live_network()
    token = getattr(net, "live_token", None)
    key = (id(net), tuple(sorted(net.versions.items())), token, origin, destination, arrive_by)
    found = _PLANS.get(key)
    if found is not None:
        return found
    journeys = await _plan_on(net, origin, destination, arrive_by)  # on this network: no second read
    if getattr(net, "live_token", None) == token:  # not planned on newer live data meanwhile
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        _PLANS[key] = journeys
    return journeys
