"""Every worker in their own language (issue 15, the PWA side) in real Chromium at 360x640:

- The first screen offers the eight languages as big buttons, each named in itself (no flags), each
  with its own `lang` and `dir`. Choose Polski: the sign-in screen is Polish; after sign-in the person's
  language is Polish on the server; on a new phone the stored language wins.
- Arabic: the whole app is mirrored (`<html dir="rtl" lang="ar">`) on every worker screen, nothing
  sticks out sideways, axe finds nothing serious, the back arrow points the other way, and times stay
  left to right. Screenshots: /tmp/werkmaat-shots/ar-*.png.
- Plural forms by the language's rules (Intl.PluralRules): Polish, Ukrainian and Arabic.
- "Lees voor" speaks with the worker's language tag, and on a phone without a voice for it says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

import clock
from browser_fixtures import speech_stub
from conftest import create_person

pytestmark = pytest.mark.browser
PWA = Path(__file__).resolve().parents[2] / "pwa"
SHOTS = Path("/tmp/werkmaat-shots")
NATIVE = {"nl": "Nederlands", "en": "English", "fr": "Français", "ar": "العربية", "tr": "Türkçe", "pl": "Polski",
          "ro": "Română", "uk": "Українська"}
BIDI_MARKS = re.compile("[\u2066-\u2069]")


def words(lang: str) -> dict:
    """The PWA catalogue of `lang`, Dutch for what it lacks (as the server serves it)."""
    nl = json.loads((PWA / "i18n" / "nl.json").read_text(encoding="utf-8"))
    path = PWA / "i18n" / f"{lang}.json"
    return {**nl, **(json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {})}


def new_worker(personas, first_name: str, **extra) -> dict:
    return create_person(personas["coach_a"], role="worker", firstName=first_name, lastName="Test",
                         workplaceId=personas.workplace_a, phone="0486 12 34 56", **extra)


def plan(personas, worker_id: str, start: dt.datetime, hours: int, title: str, **extra) -> None:
    response = personas["coach_a"].post("/api/schedule/items", json={
        "title": title, "kind": "shift", "workerIds": [worker_id], "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=hours)).isoformat(), "place": {"workplaceId": personas.workplace_a},
        **extra})
    assert response.status_code == 201, response.text


def test_the_first_screen_offers_eight_languages_and_the_choice_follows_the_person(personas, new_context,
                                                                                 assert_accessible):
    created = new_worker(personas, "Kasia")
    worker_id = created["person"]["id"]
    page = new_context("phone").new_page()
    page.goto("/")
    group = page.get_by_role("group", name=re.compile("Taal kiezen"))
    group.wait_for()
    buttons = group.get_by_role("button")
    assert buttons.count() == 8
    for lang, name in NATIVE.items():
        button = group.get_by_role("button", name=name, exact=True)
        assert button.get_attribute("lang") == lang
        assert button.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48, (name, box)
    assert page.locator(".language-switch img, .language-switch [class*=flag]").count() == 0, "no flags"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "first-screen.png"))

    polish = words("pl")
    group.get_by_role("button", name="Polski", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'pl' && document.documentElement.dir === 'ltr'")
    page.get_by_role("heading", level=1, name=polish["signin.title"]).wait_for()
    assert page.get_by_role("button", name="Polski", exact=True).get_attribute("aria-pressed") == "true"
    assert_accessible(page, "sign-in in Polish")

    page.get_by_label(polish["signin.codeLabel"]).fill(created["invite"]["code"])
    page.get_by_role("button", name=polish["signin.codeSubmit"]).click()
    page.wait_for_url(re.compile(r"#/home$"))
    page.get_by_role("heading", level=1, name=re.compile("Kasia")).wait_for()
    assert page.evaluate("document.documentElement.lang") == "pl"
    saved = personas["coach_a"].get(f"/api/people/{worker_id}")
    assert saved.json()["language"] == "pl", "the language chosen before sign-in is the person's now"

    # A new phone (Dutch by default, nothing chosen on it): the person's stored language wins.
    invite = personas["coach_a"].post(f"/api/people/{worker_id}/invites")
    assert invite.status_code in (200, 201), invite.text
    other = new_context("phone").new_page()
    other.goto(invite.json()["url"])
    other.get_by_role("heading", level=1, name=re.compile("Kasia")).wait_for()
    other.wait_for_function("() => document.documentElement.lang === 'pl'")
    assert other.get_by_role("link", name=polish["nav.home"]).count() >= 1

    # Changed in Settings: saved to the person again.
    other.goto(personas.server.url + "/#/settings")
    other.get_by_role("button", name="Română", exact=True).click()
    other.wait_for_function("() => document.documentElement.lang === 'ro'")
    assert personas["coach_a"].get(f"/api/people/{worker_id}").json()["language"] == "ro"


def test_the_coach_offers_all_eight_languages_on_the_persons_form(personas, new_context):
    created = new_worker(personas, "Oleh", language="uk")
    coach = personas["coach_a"]
    assert coach.get(f"/api/people/{created['person']['id']}").json()["language"] == "uk"
    context = new_context("laptop")
    context.add_cookies([{"name": c.name, "value": c.value, "url": personas.server.url} for c in coach.cookies.jar])
    page = context.new_page()
    page.goto(personas.server.url + f"/#/people/{created['person']['id']}/edit")
    select = page.get_by_label("Taal", exact=True)
    select.wait_for()
    options = select.locator("option").evaluate_all("els => els.map(o => [o.value, o.textContent, o.lang])")
    assert options == [[lang, name, lang] for lang, name in NATIVE.items()]
    assert select.input_value() == "uk"
    select.select_option("tr")
    page.get_by_role("button", name=re.compile("Opslaan")).click()
    page.wait_for_url(re.compile(r"#/people/[^/]+$"))
    assert coach.get(f"/api/people/{created['person']['id']}").json()["language"] == "tr"


# ---- Arabic: mirrored, fitting, readable ------------------------------------------------------------

def arabic_worker(personas) -> dict:
    created = new_worker(personas, "Amina", language="ar")
    worker_id = created["person"]["id"]
    now = clock.local_now().replace(second=0, microsecond=0)
    plan(personas, worker_id, now + dt.timedelta(hours=1), 4, "Sorteren", bring=["safety_shoes"],
         contactName="Jan Peeters", contactPhone="0470 11 22 33")
    plan(personas, worker_id, now + dt.timedelta(days=1), 4, "Inpakken")
    response = personas["coach_a"].post("/api/reminders", json={
        "title": "Morgen vroeger", "body": "Kom morgen om 7 uur.", "workerIds": [worker_id]})
    assert response.status_code == 201, response.text
    return created


SCREENS = ["home", "week", "commute", "inbox", "settings", "sick", "late", "progress"]


def test_arabic_mirrors_every_worker_screen(personas, new_context, assert_accessible):
    created = arabic_worker(personas)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context("phone").new_page()
    page.goto(created["invite"]["url"])
    page.get_by_role("heading", level=1, name=re.compile("Amina")).wait_for()
    arabic = words("ar")
    # The service worker keeps the words of this phone's language only, not all eight.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    kept = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys())
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        return urls.filter((u) => u.startsWith('/catalogue/') || u.startsWith('/i18n/'));
    }""")
    assert "/catalogue/ar/worker.json" in kept and all(u.startswith("/catalogue/ar/") for u in kept), kept
    for name in SCREENS:
        if name != "home":
            page.goto(f"{personas.server.url}/#/{name}")
        page.wait_for_function("() => document.querySelector('#main h1') && !document.querySelector('#main[aria-busy]')")
        page.wait_for_timeout(300)
        html = page.evaluate("({dir: document.documentElement.dir, lang: document.documentElement.lang})")
        assert html == {"dir": "rtl", "lang": "ar"}, (name, html)
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: {width} px wide"
        wide = page.evaluate("""() => [...document.querySelectorAll('#main *, header *')]
            .filter(el => { const r = el.getBoundingClientRect(); return r.width && (r.left < -1 || r.right > 361); })
            .map(el => el.tagName + '.' + el.className).slice(0, 5)""")
        assert wide == [], f"{name}: {wide}"
        assert_accessible(page, f"{name} in Arabic")
        page.screenshot(path=str(SHOTS / f"ar-{name}.png"), full_page=True)

        if name == "home":
            # The nav mirrors: "Home" is at the right, the start of an Arabic line.
            items = page.locator("#nav li").evaluate_all("els => els.map(e => e.getBoundingClientRect().left)")
            assert items == sorted(items, reverse=True), items
            assert page.get_by_role("link", name=arabic["nav.home"]).count() >= 1
            # A time reads left to right: its own run ("08:00", never "00:80"), Western digits.
            when = page.locator("#today .item-when, #today .item-row-time").first.inner_text()
            assert re.search(r"\d\d:\d\d", BIDI_MARKS.sub("", when)), when
            assert not re.search("[\u0660-\u0669]", page.locator("#main").inner_text()), "Western digits (ar-u-nu-latn)"
            time_dir = page.evaluate("""() => {
                const el = document.querySelector('#today .item-row-time');
                if (el) return getComputedStyle(el).direction;
                const walker = document.createTreeWalker(document.querySelector('#today'), NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n; n = walker.nextNode())
                    if (/\\u2068\\d\\d:\\d\\d\\u2069/.test(n.textContent)) return 'isolated';
                return 'none';
            }""")
            assert time_dir in ("ltr", "isolated"), time_dir
        if name == "commute":
            back = page.locator("#main a", has=page.locator("svg.icon-dir")).first
            assert back.is_visible()
            transform = back.locator("svg.icon-dir").evaluate("el => getComputedStyle(el).transform")
            assert transform.startswith("matrix(-1"), transform
            # The back link sits at the start of the line: the right edge in Arabic.
            box = back.bounding_box()
            assert box["x"] + box["width"] > 300, box
    # A message the coach wrote in Dutch keeps its own direction (its full stop at its end).
    page.goto(f"{personas.server.url}/#/inbox")
    page.get_by_role("button", name=re.compile("Morgen vroeger")).first.click()
    text = page.locator(".inbox-text", has_text="Kom morgen om 7 uur.")
    text.wait_for()
    assert text.evaluate("el => getComputedStyle(el).unicodeBidi") == "plaintext"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "an open message in Arabic")
    page.screenshot(path=str(SHOTS / "ar-inbox-message.png"), full_page=True)
    # The language buttons in Settings keep each language's own direction.
    page.goto(f"{personas.server.url}/#/settings")
    page.get_by_role("button", name="Polski", exact=True).wait_for()
    assert page.get_by_role("button", name="Polski", exact=True).evaluate("el => getComputedStyle(el).direction") == "ltr"


