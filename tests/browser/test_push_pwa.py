"""Push, inbox and coach reminders in real Chromium, on both databases.

The browser cannot reach a real push service here, so the page's PushManager is a small stand-in
whose subscription is a real one made on the loopback push service (tests/pushservice.py): the
server encrypts and signs for it, and the push service decrypts what arrives. The service
worker's handlers run for real: `push` through the DevTools protocol, `notificationclick` and
`pushsubscriptionchange` dispatched inside the worker.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from conftest import COACH_PASSWORD, Client, create_person

pytestmark = pytest.mark.browser

# The page's PushManager, replaced: subscribe() hands out the subscription made on the loopback
# push service and remembers it (like a browser does) until unsubscribe().
STAND_IN = """
(() => {
  if (typeof PushManager === "undefined") return;
  const SUB = %s;
  const KEY = "test.pushSubscribed";
  const make = () => ({
    endpoint: SUB.endpoint,
    expirationTime: null,
    options: null,
    toJSON: () => SUB,
    unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.getSubscription = async function () { return localStorage.getItem(KEY) ? make() : null; };
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribeOptions = {
      userVisibleOnly: options.userVisibleOnly,
      keyLength: new Uint8Array(options.applicationServerKey).length,
    };
    localStorage.setItem(KEY, "1");
    return make();
  };
})();
"""

IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.4 Mobile/15E148 Safari/604.1")


def wait_until(fn, timeout: float = 15.0, page=None):
    """Poll `fn`; with a page, Playwright keeps handling events meanwhile (DevTools protocol)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def new_worker(coach: Client, first_name: str = "Ahmed") -> dict:
    return create_person(coach, role="worker", firstName=first_name, lastName=uuid.uuid4().hex[:6])


def phone_with_push(new_context, live_server, subscription: dict | None, size: str = "phone", **extra):
    """A device that allows notifications and whose PushManager hands out `subscription`."""
    context = new_context(size, **extra)
    context.grant_permissions(["notifications"], origin=live_server.url)
    if subscription is not None:
        context.add_init_script(STAND_IN % json.dumps(subscription))
    return context


def sign_in_with_invite(page, created: dict) -> None:
    page.goto(created["invite"]["url"])
    page.get_by_role("heading", name=re.compile(f"Hallo {created['person']['firstName']}")).wait_for()


def subscription_posts(page) -> list:
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith(
        "/api/push/subscriptions") else None)
    return posts


def open_settings(page) -> None:
    page.get_by_role("navigation").get_by_role("link", name=re.compile("Instellingen")).click()
    page.get_by_role("heading", name="Instellingen", level=1).wait_for()


def no_quiet_hours(page) -> None:
    """Through the settings screen: the same time twice means no quiet hours."""
    page.get_by_label("Van", exact=True).fill("00:00")
    page.get_by_label("Tot", exact=True).fill("00:00")
    page.get_by_role("button", name="Stille uren opslaan").click()
    page.locator("#main").get_by_text("Opgeslagen: geen stille uren.").wait_for()


