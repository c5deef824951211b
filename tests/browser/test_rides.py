"""Buddy rides in real Chromium at phone size: the worker asks for a ride on Today, the buddy accepts
it on the rides screen, and the worker's Today shows the ride card (driver, time, car, call button);
the buddy's offer form, the coach's home form and mobility overview; axe on every screen."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from conftest import Client, create_person, token_of
from mobility_helpers import BRUSSELS, HOME, ORIGIN, stop_offers, tomorrow

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _own_offers_only():
    stop_offers()
    yield
    stop_offers()


def test_worker_asks_buddy_accepts_worker_sees_ride_on_today(personas, new_context, assert_accessible):
    from mobility_helpers import MADE_OFFERS

    coach = personas["coach_a"]
    buddy = create_person(coach, role="buddy", firstName="Bart", lastName="Buddy", phone="0472 11 22 33")
    worker = create_person(coach, role="worker", firstName="Sara", lastName=f"W{uuid.uuid4().hex[:4]}",
                           phone="0486 55 66 77", workplaceId=personas.workplace_a)
    worker_id = worker["person"]["id"]
    assert coach.put(f"/api/mobility/people/{worker_id}/home", json={
        "address": "Dorpsstraat 1, As", "latitude": HOME[0], "longitude": HOME[1]}).status_code == 200
    starts = dt.datetime.combine(tomorrow(), dt.time(8, 30), tzinfo=BRUSSELS)
    assert coach.post("/api/schedule/items", json={
        "title": "Atelier", "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=8)).isoformat(),
        "place": {"workplaceId": personas.workplace_a}}).status_code == 201

    # The buddy's phone signs in by the invite link; the offer and car are made through the API.
    buddy_page = new_context("phone").new_page()
    buddy_page.goto(buddy["invite"]["url"])
    buddy_page.wait_for_url(re.compile(r"#/home$"))
    api = Client(personas.server.url)
    code = coach.post(f"/api/people/{buddy['person']['id']}/invites").json()["code"]
    assert api.redeem(code=code).status_code == 200
    assert api.put("/api/me/buddy-profile", json={"carDescription": "rode Fiat Panda"}).status_code == 200
    made = api.post("/api/ride-offers", json={
        "weekdays": [1, 2, 3, 4, 5, 6, 7], "leaveTime": "07:45", "fromLatitude": ORIGIN[0],
        "fromLongitude": ORIGIN[1], "workplaceId": personas.workplace_a, "seats": 2, "maxDetourKm": 5})
    assert made.status_code == 201, made.text
    MADE_OFFERS.append((api, made.json()["id"]))

    # The worker asks for a ride from Today.
    worker_page = new_context("phone").new_page()
    worker_page.goto(worker["invite"]["url"])
    worker_page.wait_for_url(re.compile(r"#/home$"))
    main = worker_page.locator("#main")
    ask = main.get_by_role("button", name=re.compile(r"^Vraag een rit: Morgen 08:30"))
    ask.click()
    main.get_by_role("button", name=re.compile(r"^Vraag een rit")).wait_for(state="detached")
    assert_accessible(worker_page, "worker today, ride asked")

    # The buddy sees the request and accepts it.
    buddy_page.goto("/#/rides")
    buddy_main = buddy_page.locator("#main")
    buddy_main.get_by_role("heading", name="Kan je Sara meenemen?").wait_for()
    assert "Dorpsstraat" not in buddy_main.inner_text()
    assert_accessible(buddy_page, "buddy rides with a request")
    buddy_main.get_by_role("button", name="Ja, ik neem mee").click()
    buddy_main.get_by_text("Er zijn nu geen vragen.").wait_for()
    card = buddy_main.locator("li.card", has_text="Sara, Morgen")
    card.get_by_text("Ophaalpunt").wait_for()
    assert "Dorpsstraat" not in buddy_main.inner_text()
    assert_accessible(buddy_page, "buddy rides with a confirmed ride")
    buddy_page.goto("/#/home")
    buddy_page.locator("#main").get_by_text(re.compile("Ophalen om")).wait_for()

    # The worker's Today shows the ride: who, when, which car, and a call button.
    worker_page.reload()
    ride = worker_page.locator("#main .ride-card")
    ride.get_by_role("heading", name="Je rit Morgen").wait_for()
    assert re.search(r"Bart haalt je op om \d\d:\d\d", ride.inner_text())
    assert "rode Fiat Panda" in ride.inner_text()
    call = ride.get_by_role("link", name="Bel Bart")
    assert call.get_attribute("href") == "tel:0472112233"
    assert call.bounding_box()["height"] >= 48
    assert worker_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(worker_page, "worker today with a ride")


def test_offer_form_coach_home_form_and_overview(personas, new_context, assert_accessible):
    from mobility_helpers import MADE_OFFERS

    coach = personas["coach_a"]
    buddy = create_person(coach, role="buddy", firstName="Els", lastName="Buddy", phone="0472 11 22 44")
    page = new_context("phone").new_page()
    page.goto(buddy["invite"]["url"])
    page.wait_for_url(re.compile(r"#/home$"))
    page.goto("/#/rides/offers/new")
    main = page.locator("#main")
    main.get_by_role("heading", name="Nieuw aanbod").wait_for()
    assert_accessible(page, "offer form")
    main.get_by_label("Hoeveel plaatsen heb je vrij? (1 tot 8)").fill("0")
    main.get_by_role("button", name="Opslaan").click()
    # No starting point and zero seats: both named, nothing typed is lost.
    main.get_by_text("Kies een waarde van minstens 1.").wait_for()
    main.get_by_label("Van waar vertrek je?").fill("Coord 51.0 5.52 Kerkplein As")
    main.get_by_label("Hoeveel plaatsen heb je vrij? (1 tot 8)").fill("2")
    main.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r"#/rides$"))
    main.get_by_role("heading", name=re.compile("^Naar Atelier A")).wait_for()
    api = Client(personas.server.url)
    code = coach.post(f"/api/people/{buddy['person']['id']}/invites").json()["code"]
    assert api.redeem(code=code).status_code == 200
    for offer in api.get("/api/ride-offers").json():
        MADE_OFFERS.append((api, offer["id"]))
        assert (offer["fromLatitude"], offer["seats"]) == (51.0, 2)

    # The coach: a worker's home form on the person screen, and the mobility overview.
    worker = create_person(coach, role="worker", firstName="Tom", lastName="Overzicht", workplaceId=personas.workplace_a)
    worker_id = worker["person"]["id"]
    starts = dt.datetime.combine(tomorrow(), dt.time(9, 0), tzinfo=BRUSSELS)
    assert coach.post("/api/schedule/items", json={
        "title": "Atelier", "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=4)).isoformat()}).status_code == 201
    laptop = new_context("laptop")
    laptop.add_cookies([{"name": k, "value": v, "url": personas.server.url} for k, v in coach.cookies.items()])
    coach_page = laptop.new_page()
    coach_page.goto(f"/#/people/{worker_id}")
    coach_main = coach_page.locator("#main")
    coach_main.get_by_role("heading", name="Thuisadres").wait_for()
    coach_main.get_by_label("Breedtegraad").fill("50.98")
    coach_main.get_by_label("Lengtegraad").fill("5.49")
    coach_main.locator("section", has_text="Thuisadres").get_by_role("button", name="Opslaan").click()
    coach_main.get_by_text("Bekend: 50.98, 5.49").wait_for()
    assert coach.get(f"/api/mobility/people/{worker_id}/home").json()["latitude"] == 50.98
    assert_accessible(coach_page, "person with home form")
    coach_page.goto(f"/#/mobility/{tomorrow().isoformat()}")
    coach_main.get_by_role("link", name="Tom Overzicht").wait_for()
    assert "geen rit" in coach_main.inner_text()
    assert_accessible(coach_page, "mobility overview")
