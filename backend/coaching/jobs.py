"""Periodic work of the coach's workspace: the flag rules for every worker, and the daily digest."""

from __future__ import annotations

from backend.coaching import flags
from notifications.scheduler import Job

FLAGS_EVERY = 15 * 60
DIGEST_EVERY = 10 * 60


def jobs() -> list[Job]:
    """Flags every 15 minutes and soon after a start (changes by the worker are also picked up at once); the digest is
    looked at every 10 minutes and goes out once a day per coach, after 07:30 local time."""
    return [
        Job("coaching-flags", flags.recompute_all, FLAGS_EVERY, first_after=10),
        Job("coaching-digest", flags.send_digests, DIGEST_EVERY),
    ]