# ---- plural forms ------------------------------------------------------------------------------------

# CLDR: the category each language gives these numbers.
PLURALS = {
    "pl": {1: "one", 2: "few", 5: "many", 22: "few", 0: "many", 11: "many", 100: "many"},
    "uk": {0: "many", 1: "one", 2: "few", 3: "few", 11: "many", 100: "many", 21: "one", 22: "few", 5: "many"},
    "ar": {0: "zero", 1: "one", 2: "two", 3: "few", 11: "many", 100: "other"},
}


def test_plural_forms_follow_each_languages_rules_in_the_browser(live_server, new_context):
    # No service worker: the page's own requests are the ones routed here.
    page = new_context("phone", service_workers="block").new_page()
    # A test key with one distinct text per category, added to the words the server sends.

    def with_test_key(route):
        lang = route.request.url.split("/catalogue/")[1].split("/")[0]
        body = route.fetch().json()
        body["test.plural"] = {c: f"{c}:{{count}}" for c in ("zero", "one", "two", "few", "many", "other")}
        route.fulfill(json=body)

    page.route("**/catalogue/*/signedOut.json", with_test_key)
    page.goto("/")
    page.get_by_role("heading", level=1).wait_for()
    for lang, cases in PLURALS.items():
        got = page.evaluate("""async ([lang, numbers]) => {
            const m = await import('/js/i18n.js');
            await m.setLanguage(lang);
            return numbers.map((n) => [m.t('test.plural', { count: n }), m.t('error.waitSeconds', { seconds: n })]);
        }""", [lang, list(cases)])
        catalogue = words(lang)["error.waitSeconds"]
        for (n, category), (test_text, real_text) in zip(cases.items(), got):
            assert BIDI_MARKS.sub("", test_text) == f"{category}:{n}", (lang, n, test_text)
            expected = catalogue.get(category, catalogue["other"]).replace("{seconds}", str(n))
            assert BIDI_MARKS.sub("", real_text) == expected, (lang, n, real_text)


