"""True at every hour: what breaks naive code at 23:10, at 00:30 and on the nights the clocks change.

Each test starts a server of its own whose clock starts at the instant (see `server_at` in conftest),
on SQLite and on PostgreSQL, and plans its data from that instant, never from the machine's clock.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from clock import BRUSSELS
from conftest import build_personas
from mobility_helpers import MADE_OFFERS, new_buddy, new_worker, offer, proposal_for

# Wednesday evening; Thursday just after midnight; the night of the spring change (02:00 -> 03:00),
# 80 minutes before a shift that starts after it; the night of the autumn change (03:00 -> 02:00),
# 80 minutes before a shift in the hour that happens twice.
INSTANTS = {
    "23:10": dt.datetime(2026, 12, 2, 23, 10, tzinfo=BRUSSELS),
    "00:30": dt.datetime(2026, 12, 3, 0, 30, tzinfo=BRUSSELS),
    "march": dt.datetime(2027, 3, 28, 1, 30, tzinfo=BRUSSELS),
    "october": dt.datetime(2027, 10, 31, 1, 30, tzinfo=BRUSSELS),
}


@pytest.fixture(autouse=True)
def _forget_offers():
    """The offers made here live on servers of these tests alone, which are gone afterwards."""
    yield
    MADE_OFFERS.clear()


def local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(BRUSSELS)


def wall(instant: dt.datetime) -> str:
    return local(instant).strftime("%H:%M")


def plan(coach, worker_id: str, workplace: str, starts: dt.datetime, ends: dt.datetime, title: str) -> dict:
    response = coach.post("/api/schedule/items", json={
        "title": title, "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": ends.isoformat(), "place": {"workplaceId": workplace}})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_server_keeps_the_test_clock_not_the_machines(server_at):
    instant = INSTANTS["23:10"]
    server = server_at(instant)
    said = parsedate_to_datetime(httpx.get(server.url + "/health").headers["date"])
    assert abs((said - server.now()).total_seconds()) < 3, (said, server.now())
    assert abs((server.now() - instant).total_seconds()) < 60
    # Moving it forward is seen at once.
    server.set_clock(instant + dt.timedelta(hours=2))
    time.sleep(1.2)  # uvicorn renews its Date header once a second
    said = parsedate_to_datetime(httpx.get(server.url + "/health").headers["date"])
    assert abs((said - (instant + dt.timedelta(hours=2))).total_seconds()) < 3


@pytest.mark.parametrize("name", list(INSTANTS))
def test_a_ride_to_a_shift_80_minutes_ahead(server_at, name):
    """The case that failed between 22:40 and 23:25: a shift 80 minutes ahead, a buddy leaving 45
    minutes before it. At 23:10 the shift is tomorrow and the car leaves today; on the nights the clocks
    change the wall-clock difference is not the real one."""
    instant = INSTANTS[name]
    server = server_at(instant)
    personas = build_personas(server)
    starts = (instant + dt.timedelta(minutes=80)).astimezone(dt.timezone.utc)
    leaves = starts - dt.timedelta(minutes=45)
    buddy_id, buddy = new_buddy(personas, "Karel")
    offer(personas, buddy, leaveTime=wall(leaves))
    worker_id, worker = new_worker(personas, "Omar")
    item = plan(personas["coach_a"], worker_id, personas.workplace_a, starts, starts + dt.timedelta(hours=8), "Inpak")
    assert item["localDate"] == local(starts).date().isoformat()
    assert worker.post("/api/ride-requests", json={"itemId": item["id"]}).status_code == 201
    proposal = proposal_for(buddy, "Omar")
    assert dt.datetime.fromisoformat(proposal["leaveAt"]) == leaves
    accepted = buddy.post(f"/api/rides/{proposal['rideId']}/accept")
    assert accepted.status_code == 200, accepted.text
    # The buddy may mark it done from the day the car leaves (today, even when the shift is tomorrow).
    done = buddy.post(f"/api/rides/{proposal['rideId']}/done")
    assert done.status_code == 200 and done.json()["status"] == "done", done.text
    [mine] = worker.get("/api/me/rides").json()
    assert dt.datetime.fromisoformat(mine["pickupAt"]) > dt.datetime.fromisoformat(mine["leaveAt"]) == leaves

    # The worker's week starts today (local) and holds the shift on its local day, at its wall-clock time.
    week = worker.get("/api/schedule/mine").json()
    [shown] = [i for i in week if i["id"] == item["id"]]
    assert shown["localDate"] == local(starts).date().isoformat()
    assert dt.datetime.fromisoformat(shown["startsAt"]) == starts


def test_a_night_shift_across_midnight_is_on_now_at_00_30(server_at):
    instant = INSTANTS["00:30"]
    server = server_at(instant)
    personas = build_personas(server)
    worker_id, worker = new_worker(personas, "Nadia")
    evening = dt.datetime(2026, 12, 2, 22, 0, tzinfo=BRUSSELS)
    night = plan(personas["coach_a"], worker_id, personas.workplace_a, evening, evening + dt.timedelta(hours=8),
                 "Nachtploeg")
    assert night["localDate"] == "2026-12-02"
    # Today (Thursday) is asked for: the shift that started yesterday at 22:00 and ends at 06:00 is in it.
    today = worker.get("/api/schedule/mine").json()
    assert night["id"] in [i["id"] for i in today]
    yesterday_only = worker.get("/api/schedule/mine", params={"from": "2026-12-01", "to": "2026-12-01"}).json()
    assert night["id"] not in [i["id"] for i in yesterday_only]
    # The worker can still check in on it (late), which counts for that shift.
    checked = worker.post(f"/api/schedule/items/{night['id']}/check-in")
    assert checked.status_code == 201, checked.text
    assert checked.json()["status"] == "late"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["23:10", "00:30"])
def test_worker_home_says_what_is_on_now_and_next(server_at, new_context, name):
    """In the browser (its clock at the same instant): at 00:30 the night shift is "Nu bezig" on
    Today; at 23:10 tomorrow's 08:00 shift is what comes next, under "Morgen" in the week."""
    from conftest import create_person

    instant = INSTANTS[name]
    server = server_at(instant)
    personas = build_personas(server)
    created = create_person(personas["coach_a"], role="worker", firstName="Lina", lastName="Nacht",
                            workplaceId=personas.workplace_a)
    worker_id = created["person"]["id"]
    today = local(instant).date()
    if name == "00:30":
        start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(22), tzinfo=BRUSSELS)
        plan(personas["coach_a"], worker_id, personas.workplace_a, start, start + dt.timedelta(hours=8), "Nachtploeg")
    morning = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(8), tzinfo=BRUSSELS)
    plan(personas["coach_a"], worker_id, personas.workplace_a, morning, morning + dt.timedelta(hours=8), "Dagploeg")

    page = new_context("phone", server=server).new_page()
    page.goto(created["invite"]["url"])
    block = page.locator("#today")
    block.locator(".item-title").first.wait_for()
    if name == "00:30":
        first = block.locator(".item").first
        assert first.locator(".item-title").inner_text() == "Nachtploeg"
        assert first.locator(".item-tag").inner_text() == "Nu bezig"
        assert block.get_by_text("Vandaag heb je niets gepland.").count() == 0
    else:
        # Nothing is left today: the next item, tomorrow's, is on top, with its day.
        nxt = block.locator(".item-next")
        assert block.locator(".item").first.get_attribute("data-item") == nxt.get_attribute("data-item")
        assert nxt.locator(".item-title").inner_text() == "Dagploeg"
        assert nxt.locator(".item-tag").inner_text() == "Hierna"
        assert "Morgen" in nxt.locator(".item-when").inner_text()
    page.goto("/#/week")
    page.get_by_role("heading", name="Mijn week").wait_for()
    days = page.locator("section.day")
    assert days.nth(0).locator("h2").inner_text() == "Vandaag"
    assert days.nth(1).locator("h2").inner_text() == "Morgen"
    assert "Dagploeg" in days.nth(1).inner_text()
    if name == "00:30":
        assert "Nachtploeg" in days.nth(0).inner_text()
    assert re.search(r"08:00", days.nth(1).inner_text())
