"""GTFS import (quirks, service days, transfers, errors) and the `werkmaat transit` commands."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import zoneinfo

import pytest

from backend.transit.gtfs import FeedError, read_feed
from backend.transit.network import Network
from backend.transit.planner import plan_sync
from conftest import WERKMAAT, create_pg_database, drop_pg_database, server_env
from transit_feeds import SMALL, write_feed

TZ = zoneinfo.ZoneInfo("Europe/Brussels")
HOME = (50.9650, 5.4990)          # 70 m west of A
NEAR_D = (50.9650, 5.5350)        # beside D
NEAR_E = (50.9860, 5.5230)        # 120 m north of E


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = write_feed(tmp_path_factory.mktemp("feed") / "small.zip", SMALL, folder="gtfs/")
    return read_feed(str(path), "small")


def test_reads_quirky_feed(small):
    m, a = small.meta, small.arrays
    assert m["timezone"] == "Europe/Brussels"
    # The station S is not a stop to board; its platform P1 is.
    assert m["stop_ids"] == ["A", "B", "C", "D", "E", "P1"]
    assert m["stop_names"][0] == "Genk, Station"  # quoted field with a comma, BOM, CRLF
    assert m["counts"]["trips"] == 5 and m["counts"]["routes"] == 2
    assert m["route_short"] == ["1", "Zwartberg"]  # no short name: the long name
    assert (m["first_date"], m["last_date"]) == ("2027-01-04", "2027-01-29")
    # B had no time (non-timepoint): interpolated halfway between 7:00 and 7:10.
    t1 = slice(int(a["trip_offset"][0]), int(a["trip_offset"][1]))
    assert a["st_arr"][t1].tolist() == [25200, 25500, 25800, 26100]
    # Past 24:00 kept as such.
    assert 24 * 3600 + 20 * 60 in a["st_dep"].tolist()
    # transfers.txt C -> P1: 300 s; derived walks within 500 m both ways (C <-> P1 the other way).
    walks = {(int(f), int(t)): int(s) for f, t, s in zip(a["fp_from"], a["fp_to"], a["fp_secs"])}
    assert walks[(2, 5)] == 300
    assert (5, 2) in walks and walks[(5, 2)] < 300
    assert (0, 1) not in walks  # 800 m apart


def test_service_days_from_calendar_and_dates(small):
    a = small.arrays
    day0 = dt.date.fromisoformat(small.meta["day0"])
    wk, hol = 0, 1
    k = (dt.date(2027, 1, 11) - day0).days  # a Monday
    assert not a["svc_days"][wk, k] and a["svc_days"][hol, k]
    assert a["svc_days"][wk, k + 1] and not a["svc_days"][wk, k + 5]  # Tuesday yes, Saturday no


def plan(net, frm, to, when, **kw):
    return plan_sync(net, frm, to, when, **kw)


def test_plans_with_a_transfer_and_walks(small):
    net = Network([("v1", small)])
    journeys = plan(net, HOME, NEAR_E, dt.datetime(2027, 1, 5, 7, 45, tzinfo=TZ))
    best = journeys[0]
    assert best.transfers == 1
    rides = [leg for leg in best.legs if leg.kind == "ride"]
    assert [(r.line, r.from_name, r.to_name) for r in rides] == [
        ("1", "Genk, Station", "Genk Zuid"), ("Zwartberg", "Station Zuid perron 1", "Zwartberg")]
    assert rides[0].departure == dt.datetime(2027, 1, 5, 7, 0, tzinfo=TZ)
    assert rides[1].arrival == dt.datetime(2027, 1, 5, 7, 30, tzinfo=TZ)
    walks = [leg for leg in best.legs if leg.kind == "walk"]
    assert walks[1].minutes == 5  # transfers.txt: 300 s from C to P1
    assert best.departure < rides[0].departure and best.arrival <= dt.datetime(2027, 1, 5, 7, 45, tzinfo=TZ)
    assert best.walk_metres == sum(w.metres for w in walks)


def test_after_midnight_trip_belongs_to_previous_service_day(small):
    net = Network([("v1", small)])
    # Tuesday 5 January's TNIGHT runs at 24:20 = Wednesday 00:20.
    j = plan(net, HOME, NEAR_D, dt.datetime(2027, 1, 6, 0, 40, tzinfo=TZ))
    assert j and j[0].legs[1].departure == dt.datetime(2027, 1, 6, 0, 20, tzinfo=TZ)
    # Monday 11 January has no WK service (calendar_dates removes it): no night bus on Tuesday 00:40.
    assert plan(net, HOME, NEAR_D, dt.datetime(2027, 1, 12, 0, 40, tzinfo=TZ)) == []
    # ... but the HOL service runs that day only (T4 at 09:00 from P1).
    j = plan(net, (50.9653, 5.5236), NEAR_E, dt.datetime(2027, 1, 11, 9, 30, tzinfo=TZ))
    assert j[0].legs[1].line == "Zwartberg" and j[0].legs[1].departure.hour == 9


def test_walking_only_when_close(small):
    net = Network([("v1", small)])
    j = plan(net, (50.9650, 5.5000), (50.9650, 5.5060), dt.datetime(2027, 1, 5, 8, 0, tzinfo=TZ))
    assert j[0].legs[0].kind == "walk" and len(j[0].legs) == 1 and j[0].transfers == 0
    assert j[0].arrival == dt.datetime(2027, 1, 5, 8, 0, tzinfo=TZ)


def broken(**changes):
    files = dict(SMALL)
    files.update(changes)
    return {k: v for k, v in files.items() if v is not None}


BAD = [
    (broken(**{"stop_times.txt": SMALL["stop_times.txt"].replace("08:05:00,08:05:00", "08:05:00,25:6x")}),
     "stop_times.txt line 7: departure_time '25:6x' is not a time HH:MM:SS"),
    (broken(**{"stop_times.txt": SMALL["stop_times.txt"] + "T2,08:20:00,08:20:00,ZZ,5\r\n"}),
     "stop_times.txt line 16: stop_id 'ZZ' is not in stops.txt"),
    (broken(**{"stop_times.txt": SMALL["stop_times.txt"] + "T2,08:20:00,08:20:00,S,5\r\n"}),
     "stop_times.txt line 16: stop_id 'S' is a station"),
    (broken(**{"stops.txt": SMALL["stops.txt"].replace("50.9850,5.5230", "95.0,5.5230")}),
     "stops.txt line 6: stop_lat/stop_lon"),
    (broken(**{"calendar.txt": None, "calendar_dates.txt": None}), "calendar.txt: is missing"),
    (broken(**{"calendar_dates.txt": "service_id,date,exception_type\r\nWK,2027011,2\r\n"}),
     "calendar_dates.txt line 2: date '2027011' is not a date YYYYMMDD"),
    (broken(**{"trips.txt": SMALL["trips.txt"].replace("R2,WK,T3", "R9,WK,T3")}),
     "trips.txt line 5: route_id 'R9' is not in routes.txt"),
    (broken(**{"routes.txt": "agency_id,route_short_name\r\nDL,1\r\n"}), "routes.txt line 1: the column 'route_id' is missing"),
    (broken(**{"agency.txt": None}), "agency.txt: is missing"),
]


@pytest.mark.parametrize("files,message", BAD, ids=[m[:30] for _, m in BAD])
def test_bad_feed_names_file_and_line(tmp_path, files, message):
    with pytest.raises(FeedError) as err:
        read_feed(str(write_feed(tmp_path / "bad.zip", files)), "bad")
    assert message in str(err.value)


def test_calendar_dates_alone_is_enough(tmp_path):
    cal_dates = "service_id,date,exception_type\nWK,20270105,1\nHOL,20270106,1\n"
    data = read_feed(str(write_feed(tmp_path / "f.zip", broken(**{"calendar.txt": None,
                                                                   "calendar_dates.txt": cal_dates}))), "f")
    assert (data.meta["first_date"], data.meta["last_date"]) == ("2027-01-05", "2027-01-06")


# --- the command, end to end, on SQLite and PostgreSQL ---------------------------------------------

def werkmaat(env, *args):
    return subprocess.run([WERKMAAT, "transit", *args], env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture
def own_database(database_url, tmp_path):
    """A database of this test's own: the live server's holds feeds that other modules imported."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/cli.db"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def test_cli_import_plan_replace_and_side_by_side(own_database, tmp_path):
    env = server_env(own_database, tmp_path, 8000)
    feed = write_feed(tmp_path / "small.zip", SMALL)
    done = werkmaat(env, "import", str(feed), "--name", "cli-small")
    assert done.returncode == 0, done.stderr
    assert "6 stops, 2 routes, 5 trips" in done.stdout and "2027-01-04 to 2027-01-29" in done.stdout
    assert "stop_times" in done.stderr  # progress

    def journeys(when="2027-01-05T07:45"):
        out = werkmaat(env, "plan", "--from", "50.9650,5.4990", "--to", "50.9860,5.5230",
                       "--arrive-by", when, "--json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    first = journeys()
    assert first[0]["transfers"] == 1 and first[0]["departure"].startswith("2027-01-05T06:58")
    assert [leg["kind"] for leg in first[0]["legs"]] == ["walk", "ride", "walk", "ride", "walk"]
    human = werkmaat(env, "plan", "--from", "50.9650,5.4990", "--to", "50.9860,5.5230",
                     "--arrive-by", "2027-01-05T07:45")
    assert "bus 1 towards Oost from Genk, Station" in human.stdout

    # A bad feed under the same name: exit 2, a clear message, no traceback, old data intact.
    bad = write_feed(tmp_path / "bad.zip", broken(**{"stop_times.txt": SMALL["stop_times.txt"].replace(
        "08:05:00,08:05:00", "08:05:00,25:6x")}))
    failed = werkmaat(env, "import", str(bad), "--name", "cli-small")
    assert failed.returncode == 2
    assert "stop_times.txt line 7: departure_time '25:6x' is not a time HH:MM:SS" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert journeys() == first

    # A second feed beside it (other dates); re-importing the first leaves the second alone.
    other = dict(SMALL)
    other["calendar.txt"] = SMALL["calendar.txt"].replace("20270104,20270129", "20270201,20270226")
    other["calendar_dates.txt"] = "service_id,date,exception_type\r\n"
    assert werkmaat(env, "import", str(write_feed(tmp_path / "o.zip", other)), "--name", "cli-other").returncode == 0
    assert werkmaat(env, "import", str(feed), "--name", "cli-small").returncode == 0
    assert journeys("2027-02-02T07:45")[0]["transfers"] == 1
    assert journeys() == first

    outside = werkmaat(env, "plan", "--from", "50.9650,5.4990", "--to", "50.9860,5.5230",
                       "--arrive-by", "2031-01-05T07:45", "--json")
    assert outside.returncode == 2 and "2027-01-04" in outside.stderr and "Traceback" not in outside.stderr
    nozip = werkmaat(env, "import", str(tmp_path / "missing.zip"))
    assert nozip.returncode == 2 and "missing.zip" in nozip.stderr

    # list and delete: the other feed goes, the first stays and still plans.
    listed = werkmaat(env, "list").stdout
    assert "cli-other: 6 stops" in listed and "cli-small: 6 stops" in listed and "2027-02-01 to" in listed
    assert werkmaat(env, "delete", "cli-other").returncode == 0
    assert "cli-other" not in werkmaat(env, "list").stdout
    again = werkmaat(env, "delete", "cli-other")
    assert again.returncode == 2 and "no feed named 'cli-other'" in again.stderr
    assert journeys() == first


def test_frequency_based_trips_run_every_headway(tmp_path):
    """frequencies.txt: T3's stop times (P1 07:20 -> E 07:30) are a template run every 20 minutes
    from 06:05 until before 07:50; the template's own 07:20 is not a run."""
    files = dict(SMALL)
    files["frequencies.txt"] = "trip_id,start_time,end_time,headway_secs,exact_times\r\nT3,06:05:00,07:50:00,1200,1\r\n"
    data = read_feed(str(write_feed(tmp_path / "freq.zip", files)), "freq")
    assert data.meta["counts"]["trips"] == 5 + 5  # T3 became six runs
    net = Network([("v1", data)])
    near_p1 = (50.9653, 5.5236)

    def departure(hour, minute):
        journeys = plan(net, near_p1, NEAR_E, dt.datetime(2027, 1, 5, hour, minute, tzinfo=TZ))
        return [leg.departure.strftime("%H:%M") for leg in journeys[0].legs if leg.kind == "ride"][0]

    assert departure(7, 40) == "07:25"   # the 07:25 run arrives 07:35 (the template would say 07:20)
    assert departure(6, 20) == "06:05"   # runs before the template's time
    assert departure(8, 30) == "07:45"   # the last run starts before end_time
    bad = dict(files, **{"frequencies.txt": "trip_id,start_time,end_time,headway_secs\r\nT3,06:05:00,07:50:00,0\r\n"})
    with pytest.raises(FeedError, match=r"frequencies.txt line 2: headway_secs '0'"):
        read_feed(str(write_feed(tmp_path / "bad.zip", bad)), "bad")
    bad = dict(files, **{"frequencies.txt": "trip_id,start_time,end_time,headway_secs\r\nT9,06:05:00,07:50:00,600\r\n"})
    with pytest.raises(FeedError, match=r"frequencies.txt line 2: trip_id 'T9' is not in trips.txt"):
        read_feed(str(write_feed(tmp_path / "bad2.zip", bad)), "bad")
