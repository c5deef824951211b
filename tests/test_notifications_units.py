"""The pure parts of `notifications`: endpoint allow-list, VAPID reuse, payload headers, quiet
hours, backoff, and the scheduler's failure isolation. No server needed."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from py_vapid import Vapid02

from conftest import run_async
from notifications import payload
from notifications.dispatcher import DispatchConfig, backoff
from notifications.endpoints import EndpointRefused, check_endpoint
from notifications.quiet import end_of_quiet
from notifications.scheduler import Job, build_scheduler, stop
from notifications.vapid import VapidSigner

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.timezone.utc


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc", "https://updates.push.services.mozilla.com/wpush/v2/x",
    "https://web.push.apple.com/abc", "https://db5p.notify.windows.com/w/?token=x",
])
def test_browser_push_services_are_allowed(endpoint):
    assert check_endpoint(endpoint) == endpoint


@pytest.mark.parametrize("endpoint, reason", [
    ("https://fcm.googleapis.com.evil.com/x", "unknown_push_service"),
    ("https://evilfcm.googleapis.com.example/x", "unknown_push_service"),
    ("http://fcm.googleapis.com/x", "https_required"),
    ("https://127.0.0.1:8765/push/1", "unknown_push_service"),
    ("http://127.0.0.1:8765/push/1", "https_required"),
    ("https://[::1]/x", "unknown_push_service"),
    ("javascript:alert(1)", "not_a_url"),
    ("https://fcm.googleapis.com/fcm/send/a b", "not_a_url"),
    ("https://fcm.googleapis.com/fcm/send/a\r\nX-Injected: 1", "not_a_url"),
    ("https://fcm.googleapis.com/fcm/send/é", "not_a_url"),
])
def test_everything_else_is_refused(endpoint, reason):
    with pytest.raises(EndpointRefused) as exc:
        check_endpoint(endpoint)
    assert str(exc.value) == reason


def test_configured_test_host_allows_plain_http_only_on_loopback():
    assert check_endpoint("http://127.0.0.1:8765/push/1", ("127.0.0.1:8765",))
    with pytest.raises(EndpointRefused):
        check_endpoint("http://127.0.0.1:9999/push/1", ("127.0.0.1:8765",))
    with pytest.raises(EndpointRefused):
        check_endpoint("http://push.example.org/x", ("push.example.org",))
    assert check_endpoint("https://push.example.org/x", ("push.example.org",))


def test_vapid_header_is_signed_once_per_push_service_and_renewed_near_expiry():
    key = Vapid02()
    key.generate_keys()
    signer = VapidSigner(key, "mailto:test@werkmaat.invalid")
    now = 1_800_000_000.0
    first = signer.headers_for("https://fcm.googleapis.com", now)
    assert signer.headers_for("https://fcm.googleapis.com", now + 3600) == first
    signer.headers_for("https://web.push.apple.com", now)
    assert signer.signatures == 2
    renewed = signer.headers_for("https://fcm.googleapis.com", now + 11.5 * 3600)
    assert renewed != first and signer.signatures == 3


def test_ttl_is_never_zero_and_urgency_follows_the_event():
    now = dt.datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert payload.ttl_seconds(now - dt.timedelta(hours=1), now) == payload.MIN_TTL
    assert payload.ttl_seconds(now + dt.timedelta(hours=2), now) == 7200
    assert payload.ttl_seconds(now + dt.timedelta(days=90), now) == payload.MAX_TTL
    assert payload.urgency(False, now + dt.timedelta(minutes=30), now) == "high"
    assert payload.urgency(False, now + dt.timedelta(hours=3), now) == "normal"
    assert payload.urgency(True, None, now) == "high"


def test_topic_is_short_stable_and_url_safe():
    topic = payload.topic_for("item:abc:def")
    assert topic == payload.topic_for("item:abc:def") and len(topic) <= 32
    assert all(c.isalnum() or c in "-_" for c in topic)
    assert topic != payload.topic_for("item:abc:xyz")


def test_templates_render_in_each_language():
    params = {"title": "Productie", "time": "08:00", "place": "Henry Fordlaan 8", "bring": ["safety_shoes", "lunch"]}
    assert payload.render("evening_before", params, "", "", "nl") == (
        "Morgen: Productie", "Om 08:00. Henry Fordlaan 8. Neem mee: veiligheidsschoenen, lunch.")
    assert payload.render("evening_before", params, "", "", "en")[1].endswith("Bring: safety shoes, lunch.")
    assert payload.render(None, {}, "Eigen titel", "Eigen tekst", "en") == ("Eigen titel", "Eigen tekst")


@pytest.mark.parametrize("local, expected", [
    ("2027-03-01 22:30", "2027-03-02 07:00"),   # inside, before midnight
    ("2027-03-02 06:59", "2027-03-02 07:00"),   # inside, after midnight
    ("2027-03-02 07:00", "2027-03-02 07:00"),   # the window has ended
    ("2027-03-01 20:59", "2027-03-01 20:59"),   # before the window
    ("2027-03-27 23:00", "2027-03-28 07:00"),   # across the spring change: 07:00 local still
])
def test_quiet_hours_end(local, expected):
    at = dt.datetime.fromisoformat(local).replace(tzinfo=BRUSSELS).astimezone(UTC)
    result = end_of_quiet(at, "21:00", "07:00").astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M")
    assert result == expected


def test_backoff_grows_with_jitter_and_honours_retry_after():
    config = DispatchConfig(signer=None)
    delays = [backoff(config, attempt, None) for attempt in range(1, 7) for _ in range(50)]
    assert all(1.0 <= d <= config.max_backoff for d in delays)
    assert max(backoff(config, 6, None) for _ in range(200)) > config.base_backoff * 4
    assert backoff(config, 1, 120.0) >= 120.0


def test_a_failing_job_is_logged_and_the_others_keep_running(caplog):
    counts = {"good": 0, "bad": 0}

    async def good():
        counts["good"] += 1

    async def bad():
        counts["bad"] += 1
        raise RuntimeError("boom")

    async def run():
        scheduler = build_scheduler([Job("good", good, 0.05), Job("bad", bad, 0.05)])
        scheduler.start()
        await asyncio.sleep(0.5)
        await stop(scheduler)
        return {job.id for job in scheduler.get_jobs()}

    run_async(run())
    assert counts["bad"] >= 3 and counts["good"] >= 3, counts
    assert "Job bad failed" in caplog.text


def test_a_job_may_run_soon_after_start_instead_of_after_its_interval():
    runs = []

    async def note():
        runs.append("soon")

    async def run():
        scheduler = build_scheduler([Job("soon", note, 3600, first_after=0.1), Job("later", note, 3600)])
        scheduler.start()
        await asyncio.sleep(0.6)
        await stop(scheduler)

    run_async(run())
    assert runs == ["soon"]


# --- texts and the 4,096-byte rule (issue 11, part 3) ---------------------------------------------

def test_templates_leave_no_double_space_and_name_the_place():
    params = {"title": "Productie", "time": "08:00", "place": "", "bring": ["safety_shoes"]}
    assert payload.render("before_start", params, "", "", "nl") == ("Straks: Productie",
                                                                     "Om 08:00. Neem mee: veiligheidsschoenen.")
    assert payload.render("evening_before", {**params, "bring": []}, "", "", "en") == ("Tomorrow: Productie",
                                                                                       "At 08:00.")
    named = {**params, "place": "Atelier Noord, Industrieweg 12, 3600 Genk"}
    assert payload.render("evening_before", named, "", "", "nl")[1] == (
        "Om 08:00. Atelier Noord, Industrieweg 12, 3600 Genk. Neem mee: veiligheidsschoenen.")
    assert payload.render("before_start", named, "", "", "en")[1] == (
        "At 08:00. Atelier Noord, Industrieweg 12, 3600 Genk. Bring: safety shoes.")


def _longest_reminder() -> tuple[str, str]:
    """The longest title and body the coach's reminder form accepts, full of 4-byte emoji, emoji
    joined by ZWJ, skin tones, flags and letters of two and three bytes."""
    import msgspec

    from backend.reminders.schemas import ReminderIn

    props = msgspec.json.schema(ReminderIn)["$defs"]["ReminderIn"]["properties"]
    title = ("🦺🚧😀🙂🤝🏾👷🏽🪪" * 40)[:props["title"]["maxLength"]]
    body = ("😀🦺🪪🙂🚧🤝🏾👩🏽‍🔧🇧🇪😀🦺ẞé🙂 " * 100)[:props["body"]["maxLength"]]
    return title, body


def _subscription():
    """A browser's key pair and auth secret, and the subscription info pywebpush takes."""
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")  # noqa: E731
    return key, auth, {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": b64(public),
                                                                                     "auth": b64(auth)}}


