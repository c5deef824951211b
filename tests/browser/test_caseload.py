"""A coach walks through the caseload to a flagged worker, adds a note and updates a milestone, at
laptop (1280x800) and phone (360x640) size, with axe on every screen; the worker sees the step."""

from __future__ import annotations

import re
import uuid

import pytest

from conftest import COACH_PASSWORD, Client, create_person, token_of

pytestmark = pytest.mark.browser


def coach_with_flagged_worker(personas) -> tuple[str, str, str, Client]:
    """A new coach of organisation A, their worker with three unread reminders (a flag), and the
    LDE trajectory applied. Returns (coach e-mail, worker id, worker name, worker's phone)."""
    email = f"caseload.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    coach = Client(personas.server.url)
    assert coach.login(email, COACH_PASSWORD).status_code == 200
    last = f"Signaal{uuid.uuid4().hex[:4]}"
    created = create_person(coach, role="worker", firstName="Yusuf", lastName=last)
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    worker_id = created["person"]["id"]
    create_person(coach, role="worker", firstName="Anna", lastName=f"Rustig{uuid.uuid4().hex[:4]}")
    for n in range(3):
        assert coach.post("/api/reminders", json={"title": f"Herinnering {n}", "workerIds": [worker_id]}).status_code == 201
    assert coach.post(f"/api/coaching/workers/{worker_id}/notes", json={"body": "Start"}).status_code == 201
    lde = next(t for t in coach.get("/api/coaching/templates").json() if t["programme"] == "lde")
    assert coach.post(f"/api/coaching/workers/{worker_id}/milestones", json={"templateId": lde["id"]}).status_code == 200
    return email, worker_id, f"Yusuf {last}", phone


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_coach_walks_caseload_flagged_worker_note_milestone(personas, new_context, assert_accessible, size):
    email, worker_id, name, phone = coach_with_flagged_worker(personas)
    page = new_context(size).new_page()
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))

    main = page.locator("#main")
    main.get_by_role("link", name="Mijn caseload").click()
    page.get_by_role("heading", name="Mijn caseload", level=1).wait_for()
    table = main.get_by_role("table", name=re.compile("Je werknemers"))
    assert table.get_by_role("link", name=re.compile("^Anna ")).is_visible()
    assert_accessible(page, f"caseload {size}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    main.get_by_role("button", name=re.compile("Met signaal")).click()
    assert table.get_by_role("link", name=re.compile("^Anna ")).count() == 0
    assert table.get_by_text("3 herinneringen niet gelezen.").is_visible()
    main.get_by_label("Zoek op naam").fill("yusuf")
    table.get_by_role("link", name=name).click()
    page.get_by_role("heading", name=name, level=1).wait_for()
    assert main.get_by_text("3 herinneringen niet gelezen.", exact=True).is_visible()
    assert_accessible(page, f"worker file {size}")

    # A note.
    main.get_by_label("Notitie", exact=True).first.fill("Gebeld: telefoon was kapot, nu opgelost.")
    main.get_by_role("button", name="Notitie toevoegen").click()
    main.locator(".note-body", has_text="Gebeld: telefoon was kapot, nu opgelost.").wait_for()

    # The first milestone reached.
    main.get_by_text("Intake aanpassen").click()
    milestone = main.locator("details[open]").filter(has_text="Intake aanpassen")
    milestone.get_by_label("Stand").select_option("reached")
    milestone.get_by_label(re.compile("Bewijs")).fill("Intakeverslag")
    milestone.get_by_role("button", name="Opslaan").click()
    main.get_by_text(re.compile(r"^Bereikt op \d{4}-\d\d-\d\d\.$")).wait_for()
    assert_accessible(page, f"worker file after changes {size}")

    body = personas["admin"].get(f"/api/coaching/workers/{worker_id}").json()
    assert body["milestones"][0]["status"] == "reached" and body["milestones"][0]["evidence"] == "Intakeverslag"
    assert body["notes"][0]["body"] == "Gebeld: telefoon was kapot, nu opgelost."
    progress = phone.get("/api/me/progress").json()
    assert progress["done"] == 1 and progress["next"] == "Basisopleiding"


def test_worker_sees_own_progress(personas, new_context, assert_accessible):
    _, worker_id, _, _ = coach_with_flagged_worker(personas)
    created = personas["coach_a"].post(f"/api/people/{worker_id}/invites")
    page = new_context("phone").new_page()
    page.goto(created.json()["url"])
    page.wait_for_url(re.compile(r"#/home$"))
    page.locator("#main").get_by_role("link", name="Mijn traject").click()
    page.get_by_role("heading", name="Mijn traject", level=1).wait_for()
    assert page.locator("#main").get_by_text("Volgende stap: Intake.").is_visible()
    assert page.locator("#main").get_by_text("Je hebt 0 van de 6 stappen gezet.").is_visible()
    assert_accessible(page, "worker progress")


def test_admin_edits_a_trajectory_template(personas, new_context, assert_accessible):
    from conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    page = new_context("laptop").new_page()
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(ADMIN_EMAIL)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))
    page.goto(f"/#/templates/{personas.org_a}")
    main = page.locator("#main")
    main.get_by_role("heading", name=re.compile("^Trajecten van"), level=1).wait_for()
    assert_accessible(page, "template editor")
    new = main.locator("section").filter(has=page.get_by_role("heading", name="Nieuw traject"))
    name = f"Artikel 60 {uuid.uuid4().hex[:4]}"
    new.get_by_label("Naam").fill(name)
    new.get_by_label("Programma").select_option("art60")
    new.get_by_label("Stap 1 (Nederlands)").fill("Intake bij het OCMW")
    new.get_by_role("button", name="Stap toevoegen").click()
    new.get_by_label("Stap 2 (Nederlands)").fill("Aan het werk")
    new.get_by_label("Dit is doorstromen naar regulier werk").last.check()
    new.get_by_role("button", name="Opslaan").click()
    main.get_by_role("heading", name=name).wait_for()
    saved = next(t for t in personas["admin"].get(f"/api/coaching/templates?organisationId={personas.org_a}").json()
                 if t["name"] == name)
    assert [(s["titleNl"], s["isExit"]) for s in saved["steps"]] == [("Intake bij het OCMW", False), ("Aan het werk", True)]
    personas["admin"].delete(f"/api/coaching/templates/{saved['id']}")
