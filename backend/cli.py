"""The `werkmaat` command: serve, migrate, demo, create-admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import re
import sys

# The calendar feed's URL is its password (`/cal/<token>.ics`, no cookie): it must not land in
# access logs, which are kept longer and read by more people than the database.
_SECRET_PATH = re.compile(r"^(/cal/)[^/?#]+")


class RedactSecretPaths(logging.Filter):
    """Replaces the token of a calendar URL in uvicorn's access log lines with `[redacted]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn logs: client address, method, path with query, HTTP version, status.
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def redact_path(path: str) -> str:
    return _SECRET_PATH.sub(r"\1[redacted]", path)


def uvicorn_log_config() -> dict:
    """uvicorn's own logging set-up, with `RedactSecretPaths` on the access logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "filters": {"redact_secret_paths": {"()": RedactSecretPaths}}}
    config["loggers"] = {**LOGGING_CONFIG["loggers"]}
    config["loggers"]["uvicorn.access"] = {**LOGGING_CONFIG["loggers"]["uvicorn.access"],
                                           "filters": ["redact_secret_paths"]}
    return config


def _migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from backend import db as dbmod
    from backend.piccolo_conf import DB
    from backend.settings import get_settings

    if get_settings().is_sqlite:
        dbmod.enable_wal(DB.path)
    result = asyncio.run(run_forwards("all"))
    if not result.success:
        raise SystemExit(f"Migration failed: {result.message}")


def cmd_migrate(args: argparse.Namespace) -> None:
    """Run every migration that has not run yet."""
    _migrate()


def cmd_serve(args: argparse.Namespace) -> None:
    """Migrate, then serve the API and the PWA."""
    import uvicorn

    _migrate()
    uvicorn.run("backend.app:create_app", factory=True, host=args.host, port=args.port,
                proxy_headers=False, log_level=args.log_level, workers=1, log_config=uvicorn_log_config())


def cmd_worker(args: argparse.Namespace) -> None:
    """Run reminder dispatch and the other periodic jobs without serving HTTP (several may run)."""
    import signal

    from backend.jobs import running_scheduler
    from backend.piccolo_conf import DB
    from backend.settings import get_settings

    _migrate()

    async def run() -> None:
        if not get_settings().is_sqlite:
            await DB.start_connection_pool()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            async with running_scheduler():
                logging.getLogger("werkmaat").info("Worker running; Ctrl+C stops it.")
                await stop.wait()
        finally:
            if not get_settings().is_sqlite:
                await DB.close_connection_pool()

    asyncio.run(run())


def cmd_demo(args: argparse.Namespace) -> None:
    """Load demo data (idempotent) and print the sign-in links and passwords."""
    from backend.demo import load_demo

    _migrate()
    print(asyncio.run(load_demo()))


def cmd_create_admin(args: argparse.Namespace) -> None:
    """Create a platform admin, or with --reset set a new password for an existing one."""
    from backend.accounts.admin import create_admin

    password = args.password or os.environ.get("WERKMAAT_ADMIN_PASSWORD")
    if not password:
        password = getpass.getpass("Wachtwoord / password: ")
    _migrate()
    try:
        message = asyncio.run(create_admin(args.email, password, args.first_name, args.reset))
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    print(message)


def cmd_coaching_flags(args: argparse.Namespace) -> None:
    """Evaluate the "under the radar" rules for every worker now (or at --now), optionally send digests."""
    import datetime as dt

    from backend.coaching import flags
    from backend.piccolo_conf import DB
    from backend.settings import get_settings

    now = dt.datetime.fromisoformat(args.now) if args.now else None
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)

    async def run() -> str:
        if not get_settings().is_sqlite:
            await DB.start_connection_pool()
        try:
            opened = await flags.recompute_all(now)
            sent = await flags.send_digests(now, force=True) if args.digest else 0
        finally:
            if not get_settings().is_sqlite:
                await DB.close_connection_pool()
        return f"flags opened: {opened}; digests sent: {sent}"

    _migrate()
    print(asyncio.run(run()))


def cmd_purge(args: argparse.Namespace) -> None:
    """Anonymise people and delete data past their retention (with --dry-run: only say what)."""
    from backend.privacy.retention import purge
    from backend.piccolo_conf import DB
    from backend.settings import get_settings

    _migrate()

    async def run() -> str:
        if not get_settings().is_sqlite:
            await DB.start_connection_pool()
        try:
            plan = await purge(dry_run=args.dry_run)
        finally:
            if not get_settings().is_sqlite:
                await DB.close_connection_pool()
        return ("Would purge (dry run):\n" if args.dry_run else "Purged:\n") + plan.summary()

    print(asyncio.run(run()), end="")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="werkmaat", description="Werkmaat server.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help=cmd_serve.__doc__)
    serve.add_argument("--host", default=os.environ.get("WERKMAAT_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("WERKMAAT_PORT", "8000")))
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help=cmd_migrate.__doc__).set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help=cmd_demo.__doc__).set_defaults(func=cmd_demo)
    sub.add_parser("worker", help=cmd_worker.__doc__).set_defaults(func=cmd_worker)

    flags = sub.add_parser("coaching-flags", help=cmd_coaching_flags.__doc__)
    flags.add_argument("--now", help="Evaluate as if it were this ISO moment (tests, back-fills).")
    flags.add_argument("--digest", action="store_true", help="Also send each coach's digest of new flags.")
    flags.set_defaults(func=cmd_coaching_flags)

    purge = sub.add_parser("purge", help=cmd_purge.__doc__)
    purge.add_argument("--dry-run", action="store_true", help="Print what would be purged; change nothing.")
    purge.set_defaults(func=cmd_purge)

    admin = sub.add_parser("create-admin", help=cmd_create_admin.__doc__)
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", help="Or set WERKMAAT_ADMIN_PASSWORD, or type it when asked.")
    admin.add_argument("--first-name", default="Admin")
    admin.add_argument("--reset", action="store_true", help="Set a new password if the admin exists.")
    admin.set_defaults(func=cmd_create_admin)

    from backend.transit.cli import add_parser as add_transit_parser
    add_transit_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from backend import testclock
    testclock.install_from_env()  # tests only (WERKMAAT_TEST_MODE=1); a no-op otherwise
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
