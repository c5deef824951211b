"""Building blocks for ride tests: a buddy with an offer, a worker with a home and a shift.

Every helper makes fresh people, so tests never share seats or rides. Coordinates lie along the
road from As to Genk, where organisation A's workplace is (see conftest `build_personas`).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from zoneinfo import ZoneInfo

from conftest import Client, create_person, token_of

BRUSSELS = ZoneInfo("Europe/Brussels")
HOME = (50.9850, 5.5000)
ORIGIN = (51.0000, 5.5200)
# Offers made by the helpers; `stop_offers` ends them, so one test's offers never take another's
# proposals (all buddies of organisation A drive the same road).
MADE_OFFERS: list[tuple[Client, str]] = []


def stop_offers() -> None:
    while MADE_OFFERS:
        buddy, offer_id = MADE_OFFERS.pop()
        buddy.delete(f"/api/ride-offers/{offer_id}")


def new_buddy(personas, name: str = "Bart", car: str = "grijze Opel Corsa") -> tuple[str, Client]:
    created = create_person(personas["coach_a"], role="buddy", firstName=name, lastName=f"B{uuid.uuid4().hex[:4]}",
                            phone="0472 11 22 33")
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    if car:
        assert phone.put("/api/me/buddy-profile", json={"carDescription": car}).status_code == 200
    return created["person"]["id"], phone


def new_worker(personas, name: str = "Sara", home=HOME, workplace: bool = True) -> tuple[str, Client]:
    body = dict(role="worker", firstName=name, lastName=f"W{uuid.uuid4().hex[:4]}", phone="0486 55 66 77")
    if workplace:
        body["workplaceId"] = personas.workplace_a
    created = create_person(personas["coach_a"], **body)
    worker_id = created["person"]["id"]
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    if home:
        response = personas["coach_a"].put(f"/api/mobility/people/{worker_id}/home", json={
            "address": "Dorpsstraat 1, 3665 As", "latitude": home[0], "longitude": home[1]})
        assert response.status_code == 200, response.text
    return worker_id, phone


def tomorrow() -> dt.date:
    return dt.datetime.now(BRUSSELS).date() + dt.timedelta(days=1)


def shift(personas, worker_ids: list[str], day: dt.date | None = None, at: str = "08:30",
          hours: int = 8, starts: dt.datetime | None = None) -> str:
    if starts is None:
        day = day or tomorrow()
        h, m = map(int, at.split(":"))
        starts = dt.datetime.combine(day, dt.time(h, m), tzinfo=BRUSSELS)
    response = personas["coach_a"].post("/api/schedule/items", json={
        "title": "Atelier", "kind": "shift", "workerIds": worker_ids, "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=hours)).isoformat(),
        "place": {"workplaceId": personas.workplace_a}})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def offer(personas, buddy: Client, **changes) -> dict:
    body = {"weekdays": [1, 2, 3, 4, 5, 6, 7], "leaveTime": "07:45", "fromAddress": "Kerkplein, As",
            "fromLatitude": ORIGIN[0], "fromLongitude": ORIGIN[1], "workplaceId": personas.workplace_a,
            "seats": 2, "maxDetourKm": 5}
    body.update(changes)
    response = buddy.post("/api/ride-offers", json=body)
    assert response.status_code == 201, response.text
    MADE_OFFERS.append((buddy, response.json()["id"]))
    return response.json()


def ask(client: Client, item_id: str, worker_id: str | None = None) -> dict:
    body = {"itemId": item_id}
    if worker_id:
        body["workerId"] = worker_id
    response = client.post("/api/ride-requests", json=body)
    assert response.status_code == 201, response.text
    [req] = response.json()
    return req


def proposals(buddy: Client) -> list[dict]:
    response = buddy.get("/api/me/ride-proposals")
    assert response.status_code == 200, response.text
    return response.json()


def proposal_for(buddy: Client, first_name: str) -> dict:
    found = [p for p in proposals(buddy) if p["riderFirstName"] == first_name]
    assert len(found) == 1, (first_name, proposals(buddy))
    return found[0]


def confirmed_ride(personas, *, worker_name: str = "Sara", buddy_name: str = "Bart", seats: int = 2,
                   **shift_args) -> dict:
    """A buddy, an offer, a worker with a shift tomorrow, a request and the buddy's accept."""
    buddy_id, buddy = new_buddy(personas, buddy_name)
    offer(personas, buddy, seats=seats)
    worker_id, worker = new_worker(personas, worker_name)
    item_id = shift(personas, [worker_id], **shift_args)
    req = ask(worker, item_id)
    ride_id = proposal_for(buddy, worker_name)["rideId"]
    accepted = buddy.post(f"/api/rides/{ride_id}/accept")
    assert accepted.status_code == 200, accepted.text
    return {"buddy_id": buddy_id, "buddy": buddy, "worker_id": worker_id, "worker": worker, "item_id": item_id,
            "request_id": req["id"], "ride_id": ride_id}


