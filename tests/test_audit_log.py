"""The audit log: views and changes of a person's file, exports, erasures and report views are
recorded; admins read them with filters and pages; nobody else can."""

from __future__ import annotations

import datetime as dt
import uuid

from conftest import create_person


def entries(personas, **params) -> list[dict]:
    response = personas["admin"].get("/api/audit", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_views_changes_exports_and_reports_are_recorded(personas):
    coach = personas["coach_a"]
    worker = create_person(coach, role="worker", firstName="Gezien", lastName="Audit")["person"]["id"]
    assert coach.get(f"/api/people/{worker}").status_code == 200
    assert coach.patch(f"/api/people/{worker}", json={"lastName": "Anders", "phone": "0470 11 22 33"}).status_code == 200
    assert coach.get(f"/api/people/{worker}/export").status_code == 200
    change = entries(personas, subject=worker)[1]
    assert (change["action"], change["actorId"], change["actorName"], change["detail"]) == (
        "change_file", personas.ids["coach_a"], "Coach_A Coach", "lastName,phone")
    assert personas["admin"].post(f"/api/people/{worker}/erase", json={"confirm": "Gezien"}).status_code == 200
    got = entries(personas, subject=worker)
    assert [e["action"] for e in got] == ["erase", "export", "change_file", "view_file"], got
    # Erasure keeps who did what and when, but not the details (a status change's reason is free text).
    change = got[2]
    assert (change["actorId"], change["actorName"], change["detail"]) == (personas.ids["coach_a"], "Coach_A Coach", "")
    assert change["subjectName"] == "Verwijderd" and change["organisationId"] == personas.org_a
    assert got[0]["actorName"].startswith("Admin")

    assert coach.get("/api/reports/impact", params={"from": "2026-01-01", "to": "2026-01-31"}).status_code == 200
    mine = entries(personas, actor=personas.ids["coach_a"])
    assert mine[0]["action"] == "view_report" and mine[0]["subjectId"] is None
    assert "2026-01-01" in mine[0]["detail"]


def test_a_refused_view_is_not_recorded_as_a_view(personas):
    before = len(entries(personas, subject=personas.ids["worker_a"], actor=personas.ids["coach_b"]))
    assert personas["coach_b"].get(f"/api/people/{personas.ids['worker_a']}").status_code == 404
    assert len(entries(personas, subject=personas.ids["worker_a"], actor=personas.ids["coach_b"])) == before


def test_filters_and_pages(personas):
    coach = personas["coach_a"]
    worker = personas.ids["worker_b"]
    for _ in range(3):
        coach.get(f"/api/people/{worker}")
    page = personas["admin"].get("/api/audit", params={"subject": worker, "pageSize": 2}).json()
    assert page["total"] >= 3 and len(page["items"]) == 2 and page["page"] == 1 and page["pageSize"] == 2
    second = personas["admin"].get("/api/audit", params={"subject": worker, "pageSize": 2, "page": 2}).json()
    assert {e["id"] for e in page["items"]}.isdisjoint(e["id"] for e in second["items"])
    today = dt.date.today()
    assert entries(personas, subject=worker, **{"from": (today + dt.timedelta(days=2)).isoformat()}) == []
    assert len(entries(personas, subject=worker, **{"from": (today - dt.timedelta(days=1)).isoformat(),
                                                    "to": (today + dt.timedelta(days=1)).isoformat()})) >= 3
    assert entries(personas, subject=str(uuid.uuid4())) == []
    assert all(e["organisationId"] == personas.org_b
               for e in entries(personas, organisationId=personas.org_b))


def test_bad_filters_are_400(personas):
    admin = personas["admin"]
    for params, field in (({"from": "2026-03-02", "to": "2026-03-01"}, "to"), ({"pageSize": 0}, "pageSize"),
                          ({"pageSize": 500}, "pageSize"), ({"subject": "nope"}, "subject"),
                          ({"from": "gisteren"}, "from")):
        response = admin.get("/api/audit", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["errors"][0]["field"] == field, response.json()


def test_only_admins_read_the_audit_log(personas):
    assert personas["anonymous"].get("/api/audit").status_code == 401
    for name in ("worker_a", "worker_b", "buddy_a", "coach_a", "coach_b"):
        assert personas[name].get("/api/audit").status_code == 403, name
