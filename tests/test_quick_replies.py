"""Quick replies and "Ik heb hulp nodig" (issue 15, part 4): the worker answers in one tap, in any
language; the coach reads the answer in Dutch on the reminder, the caseload and the timeline. Real
servers on both databases; the help request's push through the loopback push service."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import clock
from conftest import COACH_PASSWORD, Client, build_personas, create_person, token_of
from coaching_helpers import run_flags


def remind(coach: Client, worker_id: str, title: str | None = None) -> tuple[str, str]:
    title = title or f"Morgen om 8 uur {uuid.uuid4().hex[:6]}"
    response = coach.post("/api/reminders", json={"title": title, "workerIds": [worker_id]})
    assert response.status_code == 201, response.text
    return response.json()["id"], title


def entry_of(phone: Client, title: str) -> dict:
    return next(e for e in phone.get("/api/inbox", params={"limit": 200}).json() if e["title"] == title)


def recipient(coach: Client, reminder_id: str, person_id: str) -> dict:
    body = coach.get(f"/api/reminders/{reminder_id}").json()
    return next(r for r in body["recipients"] if r["personId"] == person_id)


def worker_in(personas, language: str, coach: Client | None = None) -> tuple[str, Client]:
    created = create_person(coach or personas["coach_a"], role="worker", firstName="Oksana",
                            lastName=f"Reply{uuid.uuid4().hex[:6]}", language=language)
    phone = Client(personas.server.url, language=language)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return created["person"]["id"], phone


def fresh_coach(personas, language: str = "nl") -> tuple[str, Client]:
    email = f"help.{uuid.uuid4().hex[:8]}@test.werkmaat.be"
    person = create_person(personas["admin"], role="coach", firstName="Hulp", lastName="Coach", email=email,
                           password=COACH_PASSWORD, organisationId=personas.org_a, language=language)["person"]
    client = Client(personas.server.url, language=language)
    assert client.login(email, COACH_PASSWORD).status_code == 200
    assert client.put("/api/notification-settings", json={"quietStart": "00:00", "quietEnd": "00:00"}).status_code == 200
    return person["id"], client


# --- quick replies --------------------------------------------------------------------------------

def test_a_reply_in_ukrainian_reaches_the_coach_in_dutch_once_and_can_be_changed(personas):
    coach = personas["coach_a"]
    worker_id, phone = worker_in(personas, "uk")
    reminder_id, title = remind(coach, worker_id)
    entry = entry_of(phone, title)
    assert entry["reply"] is None

    key = str(uuid.uuid4())
    first = phone.post(f"/api/inbox/{entry['id']}/reply", json={"reply": "coming"}, headers={"Idempotency-Key": key})
    assert first.status_code == 200, first.text
    assert first.json()["reply"] == "coming"
    again = phone.post(f"/api/inbox/{entry['id']}/reply", json={"reply": "coming"}, headers={"Idempotency-Key": key})
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()

    seen = recipient(coach, reminder_id, worker_id)
    assert (seen["reply"], seen["replyText"]) == ("coming", "Ik kom")
    assert seen["repliedAt"] == first.json()["repliedAt"]
    assert seen["readAt"] is not None, "a reply marks the message read"
    assert entry_of(phone, title)["reply"] == "coming"

    # The same reply without a key changes nothing (its time stays); another reply replaces it.
    same = phone.post(f"/api/inbox/{entry['id']}/reply", json={"reply": "coming"})
    assert same.status_code == 200 and same.json()["repliedAt"] == first.json()["repliedAt"]
    changed = phone.post(f"/api/inbox/{entry['id']}/reply", json={"reply": "not_coming"})
    assert changed.status_code == 200 and changed.json()["reply"] == "not_coming"
    seen = recipient(coach, reminder_id, worker_id)
    assert (seen["reply"], seen["replyText"]) == ("not_coming", "Ik kom niet")

    # "OK" also acknowledges, as the OK button did.
    assert phone.post(f"/api/inbox/{entry['id']}/reply", json={"reply": "ok"}).status_code == 200
    seen = recipient(coach, reminder_id, worker_id)
    assert seen["state"] == "acknowledged" and seen["replyText"] == "OK"

    # An English-speaking coach of the organisation reads it in English: the reader's words.
    _, english = fresh_coach(personas, "en")
    assert phone.post(f"/api/inbox/{entry['id']}/reply", json={"reply": "call_me"}).status_code == 200
    assert recipient(coach, reminder_id, worker_id)["replyText"] == "Bel me"
    assert recipient(english, reminder_id, worker_id)["replyText"] == "Call me"


def test_bad_replies_are_refused_naming_the_field(personas):
    worker_id, phone = worker_in(personas, "nl")
    _, title = remind(personas["coach_a"], worker_id)
    entry = entry_of(phone, title)
    for body in ({"reply": "maybe"}, {}, {"reply": 3}, {"reply": "ok", "text": "hallo"}):
        response = phone.post(f"/api/inbox/{entry['id']}/reply", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["errors"][0]["field"] in ("reply", "text"), response.text
    assert entry_of(phone, title)["reply"] is None


def test_only_the_recipient_replies(personas):
    worker_id = personas.ids["worker_a"]
    reminder_id, title = remind(personas["coach_a"], worker_id)
    entry = entry_of(personas["worker_a"], title)
    path = f"/api/inbox/{entry['id']}/reply"
    for persona in ("worker_b", "buddy_a", "coach_b", "coach_a", "admin"):
        response = personas[persona].post(path, json={"reply": "coming"})
        assert response.status_code == 404, (persona, response.text)
        random = personas[persona].post(f"/api/inbox/{uuid.uuid4()}/reply", json={"reply": "coming"})
        assert (random.status_code, random.json()) == (404, response.json()), "the same as an unknown id"
    assert personas["anonymous"].post(path, json={"reply": "coming"}).status_code == 401
    assert recipient(personas["coach_a"], reminder_id, worker_id)["reply"] is None
    assert personas["worker_a"].post(path, json={"reply": "coming"}).status_code == 200
    # A cancelled reminder has left the inbox: it can no longer be answered.
    assert personas["coach_a"].post(f"/api/reminders/{reminder_id}/cancel").status_code == 200
    assert personas["worker_a"].post(path, json={"reply": "ok"}).status_code == 404


def test_a_reply_is_contact_for_the_no_contact_flag_and_shows_on_caseload_and_timeline(server_at):
    start = clock.now()
    server = server_at(start)
    p = build_personas(server)
    coach, worker_id, phone = p["coach_a"], p.ids["worker_a"], p["worker_a"]

    def no_contact() -> tuple[dict, dict | None]:
        answer = coach.get("/api/coaching/caseload")
        assert answer.status_code == 200, answer.text
        row = next(r for r in answer.json() if r["personId"] == worker_id)
        return row, next((f for f in row["flags"] if f["rule"] == "no_contact"), None)

    run_flags(server, start + dt.timedelta(days=20))
    row, flag = no_contact()
    assert flag is not None and flag["clearedAt"] is None and row["lastReply"] is None
    # An hour after the worker was made, they answer a coach's question.
    server.set_clock(start + dt.timedelta(hours=1))
    _, title = remind(coach, worker_id, "Kom je morgen?")
    entry = entry_of(phone, title)
    answer = phone.post(f"/api/inbox/{entry['id']}/reply", json={"reply": "coming"})
    assert answer.status_code == 200, answer.text
    replied = dt.datetime.fromisoformat(answer.json()["repliedAt"])
    row, _ = no_contact()
    assert row["lastReply"]["text"] == "Ik kom" and row["lastReply"]["title"] == "Kom je morgen?"
    assert row["lastReply"]["reply"] == "coming"
    # Counted from the reply, not from the worker's creation an hour before it.
    run_flags(server, replied + dt.timedelta(days=14, minutes=-5))
    assert no_contact()[1]["clearedAt"] is not None, "the reply is contact"
    run_flags(server, replied + dt.timedelta(days=14, minutes=5))
    assert no_contact()[1]["clearedAt"] is None, "14 days after the reply"

    timeline = coach.get(f"/api/coaching/workers/{worker_id}/timeline").json()["entries"]
    answered = next(e for e in timeline if e["kind"] == "reminder" and e["title"] == "Kom je morgen?")
    assert "Antwoord: Ik kom" in answered["detail"]

    # A help request is contact too, and is on the timeline in the coach's words.
    other_id, other = p.ids["worker_b"], p["worker_b"]
    asked = other.post("/api/help-requests", json={"kind": "health"})
    assert asked.status_code == 200, asked.text
    sent = dt.datetime.fromisoformat(asked.json()["sentAt"])
    run_flags(server, sent + dt.timedelta(days=14, minutes=-5))
    rows = coach.get("/api/coaching/caseload").json()
    flags = next(r for r in rows if r["personId"] == other_id)["flags"]
    assert all(f["clearedAt"] is not None for f in flags if f["rule"] == "no_contact")
    timeline = coach.get(f"/api/coaching/workers/{other_id}/timeline").json()["entries"]
    assert any(e["kind"] == "help" and e["title"] == "Vraagt hulp: gezondheid" for e in timeline)


# --- help -------------------------------------------------------------------------------------------

def test_help_request_reaches_the_coach_at_once_in_dutch_and_is_rate_limited(personas, push_service):
    coach_id, coach = fresh_coach(personas)
    subscription = push_service.subscribe()
    assert coach.post("/api/push/subscriptions", json=subscription).status_code == 201
    worker_id, phone = worker_in(personas, "ar", coach=coach)

    answers = [phone.post("/api/help-requests", json={"kind": "ride"}, headers={"Idempotency-Key": str(uuid.uuid4())})
               for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    assert [a.json()["repeated"] for a in answers] == [False, True, True, True, True]
    assert len({a.json()["sentAt"] for a in answers}) == 1, "the repeats name the first one"

    [pushed] = push_service.wait_for(subscription["endpoint"])
    assert pushed.message["title"] == "Oksana vraagt hulp: vervoer"
    assert pushed.urgency == "high"
    inbox = [e for e in coach.get("/api/inbox").json() if "vraagt hulp" in e["title"]]
    assert [e["title"] for e in inbox] == ["Oksana vraagt hulp: vervoer"] and inbox[0]["urgent"]
    assert inbox[0]["url"] == f"/#/people/{worker_id}"

    # Another kind is another message; the same kind again only after five minutes.
    assert phone.post("/api/help-requests", json={"kind": "work"}).json()["repeated"] is False
    time.sleep(1)
    assert len(push_service.messages_for(subscription["endpoint"])) == 2
    titles = sorted(e["title"] for e in coach.get("/api/inbox").json() if "vraagt hulp" in e["title"])
    assert titles == ["Oksana vraagt hulp: vervoer", "Oksana vraagt hulp: werk"]


def test_help_request_after_five_minutes_is_sent_again(server_at):
    start = clock.now()
    server = server_at(start)
    p = build_personas(server)
    phone, coach = p["worker_a"], p["coach_a"]
    first = phone.post("/api/help-requests", json={"kind": "other"}).json()
    assert first["repeated"] is False
    sent = dt.datetime.fromisoformat(first["sentAt"])
    server.set_clock(sent + dt.timedelta(minutes=4))
    assert phone.post("/api/help-requests", json={"kind": "other"}).json()["repeated"] is True
    server.set_clock(sent + dt.timedelta(minutes=5, seconds=30))
    assert phone.post("/api/help-requests", json={"kind": "other"}).json()["repeated"] is False
    titles = [e["title"] for e in coach.get("/api/inbox").json() if "vraagt hulp" in e["title"]]
    assert titles == ["Ahmed vraagt hulp: iets anders"] * 2


def test_help_is_for_workers_with_a_coach(personas):
    for persona in ("buddy_a", "coach_a", "admin"):
        assert personas[persona].post("/api/help-requests", json={"kind": "work"}).status_code == 403, persona
    assert personas["anonymous"].post("/api/help-requests", json={"kind": "work"}).status_code == 401
    bad = personas["worker_a"].post("/api/help-requests", json={"kind": "money"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"
    # A worker without a coach (made by the admin) is told so: 409, in their language.
    created = create_person(personas["admin"], role="worker", firstName="Solo", lastName=uuid.uuid4().hex[:6],
                            organisationId=personas.org_a, language="en")
    phone = Client(personas.server.url, language="en")
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    alone = phone.post("/api/help-requests", json={"kind": "work"})
    assert alone.status_code == 409 and "coach" in alone.json()["message"], alone.text
