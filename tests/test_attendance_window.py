"""Attendance that tells the truth: check-in only while it means something, an offline tap that keeps
its moment, and sick days that the worker's own schedule shows as such.

Each test starts a server of its own at a fixed instant (`server_at`, on SQLite and on PostgreSQL)
and moves its clock forward, so "07:58", "08:06" and "22:39" are those wall-clock times in Brussels
whatever the hour of the run.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from clock import BRUSSELS
from coaching_helpers import db_rows, fresh_worker
from conftest import COACH_PASSWORD, Client, build_personas, create_person, pg_fetch

TUESDAY, WEDNESDAY, THURSDAY = dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)
FRIDAY, MONDAY = dt.date(2026, 12, 4), dt.date(2026, 12, 7)


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=BRUSSELS)


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def plan(coach: Client, worker_id: str, start: dt.datetime, end: dt.datetime, kind: str = "shift",
         title: str = "Productie") -> str:
    response = coach.post("/api/schedule/items", json={
        "title": title, "kind": kind, "workerIds": [worker_id], "startsAt": start.isoformat(),
        "endsAt": end.isoformat()})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def signed_in_coach(p) -> callable:
    """A coach of organisation A; calling the result signs them in afresh (a coach's session ends
    after some hours, and these tests move the clock by many)."""
    email = f"window.coach.{p.ids['coach_a'][:8]}@test.werkmaat.be"
    create_person(p["admin"], role="coach", firstName="Ilse", lastName="Coach", email=email,
                  password=COACH_PASSWORD, organisationId=p.org_a)

    def sign_in() -> Client:
        coach = Client(p.server.url)
        assert coach.login(email, COACH_PASSWORD).status_code == 200
        return coach

    return sign_in


def caseload_row(coach: Client, p, last_name: str) -> dict:
    rows = coach.get("/api/coaching/caseload", params={"q": last_name, "coach": p.ids["coach_a"]})
    assert rows.status_code == 200 and len(rows.json()) == 1, rows.text
    return rows.json()[0]


def check_in(phone: Client, item_id: str, **body):
    return phone.post(f"/api/schedule/items/{item_id}/check-in", json=body or None)


def english(phone: Client) -> Client:
    other = Client(str(phone.base_url), language="en")
    other.cookies = phone.cookies
    return other


def detail(coach: Client, item_id: str, worker_id: str) -> dict:
    response = coach.get(f"/api/schedule/items/{item_id}/attendance/{worker_id}")
    assert response.status_code == 200, response.text
    return response.json()


def execute(server, sql: str) -> None:
    if server.db == "sqlite":
        with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as conn:
            conn.execute(sql)
    else:
        pg_fetch(server.database_url, sql)


def close(a: dt.datetime, b: dt.datetime, seconds: float = 20) -> bool:
    return abs((a - b).total_seconds()) <= seconds


def test_check_in_opens_an_hour_before_the_start_and_closes_at_the_end(server_at):
    server = server_at(at(WEDNESDAY, 6, 30))
    p = build_personas(server)
    sign_in = signed_in_coach(p)
    coach = sign_in()
    workers = {name: fresh_worker(p) for name in ("late_evening", "at_seven", "after_start", "last_minute",
                                                  "night", "after_midnight", "tomorrow")}
    shift = {name: plan(coach, workers[name][0], at(WEDNESDAY, 8), at(WEDNESDAY, 16))
             for name in ("late_evening", "at_seven", "after_start", "last_minute")}
    night = plan(coach, workers["night"][0], at(WEDNESDAY, 22), at(THURSDAY, 6))
    after_midnight = plan(coach, workers["after_midnight"][0], at(THURSDAY, 0, 30), at(THURSDAY, 6))
    tomorrow = plan(coach, workers["tomorrow"][0], at(THURSDAY, 8), at(THURSDAY, 16))

    # Tomorrow's shift: not yet, and the answer says from when (day and time).
    refused = check_in(workers["tomorrow"][2], tomorrow)
    assert refused.status_code == 409, refused.text
    assert refused.json()["message"] == "Inchecken kan vanaf 03/12 om 07:00, een uur voor het begin."
    assert english(workers["tomorrow"][2]).post(f"/api/schedule/items/{tomorrow}/check-in").json()["message"] \
        == "You can check in from 03/12 at 07:00, an hour before the start."

    # 06:59:30, half a minute before it opens.
    server.set_clock(at(WEDNESDAY, 6, 59, 30))
    refused = check_in(workers["late_evening"][2], shift["late_evening"])
    assert refused.status_code == 409 and refused.json()["message"] == \
        "Inchecken kan vanaf 07:00, een uur voor het begin."
    assert detail(coach, shift["late_evening"], workers["late_evening"][0])["status"] is None, "nothing recorded"

    # From 07:00 it is open: on time until 08:05, late after.
    server.set_clock(at(WEDNESDAY, 7, 0))
    first = check_in(workers["at_seven"][2], shift["at_seven"])
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "present"
    assert body["checkedInAt"] == body["receivedAt"], "online: the receipt is the check-in"
    assert close(parse(body["checkedInAt"]), at(WEDNESDAY, 7, 0))
    server.set_clock(at(WEDNESDAY, 8, 6))
    assert check_in(workers["after_start"][2], shift["after_start"]).json()["status"] == "late"
    server.set_clock(at(WEDNESDAY, 15, 59))
    last_minute = check_in(workers["last_minute"][2], shift["last_minute"])
    assert last_minute.status_code == 201 and last_minute.json()["status"] == "late"

    # 22:39: the 08:00-16:00 shift is over. Refused, saying so, and the rate does not count it.
    server.set_clock(at(WEDNESDAY, 22, 39))
    coach = sign_in()
    refused = check_in(workers["late_evening"][2], shift["late_evening"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["message"] == \
        "Dit is om 16:00 gedaan. Inchecken kan niet meer. Was je er wel? Zeg het aan je coach."
    assert english(workers["late_evening"][2]).post(
        f"/api/schedule/items/{shift['late_evening']}/check-in").json()["message"] == \
        "This ended at 16:00. You can no longer check in. Were you there? Tell your coach."
    assert detail(coach, shift["late_evening"], workers["late_evening"][0])["status"] is None
    late_row = caseload_row(coach, p, workers["late_evening"][1])
    assert (late_row["plannedItems"], late_row["attendedItems"], late_row["attendanceRate"]) == (1, 0, 0.0)
    on_time_row = caseload_row(coach, p, workers["at_seven"][1])
    assert (on_time_row["plannedItems"], on_time_row["attendedItems"], on_time_row["attendanceRate"]) == (1, 1, 1.0)
    # A second tap after the end changes nothing and is not refused: the first check-in stands.
    again = check_in(workers["at_seven"][2], shift["at_seven"])
    assert again.status_code == 201 and again.json() == body

    # A night shift 22:00-06:00 takes check-ins now; one at 00:30 opens at 23:30 today.
    assert check_in(workers["night"][2], night).json()["status"] == "late"
    refused = check_in(workers["after_midnight"][2], after_midnight)
    assert refused.status_code == 409 and refused.json()["message"] == \
        "Inchecken kan vanaf 23:30, een uur voor het begin."
    server.set_clock(at(WEDNESDAY, 23, 45))
    early = check_in(workers["after_midnight"][2], after_midnight)
    assert early.status_code == 201 and early.json()["status"] == "present"

    # Check-ins from before the receipt was kept get their check-in time as receipt (the migration).
    execute(server, "UPDATE attendance SET received_at = NULL")
    execute(server, "DELETE FROM migration WHERE name = '2026-12-01T23:12:58:300000'")
    server.werkmaat("migrate")
    rows = db_rows(server, "SELECT checked_in_at, received_at FROM attendance WHERE checked_in_at IS NOT NULL")
    assert len(rows) == 5 and all(r["received_at"] == r["checked_in_at"] for r in rows), rows


def test_an_offline_tap_counts_from_its_moment_when_that_is_plausible(server_at):
    server = server_at(at(TUESDAY, 18, 30))
    p = build_personas(server)
    sign_in = signed_in_coach(p)
    coach = sign_in()
    names = ("basement", "no_sent_at", "slow_clock", "future", "sent_before_tap", "before_window",
             "within_skew", "too_old", "eleven_hours", "after_end", "after_end_online", "bad")
    workers = {name: fresh_worker(p) for name in names}
    items = {}
    for name in ("basement", "no_sent_at", "slow_clock", "future", "sent_before_tap", "before_window",
                 "within_skew", "bad"):
        items[name] = plan(coach, workers[name][0], at(WEDNESDAY, 8), at(WEDNESDAY, 16))
    for name in ("too_old", "eleven_hours"):  # a long item: from Tuesday 19:00 to Wednesday 14:00
        items[name] = plan(coach, workers[name][0], at(TUESDAY, 19), at(WEDNESDAY, 14))
    for name in ("after_end", "after_end_online"):
        items[name] = plan(coach, workers[name][0], at(WEDNESDAY, 6), at(WEDNESDAY, 8))

    server.set_clock(at(WEDNESDAY, 8, 6))
    received_about = at(WEDNESDAY, 8, 6)
    coach = sign_in()

    def send(name: str, tapped: dt.datetime | str, sent: dt.datetime | None = None):
        body = {"tappedAt": tapped if isinstance(tapped, str) else tapped.isoformat()}
        if sent is not None:
            body["sentAt"] = sent.isoformat()
        return check_in(workers[name][2], items[name], **body)

    def moments(response) -> tuple[str, dt.datetime, dt.datetime]:
        assert response.status_code == 201, response.text
        body = response.json()
        return body["status"], parse(body["checkedInAt"]), parse(body["receivedAt"])

    # Tapped at 07:58 in a basement, sent when the signal came back at 08:06: on time, at 07:58.
    status, checked, received = moments(send("basement", at(WEDNESDAY, 7, 58), at(WEDNESDAY, 8, 6)))
    assert status == "present" and close(checked, at(WEDNESDAY, 7, 58)) and close(received, received_about)
    assert abs((received - checked) - dt.timedelta(minutes=8)) < dt.timedelta(seconds=1), "the phone's eight minutes"
    kept = detail(coach, items["basement"], workers["basement"][0])
    assert kept["status"] == "present" and parse(kept["checkedInAt"]) == checked
    assert parse(kept["receivedAt"]) == received
    assert "getikt om 07:58, ontvangen om 08:06" in kept["history"][-1]["note"]
    listed = coach.get("/api/schedule/items", params={"workerId": workers["basement"][0],
                                                     "from": "2026-12-02", "to": "2026-12-02"}).json()
    assert parse(listed[0]["attendance"][0]["receivedAt"]) == received

    # Without sentAt the tap is taken as the phone says it.
    status, checked, _ = moments(send("no_sent_at", at(WEDNESDAY, 7, 58)))
    assert status == "present" and checked == at(WEDNESDAY, 7, 58)

    # A phone an hour slow says 06:58 and 07:06: only the eight minutes between count.
    status, checked, received = moments(send("slow_clock", at(WEDNESDAY, 6, 58), at(WEDNESDAY, 7, 6)))
    assert status == "present" and abs((received - checked) - dt.timedelta(minutes=8)) < dt.timedelta(seconds=1)

    # Implausible taps fall back to the receipt, which is no error: in the future, after it was sent,
    # before check-in opened (07:00), more than twelve hours old.
    for name, tapped, sent in (("future", at(WEDNESDAY, 8, 30), None),
                               ("sent_before_tap", at(WEDNESDAY, 7, 58), at(WEDNESDAY, 7, 50)),
                               ("before_window", at(WEDNESDAY, 6, 30), None),
                               ("too_old", at(TUESDAY, 19, 30), None)):
        status, checked, received = moments(send(name, tapped, sent))
        assert (status, checked) == ("late", received), name
        assert close(received, received_about, 60), name
        assert "niet aannemelijk" in detail(coach, items[name], workers[name][0])["history"][-1]["note"], name
    # A phone a minute ahead: no later than the receipt.
    status, checked, received = moments(send("within_skew", at(WEDNESDAY, 8, 7)))
    assert checked <= received and close(checked, received, 61)
    # Eleven and a half hours old, inside the item's window: it counts.
    status, checked, _ = moments(send("eleven_hours", at(TUESDAY, 20, 30)))
    assert (status, checked) == ("late", at(TUESDAY, 20, 30))

    # Tapped at 07:55 on a 06:00-08:00 item, received after its end: recorded at 07:55.
    status, checked, received = moments(send("after_end", at(WEDNESDAY, 7, 55), at(WEDNESDAY, 8, 6)))
    assert status == "late" and close(checked, at(WEDNESDAY, 7, 55)) and received > at(WEDNESDAY, 8)
    # Without a tap time the same moment is after the end: refused.
    refused = check_in(workers["after_end_online"][2], items["after_end_online"])
    assert refused.status_code == 409 and "om 08:00 gedaan" in refused.json()["message"]

    bad = send("bad", "gisteren")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "tappedAt"


def test_sick_days_show_as_such_in_the_workers_own_schedule(server_at):
    server = server_at(at(WEDNESDAY, 9, 0))
    p = build_personas(server)
    coach = p["coach_a"]
    worker_id, _, phone = fresh_worker(p)
    other_id, _, other_phone = fresh_worker(p)
    today = plan(coach, worker_id, at(WEDNESDAY, 8), at(WEDNESDAY, 16))
    thursday = plan(coach, worker_id, at(THURSDAY, 8), at(THURSDAY, 16))
    friday = plan(coach, worker_id, at(FRIDAY, 8), at(FRIDAY, 12))
    training = plan(coach, worker_id, at(FRIDAY, 13), at(FRIDAY, 16), kind="training", title="VCA")
    monday = plan(coach, worker_id, at(MONDAY, 8), at(MONDAY, 16))
    others = plan(coach, other_id, at(THURSDAY, 8), at(THURSDAY, 16))
    assert check_in(phone, today).status_code == 201
    # At the workplace, then home ill: sick from today to Friday.
    sick = phone.post("/api/reports/sick", json={"firstDay": "2026-12-02", "lastDay": "2026-12-04"})
    assert sick.status_code == 201, sick.text
    intake = plan(coach, worker_id, at(FRIDAY, 17), at(FRIDAY, 18), kind="intake", title="Gesprek")
    assert coach.put(f"/api/schedule/items/{monday}/attendance/{worker_id}",
                     json={"status": "excused", "note": "Verlof"}).status_code == 200

    mine = phone.get("/api/schedule/mine", params={"from": "2026-12-02", "to": "2026-12-08"})
    assert mine.status_code == 200, mine.text
    absence = {i["id"]: i["absence"] for i in mine.json()}
    assert absence == {today: None, thursday: "sick", friday: "sick", training: "sick", intake: "sick",
                       monday: "excused"}, "checked in today; planned after the report still a sick day"
    one = phone.get(f"/api/schedule/items/{thursday}").json()
    assert one["absence"] == "sick"
    # The coach's view has the attendance rows, not the worker's absences; other workers are untouched.
    assert all(i["absence"] is None for i in coach.get("/api/schedule/items", params={
        "workerId": worker_id, "from": "2026-12-02", "to": "2026-12-08"}).json())
    assert coach.get(f"/api/schedule/items/{thursday}").json()["absence"] is None
    assert [i["absence"] for i in other_phone.get("/api/schedule/mine").json() if i["id"] == others] == [None]
