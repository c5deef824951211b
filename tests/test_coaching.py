"""The coach's workspace over HTTP: caseload figures, flags that fire and clear, notes with
revisions, milestones, status and assignment history, the timeline, settings, the worker's progress."""

from __future__ import annotations

import datetime as dt
import uuid

import clock
import pytest
from coaching_helpers import caseload_row, db_rows, fresh_worker, local, mark, plan_item, run_flags
from conftest import Client, build_personas


@pytest.fixture
def quiet_personas(server_at):
    """The personas on a server of their own without the scheduler, for tests that run the flag rules
    at faked instants: the shared server's periodic run, at the real now, could otherwise clear
    between two steps what the test's run at a later instant had just fired (seen once on SQLite)."""
    return build_personas(server_at(clock.now()))


def test_caseload_numbers_equal_hand_computed(personas):
    coach = personas["coach_a"]
    worker_id, last, phone = fresh_worker(personas, buddyId=personas.ids["buddy_a"])
    # Five planned shifts in the last week: present, late, absent, excused, no record.
    states = ["present", "late", "absent", "excused", None]
    for offset, state in zip(range(-1, -6, -1), states, strict=True):
        item = plan_item(coach, worker_id, local(offset, 9))
        if state:
            mark(coach, item, worker_id, state)
    cancelled = plan_item(coach, worker_id, local(-6, 9))
    assert coach.post(f"/api/schedule/items/{cancelled}/cancel").status_code == 200
    plan_item(coach, worker_id, local(-40, 9), kind="training")  # outside the four weeks
    tomorrow = plan_item(coach, worker_id, local(1, 8))
    # Today's item, started: the worker checks in.
    now = dt.datetime.now(local(0, 0).tzinfo)
    today = plan_item(coach, worker_id, max(now - dt.timedelta(minutes=30), local(0, 0, 1)), hours=2)
    assert phone.post(f"/api/schedule/items/{today}/check-in").status_code == 201
    for title in ("Een", "Twee"):
        assert coach.post("/api/reminders", json={"title": title, "workerIds": [worker_id]}).status_code == 201
    inbox = phone.get("/api/inbox").json()
    assert phone.post(f"/api/inbox/{inbox[0]['id']}/read").status_code == 204
    assert phone.post("/api/reports/late", json={"minutes": 10}).status_code == 201
    templates = coach.get("/api/coaching/templates").json()
    lde = next(t for t in templates if t["programme"] == "lde")
    stones = coach.post(f"/api/coaching/workers/{worker_id}/milestones", json={"templateId": lde["id"]}).json()
    assert coach.patch(f"/api/coaching/milestones/{stones[0]['id']}", json={"status": "reached"}).status_code == 200

    row = caseload_row(coach, last)
    assert (row["plannedItems"], row["attendedItems"], row["excusedItems"]) == (5, 2, 1)
    assert row["attendanceRate"] == 0.5  # 2 attended of 4 counted (the excused day is left out)
    assert row["lastCheckInAt"] is not None and row["lastAppOpenAt"] is not None
    assert row["unreadReminders"] == 1
    assert row["openReports"] == 1
    item = coach.get(f"/api/schedule/items/{tomorrow}").json()
    assert dt.datetime.fromisoformat(row["nextShiftAt"]) == dt.datetime.fromisoformat(item["startsAt"])
    assert row["tomorrow"] == "unknown"
    assert row["buddy"]["id"] == personas.ids["buddy_a"] and row["buddy"]["name"] == "Marc Buddy"
    assert row["stage"] == {"lastReached": "Intake", "next": "Basisopleiding", "reached": 1, "total": 6}
    assert row["status"] == "active" and row["flags"] == []
    assert coach.get("/api/coaching/caseload", params={"q": last, "flagged": "true"}).json() == []
    # The admin filters by coach; coach B sees none of organisation A.
    admin_rows = personas["admin"].get("/api/coaching/caseload", params={"coach": personas.ids["coach_a"],
                                                                         "q": last}).json()
    assert [r["personId"] for r in admin_rows] == [worker_id]
    assert personas["coach_b"].get("/api/coaching/caseload", params={"q": last}).json() == []
    for name in ("worker_a", "buddy_a"):
        assert personas[name].get("/api/coaching/caseload").status_code == 403
    assert personas["anonymous"].get("/api/coaching/caseload").status_code == 401