def _encrypt(data: str, info: dict) -> bytes:
    from pywebpush import WebPusher

    return WebPusher(info).encode(data.encode("utf-8"), "aes128gcm")["body"]


def test_the_longest_reminder_fits_one_4096_byte_aes128gcm_record():
    import http_ece

    key, auth, info = _subscription()
    title, body = _longest_reminder()
    ids = ("3f0e8a2c-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d")
    naive = json.dumps({"title": title, "body": body, "tag": "t" * 32, "url": "/#/inbox", "reminderId": ids[0],
                        "recipientId": ids[1], "urgent": False}, ensure_ascii=False)
    assert len(_encrypt(naive, info)) > 4096, "the input really is too long for one push"

    data = payload.message(title, body, "t" * 32, "/#/inbox", *ids, False)
    encrypted = _encrypt(data, info)
    assert len(encrypted) <= 4096
    assert len(encrypted) == len(data.encode()) + payload.AES128GCM_OVERHEAD, "one record: header, text, delimiter, tag"
    assert int.from_bytes(encrypted[16:20], "big") == 4096, "record size 4096 in the header"
    message = json.loads(http_ece.decrypt(encrypted, private_key=key, auth_secret=auth, version="aes128gcm"))
    assert message["title"] == title and message["url"] == "/#/inbox" and message["reminderId"] == ids[0]
    short = message["body"]
    assert short.endswith("…") and len(short) < len(body)
    kept = short[:-1]
    assert body.startswith(kept)
    after = body[len(kept):]
    # Not cut inside a grapheme: no lone skin tone, joiner or half flag on either side of the cut.
    assert not kept.endswith("\u200d") and not after.startswith(("\u200d", "\U0001F3FD", "\U0001F3FE", "\ufe0f"))
    assert sum(1 for ch in kept if 0x1F1E6 <= ord(ch) <= 0x1F1FF) % 2 == 0
    # At most a word (up to 30 characters back to a space) and one grapheme shorter than it may be.
    assert len(data.encode()) > payload.MAX_PLAINTEXT - 30 * 4 - 20


