"""The worker's Home at 360x640 in real Chromium (SQLite and PostgreSQL): one clear next step.

- The next item and its main action ("Ik ben er", or "Vertrek om 08:29") are in the first screen; the
  push opt-in card comes after them.
- In the evening the finished shift folds into one line ("Gedaan: werk 08:00-16:00 ✓") and the real
  next item is on top.
- One main action; the rest are plain links. The Week is a compact list (time, pictogram, title, place;
  "Meer" for the details), not cards repeating Route, Bring and Call.
- "Lees voor" reads the meaning, built from the data, with the right language tag (nl-BE / en-GB).
- Pickup points by name and address, with the map link behind; the buddy names one; "Omweg 0,7 km".
Screenshots of Home, Week and the way to work are saved under the test's tmp dir.

Each test has a server of its own at a fixed instant (`server_at`); the page's clock follows it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clock import BRUSSELS
from browser_fixtures import speech_stub
from conftest import build_personas, create_person
from transit_feeds import live_feed, write_feed

pytestmark = pytest.mark.browser
WEDNESDAY, THURSDAY = dt.date(2026, 12, 2), dt.date(2026, 12, 3)
SCREEN = 640



def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BRUSSELS)


def new_worker(p, first_name: str, **extra) -> tuple[str, str]:
    created = create_person(p["coach_a"], role="worker", firstName=first_name, lastName="Test",
                            workplaceId=p.workplace_a, phone="0486 55 66 77", **extra)
    return created["person"]["id"], created["invite"]["url"]


def plan(p, worker_id: str, start: dt.datetime, end: dt.datetime, title: str, kind: str = "shift",
         place: dict | None = None, **extra) -> dict:
    response = p["coach_a"].post("/api/schedule/items", json={
        "title": title, "kind": kind, "workerIds": [worker_id], "startsAt": start.isoformat(),
        "endsAt": end.isoformat(), "place": place or {"workplaceId": p.workplace_a}, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def phone(new_context, server, speech: bool = True):
    context = new_context("phone", server=server)
    if speech:
        context.add_init_script(speech_stub())
    return context


def bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


def screens(page) -> float:
    return page.evaluate("document.documentElement.scrollHeight") / SCREEN


def spoken(page) -> list[dict]:
    """Tap "Lees voor" and return what was said (the code that reads is loaded on the first tap)."""
    before = page.evaluate("window.__spoken.length")
    page.get_by_role("button", name=re.compile("^(Lees voor|Read aloud)")).first.click()
    page.wait_for_function("n => window.__spoken.length > n", arg=before)
    return page.evaluate("window.__spoken")


def main_primaries(page):
    """Visible primary buttons on the screen, leaving out the push card's own."""
    return page.locator("#main .btn-primary:visible").evaluate_all(
        "els => els.filter(el => !el.closest('.push-card')).map(el => el.textContent.trim())")


