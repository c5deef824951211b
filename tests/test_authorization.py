"""Authorization matrix: every route that takes an object id, asked by every persona.

Targets belong to worker A / organisation A. Expected statuses follow the code:

* anonymous: 401 everywhere (the guards run before any lookup);
* workers and buddies: 403 on every staff-only route (the `staff_only` guard refuses before the
  object is looked up, so the answer is the same for an existing and a random id); under
  /api/me/devices a device of someone else is 404, one's own device 204;
* coach B (another organisation): 404, with exactly the body a random uuid gets, so nobody can learn
  that an object of another organisation exists;
* coach A: 2xx, except changing the organisation itself (admins only: 403);
* admin: 2xx, except /api/me/devices/{id} for someone else's device (404).

Schedule routes: an item of worker A is visible to worker A (200) and 404 for other workers and
buddies (`visible_item`); only the planned worker checks in (201; coach A and the admin see the item,
so they get 403). The iCalendar feed `/cal/{token}` is a capability URL: whoever holds the token
gets the feed (200 for everyone), and an unknown token is 404.

Reminder routes: an inbox entry of worker A can be marked read or acknowledged by worker A only
(204); for everyone else it does not exist (404). Reminders and organisation reminder settings are
staff-only like the other organisation routes.

Coaching routes (worker files, notes, flags, milestones, status, assignment, settings, templates) are
staff-only: workers and buddies 403, coach B 404 like a random id; templates and setting changes are
for admins (coach A: 403 on their own organisation's).

Besides the matrix: an unknown id is 404 even for coach A and the admin (never 200 or 500).

Mutating routes act on throwaway objects (a fresh worker, a second device of worker A, a fresh
workplace), never on the shared personas; a refused request must leave its object untouched.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Callable
from zoneinfo import ZoneInfo

import pytest

from conftest import Client, create_person, token_of

PERSONAS = ("anonymous", "worker_a", "worker_b", "buddy_a", "coach_a", "coach_b", "admin")

# operationId -> (method, path) of every route in the OpenAPI that takes an object id in its path.
ROUTES: dict[str, tuple[str, str]] = {
    "revokeMyDevice": ("DELETE", "/api/me/devices/{device_id}"),
    "getPerson": ("GET", "/api/people/{person_id}"),
    "updatePerson": ("PATCH", "/api/people/{person_id}"),
    "createInvite": ("POST", "/api/people/{person_id}/invites"),
    "createPasswordReset": ("POST", "/api/people/{person_id}/password-reset"),
    "listPersonDevices": ("GET", "/api/people/{person_id}/devices"),
    "revokePersonDevice": ("DELETE", "/api/people/{person_id}/devices/{device_id}"),
    "deactivatePerson": ("POST", "/api/people/{person_id}/deactivate"),
    "activatePerson": ("POST", "/api/people/{person_id}/activate"),
    "getOrganisation": ("GET", "/api/organisations/{organisation_id}"),
    "updateOrganisation": ("PATCH", "/api/organisations/{organisation_id}"),
    "listWorkplaces": ("GET", "/api/organisations/{organisation_id}/workplaces"),
    "createWorkplace": ("POST", "/api/organisations/{organisation_id}/workplaces"),
    "getWorkplace": ("GET", "/api/workplaces/{workplace_id}"),
    "updateWorkplace": ("PATCH", "/api/workplaces/{workplace_id}"),
    "getScheduleItem": ("GET", "/api/schedule/items/{item_id}"),
    "updateScheduleItem": ("PATCH", "/api/schedule/items/{item_id}"),
    "cancelScheduleItem": ("POST", "/api/schedule/items/{item_id}/cancel"),
    "restoreScheduleItem": ("POST", "/api/schedule/items/{item_id}/restore"),
    "checkIn": ("POST", "/api/schedule/items/{item_id}/check-in"),
    "getAttendance": ("GET", "/api/schedule/items/{item_id}/attendance/{person_id}"),
    "correctAttendance": ("PUT", "/api/schedule/items/{item_id}/attendance/{person_id}"),
    "getScheduleSeries": ("GET", "/api/schedule/series/{series_id}"),
    "updateScheduleSeries": ("PATCH", "/api/schedule/series/{series_id}"),
    "endScheduleSeries": ("POST", "/api/schedule/series/{series_id}/end"),
    "markReportSeen": ("POST", "/api/reports/{report_id}/seen"),
    "renewPersonCalendar": ("POST", "/api/calendar/{person_id}/renew"),
    "calendarFeed": ("GET", "/cal/{token}"),
    "getReminder": ("GET", "/api/reminders/{reminder_id}"),
    "cancelReminder": ("POST", "/api/reminders/{reminder_id}/cancel"),
    "endReminderRule": ("POST", "/api/reminders/rules/{rule_id}/end"),
    "markInboxRead": ("POST", "/api/inbox/{entry_id}/read"),
    "acknowledgeInbox": ("POST", "/api/inbox/{entry_id}/ack"),
    "replyInbox": ("POST", "/api/inbox/{entry_id}/reply"),
    "getOrganisationReminderSettings": ("GET", "/api/notification-settings/organisations/{organisation_id}"),
    "setOrganisationReminderSettings": ("PUT", "/api/notification-settings/organisations/{organisation_id}"),
    "getWorkerHome": ("GET", "/api/mobility/people/{person_id}/home"),
    "setWorkerHome": ("PUT", "/api/mobility/people/{person_id}/home"),
    "geocodeWorkplace": ("POST", "/api/mobility/workplaces/{workplace_id}/geocode"),
    "getRideOffer": ("GET", "/api/ride-offers/{offer_id}"),
    "updateRideOffer": ("PATCH", "/api/ride-offers/{offer_id}"),
    "deleteRideOffer": ("DELETE", "/api/ride-offers/{offer_id}"),
    "getRideRequest": ("GET", "/api/ride-requests/{request_id}"),
    "cancelRideRequest": ("POST", "/api/ride-requests/{request_id}/cancel"),
    "acceptRide": ("POST", "/api/rides/{ride_id}/accept"),
    "declineRide": ("POST", "/api/rides/{ride_id}/decline"),
    "cancelRide": ("POST", "/api/rides/{ride_id}/cancel"),
    "markRideDone": ("POST", "/api/rides/{ride_id}/done"),
    "markRideNoShow": ("POST", "/api/rides/{ride_id}/no-show"),
    "nameRidePickup": ("PUT", "/api/rides/{ride_id}/pickup"),
    "nameRidePickupForWorker": ("PUT", "/api/mobility/rides/{ride_id}/pickup"),
    "getWorkerFile": ("GET", "/api/coaching/workers/{person_id}"),
    "updateWorkerFile": ("PATCH", "/api/coaching/workers/{person_id}"),
    "workerTimeline": ("GET", "/api/coaching/workers/{person_id}/timeline"),
    "addNote": ("POST", "/api/coaching/workers/{person_id}/notes"),
    "editNote": ("PATCH", "/api/coaching/notes/{note_id}"),
    "noteRevisions": ("GET", "/api/coaching/notes/{note_id}/revisions"),
    "closeFlag": ("POST", "/api/coaching/flags/{flag_id}/close"),
    "setWorkerStatus": ("PUT", "/api/coaching/workers/{person_id}/status"),
    "assignWorker": ("PUT", "/api/coaching/workers/{person_id}/assignment"),
    "applyTrajectoryTemplate": ("POST", "/api/coaching/workers/{person_id}/milestones"),
    "updateMilestone": ("PATCH", "/api/coaching/milestones/{milestone_id}"),
    "updateTrajectoryTemplate": ("PUT", "/api/coaching/templates/{template_id}"),
    "deleteTrajectoryTemplate": ("DELETE", "/api/coaching/templates/{template_id}"),
    "getCoachingSettings": ("GET", "/api/coaching/organisations/{organisation_id}/settings"),
    "setCoachingSettings": ("PUT", "/api/coaching/organisations/{organisation_id}/settings"),
    "exportPerson": ("GET", "/api/people/{person_id}/export"),
    "erasePerson": ("POST", "/api/people/{person_id}/erase"),
    "getRetentionSettings": ("GET", "/api/organisations/{organisation_id}/retention"),
    "setRetentionSettings": ("PUT", "/api/organisations/{organisation_id}/retention"),
    "createPhrase": ("POST", "/api/organisations/{organisation_id}/phrases"),
    "getPhrase": ("GET", "/api/organisations/{organisation_id}/phrases/{phrase_id}"),
    "updatePhrase": ("PUT", "/api/organisations/{organisation_id}/phrases/{phrase_id}"),
    "deletePhrase": ("DELETE", "/api/organisations/{organisation_id}/phrases/{phrase_id}"),
}

MATRIX_TEXT = """
operation                        anonymous worker_a worker_b buddy_a coach_a coach_b admin
revokeMyDevice                   401       204      404      404     404     404     404
getPerson                        401       403      403      403     200     404     200
updatePerson                     401       403      403      403     200     404     200
createInvite                     401       403      403      403     201     404     201
createPasswordReset              401       403      403      403     403     404     201
listPersonDevices                401       403      403      403     200     404     200
revokePersonDevice               401       403      403      403     204     404     204
deactivatePerson                 401       403      403      403     200     404     200
activatePerson                   401       403      403      403     200     404     200
getOrganisation                  401       403      403      403     200     404     200
updateOrganisation               401       403      403      403     403     404     200
listWorkplaces                   401       403      403      403     200     404     200
createWorkplace                  401       403      403      403     201     404     201
getWorkplace                     401       403      403      403     200     404     200
updateWorkplace                  401       403      403      403     200     404     200
getScheduleItem                  401       200      404      404     200     404     200
updateScheduleItem               401       403      403      403     200     404     200
cancelScheduleItem               401       403      403      403     200     404     200
restoreScheduleItem              401       403      403      403     200     404     200
checkIn                          401       201      404      404     403     404     403
getAttendance                    401       403      403      403     200     404     200
correctAttendance                401       403      403      403     200     404     200
getScheduleSeries                401       403      403      403     200     404     200
updateScheduleSeries             401       403      403      403     200     404     200
endScheduleSeries                401       403      403      403     200     404     200
markReportSeen                   401       403      403      403     200     404     200
renewPersonCalendar              401       403      403      403     200     404     200
calendarFeed                     200       200      200      200     200     200     200
getReminder                      401       403      403      403     200     404     200
cancelReminder                   401       403      403      403     200     404     200
endReminderRule                  401       403      403      403     200     404     200
markInboxRead                    401       204      404      404     404     404     404
acknowledgeInbox                 401       204      404      404     404     404     404
replyInbox                       401       200      404      404     404     404     404
getOrganisationReminderSettings  401       403      403      403     200     404     200
setOrganisationReminderSettings  401       403      403      403     200     404     200
getWorkerHome                    401       403      403      403     200     404     200
setWorkerHome                    401       403      403      403     200     404     200
geocodeWorkplace                 401       403      403      403     200     404     200
getRideOffer                     401       403      403      200     403     403     403
updateRideOffer                  401       403      403      200     403     403     403
deleteRideOffer                  401       403      403      204     403     403     403
getRideRequest                   401       200      404      404     200     404     200
cancelRideRequest                401       200      404      404     200     404     200
acceptRide                       401       403      403      200     403     403     403
declineRide                      401       403      403      200     403     403     403
cancelRide                       401       403      403      200     403     403     403
markRideDone                     401       403      403      200     403     403     403
markRideNoShow                   401       403      403      200     403     403     403
nameRidePickup                   401       403      403      200     403     403     403
nameRidePickupForWorker          401       403      403      403     200     404     200
getWorkerFile                    401       403      403      403     200     404     200
updateWorkerFile                 401       403      403      403     200     404     200
workerTimeline                   401       403      403      403     200     404     200
addNote                          401       403      403      403     201     404     201
editNote                         401       403      403      403     200     404     200
noteRevisions                    401       403      403      403     200     404     200
closeFlag                        401       403      403      403     200     404     200
setWorkerStatus                  401       403      403      403     200     404     200
assignWorker                     401       403      403      403     200     404     200
applyTrajectoryTemplate          401       403      403      403     200     404     200
updateMilestone                  401       403      403      403     200     404     200
updateTrajectoryTemplate         401       403      403      403     403     404     200
deleteTrajectoryTemplate         401       403      403      403     403     404     204
getCoachingSettings              401       403      403      403     200     404     200
setCoachingSettings              401       403      403      403     403     404     200
exportPerson                     401       403      403      403     200     404     200
erasePerson                      401       403      403      403     403     404     200
getRetentionSettings             401       403      403      403     403     404     200
setRetentionSettings             401       403      403      403     403     404     200
createPhrase                     401       403      403      403     403     404     201
getPhrase                        401       403      403      403     403     404     200
updatePhrase                     401       403      403      403     403     404     200
deletePhrase                     401       403      403      403     403     404     204
"""


def parse_matrix(text: str) -> dict[tuple[str, str], int]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert tuple(header) == PERSONAS
    return {(row[0], persona): int(status) for row in rows for persona, status in zip(header, row[1:], strict=True)}


MATRIX = parse_matrix(MATRIX_TEXT)


# --- targets --------------------------------------------------------------------------------------

@dataclass
class Case:
    """One request: the ids to put in the path, a body, and a check run after the request with
    `allowed` telling whether the request was expected to succeed."""

    params: dict[str, str]
    body: dict | None = None
    check: Callable[[bool], None] = lambda allowed: None
    on_success: Callable[[dict | list | None], None] = lambda body: None
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def fresh_worker(personas, redeem: bool = False) -> tuple[str, dict, Client | None]:
    created = create_person(personas["coach_a"], role="worker", firstName="Wegwerp", lastName="Test",
                            phone="0486 99 99 99")
    phone = None
    if redeem:
        phone = Client(personas.server.url)
        assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return created["person"]["id"], created, phone


def device_ids(personas, person_id: str) -> set[str]:
    response = personas["coach_a"].get(f"/api/people/{person_id}/devices")
    assert response.status_code == 200, response.text
    return {d["id"] for d in response.json()}


def second_device_of_worker_a(personas) -> tuple[str, Client]:
    """Sign worker A in on one more phone; its device is the throwaway target (the shared worker A
    client keeps its own session)."""
    worker_a = personas.ids["worker_a"]
    before = device_ids(personas, worker_a)
    invite = personas["coach_a"].post(f"/api/people/{worker_a}/invites")
    assert invite.status_code == 201, invite.text
    phone = Client(personas.server.url)
    assert phone.redeem(code=invite.json()["code"]).status_code == 200
    new = device_ids(personas, worker_a) - before
    assert len(new) == 1
    return new.pop(), phone


def admin_get(personas, path: str) -> dict:
    response = personas["admin"].get(path)
    assert response.status_code == 200, response.text
    return response.json()


def case_for(operation: str, personas) -> Case:  # noqa: C901 - one branch per route
    ids = personas.ids
    if operation == "getPerson":
        return Case({"person_id": ids["worker_a"]},
                    on_success=lambda body: _eq(body["id"], ids["worker_a"]))
    if operation == "createPasswordReset":
        # A link for coach A, made only by an admin; it is not used, so coach A stays signed in.
        return Case({"person_id": ids["coach_a"]}, on_success=lambda body: _true("#/reset/" in body["url"]))
    if operation == "listPersonDevices":
        return Case({"person_id": ids["worker_a"]}, on_success=lambda body: _true(len(body) >= 1))
    if operation == "getOrganisation":
        return Case({"organisation_id": personas.org_a}, on_success=lambda body: _eq(body["id"], personas.org_a))
    if operation == "listWorkplaces":
        return Case({"organisation_id": personas.org_a},
                    on_success=lambda body: _true(personas.workplace_a in {w["id"] for w in body}))
    if operation == "getWorkplace":
        return Case({"workplace_id": personas.workplace_a},
                    on_success=lambda body: _eq(body["id"], personas.workplace_a))

    if operation in ("revokeMyDevice", "revokePersonDevice"):
        device_id, phone = second_device_of_worker_a(personas)

        def check(allowed: bool) -> None:
            assert phone.get("/api/me").status_code == (401 if allowed else 200)
            assert (device_id in device_ids(personas, ids["worker_a"])) is (not allowed)
            assert personas["worker_a"].get("/api/me").status_code == 200, "shared worker A stays signed in"

        params = {"device_id": device_id}
        if operation == "revokePersonDevice":
            params["person_id"] = ids["worker_a"]
        return Case(params, check=check, cleanup=[lambda: phone.post("/api/auth/logout")])

    if operation == "updatePerson":
        person_id, _, _ = fresh_worker(personas)

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/people/{person_id}")["lastName"] == ("Gewijzigd" if allowed else "Test")

        return Case({"person_id": person_id}, {"lastName": "Gewijzigd"}, check=check)

    if operation == "createInvite":
        person_id, created, _ = fresh_worker(personas)
        issued: dict = {}

        def check(allowed: bool) -> None:
            # A new invite replaces the unused one; a refused request leaves the first one working.
            first = Client(personas.server.url).redeem(token=token_of(created["invite"]))
            assert first.status_code == (401 if allowed else 200)
            if allowed:
                assert Client(personas.server.url).redeem(code=issued["code"]).status_code == 200

        return Case({"person_id": person_id}, check=check, on_success=issued.update)

    if operation == "deactivatePerson":
        person_id, _, phone = fresh_worker(personas, redeem=True)

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/people/{person_id}")["active"] is (not allowed)
            assert phone.get("/api/me").status_code == (401 if allowed else 200)

        return Case({"person_id": person_id}, check=check,
                    on_success=lambda body: _true(body["active"] is False))

    if operation == "activatePerson":
        person_id, _, _ = fresh_worker(personas)
        assert personas["coach_a"].post(f"/api/people/{person_id}/deactivate").status_code == 200

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/people/{person_id}")["active"] is allowed

        return Case({"person_id": person_id}, check=check, on_success=lambda body: _true(body["active"] is True))

    if operation == "updateOrganisation":
        original = admin_get(personas, f"/api/organisations/{personas.org_a}")["city"]
        new_city = f"Gewijzigd {uuid.uuid4().hex[:6]}"

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/organisations/{personas.org_a}")["city"] == (
                new_city if allowed else original)

        def restore() -> None:
            personas["admin"].patch(f"/api/organisations/{personas.org_a}", json={"city": original})

        return Case({"organisation_id": personas.org_a}, {"city": new_city}, check=check, cleanup=[restore])

    if operation == "createWorkplace":
        name = f"Matrix {uuid.uuid4().hex[:8]}"

        def check(allowed: bool) -> None:
            names = [w["name"] for w in admin_get(personas, f"/api/organisations/{personas.org_a}/workplaces")]
            assert names.count(name) == (1 if allowed else 0)

        return Case({"organisation_id": personas.org_a}, {"name": name, "city": "Genk"}, check=check,
                    on_success=lambda body: _eq(body["organisationId"], personas.org_a))

    if operation == "updateWorkplace":
        created = personas["admin"].post(f"/api/organisations/{personas.org_a}/workplaces",
                                         json={"name": "Wegwerpplek", "city": "Genk"})
        assert created.status_code == 201, created.text
        workplace_id = created.json()["id"]

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/workplaces/{workplace_id}")["name"] == (
                "Gewijzigd" if allowed else "Wegwerpplek")

        return Case({"workplace_id": workplace_id}, {"name": "Gewijzigd"}, check=check)

    if operation in SCHEDULE_OPERATIONS:
        return schedule_case_for(operation, personas)
    if operation in REMINDER_OPERATIONS:
        return reminder_case_for(operation, personas)
    if operation in MOBILITY_OPERATIONS:
        return mobility_case_for(operation, personas)
    if operation in COACHING_OPERATIONS:
        return coaching_case_for(operation, personas)
    if operation in PRIVACY_OPERATIONS:
        return privacy_case_for(operation, personas)
    if operation in PHRASE_OPERATIONS:
        return phrase_case_for(operation, personas)
    raise AssertionError(f"no target for {operation}")


# --- schedule targets -----------------------------------------------------------------------------

BRUSSELS = ZoneInfo("Europe/Brussels")
SCHEDULE_OPERATIONS = {"getScheduleItem", "updateScheduleItem", "cancelScheduleItem", "restoreScheduleItem",
                       "checkIn", "getAttendance", "correctAttendance", "getScheduleSeries",
                       "updateScheduleSeries", "endScheduleSeries", "markReportSeen", "renewPersonCalendar",
                       "calendarFeed"}


def item_of_worker_a(personas) -> str:
    """A fresh item of today (already started, so worker A may check in) with worker A planned in it."""
    now = dt.datetime.now(BRUSSELS)
    start = max(now - dt.timedelta(minutes=30), now.replace(hour=0, minute=1, second=0, microsecond=0))
    response = personas["coach_a"].post("/api/schedule/items", json={
        "title": "Matrix", "workerIds": [personas.ids["worker_a"]], "startsAt": start.isoformat(),
        "endsAt": (now + dt.timedelta(hours=1)).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def series_of_worker_a(personas) -> str:
    """A series of worker A that starts beyond the expansion horizon, so it plans no items."""
    first = dt.datetime.now(BRUSSELS).date() + dt.timedelta(days=120)
    response = personas["coach_a"].post("/api/schedule/series", json={
        "title": "Matrixreeks", "workerIds": [personas.ids["worker_a"]], "weekdays": [1, 2, 3, 4, 5],
        "startTime": "08:00", "endTime": "12:00", "validFrom": first.isoformat(),
        "validUntil": (first + dt.timedelta(days=6)).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def schedule_case_for(operation: str, personas) -> Case:  # noqa: C901 - one branch per route
    worker_a = personas.ids["worker_a"]
    if operation == "getScheduleItem":
        item_id = item_of_worker_a(personas)
        return Case({"item_id": item_id}, on_success=lambda body: _eq(body["id"], item_id))
    if operation == "getAttendance":
        item_id = item_of_worker_a(personas)
        return Case({"item_id": item_id, "person_id": worker_a},
                    on_success=lambda body: _eq((body["personId"], body["status"]), (worker_a, None)))

    if operation in ("updateScheduleItem", "cancelScheduleItem", "restoreScheduleItem"):
        item_id = item_of_worker_a(personas)
        if operation == "restoreScheduleItem":
            assert personas["coach_a"].post(f"/api/schedule/items/{item_id}/cancel").status_code == 200
        field, before, after = {"updateScheduleItem": ("title", "Matrix", "Gewijzigd"),
                                "cancelScheduleItem": ("cancelled", False, True),
                                "restoreScheduleItem": ("cancelled", True, False)}[operation]

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/schedule/items/{item_id}")[field] == (after if allowed else before)

        body = {"title": "Gewijzigd"} if operation == "updateScheduleItem" else None
        return Case({"item_id": item_id}, body, check=check)

    if operation in ("checkIn", "correctAttendance"):
        item_id = item_of_worker_a(personas)

        def check(allowed: bool) -> None:
            detail = admin_get(personas, f"/api/schedule/items/{item_id}/attendance/{worker_a}")
            if not allowed:
                assert detail["status"] is None and detail["history"] == []
            elif operation == "correctAttendance":
                assert detail["status"] == "excused"
            else:
                assert detail["status"] in ("present", "late") and detail["checkedInAt"]

        if operation == "checkIn":
            return Case({"item_id": item_id}, check=check,
                        on_success=lambda body: _eq(body["personId"], worker_a))
        return Case({"item_id": item_id, "person_id": worker_a}, {"status": "excused", "note": "matrix"},
                    check=check)

    if operation in ("getScheduleSeries", "updateScheduleSeries", "endScheduleSeries"):
        series_id = series_of_worker_a(personas)
        field, before, after = {"getScheduleSeries": ("title", "Matrixreeks", "Matrixreeks"),
                                "updateScheduleSeries": ("title", "Matrixreeks", "Gewijzigd"),
                                "endScheduleSeries": ("ended", False, True)}[operation]

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/schedule/series/{series_id}")[field] == (after if allowed else before)

        body = {"title": "Gewijzigd"} if operation == "updateScheduleSeries" else None
        return Case({"series_id": series_id}, body, check=check)

    if operation == "markReportSeen":
        created = personas["coach_a"].post("/api/reports/late", json={"minutes": 5, "personId": worker_a,
                                                                      "reason": "matrix"})
        assert created.status_code == 201, created.text
        report_id = created.json()["id"]

        def seen_at() -> str | None:
            reports = admin_get(personas, f"/api/reports?personId={worker_a}&limit=200")
            return next(r["seenAt"] for r in reports if r["id"] == report_id)

        def check(allowed: bool) -> None:
            assert (seen_at() is not None) is allowed

        def mark_seen() -> None:  # leave no unseen reports behind for other tests
            personas["coach_a"].post(f"/api/reports/{report_id}/seen")

        return Case({"report_id": report_id}, check=check, cleanup=[mark_seen])

    if operation == "renewPersonCalendar":
        person_id, _, phone = fresh_worker(personas, redeem=True)
        old_url = phone.get("/api/calendar").json()["url"]

        def check(allowed: bool) -> None:
            assert Client(personas.server.url).get(old_url).status_code == (404 if allowed else 200)

        return Case({"person_id": person_id}, check=check)

    if operation == "calendarFeed":
        url = personas["worker_a"].get("/api/calendar").json()["url"]
        token = url.rsplit("/", 1)[1]

        return Case({"token": token}, on_success=lambda text: _true(text.startswith("BEGIN:VCALENDAR")))

    raise AssertionError(f"no target for {operation}")


# --- reminder targets -----------------------------------------------------------------------------

REMINDER_OPERATIONS = {"getReminder", "cancelReminder", "endReminderRule", "markInboxRead", "acknowledgeInbox",
                       "replyInbox",
                       "getOrganisationReminderSettings", "setOrganisationReminderSettings"}


def inbox_of_worker_a(personas) -> dict[str, dict]:
    response = personas["worker_a"].get("/api/inbox", params={"limit": 200})
    assert response.status_code == 200, response.text
    return {entry["title"]: entry for entry in response.json()}


def reminder_to_worker_a(personas) -> tuple[str, str, Callable[[], None]]:
    """A reminder from coach A to worker A, due now: its id, its title, and a clean-up that cancels it
    (a cancelled reminder leaves worker A's inbox)."""
    title = f"Matrix {uuid.uuid4().hex[:8]}"
    response = personas["coach_a"].post("/api/reminders", json={"title": title,
                                                                "workerIds": [personas.ids["worker_a"]]})
    assert response.status_code == 201, response.text
    reminder_id = response.json()["id"]
    return reminder_id, title, lambda: personas["coach_a"].post(f"/api/reminders/{reminder_id}/cancel")


def reminder_case_for(operation: str, personas) -> Case:
    if operation == "endReminderRule":
        response = personas["coach_a"].post("/api/reminders", json={
            "title": f"Matrix rule {uuid.uuid4().hex[:8]}", "workerIds": [personas.ids["worker_a"]],
            "recurrence": {"weekdays": [1], "time": "23:55"}})
        assert response.status_code == 201, response.text
        rule_id = response.json()["ruleId"]

        def check(allowed: bool) -> None:
            running = {r["id"] for r in personas["coach_a"].get("/api/reminders/rules").json()}
            assert (rule_id in running) is (not allowed)

        def end() -> None:
            personas["coach_a"].post(f"/api/reminders/rules/{rule_id}/end")

        return Case({"rule_id": rule_id}, check=check, cleanup=[end],
                    on_success=lambda body: _eq(body["ended"], True))

    if operation in ("getReminder", "cancelReminder"):
        reminder_id, title, cancel = reminder_to_worker_a(personas)

        def check(allowed: bool) -> None:
            in_inbox = title in inbox_of_worker_a(personas)
            assert in_inbox is not (allowed and operation == "cancelReminder")

        return Case({"reminder_id": reminder_id}, check=check, cleanup=[cancel],
                    on_success=lambda body: _eq(body["id"], reminder_id))

    if operation in ("markInboxRead", "acknowledgeInbox"):
        _, title, cancel = reminder_to_worker_a(personas)
        entry_id = inbox_of_worker_a(personas)[title]["id"]

        def check(allowed: bool) -> None:
            entry = inbox_of_worker_a(personas)[title]
            assert (entry["readAt"] is not None) is allowed
            assert (entry["acknowledgedAt"] is not None) is (allowed and operation == "acknowledgeInbox")

        return Case({"entry_id": entry_id}, check=check, cleanup=[cancel])

    if operation == "replyInbox":
        _, title, cancel = reminder_to_worker_a(personas)
        entry_id = inbox_of_worker_a(personas)[title]["id"]

        def check(allowed: bool) -> None:
            assert inbox_of_worker_a(personas)[title]["reply"] == ("coming" if allowed else None)

        return Case({"entry_id": entry_id}, body={"reply": "coming"}, check=check, cleanup=[cancel],
                    on_success=lambda body: _eq(body["reply"], "coming"))

    path = f"/api/notification-settings/organisations/{personas.org_a}"
    before = admin_get(personas, path)
    if operation == "getOrganisationReminderSettings":
        return Case({"organisation_id": personas.org_a}, on_success=lambda body: _eq(body, before))
    changed = {**before, "eveningBeforeAt": "19:45" if before["eveningBeforeAt"] != "19:45" else "20:15",
               "minutesBefore": before["minutesBefore"] + 1}

    def check(allowed: bool) -> None:
        assert admin_get(personas, path) == (changed if allowed else before)

    def restore() -> None:
        personas["admin"].put(path, json=before)

    return Case({"organisation_id": personas.org_a}, changed, check=check, cleanup=[restore])


# --- mobility targets -----------------------------------------------------------------------------

MOBILITY_OPERATIONS = {"getWorkerHome", "setWorkerHome", "geocodeWorkplace", "getRideOffer", "updateRideOffer",
                       "deleteRideOffer", "getRideRequest", "cancelRideRequest", "acceptRide", "declineRide",
                       "cancelRide", "markRideDone", "markRideNoShow", "nameRidePickup", "nameRidePickupForWorker"}
BUDDY_ONLY_OPERATIONS = {"getRideOffer", "updateRideOffer", "deleteRideOffer", "acceptRide", "declineRide",
                         "cancelRide", "markRideDone", "markRideNoShow", "nameRidePickup"}
WORKER_A_HOME = {"address": "Dorpsstraat 1, As", "latitude": 50.985, "longitude": 5.5}


def offer_of_buddy_a(personas, leave_time: str = "07:45") -> str:
    response = personas["buddy_a"].post("/api/ride-offers", json={
        "weekdays": [1, 2, 3, 4, 5, 6, 7], "leaveTime": leave_time, "fromLatitude": 51.0, "fromLongitude": 5.52,
        "workplaceId": personas.workplace_a, "seats": 3, "maxDetourKm": 5})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def request_of_worker_a(personas, starts: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A ride request of worker A (home set by coach A) for a fresh shift at the workplace."""
    coach = personas["coach_a"]
    assert coach.put(f"/api/mobility/people/{personas.ids['worker_a']}/home", json=WORKER_A_HOME).status_code == 200
    if starts is None:
        day = dt.datetime.now(BRUSSELS).date() + dt.timedelta(days=1 + uuid.uuid4().int % 60)
        starts = dt.datetime.combine(day, dt.time(8, 30), tzinfo=BRUSSELS)
    item = coach.post("/api/schedule/items", json={
        "title": "Matrixrit", "workerIds": [personas.ids["worker_a"]], "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=4)).isoformat(), "place": {"workplaceId": personas.workplace_a}})
    assert item.status_code == 201, item.text
    created = coach.post("/api/ride-requests", json={"workerId": personas.ids["worker_a"], "itemId": item.json()["id"]})
    assert created.status_code == 201, created.text
    return created.json()[0]["id"], starts


def buddy_a_rides(personas) -> dict[str, str]:
    rides = personas["buddy_a"].get("/api/me/rides", params={"from": "2000-01-01", "to": "2000-12-31"})
    assert rides.status_code == 200
    far = dt.datetime.now(BRUSSELS).date()
    found = personas["buddy_a"].get("/api/me/rides", params={"from": far.isoformat(),
                                                            "to": (far + dt.timedelta(days=90)).isoformat()})
    return {r["id"]: r["status"] for r in found.json()}


def mobility_case_for(operation: str, personas) -> Case:  # noqa: C901 - one branch per route
    worker_a = personas.ids["worker_a"]
    coach = personas["coach_a"]
    if operation in ("getWorkerHome", "setWorkerHome"):
        person_id, _, _ = fresh_worker(personas)
        assert coach.put(f"/api/mobility/people/{person_id}/home", json=WORKER_A_HOME).status_code == 200
        if operation == "getWorkerHome":
            return Case({"person_id": person_id}, on_success=lambda body: _eq(body["latitude"], 50.985))

        def check(allowed: bool) -> None:
            home = admin_get(personas, f"/api/mobility/people/{person_id}/home")
            assert home["latitude"] == (50.9 if allowed else 50.985)

        return Case({"person_id": person_id}, {"latitude": 50.9, "longitude": 5.4}, check=check)

    if operation == "geocodeWorkplace":
        created = personas["admin"].post(f"/api/organisations/{personas.org_a}/workplaces",
                                         json={"name": "Geocodeerplek", "city": "Genk"})
        assert created.status_code == 201, created.text
        workplace_id = created.json()["id"]

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/workplaces/{workplace_id}")["latitude"] == (50.97 if allowed else None)

        # The loopback geocoder finds "Coord <lat> <lon> ..." (tests/nominatim.py).
        return Case({"workplace_id": workplace_id}, {"address": "Coord 50.97 5.45 Matrixweg"}, check=check)

    if operation in ("getRideOffer", "updateRideOffer", "deleteRideOffer"):
        offer_id = offer_of_buddy_a(personas)
        stop = [lambda: personas["buddy_a"].delete(f"/api/ride-offers/{offer_id}")]

        def check(allowed: bool) -> None:
            offer = personas["buddy_a"].get(f"/api/ride-offers/{offer_id}").json()
            if operation == "updateRideOffer":
                assert offer["seats"] == (1 if allowed else 3)
            if operation == "deleteRideOffer":
                assert offer["active"] is (not allowed)

        body = {"seats": 1} if operation == "updateRideOffer" else None
        return Case({"offer_id": offer_id}, body, check=check, cleanup=stop,
                    on_success=lambda body: _true(body is None or body["id"] == offer_id))

    if operation in ("getRideRequest", "cancelRideRequest"):
        request_id, _ = request_of_worker_a(personas)

        def check(allowed: bool) -> None:
            status = admin_get(personas, f"/api/ride-requests/{request_id}")["status"]
            if operation == "cancelRideRequest":
                assert (status == "cancelled") is allowed

        return Case({"request_id": request_id}, check=check,
                    cleanup=[lambda: coach.post(f"/api/ride-requests/{request_id}/cancel")],
                    on_success=lambda body: _eq(body["workerId"], worker_a))

    # Rides: a proposal to buddy A for worker A (accepted first, for the actions on confirmed rides).
    starts = None
    if operation in ("markRideDone", "markRideNoShow"):
        now = dt.datetime.now(BRUSSELS)
        starts = (now + dt.timedelta(minutes=80)).replace(second=0, microsecond=0)
    leave = (starts - dt.timedelta(minutes=45)).strftime("%H:%M") if starts else "07:45"
    offer_id = offer_of_buddy_a(personas, leave)
    request_id, starts = request_of_worker_a(personas, starts)
    proposal = [p for p in personas["buddy_a"].get("/api/me/ride-proposals").json()
                if p["riderFirstName"] == "Ahmed" and dt.datetime.fromisoformat(p["arriveBy"]) == starts]
    assert len(proposal) == 1, proposal
    ride_id = proposal[0]["rideId"]
    cleanup = [lambda: coach.post(f"/api/ride-requests/{request_id}/cancel"),
               lambda: personas["buddy_a"].delete(f"/api/ride-offers/{offer_id}")]
    if operation != "acceptRide" and operation != "declineRide":
        assert personas["buddy_a"].post(f"/api/rides/{ride_id}/accept").status_code == 200
    if operation in ("nameRidePickup", "nameRidePickupForWorker"):
        def named(allowed: bool) -> None:
            [ride] = [r for r in personas["buddy_a"].get("/api/me/rides", params={
                "from": starts.date().isoformat(), "to": starts.date().isoformat()}).json() if r["id"] == ride_id]
            assert ride["pickup"]["name"] == ("Matrixkerk" if allowed else "")

        return Case({"ride_id": ride_id}, {"name": "Matrixkerk"}, check=named, cleanup=cleanup)
    before = {"acceptRide": "proposed", "declineRide": "proposed"}.get(operation, "confirmed")
    after = {"acceptRide": "confirmed", "declineRide": "declined", "cancelRide": "cancelled",
             "markRideDone": "done", "markRideNoShow": "no_show"}[operation]

    def check(allowed: bool) -> None:
        shown = buddy_a_rides(personas).get(ride_id)
        waiting = {p["rideId"] for p in personas["buddy_a"].get("/api/me/ride-proposals").json()}
        status = shown if shown else ("proposed" if ride_id in waiting else "declined")
        assert status == (after if allowed else before)

    body = {"reason": "matrix"} if operation == "cancelRide" else None
    return Case({"ride_id": ride_id}, body, check=check, cleanup=cleanup)
# --- privacy targets ------------------------------------------------------------------------------

PRIVACY_OPERATIONS = {"exportPerson", "erasePerson", "getRetentionSettings", "setRetentionSettings"}


def privacy_case_for(operation: str, personas) -> Case:
    ids = personas.ids
    if operation == "exportPerson":
        return Case({"person_id": ids["worker_a"]},
                    on_success=lambda body: _eq(body["person"]["id"], ids["worker_a"]))
    if operation == "erasePerson":
        person_id, _, _ = fresh_worker(personas)

        def check(allowed: bool) -> None:
            assert admin_get(personas, f"/api/people/{person_id}")["firstName"] == (
                "Verwijderd" if allowed else "Wegwerp")

        return Case({"person_id": person_id}, {"confirm": "Wegwerp"}, check=check)
    path = f"/api/organisations/{personas.org_a}/retention"
    if operation == "getRetentionSettings":
        return Case({"organisation_id": personas.org_a},
                    on_success=lambda body: _true(body["retentionMonths"] >= 1))
    before = admin_get(personas, path)
    changed = {"retentionMonths": before["retentionMonths"] % 100 + 1,
               "auditRetentionMonths": before["auditRetentionMonths"]}

    def check(allowed: bool) -> None:
        assert admin_get(personas, path) == (changed if allowed else before)

    return Case({"organisation_id": personas.org_a}, changed, check=check,
                cleanup=[lambda: personas["admin"].put(path, json=before)])


# --- the phrasebook: an organisation's own phrases are its admins' (coaches use them) ------------------

PHRASE_OPERATIONS = {"createPhrase", "getPhrase", "updatePhrase", "deletePhrase"}


def phrase_case_for(operation: str, personas) -> Case:
    base = f"/api/organisations/{personas.org_a}/phrases"
    text = f"Matrix {uuid.uuid4().hex[:8]} om {{time}}."
    if operation == "createPhrase":
        def check(allowed: bool) -> None:
            listed = personas["coach_a"].get("/api/phrases").json()
            assert any(p["texts"]["nl"] == text for p in listed) is allowed

        return Case({"organisation_id": personas.org_a}, {"texts": {"nl": text}}, check=check,
                    on_success=lambda body: _eq(body["texts"]["nl"], text))
    made = personas["admin"].post(base, json={"texts": {"nl": text}})
    assert made.status_code == 201, made.text
    phrase_id = made.json()["id"]
    params = {"organisation_id": personas.org_a, "phrase_id": phrase_id}
    cleanup = [lambda: personas["admin"].delete(f"{base}/{phrase_id}")]
    if operation == "getPhrase":
        return Case(params, on_success=lambda body: _eq(body["id"], phrase_id), cleanup=cleanup)
    if operation == "updatePhrase":
        changed = {"texts": {"nl": text, "en": "Matrix at {time}."}}

        def check(allowed: bool) -> None:
            got = personas["admin"].get(f"{base}/{phrase_id}").json()
            assert ("en" in got["texts"]) is allowed

        return Case(params, changed, check=check, cleanup=cleanup)

    def gone(allowed: bool) -> None:
        assert personas["admin"].get(f"{base}/{phrase_id}").status_code == (404 if allowed else 200)

    return Case(params, check=gone, cleanup=cleanup)


def _eq(a, b) -> None:
    assert a == b


def _true(value: bool) -> None:
    assert value


def call(client: Client, operation: str, params: dict[str, str], body: dict | None):
    method, template = ROUTES[operation]
    kwargs = {"json": body} if body is not None else {}
    return client.request(method, template.format(**params), **kwargs)


# --- the matrix -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("operation", "persona", "expected"),
                         [(op, persona, status) for (op, persona), status in MATRIX.items()],
                         ids=[f"{op}-{persona}" for (op, persona) in MATRIX])
def test_matrix(personas, operation, persona, expected):
    case = case_for(operation, personas)
    try:
        response = call(personas[persona], operation, case.params, case.body)
        assert response.status_code == expected, (operation, persona, response.status_code, response.text)
        allowed = 200 <= expected < 300
        if allowed and response.status_code != 204:
            json_body = response.headers["content-type"].startswith("application/json")
            case.on_success(response.json() if json_body else response.text)
        if not allowed:
            body = response.json()
            assert body["status"] == expected and body["message"]
        case.check(allowed)
        # Refusals must not depend on whether the object exists: the same request with random ids
        # gets the very same answer (a 403 to coach A or the admin is about an object they may see).
        if not allowed and not (persona in ("coach_a", "admin") and expected == 403):
            random_ids = {name: str(uuid.uuid4()) for name in case.params}
            other = call(personas[persona], operation, random_ids, case.body)
            assert (other.status_code, other.json()) == (response.status_code, response.json())
    finally:
        for cleanup in case.cleanup:
            cleanup()


def test_matrix_covers_every_id_route(client):
    """Fails when a route with an id in its path appears in the OpenAPI without a row in the matrix."""
    spec = client.get("/schema/openapi.json").json()
    in_spec = {(op["operationId"], method.upper(), path)
               for path, operations in spec["paths"].items() if "{" in path
               for method, op in operations.items() if method in ("get", "post", "put", "patch", "delete")}
    in_table = {(operation, method, path) for operation, (method, path) in ROUTES.items()}
    assert in_spec - in_table == set(), "id-taking routes missing from the authorization matrix"
    assert in_table - in_spec == set(), "routes in the matrix that the API no longer has"
    assert {op for op, _ in MATRIX} == set(ROUTES)
    assert all((op, persona) in MATRIX for op in ROUTES for persona in PERSONAS)


# Bodies for requests with random ids (a valid body, so that only the id can be wrong).
RANDOM_ID_BODIES = {
    "updatePerson": {"lastName": "X"}, "updateOrganisation": {"city": "X"}, "createWorkplace": {"name": "X"},
    "updateWorkplace": {"name": "X"}, "updateScheduleItem": {"title": "X"}, "correctAttendance": {"status": "absent"},
    "updateScheduleSeries": {"title": "X"}, "setOrganisationReminderSettings": {"eveningBeforeAt": "19:00"},
    "setWorkerHome": {"latitude": 50.9, "longitude": 5.4}, "geocodeWorkplace": {},
    "updateRideOffer": {"seats": 1}, "cancelRide": {"reason": "X"},
    "nameRidePickup": {"name": "X"}, "nameRidePickupForWorker": {"name": "X"},
    "updateWorkerFile": {}, "addNote": {"body": "X"}, "editNote": {"body": "X"}, "closeFlag": {"note": "X"},
    "setWorkerStatus": {"status": "paused"}, "assignWorker": {}, "applyTrajectoryTemplate": {"templateId": str(uuid.uuid4())},
    "updateMilestone": {"status": "planned"}, "setCoachingSettings": {}, "replyInbox": {"reply": "ok"},
    "updateTrajectoryTemplate": {"name": "X", "programme": "lde", "steps": []},
    "erasePerson": {"confirm": "X"}, "setRetentionSettings": {"retentionMonths": 24},
    "createPhrase": {"texts": {"nl": "X"}}, "updatePhrase": {"texts": {"nl": "X"}},
}


@pytest.mark.parametrize("persona", ["coach_a", "admin"])
@pytest.mark.parametrize("operation", sorted(ROUTES))
def test_unknown_ids_are_not_found(personas, operation, persona):
    """Even for those who may see everything: an id that does not exist is 404 (not 200, not 500)."""
    method, template = ROUTES[operation]
    params = {name: str(uuid.uuid4()) for name in re.findall(r"{(\w+)}", template)}
    if operation in BUDDY_ONLY_OPERATIONS:
        persona = "buddy_a"  # on a buddy's own routes, the buddy is the one who may see everything
    response = call(personas[persona], operation, params, RANDOM_ID_BODIES.get(operation))
    assert response.status_code == 404, (operation, persona, response.status_code, response.text)
    assert response.json()["status"] == 404


# --- list endpoints -------------------------------------------------------------------------------

ORG_A_PEOPLE = ("coach_a", "buddy_a", "worker_a", "worker_b")


def test_list_people_per_persona(personas):
    org_a_ids = {personas.ids[name] for name in ORG_A_PEOPLE}
    assert personas["anonymous"].get("/api/people").status_code == 401
    for name in ("worker_a", "worker_b", "buddy_a"):
        assert personas[name].get("/api/people").status_code == 403, name

    for query in ("", f"?organisationId={personas.org_a}", "?role=worker", "?active=true&mine=false"):
        seen = personas["coach_b"].get("/api/people" + query)
        assert seen.status_code == 200, seen.text
        assert org_a_ids.isdisjoint(p["id"] for p in seen.json()), query
        assert all(p["organisationId"] == personas.org_b for p in seen.json()), query
    assert personas.ids["coach_b"] in {p["id"] for p in personas["coach_b"].get("/api/people").json()}

    own = personas["coach_a"].get("/api/people", params={"organisationId": personas.org_b}).json()
    assert org_a_ids <= {p["id"] for p in own}
    assert all(p["organisationId"] == personas.org_a for p in own), "a coach sees only their organisation"

    everyone = {p["id"] for p in personas["admin"].get("/api/people").json()}
    assert org_a_ids | {personas.ids["coach_b"]} <= everyone
    filtered = personas["admin"].get("/api/people", params={"organisationId": personas.org_b}).json()
    assert {p["organisationId"] for p in filtered} == {personas.org_b}


def test_list_organisations_per_persona(personas):
    assert personas["anonymous"].get("/api/organisations").status_code == 401
    for name in ("worker_a", "worker_b", "buddy_a"):
        assert personas[name].get("/api/organisations").status_code == 403, name
    assert [o["id"] for o in personas["coach_a"].get("/api/organisations").json()] == [personas.org_a]
    assert [o["id"] for o in personas["coach_b"].get("/api/organisations").json()] == [personas.org_b]
    assert {personas.org_a, personas.org_b} <= {o["id"] for o in personas["admin"].get("/api/organisations").json()}


# --- no leaks, devices ----------------------------------------------------------------------------

def test_coach_b_gets_the_random_uuid_answer_for_every_org_a_object(personas):
    coach_b = personas["coach_b"]
    paths = [f"/api/people/{personas.ids[name]}" for name in ORG_A_PEOPLE]
    paths += [f"/api/people/{personas.ids[name]}/devices" for name in ORG_A_PEOPLE]
    paths += [f"/api/organisations/{personas.org_a}", f"/api/organisations/{personas.org_a}/workplaces",
              f"/api/workplaces/{personas.workplace_a}"]
    unknown = coach_b.get(f"/api/people/{uuid.uuid4()}")
    assert unknown.status_code == 404
    for path in paths:
        response = coach_b.get(path)
        assert (response.status_code, response.json()) == (404, unknown.json()), path
        assert response.headers["content-type"] == unknown.headers["content-type"]


def test_worker_revokes_only_own_devices(personas):
    device_id, phone = second_device_of_worker_a(personas)
    random_answer = personas["worker_b"].delete(f"/api/me/devices/{uuid.uuid4()}")
    for name in ("worker_b", "buddy_a"):
        response = personas[name].delete(f"/api/me/devices/{device_id}")
        assert response.status_code == 404, name
        assert response.json() == random_answer.json()
    assert phone.get("/api/me").status_code == 200, "another person's device is untouched"
    # A coach cannot revoke worker A's device through another person of the organisation either.
    mismatched = personas["coach_a"].delete(f"/api/people/{personas.ids['worker_b']}/devices/{device_id}")
    assert mismatched.status_code == 404
    assert phone.get("/api/me").status_code == 200
    # Worker A sees the device in their own list and may revoke it.
    mine = {d["id"]: d for d in personas["worker_a"].get("/api/me/devices").json()}
    assert device_id in mine and mine[device_id]["current"] is False
    assert personas["worker_a"].delete(f"/api/me/devices/{device_id}").status_code == 204
    assert phone.get("/api/me").status_code == 401
    assert personas["worker_a"].delete(f"/api/me/devices/{device_id}").status_code == 404, "already revoked"
    assert personas["worker_a"].get("/api/me").status_code == 200


def test_coach_of_organisation_a_cannot_manage_coaches(personas):
    """Coaches manage workers and buddies; another coach (or themselves) is off limits: 403."""
    coach_a = personas["coach_a"]
    own_id = personas.ids["coach_a"]
    before = admin_get(personas, f"/api/people/{own_id}")
    assert coach_a.patch(f"/api/people/{own_id}", json={"lastName": "Anders"}).status_code == 403
    assert coach_a.post(f"/api/people/{own_id}/deactivate").status_code == 403
    assert coach_a.post(f"/api/people/{own_id}/invites").status_code == 403
    assert admin_get(personas, f"/api/people/{own_id}") == before
    assert coach_a.get("/api/me").status_code == 200


def test_coach_creates_people_only_in_own_organisation(personas):
    """An organisationId in the body does not let a coach create someone in another organisation."""
    created = personas["coach_a"].post("/api/people", json={"role": "worker", "firstName": "Grens",
                                                            "organisationId": personas.org_b})
    if created.status_code == 201:
        assert created.json()["person"]["organisationId"] == personas.org_a
    else:
        assert created.status_code == 400
        assert [e["field"] for e in created.json()["errors"]] == ["organisationId"]
    b_people = {p["firstName"] for p in personas["admin"].get(
        "/api/people", params={"organisationId": personas.org_b}).json()}
    assert "Grens" not in b_people


# --- coaching targets -----------------------------------------------------------------------------

COACHING_OPERATIONS = {"getWorkerFile", "updateWorkerFile", "workerTimeline", "addNote", "editNote", "noteRevisions",
                       "closeFlag", "setWorkerStatus", "assignWorker", "applyTrajectoryTemplate", "updateMilestone",
                       "updateTrajectoryTemplate", "deleteTrajectoryTemplate", "getCoachingSettings",
                       "setCoachingSettings"}


def worker_file(personas, person_id: str) -> dict:
    return admin_get(personas, f"/api/coaching/workers/{person_id}")


def lde_template(personas) -> str:
    templates = admin_get(personas, f"/api/coaching/templates?organisationId={personas.org_a}")
    return next(t["id"] for t in templates if t["programme"] == "lde")


def coaching_case_for(operation: str, personas) -> Case:  # noqa: C901 - one branch per route
    coach = personas["coach_a"]
    if operation in ("getWorkerFile", "workerTimeline"):
        worker_a = personas.ids["worker_a"]
        if operation == "getWorkerFile":
            return Case({"person_id": worker_a}, on_success=lambda body: _eq(body["personId"], worker_a))
        return Case({"person_id": worker_a}, on_success=lambda body: _true(isinstance(body["entries"], list)))

    person_id, _, _ = fresh_worker(personas)
    if operation == "updateWorkerFile":
        return Case({"person_id": person_id}, {"programme": "wep"}, check=lambda allowed: _eq(
            worker_file(personas, person_id)["programme"], "wep" if allowed else "maatwerk"))
    if operation == "addNote":
        return Case({"person_id": person_id}, {"body": "Matrix"}, check=lambda allowed: _eq(
            len(worker_file(personas, person_id)["notes"]), 1 if allowed else 0))
    if operation in ("editNote", "noteRevisions"):
        note = coach.post(f"/api/coaching/workers/{person_id}/notes", json={"body": "Matrix"}).json()
        if operation == "noteRevisions":
            coach.patch(f"/api/coaching/notes/{note['id']}", json={"body": "Matrix 2"})
            return Case({"note_id": note["id"]}, on_success=lambda body: _eq([r["body"] for r in body], ["Matrix"]))
        return Case({"note_id": note["id"]}, {"body": "Gewijzigd"}, check=lambda allowed: _eq(
            worker_file(personas, person_id)["notes"][0]["body"], "Gewijzigd" if allowed else "Matrix"))
    if operation == "closeFlag":
        # Three unread reminders open a flag as soon as the worker's flags are looked at again (a note).
        for n in range(3):
            assert coach.post("/api/reminders", json={"title": f"Matrix {n}", "workerIds": [person_id]}).status_code == 201
        coach.post(f"/api/coaching/workers/{person_id}/notes", json={"body": "Matrix"})
        flag = next(f for f in worker_file(personas, person_id)["flags"] if f["rule"] == "unread_reminders")
        return Case({"flag_id": flag["id"]}, {"note": "Besproken"}, check=lambda allowed: _eq(
            any(f["id"] == flag["id"] for f in worker_file(personas, person_id)["flags"]), not allowed))
    if operation == "setWorkerStatus":
        return Case({"person_id": person_id}, {"status": "paused"}, check=lambda allowed: _eq(
            worker_file(personas, person_id)["status"], "paused" if allowed else "active"))
    if operation == "assignWorker":
        buddy = personas.ids["buddy_a"]
        return Case({"person_id": person_id}, {"buddyId": buddy}, check=lambda allowed: _eq(
            (worker_file(personas, person_id)["buddy"] or {}).get("id"), buddy if allowed else None))
    if operation == "applyTrajectoryTemplate":
        return Case({"person_id": person_id}, {"templateId": lde_template(personas)}, check=lambda allowed: _eq(
            len(worker_file(personas, person_id)["milestones"]), 6 if allowed else 0))
    if operation == "updateMilestone":
        stones = coach.post(f"/api/coaching/workers/{person_id}/milestones",
                            json={"templateId": lde_template(personas)}).json()
        return Case({"milestone_id": stones[0]["id"]}, {"status": "in_progress"}, check=lambda allowed: _eq(
            worker_file(personas, person_id)["milestones"][0]["status"], "in_progress" if allowed else "planned"))
    if operation in ("updateTrajectoryTemplate", "deleteTrajectoryTemplate"):
        made = personas["admin"].post("/api/coaching/templates", json={
            "organisationId": personas.org_a, "name": "Matrix", "programme": "other", "steps": [{"titleNl": "Een"}]})
        assert made.status_code == 201, made.text
        template_id = made.json()["id"]

        def names() -> dict:
            return {t["id"]: t["name"] for t in admin_get(personas, f"/api/coaching/templates?organisationId={personas.org_a}")}

        def cleanup() -> None:
            personas["admin"].delete(f"/api/coaching/templates/{template_id}")

        if operation == "deleteTrajectoryTemplate":
            return Case({"template_id": template_id}, check=lambda allowed: _eq(template_id in names(), not allowed),
                        cleanup=[cleanup])
        return Case({"template_id": template_id}, {"name": "Gewijzigd", "programme": "other", "steps": []},
                    check=lambda allowed: _eq(names()[template_id], "Gewijzigd" if allowed else "Matrix"),
                    cleanup=[cleanup])
    path = f"/api/coaching/organisations/{personas.org_a}/settings"
    before = admin_get(personas, path)
    if operation == "getCoachingSettings":
        return Case({"organisation_id": personas.org_a}, on_success=lambda body: _eq(body, before))
    fields = {k: v for k, v in before.items() if k != "organisationId"}
    changed = {**fields, "noContactDays": 21 if fields["noContactDays"] != 21 else 20}

    def check(allowed: bool) -> None:
        assert admin_get(personas, path)["noContactDays"] == (changed if allowed else fields)["noContactDays"]

    return Case({"organisation_id": personas.org_a}, changed, check=check,
                cleanup=[lambda: personas["admin"].put(path, json=fields)])