def registration_id(context, page, origin: str) -> str:
    """The service worker's registration id, from the DevTools protocol."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    found = {}

    def seen(params):
        for reg in params["registrations"]:
            if reg["scopeURL"] == origin + "/" and not reg.get("isDeleted"):
                found["id"] = reg["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    wait_until(lambda: "id" in found, page=page)
    return cdp, found["id"]


def notifications(page, tag: str | None = None) -> list[dict]:
    return page.evaluate("""tag => navigator.serviceWorker.ready
        .then(r => r.getNotifications(tag ? { tag } : undefined))
        .then(list => list.map(n => ({ title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon })))""", tag)


def test_turn_on_push_test_notification_and_subscribe_again_on_start(personas, push_service, live_server,
                                                                     new_context, assert_accessible):
    subscription = push_service.subscribe()
    context = phone_with_push(new_context, live_server, subscription)
    page = context.new_page()
    posts = subscription_posts(page)
    sign_in_with_invite(page, new_worker(personas["coach_a"]))

    # Asked from a tap on the home card, never on load.
    assert posts == []
    card = page.get_by_role("region", name="Meldingen op dit toestel", exact=True)
    card.get_by_role("button", name="Meldingen aanzetten").click()
    card.get_by_text("Meldingen staan aan.").wait_for()
    assert posts and len(posts) == 1
    assert page.evaluate("window.__subscribeOptions") == {"userVisibleOnly": True, "keyLength": 65}

    open_settings(page)
    page.get_by_role("button", name="Stuur me een testmelding").click()
    page.locator("#main").get_by_text("Verstuurd. Kijk naar je meldingen.").wait_for()
    [first] = push_service.wait_for(subscription["endpoint"])
    assert first.message["title"] == "Testmelding" and first.message["url"] == "/#/settings"
    assert_accessible(page, "settings with push on (phone)")

    # The next start sends the subscription again, without asking anything.
    page.reload()
    page.get_by_role("heading", name="Instellingen", level=1).wait_for()
    wait_until(lambda: len(posts) == 2, page=page)
    page.get_by_role("button", name="Stuur me een testmelding").click()
    push_service.wait_for(subscription["endpoint"], count=2)

    # The push service replaced the subscription: the service worker subscribes again by itself
    # and sends it with the CSRF token the page left in IndexedDB.
    renewed = push_service.subscribe()
    status = context.service_workers[0].evaluate("""sub => new Promise(resolve => {
        PushManager.prototype.subscribe = async () => ({ toJSON: () => sub });
        const send = self.fetch;
        self.fetch = async (url, init) => {
            const answer = await send(url, init);
            if (String(url).endsWith("/api/push/subscriptions")) resolve(answer.status);
            return answer;
        };
        self.dispatchEvent(new ExtendableEvent("pushsubscriptionchange"));
    })""", renewed)
    assert status == 201
    page.get_by_role("button", name="Stuur me een testmelding").click()
    [arrived] = push_service.wait_for(renewed["endpoint"])
    assert arrived.message["title"] == "Testmelding"

    # Turned off: the server forgets this device and the next start does not subscribe again.
    with page.expect_request(lambda r: r.url.endswith("/api/push/subscriptions/remove")) as removed:
        page.get_by_role("button", name="Meldingen uitzetten").click()
    assert json.loads(removed.value.post_data)["endpoint"] == subscription["endpoint"]
    page.get_by_role("button", name="Meldingen aanzetten").wait_for()
    page.reload()
    page.get_by_role("heading", name="Instellingen", level=1).wait_for()
    page.wait_for_timeout(1000)
    assert len(posts) == 2


def test_service_worker_shows_replaces_and_opens_notifications(personas, live_server, new_context):
    context = phone_with_push(new_context, live_server, None)
    page = context.new_page()
    sign_in_with_invite(page, new_worker(personas["coach_a"]))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp, reg_id = registration_id(context, page, live_server.url)

    def push(data: str) -> None:
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId": reg_id,
                                                      "data": data})

    message = {"title": "Straks: Atelier", "body": "Om 08:00.", "tag": "item-1", "url": "/#/inbox",
               "reminderId": "r1", "recipientId": "abc", "urgent": False}
    push(json.dumps(message))
    shown = wait_until(lambda: notifications(page, "item-1"))
    assert shown[0]["title"] == "Straks: Atelier" and shown[0]["body"] == "Om 08:00."
    assert shown[0]["data"] == {"url": live_server.url + "/#/inbox", "recipientId": "abc"}
    assert shown[0]["icon"].endswith("/icons/icon-192.png")

    # Same tag: the newer one replaces the older one.
    push(json.dumps({**message, "title": "Straks: Atelier (gewijzigd)", "urgent": True}))
    wait_until(lambda: notifications(page, "item-1")[0]["title"].endswith("(gewijzigd)"))
    assert len(notifications(page, "item-1")) == 1

    # Unreadable or empty data still shows something.
    push("dit is geen JSON{")
    fallback = wait_until(lambda: notifications(page, "werkmaat"))
    assert fallback[0]["title"] == "Werkmaat" and "nieuw bericht" in fallback[0]["body"]
    push(json.dumps({"url": "https://evil.example.com/"}))
    wait_until(lambda: len(notifications(page)) == 2 and
               notifications(page, "werkmaat")[0]["data"]["url"] == live_server.url + "/#/inbox")

    # A tap: the notification closes and the open window goes to that message in the inbox
    # (the same page: a hash change, not a reload).
    page.evaluate("window.__samePage = true")
    context.service_workers[0].evaluate("""async () => {
        const [notification] = await self.registration.getNotifications({ tag: "item-1" });
        self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
    }""")
    page.wait_for_function("() => location.hash === '#/inbox/abc'")
    assert page.evaluate("window.__samePage") is True
    page.get_by_role("heading", name="Berichten", level=1).wait_for()
    wait_until(lambda: notifications(page, "item-1") == [])


def test_coach_reminder_arrives_and_is_followed_to_acknowledged(personas, push_service, live_server, new_context,
                                                               assert_accessible):
    email = f"push.coach.{uuid.uuid4().hex[:6]}@test.werkmaat.be"
    create_person(personas["admin"], role="coach", firstName="Sofie", lastName="Peeters", email=email,
                  password=COACH_PASSWORD, organisationId=personas.org_a)
    coach_api = Client(live_server.url)
    assert coach_api.login(email, COACH_PASSWORD).status_code == 200
    created = new_worker(coach_api, "Fatma")
    worker_name = f"Fatma {created['person']['lastName']}"

    # The worker's phone: no quiet hours (so the test does not depend on the hour), push on.
    subscription = push_service.subscribe()
    phone = phone_with_push(new_context, live_server, subscription).new_page()
    sign_in_with_invite(phone, created)
    open_settings(phone)
    no_quiet_hours(phone)
    phone.get_by_role("button", name="Meldingen aanzetten").click()
    phone.get_by_role("button", name="Stuur me een testmelding").wait_for()
    assert_accessible(phone, "worker settings (phone)")

    laptop = new_context("laptop").new_page()
    laptop.goto("/#/login")
    laptop.get_by_label(re.compile("E-mail", re.I)).fill(email)
    laptop.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
    laptop.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
    laptop.get_by_role("heading", name="Mijn werknemers").wait_for()
    laptop.get_by_role("navigation").get_by_role("link", name="Herinneringen").click()
    laptop.get_by_role("heading", name="Herinneringen", level=1).wait_for()

    # Nothing filled in: said under the fields, nothing sent.
    laptop.get_by_role("button", name="Verstuur herinnering").click()
    expect(laptop.locator("#main").get_by_text("Geef de herinnering een titel.")).to_be_visible()
    expect(laptop.locator("#main").get_by_text("Kies een werknemer.")).to_be_visible()

    laptop.get_by_label("Titel").fill("Neem je ID-kaart mee")
    laptop.get_by_label(re.compile("^Tekst")).fill("Voor de VCA-toets.")
    laptop.get_by_label("Werknemer", exact=True).select_option(label=worker_name)
    laptop.get_by_role("button", name="Verstuur herinnering").click()
    laptop.locator("#main").get_by_text("Herinnering verstuurd.").wait_for()

    [received] = push_service.wait_for(subscription["endpoint"], count=1)
    assert received.message["title"] == "Neem je ID-kaart mee" and received.message["body"] == "Voor de VCA-toets."
    assert received.message["url"] == "/#/inbox" and received.message["recipientId"]

    card = laptop.locator(".reminder").filter(has_text="Neem je ID-kaart mee")
    recipient = card.locator(".recipient").filter(has_text=worker_name)
    expect(recipient).to_contain_text("Verstuurd", timeout=15_000)
    assert_accessible(laptop, "reminders (laptop)")

    # The worker: the menu says one unread message; open it (read), then the quick reply OK (acknowledged).
    phone.reload()
    inbox_link = phone.get_by_role("navigation").get_by_role("link", name=re.compile("Berichten"))
    expect(inbox_link).to_have_accessible_name(re.compile(r"Berichten\W+1 ongelezen"))
    inbox_link.click()
    phone.get_by_role("heading", name="Berichten", level=1).wait_for()
    entry = phone.get_by_role("button", name=re.compile("Neem je ID-kaart mee"))
    expect(entry).to_have_attribute("aria-expanded", "false")
    entry.click()
    expect(phone.locator("#main").get_by_text("Voor de VCA-toets.")).to_be_visible()
    expect(recipient).to_contain_text("Gelezen", timeout=15_000)
    assert_accessible(phone, "inbox with a message open (phone)")
    # The quick reply "OK" acknowledges the message.
    phone.get_by_role("button", name=re.compile("^OK")).click()
    phone.locator("#main").get_by_text("Je antwoord: OK.").wait_for()
    expect(inbox_link).to_have_accessible_name("Berichten")

    laptop.get_by_role("button", name="Vernieuw").click()
    expect(recipient).to_contain_text("Bevestigd")
    expect(card).to_contain_text("bevestigd: 1")

    # The coach's inbox and settings, and the reminders screen on a phone too.
    for size, page in (("laptop", laptop), ("phone", None)):
        if page is None:
            page = new_context("phone").new_page()
            page.goto("/#/login")
            page.get_by_label(re.compile("E-mail", re.I)).fill(email)
            page.get_by_label(re.compile("Wachtwoord", re.I)).fill(COACH_PASSWORD)
            page.get_by_role("button", name=re.compile("Aanmelden", re.I)).click()
            page.get_by_role("heading", name="Mijn werknemers").wait_for()
            page.goto("/#/reminders")
            page.get_by_role("heading", name="Herinneringen", level=1).wait_for()
            page.locator(".reminder").first.wait_for()
            page.get_by_label("Elke week").check()
            assert_accessible(page, f"reminders, weekly ({size})")
        page.goto("/#/inbox")
        page.get_by_role("heading", name="Berichten", level=1).wait_for()
        assert_accessible(page, f"inbox ({size})")
        page.goto("/#/settings")
        page.get_by_role("heading", name="Stille uren").wait_for()
        assert_accessible(page, f"settings ({size})")


def test_iphone_safari_explains_the_home_screen_first(personas, live_server, new_context):
    context = new_context("phone", user_agent=IPHONE_SAFARI)
    context.add_init_script("delete window.PushManager;")
    page = context.new_page()
    sign_in_with_invite(page, new_worker(personas["coach_a"]))
    card = page.get_by_role("region", name="Meldingen op dit toestel", exact=True)
    expect(card).to_contain_text("beginscherm")
    expect(card).to_contain_text("Zet op beginscherm")
    assert card.get_by_role("button", name="Meldingen aanzetten").count() == 0
    card.get_by_role("button", name="Later").click()
    open_settings(page)
    expect(page.get_by_role("region", name="Meldingen op dit toestel")).to_contain_text("Deel")
