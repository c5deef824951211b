"""The Litestar application: routes of every domain, security middleware, the PWA's static files."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import logging
import re
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Iterator

import msgspec
from litestar import Litestar, MediaType, Request, Response, get, route
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend import db as dbmod
from backend.accounts.auth import SessionMiddleware
from backend.accounts.controllers import ROUTES as ACCOUNT_ROUTES
from backend.coaching.controllers import ROUTES as COACHING_ROUTES
from backend.commute.wiring import install as wire_domains
from backend.errors import EXCEPTION_HANDLERS, InvalidInput, NotSignedIn, UnsupportedMediaType, error_responses
from backend.idempotency import remember_request
from backend import access, assets, shell, testclock
from backend.health import config_handler, health
from backend.languages import languages_handler
from backend.home.controllers import ROUTES as HOME_ROUTES
from backend.organisations.controllers import ROUTES as ORGANISATION_ROUTES
from backend.phrases.controllers import ROUTES as PHRASE_ROUTES
from backend.reminders.controllers import ROUTES as REMINDER_ROUTES
from backend.mobility.controllers import ROUTES as MOBILITY_ROUTES
from backend.privacy.controllers import ROUTES as PRIVACY_ROUTES
from backend.reports.controllers import ROUTES as IMPACT_ROUTES
from backend.schedule.controllers import ROUTES as SCHEDULE_ROUTES
from backend.schemas import InputSchemaPlugin, date_in_range
from backend.settings import get_settings
from backend.transit.controllers import ROUTES as TRANSIT_ROUTES

log = logging.getLogger("werkmaat")

CSRF_COOKIE = "werkmaat_csrf"
CSRF_HEADER = "x-csrf-token"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; font-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Static files of the PWA (the service worker itself, /sw.js, keeps the full set: its CSP governs it).
ASSET_PATHS = ("/js/", "/css/", "/i18n/", "/icons/", "/catalogue/")
ASSET_HEADERS = [(k, v) for k, v in SECURITY_HEADERS if k in (b"x-content-type-options", b"referrer-policy")]
# Said by the static files router on every file, needed by no browser: the ETag does revalidation.
ASSET_DROPPED = (b"content-disposition", b"last-modified")


# API answers that hold no personal data and are the same for everyone: they keep their own Cache-Control.
PUBLIC_API = ("/api/languages",)


class SecurityHeadersMiddleware:
    """Adds security headers to every response, and `no-store` to everything under /api and /health.

    API answers hold personal data: no browser or proxy cache may keep them. It wraps the whole
    application (`create_app` puts it around Litestar's own exception handling), because answers
    made outside a route's middleware would otherwise go out bare: the 404 of an unknown path, the
    405 of a wrong method, and refusals of the CSRF middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.hsts = get_settings().https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        private = (path.startswith(("/api/", "/cal/")) or path == "/health") and path not in PUBLIC_API
        asset = path.startswith(ASSET_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if not (private and k.lower() == b"cache-control")
                           and not (asset and k.lower() in ASSET_DROPPED)]
                # A script, style sheet, catalogue or icon is no document: the document-only headers
                # (CSP, frame and permission policies) do nothing there but cost every phone about
                # 450 bytes per file. Refusals (404 ...) keep the full set like every other answer.
                headers.extend(ASSET_HEADERS if asset and message.get("status", 200) < 400 else SECURITY_HEADERS)
                if private:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RefuseNulPathMiddleware:
    """A path with a NUL character (`/js/%00`) names no file and no route: 404, before the static
    files router hands it to the file system (which would raise on it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope.get("path", ""):
            raise NotFoundException()
        await self.app(scope, receive, send)


class OptionsAllowMiddleware:
    """Corrects the `Allow` header of the automatic OPTIONS answers.

    Litestar (2.25) builds a route's OPTIONS handler when the first handler of a path is registered;
    methods added later for the same path (PATCH next to GET on /api/me) are missing from its Allow
    header, while the 405 answer lists them all. Here the header is taken from the app's route map.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "OPTIONS":
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and any(
                    k.lower() == b"allow" for k, _ in message.get("headers", [])):
                template = scope.get("path_template", "")
                methods = next((route.methods for route in Litestar.from_scope(scope).routes
                                if isinstance(route, HTTPRoute) and route.path_format == template), None)
                if methods:
                    allow = ", ".join(sorted(methods)).encode()
                    message["headers"] = [(k, allow if k.lower() == b"allow" else v)
                                          for k, v in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, send_with_allow)


@get(["/", "/welkom"], include_in_schema=False, media_type=MediaType.HTML,
     cache_control=CacheControlHeader(no_cache=True))
async def index(request: Request) -> Response:
    """The PWA shell; the invite page is the same shell (the token travels in the URL fragment).
    Its module preloads are the start-up modules, computed from the files (backend/shell.py), and
    for someone signed in their Home's modules and words (hints only: it varies with the cookie)."""
    try:
        actor = await access.provide_actor(request)
    except NotSignedIn:
        actor = None
    # A page the browser opens itself (not the service worker's copy, fetched by the worker at install)
    # may fetch the start answer at once.
    opened = request.headers.get("sec-fetch-mode") == "navigate"
    page = shell.index_page(actor.role.value, actor.language, start=opened) if actor else shell.index_page()
    return Response(page, media_type=MediaType.HTML, headers={"Vary": "Cookie"})


@get("/sw.js", include_in_schema=False, cache_control=CacheControlHeader(no_cache=True))
async def service_worker() -> Response:
    """Served from the root so that it controls the whole app; never cached, so updates arrive. Its
    version and precache lists are computed from the shell's files (backend/shell.py): any change to
    the shell makes a new service worker."""
    return Response(shell.service_worker(), media_type="text/javascript",
                    headers={"Service-Worker-Allowed": "/"})


@get("/catalogue/{lang:str}/{part:str}", include_in_schema=False, cache_control=CacheControlHeader(no_cache=True))
async def catalogue_part(request: Request, lang: str, part: str) -> Response:
    """The messages one role's screens use, in one language (`/catalogue/nl/worker.json`): what a
    phone loads instead of the whole catalogue once it knows who is signed in (backend/shell.py)."""
    name, dot, ext = part.partition(".")
    body = shell.catalogue_part(lang, name) if dot and ext == "json" else None
    if body is None:
        raise NotFoundException()
    etag = f'"{shell.current().version}-{lang}-{name}"'
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})


