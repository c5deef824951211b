"""The "under the radar" rules, as pure functions of a worker's facts and the organisation's
thresholds at a moment `now` (passed in, so tests fake the clock; the job uses the real one).

What counts (shown to coaches in the README and the API docs):

* **planned working day**: a local (Europe/Brussels) day with at least one shift or training the
  worker is planned in, not cancelled, that has ended before `now`.
* a day is **present** when the worker checked in or was marked present/late on any of its items;
  **excused** when one of its items is excused (a sick report excuses its days); **absent** when
  one is marked absent; otherwise it has **no record**.
* `missed_checkins`: the latest planned days in a row without presence (excused days are skipped:
  they neither break nor extend the run) reach the threshold.
* `app_unused`: days since the app was last opened (latest `last_seen_at` of the worker's sessions;
  never opened: since the worker was created) reach the threshold.
* `unread_reminders`: reminders that came due in the last 30 days, were not cancelled and are not read
  reach the threshold.
* `absences`: among the last N planned days, at least M were absent or excused (sick).
* `no_contact`: days since the last contact reach the threshold. Contact is a coach note of kind
  "contact", a coach reminder the worker answered "OK" (acknowledged), a quick reply to any message
  ("Ik kom", "Bel me", ...), a help request ("Ik heb hulp nodig"), or a sick/late report the
  worker made themself; before any contact, the count runs from when the worker was created.

Attendance rate (caseload): attended (present or late) / planned items that ended in the last 28 days,
leaving excused items out of both numbers (a sick day does not count against the worker).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

RULES = ("missed_checkins", "app_unused", "unread_reminders", "absences", "no_contact")


@dataclass(frozen=True)
class Thresholds:
    missed_checkins_in_a_row: int = 3
    app_unused_days: int = 7
    unread_reminders: int = 3
    absences_in_last_planned: int = 4
    absences_window: int = 10
    no_contact_days: int = 14


@dataclass
class Facts:
    """What the rules look at for one worker; `days` maps a local date to present, excused, absent
    or none (no record), for planned working days that have ended."""

    created_at: dt.datetime
    days: dict[dt.date, str] = field(default_factory=dict)
    last_seen_at: dt.datetime | None = None
    unread: int = 0
    last_contact_at: dt.datetime | None = None


def day_state(states: list[str]) -> str:
    """One day's state from its items' states (present > excused > absent > none)."""
    for wanted in ("present", "excused", "absent"):
        if wanted in states:
            return wanted
    return "none"


def missed_run(days: dict[dt.date, str]) -> int:
    run = 0
    for day in sorted(days, reverse=True):
        state = days[day]
        if state == "present":
            break
        if state != "excused":
            run += 1
    return run


def whole_days(since: dt.datetime, now: dt.datetime) -> int:
    return max(0, int((now - since).total_seconds() // 86400))


def evaluate(facts: Facts, limits: Thresholds, now: dt.datetime) -> dict[str, dict]:
    """The rules that fire, each with the numbers behind it (shown as the reason)."""
    fired: dict[str, dict] = {}
    run = missed_run(facts.days)
    if run >= limits.missed_checkins_in_a_row:
        fired["missed_checkins"] = {"days": run}
    unused = whole_days(facts.last_seen_at or facts.created_at, now)
    if unused >= limits.app_unused_days:
        fired["app_unused"] = {"days": unused, "never": facts.last_seen_at is None}
    if facts.unread >= limits.unread_reminders:
        fired["unread_reminders"] = {"count": facts.unread}
    recent = [facts.days[d] for d in sorted(facts.days, reverse=True)[:limits.absences_window]]
    absences = sum(1 for state in recent if state in ("absent", "excused"))
    if absences >= limits.absences_in_last_planned:
        fired["absences"] = {"absences": absences, "window": len(recent)}
    silent = whole_days(facts.last_contact_at or facts.created_at, now)
    if silent >= limits.no_contact_days:
        fired["no_contact"] = {"days": silent}
    return fired
