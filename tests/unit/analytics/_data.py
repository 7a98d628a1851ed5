"""Real networks (tests/real_networks.py) as snapshots and as independent networkx graphs."""

from __future__ import annotations

from functools import cache

import networkx as nx
import numpy as np

from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot
from graph_engine.stores.memory import InMemoryStore
from tests.real_networks import NAMES, Network, load

__all__ = ["NAMES", "holding_graph", "network", "snapshot", "tie_graph"]


@cache
def network(name: str) -> Network:
    return load(name)


@cache
def snapshot(name: str, beta: float = 1.0) -> Snapshot:
    """The network through the in-memory store, weighted by ``beta``."""
    net = network(name)
    store = InMemoryStore()
    store.upsert_graph(customers=net.customers, ties=net.ties)
    store.put_settings(GraphSettings(beta=beta))
    return store.snapshot()


@cache
def holding_graph(name: str, beta: float = 1.0) -> nx.DiGraph:
    """Built from the ties, not from our matrix: edge i -> j weight lambda when i is held by j."""
    net = network(name)
    g = nx.DiGraph()
    g.add_nodes_from(net.customers.ids.tolist())
    t = net.ties
    for u, v, c, d in zip(
        t.sources.tolist(),
        t.targets.tolist(),
        t.closeness.tolist(),
        t.directed.tolist(),
        strict=True,
    ):
        for x, y in [(u, v)] if d else [(u, v), (v, u)]:
            w = g[x][y]["weight"] if g.has_edge(x, y) else 0.0
            g.add_edge(x, y, weight=w + beta * c)
    return g


@cache
def tie_graph(name: str, beta: float = 1.0) -> nx.Graph:
    """Undirected graph with weight (lambda_ij + lambda_ji) / 2, built from the ties."""
    h = holding_graph(name, beta)
    g = nx.Graph()
    g.add_nodes_from(h.nodes)
    for u, v, w in h.edges(data="weight"):
        old = g[u][v]["weight"] if g.has_edge(u, v) else 0.0
        g.add_edge(u, v, weight=old + w / 2)
    return g


def as_array(snap: Snapshot, mapping: dict[str, float]) -> np.ndarray:
    return np.array([mapping[c] for c in snap.ids.tolist()], dtype=float)
