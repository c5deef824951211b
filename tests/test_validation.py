"""Bad input gets a 400 that names every wrong field, in Dutch by default and in English on request.

Error body: `{"status": 400, "message": ..., "errors": [{"field": ..., "message": ...}]}`. A refused
request changes nothing. Expected messages come from `backend.i18n`, so a reworded message does not
break these tests, but a wrong key or a missing placeholder does.
"""

from __future__ import annotations

import ast
import json
import re
import string
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

import backend.app  # noqa: F401 - every domain adds its messages to the catalogue on import
from backend.i18n import SUPPORTED, catalogue, translate
from conftest import ROOT, Client, create_person

LANGUAGE_CHOICES = ", ".join(SUPPORTED)  # the eight languages a person may choose
LANGUAGES = [None, "en"]  # None: no Accept-Language header at all, so the default (Dutch)
PERSON_ROLES = "worker, buddy, coach"


def send(client: Client, method: str, url: str, language: str | None, **kwargs):
    """A request with exactly the given language: no Accept-Language header when `language` is None."""
    headers = {"X-CSRF-Token": client.csrf, **kwargs.pop("headers", {})}
    request = client.build_request(method, url, headers=headers, **kwargs)
    if language is None:
        del request.headers["accept-language"]
    else:
        request.headers["accept-language"] = language
    return client.send(request)


def expect(key: str, **params: Any) -> tuple[str, dict]:
    return key, params


def assert_error_body(response, status: int, language: str | None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert {"status", "message", "errors"} <= set(body), body
    assert set(body) <= {"status", "message", "errors", "retryAfter", "code"}, body
    assert body["status"] == status
    # The message key, for the app to tell cases apart (e.g. a 401 "device_revoked").
    assert isinstance(body.get("code"), str) and body["code"], body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "message"} and item["field"] and item["message"], item
    return body


def assert_field_errors(response, language: str | None, expected: dict[str, tuple[str, dict]]) -> None:
    lang = language or "nl"
    body = assert_error_body(response, 400, language)
    assert body["message"] == translate("invalid_input", lang)
    fields = [e["field"] for e in body["errors"]]
    assert len(fields) == len(set(fields)), f"a field named twice: {fields}"
    got = {e["field"]: e["message"] for e in body["errors"]}
    want = {name: translate(key, lang, **params) for name, (key, params) in expected.items()}
    assert got == want


# --- what to watch: nothing may change when a request is refused ----------------------------------

def snapshot(personas, watch: str) -> Any:
    admin = personas["admin"]
    paths = {
        "people": "/api/people",
        "organisations": "/api/organisations",
        "workplaces_a": f"/api/organisations/{personas.org_a}/workplaces",
        "org_a": f"/api/organisations/{personas.org_a}",
    }
    response = admin.get(paths.get(watch, watch))
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class Case:
    id: str
    persona: str
    method: str
    path: str | Callable[[Any], str]  # formatted with org_a, org_b, workplace_a, workplace_b, worker_a
    body: Callable[[Any], Any]
    expected: dict[str, tuple[str, dict]]
    watch: str  # a name in `snapshot`, or "target": the object at `path` itself
    marks: list = field(default_factory=list)


def fmt(personas, path) -> str:
    if callable(path):
        return path(personas)
    return path.format(org_a=personas.org_a, org_b=personas.org_b, workplace_a=personas.workplace_a,
                       workplace_b=personas.workplace_b, worker_a=personas.ids["worker_a"])


def throwaway_workplace(personas) -> str:
    response = personas["admin"].post(f"/api/organisations/{personas.org_a}/workplaces",
                                      json={"name": "Wegwerpplek", "latitude": 50.9, "longitude": 5.4})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def throwaway_worker(personas) -> str:
    return create_person(personas["coach_a"], role="worker", firstName="Wegwerp", lastName="Test",
                         phone="0486 99 99 99")["person"]["id"]


def new_email() -> str:
    return f"coach.{uuid.uuid4().hex[:8]}@test.werkmaat.be"


