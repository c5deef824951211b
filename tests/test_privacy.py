"""GDPR export and erasure, the policy meta-test, retention (job and CLI) and retention settings."""

from __future__ import annotations

import uuid

import pytest
from piccolo.columns import ForeignKey, Text
from piccolo.table import Table

from backend.accounts.tables import Person
from backend.privacy import policy as pol
from impact_data import spec
from test_impact_report import MARCH, assert_hand_computed, new_organisation, seed


# --- the policy map covers every table ---------------------------------------------------------------

def test_every_table_with_a_person_column_has_a_policy():
    assert pol.missing_policies() == []


def test_a_new_table_without_a_policy_is_caught(monkeypatch):
    class CarpoolOffer(Table, tablename="carpool_offer"):
        driver = ForeignKey(references=Person)
        home_address = Text()

    class Photo(Table, tablename="note_photo"):
        note = ForeignKey(references=pol.all_tables()[0])  # not about a person: no policy needed

    tables = pol.all_tables()
    monkeypatch.setattr(pol, "all_tables", lambda: [*tables, CarpoolOffer, Photo])
    assert pol.missing_policies() == ["carpool_offer: no policy"]
    monkeypatch.setitem(pol.POLICIES, "carpool_offer", pol.Policy("blank", subject=("driver",), blank={"home": ""}))
    assert pol.missing_policies() == ["carpool_offer.home: no such column"]
    monkeypatch.setitem(pol.POLICIES, "carpool_offer", pol.Policy("keep", subject=()))
    assert pol.missing_policies() == ["carpool_offer.driver: Person column not named as subject or actor"]


# --- export ------------------------------------------------------------------------------------------

def test_export_holds_everything_about_a_worker_with_secrets_redacted(personas):
    worker = personas.ids["worker_a"]
    assert personas["coach_a"].get(f"/api/people/{worker}").status_code == 200
    response = personas["coach_a"].get(f"/api/people/{worker}/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment;")
    body = response.json()
    assert (body["person"]["id"], body["person"]["first_name"]) == (worker, "Ahmed")
    sessions = body["tables"]["session"]
    assert sessions and all(s["token_hash"] == "[redacted]" for s in sessions)
    assert all(i["token_hash"] == "[redacted]" and i["code_hash"] == "[redacted]" for i in body["tables"]["invite"])
    assert "view_file" in {e["action"] for e in body["tables"]["audit_entry"]}, "views of the file are stored"


def test_export_of_a_coach_redacts_the_password_and_lists_what_they_did_as_references(personas):
    coach = personas.ids["coach_a"]
    body = personas["admin"].get(f"/api/people/{coach}/export").json()
    assert body["person"]["password_hash"] == "[redacted]"
    invites = body["references"]["invite"]
    assert invites and all(entry["as"] == ["created_by"] for entry in invites)
    assert "token_hash" not in str(body["references"])


def test_export_per_persona(personas):
    worker = personas.ids["worker_a"]
    path = f"/api/people/{worker}/export"
    random = f"/api/people/{uuid.uuid4()}/export"
    assert personas["anonymous"].get(path).status_code == 401
    for name in ("worker_a", "worker_b", "buddy_a"):
        assert personas[name].get(path).status_code == 403, name
    asked, unknown = personas["coach_b"].get(path), personas["coach_b"].get(random)
    assert (asked.status_code, asked.json()) == (404, unknown.json())
    assert personas["admin"].get(path).status_code == 200


# --- erasure -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def org_e(personas):
    org, coach, _ = new_organisation(personas, "Wissen")
    data = spec(org)
    data["deactivated"] = {"W9": "2026-01-01T00:00:00+00:00"}
    return {"org": org, "coach": coach, "ids": seed(personas.server, data)}


