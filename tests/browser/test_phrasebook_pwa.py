"""The coach composes a reminder from the phrasebook in real Chromium (laptop and phone): picks a
phrase, fills its slots (a time and a place; things to bring with their pictograms), sees the
preview in the worker's own language (Polish, Arabic right to left) and sends; the worker's inbox
has it in Polish. axe clean at 1280x800 and 360x640. Both databases."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from conftest import COACH_PASSWORD, Client, create_person, token_of, wait_until


def coach_and_workers(personas, live_server):
    email = f"phrase.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Zinnen", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    coach = Client(live_server.url)
    assert coach.login(email, COACH_PASSWORD).status_code == 200
    workers = {}
    for first, lang in (("Piotr", "pl"), ("Amal", "ar")):
        created = create_person(coach, role="worker", firstName=first, lastName=uuid.uuid4().hex[:6], language=lang)
        phone = Client(live_server.url, language=lang)
        assert phone.redeem(token=token_of(created["invite"])).status_code == 200
        workers[first] = (f"{first} {created['person']['lastName']}", phone)
    return email, coach, workers


def sign_in(page, email: str) -> None:
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.get_by_role("heading", name="Mijn werknemers").wait_for()
    page.goto("/#/reminders")
    page.get_by_role("heading", name="Herinneringen", level=1).wait_for()


def no_horizontal_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_coach_composes_a_phrase_reminder_with_a_preview_in_the_workers_language(personas, live_server, new_context,
                                                                                 assert_accessible):
    email, coach, workers = coach_and_workers(personas, live_server)
    piotr, piotr_phone = workers["Piotr"]
    amal, amal_phone = workers["Amal"]

    # Laptop: a phrase with a time and a place, to Piotr (Polish).
    laptop = new_context("laptop").new_page()
    sign_in(laptop, email)
    laptop.get_by_label("Kies een zin", exact=True).check()
    expect(laptop.get_by_label("Titel")).to_be_hidden()
    laptop.get_by_label("Zin", exact=True).select_option(label="Morgen begin je om [uur] in [plaats].")
    laptop.get_by_label("Uur", exact=True).fill("08:00")
    laptop.get_by_label("Plaats", exact=True).fill("Atelier Noord")
    laptop.get_by_label("Werknemer", exact=True).select_option(label=piotr)
    preview = laptop.locator(".phrase-preview[data-language='pl']")
    expect(preview).to_contain_text("Jutro zaczynasz o 08:00. Miejsce: Atelier Noord.")
    expect(preview).to_contain_text("Polski")
    expect(preview.locator("[lang='pl']").first).to_be_visible()
    assert_accessible(laptop, "phrase reminder with preview (laptop)")
    laptop.get_by_role("button", name="Verstuur herinnering").click()
    laptop.locator("#main").get_by_text("Herinnering verstuurd.").wait_for()
    # The coach's list shows it in Dutch; the worker's inbox in Polish.
    sent = laptop.locator(".reminder").filter(has_text=piotr)
    expect(sent).to_contain_text("Morgen begin je om 08:00 in Atelier Noord.")
    entry = wait_until(lambda: next((e for e in piotr_phone.get("/api/inbox").json()
                                     if e["title"] == "Jutro zaczynasz o 08:00. Miejsce: Atelier Noord."), None))
    assert entry["mark"] == ""

    # Phone: things to bring as pictogram checkboxes, to Amal (Arabic, right to left); a slot left
    # empty is said under it.
    phone = new_context("phone").new_page()
    sign_in(phone, email)
    phone.get_by_label("Kies een zin", exact=True).check()
    phone.get_by_label("Zin", exact=True).select_option(label="Breng [dingen] mee.")
    phone.get_by_label("Werknemer", exact=True).select_option(label=amal)
    phone.get_by_role("button", name="Verstuur herinnering").click()
    expect(phone.locator("[data-field='slot_items'] .field-error")).to_have_text("Vul dit in.")
    phone.get_by_role("checkbox", name="Veiligheidsschoenen").check()
    phone.get_by_role("checkbox", name="Handschoenen").check()
    arabic = phone.locator(".phrase-preview[data-language='ar']")
    expect(arabic).to_contain_text("أحضر معك: حذاء الأمان والقفازات.")
    expect(arabic.locator(".phrase-preview-title")).to_have_attribute("dir", "rtl")
    no_horizontal_overflow(phone)
    assert_accessible(phone, "phrase reminder with preview (phone)")
    phone.get_by_role("button", name="Verstuur herinnering").click()
    phone.locator("#main").get_by_text("Herinnering verstuurd.").wait_for()
    wait_until(lambda: any(e["title"] == "أحضر معك: حذاء الأمان والقفازات." for e in amal_phone.get("/api/inbox").json()))


def test_admin_adds_an_organisation_phrase_with_a_translation(personas, new_context, assert_accessible):
    from conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    for size in ("laptop", "phone"):
        page = new_context(size).new_page()
        page.goto("/#/login")
        page.get_by_label(re.compile("E-mail", re.I)).fill(ADMIN_EMAIL)
        page.get_by_label(re.compile("Wachtwoord", re.I)).fill(ADMIN_PASSWORD)
        page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
        page.wait_for_url(re.compile(r"#/home$"))
        page.goto(f"/#/organisations/{personas.org_a}")
        page.locator("#main").get_by_role("link", name="Zinnen").click()
        main = page.locator("#main")
        main.get_by_role("heading", name=re.compile("^Zinnen van"), level=1).wait_for()
        expect(main).to_contain_text("Morgen begin je om {time} in {place}.")
        new = main.locator("details").filter(has=page.locator("summary", has_text="Nieuwe zin"))
        new.locator("summary").click()
        text = f"Je shift op {{date}} is in {{place}} ({size} {uuid.uuid4().hex[:4]})."
        new.get_by_label("Nederlands", exact=True).fill(text)
        new.get_by_label(re.compile("^Polski")).fill("Przyjdź o {time}.")
        new.get_by_role("button", name="Zin toevoegen").click()
        # The Polish text must use the Dutch slots: said under the Polish field.
        expect(new.locator("[data-field='pl'] .field-error")).to_contain_text("{date}")
        new.get_by_label(re.compile("^Polski")).fill(f"Twoja zmiana: {{date}}. Miejsce: {{place}}. ({size})")
        new.get_by_role("button", name="Zin toevoegen").click()
        card = main.locator(".card").filter(has_text=text)
        expect(card).to_contain_text("Talen: Nederlands, Polski")
        expect(card).to_contain_text("Nog geen vertaling in: English")
        if size == "phone":
            no_horizontal_overflow(page)
        assert_accessible(page, f"organisation phrases ({size})")
    coach_list = personas["coach_a"].get("/api/phrases").json()
    assert sum(1 for p in coach_list if not p["standard"] and "Je shift op {date}" in p["texts"]["nl"]) >= 2