CASES = [
    Case("missing-required", "coach_a", "POST", "/api/people", lambda p: {},
         {"role": expect("field_required"), "firstName": expect("field_required")}, "people"),
    Case("login-missing-required", "anonymous", "POST", "/api/auth/login", lambda p: {},
         {"email": expect("field_required"), "password": expect("field_required")}, "people"),
    Case("wrong-types", "coach_a", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": 123, "lastName": ["Peeters"], "phone": 486123401,
                    "buddyId": 7},
         {"firstName": expect("field_type_str"), "lastName": expect("field_type_str"),
          "phone": expect("field_type_str"), "buddyId": expect("field_uuid")}, "people"),
    Case("null-for-required-text", "coach_a", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": None},
         {"firstName": expect("field_type_str")}, "people"),
    Case("too-long", "coach_a", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": "a" * 101, "lastName": "b" * 101, "phone": "1" * 33},
         {"firstName": expect("field_too_long", n=100), "lastName": expect("field_too_long", n=100),
          "phone": expect("field_too_long", n=32)}, "people"),
    Case("too-short", "anonymous", "POST", "/api/auth/login", lambda p: {"email": "a@", "password": ""},
         {"email": expect("field_too_short", n=3), "password": expect("field_too_short", n=1)}, "people"),
    Case("unknown-fields", "coach_a", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": "Jan", "firstname": "Jan", "isAdmin": True},
         {"firstname": expect("field_unknown"), "isAdmin": expect("field_unknown")}, "people"),
    Case("invalid-enum", "coach_a", "POST", "/api/people", lambda p: {"role": "king", "firstName": "Jan"},
         {"role": expect("field_choice", choices=PERSON_ROLES)}, "people"),
    Case("several-kinds-at-once", "coach_a", "POST", "/api/people",
         lambda p: {"role": "king", "lastName": 5, "language": "de", "colour": "blue"},
         {"role": expect("field_choice", choices=PERSON_ROLES), "firstName": expect("field_required"),
          "lastName": expect("field_type_str"), "language": expect("field_choice", choices=LANGUAGE_CHOICES),
          "colour": expect("field_unknown")}, "people"),
    Case("invalid-email-and-phone", "coach_a", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": "Jan", "email": "jan-at-example", "phone": "bel me maar"},
         {"email": expect("email_invalid"), "phone": expect("phone_invalid")}, "people"),
    Case("coach-password-too-short", "admin", "POST", "/api/people",
         lambda p: {"role": "coach", "firstName": "Kort", "email": new_email(), "password": "kort",
                    "organisationId": p.org_a},
         {"password": expect("password_too_short", n=12)}, "people"),
    Case("coach-needs-email-and-password", "admin", "POST", "/api/people",
         lambda p: {"role": "coach", "firstName": "Leeg", "organisationId": p.org_a},
         {"email": expect("email_required"), "password": expect("password_required")}, "people"),
    Case("unknown-organisation", "admin", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": "Jan", "organisationId": str(uuid.uuid4())},
         {"organisationId": expect("organisation_unknown")}, "people"),
    Case("coordinates-out-of-range", "coach_a", "POST", "/api/organisations/{org_a}/workplaces",
         lambda p: {"name": "Veld", "latitude": 91, "longitude": -181},
         {"latitude": expect("field_too_large", n="90.0"), "longitude": expect("field_too_small", n="-180.0")},
         "workplaces_a"),
    Case("only-latitude", "coach_a", "POST", "/api/organisations/{org_a}/workplaces",
         lambda p: {"name": "Veld", "latitude": 50.9},
         {"longitude": expect("coordinates_pair")}, "workplaces_a"),
    Case("only-longitude", "coach_a", "POST", "/api/organisations/{org_a}/workplaces",
         lambda p: {"name": "Veld", "longitude": 5.4},
         {"latitude": expect("coordinates_pair")}, "workplaces_a"),
    Case("coordinate-removed-on-update", "coach_a", "PATCH",
         lambda p: f"/api/workplaces/{throwaway_workplace(p)}",
         lambda p: {"latitude": None},
         {"latitude": expect("coordinates_pair")}, "target"),
    Case("workplace-fields", "coach_a", "POST", "/api/organisations/{org_a}/workplaces",
         lambda p: {"name": "", "postcode": "12345678901", "street": ["Markt"], "latitude": "x", "longitude": 1},
         {"name": expect("field_too_short", n=1), "postcode": expect("field_too_long", n=10),
          "street": expect("field_type_str"), "latitude": expect("field_type_number")}, "workplaces_a"),
    Case("blank-name", "coach_a", "POST", "/api/organisations/{org_a}/workplaces",
         lambda p: {"name": "   "}, {"name": expect("blank")}, "workplaces_a"),
    Case("organisation-fields", "admin", "POST", "/api/organisations",
         lambda p: {"name": "", "kind": "castle", "city": 3600},
         {"name": expect("field_too_short", n=1),
          "kind": expect("field_choice", choices="maatwerkbedrijf, lde, werkervaring, art60, other"),
          "city": expect("field_type_str")}, "organisations"),
    Case("links-of-another-organisation", "coach_a", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": "Jan", "workplaceId": p.workplace_b,
                    "coachId": p.ids["coach_b"]},
         {"workplaceId": expect("workplace_unknown"), "coachId": expect("coach_unknown")}, "people"),
    Case("workplace-of-another-organisation-on-update", "coach_a", "PATCH",
         lambda p: f"/api/people/{throwaway_worker(p)}",
         lambda p: {"lastName": "Nieuw", "workplaceId": p.workplace_b},
         {"workplaceId": expect("workplace_unknown")}, "target"),
    Case("update-person-bad-fields", "coach_a", "PATCH", lambda p: f"/api/people/{throwaway_worker(p)}",
         lambda p: {"firstName": "", "phone": "0" * 40, "lastName": "Nieuw", "role": "coach"},
         {"firstName": expect("field_too_short", n=1), "phone": expect("field_too_long", n=32),
          "role": expect("field_unknown")}, "target"),
    Case("update-person-business-rules", "coach_a", "PATCH", lambda p: f"/api/people/{throwaway_worker(p)}",
         lambda p: {"firstName": "   ", "phone": "bel me", "email": "geen", "lastName": "Nieuw"},
         {"firstName": expect("blank"), "phone": expect("phone_invalid"), "email": expect("email_invalid")},
         "target"),
    # --- enums of PATCH bodies, rules of two layers at once, lenient types ---
    Case("enum-in-update-lists-choices", "coach_a", "PATCH", lambda p: f"/api/people/{throwaway_worker(p)}",
         lambda p: {"language": "de"},
         {"language": expect("field_choice", choices=LANGUAGE_CHOICES)}, "target"),
    Case("enum-in-organisation-update-lists-choices", "admin", "PATCH", "/api/organisations/{org_a}",
         lambda p: {"kind": "castle"},
         {"kind": expect("field_choice", choices="maatwerkbedrijf, lde, werkervaring, art60, other")}, "org_a"),
    Case("schema-and-business-errors-together", "coach_a", "POST", "/api/people",
         lambda p: {"role": "worker", "firstName": "", "email": "jan-at-example", "phone": "bel me maar"},
         {"firstName": expect("field_too_short", n=1), "email": expect("email_invalid"),
          "phone": expect("phone_invalid")}, "people"),
    Case("number-as-string", "coach_a", "POST", "/api/organisations/{org_a}/workplaces",
         lambda p: {"name": "Tekstgetallen", "latitude": "50.9", "longitude": "5.4"},
         {"latitude": expect("field_type_number"), "longitude": expect("field_type_number")}, "workplaces_a"),
    Case("boolean-as-string", "admin", "PATCH", lambda p: f"/api/workplaces/{throwaway_workplace(p)}",
         lambda p: {"active": "false"}, {"active": expect("field_type_bool")}, "target"),
]