def test_first_screen_has_the_next_item_and_its_action_before_the_push_card(server_at, new_context,
                                                                         assert_accessible, tmp_path):
    server = server_at(at(WEDNESDAY, 7, 40))
    p = build_personas(server)
    worker_id, invite = new_worker(p, "Yusuf")
    plan(p, worker_id, at(WEDNESDAY, 8), at(WEDNESDAY, 12), "Werken in het atelier",
         contactName="Jan Peeters", contactPhone="0470 11 22 33", bring=["safety_shoes", "work_clothes", "lunch"],
         note="Meld je aan bij het onthaal, de deur links van de grote poort.")
    plan(p, worker_id, at(WEDNESDAY, 13), at(WEDNESDAY, 14), "Opleiding heftruck", kind="training",
         place={"address": "Stationsplein 1, 3600 Genk"}, bring=["id_card", "pen"])
    page = phone(new_context, server).new_page()
    page.goto(invite)
    today = page.locator("#today")
    action = today.get_by_role("button", name=re.compile("^Ik ben er.*Werken in het atelier"))
    action.wait_for()
    push = page.get_by_role("region", name="Meldingen op dit toestel", exact=True)
    push.wait_for()

    # The next item (title, time) and its main action are on the first screen; the card asking for
    # notifications comes after them.
    title = today.locator(".item-next .item-title")
    assert title.inner_text() == "Werken in het atelier"
    assert bottom(action) <= SCREEN, f"'Ik ben er' ends at y={bottom(action)}"
    assert bottom(today.locator(".item-next .item-when")) <= SCREEN
    assert push.bounding_box()["y"] >= bottom(action), "the push card comes after the main action"
    # One main action; the rest are plain links.
    assert main_primaries(page) == ["Ik ben er Werken in het atelier"], main_primaries(page)
    more = page.get_by_role("navigation", name="Meer")
    for name in ("Mijn week", "Hoe geraak ik op het werk?", "Ik ben ziek", "Ik kom te laat", "Mijn traject"):
        link = more.get_by_role("link", name=name)
        assert link.is_visible() and link.bounding_box()["height"] >= 48, name
    # The later training is one short row; its details open in place.
    row = today.locator("article.item-row", has=page.get_by_role("heading", name="Opleiding heftruck"))
    assert "13:00-14:00" in row.inner_text() and "Stationsplein 1" in row.inner_text()
    assert row.get_by_text("Identiteitskaart").count() == 0
    row.get_by_role("button", name=re.compile("^Meer.*Opleiding heftruck")).click()
    assert row.get_by_text("Identiteitskaart", exact=True).is_visible()
    assert row.get_by_role("button", name=re.compile("^Meer")).get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "worker home with the push card")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "home-morning-360x640.png"))
    page.screenshot(path=str(tmp_path / "home-morning-full.png"), full_page=True)
    print(f"Home (morning, push card): {screens(page):.1f} screens; {tmp_path}")

    # "Lees voor" says what the day means, not the buttons.
    said = spoken(page)
    assert said and said[-1]["lang"] == "nl-BE", said
    text = said[-1]["text"]
    assert text.startswith("Vandaag om 8 uur werk je in Atelier A."), text
    assert "Neem je veiligheidsschoenen, werkkleren en eten mee." in text
    assert "Vraag naar Jan Peeters." in text and "Let op: Meld je aan bij het onthaal" in text
    assert "Vandaag om 13 uur heb je opleiding op Stationsplein 1, 3600 Genk." in text
    for button_word in ("Ik ben er", "Route", "Bel", "Lees voor", "Meer"):
        assert button_word not in text, (button_word, text)

    # "Ik ben er" works from Home as before.
    action.click()
    today.get_by_text(re.compile(r"Je bent ingecheckt om \d\d:\d\d")).wait_for()


def test_evening_folds_the_finished_shift_and_puts_tomorrow_on_top_with_leave_time(
        server_at, new_context, assert_accessible, tmp_path):
    server = server_at(at(WEDNESDAY, 18, 30))
    p = build_personas(server)
    feed = write_feed(tmp_path / "live.zip", live_feed(WEDNESDAY))
    assert "imported" in server.werkmaat("transit", "import", str(feed), "--name", "api-live").stdout
    # A workplace beside stop D of the test network (bus 1 from stop A, every 30 minutes, 15 minutes).
    zuid = p["admin"].post(f"/api/organisations/{p.org_a}/workplaces", json={
        "name": "Atelier Genk-Zuid", "city": "Genk", "latitude": 50.9650, "longitude": 5.5350})
    assert zuid.status_code == 201, zuid.text
    worker_id, invite = new_worker(p, "Mira")
    home = p["coach_a"].put(f"/api/mobility/people/{worker_id}/home", json={
        "address": "Dorpsstraat 1, Genk", "latitude": 50.9650, "longitude": 5.4990})
    assert home.status_code == 200, home.text
    plan(p, worker_id, at(WEDNESDAY, 8), at(WEDNESDAY, 16), "Inpakken")
    plan(p, worker_id, at(THURSDAY, 9), at(THURSDAY, 16), "Productie donderdag",
         place={"workplaceId": zuid.json()["id"]}, bring=["safety_shoes"])

    context = phone(new_context, server)
    page = context.new_page()
    page.goto(invite)
    today = page.locator("#today")
    done = today.get_by_text("Gedaan: werk 08:00-16:00 ✓", exact=True)
    done.wait_for()
    leave = today.get_by_role("link", name=re.compile(r"^Vertrek om 08:\d\d$"))
    leave.wait_for()

    # The real next item is on top, with its main action, above the folded line, on the first screen.
    titles = today.locator(".item-title").all_inner_texts()
    assert titles == ["Productie donderdag"], titles
    assert "Inpakken" not in today.inner_text(), "the finished shift is only the one line"
    assert today.locator(".item-next .item-when").inner_text().startswith("Morgen")
    assert bottom(leave) <= SCREEN and leave.bounding_box()["y"] < done.bounding_box()["y"]
    assert leave.get_attribute("href") == "#/commute"
    assert main_primaries(page) == [leave.inner_text()], main_primaries(page)
    assert_accessible(page, "worker home in the evening")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "home-evening-360x640.png"))
    print(f"Home (evening): {screens(page):.1f} screens; {tmp_path}")

    said = spoken(page)
    assert said[-1]["lang"] == "nl-BE"
    assert said[-1]["text"].startswith(
        "Morgen om 9 uur werk je in Atelier Genk-Zuid. Neem je veiligheidsschoenen mee. De bus vertrekt om 8 uur 30."
    ), said[-1]["text"]
    assert "Je werk van 8 uur tot 16 uur is gedaan." in said[-1]["text"]

    # The way to work, for the screenshot (and the same leave time).
    leave.click()
    page.locator("#main").get_by_text("Vertrek thuis om 08:").first.wait_for()
    assert_accessible(page, "way to work")
    page.screenshot(path=str(tmp_path / "commute-360x640.png"))

    # In English the sentences are English, with the English voice.
    page.goto("/#/settings")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Settings", level=1).wait_for()
    page.goto("/#/home")
    page.locator("#today").get_by_text("Done: work 08:00-16:00 ✓", exact=True).wait_for()
    page.locator("#today").get_by_role("link", name=re.compile(r"^Leave at 08:\d\d$")).wait_for()
    said = spoken(page)
    assert said[-1]["lang"] == "en-GB"
    assert said[-1]["text"].startswith(
        "Tomorrow at 9 o'clock you work at Atelier Genk-Zuid. Bring your safety shoes. The bus leaves at 8:30."
    ), said[-1]["text"]


