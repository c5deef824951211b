"""Live delays (GTFS-Realtime): decoded with gtfs-realtime-bindings, applied to the day's network.

Without a server: the decoder refuses broken answers; the overlay applies a delay (and carries it
to the later stops), a cancelled trip and a skipped stop to the router, and a planned ride's live
state is found again (`trip_state`); the settings refuse what an operator mistyped.

End to end (SQLite and PostgreSQL, a server of its own at 08:27 with its scheduler, the loopback
GTFS-Realtime server of `gtfsrt_server.py` and the loopback push service): the live delay shows on
the commute card ("Bus 1 heeft 6 min vertraging: vertrek om 08:36") and in another process (the
CLI) from the stored state; an alert about the line shows on the card; "Vertrek nu" arrives at the
push service, decrypted, in the worker's language; a cancelled bus brings the next option that
still arrives in time (English worker) or "bel je coach" (Dutch worker), and the coach is told;
each push once; a stale feed and a broken answer are shown by `werkmaat transit list` and applied
nowhere; the API-key header goes out with every fetch.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import uuid

import pytest

import clock
from backend.transit import planner, realtime
from backend.transit.gtfs import read_feed
from backend.transit.network import Network
from backend.transit.schemas import TripRef
from conftest import WERKMAAT, Client, build_personas, create_person, pg_fetch, token_of, wait_until
from gtfsrt_server import ALERTS, TRIP_UPDATES, GtfsRealtimeServer, alert, cancelled, delayed, message, skipped
from transit_feeds import live_feed, write_feed

BRUSSELS = clock.BRUSSELS
NEAR_A = (50.9650, 5.4990)  # a 70 m walk to stop A of line 1 ("Genk, Station")
NEAR_D = (50.9650, 5.5350)  # beside stop D, where line 1 ends
# Line 1 (route R1): trips L0, L1, ... leave A every 30 minutes from 05:00 (L6 08:00, L7 08:30,
# L8 09:00, L9 09:30) and reach D 15 minutes later.


def hm(instant) -> str:
    return (dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant).astimezone(BRUSSELS).strftime("%H:%M")


# --- without a server ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def network(tmp_path_factory):
    day = clock.local_now().date()
    feed = read_feed(str(write_feed(tmp_path_factory.mktemp("rt") / "live.zip", live_feed(day))), "live")
    planner._feeds["live"] = ("v1", feed)  # where realtime finds the feed's ids in a process
    net = Network([("v1", feed)])
    yield day, net
    planner._feeds.pop("live", None)


def overlay(net, day, *entities, header_at=None):
    header_at = header_at or clock.at(day, 7, 50)
    at, decoded = realtime.decode("trip_updates", message(header_at, list(entities)))
    return realtime._build(net, [("LIVE", at, decoded)], uuid.uuid4().hex)


def rides(net, day, hour, minute, live=None):
    net.live = live
    try:
        journeys = planner.plan_sync(net, NEAR_A, NEAR_D, clock.at(day, hour, minute))
    finally:
        net.live = None
    return [[leg for leg in j.legs if leg.kind == "ride"] for j in journeys]


@pytest.mark.parametrize("body, reason", [
    (b"<html><body>502 Bad Gateway</body></html>", "not a GTFS-Realtime FeedMessage"),
    (b"", "not a GTFS-Realtime FeedMessage (no header)"),
    (b"\x0a\x05\x0a\x032.0", "the header has no timestamp"),
    (message(dt.datetime(2026, 12, 2, 8, tzinfo=dt.timezone.utc), [delayed("L6", None, "A", 60)])[:-7],
     "not a GTFS-Realtime FeedMessage"),
])
def test_a_broken_answer_is_refused_with_the_reason(body, reason):
    with pytest.raises(realtime.RealtimeError) as info:
        realtime.decode("trip_updates", body)
    assert str(info.value).startswith(reason), str(info.value)


def test_a_delay_moves_the_trip_and_the_leg_says_so(network):
    day, net = network
    [[scheduled]] = rides(net, day, 8, 30)
    assert (scheduled.line, hm(scheduled.departure), scheduled.live, scheduled.trip.trip_id) == ("1", "08:00", False, "L6")
    live = overlay(net, day, delayed("L6", day, "A", 360))
    [[ride]] = rides(net, day, 8, 30, live)
    assert (hm(ride.departure), hm(ride.arrival), ride.delay_minutes, ride.live) == ("08:06", "08:21", 6, True)
    assert hm(ride.planned_departure) == "08:00" and hm(ride.planned_arrival) == "08:15"
    assert ride.trip == TripRef(feed="live", trip_id="L6", service_date=day, route_id="R1", from_stop_id="A",
                                to_stop_id="D")
    # So late that it no longer arrives by 08:20: the bus before.
    late = overlay(net, day, delayed("L6", day, "A", 600))
    [[earlier]] = rides(net, day, 8, 20, late)
    assert (hm(earlier.departure), earlier.trip.trip_id, earlier.live) == ("07:30", "L5", False)


def test_a_delay_holds_until_the_next_update_and_times_never_run_backwards(network):
    day, net = network
    entity = delayed("L6", day, "A", 300)
    second = entity.trip_update.stop_time_update.add()
    second.stop_id, second.arrival.delay = "C", -600  # caught up "10 minutes early": cannot be
    live = overlay(net, day, entity)
    e = live.entry(int(live.keys[0] >> 31), int(live.keys[0] & ((1 << 31) - 1)) * 60)
    o, n = int(live.off[e]), int(live.length[e])
    assert live.d_dep[o:o + n].tolist()[:2] == [300, 300]  # A, and B after it
    # At C the live arrival may not come before the departure from B (08:05 + 5 min = 08:10).
    assert live.d_arr[o + 2] == 0 and live.d_dep[o + 3] >= -600


def test_a_cancelled_trip_is_not_routed_and_its_state_says_so(network):
    day, net = network
    live = overlay(net, day, cancelled("L6", day))
    [[ride]] = rides(net, day, 8, 30, live)
    assert (hm(ride.departure), ride.trip.trip_id) == ("07:30", "L5")
    net.live = live
    try:
        state = realtime.trip_state(net, TripRef(feed="live", trip_id="L6", service_date=day, route_id="R1",
                                                 from_stop_id="A", to_stop_id="D"),
                                    clock.at(day, 8, 0), clock.at(day, 8, 15))
        assert state.cancelled
        other_day = realtime.trip_state(net, TripRef(feed="live", trip_id="L6", service_date=day + dt.timedelta(days=1),
                                                     route_id="R1", from_stop_id="A", to_stop_id="D"),
                                        clock.at(day + dt.timedelta(days=1), 8, 0),
                                        clock.at(day + dt.timedelta(days=1), 8, 15))
        assert not other_day.cancelled, "only the service day the update names"
    finally:
        net.live = None


def test_nobody_gets_off_at_a_skipped_stop(network):
    day, net = network
    live = overlay(net, day, skipped("L6", day, "D"))
    [[ride]] = rides(net, day, 8, 30, live)
    assert (hm(ride.departure), ride.trip.trip_id) == ("07:30", "L5")
    # Boarding at a skipped stop is not possible either: A skipped, nobody gets on at 08:00.
    live = overlay(net, day, skipped("L6", day, "A"))
    [[ride]] = rides(net, day, 8, 30, live)
    assert ride.trip.trip_id == "L5"


def test_an_update_without_a_service_date_means_the_trip_of_the_feeds_day(network):
    day, net = network
    live = overlay(net, day, delayed("L6", None, "A", 120), header_at=clock.at(day, 7, 40))
    [[ride]] = rides(net, day, 8, 30, live)
    assert ride.delay_minutes == 2 and ride.trip.service_date == day
    # An unknown trip changes nothing.
    assert not len(overlay(net, day, delayed("NOPE", day, "A", 120)).keys)


def test_a_planned_journey_is_gone_when_cancelled_late_or_its_change_is_missed(network):
    from backend.commute.live import gone

    day, net = network
    # Line 1 from A to C (08:00-08:10), a 5-minute change to P1, line 2 (Z6) 08:20 to Zwartberg 08:30.
    [journey] = [j for j in planner.plan_sync(net, NEAR_A, (50.9850, 5.5230), clock.at(day, 8, 31))
                 if [leg.line for leg in j.legs if leg.kind == "ride"] == ["1", "Zwartberg"]][:1]
    assert [hm(leg.departure) for leg in journey.legs if leg.kind == "ride"] == ["08:00", "08:20"]
    starts = clock.at(day, 8, 45)

    def problem(*entities, start=starts) -> str:
        net.live = overlay(net, day, *entities)
        try:
            return gone(net, journey, start, "nl")
        finally:
            net.live = None

    assert problem(delayed("L6", day, "A", 120)) == "", "two minutes late still makes the change"
    assert problem(delayed("L6", day, "A", 360)) == "Bus 1 van 08:00 is te laat voor je overstap."
    assert problem(cancelled("Z6", day)) == "Bus Zwartberg van 08:20 rijdt niet."
    assert problem(skipped("L6", day, "C")) == "Bus 1 van 08:00 stopt niet in Genk Zuid."
    assert problem(skipped("L6", day, "A")) == "Bus 1 van 08:00 stopt niet in Genk, Station."
    assert problem(delayed("Z6", day, "P1", 600, arrival=True), start=clock.at(day, 8, 35)) == \
        "Bus Zwartberg van 08:20 heeft 10 min vertraging."


def test_a_fetch_is_bounded_in_size_and_says_why_it_failed(monkeypatch, rt_server):
    import asyncio

    import aiohttp

    monkeypatch.setattr(realtime, "MAX_BYTES", 1000)
    rt_server.serve(TRIP_UPDATES, message(clock.now(), [delayed(f"T{n}", None, "A", n) for n in range(200)]))

    async def fetch(path: str) -> str:
        async with aiohttp.ClientSession() as session:
            try:
                await realtime._fetch(session, rt_server.url + path, {"X-Api-Key": "k"})
            except realtime.RealtimeError as exc:
                return str(exc)
            return "fetched"

    assert asyncio.run(fetch(TRIP_UPDATES)) == "answer larger than 1000 bytes"
    assert asyncio.run(fetch("/nothing-here")) == "HTTP 404"
    rt_server.serve(ALERTS, message(clock.now(), [alert("a", {"nl": ("Kop", "Tekst")}, stop_id="A")]))
    assert asyncio.run(fetch(ALERTS)) == "fetched"
    assert rt_server.requests_to(ALERTS)[-1].headers["x-api-key"] == "k"


def test_settings_refuse_what_an_operator_mistyped():
    from backend.settings import _realtime_feeds

    ok = _realtime_feeds({"WERKMAAT_GTFS_RT_DE_LIJN_TRIP_UPDATES": "https://rt.example/tu",
                          "WERKMAAT_GTFS_RT_DE_LIJN_HEADER": "Ocp-Apim-Subscription-Key: abc",
                          "WERKMAAT_GTFS_RT_DE_LIJN_INTERVAL": "20"})
    assert ok[0].feed == "DE_LIJN" and ok[0].header_name == "Ocp-Apim-Subscription-Key" and ok[0].interval == 20
    assert realtime.feed_key("de-lijn") == "DE_LIJN"
    for bad in ({"WERKMAAT_GTFS_RT_X_TRIP_UPDATES": "file:///etc/passwd"},
                {"WERKMAAT_GTFS_RT_X_HEADER": "no colon"},
                {"WERKMAAT_GTFS_RT_X_TRIP_UPDATES": "https://a/b", "WERKMAAT_GTFS_RT_X_INTERVAL": "0"},
                {"WERKMAAT_GTFS_RT_X_URL": "https://a/b"}):
        with pytest.raises(ValueError):
            _realtime_feeds(bad)


# --- end to end ---------------------------------------------------------------------------------

@pytest.fixture
def rt_server():
    server = GtfsRealtimeServer().start()
    yield server
    server.stop()


def db_rows(server, sql: str) -> list:
    if server.db == "sqlite":
        with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchall()
    return [tuple(r) for r in pg_fetch(server.database_url, sql)]


def new_worker(server, coach, name: str, language: str, push_service) -> tuple[str, Client, dict]:
    created = create_person(coach, role="worker", firstName=name, lastName="Live", phone="0486 11 22 33",
                            language=language)
    person_id = created["person"]["id"]
    assert coach.put(f"/api/mobility/people/{person_id}/home", json={
        "address": "Stationsplein 2, Genk", "latitude": NEAR_A[0], "longitude": NEAR_A[1]}).status_code == 200
    phone = Client(server.url, language=language)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    subscription = push_service.subscribe()
    assert phone.post("/api/push/subscriptions", json=subscription).status_code == 201
    return person_id, phone, subscription


def shift(coach, worker_id: str, starts: dt.datetime) -> str:
    response = coach.post("/api/schedule/items", json={
        "title": "Atelier Oost", "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=6)).isoformat(),
        "place": {"address": "Oost", "latitude": NEAR_D[0], "longitude": NEAR_D[1]}})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def card(phone: Client, item_id: str) -> dict:
    response = phone.get("/api/me/commute")
    assert response.status_code == 200, response.text
    return next(i for i in response.json()["items"] if i["itemId"] == item_id)


def pushes(push_service, subscription, start: str = "") -> list[dict]:
    return [r.message for r in push_service.messages_for(subscription["endpoint"])
            if r.message.get("title", "").startswith(start)]


def wait_push(push_service, subscription, start: str, timeout: float = 30) -> dict:
    return wait_until(lambda: (pushes(push_service, subscription, start) or [None])[0], timeout,
                      f"a push starting with {start!r}")


def transit_list(server) -> str:
    return server.werkmaat("transit", "list").stdout


@pytest.mark.slow
def test_live_delays_cancellations_and_pushes_end_to_end(server_at, tmp_path, rt_server, push_service):
    day = clock.local_now().date()
    server = None
    now = lambda: server.now() if server is not None else clock.at(day, 8, 27)  # noqa: E731
    # Before the server starts: bus L7 (08:30) runs 6 minutes late from A; an alert about line 1.
    rt_server.trip_updates(now, delayed("L7", day, "A", 360))
    rt_server.alerts(now, alert("omleiding", {"nl": ("Omleiding lijn 1", "Werken in de Markt."),
                                              "en": ("Line 1 diverted", "Road works at the Markt.")}, route_id="R1"))
    server = server_at(clock.at(day, 8, 27), WERKMAAT_SCHEDULER="on", WERKMAAT_PUSH_HOSTS=push_service.host,
                       WERKMAAT_DISPATCH_INTERVAL="0.3", WERKMAAT_PLANNING_INTERVAL="3600",
                       WERKMAAT_COMMUTE_WATCH_INTERVAL="1", WERKMAAT_LEAVE_NOTICE_MINUTES="8",
                       WERKMAAT_GTFS_RT_LIVE_TRIP_UPDATES=rt_server.url + TRIP_UPDATES,
                       WERKMAAT_GTFS_RT_LIVE_ALERTS=rt_server.url + ALERTS,
                       WERKMAAT_GTFS_RT_LIVE_HEADER="X-Api-Key: geheim-123", WERKMAAT_GTFS_RT_LIVE_INTERVAL="1")
    feed = write_feed(tmp_path / "live.zip", live_feed(day))
    assert "imported" in server.werkmaat("transit", "import", str(feed), "--name", "live").stdout
    # A second process runs the same jobs against the same database: each fetch and push still once.
    worker = subprocess.Popen([WERKMAAT, "worker"], env=server.command_env(), stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "worker.log", "w"))  # noqa: SIM115
    try:
        _story(server, worker, day, now, rt_server, push_service, tmp_path / "worker.log")
        # No job of the worker failed while it ran (what a job cut short by the stop below logs is not checked).
        log = (tmp_path / "worker.log").read_text()
        assert "Traceback" not in log, log[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def _story(server, worker, day, now, rt_server, push_service, worker_log):
    personas = build_personas(server)
    coach = personas["coach_a"]
    coach_sub = push_service.subscribe()
    assert coach.post("/api/push/subscriptions", json=coach_sub).status_code == 201

    # Every fetch carries the API-key header; the state is stored and listed.
    wait_until(lambda: "live LIVE:trip_updates: ok" in transit_list(server), 30, "trip updates fetched")
    assert all(r.headers.get("x-api-key") == "geheim-123" for r in rt_server.requests)
    assert "live LIVE:alerts: ok, 1 entities" in transit_list(server)

    # Another process (the CLI, no scheduler) plans with the stored live state too.
    import json as _json
    planned = _json.loads(server.werkmaat("transit", "plan", "--from", f"{NEAR_A[0]},{NEAR_A[1]}", "--to",
                                          f"{NEAR_D[0]},{NEAR_D[1]}", "--arrive-by", f"{day}T09:00", "--json").stdout)
    [first] = [leg for leg in planned[0]["legs"] if leg["kind"] == "ride"]
    assert (hm(first["departure"]), first["delayMinutes"], first["live"]) == ("08:36", 6, True)

    # Ahmed (nl) works at 09:10: bus L7, live at 08:36. Leave home 08:34, 8 minutes' notice: now.
    ahmed, ahmed_phone, ahmed_sub = new_worker(server, coach, "Ahmed", "nl", push_service)
    ahmed_item = shift(coach, ahmed, clock.at(day, 9, 10))
    item = card(ahmed_phone, ahmed_item)
    assert item["live"] == "Bus 1 heeft 6 min vertraging: vertrek om 08:36.", transit_list(server)
    assert [a["header"] for a in item["alerts"]] == ["Omleiding lijn 1"]
    leave = wait_push(push_service, ahmed_sub, "Vertrek nu")
    assert leave["title"] == "Vertrek nu: Bus 1 om 08:36"
    assert leave["body"] == ("Ga naar halte Genk, Station. Vertrek thuis om 08:34. "
                             "Bus 1 heeft 6 min vertraging: vertrek om 08:36.")

    # Grace (en) works at 09:30: bus L8 at 09:00 (on time, no live data).
    grace, grace_phone, grace_sub = new_worker(server, coach, "Grace", "en", push_service)
    grace_item = shift(coach, grace, clock.at(day, 9, 30))
    assert card(grace_phone, grace_item)["live"] == ""
    assert [a["header"] for a in card(grace_phone, grace_item)["alerts"]] == ["Line 1 diverted"]
    wait_until(lambda: db_rows(server, f"SELECT plan FROM commute_watch WHERE person = '{grace}'"), 30,
               "Grace's way watched")

    # L8 is cancelled: Grace gets the bus that still arrives (L7, late but in time), her coach is told.
    rt_server.trip_updates(now, delayed("L7", day, "A", 360), cancelled("L8", day))
    gone = wait_push(push_service, grace_sub, "Bus 1 of 09:00")
    assert gone["title"] == "Bus 1 of 09:00 does not run."
    assert gone["body"] == "Take bus 1: leave home at 08:34."
    told = wait_push(push_service, coach_sub, "Grace")
    assert told["title"] == "Grace: Bus 1 van 09:00 rijdt niet."
    assert told["body"] == "Grace neemt nu een andere bus. Grace vertrekt om 08:34 en is er om 08:51."
    # ... and, the time to leave being near, "Leave now" for that bus.
    assert wait_push(push_service, grace_sub, "Leave now")["title"] == "Leave now: Bus 1 at 08:36"
    assert card(grace_phone, grace_item)["disruption"] == "Bus 1 of 09:00 does not run."

    # L7 is cancelled too: nothing gets Ahmed there by 09:10 any more. "Bel je coach"; the coach knows.
    rt_server.trip_updates(now, cancelled("L7", day), cancelled("L8", day))
    gone = wait_push(push_service, ahmed_sub, "Bus 1 van 08:30")
    assert gone["title"] == "Bus 1 van 08:30 rijdt niet. Bel je coach."
    assert "Bel je coach" in gone["body"] and gone["body"].startswith("Je bent te laat")
    told = wait_push(push_service, coach_sub, "Ahmed komt te laat")
    assert told["body"].startswith("Bus 1 van 08:30 rijdt niet. Er is geen bus of trein meer op tijd voor Ahmed.")
    inbox = [e["title"] for e in coach.get("/api/inbox", params={"limit": 50}).json()]
    assert "Ahmed komt te laat" in inbox and "Grace: Bus 1 van 09:00 rijdt niet." in inbox
    item = card(ahmed_phone, ahmed_item)
    assert item["late"] and item["disruption"] == "Bus 1 van 08:30 rijdt niet."

    # A stale feed (header 10 minutes old, more than 3 x 1 s) is ignored: the cancellations no
    # longer count, and the list says why.
    rt_server.trip_updates(lambda: server.now() - dt.timedelta(minutes=10), cancelled("L7", day))
    wait_until(lambda: "live LIVE:trip_updates: stale" in transit_list(server), 30, "stale feed listed")
    assert "is 600 s old" in transit_list(server) or "s old" in transit_list(server)
    wait_until(lambda: card(ahmed_phone, ahmed_item)["disruption"] == "", 30, "the stale cancellation no longer applied")

    # A broken answer: logged, listed, nothing applied.
    rt_server.serve(TRIP_UPDATES, b"<html>502 Bad Gateway</html>", content_type="text/html")
    wait_until(lambda: "live LIVE:trip_updates: error" in transit_list(server), 30, "broken answer listed")
    assert "not a GTFS-Realtime FeedMessage" in transit_list(server)
    # Logged by whichever process fetched it.
    assert "GTFS-Realtime LIVE:trip_updates: not a GTFS-Realtime FeedMessage" in server.log() + worker_log.read_text()
    assert not card(ahmed_phone, ahmed_item)["live"]

    # A skipped stop: L7 passes Genk Oost without stopping, so nobody arrives there by it (the CLI,
    # another process, plans the 08:00 bus instead).
    rt_server.trip_updates(now, skipped("L7", day, "D"))
    wait_until(lambda: "live LIVE:trip_updates: ok" in transit_list(server), 30, "fresh trip updates again")
    planned = _json.loads(server.werkmaat("transit", "plan", "--from", f"{NEAR_A[0]},{NEAR_A[1]}", "--to",
                                          f"{NEAR_D[0]},{NEAR_D[1]}", "--arrive-by", f"{day}T09:00", "--json").stdout)
    [first] = [leg for leg in planned[0]["legs"] if leg["kind"] == "ride"]
    assert (hm(first["departure"]), first["trip"]["tripId"]) == ("08:00", "L6")

    # Each push once, whatever the number of looks since (one a second).
    assert len(pushes(push_service, ahmed_sub, "Vertrek nu")) == 1
    assert len(pushes(push_service, ahmed_sub, "Bus 1")) == 1
    assert len(pushes(push_service, grace_sub, "Leave now")) == 1
    assert len(pushes(push_service, grace_sub, "Bus 1")) == 1
    assert len(pushes(push_service, coach_sub, "Grace")) == 1 and len(pushes(push_service, coach_sub, "Ahmed")) == 1
    # The fetch rate is bounded by the interval (1 s), over all the server's looks.
    fetches = [r.at for r in rt_server.requests_to(TRIP_UPDATES)]
    # (Each fetch is claimed for a 1 s slot; the request itself may come a little later in its slot.)
    assert len(fetches) > 5 and len(fetches) - 1 <= (fetches[-1] - fetches[0]) / 1.0 + 1
    assert worker.poll() is None, "the worker ran all along"