@pytest.mark.parametrize("language", LANGUAGES, ids=["default-nl", "en"])
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_bad_input_names_every_wrong_field(personas, case, language):
    path = fmt(personas, case.path)
    watch = path if case.watch == "target" else case.watch
    before = snapshot(personas, watch)
    response = send(personas[case.persona], case.method, path, language, json=case.body(personas))
    assert_field_errors(response, language, case.expected)
    assert snapshot(personas, watch) == before, "a refused request changed nothing"


def test_links_of_another_organisation_do_not_reveal_they_exist(personas):
    """A buddy and workplace of organisation B get the same answer as ids that do not exist."""
    buddy_b = create_person(personas["coach_b"], role="buddy", firstName="Buddy", lastName="B")["person"]["id"]
    coach_a = personas["coach_a"]
    before = snapshot(personas, "people")
    real = coach_a.post("/api/people", json={"role": "worker", "firstName": "Jan", "buddyId": buddy_b,
                                             "workplaceId": personas.workplace_b})
    fake = coach_a.post("/api/people", json={"role": "worker", "firstName": "Jan", "buddyId": str(uuid.uuid4()),
                                             "workplaceId": str(uuid.uuid4())})
    assert_field_errors(real, "nl", {"buddyId": expect("buddy_unknown"), "workplaceId": expect("workplace_unknown")})
    assert real.json() == fake.json()
    assert snapshot(personas, "people") == before, "nobody was created"
    worker = throwaway_worker(personas)
    before = snapshot(personas, "people")
    patch_real = coach_a.patch(f"/api/people/{worker}", json={"buddyId": buddy_b})
    patch_fake = coach_a.patch(f"/api/people/{worker}", json={"buddyId": str(uuid.uuid4())})
    assert_field_errors(patch_real, "nl", {"buddyId": expect("buddy_unknown")})
    assert patch_real.json() == patch_fake.json()
    assert snapshot(personas, "people") == before


