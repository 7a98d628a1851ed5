"""Dependencies shared by every router: the store, the score cache, a snapshot, key roles.

Use the ``Annotated`` aliases in route signatures::

    @router.get("/thing", operation_id="get_thing")
    def get_thing(live: LiveDep, key: ReadKey) -> ...

``ReadKey``/``WriteKey``/``AdminKey`` check ``Authorization: Bearer <key>`` (401 when missing or
wrong, 403 when the key's role is too low; roles are cumulative). ``SnapshotDep`` is a
:class:`graph_engine.snapshot.Snapshot` of the current graph for analytics routes;
``LiveDep`` is the hops=1 score cache (:class:`api.live.LiveScores`).

The dependencies that only look up objects are ``async def``: FastAPI runs a plain ``def``
dependency in a worker thread, and three thread hops per request cost more than the lookup of
one customer. The key check verifies a key it has not seen recently in a worker thread (that
may read the store); known keys are checked on the event loop (one SHA-256, one dict lookup).
``SnapshotDep`` stays a plain function: it may read the whole store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.config import ApiSettings
from api.errors import ApiError
from api.jobs import JobRunner
from api.live import LiveScores
from api.metrics import Metrics
from api.security import ApiKey, CachedKeyRing, Role
from graph_engine.snapshot import Snapshot
from graph_engine.stores.base import Store

__all__ = [
    "AdminKey",
    "AppState",
    "JobsDep",
    "KeyRingDep",
    "LiveDep",
    "ReadKey",
    "SettingsDep",
    "SnapshotDep",
    "StoreDep",
    "WriteKey",
    "app_state",
    "require_role",
]


@dataclass
class AppState:
    """Everything the app opened in its lifespan."""

    settings: ApiSettings
    store: Store
    live: LiveScores
    keys: CachedKeyRing
    metrics: Metrics
    jobs: JobRunner


def app_state(request: Request) -> AppState:
    """The state the lifespan stored on the app."""
    state: AppState = request.app.state.graph
    return state


async def _store(request: Request) -> Store:
    return app_state(request).store


async def _live(request: Request) -> LiveScores:
    return app_state(request).live


def _snapshot(request: Request) -> Snapshot:
    return app_state(request).live.snapshot()


async def _jobs(request: Request) -> JobRunner:
    return app_state(request).jobs


async def _settings(request: Request) -> ApiSettings:
    return app_state(request).settings


async def _keyring(request: Request) -> CachedKeyRing:
    return app_state(request).keys


StoreDep = Annotated[Store, Depends(_store)]
LiveDep = Annotated[LiveScores, Depends(_live)]
SnapshotDep = Annotated[Snapshot, Depends(_snapshot)]
SettingsDep = Annotated[ApiSettings, Depends(_settings)]
JobsDep = Annotated[JobRunner, Depends(_jobs)]
KeyRingDep = Annotated[CachedKeyRing, Depends(_keyring)]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer ge_...`")
_NO_AUTH = ApiKey("no-auth", Role.admin, "", "server started with --no-auth")


def require_role(role: Role):  # type: ignore[no-untyped-def]
    """A dependency that returns the caller's key when its role is at least ``role``."""

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiKey:
        state = app_state(request)
        if state.settings.no_auth:
            return _NO_AUTH
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(
                401,
                "unauthorized",
                "missing API key: send `Authorization: Bearer <key>`",
                headers=challenge,
            )
        key = state.keys.cached(credentials.credentials)
        if key is None:
            key = await run_in_threadpool(state.keys.check, credentials.credentials)
        if key is None:
            raise ApiError(401, "unauthorized", "invalid or revoked API key", headers=challenge)
        if key.role < role:
            raise ApiError(
                403,
                "forbidden",
                f"this route needs a {role.name} key; the key "
                f"{key.key_id} has role {key.role.name}",
                details={"needed": role.name, "role": key.role.name},
            )
        return key

    return check


ReadKey = Annotated[ApiKey, Depends(require_role(Role.read))]
WriteKey = Annotated[ApiKey, Depends(require_role(Role.write))]
AdminKey = Annotated[ApiKey, Depends(require_role(Role.admin))]
