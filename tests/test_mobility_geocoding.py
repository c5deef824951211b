"""Geocoding through geopy's real Nominatim client against a Nominatim-compatible server on loopback
(tests/nominatim.py): results, misses, failures, the cache, the User-Agent and 1 request per second."""

from __future__ import annotations

import uuid

import pytest

from conftest import start_server, stop_server
from mobility_helpers import new_buddy, new_worker, stop_offers


@pytest.fixture(autouse=True)
def _own_offers_only():
    yield
    stop_offers()


def errors_of(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def unique(text: str) -> str:
    """An address no other test (or database run) asks for, so the server's cache starts empty."""
    return f"{text} {uuid.uuid4().hex[:6]}"


def test_coach_sets_home_by_address_geocoded_and_cached(personas, geocoder_service):
    address = unique("Stalenstraat 12, 3600 Genk")
    geocoder_service.add(address, 50.9695, 5.4960, "12, Stalenstraat, Genk, Limburg, 3600, België")
    worker_id, _ = new_worker(personas, home=None)
    coach = personas["coach_a"]
    response = coach.put(f"/api/mobility/people/{worker_id}/home", json={"address": address})
    assert response.status_code == 200, response.text
    home = response.json()
    assert (home["latitude"], home["longitude"], home["source"]) == (50.9695, 5.496, "geocoder")
    assert home["foundAs"].startswith("12, Stalenstraat") and home["address"] == address
    [hit] = geocoder_service.hits_for(address)
    assert hit.path == "/search" and hit.params["format"] == "json" and hit.query == address
    assert hit.user_agent == f"Werkmaat/0.1.0 (+{personas.server.url})"
    # The same address, differently typed: answered from the database, not asked again.
    again = coach.put(f"/api/mobility/people/{worker_id}/home", json={"address": "  " + address.upper() + " "})
    assert again.status_code == 200 and again.json()["latitude"] == 50.9695
    assert len(geocoder_service.hits_for(address)) == 1
    assert coach.get(f"/api/mobility/people/{worker_id}/home").json()["latitude"] == 50.9695


def test_address_not_found_or_geocoder_failing_says_what_to_do(personas, geocoder_service):
    worker_id, _ = new_worker(personas, home=None)
    coach = personas["coach_a"]
    missing = coach.put(f"/api/mobility/people/{worker_id}/home", json={"address": unique("Nergensstraat 1")})
    assert missing.status_code == 400
    assert errors_of(missing) == {"address": "Dit adres is niet gevonden. Controleer het, of vul de coördinaten in."}
    coach.headers["Accept-Language"] = "en"
    try:
        broken = coach.put(f"/api/mobility/people/{worker_id}/home", json={"address": unique("kapot")})
        assert broken.status_code == 400
        assert errors_of(broken) == {
            "address": "The address could not be looked up now. Try again later or enter the coordinates."}
        empty = coach.put(f"/api/mobility/people/{worker_id}/home", json={})
        assert errors_of(empty) == {"address": "Enter an address or coordinates."}
    finally:
        coach.headers["Accept-Language"] = "nl"


def test_at_most_one_request_per_second(personas, geocoder_service):
    worker_id, _ = new_worker(personas, home=None)
    tag = uuid.uuid4().hex[:6]
    addresses = [f"Spacing {tag} {n}" for n in range(3)]
    for n, address in enumerate(addresses):
        geocoder_service.add(address, 50.96 + n / 1000, 5.5, address)
        assert personas["coach_a"].put(f"/api/mobility/people/{worker_id}/home",
                                       json={"address": address}).status_code == 200
    # Requests of this server only (the other database's server has its own User-Agent).
    agent = f"Werkmaat/0.1.0 (+{personas.server.url})"
    times = sorted(h.at for h in geocoder_service.hits if h.user_agent == agent)
    assert len(times) >= 3
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Gaps as they arrive at the loopback geocoder: a loaded machine delays one arrival and shortens the
    # next gap (0.918 s seen once in a full run); without the limiter the gaps are milliseconds.
    assert min(gaps) >= 0.85, gaps


def test_coach_geocodes_a_workplace_and_buddy_offer_from_an_address(personas, geocoder_service):
    admin = personas["admin"]
    street = unique("Industrieweg 5")
    created = admin.post(f"/api/organisations/{personas.org_a}/workplaces",
                         json={"name": "Magazijn", "street": street, "postcode": "3600", "city": "Genk"})
    assert created.status_code == 201
    workplace_id = created.json()["id"]
    geocoder_service.add(f"{street}, 3600 Genk", 50.99, 5.43, "Industrieweg, Genk")
    response = personas["coach_a"].post(f"/api/mobility/workplaces/{workplace_id}/geocode", json={})
    assert response.status_code == 200, response.text
    assert (response.json()["latitude"], response.json()["longitude"]) == (50.99, 5.43)
    assert admin.get(f"/api/workplaces/{workplace_id}").json()["latitude"] == 50.99
    assert personas["coach_b"].post(f"/api/mobility/workplaces/{workplace_id}/geocode", json={}).status_code == 404

    _, buddy = new_buddy(personas)
    origin = unique("Kerkplein 1, As")
    geocoder_service.add(origin, 51.0, 5.52, "Kerkplein, As")
    from mobility_helpers import MADE_OFFERS

    made = buddy.post("/api/ride-offers", json={"weekdays": [1, 2], "leaveTime": "07:30", "fromAddress": origin,
                                                "workplaceId": workplace_id, "seats": 1})
    assert made.status_code == 201, made.text
    MADE_OFFERS.append((buddy, made.json()["id"]))
    assert (made.json()["fromLatitude"], made.json()["fromLongitude"]) == (51.0, 5.52)


def test_without_a_geocoder_the_app_still_works(database_url, tmp_path_factory, personas):
    """`WERKMAAT_GEOCODER=off`: an address alone gets a clear 400; coordinates always work."""
    if database_url.startswith("postgresql"):
        pytest.skip("one extra server is enough to show this")
    from conftest import build_personas

    server = start_server(database_url, tmp_path_factory.mktemp("nogeo"), WERKMAAT_SCHEDULER="off")
    try:
        p = build_personas(server)
        worker_id, _ = new_worker(p, home=None)
        off = p["coach_a"].put(f"/api/mobility/people/{worker_id}/home",
                               json={"address": unique("Stalenstraat 12, Genk")})
        assert off.status_code == 400
        assert errors_of(off) == {
            "address": "Adressen opzoeken staat uit. Vul de coördinaten in of gebruik 'Mijn locatie'."}
        typed = p["coach_a"].put(f"/api/mobility/people/{worker_id}/home",
                                 json={"address": "Stalenstraat 12, Genk", "latitude": 50.97, "longitude": 5.49})
        assert typed.status_code == 200 and typed.json()["source"] == "coach"
    finally:
        stop_server(server)
