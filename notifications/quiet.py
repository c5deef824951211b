"""Quiet hours per person (default 21:00-07:00 local): non-urgent pushes wait until they end."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from notifications.tables import NotificationSettings

LOCAL_TZ = ZoneInfo("Europe/Brussels")
DEFAULT_QUIET = ("21:00", "07:00")


def _hhmm(text: str) -> dt.time:
    h, m = text.split(":")
    return dt.time(int(h), int(m))


def end_of_quiet(at: dt.datetime, start: str, end: str, tz: ZoneInfo = LOCAL_TZ) -> dt.datetime:
    """`at` itself when outside the quiet window, else the moment the window ends (UTC)."""
    if start == end:
        return at
    local = at.astimezone(tz)
    q_start, q_end = _hhmm(start), _hhmm(end)
    t = local.time()
    if q_start < q_end:  # e.g. 12:00-14:00
        inside = q_start <= t < q_end
        end_day = local.date()
    else:  # spans midnight, e.g. 21:00-07:00
        inside = t >= q_start or t < q_end
        end_day = local.date() + dt.timedelta(days=1) if t >= q_start else local.date()
    if not inside:
        return at
    return dt.datetime.combine(end_day, q_end, tzinfo=tz).astimezone(dt.timezone.utc)


async def quiet_hours_of(person_ids: list) -> dict:
    """Quiet hours of several people at once; people without settings are left out (defaults)."""
    rows = await NotificationSettings.select(NotificationSettings.person, NotificationSettings.quiet_start,
                                             NotificationSettings.quiet_end).where(
        NotificationSettings.person.is_in(person_ids))
    return {row["person"]: (row["quiet_start"], row["quiet_end"]) for row in rows}
