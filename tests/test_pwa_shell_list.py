"""The service worker's precache list names every file of the shell: a module missing from it is not
there when the app starts without a connection, and the whole app stays on "Even geduld…"."""

from __future__ import annotations

import re
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent / "pwa"


def test_every_script_of_the_app_is_precached():
    listed = set(re.findall(r'"(/[^"]+)"', (PWA / "sw.js").read_text().split("const SHELL = [", 1)[1].split("];", 1)[0]))
    scripts = {"/" + p.relative_to(PWA).as_posix() for p in (PWA / "js").rglob("*.js")}
    assert scripts - listed == set(), "add these to SHELL in pwa/sw.js (and bump VERSION)"
    assert {"/i18n/nl.json", "/i18n/en.json", "/css/app.css"} <= listed
