"""API settings, read from the environment (prefix ``GRAPH_ENGINE_``) and nowhere else.

``GRAPH_ENGINE_DB``           store URL (SQLite path, sqlite:///..., memory://, neo4j://...)
``GRAPH_ENGINE_NO_AUTH``      true to serve without API keys (only on a loopback address)
``GRAPH_ENGINE_HOST``         the address the server is bound to (checked against NO_AUTH)
``GRAPH_ENGINE_MAX_BATCH``    largest bulk upsert accepted (rows); above it: 413
``GRAPH_ENGINE_NEO4J_USER`` / ``GRAPH_ENGINE_NEO4J_PASSWORD``  Neo4j credentials
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_MAX_BATCH", "ApiSettings", "get_settings", "is_loopback"]

DEFAULT_MAX_BATCH = 100_000


class ApiSettings(BaseSettings):
    """Settings of one API process.

    Parameters
    ----------
    db : str
        Store URL, as for :func:`graph_engine.stores.base.open_store`.
    no_auth : bool
        Serve every route without a key (everyone is admin). Refused unless ``host`` is a
        loopback address.
    host : str
        Address the server listens on (used to check ``no_auth``).
    max_batch : int
        Largest number of rows in one bulk ``PUT`` (customers plus ties); larger gets 413.
    incremental_limit : int
        Largest number of affected customers a write may touch and still be applied
        incrementally; above it the scores are rebuilt from the store.
    """

    model_config = SettingsConfigDict(env_prefix="GRAPH_ENGINE_", extra="ignore")

    db: str = "demo.db"
    no_auth: bool = False
    host: str = "127.0.0.1"
    max_batch: int = Field(default=DEFAULT_MAX_BATCH, ge=1, le=10_000_000)
    incremental_limit: int = Field(default=20_000, ge=0)
    neo4j_user: str | None = None
    neo4j_password: SecretStr | None = None


@lru_cache
def get_settings() -> ApiSettings:
    """The settings of this process (read once from the environment)."""
    return ApiSettings()


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (127.0.0.0/8, ::1 or localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
