"""Standard trajectory steps in the worker's language (issue 15, part 3): the default template's steps
carry a key (`step.<key>` in the catalogues), so a worker reads "Basic training" or "Formation de
base"; a step an admin typed, or retyped, keeps the typed title. Both databases."""

from __future__ import annotations

import uuid

from conftest import Client, create_person, token_of

KEYS = ["intake", "basic_training", "work_experience", "certificate", "internship", "moved_on"]


def worker(personas, language: str) -> tuple[str, Client]:
    created = create_person(personas["coach_a"], role="worker", firstName="Step",
                            lastName=f"Key{uuid.uuid4().hex[:6]}", language=language)
    phone = Client(personas.server.url, language=language)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return created["person"]["id"], phone


def lde(coach: Client) -> dict:
    return next(t for t in coach.get("/api/coaching/templates").json() if t["programme"] == "lde")


def test_standard_steps_have_keys_and_show_in_the_workers_language(personas):
    coach = personas["coach_a"]
    template = lde(coach)
    assert [s["key"] for s in template["steps"]] == KEYS
    worker_id, phone = worker(personas, "en")
    stones = coach.post(f"/api/coaching/workers/{worker_id}/milestones", json={"templateId": template["id"]})
    assert stones.status_code == 200, stones.text
    progress = phone.get("/api/me/progress").json()
    assert [s["key"] for s in progress["steps"]] == KEYS
    assert progress["steps"][1]["title"] == "Basic training"
    assert progress["next"] == "Intake"
    assert "Moved on to regular work" in progress["steps"][5]["sentence"]
    # The same steps for a Dutch worker read Dutch.
    dutch_id, dutch = worker(personas, "nl")
    coach.post(f"/api/coaching/workers/{dutch_id}/milestones", json={"templateId": template["id"]})
    assert dutch.get("/api/me/progress").json()["steps"][1]["title"] == "Basisopleiding"


def test_a_typed_or_retyped_step_keeps_its_title(personas):
    admin = personas["admin"]
    org = admin.post("/api/organisations", json={"name": f"Stappen {uuid.uuid4().hex[:8]}", "city": "Genk"}).json()["id"]
    listed = admin.get("/api/coaching/templates", params={"organisationId": org})
    assert listed.status_code == 200, listed.text
    template = next(t for t in listed.json() if t["programme"] == "lde")
    steps = [{"id": s["id"], "titleNl": s["titleNl"], "titleEn": s["titleEn"], "isExit": s["isExit"]}
             for s in template["steps"]]
    steps[1]["titleNl"] = "Opleiding heftruck bij Atelier Noord"
    steps.append({"titleNl": "Sollicitatietraining", "titleEn": "", "isExit": False})
    saved = admin.put(f"/api/coaching/templates/{template['id']}", json={
        "name": template["name"], "programme": "lde", "steps": steps})
    assert saved.status_code == 200, saved.text
    keys = [s["key"] for s in saved.json()["steps"]]
    assert keys == ["intake", None, "work_experience", "certificate", "internship", "moved_on", None]
    # A title that is kept (only the English changed) keeps its key.
    steps = [{"id": s["id"], "titleNl": s["titleNl"], "titleEn": s["titleEn"] + "!", "isExit": s["isExit"]}
             for s in saved.json()["steps"]]
    again = admin.put(f"/api/coaching/templates/{template['id']}", json={
        "name": template["name"], "programme": "lde", "steps": steps})
    assert [s["key"] for s in again.json()["steps"]] == keys
