"""What a ride asks of the worker, on "Hoe geraak ik op het werk?" in Chromium at 360x640 (SQLite and
PostgreSQL): a generated feed where the bus only picks up at the home stop if you phone first
(pickup_type 2), goes on as another line on the same block (stay seated, no "get off"), and only sets
down at work if you ask the driver (drop_off_type 3); and a line that runs every 20 minutes
(frequencies.txt exact_times=0) that picks up if you raise your hand (3) and sets down if you phone
(2). Each note shows as an icon with words, in Dutch and in English, and axe finds nothing serious."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest

from conftest import create_person
from transit_feeds import write_feed

pytestmark = pytest.mark.browser
BRUSSELS = ZoneInfo("Europe/Brussels")
# Stops 2.2 km apart near Vielsalm, far from the other tests' feeds: no walk replaces a ride.
STOPS = {"A": (50.3000, 5.9000), "B": (50.3000, 5.9320), "C": (50.3000, 5.9640), "G": (50.3200, 5.9000)}
HOME = (50.3005, 5.9000)     # 55 m from stop A


def near(stop: str) -> tuple[float, float]:
    return (STOPS[stop][0] + 0.0005, STOPS[stop][1])


def rules_feed(first: dt.date, last: dt.date, tag: str) -> dict[str, str]:
    """R1 then R2 on block K1 (A 07:00 -> B 07:10, on at 07:10:30 -> C 07:20): phone to get on at A, ask
    the driver to get off at C. R5 every 20 minutes from 06:00 to 09:00, 10 minutes from A to G:
    raise your hand at A, phone to get off at G."""
    stop = lambda s: f"{tag}{s}"  # noqa: E731 - ids of this test's feed only
    return {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nTEC,TEC,https://x.invalid,Europe/Brussels\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
            f"{stop(s)},Halte {s},{lat},{lon}\n" for s, (lat, lon) in STOPS.items()),
        "routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,TEC,61,3\nR2,TEC,62,3\nR5,TEC,95,3\n",
        "trips.txt": "route_id,service_id,trip_id,block_id,trip_headsign\n"
                     "R1,ALL,T1,K1,Halte B\nR2,ALL,T2,K1,Halte C\nR5,ALL,F1,,Halte G\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n"
                          f"T1,07:00:00,07:00:00,{stop('A')},1,2,\n"
                          f"T1,07:10:00,07:10:00,{stop('B')},2,,\n"
                          f"T2,07:10:30,07:10:30,{stop('B')},1,,\n"
                          f"T2,07:20:00,07:20:00,{stop('C')},2,,3\n"
                          f"F1,06:00:00,06:00:00,{stop('A')},1,3,\n"
                          f"F1,06:10:00,06:10:00,{stop('G')},2,,2\n",
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\nF1,06:00:00,09:00:00,1200,0\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        f"ALL,1,1,1,1,1,1,1,{first:%Y%m%d},{last:%Y%m%d}\n",
    }


def test_ride_notes_on_the_way_to_work(personas, live_server, new_context, assert_accessible, tmp_path):
    today = live_server.now().astimezone(BRUSSELS).date()
    tag = uuid.uuid4().hex[:6]
    feed = write_feed(tmp_path / "rules.zip", rules_feed(today - dt.timedelta(days=2), today + dt.timedelta(days=30), tag))
    assert "imported" in live_server.werkmaat("transit", "import", str(feed), "--name", f"rules-{tag}").stdout

    coach = personas["coach_a"]
    created = create_person(coach, role="worker", firstName="Rita", lastName="Regel")
    worker_id = created["person"]["id"]
    assert coach.put(f"/api/mobility/people/{worker_id}/home", json={
        "address": "Rue du Vieux Marché 1, Vielsalm", "latitude": HOME[0], "longitude": HOME[1]}).status_code == 200
    tomorrow = today + dt.timedelta(days=1)
    for title, at, stop in (("Atelier Blok", dt.time(7, 40), "C"), ("Atelier Ritme", dt.time(9, 0), "G")):
        starts = dt.datetime.combine(tomorrow, at, tzinfo=BRUSSELS)
        made = coach.post("/api/schedule/items", json={
            "title": title, "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
            "endsAt": (starts + dt.timedelta(hours=6)).isoformat(),
            "place": {"address": title, "latitude": near(stop)[0], "longitude": near(stop)[1]}})
        assert made.status_code == 201, made.text

    context = new_context("phone")
    page = context.new_page()
    page.goto(created["invite"]["url"])
    page.wait_for_url(re.compile("#/home"))
    page.goto("/#/commute")
    main = page.locator("#main")

    # Phone first at A, stay seated at B (no "get off", no second "take"), ask the driver at C.
    blok = main.locator(".commute-item").filter(has_text="Atelier Blok")
    blok.get_by_text("Vertrek thuis om 06:5", exact=False).first.wait_for()
    steps = [s.strip() for s in blok.locator(".commute-step").all_inner_texts()]
    assert steps[1:] == [
        "Bel eerst het vervoerbedrijf. De bus stopt in Halte A alleen als je belt.",
        "Neem bus 61 richting Halte B om 07:00 in Halte A.",
        "Blijf zitten: de bus rijdt verder als lijn 62.",
        "Zeg aan de chauffeur dat je in Halte C wil uitstappen.",
        "Stap af in Halte C om 07:20.",
        steps[-1],
    ], steps
    assert re.fullmatch(r"Wandel \d+ min naar halte Halte A\.", steps[0]) and steps[-1].startswith("Wandel ")
    assert blok.get_by_text("Stap af in Halte B").count() == 0
    notes = blok.locator(".commute-note")
    assert [n.get_attribute("data-note") for n in notes.all()] == ["pickup-phone_agency", "staySeated",
                                                                   "dropOff-ask_driver"]
    assert notes.locator("svg.icon").count() == 3
    assert blok.get_by_text("0 keer overstappen").is_visible()

    # Every 20 minutes: be at the stop by HH:MM, no departure time, get off at the latest 30 min later.
    ritme = main.locator(".commute-item").filter(has_text="Atelier Ritme")
    headway = ritme.locator('.commute-note[data-note="headway"]')
    assert re.fullmatch(r"Er komt om de 20 minuten een bus\. Wees aan de halte om 08:[0-5]\d\.",
                        headway.inner_text().strip()), headway.inner_text()
    be_at = headway.inner_text().strip()[-6:-1]
    steps = [s.strip() for s in ritme.locator(".commute-step").all_inner_texts()]
    latest = (dt.datetime.combine(tomorrow, dt.time.fromisoformat(be_at)) + dt.timedelta(minutes=30)).strftime("%H:%M")
    assert steps[2:6] == [
        "Steek je hand op in Halte A. De bus stopt daar alleen als je het vraagt.",
        "Neem bus 95 richting Halte G in Halte A.",
        "Bel eerst het vervoerbedrijf om in Halte G uit te stappen.",
        f"Stap af in Halte G. Je bent er ten laatste om {latest}.",
    ], steps
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for target in main.locator(".commute-note").all():
        assert target.bounding_box()["width"] <= 360
    assert_accessible(page, "commute with ride notes")
    page.screenshot(path=str(tmp_path / "leg-notes-360x640.png"), full_page=True)

    # In English.
    page.goto("/#/settings")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Settings", level=1).wait_for()
    page.goto("/#/commute")
    blok = main.locator(".commute-item").filter(has_text="Atelier Blok")
    blok.get_by_text("Stay seated: the bus goes on as line 62.", exact=True).wait_for()
    assert blok.get_by_text("Phone the transport company first. The bus only stops at Halte A if you call.",
                            exact=True).is_visible()
    assert blok.get_by_text("Tell the driver you want to get off at Halte C.", exact=True).is_visible()
    ritme = main.locator(".commute-item").filter(has_text="Atelier Ritme")
    assert ritme.get_by_text(f"A bus comes every 20 min. Be at the stop by {be_at}.", exact=True).is_visible()
    assert ritme.get_by_text("Raise your hand at Halte A. The bus only stops there if you ask.", exact=True).is_visible()
    assert ritme.get_by_text("Phone the transport company first to get off at Halte G.", exact=True).is_visible()
    assert_accessible(page, "commute with ride notes, English")
