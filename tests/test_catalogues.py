"""The catalogues of all eight languages, the PWA's (pwa/i18n) and the server's (backend/locales).

Every catalogue has exactly Dutch's keys, the same placeholders, plural objects with exactly the
CLDR categories of its language (Babel), and no text left in Dutch (except a short allowlist).
A catalogue that does not exist yet fails here, naming the file: the integrator merges the
translations before running this. translate()'s plural forms are tested on catalogues of our own,
so that part does not wait for the translators.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from babel import Locale

from backend import i18n

ROOT = Path(__file__).resolve().parent.parent
DIRECTORIES = {"pwa": ROOT / "pwa" / "i18n", "server": ROOT / "backend" / "locales"}
LANGUAGES = ("nl", "en", "fr", "ar", "tr", "pl", "ro", "uk")
OTHERS = [lang for lang in LANGUAGES if lang != "nl"]
CASES = [(where, lang) for where in DIRECTORIES for lang in OTHERS]
IDS = [f"{where}-{lang}" for where, lang in CASES]

# Texts that may equal the Dutch one. Per language ("*": every language): units, codes and brand
# names, and words English shares with Dutch. A text without any letter outside its placeholders
# ("{name}: {problem}", "%") may always be equal.
SAME_AS_DUTCH = {
    "*": {"impact.unit.km", "report.unit.km", "rides.km", "contact.sms", "inbox.ok", "reply.ok",
          "language.choose", "commute.mode.metro", "transit_mode_metro"},
    # Loanwords the translators kept (the coach's trade words), and words spelled as in Dutch.
    "fr": {"caseload.col.buddy", "caseload.nav", "file.buddy", "file.coach", "impact.nav", "person.buddy",
           "role.buddy", "role.coach"},
    "ro": {"caseload.col.buddy", "caseload.nav", "file.buddy", "file.coach", "person.buddy", "person.role",
           "role.buddy", "role.coach"},
    "pl": {"file.status", "file.statusTitle", "homeAddr.address", "timeline.status"},
    "en": {"nav.label", "nav.home", "worker.route", "role.buddy", "role.coach", "person.buddy", "admin.coaches",
           "workplace.postcode", "push.later", "item.kind.intake", "commute.mode.bus", "commute.mode.tram",
           "commute.mode.metro", "caseload.nav", "caseload.col.buddy", "file.coach", "file.buddy",
           "file.statusTitle", "file.status", "note.kind.contact", "timeline.shift", "timeline.intake",
           "timeline.contact", "timeline.status", "impact.csv", "progress_later", "transit_mode_bus",
           "transit_mode_tram", "transit_mode_metro", "transit_mode_other", "bring.lunch", "calendar.contact",
           "step.intake"},
}


def load(where: str, lang: str) -> dict:
    path = DIRECTORIES[where] / f"{lang}.json"
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} does not exist: write the {lang} catalogue (Dutch's keys)")
    return json.loads(path.read_text(encoding="utf-8"))


def categories(lang: str) -> set[str]:
    return set(Locale.parse(lang).plural_form.tags) | {"other"}


def forms(text) -> list[str]:
    return list(text.values()) if isinstance(text, dict) else [text]


def placeholders(text) -> set[str]:
    return {name for form in forms(text) for _, name, _, _ in string.Formatter().parse(form) if name}


def has_words(text) -> bool:
    return any(re.search(r"[^\W\d_]", re.sub(r"\{\w+\}", "", form)) for form in forms(text))


def test_the_eight_languages_are_the_servers():
    assert i18n.SUPPORTED == LANGUAGES
    assert i18n.DEFAULT == "nl"


@pytest.mark.parametrize("where", DIRECTORIES)
def test_dutch_is_well_formed(where):
    dutch = load(where, "nl")
    assert dutch, "Dutch has texts"
    bad = [key for key, text in dutch.items()
           if not (isinstance(text, str) and text.strip())
           and not (isinstance(text, dict) and set(text) == categories("nl") and all(
               isinstance(f, str) and f.strip() for f in text.values()))]
    assert not bad, f"{where} nl: texts that are neither a string nor an object of one/other: {bad}"


@pytest.mark.parametrize(("where", "lang"), CASES, ids=IDS)
def test_keys_are_exactly_dutchs(where, lang):
    dutch, other = load(where, "nl"), load(where, lang)
    missing = sorted(set(dutch) - set(other))
    extra = sorted(set(other) - set(dutch))
    assert not missing and not extra, f"{where} {lang}: missing {missing}; extra {extra}"


@pytest.mark.parametrize(("where", "lang"), CASES, ids=IDS)
def test_placeholders_are_dutchs(where, lang):
    dutch, other = load(where, "nl"), load(where, lang)
    wrong = {key: (sorted(placeholders(other[key])), sorted(placeholders(text)))
             for key, text in dutch.items() if key in other and placeholders(other[key]) != placeholders(text)}
    assert not wrong, f"{where} {lang}: placeholders (theirs, Dutch's) differ: {wrong}"


@pytest.mark.parametrize(("where", "lang"), CASES, ids=IDS)
def test_plural_objects_have_the_languages_cldr_forms(where, lang):
    dutch, other = load(where, "nl"), load(where, lang)
    wanted = categories(lang)
    problems = []
    for key, text in dutch.items():
        if key not in other:
            continue
        theirs = other[key]
        if isinstance(text, dict) != isinstance(theirs, dict):
            problems.append(f"{key}: Dutch has {'plural forms' if isinstance(text, dict) else 'one text'}, "
                            f"{lang} has {'plural forms' if isinstance(theirs, dict) else 'one text'}")
        elif isinstance(theirs, dict) and set(theirs) != wanted:
            problems.append(f"{key}: forms {sorted(theirs)}, {lang} needs {sorted(wanted)}")
        elif not all(isinstance(f, str) and f.strip() for f in forms(theirs)):
            problems.append(f"{key}: an empty text")
    assert not problems, f"{where} {lang}: " + "; ".join(problems)


@pytest.mark.parametrize(("where", "lang"), CASES, ids=IDS)
def test_nothing_is_left_in_dutch(where, lang):
    dutch, other = load(where, "nl"), load(where, lang)
    allowed = SAME_AS_DUTCH["*"] | SAME_AS_DUTCH.get(lang, set())
    same = sorted(key for key, text in dutch.items()
                  if other.get(key) == text and has_words(text) and key not in allowed)
    assert not same, f"{where} {lang}: still the Dutch text (translate, or allowlist in this test): {same}"


def test_the_pwa_lists_the_same_languages_names_and_directions_as_the_server():
    """pwa/js/i18n.js keeps its own list (the page needs it before any answer): it must equal status.json."""
    status = json.loads((DIRECTORIES["server"] / "status.json").read_text(encoding="utf-8"))
    script = (ROOT / "pwa" / "js" / "i18n.js").read_text(encoding="utf-8")
    listed = re.search(r"export const LANGUAGES = \[([^\]]*)\]", script).group(1)
    assert re.findall(r'"(\w+)"', listed) == list(status)
    names = dict(re.findall(r'(\w+): "([^"]+)"', re.search(r"LANGUAGE_NAMES = \{([^}]*)\}", script).group(1)))
    assert names == {lang: entry["name"] for lang, entry in status.items()}
    rtl = set(re.findall(r'"(\w+)"', re.search(r"RIGHT_TO_LEFT = new Set\(\[([^\]]*)\]\)", script).group(1)))
    assert rtl == {lang for lang, entry in status.items() if entry["dir"] == "rtl"}
    assert i18n.SUPPORTED == tuple(status)


def test_status_names_every_language():
    status = json.loads((DIRECTORIES["server"] / "status.json").read_text(encoding="utf-8"))
    assert list(status) == list(LANGUAGES)
    names = {"nl": "Nederlands", "en": "English", "fr": "Français", "ar": "العربية", "tr": "Türkçe",
             "pl": "Polski", "ro": "Română", "uk": "Українська"}
    for lang, entry in status.items():
        assert entry["name"] == names[lang], lang
        assert entry["dir"] == ("rtl" if lang == "ar" else "ltr"), lang
        assert entry["review"] in ("native", "reviewed", "needs native review"), lang
    assert status["nl"]["review"] == "native"
    assert all(status[lang]["review"] == "needs native review" for lang in ("fr", "ar", "tr", "pl", "ro", "uk"))


# --- translate(): plural forms by Babel's CLDR rules, on catalogues of our own ------------------

FAKE = {
    "nl": {"minutes_left": {"one": "nog {minutes} minuut", "other": "nog {minutes} minuten"},
           "only_dutch": "alleen Nederlands", "plain": "gewoon"},
    "pl": {"minutes_left": {"one": "pl-one {minutes}", "few": "pl-few {minutes}", "many": "pl-many {minutes}",
                            "other": "pl-other {minutes}"}, "plain": "zwykły"},
    "uk": {"minutes_left": {"one": "uk-one {minutes}", "few": "uk-few {minutes}", "many": "uk-many {minutes}",
                            "other": "uk-other {minutes}"}},
    "ar": {"minutes_left": {"zero": "ar-zero {minutes}", "one": "ar-one", "two": "ar-two", "few": "ar-few {minutes}",
                            "many": "ar-many {minutes}", "other": "ar-other {minutes}"}},
    "ro": {"minutes_left": {"one": "ro-one {minutes}", "few": "ro-few {minutes}", "other": "ro-other {minutes}"}},
}


@pytest.fixture
def fake_catalogues(monkeypatch):
    monkeypatch.setattr(i18n, "catalogue", lambda lang: FAKE.get(lang, {}))


@pytest.mark.parametrize(("lang", "number", "text"), [
    ("pl", 1, "pl-one 1"), ("pl", 2, "pl-few 2"), ("pl", 5, "pl-many 5"), ("pl", 22, "pl-few 22"),
    ("pl", 25, "pl-many 25"), ("pl", 12, "pl-many 12"),
    ("uk", 1, "uk-one 1"), ("uk", 21, "uk-one 21"), ("uk", 3, "uk-few 3"), ("uk", 11, "uk-many 11"),
    ("uk", 25, "uk-many 25"),
    ("ar", 0, "ar-zero 0"), ("ar", 1, "ar-one"), ("ar", 2, "ar-two"), ("ar", 3, "ar-few 3"),
    ("ar", 11, "ar-many 11"), ("ar", 100, "ar-other 100"),
    ("ro", 1, "ro-one 1"), ("ro", 2, "ro-few 2"), ("ro", 19, "ro-few 19"), ("ro", 20, "ro-other 20"),
    ("ro", 101, "ro-few 101"),
    ("nl", 1, "nog 1 minuut"), ("nl", 0, "nog 0 minuten"), ("nl", 7, "nog 7 minuten"),
])
def test_translate_picks_the_cldr_plural_form(fake_catalogues, lang, number, text):
    assert i18n.translate("minutes_left", lang, minutes=number) == text


def test_translate_takes_the_first_number_param_and_falls_back(fake_catalogues):
    # `count` comes before `minutes` in the order of the number params.
    assert i18n.translate("minutes_left", "pl", count=5, minutes=1) == "pl-many 1"
    assert i18n.translate("minutes_left", "pl", minutes="22") == "pl-few 22", "a number given as text counts"
    assert i18n.translate("minutes_left", "pl") == "pl-other {minutes}", "no number: the other form"
    assert i18n.translate("only_dutch", "pl") == "alleen Nederlands", "a missing key falls back to Dutch"
    assert i18n.translate("only_dutch", "fr") == "alleen Nederlands", "a missing catalogue too"
    assert i18n.translate("plain", "pl") == "zwykły"
    assert i18n.translate("plain", "xx") == "gewoon", "an unknown language is Dutch"
    assert i18n.translate("no_such_key", "pl") == "no_such_key"


def test_the_real_catalogues_pick_plural_forms():
    assert i18n.translate("field_too_short", "nl", n=1) == "Vul minstens 1 teken in."
    assert i18n.translate("field_too_short", "nl", n=3) == "Vul minstens 3 tekens in."
    assert i18n.translate("digest_title", "en", n=1) == "1 new signal in your caseload"
    assert i18n.translate("digest_title", "en", n=2) == "2 new signals in your caseload"


def test_weekday_names_come_from_cldr():
    import datetime as dt

    from backend.mobility.notify import day_text

    day = dt.date(2026, 12, 2)  # a Wednesday
    assert day_text(day, "nl") == "woensdag 2/12"
    assert day_text(day, "en") == "Wednesday 2/12"
    assert day_text(day, "fr") == "mercredi 2/12"
    assert day_text(day, "xx") == "woensdag 2/12"


# --- GET /api/languages ---------------------------------------------------------------------------

def test_languages_endpoint_is_public_and_cacheable(client):
    response = client.get("/api/languages")
    assert response.status_code == 200, response.text
    assert "public" in response.headers["cache-control"] and "no-store" not in response.headers["cache-control"]
    body = response.json()
    assert body["default"] == "nl"
    by_code = {entry["code"]: entry for entry in body["languages"]}
    assert list(by_code) == list(LANGUAGES)
    dutch = len(json.loads((DIRECTORIES["server"] / "nl.json").read_text(encoding="utf-8")))
    assert by_code["nl"] == {"code": "nl", "name": "Nederlands", "dir": "ltr", "review": "native",
                             "keys": dutch, "dutchKeys": dutch}
    assert by_code["ar"]["dir"] == "rtl" and by_code["ar"]["name"] == "العربية"
    assert by_code["en"]["keys"] == dutch
    assert all(0 <= entry["keys"] <= dutch for entry in body["languages"])


# --- what is sent to a person is in their stored language -------------------------------------------

def test_a_push_is_in_the_recipients_stored_language_not_the_senders(personas, push_service):
    """A Dutch coach plans a shift for a worker whose language is Polish, whose phone even asks for
    Dutch: the push (and the inbox) are Polish, from backend/locales/pl.json (Dutch until it exists)."""
    import datetime as dt
    import uuid
    from zoneinfo import ZoneInfo

    import clock
    from conftest import Client, create_person, token_of

    coach = personas["coach_a"]
    created = create_person(coach, role="worker", firstName="Push", lastName=uuid.uuid4().hex[:6], language="pl")
    phone = Client(personas.server.url, language="nl")
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    assert phone.put("/api/notification-settings", json={"quietStart": "00:00", "quietEnd": "00:00"}).status_code == 200
    subscription = push_service.subscribe()
    assert phone.post("/api/push/subscriptions", json=subscription).status_code == 201
    start = clock.now().astimezone(ZoneInfo("Europe/Brussels")).replace(second=0, microsecond=0) + dt.timedelta(
        minutes=40)
    item = coach.post("/api/schedule/items", json={
        "title": "Magazijn", "kind": "shift", "workerIds": [created["person"]["id"]], "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=2)).isoformat(), "bring": ["safety_shoes"]})
    assert item.status_code == 201, item.text
    [received] = push_service.wait_for(subscription["endpoint"], timeout=30)
    bring = " " + i18n.translate("push.bring", "pl", items=i18n.translate("bring.safety_shoes", "pl"))
    assert received.message["title"] == i18n.translate("push.before_start.title", "pl", title="Magazijn")
    assert received.message["body"] == i18n.translate("push.before_start.body", "pl", time=start.strftime("%H:%M"),
                                                      place="", bring=bring)
    inbox = phone.get("/api/inbox").json()
    assert inbox[0]["title"] == received.message["title"]
