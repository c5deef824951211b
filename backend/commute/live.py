"""The live watch over today's ways to work: the "Vertrek nu" push, and a push when the bus is gone.

A job (`watch`, every `commute_watch_interval` seconds) looks at every worker's shift that starts
within `WATCH_AHEAD` and has no buddy ride, planned from now with live data (GTFS-Realtime,
`backend.transit.realtime`):

- the first time it sees a shift it records the journey planned then (`CommuteWatch.plan`);
- when a ride of that journey is cancelled, skips the stop to board or get off, or runs so late
  that the worker would miss a change or arrive after the shift starts, the worker gets a push
  with the next option that still arrives in time, or "bel je coach" when none does, and their
  coach gets one too (inbox + push) — once per shift and day;
- at the time to leave home minus `leave_notice_minutes` (default 5) the worker gets "Vertrek nu"
  with the line and the stop, in their language — once per shift and day.

Each push is claimed first with one conditional UPDATE of the watch row (`... IS NULL`), and the
reminder carries a `source_key`, so several processes running the job send each push once.
Pushes go through the reminders layer (inbox + the dispatcher's Web Push), urgent: a worker on
their way is not held by quiet hours.
"""

from __future__ import annotations

import datetime as dt
import logging
from uuid import UUID

import msgspec

from backend.accounts.tables import Person
from backend.commute.services import Way, check
from backend.commute.tables import CommuteWatch
from backend.i18n import translate
from backend.schedule import recurrence
from backend.settings import get_settings
from backend.transit import planner, realtime
from backend.transit.commute import _clock, _first_ride, _mode_word, live_text
from backend.transit.network import MAX_JOURNEY_S
from backend.transit.schemas import Journey, Leg
from notifications import reminders as core

log = logging.getLogger("werkmaat.commute.live")

# Shifts starting this far ahead are watched (a journey takes at most MAX_JOURNEY_S, plus the notice).
WATCH_AHEAD = dt.timedelta(seconds=MAX_JOURNEY_S) + dt.timedelta(minutes=30)
# "Vertrek nu" is not sent once the time to leave is this far behind (the job was not running).
LEAVE_GRACE = dt.timedelta(minutes=5)

def _notice(key: str, language: str, **values) -> tuple[str, str]:
    """Title and body of a push (`commute.<key>.title` / `.body` in backend/locales)."""
    return (translate(f"commute.{key}.title", language, **values).strip(),
            translate(f"commute.{key}.body", language, **values).strip())


def _key(way: Way) -> str:
    return f"{way.person}:{way.item}:{way.day.isoformat()}"


async def _send(person: UUID, key: str, source_key: str, title: str, body: str, until: dt.datetime,
                subject: UUID, organisation: UUID | None, now: dt.datetime) -> None:
    await core.create_reminder(core.NewReminder(
        recipients=[person], due_at=now, expires_at=max(until, now + dt.timedelta(minutes=30)), source="commute",
        title=title, body=body, urgent=True, url="/#/commute", organisation=organisation,
        source_key=source_key, topic_seed=f"commute:{key}:{person}", subject=subject))


def _encode(journey: Journey | None) -> str:
    return msgspec.json.encode(journey).decode() if journey is not None else ""


def _decode(text: str) -> Journey | None:
    if not text:
        return None
    try:
        return msgspec.json.decode(text, type=Journey)
    except msgspec.DecodeError:
        return None


def _rides(journey: Journey) -> list[tuple[int, Leg]]:
    return [(i, leg) for i, leg in enumerate(journey.legs) if leg.kind == "ride"]


def gone(net, journey: Journey, starts_at: dt.datetime, language: str) -> str:
    """Why the journey planned earlier no longer gets the worker there in time (a sentence), or ""."""
    rides = _rides(journey)
    if net is None or not rides:
        return ""
    states = []
    for _, leg in rides:
        if leg.trip is None or leg.planned_departure is None or leg.planned_arrival is None:
            states.append(None)
            continue
        states.append(realtime.trip_state(net, leg.trip, leg.planned_departure, leg.planned_arrival))

    def say(key: str, leg: Leg, **more) -> str:
        return translate(f"commute.{key}", language, mode=_mode_word(leg, language), line=leg.line or leg.headsign,
                         time=_clock(leg.planned_departure or leg.departure), **more)

    for (_, leg), state in zip(rides, states):
        if state is not None and state.cancelled:
            return say("gone_cancelled", leg)
        if state is not None and state.skipped:
            return say("gone_skipped", leg, stop=leg.to_name if state.skipped_alight else leg.from_name)
    # A change missed: the next ride leaves before the earlier one arrives plus the walk between.
    for k in range(1, len(rides)):
        (i0, before), (i1, after) = rides[k - 1], rides[k]
        s0, s1 = states[k - 1], states[k]
        if s0 is None or s1 is None:
            continue
        walk = sum((leg.arrival - leg.departure for leg in journey.legs[i0 + 1:i1]), dt.timedelta(0))
        if s1.departure < s0.arrival + walk:
            return say("gone_missed", before)
    # Arriving after the shift starts: the last ride's live arrival plus the walk after it.
    i_last, last = rides[-1]
    s_last = states[-1]
    if s_last is not None:
        after = journey.arrival - last.arrival
        if s_last.arrival + after > starts_at:
            minutes = max(s.delay_minutes for s in states if s is not None)
            late_leg = next((leg for (_, leg), s in zip(rides, states) if s is not None and s.delay_minutes == minutes),
                            last)
            return say("gone_late", late_leg, minutes=max(minutes, 1))
    return ""


