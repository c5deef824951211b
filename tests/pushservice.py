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
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        sig = b64d(sig_b64)
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        try:
            public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("VAPID signature does not verify") from None
        claims = json.loads(b64d(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')} is not {self.origin}")
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            raise ValueError("exp is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub is not a mailto: or https: contact")

    async def _push(self, request: web.Request) -> web.Response:
        sub = self.subscriptions.get(request.match_info["sub_id"])
        if sub is None:
            return web.Response(status=404)
        delay = self.delay if sub.delay is None else sub.delay
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            self.attempts[sub.id] = self.attempts.get(sub.id, 0) + 1
        try:
            self._verify_vapid(request.headers.get("Authorization", ""))
            ttl = int(request.headers["TTL"])
            if ttl <= 0:
                raise ValueError("TTL must be positive")
            if request.headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError("Content-Encoding is not aes128gcm")
            body = await request.read()
            plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth_secret,
                                     version="aes128gcm")
            message = json.loads(plain)
        except (ValueError, KeyError) as exc:
            with self._lock:
                self.rejected.append(str(exc))
            return web.Response(status=400, text=str(exc))
        if sub.script:
            answer = sub.script.pop(0)
            status, _, retry_after = answer.partition(":")
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.Response(status=int(status), headers=headers)
        with self._lock:
            self.received.append(Received(sub.id, message, ttl, request.headers.get("Urgency"),
                                          request.headers.get("Topic"), time.time()))
        return web.Response(status=201, headers={"Location": f"{self.origin}/m/{os.urandom(4).hex()}"})

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
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
