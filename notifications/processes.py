"""Extra dispatcher processes: `werkmaat worker --dispatchers N` runs N-1 of them next to itself.

Encrypting a message (an ECDH key agreement) and posting it are CPU work, and one Python process
uses one core; the dispatchers claim from the database with leases, so more processes simply share
the due deliveries. The parent starts them, starts a new one when one dies, and stops them
(SIGTERM: each gives back what it has not posted and records what it has) when it stops itself. A
child whose parent is gone (killed with SIGKILL) notices within a second and stops as well.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import time

log = logging.getLogger("werkmaat.worker")


class DispatcherProcesses:
    def __init__(self, argv: list[str], count: int, grace: float = 30.0) -> None:
        self.argv, self.count, self.grace = argv, count, grace
        self.children: list[subprocess.Popen] = []
        self.restarts: list[float] = []
        self.stopping = False

    def start(self) -> None:
        for _ in range(self.count):
            self.children.append(self._spawn())

    def _spawn(self) -> subprocess.Popen:
        env = {**os.environ, "WERKMAAT_PARENT_PID": str(os.getpid())}
        return subprocess.Popen(self.argv, env=env)

    async def watch(self) -> None:
        """Start a new process for one that ended, at most five a minute (a crash loop is logged)."""
        while not self.stopping:
            await asyncio.sleep(1.0)
            for i, child in enumerate(self.children):
                code = child.poll()
                if code is None or self.stopping:
                    continue
                now = time.monotonic()
                self.restarts = [t for t in self.restarts if now - t < 60]
                if len(self.restarts) >= 5:
                    log.error("Dispatcher process %s ended (%s); too many restarts, not starting it again",
                              child.pid, code)
                    continue
                log.warning("Dispatcher process %s ended (%s); starting a new one", child.pid, code)
                self.restarts.append(now)
                self.children[i] = self._spawn()

    def stop(self) -> None:
        self.stopping = True
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


async def parent_gone(stop: asyncio.Event) -> None:
    """In a child: sets `stop` once the parent that started it is no longer there."""
    parent = os.environ.get("WERKMAAT_PARENT_PID")
    if not parent:
        return
    while not stop.is_set():
        if os.getppid() != int(parent):
            logging.getLogger("werkmaat.worker").warning("Parent worker process is gone; stopping")
            stop.set()
            return
        await asyncio.sleep(1.0)
