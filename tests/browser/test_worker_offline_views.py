"""Berichten and Instellingen without a connection, "Lees voor" on Berichten, and a device the coach
signed out, in real Chromium at 360x640 (SQLite and PostgreSQL).

- Offline, Berichten shows the last list seen and Instellingen the last devices seen, each with the
  offline banner, instead of "Er ging iets mis / Geen internet".
- "Lees voor" on Berichten reads the coach's own words, with the right language tag.
- The coach confirms before signing a device out; the phone then says "Je coach heeft dit toestel
  afgemeld" (the server tells a revoked session apart from none, to the holder of the cookie only).
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from browser_fixtures import speech_stub
from conftest import COACH_PASSWORD, create_person

pytestmark = pytest.mark.browser
SW_CONTROLS = "() => navigator.serviceWorker.controller !== null"


def new_worker(personas, first_name: str) -> dict:
    return create_person(personas["coach_a"], role="worker", firstName=first_name, lastName="Test",
                         workplaceId=personas.workplace_a)


def remind(personas, worker_id: str, title: str, body: str) -> None:
    response = personas["coach_a"].post("/api/reminders", json={"title": title, "body": body, "workerIds": [worker_id]})
    assert response.status_code == 201, response.text


def spoken(page) -> list[dict]:
    """Tap "Lees voor" and return what was said (the code that reads is loaded on the first tap)."""
    before = page.evaluate("window.__spoken.length")
    page.get_by_role("button", name="Lees voor").click()
    page.wait_for_function("n => window.__spoken.length > n", arg=before)
    return page.evaluate("window.__spoken")


def no_error_screen(page) -> None:
    text = page.locator("#main").inner_text()
    assert "Er ging iets mis" not in text and "Geen internet" not in text, text


def test_berichten_offline_shows_the_last_list_and_reads_the_coachs_words(personas, new_context, assert_accessible):
    created = new_worker(personas, "Nadia")
    worker_id = created["person"]["id"]
    remind(personas, worker_id, "Morgen vroeger beginnen", "Kom morgen om 7 uur. We starten vroeger door de levering.")
    remind(personas, worker_id, "Nieuwe werkschoenen", "Je nieuwe schoenen liggen bij het onthaal")
    context = new_context("phone")
    context.add_init_script(speech_stub())
    page = context.new_page()
    page.goto(created["invite"]["url"])
    page.locator("#today").wait_for()
    page.wait_for_function(SW_CONTROLS)
    page.goto("/#/inbox")
    main = page.locator("#main")
    main.get_by_role("button", name=re.compile("Morgen vroeger beginnen")).wait_for()

    # "Lees voor" reads the new messages in the coach's words, not "Nieuw", "OK" or the dates.
    said = spoken(page)
    assert said[-1]["lang"] == "nl-BE", said
    text = said[-1]["text"]
    assert text.startswith("2 nieuwe berichten."), text
    assert "Morgen vroeger beginnen. Kom morgen om 7 uur. We starten vroeger door de levering." in text
    assert "Je nieuwe schoenen liggen bij het onthaal." in text
    assert "OK" not in text and "Nieuw." not in text
    # With one message open, that one is read.
    main.get_by_role("button", name=re.compile("Nieuwe werkschoenen")).click()
    main.get_by_text("Je nieuwe schoenen liggen bij het onthaal").wait_for()
    assert spoken(page)[-1]["text"] == "Nieuwe werkschoenen. Je nieuwe schoenen liggen bij het onthaal."

    # Offline: the list seen last, with the banner; the one just read stays read.
    context.set_offline(True)
    page.goto("/#/home")
    page.locator("#today").wait_for()
    page.goto("/#/inbox")
    main.get_by_text("Je bent offline. Dit is wat je laatst zag.").wait_for()
    no_error_screen(page)
    assert main.get_by_role("button", name=re.compile("Morgen vroeger beginnen")).is_visible()
    read = main.locator("li.inbox-entry", has_text="Nieuwe werkschoenen")
    assert read.get_attribute("data-unread") is None, "read before going offline"
    assert main.locator("li.inbox-entry", has_text="Morgen vroeger").get_attribute("data-unread") == "true"
    assert_accessible(page, "berichten offline")

    # A whole new start without a connection still opens Berichten from the copy.
    page.reload()
    main.get_by_text("Je bent offline. Dit is wat je laatst zag.").wait_for()
    assert main.get_by_role("button", name=re.compile("Morgen vroeger beginnen")).is_visible()
    context.set_offline(False)


def test_instellingen_offline_shows_the_last_devices(personas, new_context, assert_accessible):
    created = new_worker(personas, "Omar")
    context = new_context("phone")
    page = context.new_page()
    page.goto(created["invite"]["url"])
    page.locator("#today").wait_for()
    page.wait_for_function(SW_CONTROLS)
    page.goto("/#/settings")
    main = page.locator("#main")
    main.get_by_role("heading", name="Toestellen").wait_for()
    assert main.get_by_text("Dit toestel", exact=True).is_visible()

    context.set_offline(True)
    page.goto("/#/home")
    page.locator("#today").wait_for()
    page.goto("/#/settings")
    main.get_by_text("Je bent offline. Dit is wat je laatst zag.").wait_for()
    no_error_screen(page)
    main.get_by_role("heading", name="Instellingen", level=1).wait_for()
    assert main.get_by_role("heading", name="Toestellen").is_visible() and main.get_by_text("Dit toestel", exact=True).is_visible()
    assert main.get_by_role("button", name="English").is_visible(), "the language can still be chosen"
    assert main.get_by_text("Dit kan je alleen met internet aanpassen.").first.is_visible()
    assert_accessible(page, "instellingen offline")
    context.set_offline(False)


def test_revoked_session_is_told_apart_only_for_its_holder(personas, live_server):
    created = new_worker(personas, "Rik")
    phone = httpx.Client(base_url=live_server.url, headers={"Accept-Language": "nl"})
    assert phone.post("/api/auth/invite", json={"token": created["invite"]["url"].split("#", 1)[1]},
                      headers={"X-CSRF-Token": csrf(phone)}).status_code == 200
    assert phone.get("/api/me").status_code == 200
    coach = personas["coach_a"]
    [device] = coach.get(f"/api/people/{created['person']['id']}/devices").json()
    assert coach.delete(f"/api/people/{created['person']['id']}/devices/{device['id']}").status_code == 204

    revoked = phone.get("/api/me")
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "device_revoked"
    assert revoked.json()["message"].startswith("Je coach heeft dit toestel afgemeld.")
    english = phone.get("/api/me", headers={"Accept-Language": "en"})
    assert english.json()["code"] == "device_revoked" and english.json()["message"].startswith("Your coach signed")
    # Any other route says the same to this phone.
    assert phone.get("/api/schedule/mine").json()["code"] == "device_revoked"

    # A stranger learns nothing: no cookie, a made-up one, or an expired-looking one are just "not signed in".
    for cookies in ({}, {"werkmaat_session": uuid.uuid4().hex}, {"werkmaat_session": "x" * 43}):
        stranger = httpx.Client(base_url=live_server.url, cookies=cookies)
        answer = stranger.get("/api/me")
        assert (answer.status_code, answer.json()["code"]) == (401, "not_signed_in"), cookies


def csrf(client: httpx.Client) -> str:
    client.get("/api/config")
    return client.cookies.get("werkmaat_csrf", "")


def test_coach_confirms_the_revoke_and_the_phone_says_so(personas, new_context, assert_accessible):
    created = new_worker(personas, "Lotte")
    worker_id = created["person"]["id"]
    phone_context = new_context("phone")
    phone_page = phone_context.new_page()
    phone_page.goto(created["invite"]["url"])
    phone_page.locator("#today").wait_for()

    email = f"revoke.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    laptop = new_context("laptop").new_page()
    laptop.goto("/#/login")
    laptop.get_by_label(re.compile("E-mail", re.I)).fill(email)
    laptop.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    laptop.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    laptop.wait_for_url(re.compile("#/home$"))
    laptop.goto(f"/#/people/{worker_id}")
    devices = laptop.locator("section.section", has=laptop.get_by_role("heading", name="Toestellen", exact=True))
    devices.wait_for()

    # "Afmelden" asks first; "Nee, terug" leaves the device signed in.
    devices.get_by_role("button", name=re.compile("^Afmelden")).click()
    question = devices.get_by_text(re.compile("afmelden\\? Op dat toestel is daarna een nieuwe code nodig\\."))
    question.wait_for()
    assert laptop.evaluate("document.activeElement.classList.contains('confirm-question')")
    assert_accessible(laptop, "coach: confirm the revoke")
    devices.get_by_role("button", name="Nee, terug").click()
    assert len(personas["coach_a"].get(f"/api/people/{worker_id}/devices").json()) == 1
    devices.get_by_role("button", name=re.compile("^Afmelden")).click()
    devices.get_by_role("button", name="Ja, afmelden").click()
    devices.get_by_text("Geen toestellen.").wait_for()
    assert personas["coach_a"].get(f"/api/people/{worker_id}/devices").json() == []

    # The phone says what happened instead of a bare welcome screen, and keeps nothing of the old screens.
    phone_page.reload()
    phone_page.get_by_text("Je coach heeft dit toestel afgemeld. Vraag je coach om een nieuwe code.").wait_for()
    assert phone_page.get_by_label(re.compile("code", re.I)).first.is_visible()
    kept = phone_page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('werkmaat.copy.'))")
    assert kept == [], kept
    assert_accessible(phone_page, "phone after the revoke")
