"""Several dispatcher processes against one PostgreSQL: every delivery is sent, none is marked sent
twice, and a process killed with SIGKILL mid-run loses nothing (its leases are taken over)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, WERKMAAT, create_pg_database, drop_pg_database, pg_fetch, server_env
from pushservice import PushService

DELIVERIES = 2000
WORKERS = 4


def query(url: str, sql: str):
    return pg_fetch(url, sql)


def test_four_dispatchers_one_killed_every_delivery_sent_exactly_once(tmp_path):
    url = create_pg_database()
    service = PushService(delay=0.01).start()
    workers: list[subprocess.Popen] = []
    try:
        env = server_env(url, tmp_path, 8000, WERKMAAT_PUSH_HOSTS=service.host, WERKMAAT_DISPATCH_INTERVAL="0.2",
                         WERKMAAT_DELIVERY_LEASE="3")
        subprocess.run([WERKMAAT, "migrate"], env=env, check=True, capture_output=True, timeout=120)
        subscriptions = [service.subscribe() for _ in range(DELIVERIES)]
        subs_file = tmp_path / "subs.json"
        subs_file.write_text(json.dumps(subscriptions))
        subprocess.run([sys.executable, str(ROOT / "tests" / "tools" / "seed_push.py"), str(subs_file)], env=env,
                       check=True, capture_output=True, timeout=300, cwd=ROOT)
        logs = [open(tmp_path / f"worker{i}.log", "w") for i in range(WORKERS)]  # noqa: SIM115
        workers = [subprocess.Popen([WERKMAAT, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
                   for log in logs]
        deadline = time.monotonic() + 60
        while len(service.received) < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(service.received) >= 300, "dispatchers did not start sending"
        os.kill(workers[0].pid, signal.SIGKILL)  # mid-run, with deliveries leased and in flight
        workers[0].wait()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            received = {r.subscription_id for r in service.received}
            if len(received) >= DELIVERIES:
                break
            time.sleep(0.2)
        assert len({r.subscription_id for r in service.received}) == DELIVERIES, "every subscription got its push"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = query(url, "SELECT status, count(*) AS n, max(send_count) AS most FROM delivery GROUP BY status")
            if [r["status"] for r in rows] == ["sent"]:
                break
            time.sleep(0.3)
        assert [(r["status"], r["n"], r["most"]) for r in rows] == [("sent", DELIVERIES, 1)], rows
        by_worker = query(url, "SELECT leased_by, count(*) AS n FROM delivery GROUP BY leased_by")
        assert len(by_worker) >= 3, f"the work was shared: {[dict(r) for r in by_worker]}"
        recipients = query(url, "SELECT push_status, count(*) AS n FROM recipient GROUP BY push_status")
        assert [(r["push_status"], r["n"]) for r in recipients] == [("sent", DELIVERIES)]
        duplicates = len(service.received) - DELIVERIES
        print(f"\n{DELIVERIES} deliveries, {WORKERS} dispatchers, one SIGKILLed: {duplicates} message(s) "
              "re-sent after lease takeover (the killed process had posted but not marked them)")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        service.stop()
        drop_pg_database(url)
