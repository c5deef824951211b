"""The impact report: figures equal hand-computed ones (tests/impact_data.py), small groups are
hidden, the CSV parses back to the same figures, bad periods get clear 400s, and every persona gets
only what they may see."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import uuid

import pytest

from conftest import COACH_PASSWORD, ROOT, Client, create_person
from impact_data import EXPECTED_BREAKDOWNS, EXPECTED_FIGURES, EXPECTED_VALUES, spec

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def seed(server, data: dict) -> dict[str, str]:
    result = subprocess.run([sys.executable, str(ROOT / "tests/tools/seed_coaching.py")], env=server.command_env(),
                            input=json.dumps(data), capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def new_organisation(personas, name: str) -> tuple[str, Client, str]:
    """An organisation of its own with a signed-in coach: (organisation id, coach client, coach id)."""
    admin = personas["admin"]
    org = admin.post("/api/organisations", json={"name": f"{name} {uuid.uuid4().hex[:6]}", "kind": "lde",
                                                 "city": "Genk"}).json()["id"]
    email = f"coach.{uuid.uuid4().hex[:8]}@test.werkmaat.be"
    coach = create_person(admin, role="coach", firstName="Coach", lastName="X", email=email,
                          password=COACH_PASSWORD, organisationId=org)["person"]
    client = Client(personas.server.url)
    assert client.login(email, COACH_PASSWORD).status_code == 200
    return org, client, coach["id"]


@pytest.fixture(scope="module")
def org_x(personas):
    org, coach, coach_id = new_organisation(personas, "Impact X")
    ids = seed(personas.server, spec(org))
    # Noise in another organisation on the same days: must never count.
    other, _, _ = new_organisation(personas, "Impact Y")
    seed(personas.server, spec(other))
    return {"org": org, "coach": coach, "coach_id": coach_id, "ids": ids, "other": other}


def figures(report: dict) -> dict[str, dict]:
    return {f["key"]: f for s in report["sections"] for f in s["figures"]}


def breakdowns(report: dict) -> dict[str, dict]:
    return {b["key"]: b for s in report["sections"] for b in s["breakdowns"]}


def assert_hand_computed(report: dict) -> None:
    got = figures(report)
    assert {k: got[k]["display"] for k in EXPECTED_FIGURES} == EXPECTED_FIGURES
    assert {k: got[k]["value"] for k in EXPECTED_VALUES} == EXPECTED_VALUES
    for key, rows in EXPECTED_BREAKDOWNS.items():
        assert [(r["label"], r["display"]) for r in breakdowns(report)[key]["rows"]] == rows
        assert all(r["value"] is None for r in breakdowns(report)[key]["rows"] if r["display"] == "<5")


def test_figures_equal_hand_computed_ones(org_x):
    response = org_x["coach"].get("/api/reports/impact", params=MARCH)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["from"], report["to"], report["organisationId"], report["threshold"]) == (
        "2026-03-01", "2026-03-31", org_x["org"], 5)
    assert_hand_computed(report)
    assert "Seed" not in response.text and org_x["ids"]["W1"] not in response.text, "no names, no ids"


def test_admin_names_the_organisation_and_gets_the_same_report(org_x, personas):
    admin = personas["admin"]
    missing = admin.get("/api/reports/impact", params=MARCH)
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "organisationId"
    response = admin.get("/api/reports/impact", params=MARCH | {"organisationId": org_x["org"]})
    assert response.status_code == 200, response.text
    assert_hand_computed(response.json())
    unknown = admin.get("/api/reports/impact", params=MARCH | {"organisationId": str(uuid.uuid4())})
    assert unknown.status_code == 404


def test_a_coach_only_ever_gets_their_own_organisation(org_x, personas):
    coach_b = personas["coach_b"]
    asked = coach_b.get("/api/reports/impact", params=MARCH | {"organisationId": org_x["org"]})
    random = coach_b.get("/api/reports/impact", params=MARCH | {"organisationId": str(uuid.uuid4())})
    assert (asked.status_code, asked.json()) == (random.status_code, random.json()) == (404, random.json())
    own = coach_b.get("/api/reports/impact", params=MARCH).json()
    assert own["organisationId"] == personas.org_b
    assert figures(own)["workersActive"]["display"] == "0"


@pytest.mark.parametrize("persona", ["worker_a", "worker_b", "buddy_a"])
def test_workers_and_buddies_are_refused(personas, persona):
    response = personas[persona].get("/api/reports/impact", params=MARCH)
    assert response.status_code == 403
    assert personas[persona].get("/api/reports/impact", params=MARCH | {"format": "csv"}).status_code == 403


def test_anonymous_is_refused(personas):
    assert personas["anonymous"].get("/api/reports/impact", params=MARCH).status_code == 401


def test_small_groups_are_hidden(personas):
    org, coach, _ = new_organisation(personas, "Klein")
    data = {"organisation": org, "workers": ["A", "B", "C"], "items": [
        {"kind": "shift", "start": "2026-03-02 08:00", "end": "2026-03-02 16:00", "participants": ["A", "B", "C"],
         "attendance": {"A": "present", "B": "present"}}],
        "files": {"A": {"status": "moved_on", "since": "2026-03-10", "started": "2025-01-01", "movedOnTo": "bouw"}},
        "milestones": [{"person": "A", "title": "Intake", "reachedOn": "2026-03-03"}]}
    seed(personas.server, data)
    report = coach.get("/api/reports/impact", params=MARCH).json()
    got = figures(report)
    assert got["workersActive"]["display"] == "<5" and got["workersActive"]["value"] is None
    for key in ("plannedHours", "attendedHours", "attendanceRate", "trainingHours"):
        assert (got[key]["display"], got[key]["value"], got[key]["suppressed"]) == ("–", None, True), key
    assert got["movedOn"]["display"] == "<5" and got["milestonesReached"]["display"] == "<5"
    assert got["medianMonthsOnProgramme"]["value"] is None
    assert [(r["label"], r["display"]) for r in breakdowns(report)["movedOn"]["rows"]] == [("bouw", "<5")]
    assert "16" not in json.dumps(got["plannedHours"])


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_parses_back_to_the_same_numbers(org_x):
    coach = org_x["coach"]
    response = coach.get("/api/reports/impact", params=MARCH | {"format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8", "the charset named once"
    assert response.headers["content-disposition"] == 'attachment; filename="impact-2026-03-01-2026-03-31.csv"'
    rows = parse_csv(response.content)
    assert rows[0] == ["Onderdeel", "Cijfer", "Groep", "Waarde", "Eenheid", "Sleutel"]
    assert all(len(r) == 6 for r in rows)
    # The machine key (last column) finds a figure whatever the language.
    single = {r[5].split(".", 1)[1]: r[3] for r in rows[1:] if not r[5].endswith(".group")}
    assert {k: single[k] for k in EXPECTED_FIGURES} == EXPECTED_FIGURES
    # Numbers with a decimal comma read back to the JSON values.
    json_report = figures(coach.get("/api/reports/impact", params=MARCH).json())
    for key in ("plannedHours", "attendedHours", "attendanceRate", "trainingHours", "workersActive"):
        assert float(single[key].replace(",", ".")) == json_report[key]["value"]
    for key, expected in EXPECTED_BREAKDOWNS.items():
        assert [(r[2], r[3]) for r in rows if r[5] == f"trajectory.{key}.group"] == expected
    # The coach's stored language, not the browser's Accept-Language (the download is a plain link).
    assert parse_csv(coach.get("/api/reports/impact", params=MARCH | {"format": "csv"},
                               headers={"Accept-Language": "en"}).content)[0][0] == "Onderdeel"
    assert coach.patch("/api/me", json={"language": "en"}).status_code == 200
    try:
        english = coach.get("/api/reports/impact", params=MARCH | {"format": "csv"})
    finally:
        coach.patch("/api/me", json={"language": "nl"})
    assert parse_csv(english.content)[0] == ["Section", "Figure", "Group", "Value", "Unit", "Key"]


def test_csv_rows_read_in_the_coachs_language(org_x):
    """Row labels are words, not keys: "Aanwezigheid; Geplande uren; ; 88,5; uur", the key beside."""
    coach = org_x["coach"]
    dutch = parse_csv(coach.get("/api/reports/impact", params=MARCH | {"format": "csv"}).content)
    by_key = {r[5]: r[:5] for r in dutch[1:]}
    assert by_key["period.from"] == ["Periode", "Van", "", "2026-03-01", "datum"]
    assert by_key["attendance.plannedHours"] == ["Aanwezigheid", "Geplande uren", "", "88,5", "uur"]
    assert by_key["attendance.attendanceRate"] == ["Aanwezigheid", "Aanwezigheid", "", "73,4", "%"]
    assert by_key["trajectory.movedOn"] == ["Traject", "Doorgestroomd naar gewoon werk", "Totaal", "≥6", "mensen"]
    assert ["Traject", "Mijlpalen bereikt", "Heftruckattest", "<5", "mensen",
            "trajectory.milestonesReached.group"] in dutch
    assert coach.patch("/api/me", json={"language": "en"}).status_code == 200
    try:
        english = parse_csv(coach.get("/api/reports/impact", params=MARCH | {"format": "csv"}).content)
    finally:
        coach.patch("/api/me", json={"language": "nl"})
    by_key_en = {r[5]: r[:5] for r in english[1:]}
    assert by_key_en["attendance.plannedHours"] == ["Attendance", "Planned hours", "", "88,5", "hours"]
    assert by_key_en["trajectory.movedOn"][2] == "Total"
    assert set(by_key_en) == set(by_key), "the same keys in both languages"
    # No machine word is left in a readable column: no camelCase key in either file, no English in
    # the Dutch one.
    machine = {"attendance", "trajectory", "rides", "period", "people", "hours", "count", "date", "total"}
    for row in dutch[1:]:
        assert not machine.intersection(w.lower() for w in row[:2] + row[4:5]), row
    for row in dutch[1:] + english[1:]:
        assert not any(re.search(r"[a-z][A-Z]", cell) for cell in row[:2] + row[4:5]), row


def test_csv_labels_are_the_apps_own_words():
    """The CSV names a figure as the report screen does (pwa/i18n), in Dutch and in English."""
    from backend.reports import labels

    for language in ("nl", "en"):
        catalogue = json.loads((ROOT / "pwa" / "i18n" / f"{language}.json").read_text(encoding="utf-8"))
        screen = {k.removeprefix("impact.figure."): v for k, v in catalogue.items() if k.startswith("impact.figure.")}
        assert screen, "the app names its figures"
        for key, text in screen.items():
            assert labels.figure(language, key) == text, (language, key)


def test_every_key_of_a_report_has_a_label(org_x):
    """A section a domain adds (rides) must bring its words: no key shows through in Excel."""
    from backend.reports import labels

    report = org_x["coach"].get("/api/reports/impact", params=MARCH).json()
    for section in report["sections"]:
        assert labels.known("section", section["key"]), section["key"]
        for figure in section["figures"]:
            assert labels.known("figure", figure["key"]), figure["key"]
            assert labels.known("unit", figure["unit"]), figure["unit"]


@pytest.mark.parametrize(("params", "field", "nl", "en"), [
    ({"from": "2026-03-31", "to": "2026-03-01"}, "to", "De einddatum ligt voor de begindatum",
     "The end date is before the start date"),
    ({"from": "2020-01-01", "to": "2025-01-01"}, "to", "hoogstens 5 jaar", "at most 5 years"),
    ({"from": "2026-03-01"}, "to", "verplicht", "required"),
    ({"from": "2026-13-01", "to": "2026-03-01"}, "from", "", ""),
])
def test_bad_periods_are_400_in_both_languages(org_x, personas, params, field, nl, en):
    for language, text in (("nl", nl), ("en", en)):
        response = org_x["coach"].get("/api/reports/impact", params=params, headers={"Accept-Language": language})
        assert response.status_code == 400, response.text
        errors = response.json()["errors"]
        assert errors and errors[0]["field"] == field, errors
        assert text in errors[0]["message"]


def test_exactly_five_years_is_allowed(org_x):
    assert org_x["coach"].get("/api/reports/impact", params={"from": "2021-03-01", "to": "2026-02-28"}).status_code == 200


def test_suppression_rule_on_its_own():
    from backend.reports.suppression import breakdown, people

    def shown(counts):
        b = breakdown("k", counts)
        return [r.display for r in b.rows], b.total.display

    assert shown({"a": 7, "b": 1, "c": 2}) == (["7", "<5", "<5"], "≥9")
    assert shown({"a": 5, "b": 6}) == (["6", "5"], "11")
    assert shown({"a": 3}) == (["<5"], "<5")
    assert shown({"a": 2, "b": 2}) == (["<5", "<5"], "<5")
    assert shown({"a": 3, "b": 4}) == (["<5", "<5"], "≥2"), "a total of 7 would tell nothing new, still hidden"
    assert shown({}) == ([], "0")
    assert (people("n", 0).display, people("n", 4).display, people("n", 5).display) == ("0", "<5", "5")