def test_erase_anonymises_and_keeps_the_counts(org_e, personas):
    admin, coach, ids = personas["admin"], org_e["coach"], org_e["ids"]
    before = coach.get("/api/reports/impact", params=MARCH).json()
    assert_hand_computed(before)
    exported = admin.get(f"/api/people/{ids['W1']}/export").json()
    assert exported["tables"]["note"] and exported["tables"]["worker_file"]
    for name in ("W1", "W4"):
        response = admin.post(f"/api/people/{ids[name]}/erase", json={"confirm": f" {name.lower()} "})
        assert response.status_code == 200, response.text
        assert response.json()["rows"].get("note", 0) == (1 if name == "W1" else 0), response.json()
    after = coach.get("/api/reports/impact", params=MARCH).json()
    assert after == before, "erasure keeps every anonymous count"
    person = admin.get(f"/api/people/{ids['W1']}").json()
    assert (person["firstName"], person["lastName"], person["phone"], person["email"], person["active"]) == (
        "Verwijderd", "", "", None, False)
    exported = admin.get(f"/api/people/{ids['W1']}/export").json()
    assert "note" not in exported["tables"]
    assert all(m["evidence"] == "" for m in exported["tables"]["milestone"])
    assert exported["tables"]["erasure"][0]["reason"] == "request"
    assert len(exported["tables"]["attendance"]) == 5, "attendance kept for the hours"
    again = admin.post(f"/api/people/{ids['W1']}/erase", json={"confirm": "Verwijderd"})
    assert again.status_code == 409


@pytest.mark.parametrize(("language", "text"), [("nl", "Typ de voornaam"), ("en", "Type the person's first name")])
def test_erase_needs_the_first_name(org_e, personas, language, text):
    target = org_e["ids"]["W2"]
    response = personas["admin"].post(f"/api/people/{target}/erase", json={"confirm": "Iemand"},
                                      headers={"Accept-Language": language})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "confirm", "message": response.json()["errors"][0]["message"]}]
    assert text in response.json()["errors"][0]["message"]
    assert personas["admin"].post(f"/api/people/{target}/erase", json={}).status_code == 400
    assert personas["admin"].get(f"/api/people/{target}").json()["firstName"] == "W2"


def test_erase_per_persona(org_e, personas):
    target = org_e["ids"]["W3"]
    path = f"/api/people/{target}/erase"
    body = {"confirm": "W3"}
    assert personas["anonymous"].post(path, json=body).status_code == 401
    for name in ("worker_a", "buddy_a"):
        assert personas[name].post(path, json=body).status_code == 403
    assert org_e["coach"].post(path, json=body).status_code == 403, "coaches may export, not erase"
    asked = personas["coach_b"].post(path, json=body)
    unknown = personas["coach_b"].post(f"/api/people/{uuid.uuid4()}/erase", json=body)
    assert (asked.status_code, asked.json()) == (404, unknown.json())
    assert personas["admin"].get(f"/api/people/{target}").json()["firstName"] == "W3"


# --- retention ---------------------------------------------------------------------------------------

def test_retention_settings_refuse_nonsense(personas):
    path = f"/api/organisations/{personas.org_b}/retention"
    admin = personas["admin"]
    for body, field in (({"retentionMonths": 0}, "retentionMonths"), ({"retentionMonths": "12"}, None),
                        ({"auditRetentionMonths": 1000}, "auditRetentionMonths"), ({"months": 3}, "months")):
        response = admin.put(path, json=body)
        assert response.status_code == 400, (body, response.text)
        if field:
            assert response.json()["errors"][0]["field"] == field
    assert admin.put(path, json={"retentionMonths": 12}).json() == {"retentionMonths": 12, "auditRetentionMonths": 60}