def flags_of(coach: Client, worker_id: str, include_cleared: bool = True) -> dict[str, dict]:
    body = coach.get(f"/api/coaching/workers/{worker_id}").json()
    return {f["rule"]: f for f in body["flags"] if include_cleared or f["clearedAt"] is None}


def test_each_flag_rule_fires_and_clears(quiet_personas):
    personas = quiet_personas
    server, coach = personas.server, personas["coach_a"]
    worker_id, last, phone = fresh_worker(personas)
    # Beyond the 36 hours of automatic reminders, so only the coach's three count as unread.
    items = [plan_item(coach, worker_id, local(day, 9)) for day in (3, 4, 5, 6)]
    for item in items:
        mark(coach, item, worker_id, "absent")
    for title in ("Een", "Twee", "Drie"):
        assert coach.post("/api/reminders", json={"title": title, "workerIds": [worker_id]}).status_code == 201
    person = coach.get(f"/api/people/{worker_id}").json()
    created = dt.datetime.fromisoformat(person["createdAt"])
    seen = max(dt.datetime.fromisoformat(d["lastSeenAt"]) for d in coach.get(f"/api/people/{worker_id}/devices").json())

    # 14 days after creation (and 4 absent planned days behind): every rule fires.
    at = created + dt.timedelta(days=14, minutes=1)
    run_flags(server, at)
    fired = flags_of(coach, worker_id)
    assert set(fired) == {"missed_checkins", "app_unused", "unread_reminders", "absences", "no_contact"}
    assert fired["missed_checkins"]["detail"] == {"days": 4}
    assert fired["missed_checkins"]["reason"] == "Geen check-in op 4 geplande werkdagen na elkaar."
    assert fired["absences"]["detail"] == {"absences": 4, "window": 4}
    assert fired["unread_reminders"]["detail"] == {"count": 3}
    assert fired["no_contact"]["detail"] == {"days": 14}
    row = caseload_row(coach, last)
    assert {f["rule"] for f in row["flags"]} == set(fired)
    assert [r["personId"] for r in coach.get("/api/coaching/caseload",
                                             params={"q": last, "flagged": "true"}).json()] == [worker_id]

    # The day before each boundary, nothing time-based fires: the flags are cleared, still listed.
    run_flags(server, seen + dt.timedelta(days=7) - dt.timedelta(minutes=1))
    state = flags_of(coach, worker_id)
    assert state["app_unused"]["clearedAt"] is not None and state["no_contact"]["clearedAt"] is not None
    assert state["missed_checkins"]["clearedAt"] is None
    run_flags(server, seen + dt.timedelta(days=7, minutes=1))
    state = flags_of(coach, worker_id)
    assert state["app_unused"]["clearedAt"] is None, "fires again past the boundary (the same flag)"
    assert state["app_unused"]["id"] == fired["app_unused"]["id"]

    # The worker reads the reminders, the coach marks the last day present, a contact note.
    for entry in phone.get("/api/inbox").json():
        assert phone.post(f"/api/inbox/{entry['id']}/read").status_code == 204
    mark(coach, items[-1], worker_id, "present")
    run_flags(server, at)
    state = flags_of(coach, worker_id)
    for rule in ("missed_checkins", "unread_reminders", "absences"):
        assert state[rule]["clearedAt"] is not None, rule
    assert state["no_contact"]["clearedAt"] is None
    note = coach.post(f"/api/coaching/workers/{worker_id}/notes", json={"body": "Gebeld.", "kind": "contact"})
    assert note.status_code == 201, note.text
    contact = dt.datetime.fromisoformat(note.json()["createdAt"])
    run_flags(server, contact + dt.timedelta(days=14, minutes=-1))
    assert flags_of(coach, worker_id)["no_contact"]["clearedAt"] is not None, "a contact note counts"
    run_flags(server, contact + dt.timedelta(days=14, minutes=1))
    assert flags_of(coach, worker_id)["no_contact"]["clearedAt"] is None, "14 days after the contact"

    # Closing: a note is required; a closed flag leaves the list.
    flag_id = state["unread_reminders"]["id"]
    for body, lang in (({}, "nl"), ({"note": "   "}, "en")):
        refused = Client(server.url, language=lang)
        refused.cookies = coach.cookies
        response = refused.post(f"/api/coaching/flags/{flag_id}/close", json=body)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"
    assert coach.post(f"/api/coaching/flags/{flag_id}/close", json={"note": ""}).json()["errors"][0]["message"] \
        == "Vul minstens 1 teken in."
    closed = coach.post(f"/api/coaching/flags/{flag_id}/close", json={"note": "Herinneringen samen bekeken."})
    assert closed.status_code == 200 and closed.json()["closedAt"] and closed.json()["closeNote"]
    assert "unread_reminders" not in flags_of(coach, worker_id)
    assert personas["coach_b"].post(f"/api/coaching/flags/{flag_id}/close", json={"note": "x"}).json() == \
        personas["coach_b"].post(f"/api/coaching/flags/{uuid.uuid4()}/close", json={"note": "x"}).json()


