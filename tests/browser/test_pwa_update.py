"""An installed phone gets the new app: change a file of the shell, and the phone runs the new file.

The server serves a copy of pwa/ (`WERKMAAT_PWA_DIR`) that the test changes as a deploy would. The
service worker's version is a hash of the shell's files (backend/shell.py), so the change gives a new
service worker; it waits, then takes over when the person taps "Nieuwe versie: tik om te vernieuwen"
or at the next start, never while they are typing in a form. The outbox (IndexedDB) survives it:
an "Ik ben er" that could not be sent before the update is sent once after it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

import clock
from conftest import build_personas, create_person, wait_until

pytestmark = pytest.mark.browser
PWA = Path(__file__).resolve().parent.parent.parent / "pwa"
BAR = "Nieuwe versie: tik om te vernieuwen"


@pytest.fixture
def deployed(server_at, tmp_path):
    """A server on a copy of pwa/, and a worker with a shift now."""
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy)
    server = server_at(clock.now(), WERKMAAT_PWA_DIR=str(copy))
    p = build_personas(server)
    created = create_person(p["coach_a"], role="worker", firstName="Noor", lastName="Update", workplaceId=p.workplace_a)
    start = clock.local_now() - dt.timedelta(minutes=30)
    shift = p["coach_a"].post("/api/schedule/items", json={
        "title": "Sorteren", "kind": "shift", "workerIds": [created["person"]["id"]], "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=4)).isoformat(), "place": {"workplaceId": p.workplace_a}})
    assert shift.status_code == 201, shift.text
    return {"server": server, "pwa": copy, "p": p, "invite": created["invite"]["url"],
            "worker_id": created["person"]["id"], "item_id": shift.json()["id"]}


def deploy(pwa: Path, marker: str) -> None:
    """A new version of one shell file, as a deploy replaces it (a line of code: the server leaves
    comments out of the scripts it serves, backend/assets.py)."""
    path = pwa / "js" / "unread.js"
    path.write_text(path.read_text() + f"\nexport const DEPLOYED = {marker!r};\n")


def served_router(page) -> str:
    """/js/unread.js as the page gets it (through the service worker)."""
    return page.evaluate("fetch('/js/unread.js').then((r) => r.text())")


def router_now(page) -> str:
    """As served_router, while the page may be reloading (the new version takes over by reloading)."""
    from playwright.sync_api import Error

    try:
        return served_router(page)
    except Error:
        return ""


def controlled(page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)


def check_for_update(page) -> None:
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")


def test_a_changed_file_reaches_the_phone_and_the_outbox_survives(deployed, new_context, assert_accessible):
    server, p = deployed["server"], deployed["p"]
    context = new_context("phone", server=server)
    page = context.new_page()
    page.goto(deployed["invite"])
    page.get_by_role("heading", level=1).wait_for()
    controlled(page)
    first = page.evaluate("caches.keys()")
    assert len([c for c in first if c.startswith("werkmaat-shell-")]) == 1, first

    # "Ik ben er" that cannot reach the server: it waits in the outbox.
    context.route("**/check-in", lambda route: route.abort())
    page.evaluate("""(id) => import('/js/outbox.js').then((m) => m.queue({kind: 'checkIn',
        path: `/api/schedule/items/${id}/check-in`, itemId: id, label: 'Sorteren', timed: true}))""",
                  deployed["item_id"])
    assert [e["state"] for e in page.evaluate("import('/js/outbox.js').then((m) => m.pending())")] == ["waiting"]

    # A deploy: the phone still runs the version it has, until the new one is ready and asked for.
    deploy(deployed["pwa"], "version two")
    assert "version two" not in served_router(page)
    check_for_update(page)
    bar = page.get_by_role("button", name=BAR)
    bar.wait_for(timeout=20_000)
    assert_accessible(page, "update bar")
    box = bar.bounding_box()
    assert box["height"] >= 48 and box["y"] + box["height"] <= 640, box
    with page.expect_navigation():
        bar.click()
    page.get_by_role("heading", level=1).wait_for()
    assert "version two" in served_router(page)
    caches = [c for c in page.evaluate("caches.keys()") if c.startswith("werkmaat-shell-")]
    assert len(caches) == 1 and caches != first, "the old version's copy is gone"

    # The outbox came through the update; once the server is reachable the check-in goes out, once.
    assert [e["itemId"] for e in page.evaluate("import('/js/outbox.js').then((m) => m.pending())")] == [deployed["item_id"]]
    context.unroute("**/check-in")
    page.reload()
    attendance = f"/api/schedule/items/{deployed['item_id']}/attendance/{deployed['worker_id']}"
    wait_until(lambda: p["coach_a"].get(attendance).json()["status"], 30, "the check-in sent after the update")
    wait_until(lambda: page.evaluate("import('/js/outbox.js').then((m) => m.pending())") == [], 10, "an empty outbox")
    detail = p["coach_a"].get(attendance)
    assert detail.json()["status"] in ("present", "late"), detail.text
    assert len([c for c in detail.json()["history"] if c["newStatus"] in ("present", "late")]) == 1


@pytest.mark.xfail(strict=False, reason="known: passes alone; with the CPU busy (two busy loops, or the full suite) the takeover "
                   "at the next start sometimes does not come within 45 s: the app posts werkmaat:activate to the "
                   "installed worker, but it stays waiting, even when asked again (seen 2026-12-04, mostly when it is "
                   "the second test of its browser); the service worker now keeps itself alive for skipWaiting "
                   "(failures 5 of 6 -> 1 of 6 runs under load); under investigation")
def test_the_new_version_waits_while_typing_and_takes_over_at_the_next_start(deployed, new_context):
    context = new_context("phone", server=deployed["server"])
    page = context.new_page()
    page.goto(deployed["invite"])
    page.get_by_role("heading", level=1).wait_for()
    controlled(page)

    # Typing in "Ik kom te laat" when the new version arrives: nothing reloads, the bar waits.
    page.goto(f"{deployed['server'].url}/#/late")
    field = page.locator("#main textarea, #main input[type=text]").first
    field.fill("De bus was te laat")
    deploy(deployed["pwa"], "version three")
    check_for_update(page)
    page.get_by_role("button", name=BAR).wait_for(timeout=20_000)
    page.wait_for_timeout(1500)
    assert page.locator("#main textarea, #main input[type=text]").first.input_value() == "De bus was te laat"
    assert "version three" not in served_router(page)

    # The next start: the waiting version takes over before anyone types, without a tap.
    page.goto(f"{deployed['server'].url}/#/home")
    page.reload()
    wait_until(lambda: "version three" in router_now(page), 45, "the new version after the next start")
    page.get_by_role("heading", level=1).wait_for()
    assert page.get_by_role("button", name=BAR).count() == 0
    assert re.search(r"#/home$", page.url)
