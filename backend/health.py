"""Public, personal-data-free endpoints: health and client configuration."""

from __future__ import annotations

import time

from litestar import Response, get
from litestar.openapi import ResponseSpec

from backend.db import point_read
from backend.i18n import DEFAULT, SUPPORTED
from backend.schemas import CamelStruct
from backend.settings import get_settings


class DatabaseHealth(CamelStruct):
    status: str
    engine: str
    latency_ms: float | None = None
    error: str | None = None


class Health(CamelStruct):
    status: str
    database: DatabaseHealth


class ClientConfig(CamelStruct):
    languages: list[str]
    default_language: str


@get("/health", operation_id="health", tags=["system"], security=[],
     responses={503: ResponseSpec(data_container=Health, description="The database does not answer.",
                                  generate_examples=False)})
async def health() -> Response[Health]:
    """Liveness and database state; 503 when the database does not answer."""
    from backend.piccolo_conf import DB

    engine = "sqlite" if get_settings().is_sqlite else "postgresql"
    started = time.perf_counter()
    try:
        # The cheapest round trip each database has (inline on SQLite, a kept connection on
        # PostgreSQL): probes come often, and a pool thread per probe cost more than the answer.
        await point_read(DB, "SELECT 1 AS one")
    except Exception as exc:  # noqa: BLE001 - any failure means "down", and is reported as such
        body = Health(status="error", database=DatabaseHealth(status="error", engine=engine,
                                                              error=type(exc).__name__))
        return Response(body, status_code=503)
    latency = round((time.perf_counter() - started) * 1000, 2)
    return Response(Health(status="ok", database=DatabaseHealth(status="ok", engine=engine, latency_ms=latency)))


@get("/api/config", operation_id="getConfig", tags=["system"], security=[])
async def config_handler() -> ClientConfig:
    """What the PWA needs before sign-in."""
    return ClientConfig(languages=list(SUPPORTED), default_language=DEFAULT)
