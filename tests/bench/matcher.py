"""Ride matcher benchmark (not part of `make test`): `.venv/bin/python -m tests.bench.matcher [N]`.

N ride offers (default 5,000) of one organisation, spread over Limburg (origins within ~30 km of
Genk, 1-8 seats, detour limits 1-15 km, leaving 06:00-09:00, most on weekdays, some with days off
or seats taken), to a handful of workplaces. Then 200 random requests (a worker's home, a shift
start) are matched against them:

- `pure`: `matcher.match` alone over the N offers in memory;
- `with loading`: `services.candidates` (the offers valid that day and the seats taken, read from
  an SQLite database made by `werkmaat migrate`; parsed offers are kept per organisation until one
  changes) plus `matcher.match`: what one ride request costs. The first, cold request is shown
  apart.

Prints p50/p95 per kind and the number of matches found. Target: p95 under 200 ms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

GENK = (50.9650, 5.5008)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def jitter(rng: random.Random, around: tuple[float, float], km: float) -> tuple[float, float]:
    return (around[0] + rng.uniform(-km, km) / 111.0, around[1] + rng.uniform(-km, km) / 70.0)


async def main(n: int) -> None:
    from backend.mobility import matcher, services
    from backend.mobility.offers import offer_spec
    from backend.mobility.tables import RideOffer, SeatDay
    from backend.accounts.tables import Person
    from backend.organisations.tables import Organisation, Workplace
    from backend.schedule.recurrence import local_instant

    rng = random.Random(20261122)
    org = Organisation(name="Bench")
    await org.save()
    workplaces = []
    for i in range(6):
        lat, lon = jitter(rng, GENK, 15)
        w = Workplace(organisation=org.id, name=f"Werkplek {i}", latitude=lat, longitude=lon)
        await w.save()
        workplaces.append(w)
    buddies = [Person(organisation=org.id, role="buddy", first_name=f"B{i}") for i in range(500)]
    await Person.insert(*buddies)
    day = dt.date(2026, 12, 1)  # a Tuesday
    rows = []
    for i in range(n):
        lat, lon = jitter(rng, GENK, 30)
        days_off = [(day + dt.timedelta(days=rng.randrange(0, 60))).isoformat() for _ in range(rng.randrange(0, 4))]
        rows.append(RideOffer(
            buddy=buddies[i % len(buddies)].id, organisation=org.id,
            weekdays=",".join(str(d) for d in sorted(rng.sample(range(1, 8), rng.randrange(3, 6)))),
            leave_time=f"{rng.randrange(6, 9):02d}:{rng.randrange(0, 60):02d}", from_latitude=lat,
            from_longitude=lon, workplace=rng.choice(workplaces).id, seats=rng.randrange(1, 9),
            max_detour_km=rng.uniform(1, 15), valid_from=day - dt.timedelta(days=rng.randrange(0, 90)),
            valid_until=None if rng.random() < 0.7 else day + dt.timedelta(days=rng.randrange(-10, 120)),
            days_off=days_off))
    for start in range(0, len(rows), 200):
        await RideOffer.insert(*rows[start:start + 200])
    taken = [SeatDay(offer=r.id, day=day, key=f"{r.id}:{day.isoformat()}", taken=rng.randrange(0, 3))
             for r in rows if rng.random() < 0.2]
    for start in range(0, len(taken), 200):
        await SeatDay.insert(*taken[start:start + 200])

    places = {w.id: (w.latitude, w.longitude) for w in workplaces}
    specs = [offer_spec(r.to_dict(), places[r.workplace]) for r in rows]
    taken_map = {(s.offer, s.day): s.taken for s in taken}
    requests = []
    for _ in range(200):
        w = rng.choice(workplaces)
        start = local_instant(day, dt.time(rng.randrange(7, 10), rng.choice((0, 15, 30, 45))))
        requests.append(matcher.RequestSpec(day=day, pickup=jitter(rng, GENK, 25), workplace=(w.latitude, w.longitude),
                                            arrive_by=start))

    pure, loaded, found = [], [], []
    for req in requests:
        t0 = time.perf_counter()
        result = matcher.match(req, specs, taken_map, local_instant)
        pure.append((time.perf_counter() - t0) * 1000)
        found.append(len(result))
    for req in requests:
        t0 = time.perf_counter()
        offers, seats = await services.candidates(org.id, req.day)
        matcher.match(req, offers, seats, local_instant)
        loaded.append((time.perf_counter() - t0) * 1000)
    print(f"matcher benchmark: {n} offers, {len(requests)} requests (day's candidates: {len(offers)})")
    print(f"  first request (offers read and parsed, then cached): {loaded[0]:7.1f} ms")
    print(f"  pure match       p50 {percentile(pure, 0.5):7.1f} ms   p95 {percentile(pure, 0.95):7.1f} ms")
    print(f"  with loading     p50 {percentile(loaded, 0.5):7.1f} ms   p95 {percentile(loaded, 0.95):7.1f} ms")
    print(f"  matches per request: median {sorted(found)[len(found) // 2]}, max {max(found)}")
    ok = percentile(loaded, 0.95) < 200
    print(f"  target p95 < 200 ms: {'met' if ok else 'NOT met'}")


def run() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    data_dir = Path(tempfile.mkdtemp(prefix="werkmaat-bench-matcher-"))
    os.environ.update({"WERKMAAT_DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{data_dir / 'bench.db'}",
                       "WERKMAAT_GEOCODER": "off"})
    werkmaat = str(Path(sys.executable).parent / "werkmaat")
    subprocess.run([werkmaat, "migrate"], check=True, capture_output=True, env=os.environ)
    asyncio.run(main(n))


if __name__ == "__main__":
    run()
