"""The service worker's version and precache lists come from the shell's files (backend/shell.py).

- Every script under pwa/js is kept by the service worker for the roles that use it: a module missing
  from the lists is not there when the app starts without a connection, and the app stays on
  "Even geduld…".
- A worker's lists hold no coach or admin screen, and index.html preloads only start-up modules.
- Any change to any shell file gives another version, so installed phones get the new files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from backend import shell

PWA = Path(__file__).resolve().parent.parent / "pwa"
STAFF_SCREENS = {"/js/views/" + name for name in (
    "admin.js", "audit.js", "caseload.js", "coach.js", "coachReports.js", "groups.js", "impact.js", "mobility.js",
    "person.js", "personForm.js", "plan.js", "reminders.js", "templates.js", "workerFile.js", "attendance.js")}


@pytest.fixture(scope="module")
def built() -> shell.Shell:
    return shell.build(PWA)


def test_every_script_of_the_app_is_kept_for_the_roles_that_use_it(built):
    kept = set(built.core).union(*built.roles.values())
    scripts = {"/" + p.relative_to(PWA).as_posix() for p in (PWA / "js").rglob("*.js")}
    # Screens only a signed-out visitor opens (the sign-in and reset screens) are kept when opened.
    assert scripts - kept - {"/js/views/signin.js", "/js/views/reset.js"} == set(), \
        "a module no route reaches: give it a route in js/app.js ROUTES, or import it from a screen"
    assert {"/", "/offline.html", "/css/app.css", "/js/app.js"} <= set(built.core)
    for role in shell.ROLES:
        assert built.roles[role], f"no screens found for {role} in js/app.js ROUTES"
    assert "/js/views/plan.js" in built.roles["coach"] and "/js/views/audit.js" in built.roles["admin"]


def test_a_worker_never_loads_coach_or_admin_code(built):
    workers = set(built.core) | set(built.roles["worker"])
    assert workers & STAFF_SCREENS == set(), "a worker screen imports staff code"
    assert STAFF_SCREENS <= set(built.roles["coach"]) | set(built.roles["admin"])
    page = shell.index_page().decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page))
    assert preloaded and preloaded <= set(built.preload)
    assert not any(url.startswith("/js/views/") for url in preloaded), "index.html preloads no screen"
    assert shell.PRELOAD_MARK not in page
    # Signed in as a worker: the Home's own modules and the worker's words too, still nothing of staff.
    mine = shell.index_page("worker", "en").decode()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', mine))
    assert set(built.home["worker"]) <= preloaded and not preloaded & STAFF_SCREENS
    assert '<link rel="preload" href="/catalogue/en/worker.json" as="fetch" crossorigin>' in mine


def test_the_service_worker_carries_the_lists_and_the_version(built):
    served = shell.service_worker().decode()
    line = next(line for line in served.splitlines() if line.startswith("const BUILD = "))
    build = json.loads(line.removeprefix("const BUILD = ").removesuffix(";"))
    assert build["version"] == built.version and build["core"] == list(built.core)
    assert build["roles"]["worker"] == list(built.roles["worker"])
    on_disk = (PWA / "sw.js").read_text()
    assert 'const BUILD = {"version":"dev"' in on_disk and "VERSION" not in on_disk, "no hand-bumped version"


@pytest.mark.parametrize("change", ["js/views/week.js", "css/app.css", "i18n/nl.json", "index.html", "sw.js",
                                    "icons/icon.svg"])
def test_any_change_to_the_shell_gives_a_new_version(tmp_path, change):
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy)
    before = shell.build(copy).version
    assert shell.build(copy).version == before, "the same files, the same version"
    path = copy / change
    path.write_bytes(path.read_bytes() + b"\n")
    assert shell.build(copy).version != before


def test_a_new_screen_is_found_from_its_route(tmp_path):
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy)
    (copy / "js/views/helper.js").write_text("export const x = 1;\n")
    (copy / "js/views/extra.js").write_text('import { x } from "./helper.js";\nexport function extraView() { return x; }\n')
    app = (copy / "js/app.js").read_text()
    app = app.replace('  worker: [\n', '  worker: [\n    ["/extra", screen(() => import("./views/extra.js"), "extraView")],\n', 1)
    (copy / "js/app.js").write_text(app)
    built = shell.build(copy)
    assert {"/js/views/extra.js", "/js/views/helper.js"} <= set(built.roles["worker"])
    assert "/js/views/extra.js" not in built.roles["coach"]


def test_each_role_gets_the_words_its_screens_use(built):
    catalogue = json.loads((PWA / "i18n" / "nl.json").read_text())
    for part, keys in built.keys.items():
        assert keys <= set(catalogue), part
        served = json.loads(shell.catalogue_part("en", part))
        assert set(served) == set(keys) - (set(keys) - set(json.loads((PWA / "i18n" / "en.json").read_text())))
    worker = built.keys["worker"]
    assert {"checkin.button", "nav.home", "common.loading", "update.available", "bring.safety_shoes"} <= worker
    staff_words = {k for k in worker if k.split(".")[0] in ("impact", "audit", "caseload", "plan") and not k.endswith(".nav")}
    assert staff_words == set(), "coach and admin words stay off the worker's phone"
    assert len(worker) < len(catalogue) * 0.6
    assert {"signin.sessionEnded", "error.offline"} <= built.keys["signedOut"]
    assert shell.catalogue_part("xx", "worker") is None and shell.catalogue_part("nl", "nobody") is None


def test_the_precache_does_not_grow_with_the_languages(built):
    """Issue 13's budget: a phone keeps the words of its own language only (the service worker is
    registered with it, `/sw.js?role=worker&lang=ar`), never all eight catalogues."""
    assert len(shell.LANGUAGES) == 8
    for urls in (built.core, *built.roles.values()):
        assert not [u for u in urls if u.startswith(("/catalogue/", "/i18n/"))], "no catalogue in the shared lists"
    served = shell.service_worker().decode()
    build = json.loads(next(line for line in served.splitlines() if line.startswith("const BUILD = "))
                       .removeprefix("const BUILD = ").removesuffix(";"))
    assert build["languages"] == list(shell.LANGUAGES)
    assert "wordsOf(LANG, ROLE)" in served, "the install keeps the one language the page names"
    # Someone signed in in Arabic gets the page right to left from the first paint.
    assert '<html lang="ar" dir="rtl">' in shell.index_page("worker", "ar").decode()
    assert '<html lang="nl">' in shell.index_page("worker", "nl").decode()


def test_a_language_without_its_catalogue_is_served_in_dutch(tmp_path, monkeypatch):
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy)
    for lang in ("fr", "ar", "tr", "pl", "ro", "uk"):
        (copy / "i18n" / f"{lang}.json").unlink(missing_ok=True)
    nl = json.loads((copy / "i18n" / "nl.json").read_text())
    # A catalogue that lacks one key: that key in Dutch, the others its own.
    (copy / "i18n" / "fr.json").write_text(json.dumps({"signin.title": "Connexion"}))
    monkeypatch.setattr(shell, "get_settings", lambda: type("S", (), {"pwa_dir": copy})())
    monkeypatch.setattr(shell, "_current", None)
    polish = json.loads(shell.catalogue_part("pl", "signedOut"))
    assert polish["signin.codeSubmit"] == nl["signin.codeSubmit"]
    french = json.loads(shell.catalogue_part("fr", "signedOut"))
    assert french["signin.title"] == "Connexion" and french["signin.codeSubmit"] == nl["signin.codeSubmit"]
