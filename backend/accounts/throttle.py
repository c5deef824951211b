"""Slowing down and locking out repeated failed sign-ins, without letting a stranger lock anyone out.

Counts live in the database so that every web process sees the same numbers, and each attempt is
counted with one atomic `UPDATE ... RETURNING` *before* the password or code is checked: a burst of
parallel guesses cannot all slip through between a read and a write. The attempt that reaches a
policy's limit sets the lock itself, in the same statement; a later success takes the count back.

Which keys a sign-in counts on (see `backend.accounts.services`):
- `pair:<hash of e-mail and address>`: one account from one address; locks with growing delays and
  locks only that pair.
- `account:<e-mail>` and `address:<ip>`: every address and every account; these locks apply only to
  devices that never signed in to the account before (no valid known-device cookie), so a coach at
  their own browser keeps signing in while strangers hammer the account or share the network.
- `device:<id>`: a known device's own count (a stolen device cookie gives no extra guesses).
- `invite-address:<ip>` and `invite-codes`: wrong invite codes per address and in total.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field

from backend.accounts.tables import SignInThrottle
from backend.errors import TooManyAttempts
from backend.settings import get_settings

# Doubling stops here; the cap is reached long before anyway.
_MAX_STEPS = 16


@dataclass(frozen=True)
class Policy:
    max_failures: int
    """Failures in one window before the first lock."""
    window: dt.timedelta
    """A count older than this (and not locked) starts again from zero."""
    lockout: dt.timedelta
    """The first lock; each further failure doubles it ..."""
    max_lockout: dt.timedelta
    """... up to this."""

    def lock_after(self, failures: int) -> dt.timedelta | None:
        """How long the failure numbered `failures` locks the key (None: not yet)."""
        if failures < self.max_failures:
            return None
        steps = min(failures - self.max_failures, _MAX_STEPS)
        return min(self.lockout * (2 ** steps), self.max_lockout)


# One account from one address: 5 tries, then 1, 2, 4 ... minutes, at most an hour, for a day.
PAIR_POLICY = Policy(5, dt.timedelta(hours=24), dt.timedelta(minutes=1), dt.timedelta(hours=1))
# One known device (its own cookie): the same as a pair.
DEVICE_POLICY = PAIR_POLICY
# One account from anywhere, for new devices only: 10 tries a day, then 15 minutes doubling to 4 h.
ACCOUNT_POLICY = Policy(10, dt.timedelta(hours=24), dt.timedelta(minutes=15), dt.timedelta(hours=4))
# One address across accounts (also accounts that do not exist), for new devices only.
ADDRESS_POLICY = Policy(20, dt.timedelta(minutes=15), dt.timedelta(minutes=15), dt.timedelta(minutes=15))
# Wrong invite codes from one address: 10, then 1 minute doubling to 15.
INVITE_ADDRESS_POLICY = Policy(10, dt.timedelta(minutes=15), dt.timedelta(minutes=1),
                               dt.timedelta(minutes=15))
# Wrong invite codes in total: beyond this an attack is under way and locked addresses are refused.
INVITE_CODES_POLICY = Policy(300, dt.timedelta(hours=1), dt.timedelta(minutes=15), dt.timedelta(hours=1))
# Current-password checks when changing one's password (a stolen session must not brute-force it).
CHANGE_POLICY = PAIR_POLICY


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def digest(*parts: str) -> str:
    """A short, fixed-length key part for texts that could be long (e-mail plus address)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]


