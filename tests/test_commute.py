"""The way to work, rides and transit together (SQLite and PostgreSQL, live server):

- the coach's mobility overview shows public transport for shifts without a ride, and warns only for
  workers with neither; the caseload's "tomorrow" column follows;
- "Hoe geraak ik op het werk?" shows a confirmed ride first (with when to be ready);
- a buddy's cancellation tells the worker which bus still arrives in time, or to call their coach;
- rides appear in the worker's timeline and in the impact report (suppressed below 5 volunteers).
"""

from __future__ import annotations

import datetime as dt

import pytest

from mobility_helpers import BRUSSELS, ask, confirmed_ride, inbox_titles, new_buddy, new_worker, offer, proposal_for, stop_offers, tomorrow
from transit_feeds import live_feed, write_feed

NEAR_A = (50.9650, 5.4990)  # a 70 m walk to stop A of line 1
NEAR_D = (50.9650, 5.5350)  # beside stop D, where line 1 ends
FAR = (51.2194, 4.4025)  # Antwerp: nothing in the feed gets there


@pytest.fixture(scope="module", autouse=True)
def feed(live_server, tmp_path_factory):
    path = write_feed(tmp_path_factory.mktemp("commute") / "live.zip", live_feed(dt.datetime.now(BRUSSELS).date()))
    assert "imported" in live_server.werkmaat("transit", "import", str(path), "--name", "api-live").stdout
    yield
    stop_offers()


def shift_near_d(personas, worker_ids: list[str], hour: int = 9) -> str:
    starts = dt.datetime.combine(tomorrow(), dt.time(hour), tzinfo=BRUSSELS)
    response = personas["coach_a"].post("/api/schedule/items", json={
        "title": "Atelier Oost", "kind": "shift", "workerIds": worker_ids, "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=7)).isoformat(),
        "place": {"address": "Oost", "latitude": NEAR_D[0], "longitude": NEAR_D[1]}})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def overview_of(personas) -> dict:
    response = personas["coach_a"].get("/api/mobility/overview", params={"date": tomorrow().isoformat()})
    assert response.status_code == 200, response.text
    return {w["workerId"]: w for w in response.json()["workers"]}


def caseload_of(personas) -> dict:
    response = personas["coach_a"].get("/api/coaching/caseload")
    assert response.status_code == 200, response.text
    return {row["personId"]: row for row in response.json()}


def test_overview_warns_only_without_ride_and_without_transit(personas):
    by_bus, _ = new_worker(personas, "Bus", home=NEAR_A)
    stranded, _ = new_worker(personas, "Ver", home=FAR)
    homeless, _ = new_worker(personas, "Onbekend", home=None)
    shift_near_d(personas, [by_bus, stranded, homeless])

    workers = overview_of(personas)
    [bus_shift] = workers[by_bus]["shifts"]
    assert bus_shift["noRide"] is True and bus_shift["transit"]["line"] == "1"
    # Arrive 10 minutes before 09:00: the 08:30 bus from A reaches D at 08:45; a short walk before.
    leave = dt.datetime.fromisoformat(bus_shift["transit"]["leaveAt"]).astimezone(BRUSSELS)
    assert dt.time(8, 20) <= leave.time() < dt.time(8, 30)
    assert workers[by_bus]["warning"] is False
    assert workers[stranded]["shifts"][0]["transit"] == {"problem": "transit_no_journey"}
    assert workers[stranded]["warning"] is True
    assert workers[homeless]["shifts"][0]["transit"] == {"problem": "transit_home_unknown"}
    assert workers[homeless]["warning"] is True

    # The overview stored what it found: the caseload shows it in its "tomorrow" column.
    rows = caseload_of(personas)
    assert (rows[by_bus]["tomorrow"], rows[stranded]["tomorrow"], rows[homeless]["tomorrow"]) == \
        ("transit", "none", "unknown")


