"""Which push endpoints the server may post to: only the browsers' push services.

A subscription endpoint is an address a user hands us; without this check the server could be
made to post to any host (SSRF). Extra hosts (e.g. a local test service) come from configuration.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

# Push services of Chrome/Android (FCM), Firefox (Mozilla autopush), Safari (Apple) and Edge (WNS).
KNOWN_PUSH_DOMAINS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


class EndpointRefused(ValueError):
    """The endpoint is not a push service we post to."""


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def check_endpoint(endpoint: str, extra_hosts: tuple[str, ...] = ()) -> str:
    """Return the endpoint if allowed, else raise `EndpointRefused` with the reason."""
    if len(endpoint) > 2048:
        raise EndpointRefused("too_long")
    if not endpoint.isascii() or any(c <= " " or c == "\x7f" for c in endpoint):
        # Browsers give plain ASCII URLs; anything else could smuggle text into the request we send.
        raise EndpointRefused("not_a_url")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise EndpointRefused("not_a_url") from None
    if parts.username or parts.password or not host:
        raise EndpointRefused("not_a_url")
    refused = _refusal(parts.scheme, host, port, extra_hosts)
    if refused:
        raise EndpointRefused(refused)
    return endpoint


@lru_cache(maxsize=1024)
def _refusal(scheme: str, host: str, port: int | None, extra_hosts: tuple[str, ...]) -> str | None:
    """Why a push service (scheme, host, port) is refused, or None: the same few for every message."""
    netloc = f"{host}:{port}" if port else host
    if netloc in extra_hosts or host in extra_hosts:
        # A configured host: plain http only on loopback (a local test push service).
        if scheme == "https" or (scheme == "http" and _is_loopback(host)):
            return None
        return "https_required"
    if scheme != "https":
        return "https_required"
    if port not in (None, 443):
        return "unknown_push_service"
    if any(host == d or host.endswith("." + d) for d in KNOWN_PUSH_DOMAINS):
        return None
    return "unknown_push_service"
