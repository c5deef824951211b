"""Reading the transit API's query parameters into values, with nl/en messages per field."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

import msgspec

from backend.errors import InvalidInput

LOCAL_TZ = zoneinfo.ZoneInfo("Europe/Brussels")
# "LAT,LON" with the ranges in the pattern, so the OpenAPI document says exactly what is accepted.
LATITUDE_RE = r"[+-]?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
LONGITUDE_RE = r"[+-]?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
POINT_RE = rf"^{LATITUDE_RE},{LONGITUDE_RE}$"


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


def local_when(when: dt.datetime) -> dt.datetime:
    """A date-time without an offset is Belgian local time."""
    return when if when.tzinfo is not None else when.replace(tzinfo=LOCAL_TZ)


def parse_when(field: str, text: str) -> dt.datetime:
    """An ISO 8601 / RFC 3339 date and time (seconds and offset optional: without an offset it is
    Belgian local time). Any year is read; a date no timetable covers is the planner's answer."""
    text = text.strip()
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            when = msgspec.json.decode(msgspec.json.encode(text), type=dt.datetime)
        except msgspec.ValidationError:
            raise InvalidInput.field(field, "transit_datetime") from None
    return local_when(when)
