"""The way to work, rides and transit together (SQLite and PostgreSQL, live server):

- the coach's mobility overview shows public transport for shifts without a ride, and warns only for
  workers with neither; the caseload's "tomorrow" column follows;
- "Hoe geraak ik op het werk?" shows a confirmed ride first (with when to be ready);
- a buddy's cancellation tells the worker which bus still arrives in time, or to call their coach;
- rides appear in the worker's timeline and in the impact report (suppressed below 5 volunteers);
- everything is planned from the present moment, at fixed instants (a server of its own whose clock
  starts at 21:30 and is moved to 22:15 and 22:42): no departure in the past, "Je bent te laat" with
  the earliest arrival still possible, and after a cancellation the notice and the screen say the same.
"""

from __future__ import annotations

import datetime as dt

import pytest

import clock
from backend.transit.commute import _earliest_from
from backend.transit.gtfs import read_feed
from backend.transit.network import Network
from mobility_helpers import (BRUSSELS, ask, confirmed_ride, inbox_titles, new_buddy, new_worker,
                              night_shift_with_a_ride, offer, proposal_for, stop_offers, tomorrow)
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


# --- from now: fixed instants ----------------------------------------------------------------------

def test_earliest_arrival_from_now_unit(tmp_path):
    """The 'too late' search on its own (no server): buses leave stop A at :00 and :30 until 23:30
    and take 15 minutes to D."""
    day = clock.local_now().date()
    net = Network([("v1", read_feed(str(write_feed(tmp_path / "live.zip", live_feed(day))), "live"))])
    planned = clock.at(day, 22, 50)  # arrive by 22:50 for a 23:00 shift: the 22:30 bus, gone at 22:42
    found = _earliest_from(net, NEAR_A, NEAR_D, clock.at(day, 22, 42), planned, planned + dt.timedelta(hours=4))
    [ride] = [leg for leg in found.legs if leg.kind == "ride"]
    assert ride.departure.astimezone(BRUSSELS).strftime("%H:%M") == "23:00" and ride.line == "1"
    assert found.departure >= clock.at(day, 22, 42)
    assert clock.at(day, 23, 15) <= found.arrival <= clock.at(day, 23, 17)
    # At 23:35 nothing runs until 05:00: beyond the search window, so nothing.
    late = clock.at(day, 23, 35)
    assert _earliest_from(net, NEAR_A, NEAR_D, late, late, late + dt.timedelta(hours=4)) is None


def commute_item(worker, item_id: str) -> dict:
    response = worker.get("/api/me/commute")
    assert response.status_code == 200, response.text
    return next(i for i in response.json()["items"] if i["itemId"] == item_id)


def inbox_entry(client, title_start: str) -> dict:
    response = client.get("/api/inbox", params={"limit": 50})
    assert response.status_code == 200, response.text
    found = [e for e in response.json() if e["title"].startswith(title_start)]
    assert found, [e["title"] for e in response.json()]
    return found[0]


def test_planned_from_now_no_past_departure_and_late_says_what_is_still_possible(server_at, tmp_path):
    """A 23:00 shift beside stop D; the worker lives by stop A (buses at :00 and :30, 15 minutes)."""
    s = night_shift_with_a_ride(server_at, tmp_path)
    server, personas, day, coach, worker_id, item_id, buddy, ride_id, request = (
        s["server"], s["personas"], s["day"], s["coach"], s["worker_id"], s["item_id"], s["buddy"], s["ride_id"],
        s["request"])
    worker = s["worker"]
    assert worker.redeem(token=s["invite_url"].split("#", 1)[1]).status_code == 200

    # 21:30: the ride first, the 22:30 bus (leave home 22:28) as the fall-back.
    item = commute_item(worker, item_id)
    assert item["ride"]["driverFirstName"] == "Dirk" and item["cancelledRide"] is None and not item["late"]
    assert [clock_of(j["departure"]) for j in item["journeys"]] == ["22:28"]
    assert item["advice"] == "Neem bus 1: vertrek thuis om 22:28."

    # 22:15: the buddy cancels. The notice and the screen give the same advice, word for word.
    server.set_clock(clock.at(day, 22, 15))
    assert buddy.post(f"/api/rides/{ride_id}/cancel", json={"reason": "Auto in panne"}).status_code == 200
    notice = inbox_entry(worker, "Je rit is geannuleerd")
    assert notice["title"] == "Je rit is geannuleerd: neem lijn 1"
    item = commute_item(worker, item_id)
    assert item["ride"] is None and item["cancelledRide"]["id"] == ride_id
    assert item["cancelledRide"]["cancelReason"] == "Auto in panne"
    assert item["advice"] == "Neem bus 1: vertrek thuis om 22:28." and item["advice"] in notice["body"]

    # 22:42: the 22:30 bus has gone. No departure in the past; say plainly what is still possible.
    server.set_clock(clock.at(day, 22, 42))
    item = commute_item(worker, item_id)
    now = server.now()
    assert item["late"] is True and item["problem"] == "transit_late"
    assert item["journeys"] and all(dt.datetime.fromisoformat(j["departure"]) >= now for j in item["journeys"])
    assert all(dt.datetime.fromisoformat(leg["departure"]) >= now for j in item["journeys"] for leg in j["legs"])
    assert dt.datetime.fromisoformat(item["leaveHomeAt"]) >= now
    arrival = clock_of(item["journeys"][0]["arrival"])
    assert item["advice"] == item["message"] == (
        f"Je bent te laat: de volgende bus komt om 23:00 in Genk, Station (lijn 1). Je bent er om {arrival}. "
        "Bel je coach.")
    assert "23:15" <= arrival <= "23:17"
    english = personas.new_client("en")
    english.cookies = worker.cookies
    en_item = next(i for i in english.get("/api/me/commute").json()["items"] if i["itemId"] == item_id)
    assert en_item["advice"].startswith("You are late: the next bus comes at 23:00 at Genk, Station (line 1).")
    # The coach's overview names it a shift without transport in time.
    overview = coach.get("/api/mobility/overview", params={"date": day.isoformat()}).json()
    [shift] = next(w for w in overview["workers"] if w["workerId"] == worker_id)["shifts"]
    assert shift["transit"] == {"problem": "transit_no_journey"}

    # 23:40, the shift under way, not checked in: the last bus has gone; nothing runs before 05:00.
    server.set_clock(clock.at(day, 23, 40))
    item = commute_item(worker, item_id)
    assert item["late"] and item["journeys"] == [] and item["leaveHomeAt"] is None
    assert item["advice"] == "Je bent te laat en geen bus of trein brengt je er nog. Bel je coach."
    assert worker.post(f"/api/ride-requests/{request['id']}/cancel").status_code == 200


def clock_of(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(BRUSSELS).strftime("%H:%M")
