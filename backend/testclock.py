"""A clock that tests can set, so that what the server says can be checked at any instant.

Off unless `WERKMAAT_TEST_MODE=1`. Then `WERKMAAT_TEST_NOW` (an ISO instant with offset) is where this
process's clock starts, and it ticks from there: time-machine moves `datetime.now`, `time.time` and
friends for the whole process (our code, Piccolo's defaults, APScheduler, VAPID claims), while
`time.monotonic` and the event loop keep real time. A test server also answers `PUT /api/test/clock`
(from loopback only) to move its clock forward, so that a test can let an offline phone reconnect
"eight minutes later" without waiting eight minutes.

Production never reads these variables: without the flag this module does nothing and the route does
not exist.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from litestar import Request, put
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException

from backend.schemas import CamelStruct

log = logging.getLogger("werkmaat.testclock")
_coordinates = None


def enabled() -> bool:
    return os.environ.get("WERKMAAT_TEST_MODE", "").strip() == "1"


def parse(text: str) -> dt.datetime:
    instant = dt.datetime.fromisoformat(text.strip())
    if instant.tzinfo is None:
        raise ValueError("the test clock needs an instant with an offset, e.g. 2026-12-02T10:00:00+01:00")
    return instant


def uptime() -> float:
    """Seconds since the machine started, read from the kernel: the same in every process, and not
    moved by libfaketime or time-machine. Falls back to the wall clock where /proc is missing."""
    try:
        with open("/proc/uptime", encoding="ascii") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        import time

        return time.time()


def install_from_env() -> None:
    """Start this process's clock at `WERKMAAT_TEST_NOW` when test mode is on (idempotent)."""
    global _coordinates
    if _coordinates is not None or not enabled():
        return
    start = os.environ.get("WERKMAAT_TEST_NOW", "").strip()
    if not start:
        return
    import time_machine

    instant = parse(start)
    # The parent wrote WERKMAAT_TEST_NOW_SET (the machine's uptime then) beside it: the time this
    # process took to start is added, so parent and child agree to the hundredth of a second. Uptime
    # comes from /proc/uptime, which libfaketime does not move (it restarts each process's wall clock).
    written = os.environ.get("WERKMAAT_TEST_NOW_SET", "").strip()
    if written:
        elapsed = uptime() - float(written)
        instant += dt.timedelta(seconds=min(max(0.0, elapsed), 3600.0))
    _coordinates = time_machine.travel(instant, tick=True).start()
    log.warning("TEST MODE: this process's clock is set to %s and ticks from there", start)


def move_to(instant: dt.datetime) -> None:
    if _coordinates is None:
        raise RuntimeError("the test clock is not installed")
    _coordinates.move_to(instant)


class ClockIn(CamelStruct):
    now: str


class ClockOut(CamelStruct):
    now: str


@put("/api/test/clock", include_in_schema=False, security=[], opt={"exclude_from_csrf": True}, status_code=200)
async def set_clock(request: Request, data: ClockIn) -> ClockOut:
    """Move the test server's clock (test mode only, loopback only)."""
    if _coordinates is None:
        raise NotFoundException()
    if request.client is None or request.client.host not in ("127.0.0.1", "::1"):
        raise PermissionDeniedException()
    try:
        instant = parse(data.now)
    except ValueError as exc:
        raise ClientException(str(exc)) from exc
    move_to(instant)
    return ClockOut(now=dt.datetime.now(dt.timezone.utc).isoformat())


ROUTES = [set_clock] if enabled() else []
