"""Transit benchmark (not part of `make test`): `.venv/bin/python -m tests.bench.transit [--keep DIR]`.

Writes a Flanders-sized synthetic GTFS feed (35,000 stops clustered around 300 towns in Flanders'
bounding box, about 2,400 routes between towns, 60,000+ trips on a weekday, 1.5 million+ stop
times), imports it with `werkmaat transit import` into an SQLite database (timed), then, in a fresh
process like a web worker, loads the network from the database and answers 200 random arrive-by
questions (two points within 25 km of each other, arrival 07:00-09:00 on a weekday). Prints import
time, the router process's resident memory (VmRSS/VmHWM from /proc/self/status) and query p50/p95.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
import zoneinfo
from pathlib import Path

import numpy as np

LAT = (50.68, 51.50)
LON = (2.54, 5.92)
N_STOPS = 35_000
N_TOWNS = 300
N_ROUTES = 2_400
TRIPS_PER_DIRECTION = 13
DATE = dt.date(2027, 3, 9)  # a Tuesday
ROOT = Path(__file__).resolve().parents[2]


def hms(s: np.ndarray) -> list[str]:
    s = s.astype(np.int64)
    return [f"{h:02d}:{m:02d}:{x:02d}" for h, m, x in zip((s // 3600).tolist(), (s % 3600 // 60).tolist(),
                                                           (s % 60).tolist())]


def generate(path: Path, seed: int = 7) -> dict:
    """Write the synthetic feed; returns its counts."""
    from backend.transit.geo import GridIndex

    rng = np.random.default_rng(seed)
    towns = np.column_stack([rng.uniform(*LAT, N_TOWNS), rng.uniform(*LON, N_TOWNS)])
    town_of = rng.integers(0, N_TOWNS, N_STOPS)
    spread = rng.uniform(0.01, 0.04, N_TOWNS)[town_of]
    lat = np.clip(towns[town_of, 0] + rng.normal(0, 1, N_STOPS) * spread, *LAT)
    lon = np.clip(towns[town_of, 1] + rng.normal(0, 1, N_STOPS) * spread * 1.6, *LON)
    grid = GridIndex(lat, lon, cell_m=1000)
    routes = []
    while len(routes) < N_ROUTES:
        a, b = rng.integers(0, N_TOWNS, 2)
        d = np.hypot(*(towns[a] - towns[b]) * [1, 0.63])
        if a == b or d > 0.35:
            continue
        n = max(8, int(d * 111 / 0.8))  # a stop about every 800 m
        pts = towns[a] + np.linspace(0, 1, n)[:, None] * (towns[b] - towns[a])
        seq = []
        for p in pts:
            idx, dist = grid.near(p[0] + rng.normal(0, 0.002), p[1] + rng.normal(0, 0.003), 900)
            if len(idx):
                s = int(idx[np.argmin(dist)])
                if s not in seq:
                    seq.append(s)
        if len(seq) >= 6:
            routes.append(seq[:60])
    buf = io.BytesIO()
    n_trips = n_st = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nSYN,Synthetic,https://x.invalid,Europe/Brussels\n")
        zf.writestr("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
            f"{i},Halte {i},{la:.6f},{lo:.6f}\n" for i, (la, lo) in enumerate(zip(lat.tolist(), lon.tolist()))))
        zf.writestr("routes.txt", "route_id,route_short_name,route_long_name,route_type\n" + "".join(
            f"r{k},{k % 900 + 1},Lijn {k},3\n" for k in range(len(routes))))
        zf.writestr("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                    "WK,1,1,1,1,1,0,0,20270101,20271231\nWE,0,0,0,0,0,1,1,20270101,20271231\n")
        trips_lines = ["route_id,service_id,trip_id,trip_headsign\n"]
        with zf.open("stop_times.txt", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            out.write("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
            for k, seq in enumerate(routes):
                hops = rng.integers(60, 150, len(seq) - 1)
                for direction in (0, 1):
                    stops = seq if direction == 0 else seq[::-1]
                    h = hops if direction == 0 else hops[::-1]
                    offs = np.concatenate([[0], np.cumsum(h)])
                    starts = np.sort(rng.integers(5 * 3600, 24 * 3600 + 1800, TRIPS_PER_DIRECTION))
                    for svc in ("WK",):
                        for n, s0 in enumerate(starts.tolist()):
                            tid = f"t{k}_{direction}_{n}_{svc}"
                            trips_lines.append(f"r{k},{svc},{tid},Halte {stops[-1]}\n")
                            times = hms(s0 + offs)
                            out.write("".join(f"{tid},{t},{t},{s},{i + 1}\n"
                                              for i, (s, t) in enumerate(zip(stops, times))))
                            n_trips += 1
                            n_st += len(stops)
            out.flush()
            out.detach()
        zf.writestr("trips.txt", "".join(trips_lines))
    del buf
    return {"stops": N_STOPS, "routes": len(routes), "trips": n_trips, "stop_times": n_st}


def router_process(n: int, seed: int) -> None:
    """In a fresh process: load the network from the database, answer `n` questions, print JSON."""
    from backend.transit import planner
    from backend.transit.cli import _with_db

    start = time.perf_counter()
    net = asyncio.run(_with_db(planner.current_network()))
    load_s = time.perf_counter() - start
    tz = zoneinfo.ZoneInfo("Europe/Brussels")
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    net.day(dt.datetime.combine(DATE, dt.time(8), tzinfo=tz).astimezone(dt.timezone.utc).date())
    day_s = time.perf_counter() - start
    samples, found, options = [], 0, 0
    for _ in range(n):
        i = int(rng.integers(0, net.n_stops))
        o = (net.stop_lat[i] + rng.normal(0, 0.003), net.stop_lon[i] + rng.normal(0, 0.004))
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(2, 25) / 111
        d = (o[0] + dist * np.sin(ang), o[1] + dist * np.cos(ang) / 0.63)
        arrive = dt.datetime.combine(DATE, dt.time(7), tzinfo=tz) + dt.timedelta(minutes=int(rng.integers(0, 120)))
        t0 = time.perf_counter()
        journeys = planner.plan_sync(net, o, d, arrive)
        samples.append((time.perf_counter() - t0) * 1000)
        found += bool(journeys)
        options += len(journeys)
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    samples.sort()
    print(json.dumps({
        "load_s": load_s, "day_view_s": day_s, "n": n, "with_journey": found, "options": options,
        "p50_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * (len(samples) - 1))],
        "max_ms": samples[-1], "rss": status["VmRSS"].strip(), "hwm": status["VmHWM"].strip()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", help="Directory for the feed and database (kept; the feed is reused).")
    parser.add_argument("--router", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    if args.router:
        router_process(args.queries, seed=11)
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="werkmaat-transit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    feed = work / "flanders.zip"
    if not feed.exists():
        t0 = time.perf_counter()
        counts = generate(feed)
        print(f"generated {feed} in {time.perf_counter() - t0:.1f} s: {counts}, "
              f"{feed.stat().st_size / 1e6:.0f} MB")
    env = {**os.environ, "WERKMAAT_DATA_DIR": str(work / "data"),
           "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{work}/data/werkmaat.db")}
    (work / "data").mkdir(exist_ok=True)
    werkmaat = str(Path(sys.executable).parent / "werkmaat")
    t0 = time.perf_counter()
    result = subprocess.run([werkmaat, "transit", "import", str(feed), "--name", "flanders"], env=env,
                            capture_output=True, text=True)
    import_s = time.perf_counter() - t0
    if result.returncode:
        sys.exit(result.stderr)
    print(result.stdout.strip())
    print(f"import (command, incl. migrations): {import_s:.1f} s")
    out = subprocess.run([sys.executable, "-m", "tests.bench.transit", "--router", "--queries", str(args.queries)],
                         env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"router process: load from DB {figures['load_s']:.1f} s, day view {figures['day_view_s']:.2f} s, "
          f"RSS {figures['rss']} (peak {figures['hwm']})")
    print(f"arrive-by: {figures['n']} queries, {figures['with_journey']} with a journey "
          f"({figures['options']} options), p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
          f"max {figures['max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
