"""Lighthouse on the signed-in worker's Home, as `make lighthouse` runs it.

A demo server of its own (fresh data directory, `werkmaat demo`), a worker of the demo signed in with
their invite code, and Lighthouse 12 (mobile, simulated throttling: the default) in a Chromium that
carries only that session cookie:

- cold: an empty browser (no cache, no service worker, nothing kept), only the cookie;
- warm: the same browser right after, the service worker in charge and the last day kept.

Usage: CHROME_PATH=/usr/bin/chromium LIGHTHOUSE=path/to/lighthouse python tests/tools/lighthouse.py
Runs each $LIGHTHOUSE_RUNS times (default 3, each pair in a new empty profile), prints one line per
run (performance, accessibility, LCP, FCP, TBT, CLS, requests, KB) and the median, and writes the JSON
reports to $LIGHTHOUSE_OUT (default /tmp/werkmaat-lighthouse). Scores on a busy machine are lower:
simulated throttling scales the CPU time it observes.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
WERKMAAT = str(ROOT / ".venv" / "bin" / "werkmaat")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "lighthouse")
OUT = Path(os.environ.get("LIGHTHOUSE_OUT", "/tmp/werkmaat-lighthouse"))
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "WERKMAAT_DATA_DIR": str(data), "WERKMAAT_PUBLIC_URL": url, "WERKMAAT_GEOCODER": "off"}
    env.pop("DATABASE_URL", None)
    demo = subprocess.run([WERKMAAT, "demo"], env=env, capture_output=True, text=True, check=True, timeout=300)
    code = next(m.group(1) for line in demo.stdout.splitlines()
                if (m := re.match(r"\s+worker\s+.+?\s{2,}(\S+)\s+http", line)))
    server = subprocess.Popen([WERKMAAT, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, url, code


def signed_in_worker(url: str, code: str) -> dict:
    client = httpx.Client(base_url=url, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 13) Mobile"})
    client.get("/api/config")
    answer = client.post("/api/auth/invite", json={"code": code}, headers={"X-CSRF-Token": client.cookies["werkmaat_csrf"]})
    answer.raise_for_status()
    return {"name": "werkmaat_session", "value": client.cookies["werkmaat_session"], "url": url}


def run_lighthouse(url: str, port: int, name: str) -> dict:
    report = OUT / f"{name}.json"
    subprocess.run([LIGHTHOUSE, f"{url}/#/home", f"--port={port}", "--disable-storage-reset", "--form-factor=mobile",
                    "--only-categories=performance,accessibility", "--output=json", f"--output-path={report}",
                    "--chrome-flags=--headless=new"], check=True, timeout=300)
    data = json.loads(report.read_text())
    audits = data["audits"]
    requests = audits["network-requests"]["details"]["items"]
    return {
        "run": name,
        "performance": data["categories"]["performance"]["score"],
        "accessibility": data["categories"]["accessibility"]["score"],
        "lcp_s": round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2),
        "fcp_s": round(audits["first-contentful-paint"]["numericValue"] / 1000, 2),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "requests": len(requests),
        "kb": round(sum(r.get("transferSize", 0) for r in requests) / 1024, 1),
    }


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server, url, code = start_server(Path(tmp) / "data")
        try:
            cookie = signed_in_worker(url, code)
            port = free_port()
            with sync_playwright() as p:
                results = []
                for n in range(RUNS):
                    # Each pair in an empty profile (no cache, no service worker), only the cookie.
                    browser = p.chromium.launch_persistent_context(
                        str(Path(tmp) / f"profile-{n}"), executable_path=CHROME, headless=True,
                        args=[f"--remote-debugging-port={port}", "--no-sandbox", "--disable-gpu",
                              "--disable-background-networking", "--disable-component-update", "--no-first-run"])
                    browser.add_cookies([cookie])
                    results += [run_lighthouse(url, port, f"cold-{n + 1}"), run_lighthouse(url, port, f"warm-{n + 1}")]
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for r in results:
        print(f"{r['run']:<7} performance {r['performance']:.2f}  accessibility {r['accessibility']:.2f}  "
              f"LCP {r['lcp_s']:.2f} s  FCP {r['fcp_s']:.2f} s  TBT {r['tbt_ms']} ms  CLS {r['cls']}  "
              f"{r['requests']} requests  {r['kb']} KB")
    for kind in ("cold", "warm"):
        runs = sorted((r for r in results if r["run"].startswith(kind)), key=lambda r: r["performance"])
        mid = runs[len(runs) // 2]
        print(f"median {kind}: performance {mid['performance']:.2f}, LCP {mid['lcp_s']:.2f} s, "
              f"accessibility {mid['accessibility']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
