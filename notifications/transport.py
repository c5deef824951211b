"""Sending one push, and saying what happened. Nothing here touches the database.

How long a message can be in flight is bounded, and the bound is what the dispatcher's lease is
measured against: getting a connection (a free slot in the pool, or a new one with its TCP and TLS
set-up) is timed on its own (`Timeouts.connect`), so a message that waited for a connection still
gets the whole `Timeouts.request` to be posted and answered. A request cut off by its timeout after
the push service read it may still be delivered, and its retry then arrives twice: that is what these
timeouts and the pool's size (`new_client`, as large as the dispatcher's concurrency) exist to avoid.
The HTTP client is `notifications.http1` (why not aiohttp: see there).
"""

from __future__ import annotations

import email.utils
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from notifications import http1, webpush
from notifications.vapid import VapidSigner

log = logging.getLogger("werkmaat.push")
CONFIG_ERRORS = {400, 401, 403, 413}


@dataclass(frozen=True)
class Timeouts:
    """Seconds for each phase of one push; `in_flight` is the longest a message can be out."""

    connect: float = 5.0
    request: float = 15.0

    @property
    def in_flight(self) -> float:
        return self.connect + self.request


def new_client(limit: int, limit_per_host: int) -> http1.PushHTTP:
    """A client whose pool holds as many connections as the dispatcher sends at once (in all, and to
    one push service), so no send ever waits for a connection that another send holds."""
    return http1.PushHTTP(limit, limit_per_host)


@dataclass(frozen=True)
class Outcome:
    """`kind`: sent, gone (subscription dead), retry (try later) or failed (will not work)."""

    kind: str
    status: int | None = None
    retry_after: float | None = None
    error: str = ""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def origin_of(endpoint: str) -> str:
    """`scheme://host[:port]` of an endpoint: one push service."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


async def send(client: http1.PushHTTP, signer: VapidSigner, endpoint: str, p256dh: str, auth: str,
               data: str, ttl: int, urgency: str, topic: str, timeouts: Timeouts = Timeouts()) -> Outcome:
    """Encrypt (aes128gcm) and post one message; classify the push service's answer.

    The TTL is always set (a push service keeps a message with TTL 0 only while the phone is
    online: pywebpush's default), and redirects are never followed: the message goes to the
    checked endpoint or nowhere."""
    parts = urlsplit(endpoint)
    try:
        body = webpush.encrypt(data.encode("utf-8"), webpush.keys_for(p256dh, auth))
    except ValueError as exc:  # bad keys in a subscription: it can never work
        return Outcome("failed", error=f"encrypt: {type(exc).__name__}: {exc}"[:300])
    headers = signer.headers_for(f"{parts.scheme}://{parts.netloc}")
    headers.update({"TTL": str(max(1, int(ttl))), "Content-Encoding": "aes128gcm",
                    "Content-Type": "application/octet-stream", "Urgency": urgency, "Topic": topic})
    try:
        response = await client.post(parts, headers, body, timeouts.connect, timeouts.request)
    except http1.ConnectTimeout:
        return Outcome("retry", error="network: no connection in time (not sent)")
    except http1.AnswerTimeout:
        return Outcome("retry", error="network: no answer in time (may have arrived)")
    except (OSError, http1.ProtocolError) as exc:
        return Outcome("retry", error=f"network: {type(exc).__name__}: {exc}"[:300])
    except ValueError as exc:
        return Outcome("failed", error=f"endpoint: {exc}"[:300])
    status = response.status
    if status in (200, 201, 202):
        return Outcome("sent", status)
    if status in (404, 410):
        return Outcome("gone", status, error=f"push service answered {status}")
    if status == 429 or status >= 500:
        return Outcome("retry", status, _retry_after(response.headers.get("retry-after")),
                       error=f"push service answered {status}")
    if status in CONFIG_ERRORS:
        log.error("Push configuration error %s from %s: %s", status, parts.netloc,
                  response.body[:200].decode("utf-8", "replace"))
    return Outcome("failed", status, error=f"push service answered {status}")
