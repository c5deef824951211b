"""Named pickup points through the API on a live server (SQLite and PostgreSQL): the coach names a
worker's pickup point (name and address) and the buddy names the one of a confirmed ride; worker and
buddy see the name and the address, the map point stays; validation by field in Dutch and English;
someone else's ride is 404/403."""

from __future__ import annotations

import uuid

import pytest

from mobility_helpers import HOME, ask, confirmed_ride, errors_of, own_offers_only, new_buddy, new_worker, offer, proposal_for, shift, stop_offers


def test_coach_names_the_pickup_point_and_both_see_name_and_address_not_the_home(personas):
    coach = personas["coach_a"]
    buddy_id, buddy = new_buddy(personas, "Bart")
    offer(personas, buddy)
    worker_id, worker = new_worker(personas, "Sara")
    saved = coach.put(f"/api/mobility/people/{worker_id}/home", json={
        "address": "Dorpsstraat 1, 3665 As", "latitude": HOME[0], "longitude": HOME[1],
        "pickupName": "  Kerk Zwartberg ", "pickupAddress": "Kerkplein 1, 3600 Genk",
        "pickupLatitude": 50.9861, "pickupLongitude": 5.5012})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["pickupName"], saved.json()["pickupAddress"]) == ("Kerk Zwartberg", "Kerkplein 1, 3600 Genk")
    assert coach.get(f"/api/mobility/people/{worker_id}/home").json()["pickupAddress"] == "Kerkplein 1, 3600 Genk"

    item_id = shift(personas, [worker_id])
    ask(worker, item_id)
    ride_id = proposal_for(buddy, "Sara")["rideId"]
    accepted = buddy.post(f"/api/rides/{ride_id}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["pickup"] == {"name": "Kerk Zwartberg", "address": "Kerkplein 1, 3600 Genk",
                                         "latitude": 50.9861, "longitude": 5.5012}
    assert "Dorpsstraat" not in accepted.text, "the buddy never sees the home address"
    [mine] = [r for r in worker.get("/api/me/rides").json() if r["id"] == ride_id]
    assert (mine["pickup"]["name"], mine["pickup"]["address"]) == ("Kerk Zwartberg", "Kerkplein 1, 3600 Genk")


def test_buddy_names_the_pickup_point_of_a_confirmed_ride(personas):
    ride = confirmed_ride(personas, worker_name="Lina", buddy_name="Dirk")
    buddy, worker = ride["buddy"], ride["worker"]
    before = [r for r in buddy.get("/api/me/rides").json() if r["id"] == ride["ride_id"]][0]["pickup"]
    assert before["name"] == "" and before["latitude"] == round(HOME[0], 3)

    named = buddy.put(f"/api/rides/{ride['ride_id']}/pickup",
                      json={"name": "Bushalte Stalenstraat", "address": "Stalenstraat 40, 3600 Genk"})
    assert named.status_code == 200, named.text
    assert named.json() == {"name": "Bushalte Stalenstraat", "address": "Stalenstraat 40, 3600 Genk",
                            "latitude": before["latitude"], "longitude": before["longitude"]}
    for client, who in ((worker, "worker"), (buddy, "buddy")):
        [shown] = [r for r in client.get("/api/me/rides").json() if r["id"] == ride["ride_id"]]
        assert shown["pickup"]["name"] == "Bushalte Stalenstraat", who
        assert shown["pickup"]["address"] == "Stalenstraat 40, 3600 Genk", who
        # The map point behind the link stays where it was.
        assert (shown["pickup"]["latitude"], shown["pickup"]["longitude"]) == (before["latitude"], before["longitude"])
    # The way-to-work answer carries the ride as the worker sees it, name included.
    commute = worker.get("/api/me/commute").json()
    rides = [i["ride"] for i in commute["items"] if i.get("ride")]
    assert rides and rides[0]["pickup"]["name"] == "Bushalte Stalenstraat"

    # The coach can rename it (for a worker of theirs).
    renamed = personas["coach_a"].put(f"/api/mobility/rides/{ride['ride_id']}/pickup",
                                      json={"name": "Kerk Zwartberg"})
    assert renamed.status_code == 200, renamed.text
    [shown] = [r for r in worker.get("/api/me/rides").json() if r["id"] == ride["ride_id"]]
    assert (shown["pickup"]["name"], shown["pickup"]["address"]) == ("Kerk Zwartberg", "")


def test_pickup_name_is_validated_by_field_in_both_languages(personas):
    ride = confirmed_ride(personas, worker_name="Noor", buddy_name="Jef")
    path = f"/api/rides/{ride['ride_id']}/pickup"
    buddy = ride["buddy"]
    for body, field in (({"name": "   "}, "name"), ({"name": ""}, "name"), ({"name": "x" * 121}, "name"),
                        ({"name": "Kerk", "address": "a" * 301}, "address"), ({"address": "Kerkplein"}, "name"),
                        ({"name": "Kerk\u0000"}, "name")):
        response = buddy.put(path, json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in errors_of(response), (body, response.json())
    dutch = errors_of(buddy.put(path, json={"name": "   "}))["name"]
    english = errors_of(buddy.put(path, json={"name": "   "}, headers={"Accept-Language": "en"}))["name"]
    assert dutch and english and dutch != english, (dutch, english)
    [shown] = [r for r in ride["worker"].get("/api/me/rides").json() if r["id"] == ride["ride_id"]]
    assert shown["pickup"]["name"] == "", "nothing was saved"


def test_someone_elses_ride_cannot_be_named(personas):
    ride = confirmed_ride(personas, worker_name="Ilse", buddy_name="Wim")
    body = {"name": "Kerk Zwartberg"}
    path = f"/api/rides/{ride['ride_id']}/pickup"
    _, other_buddy = new_buddy(personas, "Els")
    unknown = other_buddy.put(f"/api/rides/{uuid.uuid4()}/pickup", json=body)
    assert unknown.status_code == 404
    assert other_buddy.put(path, json=body).status_code == 404, "another buddy's ride is as unknown as none"
    assert ride["worker"].put(path, json=body).status_code == 403, "a worker does not name it"
    assert personas["coach_a"].put(path, json=body).status_code == 403, "the buddy route is the buddy's"
    staff_path = f"/api/mobility/rides/{ride['ride_id']}/pickup"
    assert personas["coach_b"].put(staff_path, json=body).status_code in (403, 404), "another organisation's coach"
    assert personas["coach_b"].put(f"/api/mobility/rides/{uuid.uuid4()}/pickup", json=body).status_code == 404
    assert ride["worker"].put(staff_path, json=body).status_code == 403
    assert ride["buddy"].put(staff_path, json=body).status_code == 403
    assert personas["admin"].put(staff_path, json={"name": "Bushalte Stalenstraat"}).status_code == 200
    # A cancelled ride is not renamed.
    assert ride["buddy"].post(f"/api/rides/{ride['ride_id']}/cancel", json={"reason": "Auto kapot"}).status_code == 200
    assert ride["buddy"].put(path, json=body).status_code == 409
    [shown] = [r for r in ride["worker"].get("/api/me/rides").json() if r["id"] == ride["ride_id"]]
    assert shown["pickup"]["name"] == "Bushalte Stalenstraat"
