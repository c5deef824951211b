"""Domain exceptions and the one place that turns every error into a translated JSON answer.

Body shape, for every error status:
`{"status": 400, "message": "...", "errors": [{"field": "email", "message": "..."}]}`.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any, Literal

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from piccolo.columns import ForeignKey
from piccolo.table import Table

from backend.cli import redact_path
from backend.i18n import has_key, pick_language, translate
from backend.schemas import DATE_OUT_OF_RANGE, EMAIL, NO_NUL, NOT_BLANK, PHONE, out_of_range

try:  # PostgreSQL's driver; absent where only SQLite is installed
    from asyncpg.exceptions import ForeignKeyViolationError, IntegrityConstraintViolationError, UniqueViolationError
except ImportError:  # pragma: no cover
    ForeignKeyViolationError = IntegrityConstraintViolationError = UniqueViolationError = None  # type: ignore[misc]

log = logging.getLogger("werkmaat.errors")


class ErrorItem(msgspec.Struct):
    field: str
    message: str


class ErrorBody(msgspec.Struct):
    """The body of every error response."""

    status: int
    message: str
    errors: list[ErrorItem] = []
    retry_after: int | None = msgspec.field(default=None, name="retryAfter")
    # The message key, for the app to tell cases apart (a 401 "device_revoked" vs "not_signed_in").
    code: str | None = None


_ERROR_DESCRIPTIONS = {
    400: "Invalid input: every wrong field is named in `errors`",
    401: "Not signed in, or the sign-in (password, invite) was not accepted",
    403: "Not allowed for this person, or the CSRF token is missing or wrong",
    404: "Unknown, or not visible to the asker",
    409: "Conflicts with the current state (e.g. a value another record already has; the field is named)",
    415: "The body is not JSON (`Content-Type` must be application/json)",
    422: "This `Idempotency-Key` was already used for a different request",
    429: "Too many failed attempts; see `retryAfter` and the Retry-After header",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI `responses` for the error statuses a route can answer, all with the `ErrorBody` shape."""
    return {code: ResponseSpec(data_container=ErrorBody, description=_ERROR_DESCRIPTIONS[code],
                               generate_examples=False) for code in codes}