def _asset(request: Request, folder: str, name: str, suffix: str, media_type: str) -> Response:
    """A script or style sheet of the PWA without its comments (backend/assets.py), with an ETag so
    that a phone revalidates it cheaply (`no-cache`: a deploy is picked up at once)."""
    path = assets.find(get_settings().pwa_dir / folder, name, suffix)
    if path is None:
        raise NotFoundException()
    body, etag = assets.served(path)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(b"" if request.method == "HEAD" else body, media_type=media_type,
                    headers={**headers, **({"Content-Length": str(len(body))} if request.method == "HEAD" else {})})


@route("/js/{name:path}", http_method=["GET", "HEAD"], include_in_schema=False)
async def script_file(request: Request, name: str) -> Response:
    return _asset(request, "js", name, ".js", "text/javascript")


@route("/css/{name:path}", http_method=["GET", "HEAD"], include_in_schema=False)
async def style_file(request: Request, name: str) -> Response:
    return _asset(request, "css", name, ".css", "text/css")


@get("/offline.html", include_in_schema=False, media_type=MediaType.HTML,
     cache_control=CacheControlHeader(no_cache=True))
async def offline_page() -> Response:
    return Response((get_settings().pwa_dir / "offline.html").read_bytes(), media_type=MediaType.HTML)


@get("/manifest.webmanifest", include_in_schema=False, cache_control=CacheControlHeader(no_cache=True))
async def manifest() -> Response:
    return Response((get_settings().pwa_dir / "manifest.webmanifest").read_bytes(),
                    media_type="application/manifest+json")


SESSION_SECURITY = [{"session": []}]


# JSON bodies nest at most this deep. Ours nest three levels; msgspec would recurse until Python's
# stack limit on a body of 50,000 brackets.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(body: bytes) -> int:
    """How deep a JSON text nests (brackets inside strings do not count); cheap for flat bodies."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot be deeper than the limit
    brackets = _JSON_STRING.sub(b"", body).translate(None, bytes(range(256)).translate(None, b"[]{}"))
    return max(itertools.accumulate(_DEPTH_STEP[b] for b in brackets), default=0)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


_QUERY_DATES: dict[int, list[tuple[str, type]]] = {}


def _query_dates(request: Request) -> list[tuple[str, type]]:
    """(name sent, date or datetime) of each date query parameter of the request's handler."""
    handler = request.route_handler
    found = _QUERY_DATES.get(id(handler))
    if found is None:
        found = []
        for name, definition in handler.parsed_fn_signature.parameters.items():
            types = _types_in(definition.annotation)
            if dt.date in types or dt.datetime in types:
                kwarg = getattr(definition, "kwarg_definition", None)
                if kwarg is None or getattr(kwarg, "header", None) or getattr(kwarg, "cookie", None):
                    continue
                found.append((getattr(kwarg, "query", None) or name, dt.datetime if dt.datetime in types else dt.date))
        _QUERY_DATES[id(handler)] = found
    return found


