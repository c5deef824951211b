"""Issue 15's "Done when", end to end in real Chromium: a worker in Arabic and one in Polish walk
their own phone (360x640) through Home, Week and the way to work; their Dutch coach (1280x800) sends
them a phrase reminder, seeing the preview in the worker's language; the worker reads it in their
language and answers "I am coming" in one tap; the coach reads "Ik kom", in Dutch, on the reminder's
per-recipient view.

- Arabic: the language is set by the coach (the API); Polish: chosen on the phone's first screen.
- Every text checked comes from a catalogue (pwa/i18n/<lang>.json, backend/locales/<lang>.json, the
  phrasebook backend/phrases/locales/<lang>.json rendered by the server's own code): nothing here is
  a translation typed by hand.
- On every worker screen: `<html lang dir>` (rtl for ar, ltr for pl), nothing wider than the phone,
  axe finds nothing serious or critical. Screenshots: /tmp/werkmaat-shots/walk-<lang>-*.png.
- Both databases (the `live_server` fixture runs once on SQLite and once on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backend.phrases.catalogue import render, standard
from clock import BRUSSELS
from conftest import create_person, wait_until
from test_languages_pwa import BIDI_MARKS, SHOTS, words
from test_phrasebook_pwa import no_horizontal_overflow, sign_in as coach_to_reminders
from test_quick_replies_pwa import coach_of_their_own
from transit_feeds import live_feed, write_feed

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BACKEND_LOCALES = Path(__file__).resolve().parents[2] / "backend" / "locales"
# The worker's home and the shift's place: on the small test network's bus line 1 (tests/transit_feeds.py).
HOME = {"latitude": 50.9650, "longitude": 5.4990}
OOST = {"address": "Oost", "latitude": 50.9650, "longitude": 5.5350}
PLACE = "Atelier Oost"


def server_words(lang: str) -> dict:
    """The server's catalogue of `lang` (its errors and notices)."""
    return json.loads((BACKEND_LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def plain(text: str) -> str:
    """A text as read: without the bidi isolation marks the app puts around filled-in values."""
    return BIDI_MARKS.sub("", text)


def fill(template: str, **values) -> str:
    return template.format(**values)


def literal_parts(template: str) -> list[str]:
    """The fixed words of a catalogue text, without its `{placeholders}` (whose values vary)."""
    return [part.strip() for part, *_ in string.Formatter().parse(template) if part.strip()]


def shows_template(main, template: str) -> None:
    """Some element of the screen says `template` with any values filled in."""
    parts = literal_parts(template)
    text = plain(main.inner_text())
    assert all(part in text for part in parts), (parts, text[:2000])


def screen_checks(page, lang: str, name: str, assert_accessible) -> None:
    """What every worker screen must be: in `lang`, its direction, phone-wide, accessible, shot."""
    page.wait_for_function("() => document.querySelector('#main h1') && !document.querySelector('#main[aria-busy]')")
    page.wait_for_timeout(300)
    html = page.evaluate("({lang: document.documentElement.lang, dir: document.documentElement.dir})")
    assert html == {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}, (name, html)
    assert page.evaluate("getComputedStyle(document.body).direction") == html["dir"], name
    no_horizontal_overflow(page)
    wide = page.evaluate("""() => [...document.querySelectorAll('#main *, header *')]
        .filter(el => { const r = el.getBoundingClientRect(); return r.width && (r.left < -1 || r.right > innerWidth + 1); })
        .map(el => el.tagName + '.' + el.className).slice(0, 5)""")
    assert wide == [], f"{name} in {lang}: sticks out {wide}"
    assert_accessible(page, f"{name} in {lang}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"walk-{lang}-{name}.png"), full_page=True)


def home_heading(main, mine: dict, first_name: str) -> None:
    """Home's heading, "Hello {name}" in the worker's language (the name isolated for the bidi rules)."""
    heading = main.get_by_role("heading", level=1, name=re.compile(first_name))
    heading.wait_for()
    assert plain(heading.inner_text()) == fill(mine["home.hello"], name=first_name)


def tomorrow_at(hour: int) -> dt.datetime:
    return dt.datetime.combine(dt.datetime.now(BRUSSELS).date() + dt.timedelta(days=1), dt.time(hour), tzinfo=BRUSSELS)


@pytest.mark.parametrize("lang, first_name, chosen", [("ar", "Amal", "api"), ("pl", "Piotr", "first screen")])
def test_a_worker_in_their_language_and_the_coach_in_dutch(lang, first_name, chosen, personas, live_server,
                                                            new_context, assert_accessible, tmp_path):
    mine, nl = words(lang), words("nl")
    # The bus network the way to work is planned on (the same feed name as the other commute tests).
    feed = write_feed(tmp_path / "live.zip", live_feed(dt.datetime.now(BRUSSELS).date()))
    assert "imported" in live_server.werkmaat("transit", "import", str(feed), "--name", "api-live").stdout

    _, coach_email, coach = coach_of_their_own(personas)
    last_name = uuid.uuid4().hex[:6]
    created = create_person(coach, role="worker", firstName=first_name, lastName=last_name,
                            workplaceId=personas.workplace_a, phone="0486 12 34 56",
                            **({"language": lang} if chosen == "api" else {}))
    worker_id, full_name = created["person"]["id"], f"{first_name} {last_name}"
    start = tomorrow_at(9)
    shift = coach.post("/api/schedule/items", json={
        "title": PLACE, "kind": "shift", "workerIds": [worker_id], "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=7)).isoformat(), "place": OOST, "bring": ["safety_shoes"]})
    assert shift.status_code == 201, shift.text

    # ---- the worker's phone: the language ------------------------------------------------------------
    context = new_context("phone", permissions=["geolocation"], geolocation=HOME)
    page = context.new_page()
    if chosen == "api":
        page.goto(created["invite"]["url"])
    else:
        page.goto("/")
        group = page.get_by_role("group", name=nl["language.choose"])
        group.wait_for()
        group.get_by_role("button", name="Polski", exact=True).click()
        page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")
        page.get_by_role("heading", level=1, name=mine["signin.title"]).wait_for()
        page.get_by_label(mine["signin.codeLabel"]).fill(created["invite"]["code"])
        page.get_by_role("button", name=mine["signin.codeSubmit"]).click()
    page.wait_for_url(re.compile(r"#/home$"))
    main = page.locator("#main")
    assert coach.get(f"/api/people/{worker_id}").json()["language"] == lang

    # ---- Home ------------------------------------------------------------------------------------------
    home_heading(main, mine, first_name)
    screen_checks(page, lang, "home", assert_accessible)
    assert main.get_by_role("button", name=mine["help.button"]).is_visible()
    more = main.locator("nav.more-links")
    for key in ("week.open", "commute.open", "report.sickButton", "report.lateButton"):
        expect(more.get_by_role("link", name=mine[key], exact=True)).to_be_visible()
    assert page.get_by_role("link", name=mine["nav.home"]).count() >= 1
    # Tomorrow's shift with its bring item, named in the worker's language (the title as the coach typed it).
    expect(main.locator("#today")).to_contain_text(PLACE)
    expect(main.locator("#today")).to_contain_text(mine["bring.safety_shoes"])
    if lang == "ar":
        assert not re.search("[\u0660-\u0669]", main.inner_text()), "times in Western digits"

    # ---- Week ------------------------------------------------------------------------------------------
    more.get_by_role("link", name=mine["week.open"], exact=True).click()
    main.get_by_role("heading", level=1, name=mine["week.title"]).wait_for()
    screen_checks(page, lang, "week", assert_accessible)
    shows_template(main, mine["week.range"])
    # Seven days, one with the shift, the others free, said in the worker's language.
    assert main.locator("section.day").count() == 7
    assert main.locator("section.day-free").get_by_text(mine["week.free"], exact=True).count() == 6
    expect(main.locator("section.day:not(.day-free)")).to_contain_text(PLACE)
    expect(main.get_by_role("link", name=mine["common.back"])).to_be_visible()

    # ---- The way to work -------------------------------------------------------------------------------
    page.goto("/#/home")
    home_heading(main, mine, first_name)
    main.locator("nav.more-links").get_by_role("link", name=mine["commute.open"], exact=True).click()
    main.get_by_role("heading", level=1, name=mine["commute.title"]).wait_for()
    # No home known yet: the server says so in the worker's language (its own catalogue).
    main.get_by_text(server_words(lang)["transit_home_unknown"], exact=True).wait_for()
    screen_checks(page, lang, "commute-no-home", assert_accessible)
    main.get_by_role("button", name=mine["commute.useLocation"]).click()
    card = main.locator(".commute-item").filter(has_text=PLACE)
    card.locator(".commute-leave").first.wait_for()
    screen_checks(page, lang, "commute", assert_accessible)
    leave = plain(card.locator(".commute-leave").first.inner_text())
    assert re.fullmatch(re.escape(mine["commute.leaveAt"]).replace(re.escape("{time}"), r"\s*08:\d\d\s*"), leave.strip()), leave
    steps = [plain(s) for s in card.locator(".commute-option").first.locator(".commute-step").all_inner_texts()]
    bus = fill(mine["commute.ride"], mode=mine["commute.mode.bus"], line="1", headsign="Oost", time="08:30",
               stop="Genk, Station")
    assert bus in steps, (bus, steps)
    assert fill(mine["commute.getOff"], stop="Genk Oost", time="08:45") in steps, steps
    assert any(re.fullmatch(re.escape(mine["commute.walkTo"]).replace(re.escape("{minutes}"), r"\d+")
                            .replace(re.escape("{stop}"), re.escape("Genk, Station")), s) for s in steps), steps
    assert card.locator(".commute-step svg").count() >= 3
    # The back arrow points to the start of the line: mirrored in Arabic only.
    arrow = main.get_by_role("link", name=mine["common.back"]).locator("svg.icon-dir")
    transform = arrow.evaluate("el => getComputedStyle(el).transform")
    assert transform.startswith("matrix(-1") == (lang == "ar"), transform

    # ---- the coach's laptop, in Dutch: a phrase reminder with the preview in the worker's language ------
    values = {"time": "09:00", "place": PLACE}
    phrase = standard("start_tomorrow")
    for_worker, for_coach = render(phrase, values, lang), render(phrase, values, "nl")
    assert for_worker.language == lang, "the phrasebook has this phrase in the worker's language"
    label = re.sub(r"\{(\w+)\}", lambda m: f"[{nl['phrases.inline.' + m.group(1)]}]", phrase.texts["nl"])
    laptop = new_context("laptop").new_page()
    coach_to_reminders(laptop, coach_email)
    laptop.get_by_label(nl["phrases.pick"], exact=True).check()
    laptop.get_by_label(nl["phrases.phrase"], exact=True).select_option(label=label)
    laptop.get_by_label(nl["phrases.slot.time"], exact=True).fill(values["time"])
    laptop.get_by_label(nl["phrases.slot.place"], exact=True).fill(values["place"])
    laptop.get_by_label(nl["reminders.worker"], exact=True).select_option(label=full_name)
    preview = laptop.locator(f".phrase-preview[data-language='{lang}']")
    expect(preview.locator(".phrase-preview-title")).to_have_text(for_worker.text)
    expect(preview.locator(".phrase-preview-title")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(preview.locator(".phrase-preview-title")).to_have_attribute("lang", lang)
    expect(preview).to_contain_text(full_name)
    assert preview.locator(".phrase-mark").count() == 0, "in the worker's own language: no 'written in Dutch'"
    assert laptop.evaluate("document.documentElement.lang") == "nl"
    assert_accessible(laptop, f"phrase reminder for a worker in {lang} (coach)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    laptop.screenshot(path=str(SHOTS / f"walk-{lang}-coach-preview.png"), full_page=True)
    laptop.get_by_role("button", name=nl["reminders.send"]).click()
    laptop.locator("#main").get_by_text(nl["reminders.sent"]).wait_for()
    reminder_card = laptop.locator("li.reminder").filter(has_text=full_name)
    expect(reminder_card.locator("h3")).to_have_text(for_coach.text)

    # ---- the worker's inbox: the phrase in their language, and one tap "I am coming" ---------------------
    entry = wait_until(lambda: next((e for e in inbox_on(page) if e["title"] == for_worker.text), None),
                       what="the phrase in the worker's inbox")
    assert entry["mark"] == ""
    page.goto("/#/inbox")
    main.get_by_role("heading", level=1, name=mine["inbox.title"]).wait_for()
    toggle = main.get_by_role("button", name=for_worker.text)
    toggle.click()
    expect(main.locator(".inbox-title").filter(has_text=for_worker.text)).to_have_count(1)
    expect(main.locator(".inbox-mark")).to_have_count(0)  # their own language: not "written in Dutch"
    coming = main.get_by_role("button", name=mine["reply.coming"], exact=True)
    coming.wait_for()
    for key in ("reply.ok", "reply.not_coming", "reply.unclear", "reply.call_me"):
        assert main.get_by_role("button", name=mine[key], exact=True).count() == 1, key
    box = coming.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48, box
    screen_checks(page, lang, "inbox", assert_accessible)
    coming.click()
    main.get_by_text(mine["reply.sent"].strip()).wait_for()
    expect(coming).to_have_attribute("aria-pressed", "true")
    status = plain(main.locator(".reply-status").first.inner_text())
    assert fill(mine["reply.yours"], reply=mine["reply.coming"]) in status, status
    screen_checks(page, lang, "inbox-replied", assert_accessible)

    # ---- the coach reads the reply in Dutch, per recipient -----------------------------------------------
    mine_sent = next(r for r in coach.get("/api/reminders").json()
                     if r["title"] == for_coach.text and any(x["name"] == full_name for x in r["recipients"]))
    state = next(r for r in mine_sent["recipients"] if r["name"] == full_name)
    assert (state["reply"], state["replyText"]) == ("coming", nl["reply.coming"])
    laptop.reload()
    laptop.get_by_role("heading", name=nl["reminders.title"], level=1).wait_for()
    row = laptop.locator("li.reminder").filter(has_text=full_name).locator("li.recipient").filter(has_text=full_name)
    expect(row.locator(".recipient-reply")).to_have_text(re.compile(
        "^" + re.escape(fill(nl["reminders.reply"], reply=nl["reply.coming"]))))
    # What the worker read, in their language, folded under their name.
    assert (state["language"], state["seen"]["title"]) == (lang, for_worker.text)
    seen = row.locator("details.recipient-seen")
    summary = seen.locator("summary")
    expect(summary).to_have_text(fill(nl["reminders.seenIn"], name=full_name, language=state["languageName"]))
    assert summary.bounding_box()["height"] >= 48
    summary.click()
    expect(seen.locator(".seen-title")).to_have_text(for_worker.text)
    expect(seen.locator(".seen-title")).to_have_attribute("lang", lang)
    assert seen.locator(".seen-title").evaluate("el => getComputedStyle(el).direction") == (
        "rtl" if lang == "ar" else "ltr")
    assert_accessible(laptop, f"the reply of a worker in {lang}, in Dutch (coach)")
    laptop.screenshot(path=str(SHOTS / f"walk-{lang}-coach-reply.png"), full_page=True)


def inbox_on(page) -> list[dict]:
    """The worker's inbox as their phone's own session reads it (its cookies, no coach involved)."""
    return page.evaluate("() => fetch('/api/inbox?limit=100', {credentials: 'same-origin'}).then(r => r.json())")