def _minutes(seconds: int) -> int:
    return max(1, (seconds + 59) // 60)


def locked_error(seconds: int) -> TooManyAttempts:
    return TooManyAttempts("login_locked", retry_after=seconds, minutes=_minutes(seconds))


async def seconds_locked(keys: list[str]) -> int | None:
    """Seconds until the longest lock among `keys` ends, or None when none is locked."""
    rows = await SignInThrottle.select(SignInThrottle.locked_until).where(
        SignInThrottle.key.is_in(keys), SignInThrottle.locked_until.is_not_null()
    )
    now = _now()
    remaining = [(row["locked_until"] - now).total_seconds() for row in rows]
    remaining = [r for r in remaining if r > 0]
    return math.ceil(max(remaining)) if remaining else None


def _is_postgres() -> bool:
    return not get_settings().is_sqlite


async def count(key: str, policy: Policy) -> int | None:
    """Count one attempt on `key` atomically. Returns its number in the window, or None when the key is
    locked (nothing is counted then). The attempt that reaches the limit locks the key at once."""
    now = _now()
    await SignInThrottle.insert(SignInThrottle(key=key, failures=0, window_started_at=now)).on_conflict(
        action="DO NOTHING")
    # A window that has passed (and is not locked) starts again.
    await SignInThrottle.update({SignInThrottle.failures: 0, SignInThrottle.window_started_at: now,
                                 SignInThrottle.locked_until: None}).where(
        (SignInThrottle.key == key) & (SignInThrottle.window_started_at < now - policy.window)
        & (SignInThrottle.locked_until.is_null() | (SignInThrottle.locked_until <= now))
    )
    # The lock each next number would set, as parameters: CASE failures + 1 WHEN n THEN <until> ...
    cast = "::timestamptz" if _is_postgres() else ""
    whens, args = [], []
    for n in range(policy.max_failures, policy.max_failures + _MAX_STEPS + 1):
        whens.append(f"WHEN failures + 1 = {n} THEN {{}}{cast}")
        args.append(now + policy.lock_after(n))
    last = policy.max_failures + _MAX_STEPS
    whens.append(f"WHEN failures + 1 > {last} THEN {{}}{cast}")
    args.append(now + policy.max_lockout)
    sql = (
        "UPDATE sign_in_throttle SET failures = failures + 1, "
        f"locked_until = CASE {' '.join(whens)} ELSE locked_until END "
        f"WHERE key = {{}} AND (locked_until IS NULL OR locked_until <= {{}}{cast}) RETURNING failures"
    )
    rows = await SignInThrottle.raw(sql, *args, key, now)
    return int(rows[0]["failures"]) if rows else None


async def uncount(key: str, policy: Policy) -> None:
    """Take back one counted attempt that turned out right (or was not tried), and the lock it set."""
    await SignInThrottle.raw(
        "UPDATE sign_in_throttle SET failures = failures - 1, "
        "locked_until = CASE WHEN failures - 1 < {} THEN NULL ELSE locked_until END "
        "WHERE key = {} AND failures > 0",
        policy.max_failures, key,
    )


async def clear(key: str) -> None:
    await SignInThrottle.delete().where(SignInThrottle.key == key)


@dataclass
class Attempt:
    """One sign-in attempt counted on several keys; call `succeeded()` or `failed()` after the check.

    `keys` are (key, policy, on_success) with on_success "clear" (forget the count: the pair or device
    proved itself) or "uncount" (take only this attempt back: shared counts keep others' failures)."""

    keys: list[tuple[str, Policy, str]]
    counts: dict[str, int] = field(default_factory=dict)

    async def begin(self) -> Attempt:
        """Count the attempt on every key; 429 (counting nothing) when any of them is locked."""
        locked = await seconds_locked([k for k, _, _ in self.keys])
        if locked:
            raise locked_error(locked)
        for key, policy, _ in self.keys:
            number = await count(key, policy)
            if number is None:  # locked by a parallel attempt since the read above
                await self._take_back()
                raise locked_error(await seconds_locked([key]) or 1)
            self.counts[key] = number
        return self

    async def _take_back(self) -> None:
        for key, policy, _ in self.keys:
            if key in self.counts:
                await uncount(key, policy)
        self.counts.clear()

    async def succeeded(self) -> None:
        for key, policy, on_success in self.keys:
            if on_success == "clear":
                await clear(key)
            else:
                await uncount(key, policy)

    async def failed(self) -> None:
        """The counts stay; the answer waits a little longer the more recent failures there were."""
        await slow_down(max(self.counts.values(), default=0))


async def slow_down(failures: int) -> None:
    """Each recent failure adds a little wait before answering (capped), to blunt guessing."""
    await asyncio.sleep(get_settings().login_slowdown_seconds * min(failures, 8))


async def purge_old(older_than: dt.timedelta = dt.timedelta(days=2)) -> None:
    """Forget counts whose window and lock have long passed."""
    cutoff = _now() - older_than
    await SignInThrottle.delete().where(
        (SignInThrottle.window_started_at < cutoff)
        & ((SignInThrottle.locked_until.is_null()) | (SignInThrottle.locked_until < cutoff))
    )
