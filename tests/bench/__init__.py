"""Benchmarks (not part of `make test`; `make bench` runs them all). Shared here:

- `load`: a small HTTP/1.1 load generator on asyncio (keep-alive connections, each sending its next
  request when the answer is in, bounded in time) that reports requests/s, latency percentiles and
  the server process's CPU time per answer. wrk is not installed on the project's machines. On two
  cores the generator shares the CPU with the server: against the bare handler it is part of the
  limit, so the requests/s ratios flatter the app somewhat; the CPU-per-answer ratio does not
  depend on the generator.
- `bare_app`: the yardstick, a bare Litestar JSON handler (~400 bytes) that the benchmarks serve
  with exactly the uvicorn settings of `werkmaat serve` (`backend.cli.run_uvicorn`) and measure in
  the same run, so every figure can be printed as a ratio to it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

BARE_BODY = {
    "id": "3f1c2a9e-5b7d-4e21-9c3a-1d2e3f4a5b6c", "role": "worker", "firstName": "Samira",
    "lastName": "El Amrani", "phone": "+32 470 12 34 56", "email": None, "language": "nl",
    "organisation": {"id": "7a8b9c0d-1e2f-4a5b-8c6d-7e8f9a0b1c2d", "name": "Werkplaats Genk"},
    "coach": {"id": "0d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a", "role": "coach", "firstName": "Koen",
              "lastName": "Peeters", "phone": "+32 11 22 33 44"},
    "buddy": None,
    "workplace": {"id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "name": "Atelier Noord",
                  "street": "Industrieweg 12", "postcode": "3600", "city": "Genk"},
}


def bare_app():
    """A Litestar app with one JSON handler of about 400 bytes and nothing else (uvicorn factory)."""
    from litestar import Litestar, get

    @get("/bare", sync_to_thread=False)
    def bare() -> dict:
        return BARE_BODY

    return Litestar(route_handlers=[bare])


@dataclass
class BareServer:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_bare_server(port: int, log_level: str = "warning") -> BareServer:
    """The bare app in its own process, through `werkmaat serve`'s own uvicorn call."""
    import httpx

    code = ("import sys; from backend.cli import run_uvicorn; "
            f"run_uvicorn('tests.bench:bare_app', '127.0.0.1', {port}, {log_level!r})")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/bare", timeout=1).status_code == 200:
                return BareServer(url, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the bare server did not start")


# --- the load generator ----------------------------------------------------------------------------

@dataclass
class LoadResult:
    label: str
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)
    errors: int = 0
    bytes_per_answer: int = 0
    server_cpu_seconds: float = 0.0
    """CPU time the server process used while measured (all its threads)."""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """The server's CPU per answer: unlike requests/s, barely moved by other work on a shared
        machine, so its ratio between two handlers is the steadier figure."""
        return self.server_cpu_seconds * 1000 / self.requests if self.requests else float("nan")

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q) if self.latencies_ms else float("nan")

    def line(self, bare: "LoadResult | None" = None) -> str:
        ratio = f"  {self.rate / bare.rate:6.1%} of bare" if bare is not None and bare.rate else ""
        cpu = f"  {self.cpu_ms_per_request:5.2f} ms CPU/req" if self.server_cpu_seconds else ""
        return (f"  {self.label:<26} {self.rate:6.0f} req/s  p50 {self.percentile(0.5):5.1f}  "
                f"p95 {self.percentile(0.95):5.1f}  p99 {self.percentile(0.99):5.1f} ms{cpu}"
                f"{'  ERRORS ' + str(self.errors) if self.errors else ''}{ratio}")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def request_bytes(url: str, path: str, cookies: dict[str, str] | None = None,
                  headers: dict[str, str] | None = None) -> tuple[str, int, bytes]:
    """(host, port, the raw GET request) for `url` + `path`."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    lines = [f"GET {path} HTTP/1.1", f"Host: {parsed.netloc}", "Accept: application/json",
             "Accept-Language: nl", "User-Agent: werkmaat-bench"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    return parsed.hostname or "127.0.0.1", parsed.port or 80, ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _one_connection(host: str, port: int, request: bytes, start_at: float, stop_at: float,
                          result: LoadResult) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            sent = time.perf_counter()
            if sent >= stop_at:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            status = int(head[9:12])
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                elif line.lower().startswith(b"transfer-encoding:"):
                    raise RuntimeError("chunked answers are not supported by this load generator")
            if length:
                await reader.readexactly(length)
            done = time.perf_counter()
            if sent >= start_at:
                result.requests += 1
                result.latencies_ms.append((done - sent) * 1000)
                result.bytes_per_answer = length
                if status >= 400:
                    result.errors += 1
    finally:
        writer.close()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(label: str, url: str, path: str, *, cookies: dict[str, str] | None = None, connections: int = 8,
         seconds: float = 5.0, warmup: float = 1.0, headers: dict[str, str] | None = None,
         server_pid: int | None = None) -> LoadResult:
    """`connections` keep-alive connections sending GET `path` one after another for `warmup` +
    `seconds`; only the last `seconds` count. Runs in this process, on its own event loop. With
    `server_pid`, also the server's CPU time in the measured seconds."""
    host, port, request = request_bytes(url, path, cookies, headers)

    async def cpu_between(start_at: float, stop_at: float, result: LoadResult) -> None:
        await asyncio.sleep(start_at - time.perf_counter())
        before = process_cpu_seconds(server_pid)
        await asyncio.sleep(stop_at - time.perf_counter())
        result.server_cpu_seconds = process_cpu_seconds(server_pid) - before

    async def run() -> LoadResult:
        result = LoadResult(label, 0, seconds)
        start_at = time.perf_counter() + warmup
        stop_at = start_at + seconds
        tasks = [_one_connection(host, port, request, start_at, stop_at, result) for _ in range(connections)]
        if server_pid:
            tasks.append(cpu_between(start_at, stop_at, result))
        await asyncio.gather(*tasks)
        return result

    return asyncio.run(run())


def median_run(results: list[LoadResult]) -> LoadResult:
    """The run with the median rate (the machine is shared: each figure is taken several times)."""
    ordered = sorted(results, key=lambda r: r.rate)
    return ordered[len(ordered) // 2]


def machine() -> str:
    """CPU model, cores and the load average, for the README line."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load1, load5, _ = os.getloadavg()
    # The real date, from `date`: the test helpers put this process on the suite's fake clock.
    now = subprocess.run(["date", "-u", "+%Y-%m-%d %H:%M UTC"], capture_output=True, text=True).stdout.strip()
    return f"{now}; {model}, {os.cpu_count()} cores, load average {load1:.1f} / {load5:.1f}"