def test_short_messages_are_sent_as_they_are_and_escapes_count():
    data = payload.message("Neem je ID-kaart mee", "Voor de VCA-toets.\n\"Niet vergeten\"", "t", "/#/inbox",
                           "r", "p", True)
    assert json.loads(data) == {"title": "Neem je ID-kaart mee", "body": "Voor de VCA-toets.\n\"Niet vergeten\"",
                                "tag": "t", "url": "/#/inbox", "reminderId": "r", "recipientId": "p",
                                "urgent": True}
    # Control characters take six bytes each in JSON: the cut counts the encoded size, not the text.
    escaped = payload.message("x", "\x01" * 1000, "t" * 32, "/#/inbox", "r" * 36, "p" * 36, False)
    assert len(escaped.encode()) <= payload.MAX_PLAINTEXT and json.loads(escaped)["body"].endswith("…")


@pytest.mark.parametrize("text, budget, expected", [
    ("ab👩🏽‍🔧", 14, "ab…"),                # the worker emoji (15 bytes) is kept whole or not at all
    ("ab👩🏽‍🔧cdef", 20, "ab👩🏽‍🔧…"),
    ("🇧🇪🇳🇱", 15, "🇧🇪…"),                 # never half a flag
    ("Cafe\u0301 open", 9, "Cafe\u0301…"),   # the accent stays on its letter
    ("Cafe\u0301 open", 8, "Caf…"),
    ("Neem je identiteitskaart mee naar de toets", 33, "Neem je identiteitskaart mee…"),  # at a space nearby
    ("Neem je identiteitskaart mee", 27, "Neem je identiteitskaart…"),  # not at a space far back
])
def test_shortening_cuts_between_graphemes(text, budget, expected):
    result = payload.shorten(text, lambda cut: len(cut.encode()) <= budget)
    assert result == expected


# --- encryption (issue 14: pushes at the pace of the cryptography) ---------------------------------

def test_lean_encryption_is_read_by_an_independent_implementation():
    """notifications.webpush encrypts as RFC 8291 says; http_ece (what pywebpush uses) decrypts it."""
    import http_ece

    from notifications import webpush

    key, auth, info = _subscription()
    keys = webpush.keys_for(info["keys"]["p256dh"], info["keys"]["auth"])
    data = payload.message("Morgen: Productie", "Om 08:00. Neem mee: veiligheidsschoenen. 🦺", "t" * 32,
                           "/#/inbox", "r", "p", False).encode()
    first, second = webpush.encrypt(data, keys), webpush.encrypt(data, keys)
    for body in (first, second):
        assert http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm") == data
        assert len(body) == len(data) + payload.AES128GCM_OVERHEAD
        assert int.from_bytes(body[16:20], "big") == 4096 and body[20] == 65
    assert first[:16] != second[:16], "a new salt for every message"
    assert first[21:86] != second[21:86], "a new ephemeral key for every message"
    longest = payload.message(*_longest_reminder(), "t" * 32, "/#/inbox", "r" * 36, "p" * 36, False).encode()
    assert len(webpush.encrypt(longest, keys)) <= 4096


