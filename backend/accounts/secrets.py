"""Password hashing (argon2id) and the password rules, random tokens, invite codes, device cookies."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import os
import secrets
import sys
import threading
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from backend.settings import get_settings

# Invite codes avoid look-alike characters (0/O, 1/I/L) so they can be read out over the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MIN_PASSWORD_LENGTH = 12
# zxcvbn's 0-4 scale: 3 is "safely unguessable: moderate protection from an offline attack" (about
# 10^8 guesses and up); below that the password is in or near the common lists it carries.
MIN_PASSWORD_SCORE = 3
# zxcvbn's matching grows quickly with length; the start of a long passphrase decides anyway.
_ZXCVBN_CHARS = 100


def _hasher() -> PasswordHasher:
    if get_settings().argon2_fast:
        # Test suite only: the same algorithm with tiny costs so hundreds of sign-ins stay fast.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    """Blocking: for the command line and the demo loader. Request handlers use `hash_password_async`."""
    return _hasher().hash(password)


# argon2 takes about half a second of CPU (in 4 threads of its own) and 64 MiB per call. It runs in
# a small pool of worker threads so the event loop keeps answering: at most two hashes at a time, so a
# burst of sign-ins cannot exhaust memory, and at a lower CPU priority (Linux: per thread, inherited
# by argon2's own threads), so other requests win the cores while a sign-in waits a little longer.
_HASH_POOL: concurrent.futures.ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except OSError:  # not allowed here: equal priority still keeps the loop free
            pass


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    global _HASH_POOL
    if _HASH_POOL is None:
        _HASH_POOL = concurrent.futures.ThreadPoolExecutor(
            max_workers=2, thread_name_prefix="argon2", initializer=_lower_priority)
    return _HASH_POOL


async def hash_password_async(password: str) -> str:
    """`hash_password` in a worker thread."""
    return await asyncio.get_running_loop().run_in_executor(_pool(), hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """`verify_password` in a worker thread: the same effort (and wait) for an unknown account."""
    return await asyncio.get_running_loop().run_in_executor(_pool(), verify_password, password_hash, password)


# Verified against when the e-mail is unknown, so the answer takes as long as for a real account.
_DUMMY_HASH: str | None = None


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same effort when there is no hash."""
    global _DUMMY_HASH
    hasher = _hasher()
    # Made once (in a worker thread when called through `verify_password_async`); a race makes two.
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


# --- password rules ---------------------------------------------------------------------------

def password_problem(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> tuple[str, dict] | None:
    """Why `password` may not be used, as (message key, params), or None when it is fine.

    At least 12 characters, and not guessable according to zxcvbn (its lists of common and breached
    passwords, names, keyboard patterns, dates, and the person's own name and e-mail address)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short", {"n": MIN_PASSWORD_LENGTH}
    if not password.strip():
        return "password_too_common", {}
    inputs = [i.strip().lower() for i in user_inputs if i and len(i.strip()) >= 3]
    inputs += [part for i in inputs if "@" in i for part in i.split("@")[0].replace("-", ".").split(".")
               if len(part) >= 3]
    result = zxcvbn(password[:_ZXCVBN_CHARS], user_inputs=inputs)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    lowered = password.lower()
    if any(len(i) >= 4 and i in lowered for i in inputs):
        return "password_has_name", {}
    return "password_too_common", {}


# --- known devices ----------------------------------------------------------------------------

def _device_signature(person_id: UUID, device_id: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"known-device:{person_id.hex}:{device_id}".encode(), hashlib.sha256).hexdigest()[:32]


def device_cookie_value(person_id: UUID, device_id: str | None = None) -> tuple[str, str]:
    """A signed "this browser signed in to this person before" value, and its device id."""
    device_id = device_id or secrets.token_urlsafe(12)
    return f"{person_id.hex}.{device_id}.{_device_signature(person_id, device_id)}", device_id


def read_device_cookie(value: str | None) -> tuple[UUID, str] | None:
    """(person id, device id) from a known-device cookie whose signature holds, else None."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 3:
        return None
    try:
        person_id = UUID(hex=parts[0])
    except ValueError:
        return None
    if not hmac.compare_digest(parts[2], _device_signature(person_id, parts[1])):
        return None
    return person_id, parts[1]
