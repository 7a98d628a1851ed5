"""Fixtures for the API tests: an app over a fresh store and one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from api.main import create_app
from graph_engine.demo import demo_graph
from graph_engine.keys import KeyRing
from graph_engine.stores.base import Store
from graph_engine.stores.memory import InMemoryStore
from graph_engine.stores.sqlite import SQLiteStore


@dataclass
class Api:
    """A running app, its store and a header per role."""

    client: TestClient
    store: Store
    headers: dict[str, dict[str, str]]

    def as_(self, role: str) -> dict[str, str]:
        return self.headers[role]


def make_api(store: Store, **settings: object) -> Iterator[Api]:
    ring = KeyRing(store)
    headers = {
        role: {"Authorization": f"Bearer {ring.create(role)[0]}"}
        for role in ("read", "write", "admin")
    }
    app = create_app(ApiSettings(db=store.url, **settings), store=store)  # type: ignore[arg-type]
    with TestClient(app) as client:
        yield Api(client, store, headers)


@pytest.fixture(params=["memory", "sqlite"])
def api(request: pytest.FixtureRequest, tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """An app over an empty store (in memory and SQLite)."""
    store: Store = (
        InMemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "api.db")
    )
    with store:
        yield from make_api(store, max_batch=50)


@pytest.fixture
def demo_api(tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """An app over a SQLite store holding a 300-customer demo community."""
    graph = demo_graph(300, seed=3)
    with SQLiteStore(tmp_path / "demo.db") as store:
        store.upsert_graph(graph.customers, graph.ties)
        yield from make_api(store)
