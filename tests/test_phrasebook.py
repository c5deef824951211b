"""The phrasebook (issue 15, part 3): a coach picks a Dutch phrase, each worker reads it in their own
language (inbox and push, through the loopback push service), with times, dates and bring items
written the way their language writes them; free text arrives as written, marked "written in Dutch"
in the reader's language; an organisation's own phrases fall back to Dutch with the same mark; only
the organisation's admins change them. Real servers on both databases."""

from __future__ import annotations

import json
import sqlite3
import string
import uuid
from pathlib import Path

import pytest

from conftest import COACH_PASSWORD, Client, create_person, pg_fetch, token_of

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ROOT / "backend" / "phrases" / "locales"
LANGUAGES = ("nl", "en", "fr", "ar", "tr", "pl", "ro", "uk")


# --- helpers --------------------------------------------------------------------------------------

def execute(server, sql: str) -> None:
    if server.database_url.startswith("sqlite"):
        with sqlite3.connect(server.database_url.removeprefix("sqlite:///"), timeout=30) as conn:
            conn.execute(sql)
    else:
        pg_fetch(server.database_url, sql)


def phone_for(personas, language: str, first_name: str = "Lang") -> tuple[str, Client]:
    created = create_person(personas["coach_a"], role="worker", firstName=first_name,
                            lastName=uuid.uuid4().hex[:6], language=language)
    phone = Client(personas.server.url, language=language)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    assert phone.put("/api/notification-settings", json={"quietStart": "00:00", "quietEnd": "00:00"}).status_code == 200
    return created["person"]["id"], phone


def subscribe(phone: Client, push_service) -> dict:
    subscription = push_service.subscribe()
    assert phone.post("/api/push/subscriptions", json=subscription).status_code == 201
    return subscription


def inbox_entry(phone: Client, reminder_title_part: str | None = None) -> dict:
    entries = phone.get("/api/inbox").json()
    assert entries, "inbox is empty"
    return entries[0]


def org_admin(personas, organisation_id: str) -> Client:
    """An admin who belongs to one organisation (made a coach, then given the admin role)."""
    email = f"admin.{uuid.uuid4().hex[:8]}@test.werkmaat.be"
    person = create_person(personas["admin"], role="coach", firstName="Org", lastName="Admin", email=email,
                           password=COACH_PASSWORD, organisationId=organisation_id)["person"]
    execute(personas.server, f"UPDATE person SET role = 'admin' WHERE id = '{person['id']}'")
    client = Client(personas.server.url)
    assert client.login(email, COACH_PASSWORD).status_code == 200
    return client


def fields(response) -> dict[str, str]:
    assert response.status_code == 400, response.text
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- the catalogue files ---------------------------------------------------------------------------

def test_every_phrase_file_has_every_key_with_the_dutch_placeholders():
    dutch = json.loads((PHRASES / "nl.json").read_text(encoding="utf-8"))
    assert sum(k.startswith("phrase.") for k in dutch) >= 13
    for lang in LANGUAGES:
        theirs = json.loads((PHRASES / f"{lang}.json").read_text(encoding="utf-8"))
        assert set(theirs) == set(dutch), (lang, set(dutch) ^ set(theirs))
        for key, text in dutch.items():
            names = sorted(n for _, n, _, _ in string.Formatter().parse(text) if n)
            assert sorted(n for _, n, _, _ in string.Formatter().parse(theirs[key]) if n) == names, (lang, key)
            if lang != "nl" and key.startswith(("phrase.", "mark.")):
                assert theirs[key] != text, (lang, key, "still Dutch")


# --- phrase reminders ------------------------------------------------------------------------------

