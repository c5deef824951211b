"""Sending one push, and saying what happened. Nothing here touches the database."""

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


async def send(session: aiohttp.ClientSession, signer: VapidSigner, endpoint: str, p256dh: str, auth: str,
               data: str, ttl: int, urgency: str, topic: str, timeout: float = 15.0) -> Outcome:
    """Encrypt (aes128gcm) and post one message; classify the push service's answer."""
    parts = urlsplit(endpoint)
    headers = signer.headers_for(f"{parts.scheme}://{parts.netloc}")
    headers.update({"Urgency": urgency, "Topic": topic})
    pusher = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}, aiohttp_session=session)
    try:
        response = await pusher.send_async(data, headers, ttl=ttl, content_encoding="aes128gcm",
                                           timeout=aiohttp.ClientTimeout(total=timeout))
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
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
