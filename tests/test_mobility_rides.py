"""Buddy rides through the API on a live server (SQLite and PostgreSQL): offers, requests, proposals,
accept / decline, privacy, cancellation, sick reports, done / no-show, kilometres, coach overview."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest

from conftest import Client
from mobility_helpers import (
    errors_of,
    own_offers_only,
    BRUSSELS,
    HOME,
    ask,
    confirmed_ride,
    inbox_titles,
    new_buddy,
    new_worker,
    offer,
    proposal_for,
    proposals,
    shift,
    stop_offers,
    tomorrow,
)


# --- offers ---------------------------------------------------------------------------------------

def test_buddy_manages_own_offers(personas):
    buddy_id, buddy = new_buddy(personas)
    created = offer(personas, buddy, daysOff=[tomorrow().isoformat()], note="Via de Kempische Steenweg")
    assert created["seats"] == 2 and created["weekdays"] == [1, 2, 3, 4, 5, 6, 7]
    assert created["workplaceName"] == "Atelier A" and created["daysOff"] == [tomorrow().isoformat()]
    changed = buddy.patch(f"/api/ride-offers/{created['id']}", json={"seats": 3, "leaveTime": "07:30"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["seats"], changed.json()["leaveTime"]) == (3, "07:30")
    assert [o["id"] for o in buddy.get("/api/ride-offers").json()] == [created["id"]]

    # Another buddy's offer is exactly as unknown as a random id.
    _, other = new_buddy(personas, "Els")
    random_answer = other.get(f"/api/ride-offers/{uuid.uuid4()}")
    for method, body in (("GET", None), ("PATCH", {"seats": 1}), ("DELETE", None)):
        response = other.request(method, f"/api/ride-offers/{created['id']}", json=body)
        assert (response.status_code, response.json()) == (404, random_answer.json()), method
    assert buddy.get(f"/api/ride-offers/{created['id']}").json()["seats"] == 3
    # Workers and coaches do not offer rides.
    for name in ("worker_a", "coach_a"):
        assert personas[name].get("/api/ride-offers").status_code == 403
    assert buddy.delete(f"/api/ride-offers/{created['id']}").status_code == 204
    assert buddy.get("/api/ride-offers").json() == []


def test_offer_bad_input_is_named_in_dutch_and_english(personas):
    _, buddy = new_buddy(personas)
    base = {"weekdays": [1], "leaveTime": "07:45", "fromLatitude": 51.0, "fromLongitude": 5.52,
            "workplaceId": personas.workplace_a}
    zero = buddy.post("/api/ride-offers", json={**base, "seats": 0})
    assert zero.status_code == 400
    assert errors_of(zero) == {"seats": "Kies een waarde van minstens 1."}
    buddy.headers["Accept-Language"] = "en"
    zero_en = buddy.post("/api/ride-offers", json={**base, "seats": 0})
    assert errors_of(zero_en) == {"seats": "Choose a value of at least 1."}
    out_of_range = buddy.post("/api/ride-offers", json={**base, "fromLatitude": 91, "fromLongitude": 181})
    assert out_of_range.status_code == 400
    assert set(errors_of(out_of_range)) == {"fromLatitude", "fromLongitude"}
    assert "90" in errors_of(out_of_range)["fromLatitude"]
    nine = buddy.post("/api/ride-offers", json={**base, "seats": 9})
    assert errors_of(nine) == {"seats": "Choose a value of at most 8."}
    half = buddy.post("/api/ride-offers", json={**base, "fromLongitude": None})
    assert errors_of(half) == {"fromLongitude": "Enter both latitude and longitude, or neither."}
    backwards = buddy.post("/api/ride-offers", json={**base, "validFrom": "2030-02-01", "validUntil": "2030-01-01"})
    assert list(errors_of(backwards)) == ["validUntil"]
    other_org = buddy.post("/api/ride-offers", json={**base, "workplaceId": personas.workplace_b})
    assert list(errors_of(other_org)) == ["workplaceId"]
    buddy.headers["Accept-Language"] = "nl"


# --- requests, proposals, accept ------------------------------------------------------------------

def test_request_proposes_to_the_buddy_who_accepts_and_both_see_the_ride(personas):
    buddy_id, buddy = new_buddy(personas, "Bart", car="rode Fiat Panda")
    offer(personas, buddy)
    worker_id, worker = new_worker(personas, "Sara")
    item_id = shift(personas, [worker_id])
    req = ask(worker, item_id)
    assert req["status"] == "open" and req["proposals"] == 1 and req["rideId"] is None

    # The buddy is told (inbox; push goes through the same reminder), and sees no address yet.
    assert "Kan je Sara meenemen?" in inbox_titles(buddy)
    [proposal] = [p for p in proposals(buddy) if p["riderFirstName"] == "Sara"]
    assert set(proposal) == {"rideId", "status", "riderFirstName", "day", "leaveAt", "pickupAt", "arriveBy",
                             "detourKm", "workplaceName"}
    assert proposal["day"] == tomorrow().isoformat() and proposal["detourKm"] <= 5
    assert buddy.get("/api/me/rides").json() == [], "nothing confirmed yet: no pickup point"

    accepted = buddy.post(f"/api/rides/{proposal['rideId']}/accept")
    assert accepted.status_code == 200, accepted.text
    ride = accepted.json()
    assert ride["status"] == "confirmed" and ride["riderFirstName"] == "Sara" and ride["role"] == "driver"
    # The buddy sees a pickup point rounded to ~100 m, never the address.
    assert ride["pickup"] == {"name": "", "address": "", "latitude": round(HOME[0], 3),
                              "longitude": round(HOME[1], 3)}
    assert "Dorpsstraat" not in accepted.text and "As" not in ride["pickup"]["name"]

    mine = worker.get("/api/me/rides").json()
    assert [r["id"] for r in mine] == [ride["id"]]
    assert mine[0]["driverFirstName"] == "Bart" and mine[0]["carDescription"] == "rode Fiat Panda"
    assert mine[0]["driverPhone"] == "0472 11 22 33" and mine[0]["role"] == "rider"
    pickup_at = dt.datetime.fromisoformat(mine[0]["pickupAt"])
    assert pickup_at < dt.datetime.fromisoformat(mine[0]["arriveAt"]) <= (
        dt.datetime.fromisoformat(mine[0]["arriveBy"]) - dt.timedelta(minutes=10))
    assert "Je hebt een rit" in inbox_titles(worker)
    assert worker.get(f"/api/ride-requests/{req['id']}").json()["status"] == "confirmed"
    # The buddy's home lists it too.
    assert [r["id"] for r in buddy.get("/api/me/rides").json()] == [ride["id"]]


def test_no_fitting_offer_leaves_the_request_unmatched(personas):
    _, buddy = new_buddy(personas)
    offer(personas, buddy, maxDetourKm=0.5)
    worker_id, worker = new_worker(personas, "Verre", home=(50.90, 5.65))
    req = ask(worker, shift(personas, [worker_id]))
    assert (req["status"], req["proposals"]) == ("unmatched", 0)
    assert worker.post(f"/api/ride-requests/{req['id']}/cancel").status_code == 200


def test_request_bad_input(personas):
    worker_id, worker = new_worker(personas, "Bas", home=None)
    item_id = shift(personas, [worker_id])
    no_home = worker.post("/api/ride-requests", json={"itemId": item_id})
    assert no_home.status_code == 400 and list(errors_of(no_home)) == ["home"]
    assert worker.put("/api/me/home", json={"latitude": HOME[0], "longitude": HOME[1]}).status_code == 200
    nothing = worker.post("/api/ride-requests", json={})
    assert nothing.status_code == 400 and list(errors_of(nothing)) == ["itemId"]
    started = shift(personas, [worker_id], starts=dt.datetime.now(BRUSSELS) - dt.timedelta(minutes=5))
    over = worker.post("/api/ride-requests", json={"itemId": started})
    assert over.status_code == 400
    assert errors_of(over) == {"itemId": "Deze shift is al begonnen of voorbij."}
    made = worker.post("/api/ride-requests", json={"itemId": item_id})
    assert made.status_code == 201
    again = worker.post("/api/ride-requests", json={"itemId": item_id})
    assert again.status_code == 409 and again.json()["message"] == "Voor deze shift is er al een rit gevraagd."
    # Someone else's shift is not found; another worker cannot ask for this one.
    _, other = new_worker(personas, "Jan")
    assert other.post("/api/ride-requests", json={"itemId": item_id}).status_code == 404
    assert other.post("/api/ride-requests", json={"itemId": item_id, "workerId": worker_id}).status_code == 403
    assert personas["buddy_a"].post("/api/ride-requests", json={"itemId": item_id}).status_code == 403
    assert personas["coach_b"].post("/api/ride-requests", json={"itemId": item_id,
                                                               "workerId": worker_id}).status_code == 404
    assert worker.post(f"/api/ride-requests/{made.json()[0]['id']}/cancel").status_code == 200


def test_coach_asks_for_every_shift_in_a_period(personas):
    _, buddy = new_buddy(personas)
    offer(personas, buddy)
    worker_id, _ = new_worker(personas, "Lotte")
    first = tomorrow()
    for offset in (0, 1):
        shift(personas, [worker_id], day=first + dt.timedelta(days=offset))
    response = personas["coach_a"].post("/api/ride-requests", json={
        "workerId": worker_id, "firstDay": first.isoformat(), "lastDay": (first + dt.timedelta(days=2)).isoformat()})
    assert response.status_code == 201, response.text
    assert [r["day"] for r in response.json()] == [first.isoformat(), (first + dt.timedelta(days=1)).isoformat()]
    assert len([p for p in proposals(buddy) if p["riderFirstName"] == "Lotte"]) == 2
    empty = personas["coach_a"].post("/api/ride-requests", json={
        "workerId": worker_id, "firstDay": (first + dt.timedelta(days=20)).isoformat()})
    assert empty.status_code == 400 and list(errors_of(empty)) == ["firstDay"]


def test_accepting_a_full_or_cancelled_ride_is_409(personas):
    buddy_id, buddy = new_buddy(personas)
    created = offer(personas, buddy, seats=1)
    day = tomorrow()
    workers = [new_worker(personas, name) for name in ("Anna", "Bram")]
    for worker_id, worker in workers:
        ask(worker, shift(personas, [worker_id], day=day))
    first, second = proposal_for(buddy, "Anna"), proposal_for(buddy, "Bram")
    assert buddy.post(f"/api/rides/{first['rideId']}/accept").status_code == 200
    full = buddy.post(f"/api/rides/{second['rideId']}/accept")
    assert full.status_code == 409 and full.json()["message"] == "Deze rit is al vol op die dag."
    buddy.headers["Accept-Language"] = "en"
    assert buddy.post(f"/api/rides/{second['rideId']}/accept").json()["message"] == \
        "This ride is already full on that day."
    # Cancelled: accepting again says so.
    assert buddy.post(f"/api/rides/{first['rideId']}/cancel", json={"reason": "Auto kapot"}).status_code == 200
    again = buddy.post(f"/api/rides/{first['rideId']}/accept")
    assert again.status_code == 409 and again.json()["message"] == "This ride was cancelled."
    buddy.headers["Accept-Language"] = "nl"
    # The seat is free again: Bram's proposal can now be accepted.
    assert buddy.post(f"/api/rides/{second['rideId']}/accept").status_code == 200
    assert buddy.get(f"/api/ride-offers/{created['id']}").status_code == 200


def test_another_buddys_ride_is_not_found(personas):
    ride = confirmed_ride(personas)
    _, other = new_buddy(personas, "Els")
    random_answer = other.post(f"/api/rides/{uuid.uuid4()}/accept")
    assert random_answer.status_code == 404
    for action, body in (("accept", None), ("decline", None), ("cancel", {"reason": "x"}), ("done", None),
                         ("no-show", None)):
        response = other.post(f"/api/rides/{ride['ride_id']}/{action}", json=body)
        assert (response.status_code, response.json()) == (404, random_answer.json()), action
    assert other.get("/api/me/rides").json() == []
    # Workers and coaches cannot act for a buddy.
    assert ride["worker"].post(f"/api/rides/{ride['ride_id']}/cancel", json={"reason": "x"}).status_code == 403
    assert personas["coach_a"].post(f"/api/rides/{ride['ride_id']}/accept").status_code == 403


def test_decline_asks_the_next_buddy(personas):
    _, first = new_buddy(personas, "Piet")
    offer(personas, first)
    worker_id, worker = new_worker(personas, "Nora")
    req = ask(worker, shift(personas, [worker_id]))
    ride_id = proposal_for(first, "Nora")["rideId"]
    _, second = new_buddy(personas, "Mia")
    offer(personas, second)
    declined = first.post(f"/api/rides/{ride_id}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert proposal_for(second, "Nora")["status"] == "proposed"
    assert worker.get(f"/api/ride-requests/{req['id']}").json()["proposals"] == 1
    assert first.post(f"/api/rides/{ride_id}/accept").status_code == 409


# --- cancellation, sick, done, kilometres ---------------------------------------------------------

def test_buddy_cancels_with_a_reason_and_worker_and_coach_are_told(personas):
    ride = confirmed_ride(personas, worker_name="Yusuf")
    def coach_told() -> int:  # "... geannuleerd", or "... geannuleerd: geen vervoer" when no bus gets there
        return sum(title.startswith("Rit van Yusuf geannuleerd") for title in inbox_titles(personas["coach_a"]))

    coach_before = coach_told()
    blank = ride["buddy"].post(f"/api/rides/{ride['ride_id']}/cancel", json={"reason": "  "})
    assert blank.status_code == 400 and list(errors_of(blank)) == ["reason"]
    response = ride["buddy"].post(f"/api/rides/{ride['ride_id']}/cancel", json={"reason": "Auto in panne"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled" and response.json()["pickup"] is None
    # The title goes on with the way that is left ("neem lijn 1", "bel je coach"): see test_commute.
    assert any(title.startswith("Je rit is geannuleerd") for title in inbox_titles(ride["worker"]))
    assert coach_told() == coach_before + 1
    [mine] = ride["worker"].get("/api/me/rides").json()
    assert (mine["status"], mine["cancelReason"]) == ("cancelled", "Auto in panne")
    assert ride["worker"].get(f"/api/ride-requests/{ride['request_id']}").json()["status"] in ("open", "unmatched")
    twice = ride["buddy"].post(f"/api/rides/{ride['ride_id']}/cancel", json={"reason": "nog eens"})
    assert twice.status_code == 409
    # The reopened request would be proposed to the next test's new offers.
    assert ride["worker"].post(f"/api/ride-requests/{ride['request_id']}/cancel").status_code == 200


def test_sick_report_cancels_rides_and_tells_the_driver(personas):
    ride = confirmed_ride(personas, worker_name="Ilse")
    report = ride["worker"].post("/api/reports/sick", json={"firstDay": tomorrow().isoformat()})
    assert report.status_code == 201, report.text
    [mine] = ride["worker"].get("/api/me/rides").json()
    assert mine["status"] == "cancelled"
    assert "Ilse is ziek" in inbox_titles(ride["buddy"])
    assert [r["status"] for r in ride["buddy"].get("/api/me/rides").json()] == ["cancelled"]
    assert ride["worker"].get(f"/api/ride-requests/{ride['request_id']}").json()["status"] == "cancelled"


def test_done_no_show_and_kilometres_per_month(personas):
    now = dt.datetime.now(BRUSSELS)
    starts = (now + dt.timedelta(minutes=80)).replace(second=0, microsecond=0)
    leave = (starts - dt.timedelta(minutes=45)).strftime("%H:%M")
    buddy_id, buddy = new_buddy(personas, "Karel")
    offer(personas, buddy, leaveTime=leave)
    worker_id, worker = new_worker(personas, "Omar")
    ask(worker, shift(personas, [worker_id], starts=starts))
    ride_id = proposal_for(buddy, "Omar")["rideId"]
    early = buddy.post(f"/api/rides/{ride_id}/done")
    assert early.status_code == 409 and early.json()["message"] == "Dit kan alleen bij een bevestigde rit."
    accepted = buddy.post(f"/api/rides/{ride_id}/accept").json()
    done = buddy.post(f"/api/rides/{ride_id}/done")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert buddy.post(f"/api/rides/{ride_id}/no-show").json()["status"] == "no_show"
    km = buddy.get("/api/me/rides/kilometres", params={"year": starts.year}).json()
    month = km["months"][starts.month - 1]
    assert month == {"month": starts.month, "rides": 1, "km": round(accepted["distanceKm"], 1)}
    assert km["totalKm"] == round(accepted["distanceKm"], 1) > 0
    assert worker.get("/api/me/rides/kilometres").status_code == 403
    assert buddy.get("/api/me/rides/kilometres", params={"year": 1500}).status_code == 400


def test_coach_overview_flags_shifts_without_a_ride(personas):
    ride = confirmed_ride(personas, worker_name="Zoë")
    lonely_id, _ = new_worker(personas, "Tom", home=None)
    shift(personas, [lonely_id])
    response = personas["coach_a"].get("/api/mobility/overview", params={"date": tomorrow().isoformat()})
    assert response.status_code == 200, response.text
    workers = {w["workerId"]: w for w in response.json()["workers"]}
    covered = workers[ride["worker_id"]]
    assert covered["warning"] is False and covered["hasHome"] is True
    [s] = covered["shifts"]
    assert s["rideId"] == ride["ride_id"] and s["driverFirstName"] == "Bart" and s["noRide"] is False
    assert "transit" in s
    lonely = workers[lonely_id]
    assert lonely["warning"] is True and lonely["hasHome"] is False and lonely["shifts"][0]["noRide"] is True
    # Coach B sees none of coach A's workers; workers may not look.
    other = personas["coach_b"].get("/api/mobility/overview", params={"date": tomorrow().isoformat()}).json()
    assert ride["worker_id"] not in {w["workerId"] for w in other["workers"]}
    assert personas["worker_a"].get("/api/mobility/overview").status_code == 403


def test_worker_sets_home_by_location_and_coach_reads_it(personas):
    worker_id, worker = new_worker(personas, home=None)
    bad = worker.put("/api/me/home", json={"latitude": 95, "longitude": 5.5})
    assert bad.status_code == 400 and list(errors_of(bad)) == ["latitude"]
    assert "90" in errors_of(bad)["latitude"]
    ok = worker.put("/api/me/home", json={"latitude": 50.98, "longitude": 5.49})
    assert ok.status_code == 200 and ok.json()["source"] == "location"
    home = personas["coach_a"].get(f"/api/mobility/people/{worker_id}/home").json()
    assert (home["latitude"], home["longitude"], home["source"]) == (50.98, 5.49, "location")
    assert personas["buddy_a"].put("/api/me/home", json={"latitude": 50.9, "longitude": 5.4}).status_code == 403
    out = personas["coach_a"].put(f"/api/mobility/people/{worker_id}/home", json={"latitude": 50.9,
                                                                                 "longitude": -181})
    assert out.status_code == 400 and list(errors_of(out)) == ["longitude"]


# --- concurrency ----------------------------------------------------------------------------------

def _at_once(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def second_phone(personas, person_id: str) -> Client:
    invite = personas["coach_a"].post(f"/api/people/{person_id}/invites")
    assert invite.status_code == 201, invite.text
    phone = Client(personas.server.url)
    assert phone.redeem(code=invite.json()["code"]).status_code == 200
    return phone


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_accepts_of_the_last_seat_exactly_one_wins(personas, round_):
    if personas.server.db != "postgres":
        pytest.skip("the race is meaningful on PostgreSQL (SQLite has one writer at a time)")
    buddy_id, buddy = new_buddy(personas, "Race")
    offer(personas, buddy, seats=1)
    day = tomorrow()
    names = (f"R{round_}a", f"R{round_}b")
    for name in names:
        worker_id, worker = new_worker(personas, name)
        ask(worker, shift(personas, [worker_id], day=day))
    phones = [buddy, second_phone(personas, buddy_id)]
    ride_ids = [proposal_for(buddy, name)["rideId"] for name in names]
    results = _at_once([lambda p=p, r=r: p.post(f"/api/rides/{r}/accept") for p, r in zip(phones, ride_ids)])
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    assert [r.json()["message"] for r in results if r.status_code == 409] == ["Deze rit is al vol op die dag."]
    assert len([r for r in buddy.get("/api/me/rides").json() if r["status"] == "confirmed"]) == 1


def test_two_buddies_accepting_one_request_at_once_one_wins(personas):
    if personas.server.db != "postgres":
        pytest.skip("the race is meaningful on PostgreSQL")
    buddies = [new_buddy(personas, n)[1] for n in ("Ann", "Ben")]
    for b in buddies:
        offer(personas, b)
    worker_id, worker = new_worker(personas, "Duo")
    ask(worker, shift(personas, [worker_id]))
    ride_ids = [proposal_for(b, "Duo")["rideId"] for b in buddies]
    results = _at_once([lambda b=b, r=r: b.post(f"/api/rides/{r}/accept") for b, r in zip(buddies, ride_ids)])
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    assert len(worker.get("/api/me/rides").json()) == 1


def test_dates_outside_this_century_are_refused_by_name(personas):
    far = personas["coach_a"].get("/api/mobility/overview", params={"date": "9999-12-31"})
    assert far.status_code == 400 and errors_of(far) == {"date": "Kies een datum tussen 2000 en 2100."}
    old = personas["worker_a"].get("/api/me/rides", params={"from": "0001-01-01"})
    assert old.status_code == 400 and list(errors_of(old)) == ["from"]
    _, buddy = new_buddy(personas)
    late = buddy.post("/api/ride-offers", json={"weekdays": [1], "leaveTime": "07:00", "fromLatitude": 51.0,
                                                "fromLongitude": 5.5, "workplaceId": personas.workplace_a,
                                                "daysOff": ["9999-12-31"]})
    assert late.status_code == 400 and list(errors_of(late)) == ["daysOff"]
    worker_id, _ = new_worker(personas)
    period = personas["coach_a"].post("/api/ride-requests", json={"workerId": worker_id, "firstDay": "9999-12-31"})
    assert period.status_code == 400 and list(errors_of(period)) == ["firstDay"]


def test_accepting_after_the_worker_cancelled_the_request_is_409(personas):
    _, buddy = new_buddy(personas)
    offer(personas, buddy)
    worker_id, worker = new_worker(personas, "Lien")
    req = ask(worker, shift(personas, [worker_id]))
    ride_id = proposal_for(buddy, "Lien")["rideId"]
    cancelled = worker.post(f"/api/ride-requests/{req['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    late = buddy.post(f"/api/rides/{ride_id}/accept")
    assert late.status_code == 409 and late.json()["message"] == "Deze rit is geannuleerd."
    assert [p for p in proposals(buddy) if p["riderFirstName"] == "Lien"] == []


def _subscribe(phone: Client, push_service) -> dict:
    subscription = push_service.subscribe()
    response = phone.post("/api/push/subscriptions", json=subscription)
    assert response.status_code == 201, response.text
    return subscription


def test_proposal_confirmation_and_cancellation_arrive_by_web_push(personas, push_service):
    """Through the reminders layer: the dispatcher pushes each notice, decrypted by the loopback
    push service, in the recipient's language; urgent, so quiet hours do not hold them."""
    buddy_id, buddy = new_buddy(personas, "Bart")
    offer(personas, buddy)
    worker_id, worker = new_worker(personas, "Sara")
    buddy_sub, worker_sub = _subscribe(buddy, push_service), _subscribe(worker, push_service)
    ask(worker, shift(personas, [worker_id]))
    [proposed] = push_service.wait_for(buddy_sub["endpoint"])
    assert proposed.message["title"] == "Kan je Sara meenemen?" and "Omweg" in proposed.message["body"]
    assert "Dorpsstraat" not in proposed.message["body"]
    ride_id = proposal_for(buddy, "Sara")["rideId"]
    assert buddy.post(f"/api/rides/{ride_id}/accept").status_code == 200
    [confirmed] = push_service.wait_for(worker_sub["endpoint"])
    assert confirmed.message["title"] == "Je hebt een rit" and "Bart haalt je op om" in confirmed.message["body"]
    assert buddy.post(f"/api/rides/{ride_id}/cancel", json={"reason": "Auto in panne"}).status_code == 200
    received = push_service.wait_for(worker_sub["endpoint"], count=2)
    assert received[1].message["title"].startswith("Je rit is geannuleerd") and "Auto in panne" in received[1].message["body"]
    assert received[1].urgency == "high"


def test_a_new_offer_is_proposed_for_requests_nobody_could_take(personas):
    worker_id, worker = new_worker(personas, "Wout")
    req = ask(worker, shift(personas, [worker_id]))
    assert req["status"] == "unmatched"
    _, buddy = new_buddy(personas, "Greet")
    offer(personas, buddy)
    assert proposal_for(buddy, "Wout")["status"] == "proposed"
    assert worker.get(f"/api/ride-requests/{req['id']}").json()["status"] == "open"
    assert worker.post(f"/api/ride-requests/{req['id']}/cancel").status_code == 200
