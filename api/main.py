"""The FastAPI app: ``create_app(settings)``; the lifespan opens and closes the store.

Routers live one per module in ``api/routes`` and each exposes ``router`` (an ``APIRouter``
with its own prefix and tags, mounted under ``/v1``). Adding one is one line in
:data:`ROUTERS`. Run with ``graph-engine serve`` or
``uvicorn --factory api.main:create_app``.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from api.config import ApiSettings, get_settings, is_loopback
from api.deps import AppState
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.jobs import JobRunner
from api.live import LiveScores
from api.metrics import Metrics, MetricsMiddleware
from api.responses import FastJSON
from api.security import CachedKeyRing
from graph_engine import __version__
from graph_engine.errors import InvalidInput
from graph_engine.stores.base import Store, open_store

__all__ = ["REVISION_CHECK_SECONDS", "ROUTERS", "WARM_RANKINGS", "create_app"]

# Reads compare the store revision with the score cache at most this often (seconds): writes
# through this server are visible to the very next read whatever this is; writes by another
# process (``graph-engine import``, a second server on the same file) show up within this
# plus one rebuild of the cache.
REVISION_CHECK_SECONDS = 0.25
# rankings sorted at start (and after each full rebuild): the default GET /v1/stickiness
WARM_RANKINGS = (("stickiness", True),)

_log = logging.getLogger("uvicorn.error")

# one line per router module (each defines `router`); mounted under /v1 in this order
ROUTERS = [
    "api.routes.health",
    "api.routes.stickiness",
    "api.routes.customers",
    "api.routes.ties",
    "api.routes.settings",
    "api.routes.keys",
    "api.routes.figures",
    "api.routes.ingest",
    "api.routes.analytics",
    "api.routes.jobs",
]

_DESCRIPTION = """
Stickiness of customers held by their relationships: `S = a + L a`, where `a` is the own value
and `L[i, j] = beta * w_kind * closeness` the tie weights.

Send `Authorization: Bearer <key>`. Roles are cumulative: `read` (every GET), `write` (PUT and
DELETE of customers and ties), `admin` (settings and keys). Errors are
`{"error": {"code", "message", "details"}}`. Lists are `{"items", "next_cursor"}`: pass
`next_cursor` back as `cursor`. Long what-if searches take `?background=true`: the answer is
202 with a job to follow at `GET /v1/jobs/{job_id}` (status, progress, result).
"""


def _operation_id(route: APIRoute) -> str:
    """Stable operationIds: the route's name (each route sets ``operation_id`` or a name)."""
    return route.name


def _open(settings: ApiSettings) -> Store:
    options: dict[str, str | None] = {}
    if settings.db.startswith(("neo4j", "bolt")):
        options["user"] = settings.neo4j_user or "neo4j"
        options["password"] = (
            settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        )
    return open_store(settings.db, **options)


def create_app(settings: ApiSettings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the app.

    Parameters
    ----------
    settings : ApiSettings, optional
        Defaults to the environment (``GRAPH_ENGINE_*``).
    store : Store, optional
        An open store to serve instead of opening ``settings.db`` (tests); the caller closes it.

    Raises
    ------
    InvalidInput
        ``no_auth`` on an address that is not loopback.
    """
    settings = settings or get_settings()
    if settings.no_auth and not is_loopback(settings.host):
        raise InvalidInput(
            f"--no-auth is only allowed on a loopback address (127.0.0.1, ::1, "
            f"localhost), not {settings.host!r}"
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store is None
        active = _open(settings) if store is None else store
        try:
            started = time.perf_counter()
            keys = CachedKeyRing(active)
            if not settings.no_auth and not keys.any_keys():
                raise InvalidInput(
                    f"no API key is configured in {active.url}: create one with "
                    "`graph-engine keys create --db PATH --role read`, or serve on a loopback "
                    "address with --no-auth"
                )
            live = LiveScores(
                active,
                incremental_limit=settings.incremental_limit,
                recheck_seconds=REVISION_CHECK_SECONDS,
                warm=WARM_RANKINGS,
            )
            jobs = JobRunner()
            app.state.graph = AppState(settings, active, live, keys, metrics, jobs)
            # the cache holds millions of long-lived objects (ids, the id -> position map):
            # keep them out of the cyclic collector, whose full passes would pause requests
            gc.collect()
            gc.freeze()
            _log.info(
                "scores of %d customers ready in %.1f s (revision %d)",
                live.n_customers,
                time.perf_counter() - started,
                live.revision,
            )
            try:
                yield
            finally:
                jobs.close()
        finally:
            if opened:
                active.close()

    metrics = Metrics()
    app = FastAPI(
        title="graph-engine API",
        version=__version__,
        description=_DESCRIPTION.strip(),
        lifespan=lifespan,
        default_response_class=FastJSON,
        generate_unique_id_function=_operation_id,
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    for name in ROUTERS:
        app.include_router(
            importlib.import_module(name).router, prefix="/v1", responses=ERROR_RESPONSES
        )
    app.include_router(importlib.import_module("api.routes.figures").dashboard_router)  # page at /
    return app
