"""Property: on small generated feeds, reverse RAPTOR's latest departure for each number of rides
equals an exhaustive search over all trip instances (same walking and transfer rules), with
service days from calendar + calendar_dates, trips past 24:00, a DST change, transfers.txt of
every type (0-3, between stops and on one stop) with footpaths chained through them,
pickup_type/drop_off_type 0-3, block_id (staying seated into the block's next trip of the day,
through up to three trips)
and frequency-based trips (frequencies.txt, exact_times 1 as a timetable, 0 as a headway)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import numpy as np

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.transit.geo import TRANSFER_RADIUS_M, WALK_DETOUR_FACTOR, WALK_SPEED_M_S, distance_m, walk_seconds
from backend.transit.gtfs import DEFAULT_CHANGE_S, SEATED_TRIPS, headway_step, read_feed
from backend.transit.network import MAX_CHAIN_S, MAX_JOURNEY_S, Network
from backend.transit.planner import _chained_ends, _stops_near, real_rides
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
            # pickup_type, drop_off_type: mostly regular; 1 (none) now and then; 2 and 3 are allowed.
            rules = (draw(st.sampled_from([0, 0, 0, 1, 2, 3])), draw(st.sampled_from([0, 0, 0, 1, 2, 3])))
            times.append((t, t + dwell, *rules))
            t += dwell
        # Now and then a frequency-based trip: the times are a template run every headway from a
        # start near them until before an end (sometimes just past a run, which is then left out).
        freq = None
        if draw(st.integers(0, 3)) == 0:
            headway = draw(st.sampled_from([300, 900, 1800]))
            start = times[0][1] + draw(st.integers(-2, 2)) * 600
            freq = (start, start + draw(st.integers(1, 4)) * headway - draw(st.sampled_from([0, 1])), headway,
                    draw(st.sampled_from([0, 1])))
        # A block: some trips are the same vehicle; now and then one starts where another ends.
        block = draw(st.sampled_from(["", "", "b0", "b1"]))
        trips.append((seq, draw(st.integers(0, 1)), times, freq, block))
    # Chain trips of a block: a follower starts at the stop where its leader ends, soon after.
    for k in range(1, len(trips)):
        seq, svc, times, freq, block = trips[k]
        leader = draw(st.integers(0, k - 1))
        if block and trips[leader][4] == block and draw(st.booleans()):
            lseq, ltimes = trips[leader][0], trips[leader][2]
            if lseq[-1] not in seq[1:]:
                gap = draw(st.sampled_from([0, 20, 45, 90]))
                start = ltimes[-1][0] + gap
                new_times = [(a - times[0][0] + start, d - times[0][0] + start, *rest) for a, d, *rest in times]
                trips[k] = ([lseq[-1]] + seq[1:] if seq[0] != lseq[-1] else seq, svc, new_times, freq, block)
    # transfers.txt on one stop: a time (type 2 or 1 = 0 s) or "not possible" (type 3, None)
    changes = draw(st.dictionaries(st.integers(0, n_stops - 1), st.sampled_from([("2", 0), ("2", 120), ("2", 600),
                                                                                ("1", None), ("3", None)]), max_size=2))
    # ... and between two stops: type 2 with a time, 0 (the walk, however far), 1 (0 s), 3 (not possible)
    links = draw(st.dictionaries(st.tuples(st.integers(0, n_stops - 1), st.integers(0, n_stops - 1)).filter(
        lambda p: p[0] != p[1]), st.sampled_from([("2", 30), ("2", 400), ("0", None), ("1", None), ("3", None)]),
        max_size=3))
    changes.update(links)
    return stops, services, trips, changes


def gtfs_files(stops, services, trips, changes) -> dict[str, str]:
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nX,X,https://x.invalid,Europe/Brussels\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
            f"s{i},Stop {i},{lat:.6f},{lon:.6f}\n" for i, (lat, lon) in enumerate(stops)),
        "routes.txt": "route_id,route_short_name,route_type\n" + "".join(
            f"r{k},{k},3\n" for k in range(len(trips))),
        "trips.txt": "route_id,service_id,trip_id,block_id\n" + "".join(
            f"r{k},v{svc},t{k},{block}\n" for k, (_, svc, _, _, block) in enumerate(trips)),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n" + "".join(
            f"t{k},{hms(a)},{hms(d)},s{s},{n + 1},{p or ''},{q}\n"
            for k, (seq, _, times, _, _) in enumerate(trips) for n, (s, (a, d, p, q)) in enumerate(zip(seq, times))),
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        + "".join(f"v{k},{','.join('1' if w else '0' for w in weekdays)},20270326,20270329\n"
                                  for k, (weekdays, _) in enumerate(services)),
        "calendar_dates.txt": "service_id,date,exception_type\n" + "".join(
            f"v{k},{d:%Y%m%d},{e}\n" for k, (_, ex) in enumerate(services) for d, e in ex.items()),
    }
    if any(t[3] for t in trips):
        files["frequencies.txt"] = "trip_id,start_time,end_time,headway_secs,exact_times\n" + "".join(
            f"t{k},{hms(f[0])},{hms(f[1])},{f[2]},{f[3] or ''}\n" for k, (_, _, _, f, _) in enumerate(trips) if f)
    if changes:
        files["transfers.txt"] = "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + "".join(
            f"s{a},s{b},{kind},{'' if secs is None else secs}\n"
            for key, (kind, secs) in changes.items() for a, b in [key if isinstance(key, tuple) else (key, key)])
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

    def shifts(times, freq):
        """(shift, wait) per run: a timetable trip runs once as written; exact_times=1 from each
        start; a headway (exact_times=0): be at the stop at any time of the grid while a vehicle
        still comes within the headway, which may take the whole headway."""
        if freq is None:
            return [(0, 0)]
        start, end, headway, exact = freq
        if exact:
            return [(t - times[0][1], 0) for t in range(start, end, headway)]
        return [(t - times[0][1], headway) for t in range(start, max(start + 1, end - headway + 1), headway_step(headway))]

    # Events of each trip instance: (stop, arrival, departure, can board, can get off).
    inst, inst_key = [], []
    for k, (seq, svc, times, freq, block) in enumerate(trips):
        for day in DAYS:
            if runs(svc, day):
                for shift, wait in shifts(times, freq):
                    inst.append([(s, base(day) + a + shift + wait, base(day) + d + shift, p != 1, q != 1)
                                 for s, (a, d, p, q) in zip(seq, times)])
                    inst_key.append((k, day))
    # Blocks: on each day, a trip of a block runs on into the block's next trip of that day (by
    # departure) when that one leaves from the stop where it ends, not before it gets there.
    seated = {}
    for day in DAYS:
        for blk in {t[4] for t in trips if t[4]}:
            ks = [k for k, t in enumerate(trips) if t[4] == blk and t[3] is None and runs(t[1], day)]
            ks.sort(key=lambda k: (trips[k][2][0][1], k))
            for x, y in zip(ks, ks[1:]):
                if trips[y][0][0] == trips[x][0][-1] and trips[y][2][0][1] >= trips[x][2][-1][0] \
                        and trips[y][0] != trips[x][0][::-1]:  # not just back along the same stops
                    seated[inst_key.index((x, day))] = inst_key.index((y, day))
    radius = max_walk_m / WALK_DETOUR_FACTOR

    def walk_from(p):
        out = {}
        for i, (lat, lon) in enumerate(stops):
            d = float(distance_m(p[0], p[1], lat, lon))
            if d <= radius:
                out[i] = int(walk_seconds(d))
        return out

    walks, special, forbidden = {}, {}, set()
    for i, a in enumerate(stops):
        for j, b in enumerate(stops):
            d = float(distance_m(a[0], a[1], b[0], b[1]))
            kind, secs = changes.get((i, j) if i != j else i, (None, None))
            if i == j:
                walks[i, j] = {"2": secs, "1": 0, "3": None}.get(kind, DEFAULT_CHANGE_S)
            elif kind == "3":
                forbidden.add((i, j))
            elif kind is not None:  # transfers.txt: its time, 0 s (type 1) or the walk (type 0)
                special[i, j] = secs if secs is not None else (0 if kind == "1" else int(walk_seconds(d)))
            elif d <= TRANSFER_RADIUS_M:
                walks[i, j] = int(walk_seconds(d))
    # Footpaths of several steps with a transfers.txt step, at most MAX_CHAIN_S in all; a pair of
    # transfers.txt keeps its own time, a forbidden pair stays forbidden.
    steps = {**{p: s for p, s in walks.items() if p[0] != p[1]}, **special}
    chains = dict(special)
    changed = True
    while changed:
        changed = False
        for (a, b), s0 in list(chains.items()):
            for (x, y), s in steps.items():
                for pair, total in (((a, y), s0 + s) if x == b else (None, 0), ((x, b), s + s0) if y == a else (None, 0)):
                    if pair is None or pair[0] == pair[1] or total > MAX_CHAIN_S or pair in forbidden or pair in special:
                        continue
                    if total < chains.get(pair, MAX_CHAIN_S + 1):
                        chains[pair] = total
                        changed = True
    for pair, s in chains.items():
        if pair not in walks or s < walks[pair]:
            walks[pair] = s
    # Walks at either end may go on along a footpath with a transfers.txt step (within the limit).
    limit = max_walk_m / WALK_SPEED_M_S

    def ends(p, forward):
        out = walk_from(p)
        for (a, b), s in chains.items():
            near_, far = (a, b) if forward else (b, a)
            if near_ in walk_from(p) and walk_from(p)[near_] + s <= limit and walks.get((a, b)) == s:
                out[far] = min(out.get(far, 10**9), walk_from(p)[near_] + s)
        return out

    access, egress = ends(origin, True), ends(dest, False)

    @functools.cache
    def feasible(r: int, n: int, i: int, seats: int = 0) -> bool:
        for j in range(i + 1, len(inst[n])):
            stop, arr, _, _, off = inst[n][j]
            if not off:
                continue
            if stop in egress and arr + egress[stop] <= arrive:
                return True
            if r > 1:
                for m, other in enumerate(inst):
                    for k, (s2, _, dep2, on, _) in enumerate(other[:-1]):
                        w = walks.get((stop, s2))
                        if on and w is not None and arr + w <= dep2 and feasible(r - 1, m, k):
                            return True
        # Staying seated into the block's next trip (no ride more, no change), through at most
        # SEATED_TRIPS trips in all: get off at one of its later stops, or stay on again.
        return n in seated and seats < SEATED_TRIPS - 1 and feasible(r, seated[n], 0, seats + 1)

    best = []
    for r in range(1, max_rides + 1):
        b = NONE
        for n, events in enumerate(inst):
            for i, (s, _, dep, on, _) in enumerate(events[:-1]):
                if on and s in access and dep - access[s] >= arrive - MAX_JOURNEY_S and feasible(r, n, i):
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
    a_stops, a_secs, _ = _chained_ends(net, _stops_near(net, origin, 800), 800, access=True)
    e_stops, e_secs, _ = _chained_ends(net, _stops_near(net, dest, 800), 800, access=False)
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
            trip = ride.trip
            lo = int(net.trip_offset[trip])
            stops = net.pat_stops[net.pat_indptr[net.trip_pattern[trip]]:net.pat_indptr[net.trip_pattern[trip] + 1]]
            # The positions in the trip (a stop may come twice, e.g. in a block's through trip).
            b, a = ride.board_pos, ride.alight_pos
            assert 0 <= b < a < len(stops)
            assert stops[b] == ride.board_stop and stops[a] == ride.alight_stop
            shift = ride.dep - int(net.st_dep[lo + b])
            assert ride.arr == int(net.st_arr[lo + a]) + shift
            # Boarded where the trip picks up, left where it sets down (pickup/drop_off_type 1: not).
            rules = net.pat_rules[net.pat_indptr[net.trip_pattern[trip]]:]
            assert rules[b] // 4 != 1 and rules[a] % 4 != 1
            # Shown as the real trips it is made of (a block's through trip: one leg per trip).
            parts = real_rides(net, ride)
            assert parts[0][0].board_stop == ride.board_stop and parts[0][0].dep == ride.dep
            assert parts[-1][0].alight_stop == ride.alight_stop and parts[-1][0].arr == ride.arr
            assert [seated for _, seated in parts] == [False] + [True] * (len(parts) - 1)
            for (p, _), (q, _) in zip(parts, parts[1:]):
                assert p.alight_stop == q.board_stop and p.arr <= q.dep
            for p, _ in parts:
                assert p.trip not in net.trip_parts
                lo_p = int(net.trip_offset[p.trip])
                assert p.arr - p.dep == int(net.st_arr[lo_p + p.alight_pos]) - int(net.st_dep[lo_p + p.board_pos])
            if k + 1 < len(path.rides):
                u, v, secs = path.walks[k]
                assert u == ride.alight_stop and v == path.rides[k + 1].board_stop
                assert ride.arr + secs <= path.rides[k + 1].dep
        last = path.rides[-1]
        assert last.alight_stop == path.egress_stop
        assert last.arr + int(e_secs[e_stops == path.egress_stop].min()) <= arrive