class AppError(Exception):
    """An error with a status code and a message key from `backend.i18n`."""

    status_code = 400

    def __init__(self, key: str, *, field_errors: list[tuple[str, str, dict]] | None = None,
                 retry_after: int | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.field_errors = field_errors or []
        self.retry_after = retry_after


class InvalidInput(AppError):
    """400. Use `InvalidInput.field("email", "email_invalid")` for one field."""

    status_code = 400

    @classmethod
    def field(cls, name: str, key: str, **params: Any) -> InvalidInput:
        return cls("invalid_input", field_errors=[(name, key, params)])


class NotSignedIn(AppError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("not_signed_in")


class Forbidden(AppError):
    status_code = 403

    def __init__(self, key: str = "forbidden", **params: Any) -> None:
        super().__init__(key, **params)


class NotFound(AppError):
    """404. Also used when an object exists but the asker may not know it does."""

    status_code = 404

    def __init__(self) -> None:
        super().__init__("not_found")


class Conflict(AppError):
    status_code = 409


class UnsupportedMediaType(AppError):
    """415: a body that is not sent as JSON."""

    status_code = 415


class Unprocessable(AppError):
    """422: well-formed, but cannot be done as asked (an idempotency key reused for another request)."""

    status_code = 422


class TooManyAttempts(AppError):
    status_code = 429


def _language(request: Request) -> str:
    return pick_language(request.headers.get("accept-language"))


def _render(request: Request, status: int, key: str, params: dict | None = None,
            errors: list[ErrorItem] | None = None, retry_after: int | None = None) -> Response:
    lang = _language(request)
    body = ErrorBody(status=status, message=translate(key, lang, **(params or {})),
                     errors=errors or [], retry_after=retry_after, code=key)
    headers = {"Cache-Control": "no-store"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)


def app_error_handler(request: Request, exc: AppError) -> Response:
    lang = _language(request)
    items = [ErrorItem(field=f, message=translate(k, lang, **p)) for f, k, p in exc.field_errors]
    key = exc.key
    if key == "not_signed_in" and request.scope.get("auth") == "device_revoked":
        key = "device_revoked"
    return _render(request, exc.status_code, key, exc.params, items, exc.retry_after)


# --- msgspec / Litestar validation messages, turned into field messages a person can act on ---

_TYPE_KEYS = {
    "str": "field_type_str", "int": "field_type_int", "float": "field_type_number",
    "bool": "field_type_bool", "object": "field_type_object", "array": "field_type_array",
    "uuid": "field_uuid", "datetime": "field_datetime", "date": "field_date",
}
_PATTERNS: list[tuple[re.Pattern, Any]] = [
    (re.compile(re.escape(DATE_OUT_OF_RANGE) + r" at field `([^`]+)`"),
     lambda m: (m.group(1), "date_out_of_range", {})),
    (re.compile(re.escape(DATE_OUT_OF_RANGE)), lambda m: (None, "date_out_of_range", {})),
    (re.compile(r"Object missing required field `([^`]+)`"), lambda m: (m.group(1), "field_required", {})),
    (re.compile(r"Object contains unknown field `([^`]+)`"), lambda m: (m.group(1), "field_unknown", {})),
    (re.compile(r"of length >= (\d+)"), lambda m: (None, "field_too_short", {"n": m.group(1)})),
    (re.compile(r"of length <= (\d+)"), lambda m: (None, "field_too_long", {"n": m.group(1)})),
    (re.compile(r"Expected `[a-z]+` >= (-?[\d.]+)"), lambda m: (None, "field_too_small", {"n": m.group(1)})),
    (re.compile(r"Expected `[a-z]+` <= (-?[\d.]+)"), lambda m: (None, "field_too_large", {"n": m.group(1)})),
    (re.compile(r"Invalid enum value"), lambda m: (None, "field_choice", {})),
    (re.compile(r"matching regex"), lambda m: (None, "field_pattern", {})),
    (re.compile(r"Invalid UUID"), lambda m: (None, "field_uuid", {})),
    (re.compile(r"Invalid RFC3339 encoded datetime"), lambda m: (None, "field_datetime", {})),
    (re.compile(r"Invalid RFC3339 encoded date"), lambda m: (None, "field_date", {})),
    (re.compile(r"Expected `([a-z]+)[^`]*`, got"), lambda m: (None, _TYPE_KEYS.get(m.group(1), "field_type"), {})),
]
_PATH = re.compile(r" - at `\$((?:\.[A-Za-z_][\w]*|\[\d+\])*)`")


def _message_key(message: str, value: Any = None) -> tuple[str | None, str, dict]:
    for pattern, build in _PATTERNS:
        match = pattern.search(message)
        if match:
            named, key, params = build(match)
            if key == "field_pattern":
                key = _pattern_key(message, value)
            return named, key, params
    return None, "field_invalid", {}


# What a text that does not match its pattern (see `backend.schemas`) is told.
_PATTERN_KEYS = {NOT_BLANK: "blank", PHONE: "phone_invalid", EMAIL: "email_invalid", NO_NUL: "field_invalid",
                 r"\S": "invite_needs_token_or_code", r"[^\W_]": "invite_needs_token_or_code"}


def _pattern_key(message: str, value: Any) -> str:
    if isinstance(value, str) and "\x00" in value:
        return "field_invalid"
    for pattern, key in _PATTERN_KEYS.items():
        if f"matching regex {pattern!r}" in message:
            return key
    return "field_invalid"


def _field_path(key: str, source: str, message: str, named: str | None) -> str:
    at = _PATH.search(message)
    path = at.group(1).lstrip(".") if at else ""
    base = "" if key == "data" else key
    parts = [p for p in (base, path, named) if p]
    if named and at and path:
        parts = [p for p in (base, path) if p] + [named]
    return ".".join(parts).replace(".[", "[") or ("body" if source == "body" else key)


def _literal_values(tp: Any) -> list[str]:
    """The string values of every Literal inside a type (through Optional, Annotated, UnsetType)."""
    if getattr(tp, "__origin__", None) is Literal:
        return [a for a in tp.__args__ if isinstance(a, str)]
    values: list[str] = []
    for arg in getattr(tp, "__args__", ()) or ():
        values += [v for v in _literal_values(arg) if v not in values]
    return values


def _query_alias(request: Request, name: str) -> str:
    """The name a client sends for a query parameter (e.g. `workerId` for `worker_id`)."""
    try:
        definition = request.route_handler.parsed_fn_signature.parameters.get(name)
    except Exception:  # noqa: BLE001
        return name
    kwarg = getattr(definition, "kwarg_definition", None) if definition is not None else None
    return getattr(kwarg, "query", None) or name


def _choices_for(request: Request, field: str) -> str:
    """Allowed values of a Literal body field or query parameter, for the 'choose one of' text."""
    struct = _body_struct(request)
    if struct is not None:
        for info in msgspec.structs.fields(struct):
            if info.encode_name == field:
                return ", ".join(_literal_values(info.type))
    try:
        parameters = request.route_handler.parsed_fn_signature.parameters
    except Exception:  # noqa: BLE001 - no signature to look at
        return ""
    for name, definition in parameters.items():
        kwarg = getattr(definition, "kwarg_definition", None)
        alias = getattr(kwarg, "query", None) if kwarg is not None else None
        if field in (name, alias):
            return ", ".join(_literal_values(definition.annotation))
    return ""


def _body_struct(request: Request) -> type | None:
    try:
        field = request.route_handler.parsed_data_field
    except Exception:  # noqa: BLE001 - not every handler has a body
        return None
    annotation = getattr(field, "annotation", None) if field else None
    return annotation if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct) else None


def _all_body_errors(request: Request) -> list[tuple[str, str, dict]] | None:
    """Validate the body field by field so that every wrong field is named, not only the first."""
    struct = _body_struct(request)
    body = request._connection_state.body  # noqa: SLF001 - the body Litestar already read
    if struct is None or not isinstance(body, bytes | bytearray):
        return None
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None
    if not isinstance(raw, dict):
        return None
    errors: list[tuple[str, str, dict]] = []
    known = set()
    for info in msgspec.structs.fields(struct):
        known.add(info.encode_name)
        if info.encode_name not in raw:
            if info.required:
                errors.append((info.encode_name, "field_required", {}))
            continue
        try:
            value = msgspec.convert(raw[info.encode_name], info.type, strict=True)
        except msgspec.ValidationError as exc:
            named, key, params = _message_key(str(exc), raw[info.encode_name])
            errors.append((_field_path(info.encode_name, "body", str(exc), named), key, params))
            continue
        if out_of_range(value):  # a date of this struct itself (nested structs check their own)
            errors.append((info.encode_name, "date_out_of_range", {}))
    if getattr(struct, "__struct_config__").forbid_unknown_fields:
        errors.extend((name, "field_unknown", {}) for name in raw if name not in known)
    return errors or None


# Litestar's words for a required query parameter or header that was not sent.
_MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '([^']+)'")


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    lang = _language(request)
    extra = exc.extra if isinstance(exc.extra, list) else []
    raw_errors: list[tuple[str, str, dict]] = []
    if any(isinstance(e, dict) and e.get("source") == "body" for e in extra):
        raw_errors = _all_body_errors(request) or []
    if not raw_errors:
        for item in extra:
            if not isinstance(item, dict):
                continue
            message = str(item.get("message", ""))
            named, key, params = _message_key(message)
            name = str(item.get("key", ""))
            if item.get("source") == "query":
                name = _query_alias(request, name)
            raw_errors.append((_field_path(name, str(item.get("source", "")), message, named), key, params))
    missing = _MISSING_PARAMETER.match(exc.detail or "")
    if not raw_errors and missing:
        raw_errors = [(missing.group(1), "field_required", {})]
    if not raw_errors:
        # A body that is not JSON at all ("Input data was truncated", "malformed").
        key = "invalid_json" if "JSON" in (exc.detail or "") or "truncated" in (exc.detail or "") \
            or "malformed" in (exc.detail or "").lower() else "invalid_input"
        return _render(request, 400, key, errors=[ErrorItem(field="body", message=translate(key, lang))])
    items = []
    for field, key, params in raw_errors:
        if key == "field_choice":
            params = {"choices": _choices_for(request, field) or "?"}
        items.append(ErrorItem(field=field, message=translate(key, lang, **params)))
    return _render(request, 400, "invalid_input", errors=items)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, NotAuthorizedException):
        # The session middleware marks a cookie whose session was revoked (backend.accounts.auth).
        revoked = request.scope.get("auth") == "device_revoked"
        return _render(request, 401, "device_revoked" if revoked else "not_signed_in")
    if isinstance(exc, PermissionDeniedException):
        key = "csrf_failed" if "CSRF" in (exc.detail or "") else "forbidden"
        return _render(request, 403, key)
    if isinstance(exc, NotFoundException):
        return _render(request, 404, "not_found")
    if isinstance(exc, MethodNotAllowedException):
        response = _render(request, 405, "method_not_allowed")
        if exc.headers and "allow" in {k.lower() for k in exc.headers}:
            response.headers.update(exc.headers)
        return response
    if exc.status_code == 429:
        return _render(request, 429, "too_many_requests")
    if exc.status_code >= 500:
        log.error("HTTP %s on %s %s: %s", exc.status_code, request.method, redact_path(request.url.path), exc.detail)
        return _render(request, exc.status_code, "server_error")
    if exc.status_code == 400:
        # Litestar raises a plain 400 when a request body cannot be decoded at all.
        if request.method in ("POST", "PUT", "PATCH"):
            lang = _language(request)
            return _render(request, 400, "invalid_json",
                           errors=[ErrorItem(field="body", message=translate("invalid_json", lang))])
        return _render(request, 400, "invalid_input")
    response = _render(request, exc.status_code, "invalid_input")
    return response


