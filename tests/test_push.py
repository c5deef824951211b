"""Web Push end to end: the server's dispatcher posts to the loopback push service, which checks
VAPID, decrypts the message and answers as scripted. Real clock, real HTTP, both databases."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from zoneinfo import ZoneInfo

import pytest

from conftest import Client, create_person, token_of, wait_until

BRUSSELS = ZoneInfo("Europe/Brussels")


def phone_for(personas, language="nl", role="worker") -> tuple[str, Client]:
    created = create_person(personas["coach_a"], role=role, firstName="Push", lastName=uuid.uuid4().hex[:6],
                            language=language)
    phone = Client(personas.server.url, language=language)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    # No quiet hours, so the test does not depend on the hour it runs at (tested separately).
    assert phone.put("/api/notification-settings", json={"quietStart": "00:00", "quietEnd": "00:00"}).status_code == 200
    return created["person"]["id"], phone


def subscribe(phone: Client, push_service, *script: str) -> dict:
    subscription = push_service.subscribe(*script)
    response = phone.post("/api/push/subscriptions", json=subscription)
    assert response.status_code == 201, response.text
    return subscription


def reminder_state(coach: Client, reminder_id: str, person_id: str) -> dict:
    body = coach.get(f"/api/reminders/{reminder_id}").json()
    return next(r for r in body["recipients"] if r["personId"] == person_id)


@pytest.mark.parametrize("endpoint, reason", [
    ("https://evil.example.com/push/1", "gekende pushdienst"),
    ("http://fcm.googleapis.com/fcm/send/abc", "https"),
    ("https://fcm.googleapis.com:8443/fcm/send/abc", "gekende pushdienst"),
    ("https://169.254.169.254/latest/meta-data", "gekende pushdienst"),
    ("https://user:pw@fcm.googleapis.com/x", "geen geldige URL"),
    ("ftp://fcm.googleapis.com/x", "https"),
])
def test_only_known_push_services_are_accepted(personas, endpoint, reason):
    body = {"endpoint": endpoint, "keys": {"p256dh": "B" * 87, "auth": "A" * 22}}
    response = personas["worker_a"].post("/api/push/subscriptions", json=body)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "endpoint" and reason in error["message"]


def test_known_push_service_hosts_are_accepted(personas):
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc:def", "https://updates.push.services.mozilla.com/wpush/v2/x",
                     "https://web.push.apple.com/QGa", "https://wns2-db5p.notify.windows.com/w/?token=x"):
        body = {"endpoint": endpoint, "keys": {"p256dh": "B" * 87, "auth": "A" * 22}}
        assert personas["coach_a"].post("/api/push/subscriptions", json=body).status_code == 201


def test_test_notification_arrives_decrypted_in_the_users_language(personas, push_service):
    _, dutch = phone_for(personas, "nl")
    _, english = phone_for(personas, "en")
    sub_nl, sub_en = subscribe(dutch, push_service), subscribe(english, push_service)
    assert dutch.post("/api/push/test").status_code == 202
    assert english.post("/api/push/test").status_code == 202
    [nl] = push_service.wait_for(sub_nl["endpoint"])
    [en] = push_service.wait_for(sub_en["endpoint"])
    assert nl.message["title"] == "Testmelding" and en.message["title"] == "Test notification"
    assert nl.ttl > 0 and nl.urgency == "high" and nl.topic and len(nl.topic) <= 32
    assert nl.message["tag"] == nl.topic
    config = dutch.get("/api/push/config").json()
    assert config["enabled"] and len(config["publicKey"]) == 87


def test_coach_reminder_is_pushed_on_time_and_tracked_to_acknowledged(personas, push_service):
    worker_id, phone = phone_for(personas)
    subscription = subscribe(phone, push_service)
    coach = personas["coach_a"]
    due = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)
    created = coach.post("/api/reminders", json={"title": "Neem je ID-kaart mee", "body": "Voor de VCA-toets.",
                                                 "workerIds": [worker_id], "at": due.isoformat()})
    assert created.status_code == 201, created.text
    reminder = created.json()
    assert reminder["recipients"][0]["state"] == "queued"
    assert phone.get("/api/inbox").json() == [], "not in the inbox before it is due"
    [received] = push_service.wait_for(subscription["endpoint"])
    assert received.at >= due.timestamp() - 0.5, "not sent before it was due"
    assert received.message["title"] == "Neem je ID-kaart mee" and received.message["body"] == "Voor de VCA-toets."
    assert received.urgency == "normal" and 12 * 3600 - 120 < received.ttl <= 12 * 3600
    state = wait_until(lambda: reminder_state(coach, reminder["id"], worker_id)["state"] == "sent" and
                       reminder_state(coach, reminder["id"], worker_id))
    assert state["pushedAt"] and state["lateSeconds"] == 0
    inbox = phone.get("/api/inbox").json()
    assert [e["title"] for e in inbox] == ["Neem je ID-kaart mee"]
    assert phone.post(f"/api/inbox/{inbox[0]['id']}/read").status_code == 204
    assert reminder_state(coach, reminder["id"], worker_id)["state"] == "read"
    assert phone.post(f"/api/inbox/{inbox[0]['id']}/ack").status_code == 204
    assert reminder_state(coach, reminder["id"], worker_id)["state"] == "acknowledged"
    assert personas["worker_b"].post(f"/api/inbox/{inbox[0]['id']}/ack").status_code == 404
    assert personas["coach_b"].get(f"/api/reminders/{reminder['id']}").status_code == 404
    time.sleep(1)
    assert len(push_service.messages_for(subscription["endpoint"])) == 1, "sent once"


def test_gone_subscription_is_deactivated_and_retries_honour_retry_after(personas, push_service):
    worker_id, phone = phone_for(personas)
    gone = subscribe(phone, push_service, "410")
    assert phone.post("/api/push/test").status_code == 202
    wait_until(lambda: push_service.attempts.get(gone["endpoint"].rsplit("/", 1)[1], 0) >= 1)
    # The dead subscription gets nothing more.
    time.sleep(1)
    phone.post("/api/push/test")
    time.sleep(1.5)
    assert push_service.attempts[gone["endpoint"].rsplit("/", 1)[1]] == 1
    _, phone2 = phone_for(personas)
    flaky = subscribe(phone2, push_service, "429:1", "500")
    started = time.time()
    phone2.post("/api/push/test")
    [received] = push_service.wait_for(flaky["endpoint"], timeout=40)
    assert received.at - started >= 1.0, "Retry-After was honoured"
    assert push_service.attempts[flaky["endpoint"].rsplit("/", 1)[1]] == 3
    time.sleep(1)
    assert len(push_service.messages_for(flaky["endpoint"])) == 1


def test_quiet_hours_hold_normal_reminders_but_not_urgent_ones(personas, push_service):
    worker_id, phone = phone_for(personas)
    subscription = subscribe(phone, push_service)
    now = dt.datetime.now(BRUSSELS)
    start, end = (now - dt.timedelta(minutes=30)).strftime("%H:%M"), (now + dt.timedelta(hours=2)).strftime("%H:%M")
    assert phone.put("/api/notification-settings", json={"quietStart": start, "quietEnd": end}).status_code == 200
    coach = personas["coach_a"]
    reminder = coach.post("/api/reminders", json={"title": "Niet nu", "workerIds": [worker_id]}).json()
    phone.post("/api/push/test")  # urgent: goes through
    [received] = push_service.wait_for(subscription["endpoint"])
    assert received.message["title"] == "Testmelding"
    time.sleep(1.5)
    assert len(push_service.messages_for(subscription["endpoint"])) == 1
    assert reminder_state(coach, reminder["id"], worker_id)["state"] == "queued"
    assert "Niet nu" in [e["title"] for e in phone.get("/api/inbox").json()], "the inbox has it at once"
    # Quiet hours that outlast the reminder's usefulness: expired, with the reason, not dropped.
    almost_all_day = {"quietStart": (now - dt.timedelta(minutes=1)).strftime("%H:%M"),
                      "quietEnd": (now - dt.timedelta(minutes=2)).strftime("%H:%M")}
    phone.put("/api/notification-settings", json=almost_all_day)
    late = coach.post("/api/reminders", json={"title": "Te laat", "workerIds": [worker_id]}).json()
    state = wait_until(lambda: (s := reminder_state(coach, late["id"], worker_id))["state"] == "expired" and s)
    assert "quiet" in state["error"]


def test_reminder_to_group_and_whole_caseload(personas, push_service):
    coach = personas["coach_a"]
    a_id, phone_a = phone_for(personas)
    b_id, phone_b = phone_for(personas)
    sub_a, sub_b = subscribe(phone_a, push_service), subscribe(phone_b, push_service)
    group = coach.post("/api/groups", json={"name": "Groep push", "memberIds": [a_id, b_id]}).json()
    sent = coach.post("/api/reminders", json={"title": "Vergadering", "groupId": group["id"]})
    assert sent.status_code == 201 and len(sent.json()["recipients"]) == 2
    push_service.wait_for(sub_a["endpoint"]), push_service.wait_for(sub_b["endpoint"])
    everyone = coach.post("/api/reminders", json={"title": "Iedereen", "wholeCaseload": True}).json()
    assert {a_id, b_id} <= {r["personId"] for r in everyone["recipients"]}
    bad = coach.post("/api/reminders", json={"title": "X", "workerIds": [personas.ids["buddy_a"]]})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "workerIds"
    assert personas["worker_a"].post("/api/reminders", json={"title": "X", "wholeCaseload": True}).status_code == 403
    past = coach.post("/api/reminders", json={"title": "X", "workerIds": [a_id], "at": "2020-01-01T10:00:00+01:00"})
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "at"


def test_recurring_reminder_creates_dated_reminders(personas):
    coach = personas["coach_a"]
    worker_id, phone = phone_for(personas)
    response = coach.post("/api/reminders", json={
        "title": "Vergeet je lunch niet", "workerIds": [worker_id],
        "recurrence": {"weekdays": [1, 2, 3, 4, 5, 6, 7], "time": "06:30",
                       "until": (dt.date.today() + dt.timedelta(days=30)).isoformat()}})
    assert response.status_code == 201, response.text
    assert response.json()["recurring"] is True and response.json()["ruleId"]
    listed = coach.get("/api/reminders").json()
    dated = [r for r in listed if r["title"] == "Vergeet je lunch niet"]
    assert 1 <= len(dated) <= 3, "the next two days are planned, not the whole month"
    local_hours = {dt.datetime.fromisoformat(r["dueAt"]).astimezone(BRUSSELS).strftime("%H:%M") for r in dated}
    assert local_hours == {"06:30"}


def test_sick_report_notifies_the_coach(personas, push_service):
    coach_email = f"push.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    coach_id = create_person(personas["admin"], role="coach", firstName="Pushcoach", email=coach_email,
                             password="coach-password-123", organisationId=personas.org_a)["person"]["id"]
    coach = Client(personas.server.url)
    coach.login(coach_email, "coach-password-123")
    subscription = subscribe(coach, push_service)  # a report is urgent: quiet hours do not hold it
    created = create_person(coach, role="worker", firstName="Sara", lastName="Ziek")
    phone = Client(personas.server.url)
    phone.redeem(token=token_of(created["invite"]))
    assert phone.post("/api/reports/sick", json={"note": "Koorts"}).status_code == 201
    [received] = push_service.wait_for(subscription["endpoint"])
    assert received.message["title"] == "Sara meldt zich ziek" and "Koorts" in received.message["body"]
    assert coach_id
    assert any(e["title"] == "Sara meldt zich ziek" for e in coach.get("/api/inbox").json())


def test_automatic_reminder_before_a_shift_in_the_workers_language(personas, push_service):
    worker_id, phone = phone_for(personas, "en")
    subscription = subscribe(phone, push_service)
    coach = personas["coach_a"]
    start = dt.datetime.now(BRUSSELS).replace(second=0, microsecond=0) + dt.timedelta(minutes=40)
    item = coach.post("/api/schedule/items", json={
        "title": "Forklift training", "kind": "training", "workerIds": [worker_id], "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=2)).isoformat(), "bring": ["safety_shoes", "id_card"],
        "place": {"address": "Kempische Steenweg 293, Hasselt"}})
    assert item.status_code == 201, item.text
    [received] = push_service.wait_for(subscription["endpoint"], timeout=30)
    assert received.message["title"] == "Soon: Forklift training"
    assert received.message["body"] == (f"At {start.strftime('%H:%M')}. Kempische Steenweg 293, Hasselt. "
                                        "Bring: safety shoes, ID card.")
    assert received.urgency == "high", "it starts within the hour"
    assert 0 < received.ttl <= 40 * 60, "useless after the start"
    # Moved: the pending reminders of the old time are cancelled, new ones follow the new time.
    later = start + dt.timedelta(days=1, hours=2)
    moved = coach.patch(f"/api/schedule/items/{item.json()['id']}", json={
        "startsAt": later.isoformat(), "endsAt": (later + dt.timedelta(hours=2)).isoformat()})
    assert moved.status_code == 200
    time.sleep(3)
    assert len(push_service.messages_for(subscription["endpoint"])) == 1, "no push for the old time"


def test_reminder_due_while_no_dispatcher_runs_is_sent_later_and_recorded_late(tmp_path, push_service):
    """The server was down (no dispatcher) when the reminder came due: when a worker process comes
    up it still sends it, and the coach sees it went out late, and how late."""
    import subprocess

    from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, WERKMAAT, start_server, stop_server

    server = start_server(f"sqlite:///{tmp_path / 'down.db'}", tmp_path / "data", WERKMAAT_SCHEDULER="off",
                          WERKMAAT_PUSH_HOSTS=push_service.host, WERKMAAT_DISPATCH_INTERVAL="0.3",
                          WERKMAAT_LATE_AFTER="1")
    worker = None
    try:
        admin = Client(server.url)
        admin.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        org = admin.post("/api/organisations", json={"name": "Down", "city": "Genk"}).json()["id"]
        email = "down.coach@test.werkmaat.be"
        create_person(admin, role="coach", firstName="Down", email=email, password="coach-password-123",
                      organisationId=org)
        coach = Client(server.url)
        coach.login(email, "coach-password-123")
        created = create_person(coach, role="worker", firstName="Late")
        phone = Client(server.url)
        phone.redeem(token=token_of(created["invite"]))
        phone.put("/api/notification-settings", json={"quietStart": "00:00", "quietEnd": "00:00"})
        subscription = subscribe(phone, push_service)
        reminder = coach.post("/api/reminders", json={"title": "Toch nog", "workerIds": [created["person"]["id"]]})
        time.sleep(3)
        assert push_service.messages_for(subscription["endpoint"]) == []
        assert reminder_state(coach, reminder.json()["id"], created["person"]["id"])["state"] == "queued"
        worker = subprocess.Popen([WERKMAAT, "worker"], env=server.command_env(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        push_service.wait_for(subscription["endpoint"])
        state = wait_until(lambda: (s := reminder_state(coach, reminder.json()["id"], created["person"]["id"]))
                           ["state"] == "sent" and s)
        assert state["lateSeconds"] >= 3
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
        stop_server(server)


def test_coach_stops_a_weekly_reminder(personas):
    coach = personas["coach_a"]
    worker_id, phone = phone_for(personas)
    rule = coach.post("/api/reminders", json={
        "title": "Wekelijks overleg", "workerIds": [worker_id],
        "recurrence": {"weekdays": [1, 2, 3, 4, 5, 6, 7], "time": "23:50"}}).json()
    rules = coach.get("/api/reminders/rules").json()
    mine = next(r for r in rules if r["id"] == rule["ruleId"])
    assert mine["weekdays"] == [1, 2, 3, 4, 5, 6, 7] and mine["time"] == "23:50" and mine["recipientCount"] == 1
    planned = [r for r in coach.get("/api/reminders").json() if r["title"] == "Wekelijks overleg"]
    assert planned, "the next days are planned"
    assert personas["coach_b"].post(f"/api/reminders/rules/{rule['ruleId']}/end").status_code == 404
    assert personas["worker_a"].post(f"/api/reminders/rules/{rule['ruleId']}/end").status_code == 403
    ended = coach.post(f"/api/reminders/rules/{rule['ruleId']}/end")
    assert ended.status_code == 200 and ended.json()["ended"] is True
    assert all(r["id"] != rule["ruleId"] for r in coach.get("/api/reminders/rules").json())
    for reminder in planned:
        states = {r["state"] for r in coach.get(f"/api/reminders/{reminder['id']}").json()["recipients"]}
        assert "sent" not in states
        assert coach.get(f"/api/reminders/{reminder['id']}").status_code == 200
    assert all(e["title"] != "Wekelijks overleg" for e in phone.get("/api/inbox").json())
