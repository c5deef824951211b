"""The transit API on a live server (SQLite and PostgreSQL): plan, feeds, the worker's commute,
and every 400 in Dutch and English."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Client, create_pg_database, create_person, drop_pg_database, start_server, stop_server, token_of
from transit_feeds import live_feed, write_feed

TZ = zoneinfo.ZoneInfo("Europe/Brussels")
HOME = "50.9650,5.4990"
WORK = (50.9650, 5.5350)  # beside stop D


@pytest.fixture(scope="module")
def feed_loaded(live_server, tmp_path_factory):
    today = dt.datetime.now(TZ).date()
    path = write_feed(tmp_path_factory.mktemp("live") / "live.zip", live_feed(today))
    done = live_server.werkmaat("transit", "import", str(path), "--name", "api-live")
    assert "imported" in done.stdout
    return today


def tomorrow_at(hour: int) -> dt.datetime:
    return dt.datetime.combine(dt.datetime.now(TZ).date() + dt.timedelta(days=1), dt.time(hour), tzinfo=TZ)


def test_plan_gives_journeys(personas, feed_loaded):
    by = tomorrow_at(8) + dt.timedelta(minutes=5)
    arrive = by.replace(tzinfo=None).isoformat(timespec="minutes")
    r = personas["worker_a"].get("/api/transit/plan", params={"from": HOME, "to": "50.9860,5.5230", "arriveBy": arrive})
    assert r.status_code == 200, r.text
    journeys = r.json()
    assert journeys and all(dt.datetime.fromisoformat(j["arrival"]) <= by for j in journeys)
    best = journeys[0]
    assert set(best) == {"departure", "arrival", "transfers", "walkMetres", "legs"}
    rides = [leg for leg in best["legs"] if leg["kind"] == "ride"]
    assert rides[-1]["line"] == "Zwartberg" and rides[-1]["toName"] == "Zwartberg"
    # A 07:30, C 07:40, walk 5 min to P1, bus 07:50 to E 08:00, 2 min walk: by 08:05.
    assert rides[0]["departure"].startswith(tomorrow_at(7).date().isoformat() + "T07:30")


@pytest.mark.parametrize("params,field,nl,en", [
    ({"from": "abc", "to": HOME}, "from", "", ""),
    ({"from": HOME, "to": "95.1,5.5"}, "to", "", ""),
    ({"from": HOME, "to": "50.9,190"}, "to", "", ""),
    ({"from": HOME, "to": "nan,5"}, "to", "", ""),
    ({"from": HOME, "to": HOME, "arriveBy": "morgen om acht"}, "arriveBy", "datum en tijd", "date and time"),
    ({"from": HOME, "to": HOME, "arriveBy": "9999-12-31T23:59"}, "arriveBy", "geen dienstregeling", "no timetable"),
])
def test_plan_bad_input(personas, feed_loaded, params, field, nl, en):
    params = {"arriveBy": tomorrow_at(8).isoformat(), **params}
    for language, text in (("nl", nl), ("en", en)):
        r = personas["worker_a"].get("/api/transit/plan", params=params, headers={"Accept-Language": language})
        assert r.status_code == 400, r.text
        errors = r.json()["errors"]
        assert errors[0]["field"] == field and text in errors[0]["message"], errors


def test_plan_date_not_covered_names_the_range(personas, feed_loaded):
    r = personas["worker_a"].get("/api/transit/plan", params={"from": HOME, "to": HOME, "arriveBy": "2090-01-01T08:00"},
                                 headers={"Accept-Language": "en"})
    assert r.status_code == 400
    body = r.json()
    first = (feed_loaded - dt.timedelta(days=2)).isoformat()
    assert "no timetable for that day" in body["message"] and " to " in body["message"]
    assert body["errors"][0]["field"] == "arriveBy"
    assert first in body["message"] or "2027-01-04" in body["message"]  # other test feeds may start earlier


def test_plan_needs_sign_in(personas, feed_loaded):
    r = personas["anonymous"].get("/api/transit/plan", params={"from": HOME, "to": HOME, "arriveBy": "2030-01-01T08:00"})
    assert r.status_code == 401


def test_feeds_for_staff_only(personas, feed_loaded):
    r = personas["coach_a"].get("/api/transit/feeds")
    assert r.status_code == 200
    feeds = {f["name"]: f for f in r.json()["feeds"]}
    assert feeds["api-live"]["stops"] == 6 and feeds["api-live"]["timezone"] == "Europe/Brussels"
    assert feeds["api-live"]["lastDate"] == (feed_loaded + dt.timedelta(days=30)).isoformat()
    assert r.json()["first"] <= feeds["api-live"]["firstDate"]
    assert personas["worker_a"].get("/api/transit/feeds").status_code == 403
    assert personas["anonymous"].get("/api/transit/feeds").status_code == 401


@pytest.fixture(scope="module")
def commuter(personas, feed_loaded):
    coach = personas["coach_a"]
    created = create_person(coach, role="worker", firstName="Pendel", lastName=uuid.uuid4().hex[:6])
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    worker_id = created["person"]["id"]

    def plan(start, end, **extra):
        body = {"title": "Atelier", "kind": "shift", "workerIds": [worker_id], "startsAt": start.isoformat(),
                "endsAt": end.isoformat(), "place": {"address": "Oost", "latitude": WORK[0], "longitude": WORK[1]}}
        body.update(extra)
        r = coach.post("/api/schedule/items", json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    shift = plan(tomorrow_at(9), tomorrow_at(16))
    past = plan(tomorrow_at(6) - dt.timedelta(days=3), tomorrow_at(8) - dt.timedelta(days=3))
    return phone, shift, past


def test_commute_leave_home_at(commuter):
    phone, shift, _ = commuter
    r = phone.get("/api/me/commute", params={"from": HOME})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["homeKnown"] is True
    item = next(i for i in body["items"] if i["itemId"] == shift)
    assert item["problem"] is None and item["journeys"]
    # Arrive 10 minutes early: by 08:50; the 08:30 bus from A reaches D at 08:45.
    assert dt.datetime.fromisoformat(item["arriveBy"]) == tomorrow_at(9) - dt.timedelta(minutes=10)
    ride = next(leg for leg in item["journeys"][0]["legs"] if leg["kind"] == "ride")
    assert ride["line"] == "1" and ride["headsign"] == "Oost"
    assert dt.datetime.fromisoformat(ride["departure"]) == tomorrow_at(8) + dt.timedelta(minutes=30)
    assert ride["departure"][-6:] in ("+01:00", "+02:00")  # Belgian local time
    assert item["leaveHomeAt"] == item["journeys"][0]["departure"]


def test_commute_without_home(commuter):
    phone, shift, _ = commuter
    body = phone.get("/api/me/commute", headers={"Accept-Language": "nl"}).json()
    assert body["homeKnown"] is False and "waar je woont" in body["message"]
    assert all(not i["journeys"] and i["problem"] == "transit_home_unknown" for i in body["items"])


def test_commute_shift_over_and_other_org(commuter, personas):
    phone, shift, past = commuter
    r = phone.get("/api/me/commute", params={"from": HOME, "itemId": past}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and r.json()["errors"][0] == {"field": "itemId", "message": "This shift is already over."}
    one = phone.get("/api/me/commute", params={"from": HOME, "itemId": shift}).json()
    assert [i["itemId"] for i in one["items"]] == [shift]
    assert phone.get("/api/me/commute", params={"itemId": str(uuid.uuid4())}).status_code == 404
    assert personas["worker_b"].get("/api/me/commute", params={"itemId": shift}).status_code == 404
    bad = phone.get("/api/me/commute", params={"from": "1,2,3"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "from"


def test_no_data_loaded(database_url, tmp_path_factory):
    url = database_url if database_url.startswith("sqlite") else create_pg_database()
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.db'}"
    server = start_server(url, tmp_path_factory.mktemp("empty-data"))
    try:
        client = Client(server.url, language="en")
        assert client.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
        r = client.get("/api/transit/plan", params={"from": HOME, "to": HOME, "arriveBy": "2030-01-01T08:00"})
        assert r.status_code == 400 and "No timetables have been loaded" in r.json()["message"]
        feeds = client.get("/api/transit/feeds").json()
        assert feeds == {"first": None, "last": None, "feeds": []}
    finally:
        stop_server(server)
        if not url.startswith("sqlite"):
            drop_pg_database(url)


def test_server_reloads_a_replaced_feed(live_server, personas, feed_loaded, tmp_path):
    """Another process re-imports a feed: the running server answers from the new version."""
    def moved(line_name: str) -> dict[str, str]:
        files = live_feed(feed_loaded)
        files["stops.txt"] = files["stops.txt"].replace("50.96", "51.36").replace("50.98", "51.38")
        files["routes.txt"] = files["routes.txt"].replace("R1,DL,1,", f"R1,DL,{line_name},")
        return files

    params = {"from": "51.3650,5.4990", "to": "51.3650,5.5350",
              "arriveBy": (tomorrow_at(9) - dt.timedelta(minutes=10)).isoformat()}
    for line_name in ("12", "12X"):
        path = write_feed(tmp_path / f"{line_name}.zip", moved(line_name))
        assert live_server.werkmaat("transit", "import", str(path), "--name", "api-reload").returncode == 0
        journeys = personas["worker_a"].get("/api/transit/plan", params=params).json()
        assert {leg["line"] for j in journeys for leg in j["legs"] if leg["kind"] == "ride"} == {line_name}
