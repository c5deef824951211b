"""The coach's screens at laptop (1280x800) and phone (360x640) size, with axe on each:

- the caseload fits 1280 px with the signals right after the name, sorts by its headers (aria-sort)
  on a laptop and by two selects on a phone;
- the coach's (and the admin's) menu shows every word whole at 360 px, each item a 48 px target;
- the impact report's stylesheet rules apply (tiles in a grid) and every chart has a visible title;
- planning warns before saving the same series twice or a clash, and "Toch opslaan" still saves;
- Settings offers "Zet in mijn agenda" (webcal://) beside "Kopieer link"; the feed names its charset
  once and answers HEAD.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import httpx
import pytest

import clock
from conftest import COACH_PASSWORD, Client, create_person, token_of, wait_until
from impact_data import spec
from test_impact_report import seed

browser = pytest.mark.browser


def new_coach(personas, organisation: str | None = None) -> tuple[str, Client]:
    email = f"screens.{uuid.uuid4().hex[:8]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                  password=COACH_PASSWORD, organisationId=organisation or personas.org_a)
    coach = Client(personas.server.url)
    assert coach.login(email, COACH_PASSWORD).status_code == 200
    return email, coach


def sign_in(page, email: str, password: str = COACH_PASSWORD) -> None:
    page.goto("/#/login")
    page.get_by_label(re.compile("E-mail", re.I)).fill(email)
    page.get_by_label(re.compile("Wachtwoord", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    page.wait_for_url(re.compile(r"#/home$"))


@pytest.fixture(scope="module")
def caseload_coach(personas) -> dict:
    """A coach with four workers: Yusuf flagged (three unread reminders), with a buddy and the LDE
    trajectory (the widest row); Anna, Bram and Ilse without signals."""
    email, coach = new_coach(personas)
    suffix = uuid.uuid4().hex[:4]
    buddy = create_person(coach, role="buddy", firstName="Marc", lastName=f"Vervoer{suffix}")["person"]["id"]
    ids = {}
    for first in ("Yusuf", "Anna", "Bram", "Ilse"):
        extra = {"buddyId": buddy} if first == "Yusuf" else {}
        created = create_person(coach, role="worker", firstName=first, lastName=f"Lid{suffix}", **extra)
        ids[first] = created["person"]["id"]
        if first == "Yusuf":  # on a phone: reminders reach him, and stay unread
            assert Client(personas.server.url).redeem(token=token_of(created["invite"])).status_code == 200
    for n in range(3):
        assert coach.post("/api/reminders", json={"title": f"Herinnering {n}", "workerIds": [ids["Yusuf"]]}).status_code == 201
    # A note makes the rules look at Yusuf again (as the nightly job would): three unread is a signal.
    assert coach.post(f"/api/coaching/workers/{ids['Yusuf']}/notes", json={"body": "Start"}).status_code == 201
    wait_until(lambda: any(r["personId"] == ids["Yusuf"] and r["flags"]
                           for r in coach.get("/api/coaching/caseload").json()), what="Yusuf flagged")
    lde = next(t for t in coach.get("/api/coaching/templates").json() if t["programme"] == "lde")
    assert coach.post(f"/api/coaching/workers/{ids['Yusuf']}/milestones", json={"templateId": lde["id"]}).status_code == 200
    return {"email": email, "coach": coach, "ids": ids, "suffix": suffix}


def open_caseload(page, email: str):
    sign_in(page, email)
    page.locator("#nav").get_by_role("link", name=re.compile("Caseload")).click()
    main = page.locator("#main")
    main.get_by_role("heading", name="Mijn caseload", level=1).wait_for()
    return main, main.get_by_role("table", name=re.compile("Je werknemers"))


def shown_names(table) -> list[str]:
    return [name.split(" ")[0] for name in table.locator("tbody th a").all_inner_texts()]


@browser
def test_caseload_fits_a_laptop_with_the_signals_first_and_sorts_by_header(caseload_coach, new_context,
                                                                           assert_accessible, tmp_path):
    page = new_context("laptop").new_page()
    main, table = open_caseload(page, caseload_coach["email"])
    headers = table.locator("thead th")
    assert headers.nth(0).inner_text().strip() == "Naam"
    assert headers.nth(1).inner_text().strip().startswith("Signalen"), "the signals right after the name"
    sizes = page.evaluate("""() => {
        const table = document.querySelector('table.caseload');
        const wrap = table.parentElement;
        const flags = [...table.querySelectorAll('td[data-col="flags"]')].map(td => td.getBoundingClientRect().right);
        return {page: document.documentElement.scrollWidth, view: window.innerWidth, table: table.scrollWidth,
                wrap: wrap.clientWidth, right: table.getBoundingClientRect().right, flags: Math.max(...flags),
                columns: [...table.querySelectorAll('thead th')].map(th => Math.round(th.getBoundingClientRect().width))};
    }""")
    assert sizes["page"] <= sizes["view"], sizes
    assert sizes["table"] <= sizes["wrap"] and sizes["right"] <= sizes["view"], f"the table fits 1280 px: {sizes}"
    assert sizes["flags"] <= sizes["view"], "the signals are on screen"
    assert not main.get_by_label("Sorteer op").is_visible(), "a laptop sorts by the headers"
    # Sorted by the signals first: the flagged worker on top.
    assert shown_names(table)[0] == "Yusuf"
    assert headers.nth(1).get_attribute("aria-sort") == "descending"
    assert_accessible(page, "caseload laptop")
    page.screenshot(path=str(tmp_path / "caseload-laptop.png"))

    name = headers.nth(0).get_by_role("button")
    name.click()
    assert shown_names(table) == ["Anna", "Bram", "Ilse", "Yusuf"]
    assert headers.nth(0).get_attribute("aria-sort") == "ascending"
    assert headers.nth(1).get_attribute("aria-sort") == "none"
    name.click()
    assert shown_names(table) == ["Yusuf", "Ilse", "Bram", "Anna"]
    assert headers.nth(0).get_attribute("aria-sort") == "descending"
    page.wait_for_function("() => document.getElementById('status').textContent === 'Gesorteerd op Naam, aflopend.'")


@browser
def test_caseload_sorts_on_a_phone(caseload_coach, new_context, assert_accessible, tmp_path):
    page = new_context("phone").new_page()
    main, table = open_caseload(page, caseload_coach["email"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    sort_by, order = main.get_by_label("Sorteer op"), main.get_by_label("Volgorde")
    assert sort_by.is_visible() and order.is_visible()
    assert sort_by.input_value() == "flags" and order.input_value() == "desc"
    # On a card the signals come right after the name too.
    card = table.locator("tbody tr").first
    assert card.locator("td").first.get_attribute("data-col") == "flags"
    for control in (sort_by, order):
        box = control.bounding_box()
        assert box["height"] >= 48 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert_accessible(page, "caseload phone")
    page.screenshot(path=str(tmp_path / "caseload-phone.png"), full_page=True)

    sort_by.select_option("name")
    assert order.input_value() == "asc"
    assert shown_names(table) == ["Anna", "Bram", "Ilse", "Yusuf"]
    assert table.locator("thead th").first.get_attribute("aria-sort") == "ascending"
    order.select_option("desc")
    assert shown_names(table) == ["Yusuf", "Ilse", "Bram", "Anna"]
    sort_by.select_option("flags")
    assert shown_names(table)[0] == "Yusuf" and order.input_value() == "desc"


NAV_CHECK = """() => [...document.querySelectorAll('#nav a')].map(a => {
    const label = a.querySelector('span:not(.count)');
    const box = a.getBoundingClientRect();
    // A word broken over two lines ("Herinnering / en") has two boxes: count the lines of each word.
    const text = label.firstChild, words = [];
    let at = 0;
    for (const word of label.textContent.split(' ')) {
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        words.push(new Set([...range.getClientRects()].map(r => Math.round(r.top))).size);
        at += word.length + 1;
    }
    return {text: label.textContent, width: box.width, height: box.height, left: box.left, right: box.right,
            broken: words.some(lines => lines > 1),
            cut: label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 1,
            ellipsis: getComputedStyle(label).textOverflow === 'ellipsis' && label.scrollWidth > label.clientWidth};
})"""


@browser
@pytest.mark.parametrize("who", ["coach", "admin"])
def test_the_menu_shows_every_word_whole_on_a_phone(caseload_coach, new_context, assert_accessible, who):
    from conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    page = new_context("phone").new_page()
    if who == "coach":
        sign_in(page, caseload_coach["email"])
        expected = {"Home", "Caseload", "Herinneringen", "Rapport", "Berichten", "Instellingen"}
    else:
        sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
        expected = {"Home", "Rapport", "Logboek", "Berichten", "Instellingen"}
    items = page.evaluate(NAV_CHECK)
    assert {i["text"] for i in items} == expected
    for item in items:
        assert not item["cut"] and not item["ellipsis"] and not item["broken"], f"{item['text']!r} is cut: {item}"
        assert item["height"] >= 48 and item["width"] >= 48, item
        assert item["left"] >= 0 and item["right"] <= 360, item
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Each item still leads where it says.
    page.locator("#nav").get_by_role("link", name="Instellingen").click()
    page.get_by_role("heading", name="Instellingen", level=1).wait_for()
    assert_accessible(page, f"{who} menu at 360 px")


@pytest.fixture(scope="module")
def report_email(personas) -> str:
    admin = personas["admin"]
    org = admin.post("/api/organisations", json={"name": f"Schermen {uuid.uuid4().hex[:6]}", "kind": "lde",
                                                 "city": "Genk"}).json()["id"]
    email, _ = new_coach(personas, org)
    seed(personas.server, spec(org))
    return email


@browser
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_report_tiles_are_laid_out_and_chart_titles_are_visible(report_email, new_context, assert_accessible,
                                                               size, tmp_path):
    page = new_context(size).new_page()
    sign_in(page, report_email)
    page.locator("#nav").get_by_role("link", name="Rapport").click()
    main = page.locator("#main")
    main.get_by_role("heading", level=1, name="Impactrapport").wait_for()
    main.get_by_label("Van").fill("2026-03-01")
    main.get_by_label("Tot en met").fill("2026-03-31")
    main.get_by_role("button", name="Toon rapport").click()
    main.get_by_text("Periode: 2026-03-01 tot en met 2026-03-31.").wait_for()

    # The rules after the badge's (once swallowed by its unclosed block) apply again.
    layout = page.evaluate("""() => ({
        tiles: getComputedStyle(document.querySelector('.tiles')).display,
        charts: getComputedStyle(document.querySelector('.charts')).display,
        value: getComputedStyle(document.querySelector('.tile-value')).fontWeight,
        summary: document.querySelector('.chart-figure summary').getBoundingClientRect().height,
    })""")
    assert layout["tiles"] == "grid" and layout["charts"] == "grid", layout
    assert layout["value"] == "700" and layout["summary"] >= 48, layout
    titles = main.locator("figure.chart-figure > figcaption")
    assert titles.all_inner_texts() == ["Uren: gepland, gewerkt en opleiding", "Mijlpalen bereikt, mensen per mijlpaal",
                                        "Doorgestroomd, mensen per soort job"]
    for i in range(titles.count()):
        title = titles.nth(i)
        assert title.is_visible()
        box = title.bounding_box()
        chart = main.locator("figure.chart-figure").nth(i).locator("svg").bounding_box()
        assert box["y"] + box["height"] <= chart["y"] + 1, "the title stands above its chart"
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, f"impact report {size}")
    page.screenshot(path=str(tmp_path / f"report-{size}.png"), full_page=True)


def plan_screen(page, email: str, worker_id: str):
    sign_in(page, email)
    page.goto(f"/#/plan/{worker_id}")
    page.get_by_role("heading", name="Iets plannen").wait_for()
    return page.locator("#main")


def when(main):
    """The fields of the way of planning chosen (once or weekly); the other set is disabled."""
    return main.locator("fieldset.plan-when:not([disabled])")


def fill_weekly(main, title: str, valid_from: dt.date) -> None:
    main.get_by_label(re.compile("^Titel")).fill(title)
    main.get_by_label("Elke week").check()
    when(main).get_by_label(re.compile("^Vanaf")).fill(valid_from.isoformat())


DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]


def dutch_day(day: dt.date) -> str:
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


@browser
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_planning_the_same_series_twice_warns_before_saving(personas, new_context, assert_accessible, size,
                                                           tmp_path):
    email, coach = new_coach(personas)
    worker = create_person(coach, role="worker", firstName="Ahmed", lastName=f"Dubbel{uuid.uuid4().hex[:4]}")
    worker_id, name = worker["person"]["id"], f"Ahmed {worker['person']['lastName']}"
    monday = clock.local_now().date() + dt.timedelta(days=7)
    monday -= dt.timedelta(days=monday.isoweekday() - 1)
    first = coach.post("/api/schedule/series", json={
        "title": "Atelier", "workerIds": [worker_id], "weekdays": [1, 2, 3, 4, 5], "startTime": "08:00",
        "endTime": "16:00", "validFrom": monday.isoformat()})
    assert first.status_code == 201, first.text

    page = new_context(size).new_page()
    main = plan_screen(page, email, worker_id)
    fill_weekly(main, "Atelier", monday)
    main.get_by_role("button", name="Plannen", exact=True).click()
    warning = main.locator("section.conflict-warning")
    warning.get_by_role("heading", name="Let op: dit botst met de planning").wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Let op: dit botst met de planning"
    line = warning.locator("li").first.inner_text()
    # The first day to come: the next Monday (that is `monday`; the series starts then).
    assert line == f"{name} heeft deze reeks al: Atelier, vanaf {dutch_day(monday)}, 08:00-16:00. En nog 129 keer daarna.", line
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for button in ("Toch opslaan", "Aanpassen"):
        control = warning.get_by_role("button", name=button)
        assert control.bounding_box()["height"] >= 48
        assert control.evaluate("b => b.scrollWidth <= b.clientWidth"), f"{button!r} fits its button"
    assert_accessible(page, f"plan warning {size}")
    warning.screenshot(path=str(tmp_path / f"plan-warning-{size}.png"))
    assert len(series_of(coach, worker_id, monday)) == 1, "nothing saved yet"

    # "Aanpassen": the warning goes; changing the plan also clears it.
    warning.get_by_role("button", name="Aanpassen").click()
    assert warning.is_hidden()
    main.get_by_role("button", name="Plannen", exact=True).click()
    warning.get_by_role("button", name="Toch opslaan").wait_for()
    main.get_by_label(re.compile("^Titel")).fill("Atelier namiddag")
    assert warning.is_hidden(), "a changed plan is checked again"
    main.get_by_role("button", name="Plannen", exact=True).click()
    warning.get_by_role("button", name="Toch opslaan").click()
    main.get_by_text(f"Atelier namiddag is gepland voor {name}.").wait_for()
    assert sorted(i["title"] for i in series_of(coach, worker_id, monday)) == ["Atelier", "Atelier namiddag"]


def series_of(coach: Client, worker_id: str, day: dt.date) -> list[dict]:
    items = coach.get("/api/schedule/items", params={"workerId": worker_id, "from": day.isoformat(),
                                                     "to": day.isoformat()}).json()
    return items


@browser
def test_a_clash_with_one_item_is_named_and_a_free_slot_saves_at_once(personas, new_context, assert_accessible):
    email, coach = new_coach(personas)
    worker = create_person(coach, role="worker", firstName="Fatma", lastName=f"Vrij{uuid.uuid4().hex[:4]}")
    worker_id = worker["person"]["id"]
    day = clock.local_now().date() + dt.timedelta(days=3)
    response = coach.post("/api/schedule/items", json={
        "title": "Sollicitatietraining", "kind": "training", "workerIds": [worker_id],
        "startsAt": clock.at(day, 9).isoformat(), "endsAt": clock.at(day, 12).isoformat()})
    assert response.status_code == 201, response.text

    page = new_context("phone").new_page()
    main = plan_screen(page, email, worker_id)
    main.get_by_label(re.compile("^Titel")).fill("Werk in het magazijn")
    when(main).get_by_label("Datum").fill(day.isoformat())
    main.get_by_role("button", name="Plannen", exact=True).click()
    warning = main.locator("section.conflict-warning")
    warning.get_by_role("heading", name="Let op: dit botst met de planning").wait_for()
    assert warning.locator("li").all_inner_texts() == [
        f"Fatma {worker['person']['lastName']} heeft dan al: Sollicitatietraining, {dutch_day(day)} 09:00-12:00."]
    assert_accessible(page, "plan warning for one item")
    # After the training it is free: saved at once, no warning.
    when(main).get_by_label("Begint om").fill("13:00")
    when(main).get_by_label("Eindigt om").fill("17:00")
    main.get_by_role("button", name="Plannen", exact=True).click()
    main.get_by_text(re.compile("Werk in het magazijn is gepland voor Fatma")).wait_for()
    assert warning.count() == 0 or warning.is_hidden()
    titles = [i["title"] for i in coach.get("/api/schedule/items", params={
        "workerId": worker_id, "from": day.isoformat(), "to": day.isoformat()}).json()]
    assert titles == ["Sollicitatietraining", "Werk in het magazijn"]


@browser
def test_settings_offer_zet_in_mijn_agenda_beside_kopieer_link(personas, new_context, assert_accessible):
    created = create_person(personas["coach_a"], role="worker", firstName="Kalender", lastName=uuid.uuid4().hex[:6])
    page = new_context("phone").new_page()
    page.goto(created["invite"]["url"])
    page.wait_for_url(re.compile(r"#/home$"))
    page.goto("/#/settings")
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Mijn agenda"))
    section.wait_for()
    link = section.locator("#calendar-link").input_value()
    assert link.startswith(personas.server.url + "/cal/")
    subscribe = section.get_by_role("link", name="Zet in mijn agenda")
    assert subscribe.get_attribute("href") == "webcal://" + link.split("://", 1)[1]
    copy = section.get_by_role("button", name="Kopieer link")
    assert subscribe.evaluate("(a, b) => a.parentElement === b.parentElement", copy.element_handle())
    for control in (subscribe, copy):
        box = control.bounding_box()
        assert box["height"] >= 48 and box["x"] + box["width"] <= 360
    assert_accessible(page, "settings with the calendar")

    # A new link: the webcal link follows it.
    section.get_by_role("button", name="Nieuwe link").click()
    section.get_by_role("button", name="Ja, nieuwe link").click()
    section.get_by_text("Nieuwe link gemaakt. De oude link werkt niet meer.").wait_for()
    fresh = section.locator("#calendar-link").input_value()
    assert fresh != link and subscribe.get_attribute("href") == "webcal://" + fresh.split("://", 1)[1]


def test_calendar_feed_names_its_charset_once_and_answers_head(personas):
    created = create_person(personas["coach_a"], role="worker", firstName="Feed", lastName=uuid.uuid4().hex[:6])
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    url = phone.get("/api/calendar").json()["url"]
    got = httpx.get(url)
    assert got.status_code == 200
    assert got.headers.get_list("content-type") == ["text/calendar; charset=utf-8"]
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert int(head.headers["content-length"]) == len(got.content)
    assert head.headers["content-disposition"] == got.headers["content-disposition"]
    assert httpx.head(personas.server.url + "/cal/garbage.ics").status_code == 404
