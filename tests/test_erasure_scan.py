"""Erasure that erases, as a GDPR request tests it: a worker is seeded with distinctive words in
every table and every kind of message (sick and late reports to the coach, unread reminders and the
coach's digest, a ride request and the buddy's proposal, a home address geocoded through the loopback
Nominatim, a schedule item only for them with free text, notes, a status change, an attendance
correction). Their export holds all of it and nothing of others beyond staff names; after
`POST /api/people/{id}/erase` a raw scan of the SQLite file (after a checkpoint) or of a `pg_dump`
of the PostgreSQL database finds none of those words, casefolded or as UTF-8 bytes, nor the exact
coordinates. The server is one of this module's own, so its database holds only this story."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import struct
import subprocess
from urllib.parse import unquote, urlparse

import pytest

import clock
from conftest import (
    Client,
    build_personas,
    create_pg_database,
    create_person,
    drop_pg_database,
    start_server,
    stop_server,
    token_of,
)
from mobility_helpers import ORIGIN, offer, proposal_for, stop_offers

BRUSSELS = clock.BRUSSELS
FIRST, LAST = "Zorbulon", "Quixtramé"
PHONE = "0499 87 65 43"
HOME_ADDRESS = "Kwibusstraat 917, 3665 As"
FOUND_AS = "917, Kwibusstraat, As, Limburg, 3665, België"
LAT, LON = 50.9851733, 5.5003144
SICK_NOTE = "griepzwoeg en koortsvlam"
LATE_REASON = "tramkwakkel"
ITEM_TITLE = f"Thuis bij {FIRST}"
ITEM_ADDRESS = "Kerkstraat 1 Plompveld"
ITEM_CONTACT, ITEM_CONTACT_PHONE = "Mevrouw Plonkerts", "0477 31 41 59"
ITEM_NOTE = f"Sleutel onder de mat bij {FIRST}"
NOTE_TEXT, NOTE_EDITED = "Gesprek over praatvlarp", "Gesprek over praatvlarp, herzien"
STATUS_DETAIL = "stopreden snorkelvink"
CORRECTION_NOTE = "correctie zwiepelaar"
REMINDER_TEXT = f"{FIRST}, vergeet je werkschoenen niet"
RULE_TITLE = f"Medicatie {FIRST}"
# Everything above, and the name's parts: none may survive the erasure.
WORDS = [FIRST, LAST, PHONE, HOME_ADDRESS, "Kwibusstraat", SICK_NOTE, "griepzwoeg", LATE_REASON, ITEM_ADDRESS,
         "Plompveld", ITEM_CONTACT, ITEM_CONTACT_PHONE, "Sleutel onder de mat", "praatvlarp", "snorkelvink",
         "zwiepelaar", "werkschoenen", f"{LAT}", f"{LON}"]
# Someone else in the same messages: must stay, and never appear in the erased worker's export.
OTHER_FIRST, OTHER_LAST = "Wendeline", "Prastowo"
BUDDY_FIRST, BUDDY_PHONE = "Bertrandijn", "0472 99 88 77"


@pytest.fixture(scope="module")
def story(database_url, tmp_path_factory, geocoder_service):
    """A server of its own (fresh database) and the seeded worker, before erasure."""
    if database_url.startswith("sqlite"):
        url, own = f"sqlite:///{tmp_path_factory.mktemp('erase-sqlite') / 'werkmaat.db'}", None
    else:
        url = own = create_pg_database()
    server = start_server(url, tmp_path_factory.mktemp("erase-data"), WERKMAAT_SCHEDULER="off",
                          WERKMAAT_GEOCODER="nominatim", WERKMAAT_GEOCODER_URL=geocoder_service.url)
    try:
        yield seed(server, build_personas(server), geocoder_service)
    finally:
        stop_offers()  # the helpers' list of offers to end must not outlive this server
        stop_server(server)
        if own:
            drop_pg_database(own)
    assert "Unhandled error" not in server.log(), server.log()[-5000:]


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


def new_phone(server, created: dict) -> Client:
    phone = Client(server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return phone


def seed(server, personas, geocoder) -> dict:
    coach, admin = personas["coach_a"], personas["admin"]
    created = create_person(coach, role="worker", firstName=FIRST, lastName=LAST, phone=PHONE,
                            workplaceId=personas.workplace_a)
    worker_id, worker = created["person"]["id"], new_phone(server, created)
    other = create_person(coach, role="worker", firstName=OTHER_FIRST, lastName=OTHER_LAST, phone="0486 00 11 22",
                          workplaceId=personas.workplace_a)
    other_id = other["person"]["id"]
    new_phone(server, other)

    # Home address, geocoded through the loopback Nominatim (its answer is cached in the database).
    geocoder.add(HOME_ADDRESS, LAT, LON, FOUND_AS)
    home = ok(coach.put(f"/api/mobility/people/{worker_id}/home", json={"address": HOME_ADDRESS}))
    assert (home["latitude"], home["source"]) == (LAT, "geocoder")

    now = clock.local_now()
    # An item only for them, with a coach's free text; and one shared with another worker.
    soon = now + dt.timedelta(minutes=30)
    visit = ok(coach.post("/api/schedule/items", json={
        "title": ITEM_TITLE, "kind": "coach_meeting", "workerIds": [worker_id], "startsAt": soon.isoformat(),
        "endsAt": (soon + dt.timedelta(hours=1)).isoformat(), "place": {"address": ITEM_ADDRESS},
        "contactName": ITEM_CONTACT, "contactPhone": ITEM_CONTACT_PHONE, "note": ITEM_NOTE}), 201)
    ok(coach.post("/api/schedule/items", json={
        "title": "Groepsles veiligheid", "kind": "training", "workerIds": [worker_id, other_id],
        "startsAt": (now + dt.timedelta(days=3)).isoformat(), "endsAt": (now + dt.timedelta(days=3, hours=2)).isoformat(),
        "place": {"workplaceId": personas.workplace_a}}), 201)
    ok(worker.post(f"/api/schedule/items/{visit['id']}/check-in", json={}), 201)
    ok(coach.put(f"/api/schedule/items/{visit['id']}/attendance/{worker_id}",
                 json={"status": "late", "note": CORRECTION_NOTE}))

    # Reports to the coach: late today (with a reason), sick the day after tomorrow (with a note).
    ok(worker.post("/api/reports/late", json={"minutes": 15, "reason": LATE_REASON, "itemId": visit["id"]}), 201)
    sick_day = (now + dt.timedelta(days=2)).date().isoformat()
    ok(worker.post("/api/reports/sick", json={"firstDay": sick_day, "lastDay": sick_day, "note": SICK_NOTE},
                   headers={"Idempotency-Key": "sick-once"}), 201)

    # A ride for tomorrow's shift: the buddy gets "Kan je Zorbulon meenemen?", accepts, the worker is told.
    buddy_made = create_person(coach, role="buddy", firstName=BUDDY_FIRST, lastName="Rijders", phone=BUDDY_PHONE)
    buddy = new_phone(server, buddy_made)
    offer(personas, buddy, fromLatitude=ORIGIN[0], fromLongitude=ORIGIN[1])
    tomorrow = now.date() + dt.timedelta(days=1)
    starts = dt.datetime.combine(tomorrow, dt.time(8, 30), tzinfo=BRUSSELS)
    shift = ok(coach.post("/api/schedule/items", json={
        "title": "Atelier", "kind": "shift", "workerIds": [worker_id], "startsAt": starts.isoformat(),
        "endsAt": (starts + dt.timedelta(hours=8)).isoformat(), "place": {"workplaceId": personas.workplace_a}}), 201)
    ok(worker.post("/api/ride-requests", json={"itemId": shift["id"]}), 201)
    proposal = proposal_for(buddy, FIRST)
    ok(buddy.post(f"/api/rides/{proposal['rideId']}/accept"))

    # Unread reminders (a flag for each worker, one digest naming both), a weekly rule for them alone
    # and one shared with the other worker.
    for n in range(3):
        ok(coach.post("/api/reminders", json={"title": REMINDER_TEXT if n == 0 else f"Herinnering {n}",
                                              "workerIds": [worker_id]}), 201)
        ok(coach.post("/api/reminders", json={"title": f"Herinnering {n}", "workerIds": [other_id]}), 201)
    ok(coach.post("/api/reminders", json={"title": RULE_TITLE, "workerIds": [worker_id],
                                          "recurrence": {"weekdays": [1, 2, 3, 4, 5, 6, 7], "time": "09:00"}}), 201)
    ok(coach.post("/api/reminders", json={"title": "Weekplanning bekijken", "workerIds": [worker_id, other_id],
                                          "recurrence": {"weekdays": [1, 2, 3, 4, 5], "time": "08:00"}}), 201)
    server.werkmaat("coaching-flags", "--digest")
    digest = [e for e in coach.get("/api/inbox", params={"limit": 200}).json() if "signal" in e["title"].lower()]
    assert digest and FIRST in digest[0]["body"] and OTHER_FIRST in digest[0]["body"], digest

    # The coach's file: a note (edited: a revision), then the trajectory stops with a reason.
    note = ok(coach.post(f"/api/coaching/workers/{worker_id}/notes", json={"body": NOTE_TEXT}), 201)
    ok(coach.patch(f"/api/coaching/notes/{note['id']}", json={"body": NOTE_EDITED}))
    ok(coach.put(f"/api/coaching/workers/{worker_id}/status", json={"status": "stopped", "detail": STATUS_DETAIL}))

    inbox = " ".join(e["title"] + " " + e["body"] for e in coach.get("/api/inbox", params={"limit": 200}).json())
    for text in (f"{FIRST} meldt zich ziek", SICK_NOTE, f"{FIRST} komt te laat", LATE_REASON):
        assert text in inbox, (text, inbox)
    assert f"Kan je {FIRST} meenemen?" in " ".join(e["title"] for e in buddy.get("/api/inbox").json())
    return {"server": server, "personas": personas, "worker_id": worker_id, "other_id": other_id, "coach": coach,
            "admin": admin, "buddy": buddy, "visit": visit["id"]}


# --- export ------------------------------------------------------------------------------------------

def test_export_holds_their_messages_schedule_and_cached_address_and_nothing_of_others(story):
    body = ok(story["coach"].get(f"/api/people/{story['worker_id']}/export"))
    inbox = " ".join(e["title"] + " " + e["body"] for e in body["inbox"])
    assert REMINDER_TEXT in inbox and "Je hebt een rit" in inbox, body["inbox"]
    about = " | ".join(m["title"] + " " + m["body"] for m in body["messagesAboutThem"])
    for text in (f"{FIRST} meldt zich ziek", SICK_NOTE, f"{FIRST} komt te laat", LATE_REASON,
                 f"Kan je {FIRST} meenemen?", f"{FIRST} {LAST}: "):
        assert text in about, (text, about)
    sent_to = {(r["role"], r["name"]) for m in body["messagesAboutThem"] for r in m["sentTo"]}
    assert ("coach", "Coach_A Coach") in sent_to and ("buddy", "") in sent_to, sent_to
    [visit] = [i for i in body["schedule"] if i["id"] == story["visit"]]
    assert (visit["title"], visit["address"], visit["contactName"], visit["contactPhone"], visit["note"]) == (
        ITEM_TITLE, ITEM_ADDRESS, ITEM_CONTACT, ITEM_CONTACT_PHONE, ITEM_NOTE)
    assert visit["plannedBy"] == "Coach_A Coach"
    assert {i["title"] for i in body["schedule"]} == {ITEM_TITLE, "Groepsles veiligheid", "Atelier"}
    assert [i["otherParticipants"] for i in body["schedule"] if i["title"] == "Groepsles veiligheid"] == [1]
    [cached] = body["geocoded"]
    assert (cached["display_name"], cached["latitude"], cached["longitude"]) == (FOUND_AS, LAT, LON)
    text = json.dumps(body, ensure_ascii=False)
    for foreign in (OTHER_FIRST, OTHER_LAST, str(story["other_id"]), BUDDY_FIRST, BUDDY_PHONE):
        at = text.find(foreign)
        assert at < 0, f"{foreign!r} of someone else is in the export: ...{text[max(0, at - 300):at + 100]}"


# --- erasure -----------------------------------------------------------------------------------------

def raw_database_text(server) -> tuple[bytes, str]:
    """The database as stored: the SQLite file (and its log) after a checkpoint, or a plain-text
    `pg_dump`. Returned as bytes and as casefolded text."""
    if server.database_url.startswith("sqlite"):
        path = unquote(urlparse(server.database_url).path)
        with sqlite3.connect(path, timeout=30) as conn:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "the checkpoint could not finish"
        data = b""
        for suffix in ("", "-wal", "-journal"):
            try:
                with open(path + suffix, "rb") as f:
                    data += f.read()
            except FileNotFoundError:
                pass
    else:
        data = subprocess.run(["pg_dump", "--no-owner", "--data-only", server.database_url],
                              capture_output=True, check=True, timeout=120).stdout
    return data, data.decode("utf-8", errors="replace").casefold()


def doubles(value: float) -> list[bytes]:
    return [struct.pack(">d", value), struct.pack("<d", value)]


def test_after_erasure_nothing_of_them_is_left_in_the_stored_database(story):
    server, admin, coach, worker_id = story["server"], story["admin"], story["coach"], story["worker_id"]
    before, _ = raw_database_text(server)
    present = [w for w in WORDS if w.encode() in before]
    assert len(present) >= len(WORDS) - 2, f"the seed did not store: {set(WORDS) - set(present)}"
    assert any(d in before for d in doubles(LAT)) or f"{LAT}".encode() in before

    erased = ok(admin.post(f"/api/people/{worker_id}/erase", json={"confirm": FIRST}))
    assert erased["rows"].get("geocode_cache") == 1 and erased["rows"].get("schedule_item_text", 0) >= 2, erased

    data, folded = raw_database_text(server)
    left = [w for w in WORDS if w.encode("utf-8") in data or w.casefold() in folded]
    assert left == [], f"still stored after erasure: {left}"
    if server.database_url.startswith("sqlite"):
        assert not any(d in data for v in (LAT, LON) for d in doubles(v)), "exact coordinates still stored"

    # What belongs to others stays: the other worker's digest line and their rule, the group item.
    inbox = coach.get("/api/inbox", params={"limit": 200}).json()
    [digest] = [e for e in inbox if "signal" in e["title"].lower()]
    assert OTHER_FIRST in digest["body"] and FIRST not in digest["body"], digest
    assert not [e for e in inbox if "ziek" in e["title"] or "te laat" in e["title"]], inbox
    assert not [e for e in story["buddy"].get("/api/inbox").json() if "meenemen" in e["title"]]
    rules = {r["title"]: r for r in coach.get("/api/reminders/rules").json()}
    assert rules["Weekplanning bekijken"]["recipientCount"] == 1 and RULE_TITLE not in rules
    # The hours stay for the impact report: the items are still there, without their words.
    exported = ok(admin.get(f"/api/people/{worker_id}/export"))
    titles = sorted(i["title"] for i in exported["schedule"])
    assert titles == ["", "", "Groepsles veiligheid"], titles
    assert exported["inbox"] == [] and exported["messagesAboutThem"] == [] and exported["geocoded"] == []