@pytest.mark.parametrize("language", LANGUAGES, ids=["default-nl", "en"])
def test_query_parameter_of_wrong_type(personas, language):
    coach = personas["coach_a"]
    lang = language or "nl"
    response = send(coach, "GET", "/api/people?active=maybe", language)
    assert_field_errors(response, language, {"active": expect("field_type_bool")})
    response = send(coach, "GET", "/api/people?active=maybe&mine=2&organisationId=abc", language)
    assert_field_errors(response, language, {"active": expect("field_type_bool"), "mine": expect("field_type_bool"),
                                             "organisationId": expect("field_uuid")})
    assert translate("field_type_bool", lang) in response.text


@pytest.mark.parametrize("language", LANGUAGES, ids=["default-nl", "en"])
def test_query_enum_lists_its_choices(personas, language):
    response = send(personas["coach_a"], "GET", "/api/people?role=king", language)
    assert_field_errors(response, language, {"role": expect("field_choice", choices="worker, buddy, coach, admin")})


@pytest.mark.parametrize("path", ["/api/people/not-a-uuid", "/api/people/123/devices",
                                  "/api/workplaces/zzz", "/api/organisations/1234-5678"])
def test_bad_uuid_in_path_is_not_found(personas, path):
    """A path id that is no uuid matches no route: 404 with the usual error body, never 500."""
    for name in ("coach_a", "admin", "anonymous"):
        response = personas[name].get(path)
        body = assert_error_body(response, 404, "nl")
        assert body["message"] == translate("not_found", "nl")
    response = personas["coach_a"].patch(path.removesuffix("/devices"), json={"name": "x"})
    assert response.status_code == 404
    assert personas["worker_a"].delete("/api/me/devices/not-a-uuid").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES, ids=["default-nl", "en"])
@pytest.mark.parametrize("raw", [b'{"role": "worker", "firstName": "Jan"', b'{"role": worker}', b"role=worker",
                                 b'{"role": "worker", "firstName": "Jan",}', b"\xff\xfe"],
                         ids=["truncated", "bare-word", "form-encoded", "trailing-comma", "not-utf8"])
def test_malformed_json_body(personas, raw, language):
    """Not JSON at all: a 400 that says so and names the body, like every other input error."""
    lang = language or "nl"
    before = snapshot(personas, "people")
    response = send(personas["coach_a"], "POST", "/api/people", language, content=raw,
                    headers={"Content-Type": "application/json"})
    body = assert_error_body(response, 400, language)
    assert body["message"] == translate("invalid_json", lang)
    assert body["errors"] == [{"field": "body", "message": translate("invalid_json", lang)}]
    assert snapshot(personas, "people") == before


@pytest.mark.parametrize("language", LANGUAGES, ids=["default-nl", "en"])
@pytest.mark.parametrize("payload", [[{"role": "worker", "firstName": "Jan"}], "worker", 42, None],
                         ids=["array", "string", "number", "null"])
def test_json_that_is_not_an_object(personas, payload, language):
    lang = language or "nl"
    before = snapshot(personas, "people")
    response = send(personas["coach_a"], "POST", "/api/people", language, content=json.dumps(payload).encode(),
                    headers={"Content-Type": "application/json"})
    assert_field_errors(response, language, {"body": expect("field_type_object")})
    assert translate("field_type_object", lang) in response.text
    assert snapshot(personas, "people") == before


def test_huge_body_is_refused(personas):
    """More than 1 MiB: 413 (or 400), with the usual error body, never a 500; nothing is created."""
    coach = personas["coach_a"]
    before = snapshot(personas, "people")
    big = {"role": "worker", "firstName": "Groot", "lastName": "x" * (1024 * 1024 + 10)}
    response = coach.post("/api/people", json=big)
    body = assert_error_body(response, response.status_code, "nl")
    assert response.status_code in (400, 413), response.text
    assert body["status"] == response.status_code

    def chunks():  # no Content-Length: the limit must hold for a streamed body too
        yield b'{"role": "worker", "firstName": "Groot", "lastName": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    streamed = coach.post("/api/people", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code in (400, 413), streamed.text
    assert_error_body(streamed, streamed.status_code, "nl")
    assert snapshot(personas, "people") == before
    assert coach.get("/api/me").status_code == 200, "the server is fine afterwards"


