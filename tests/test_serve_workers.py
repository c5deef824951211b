"""`werkmaat serve --workers N`: several web processes on PostgreSQL, the jobs in exactly one other
process, refused on SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from conftest import WERKMAAT, create_pg_database, drop_pg_database, free_port, server_env, wait_until


def children(pid: int) -> list[tuple[int, str, dict[str, str]]]:
    """(pid, command line, environment) of the direct children of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
            if ppid != pid:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = dict(item.split("=", 1) for item in (entry / "environ").read_bytes().decode(
                errors="replace").split("\0") if "=" in item)
        except (OSError, StopIteration, ValueError):
            continue  # ended meanwhile
        found.append((int(entry.name), cmdline, environ))
    return found


def test_several_workers_are_refused_on_sqlite(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'w.db'}", tmp_path, 8000)
    result = subprocess.run([WERKMAAT, "serve", "--workers", "2", "--port", str(free_port())], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--workers > 1 needs PostgreSQL" in result.stderr
    assert not (tmp_path / "w.db").exists()  # refused before migrating anything


def test_several_workers_on_postgresql_share_the_port_and_one_process_runs_the_jobs(tmp_path):
    url = create_pg_database()
    port = free_port()
    env = server_env(url, tmp_path, port, WERKMAAT_SCHEDULER="on")
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([WERKMAAT, "serve", "--workers", "2", "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def answering():
            try:
                return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answering, timeout=240, what="the server answers")

        def web_processes():
            return [c for c in children(server.pid) if "spawn_main" in c[1]]

        wait_until(lambda: len(web_processes()) == 2, timeout=120, what="two web processes")
        jobs = [c for c in children(server.pid) if "backend.cli worker" in c[1]]
        assert len(jobs) == 1, children(server.pid)
        # The web processes never run the jobs; the one jobs process does.
        assert all(environ.get("WERKMAAT_SCHEDULER") == "off" for _, _, environ in web_processes())
        assert jobs[0][2].get("WERKMAAT_SCHEDULER") == "on"
        # Both web processes answer (connections are spread by the kernel; many short ones reach both).
        for _ in range(40):
            assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        everyone = [pid for pid, _, _ in children(server.pid)]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        drop_pg_database(url)
    # Nothing is left running: not the web processes, not the jobs process.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{pid}") and _alive(pid) for pid in everyone):
        time.sleep(0.2)
    assert not [pid for pid in everyone if _alive(pid)], (tmp_path / "serve.log").read_text()[-3000:]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state
