"""Quick replies and "Ik heb hulp nodig" in real Chromium at 360x640 (issue 15, part 4).

A worker who reads English taps "I am coming" on a message without a connection; back online the
outbox sends it once, and the coach's reminder screen shows "Ik kom", in Dutch. On Home, "Ik heb hulp
nodig" sits under the day (the main action stays in the first screen), asks what kind with
pictograms, and tells the coach once however often it is tapped. Each test has a server of its own.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from clock import BRUSSELS
from conftest import COACH_PASSWORD, Client, build_personas, create_person, wait_until

pytestmark = pytest.mark.browser
WEDNESDAY = dt.date(2026, 12, 2)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(WEDNESDAY, dt.time(hour, minute), tzinfo=BRUSSELS)


def coach_of_their_own(p) -> tuple[str, str, Client]:
    email = f"replies.{uuid.uuid4().hex[:8]}@test.werkmaat.be"
    person = create_person(p["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                           password=COACH_PASSWORD, organisationId=p.org_a)["person"]
    coach = Client(p.server.url)
    assert coach.login(email, COACH_PASSWORD).status_code == 200
    return person["id"], email, coach


def sign_in(page, email: str) -> None:
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))


def test_i_am_coming_tapped_offline_is_sent_once_and_the_coach_reads_ik_kom(server_at, new_context,
                                                                            assert_accessible):
    server = server_at(at(9))
    p = build_personas(server)
    _, email, coach = coach_of_their_own(p)
    created = create_person(coach, role="worker", firstName="Olena", lastName="Test", language="en",
                            workplaceId=p.workplace_a)
    worker_id = created["person"]["id"]
    title = "Kom je morgen om 8 uur naar het atelier?"
    made = coach.post("/api/reminders", json={"title": title, "workerIds": [worker_id]})
    assert made.status_code == 201, made.text
    reminder_id = made.json()["id"]

    context = new_context("phone", server=server)
    page = context.new_page()
    replies = []
    page.on("response", lambda r: replies.append(r.status) if r.url.endswith("/reply") else None)
    page.goto(created["invite"]["url"])
    page.wait_for_url(re.compile(r"#/home$"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto("/#/inbox")
    page.get_by_role("button", name=title).click()
    coming = page.get_by_role("button", name="I am coming")
    coming.wait_for()
    box = coming.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48, box
    for word in ("OK", "I am not coming", "I do not understand", "Call me"):
        assert page.get_by_role("button", name=word, exact=True).count() == 1, word

    # Out of range: the reply waits on the phone.
    context.set_offline(True)
    coming.click()
    page.locator("#main").get_by_text("It is sent as soon as you have a connection.").wait_for()
    assert coming.get_attribute("aria-pressed") == "true"
    assert_accessible(page, "reply waiting")
    state = next(r for r in coach.get(f"/api/reminders/{reminder_id}").json()["recipients"])
    assert state["reply"] is None

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.locator("#main").get_by_text("Your coach sees it.").wait_for(timeout=30_000)
    state = next(r for r in coach.get(f"/api/reminders/{reminder_id}").json()["recipients"])
    assert (state["reply"], state["replyText"]) == ("coming", "Ik kom")
    assert replies.count(200) == 1, replies

    # The coach's screen, in Dutch: "Antwoord: Ik kom" on the reminder, and on the caseload.
    laptop = new_context("laptop", server=server)
    desk = laptop.new_page()
    sign_in(desk, email)
    desk.goto("/#/reminders")
    card = desk.locator("li.reminder", has=desk.get_by_role("heading", name=title))
    card.get_by_text("Antwoord: Ik kom", exact=True).wait_for()
    assert_accessible(desk, "coach reminders with a reply")
    desk.goto("/#/caseload")
    desk.locator("main").get_by_text(re.compile("^Laatste antwoord: Ik kom")).first.wait_for()

    # After a reload (a new start) the phone still shows the reply chosen.
    page.reload()
    page.get_by_role("button", name=title).click()
    wait_until(lambda: page.get_by_role("button", name="I am coming").get_attribute("aria-pressed") == "true")
    assert replies.count(200) == 1, "sent once"


def test_ik_heb_hulp_nodig_tells_the_coach_once(server_at, new_context, assert_accessible):
    server = server_at(at(7, 30))
    p = build_personas(server)
    _, _, coach = coach_of_their_own(p)
    created = create_person(coach, role="worker", firstName="Bilal", lastName="Test", workplaceId=p.workplace_a)
    item = coach.post("/api/schedule/items", json={
        "title": "Inpakken", "kind": "shift", "workerIds": [created["person"]["id"]],
        "startsAt": at(8).isoformat(), "endsAt": at(16).isoformat(), "place": {"workplaceId": p.workplace_a}})
    assert item.status_code == 201, item.text

    context = new_context("phone", server=server)
    page = context.new_page()
    page.goto(created["invite"]["url"])
    main_action = page.get_by_role("button", name=re.compile("^Ik ben er.*Inpakken"))
    main_action.wait_for()
    help_button = page.get_by_role("button", name="Ik heb hulp nodig")
    help_button.wait_for()
    action_box, help_box = main_action.bounding_box(), help_button.bounding_box()
    assert action_box["y"] + action_box["height"] <= 640, "the main action stays in the first screen"
    assert help_box["y"] > action_box["y"], "help comes under the main action"
    assert help_box["height"] >= 48

    help_button.click()
    page.get_by_role("heading", name="Waarmee heb je hulp nodig?").wait_for()
    for word in ("Werk", "Vervoer", "Gezondheid", "Iets anders"):
        kind = page.get_by_role("button", name=word, exact=True)
        assert kind.count() == 1 and kind.locator("svg").count() == 1, word
    assert_accessible(page, "help kinds")
    ride = page.get_by_role("button", name="Vervoer", exact=True)
    ride.click()
    page.locator("#main").get_by_text("Je coach weet het. Je coach neemt snel contact op.").wait_for()
    for _ in range(4):
        ride.click()
    page.locator("#main").get_by_text("Je vraag is al verstuurd.", exact=False).wait_for()

    titles = wait_until(lambda: [e["title"] for e in coach.get("/api/inbox").json() if "hulp" in e["title"]])
    assert titles == ["Bilal vraagt hulp: vervoer"]
    assert_accessible(page, "help sent")

    # Offline: the question waits and goes out once the connection is back.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.get_by_role("button", name="Gezondheid", exact=True).click()
    page.locator("#main").get_by_text("Je vraag wordt verstuurd zodra je verbinding hebt.").wait_for()
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_until(lambda: "Bilal vraagt hulp: gezondheid" in [e["title"] for e in coach.get("/api/inbox").json()],
               timeout=30)
    titles = sorted(e["title"] for e in coach.get("/api/inbox").json() if "hulp" in e["title"])
    assert titles == ["Bilal vraagt hulp: gezondheid", "Bilal vraagt hulp: vervoer"]
