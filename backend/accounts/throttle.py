"""Slowing down and locking out repeated failed sign-ins, per account and per address.

State lives in the database so that every web process sees the same counts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from dataclasses import dataclass

from backend.accounts.tables import SignInThrottle
from backend.settings import get_settings


@dataclass(frozen=True)
class Policy:
    max_failures: int
    window: dt.timedelta
    lockout: dt.timedelta


ACCOUNT_POLICY = Policy(max_failures=5, window=dt.timedelta(minutes=15), lockout=dt.timedelta(minutes=15))
ADDRESS_POLICY = Policy(max_failures=20, window=dt.timedelta(minutes=15), lockout=dt.timedelta(minutes=15))
INVITE_ADDRESS_POLICY = Policy(max_failures=10, window=dt.timedelta(minutes=15),
                               lockout=dt.timedelta(minutes=15))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def seconds_locked(keys: list[str]) -> int | None:
    """Seconds until the longest lock among `keys` ends, or None when none is locked."""
    rows = await SignInThrottle.select(SignInThrottle.locked_until).where(
        SignInThrottle.key.is_in(keys), SignInThrottle.locked_until.is_not_null()
    )
    now = _now()
    remaining = [(row["locked_until"] - now).total_seconds() for row in rows]
    remaining = [r for r in remaining if r > 0]
    return math.ceil(max(remaining)) if remaining else None


async def record_failure(key: str, policy: Policy) -> int:
    """Count one failure for `key`; lock it when the policy's limit is reached. Returns the count."""
    now = _now()
    row = await SignInThrottle.objects().where(SignInThrottle.key == key).first()
    if row is None:
        try:
            await SignInThrottle.insert(SignInThrottle(key=key, failures=1, window_started_at=now))
            return 1
        except Exception:  # noqa: BLE001 - another process inserted the same key first
            row = await SignInThrottle.objects().where(SignInThrottle.key == key).first()
            if row is None:
                return 1
    if now - row.window_started_at > policy.window:
        failures, window_start = 1, now
    else:
        failures, window_start = row.failures + 1, row.window_started_at
    locked_until = now + policy.lockout if failures >= policy.max_failures else None
    if locked_until is None and row.locked_until and row.locked_until > now:
        locked_until = row.locked_until
    await SignInThrottle.update(
        {SignInThrottle.failures: failures, SignInThrottle.window_started_at: window_start,
         SignInThrottle.locked_until: locked_until}
    ).where(SignInThrottle.key == key)
    return failures


async def clear(key: str) -> None:
    await SignInThrottle.delete().where(SignInThrottle.key == key)


async def slow_down(failures: int) -> None:
    """Each recent failure adds a little wait before answering (capped), to blunt guessing."""
    await asyncio.sleep(get_settings().login_slowdown_seconds * min(failures, 8))


async def purge_old(older_than: dt.timedelta = dt.timedelta(days=1)) -> None:
    """Forget counts whose window and lock have long passed."""
    cutoff = _now() - older_than
    await SignInThrottle.delete().where(
        (SignInThrottle.window_started_at < cutoff)
        & ((SignInThrottle.locked_until.is_null()) | (SignInThrottle.locked_until < cutoff))
    )
