"""A Web Push service for the tests, on loopback, speaking the real protocol.

It checks the VAPID JWT (RFC 8292: ES256 signature with the key in `k=`, `aud` equal to its own
origin, `exp` within 24 hours), requires a TTL, decrypts the aes128gcm body (RFC 8291) with the
subscription's private key, and answers what each subscription was told to answer.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class Subscription:
    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    # Answers to give, in order; when used up, 201. E.g. ["429:2", "500"] or ["410"].
    script: list[str] = field(default_factory=list)
    # Seconds before answering this subscription; None: the service's own delay.
    delay: float | None = None


@dataclass
class Received:
    subscription_id: str
    message: dict
    ttl: int
    urgency: str | None
    topic: str | None
    at: float


class PushService:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.subscriptions: dict[str, Subscription] = {}
        self.received: list[Received] = []
        self.rejected: list[str] = []
        self.attempts: dict[str, int] = {}
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        # Signatures already verified, by exact token and key: a server signs one token per push
        # service for hours, so the claims are checked on every request, the ECDSA signature once.
        self._verified: set[tuple[str, str]] = set()
        self._sock = None  # a socket bound beforehand (the processes of `PushServiceProcesses`)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    # --- subscriptions a "browser" would make -------------------------------------------------

    def subscribe(self, *script: str, delay: float | None = None) -> dict:
        """A new subscription; returns the browser's PushSubscription JSON. `delay`: this endpoint
        answers that many seconds late (a slow endpoint on an otherwise quick service)."""
        sub = Subscription(id=os.urandom(8).hex(), private_key=ec.generate_private_key(ec.SECP256R1()),
                           auth_secret=os.urandom(16), script=list(script), delay=delay)
        self.subscriptions[sub.id] = sub
        public = sub.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                           serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{sub.id}", "expirationTime": None,
                "keys": {"p256dh": b64e(public), "auth": b64e(sub.auth_secret)}}

    def messages_for(self, endpoint: str) -> list[Received]:
        sub_id = endpoint.rsplit("/", 1)[1]
        with self._lock:
            return [r for r in self.received if r.subscription_id == sub_id]

    def wait_for(self, endpoint: str, count: int = 1, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages_for(endpoint)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} push(es) to {endpoint}, got {len(self.messages_for(endpoint))}; "
                             f"rejected: {self.rejected[-3:]}")

    # --- protocol checks ----------------------------------------------------------------------

    def _verify_vapid(self, header: str) -> None:
        if not header.startswith("vapid "):
            raise ValueError("Authorization is not the vapid scheme")
        params = dict(part.strip().split("=", 1) for part in header[6:].split(","))
        token, key = params["t"], params["k"]
        head_b64, claims_b64, sig_b64 = token.split(".")
        header_json = json.loads(b64d(head_b64))
        if header_json.get("alg") != "ES256":
            raise ValueError("JWT alg is not ES256")
        if (token, key) not in self._verified:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
            sig = b64d(sig_b64)
            if len(sig) != 64:
                raise ValueError("VAPID signature is not 64 bytes")
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            try:
                public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                raise ValueError("VAPID signature does not verify") from None
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified.add((token, key))
        claims = json.loads(b64d(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')} is not {self.origin}")
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            raise ValueError("exp is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub is not a mailto: or https: contact")

    async def _push(self, request: web.Request) -> web.Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        status, extra, text = await self.answer(request.match_info["sub_id"], headers, request.read)
        return web.Response(status=status, headers=extra, text=text or None)

    async def answer(self, sub_id: str, headers: dict[str, str], read) -> tuple[int, dict[str, str], str]:
        """(status, headers, text) for one POST to /push/<sub_id>; `headers` with lower-case names,
        `read()` gives the body. Shared by the aiohttp server and the lean one of the benchmark."""
        sub = self.subscriptions.get(sub_id)
        if sub is None:
            return 404, {}, ""
        delay = self.delay if sub.delay is None else sub.delay
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            self.attempts[sub.id] = self.attempts.get(sub.id, 0) + 1
        try:
            self._verify_vapid(headers.get("authorization", ""))
            ttl = int(headers["ttl"])
            if ttl <= 0:
                raise ValueError("TTL must be positive")
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            body = await read()
            plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth_secret,
                                     version="aes128gcm")
            message = json.loads(plain)
        except (ValueError, KeyError, http_ece.ECEException) as exc:
            with self._lock:
                self.rejected.append(str(exc))
            return 400, {}, str(exc)
        if sub.script:
            answer = sub.script.pop(0)
            status, _, retry_after = answer.partition(":")
            return int(status), ({"Retry-After": retry_after} if retry_after else {}), ""
        with self._lock:
            self.received.append(Received(sub.id, message, ttl, headers.get("urgency"), headers.get("topic"),
                                          time.time()))
        return 201, {"Location": f"{self.origin}/m/{os.urandom(4).hex()}"}, ""

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> PushService:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("push service did not start")
        return self

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/push/{sub_id}", self._push)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        if self._sock is not None:
            site = web.SockSite(self._runner, self._sock)
        else:
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)


class PushServiceProcesses:
    """The same service in several processes on one port (SO_REUSEPORT), for the benchmark: a
    Python process is one core, and the service must not be what limits the dispatchers. Make the
    subscriptions on `service` first (they are the processes' own, copied at fork); `received` is
    gathered from the processes when they stop, `count()` says how many arrived meanwhile."""

    def __init__(self, service: PushService, processes: int = 2) -> None:
        import multiprocessing
        import socket

        self.service, self.processes = service, processes
        self._mp = multiprocessing.get_context("fork")
        self._counter = self._mp.Value("l", 0)
        self._stop = self._mp.Event()
        self._queue = self._mp.Queue()
        self._children: list = []
        # Held, bound but not listening, so the port stays ours; the processes listen on it.
        self._reserve = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._reserve.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self._reserve.bind(("127.0.0.1", 0))
        service.port = self._reserve.getsockname()[1]
        self.received: list[Received] = []
        self.attempts: dict[str, int] = {}

    @property
    def host(self) -> str:
        return self.service.host

    def subscribe(self, *script: str, delay: float | None = None) -> dict:
        return self.service.subscribe(*script, delay=delay)

    def start(self) -> PushServiceProcesses:
        for _ in range(self.processes):
            child = self._mp.Process(target=self._child, daemon=True)
            child.start()
            self._children.append(child)
        return self

    def count(self) -> int:
        return self._counter.value

    def _child(self) -> None:
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", self.service.port))
        sock.listen(1024)
        service, counter = self.service, self._counter
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(loop.create_server(lambda: _LeanHTTP(service, counter), sock=sock))
        threading.Thread(target=lambda: (self._stop.wait(), loop.call_soon_threadsafe(loop.stop)),
                         daemon=True).start()
        loop.run_forever()
        self._queue.put(([(r.subscription_id, r.ttl, r.urgency, r.topic, r.at) for r in service.received],
                         service.attempts, service.rejected[-5:]))

    def stop(self) -> None:
        self._stop.set()
        for _ in self._children:
            received, attempts, rejected = self._queue.get(timeout=60)
            self.received += [Received(sub_id, {}, ttl, urgency, topic, at)
                              for sub_id, ttl, urgency, topic, at in received]
            for sub_id, n in attempts.items():
                self.attempts[sub_id] = self.attempts.get(sub_id, 0) + n
            self.service.rejected += rejected
        for child in self._children:
            child.join(timeout=10)
        self._reserve.close()


class _LeanHTTP(asyncio.Protocol):
    """HTTP/1.1 for the benchmark's push service processes: keep-alive, one request at a time per
    connection, Content-Length bodies; each request answered by `PushService.answer` (the same VAPID
    check and decryption as the aiohttp server of the tests, without its per-request cost)."""

    def __init__(self, service: PushService, counter) -> None:
        self.service, self.counter = service, counter
        self.buffer = bytearray()
        self.busy = False
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.busy:
            self._next()

    def _next(self) -> None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4:end + 4 + length])
        del self.buffer[:end + 4 + length]
        method, path = lines[0].split(" ")[:2]
        self.busy = True
        asyncio.ensure_future(self._answer(method, path, headers, body))

    async def _answer(self, method: str, path: str, headers: dict, body: bytes) -> None:
        async def read() -> bytes:
            return body

        if method != "POST" or not path.startswith("/push/"):
            status, extra, text = 404, {}, ""
        else:
            status, extra, text = await self.service.answer(path[len("/push/"):], headers, read)
        if status == 201:
            with self.counter.get_lock():
                self.counter.value += 1
        payload = text.encode()
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(payload)}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in extra.items()) + "\r\n"
        if not self.transport.is_closing():
            self.transport.write(head.encode("latin-1") + payload)
        self.busy = False
        self._next()
