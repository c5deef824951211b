"""Exactly-once actions: a phone that sends an action again (offline queue, flaky network) with the
same `Idempotency-Key` gets the first answer back instead of a second record.

A key belongs to one request: the stored row keeps a fingerprint of it (method, path, body), and the
same key with another request answers 422 instead of the first answer, which would be about
something else (draft-ietf-httpapi-idempotency-key-header, section 2.7).
"""

from __future__ import annotations

import hashlib
import re
from contextvars import ContextVar
from typing import Annotated, Awaitable, Callable
from uuid import UUID

import msgspec
from litestar import Response
from litestar.params import Parameter

from backend.errors import Conflict, InvalidInput, Unprocessable
from backend.schedule.tables import IdempotentRequest

KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")

# The handler parameter of every action a phone may queue offline.
IdempotencyKey = Annotated[str | None, Parameter(
    # A header is text or absent, never null: documented as an optional string with its pattern.
    header="Idempotency-Key", required=False, max_length=100,
    schema_extra={"one_of": None, "type": "string", "pattern": KEY_RE.pattern},
    description="Client-made key; sending the same action again with it returns the first answer.")]
PENDING = 0

# What the request being handled is (method, path, body), set by `backend.app` before the handler
# runs (the handler and its `run_once` run in the same task, so they see it). Its fingerprint is
# worked out only when `run_once` asks: most requests never do (a hash per GET cost every request).
_REQUEST: ContextVar[tuple[str, str, bytes] | None] = ContextVar("werkmaat_request", default=None)


def remember_request(method: str, path: str, body: bytes) -> None:
    """Note what this request is, for `run_once`."""
    _REQUEST.set((method, path, body))


def request_fingerprint() -> str:
    """The fingerprint of the request being handled ("" outside one). A JSON body counts by its
    content, not its layout."""
    found = _REQUEST.get()
    if found is None:
        return ""
    method, path, body = found
    try:
        canonical = msgspec.json.encode(msgspec.json.decode(body), order="sorted") if body.strip() else b""
    except msgspec.DecodeError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def _stored(body: dict) -> tuple[str | None, dict | None]:
    """(fingerprint, answer) of a stored row; rows from before fingerprints hold the answer alone."""
    if isinstance(body, dict) and set(body) == {"request", "answer"}:
        return body["request"], body["answer"]
    return None, body


async def run_once(person_id: UUID, key: str | None, action: Callable[[], Awaitable[msgspec.Struct]],
                   status_code: int = 201, *, scope: str) -> Response:
    """Run `action` once per (person, scope, key); `scope` names the action (e.g. its operation id),
    so one key sent to two different actions never answers the second with the first's result.
    Without a key the action simply runs."""
    if key is None:
        return Response(await action(), status_code=status_code)
    if not KEY_RE.match(key):
        raise InvalidInput.field("Idempotency-Key", "idempotency_key_invalid")
    full_key = f"{person_id}:{scope}:{key}"
    fingerprint = request_fingerprint()
    # Claim the key first: of two copies arriving together, only one gets past this insert.
    claimed = await IdempotentRequest.insert(
        IdempotentRequest(key=full_key, person=person_id, status_code=PENDING,
                          body={"request": fingerprint, "answer": None})
    ).on_conflict(target=IdempotentRequest.key, action="DO NOTHING").returning(IdempotentRequest.id)
    if not claimed:
        stored = await IdempotentRequest.select(IdempotentRequest.status_code, IdempotentRequest.body).where(
            IdempotentRequest.key == full_key).output(load_json=True).first()
        first_request, answer = _stored(stored["body"]) if stored else (None, None)
        if first_request is not None and first_request != fingerprint:
            raise Unprocessable("idempotency_key_reused")
        if stored is None or stored["status_code"] == PENDING:
            raise Conflict("request_in_progress", retry_after=1)  # the one 409 worth trying again
        return Response(answer, status_code=stored["status_code"], headers={"Idempotent-Replayed": "true"})
    try:
        result = await action()
    except BaseException:
        # Nothing was recorded: the same key may be tried again.
        await IdempotentRequest.delete().where(IdempotentRequest.key == full_key)
        raise
    body = msgspec.to_builtins(result)
    await IdempotentRequest.update({IdempotentRequest.status_code: status_code,
                                    IdempotentRequest.body: {"request": fingerprint, "answer": body}}).where(
        IdempotentRequest.key == full_key)
    return Response(result, status_code=status_code)
