"""What a worker's phone downloads: the budget of issue 13 (a cheap phone on a slow network).

- First load of the signed-in worker's Home (empty browser, only the session cookie): at most
  20 requests and 60 KB over the wire, no coach or admin module, no answer fetched twice.
- A warm start (the app opened again, the service worker in charge) draws the day last seen before
  any request reaches the network: the page comes from the service worker, and the Home is on the
  screen while the server's answer is still on its way.

The figures of each run are printed (`-s`), and the README's Performance section records them.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter

import pytest

import clock
from backend import shell
from conftest import Client, create_person, token_of

pytestmark = pytest.mark.browser
MAX_REQUESTS = 20
MAX_BYTES = 60 * 1024


def staff_modules() -> set[str]:
    built = shell.build(shell.get_settings().pwa_dir)
    worker = set(built.core) | set(built.roles["worker"])
    return (set(built.roles["coach"]) | set(built.roles["admin"])) - worker


@pytest.fixture
def worker_phone(personas):
    """A worker of coach A with a shift now and one tomorrow, signed in (the session cookie)."""
    coach = personas["coach_a"]
    created = create_person(coach, role="worker", firstName="Budget", lastName="Test", buddyId=personas.ids["buddy_a"],
                            workplaceId=personas.workplace_a)
    worker_id = created["person"]["id"]
    now = clock.local_now()
    for start, title in ((now - dt.timedelta(minutes=20), "Inpakken"), (now + dt.timedelta(days=1), "Sorteren")):
        response = coach.post("/api/schedule/items", json={
            "title": title, "kind": "shift", "workerIds": [worker_id], "startsAt": start.isoformat(),
            "endsAt": (start + dt.timedelta(hours=4)).isoformat(), "place": {"workplaceId": personas.workplace_a},
            "bring": ["safety_shoes"]})
        assert response.status_code == 201, response.text
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return phone


def signed_in_context(new_context, phone: Client, server):
    context = new_context("phone", server=server)
    context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in phone.cookies.jar])
    return context


class Traffic:
    """Every request of a page, with what it cost over the wire once finished."""

    def __init__(self, page) -> None:
        self.requests = []
        self.lock = threading.Lock()
        page.on("requestfinished", self._finished)
        page.on("requestfailed", lambda r: self.requests.append((r.url, 0, False)))

    def _finished(self, request) -> None:
        response = request.response()
        sizes = request.sizes()
        wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]  # what DevTools calls "transferred"
        from_sw = bool(response and response.from_service_worker)
        with self.lock:
            self.requests.append((request.url, 0 if from_sw else wire, from_sw))

    def network(self) -> list[tuple[str, int]]:
        return [(url, size) for url, size, from_sw in self.requests if not from_sw]


def test_a_workers_first_load_stays_within_budget(worker_phone, new_context, personas):
    server = personas.server
    context = signed_in_context(new_context, worker_phone, server)
    page = context.new_page()
    traffic = Traffic(page)
    page.goto(f"{server.url}/#/home")
    page.get_by_role("heading", level=1, name=re.compile("Budget")).wait_for()
    page.get_by_text("Inpakken").first.wait_for()
    page.wait_for_load_state("networkidle")
    loaded = traffic.network()
    paths = [re.sub(r"^https?://[^/]+", "", url) for url, _ in loaded]
    total = sum(size for _, size in loaded)
    print(f"\nworker first load: {len(loaded)} requests, {total / 1024:.1f} KB")
    for path, (_, size) in zip(paths, loaded):
        print(f"  {size / 1024:6.1f} KB  {path}")

    assert not set(paths) & staff_modules(), "a worker downloaded coach or admin code"
    api = [p for p in paths if p.startswith("/api/")]
    assert [p for p, n in Counter(api).items() if n > 1] == [], f"fetched twice: {api}"
    assert "/api/me/today" in api
    assert len(loaded) <= MAX_REQUESTS, paths
    assert total <= MAX_BYTES, f"{total / 1024:.1f} KB"


def test_a_warm_start_draws_the_last_seen_day_before_asking(worker_phone, new_context, personas):
    server = personas.server
    context = signed_in_context(new_context, worker_phone, server)
    page = context.new_page()
    page.goto(f"{server.url}/#/home")
    page.get_by_text("Inpakken").first.wait_for()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
    page.wait_for_load_state("networkidle")

    # The next start: the server's answer is held back; the day last seen is on the screen meanwhile.
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    context.route("**/api/**", hold)
    traffic = Traffic(page)
    page.reload(wait_until="commit")
    page.get_by_text("Inpakken").first.wait_for(timeout=10_000)
    network_before = [url for url, _ in traffic.network()]
    asked = [route.request.url for route in held]
    released.append(True)
    for route in held:
        route.continue_()
    navigation = [r for r in traffic.requests if re.sub(r"^https?://[^/]+", "", r[0]) in ("/", "/#/home")]
    assert all(from_sw for _, _, from_sw in navigation), "the page itself came from the service worker"
    assert [u for u in network_before if "/api/" in u] == [], network_before
    assert not [u for u in network_before if "/js/" in u or "/css/" in u or "/i18n/" in u], network_before
    page.wait_for_load_state("networkidle")
    assert any("/api/me/today" in url for url in asked), "and then it asks for the current day"
