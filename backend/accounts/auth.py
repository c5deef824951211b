"""Who is asking: the session cookie is looked up once per request, when the request first asks.

Guards then decide per route; services get the `Actor` as a plain value.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# Who may act and see is decided in `backend.access` (the actor, roles, guards and policies).
from backend.access import PENDING_USER, Actor, Role
from backend.accounts.secrets import token_hash
from backend.accounts.tables import Session
from backend.db import point_read
from backend.settings import get_settings

SESSION_COOKIE = "werkmaat_session"
# "This browser signed in to this person before": lets it sign in while strangers have the account or
# the network locked for new devices (see `backend.accounts.throttle`). Not a session; only a hint.
DEVICE_COOKIE = "werkmaat_device"
DEVICE_COOKIE_DAYS = 365
# A coach's or admin's session ends after this long without a request (besides its absolute age).
PASSWORD_IDLE = dt.timedelta(hours=2)
# Refresh `last_seen_at` (and slide the expiry) at most this often, to keep writes rare.
TOUCH_EVERY = dt.timedelta(minutes=5)


def session_lifetime(kind: str) -> dt.timedelta:
    """The absolute maximum age of a session from sign-in: 12 h for a password, 180 days for a phone
    signed in by invite (then it needs a new invite)."""
    settings = get_settings()
    if kind == "invite":
        return dt.timedelta(days=settings.device_session_days)
    return dt.timedelta(hours=settings.password_session_hours)


def session_idle(kind: str) -> dt.timedelta:
    """How long a session lives without a request (sliding): 2 h for a password; a phone's equals its
    absolute age, since a worker may not open the app for weeks."""
    return PASSWORD_IDLE if kind == "password" else session_lifetime(kind)


def session_expiry(kind: str, created_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When a session used at `now` ends: its idle time from now, never after its absolute age."""
    return min(now + session_idle(kind), created_at + session_lifetime(kind))


# The person as `/api/me` shows them: with their organisation, coach, buddy and workplace (left
# joins by primary key). Written out by hand: Piccolo's builder for four joins cost more than the
# query (issue 14). `accounts.services.me` reads these columns.
ME_COLUMNS = (
    'p.id, p.role, p.first_name, p.last_name, p.phone, p.email, p.language, '
    'o.id AS org_id, o.name AS org_name, '
    'c.id AS coach_id, c.role AS coach_role, c.first_name AS coach_first_name, '
    'c.last_name AS coach_last_name, c.phone AS coach_phone, '
    'b.id AS buddy_id, b.role AS buddy_role, b.first_name AS buddy_first_name, '
    'b.last_name AS buddy_last_name, b.phone AS buddy_phone, '
    'w.id AS wp_id, w.name AS wp_name, w.street AS wp_street, w.postcode AS wp_postcode, '
    'w.city AS wp_city, w.latitude AS wp_latitude, w.longitude AS wp_longitude'
)
ME_JOINS = (
    'LEFT JOIN "organisation" o ON o.id = p.organisation '
    'LEFT JOIN "person" c ON c.id = p.coach '
    'LEFT JOIN "person" b ON b.id = p.buddy '
    'LEFT JOIN "workplace" w ON w.id = p.workplace'
)

# The session lookup, by the unique token hash, carries the `/api/me` columns of its person too: the
# joins cost the database microseconds, and `/api/me` and the Home then need no query of their own
# for them (one round trip instead of two, issue 14).
_SESSION_LOOKUP = (
    'SELECT s.id AS session_id, s.kind, s.created_at, s.last_seen_at, p.organisation AS organisation_id, '
    f'p.active, {ME_COLUMNS} '
    f'FROM "session" s JOIN "person" p ON p.id = s.person {ME_JOINS} '
    'WHERE s.token_hash = {} AND s.revoked_at IS NULL AND s.expires_at > {}'
)


async def actor_for_token(token: str) -> tuple[Actor | None, dt.datetime | None]:
    """The actor behind a session token (None when unknown, expired, revoked or inactive), and the
    new expiry when this request slid it forward."""
    actor, new_expiry, _ = await session_for_token(token)
    return actor, new_expiry


