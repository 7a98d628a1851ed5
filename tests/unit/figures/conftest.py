"""Fixtures of the figure tests: one demo community as a snapshot, with its planted communities."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph_engine.demo import DemoGraph, demo_graph
from graph_engine.snapshot import Snapshot
from graph_engine.stores.memory import InMemoryStore


@pytest.fixture(scope="session")
def demo() -> DemoGraph:
    return demo_graph(600, seed=11)


@pytest.fixture(scope="session")
def snap(demo: DemoGraph) -> Snapshot:
    store = InMemoryStore()
    store.upsert_graph(customers=demo.customers, ties=demo.ties)
    return store.snapshot()


@pytest.fixture(scope="session")
def planted(demo: DemoGraph, snap: Snapshot) -> np.ndarray:
    """Planted community of every customer, aligned with ``snap.ids``."""
    assert list(demo.customers.ids) == snap.ids.tolist()
    return np.asarray(demo.community, dtype=np.int64)


def undirected_nx(snapshot: Snapshot) -> nx.Graph:
    """The tie graph in networkx, edge weight = max(lambda_ij, lambda_ji) (the reference)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(snapshot.n))
    coo = snapshot.L.tocoo()
    for i, j, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        if i == j:
            continue
        old = graph.get_edge_data(i, j, {"weight": 0.0})["weight"]
        graph.add_edge(i, j, weight=max(old, w))
    return graph


@pytest.fixture(scope="session")
def nxgraph(snap: Snapshot) -> nx.Graph:
    return undirected_nx(snap)