def test_digest_lists_new_flags_once_a_day(quiet_personas):
    personas = quiet_personas
    server, coach = personas.server, personas["coach_a"]
    worker_id, last, _ = fresh_worker(personas)
    created = dt.datetime.fromisoformat(coach.get(f"/api/people/{worker_id}").json()["createdAt"])
    at = created + dt.timedelta(days=15)
    run_flags(server, at, digest=True)
    run_flags(server, at, digest=True)
    rows = db_rows(server, "SELECT r.id, r.title, r.body, r.url, c.person FROM reminder r JOIN recipient c "
                           "ON c.reminder = r.id WHERE r.source = 'digest'")
    digests = [r for r in rows if last in r["body"]]
    assert len(digests) == 1, "one digest per coach and day"
    digest = digests[0]
    assert str(digest["person"]) == personas.ids["coach_a"]
    assert digest["title"].endswith("nieuwe signalen in je caseload")
    assert f"Karim {last}: App " in digest["body"]
    assert f"Karim {last}: 15 dagen geen contact met de coach." in digest["body"]
    assert digest["url"] == "/#/caseload?flagged=true"


def test_notes_are_for_coaches_of_the_organisation_and_keep_every_version(personas):
    server, coach = personas.server, personas["coach_a"]
    worker_id, _, phone = fresh_worker(personas)
    created = coach.post(f"/api/coaching/workers/{worker_id}/notes", json={"body": "Eerste gesprek: goed gestart."})
    assert created.status_code == 201, created.text
    note = created.json()
    assert note["author"] == {"id": personas.ids["coach_a"], "name": "Coach_A Coach"} and note["edited"] is False
    edited = coach.patch(f"/api/coaching/notes/{note['id']}", json={"body": "Eerste gesprek: heel goed gestart."})
    assert edited.status_code == 200 and edited.json()["edited"] is True
    assert edited.json()["body"] == "Eerste gesprek: heel goed gestart."
    revisions = coach.get(f"/api/coaching/notes/{note['id']}/revisions").json()
    assert [r["body"] for r in revisions] == ["Eerste gesprek: goed gestart."]
    assert revisions[0]["editedBy"]["id"] == personas.ids["coach_a"]
    file = coach.get(f"/api/coaching/workers/{worker_id}").json()
    assert [(n["body"], n["edited"]) for n in file["notes"]] == [("Eerste gesprek: heel goed gestart.", True)]
    # Workers and buddies: 403; coach B: the answer of an unknown id.
    for name in ("worker_a", "buddy_a"):
        assert personas[name].get(f"/api/coaching/workers/{worker_id}").status_code == 403
        assert personas[name].patch(f"/api/coaching/notes/{note['id']}", json={"body": "x"}).status_code == 403
    assert phone.get(f"/api/coaching/notes/{note['id']}/revisions").status_code == 403
    coach_b = personas["coach_b"]
    for path in (f"/api/coaching/workers/{{}}", f"/api/coaching/notes/{{}}/revisions"):
        mine = coach_b.get(path.format(worker_id if "workers" in path else note["id"]))
        unknown = coach_b.get(path.format(uuid.uuid4()))
        assert (mine.status_code, mine.json()) == (404, unknown.json())
    # Too long: a clear 400 in Dutch and in English.
    for lang, text in (("nl", "Gebruik hoogstens 10000 tekens."), ("en", "Use at most 10000 characters.")):
        response = coach.post(f"/api/coaching/workers/{worker_id}/notes", json={"body": "x" * 10_001},
                              headers={"Accept-Language": lang})
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "body", "message": text}]
    assert coach.post(f"/api/coaching/workers/{worker_id}/notes", json={"body": "x" * 10_000}).status_code == 201
    # Every view and change is in the audit log.
    actions = {r["action"] for r in db_rows(server, f"SELECT action FROM audit_entry WHERE subject = '{worker_id}'")}
    assert {"add_note", "edit_note", "view_file", "view_note_revisions"} <= actions