async def session_for_token(token: str) -> tuple[Actor | None, dt.datetime | None, dict | None]:
    """`actor_for_token`, and the row read with it (the person's `ME_COLUMNS`, see `me_row`)."""
    now = dt.datetime.now(dt.timezone.utc)
    rows = await point_read(Session._meta.db, _SESSION_LOOKUP, token_hash(token), now)
    row = rows[0] if rows else None
    if row is None or not row["active"]:
        return None, None, None
    if now >= row["created_at"] + session_lifetime(row["kind"]):
        return None, None, None  # also sessions whose expiry was slid before absolute ages existed
    new_expiry = None
    if now - row["last_seen_at"] > TOUCH_EVERY:
        new_expiry = session_expiry(row["kind"], row["created_at"], now)
        await Session.update({Session.last_seen_at: now, Session.expires_at: new_expiry}).where(
            Session.id == row["session_id"])
    actor = Actor(id=row["id"], role=Role(row["role"]), organisation_id=row["organisation_id"],
                  first_name=row["first_name"], language=row["language"], session_id=row["session_id"])
    return actor, new_expiry, row


# Keys of the request's scope (besides Litestar's "user" and "auth") that the session middleware uses.
_TOKEN = "werkmaat.session_token"
_ROW = "werkmaat.session_row"
_RENEW = "werkmaat.session_renew"


def me_row(scope: Scope, person_id: Any) -> dict | None:
    """The `ME_COLUMNS` of `person_id` as this request's session lookup read them (None when it did
    not: no session, or another person). Read in this request, so as fresh as a query of its own."""
    row = scope.get(_ROW)
    return row if row is not None and row["id"] == person_id else None


async def _resolve(scope: Scope) -> Actor | None:
    """The session lookup of this request, done when something first asks who is asking
    (`access.current_user`): a route that never asks (the shell, static files, `/health`) makes no
    query. Notes the revocation for the 401 and the slid expiry for the cookie."""
    token = scope[_TOKEN]
    actor, new_expiry, row = await session_for_token(token)
    scope[_RENEW] = new_expiry
    scope[_ROW] = row
    if actor is None and await token_was_revoked(token):
        scope["auth"] = DEVICE_REVOKED
    return actor


# `scope["auth"]` when the cookie's session was ended on purpose (revoked, or its person deactivated):
# the 401 then says so ("Je coach heeft dit toestel afgemeld"). Only the holder of the token can get
# this answer; a token that never existed, or one that simply expired, is just "not signed in".
DEVICE_REVOKED = "device_revoked"


async def token_was_revoked(token: str) -> bool:
    """Whether this token belongs to a session that was revoked (asked only after a lookup failed)."""
    return await Session.exists().where(
        (Session.token_hash == token_hash(token)) & Session.revoked_at.is_not_null())


def session_cookie_header(token: str, max_age: int) -> bytes:
    """The Set-Cookie value for a session: HttpOnly, SameSite=Lax, Secure over https."""
    parts = [f"{SESSION_COOKIE}={token}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
    if get_settings().https:
        parts.append("Secure")
    return "; ".join(parts).encode()


class SessionMiddleware:
    """Makes the asker (`access.current_user`: an `Actor` or None) known to every HTTP request, and
    renews the cookie's lifetime when the session's expiry slid forward, so a phone in daily use
    stays signed in. The lookup itself waits until the request first asks (see `_resolve`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["user"] = None
        scope["auth"] = None
        token = _cookie(scope, SESSION_COOKIE)
        if not token or len(token) >= 200:
            await self.app(scope, receive, send)
            return
        scope[_TOKEN] = token
        scope[PENDING_USER] = _resolve

        async def send_renewed(message: Message) -> None:
            if message["type"] == "http.response.start":
                new_expiry = scope.get(_RENEW)
                if new_expiry is not None:
                    max_age = int((new_expiry - dt.datetime.now(dt.timezone.utc)).total_seconds())
                    headers = list(message.get("headers", []))
                    # A handler that sets the session cookie itself (sign-in, sign-out) wins.
                    if not any(k.lower() == b"set-cookie" and v.startswith(SESSION_COOKIE.encode())
                               for k, v in headers):
                        headers.append((b"set-cookie", session_cookie_header(token, max_age)))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_renewed)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def client_address(scope: Scope | dict[str, Any]) -> str:
    """The caller's IP: the peer, or the last untrusted hop of X-Forwarded-For behind a trusted proxy."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    trusted = get_settings().trusted_proxies
    if not trusted or not _in(peer, trusted):
        return peer
    forwarded = ""
    for key, value in scope.get("headers", []):
        if key == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop[:64]
    return peer


def _in(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)
