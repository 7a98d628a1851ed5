"""API keys with cumulative roles (read < write < admin); only hashes are stored.

Used by the HTTP API (``api.deps``) and by ``graph-engine keys``; knows no HTTP.

A key looks like ``ge_<key id>_<secret>``: the key id (8 hex digits) names the key in listings
and revocations, the secret is 32 random bytes (``secrets.token_urlsafe``). The store keeps,
in the metadata document ``api_keys``, the key id, its role, its creation time and the SHA-256
of the whole key: the key has 256 bits of entropy, so a fast hash is enough (no password
stretching needed) and the key itself is never stored or logged. Comparison is constant-time.

Keys are cached in the process and re-read from the store at most every ``refresh_seconds``,
so a key revoked by another process (``graph-engine keys revoke``) stops working within that
time; a key revoked through the API stops at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

import orjson

from graph_engine.errors import GraphEngineError, InvalidInput
from graph_engine.stores.base import Store

__all__ = ["KEYS_META", "ApiKey", "KeyRing", "Role", "UnknownKey", "hash_key", "parse_role"]

KEYS_META = "api_keys"
_PREFIX = "ge_"


class Role(IntEnum):
    """Roles are cumulative: a higher role may do everything a lower one may."""

    read = 1
    write = 2
    admin = 3


def parse_role(text: str) -> Role:
    """A Role from its name; raises InvalidInput naming the choices."""
    try:
        return Role[text.strip().lower()]
    except KeyError:
        raise InvalidInput(
            f"role must be one of read, write, admin; got {text!r}", details={"role": text}
        ) from None


@dataclass(frozen=True)
class ApiKey:
    """What is stored about one key (never the key itself)."""

    key_id: str
    role: Role
    created: str
    name: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "role": self.role.name,
            "created": self.created,
            "name": self.name,
        }


def hash_key(key: str) -> str:
    """SHA-256 (hex) of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    """Create, list, revoke and check API keys kept in a store's metadata.

    Parameters
    ----------
    store : Store
        Where the hashes live (``get_meta``/``put_meta`` key ``api_keys``).
    refresh_seconds : float
        How long a cached copy of the key table is trusted (seconds).
    """

    def __init__(self, store: Store, *, refresh_seconds: float = 2.0) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._table: dict[str, dict[str, Any]] = {}
        self._read_at = -1e18

    # ------------------------------------------------------------------ table
    def _load(self) -> dict[str, dict[str, Any]]:
        raw = self.store.get_meta(KEYS_META)
        table = orjson.loads(raw) if raw else {}
        return table if isinstance(table, dict) else {}

    def _current(self) -> dict[str, dict[str, Any]]:
        now = time.monotonic()
        if now - self._read_at > self.refresh_seconds:
            with self._lock:
                self._table = self._load()
                self._read_at = now
        return self._table

    def _save(self, table: dict[str, dict[str, Any]], put_meta: Any = None) -> None:
        writer = put_meta or self.store.put_meta
        writer(KEYS_META, orjson.dumps(table).decode())
        self._table = table
        self._read_at = time.monotonic()

    # ------------------------------------------------------------------ admin
    def create(
        self, role: Role | str, *, name: str | None = None, put_meta: Any = None
    ) -> tuple[str, ApiKey]:
        """Make a new key; returns (the key, shown once; its stored record)."""
        role = parse_role(role) if isinstance(role, str) else Role(role)
        with self._lock:
            table = self._load()
            key_id = secrets.token_hex(4)
            while key_id in table:
                key_id = secrets.token_hex(4)
            key = f"{_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
            record = ApiKey(key_id, role, datetime.now(UTC).isoformat(timespec="seconds"), name)
            table[key_id] = {
                "role": role.name,
                "hash": hash_key(key),
                "created": record.created,
                "name": name,
            }
            self._save(table, put_meta)
        return key, record

    def list(self) -> list[ApiKey]:
        """Every key's record, by key id."""
        table = self._load()
        return [
            ApiKey(k, Role[v["role"]], v.get("created", ""), v.get("name"))
            for k, v in sorted(table.items())
        ]

    def revoke(self, key_id: str, *, put_meta: Any = None) -> None:
        """Delete a key; raises UnknownKey (404) when there is none."""
        with self._lock:
            table = self._load()
            if key_id not in table:
                raise UnknownKey(f"no API key with id {key_id!r}", details={"key_id": key_id})
            del table[key_id]
            self._save(table, put_meta)

    def any_keys(self) -> bool:
        """Whether at least one key is configured."""
        return bool(self._load())

    # ------------------------------------------------------------------ checking
    def check(self, key: str) -> ApiKey | None:
        """The record of a presented key, or None when it is not a valid key."""
        if not key.startswith(_PREFIX) or key.count("_") < 2:
            return None
        key_id = key[len(_PREFIX) :].split("_", 1)[0]
        entry = self._current().get(key_id)
        if entry is None or not hmac.compare_digest(entry["hash"], hash_key(key)):
            return None
        return ApiKey(key_id, Role[entry["role"]], entry.get("created", ""), entry.get("name"))


class UnknownKey(GraphEngineError, LookupError):
    """No API key with that id (a LookupError, answered with 404)."""

    code = "unknown_key"
