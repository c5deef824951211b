"""The ride matcher as a pure function: detour limit, 10-minute margin, seats per day, days off,
validity, weekdays, ranking; and the distance estimates it rests on."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from backend.mobility import matcher
from backend.mobility.matcher import MARGIN, OfferSpec, RequestSpec, match, road_km, straight_km
from backend.schedule.recurrence import local_instant

WORK = (50.9533, 5.4440)        # Genk, Henry Fordlaan
HOME = (50.9850, 5.5000)        # between As and Genk
ORIGIN = (51.0000, 5.5200)      # the buddy's home, further out on the same road
DAY = dt.date(2026, 12, 1)      # a Tuesday


def offer(**changes) -> OfferSpec:
    values = dict(id=uuid.uuid4(), buddy_id=uuid.uuid4(), weekdays=frozenset({1, 2, 3, 4, 5}),
                  leave_time=dt.time(7, 45), origin=ORIGIN, destination=WORK, workplace_id=uuid.uuid4(), seats=2,
                  max_detour_km=5.0, valid_from=dt.date(2026, 11, 1), valid_until=None, days_off=frozenset())
    values.update(changes)
    return OfferSpec(**values)


def request(at: dt.time = dt.time(8, 30), day: dt.date = DAY, home=HOME) -> RequestSpec:
    return RequestSpec(day=day, pickup=home, workplace=WORK, arrive_by=local_instant(day, at))


def run(req: RequestSpec, offers: list[OfferSpec], taken: dict | None = None):
    return match(req, offers, taken or {}, local_instant)


def test_distances_are_local_great_circle_times_the_road_factor():
    from geopy.distance import geodesic

    # Genk - Hasselt: about 12 km as the crow flies; great circle within 0.5 % of the WGS84 geodesic.
    genk, hasselt = (50.9650, 5.5008), (50.9307, 5.3378)
    assert 11 < straight_km(genk, hasselt) < 13
    assert straight_km(genk, hasselt) == pytest.approx(geodesic(genk, hasselt).km, rel=0.005)
    assert road_km(genk, hasselt) == pytest.approx(straight_km(genk, hasselt) * matcher.ROAD_FACTOR)
    assert matcher.ROAD_FACTOR == 1.3


def test_a_fitting_offer_matches_with_times_and_detour():
    o = offer()
    [m] = run(request(), [o])
    assert m.offer_id == o.id
    assert m.leave_at == local_instant(DAY, dt.time(7, 45))
    to_home = road_km(ORIGIN, HOME)
    assert m.pickup_at == m.leave_at + matcher.drive_time(to_home)
    assert m.arrive_at == m.pickup_at + dt.timedelta(minutes=matcher.PICKUP_MINUTES) + matcher.drive_time(
        road_km(HOME, WORK))
    expected_detour = to_home + road_km(HOME, WORK) - road_km(ORIGIN, WORK)
    assert m.detour_km == pytest.approx(expected_detour, abs=0.01)
    assert m.distance_km == pytest.approx(to_home + road_km(HOME, WORK), abs=0.01)
    assert m.margin >= MARGIN


def test_detour_limit():
    far_home = (50.9000, 5.6500)  # well off the buddy's way
    assert run(request(home=far_home), [offer(max_detour_km=5)]) == []
    assert len(run(request(home=far_home), [offer(max_detour_km=50, leave_time=dt.time(7, 0))])) == 1
    # Just below and just above the computed detour.
    [m] = run(request(), [offer(max_detour_km=50)])
    assert run(request(), [offer(max_detour_km=m.detour_km - 0.02)]) == []
    assert len(run(request(), [offer(max_detour_km=m.detour_km + 0.02)])) == 1


def test_arrives_at_least_ten_minutes_before_the_shift():
    [m] = run(request(dt.time(9, 0)), [offer()])
    arrive_local = m.arrive_at
    # A shift starting exactly 10 minutes after arrival still fits; 9 minutes does not.
    ten = arrive_local + MARGIN
    nine = arrive_local + dt.timedelta(minutes=9)
    assert len(match(RequestSpec(DAY, HOME, WORK, ten), [offer()], {}, local_instant)) == 1
    assert match(RequestSpec(DAY, HOME, WORK, nine), [offer()], {}, local_instant) == []
    # Leaving too late for an 08:00 shift.
    assert run(request(dt.time(8, 0)), [offer()]) == []
    # Nor absurdly early: a 07:45 departure is no ride to a 14:00 shift.
    assert run(request(dt.time(14, 0)), [offer()]) == []


def test_seats_taken_that_day():
    o = offer(seats=2)
    assert len(run(request(), [o], {(o.id, DAY): 1})) == 1
    assert run(request(), [o], {(o.id, DAY): 2}) == []
    # Seats of another day do not count.
    assert len(run(request(), [o], {(o.id, DAY - dt.timedelta(days=1)): 2})) == 1


def test_a_ride_across_midnight_to_a_night_shift():
    """A buddy leaving at 23:45 takes a worker to a 00:30 night shift: the car leaves the evening before."""
    night = DAY + dt.timedelta(days=1)                      # the shift is on Wednesday at 00:30
    late = offer(leave_time=dt.time(23, 45), weekdays=frozenset({2}))  # drives on Tuesdays only
    [m] = run(request(dt.time(0, 30), day=night), [late])
    assert m.departure_day == DAY and m.leave_at == local_instant(DAY, dt.time(23, 45))
    assert m.leave_at < m.arrive_at < local_instant(night, dt.time(0, 30)) - MARGIN + dt.timedelta(seconds=1)
    # Its seats are those of the departure day (Tuesday), not of the shift's day.
    assert run(request(dt.time(0, 30), day=night), [late], {(late.id, DAY): 2}) == []
    assert len(run(request(dt.time(0, 30), day=night), [late], {(late.id, night): 2})) == 1
    # The evening's car does not run on Wednesday evening, so no ride to Thursday's 00:30 shift.
    assert run(request(dt.time(0, 30), day=night + dt.timedelta(days=1)), [late]) == []
    # A day off on the departure day cancels it; one on the shift's day does not.
    assert run(request(dt.time(0, 30), day=night), [offer(leave_time=dt.time(23, 45),
                                                          days_off=frozenset({DAY}))]) == []
    assert len(run(request(dt.time(0, 30), day=night), [offer(leave_time=dt.time(23, 45),
                                                              days_off=frozenset({night}))])) == 1
    # A 23:45 departure is no ride to the 00:30 of the same calendar day (23 hours early).
    assert run(request(dt.time(0, 30), day=DAY), [offer(leave_time=dt.time(23, 45), weekdays=frozenset({2}))]) == []


def test_a_ride_on_the_nights_the_clocks_change():
    """Margins are real minutes, not wall-clock differences, on the March and October nights."""
    march, october = dt.date(2027, 3, 28), dt.date(2027, 10, 31)     # Sundays; 02:00 -> 03:00, 03:00 -> 02:00
    for night in (march, october):
        late = offer(leave_time=dt.time(23, 45), weekdays=frozenset({6}), valid_from=dt.date(2027, 1, 1))
        [m] = run(request(dt.time(0, 30), day=night), [late])
        assert m.departure_day == night - dt.timedelta(days=1)
        assert local_instant(night, dt.time(0, 30)) - m.leave_at == dt.timedelta(minutes=45)
    # March: leaving 01:50 for a 03:30 shift is 40 real minutes (the hour 02:00-03:00 does not exist).
    spring = offer(leave_time=dt.time(1, 50), weekdays=frozenset({7}), valid_from=dt.date(2027, 1, 1))
    [m] = run(request(dt.time(3, 30), day=march), [spring])
    assert local_instant(march, dt.time(3, 30)) - m.leave_at == dt.timedelta(minutes=40)
    # October: leaving 01:50 for a 03:00 shift is 130 real minutes, not 70 (02:00-03:00 happens twice),
    # and 02:20 (its first time) is 100: both too early. 02:30 (first time) is 90 minutes: it fits.
    def sunday(at: dt.time) -> OfferSpec:
        return offer(leave_time=at, weekdays=frozenset({7}), valid_from=dt.date(2027, 1, 1))

    assert local_instant(october, dt.time(3, 0)) - local_instant(october, dt.time(1, 50)) == dt.timedelta(minutes=130)
    assert run(request(dt.time(3, 0), day=october), [sunday(dt.time(1, 50)), sunday(dt.time(2, 20))]) == []
    [m] = run(request(dt.time(3, 0), day=october), [sunday(dt.time(2, 30))])
    assert local_instant(october, dt.time(3, 0)) - m.leave_at == dt.timedelta(minutes=90)


def test_days_off_weekdays_and_validity():
    assert run(request(), [offer(days_off=frozenset({DAY}))]) == []
    assert len(run(request(), [offer(days_off=frozenset({DAY + dt.timedelta(days=1)}))])) == 1
    assert run(request(), [offer(weekdays=frozenset({1, 3}))]) == []          # DAY is a Tuesday
    assert run(request(), [offer(valid_from=DAY + dt.timedelta(days=1))]) == []
    assert run(request(), [offer(valid_until=DAY - dt.timedelta(days=1))]) == []
    assert len(run(request(), [offer(valid_from=DAY, valid_until=DAY)])) == 1


def test_offer_to_another_workplace_passing_near():
    beyond = (50.9300, 5.3800)  # the buddy works further on, past the worker's workplace
    assert len(run(request(), [offer(destination=beyond, max_detour_km=5)])) == 1
    elsewhere = (51.1000, 5.7000)  # the buddy drives the other way
    assert run(request(), [offer(destination=elsewhere, max_detour_km=5)]) == []


def test_ranked_by_detour_then_time_margin():
    near = offer(origin=(50.9900, 5.5100))            # smaller detour
    far = offer(origin=(51.0100, 5.4800))
    early = offer(origin=(50.9900, 5.5100), leave_time=dt.time(7, 35))  # same detour as `near`, more margin
    result = run(request(), [far, near, early])
    assert [m.offer_id for m in result][:2] == [early.id, near.id]
    assert result[-1].offer_id == far.id
    assert result[0].detour_km <= result[-1].detour_km


def test_screen_never_drops_a_real_match():
    """The fast equirectangular screen against the full measure, over many random offers."""
    import random

    rng = random.Random(7)
    offers = [offer(origin=(50.85 + rng.random() * 0.3, 5.3 + rng.random() * 0.4),
                    max_detour_km=rng.uniform(0.5, 15), leave_time=dt.time(7, rng.randrange(0, 60)))
              for _ in range(400)]
    screened = {m.offer_id for m in run(request(), offers)}
    brute = set()
    for o in offers:
        detour = road_km(o.origin, HOME) + road_km(HOME, WORK) - road_km(o.origin, WORK)
        leave = local_instant(DAY, o.leave_time)
        arrive = leave + matcher.drive_time(road_km(o.origin, HOME) + road_km(HOME, WORK)) + dt.timedelta(
            minutes=matcher.PICKUP_MINUTES)
        margin = request().arrive_by - arrive
        if detour <= o.max_detour_km and MARGIN <= margin <= matcher.MAX_EARLY:
            brute.add(o.id)
    assert screened == brute and brute
