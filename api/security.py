"""API keys and roles, as the API uses them (the key ring itself is graph_engine.keys)."""

from __future__ import annotations

from graph_engine.keys import KEYS_META, ApiKey, KeyRing, Role, UnknownKey, hash_key, parse_role

__all__ = ["KEYS_META", "ApiKey", "KeyRing", "Role", "UnknownKey", "hash_key", "parse_role"]
