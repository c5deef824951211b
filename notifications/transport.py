"""Sending one push, and saying what happened. Nothing here touches the database.

How long a message can be in flight is bounded, and the bound is what the dispatcher's lease is
measured against: waiting for a connection (from the pool, or a new one with its TCP and TLS set-up)
is timed on its own (`Timeouts.connect`), so a message that waited for a connection still gets the
whole `Timeouts.request` to be posted and answered. A request cut off by its timeout after the push
service read it may still be delivered, and its retry then arrives twice: that is what these
timeouts and the pool's size (`new_session`, as large as the dispatcher's concurrency) exist to avoid.
"""

from __future__ import annotations

import email.utils
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from pywebpush import WebPusher

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

    def client_timeout(self) -> aiohttp.ClientTimeout:
        # aiohttp's `total` counts the wait for a pooled connection too; `connect` bounds that wait plus
        # the set-up of a new connection, so the total gives the request its full time after it.
        return aiohttp.ClientTimeout(total=self.in_flight, connect=self.connect, sock_connect=self.connect,
                                     sock_read=self.request)


def new_session(limit: int, limit_per_host: int) -> aiohttp.ClientSession:
    """A session whose pool holds as many connections as the dispatcher sends at once (in all, and to
    one push service), so no send ever waits for a connection that another send holds."""
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host, keepalive_timeout=30)
    return aiohttp.ClientSession(connector=connector)


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


async def send(session: aiohttp.ClientSession, signer: VapidSigner, endpoint: str, p256dh: str, auth: str,
               data: str, ttl: int, urgency: str, topic: str, timeouts: Timeouts = Timeouts()) -> Outcome:
    """Encrypt (aes128gcm) and post one message; classify the push service's answer."""
    parts = urlsplit(endpoint)
    headers = signer.headers_for(f"{parts.scheme}://{parts.netloc}")
    headers.update({"Urgency": urgency, "Topic": topic})
    pusher = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}, aiohttp_session=session)
    try:
        response = await pusher.send_async(data, headers, ttl=ttl, content_encoding="aes128gcm",
                                           timeout=timeouts.client_timeout())
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        # ConnectionTimeoutError: never reached the service; SocketTimeoutError: it may have been delivered.
        return Outcome("retry", error=f"network: {type(exc).__name__}")
    except Exception as exc:  # noqa: BLE001 - bad keys in a subscription: it can never work
        return Outcome("failed", error=f"encrypt: {type(exc).__name__}: {exc}"[:300])
    status = response.status
    if status in (200, 201, 202):
        return Outcome("sent", status)
    if status in (404, 410):
        return Outcome("gone", status, error=f"push service answered {status}")
    if status == 429 or status >= 500:
        return Outcome("retry", status, _retry_after(response.headers.get("Retry-After")),
                       error=f"push service answered {status}")
    if status in CONFIG_ERRORS:
        log.error("Push configuration error %s from %s: %s", status, parts.netloc, await _text(response))
    return Outcome("failed", status, error=f"push service answered {status}")


async def _text(response: aiohttp.ClientResponse) -> str:
    try:
        return (await response.text())[:200]
    except Exception:  # noqa: BLE001
        return ""
