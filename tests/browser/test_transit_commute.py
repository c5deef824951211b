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
    page.goto("/#/commute")
    main.locator(".banner").wait_for()
    assert main.get_by_text("Vertrek thuis om 08:").first.is_visible()
    context.set_offline(False)
