"""`GET /api/me/today`: the worker's Home in one answer.

Who may ask (the worker only, about themself), what it holds (contacts, today's items and the next
one with where "Ik ben er" stands, bring items, the ride, unread messages, reports), and that it is
right at the hours that are easy to get wrong: before an item, during it, after it, and across
midnight for a night shift that began yesterday. The clock tests each start a server of their own at
a fixed instant (`server_at`, SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

import clock
from coaching_helpers import db_rows
from conftest import Client, build_personas, create_person, token_of
from mobility_helpers import night_shift_with_a_ride

WEDNESDAY = dt.date(2026, 12, 2)
THURSDAY = WEDNESDAY + dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.at(day, hour, minute)


def plan(coach: Client, worker_id: str, start: dt.datetime, hours: float, **extra) -> dict:
    body = {"title": "Atelier", "kind": "shift", "workerIds": [worker_id], "startsAt": start.isoformat(),
            "endsAt": (start + dt.timedelta(hours=hours)).isoformat()}
    body.update(extra)
    response = coach.post("/api/schedule/items", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def today_of(phone: Client) -> dict:
    response = phone.get("/api/me/today")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def new_worker(p, name: str = "Lotte") -> tuple[str, Client]:
    created = create_person(p["coach_a"], role="worker", firstName=name, lastName="Vandaag", phone="0486 00 11 22",
                            buddyId=p.ids["buddy_a"], workplaceId=p.workplace_a)
    phone = Client(p.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return created["person"]["id"], phone


# --- who may ask ----------------------------------------------------------------------------------

def test_everyone_gets_their_own_start_and_only_a_worker_a_day(personas):
    coach = personas["coach_a"]
    now = clock.local_now()
    plan(coach, personas.ids["worker_a"], now + dt.timedelta(hours=1), 2, title="Voor Ahmed, niet voor de coach")
    answer = today_of(personas["worker_a"])
    assert answer["me"]["id"] == personas.ids["worker_a"]
    assert answer["me"]["buddy"]["id"] == personas.ids["buddy_a"]
    assert answer["next"] is not None
    for name in ("buddy_a", "coach_a", "coach_b", "admin"):
        other = today_of(personas[name])
        assert other["me"]["id"] == (personas.ids[name] if name != "admin" else other["me"]["id"])
        assert other["me"]["role"] == {"buddy_a": "buddy", "admin": "admin"}.get(name, "coach")
        assert (other["items"], other["next"], other["ride"], other["reports"]) == ([], None, None, []), name
        assert other["unread"] == len(personas[name].get("/api/inbox", params={"unread": "true", "limit": 200}).json())
    assert personas["anonymous"].get("/api/me/today").status_code == 401


def test_a_worker_sees_only_their_own_items_rides_and_messages(personas):
    coach = personas["coach_a"]
    now = clock.local_now()
    mine = plan(coach, personas.ids["worker_a"], now + dt.timedelta(hours=3), 2, title="Alleen voor Ahmed")
    theirs = plan(coach, personas.ids["worker_b"], now + dt.timedelta(hours=3), 2, title="Alleen voor Fatma")
    assert coach.post("/api/reminders", json={"title": "Voor Fatma", "workerIds": [personas.ids["worker_b"]]}).status_code == 201
    a, b = today_of(personas["worker_a"]), today_of(personas["worker_b"])
    ids_a = {i["id"] for i in a["items"]} | ({a["next"]["id"]} if a["next"] else set())
    ids_b = {i["id"] for i in b["items"]} | ({b["next"]["id"]} if b["next"] else set())
    assert theirs["id"] not in ids_a and mine["id"] not in ids_b
    assert b["me"]["id"] == personas.ids["worker_b"] and b["me"]["buddy"] is None
    assert b["unread"] >= 1
    for item in a["items"]:
        assert all(x["personId"] == personas.ids["worker_a"] for x in item["attendance"])
        assert item["participantIds"] == [], "a worker never sees who else is planned"


# --- the day, hour by hour ------------------------------------------------------------------------

def test_the_day_before_during_and_after_an_item(server_at):
    server = server_at(at(WEDNESDAY, 6, 30))
    p = build_personas(server)
    coach = p["coach_a"]
    worker_id, phone = new_worker(p)
    shift = plan(coach, worker_id, at(WEDNESDAY, 8), 8, place={"workplaceId": p.workplace_a},
                 bring=["safety_shoes", "lunch"], contactName="Jan Trainer", contactPhone="0470 99 88 77")
    training = plan(coach, worker_id, at(THURSDAY, 9), 3, kind="training", title="VCA-opleiding")
    cancelled = plan(coach, worker_id, at(WEDNESDAY, 17), 1, title="Afgelast")
    assert coach.post(f"/api/schedule/items/{cancelled['id']}/cancel").status_code == 200

    early = today_of(phone)
    assert early["today"] == "2026-12-02" and early["me"]["firstName"] == "Lotte"
    assert early["me"]["buddy"]["firstName"] == "Marc" and early["me"]["workplace"]["name"] == "Atelier A"
    assert [i["title"] for i in early["items"]] == ["Atelier", "Afgelast"], "today only, in time order"
    assert early["next"]["id"] == shift["id"] and early["shows"] == "today"
    nxt = early["next"]
    assert nxt["bring"] == ["safety_shoes", "lunch"] and nxt["contactName"] == "Jan Trainer"
    assert nxt["place"]["name"] == "Atelier A" and nxt["localStart"] == "08:00"
    assert nxt["checkIn"]["state"] == "notYet"
    assert nxt["checkIn"]["opensAt"].startswith("2026-12-02T06:00:00"), "an hour before 08:00 Brussels (07:00 UTC)"
    assert early["items"][1]["checkIn"]["state"] == "cancelled"
    assert early["ride"] is None and early["rideRequest"] is None and early["hasHome"] is False
    assert early["unread"] == 0 and early["reports"] == [] and early["sickUntil"] is None

    server.set_clock(at(WEDNESDAY, 7, 55))
    assert today_of(phone)["next"]["checkIn"]["state"] == "open"
    assert phone.post(f"/api/schedule/items/{shift['id']}/check-in").status_code == 201
    during = today_of(phone)
    assert during["shows"] == "now" and during["next"]["id"] == shift["id"]
    assert during["next"]["checkIn"]["state"] == "checkedIn" and during["next"]["checkIn"]["status"] == "present"
    assert during["items"][0]["checkIn"]["checkedInAt"]

    server.set_clock(at(WEDNESDAY, 19))
    evening = today_of(phone)
    assert evening["shows"] == "later", "nothing more today: the Home leads with tomorrow"
    assert evening["next"]["id"] == training["id"] and evening["next"]["localDate"] == "2026-12-03"
    assert [(i["title"], i["done"]) for i in evening["items"]] == [("Atelier", True), ("Afgelast", True)]
    assert evening["items"][0]["checkIn"]["state"] == "checkedIn"

    server.set_clock(at(THURSDAY, 13))
    free = today_of(phone)
    assert free["shows"] == "free" and free["next"] is None
    assert [i["checkIn"]["state"] for i in free["items"]] == ["missed"], "the training closed without a check-in"


# Each planning's copy of its item's start beside the item's own.
COPIES = ('SELECT CAST(p.starts_at AS TEXT) AS mine, CAST(i.starts_at AS TEXT) AS theirs FROM participant p '
          'JOIN schedule_item i ON i.id = p.item')


def test_a_moved_item_and_a_planning_without_its_copy_of_the_start(server_at):
    """The Home finds a person's items by the copy of the start their planning carries: moving an item
    moves the copy with it (the Home and the week then agree on the new day), and a planning
    written without the copy (before the migration filled it, or by hand) is still found."""
    server = server_at(at(WEDNESDAY, 7))
    p = build_personas(server)
    coach = p["coach_a"]
    worker_id, phone = new_worker(p)
    later = plan(coach, worker_id, at(THURSDAY + dt.timedelta(days=7), 9), 3, title="Volgende week")
    today = plan(coach, worker_id, at(WEDNESDAY, 13), 2, title="Vandaag")
    assert [i["title"] for i in today_of(phone)["items"]] == ["Vandaag"]

    moved = coach.patch(f"/api/schedule/items/{later['id']}", json={
        "startsAt": at(WEDNESDAY, 10).isoformat(), "endsAt": at(WEDNESDAY, 11, 30).isoformat()})
    assert moved.status_code == 200, moved.text
    home = today_of(phone)
    assert [(i["title"], i["localStart"]) for i in home["items"]] == [
        ("Volgende week", "10:00"), ("Vandaag", "13:00")]
    assert home["next"]["id"] == later["id"]
    week = phone.get("/api/schedule/mine").json()
    assert [i["id"] for i in week if i["localDate"] == "2026-12-02"] == [later["id"], today["id"]]
    copies = db_rows(server, COPIES)
    assert copies and all(c["mine"] == c["theirs"] for c in copies), copies

    moved_back = coach.patch(f"/api/schedule/items/{later['id']}", json={
        "startsAt": at(THURSDAY, 9).isoformat(), "endsAt": at(THURSDAY, 12).isoformat()})
    assert moved_back.status_code == 200, moved_back.text
    assert [i["title"] for i in today_of(phone)["items"]] == ["Vandaag"]
    assert today_of(phone)["next"]["id"] == today["id"]

    db_rows(server, "UPDATE participant SET starts_at = NULL")
    without = today_of(phone)
    assert [i["title"] for i in without["items"]] == ["Vandaag"] and without["next"]["id"] == today["id"]
    server.set_clock(at(WEDNESDAY, 16))
    assert today_of(phone)["next"]["id"] == later["id"], "found by the item's own times"

    # The migration that brought the copy fills it in from the items (its statements, run again).
    import importlib

    migration = importlib.import_module("backend.schedule.piccolo_migrations.schedule_2026_12_03t17_30_00_000000")
    for statement in migration.STATEMENTS:
        db_rows(server, statement)
    copies = db_rows(server, COPIES)
    assert copies and all(c["mine"] is not None and c["mine"] == c["theirs"] for c in copies), copies
    assert today_of(phone)["next"]["id"] == later["id"]


def test_a_night_shift_from_yesterday_is_now_after_midnight(server_at, tmp_path):
    night = night_shift_with_a_ride(server_at, tmp_path)
    server, worker = night["server"], night["worker"]
    assert worker.post("/api/auth/invite", json={"token": night["invite_url"].split("#", 1)[1]}).status_code == 200
    day = night["day"]

    evening = today_of(worker)  # 21:30, the shift starts at 23:00
    assert evening["shows"] == "today" and evening["next"]["id"] == night["item_id"]
    assert evening["next"]["checkIn"]["state"] == "notYet"
    ride = evening["ride"]
    assert ride["status"] == "confirmed" and ride["driverFirstName"] == "Dirk" and ride["role"] == "rider"
    assert ride["pickup"] is not None, "the worker sees where they are picked up"
    assert evening["rideRequest"]["id"] == night["request"]["id"] and evening["rideRequest"]["rideId"] == night["ride_id"]
    assert evening["hasHome"] is True
    assert evening["unread"] >= 1, "the ride's confirmation is in the inbox"

    server.set_clock(at(day + dt.timedelta(days=1), 0, 30))
    after_midnight = today_of(worker)
    assert after_midnight["today"] == (day + dt.timedelta(days=1)).isoformat()
    assert [i["id"] for i in after_midnight["items"]] == [night["item_id"]], "yesterday's shift is still today's"
    assert after_midnight["items"][0]["localDate"] == day.isoformat()
    assert after_midnight["shows"] == "now" and after_midnight["next"]["id"] == night["item_id"]
    assert after_midnight["next"]["checkIn"]["state"] == "open"
    assert worker.post(f"/api/schedule/items/{night['item_id']}/check-in").status_code == 201
    assert today_of(worker)["next"]["checkIn"]["state"] == "checkedIn"

    server.set_clock(at(day + dt.timedelta(days=1), 6, 30))
    morning = today_of(worker)
    assert morning["items"] == [] and morning["next"] is None and morning["shows"] == "free"


def test_sick_today_and_late_reports(server_at):
    server = server_at(at(WEDNESDAY, 7))
    p = build_personas(server)
    coach = p["coach_a"]
    worker_id, phone = new_worker(p, "Ziek")
    today_shift = plan(coach, worker_id, at(WEDNESDAY, 9), 6)
    tomorrow_shift = plan(coach, worker_id, at(THURSDAY, 9), 6)
    assert phone.post("/api/reports/sick", json={"note": "griep"}).status_code == 201

    sick = today_of(phone)
    assert sick["shows"] == "sick" and sick["sickUntil"] == "2026-12-02"
    assert sick["items"][0]["absence"] == "sick" and sick["items"][0]["checkIn"]["state"] == "excused"
    assert sick["next"]["id"] == tomorrow_shift["id"], "an excused item is never the next one"
    assert [(r["kind"], r["lastDay"], r["seenAt"]) for r in sick["reports"]] == [("sick", "2026-12-02", None)]
    assert today_shift["id"] != sick["next"]["id"]

    server.set_clock(at(THURSDAY, 7, 30))
    assert phone.post("/api/reports/late", json={"minutes": 15}).status_code == 201
    late = today_of(phone)
    assert late["sickUntil"] is None and late["shows"] == "today"
    assert [(r["kind"], r["minutesLate"]) for r in late["reports"]] == [("late", 15)], "yesterday's sick day is over"
    unread = phone.get("/api/inbox", params={"unread": "true", "limit": 200}).json()
    assert late["unread"] == len(unread), "the same count as the inbox's unread list"


def test_documented_in_the_api_schema(personas):
    schema = personas["anonymous"].get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/me/today"]["get"]
    assert operation["operationId"] == "getMyToday" and operation["security"] == [{"session": []}]
    assert {"200", "401"} <= set(operation["responses"])


# --- when to leave, in the same answer --------------------------------------------------------------

def test_the_time_to_leave_comes_with_the_day_while_it_is_the_next_step(server_at, tmp_path):
    """The Home's main action before check-in opens is "Vertrek om 08:30": the answer carries it (the
    same time and first journey as the way to work, /api/me/commute?itemId=), so the phone asks once."""
    from transit_feeds import live_feed, write_feed

    server = server_at(at(WEDNESDAY, 18, 30))
    p = build_personas(server)
    feed = write_feed(tmp_path / "live.zip", live_feed(WEDNESDAY))
    assert "imported" in server.werkmaat("transit", "import", str(feed), "--name", "api-live").stdout
    zuid = p["admin"].post(f"/api/organisations/{p.org_a}/workplaces", json={
        "name": "Atelier Genk-Zuid", "city": "Genk", "latitude": 50.9650, "longitude": 5.5350})
    assert zuid.status_code == 201, zuid.text
    worker_id, phone = new_worker(p, "Mira")
    home = p["coach_a"].put(f"/api/mobility/people/{worker_id}/home", json={
        "address": "Dorpsstraat 1, Genk", "latitude": 50.9650, "longitude": 5.4990})
    assert home.status_code == 200, home.text
    shift = plan(p["coach_a"], worker_id, at(THURSDAY, 9), 7, title="Productie donderdag",
                 place={"workplaceId": zuid.json()["id"]})

    answer = today_of(phone)
    assert answer["next"]["id"] == shift["id"]
    commute = phone.get("/api/me/commute", params={"itemId": shift["id"]}).json()["items"][0]
    assert answer["leave"]["itemId"] == shift["id"]
    assert answer["leave"]["at"] == commute["leaveHomeAt"]
    assert answer["leave"]["journey"] == commute["journeys"][0]

    # A shift without a place (or without a timetable to it): no leave time, and the Home still answers.
    _, other = new_worker(p, "Noor")
    assert today_of(other)["leave"] is None
