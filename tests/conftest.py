"""Shared fixtures: every store the contract suite runs against."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from graph_engine.stores.base import Store
from graph_engine.stores.memory import InMemoryStore
from graph_engine.stores.sqlite import SQLiteStore

StoreFactory = Callable[[], Store]


def neo4j_uri() -> str | None:
    """The Neo4j server the neo4j-marked tests use; CI must provide one (no silent skip)."""
    uri = os.environ.get("NEO4J_URI")
    if uri is None and os.environ.get("GRAPH_ENGINE_REQUIRE_NEO4J") == "1":
        pytest.fail(
            "GRAPH_ENGINE_REQUIRE_NEO4J=1 but NEO4J_URI is not set: the Neo4j server did not start",
            pytrace=False,
        )
    return uri


def _neo4j_factory() -> Iterator[StoreFactory]:
    uri = neo4j_uri()
    if uri is None:
        pytest.skip("NEO4J_URI not set (run `make neo4j-start` and export NEO4J_URI)")
    from graph_engine.stores.neo4j import Neo4jStore  # type: ignore[import-not-found]

    opened: list[Store] = []

    def make() -> Store:
        store = Neo4jStore(
            uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", "graph-engine-test"),
        )
        store.wipe()  # every test starts from an empty database
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


STORE_KINDS = ["memory", "sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(params=STORE_KINDS)
def store_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreFactory]:
    """A function that opens a fresh, empty store of each kind."""
    if request.param == "memory":
        yield InMemoryStore
    elif request.param == "sqlite":
        opened: list[SQLiteStore] = []

        def make() -> Store:
            store = SQLiteStore(tmp_path_factory.mktemp("store") / "graph.db")
            opened.append(store)
            return store

        yield make
        for store in opened:
            store.close()
    else:
        yield from _neo4j_factory()


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    """A fresh, empty store of each kind."""
    return store_factory()
