"""The one clock of a test run.

No test reads the wall clock: the test process, every server and command it starts, and every browser
page share one fake, ticking clock that starts at `BASE` (a Wednesday morning in Brussels), whatever
the machine's time (even under libfaketime). Tests plan their data from `now()` (or from
`dt.datetime.now(...)`, which time-machine moves too), and tests about a particular instant (23:10,
00:30, the nights the clocks change) start a server of their own at that instant (`server_at`).

`WERKMAAT_TEST_BASE=2027-03-28T01:30:00+01:00 make test` runs the whole suite from another instant.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.timezone.utc
DEFAULT_BASE = dt.datetime(2026, 12, 2, 10, 0, tzinfo=BRUSSELS)  # a Wednesday, 10:00

_coordinates = None


def base() -> dt.datetime:
    text = os.environ.get("WERKMAAT_TEST_BASE", "").strip()
    if not text:
        return DEFAULT_BASE
    instant = dt.datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=BRUSSELS)


def install() -> None:
    """Start this process's fake clock at BASE (once per process)."""
    global _coordinates
    if _coordinates is None:
        import time_machine

        _coordinates = time_machine.travel(base(), tick=True).start()


def now() -> dt.datetime:
    """The fake now, in UTC."""
    return dt.datetime.now(UTC)


def local_now() -> dt.datetime:
    return dt.datetime.now(BRUSSELS)


def env_for(instant: dt.datetime | None = None) -> dict[str, str]:
    """Environment that starts a Werkmaat process's clock at `instant` (default: now). Beside it the
    machine's uptime, which the child compares with its own to add the time it took to start."""
    from backend.testclock import uptime

    instant = instant or now()
    return {"WERKMAAT_TEST_MODE": "1", "WERKMAAT_TEST_NOW": instant.isoformat(), "WERKMAAT_TEST_NOW_SET": repr(uptime())}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A local wall-clock moment in Brussels."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BRUSSELS)