def test_valid_request_after_refusals_still_works(personas):
    """The counterpart of the refusals above: the same routes accept good input."""
    before = len(snapshot(personas, "people"))
    created = create_person(personas["coach_a"], role="worker", firstName="Goed", phone="+32 486 12 34 56",
                            email="goed.werker@example.org")
    assert created["person"]["email"] == "goed.werker@example.org"
    assert len(snapshot(personas, "people")) == before + 1
    workplace = personas["coach_a"].post(f"/api/organisations/{personas.org_a}/workplaces",
                                         json={"name": "Goede plek", "latitude": -90, "longitude": 180})
    assert workplace.status_code == 201, workplace.text


# --- the message catalogue ------------------------------------------------------------------------

def _placeholders(text: str | dict) -> set[str]:
    forms = text.values() if isinstance(text, dict) else [text]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def _texts(text: str | dict) -> list[str]:
    return list(text.values()) if isinstance(text, dict) else [text]


def test_every_message_exists_in_both_languages():
    """(All eight languages, the PWA's too: tests/test_catalogues.py.)"""
    nl, en = catalogue("nl"), catalogue("en")
    assert set(nl) == set(en), set(nl) ^ set(en)
    for key in nl:
        assert all(t.strip() for t in _texts(nl[key]) + _texts(en[key])), key
        assert _placeholders(nl[key]) == _placeholders(en[key]), key


# Calls that take a message key, and the position of the key among their arguments.
KEY_CALLS = {"Forbidden": 0, "NotSignedInWith": 0, "TooManyAttempts": 0, "InvalidInput": 0, "Conflict": 0,
             "AppError": 0, "field": 1, "_render": 2, "translate": 0}


def _literal_keys(node: ast.AST) -> tuple[set[str], set[str]]:
    """Message keys in an expression: plain strings, both sides of `a if c else b`, and f-strings
    (returned as regular expressions)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.IfExp):
        a, ap = _literal_keys(node.body)
        b, bp = _literal_keys(node.orelse)
        return a | b, ap | bp
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"\w+" for part in node.values)
        return set(), {pattern}
    return set(), set()


def used_message_keys() -> tuple[set[str], set[str]]:
    keys: set[str] = set()
    patterns: set[str] = set()
    for source in (ROOT / "backend").rglob("*.py"):
        text = source.read_text()
        for node in ast.walk(ast.parse(text)):
            found: list[ast.AST] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                is_super_init = (name == "__init__" and isinstance(func, ast.Attribute)
                                 and isinstance(func.value, ast.Call) and getattr(func.value.func, "id", "") == "super")
                position = 0 if is_super_init else KEY_CALLS.get(name)
                if position is not None and len(node.args) > position:
                    found.append(node.args[position])
            elif isinstance(node, ast.Tuple) and len(node.elts) == 3 and isinstance(node.elts[2], ast.Dict):
                found.append(node.elts[1])  # (field, key, params): a field error
            elif (source.name == "errors.py" and isinstance(node, ast.Assign)
                  and any(getattr(t, "id", "") == "key" for t in node.targets)):
                found.append(node.value)
            for expression in found:
                k, p = _literal_keys(expression)
                keys |= k
                # A key never holds a space: an f-string with one is an exception's own text
                # (e.g. `super().__init__(f"{file} line {n}: ...")` of a non-AppError).
                patterns |= {pattern for pattern in p if "\\ " not in pattern}
        if source.name == "errors.py":
            keys |= set(re.findall(r'"(field_\w+)"', text))
    return keys, patterns


# Markers in backend/errors.py that are replaced by a real key before anything is translated.
INTERNAL_KEYS = {"field_pattern"}


def test_every_message_key_used_by_the_backend_exists_in_both_languages():
    keys, patterns = used_message_keys()
    keys -= INTERNAL_KEYS
    assert {"invalid_input", "invalid_json", "field_required", "email_invalid", "forbidden", "not_signed_in",
            "login_locked", "coordinates_pair"} <= keys, "the scan finds the keys it should"
    for language in ("nl", "en"):
        missing = sorted(key for key in keys if key not in catalogue(language))
        assert not missing, f"keys missing in {language}: {missing}"
        for pattern in patterns:
            assert any(re.fullmatch(pattern, key) for key in catalogue(language)), (language, pattern)


def test_english_is_chosen_by_quality_and_dutch_is_the_fallback(personas):
    url = f"/api/people/{uuid.uuid4()}"
    coach = personas["coach_a"]
    for header, lang in (("en", "en"), ("en-GB,en;q=0.9", "en"), ("de, en;q=0.5, nl;q=0.4", "en"),
                         ("fr, en;q=0.5", "fr"), ("nl;q=0.9, en;q=0.8", "nl"), ("de, es", "nl"), ("en;q=0", "nl"),
                         (None, "nl")):
        response = send(coach, "GET", url, header)
        assert response.json()["message"] == translate("not_found", lang), header
