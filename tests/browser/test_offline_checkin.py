"""Attendance in real Chromium: "Ik ben er" tapped without a connection counts from the tap, and sick
days show as "Ziek gemeld" on the worker's Today and Week (also while the report still waits to be sent).

Each test has a server of its own whose clock starts at a fixed Wednesday morning (`server_at`); the
page's clock follows it (Playwright's clock), and both are moved forward together.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clock import BRUSSELS
from conftest import build_personas, create_person

pytestmark = pytest.mark.browser
WEDNESDAY, THURSDAY, FRIDAY = dt.date(2026, 12, 2), dt.date(2026, 12, 3), dt.date(2026, 12, 4)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BRUSSELS)


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_worker(p, first_name: str) -> tuple[str, str]:
    created = create_person(p["coach_a"], role="worker", firstName=first_name, lastName="Test",
                            workplaceId=p.workplace_a)
    return created["person"]["id"], created["invite"]["url"]


def plan(p, worker_id: str, start: dt.datetime, end: dt.datetime, title: str) -> dict:
    response = p["coach_a"].post("/api/schedule/items", json={
        "title": title, "kind": "shift", "workerIds": [worker_id], "startsAt": start.isoformat(),
        "endsAt": end.isoformat(), "place": {"workplaceId": p.workplace_a}})
    assert response.status_code == 201, response.text
    return response.json()


def move_clocks(server, context, instant: dt.datetime) -> None:
    """The server's and the phone's clock to the same later moment."""
    server.set_clock(instant)
    context.clock.set_system_time(instant)


def test_a_check_in_tapped_offline_at_0758_is_on_time_when_it_arrives_at_0806(server_at, new_context,
                                                                            assert_accessible):
    server = server_at(at(WEDNESDAY, 7, 30))
    p = build_personas(server)
    worker_id, invite = new_worker(p, "Bilal")
    shift = plan(p, worker_id, at(WEDNESDAY, 8), at(WEDNESDAY, 16), "Inpakken in de kelder")
    context = new_context("phone", server=server)
    page = context.new_page()
    page.goto(invite)
    button = page.get_by_role("button", name=re.compile("^Ik ben er.*Inpakken in de kelder"))
    button.wait_for()

    # In the basement: no signal at 07:58.
    context.set_offline(True)
    # Half past the minute: the server reckons the tap from the phone's own interval (sent - tapped), so a
    # few milliseconds either way must not turn 07:58 into 07:57 on the screen.
    move_clocks(server, context, at(WEDNESDAY, 7, 58) + dt.timedelta(seconds=30))
    button.click()
    page.locator("#main").get_by_text("Ik ben er: wordt verstuurd.", exact=False).first.wait_for()
    assert_accessible(page, "check-in waiting")
    assert p["coach_a"].get(f"/api/schedule/items/{shift['id']}/attendance/{worker_id}").json()["status"] is None

    # Upstairs at 08:06 the signal comes back and the outbox sends it: on time, at 07:58.
    move_clocks(server, context, at(WEDNESDAY, 8, 6))
    context.set_offline(False)
    page.locator("#main").get_by_text("Je bent ingecheckt om 07:58: op tijd.").wait_for(timeout=30_000)
    detail = p["coach_a"].get(f"/api/schedule/items/{shift['id']}/attendance/{worker_id}").json()
    assert detail["status"] == "present", detail
    checked, received = parse(detail["checkedInAt"]), parse(detail["receivedAt"])
    assert checked.astimezone(BRUSSELS).strftime("%H:%M") == "07:58", detail
    assert received.astimezone(BRUSSELS).strftime("%H:%M") in ("08:06", "08:07"), detail
    assert len(detail["history"]) == 1, "sent once"
    # Drawn again (a new start), the check-in shows with its status and no second button.
    page.reload()
    page.locator("#today").get_by_text("Je bent ingecheckt om 07:58: op tijd.").wait_for()
    assert button.count() == 0


def test_sick_days_show_as_ziek_gemeld_on_today_and_week(server_at, new_context, assert_accessible):
    server = server_at(at(WEDNESDAY, 7, 0))
    p = build_personas(server)
    worker_id, invite = new_worker(p, "Sara")
    items = [plan(p, worker_id, at(day, 8), at(day, 16), f"Productie {name}")["id"]
             for day, name in ((WEDNESDAY, "woensdag"), (THURSDAY, "donderdag"), (FRIDAY, "vrijdag"))]
    context = new_context("phone", server=server)
    page = context.new_page()
    page.goto(invite)
    today = page.locator("#today")
    today.get_by_role("button", name=re.compile("^Ik ben er.*Productie woensdag")).wait_for()

    # Sick today, through the app.
    page.goto("/#/sick")
    page.get_by_role("heading", name="Ik ben ziek").wait_for()
    page.get_by_role("button", name="Verstuur").click()
    page.locator("#main").get_by_text("Je ziekmelding is verstuurd.", exact=False).wait_for()

    page.goto("/#/home")
    card = page.locator("#today article", has=page.get_by_role("heading", name="Productie woensdag"))
    card.get_by_text("Ziek gemeld", exact=True).wait_for()
    assert card.get_by_role("button", name=re.compile("^Ik ben er")).count() == 0, "no check-in on a sick day"
    assert card.get_by_text("Hierna").count() == 0 and card.get_by_text("Nu bezig").count() == 0
    assert_accessible(page, "today, reported sick")

    # Thursday reported offline: until it is sent the week already shows it, from the outbox.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.goto("/#/sick")
    page.get_by_label("Meer dagen").check()
    page.get_by_label("Eerste dag").fill(THURSDAY.isoformat())
    page.get_by_label("Laatste dag").fill(THURSDAY.isoformat())
    page.get_by_role("button", name="Verstuur").click()
    page.locator("#main").get_by_text(re.compile("wordt verstuurd", re.I)).first.wait_for()
    page.goto("/#/week")
    page.get_by_role("heading", name="Mijn week").wait_for()

    def week_card(title: str):
        return page.locator("article", has=page.get_by_role("heading", name=title))

    week_card("Productie donderdag").get_by_text("Ziek gemeld", exact=True).wait_for()
    assert week_card("Productie woensdag").get_by_text("Ziek gemeld", exact=True).is_visible()
    assert week_card("Productie vrijdag").get_by_text("Ziek gemeld", exact=True).count() == 0

    # Sent: the server says the same.
    context.set_offline(False)
    page.get_by_role("heading", name="Nog te versturen").wait_for(state="hidden", timeout=30_000)
    page.reload()
    page.get_by_role("heading", name="Mijn week").wait_for()
    week_card("Productie donderdag").get_by_text("Ziek gemeld", exact=True).wait_for()
    assert week_card("Productie vrijdag").get_by_text("Ziek gemeld", exact=True).count() == 0
    # The week is a compact list: the route is one tap away ("Meer").
    week_card("Productie vrijdag").get_by_role("button", name=re.compile("^Meer")).click()
    assert week_card("Productie vrijdag").get_by_role("link", name=re.compile("^Route")).is_visible()
    assert_accessible(page, "week with sick days")
    statuses = [p["coach_a"].get(f"/api/schedule/items/{item}/attendance/{worker_id}").json()["status"]
                for item in items]
    assert statuses == ["excused", "excused", None], "the coach sees the two sick days excused"


def test_a_home_answer_cut_off_mid_way_keeps_the_last_good_copy(server_at, new_context):
    """A success whose body does not arrive whole (the page reloading for a new version, a connection
    dropping mid-answer) counts as no connection: the Home shows its kept copy with the offline banner,
    the copy is not replaced by nothing, and the next start draws it again."""
    server = server_at(at(WEDNESDAY, 7, 30))
    p = build_personas(server)
    worker_id, invite = new_worker(p, "Ilse")
    plan(p, worker_id, at(WEDNESDAY, 8), at(WEDNESDAY, 16), "Stapelen in hal 2")
    context = new_context("phone", server=server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(invite)
    page.get_by_role("button", name=re.compile("^Ik ben er.*Stapelen in hal 2")).wait_for()

    context.route("**/api/me/today", lambda route: route.fulfill(
        status=200, content_type="application/json", body='{"now": "2026-12-02T06:31:00Z", "items": ['))
    page.reload()
    page.get_by_text("Stapelen in hal 2").first.wait_for()
    page.locator(".banner-title").first.wait_for()
    kept = page.evaluate("Object.keys(localStorage).filter((k) => k.endsWith('today'))"
                         ".map((k) => JSON.parse(localStorage.getItem(k)))")
    assert kept and all(c["data"] and c["data"]["items"] for c in kept), kept

    context.unroute("**/api/me/today")
    page.reload()
    page.get_by_role("button", name=re.compile("^Ik ben er.*Stapelen in hal 2")).wait_for()
    assert not errors, errors