def inbox_titles(client: Client) -> list[str]:
    response = client.get("/api/inbox", params={"limit": 200})
    assert response.status_code == 200, response.text
    return [e["title"] for e in response.json()]


def night_shift_with_a_ride(server_at, tmp_path) -> dict:
    """The evening scenario of the way-to-work tests, on a server of its own at 21:30 today: the demo-like
    live feed (line 1 from stop A to stop D, buses at :00 and :30, 15 minutes), a worker living by stop A
    with a 23:00-06:00 shift at "Atelier Oost" beside stop D, and buddy Dirk's confirmed ride leaving 22:10."""
    import clock
    from conftest import build_personas
    from transit_feeds import live_feed, write_feed

    near_a, near_d = (50.9650, 5.4990), (50.9650, 5.5350)   # a 70 m walk to stop A; beside stop D
    day = clock.local_now().date()
    server = server_at(clock.at(day, 21, 30))
    personas = build_personas(server)
    feed = write_feed(tmp_path / "live.zip", live_feed(day))
    assert "imported" in server.werkmaat("transit", "import", str(feed), "--name", "api-live").stdout
    coach = personas["coach_a"]
    oost = coach.post(f"/api/organisations/{personas.org_a}/workplaces", json={
        "name": "Atelier Oost", "city": "Genk", "latitude": near_d[0], "longitude": near_d[1]})
    assert oost.status_code == 201, oost.text
    created = create_person(coach, role="worker", firstName="Nadia", lastName="Nacht", phone="0486 55 66 77",
                            workplaceId=personas.workplace_a)
    worker_id = created["person"]["id"]
    worker = Client(server.url)
    assert coach.put(f"/api/mobility/people/{worker_id}/home", json={
        "address": "Stationsplein 2, Genk", "latitude": near_a[0], "longitude": near_a[1]}).status_code == 200
    starts = clock.at(day, 23)
    planned = coach.post("/api/schedule/items", json={
        "title": "Nachtploeg", "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=7)).isoformat(), "place": {"workplaceId": oost.json()["id"]}})
    assert planned.status_code == 201, planned.text
    _, buddy = new_buddy(personas, "Dirk")
    offer(personas, buddy, workplaceId=oost.json()["id"], leaveTime="22:10")
    MADE_OFFERS.pop()  # it ends with this test's own server, not at the module's end
    request = ask(coach, planned.json()["id"], worker_id)
    ride_id = proposal_for(buddy, "Nadia")["rideId"]
    assert buddy.post(f"/api/rides/{ride_id}/accept").status_code == 200
    return {"server": server, "personas": personas, "day": day, "coach": coach, "worker_id": worker_id,
            "worker": worker, "invite_url": created["invite"]["url"], "item_id": planned.json()["id"],
            "request": request, "buddy": buddy, "ride_id": ride_id}


@pytest.fixture(autouse=True)
def own_offers_only():
    """Each test sees only the offers it made (import this fixture into a test module to use it)."""
    stop_offers()
    yield
    stop_offers()


def errors_of(response) -> dict[str, str]:
    """The field messages of a 400 answer, by field."""
    return {e["field"]: e["message"] for e in response.json()["errors"]}