# ---- read aloud --------------------------------------------------------------------------------------

def test_read_aloud_speaks_the_workers_language_or_says_there_is_no_voice(personas, new_context, assert_accessible):
    created = arabic_worker(personas)
    arabic = words("ar")
    # A phone with an Arabic voice: the Home is read in Arabic, with that voice.
    context = new_context("phone")
    context.add_init_script(speech_stub(["nl-BE", "ar-SA", "en-GB"]))
    page = context.new_page()
    page.goto(created["invite"]["url"])
    page.get_by_role("heading", level=1, name=re.compile("Amina")).wait_for()
    page.get_by_role("button", name=arabic["readAloud.start"]).first.click()
    page.wait_for_function("() => window.__spoken.length > 0")
    said = page.evaluate("window.__spoken")[-1]
    assert said["lang"] == "ar" and said["voice"] == "ar-SA", said
    assert not BIDI_MARKS.search(said["text"]), "no bidi marks in what the voice reads"

    # Another phone with only Dutch and English voices: it says so plainly, in Arabic, with the hint.
    invite = personas["coach_a"].post(f"/api/people/{created['person']['id']}/invites").json()
    context = new_context("phone")
    context.add_init_script(speech_stub(["nl-BE", "en-GB"]))
    page = context.new_page()
    page.goto(invite["url"])
    page.get_by_role("heading", level=1, name=re.compile("Amina")).wait_for()
    page.get_by_role("button", name=arabic["readAloud.start"]).first.click()
    note = page.locator(".read-aloud-note")
    note.wait_for()
    text = BIDI_MARKS.sub("", note.inner_text())
    assert arabic["readAloud.noVoice"].replace("{language}", "العربية") in text, text
    assert BIDI_MARKS.sub("", arabic["readAloud.noVoiceHint"].replace("{language}", "العربية")) in text
    assert page.evaluate("window.__spoken") == [], "no Arabic read with a Dutch voice"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "no voice note")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ar-no-voice.png"))


