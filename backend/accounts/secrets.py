"""Password hashing (argon2id), random tokens and invite codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backend.settings import get_settings

# Invite codes avoid look-alike characters (0/O, 1/I/L) so they can be read out over the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MIN_PASSWORD_LENGTH = 10


def _hasher() -> PasswordHasher:
    if get_settings().argon2_fast:
        # Test suite only: the same algorithm with tiny costs so hundreds of sign-ins stay fast.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# Verified against when the e-mail is unknown, so the answer takes as long as for a real account.
_DUMMY_HASH: str | None = None


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same effort when there is no hash."""
    global _DUMMY_HASH
    hasher = _hasher()
    if password_hash is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
        password_hash = _DUMMY_HASH
        password = password + "\x00not-this"
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A 256-bit random token for a cookie or an invite link."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (a stolen table gives no sessions)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_invite_code() -> str:
    """An 8-character code shown as ABCD-EFGH, typed by people who cannot scan the QR."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """Keyed hash: the code space is small, so a plain hash could be brute-forced offline."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()
