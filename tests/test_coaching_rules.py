"""Each "under the radar" rule, on constructed facts, fires at its threshold and clears below it
(the clock is passed in; no database needed)."""

from __future__ import annotations

import datetime as dt

from backend.coaching.rules import Facts, Thresholds, day_state, evaluate, missed_run

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.timezone.utc)
LIMITS = Thresholds()


def facts(**extra) -> Facts:
    base = dict(created_at=NOW - dt.timedelta(days=1), last_seen_at=NOW, last_contact_at=NOW)
    base.update(extra)
    return Facts(**base)


def days(*states: str) -> dict[dt.date, str]:
    """Planned days ending yesterday, oldest first."""
    last = NOW.date() - dt.timedelta(days=1)
    return {last - dt.timedelta(days=len(states) - 1 - i): s for i, s in enumerate(states)}


def test_nothing_fires_for_a_worker_who_is_fine():
    assert evaluate(facts(days=days("present", "present")), LIMITS, NOW) == {}


def test_missed_checkins_in_a_row():
    assert evaluate(facts(days=days("present", "none", "absent", "none")), LIMITS, NOW)["missed_checkins"] == {"days": 3}
    assert "missed_checkins" not in evaluate(facts(days=days("none", "present", "none", "none")), LIMITS, NOW)
    # Excused (sick) days neither break nor extend the run.
    assert missed_run(days("none", "excused", "none", "excused", "none")) == 3
    assert missed_run(days("none", "none", "present")) == 0


def test_app_unused_at_the_boundary():
    seen = NOW - dt.timedelta(days=7)
    assert evaluate(facts(last_seen_at=seen), LIMITS, NOW)["app_unused"] == {"days": 7, "never": False}
    assert "app_unused" not in evaluate(facts(last_seen_at=seen + dt.timedelta(minutes=1)), LIMITS, NOW)
    never = evaluate(facts(last_seen_at=None, created_at=NOW - dt.timedelta(days=9)), LIMITS, NOW)
    assert never["app_unused"] == {"days": 9, "never": True}


def test_unread_reminders():
    assert evaluate(facts(unread=3), LIMITS, NOW)["unread_reminders"] == {"count": 3}
    assert "unread_reminders" not in evaluate(facts(unread=2), LIMITS, NOW)


def test_absences_among_the_last_planned_days():
    ten = ["present"] * 6 + ["absent", "excused", "absent", "absent"]
    assert evaluate(facts(days=days(*ten)), LIMITS, NOW)["absences"] == {"absences": 4, "window": 10}
    # An absence eleven planned days back no longer counts.
    eleven = ["absent"] + ["present"] * 7 + ["absent", "excused", "present"]
    assert "absences" not in evaluate(facts(days=days(*eleven)), LIMITS, NOW)
    assert evaluate(facts(days=days(*eleven)), Thresholds(absences_in_last_planned=2), NOW)["absences"] == \
        {"absences": 2, "window": 10}


def test_no_contact_at_the_boundary():
    contact = NOW - dt.timedelta(days=14)
    assert evaluate(facts(last_contact_at=contact), LIMITS, NOW)["no_contact"] == {"days": 14}
    assert "no_contact" not in evaluate(facts(last_contact_at=contact + dt.timedelta(hours=1)), LIMITS, NOW)
    assert evaluate(facts(last_contact_at=None, created_at=contact), LIMITS, NOW)["no_contact"] == {"days": 14}


def test_thresholds_are_per_organisation():
    strict = Thresholds(missed_checkins_in_a_row=1, app_unused_days=1, unread_reminders=1,
                        absences_in_last_planned=1, absences_window=1, no_contact_days=1)
    fired = evaluate(facts(days=days("absent"), unread=1, last_seen_at=NOW - dt.timedelta(days=1),
                           last_contact_at=NOW - dt.timedelta(days=1)), strict, NOW)
    assert set(fired) == {"missed_checkins", "app_unused", "unread_reminders", "absences", "no_contact"}


def test_day_state_prefers_presence():
    assert day_state(["none", "present"]) == "present"
    assert day_state(["absent", "excused"]) == "excused"
    assert day_state([]) == "none"
