"""Addresses to coordinates through a geopy geocoder chosen by the operator, cached in the database.

The geocoder (`WERKMAAT_GEOCODER`, `WERKMAAT_GEOCODER_URL`) is set in the environment only, never
by a request, so a user cannot make the server call an address of their choosing. Requests go
through geopy's aiohttp adapter and an async rate limiter of at most one per second per process
(Nominatim's usage policy), with a real User-Agent. Answers, misses included, are kept in
`GeocodeCache`, so the same address is asked once. The app works without a geocoder: coordinates
may always be typed, or come from the phone.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from dataclasses import dataclass
from importlib import metadata
from urllib.parse import urlsplit

from geopy.adapters import AioHTTPAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import AsyncRateLimiter
from geopy.geocoders import get_geocoder_for_service

from backend.mobility.tables import GeocodeCache
from backend.settings import get_settings

log = logging.getLogger("werkmaat.geocoding")
MIN_DELAY_SECONDS = 1.0
TIMEOUT_SECONDS = 5
MAX_QUERY = 300


class GeocoderOff(Exception):
    """No geocoder is configured (`WERKMAAT_GEOCODER=off`)."""


class GeocoderFailed(Exception):
    """The geocoder did not answer usefully (unreachable, timeout, error status)."""


@dataclass(frozen=True)
class GeoResult:
    latitude: float
    longitude: float
    display_name: str


def normalise(query: str) -> str:
    """The cache key: trimmed, white space collapsed, case folded."""
    return re.sub(r"\s+", " ", query).strip().casefold()[:MAX_QUERY]


def user_agent() -> str:
    settings = get_settings()
    if settings.geocoder_user_agent:
        return settings.geocoder_user_agent
    try:
        version = metadata.version("werkmaat")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"Werkmaat/{version} (+{settings.public_url})"


class _Geocoder:
    """One geopy geocoder and its rate limiter for the process (made inside the running loop)."""

    def __init__(self) -> None:
        settings = get_settings()
        cls = get_geocoder_for_service(settings.geocoder)
        kwargs: dict = {"user_agent": user_agent(), "adapter_factory": AioHTTPAdapter, "timeout": TIMEOUT_SECONDS}
        accepted = inspect.signature(cls.__init__).parameters
        if settings.geocoder_url:
            parts = urlsplit(settings.geocoder_url)
            if "domain" in accepted:
                kwargs["domain"] = parts.netloc + parts.path.rstrip("/")
            if "scheme" in accepted and parts.scheme:
                kwargs["scheme"] = parts.scheme
        self.geocoder = cls(**{k: v for k, v in kwargs.items() if k in accepted})
        self.limited = AsyncRateLimiter(self.geocoder.geocode, min_delay_seconds=MIN_DELAY_SECONDS,
                                        max_retries=0, swallow_exceptions=False)
        self.loop = asyncio.get_running_loop()


_instance: _Geocoder | None = None


def _geocoder() -> _Geocoder:
    global _instance
    if _instance is None or _instance.loop is not asyncio.get_running_loop():
        _instance = _Geocoder()
    return _instance


def enabled() -> bool:
    return get_settings().geocoder not in ("", "off", "none", "0", "false", "no")


async def geocode(query: str) -> GeoResult | None:
    """Coordinates of an address, or None when the geocoder finds nothing.

    Raises `GeocoderOff` when none is configured and `GeocoderFailed` when it does not answer.
    """
    key = normalise(query)
    if not key:
        return None
    cached = await GeocodeCache.select().where(GeocodeCache.query == key).first()
    if cached is not None:
        if not cached["found"]:
            return None
        return GeoResult(cached["latitude"], cached["longitude"], cached["display_name"])
    if not enabled():
        raise GeocoderOff()
    try:
        location = await _geocoder().limited(query.strip()[:MAX_QUERY], exactly_one=True)
    except (GeopyError, OSError, asyncio.TimeoutError) as exc:
        log.warning("geocoder failed for a query: %s", exc)
        raise GeocoderFailed() from None
    except Exception as exc:  # noqa: BLE001 - an odd answer (bad JSON, ...) must not become a 500
        log.warning("geocoder answered something unusable: %r", exc)
        raise GeocoderFailed() from None
    result = None
    if location is not None:
        lat, lon = float(location.latitude), float(location.longitude)
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            result = GeoResult(lat, lon, str(location.address or "")[:500])
    await GeocodeCache.insert(GeocodeCache(
        query=key, found=result is not None, latitude=result.latitude if result else None,
        longitude=result.longitude if result else None, display_name=result.display_name if result else "",
    )).on_conflict(action="DO NOTHING")
    return result


async def cached(addresses: list[str]) -> list[dict]:
    """The cache rows of these addresses (for a person's data export)."""
    keys = sorted({normalise(a) for a in addresses} - {""})
    if not keys:
        return []
    return await GeocodeCache.select(GeocodeCache.query, GeocodeCache.found, GeocodeCache.latitude,
                                     GeocodeCache.longitude, GeocodeCache.display_name,
                                     GeocodeCache.created_at).where(GeocodeCache.query.is_in(keys))


async def forget(addresses: list[str]) -> int:
    """Delete the cache rows of these addresses (erasure: the home address and its exact
    coordinates). Someone else at the same address is simply asked for again. Returns rows deleted."""
    keys = sorted({normalise(a) for a in addresses} - {""})
    if not keys:
        return 0
    gone = await GeocodeCache.delete().where(GeocodeCache.query.is_in(keys)).returning(GeocodeCache.id)
    return len(gone)
