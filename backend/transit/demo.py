"""A small fictional bus network around the demo places in Genk, so the demo shows journeys.

It is clearly not real: the agency is "Demo-bus (fictief)" and the lines are D1 and D2. It runs on
weekdays every 15 minutes and on Saturdays every 30 minutes, from 05:00 to 21:00, in both
directions, for 180 days from a week ago. `werkmaat demo` imports it as feed "demo" through the
normal GTFS reader when no feed of that name covers the coming 30 days, and never when another feed
is loaded (`werkmaat transit delete demo` removes it once a real feed is imported).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from backend.transit.geo import distance_m

FEED_NAME = "demo"
# Waypoints of each line (the stops are placed about every 700 m along them), near the demo homes.
LINES = {
    "D1": ("Waterschei - Genk Station - Hasselt", [
        (51.0010, 5.4890, "Waterschei"), (50.9920, 5.4650, "Waterschei Kolonie"), (50.9805, 5.4560, "Winterslag Kerk"),
        (50.9772, 5.4862, "Winterslag Noordlaan"), (50.9660, 5.4960, "Genk Station"), (50.9620, 5.4700, "Sledderlo"),
        (50.9533, 5.4440, "Genk-Zuid Henry Fordlaan"), (50.9555, 5.4205, "Genk-Zuid"), (50.9420, 5.3800, "Kiewit"),
        (50.9395, 5.3530, "Hasselt Kempische Steenweg")]),
    "D2": ("Zwartberg - Genk Station - Termien", [
        (50.9850, 5.5000, "Zwartberg"), (50.9710, 5.5140, "Genk Oost"), (50.9660, 5.4960, "Genk Station"),
        (50.9480, 5.4990, "Bokrijk"), (50.9440, 5.4620, "Kolderbos"), (50.9533, 5.4440, "Genk-Zuid Henry Fordlaan"),
        (50.9700, 5.4380, "Termien")]),
}
STOP_SPACING_M = 700
SPEED_M_S = 22 / 3.6          # a town bus, stops included
DWELL_S = 20
FIRST, LAST = 5 * 3600, 21 * 3600


def _metres(a: tuple, b: tuple) -> float:
    return float(distance_m(a[0], a[1], b[0], b[1]))


def _stops_along(points: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Stops about STOP_SPACING_M apart along the polyline: the named waypoints and numbered ones between."""
    out = [points[0]]
    for a, b in zip(points, points[1:]):
        n = max(1, round(_metres(a, b) / STOP_SPACING_M))
        out += [(a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n, f"{a[2]} {k + 1}")
                for k in range(1, n)] + [b]
    return out


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def build_zip(today: dt.date) -> bytes:
    """The demo feed as GTFS zip bytes, valid from a week before `today` for 180 days."""
    stops, routes, trips, times = [], [], [], []
    stop_ids: dict[tuple[float, float], str] = {}

    def stop_id(point: tuple[float, float, str]) -> str:
        key = (round(point[0], 5), round(point[1], 5))
        if key not in stop_ids:
            stop_ids[key] = f"S{len(stop_ids) + 1}"
            stops.append(f"{stop_ids[key]},{point[2]},{key[0]:.5f},{key[1]:.5f}")
        return stop_ids[key]

    for line, (long_name, waypoints) in LINES.items():
        routes.append(f"{line},DEMO,{line},{long_name},3")
        points = _stops_along(waypoints)
        ids = [stop_id(p) for p in points]
        legs = [_metres(a, b) / SPEED_M_S + DWELL_S for a, b in zip(points, points[1:])]
        ends = long_name.split(" - ")
        for direction, (seq, headsign) in enumerate(((ids, ends[-1]), (ids[::-1], ends[0]))):
            offsets = [0.0]
            for leg in (legs if direction == 0 else legs[::-1]):
                offsets.append(offsets[-1] + leg)
            for service, step in (("WEEK", 900), ("SAT", 1800)):
                for n, start in enumerate(range(FIRST, LAST + 1, step)):
                    trip = f"{line}-{direction}-{service}-{n}"
                    trips.append(f"{line},{service},{trip},{headsign},{direction}")
                    times += [f"{trip},{_hms(start + o)},{_hms(start + o)},{s},{k + 1}"
                              for k, (s, o) in enumerate(zip(seq, offsets))]
    first, last = today - dt.timedelta(days=7), today + dt.timedelta(days=173)
    files = {
        "agency.txt": ["agency_id,agency_name,agency_url,agency_timezone,agency_lang",
                       "DEMO,Demo-bus (fictief),https://example.invalid/demo,Europe/Brussels,nl"],
        "stops.txt": ["stop_id,stop_name,stop_lat,stop_lon"] + stops,
        "routes.txt": ["route_id,agency_id,route_short_name,route_long_name,route_type"] + routes,
        "trips.txt": ["route_id,service_id,trip_id,trip_headsign,direction_id"] + trips,
        "stop_times.txt": ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"] + times,
        "calendar.txt": ["service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date",
                         f"WEEK,1,1,1,1,1,0,0,{first:%Y%m%d},{last:%Y%m%d}",
                         f"SAT,0,0,0,0,0,1,0,{first:%Y%m%d},{last:%Y%m%d}"],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, rows in files.items():
            zf.writestr(name, "\r\n".join(rows) + "\r\n")
    return buffer.getvalue()


async def load_demo_transit(today: dt.date) -> str | None:
    """Import the demo feed unless a real feed is loaded or the demo one still covers the next 30 days;
    says what it did."""
    from backend.transit.gtfs import read_feed
    from backend.transit.store import save_feed
    from backend.transit.tables import TransitFeed

    if await TransitFeed.exists().where(TransitFeed.name != FEED_NAME):
        return None  # real timetables are loaded: never mix fictional lines into them
    current = await TransitFeed.select(TransitFeed.last_date).where(TransitFeed.name == FEED_NAME).first()
    if current and current["last_date"] >= today + dt.timedelta(days=30):
        return None
    feed = read_feed(io.BytesIO(build_zip(today)), FEED_NAME)
    await save_feed(feed)
    c = feed.meta["counts"]
    return (f"Demo bus lines D1 and D2 (fictional, feed '{FEED_NAME}'): {c['stops']} stops, {c['trips']} trips, "
            f"{feed.meta['first_date']} to {feed.meta['last_date']}.")
