"""`werkmaat transit import` and `werkmaat transit plan`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import sys
import time
import zoneinfo

import msgspec


def _progress(start: float):
    def report(step: str) -> None:
        print(f"[{time.monotonic() - start:6.1f} s] {step}", file=sys.stderr, flush=True)
    return report


def cmd_import(args: argparse.Namespace) -> None:
    """Import (or replace) a GTFS feed."""
    from backend.transit.gtfs import FeedError, read_feed
    from backend.transit.store import save_feed

    name = (args.name or os.path.splitext(os.path.basename(args.feed))[0]).strip()
    if not 1 <= len(name) <= 60 or "\x00" in name:
        print("Error: the feed name must have 1 to 60 characters (use --name).", file=sys.stderr)
        raise SystemExit(2)
    start = time.monotonic()
    report = _progress(start)
    report(f"reading {args.feed} as feed '{name}'")
    try:
        feed = read_feed(args.feed, name, progress=report)
    except FeedError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    report("saving")
    asyncio.run(_with_db(save_feed(feed)))
    c = feed.meta["counts"]
    print(f"Feed '{name}' imported in {time.monotonic() - start:.1f} s: {c['stops']:,} stops, "
          f"{c['routes']:,} routes, {c['trips']:,} trips, {c['stop_times']:,} stop times, "
          f"{c['walking_transfers']:,} walking transfers; service days "
          f"{feed.meta['first_date']} to {feed.meta['last_date']} ({feed.meta['timezone']})"
          + (f"; {c['stay_seated']:,} stay-seated block chains." if c.get("stay_seated") else "."))
    warnings = feed.meta.get("warnings", [])
    if warnings:
        print(f"{len(warnings)} warning(s):")
        for w in warnings:
            print(f"  Warning: {w}")


async def _with_db(coro):
    from backend.piccolo_conf import DB
    from backend.settings import get_settings

    pg = not get_settings().is_sqlite
    if pg:
        await DB.start_connection_pool()
    try:
        return await coro
    finally:
        if pg:
            await DB.close_connection_pool()


COORDS_RE = re.compile(r"^-\d+$|^-\d*\.\d+$|^-?\d+(\.\d*)?,\s*-?\d+(\.\d*)?$")


def _coords(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not LAT,LON") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"'{text}' is out of range")
    return lat, lon


def cmd_plan(args: argparse.Namespace) -> None:
    """Print arrive-by journeys (each time local to the stop it is at)."""
    from backend.errors import AppError
    from backend.i18n import translate
    from backend.transit import planner

    async def go():
        net = await planner.current_network()
        # Without an offset, --arrive-by is the destination's local time (its nearest stop's zone).
        tz = (net.zone_near(args.destination) if net else None) or zoneinfo.ZoneInfo("Europe/Brussels")
        arrive = args.arrive_by if args.arrive_by.tzinfo else args.arrive_by.replace(tzinfo=tz)
        return await planner.plan_arrive_by(args.origin, args.destination, arrive,
                                            max_walk_m=args.max_walk, max_transfers=args.max_transfers)

    try:
        journeys = asyncio.run(_with_db(go()))
    except AppError as exc:
        params = dict(exc.params)
        print(f"Error: {translate(exc.key, 'en', **params)}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.json:
        print(msgspec.json.encode(journeys).decode())
        return
    if not journeys:
        print("No journey arrives in time within the walking and transfer limits.")
    for n, j in enumerate(journeys, 1):
        print(f"Option {n}: leave {j.departure:%Y-%m-%d %H:%M}, arrive {j.arrival:%H:%M}, "
              f"{j.transfers} transfer(s), {j.walk_metres} m walking")
        for leg in j.legs:
            if leg.kind == "walk":
                print(f"  {leg.departure:%H:%M} walk {leg.metres} m ({leg.minutes} min)"
                      f"{' to ' + leg.to_name if leg.to_name else ' to the destination'}")
            else:
                verb = "stay on" if leg.stay_seated else f"{leg.departure:%H:%M}"
                print(f"  {verb} {leg.mode} {leg.line} towards {leg.headsign or '?'} "
                      f"from {leg.from_name}; get off at {leg.to_name} {leg.arrival:%H:%M}")
                for note in planner.leg_notes(leg, "en"):
                    print(f"    {note}")


def cmd_list(args: argparse.Namespace) -> None:
    """List the loaded feeds with the service days they cover."""
    from backend.transit.store import list_feeds

    feeds = asyncio.run(_with_db(list_feeds()))
    if not feeds:
        print("No transit feed is loaded. Import one with: werkmaat transit import FEED.zip")
    for f in feeds:
        print(f"{f['name']}: {f['stops']:,} stops, {f['routes']:,} routes, {f['trips']:,} trips; "
              f"service days {f['first_date']} to {f['last_date']} ({f['timezone']}); "
              f"imported {f['imported_at']:%Y-%m-%d %H:%M} UTC")
    from backend.transit.realtime import status_lines  # live delays (GTFS-Realtime): state per source

    for line in asyncio.run(_with_db(status_lines())):
        print(line)


def cmd_delete(args: argparse.Namespace) -> None:
    """Remove one loaded feed (the others stay)."""
    from backend.transit.store import delete_feed

    if not asyncio.run(_with_db(delete_feed(args.name))):
        print(f"Error: no feed named '{args.name}' is loaded (see: werkmaat transit list).", file=sys.stderr)
        raise SystemExit(2)
    print(f"Feed '{args.name}' removed.")


def _when(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not YYYY-MM-DDTHH:MM") from None


def add_parser(sub) -> None:
    """Add `transit import|plan` to the `werkmaat` command."""
    transit = sub.add_parser("transit", help="Public transit: import GTFS feeds, plan journeys.")
    tsub = transit.add_subparsers(dest="transit_command", required=True)
    imp = tsub.add_parser("import", help=cmd_import.__doc__)
    imp.add_argument("feed", help="GTFS zip file")
    imp.add_argument("--name", help="Feed name (default: the file name); an import replaces the feed of that name.")
    imp.set_defaults(func=_migrating(cmd_import))
    tsub.add_parser("list", help=cmd_list.__doc__).set_defaults(func=cmd_list)
    delete = tsub.add_parser("delete", help=cmd_delete.__doc__)
    delete.add_argument("name", help="Feed name as shown by 'werkmaat transit list'")
    delete.set_defaults(func=cmd_delete)

    plan = tsub.add_parser("plan", help=cmd_plan.__doc__)
    # "-6.2091,106.8307" is a value, not an option: let the parser see negative coordinates as such.
    plan._negative_number_matcher = COORDS_RE
    plan.add_argument("--from", dest="origin", type=_coords, required=True, metavar="LAT,LON",
                      help="Start point, e.g. 50.965,5.500 or -6.2091,106.8307.")
    plan.add_argument("--to", dest="destination", type=_coords, required=True, metavar="LAT,LON")
    plan.add_argument("--arrive-by", type=_when, required=True, metavar="YYYY-MM-DDTHH:MM",
                      help="Arrive by this time. Without an offset (+01:00) it is the local time at the "
                           "destination (the time zone of the stop nearest to --to).")
    plan.add_argument("--max-walk", type=int, default=1000, help="Metres of walking at each end.")
    plan.add_argument("--max-transfers", type=int, default=3)
    plan.add_argument("--json", action="store_true")
    plan.set_defaults(func=_migrating(cmd_plan))


def _migrating(func):
    def run(args):
        import contextlib

        from backend.cli import _migrate
        with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the answer (--json)
            _migrate()
        func(args)
    run.__doc__ = func.__doc__
    return run
