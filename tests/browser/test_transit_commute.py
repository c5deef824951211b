"""'Hoe geraak ik op het werk?' in Chromium at phone size: from the worker's home, the start point
from the phone's location, the steps with icons and words, leave-home time, offline from the last
answer, and axe."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from conftest import create_person
from transit_feeds import live_feed, write_feed

pytestmark = pytest.mark.browser
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_commute_steps_and_offline_copy(personas, live_server, new_context, assert_accessible, tmp_path):
    feed = write_feed(tmp_path / "live.zip", live_feed(dt.datetime.now(BRUSSELS).date()))
    assert "imported" in live_server.werkmaat("transit", "import", str(feed), "--name", "api-live").stdout
    created = create_person(personas["coach_a"], role="worker", firstName="Sam", lastName="Pendel",
                            workplaceId=personas.workplace_a)
    start = dt.datetime.combine(dt.datetime.now(BRUSSELS).date() + dt.timedelta(days=1), dt.time(9), tzinfo=BRUSSELS)
    shift = personas["coach_a"].post("/api/schedule/items", json={
        "title": "Atelier Oost", "kind": "shift", "workerIds": [created["person"]["id"]],
        "startsAt": start.isoformat(), "endsAt": (start + dt.timedelta(hours=7)).isoformat(),
        "place": {"address": "Oost", "latitude": 50.9650, "longitude": 5.5350}})
    assert shift.status_code == 201, shift.text

    context = new_context("phone", permissions=["geolocation"], geolocation={"latitude": 50.9650, "longitude": 5.4990})
    page = context.new_page()
    page.goto(created["invite"]["url"])
    page.wait_for_url(re.compile("#/home"))
    page.get_by_role("link", name="Hoe geraak ik op het werk?").click()
    main = page.locator("#main")
    main.get_by_text("We weten niet waar je woont").wait_for()
    main.get_by_role("button", name="Ik ben thuis: gebruik mijn plaats").click()

    main.get_by_text("Vertrek thuis om 08:").first.wait_for()
    card = main.locator(".commute-item").filter(has_text="Atelier Oost")
    assert card.get_by_text("Neem bus 1 richting Oost om 08:30 in Genk, Station.").first.is_visible()
    assert card.get_by_text("Stap af in Genk Oost om 08:45.").first.is_visible()
    assert card.get_by_text(re.compile(r"^Wandel \d+ min naar halte Genk, Station\.$")).first.is_visible()
    # The last walk names the place (an address here: the shift has no place name).
    assert card.get_by_text(re.compile(r"^Wandel \d+ min naar Oost\.$")).first.is_visible()
    assert card.locator(".commute-step svg").count() >= 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "commute")

    # Offline: the last answer is shown, with the banner.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.goto("/#/home")
    # The Home replaces the online commute screen (which has no banner) ...
    main.locator(".commute-item").first.wait_for(state="detached")
    page.goto("/#/commute")
    # ... and the offline commute screen replaces the Home (which has a banner of its own): one render
    # draws the commute items and the banner together.
    card.first.wait_for()
    assert main.get_by_text("Vertrek thuis om 08:").first.is_visible()
    assert main.locator(".banner").first.is_visible()
    context.set_offline(False)


def test_cancelled_ride_same_advice_on_open_today_and_late_on_open_commute(server_at, new_context, assert_accessible,
                                                                           tmp_path):
    """A 23:00 shift beside stop D, the worker lives by stop A (buses at :00 and :30, 15 minutes).
    Today stays open while the buddy cancels: within a minute, without navigating, its card gives
    the advice of the notice. The way-to-work screen left open past the bus it names redraws itself
    with "Je bent te laat" and what is still possible."""
    import clock
    from mobility_helpers import night_shift_with_a_ride

    s = night_shift_with_a_ride(server_at, tmp_path)
    server, day, buddy, ride_id, created_url = s["server"], s["day"], s["buddy"], s["ride_id"], s["invite_url"]

    context = new_context("phone", server=server)
    page = context.new_page()
    page.goto(created_url)
    page.wait_for_url(re.compile("#/home"))
    main = page.locator("#main")
    main.locator(".ride-card").get_by_text(re.compile("Dirk haalt je op om")).wait_for()
    page.evaluate("window.__sameScreen = true")

    # 22:15: the buddy cancels while Today is open on the phone.
    server.set_clock(clock.at(day, 22, 15))
    page.clock.set_system_time(clock.at(day, 22, 15))
    assert buddy.post(f"/api/rides/{ride_id}/cancel", json={"reason": "Auto in panne"}).status_code == 200
    page.clock.fast_forward(61_000)  # the minute's check
    card = main.locator(".ride-card")
    card.get_by_role("heading", name=re.compile("is geannuleerd")).wait_for()
    advice = card.locator(".ride-advice").inner_text().strip()
    assert advice == "Neem bus 1: vertrek thuis om 22:28."
    from conftest import Client
    phone_api = Client(server.url)
    phone_api.cookies = {c["name"]: c["value"] for c in context.cookies()}
    [notice] = [e for e in phone_api.get("/api/inbox").json() if e["title"].startswith("Je rit is geannuleerd")]
    assert notice["title"] == "Je rit is geannuleerd: neem lijn 1" and advice in notice["body"]
    assert page.evaluate("window.__sameScreen === true"), "the screen changed without a reload"
    assert "#/home" in page.url
    assert_accessible(page, "today with a cancelled ride")

    # The way-to-work screen, left open: the 22:28 departure passes; at 22:42 it says what still can.
    page.goto("/#/commute")
    card = main.locator(".commute-item").filter(has_text="Nachtploeg")
    card.get_by_text("Vertrek thuis om 22:28", exact=True).wait_for()
    assert card.locator(".ride-card .ride-advice").inner_text().strip() == advice
    server.set_clock(clock.at(day, 22, 42))
    page.clock.set_system_time(clock.at(day, 22, 42))
    page.clock.fast_forward(61_000)
    card.get_by_text(re.compile(r"^Je bent te laat: de volgende bus komt om 23:00 in Genk, Station \(lijn 1\)\.")).first.wait_for()
    assert card.get_by_text("vertrek thuis om 22:28").count() == 0
    assert card.get_by_role("heading", name="Wat nog kan").is_visible()
    assert card.get_by_text(re.compile(r"^Vertrek thuis om 22:5\d$")).is_visible()
    assert page.evaluate("window.__sameScreen === true")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "commute, late")