def test_milestones_status_and_assignment_with_history(personas):
    coach = personas["coach_a"]
    worker_id, _, phone = fresh_worker(personas)
    file = coach.get(f"/api/coaching/workers/{worker_id}").json()
    start = dt.date.fromisoformat(file["startedOn"])
    lde = next(t for t in coach.get("/api/coaching/templates").json() if t["programme"] == "lde")
    assert [s["titleNl"] for s in lde["steps"]] == ["Intake", "Basisopleiding", "Werkervaring",
                                                   "VCA- of heftruckattest", "Stage bij een reguliere werkgever",
                                                   "Doorgestroomd naar regulier werk"]
    stones = coach.post(f"/api/coaching/workers/{worker_id}/milestones", json={"templateId": lde["id"]}).json()
    again = coach.post(f"/api/coaching/workers/{worker_id}/milestones", json={"templateId": lde["id"]}).json()
    assert len(stones) == len(again) == 6, "applying twice adds nothing"
    before_start = (start - dt.timedelta(days=1)).isoformat()
    for lang, text in (("nl", "Deze datum ligt voor de start van het traject"),
                       ("en", "This date lies before the start of the trajectory")):
        bad = coach.patch(f"/api/coaching/milestones/{stones[0]['id']}", headers={"Accept-Language": lang},
                          json={"status": "reached", "reachedOn": before_start})
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reachedOn"
        assert bad.json()["errors"][0]["message"].startswith(text)
    done = coach.patch(f"/api/coaching/milestones/{stones[0]['id']}",
                       json={"status": "reached", "reachedOn": start.isoformat(), "evidence": "Intakeverslag"})
    assert done.status_code == 200 and done.json()["reachedOn"] == start.isoformat()
    coach.patch(f"/api/coaching/milestones/{stones[1]['id']}", json={"status": "in_progress"})
    progress = phone.get("/api/me/progress").json()
    assert (progress["done"], progress["total"], progress["next"]) == (1, 6, "Basisopleiding")
    assert progress["steps"][0]["sentence"].startswith("Klaar: Intake.")
    assert progress["steps"][1]["sentence"] == "Nu bezig: Basisopleiding."
    assert progress["steps"][2]["sentence"] == "Later: Werkervaring."
    assert coach.get("/api/me/progress").status_code == 403

    missing = coach.put(f"/api/coaching/workers/{worker_id}/status", json={"status": "moved_on"})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "detail"
    stopped = coach.put(f"/api/coaching/workers/{worker_id}/status", json={"status": "stopped", "detail": " "})
    assert stopped.status_code == 400
    too_long = coach.put(f"/api/coaching/workers/{worker_id}/status",
                         json={"status": "moved_on", "detail": "Magazijnier bij een logistiek bedrijf in Genk"})
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["field"] == "detail"
    moved = coach.put(f"/api/coaching/workers/{worker_id}/status",
                      json={"status": "moved_on", "detail": "Magazijnier (logistiek)"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "moved_on" and moved.json()["movedOnTo"].startswith("Magazijnier")
    coach.put(f"/api/coaching/workers/{worker_id}/status", json={"status": "active"})
    history = coach.get(f"/api/coaching/workers/{worker_id}").json()["statusHistory"]
    assert [h["status"] for h in history] == ["active", "moved_on"]

    assigned = coach.put(f"/api/coaching/workers/{worker_id}/assignment", json={"buddyId": personas.ids["buddy_a"]})
    assert assigned.status_code == 200, assigned.text
    coach.put(f"/api/coaching/workers/{worker_id}/assignment", json={"buddyId": None})
    body = coach.get(f"/api/coaching/workers/{worker_id}").json()
    buddies = [a for a in body["assignments"] if a["role"] == "buddy"]
    assert [(a["assignee"] and a["assignee"]["id"], a["endedAt"] is None) for a in buddies] == [
        (None, True), (personas.ids["buddy_a"], False)]
    assert body["buddy"] is None
    other_coach = personas["coach_b"].get("/api/people").json()
    foreign_buddy = coach.put(f"/api/coaching/workers/{worker_id}/assignment",
                              json={"coachId": personas.ids["coach_b"]})
    assert foreign_buddy.status_code == 400 and other_coach

    page = coach.get(f"/api/coaching/workers/{worker_id}/timeline", params={"limit": 3}).json()
    assert len(page["entries"]) == 3 and page["nextBefore"]
    kinds = [e["kind"] for e in page["entries"]]
    older = coach.get(f"/api/coaching/workers/{worker_id}/timeline",
                      params={"limit": 50, "before": page["nextBefore"]}).json()
    everything = page["entries"] + older["entries"]
    assert {"status", "milestone"} <= {e["kind"] for e in everything}, kinds
    times = [dt.datetime.fromisoformat(e["at"]) for e in everything]
    assert times == sorted(times, reverse=True)
    bad = coach.get(f"/api/coaching/workers/{worker_id}/timeline", params={"before": "0.5"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "before"


def test_settings_and_templates_for_admins(personas):
    admin, coach = personas["admin"], personas["coach_a"]
    path = f"/api/coaching/organisations/{personas.org_a}/settings"
    defaults = coach.get(path).json()
    assert (defaults["missedCheckinsInARow"], defaults["appUnusedDays"], defaults["unreadReminders"],
            defaults["absencesInLastPlanned"], defaults["absencesWindow"], defaults["noContactDays"]) == (3, 7, 3, 4, 10, 14)
    assert coach.put(path, json={"appUnusedDays": 5}).status_code == 403
    for body, field in (({"appUnusedDays": 0}, "appUnusedDays"), ({"absencesWindow": 99}, "absencesWindow"),
                        ({"absencesInLastPlanned": 8, "absencesWindow": 5}, "absencesInLastPlanned"),
                        ({"noContactDays": "veel"}, "noContactDays")):
        response = admin.put(path, json=body)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == field, response.text
    saved = admin.put(path, json={**{k: v for k, v in defaults.items() if k != "organisationId"},
                                  "appUnusedDays": 10})
    assert saved.status_code == 200 and saved.json()["appUnusedDays"] == 10
    admin.put(path, json={k: v for k, v in defaults.items() if k != "organisationId"})

    made = admin.post("/api/coaching/templates", json={
        "organisationId": personas.org_a, "programme": "wep", "name": "Werkervaring",
        "steps": [{"titleNl": "Intake"}, {"titleNl": "Opleiding"}, {"titleNl": "Werk", "isExit": True}]})
    assert made.status_code == 201, made.text
    template = made.json()
    steps = template["steps"]
    changed = admin.put(f"/api/coaching/templates/{template['id']}", json={
        "name": "WEP", "programme": "wep", "steps": [{"id": steps[1]["id"], "titleNl": "Basisopleiding"},
                                                     {"titleNl": "Stage"}, {"id": steps[2]["id"], "titleNl": "Werk",
                                                                            "isExit": True}]})
    assert changed.status_code == 200, changed.text
    assert [s["titleNl"] for s in changed.json()["steps"]] == ["Basisopleiding", "Stage", "Werk"]
    assert changed.json()["steps"][0]["id"] == steps[1]["id"]
    assert coach.put(f"/api/coaching/templates/{template['id']}", json={"name": "X", "programme": "wep",
                                                                       "steps": []}).status_code == 403
    assert coach.post("/api/coaching/templates", json={"name": "X"}).status_code == 403
    assert admin.delete(f"/api/coaching/templates/{template['id']}").status_code == 204
    assert template["id"] not in {t["id"] for t in coach.get("/api/coaching/templates").json()}