def _types_in(tp: Any) -> set:
    found = {tp}
    for arg in getattr(tp, "__args__", ()) or ():
        found |= _types_in(arg)
    return found


async def check_request(request: Request) -> None:
    """Checks every request gets before its handler runs; each refusal is a translated 4xx.

    - A date in the query string lies in the range of `backend.schemas` (`?from=9999-12-31` is a
      400 naming `from`, as a date in a body is).
    - A body for a handler that takes JSON is sent as JSON (415 otherwise: `text/plain` is how a
      cross-site form posts without a CORS preflight) and nests at most MAX_JSON_DEPTH levels.
    - Its fingerprint is noted for `backend.idempotency`.
    - It matches its struct strictly, before Litestar converts it. Litestar converts request data
      leniently (it must: query strings are text), so a body with `"active": 0` or `"latitude":
      "50.9"` would pass as a bool or a number although the OpenAPI document says otherwise. The
      refusal is the usual 400 that names every wrong field.
    """
    for name, kind in _query_dates(request):
        for raw in request.query_params.getall(name, []):
            try:
                value = msgspec.convert(raw, kind)
            except msgspec.ValidationError:
                continue  # not a date at all: Litestar's own parsing answers that
            if not date_in_range(value):
                raise InvalidInput.field(name, "date_out_of_range")
    field = request.route_handler.parsed_data_field
    if field is None:
        remember_request(request.method, request.url.path, b"")
        return
    body = await request.body()
    if body and not _is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("body_not_json", field_errors=[("body", "body_not_json", {})])
    if json_depth(body) > MAX_JSON_DEPTH:
        raise InvalidInput("json_too_deep", field_errors=[("body", "json_too_deep", {"n": MAX_JSON_DEPTH})],
                           n=MAX_JSON_DEPTH)
    remember_request(request.method, request.url.path, body)
    struct = getattr(field, "annotation", None)
    if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
        return
    try:
        msgspec.json.decode(body, type=struct, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail="Validation failed", extra=[
            {"message": str(exc), "key": "data", "source": "body"}]) from None
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own parsing answers that


def _http_handlers(app: Litestar) -> Iterator[tuple[HTTPRoute, Any]]:
    """(route, handler) for every handler of every HTTP route of the app."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                yield route, handler


def document_routes(app: Litestar) -> None:
    """Fill in, for every API route, what the OpenAPI document cannot learn from the handler alone.

    - `security`: a route behind a guard needs the session cookie; a route without one is public.
      (Per route, because Litestar leaves out an empty `security=[]`: an app-wide requirement would
      also be claimed for health, config and sign-in.)
    - the error answers, all with the `ErrorBody` shape: 400 when the route takes input (else
      Litestar documents its own validation body, which this app never sends), 401 and 403 behind
      a guard, 403 for unsafe methods (CSRF), 404 where an id is given (in the path, or to a route
      behind sign-in). A route declares any others itself (e.g. 429 on sign-in).
    """
    for route, handler in _http_handlers(app):
        if not handler.resolve_include_in_schema():
            continue
        codes: set[int] = set()
        takes_input = bool(set(handler.parsed_fn_signature.parameters) - {"request", "scope", "state"})
        guarded = any(layer.guards for layer in handler.ownership_layers)
        if takes_input or route.path_parameters:
            codes.add(400)
        if guarded:
            handler.security = SESSION_SECURITY
            codes |= {401, 403}
        if handler.http_methods - {"GET", "HEAD", "OPTIONS"}:
            codes |= {403, 409}
        if handler.parsed_data_field is not None:
            codes.add(415)
        if "idempotency_key" in handler.parsed_fn_signature.parameters:
            codes.add(422)
        if route.path_parameters or (guarded and takes_input):
            codes.add(404)  # an id in the path, query or body that the asker cannot see
        handler.responses = {**error_responses(*sorted(codes)), **(handler.responses or {})}


def guards_without_copies(app: Litestar) -> None:
    """Run each route's guards on the route handler itself.

    Litestar (2.25) hands every guard a copy of the route handler (`copy(self)` in
    `authorize_connection`), a shallow copy of a large object on every guarded request: about 10 us of
    CPU, 5 % of a `/api/me` (issue 14). The guards of `backend.access` never look at the handler
    (`tests/test_app_guards.py` holds every route to them), so they get the handler as it is. The
    handlers have slots, so each guarded one becomes an instance of a subclass of its own class
    that differs only in that method.
    """
    subclasses: dict[type, type] = {}
    for _, handler in _http_handlers(app):
        if not handler.resolve_guards():
            continue
        cls = type(handler)
        if cls not in subclasses:
            subclasses[cls] = type(cls.__name__, (cls,), {
                "__slots__": (), "authorize_connection": _authorize_without_copy,
                "__module__": cls.__module__, "__qualname__": cls.__qualname__})
        handler.__class__ = subclasses[cls]


async def _authorize_without_copy(self: Any, connection: Any) -> None:
    for guard in self.resolve_guards():
        await guard(connection, self)


def tune_garbage_collector() -> None:
    """Shorter pauses for long-lived server processes, once start-up is done.

    `gc.freeze()` moves everything imported and built so far (Litestar, Piccolo, numpy, the route
    tables) out of the collector's sight, so a full collection no longer walks it; a larger first
    threshold makes collections rarer during a request that builds many rows. Measured on the
    200-worker caseload (SQLite): p95 108 -> 63 ms, p50 unchanged (tests/bench/caseload.py).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    from backend.piccolo_conf import DB

    settings = get_settings()
    if settings.is_sqlite:
        dbmod.enable_wal(DB.path)
    # PostgreSQL: asyncpg's pool; SQLite: the writer and a reader of `PooledSQLiteEngine`.
    await DB.start_connection_pool()
    tune_garbage_collector()
    try:
        if settings.scheduler:
            from backend.jobs import running_scheduler

            async with running_scheduler():
                yield
        else:
            yield
    finally:
        await DB.close_connection_pool()