# --- integrity errors: two requests racing for the same unique value, a row that went meanwhile ----

_SQLITE_COLUMNS = re.compile(r"constraint failed: ([\w.]+)")
_PG_KEY = re.compile(r"Key \(([^)]+)\)=")


def _api_field(table: str | None, column: str | None) -> str | None:
    """The name a client uses for a column: camelCase, and `...Id` for a foreign key."""
    if not column:
        return None
    column = column.split(",")[0].strip().strip('"')
    def tables(base: type) -> list[type]:
        found = []
        for sub in base.__subclasses__():
            found += [sub, *tables(sub)]
        return found

    head, *rest = column.split("_")
    name = head + "".join(part.title() for part in rest)
    for table_class in tables(Table):
        if table_class._meta.tablename == table:
            if any(isinstance(c, ForeignKey) and c._meta.db_column_name == column for c in table_class._meta.columns):
                return name + "Id"
            break
    return name


def _integrity_facts(exc: Exception) -> tuple[str, str | None, str | None, str]:
    """(kind, table, column, constraint) of an integrity error: kind is unique, reference or other."""
    if isinstance(exc, sqlite3.IntegrityError):
        text = str(exc)
        kind = "unique" if text.startswith("UNIQUE") else "reference" if text.startswith("FOREIGN KEY") else "other"
        match = _SQLITE_COLUMNS.search(text)
        table = column = None
        if match and "." in match.group(1):
            table, column = match.group(1).split(".", 1)
        return kind, table, column, text.split(":")[0]
    kind = "unique" if UniqueViolationError and isinstance(exc, UniqueViolationError) else \
        "reference" if ForeignKeyViolationError and isinstance(exc, ForeignKeyViolationError) else "other"
    column = getattr(exc, "column_name", None)
    match = _PG_KEY.search(getattr(exc, "detail", None) or "")
    if match and (kind == "unique" or "is not present" in (exc.detail or "")):
        column = match.group(1)
    elif kind == "reference":
        column = None  # "still referenced from": the row is used elsewhere, no field of this request
    return kind, getattr(exc, "table_name", None), column, getattr(exc, "constraint_name", None) or ""


