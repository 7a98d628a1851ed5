"""Stores persist customers, ties and settings behind one protocol (see base.Store)."""

from graph_engine.stores.base import BaseStore, Store, open_store
from graph_engine.stores.memory import InMemoryStore
from graph_engine.stores.sqlite import SQLiteStore

__all__ = ["BaseStore", "InMemoryStore", "SQLiteStore", "Store", "open_store"]