def test_a_phrase_reaches_a_polish_and_an_arabic_worker_in_their_language(personas, push_service):
    coach = personas["coach_a"]
    pl_id, pl_phone = phone_for(personas, "pl", "Piotr")
    ar_id, ar_phone = phone_for(personas, "ar", "Amal")
    pl_sub, ar_sub = subscribe(pl_phone, push_service), subscribe(ar_phone, push_service)
    phrase = {"id": "appointment", "slots": {"person": "Jan Peeters", "date": "2026-12-03", "time": "08:30"}}

    preview = coach.post("/api/reminders/preview", json={"phrase": phrase, "workerIds": [pl_id, ar_id]})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["dutch"]["title"] == "Je hebt een afspraak met Jan Peeters op donderdag 3 december 2026 om 08:30."
    by_lang = {p["language"]: p for p in body["previews"]}
    assert set(by_lang) == {"pl", "ar"}
    assert by_lang["pl"]["title"] == "Masz spotkanie. Z kim: Jan Peeters. Kiedy: czwartek, 3 grudnia 2026, godz. 08:30."
    assert by_lang["ar"]["title"] == "عندك موعد مع Jan Peeters يوم الخميس، 3 ديسمبر 2026 الساعة 08:30."
    assert by_lang["ar"]["dir"] == "rtl" and by_lang["pl"]["mark"] == "" and by_lang["ar"]["mark"] == ""

    sent = coach.post("/api/reminders", json={"phrase": phrase, "workerIds": [pl_id, ar_id]})
    assert sent.status_code == 201, sent.text
    assert sent.json()["title"].startswith("Je hebt een afspraak met Jan Peeters"), "the coach sees Dutch"
    [pl_push] = push_service.wait_for(pl_sub["endpoint"])
    [ar_push] = push_service.wait_for(ar_sub["endpoint"])
    assert pl_push.message["title"] == by_lang["pl"]["title"] and pl_push.message["body"] == ""
    assert ar_push.message["title"] == by_lang["ar"]["title"]
    assert inbox_entry(pl_phone)["title"] == by_lang["pl"]["title"]
    ar_entry = inbox_entry(ar_phone)
    assert ar_entry["title"] == by_lang["ar"]["title"] and ar_entry["mark"] == ""

    # The coach's view of the reminder: per recipient the language, and what that worker read.
    seen = {r["personId"]: r for r in coach.get(f"/api/reminders/{sent.json()['id']}").json()["recipients"]}
    assert (seen[ar_id]["language"], seen[ar_id]["dir"], seen[ar_id]["seen"]["title"]) == ("ar", "rtl", by_lang["ar"]["title"])
    assert seen[ar_id]["languageName"] == by_lang["ar"]["languageName"] and seen[ar_id]["seen"]["titleLanguage"] == "ar"
    assert (seen[pl_id]["language"], seen[pl_id]["seen"]["title"], seen[pl_id]["seen"]["mark"]) == (
        "pl", by_lang["pl"]["title"], "")


def test_bring_items_are_a_list_in_the_readers_language(personas, push_service):
    coach = personas["coach_a"]
    pl_id, pl_phone = phone_for(personas, "pl")
    ar_id, ar_phone = phone_for(personas, "ar")
    nl_id, nl_phone = phone_for(personas, "nl")
    group = coach.post("/api/groups", json={"name": f"Talen {uuid.uuid4().hex[:4]}",
                                            "memberIds": [pl_id, ar_id, nl_id]}).json()
    phrase = {"id": "bring_items", "slots": {"items": ["safety_shoes", "work_clothes", "lunch"]}}
    preview = coach.post("/api/reminders/preview", json={"phrase": phrase, "groupId": group["id"]}).json()
    assert [p["language"] for p in preview["previews"]] == ["nl", "ar", "pl"]
    sub = subscribe(pl_phone, push_service)
    assert coach.post("/api/reminders", json={"phrase": phrase, "groupId": group["id"]}).status_code == 201
    assert inbox_entry(nl_phone)["title"] == "Breng veiligheidsschoenen, werkkledij en lunch mee."
    assert inbox_entry(pl_phone)["title"] == "Weź ze sobą: buty ochronne, ubranie robocze i jedzenie na lunch."
    assert inbox_entry(ar_phone)["title"] == "أحضر معك: حذاء الأمان وملابس العمل والغداء."
    [push] = push_service.wait_for(sub["endpoint"])
    assert push.message["title"] == "Weź ze sobą: buty ochronne, ubranie robocze i jedzenie na lunch."


def test_free_text_arrives_as_written_with_the_mark_in_the_readers_language(personas, push_service):
    coach = personas["coach_a"]
    pl_id, pl_phone = phone_for(personas, "pl")
    nl_id, nl_phone = phone_for(personas, "nl")
    en_id, en_phone = phone_for(personas, "en")
    sub = subscribe(pl_phone, push_service)
    sent = coach.post("/api/reminders", json={"title": "Morgen vergadering", "body": "Om 9 uur in zaal 2.",
                                              "workerIds": [pl_id, nl_id, en_id]})
    assert sent.status_code == 201, sent.text
    pl = inbox_entry(pl_phone)
    assert (pl["title"], pl["body"], pl["mark"]) == ("Morgen vergadering", "Om 9 uur in zaal 2.", "Napisane po niderlandzku")
    assert (pl["titleLanguage"], pl["bodyLanguage"]) == ("nl", "nl"), "the screen marks the Dutch up as Dutch"
    assert inbox_entry(en_phone)["mark"] == "Written in Dutch"
    assert inbox_entry(nl_phone)["mark"] == ""
    seen = {r["personId"]: r for r in coach.get(f"/api/reminders/{sent.json()['id']}").json()["recipients"]}
    assert seen[pl_id]["seen"] == {"title": "Morgen vergadering", "titleLanguage": "nl", "body": "Om 9 uur in zaal 2.",
                                   "bodyLanguage": "nl", "mark": "Napisane po niderlandzku"}, "the coach sees the mark they got"
    assert (seen[nl_id]["language"], seen[nl_id]["seen"]) == ("nl", None), "a Dutch reader read what the coach sees"
    [push] = push_service.wait_for(sub["endpoint"])
    assert push.message["title"] == "Morgen vergadering"
    assert push.message["body"] == "Om 9 uur in zaal 2.\nNapisane po niderlandzku"


