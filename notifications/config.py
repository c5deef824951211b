"""What a dispatcher process is told (`DispatchConfig`) and what one busy period did (`TickResult`)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from notifications import transport
from notifications.vapid import VapidSigner

UTC = dt.timezone.utc


@dataclass
class DispatchConfig:
    signer: VapidSigner | None
    worker_id: str = field(default_factory=lambda: f"w-{uuid.uuid4().hex[:12]}")
    # How long a claimed delivery stays this process's without word from it; renewed while held.
    lease: dt.timedelta = dt.timedelta(seconds=60)
    batch: int = 500  # most deliveries claimed in one statement
    concurrency: int = 256  # deliveries held at once (waiting or in flight)
    # Sends to one push service in flight or answered and not yet recorded: a slow service leaves the
    # rest for the others, and a process killed leaves at most this many per service to be posted again.
    per_host: int = 96
    refill: int = 48  # claim again once this many slots are free (not after every single answer)
    flush_every: int = 48  # successes recorded in one transaction ...
    flush_after: float = 0.2  # ... or at most this many seconds after the first of them
    poll: float = 0.5  # seconds between looks for newly due work while sends are in flight
    timeouts: transport.Timeouts = field(default_factory=transport.Timeouts)
    max_attempts: int = 6
    base_backoff: float = 5.0
    max_backoff: float = 900.0
    late_after: dt.timedelta = dt.timedelta(minutes=2)
    extra_hosts: tuple[str, ...] = ()
    # Whether this process turns due reminders into deliveries; the extra dispatcher processes of one
    # `werkmaat worker --dispatchers N` only send, so the fan-out is not done N times over.
    fan_out: bool = True


@dataclass
class TickResult:
    fanned_out: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    gone: int = 0
    expired: int = 0
    lost_lease: int = 0


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def backoff(config: DispatchConfig, attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a push service's Retry-After is honoured when longer."""
    delay = random.uniform(0, min(config.max_backoff, config.base_backoff * 2 ** (attempts - 1)))
    return max(delay, retry_after or 0.0, 1.0)
