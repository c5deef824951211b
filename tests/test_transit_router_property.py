"""Property: on small generated feeds, reverse RAPTOR's latest departure for each number of rides
equals an exhaustive search over all trip instances (same walking and transfer rules), with
service days from calendar + calendar_dates, trips past 24:00, a DST change, transfers.txt and
frequency-based trips (frequencies.txt)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import numpy as np

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.transit.geo import TRANSFER_RADIUS_M, WALK_DETOUR_FACTOR, distance_m, walk_seconds
from backend.transit.gtfs import DEFAULT_CHANGE_S, read_feed
from backend.transit.network import MAX_JOURNEY_S, Network
from backend.transit.planner import _stops_near
from backend.transit.raptor import NONE, run, trace
from transit_feeds import write_feed

TZ = zoneinfo.ZoneInfo("Europe/Brussels")
DAYS = [dt.date(2027, 3, 26) + dt.timedelta(days=k) for k in range(4)]  # DST starts on 28 March
LAT0, LON0 = 50.96, 5.50
STEP_LAT, STEP_LON = 0.0036, 0.0057  # about 400 m by 400 m


def hms(s: int) -> str:
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


@st.composite
def feeds(draw):
    n_stops = draw(st.integers(3, 10))
    cells = draw(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5)), min_size=n_stops,
                          max_size=n_stops, unique=True))
    cells.sort(key=lambda c: (c[1], c[0]))  # stop numbers grow eastwards; most trips go east
    stops = [(LAT0 + i * STEP_LAT, LON0 + j * STEP_LON) for i, j in cells]
    services = []
    for _ in range(2):
        weekdays = draw(st.lists(st.sampled_from([True, True, False]), min_size=7, max_size=7))
        exceptions = draw(st.dictionaries(st.sampled_from(DAYS), st.sampled_from([1, 2]), max_size=2))
        services.append((weekdays, exceptions))
    trips = []
    for _ in range(draw(st.integers(4, 20))):
        if draw(st.integers(0, 2)):  # a short hop eastwards: longer journeys need transfers
            first = draw(st.integers(0, n_stops - 2))
            seq = list(range(first, min(n_stops, first + draw(st.integers(2, 3)))))
        else:
            seq = draw(st.lists(st.integers(0, n_stops - 1), min_size=2, max_size=3, unique=True))
        # Clock-face times that grow eastwards, so that hops line up into chains with transfers.
        t = 23 * 3600 + seq[0] * 360 + draw(st.integers(0, 4)) * 600
        times = []
        for k in range(len(seq)):
            if k:
                t += draw(st.integers(3, 8)) * 60
            dwell = draw(st.sampled_from([0, 0, 60]))
            times.append((t, t + dwell))
            t += dwell
        # Now and then a frequency-based trip: the times are a template run every headway from a
        # start near them until before an end (sometimes just past a run, which is then left out).
        freq = None
        if draw(st.integers(0, 3)) == 0:
            headway = draw(st.sampled_from([300, 900, 1800]))
            start = times[0][1] + draw(st.integers(-2, 2)) * 600
            freq = (start, start + draw(st.integers(1, 4)) * headway - draw(st.sampled_from([0, 1])), headway)
        trips.append((seq, draw(st.integers(0, 1)), times, freq))
    changes = draw(st.dictionaries(st.integers(0, n_stops - 1), st.sampled_from([0, 120, 600]), max_size=2))
    # transfers.txt between two stops: a time (type 2), or "not possible" (type 3, None)
    links = draw(st.dictionaries(st.tuples(st.integers(0, n_stops - 1), st.integers(0, n_stops - 1)).filter(
        lambda p: p[0] != p[1]), st.sampled_from([30, 400, None]), max_size=3))
    changes.update(links)
    return stops, services, trips, changes


def gtfs_files(stops, services, trips, changes) -> dict[str, str]:
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nX,X,https://x.invalid,Europe/Brussels\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
            f"s{i},Stop {i},{lat:.6f},{lon:.6f}\n" for i, (lat, lon) in enumerate(stops)),
        "routes.txt": "route_id,route_short_name,route_type\n" + "".join(
            f"r{k},{k},3\n" for k in range(len(trips))),
        "trips.txt": "route_id,service_id,trip_id\n" + "".join(
            f"r{k},v{svc},t{k}\n" for k, (_, svc, _, _) in enumerate(trips)),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "".join(
            f"t{k},{hms(a)},{hms(d)},s{s},{n + 1}\n"
            for k, (seq, _, times, _) in enumerate(trips) for n, (s, (a, d)) in enumerate(zip(seq, times))),
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        + "".join(f"v{k},{','.join('1' if w else '0' for w in weekdays)},20270326,20270329\n"
                                  for k, (weekdays, _) in enumerate(services)),
        "calendar_dates.txt": "service_id,date,exception_type\n" + "".join(
            f"v{k},{d:%Y%m%d},{e}\n" for k, (_, ex) in enumerate(services) for d, e in ex.items()),
    }
    if any(freq for *_, freq in trips):
        files["frequencies.txt"] = "trip_id,start_time,end_time,headway_secs\n" + "".join(
            f"t{k},{hms(f[0])},{hms(f[1])},{f[2]}\n" for k, (*_, f) in enumerate(trips) if f)
    if changes:
        files["transfers.txt"] = "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + "".join(
            (f"s{a},s{b},3,\n" if c is None else f"s{a},s{b},2,{c}\n")
            for key, c in changes.items() for a, b in [key if isinstance(key, tuple) else (key, key)])
    return files


def brute_force(stops, services, trips, changes, origin, dest, arrive: int, max_walk_m: int, max_rides: int):
    """Latest origin departure with at most r rides, r = 1..max_rides, by exhaustive search."""
    def runs(svc: int, day: dt.date) -> bool:
        weekdays, ex = services[svc]
        if day in ex:
            return ex[day] == 1
        return weekdays[day.weekday()]

    def base(day: dt.date) -> int:  # GTFS: times count from noon minus 12 hours
        return int(dt.datetime.combine(day, dt.time(12), tzinfo=TZ).timestamp()) - 43200

    def shifts(times, freq):  # a frequency-based trip runs from each start; others once as written
        return [0] if freq is None else [start - times[0][1] for start in range(freq[0], freq[1], freq[2])]

    inst = [[(s, base(day) + a + shift, base(day) + d + shift) for s, (a, d) in zip(seq, times)]
            for seq, svc, times, freq in trips for day in DAYS if runs(svc, day) for shift in shifts(times, freq)]
    radius = max_walk_m / WALK_DETOUR_FACTOR

    def walk_from(p):
        out = {}
        for i, (lat, lon) in enumerate(stops):
            d = float(distance_m(p[0], p[1], lat, lon))
            if d <= radius:
                out[i] = int(walk_seconds(d))
        return out

    access, egress = walk_from(origin), walk_from(dest)
    walks = {}
    for i, a in enumerate(stops):
        for j, b in enumerate(stops):
            d = float(distance_m(a[0], a[1], b[0], b[1]))
            if i == j:
                walks[i, j] = changes.get(i, DEFAULT_CHANGE_S)
            elif (i, j) in changes:
                if changes[i, j] is not None:
                    walks[i, j] = changes[i, j]
            elif d <= TRANSFER_RADIUS_M:
                walks[i, j] = int(walk_seconds(d))

    @functools.cache
    def feasible(r: int, n: int, i: int) -> bool:
        for j in range(i + 1, len(inst[n])):
            stop, arr, _ = inst[n][j]
            if stop in egress and arr + egress[stop] <= arrive:
                return True
            if r > 1:
                for m, other in enumerate(inst):
                    for k, (s2, _, dep2) in enumerate(other[:-1]):
                        w = walks.get((stop, s2))
                        if w is not None and arr + w <= dep2 and feasible(r - 1, m, k):
                            return True
        return False

    best = []
    for r in range(1, max_rides + 1):
        b = NONE
        for n, events in enumerate(inst):
            for i, (s, _, dep) in enumerate(events[:-1]):
                if s in access and dep - access[s] >= arrive - MAX_JOURNEY_S and feasible(r, n, i):
                    b = max(b, dep - access[s])
        best.append(b)
    return best


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=feeds(), o=st.tuples(st.integers(0, 1), st.integers(0, 1)), d=st.tuples(st.integers(0, 1), st.integers(4, 5)),
       day=st.sampled_from(DAYS[:3]), minute=st.integers(23 * 60 + 15, 25 * 60 + 30))
def test_raptor_equals_brute_force(tmp_path_factory, feed, o, d, day, minute):
    stops, services, trips, changes = feed
    path = write_feed(tmp_path_factory.mktemp("f") / "feed.zip", gtfs_files(*feed))
    try:
        data = read_feed(str(path), "prop")
    except Exception as exc:  # a generated feed where no trip runs on any day
        assert "no trip runs" in str(exc)
        return
    net = Network([("v1", data)])
    origin = (LAT0 + o[0] * STEP_LAT + 0.0004, LON0 + o[1] * STEP_LON)
    dest = (LAT0 + d[0] * STEP_LAT - 0.0004, LON0 + d[1] * STEP_LON)
    local = dt.datetime.combine(day + dt.timedelta(days=minute // 1440), dt.time(minute % 1440 // 60, minute % 60), tzinfo=TZ)
    if local.astimezone(dt.timezone.utc).astimezone(TZ) != local:
        return  # a wall-clock time that does not exist (DST gap)
    arrive_epoch = int(local.timestamp())
    view = net.day(dt.datetime.fromtimestamp(arrive_epoch, dt.timezone.utc).date())
    a_stops, a_secs, _ = _stops_near(net, origin, 800)
    e_stops, e_secs, _ = _stops_near(net, dest, 800)
    res = run(net, view, (a_stops, a_secs), (e_stops, e_secs), arrive_epoch - view.ref, 4)
    got = [b + view.ref if b != NONE else NONE for b in res.best[1:]]
    expected = brute_force(stops, services, trips, changes, origin, dest, arrive_epoch, 800, 4)
    assert got == expected
    check_traces(net, view, res, a_stops, a_secs, e_stops, e_secs, arrive_epoch - view.ref)


def check_traces(net, view, res, a_stops, a_secs, e_stops, e_secs, arrive):
    """The journey traced behind each round's best departure is real and keeps every rule."""
    for r in range(1, len(res.best)):
        if res.best[r] == NONE:
            continue
        dep = res.rounds[r].board[a_stops] - a_secs
        i = int(np.argmax(np.where(res.rounds[r].board[a_stops] >= res.low, dep, -10**9)))
        assert dep[i] == res.best[r]
        path = trace(net, view, res, r, int(a_stops[i]))
        assert 1 <= len(path.rides) <= r
        assert path.rides[0].board_stop == a_stops[i] and path.rides[0].dep == res.rounds[r].board[a_stops[i]]
        for k, ride in enumerate(path.rides):
            trip, shift = ride.trip, None
            lo = int(net.trip_offset[trip])
            stops = net.pat_stops[net.pat_indptr[net.trip_pattern[trip]]:net.pat_indptr[net.trip_pattern[trip] + 1]]
            b = [j for j in range(len(stops)) if stops[j] == ride.board_stop]
            shift = ride.dep - int(net.st_dep[lo + b[0]]) if b else None
            assert shift is not None
            a = [j for j in range(b[0] + 1, len(stops)) if stops[j] == ride.alight_stop]
            assert a and ride.arr == int(net.st_arr[lo + a[0]]) + shift
            if k + 1 < len(path.rides):
                u, v, secs = path.walks[k]
                assert u == ride.alight_stop and v == path.rides[k + 1].board_stop
                assert ride.arr + secs <= path.rides[k + 1].dep
        last = path.rides[-1]
        assert last.alight_stop == path.egress_stop
        assert last.arr + int(e_secs[e_stops == path.egress_stop].min()) <= arrive