def test_a_phrase_with_a_dutch_note_marks_the_note(personas):
    coach = personas["coach_a"]
    uk_id, uk_phone = phone_for(personas, "uk")
    sent = coach.post("/api/reminders", json={"phrase": {"id": "call_back"}, "body": "Het gaat over je contract.",
                                              "workerIds": [uk_id]})
    assert sent.status_code == 201, sent.text
    entry = inbox_entry(uk_phone)
    assert entry["title"] == "Передзвони мені, будь ласка." and entry["body"] == "Het gaat over je contract."
    assert entry["mark"] == "Написано нідерландською"


def test_an_organisation_phrase_falls_back_to_dutch_with_the_mark(personas, push_service):
    admin_a = org_admin(personas, personas.org_a)
    made = admin_a.post(f"/api/organisations/{personas.org_a}/phrases", json={"texts": {
        "nl": "Je rit naar {place} vertrekt om {time}.", "en": "Your ride to {place} leaves at {time}."}})
    assert made.status_code == 201, made.text
    phrase = made.json()
    assert phrase["slots"] == ["place", "time"] and phrase["languages"] == ["nl", "en"]
    listed = personas["coach_a"].get("/api/phrases").json()
    assert phrase["id"] in [p["id"] for p in listed] and "start_tomorrow" in [p["id"] for p in listed]
    assert phrase["id"] not in [p["id"] for p in personas["coach_b"].get("/api/phrases").json()]

    pl_id, pl_phone = phone_for(personas, "pl")
    en_id, en_phone = phone_for(personas, "en")
    sub = subscribe(pl_phone, push_service)
    use = {"id": phrase["id"], "slots": {"place": "Atelier Noord", "time": "07:15"}}
    assert personas["coach_a"].post("/api/reminders", json={"phrase": use, "workerIds": [pl_id, en_id]}).status_code == 201
    pl = inbox_entry(pl_phone)
    assert (pl["title"], pl["mark"], pl["titleLanguage"]) == ("Je rit naar Atelier Noord vertrekt om 07:15.",
                                                             "Napisane po niderlandzku", "nl")
    en = inbox_entry(en_phone)
    assert (en["title"], en["mark"], en["titleLanguage"]) == ("Your ride to Atelier Noord leaves at 07:15.", "", "en")
    [push] = push_service.wait_for(sub["endpoint"])
    assert push.message["body"] == "Napisane po niderlandzku"
    # Another organisation's coach cannot send it.
    other = personas["coach_b"].post("/api/reminders/preview", json={"phrase": use, "languages": ["nl"]})
    assert "phrase.id" in fields(other)


def test_bad_slots_are_refused_naming_the_field(personas):
    coach = personas["coach_a"]
    worker = personas.ids["worker_a"]

    def refused(phrase: dict, lang: str = "nl") -> dict[str, str]:
        client = coach if lang == "nl" else Client(personas.server.url, language=lang)
        if lang != "nl":
            client.cookies = coach.cookies
        return fields(client.post("/api/reminders", json={"phrase": phrase, "workerIds": [worker]}))

    errors = refused({"id": "start_tomorrow", "slots": {"time": "8 uur", "colour": "rood"}})
    assert errors == {"phrase.slots.colour": "Deze zin heeft deze invulplek niet.",
                      "phrase.slots.time": "Vul een uur in, bv. 08:30.",
                      "phrase.slots.place": "Vul dit in."}
    assert refused({"id": "appointment", "slots": {"person": "Jan", "date": "2026-13-40", "time": "08:00"}}) == {
        "phrase.slots.date": "Vul een datum in (JJJJ-MM-DD)."}
    assert "phrase.slots.items" in refused({"id": "bring_items", "slots": {"items": ["shoes"]}})
    assert "phrase.id" in refused({"id": "no_such_phrase"})
    english = refused({"id": "start_tomorrow", "slots": {"place": "Genk"}}, lang="en")
    assert english == {"phrase.slots.time": "Fill this in."}
    both = fields(coach.post("/api/reminders", json={"title": "Hallo", "phrase": {"id": "call_back"},
                                                     "workerIds": [worker]}))
    assert "title" in both
    assert "title" in fields(coach.post("/api/reminders", json={"title": "  ", "workerIds": [worker]}))


