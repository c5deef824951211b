"""Reminders that are right (issue 11, part 3): none for an excused day, a reminder held by quiet
hours never replaces a newer one on the phone, automatic reminders name the place, weekly copies open
the inbox, and every push fits the 4,096 bytes a push service takes. Real servers on both databases,
the loopback push service (tests/pushservice.py) decrypting what arrives."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
import uuid

import pytest
from aiohttp import web

import clock
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, COACH_PASSWORD, Client, create_person, pg_fetch, token_of, wait_until
from pushservice import PushService

BRUSSELS = clock.BRUSSELS


# --- helpers --------------------------------------------------------------------------------------

class StrictPushService(PushService):
    """The loopback push service, answering 413 like FCM and Mozilla to a body over 4,096 bytes."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    async def _push(self, request: web.Request) -> web.Response:
        body = await request.read()
        with self._lock:
            self.sizes.append(len(body))
        if len(body) > 4096:
            with self._lock:
                self.rejected.append(f"413: {len(body)} bytes")
            return web.Response(status=413)
        return await super()._push(request)


@pytest.fixture(scope="module")
def strict_push():
    service = StrictPushService().start()
    yield service
    service.stop()


def rows(server, sql: str) -> list[dict]:
    """Read the server's own database (to see reminders no API lists: the automatic ones)."""
    if server.database_url.startswith("sqlite"):
        with sqlite3.connect(server.database_url.removeprefix("sqlite:///"), timeout=30) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql).fetchall()]
    return [dict(r) for r in pg_fetch(server.database_url, sql)]


def auto_reminders(server, person_id: str) -> dict[str, dict]:
    """The person's automatic reminders by template (the latest of each kind)."""
    found = rows(server, f"""
        SELECT r.id, r.template, r.cancelled_at, r.params, r.fanned_out, r.due_at, r.expires_at, r.url,
               r.created_at, c.push_status, c.push_error
        FROM reminder r JOIN recipient c ON c.reminder = r.id
        WHERE c.person = '{person_id}' AND r.source = 'auto' ORDER BY r.created_at""")
    by_kind = {}
    for row in found:
        row["params"] = json.loads(row["params"]) if isinstance(row["params"], str) else row["params"]
        by_kind.setdefault(row["template"], []).append(row)
    return by_kind


def organisation(admin: Client, server_url: str, **settings) -> tuple[str, str, Client]:
    """A fresh organisation (its own reminder settings) with a workplace and a coach."""
    suffix = uuid.uuid4().hex[:8]
    org = admin.post("/api/organisations", json={"name": f"Juist {suffix}", "city": "Genk"}).json()["id"]
    workplace = admin.post(f"/api/organisations/{org}/workplaces", json={
        "name": "Atelier Noord", "street": "Industrieweg 12", "postcode": "3600", "city": "Genk",
        "latitude": 50.98, "longitude": 5.50}).json()["id"]
    email = f"juist.{suffix}@test.werkmaat.be"
    create_person(admin, role="coach", firstName="Juist", lastName="Coach", email=email, password=COACH_PASSWORD,
                  organisationId=org)
    coach = Client(server_url)
    assert coach.login(email, COACH_PASSWORD).status_code == 200
    if settings:
        answer = coach.put(f"/api/notification-settings/organisations/{org}", json=settings)
        assert answer.status_code == 200, answer.text
    return org, workplace, coach


def phone(coach: Client, server_url: str, push, name: str, language: str = "nl",
          quiet: tuple[str, str] = ("00:00", "00:00")) -> tuple[str, Client, dict]:
    """A worker of the coach on a phone subscribed to `push`, with the given quiet hours."""
    created = create_person(coach, role="worker", firstName=name, lastName=uuid.uuid4().hex[:6], language=language)
    client = Client(server_url, language=language)
    assert client.redeem(token=token_of(created["invite"])).status_code == 200
    answer = client.put("/api/notification-settings", json={"quietStart": quiet[0], "quietEnd": quiet[1]})
    assert answer.status_code == 200
    subscription = push.subscribe()
    assert client.post("/api/push/subscriptions", json=subscription).status_code == 201
    return created["person"]["id"], client, subscription


