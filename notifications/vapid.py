"""The server's VAPID key pair (RFC 8292): made on first start, kept on disk (0600), and the
signed Authorization header cached per push service until shortly before it expires."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

TOKEN_LIFETIME = 12 * 3600
RENEW_BEFORE = 3600


def load_or_create(path: Path) -> Vapid02:
    """The key pair stored at `path` (PEM), created with mode 0600 when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Vapid02()
        key.generate_keys()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return Vapid02.from_file(str(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_pem())
        return key
    return Vapid02.from_file(str(path))


def public_key_b64(key: Vapid02) -> str:
    """The application server key the browser needs, as unpadded base64url of the raw point."""
    raw = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class VapidSigner:
    """Signs one JWT per push service (audience) and reuses it until near its expiry."""

    def __init__(self, key: Vapid02, subject: str) -> None:
        self.key = key
        self.subject = subject
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}
        self.signatures = 0

    def headers_for(self, audience: str, now: float | None = None) -> dict[str, str]:
        now = time.time() if now is None else now
        cached = self._cache.get(audience)
        if cached and cached[0] - RENEW_BEFORE > now:
            return dict(cached[1])
        expires = int(now) + TOKEN_LIFETIME
        # A fresh claims dict each time: py_vapid must never see a dict we reuse.
        headers = self.key.sign({"aud": audience, "exp": expires, "sub": self.subject})
        self.signatures += 1
        self._cache[audience] = (expires, headers)
        return dict(headers)