def test_week_is_a_compact_list_with_details_on_tap(server_at, new_context, assert_accessible, tmp_path):
    server = server_at(at(WEDNESDAY, 7, 0))
    p = build_personas(server)
    worker_id, invite = new_worker(p, "Sara")
    for offset in range(5):
        day = WEDNESDAY + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        plan(p, worker_id, at(day, 8), at(day, 16), f"Productie {day:%a}", contactName="Jan Peeters",
             contactPhone="0470 11 22 33", bring=["safety_shoes", "work_clothes"], note="Neem de zij-ingang.")
    plan(p, worker_id, at(THURSDAY, 17), at(THURSDAY, 18), "Gesprek", kind="coach_meeting",
         place={"address": "Stationsplein 1, 3600 Genk"})
    page = phone(new_context, server).new_page()
    page.goto(invite)
    page.locator("#today").get_by_role("heading", name="Productie Wed").wait_for()
    page.goto("/#/week")
    page.get_by_role("heading", name="Mijn week", level=1).wait_for()
    main = page.locator("#main")
    rows = main.locator("article.item-row")
    assert rows.count() == 4, rows.all_inner_texts()
    # Each row: time, kind, title and place; no Route, Bring or Call until "Meer" is tapped.
    first = rows.first
    assert re.search(r"08:00-16:00\s*Werk\s*Productie Wed\s*Atelier A", first.inner_text()), first.inner_text()
    assert first.locator("svg.icon").count() >= 1
    for word in ("Route", "Bel", "Veiligheidsschoenen", "Neem mee"):
        assert main.get_by_text(word, exact=False).filter(visible=True).count() == 0, word
    assert first.get_by_text("Nu bezig").count() + first.get_by_text("Hierna").count() == 1
    height = screens(page)
    assert height <= 3.0, f"the week is {height:.1f} screens"
    page.screenshot(path=str(tmp_path / "week-360x640.png"))
    page.screenshot(path=str(tmp_path / "week-full.png"), full_page=True)
    print(f"Week: {height:.1f} screens; {tmp_path}")
    assert_accessible(page, "week, compact")

    meeting = main.locator("article.item-row", has=page.get_by_role("heading", name="Gesprek"))
    assert "17:00-18:00" in meeting.inner_text() and "Gesprek met coach" in meeting.inner_text()
    first.get_by_role("button", name=re.compile("^Meer.*Productie Wed")).click()
    assert first.get_by_text("Veiligheidsschoenen", exact=True).is_visible()
    assert first.get_by_role("link", name=re.compile("^Route")).get_attribute("href").startswith(
        "https://www.google.com/maps/dir/")
    assert first.get_by_role("link", name="Bel Jan Peeters").get_attribute("href") == "tel:0470112233"
    assert first.get_by_text("Neem de zij-ingang.").is_visible()
    assert_accessible(page, "week, one item open")

    said = spoken(page)
    assert said[-1]["lang"] == "nl-BE"
    assert said[-1]["text"].startswith("Vandaag om 8 uur werk je in Atelier A. Morgen om 8 uur werk je in Atelier A."), \
        said[-1]["text"]
    assert "Morgen om 17 uur heb je een gesprek met je coach op Stationsplein 1, 3600 Genk." in said[-1]["text"]


