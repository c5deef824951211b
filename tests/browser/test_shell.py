"""The PWA shell in real Chromium: coach creates a worker, the invite link signs a phone in,
the offline page, manifest and service worker, the first-load budget, and axe on every screen."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, COACH_PASSWORD, create_person

pytestmark = pytest.mark.browser
PWA = Path(__file__).resolve().parents[2] / "pwa"


def new_coach(personas) -> str:
    email = f"browser.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    return email


def sign_in_as_coach(page, email: str) -> None:
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))
    page.get_by_role("heading", level=1, name=re.compile("werknemers", re.I)).wait_for()


def test_coach_creates_worker_and_invite_link_signs_the_phone_in(personas, new_context, assert_accessible):
    email = new_coach(personas)
    laptop = new_context("laptop").new_page()
    sign_in_as_coach(laptop, email)
    assert_accessible(laptop, "coach home")
    laptop.get_by_role("link", name=re.compile("Nieuwe werknemer", re.I)).first.click()
    laptop.get_by_label(re.compile("^Voornaam", re.I)).fill("Ahmed")
    laptop.get_by_label(re.compile("^Achternaam", re.I)).fill("El Amrani")
    laptop.get_by_label(re.compile("^Gsm", re.I)).fill("0486 12 34 56")
    assert_accessible(laptop, "new worker form")
    laptop.get_by_role("button", name=re.compile("Opslaan|Maak|Aanmaken|Toevoegen", re.I)).first.click()
    qr = laptop.locator("img[src^='data:image/svg+xml']")
    qr.wait_for()
    assert qr.get_attribute("alt"), "the QR image has a text alternative"
    link = laptop.locator("input[readonly]").first.input_value().strip()
    assert link.startswith(personas.server.url + "/welkom#")
    assert_accessible(laptop, "invite")

    phone = new_context("phone").new_page()
    phone.goto(link)
    phone.get_by_role("heading", name=re.compile("Ahmed")).wait_for()
    assert "#" in phone.url and link.split("#")[1] not in phone.url, "the secret leaves the address bar"
    assert phone.evaluate("document.documentElement.lang") == "nl"
    assert_accessible(phone, "worker home")
    # Every tap target is at least 48 px in both directions.
    small = phone.evaluate("""() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
        .filter(el => el.offsetParent !== null && !el.classList.contains('skip-link'))
        .map(el => [el.textContent.trim() || el.name || el.type, el.getBoundingClientRect()])
        .filter(([, r]) => r.width < 48 || r.height < 48).map(([name, r]) => `${name}: ${r.width}x${r.height}`)""")
    assert small == [], small
    # The page fits the phone: no sideways scrolling at 360 px.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Used once: the same link on another phone does not work.
    other = new_context("phone").new_page()
    other.goto(link)
    other.get_by_role("alert").first.wait_for()
    assert other.get_by_label(re.compile("code", re.I)).count() >= 1


def test_offline_page_shows_when_the_network_is_cut(personas, new_context, assert_accessible):
    context = new_context("phone")
    page = context.new_page()
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null || caches.keys().then(k => k.length > 0)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.goto("/some/page/that/needs/the/network")
    page.get_by_role("heading", name="Geen internet").wait_for()
    assert page.get_by_role("heading", name="No internet").is_visible()
    assert_accessible(page, "offline page")
    context.set_offline(False)


def test_language_switch_to_english_and_back(personas, new_context, assert_accessible):
    page = new_context("phone").new_page()
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page, "sign-in in English")
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_function("() => document.documentElement.lang === 'nl'")


def test_admin_screens_are_accessible(personas, new_context, assert_accessible):
    page = new_context("laptop").new_page()
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(ADMIN_EMAIL)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))
    page.get_by_role("heading", level=1).wait_for()
    assert_accessible(page, "admin home")
    page.goto("/#/settings")
    page.get_by_role("heading", level=1).wait_for()
    assert_accessible(page, "settings")


def test_manifest_and_first_load_budget(live_server):
    manifest = httpx.get(live_server.url + "/manifest.webmanifest").json()
    assert manifest["name"] and manifest["short_name"] and manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/") and manifest["theme_color"] and manifest["background_color"]
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert ("192x192", "any") in sizes and ("512x512", "any") in sizes
    assert any("maskable" in purpose for _, purpose in sizes)
    for icon in manifest["icons"]:
        assert httpx.get(live_server.url + icon["src"]).status_code == 200
    # What a first visit transfers, icons aside: the shell, its modules, styles and the Dutch catalogue.
    html = httpx.get(live_server.url + "/", headers={"Accept-Encoding": "gzip"})
    assets = set(re.findall(r'(?:href|src)="(/[^"]+\.(?:js|css|webmanifest))"', html.text))
    for module in (PWA / "js").rglob("*.js"):
        assets.add("/" + module.relative_to(PWA).as_posix())
    assets |= {"/i18n/nl.json", "/sw.js"}
    total = len(html.content) if html.headers.get("content-encoding") != "gzip" else int(
        html.headers.get("content-length", len(html.content)))
    for path in assets:
        response = httpx.get(live_server.url + path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path
        total += int(response.headers.get("content-length") or len(response.content))
    assert total < 150 * 1024, f"first load transfers {total} bytes"


def test_message_catalogues_have_the_same_keys():
    nl = json.loads((PWA / "i18n" / "nl.json").read_text())
    en = json.loads((PWA / "i18n" / "en.json").read_text())

    def keys(tree, prefix=""):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from keys(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    assert set(keys(nl)) == set(keys(en))


def test_buddy_home_person_detail_and_code_entry_are_accessible(personas, new_context, assert_accessible):
    from conftest import token_of

    coach = personas["coach_a"]
    buddy = create_person(coach, role="buddy", firstName="Ria", lastName="Geerts", phone="0473 20 30 40")
    create_person(coach, role="worker", firstName="Kevin", lastName="Janssens", buddyId=buddy["person"]["id"])
    phone = new_context("phone").new_page()
    phone.goto("/")
    phone.get_by_role("heading", level=1).wait_for()
    assert_accessible(phone, "code entry")
    phone.get_by_label(re.compile("code", re.I)).first.fill(buddy["invite"]["code"].lower())
    phone.get_by_role("button", name=re.compile("Aanmelden|Verder|Ga verder|Log", re.I)).first.click()
    phone.get_by_text("Kevin").first.wait_for()
    assert phone.get_by_text("Janssens").count() == 0, "a buddy sees first names only"
    assert_accessible(phone, "buddy home")
    email = new_coach(personas)
    laptop = new_context("laptop").new_page()
    sign_in_as_coach(laptop, email)
    laptop.goto(f"/#/people/{buddy['person']['id']}")
    laptop.get_by_role("heading", name=re.compile("Ria")).wait_for()
    assert_accessible(laptop, "person detail")
    assert token_of(buddy["invite"])
