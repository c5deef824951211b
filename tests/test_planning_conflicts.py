"""Planning warns before saving: the same series twice, or two items at the same time for one worker.

`POST /api/schedule/items/conflicts` and `/series/conflicts` take the very body the form is about to
save and list every worker who is already planned then (stored days and series days beyond the stored
horizon alike), one line per worker and clashing series or item. They check the body like saving does
and save nothing; saving itself never refuses a clash (a short meeting during a shift can be right).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

import clock
from conftest import Client, create_person


def new_worker(personas, first: str = "Clash") -> str:
    created = create_person(personas["coach_a"], role="worker", firstName=first, lastName=uuid.uuid4().hex[:6])
    return created["person"]["id"]


def next_weekday(iso: int, weeks: int = 1) -> dt.date:
    """A day with ISO weekday `iso`, at least `weeks` weeks from today (Brussels)."""
    today = clock.local_now().date()
    day = today + dt.timedelta(days=7 * weeks)
    return day + dt.timedelta(days=(iso - day.isoweekday()) % 7)


def item_body(worker_id: str, day: dt.date, start: tuple[int, int], end: tuple[int, int], **extra) -> dict:
    body = {"title": "Werk in het atelier", "kind": "shift", "workerIds": [worker_id],
            "startsAt": clock.at(day, *start).isoformat(), "endsAt": clock.at(day, *end).isoformat()}
    body.update(extra)
    return body


def series_body(worker_ids: list[str], valid_from: dt.date, **extra) -> dict:
    body = {"title": "Atelier", "kind": "shift", "workerIds": worker_ids, "weekdays": [1, 2, 3, 4],
            "startTime": "08:00", "endTime": "16:00", "validFrom": valid_from.isoformat()}
    body.update(extra)
    return body


def conflicts(coach: Client, kind: str, body: dict) -> list[dict]:
    response = coach.post(f"/api/schedule/{kind}/conflicts", json=body)
    assert response.status_code == 200, response.text
    return response.json()["conflicts"]


def save(coach: Client, kind: str, body: dict) -> dict:
    response = coach.post(f"/api/schedule/{kind}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_same_series_twice_is_one_warning_per_worker(personas):
    coach = personas["coach_a"]
    ahmed, fatma = new_worker(personas, "Ahmed"), new_worker(personas, "Fatma")
    monday = next_weekday(1)
    until = monday + dt.timedelta(weeks=4) - dt.timedelta(days=1)  # four weeks, Mon-Thu: 16 days
    body = series_body([ahmed], monday, validUntil=until.isoformat())
    assert conflicts(coach, "series", body) == []
    series = save(coach, "series", body)

    found = conflicts(coach, "series", series_body([fatma, ahmed], monday, validUntil=until.isoformat()))
    assert len(found) == 1, "only the worker who already has the series"
    clash = found[0]
    assert clash["workerId"] == ahmed and clash["workerName"].startswith("Ahmed ")
    assert clash["seriesId"] == series["id"] and clash["sameSeries"] is True
    assert clash["count"] == 16 and clash["localDate"] == monday.isoformat()
    assert (clash["localStart"], clash["localEnd"], clash["title"]) == ("08:00", "16:00", "Atelier")

    # Another pattern that overlaps on Thursdays only: a clash, but not "the same series".
    friday_course = series_body([ahmed], monday, title="VCA", weekdays=[4, 5], startTime="13:00", endTime="17:00",
                                validUntil=until.isoformat())
    [partial] = conflicts(coach, "series", friday_course)
    assert partial["sameSeries"] is False and partial["count"] == 4
    # Touching ends do not clash; other days and the afternoon after 16:00 are free.
    assert conflicts(coach, "series", series_body([ahmed], monday, startTime="16:00", endTime="18:00")) == []
    assert conflicts(coach, "series", series_body([ahmed], monday, weekdays=[5, 6])) == []
    # After the series ends, nothing clashes.
    assert conflicts(coach, "series", series_body([ahmed], until + dt.timedelta(days=1))) == []


def test_two_items_at_the_same_time_for_one_worker(personas):
    coach = personas["coach_a"]
    worker = new_worker(personas)
    other = new_worker(personas)
    day = next_weekday(2)
    first = save(coach, "items", item_body(worker, day, (8, 0), (12, 0)))

    [clash] = conflicts(coach, "items", item_body(worker, day, (11, 0), (14, 0), title="Intake", kind="intake"))
    assert clash["itemId"] == first["id"] and clash["seriesId"] is None and clash["count"] == 1
    assert (clash["localDate"], clash["localStart"], clash["localEnd"]) == (day.isoformat(), "08:00", "12:00")
    assert clash["sameSeries"] is False
    # Right after it, on another day, or for someone else: fine.
    assert conflicts(coach, "items", item_body(worker, day, (12, 0), (16, 0))) == []
    assert conflicts(coach, "items", item_body(worker, day + dt.timedelta(days=1), (8, 0), (12, 0))) == []
    assert conflicts(coach, "items", item_body(other, day, (8, 0), (12, 0))) == []
    # A night shift from the day before that runs into the morning clashes too.
    save(coach, "items", {**item_body(worker, day - dt.timedelta(days=1), (22, 0), (23, 0)),
                          "endsAt": clock.at(day, 6, 0).isoformat()})
    night = conflicts(coach, "items", item_body(worker, day, (5, 0), (9, 0)))
    assert [(c["localStart"], c["localEnd"]) for c in night] == [("22:00", "06:00"), ("08:00", "12:00")]
    # A cancelled item is no clash; saving a clash anyway works (the check refuses nothing).
    assert coach.post(f"/api/schedule/items/{first['id']}/cancel").status_code == 200
    assert conflicts(coach, "items", item_body(worker, day, (9, 0), (10, 0))) == []
    save(coach, "items", item_body(worker, day, (9, 0), (10, 0)))
    save(coach, "items", item_body(worker, day, (9, 30), (10, 30)))


def test_a_one_off_item_on_a_series_day_names_the_series(personas):
    coach = personas["coach_a"]
    worker = new_worker(personas)
    series = save(coach, "series", series_body([worker], next_weekday(1)))
    wednesday = next_weekday(3, weeks=2)
    [clash] = conflicts(coach, "items", item_body(worker, wednesday, (15, 0), (17, 0), title="Sollicitatietraining"))
    assert clash["seriesId"] == series["id"] and clash["localDate"] == wednesday.isoformat()
    assert clash["count"] == 1 and clash["sameSeries"] is False


def test_days_beyond_the_stored_horizon_are_checked_too(personas):
    """Twelve weeks out the days of a series are not rows yet; they clash all the same."""
    coach = personas["coach_a"]
    worker = new_worker(personas)
    far = next_weekday(1, weeks=12)
    series = save(coach, "series", series_body([worker], far, validUntil=(far + dt.timedelta(days=3)).isoformat()))
    [clash] = conflicts(coach, "items", item_body(worker, far + dt.timedelta(days=1), (7, 0), (9, 0)))
    assert clash["seriesId"] == series["id"] and clash["localDate"] == (far + dt.timedelta(days=1)).isoformat()
    again = conflicts(coach, "series", series_body([worker], far, validUntil=(far + dt.timedelta(days=3)).isoformat()))
    assert [(c["seriesId"], c["count"], c["sameSeries"]) for c in again] == [(series["id"], 4, True)]


@pytest.mark.parametrize("size", [2, 7], ids=["small group", "big group"])
def test_a_group_is_checked_member_by_member(personas, size):
    """A few workers are looked up one by one, a bigger group through the organisation's items:
    the same answer either way, and an item the group shares counts once per worker."""
    coach = personas["coach_a"]
    busy = new_worker(personas, "Busy")
    free = [new_worker(personas, "Free") for _ in range(size - 1)]
    group = coach.post("/api/groups", json={"name": f"VCA {uuid.uuid4().hex[:4]}", "memberIds": free + [busy]}).json()
    day = next_weekday(4)
    save(coach, "items", item_body(busy, day, (8, 0), (16, 0)))
    shared = save(coach, "items", {**item_body(busy, day, (17, 0), (18, 0)), "workerIds": [busy, free[0]]})
    found = conflicts(coach, "items", {**item_body(busy, day, (9, 0), (18, 0)), "workerIds": [], "groupId": group["id"]})
    assert sorted((c["workerId"], c["localStart"], c["count"]) for c in found) == sorted(
        [(busy, "08:00", 1), (busy, "17:00", 1), (free[0], "17:00", 1)])
    assert {c["itemId"] for c in found if c["localStart"] == "17:00"} == {shared["id"]}


def test_the_check_saves_nothing(personas):
    coach = personas["coach_a"]
    worker = new_worker(personas)
    day = next_weekday(5)
    conflicts(coach, "items", item_body(worker, day, (8, 0), (12, 0)))
    conflicts(coach, "series", series_body([worker], day))
    listed = coach.get("/api/schedule/items", params={"workerId": worker, "from": day.isoformat(),
                                                       "to": (day + dt.timedelta(days=14)).isoformat()})
    assert listed.status_code == 200 and listed.json() == []


@pytest.mark.parametrize("kind, change, field", [
    ("items", {"endsAt": "before"}, "endsAt"),
    ("items", {"workerIds": []}, "workerIds"),
    ("items", {"allowConflicts": True}, "allowConflicts"),
    ("series", {"endTime": "08:00"}, "endTime"),
    ("series", {"validUntil": "past"}, "validUntil"),
    ("series", {"weekdays": [8]}, "weekdays"),
])
def test_a_bad_body_is_a_400_like_saving_it(personas, kind, change, field):
    worker = personas.ids["worker_b"]
    day = next_weekday(2)
    body = item_body(worker, day, (8, 0), (12, 0)) if kind == "items" else series_body([worker], day)
    for key, value in change.items():
        if value == "before":
            value = clock.at(day, 7, 0).isoformat()
        elif value == "past":
            value = (day - dt.timedelta(days=1)).isoformat()
        body[key] = value
    for language in ("nl", "en"):
        response = personas["coach_a"].post(f"/api/schedule/{kind}/conflicts", json=body,
                                            headers={"Accept-Language": language})
        assert response.status_code == 400, response.text
        assert field in response.json()["errors"][0]["field"]
    assert personas["coach_a"].post(f"/api/schedule/{kind}", json=body).status_code == 400


def test_only_the_workers_own_coaches_may_ask(personas):
    day = next_weekday(3)
    worker = personas.ids["worker_a"]
    body = item_body(worker, day, (8, 0), (12, 0))
    series = series_body([worker], day)
    for kind, payload in (("items", body), ("series", series)):
        path = f"/api/schedule/{kind}/conflicts"
        # A coach of another organisation cannot even learn that the worker exists.
        other = personas["coach_b"].post(path, json=payload)
        assert other.status_code == 400 and other.json()["errors"][0]["field"] == "workerIds"
        for persona in ("worker_a", "buddy_a"):
            assert personas[persona].post(path, json=payload).status_code == 403
        assert personas["anonymous"].post(path, json=payload).status_code in (401, 403)
    # Once it is planned, coach A's check finds it; coach B's is still refused the same way.
    save(personas["coach_a"], "items", body)
    assert len(conflicts(personas["coach_a"], "items", body)) == 1
    assert personas["coach_b"].post("/api/schedule/items/conflicts", json=body).status_code == 400
