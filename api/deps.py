"""Dependencies shared by every router: the store, the score cache, a snapshot, key roles.

Use the ``Annotated`` aliases in route signatures::

    @router.get("/thing", operation_id="get_thing")
    def get_thing(live: LiveDep, key: ReadKey) -> ...

``ReadKey``/``WriteKey``/``AdminKey`` check ``Authorization: Bearer <key>`` (401 when missing or
wrong, 403 when the key's role is too low; roles are cumulative). ``SnapshotDep`` is a
:class:`graph_engine.snapshot.Snapshot` of the current graph for analytics routes;
``LiveDep`` is the hops=1 score cache (:class:`api.live.LiveScores`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.config import ApiSettings
from api.errors import ApiError
from api.live import LiveScores
from api.metrics import Metrics
from api.security import ApiKey, KeyRing, Role
from graph_engine.snapshot import Snapshot
from graph_engine.stores.base import Store

__all__ = [
    "AdminKey",
    "AppState",
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
    keys: KeyRing
    metrics: Metrics


def app_state(request: Request) -> AppState:
    """The state the lifespan stored on the app."""
    state: AppState = request.app.state.graph
    return state


def _store(request: Request) -> Store:
    return app_state(request).store


def _live(request: Request) -> LiveScores:
    return app_state(request).live


def _snapshot(request: Request) -> Snapshot:
    return app_state(request).live.snapshot()


def _settings(request: Request) -> ApiSettings:
    return app_state(request).settings


def _keyring(request: Request) -> KeyRing:
    return app_state(request).keys


StoreDep = Annotated[Store, Depends(_store)]
LiveDep = Annotated[LiveScores, Depends(_live)]
SnapshotDep = Annotated[Snapshot, Depends(_snapshot)]
SettingsDep = Annotated[ApiSettings, Depends(_settings)]
KeyRingDep = Annotated[KeyRing, Depends(_keyring)]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer ge_...`")
_NO_AUTH = ApiKey("no-auth", Role.admin, "", "server started with --no-auth")


def require_role(role: Role):  # type: ignore[no-untyped-def]
    """A dependency that returns the caller's key when its role is at least ``role``."""

    def check(
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
        key = state.keys.check(credentials.credentials)
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
