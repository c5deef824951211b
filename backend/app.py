"""The Litestar application: routes of every domain, security middleware, the PWA's static files."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import ValidationException
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
from backend.errors import EXCEPTION_HANDLERS, error_responses
from backend import testclock
from backend.health import config_handler, health
from backend.organisations.controllers import ROUTES as ORGANISATION_ROUTES
from backend.reminders.controllers import ROUTES as REMINDER_ROUTES
from backend.mobility.controllers import ROUTES as MOBILITY_ROUTES
from backend.privacy.controllers import ROUTES as PRIVACY_ROUTES
from backend.reports.controllers import ROUTES as IMPACT_ROUTES
from backend.schedule.controllers import ROUTES as SCHEDULE_ROUTES
from backend.schemas import InputSchemaPlugin
from backend.settings import get_settings
from backend.transit.controllers import ROUTES as TRANSIT_ROUTES

log = logging.getLogger("werkmaat")

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
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


class SecurityHeadersMiddleware:
    """Adds security headers to every response, and `no-store` to everything under /api and /health.

    API answers hold personal data: no browser or proxy cache may keep them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.hsts = get_settings().https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        private = path.startswith(("/api/", "/cal/")) or path == "/health"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if not (private and k.lower() == b"cache-control")]
                headers.extend(SECURITY_HEADERS)
                if private:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
async def index() -> Response:
    """The PWA shell; the invite page is the same shell (the token travels in the URL fragment)."""
    return Response((PWA_DIR / "index.html").read_bytes(), media_type=MediaType.HTML)


@get("/sw.js", include_in_schema=False, cache_control=CacheControlHeader(no_cache=True))
async def service_worker() -> Response:
    """Served from the root so that it controls the whole app; never cached, so updates arrive."""
    return Response((PWA_DIR / "sw.js").read_bytes(), media_type="text/javascript",
                    headers={"Service-Worker-Allowed": "/"})


@get("/offline.html", include_in_schema=False, media_type=MediaType.HTML,
     cache_control=CacheControlHeader(no_cache=True))
async def offline_page() -> Response:
    return Response((PWA_DIR / "offline.html").read_bytes(), media_type=MediaType.HTML)


@get("/manifest.webmanifest", include_in_schema=False, cache_control=CacheControlHeader(no_cache=True))
async def manifest() -> Response:
    return Response((PWA_DIR / "manifest.webmanifest").read_bytes(), media_type="application/manifest+json")


SESSION_SECURITY = [{"session": []}]


async def strict_json_body(request: Request) -> None:
    """Check a JSON body against its struct strictly, before Litestar converts it.

    Litestar converts request data leniently (it must: query strings are text), so a body with
    `"active": 0` or `"latitude": "50.9"` would pass as a bool or a number although the OpenAPI
    document says otherwise. The refusal is the usual 400 that names every wrong field.
    """
    field = request.route_handler.parsed_data_field
    struct = getattr(field, "annotation", None) if field else None
    if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
        return
    body = await request.body()
    try:
        msgspec.json.decode(body, type=struct, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail="Validation failed", extra=[
            {"message": str(exc), "key": "data", "source": "body"}]) from None
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own parsing answers that


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
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
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
                codes.add(403)
            if route.path_parameters or (guarded and takes_input):
                codes.add(404)  # an id in the path, query or body that the asker cannot see
            handler.responses = {**error_responses(*sorted(codes)), **(handler.responses or {})}


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
    else:
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
        if not settings.is_sqlite:
            await DB.close_connection_pool()


def create_app() -> Litestar:
    settings = get_settings()
    wire_domains()
    # Each asset folder of the PWA at its own path; `no-cache` lets browsers revalidate cheaply
    # (ETag) so a deploy is picked up, while the service worker keeps the offline copies.
    static = [
        create_static_files_router(path=f"/{folder}", directories=[PWA_DIR / folder], name=f"pwa-{folder}",
                                   cache_control=CacheControlHeader(no_cache=True))
        for folder in ("js", "css", "i18n", "icons")
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
        route_handlers=[health, config_handler, index, offline_page, service_worker, manifest, *static,
                        *ACCOUNT_ROUTES, *ORGANISATION_ROUTES, *SCHEDULE_ROUTES, *REMINDER_ROUTES,
                        *TRANSIT_ROUTES, *MOBILITY_ROUTES, *COACHING_ROUTES,
                        *IMPACT_ROUTES, *PRIVACY_ROUTES, *testclock.ROUTES],
        middleware=[SecurityHeadersMiddleware, OptionsAllowMiddleware, SessionMiddleware],
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_name=CSRF_COOKIE, header_name=CSRF_HEADER,
            cookie_secure=settings.https, cookie_samesite="lax", cookie_httponly=False,
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        lifespan=[lifespan],
        request_max_body_size=1024 * 1024,
        plugins=[InputSchemaPlugin()],
        before_request=strict_json_body,
    )
    document_routes(app)
    return app