def test_read_aloud_on_home_says_the_leg_notes(personas, new_context):
    """The Home's sentences include what the way to work asks (a bus every N min, stay seated)."""
    page = new_context("phone").new_page()
    page.goto("/")
    page.get_by_role("heading", level=1).wait_for()
    lines = page.evaluate("""async () => {
        const i18n = await import('/js/i18n.js');
        await i18n.usePart('worker', 'nl');
        const say = await import('/js/readAloud.js');
        const journey = { departure: '2026-12-02T07:15:00Z', legs: [
            { kind: 'walk', minutes: 4 },
            { kind: 'ride', mode: 'bus', line: '45', departure: '2026-12-02T07:15:00Z', headwayMinutes: 10 },
            { kind: 'ride', mode: 'bus', line: '46', departure: '2026-12-02T07:40:00Z', staySeated: true },
        ] };
        const item = { kind: 'shift', title: 'Sorteren', localDate: '2026-12-02', localStart: '09:00', localEnd: '13:00' };
        return say.itemSentences(item, { journey });
    }""")
    nl = words("nl")
    assert nl["commute.note.headway"].replace("{minutes}", "10").replace("{mode}", "bus").replace("{time}", "8 uur 15") in lines, lines
    assert nl["commute.note.staySeated"].replace("{mode}", "bus").replace("{line}", "46") in lines, lines


def test_a_language_whose_words_cannot_be_had_falls_back_to_dutch(live_server, new_context):
    """Offline and never kept (or not served): choosing that language leaves a working Dutch screen."""
    page = new_context("phone", service_workers="block").new_page()
    page.route("**/catalogue/tr/*.json", lambda route: route.fulfill(status=404, body="{}"))
    page.goto("/")
    page.get_by_role("heading", level=1, name=words("nl")["signin.title"]).wait_for()
    page.get_by_role("button", name="Türkçe", exact=True).click()
    page.wait_for_timeout(500)
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["nl", "ltr"]
    page.get_by_role("heading", level=1, name=words("nl")["signin.title"]).wait_for()
    assert page.get_by_label(words("nl")["signin.codeLabel"]).is_visible()