def test_subscription_keys_are_parsed_once_and_bad_ones_refused():
    from notifications import webpush

    _, _, info = _subscription()
    cache = webpush.KeyCache(size=2)
    parsed = cache.get(info["keys"]["p256dh"], info["keys"]["auth"])
    assert cache.get(info["keys"]["p256dh"], info["keys"]["auth"]) is parsed
    for _ in range(3):
        cache.get(_subscription()[2]["keys"]["p256dh"], info["keys"]["auth"])
    assert len(cache._keys) == 2, "bounded"
    not_on_curve = "B" + "A" * 86
    for p256dh, auth in ((not_on_curve, info["keys"]["auth"]), (info["keys"]["p256dh"], "AAAA"), ("!!", "")):
        with pytest.raises(webpush.BadSubscriptionKeys):
            webpush.SubscriptionKeys.parse(p256dh, auth)


def test_a_subscription_with_bad_keys_fails_without_a_post():
    """transport.send refuses to post what it cannot encrypt, and says why (the delivery fails, final)."""
    from notifications import transport

    class NoClient:
        def post(self, *args, **kwargs):  # pragma: no cover - must not be reached
            raise AssertionError("posted")

    key = Vapid02()
    key.generate_keys()
    outcome = run_async(transport.send(NoClient(), VapidSigner(key, "mailto:a@b.be"),
                                       "https://fcm.googleapis.com/fcm/send/x", "B" + "A" * 86, "A" * 22, "{}",
                                       ttl=60, urgency="high", topic="t"))
    assert outcome.kind == "failed" and outcome.error.startswith("encrypt:")


# --- the push HTTP client (notifications.http1) ----------------------------------------------------

def _raw_server(answers: list[bytes], delay: float = 0.0):
    """A TCP server on loopback that reads one request head and body per answer and writes the answer
    as given (bytes exactly), closing after an answer that says so; returns (server, port, requests)."""
    requests: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")][0])
                requests.append(head + await reader.readexactly(length))
                if delay:
                    await asyncio.sleep(delay)
                answer = answers.pop(0)
                writer.write(answer)
                await writer.drain()
                if b"close" in answer.lower() or b"content-length" not in answer.lower() and b"chunked" not in answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def start():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return server, server.sockets[0].getsockname()[1]

    return start, requests


def test_push_http_client_reads_every_framing_and_reuses_connections():
    from urllib.parse import urlsplit

    from notifications import http1

    answers = [b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nLocation: /m/1\r\n\r\n",
               b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nTransfer-Encoding: chunked\r\n"
               b"\r\n4\r\nslow\r\n5;x=y\r\n down\r\n0\r\n\r\n",
               b"HTTP/1.1 410 Gone\r\nConnection: close\r\nContent-Length: 4\r\n\r\ngone"]
    start, requests = _raw_server(answers)

    async def run():
        server, port = await start()
        client = http1.PushHTTP(limit=4, limit_per_host=2)
        url = urlsplit(f"http://127.0.0.1:{port}/push/abc?x=1")
        got = [await client.post(url, {"TTL": "60"}, b"secret", 5, 5) for _ in range(3)]
        await client.close()
        server.close()
        return got

    first, second, third = run_async(run())
    assert (first.status, first.headers["location"], first.keep_alive) == (201, "/m/1", True)
    assert (second.status, second.headers["retry-after"], second.body) == (429, "7", b"slow down")
    assert (third.status, third.body, third.keep_alive) == (410, b"gone", False)
    assert len(requests) == 3, "all three on one kept-alive connection"
    assert requests[0].startswith(b"POST /push/abc?x=1 HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nContent-Length: 6\r\nTTL: 60\r\n\r\nsecret" in requests[0]


def test_push_http_client_times_the_connection_apart_from_the_answer_and_refuses_odd_targets():
    from urllib.parse import urlsplit

    from notifications import http1

    start, _ = _raw_server([b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"], delay=1.0)

    async def run():
        server, port = await start()
        client = http1.PushHTTP(limit=1, limit_per_host=1)
        url = urlsplit(f"http://127.0.0.1:{port}/push/abc")
        slow = asyncio.create_task(client.post(url, {}, b"x", 5, 0.3))
        await asyncio.sleep(0.05)
        waiting = client.post(url, {}, b"x", 0.1, 5)  # the one connection is taken: no slot in time
        results = await asyncio.gather(slow, waiting, return_exceptions=True)
        with pytest.raises(ValueError):
            await client.post(urlsplit(f"http://127.0.0.1:{port}/push/a b"), {}, b"x", 1, 1)
        await client.close()
        server.close()
        return results

    slow, waiting = run_async(run())
    assert isinstance(slow, http1.AnswerTimeout) and isinstance(waiting, http1.ConnectTimeout)
