"""API keys and roles, as the API uses them (the key ring itself is graph_engine.keys).

:class:`CachedKeyRing` remembers the keys it verified, so a request with a known key costs one
SHA-256 and a dict lookup, and never touches the store on the event loop. A key revoked or
created through this server takes effect at once (the cache is emptied); a key revoked by
another process (``graph-engine keys revoke``) stops working within ``2 * refresh_seconds``
(the key ring re-reads its table at most that often, and a verified key is trusted as long).
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from graph_engine.keys import KEYS_META, ApiKey, KeyRing, Role, UnknownKey, hash_key, parse_role
from graph_engine.stores.base import Store

__all__ = [
    "KEYS_META",
    "ApiKey",
    "CachedKeyRing",
    "KeyRing",
    "Role",
    "UnknownKey",
    "hash_key",
    "parse_role",
]


class CachedKeyRing(KeyRing):
    """A :class:`KeyRing` that remembers verified keys for ``refresh_seconds``.

    Parameters
    ----------
    store : Store
        Where the key hashes live.
    refresh_seconds : float
        How long the key table and a verified key are trusted (seconds).
    max_entries : int
        Most keys remembered at once; the memory is emptied when it is full. Only valid keys
        are remembered, so wrong keys cannot fill it.
    """

    def __init__(
        self, store: Store, *, refresh_seconds: float = 2.0, max_entries: int = 4096
    ) -> None:
        super().__init__(store, refresh_seconds=refresh_seconds)
        self.max_entries = max_entries
        self._verified: dict[bytes, tuple[ApiKey, float]] = {}
        self._verified_lock = threading.Lock()
        self._generation = 0  # moves on every forget(): a check that raced it is not kept

    @staticmethod
    def _digest(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()

    def cached(self, key: str) -> ApiKey | None:
        """The record of a key verified less than ``refresh_seconds`` ago, else None.

        None does not mean the key is wrong: call :meth:`check` (which may read the store).
        """
        hit = self._verified.get(self._digest(key))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def check(self, key: str) -> ApiKey | None:
        """Verify a key against the key table (see :meth:`KeyRing.check`) and remember it."""
        generation = self._generation
        record = super().check(key)
        if record is not None:
            with self._verified_lock:
                if generation != self._generation:
                    return record
                if len(self._verified) >= self.max_entries:
                    self._verified.clear()
                self._verified[self._digest(key)] = (
                    record,
                    time.monotonic() + self.refresh_seconds,
                )
        return record

    def forget(self) -> None:
        """Drop every remembered key (after a key was created or revoked)."""
        with self._verified_lock:
            self._verified = {}
            self._generation += 1

    def create(self, role: Role | str, **options: Any) -> tuple[str, ApiKey]:
        """Make a new key (see :meth:`KeyRing.create`); forgets the remembered keys."""
        try:
            return super().create(role, **options)
        finally:
            self.forget()

    def revoke(self, key_id: str, **options: Any) -> None:
        """Revoke a key (see :meth:`KeyRing.revoke`); it stops working at once."""
        try:
            super().revoke(key_id, **options)
        finally:
            self.forget()
