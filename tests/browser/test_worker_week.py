"""The worker's week in real Chromium: today at phone size with a shift and a training, "Ik ben er",
an offline sick report that reaches the server exactly once and shows on the coach's home, and
axe on every new screen (today, week, sick, late, coach home with a report, plan)."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from zoneinfo import ZoneInfo

import pytest

from conftest import COACH_PASSWORD, create_person, token_of

pytestmark = pytest.mark.browser
BRUSSELS = ZoneInfo("Europe/Brussels")
SW_CONTROLS = "() => navigator.serviceWorker.controller !== null"


def new_worker(personas, first_name: str) -> tuple[str, str]:
    """A fresh worker of organisation A (their own browser session); returns (id, invite URL)."""
    created = create_person(personas["coach_a"], role="worker", firstName=first_name, lastName="Test",
                            phone="0486 55 66 77", workplaceId=personas.workplace_a)
    return created["person"]["id"], created["invite"]["url"]


def plan_today(personas, worker_id: str) -> tuple[dict, dict]:
    """A shift that is on now and a training later today (both always today, whatever the hour)."""
    coach = personas["coach_a"]
    now = dt.datetime.now(BRUSSELS)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = midnight + dt.timedelta(days=1)
    shift_start = max(midnight + dt.timedelta(minutes=1), now - dt.timedelta(minutes=30))
    training_start = now + (tomorrow - now) / 2
    shift = coach.post("/api/schedule/items", json={
        "title": "Werken in het atelier", "kind": "shift", "workerIds": [worker_id],
        "startsAt": shift_start.isoformat(), "endsAt": (now + dt.timedelta(hours=3)).isoformat(),
        "place": {"workplaceId": personas.workplace_a}, "contactName": "Jan Peeters", "contactPhone": "0470 11 22 33",
        "bring": ["safety_shoes", "work_clothes"], "note": "Meld je aan bij het onthaal."})
    assert shift.status_code == 201, shift.text
    training = coach.post("/api/schedule/items", json={
        "title": "Opleiding heftruck", "kind": "training", "workerIds": [worker_id],
        "startsAt": training_start.isoformat(), "endsAt": (training_start + dt.timedelta(minutes=50)).isoformat(),
        "place": {"address": "Stationsplein 1, 3600 Genk"}, "bring": ["id_card", "pen"]})
    assert training.status_code == 201, training.text
    return shift.json(), training.json()


def sign_in_coach(personas, page) -> None:
    email = f"week.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.get_by_role("heading", level=1).wait_for()


def test_today_at_phone_size_and_ik_ben_er(personas, new_context, assert_accessible):
    worker_id, invite = new_worker(personas, "Yusuf")
    shift, training = plan_today(personas, worker_id)
    page = new_context("phone").new_page()
    page.goto(invite)
    today = page.locator("#today")
    today.get_by_role("heading", name="Opleiding heftruck").wait_for()

    # Both items, the one that is on now first (in full, with the words of what to bring and a route
    # link), the later one as a short row whose details open with "Meer".
    titles = today.locator(".item-title").all_inner_texts()
    assert titles[:2] == ["Werken in het atelier", "Opleiding heftruck"], titles
    for word in ("Veiligheidsschoenen", "Werkkleren"):
        assert today.get_by_text(word, exact=True).is_visible(), word
    today.get_by_role("button", name=re.compile("^Meer.*Opleiding heftruck")).click()
    for word in ("Identiteitskaart", "Balpen"):
        assert today.get_by_text(word, exact=True).is_visible(), word
    route = today.get_by_role("link", name=re.compile("^Route")).first
    assert route.get_attribute("href").startswith("https://www.google.com/maps/dir/")
    assert today.get_by_role("link", name="Bel Jan Peeters").get_attribute("href") == "tel:0470112233"
    assert page.get_by_role("button", name=re.compile("Lees voor")).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "worker today")

    # "Ik ben er": one tap, the time is shown, and the coach sees the attendance.
    page.get_by_role("button", name=re.compile("^Ik ben er.*Werken in het atelier")).click()
    page.locator("#main").get_by_text(re.compile(r"Je bent ingecheckt om \d\d:\d\d")).wait_for()
    detail = personas["coach_a"].get(f"/api/schedule/items/{shift['id']}/attendance/{worker_id}").json()
    assert detail["status"] in ("present", "late") and detail["checkedInAt"], detail

    page.goto("/#/week")
    page.get_by_role("heading", name="Mijn week").wait_for()
    assert page.get_by_role("heading", name="Opleiding heftruck").is_visible()
    assert_accessible(page, "worker week")

    page.goto("/#/late")
    page.get_by_role("heading", name="Ik kom te laat").wait_for()
    assert_accessible(page, "late form")
    page.get_by_label("15 minuten").check()
    page.get_by_role("button", name="Verstuur").click()
    page.locator("#main").get_by_text(re.compile("Je coach weet dat je later komt")).wait_for()
    late = personas["coach_a"].get(f"/api/reports?personId={worker_id}").json()
    assert [(r["kind"], r["minutesLate"], r["itemId"]) for r in late] == [("late", 15, shift["id"])]


def test_offline_sick_report_is_sent_exactly_once_and_reaches_the_coach(personas, new_context, assert_accessible):
    worker_id, invite = new_worker(personas, "Mira")
    plan_today(personas, worker_id)
    coach_api = personas["coach_a"]
    context = new_context("phone")
    page = context.new_page()
    page.goto(invite)
    page.locator("#today").get_by_role("heading", name="Opleiding heftruck").wait_for()
    page.wait_for_function(SW_CONTROLS)

    context.set_offline(True)
    page.goto("/#/sick")
    page.get_by_role("heading", name="Ik ben ziek").wait_for()
    assert_accessible(page, "sick form")
    page.get_by_label(re.compile("Wil je iets zeggen")).fill("Koorts")
    page.get_by_role("button", name="Verstuur").click()
    page.locator("#main").get_by_text(re.compile("wordt verstuurd", re.I)).first.wait_for()
    assert coach_api.get(f"/api/reports?personId={worker_id}").json() == []

    # Opened again without a connection: the app itself, the last schedule, and the waiting report.
    page.goto("/")
    page.locator("#main").get_by_text("Je bent offline. Dit is wat je laatst zag.").wait_for()
    assert page.locator("#today").get_by_role("heading", name="Werken in het atelier").is_visible()
    assert page.locator("#main").get_by_text(re.compile("Ziekmelding")).first.is_visible()
    assert coach_api.get(f"/api/reports?personId={worker_id}").json() == []

    context.set_offline(False)
    page.get_by_role("heading", name="Nog te versturen").wait_for(state="hidden", timeout=30_000)
    reports = coach_api.get(f"/api/reports?personId={worker_id}").json()
    assert [(r["kind"], r["note"]) for r in reports] == [("sick", "Koorts")], reports
    # Another start and another "online" do not send it again.
    page.reload()
    page.locator("#today").wait_for()
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    time.sleep(0.5)
    assert len(coach_api.get(f"/api/reports?personId={worker_id}").json()) == 1

    laptop = new_context("laptop").new_page()
    sign_in_coach(personas, laptop)
    report = laptop.locator(f"[data-report='{reports[0]['id']}']")
    report.get_by_role("link", name="Mira Test").wait_for()
    assert report.get_by_text("Koorts").is_visible()
    assert_accessible(laptop, "coach home with a report")
    report.get_by_role("button", name=re.compile("^Gezien")).click()
    report.wait_for(state="detached")
    assert all(r["id"] != reports[0]["id"] for r in coach_api.get("/api/reports?unseen=true").json())

    laptop.goto(f"/#/plan/{worker_id}")
    laptop.get_by_role("heading", name="Iets plannen").wait_for()
    assert_accessible(laptop, "plan screen")
    laptop.get_by_label(re.compile("^Titel")).fill("Gesprek over de opleiding")
    laptop.get_by_label("Soort").select_option("coach_meeting")
    laptop.get_by_role("button", name="Plannen", exact=True).click()
    # When the meeting falls in Mira's shift of today (as at 10:00), the form warns first.
    done = laptop.locator("#main").get_by_text("Gesprek over de opleiding is gepland voor Mira Test.")
    anyway = laptop.get_by_role("button", name="Toch opslaan")
    done.or_(anyway).first.wait_for()
    if anyway.is_visible():
        anyway.click()
    done.wait_for()
    items = coach_api.get(f"/api/schedule/items?workerId={worker_id}").json()
    assert "Gesprek over de opleiding" in [i["title"] for i in items]


def test_coach_plans_a_training_for_a_group(personas, new_context, assert_accessible):
    from conftest import Client

    email = f"group.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Mehmet", lastName="Yilmaz", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    coach = Client(personas.server.url)
    assert coach.login(email, COACH_PASSWORD).status_code == 200
    members = [create_person(coach, role="worker", firstName=name, lastName="Groep")["person"]["id"]
               for name in ("Elif", "Tom")]
    group = coach.post("/api/groups", json={"name": "VCA maart", "memberIds": members}).json()
    page = new_context("laptop").new_page()
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))
    page.goto("/#/plan")
    page.get_by_role("heading", name="Iets plannen").wait_for()
    page.locator("select[name='workerIds']").select_option(f"group:{group['id']}")
    page.get_by_label(re.compile("^Titel")).fill("VCA-opleiding")
    page.get_by_label("Soort").select_option("training")
    assert_accessible(page, "plan screen with a group")
    page.get_by_role("button", name="Plannen", exact=True).click()
    page.locator("#main").get_by_text("VCA-opleiding is gepland voor VCA maart.").wait_for()
    for member in members:
        items = coach.get(f"/api/schedule/items?workerId={member}").json()
        assert [i["title"] for i in items] == ["VCA-opleiding"], member


def test_coach_makes_a_group_in_the_app(personas, new_context, assert_accessible):
    from conftest import Client

    email = f"groups.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="An", lastName="Coach", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    coach = Client(personas.server.url)
    coach.login(email, COACH_PASSWORD)
    ids = [create_person(coach, role="worker", firstName=name, lastName="Lid")["person"]["id"]
           for name in ("Nadia", "Ayoub")]
    page = new_context("phone").new_page()
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))
    page.goto("/#/groups")
    page.get_by_role("heading", name="Groepen", level=1).wait_for()
    page.get_by_label("Naam van de groep").fill("Heftruck april")
    page.get_by_label("Nadia Lid").check()
    page.get_by_label("Ayoub Lid").check()
    page.get_by_role("button", name="Groep maken").click()
    page.locator("#main").get_by_text("Groep Heftruck april is gemaakt.").wait_for()
    assert_accessible(page, "groups at phone size")
    groups = [g for g in coach.get("/api/groups").json() if g["name"] == "Heftruck april"]
    assert len(groups) == 1 and sorted(groups[0]["memberIds"]) == sorted(ids)