def plan_item(coach: Client, title: str, start: dt.datetime, workers: list[str], **extra) -> dict:
    answer = coach.post("/api/schedule/items", json={
        "title": title, "kind": "shift", "workerIds": workers, "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=6)).isoformat(), **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()


def admin_of(server) -> Client:
    admin = Client(server.url)
    assert admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
    return admin


# --- pure rules -----------------------------------------------------------------------------------

def test_the_place_is_the_workplace_name_and_address():
    from backend.reminders.automatic import place_text

    workplace = {"name": "Atelier Noord", "street": "Industrieweg 12", "postcode": "3600", "city": "Genk"}
    assert place_text({"address": ""}, workplace) == "Atelier Noord, Industrieweg 12, 3600 Genk"
    assert place_text({"address": "Poort 3, Industrieweg 14"}, workplace) == "Atelier Noord, Poort 3, Industrieweg 14"
    assert place_text({"address": "Atelier Noord, achteringang"}, workplace) == "Atelier Noord, achteringang"
    assert place_text({"address": ""}, {**workplace, "street": "", "postcode": "", "city": ""}) == "Atelier Noord"
    assert place_text({"address": "Kempische Steenweg 293"}, None) == "Kempische Steenweg 293"
    assert place_text({"address": ""}, None) == ""


@pytest.mark.parametrize("start, expected", [
    ("2026-12-03 08:00", "2026-12-03 00:00"),   # "Morgen" stops being true at midnight
    ("2026-12-03 00:45", "2026-12-02 23:43"),   # a night shift: before the "Straks" of 23:45
    ("2027-03-28 08:00", "2027-03-28 00:00"),   # the night the clocks go forward
])
def test_the_evening_reminder_expires_before_it_could_be_overtaken(start, expected):
    from backend.reminders.automatic import evening_expiry

    starts = dt.datetime.fromisoformat(start).replace(tzinfo=BRUSSELS).astimezone(dt.timezone.utc)
    before = starts - dt.timedelta(hours=1)
    assert evening_expiry(starts, before).astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") == expected


# --- excused: no reminder -------------------------------------------------------------------------

def test_no_reminder_for_an_excused_day_and_planned_ones_are_withdrawn(personas, push_service):
    server = personas.server
    now = dt.datetime.now(BRUSSELS).replace(second=0, microsecond=0)
    # The evening reminder of tomorrow's shift is due now, so it goes out at once.
    _, workplace, coach = organisation(personas["admin"], server.url, eveningBeforeAt=now.strftime("%H:%M"),
                                       minutesBefore=60)
    sick_first, phone_a, sub_a = phone(coach, server.url, push_service, "Anja")
    sick_later, phone_b, sub_b = phone(coach, server.url, push_service, "Bert")
    control, _, sub_c = phone(coach, server.url, push_service, "Chris", language="en")
    tomorrow = now.date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, now.time(), tzinfo=BRUSSELS)

    # Anja reports sick for tomorrow before the shift is planned: no reminder is ever made for her.
    assert phone_a.post("/api/reports/sick", json={"firstDay": tomorrow.isoformat()}).status_code == 201
    item = plan_item(coach, "Productie in het atelier", start, [sick_first, sick_later, control],
                     place={"workplaceId": workplace}, bring=["safety_shoes", "lunch"])

    [english] = push_service.wait_for(sub_c["endpoint"], timeout=30)
    hhmm = start.strftime("%H:%M")
    assert english.message["title"] == "Tomorrow: Productie in het atelier"
    assert english.message["body"] == f"At {hhmm}. Atelier Noord, Industrieweg 12, 3600 Genk. Bring: safety shoes, lunch."
    [dutch] = push_service.wait_for(sub_b["endpoint"], timeout=30)
    assert dutch.message["title"] == "Morgen: Productie in het atelier"
    assert dutch.message["body"] == (f"Om {hhmm}. Atelier Noord, Industrieweg 12, 3600 Genk. "
                                     "Neem mee: veiligheidsschoenen, lunch.")
    planned = wait_until(lambda: (r := auto_reminders(server, sick_later)).get("before_start") and r,
                         what="Bert's reminders planned")
    assert planned["before_start"][0]["cancelled_at"] is None and not planned["before_start"][0]["fanned_out"]
    assert any(e["title"] == "Morgen: Productie in het atelier" for e in phone_b.get("/api/inbox").json())

    # Bert reports sick later: his pending "Straks" is withdrawn at once (not at the next planning run),
    # and the inbox no longer tells him to come.
    assert phone_b.post("/api/reports/sick", json={"firstDay": tomorrow.isoformat()}).status_code == 201
    withdrawn = auto_reminders(server, sick_later)
    for kind in ("evening_before", "before_start"):
        assert withdrawn[kind][-1]["cancelled_at"] is not None, kind
        assert withdrawn[kind][-1]["params"]["withdrawn"] == "excused"
    assert all(e["title"] != "Morgen: Productie in het atelier" for e in phone_b.get("/api/inbox").json())

    time.sleep(2.5)  # a few planning runs: nothing comes back, nothing is made for Anja
    assert auto_reminders(server, sick_first) == {}
    assert push_service.messages_for(sub_a["endpoint"]) == []
    assert all(r["cancelled_at"] is not None for r in auto_reminders(server, sick_later)["before_start"])
    kept = auto_reminders(server, control)
    assert {k: [r["cancelled_at"] for r in v] for k, v in kept.items()} == {
        "evening_before": [None], "before_start": [None]}, "the colleague's reminders stay"
    assert kept["before_start"][0]["params"]["itemId"] == item["id"]
    assert len(push_service.messages_for(sub_b["endpoint"])) == 1


def test_a_coach_excusing_a_worker_withdraws_and_undoing_it_brings_them_back(personas, push_service):
    server = personas.server
    _, workplace, coach = organisation(personas["admin"], server.url, minutesBefore=60)
    worker, _, _ = phone(coach, server.url, push_service, "Dirk")
    start = (dt.datetime.now(BRUSSELS) + dt.timedelta(hours=5)).replace(second=0, microsecond=0)
    item = plan_item(coach, "Inpak", start, [worker], place={"workplaceId": workplace})
    wait_until(lambda: auto_reminders(server, worker).get("before_start"), what="planned")
    path = f"/api/schedule/items/{item['id']}/attendance/{worker}"
    assert coach.put(path, json={"status": "excused", "note": "dokter"}).status_code == 200
    wait_until(lambda: auto_reminders(server, worker)["before_start"][0]["cancelled_at"] is not None,
               timeout=10, what="withdrawn")
    # The coach changes it back (any status but excused): the reminder is right again and comes back.
    assert coach.put(path, json={"status": "late", "note": "toch niet"}).status_code == 200
    back = wait_until(lambda: (r := auto_reminders(server, worker)["before_start"])[0]["cancelled_at"] is None and r,
                      timeout=10, what="brought back")
    assert len(back) == 1 and "withdrawn" not in back[0]["params"]
    assert back[0]["params"]["place"] == "Atelier Noord, Industrieweg 12, 3600 Genk"


def test_moved_item_withdraws_its_reminders_and_moving_back_restores_them(personas, push_service):
    server = personas.server
    _, _, coach = organisation(personas["admin"], server.url, minutesBefore=60)
    worker, _, _ = phone(coach, server.url, push_service, "Els")
    start = (dt.datetime.now(BRUSSELS) + dt.timedelta(hours=5)).replace(second=0, microsecond=0)
    item = plan_item(coach, "Groendienst", start, [worker], place={"address": "Stadspark, Hasselt"})
    first = wait_until(lambda: auto_reminders(server, worker).get("before_start"), what="planned")[0]
    later = start + dt.timedelta(hours=2)
    assert coach.patch(f"/api/schedule/items/{item['id']}", json={
        "startsAt": later.isoformat(), "endsAt": (later + dt.timedelta(hours=6)).isoformat(),
        "place": {"address": "Kapermolenpark, Hasselt"}}).status_code == 200

    def moved():
        found = auto_reminders(server, worker)["before_start"]
        return len(found) == 2 and found[0]["cancelled_at"] is not None and found[1]["cancelled_at"] is None and found

    old, new = wait_until(moved, timeout=10, what="moved")
    assert old["id"] == first["id"] and new["params"]["place"] == "Kapermolenpark, Hasselt"
    assert coach.patch(f"/api/schedule/items/{item['id']}", json={
        "startsAt": start.isoformat(), "endsAt": (start + dt.timedelta(hours=6)).isoformat()}).status_code == 200

    def back():
        found = auto_reminders(server, worker)["before_start"]
        return found[0]["cancelled_at"] is None and found[1]["cancelled_at"] is not None and found

    restored, _ = wait_until(back, timeout=10, what="moved back")
    assert restored["params"]["place"] == "Kapermolenpark, Hasselt", "the place as it is now"


# --- quiet hours: never a held reminder over a newer one ------------------------------------------

def test_a_held_evening_reminder_never_replaces_the_straks_one(server_at, strict_push):
    """A night shift at 00:45, evening reminder at 23:30, "Straks" at 23:45, quiet hours until 23:50:
    the held evening reminder would reach the phone after "Straks" with the same Topic and replace
    it. It is dropped (expired, with the reason) instead; a weekly reminder held as well still comes."""
    now = clock.now()
    day = now.astimezone(BRUSSELS).date()
    # The server's clock stays within 12 hours of the push service's, which checks the VAPID expiry.
    if clock.at(day, 23, 45) - now > dt.timedelta(hours=12):
        day -= dt.timedelta(days=1)
    server = server_at(clock.at(day, 23, 28), WERKMAAT_SCHEDULER="on", WERKMAAT_PUSH_HOSTS=strict_push.host,
                       WERKMAAT_DISPATCH_INTERVAL="0.3", WERKMAAT_PLANNING_INTERVAL="0.5")
    _, workplace, coach = organisation(admin_of(server), server.url, eveningBeforeAt="23:30", minutesBefore=60)
    worker, phone_w, sub = phone(coach, server.url, strict_push, "Fien", quiet=("23:00", "23:50"))
    night = clock.at(day + dt.timedelta(days=1), 0, 45)
    plan_item(coach, "Nachtploeg", night, [worker], place={"workplaceId": workplace})
    weekly = coach.post("/api/reminders", json={"title": "Badge meenemen", "workerIds": [worker],
                                                "recurrence": {"weekdays": [1, 2, 3, 4, 5, 6, 7], "time": "23:40"}})
    assert weekly.status_code == 201, weekly.text
    planned = wait_until(lambda: (r := auto_reminders(server, worker)).get("evening_before") and r,
                         what="planned")
    evening = planned["evening_before"][0]
    assert evening["url"] == "/#/home"

    server.set_clock(clock.at(day, 23, 30) + dt.timedelta(seconds=5))
    held = wait_until(lambda: (r := auto_reminders(server, worker)["evening_before"][0])["push_status"] == "expired"
                      and r, what="evening reminder dropped")
    assert "quiet hours" in held["push_error"]
    assert "Morgen: Nachtploeg" in [e["title"] for e in phone_w.get("/api/inbox").json()], "the inbox has it"

    server.set_clock(clock.at(day, 23, 45) + dt.timedelta(seconds=5))
    [straks] = strict_push.wait_for(sub["endpoint"], timeout=30)
    assert straks.message["title"] == "Straks: Nachtploeg" and straks.urgency == "high"
    assert straks.message["body"].startswith("Om 00:45. Atelier Noord, Industrieweg 12, 3600 Genk.")

    server.set_clock(clock.at(day, 23, 50) + dt.timedelta(seconds=30))  # quiet hours are over
    strict_push.wait_for(sub["endpoint"], count=2, timeout=30)
    time.sleep(2)  # and nothing after it
    received = strict_push.messages_for(sub["endpoint"])
    assert [m.message["title"] for m in received] == ["Straks: Nachtploeg", "Badge meenemen"], \
        "the held evening reminder never arrives after 'Straks'"
    assert received[1].message["url"] == "/#/inbox", "a weekly reminder's copy opens the inbox"
    assert received[1].topic != straks.topic
    copy = next(e for e in phone_w.get("/api/inbox").json() if e["title"] == "Badge meenemen")
    assert copy["url"] == "/#/inbox"


# --- 4,096 bytes ------------------------------------------------------------------------------------

def longest_texts() -> tuple[str, str]:
    """The longest title and body the reminder schema accepts (120 and 1,000 code points), made of
    4-byte emoji, emoji sequences joined by ZWJ, flags, and letters with accents."""
    import msgspec

    from backend.reminders.schemas import ReminderIn

    props = msgspec.json.schema(ReminderIn)["$defs"]["ReminderIn"]["properties"]
    title_max, body_max = props["title"]["maxLength"], props["body"]["maxLength"]
    assert (title_max, body_max) == (120, 1000)
    title = ("🦺🚧😀🙂🤝🏾👷🏽🪪" * 40)[:title_max]
    body = ("😀🦺🪪🙂🚧🤝🏾👩🏽‍🔧🇧🇪😀🦺ẞé🙂 " * 100)[:body_max]
    return title, body


def test_the_longest_reminder_is_pushed_whole_to_the_inbox_and_shortened_to_4096_bytes(server_at, strict_push):
    server = server_at(clock.now(), WERKMAAT_SCHEDULER="on", WERKMAAT_PUSH_HOSTS=strict_push.host,
                       WERKMAAT_DISPATCH_INTERVAL="0.3")
    _, _, coach = organisation(admin_of(server), server.url)
    worker, phone_w, sub = phone(coach, server.url, strict_push, "Gul")
    title, body = longest_texts()
    answer = coach.post("/api/reminders", json={"title": title, "body": body, "workerIds": [worker]})
    assert answer.status_code == 201, answer.text
    [received] = strict_push.wait_for(sub["endpoint"], timeout=30)
    assert max(strict_push.sizes) <= 4096, strict_push.sizes
    assert not [r for r in strict_push.rejected if r.startswith("413")]
    assert received.message["title"] == title
    short = received.message["body"]
    assert short.endswith("…") and body.startswith(short[:-1].rstrip()) and len(short) < len(body)
    assert received.message["url"] == "/#/inbox"
    [entry] = phone_w.get("/api/inbox").json()
    assert entry["title"] == title and entry["body"] == body, "the inbox keeps the whole text"
    state = wait_until(lambda: (s := coach.get(f"/api/reminders/{answer.json()['id']}").json()["recipients"][0])
                       ["state"] == "sent" and s, what="marked sent")
    assert state["error"] == ""
