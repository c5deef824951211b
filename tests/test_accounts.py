"""Sign-in, invites, sessions, devices and deactivation, over real HTTP on both databases.

The shared `personas` must stay signed in: tests that revoke or deactivate make their own people.
"""

from __future__ import annotations

import concurrent.futures

from conftest import COACH_PASSWORD, Client, create_person, token_of


def new_worker(personas, **extra) -> dict:
    body = {"role": "worker", "firstName": "Jelle", "lastName": "Test", "phone": "0486 00 00 01"}
    body.update(extra)
    return create_person(personas["coach_a"], **body)


def test_health_reports_database(live_server, client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["engine"] == ("sqlite" if live_server.db == "sqlite" else "postgresql")


def test_openapi_is_served(client):
    spec = client.get("/schema/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/people/{person_id}" in spec["paths"]
    operation_ids = [op.get("operationId") for path in spec["paths"].values() for op in path.values()]
    assert all(operation_ids), "every route has an operationId"


def test_coach_login_sets_safe_session_cookie(personas):
    client = Client(personas.server.url)
    email = client_email(personas, "coach_a")
    response = client.login(email, COACH_PASSWORD)
    assert response.status_code == 200
    assert response.json()["role"] == "coach"
    cookie = response.headers["set-cookie"]
    assert "werkmaat_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
    assert "Secure" not in cookie  # served over http here; Secure is set when the public URL is https
    me = client.get("/api/me")
    assert me.status_code == 200 and me.headers["cache-control"] == "no-store"


def client_email(personas, name: str) -> str:
    return personas["admin"].get(f"/api/people/{personas.ids[name]}").json()["email"]


def test_wrong_password_and_unknown_email_answer_alike(personas):
    client = Client(personas.server.url)
    wrong = client.login(client_email(personas, "coach_a"), "not-the-password")
    unknown = client.login("nobody-here@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "werkmaat_session" not in wrong.headers.get("set-cookie", "")


def test_account_locked_for_new_devices_after_repeated_failures_from_anywhere(personas):
    admin = personas["admin"]
    email = "locked.coach@test.werkmaat.be"
    create_person(admin, role="coach", firstName="Lock", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    statuses = [Client(personas.server.url).login(email, "wrong-password-x").status_code for _ in range(10)]
    assert statuses == [401] * 10
    locked = Client(personas.server.url).login(email, COACH_PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 60
    assert locked.json()["retryAfter"] > 60
    # An unknown e-mail locks the same way, so the lock does not reveal which addresses exist.
    ghost = [Client(personas.server.url).login("ghost@test.werkmaat.be", "x").status_code for _ in range(11)]
    assert ghost == [401] * 10 + [429]


def test_address_locked_after_many_failures_across_accounts(personas):
    client = Client(personas.server.url)
    statuses = [client.login(f"someone{i}@test.werkmaat.be", "nope").status_code for i in range(21)]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429
    # The same address cannot sign in to a real account either while locked ...
    assert client.login(client_email(personas, "coach_a"), COACH_PASSWORD).status_code == 429
    # ... but another address can.
    assert Client(personas.server.url).login(client_email(personas, "coach_a"), COACH_PASSWORD).status_code == 200


def test_invite_link_signs_in_once(personas):
    created = new_worker(personas)
    invite = created["invite"]
    assert invite["url"].startswith(personas.server.url + "/welkom#")
    assert invite["qrSvg"].lstrip().startswith("<?xml") or "<svg" in invite["qrSvg"]
    phone = Client(personas.server.url)
    response = phone.redeem(token=token_of(invite))
    assert response.status_code == 200
    assert response.json()["firstName"] == "Jelle"
    assert "Max-Age=" in response.headers["set-cookie"]
    max_age = int(response.headers["set-cookie"].split("Max-Age=")[1].split(";")[0])
    assert max_age > 90 * 24 * 3600, "a phone stays signed in for months"
    assert Client(personas.server.url).redeem(token=token_of(invite)).status_code == 401, "single use"


def test_invite_code_works_in_any_spelling(personas):
    invite = new_worker(personas)["invite"]
    messy = " " + invite["code"].lower().replace("-", " ") + " "
    response = Client(personas.server.url).redeem(code=messy)
    assert response.status_code == 200


def test_concurrent_redeem_of_one_invite_has_one_winner(personas):
    invite = new_worker(personas)["invite"]
    phones = [Client(personas.server.url) for _ in range(6)]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda c: c.redeem(token=token_of(invite)).status_code, phones))
    assert sorted(statuses) == [200] + [401] * 5


def test_new_invite_replaces_unused_one(personas):
    created = new_worker(personas)
    person_id = created["person"]["id"]
    second = personas["coach_a"].post(f"/api/people/{person_id}/invites")
    assert second.status_code == 201
    assert Client(personas.server.url).redeem(token=token_of(created["invite"])).status_code == 401
    assert Client(personas.server.url).redeem(code=second.json()["code"]).status_code == 200


def test_invite_message_in_english(personas):
    response = Client(personas.server.url, language="en-GB,en;q=0.9,nl;q=0.5").redeem(code="AAAA-BBBB")
    assert response.status_code == 401
    assert "code or link" in response.json()["message"]
    dutch = Client(personas.server.url, language="nl-BE").redeem(code="AAAA-BBBB")
    assert "code of link" in dutch.json()["message"]


def test_coach_sees_and_revokes_devices(personas):
    created = new_worker(personas)
    person_id = created["person"]["id"]
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    devices = personas["coach_a"].get(f"/api/people/{person_id}/devices").json()
    assert len(devices) == 1 and devices[0]["label"] == "Android · Chrome" and devices[0]["kind"] == "invite"
    revoke = personas["coach_a"].delete(f"/api/people/{person_id}/devices/{devices[0]['id']}")
    assert revoke.status_code == 204
    assert phone.get("/api/me").status_code == 401
    assert personas["coach_a"].get(f"/api/people/{person_id}/devices").json() == []


def test_deactivation_ends_all_sessions_and_invites(personas):
    created = new_worker(personas)
    person_id = created["person"]["id"]
    phones = []
    for _ in range(2):
        invite = personas["coach_a"].post(f"/api/people/{person_id}/invites").json()
        phone = Client(personas.server.url)
        assert phone.redeem(code=invite["code"]).status_code == 200
        phones.append(phone)
    spare = personas["coach_a"].post(f"/api/people/{person_id}/invites").json()
    response = personas["coach_a"].post(f"/api/people/{person_id}/deactivate")
    assert response.status_code == 200 and response.json()["active"] is False
    assert [p.get("/api/me").status_code for p in phones] == [401, 401]
    assert Client(personas.server.url).redeem(code=spare["code"]).status_code == 401
    again = personas["coach_a"].post(f"/api/people/{person_id}/activate")
    assert again.json()["active"] is True
    assert phones[0].get("/api/me").status_code == 401, "reactivation does not revive old sessions"


def test_logout_revokes_the_session(personas):
    created = new_worker(personas)
    phone = Client(personas.server.url)
    phone.redeem(token=token_of(created["invite"]))
    stolen_cookie = phone.cookies.get("werkmaat_session")
    assert phone.post("/api/auth/logout").status_code == 204
    thief = Client(personas.server.url)
    thief.cookies.set("werkmaat_session", stolen_cookie)
    assert thief.get("/api/me").status_code == 401


def test_unsafe_request_without_csrf_token_is_refused(personas):
    coach = personas["coach_a"]
    response = coach.post("/api/people", json={"role": "worker", "firstName": "X"},
                          headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert "opnieuw" in response.json()["message"]


def test_worker_home_data(personas):
    me = personas["worker_a"].get("/api/me").json()
    assert me["role"] == "worker"
    assert me["coach"]["firstName"] == "Coach_A"
    assert me["buddy"]["firstName"] == "Marc" and me["buddy"]["phone"]
    assert me["workplace"]["name"] == "Atelier A"
    buddy_me = personas["buddy_a"].get("/api/me").json()
    assert [w["firstName"] for w in buddy_me["workers"]] == ["Ahmed"]
    assert buddy_me["workers"][0]["lastName"] == "", "a buddy sees only the first name"


def test_language_is_kept_per_user(personas):
    created = new_worker(personas)
    phone = Client(personas.server.url)
    phone.redeem(token=token_of(created["invite"]))
    assert phone.patch("/api/me", json={"language": "en"}).json()["language"] == "en"
    assert phone.get("/api/me").json()["language"] == "en"
    assert phone.patch("/api/me", json={"language": "ar"}).json()["language"] == "ar", "all eight languages"
    bad = phone.patch("/api/me", json={"language": "de"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "language"


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/api/config", "/health"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert client.get("/api/config").headers["cache-control"] == "no-store"
