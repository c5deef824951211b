"""No answer is ever a 500 (issue 12, part 3), on SQLite and PostgreSQL.

Each test is one of the requests that answered 500 or answered wrongly: concurrent creates of the
same e-mail, absurd dates, deep JSON, a NUL in a path, answers without security headers, a reused
Idempotency-Key, a `text/plain` body, LIKE wildcards in the caseload search, the calendar token in
the access log, a push endpoint taken over by another person.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import backend.app  # noqa: F401 - every domain adds its messages to the catalogue on import
from backend.i18n import translate
from conftest import ROOT, WERKMAAT, Client, create_person, free_port, token_of, wait_until

LANGUAGES = ["nl", "en"]


def error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and body["message"], body
    return body


def field_errors(response, status: int = 400) -> dict[str, str]:
    return {e["field"]: e["message"] for e in error(response, status)["errors"]}


# --- 1. integrity errors are 409s that name the field ------------------------------------------

def test_forty_identical_creates_at_once_give_one_201_and_409s(personas):
    """A double- (or forty-fold) tapped "Toevoegen": one person, every other answer a 409 naming `email`."""
    coach = personas["coach_a"]
    email = f"dubbel.{uuid.uuid4().hex[:8]}@example.org"
    body = {"role": "worker", "firstName": "Dubbel", "lastName": "Tik", "email": email}
    with httpx.Client(base_url=coach.base_url, cookies=coach.cookies, timeout=60,
                      headers={**coach.headers, "X-CSRF-Token": coach.csrf},
                      limits=httpx.Limits(max_connections=40)) as shared:
        with ThreadPoolExecutor(max_workers=40) as pool:
            responses = list(pool.map(lambda _: shared.post("/api/people", json=body), range(40)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 39, statuses
    for response in responses:
        if response.status_code == 409:
            body409 = error(response, 409)
            assert body409["message"] == translate("email_taken", "nl")
            assert body409["errors"] == [{"field": "email", "message": translate("email_taken", "nl")}]
    people = [p for p in personas["admin"].get("/api/people").json() if p.get("email") == email]
    assert len(people) == 1


def test_taken_email_is_a_409_in_english_too(personas):
    coach = personas["coach_a"]
    email = f"bezet.{uuid.uuid4().hex[:8]}@example.org"
    create_person(coach, role="buddy", firstName="Eerste", email=email)
    english = Client(personas.server.url, language="en")
    english.cookies = coach.cookies
    response = english.post("/api/people", json={"role": "buddy", "firstName": "Tweede", "email": email})
    assert field_errors(response, 409) == {"email": translate("email_taken", "en")}


# --- 2. the requests that gave 500: bounded dates, bounded nesting, a NUL in a path -------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_json_nested_fifty_thousand_deep_is_a_400(personas, language):
    worker = personas["worker_a"]
    deep = b'{"language": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = worker.patch("/api/me", content=deep,
                            headers={"Content-Type": "application/json", "Accept-Language": language})
    body = error(response, 400)
    assert body["message"] == translate("json_too_deep", language, n=32)
    assert body["errors"] == [{"field": "body", "message": translate("json_too_deep", language, n=32)}]
    assert worker.get("/api/me").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_schedule_far_outside_the_range_is_a_400_naming_the_parameter(personas, language, day):
    response = personas["worker_a"].get(f"/api/schedule/mine?from={day}", headers={"Accept-Language": language})
    assert field_errors(response) == {"from": translate("date_out_of_range", language)}
    response = personas["coach_a"].get(f"/api/schedule/items?to={day}", headers={"Accept-Language": language})
    assert field_errors(response) == {"to": translate("date_out_of_range", language)}


def test_dates_at_the_edges_of_the_range_are_accepted(personas):
    worker = personas["worker_a"]
    assert worker.get("/api/schedule/mine?from=2000-01-01&to=2000-01-07").status_code == 200
    assert worker.get("/api/schedule/mine?from=2100-12-25&to=2100-12-31").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_sick_report_in_year_9999_is_a_400(personas, language):
    response = personas["worker_a"].post("/api/reports/sick", json={"firstDay": "9999-12-31", "lastDay": "9999-12-31"},
                                         headers={"Accept-Language": language})
    message = translate("date_out_of_range", language)
    assert field_errors(response) == {"firstDay": message, "lastDay": message}


@pytest.mark.parametrize("language", LANGUAGES)
def test_item_starting_in_year_one_is_a_400(personas, language):
    response = personas["coach_a"].post("/api/schedule/items", headers={"Accept-Language": language}, json={
        "kind": "shift", "title": "Oud", "startsAt": "0001-01-01T00:00:00", "endsAt": "2027-01-01T10:00:00",
        "workerIds": [personas.ids["worker_a"]]})
    assert field_errors(response) == {"startsAt": translate("date_out_of_range", language)}


def test_out_of_range_dates_in_nested_and_list_fields_are_named(personas):
    coach = personas["coach_a"]
    response = coach.post("/api/reminders", json={
        "title": "Later", "workerIds": [personas.ids["worker_a"]],
        "recurrence": {"weekdays": [1], "time": "08:00", "until": "9999-01-01"}})
    assert field_errors(response) == {"recurrence.until": translate("date_out_of_range", "nl")}


def test_nul_in_a_static_path_is_a_404(personas):
    for path in ("/js/%00", "/css/a%00.css", "/icons/%00/x"):
        response = httpx.get(personas.server.url + path)
        assert error(response, 404)["message"] == translate("not_found", "nl")


# --- 3. every answer carries the security headers --------------------------------------------

def assert_security_headers(response, https: bool = False) -> None:
    headers = response.headers
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), (response.status_code, headers)
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") == "no-referrer"
    assert ("strict-transport-security" in headers) is https


def security_probes(server_url: str, personas) -> dict[str, httpx.Response]:
    anonymous = httpx.Client(base_url=server_url)
    return {
        "ok": anonymous.get("/health"),
        "unknown path": anonymous.get("/nergens/te/vinden"),
        "unknown api path": anonymous.get("/api/nergens"),
        "method not allowed": anonymous.delete("/health"),
        "csrf refused": anonymous.post("/api/auth/login", json={"email": "a@b.cd", "password": "x"}),
        "nul in path": anonymous.get("/js/%00"),
        "not signed in": anonymous.get("/api/me"),
        "not json": personas["coach_a"].post("/api/people", content=b"role=worker",
                                             headers={"Content-Type": "text/plain"}),
        "validation": personas["coach_a"].post("/api/people", json={}),
    }


def test_every_kind_of_answer_carries_the_security_headers(live_server, personas):
    probes = security_probes(live_server.url, personas)
    expected = {"ok": 200, "unknown path": 404, "unknown api path": 404, "method not allowed": 405,
                "csrf refused": 403, "nul in path": 404, "not signed in": 401, "not json": 415, "validation": 400}
    assert {name: r.status_code for name, r in probes.items()} == expected
    for name, response in probes.items():
        assert_security_headers(response)
        if name != "ok" and response.request.url.path.startswith("/api/"):
            assert response.headers["cache-control"] == "no-store", name
    assert probes["csrf refused"].json()["message"] == translate("csrf_failed", "nl")


def test_hsts_on_every_answer_over_https(server_at, live_server):
    """Behind TLS (a public https URL) every answer, refusals included, carries HSTS."""
    server = server_at(live_server.now(), WERKMAAT_PUBLIC_URL="https://werkmaat.example.org")
    anonymous = httpx.Client(base_url=server.url)
    for response in (anonymous.get("/health"), anonymous.get("/nergens"), anonymous.delete("/health"),
                     anonymous.post("/api/auth/login", json={"email": "a@b.cd", "password": "x"}),
                     anonymous.get("/js/%00")):
        assert response.status_code < 500, response.text
        assert_security_headers(response, https=True)


# --- 4. the smaller ones ---------------------------------------------------------------------

def new_worker(personas, language: str = "nl") -> tuple[str, Client]:
    created = create_person(personas["coach_a"], role="worker", firstName="Proef", lastName=uuid.uuid4().hex[:6],
                            language=language)
    phone = Client(personas.server.url, language=language)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return created["person"]["id"], phone


@pytest.mark.parametrize("language", LANGUAGES)
def test_idempotency_key_with_another_body_is_a_422(personas, language):
    _, phone = new_worker(personas, language)
    key = f"sick-{uuid.uuid4().hex}"
    first = phone.post("/api/reports/sick", json={"note": "griep"}, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    again = phone.post("/api/reports/sick", json={"note": "griep"}, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    # The same body laid out otherwise is the same request.
    spaced = phone.post("/api/reports/sick", content=b'{ "note" :  "griep" }',
                        headers={"Idempotency-Key": key, "Content-Type": "application/json"})
    assert spaced.status_code == 201 and spaced.json() == first.json()
    other = phone.post("/api/reports/sick", json={"note": "migraine"}, headers={"Idempotency-Key": key})
    body = error(other, 422)
    assert body["message"] == translate("idempotency_key_reused", language)
    reports = personas["coach_a"].get("/api/reports").json()
    assert sum(1 for r in reports if r.get("id") == first.json()["id"]) <= 1
    assert not any(r.get("note") == "migraine" for r in reports)


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8",
                                          "application/x-www-form-urlencoded", ""])
def test_a_body_that_is_not_sent_as_json_is_a_415(personas, content_type):
    coach = personas["coach_a"]
    before = len(personas["admin"].get("/api/people").json())
    headers = {"Content-Type": content_type} if content_type else {}
    request = coach.build_request("POST", "/api/people", content=b'{"role": "worker", "firstName": "Plat"}',
                                  headers={"X-CSRF-Token": coach.csrf, **headers})
    if not content_type:
        request.headers.pop("content-type", None)
    response = coach.send(request)
    assert field_errors(response, 415) == {"body": translate("body_not_json", "nl")}
    assert len(personas["admin"].get("/api/people").json()) == before


def test_caseload_search_takes_percent_and_underscore_literally(personas):
    coach = personas["coach_a"]
    tag = uuid.uuid4().hex[:6]
    names = {"under": f"Q_{tag}", "x": f"Qx{tag}", "percent": f"Z%{tag}", "zz": f"Zzz{tag}"}
    for first in names.values():
        create_person(coach, role="worker", firstName=first, lastName="Zoek")

    def found(q: str) -> set[str]:
        response = coach.get("/api/coaching/caseload", params={"q": q})
        assert response.status_code == 200, response.text
        return {row["firstName"] for row in response.json()}

    assert found(f"Q_{tag}") == {names["under"]}
    assert found(f"Z%{tag}") == {names["percent"]}
    assert found(f"q_{tag}".upper().lower()) == {names["under"]}, "still case-insensitive"
    assert found("_" + tag) == {names["under"]}
    assert found("%") == {names["percent"]}
    assert found("\\") == set()


def test_calendar_token_is_not_in_the_access_log(live_server, personas, tmp_path):
    """uvicorn logs every request at info level; the token of `/cal/<token>.ics` is redacted."""
    url = personas["worker_a"].get("/api/calendar").json()["url"]
    path = httpx.URL(url).path
    token = path.removeprefix("/cal/").removesuffix(".ics")
    port = free_port()
    # The live server's database and secret (the token is an HMAC with it), at its clock, no scheduler.
    env = {**live_server.command_env(), "WERKMAAT_SCHEDULER": "off", "WERKMAAT_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    log_path = tmp_path / "access.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen([WERKMAAT, "serve", "--host", "127.0.0.1", "--port", str(port),
                                    "--log-level", "info"], env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"

            def up() -> bool:
                try:
                    return httpx.get(base + "/health", timeout=1).status_code == 200
                except httpx.HTTPError:
                    return False

            wait_until(up, 60, "the info-level server")
            feed = httpx.get(base + path)
            assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
            assert httpx.get(base + path + "?x=1").status_code == 200
            assert httpx.get(base + "/cal/not-a-token.ics").status_code == 404
            wait_until(lambda: log_path.read_text().count("/cal/[redacted]") >= 3, 10, "access log lines")
        finally:
            process.terminate()
            process.wait(timeout=10)
    text = log_path.read_text()
    assert token not in text and "not-a-token" not in text
    assert "GET /cal/[redacted] HTTP/1.1\" 200" in text
    assert "GET /health" in text, "the access log itself is on"


def test_push_endpoint_of_another_person_is_not_moved(personas, push_service):
    """Person B registers A's endpoint (a shared phone, or a copied one): A's subscription ends and
    B gets a new one; A's pushes stop, B's arrive, and A cannot end B's by unsubscribing."""
    _, phone_a = new_worker(personas)
    _, phone_b = new_worker(personas)
    for phone in (phone_a, phone_b):
        assert phone.put("/api/notification-settings", json={"quietStart": "00:00", "quietEnd": "00:00"}).status_code == 200
    subscription = push_service.subscribe()
    first = phone_a.post("/api/push/subscriptions", json=subscription)
    assert first.status_code == 201, first.text
    assert phone_a.post("/api/push/test").status_code == 202
    push_service.wait_for(subscription["endpoint"], count=1)

    second = phone_b.post("/api/push/subscriptions", json=subscription)
    assert second.status_code == 201, second.text
    assert second.json()["id"] != first.json()["id"], "a new subscription, not A's moved"
    # A again (a stale phone): stays ended, and a new one would again be A's own.
    assert phone_a.post("/api/push/subscriptions/remove", json={"endpoint": subscription["endpoint"]}).status_code == 204

    assert phone_a.post("/api/push/test").status_code == 202
    assert phone_b.post("/api/push/test").status_code == 202
    push_service.wait_for(subscription["endpoint"], count=2)
    time.sleep(2)  # A's test push, if it were still sent, arrives within the dispatch interval
    assert len(push_service.messages_for(subscription["endpoint"])) == 2, "only B's second push arrived"
