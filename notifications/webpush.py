"""Message encryption for Web Push (RFC 8291, aes128gcm of RFC 8188), lean enough for thousands a second.

pywebpush does the same work but parses the subscription's key again for every message and goes
through http_ece's general code: about twice the time per message. Here what belongs to a
subscription (its public key, parsed and checked to be on the curve, and its auth secret) is parsed
once and kept (`keys_for`, a bounded cache); what belongs to a message is made new for each one, as
RFC 8291 requires: an ephemeral ECDH key pair and a 16-byte salt. The result is one record, so a
body of at most `payload.MAX_PLAINTEXT` bytes fits the 4,096 bytes every push service takes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from collections import OrderedDict
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

RECORD_SIZE = 4096
_CURVE = ec.SECP256R1()
_ECDH = ec.ECDH()
_CEK_INFO = b"Content-Encoding: aes128gcm\x00\x01"
_NONCE_INFO = b"Content-Encoding: nonce\x00\x01"
_HEADER_TAIL = struct.pack("!IB", RECORD_SIZE, 65)


class BadSubscriptionKeys(ValueError):
    """The subscription's p256dh or auth cannot be used: it can never receive a message."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class SubscriptionKeys:
    """A browser's side of the encryption: its P-256 public key (raw and parsed) and auth secret."""

    public_raw: bytes
    public_key: ec.EllipticCurvePublicKey
    auth: bytes

    @classmethod
    def parse(cls, p256dh: str, auth: str) -> SubscriptionKeys:
        try:
            raw, secret = _b64decode(p256dh), _b64decode(auth)
            # Checks the point is on the curve: a bad key fails here, not in every send.
            key = ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, raw)
        except (ValueError, TypeError) as exc:
            raise BadSubscriptionKeys(f"p256dh: {exc}") from None
        if len(raw) != 65 or len(secret) != 16:
            raise BadSubscriptionKeys("p256dh must be 65 bytes and auth 16")
        return cls(raw, key, secret)


class KeyCache:
    """Parsed subscription keys, the most recently used `size` of them."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._keys: OrderedDict[tuple[str, str], SubscriptionKeys] = OrderedDict()

    def get(self, p256dh: str, auth: str) -> SubscriptionKeys:
        cache_key = (p256dh, auth)
        keys = self._keys.get(cache_key)
        if keys is None:
            keys = self._keys[cache_key] = SubscriptionKeys.parse(p256dh, auth)
            if len(self._keys) > self.size:
                self._keys.popitem(last=False)
        else:
            self._keys.move_to_end(cache_key)
        return keys


_CACHE = KeyCache()


def keys_for(p256dh: str, auth: str) -> SubscriptionKeys:
    return _CACHE.get(p256dh, auth)


def _hkdf_expand_one(key: bytes, info_with_counter: bytes, length: int) -> bytes:
    """HKDF-Expand for at most one SHA-256 block (RFC 5869), `info` already ending in 0x01."""
    return hmac.digest(key, info_with_counter, hashlib.sha256)[:length]


def encrypt(plaintext: bytes, keys: SubscriptionKeys) -> bytes:
    """The aes128gcm body for one message (RFC 8291 section 3.4, RFC 8188 section 2)."""
    if len(plaintext) > RECORD_SIZE - 16 - 1:
        raise ValueError("plaintext does not fit one record")
    ephemeral = ec.generate_private_key(_CURVE)
    as_public = ephemeral.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    shared = ephemeral.exchange(_ECDH, keys.public_key)
    # IKM = HKDF(salt=auth, ikm=ECDH secret, info="WebPush: info" 0x00 ua_public as_public, 32)
    prk_key = hmac.digest(keys.auth, shared, hashlib.sha256)
    ikm = _hkdf_expand_one(prk_key, b"WebPush: info\x00" + keys.public_raw + as_public + b"\x01", 32)
    salt = os.urandom(16)
    prk = hmac.digest(salt, ikm, hashlib.sha256)
    cek = _hkdf_expand_one(prk, _CEK_INFO, 16)
    nonce = _hkdf_expand_one(prk, _NONCE_INFO, 12)
    # The only (so the last) record: the plaintext, then the delimiter 0x02, no padding.
    return salt + _HEADER_TAIL + as_public + AESGCM(cek).encrypt(nonce, plaintext + b"\x02", None)