def test_a_confirmed_ride_comes_first_and_its_cancellation_names_the_bus(personas):
    coach = personas["coach_a"]
    oost = coach.post(f"/api/organisations/{personas.org_a}/workplaces", json={
        "name": "Atelier Oost", "city": "Genk", "latitude": NEAR_D[0], "longitude": NEAR_D[1]})
    assert oost.status_code == 201, oost.text
    buddy_id, buddy = new_buddy(personas, "Door")
    offer(personas, buddy, workplaceId=oost.json()["id"], leaveTime="09:15")
    worker_id, worker = new_worker(personas, "Rita", home=NEAR_A)
    starts = dt.datetime.combine(tomorrow(), dt.time(10), tzinfo=BRUSSELS)
    planned = coach.post("/api/schedule/items", json={
        "title": "Atelier Oost", "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=6)).isoformat(), "place": {"workplaceId": oost.json()["id"]}})
    assert planned.status_code == 201, planned.text
    item_id = planned.json()["id"]
    request = ask(worker, item_id)
    ride_id = proposal_for(buddy, "Rita")["rideId"]
    accepted = buddy.post(f"/api/rides/{ride_id}/accept")
    assert accepted.status_code == 200, accepted.text

    commute = worker.get("/api/me/commute").json()
    item = next(i for i in commute["items"] if i["itemId"] == item_id)
    assert item["ride"]["driverFirstName"] == "Door" and item["ride"]["carDescription"] == "grijze Opel Corsa"
    assert item["leaveHomeAt"] == item["ride"]["pickupAt"]
    assert item["journeys"], "the bus stays listed as a fall-back"
    overview_of(personas)
    assert caseload_of(personas)[worker_id]["tomorrow"] == "ride"

    cancelled = buddy.post(f"/api/rides/{ride_id}/cancel", json={"reason": "Auto in panne"})
    assert cancelled.status_code == 200, cancelled.text
    assert "Je rit is geannuleerd: neem lijn 1" in inbox_titles(worker)
    assert any(title.startswith("Rit van Rita geannuleerd") for title in inbox_titles(personas["coach_a"]))
    after = next(i for i in worker.get("/api/me/commute").json()["items"] if i["itemId"] == item_id)
    assert after["ride"] is None and after["leaveHomeAt"] == after["journeys"][0]["departure"]

    timeline = personas["coach_a"].get(f"/api/coaching/workers/{worker_id}/timeline").json()["entries"]
    rides = [e for e in timeline if e["kind"] == "ride"]
    assert rides and rides[0]["title"].startswith("Rit met Door afgezegd") and rides[0]["detail"] == "Auto in panne"
    # The reopened request would be proposed to other tests' new offers.
    assert worker.post(f"/api/ride-requests/{request['id']}/cancel").status_code == 200


def test_cancellation_without_transit_in_time_says_call_your_coach(personas):
    ride = confirmed_ride(personas, worker_name="Noor", buddy_name="Wim")
    response = ride["buddy"].post(f"/api/rides/{ride['ride_id']}/cancel", json={"reason": "Ziek"})
    assert response.status_code == 200, response.text
    assert "Je rit is geannuleerd: bel je coach" in inbox_titles(ride["worker"])
    assert any(title == "Rit van Noor geannuleerd: geen vervoer" for title in inbox_titles(personas["coach_a"]))
    assert ride["worker"].post(f"/api/ride-requests/{ride['request_id']}/cancel").status_code == 200


def test_impact_report_has_a_rides_section_that_hides_fewer_than_five_volunteers(personas):
    day = tomorrow()
    response = personas["coach_a"].get("/api/reports/impact", params={
        "from": (day - dt.timedelta(days=30)).isoformat(), "to": day.isoformat()})
    assert response.status_code == 200, response.text
    [rides] = [s for s in response.json()["sections"] if s["key"] == "rides"]
    figures = {f["key"]: f for f in rides["figures"]}
    assert set(figures) == {"volunteersDriving", "workersRiding", "ridesGiven", "kilometresDriven"}
    # No ride was driven yet in this period (or by fewer than 5 volunteers): nothing can be told.
    volunteers = figures["volunteersDriving"]
    assert volunteers["value"] in (0, None)
    if volunteers["suppressed"]:
        assert figures["kilometresDriven"]["value"] is None and figures["kilometresDriven"]["suppressed"]