def create_app() -> Litestar:
    settings = get_settings()
    wire_domains()
    shell.current()  # the shell's version and precache lists, at start-up (a broken pwa/ fails here)
    # Each asset folder of the PWA at its own path; `no-cache` lets browsers revalidate cheaply
    # (ETag) so a deploy is picked up, while the service worker keeps the offline copies.
    static = [
        create_static_files_router(path=f"/{folder}", directories=[settings.pwa_dir / folder], name=f"pwa-{folder}",
                                   cache_control=CacheControlHeader(no_cache=True))
        for folder in ("i18n", "icons")  # scripts and style sheets: script_file, style_file
    ]
    openapi = OpenAPIConfig(
        title="Werkmaat API",
        version="0.1.0",
        description="API of Werkmaat. Sign in with POST /api/auth/login (coach/admin) or "
                    "POST /api/auth/invite (worker/buddy). Unsafe methods need the X-CSRF-Token "
                    "header with the value of the werkmaat_csrf cookie.",
        path="/schema",
        render_plugins=[ScalarRenderPlugin()],
        # No app-wide `security`: Litestar drops an empty per-route `security=[]`, so public routes
        # (health, config, sign-in) would inherit it; `document_routes` sets it on guarded routes.
        components=Components(security_schemes={
            "session": SecurityScheme(type="apiKey", name="werkmaat_session", security_scheme_in="cookie"),
        }),
    )
    app = Litestar(
        route_handlers=[health, config_handler, languages_handler, index, offline_page, service_worker, manifest, catalogue_part, script_file, style_file, *static,
                        *ACCOUNT_ROUTES, *ORGANISATION_ROUTES, *SCHEDULE_ROUTES, *REMINDER_ROUTES,
                        *TRANSIT_ROUTES, *MOBILITY_ROUTES, *COACHING_ROUTES,
                        *IMPACT_ROUTES, *PRIVACY_ROUTES, *HOME_ROUTES, *PHRASE_ROUTES, *testclock.ROUTES],
        middleware=[RefuseNulPathMiddleware, OptionsAllowMiddleware, SessionMiddleware],
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_name=CSRF_COOKIE, header_name=CSRF_HEADER,
            cookie_secure=settings.https, cookie_samesite="lax", cookie_httponly=False,
            # Static files take no input; the page and the API set the cookie (not every file of a
            # first load, which would each carry a Set-Cookie).
            exclude=[f"^{folder}" for folder in ASSET_PATHS],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        lifespan=[lifespan],
        request_max_body_size=1024 * 1024,
        plugins=[InputSchemaPlugin()],
        before_request=check_request,
    )
    document_routes(app)
    guards_without_copies(app)
    # Around everything, Litestar's exception handling included: see SecurityHeadersMiddleware.
    app.asgi_handler = SecurityHeadersMiddleware(app.asgi_handler)
    return app

