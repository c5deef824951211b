"""Transit benchmark (not part of `make test`): `.venv/bin/python -m tests.bench.transit [--keep DIR]`.

Writes a Flanders-sized synthetic GTFS feed that is as dense as the real ones here: 300 towns in
Flanders' bounding box, about 1,000 bus routes of 20-60 stops each (stops 300-500 m apart, shared by
the routes that pass the same place), running both ways from 05:30 to 23:30 on weekdays every 10-60
minutes, twice as often in the rush hours (07:00-09:00, 16:00-18:30) and half as often after 20:00
(about 100,000 trips and 4 million stop times on a weekday). It imports it with `werkmaat transit
import` into an SQLite database (timed, with the import process's peak memory), then, in a fresh
process like a web worker, loads the network from the database and answers 200 random arrive-by
questions (two points within 25 km of each other, arrival 07:00-09:00 on a weekday). Prints import
time and memory, the router process's resident memory (VmRSS/VmHWM from /proc/self/status) and query
p50/p95.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import math
import os
import resource
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
N_TOWNS = 300
N_ROUTES = 1_000
STOPS_PER_ROUTE = (20, 60)
SPACING_M = (300, 500)
SHARE_M = 80            # a route passing within this distance of a stop uses that stop
HEADWAYS_MIN = ([10, 15, 20, 30, 60], [0.1, 0.15, 0.25, 0.3, 0.2])
RUSH = ((7 * 3600, 9 * 3600), (16 * 3600, 18 * 3600 + 1800))
SERVICE = (5 * 3600 + 1800, 23 * 3600 + 1800)
EVENING = 20 * 3600
DATE = dt.date(2027, 3, 9)  # a Tuesday
ROOT = Path(__file__).resolve().parents[2]
M_LAT = 111_320.0


def hms(s: np.ndarray) -> list[str]:
    s = s.astype(np.int64)
    return [f"{h:02d}:{m:02d}:{x:02d}" for h, m, x in zip((s // 3600).tolist(), (s % 3600 // 60).tolist(),
                                                           (s % 60).tolist())]


def departures(base_min: int, rng) -> list[int]:
    """Start times of one direction's runs: every base headway, half of it in the rush hours (at
    least 10 minutes), twice it after 20:00 (at most 60)."""
    t = SERVICE[0] + int(rng.integers(0, base_min)) * 60
    out = []
    while t < SERVICE[1]:
        out.append(t)
        h = base_min
        if any(a <= t < b for a, b in RUSH):
            h = max(10, base_min // 2)
        elif t >= EVENING:
            h = min(60, base_min * 2)
        t += h * 60
    return out


def generate(path: Path, seed: int = 7, n_routes: int = N_ROUTES) -> dict:
    """Write the synthetic feed; returns its counts."""
    rng = np.random.default_rng(seed)
    towns = np.column_stack([rng.uniform(*LAT, N_TOWNS), rng.uniform(*LON, N_TOWNS)])
    cos = math.cos(math.radians(51.0))
    cell = SHARE_M / M_LAT
    grid: dict[tuple[int, int], list[int]] = {}
    lat_l: list[float] = []
    lon_l: list[float] = []

    def stop_at(la: float, lo: float) -> int:
        """The stop within SHARE_M of a point, or a new one there."""
        ci, cj = int(la // cell), int(lo * cos // cell)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for s in grid.get((ci + di, cj + dj), ()):
                    if math.hypot((lat_l[s] - la) * M_LAT, (lon_l[s] - lo) * M_LAT * cos) <= SHARE_M:
                        return s
        s = len(lat_l)
        lat_l.append(la); lon_l.append(lo)
        grid.setdefault((ci, cj), []).append(s)
        return s

    routes = []
    while len(routes) < n_routes:
        a = int(rng.integers(0, N_TOWNS))
        # Towards another town 8-30 km away; the road wanders a little.
        d = np.hypot((towns[:, 0] - towns[a, 0]) * M_LAT, (towns[:, 1] - towns[a, 1]) * M_LAT * cos)
        options = np.nonzero((d > 8_000) & (d < 30_000))[0]
        if not len(options):
            continue
        b = int(rng.choice(options))
        n = int(rng.integers(STOPS_PER_ROUTE[0], STOPS_PER_ROUTE[1] + 1))
        heading = math.atan2((towns[b, 0] - towns[a, 0]) * M_LAT, (towns[b, 1] - towns[a, 1]) * M_LAT * cos)
        la, lo = towns[a] + rng.normal(0, 0.01, 2)
        seq = []
        for _ in range(n):
            s = stop_at(float(la), float(lo))
            if s not in seq:
                seq.append(s)
            step = rng.uniform(*SPACING_M)
            heading += rng.normal(0, 0.15)
            la += step * math.sin(heading) / M_LAT
            lo += step * math.cos(heading) / (M_LAT * cos)
        if len(seq) >= STOPS_PER_ROUTE[0]:
            routes.append(seq)
    lat, lon = np.asarray(lat_l), np.asarray(lon_l)
    n_trips = n_st = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nSYN,Synthetic,https://x.invalid,Europe/Brussels\n")
        zf.writestr("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
            f"{i},Halte {i},{la:.6f},{lo:.6f}\n" for i, (la, lo) in enumerate(zip(lat.tolist(), lon.tolist()))))
        zf.writestr("routes.txt", "route_id,route_short_name,route_long_name,route_type\n" + "".join(
            f"r{k},{k % 900 + 1},Lijn {k},3\n" for k in range(len(routes))))
        zf.writestr("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                    "WK,1,1,1,1,1,0,0,20270101,20271231\n")
        trips_lines = ["route_id,service_id,trip_id,trip_headsign\n"]
        with zf.open("stop_times.txt", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            out.write("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
            for k, seq in enumerate(routes):
                s = np.asarray(seq)
                hop_m = np.hypot(np.diff(lat[s]) * M_LAT, np.diff(lon[s]) * M_LAT * cos)
                hop_s = hop_m / rng.uniform(5.5, 8.0) + 15  # 20-29 km/h between stops, 15 s at each
                base = int(rng.choice(HEADWAYS_MIN[0], p=HEADWAYS_MIN[1]))
                for direction in (0, 1):
                    stops = seq if direction == 0 else seq[::-1]
                    h = hop_s if direction == 0 else hop_s[::-1]
                    offs = np.round(np.concatenate([[0], np.cumsum(h)]) / 60) * 60  # whole minutes
                    for n, s0 in enumerate(departures(base, rng)):
                        tid = f"t{k}_{direction}_{n}"
                        trips_lines.append(f"r{k},WK,{tid},Halte {stops[-1]}\n")
                        times = hms(s0 + offs)
                        out.write("".join(f"{tid},{t},{t},{st},{i + 1}\n"
                                          for i, (st, t) in enumerate(zip(stops, times))))
                        n_trips += 1
                        n_st += len(stops)
            out.flush()
            out.detach()
        zf.writestr("trips.txt", "".join(trips_lines))
    spacing = np.concatenate([np.hypot(np.diff(lat[np.asarray(r)]) * M_LAT, np.diff(lon[np.asarray(r)]) * M_LAT * cos)
                              for r in routes])
    return {"stops": len(lat), "routes": len(routes), "trips": n_trips, "stop_times": n_st,
            "stops_per_route": float(np.mean([len(r) for r in routes])),
            "median_spacing_m": float(np.median(spacing))}


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
    samples, cpu, found, options = [], [], 0, 0
    for _ in range(n):
        i = int(rng.integers(0, net.n_stops))
        o = (net.stop_lat[i] + rng.normal(0, 0.003), net.stop_lon[i] + rng.normal(0, 0.004))
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(2, 25) / 111
        d = (o[0] + dist * np.sin(ang), o[1] + dist * np.cos(ang) / 0.63)
        arrive = dt.datetime.combine(DATE, dt.time(7), tzinfo=tz) + dt.timedelta(minutes=int(rng.integers(0, 120)))
        t0, c0 = time.perf_counter(), time.thread_time()
        journeys = planner.plan_sync(net, o, d, arrive)
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        found += bool(journeys)
        options += len(journeys)
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    samples.sort()
    cpu.sort()
    print(json.dumps({
        "cpu_p50_ms": statistics.median(cpu), "cpu_p95_ms": cpu[int(0.95 * (len(cpu) - 1))],
        "load": os.getloadavg()[0],
        "load_s": load_s, "day_view_s": day_s, "n": n, "with_journey": found, "options": options,
        "p50_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * (len(samples) - 1))],
        "max_ms": samples[-1], "rss": status["VmRSS"].strip(), "hwm": status["VmHWM"].strip()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", help="Directory for the feed and database (kept; the feed is reused).")
    parser.add_argument("--router", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--routes", type=int, default=N_ROUTES)
    parser.add_argument("--timeout", type=int, default=900, help="Seconds each step may take at most.")
    args = parser.parse_args()
    if args.router:
        router_process(args.queries, seed=11)
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="werkmaat-transit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    feed = work / "flanders.zip"
    if not feed.exists():
        t0 = time.perf_counter()
        counts = generate(feed, n_routes=args.routes)
        print(f"generated {feed} in {time.perf_counter() - t0:.1f} s: {counts}, "
              f"{feed.stat().st_size / 1e6:.0f} MB")
    env = {**os.environ, "WERKMAAT_DATA_DIR": str(work / "data"),
           "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{work}/data/werkmaat.db")}
    (work / "data").mkdir(exist_ok=True)
    werkmaat = str(Path(sys.executable).parent / "werkmaat")
    t0 = time.perf_counter()
    result = subprocess.run([werkmaat, "transit", "import", str(feed), "--name", "flanders"], env=env,
                            capture_output=True, text=True, timeout=args.timeout)
    import_s = time.perf_counter() - t0
    # The import was the only child process so far: its peak resident memory (kB on Linux).
    import_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if result.returncode:
        sys.exit(result.stderr)
    print(result.stdout.strip())
    print(f"import (command, incl. migrations): {import_s:.1f} s, peak resident memory {import_peak_mb:.0f} MB")
    out = subprocess.run([sys.executable, "-m", "tests.bench.transit", "--router", "--queries", str(args.queries)],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout)
    if out.returncode:
        sys.exit(out.stderr)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"router process: load from DB {figures['load_s']:.1f} s, day view {figures['day_view_s']:.2f} s, "
          f"RSS {figures['rss']} (peak {figures['hwm']})")
    print(f"arrive-by: {figures['n']} queries, {figures['with_journey']} with a journey "
          f"({figures['options']} options), p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
          f"max {figures['max_ms']:.1f} ms; CPU time of the planning thread p50 {figures['cpu_p50_ms']:.1f} ms, "
          f"p95 {figures['cpu_p95_ms']:.1f} ms (load average {figures['load']:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
