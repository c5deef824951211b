"""Browser fixtures: the system's Chromium driven by Playwright, phone-sized contexts, axe-core."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import fresh_address  # noqa: E402 - loaded as a plugin by tests/conftest.py

CHROMIUM = os.environ.get("WERKMAAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}


def speech_stub(voices: list[str] | None = None) -> str:
    """An init script that replaces speechSynthesis: what "Lees voor" would say is recorded in
    `window.__spoken` with its language tag (and voice). With `voices` (language tags) the phone
    has exactly those voices; without, the browser's own list stands."""
    stub_voices = "" if voices is None else """
  const voices = %s.map((lang) => ({ lang, name: 'Voice ' + lang, localService: true, default: false, voiceURI: lang }));
  // Plain objects stand for the voices, so the utterance is a plain object too.
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.lang = ""; this.voice = null; } };
  window.speechSynthesis.getVoices = () => voices;""" % json.dumps(voices)
    return """
window.__spoken = [];
if ("speechSynthesis" in window) {%s
  window.speechSynthesis.speak = (u) => {
    window.__spoken.push({ text: u.text, lang: u.lang, voice: u.voice ? u.voice.lang : null });
    setTimeout(() => u.onend && u.onend(), 0);
  };
  window.speechSynthesis.cancel = () => {};
}
""" % stub_voices


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (each a separate 'device'); closed after the test."""
    contexts = []

    def make(size: str = "phone", language: str = "nl-BE", server=None, **extra):
        """A context on `server` (default: the session's live server) whose pages' clock is that
        server's clock (Playwright's clock: Date, timers), not the machine's."""
        server = server or live_server
        options = dict(PHONE if size == "phone" else LAPTOP)
        options.update(locale=language, timezone_id="Europe/Brussels", base_url=server.url,
                       extra_http_headers={"X-Forwarded-For": fresh_address()})
        options.update(extra)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        context.clock.install(time=server.now())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def serious_violations(page) -> list[str]:
    """axe-core violations of impact serious or critical on the current page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


@pytest.fixture
def assert_accessible():
    def check(page, label: str = "") -> None:
        problems = serious_violations(page)
        assert not problems, f"axe on {label or page.url}:\n" + "\n".join(problems)

    return check
