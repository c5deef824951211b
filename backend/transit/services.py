"""Reading the transit API's query parameters into values, with nl/en messages per field."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

from backend.errors import InvalidInput

LOCAL_TZ = zoneinfo.ZoneInfo("Europe/Brussels")


def parse_point(field: str, text: str) -> tuple[float, float]:
    """'LAT,LON' in decimal degrees."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise InvalidInput.field(field, "transit_coordinates") from None
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InvalidInput.field(field, "transit_latitude_range")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InvalidInput.field(field, "transit_longitude_range")
    return lat, lon


def parse_when(field: str, text: str) -> dt.datetime:
    """An ISO date and time; without an offset it is Belgian local time."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
        if not 2000 <= when.year <= 2200:
            raise ValueError
        if when.tzinfo is None:
            when = when.replace(tzinfo=LOCAL_TZ)
        when.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidInput.field(field, "transit_datetime") from None
    return when
