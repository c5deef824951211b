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

    async def forwards():
        try:
            return await run_forwards("all")
        finally:
            if get_settings().is_sqlite:
                await DB.close_connection_pool()  # this loop ends here; the server opens its own

    result = asyncio.run(forwards())
    if not result.success:
        raise SystemExit(f"Migration failed: {result.message}")


def cmd_migrate(args: argparse.Namespace) -> None:
    """Run every migration that has not run yet."""
    _migrate()


def run_uvicorn(app_factory: str, host: str, port: int, log_level: str, workers: int = 1) -> None:
    """uvicorn as `werkmaat serve` runs it; the benchmarks serve their bare handler through this too,
    so both are measured with the same settings. uvicorn[standard] brings uvloop and httptools, which
    "auto" picks."""
    import uvicorn

    uvicorn.run(app_factory, factory=True, host=host, port=port, proxy_headers=False, log_level=log_level,
                workers=workers, loop="auto", http="auto", log_config=uvicorn_log_config())


def serve_workers_problem(workers: int, is_sqlite: bool) -> str | None:
    """Why `--workers` cannot be used as asked, or None."""
    if workers < 1:
        return "--workers must be at least 1."
    if workers > 1 and is_sqlite:
        return ("--workers > 1 needs PostgreSQL (DATABASE_URL=postgresql://...). SQLite has one writer per "
                "file: web processes would wait on each other's write lock (polling, up to its 30 s busy "
                "timeout) instead of queuing in one process. One process with SQLite serves a programme; "
                "see README, Performance.")
    return None


def cmd_serve(args: argparse.Namespace) -> None:
    """Migrate, then serve the API and the PWA (with --workers N: N web processes, PostgreSQL only)."""
    from backend.settings import get_settings

    settings = get_settings()
    problem = serve_workers_problem(args.workers, settings.is_sqlite)
    if problem:
        raise SystemExit(problem)
    _migrate()
    if args.workers == 1:
        run_uvicorn("backend.app:create_app", args.host, args.port, args.log_level)
        return
    # Several web processes: none of them runs the periodic jobs; one `werkmaat worker` next to them
    # does (unless WERKMAAT_SCHEDULER=off says the deployment runs its own workers).
    jobs = JobsProcess() if settings.scheduler else None
    os.environ["WERKMAAT_SCHEDULER"] = "off"  # read by the web processes uvicorn spawns
    try:
        run_uvicorn("backend.app:create_app", args.host, args.port, args.log_level, workers=args.workers)
    finally:
        if jobs:
            jobs.stop()


class JobsProcess:
    """The one `werkmaat worker` that runs reminders and the other jobs beside several web processes;
    started again (after a pause) when it ends while the server runs."""

    RESTART_AFTER = 5.0

    def __init__(self) -> None:
        import subprocess
        import threading

        self._subprocess = subprocess
        self._stopping = threading.Event()
        self.process = self._start()
        threading.Thread(target=self._watch, name="werkmaat-jobs-watch", daemon=True).start()

    def _start(self):
        return self._subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], env=dict(os.environ))

    def _watch(self) -> None:
        while not self._stopping.is_set():
            code = self.process.wait()
            if self._stopping.wait(self.RESTART_AFTER):
                return
            logging.getLogger("werkmaat").warning("The jobs process ended (exit %s); starting it again.", code)
            self.process = self._start()
            if self._stopping.is_set():  # stop() came while it started
                self.process.terminate()

    def stop(self) -> None:
        self._stopping.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except self._subprocess.TimeoutExpired:
            self.process.kill()


def cmd_worker(args: argparse.Namespace) -> None:
    """Run reminder dispatch and the other periodic jobs without serving HTTP (several may run)."""
    import signal

    from backend.jobs import running_scheduler
    from backend.piccolo_conf import DB
    from backend.settings import get_settings
    from notifications.processes import DispatcherProcesses, parent_gone

    if not args.dispatch_only:
        _migrate()
    # The extra processes only send (see notifications.processes); this one runs every job.
    extra = DispatcherProcesses([sys.executable, "-m", "backend.cli", "worker", "--dispatch-only"],
                                max(0, args.dispatchers - 1))

    async def run() -> None:
        if not get_settings().is_sqlite:
            await DB.start_connection_pool()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            if args.dispatch_only:
                watch = asyncio.create_task(parent_gone(stop))
                async with _dispatching_only():
                    logging.getLogger("werkmaat").info("Dispatcher process running.")
                    await stop.wait()
                watch.cancel()
                return
            extra.start()
            watch = asyncio.create_task(extra.watch())
            try:
                async with running_scheduler():
                    logging.getLogger("werkmaat").info("Worker running (%s dispatcher processes); Ctrl+C stops it.",
                                                       args.dispatchers)
                    await stop.wait()
            finally:
                watch.cancel()
                await asyncio.to_thread(extra.stop)
        finally:
            if not get_settings().is_sqlite:
                await DB.close_connection_pool()

    try:  # uvloop (with uvicorn[standard]): the event loop in C, a fifth less CPU per push sent
        import uvloop
    except ImportError:
        asyncio.run(run())
    else:
        uvloop.run(run())


def _dispatching_only():
    """The dispatch job alone, without fan-out (the worker that started this process does that)."""
    import contextlib
    import dataclasses

    from backend.reminders.services import dispatch_config
    from backend.settings import get_settings
    from notifications import dispatcher
    from notifications.scheduler import Job, build_scheduler
    from notifications.scheduler import stop as stop_scheduler

    @contextlib.asynccontextmanager
    async def running():
        config = dataclasses.replace(dispatch_config(), fan_out=False)
        scheduler = build_scheduler([Job("dispatch", lambda: dispatcher.dispatch(config),
                                         get_settings().dispatch_interval)])
        scheduler.start()
        try:
            yield
        finally:
            await stop_scheduler(scheduler)

    return running()


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
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WERKMAAT_WORKERS", "1")),
                       help="Web processes (PostgreSQL only; then one separate process runs the jobs).")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help=cmd_migrate.__doc__).set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help=cmd_demo.__doc__).set_defaults(func=cmd_demo)
    worker = sub.add_parser("worker", help=cmd_worker.__doc__)
    worker.add_argument("--dispatchers", type=int, default=int(os.environ.get("WERKMAAT_DISPATCHERS", "1")),
                        help="Processes that send pushes (e.g. the number of cores); default 1.")
    worker.add_argument("--dispatch-only", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

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