def test_purge_dry_run_then_purge(personas):
    admin = personas["admin"]
    org, coach, _ = new_organisation(personas, "Bewaren")
    assert admin.put(f"/api/organisations/{org}/retention", json={"retentionMonths": 3,
                                                                  "auditRetentionMonths": 12}).status_code == 200
    data = spec(org)  # W7 stopped on 20 March 2026: past 3 months; W8, W9 are not ended
    data["deactivated"] = {"W9": "2020-01-01T00:00:00+00:00", "W8": "2099-01-01T00:00:00+00:00"}
    data["sessions"] = {"W1": "2020-01-01T00:00:00+00:00", "W2": "2099-01-01T00:00:00+00:00"}
    data["audit"] = [{"at": "2020-01-01T00:00:00+00:00", "action": "view_file", "subject": "W1"},
                     {"at": "2099-01-01T00:00:00+00:00", "action": "view_file", "subject": "W1"}]
    ids = seed(personas.server, data)
    before = coach.get("/api/reports/impact", params=MARCH).json()

    dry = personas.server.werkmaat("purge", "--dry-run")
    assert "dry run" in dry.stdout and ids["W7"] in dry.stdout and ids["W9"] in dry.stdout, dry.stdout
    assert ids["W8"] not in dry.stdout and ids["W1"] not in dry.stdout
    assert admin.get(f"/api/people/{ids['W7']}").json()["firstName"] == "W7", "a dry run changes nothing"

    done = personas.server.werkmaat("purge")
    assert "Purged" in done.stdout and ids["W7"] in done.stdout
    for name, erased in (("W7", True), ("W9", True), ("W8", False), ("W1", False)):
        assert (admin.get(f"/api/people/{ids[name]}").json()["firstName"] == "Verwijderd") is erased, name
    assert coach.get("/api/reports/impact", params=MARCH).json() == before
    audit = admin.get("/api/audit", params={"subject": ids["W1"], "action": "view_file"}).json()
    assert [e["at"][:4] for e in audit["items"] if e["actorId"] is None] == ["2099"]
    sessions = admin.get(f"/api/people/{ids['W1']}/export").json()["tables"].get("session", [])
    assert sessions == []
    assert len(admin.get(f"/api/people/{ids['W2']}/export").json()["tables"]["session"]) == 1
    again = personas.server.werkmaat("purge", "--dry-run")
    assert ids["W7"] not in again.stdout, "erased once"


# --- erasure reaches the messages about a person ------------------------------------------------------

def test_erasing_a_buddy_takes_their_name_out_of_the_workers_ride_notices(personas):
    from mobility_helpers import confirmed_ride, stop_offers

    try:
        ride = confirmed_ride(personas, worker_name="Saartje", buddy_name="Gijsbrecht")
    finally:
        stop_offers()
    worker = ride["worker"]
    told = [e for e in worker.get("/api/inbox").json() if "Gijsbrecht" in e["body"]]
    assert told, "the worker was told who drives"
    exported = personas["coach_a"].get(f"/api/people/{ride['worker_id']}/export").json()
    assert "Gijsbrecht" not in str(exported), "a buddy's name is not given away in a worker's export"
    assert any("…" in e["body"] for e in exported["inbox"]), exported["inbox"]
    response = personas["admin"].post(f"/api/people/{ride['buddy_id']}/erase", json={"confirm": "Gijsbrecht"})
    assert response.status_code == 200, response.text
    assert not [e for e in worker.get("/api/inbox").json() if "Gijsbrecht" in e["title"] + e["body"]]
    assert not [e for e in personas["coach_a"].get("/api/inbox", params={"limit": 200}).json()
                if "Gijsbrecht" in e["title"] + e["body"]]


def test_messages_about_a_person_are_deleted_with_their_person_rows():
    assert pol.POLICIES["reminder"].subject == ("subject",) and pol.POLICIES["reminder"].action == "delete"
    assert pol.POLICIES["reminder_mention"].action == "delete"
    parents = {(c._meta.tablename, col, p._meta.tablename) for c, col, p in pol.dependents()}
    assert {("recipient", "reminder", "reminder"), ("delivery", "recipient", "recipient")} <= parents
