"""The rules of a GTFS feed that routing honours (issue 16 §1), each on a small generated feed:
pickup/drop-off types, block_id (stay seated), headways (frequencies exact_times=0), time zones per
agency, feed and stop, transfers.txt types and footpaths of several steps, import line numbers and
warnings, negative coordinates on the command line, and no 0 m walks between two feeds' stops."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import zoneinfo

import pytest

from backend.transit.gtfs import FeedError, read_feed
from backend.transit.network import Network
from backend.transit.planner import leg_notes, plan_sync
from conftest import WERKMAAT, server_env
from transit_feeds import write_feed

BXL = zoneinfo.ZoneInfo("Europe/Brussels")
LON_TZ = zoneinfo.ZoneInfo("Europe/London")
DAY = dt.date(2027, 1, 5)  # a Tuesday
LAT = 50.9650
# Stops on an east-west road, 2.2 km apart (no walking transfer between them, no walk from one to
# the next instead of the bus, one stop within reach of each end point).
X = {"A": 5.500, "B": 5.532, "C": 5.564, "D": 5.596, "E": 5.628}


def near(stop: str, lat: float = LAT) -> tuple[float, float]:
    return (lat + 0.0005, X[stop])  # about 55 m north of the stop


def gtfs(stops, trips, *, agencies=(("DL", "Europe/Brussels"),), routes=None, frequencies=None,
         transfers=None, stop_tz=None, calendar=None, extra=None) -> dict[str, str]:
    """A feed: stops {id: (lat, lon)}, trips [(route, trip, service, block, [(stop, time, pickup, drop)])]."""
    routes = routes or sorted({t[0] for t in trips})
    route_agency = routes if isinstance(routes, dict) else {r: agencies[0][0] for r in routes}
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n" + "".join(
            f"{a},{a},https://x.invalid,{tz}\n" for a, tz in agencies),
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,stop_timezone\n" + "".join(
            f"{s},Halte {s},{p[0]},{p[1]},{(stop_tz or {}).get(s, '')}\n" for s, p in stops.items()),
        "routes.txt": "route_id,agency_id,route_short_name,route_type\n" + "".join(
            f"{r},{a},{r},3\n" for r, a in route_agency.items()),
        "trips.txt": "route_id,service_id,trip_id,block_id,trip_headsign\n" + "".join(
            f"{r},{svc},{t},{blk},naar {events[-1][0]}\n" for r, t, svc, blk, events in trips),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n" + "".join(
            f"{t},{e[1]},{e[1]},{e[0]},{n + 1},{e[2] if len(e) > 2 else ''},{e[3] if len(e) > 3 else ''}\n"
            for _, t, _, _, events in trips for n, e in enumerate(events)),
        "calendar.txt": calendar or (
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
            "ALL,1,1,1,1,1,1,1,20270101,20270131\nWK,1,1,1,1,1,0,0,20270101,20270131\n"),
    }
    if frequencies:
        files["frequencies.txt"] = "trip_id,start_time,end_time,headway_secs,exact_times\n" + frequencies
    if transfers:
        files["transfers.txt"] = "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + transfers
    files.update(extra or {})
    return files


def load(tmp_path, files, name="f") -> Network:
    return Network([("v1", read_feed(str(write_feed(tmp_path / f"{name}.zip", files)), name))])


def at(h: int, m: int, s: int = 0, tz=BXL, day=DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m, s), tzinfo=tz)


def rides(journey):
    return [leg for leg in journey.legs if leg.kind == "ride"]


STREET = {s: (LAT, lon) for s, lon in X.items()}


# --- pickup_type / drop_off_type -------------------------------------------------------------------

def test_pickup_and_drop_off_types(tmp_path):
    net = load(tmp_path, gtfs(STREET, [
        ("R1", "T1", "ALL", "", [("A", "07:00:00"), ("B", "07:05:00", 1), ("C", "07:10:00", 0, 1), ("D", "07:15:00")]),
        ("R1", "T2", "ALL", "", [("A", "08:00:00"), ("B", "08:05:00", 2), ("C", "08:10:00"), ("D", "08:15:00", 0, 3)]),
    ]))
    # T1 does not pick up at B, nor set down at C; nothing else arrives in time.
    assert plan_sync(net, near("B"), near("D"), at(7, 30)) == []
    assert plan_sync(net, near("A"), near("C"), at(7, 30)) == []
    j = plan_sync(net, near("A"), near("D"), at(7, 30))
    assert [r.departure for r in rides(j[0])] == [at(7, 0)]
    assert rides(j[0])[0].pickup == "" and rides(j[0])[0].drop_off == ""
    # Types 2 and 3 are allowed, and the leg says so, in Dutch and in English.
    j = plan_sync(net, near("B"), near("D"), at(8, 30))
    ride = rides(j[0])[0]
    assert (ride.departure, ride.pickup, ride.drop_off) == (at(8, 5), "phone_agency", "ask_driver")
    nl, en = leg_notes(ride, "nl"), leg_notes(ride, "en")
    assert nl[0].startswith("Bel eerst het vervoerbedrijf") and "Halte B" in nl[0]
    assert "chauffeur" in nl[1] and "Halte D" in nl[1]
    assert en[0].startswith("Phone the transport company") and en[1].startswith("Tell the driver")


# --- block_id: stay seated --------------------------------------------------------------------------

def test_block_stays_seated_without_a_change(tmp_path):
    net = load(tmp_path, gtfs(STREET, [
        ("R1", "X", "ALL", "K1", [("A", "07:00:00"), ("B", "07:10:00")]),
        # The same bus goes on as line R2 after 30 s, then as R3: shorter than a 60 s change.
        ("R2", "Y", "ALL", "K1", [("B", "07:10:30"), ("C", "07:20:00")]),
        ("R3", "Z", "WK", "K1", [("C", "07:20:20"), ("D", "07:30:00")]),
        ("R2", "Y2", "ALL", "", [("B", "07:40:00"), ("C", "07:50:00")]),
        # Another block's next trip leaves from another stop: no staying seated there.
        ("R1", "V", "ALL", "K2", [("A", "06:00:00"), ("B", "06:10:00")]),
        ("R4", "W", "ALL", "K2", [("C", "06:10:30"), ("D", "06:20:00")]),
    ]))
    j = plan_sync(net, near("A"), near("C"), at(7, 30))
    legs = rides(j[0])
    assert [(r.line, r.departure, r.arrival, r.stay_seated) for r in legs] == [
        ("R1", at(7, 0), at(7, 10), False), ("R2", at(7, 10, 30), at(7, 20), True)]
    assert j[0].transfers == 0 and [leg.kind for leg in j[0].legs] == ["walk", "ride", "ride", "walk"]
    assert "Blijf zitten" in leg_notes(legs[1], "nl")[0] and "Stay seated" in leg_notes(legs[1], "en")[0]
    # Through two turns (on a weekday, when Z runs).
    j = plan_sync(net, near("A"), near("D"), at(7, 40))
    assert [(r.line, r.stay_seated) for r in rides(j[0])] == [("R1", False), ("R2", True), ("R3", True)]
    # On Saturday Z does not run: the chain stops at C (and nothing else gets to D by 07:40).
    assert plan_sync(net, near("A"), near("D"), at(7, 40, day=dt.date(2027, 1, 9))) == []
    assert [r.line for r in rides(plan_sync(net, near("A"), near("C"), at(7, 30, day=dt.date(2027, 1, 9)))[0])] == ["R1", "R2"]
    # Boarding the second trip alone is still possible.
    j = plan_sync(net, near("B"), near("C"), at(7, 25))
    assert [(r.line, r.departure, r.stay_seated) for r in rides(j[0])] == [("R2", at(7, 10, 30), False)]
    # K2: W starts at C, not at B where V ends; no way from A to D by 06:30.
    assert plan_sync(net, near("A"), near("D"), at(6, 30)) == []


def test_block_chains_skip_turning_back_and_stay_short(tmp_path):
    """A bus that turns round at the end of its line brings nobody anywhere: no through trip. A long
    block is kept as overlapping windows of three trips (a seated ride through up to three)."""
    turn = read_feed(str(write_feed(tmp_path / "t.zip", gtfs(STREET, [
        ("R1", "P", "ALL", "K3", [("A", "09:00:00"), ("B", "09:10:00")]),
        ("R1", "Q", "ALL", "K3", [("B", "09:10:30"), ("A", "09:20:00")])]))), "t")
    assert turn.meta["counts"]["stay_seated"] == 0
    line = [("R1", f"L{k}", "ALL", "K4", [(s, f"10:{10 * k + n:02d}:00") for n, s in enumerate("ABCDE"[k:k + 2])])
            for k in range(4)]   # A-B, B-C, C-D, D-E: one bus, four trips
    data = read_feed(str(write_feed(tmp_path / "l.zip", gtfs(STREET, line))), "l")
    assert data.meta["counts"]["stay_seated"] == 2   # L0-L1-L2 and L1-L2-L3
    net = Network([("v1", data)])
    assert [r.stay_seated for r in rides(plan_sync(net, near("B"), near("E"), at(11, 0))[0])] == [False, True, True]


# --- frequencies.txt exact_times=0 --------------------------------------------------------------------

def test_headway_is_planned_with_the_worst_wait(tmp_path):
    trips = [("R5", "F", "ALL", "", [("A", "07:00:00"), ("B", "07:10:00")])]
    net = load(tmp_path, gtfs(STREET, trips, frequencies="F,06:00:00,09:00:00,1200,0\n"))
    j = plan_sync(net, near("A"), near("B"), at(7, 40))
    ride = rides(j[0])[0]
    # Be at A by T; the bus may come 20 min later and needs 10 min: T + 30 min + the walk <= 07:40.
    walk = j[0].legs[-1]
    assert ride.headway_minutes == 20
    assert ride.arrival == ride.departure + dt.timedelta(minutes=30)
    assert ride.arrival + dt.timedelta(minutes=walk.minutes) <= at(7, 40)
    assert at(7, 6) <= ride.departure <= at(7, 9)   # a grid of 2 minutes: never later than needed
    assert "om de 20 minuten" in leg_notes(ride, "nl")[0] and ride.departure.strftime("%H:%M") in leg_notes(ride, "nl")[0]
    assert "every 20 min" in leg_notes(ride, "en")[0]
    # exact_times=1 stays a timetable: runs at 06:00, 06:20, ... and the 07:20 run arrives 07:30.
    net = load(tmp_path, gtfs(STREET, trips, frequencies="F,06:00:00,09:00:00,1200,1\n"), "exact")
    ride = rides(plan_sync(net, near("A"), near("B"), at(7, 40))[0])[0]
    assert (ride.departure, ride.headway_minutes) == (at(7, 20), 0)


# --- time zones -----------------------------------------------------------------------------------------

def test_each_agency_and_stop_keeps_its_zone(tmp_path):
    files = gtfs(STREET, [
        ("R1", "T1", "ALL", "", [("A", "08:00:00"), ("B", "08:10:00")]),
        ("UK", "T2", "ALL", "", [("C", "08:00:00"), ("D", "08:10:00")]),
    ], agencies=(("DL", "Europe/Brussels"), ("GB", "Europe/London")), routes={"R1": "DL", "UK": "GB"},
        stop_tz={"B": "Europe/London"})
    data = read_feed(str(write_feed(tmp_path / "z.zip", files)), "z")
    assert any("different time zones (Europe/Brussels, Europe/London)" in w for w in data.meta["warnings"])
    net = Network([("v1", data)])
    # GB's 08:00 is London time, 09:00 in Brussels.
    ride = rides(plan_sync(net, near("C"), near("D"), at(9, 30))[0])[0]
    assert ride.departure == at(8, 0, tz=LON_TZ) and ride.departure.tzinfo == BXL
    # The arrival at B is shown in B's own zone (stop_timezone); the instant is DL's 08:10.
    ride = rides(plan_sync(net, near("A"), near("B"), at(8, 30))[0])[0]
    assert ride.arrival == at(8, 10) and ride.arrival.utcoffset() == dt.timedelta(0)
    assert ride.departure.utcoffset() == dt.timedelta(hours=1)


def test_two_feeds_in_two_zones_and_the_destination_zone(tmp_path):
    be = read_feed(str(write_feed(tmp_path / "be.zip", gtfs(STREET, [
        ("R1", "T1", "ALL", "", [("A", "08:00:00"), ("B", "08:10:00")])]))), "be")
    uk_stops = {"L1": (51.5000, -0.1500), "L2": (51.5000, -0.1000)}
    uk = read_feed(str(write_feed(tmp_path / "uk.zip", gtfs(uk_stops, [
        ("U", "U1", "ALL", "", [("L1", "08:00:00"), ("L2", "08:10:00")])],
        agencies=(("TFL", "Europe/London"),)))), "uk")
    net = Network([("v1", be), ("v2", uk)])
    dest = (51.5005, -0.1000)
    assert net.zone_near(dest) == LON_TZ and net.zone_near(near("B")) == BXL
    # 08:30 at the destination is London time: the 08:00 London bus (09:00 in Brussels).
    ride = rides(plan_sync(net, (51.5005, -0.1500), dest, at(8, 30, tz=net.zone_near(dest)))[0])[0]
    assert ride.departure == at(8, 0, tz=LON_TZ) and ride.departure.utcoffset() == dt.timedelta(0)
    assert ride.line == "U"
    assert rides(plan_sync(net, near("A"), near("B"), at(8, 30, tz=net.zone_near(near("B"))))[0])[0].departure == at(8, 0)


# --- transfers.txt and footpaths of several steps -----------------------------------------------------

def test_transfer_types_and_chained_footpaths(tmp_path):
    stops = dict(STREET)
    stops["P1"] = (LAT, X["C"] + 0.0035)   # 245 m east of C
    stops["Q"] = (LAT, X["C"] + 0.0075)    # 280 m further east: 525 m from C, no derived walk C -> Q
    trips = [
        ("R1", "T1", "ALL", "", [("A", "07:00:00"), ("C", "07:10:00")]),
        ("R2", "T2", "ALL", "", [("Q", "07:22:00"), ("E", "07:30:00")]),
        ("R3", "T3", "ALL", "", [("C", "07:11:30"), ("D", "07:20:00")]),
    ]
    base = gtfs(stops, trips)
    # Without transfers.txt: C -> Q is 525 m, too far for a walking transfer; C -> D is a 90 s change.
    net = load(tmp_path, base, "plain")
    assert plan_sync(net, near("A"), near("E"), at(7, 40)) == []
    assert rides(plan_sync(net, near("A"), near("D"), at(7, 30))[0])[0].departure == at(7, 0)
    # transfers.txt: C -> P1 takes 2 min (type 2), then a derived walk P1 -> Q: chained (walk, walk).
    # C -> C needs 2 min (type 2): the 90 s change to T3 is gone.
    net = load(tmp_path, dict(base, **{"transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
                                                        "C,P1,2,120\nC,C,2,120\n"}), "typed")
    j = plan_sync(net, near("A"), near("E"), at(7, 40))
    assert [r.line for r in rides(j[0])] == ["R1", "R2"] and j[0].transfers == 1
    walk = [leg for leg in j[0].legs if leg.kind == "walk"][1]
    assert walk.from_name == "Halte C" and walk.to_name == "Halte Q" and walk.minutes <= 10
    assert plan_sync(net, near("A"), near("D"), at(7, 30)) == []
    # Type 3: no transfer C -> P1 at all (and so no chain through it); C -> C not possible either.
    net = load(tmp_path, dict(base, **{"transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
                                                        "C,P1,3,\nC,Q,3,\nC,C,3,\n"}), "none")
    assert plan_sync(net, near("A"), near("E"), at(7, 40)) == []
    assert plan_sync(net, near("A"), near("D"), at(7, 30)) == []


def test_walk_ride_walk_walk(tmp_path):
    """After the ride a footpath of transfers.txt, then the walk to the destination."""
    stops = dict(STREET)
    stops["P1"] = (LAT, X["C"] + 0.0043)   # 300 m east of C
    trips = [("R1", "T1", "ALL", "", [("A", "07:00:00"), ("C", "07:10:00")])]
    dest = (LAT, X["C"] + 0.0043 + 0.0085)  # 600 m beyond P1, 900 m from C: too far to walk from C
    files = dict(gtfs(stops, trips), **{"transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
                                                        "C,P1,2,60\n"})
    assert plan_sync(load(tmp_path, gtfs(stops, trips), "plain"), near("A"), dest, at(7, 40)) == []
    j = plan_sync(load(tmp_path, files, "chained"), near("A"), dest, at(7, 40))
    assert [r.line for r in rides(j[0])] == ["R1"]
    last = j[0].legs[-1]
    assert last.kind == "walk" and last.from_name == "Halte C" and last.to_name == ""
    assert last.arrival <= at(7, 40) and last.minutes <= 1000 / 1.25 / 60 + 1


# --- no walk of 0 m between two feeds' stops at one place ------------------------------------------------

def test_no_zero_metre_walk_between_feeds(tmp_path):
    bus = read_feed(str(write_feed(tmp_path / "bus.zip", gtfs(STREET, [
        ("B1", "T1", "ALL", "", [("A", "07:00:00"), ("C", "07:10:00")])]))), "bus")
    train = read_feed(str(write_feed(tmp_path / "train.zip", gtfs({"C2": STREET["C"], "E2": STREET["E"]}, [
        ("IC", "T2", "ALL", "", [("C2", "07:12:00"), ("E2", "07:20:00")]),
        ("IC", "T3", "ALL", "", [("C2", "07:10:30"), ("E2", "07:18:00")])]))), "train")
    net = Network([("v1", bus), ("v2", train)])
    j = plan_sync(net, near("A"), near("E"), at(7, 30))
    assert [leg.kind for leg in j[0].legs] == ["walk", "ride", "ride", "walk"]
    assert all(leg.metres > 0 for leg in j[0].legs if leg.kind == "walk")
    # A change between two feeds takes at least the change at one stop: T3 (30 s later) is missed.
    assert [r.line for r in rides(j[0])] == ["B1", "IC"] and rides(j[0])[1].departure == at(7, 12)


# --- import --------------------------------------------------------------------------------------------

def test_empty_optional_files_are_absent(tmp_path):
    files = dict(gtfs(STREET, [("R1", "T1", "ALL", "", [("A", "07:00:00"), ("B", "07:10:00")])]),
                 **{"frequencies.txt": "", "transfers.txt": "", "calendar_dates.txt": ""})
    data = read_feed(str(write_feed(tmp_path / "e.zip", files)), "e")
    assert data.meta["counts"]["trips"] == 1
    files["stops.txt"] = ""
    with pytest.raises(FeedError, match="stops.txt: is empty"):
        read_feed(str(write_feed(tmp_path / "e2.zip", files)), "e")


def long_trip_feed(n: int) -> dict[str, str]:
    events = [("A" if k % 2 == 0 else "B", f"{7 + k // 60:02d}:{k % 60:02d}:00") for k in range(n)]
    return gtfs(STREET, [("R1", "T1", "ALL", "", events)])


def test_error_lines_are_lines_of_the_file(tmp_path):
    files = long_trip_feed(730)   # stop_times.txt: a header and 730 rows
    lines = files["stop_times.txt"].split("\n")
    lines[599] = lines[599].replace("Halte", "Halte") + "\xff"
    raw = "\n".join(lines).encode("utf-8").replace("\xff".encode("utf-8"), b"\xff")
    path = tmp_path / "bad.zip"
    write_feed(path, {k: v for k, v in files.items() if k != "stop_times.txt"})
    import zipfile
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("stop_times.txt", raw)
    with pytest.raises(FeedError) as err:
        read_feed(str(path), "bad")
    assert str(err.value).startswith("stop_times.txt line 600: is not UTF-8")
    # An unclosed quote on line 2 is reported there, not at the end of the file.
    files = long_trip_feed(730)
    lines = files["stop_times.txt"].split("\n")
    lines[1] = lines[1].replace("T1,", '"T1,', 1)
    with pytest.raises(FeedError) as err:
        read_feed(str(write_feed(tmp_path / "q.zip", dict(files, **{"stop_times.txt": "\n".join(lines)}))), "q")
    assert str(err.value).startswith("stop_times.txt line 2: a quote")
    # Line breaks inside quoted fields count: the bad coordinate is on line 6 of the file.
    stops = ('stop_id,stop_name,stop_lat,stop_lon\nA,"Halte\nA",50.9650,5.5\nB,"B\n",50.9650,5.52\n'
             'C,C,95,5.54\n')
    with pytest.raises(FeedError, match="stops.txt line 6: stop_lat/stop_lon '95'"):
        read_feed(str(write_feed(tmp_path / "s.zip", dict(files, **{"stops.txt": stops}))), "s")


def test_import_summary_warnings(tmp_path):
    files = gtfs(dict(STREET, N=("", "")), [
        ("R1", "T1", "ALL", "", [("A", "07:00:00"), ("N", "07:05:00"), ("B", "07:10:00")]),
        ("R1", "T9", "NOPE", "", [("A", "09:00:00"), ("B", "09:10:00")]),
    ], routes=["R1", "R2"], agencies=(("DL", "Europe/Brussels"), ("XX", "Europe/Paris")))
    data = read_feed(str(write_feed(tmp_path / "w.zip", files)), "w")
    w = data.meta["warnings"]
    assert any(x.startswith("1 trips have a service_id that is in neither") and "'NOPE'" in x and "line 3" in x for x in w)
    assert any("different time zones (Europe/Brussels, Europe/Paris)" in x for x in w)
    assert any(x.startswith("1 stops have no coordinates") and "'N'" in x for x in w)
    assert any(x.startswith("1 routes have no trips (R2)") for x in w)
    assert data.meta["counts"]["trips"] == 1 and data.meta["counts"]["stop_times"] == 2


def test_cli_negative_coordinates_zone_and_warnings(tmp_path):
    """Jakarta (south of the equator, Asia/Jakarta): --from -6.2091,106.8307 works, and --arrive-by
    without an offset is the destination's local time; the import summary ends with the warnings."""
    env = server_env(f"sqlite:///{tmp_path}/cli.db", tmp_path, 8000)
    jkt = {"J1": (-6.2091, 106.8307), "J2": (-6.2091, 106.8507)}
    files = gtfs(jkt, [("TJ", "J", "ALL", "", [("J1", "08:00:00"), ("J2", "08:10:00")])],
                 routes=["TJ", "T2"], agencies=(("TJ", "Asia/Jakarta"),))
    done = subprocess.run([WERKMAAT, "transit", "import", str(write_feed(tmp_path / "jkt.zip", files)), "--name", "jkt"],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    summary = done.stdout.strip().splitlines()
    assert summary[0].startswith("Feed 'jkt' imported") and "(Asia/Jakarta)" in summary[0]
    assert summary[1] == "1 warning(s):" and summary[2] == "  Warning: 1 routes have no trips (T2)"
    out = subprocess.run([WERKMAAT, "transit", "plan", "--from", "-6.2091,106.8300", "--to", "-6.2091,106.8510",
                          "--arrive-by", "2027-01-05T08:30", "--json"], env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    journey = json.loads(out.stdout)[0]
    ride = [leg for leg in journey["legs"] if leg["kind"] == "ride"][0]
    assert ride["departure"] == "2027-01-05T08:00:00+07:00"
    helptext = subprocess.run([WERKMAAT, "transit", "plan", "--help"], env=env, capture_output=True, text=True).stdout
    assert "local time at the" in helptext and "destination" in helptext