async def _row(way: Way, now: dt.datetime) -> dict:
    journey = way.advice.journeys[0] if way.advice is not None and way.advice.way == "transit" else None
    await CommuteWatch.insert(CommuteWatch(person=way.person, item=way.item, key=_key(way), day=way.day,
                                           plan=_encode(journey), planned_at=now)).on_conflict(action="DO NOTHING")
    return await CommuteWatch.select().where(CommuteWatch.key == _key(way)).first()


async def _claim(row_id, column, now: dt.datetime) -> bool:
    done = await CommuteWatch.update({column: now}).where(
        (CommuteWatch.id == row_id) & column.is_null()).returning(CommuteWatch.id)
    return bool(done)


async def watch(now: dt.datetime | None = None) -> int:
    """The job: one look at every watched shift; returns the number of pushes made."""
    now = now or dt.datetime.now(dt.timezone.utc)
    settings = get_settings()
    lead = dt.timedelta(minutes=settings.leave_notice_minutes)
    day = recurrence.local_today(now)
    ways = [w for w in await check(day, store=False, now=now, starting=(now, now + WATCH_AHEAD))
            if w.way != "ride" and w.advice is not None]
    tomorrow = day + dt.timedelta(days=1)
    if recurrence.local_today(now + WATCH_AHEAD) >= tomorrow:  # the night: shifts of tomorrow morning
        ways += [w for w in await check(tomorrow, store=False, now=now, starting=(now, now + WATCH_AHEAD))
                 if w.way != "ride" and w.advice is not None]
    if not ways:
        return 0
    people = {p["id"]: p for p in await Person.select(
        Person.id, Person.language, Person.coach, Person.first_name, Person.organisation).where(
        Person.id.is_in(list({w.person for w in ways})))}
    net = await planner.current_network()
    made = 0
    for way in ways:
        person = people.get(way.person)
        if person is None:
            continue
        row = await _row(way, now)
        planned = _decode(row["plan"])
        language = person["language"] or "nl"
        if row["disrupted_at"] is None and planned is not None:
            problem = gone(net, planned, way.starts_at, language)
            if problem and await _claim(row["id"], CommuteWatch.disrupted_at, now):
                made += await _disrupted(way, person, net, planned, now)
                continue
        advice = way.advice
        if (row["leave_sent_at"] is None and advice.way == "transit" and advice.leave_at is not None
                and advice.leave_at - lead <= now <= advice.leave_at + LEAVE_GRACE
                and await _claim(row["id"], CommuteWatch.leave_sent_at, now)):
            made += await _leave_now(way, person, now)
    return made


async def _leave_now(way: Way, person: dict, now: dt.datetime) -> int:
    journey = way.advice.journeys[0]
    ride = _first_ride(journey)
    language = person["language"] or "nl"
    if ride is None:
        title, body = _notice("leave_now_walk", language, leave=_clock(journey.departure))
    else:
        title, body = _notice("leave_now", language, mode=_mode_word(ride, language), line=ride.line or ride.headsign,
                              time=_clock(ride.departure), stop=ride.from_name, leave=_clock(journey.departure),
                              live=live_text(journey, language))
    await _send(way.person, "leave", f"commute:leave:{_key(way)}", title, body, way.starts_at, way.person,
                person["organisation"], now)
    # From now on the watch follows the bus the worker was told of (unless one already failed:
    # the plan then stays, so the card can say what happened to it).
    await CommuteWatch.update({CommuteWatch.plan: _encode(journey)}).where(
        (CommuteWatch.key == _key(way)) & CommuteWatch.disrupted_at.is_null())
    log.info("leave-now push for %s", _key(way))
    return 1


async def _disrupted(way: Way, person: dict, net, planned: Journey, now: dt.datetime) -> int:
    """The planned bus is gone: the worker gets the next option (or "bel je coach"), the coach is told."""
    advice = way.advice
    language = person["language"] or "nl"
    in_time = advice.way == "transit"
    title, body = _notice("worker_alternative" if in_time else "worker_no_alternative", language,
                          problem=gone(net, planned, way.starts_at, language), advice=advice.text(language))
    await _send(way.person, "disrupted", f"commute:disrupted:{_key(way)}", title, body, way.starts_at, way.person,
                person["organisation"], now)
    made = 1
    # The plan stays the one that failed (the card says what happened to it); "Vertrek nu" follows
    # the live advice, i.e. the new option.
    coach = person["coach"]
    if coach is not None:
        found = await Person.select(Person.language).where(Person.id == coach).first()
        coach_language = (found or {}).get("language") or "nl"
        values = dict(name=person["first_name"], problem=gone(net, planned, way.starts_at, coach_language))
        if in_time:
            journey = advice.journeys[0]
            values.update(leave=_clock(journey.departure), arrival=_clock(journey.arrival))
        title, body = _notice("coach_alternative" if in_time else "coach_no_alternative", coach_language, **values)
        await _send(coach, "disrupted", f"commute:disrupted:{_key(way)}:coach", title, body, way.starts_at,
                    way.person, person["organisation"], now)
        made += 1
    log.info("disruption push for %s", _key(way))
    return made


async def disruption_for(person_id: UUID, item_id: UUID, language: str) -> str:
    """For the commute card: why the journey first planned for today's shift no longer works, or ""."""
    rows = await CommuteWatch.select(CommuteWatch.plan, CommuteWatch.disrupted_at, CommuteWatch.item).where(
        (CommuteWatch.person == person_id) & (CommuteWatch.item == item_id)
        & CommuteWatch.disrupted_at.is_not_null()).order_by(CommuteWatch.day, ascending=False).limit(1)
    if not rows:
        return ""
    planned = _decode(rows[0]["plan"])
    return gone(await planner.current_network(), planned, dt.datetime.max.replace(tzinfo=dt.timezone.utc),
                language) if planned is not None else ""
