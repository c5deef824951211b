"""Weekly recurrence in local wall-clock time, turned into UTC instants.

A shift at 08:00 in Europe/Brussels is 07:00 UTC in winter and 06:00 UTC in summer: the local
time is what stays fixed across the daylight-saving changes of March and October.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
LOCAL_TZ = ZoneInfo("Europe/Brussels")


@dataclass(frozen=True)
class Occurrence:
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime


def parse_hhmm(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


_HHMM = tuple(f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60))


def hhmm(at: dt.time | dt.datetime) -> str:
    """"07:05": the inverse of `parse_hhmm`, from a table of the day's 1,440 minutes (on every
    item shown: a twentieth of `strftime`'s time, a sixth of an f-string's)."""
    return _HHMM[at.hour * 60 + at.minute]


def local_instant(day: dt.date, at: dt.time, tz: ZoneInfo = LOCAL_TZ) -> dt.datetime:
    """The UTC instant of a local wall-clock time. In the skipped hour of the spring change the
    clock time does not exist; the standard-time offset is used, so 02:30 becomes 03:30 local."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def occurrences(weekdays: set[int], start: dt.time, end: dt.time, first: dt.date, last: dt.date,
                tz: ZoneInfo = LOCAL_TZ) -> list[Occurrence]:
    """Every day from `first` to `last` (inclusive) whose ISO weekday is in `weekdays`.

    An end time at or before the start time means the item ends the next day (a night shift).
    """
    result = []
    day = first
    while day <= last:
        if day.isoweekday() in weekdays:
            end_day = day + dt.timedelta(days=1) if end <= start else day
            result.append(Occurrence(day, local_instant(day, start, tz), local_instant(end_day, end, tz)))
        day += dt.timedelta(days=1)
    return result


def to_local(instant: dt.datetime, tz: ZoneInfo = LOCAL_TZ) -> dt.datetime:
    return instant.astimezone(tz)


def assume_local(value: dt.datetime, tz: ZoneInfo = LOCAL_TZ) -> dt.datetime:
    """A datetime without offset is read as local time; every stored instant is UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def local_today(now: dt.datetime | None = None, tz: ZoneInfo = LOCAL_TZ) -> dt.date:
    return (now or dt.datetime.now(UTC)).astimezone(tz).date()


def day_bounds(first: dt.date, last: dt.date, tz: ZoneInfo = LOCAL_TZ) -> tuple[dt.datetime, dt.datetime]:
    """UTC instants of local midnight at the start of `first` and the end of `last`."""
    return (local_instant(first, dt.time(0, 0), tz),
            local_instant(last + dt.timedelta(days=1), dt.time(0, 0), tz))
