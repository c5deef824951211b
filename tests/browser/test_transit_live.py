"""'Hoe geraak ik op het werk?' with live data, in Chromium at phone size (SQLite and PostgreSQL):
a server of its own at 08:27 fetches the loopback GTFS-Realtime server (bus L7 of 08:30 runs
6 minutes late; an alert about line 1). The card says the delay in words, the ride step gives the
live time with the timetable's, the operator's notice shows in the worker's language, and axe finds
nothing serious."""

from __future__ import annotations

import re

import pytest

import clock
from conftest import create_person, wait_until
from gtfsrt_server import ALERTS, TRIP_UPDATES, GtfsRealtimeServer, alert, delayed
from transit_feeds import live_feed, write_feed

pytestmark = pytest.mark.browser
NEAR_A = (50.9650, 5.4990)
NEAR_D = (50.9650, 5.5350)


@pytest.fixture
def rt_server():
    server = GtfsRealtimeServer().start()
    yield server
    server.stop()


def test_commute_card_shows_live_delay_and_operator_notice(server_at, rt_server, new_context, assert_accessible,
                                                           tmp_path):
    from conftest import build_personas

    day = clock.local_now().date()
    holder: dict = {}
    now = lambda: holder["server"].now() if "server" in holder else clock.at(day, 8, 27)  # noqa: E731
    rt_server.trip_updates(now, delayed("L7", day, "A", 360))
    rt_server.alerts(now, alert("omleiding", {"nl": ("Omleiding lijn 1", "Werken in de Markt."),
                                              "en": ("Line 1 diverted", "Road works at the Markt.")}, route_id="R1"))
    server = holder["server"] = server_at(
        clock.at(day, 8, 27), WERKMAAT_SCHEDULER="on", WERKMAAT_PLANNING_INTERVAL="3600",
        WERKMAAT_GTFS_RT_LIVE_TRIP_UPDATES=rt_server.url + TRIP_UPDATES,
        WERKMAAT_GTFS_RT_LIVE_ALERTS=rt_server.url + ALERTS, WERKMAAT_GTFS_RT_LIVE_INTERVAL="1")
    assert "imported" in server.werkmaat("transit", "import", str(write_feed(tmp_path / "live.zip", live_feed(day))),
                                         "--name", "live").stdout
    personas = build_personas(server)
    coach = personas["coach_a"]
    created = create_person(coach, role="worker", firstName="Lies", lastName="Live")
    worker_id = created["person"]["id"]
    assert coach.put(f"/api/mobility/people/{worker_id}/home", json={
        "address": "Stationsplein 2, Genk", "latitude": NEAR_A[0], "longitude": NEAR_A[1]}).status_code == 200
    starts = clock.at(day, 9, 10)
    assert coach.post("/api/schedule/items", json={
        "title": "Atelier Oost", "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": (starts.replace(hour=15)).isoformat(),
        "place": {"address": "Oost", "latitude": NEAR_D[0], "longitude": NEAR_D[1]}}).status_code == 201
    wait_until(lambda: "live LIVE:trip_updates: ok" in server.werkmaat("transit", "list").stdout, 30, "fetched")

    context = new_context("phone", server=server)
    page = context.new_page()
    page.goto(created["invite"]["url"])
    page.wait_for_url(re.compile("#/home"))
    page.goto("/#/commute")
    main = page.locator("#main")
    card = main.locator(".commute-item").filter(has_text="Atelier Oost")
    card.locator(".commute-live").get_by_text("Bus 1 heeft 6 min vertraging: vertrek om 08:36.").wait_for()
    assert card.get_by_text("Neem bus 1 richting Oost om 08:36 in Genk, Station. "
                            "(live: 6 min te laat, volgens de dienstregeling 08:30)").first.is_visible()
    notice = card.locator(".commute-notice")
    assert notice.get_by_text("Melding van het openbaar vervoer: Omleiding lijn 1").is_visible()
    assert notice.get_by_text("Werken in de Markt.").is_visible()
    assert card.get_by_text("Vertrek thuis om 08:34").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "commute with live data")
