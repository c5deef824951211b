"""The worker's week: planning, recurrence across DST, check-in, corrections, reports, calendar feed."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest

from conftest import Client, create_person, token_of

BRUSSELS = ZoneInfo("Europe/Brussels")


def brussels_now() -> dt.datetime:
    return dt.datetime.now(BRUSSELS)


def worker(personas) -> tuple[str, Client]:
    """A fresh worker of coach A, signed in on a phone (so tests never share attendance)."""
    created = create_person(personas["coach_a"], role="worker", firstName="Week", lastName=uuid.uuid4().hex[:6],
                            workplaceId=personas.workplace_a)
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return created["person"]["id"], phone


def plan(coach: Client, worker_id: str, start: dt.datetime, end: dt.datetime, **extra) -> dict:
    body = {"title": "Werk in het atelier", "kind": "shift", "workerIds": [worker_id],
            "startsAt": start.isoformat(), "endsAt": end.isoformat()}
    body.update(extra)
    response = coach.post("/api/schedule/items", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def today_span() -> tuple[dt.datetime, dt.datetime]:
    """An item of today that has started, whatever the hour of the test run."""
    now = brussels_now()
    start = max(now - dt.timedelta(hours=1), now.replace(hour=0, minute=1, second=0, microsecond=0))
    return start, now + dt.timedelta(hours=2)


def test_worker_sees_planned_items_with_place_bring_and_contact(personas):
    worker_id, phone = worker(personas)
    start = (brussels_now() + dt.timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    plan(personas["coach_a"], worker_id, start, start + dt.timedelta(hours=8),
         place={"workplaceId": personas.workplace_a}, bring=["safety_shoes", "lunch"],
         contactName="Jan Trainer", contactPhone="0470 99 88 77", note="Meld je aan bij het onthaal.")
    training = start + dt.timedelta(days=1, hours=1)
    plan(personas["coach_a"], worker_id, training, training + dt.timedelta(hours=3), kind="training",
         title="VCA-opleiding", place={"address": "Kempische Steenweg 293, 3500 Hasselt",
                                       "latitude": 50.9395, "longitude": 5.3521})
    items = phone.get("/api/schedule/mine").json()
    assert [i["title"] for i in items] == ["Werk in het atelier", "VCA-opleiding"], "soonest first"
    shift = items[0]
    assert shift["localStart"] == "08:00" and shift["localEnd"] == "16:00"
    assert shift["bring"] == ["safety_shoes", "lunch"]
    assert shift["place"]["name"] == "Atelier A" and shift["place"]["latitude"] == pytest.approx(50.9533)
    assert shift["contactName"] == "Jan Trainer" and shift["participantIds"] == []
    assert items[1]["place"]["address"].startswith("Kempische Steenweg")
    # Another worker sees none of it, not even by id.
    assert personas["worker_b"].get(f"/api/schedule/items/{shift['id']}").status_code == 404
    assert all(i["id"] != shift["id"] for i in personas["worker_b"].get("/api/schedule/mine").json())
    assert personas["coach_b"].get(f"/api/schedule/items/{shift['id']}").status_code == 404


def series_items(coach: Client, worker_id: str, first: str, last: str) -> list[dict]:
    response = coach.get("/api/schedule/items", params={"workerId": worker_id, "from": first, "to": last})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("before, after, utc_before, utc_after", [
    # 28 March 2027: clocks go forward (CET -> CEST). 31 October 2027: back (CEST -> CET).
    (("2027-03-22", "2027-03-25"), ("2027-03-29", "2027-04-01"), "07:00", "06:00"),
    (("2027-10-25", "2027-10-28"), ("2027-11-01", "2027-11-04"), "06:00", "07:00"),
])
def test_recurring_shift_stays_at_local_time_across_dst(personas, before, after, utc_before, utc_after):
    worker_id, _ = worker(personas)
    coach = personas["coach_a"]
    response = coach.post("/api/schedule/series", json={
        "title": "Productie", "workerIds": [worker_id], "weekdays": [1, 2, 3, 4], "startTime": "08:00",
        "endTime": "16:00", "validFrom": before[0], "validUntil": after[1],
        "place": {"workplaceId": personas.workplace_a}})
    assert response.status_code == 201, response.text
    items = series_items(coach, worker_id, before[0], after[1])
    assert len(items) == 8, "Monday to Thursday, two weeks"
    assert {i["localStart"] for i in items} == {"08:00"} and {i["localEnd"] for i in items} == {"16:00"}
    utc = {i["localDate"]: dt.datetime.fromisoformat(i["startsAt"]).astimezone(dt.timezone.utc).strftime("%H:%M")
           for i in items}
    assert utc[before[0]] == utc_before and utc[after[0]] == utc_after
    assert all(dt.date.fromisoformat(d).isoweekday() <= 4 for d in utc)


def test_series_exceptions_survive_a_series_change(personas):
    worker_id, phone = worker(personas)
    coach = personas["coach_a"]
    monday = brussels_now().date() + dt.timedelta(days=7 - brussels_now().weekday() + 7)  # Monday after next
    series = coach.post("/api/schedule/series", json={
        "title": "Groendienst", "workerIds": [worker_id], "weekdays": [1, 2, 3, 4], "startTime": "08:00",
        "endTime": "16:00", "validFrom": monday.isoformat()}).json()
    week = series_items(coach, worker_id, monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat())
    assert [i["localDate"] for i in week] == [(monday + dt.timedelta(days=d)).isoformat() for d in range(4)]
    holiday, moved = week[1], week[2]
    assert coach.post(f"/api/schedule/items/{holiday['id']}/cancel").json()["cancelled"] is True
    later = dt.datetime.combine(dt.date.fromisoformat(moved["localDate"]), dt.time(10, 0), BRUSSELS)
    patched = coach.patch(f"/api/schedule/items/{moved['id']}", json={
        "startsAt": later.isoformat(), "endsAt": (later + dt.timedelta(hours=6)).isoformat()})
    assert patched.status_code == 200 and patched.json()["localStart"] == "10:00"
    change = coach.patch(f"/api/schedule/series/{series['id']}", json={"endTime": "15:00"})
    assert change.status_code == 200, change.text
    week = series_items(coach, worker_id, monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat())
    by_day = {i["localDate"]: i for i in week}
    assert len(week) == 4, "no duplicates after the change"
    assert by_day[holiday["localDate"]]["cancelled"] is True
    assert by_day[moved["localDate"]]["localStart"] == "10:00" and by_day[moved["localDate"]]["localEnd"] == "16:00"
    others = [i for d, i in by_day.items() if d not in (holiday["localDate"], moved["localDate"])]
    assert [i["localEnd"] for i in others] == ["15:00", "15:00"]
    mine = phone.get("/api/schedule/mine", params={"from": monday.isoformat(),
                                                   "to": (monday + dt.timedelta(days=6)).isoformat()}).json()
    assert len(mine) == 4 and any(i["cancelled"] for i in mine)
    ended = coach.post(f"/api/schedule/series/{series['id']}/end")
    assert ended.json()["ended"] is True
    week = series_items(coach, worker_id, monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat())
    assert all(i["cancelled"] for i in week)


def test_check_in_once_today_with_server_time(personas):
    worker_id, phone = worker(personas)
    start, end = today_span()
    item = plan(personas["coach_a"], worker_id, start, end)
    before = dt.datetime.now(dt.timezone.utc)
    first = phone.post(f"/api/schedule/items/{item['id']}/check-in", headers={"Idempotency-Key": "checkin-0001"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] in ("present", "late")
    checked = dt.datetime.fromisoformat(body["checkedInAt"])
    assert abs((checked - before).total_seconds()) < 30
    replay = phone.post(f"/api/schedule/items/{item['id']}/check-in", headers={"Idempotency-Key": "checkin-0001"})
    assert replay.status_code == 201 and replay.headers.get("idempotent-replayed") == "true"
    assert replay.json() == body
    again = phone.post(f"/api/schedule/items/{item['id']}/check-in")
    assert again.json()["checkedInAt"] == body["checkedInAt"], "the first time is kept"
    detail = personas["coach_a"].get(f"/api/schedule/items/{item['id']}/attendance/{worker_id}").json()
    assert len(detail["history"]) == 1, "one check-in recorded, not three"


def test_check_in_refused_for_other_days_and_other_people(personas):
    worker_id, phone = worker(personas)
    tomorrow = brussels_now().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    item = plan(personas["coach_a"], worker_id, tomorrow, tomorrow + dt.timedelta(hours=4))
    response = phone.post(f"/api/schedule/items/{item['id']}/check-in")
    # Check-in opens an hour before the start (tests/test_attendance_window.py has the whole rule).
    assert response.status_code == 409
    assert response.json()["message"].startswith("Inchecken kan vanaf ") and "08:00" in response.json()["message"]
    start, end = today_span()
    today_item = plan(personas["coach_a"], worker_id, start, end)
    assert personas["worker_b"].post(f"/api/schedule/items/{today_item['id']}/check-in").status_code == 404
    assert personas["buddy_a"].post(f"/api/schedule/items/{today_item['id']}/check-in").status_code == 404
    assert personas["coach_a"].post(f"/api/schedule/items/{today_item['id']}/check-in").status_code == 403


def test_coach_corrections_are_kept_with_who_and_when(personas):
    worker_id, phone = worker(personas)
    start, end = today_span()
    item = plan(personas["coach_a"], worker_id, start, end)
    phone.post(f"/api/schedule/items/{item['id']}/check-in")
    url = f"/api/schedule/items/{item['id']}/attendance/{worker_id}"
    assert personas["coach_a"].put(url, json={"status": "late", "note": "Kwam om 9u"}).status_code == 200
    detail = personas["coach_a"].put(url, json={"status": "excused", "note": "Dokter"}).json()
    assert detail["status"] == "excused"
    assert [(h["oldStatus"], h["newStatus"]) for h in detail["history"]][1:] == [
        (detail["history"][0]["newStatus"], "late"), ("late", "excused")]
    assert detail["history"][-1]["changedBy"] == personas.ids["coach_a"]
    assert detail["history"][-1]["note"] == "Dokter"
    assert personas["coach_b"].put(url, json={"status": "absent"}).status_code == 404
    assert phone.put(url, json={"status": "present"}).status_code == 403
    bad = personas["coach_a"].put(url, json={"status": "gone"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"


def test_sick_report_reaches_coach_once_and_excuses_the_days(personas):
    worker_id, phone = worker(personas)
    day = brussels_now().date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(8), BRUSSELS)
    item = plan(personas["coach_a"], worker_id, start, start + dt.timedelta(hours=8))
    body = {"firstDay": day.isoformat(), "lastDay": (day + dt.timedelta(days=1)).isoformat(), "note": "Griep"}
    key = {"Idempotency-Key": f"sick-{uuid.uuid4()}"}
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: phone.post("/api/reports/sick", json=body, headers=key), range(3)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    reports = personas["coach_a"].get("/api/reports", params={"unseen": "true", "personId": worker_id}).json()
    assert len(reports) == 1, "sent three times, recorded once"
    assert reports[0]["kind"] == "sick" and reports[0]["note"] == "Griep"
    detail = personas["coach_a"].get(f"/api/schedule/items/{item['id']}/attendance/{worker_id}").json()
    assert detail["status"] == "excused"
    seen = personas["coach_a"].post(f"/api/reports/{reports[0]['id']}/seen").json()
    assert seen["seenAt"] is not None
    assert personas["coach_b"].get("/api/reports", params={"personId": worker_id}).json() == []
    assert personas["coach_b"].post(f"/api/reports/{reports[0]['id']}/seen").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"firstDay": "2027-01-01", "lastDay": "2027-03-15"}, "lastDay"),
    ({"firstDay": "2027-01-10", "lastDay": "2027-01-01"}, "lastDay"),
    ({"firstDay": "2027-13-01"}, "firstDay"),
])
def test_bad_sick_reports_say_what_to_fix(personas, body, field):
    response = personas["worker_a"].post("/api/reports/sick", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    english = Client(personas.server.url, language="en")
    english.cookies = personas["worker_a"].cookies
    message = english.post("/api/reports/sick", json=body).json()["errors"][0]["message"]
    assert message and message != response.json()["errors"][0]["message"]


def test_late_report(personas):
    worker_id, phone = worker(personas)
    start, end = today_span()
    item = plan(personas["coach_a"], worker_id, start + dt.timedelta(minutes=1), end)
    response = phone.post("/api/reports/late", json={"minutes": 15, "reason": "Bus te laat"})
    assert response.status_code == 201, response.text
    assert response.json()["minutesLate"] == 15 and response.json()["itemId"] == item["id"]
    assert phone.post("/api/reports/late", json={"minutes": 0}).status_code == 400
    other = phone.post("/api/reports/late", json={"minutes": 5, "personId": personas.ids["worker_b"]})
    assert other.status_code == 403


@pytest.mark.parametrize("change, field, status", [
    ({"endsAt": "start-1h"}, "endsAt", 400),
    ({"endsAt": "start+25h"}, "endsAt", 400),
    ({"workerIds": [str(uuid.uuid4())]}, "workerIds", 400),
    ({"workerIds": []}, "workerIds", 400),
])
def test_bad_plans_say_what_to_fix(personas, change, field, status):
    start = brussels_now().replace(microsecond=0) + dt.timedelta(days=3)
    body = {"title": "Shift", "workerIds": [personas.ids["worker_a"]], "startsAt": start.isoformat(),
            "endsAt": (start + dt.timedelta(hours=8)).isoformat()}
    for key, value in change.items():
        if isinstance(value, str) and value.startswith("start"):
            hours = int(value[5:-1])
            value = (start + dt.timedelta(hours=hours)).isoformat()
        body[key] = value
    response = personas["coach_a"].post("/api/schedule/items", json=body)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field


def test_planning_for_another_organisation_or_group_is_refused(personas):
    start = brussels_now() + dt.timedelta(days=3)
    body = {"title": "Shift", "startsAt": start.isoformat(), "endsAt": (start + dt.timedelta(hours=2)).isoformat()}
    other_org = personas["coach_b"].post("/api/schedule/items", json={**body, "workerIds": [personas.ids["worker_a"]]})
    assert other_org.status_code == 400 and other_org.json()["errors"][0]["field"] == "workerIds"
    group = personas["coach_a"].post("/api/groups", json={"name": "VCA maart",
                                                          "memberIds": [personas.ids["worker_a"]]}).json()
    # A colleague coach of the same organisation may not plan with coach A's group.
    colleague_email = f"colleague.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Col", email=colleague_email,
                  password="coach-password-123", organisationId=personas.org_a)
    colleague = Client(personas.server.url)
    colleague.login(colleague_email, "coach-password-123")
    refused = colleague.post("/api/schedule/items", json={**body, "groupId": group["id"]})
    assert refused.status_code == 403
    assert personas["coach_b"].post("/api/schedule/items", json={**body, "groupId": group["id"]}).status_code == 404
    ok = personas["coach_a"].post("/api/schedule/items", json={**body, "groupId": group["id"]})
    assert ok.status_code == 201 and ok.json()["participantIds"] == [personas.ids["worker_a"]]
    assert personas["worker_a"].post("/api/schedule/items", json={**body, "workerIds": []}).status_code == 403


def test_calendar_feed_parses_and_renewal_kills_old_url(personas):
    worker_id, phone = worker(personas)
    coach = personas["coach_a"]
    coach.post("/api/schedule/series", json={
        "title": "Productie", "workerIds": [worker_id], "weekdays": [1, 2, 3, 4, 5], "startTime": "08:00",
        "endTime": "16:00", "validFrom": brussels_now().date().isoformat(), "bring": ["safety_shoes", "id_card"],
        "place": {"workplaceId": personas.workplace_a}})
    url = phone.get("/api/calendar").json()["url"]
    assert url.startswith(personas.server.url + "/cal/") and url.endswith(".ics")
    feed = httpx.get(url)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert feed.headers["cache-control"] == "no-store"
    cal = icalendar.Calendar.from_ical(feed.content)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) >= 15
    assert [c for c in cal.walk("VTIMEZONE")][0]["TZID"] == "Europe/Brussels"
    first = events[0]
    start = first.decoded("DTSTART")
    assert start.tzinfo is not None and start.astimezone(BRUSSELS).strftime("%H:%M") == "08:00"
    assert "Atelier A" in str(first["LOCATION"])
    assert "veiligheidsschoenen" in str(first["DESCRIPTION"]) and "identiteitskaart" in str(first["DESCRIPTION"])
    alarm = first.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=1)
    hours = {e.decoded("DTSTART").astimezone(BRUSSELS).strftime("%H:%M") for e in events}
    assert hours == {"08:00"}, "local time kept for every event, across any DST change in range"
    renewed = phone.post("/api/calendar/renew").json()["url"]
    assert renewed != url
    assert httpx.get(url).status_code == 404, "the old address stops working at once"
    assert httpx.get(renewed).status_code == 200
    by_coach = coach.post(f"/api/calendar/{worker_id}/renew").json()["url"]
    assert httpx.get(renewed).status_code == 404 and httpx.get(by_coach).status_code == 200
    assert personas["coach_b"].post(f"/api/calendar/{worker_id}/renew").status_code == 404
    assert httpx.get(personas.server.url + "/cal/garbage.ics").status_code == 404