def integrity_error_handler(request: Request, exc: Exception) -> Response:
    """A constraint the database enforced: 409 naming the field, never a 500.

    The checks in the services answer first in the ordinary case; this answers the race they cannot
    see (two taps of "Toevoegen" at once both find the e-mail free, one insert wins). The value
    itself is personal data (an e-mail), so only the constraint is logged.
    """
    kind, table, column, constraint = _integrity_facts(exc)
    field = _api_field(table, column)
    log.warning("Integrity conflict (%s) on %s %s: %s", kind, request.method, redact_path(request.url.path), constraint)
    lang = _language(request)
    if kind == "unique":
        key = f"{column}_taken" if column and has_key(f"{column}_taken") else "value_taken"
    elif kind == "reference" and field:
        key = "reference_gone"
    else:
        key = "conflict_changed"
    params = {"field": field or "?"}
    errors = [ErrorItem(field=field, message=translate(key, lang, **params))] if field else []
    return _render(request, 409, key, params, errors)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("Unhandled error on %s %s", request.method, redact_path(request.url.path), exc_info=exc)
    return _render(request, 500, "server_error")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    AppError: app_error_handler,
    sqlite3.IntegrityError: integrity_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
if IntegrityConstraintViolationError is not None:
    EXCEPTION_HANDLERS[IntegrityConstraintViolationError] = integrity_error_handler