# --- who may change an organisation's phrases --------------------------------------------------------

def test_only_the_organisations_admins_change_its_phrases(personas):
    admin_a = org_admin(personas, personas.org_a)
    admin_b = org_admin(personas, personas.org_b)
    base = f"/api/organisations/{personas.org_a}/phrases"
    body = {"texts": {"nl": f"Kom om {{time}} naar de poort {uuid.uuid4().hex[:4]}."}}
    for name in ("coach_a", "worker_a", "buddy_a"):
        assert personas[name].post(base, json=body).status_code == 403, name
    assert personas["coach_b"].post(base, json=body).status_code == 404
    assert personas["anonymous"].post(base, json=body).status_code == 401
    assert admin_b.post(base, json=body).status_code in (403, 404)

    made = admin_a.post(base, json=body)
    assert made.status_code == 201, made.text
    phrase_id = made.json()["id"]
    assert admin_a.post(base, json=body).status_code == 409, "the same Dutch phrase twice"
    one = f"{base}/{phrase_id}"
    changed = {"texts": {"nl": body["texts"]["nl"], "fr": "Viens à la porte à {time}."}}
    for name in ("coach_a", "worker_a"):
        assert personas[name].put(one, json=changed).status_code == 403, name
        assert personas[name].delete(one).status_code == 403, name
    assert personas["coach_b"].put(one, json=changed).status_code == 404
    assert admin_b.put(one, json=changed).status_code in (403, 404)
    assert admin_b.delete(one).status_code in (403, 404)
    # The platform admin (no organisation) may, like the organisation's own admin.
    assert personas["admin"].get(one).status_code == 200
    updated = admin_a.put(one, json=changed)
    assert updated.status_code == 200 and updated.json()["languages"] == ["nl", "fr"]
    assert personas["worker_a"].get("/api/phrases").status_code == 403
    # Translations keep the Dutch slots; Dutch is required; only known slots.
    wrong = fields(admin_a.put(one, json={"texts": {"nl": body["texts"]["nl"], "pl": "Przyjdź o {godzina}."}}))
    assert list(wrong) == ["texts.pl"]
    assert list(fields(admin_a.post(base, json={"texts": {"en": "Only English"}}))) == ["texts.nl"]
    assert list(fields(admin_a.post(base, json={"texts": {"nl": "Kom om {uur}."}}))) == ["texts.nl"]
    for broken in ("Kom om {time:>999999999}.", "Kom om {time!r}.", "Kom om {time.real}.", "Kom om {time.", "Kom }"):
        assert list(fields(admin_a.post(base, json={"texts": {"nl": broken}}))) == ["texts.nl"], broken
    assert admin_a.delete(one).status_code == 204
    assert admin_a.get(one).status_code == 404


def rows(server, sql: str) -> list[dict]:
    if server.database_url.startswith("sqlite"):
        with sqlite3.connect(server.database_url.removeprefix("sqlite:///"), timeout=30) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql).fetchall()]
    return [dict(r) for r in pg_fetch(server.database_url, sql)]


def test_a_weekly_phrase_reminder_keeps_its_languages(personas):
    coach = personas["coach_a"]
    tr_id, _ = phone_for(personas, "tr")
    made = coach.post("/api/reminders", json={"phrase": {"id": "badge"}, "workerIds": [tr_id],
                                              "recurrence": {"weekdays": [1, 2, 3, 4, 5, 6, 7], "time": "07:00"}})
    assert made.status_code == 201, made.text
    assert made.json()["title"] == "Vergeet je badge niet."
    copies = rows(personas.server, f"SELECT template, params FROM reminder WHERE rule = '{made.json()['ruleId']}'")
    assert copies, "the next days' copies are made at once"
    for copy in copies:
        params = json.loads(copy["params"]) if isinstance(copy["params"], str) else copy["params"]
        assert copy["template"] == "phrase" and params["texts"]["tr"]["title"] == "Yaka kartını unutma."