def test_pickup_point_by_name_the_buddy_names_it_and_detour_in_dutch_numbers(personas, new_context,
                                                                            assert_accessible, tmp_path):
    from conftest import Client
    from mobility_helpers import ask, new_worker as ride_worker, offer, shift, stop_offers

    stop_offers()
    try:
        coach = personas["coach_a"]
        buddy = create_person(coach, role="buddy", firstName="Bart", lastName="Rijder", phone="0472 11 22 33")
        buddy_page = new_context("phone").new_page()
        buddy_page.goto(buddy["invite"]["url"])
        buddy_page.wait_for_url(re.compile(r"#/home$"))
        # The buddy's offer, made through a second session of the same buddy.
        api = Client(personas.server.url)
        code = coach.post(f"/api/people/{buddy['person']['id']}/invites").json()["code"]
        assert api.redeem(code=code).status_code == 200
        offer(personas, api)
        worker_id, worker_api = ride_worker(personas, "Sara")
        item_id = shift(personas, [worker_id])
        ask(worker_api, item_id)

        buddy_page.goto("/#/rides")
        main = buddy_page.locator("#main")
        main.get_by_role("heading", name="Kan je Sara meenemen?").wait_for()
        assert re.search(r"Omweg \d+,\d km\.", main.inner_text()), "a Dutch decimal comma"
        main.get_by_role("button", name="Ja, ik neem mee").click()
        card = main.locator("li.card", has_text="Sara, Morgen")
        card.get_by_text("Ophaalpunt").wait_for()
        assert "in de straat van Sara" in card.inner_text()
        assert not re.search(r"\d+\.\d{3}, \d+\.\d{3}", card.inner_text()), "no bare coordinates"
        card.get_by_role("button", name="Geef de plek een naam").click()
        card.get_by_label("Waar haal je op?").fill("Bushalte Stalenstraat")
        card.get_by_label(re.compile("Adres van die plek")).fill("Stalenstraat 40, 3600 Genk")
        card.get_by_role("button", name="Opslaan").click()
        card = main.locator("li.card", has_text="Sara, Morgen")
        card.locator(".pickup-name", has_text="Bushalte Stalenstraat").wait_for()
        assert card.get_by_text("Stalenstraat 40, 3600 Genk").is_visible()
        map_link = card.get_by_role("link", name=re.compile("^Op de kaart"))
        assert map_link.get_attribute("href").startswith("https://www.google.com/maps/search/")
        assert map_link.bounding_box()["height"] >= 48
        assert_accessible(buddy_page, "buddy rides, named pickup")

        # The worker sees the name and the address; the map stays behind a link.
        invite = coach.post(f"/api/people/{worker_id}/invites").json()
        worker_page = new_context("phone").new_page()
        worker_page.goto(invite["url"])
        ride = worker_page.locator("#main .ride-card")
        ride.get_by_role("heading", name="Je rit Morgen").wait_for()
        assert ride.locator(".pickup-name").inner_text() == "Bushalte Stalenstraat"
        assert "Stalenstraat 40, 3600 Genk" in ride.inner_text()
        assert ride.get_by_role("link", name=re.compile("^Op de kaart")).get_attribute("href").startswith(
            "https://www.google.com/maps/search/")
        assert_accessible(worker_page, "worker home, named pickup")
        worker_page.screenshot(path=str(tmp_path / "home-ride-full.png"), full_page=True)
    finally:
        stop_offers()
