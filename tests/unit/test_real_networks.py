"""Agreement with straightforward networkx computations on every real network we ship."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph_engine.compute import network_value, scores
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot
from graph_engine.stores.sqlite import SQLiteStore
from tests.real_networks import NAMES, Network, load


@pytest.fixture(scope="module", params=NAMES)
def network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Network, Snapshot]:
    net = load(request.param)
    with SQLiteStore(tmp_path_factory.mktemp(net.name) / "g.db") as store:
        store.upsert_graph(customers=net.customers, ties=net.ties)
        store.put_settings(GraphSettings(beta=0.7))
        return net, store.snapshot()


def held_by_graph(net: Network, beta: float) -> nx.DiGraph:
    """Edge i -> j with weight lambda when customer i is held by j (both ways if undirected)."""
    g = nx.DiGraph()
    g.add_nodes_from(net.customers.ids.tolist())
    for s, t, c, d in zip(
        net.ties.sources, net.ties.targets, net.ties.closeness, net.ties.directed, strict=True
    ):
        g.add_edge(s, t, weight=beta * c)
        if not d:
            g.add_edge(t, s, weight=beta * c)
    return g


def test_stickiness_equals_a_plain_networkx_sum(network: tuple[Network, Snapshot]) -> None:
    net, snap = network
    g = held_by_graph(net, 0.7)
    value = dict(zip(net.customers.ids.tolist(), net.customers.values.tolist(), strict=True))
    expected = np.array(
        [
            value[i] + sum(d["weight"] * value[j] for _, j, d in g.out_edges(i, data=True))
            for i in snap.ids.tolist()
        ]
    )
    assert scores(snap).stickiness == pytest.approx(expected, rel=1e-12)
    nv = np.array(
        [
            value[j] * sum(d["weight"] for _, _, d in g.in_edges(j, data=True))
            for j in snap.ids.tolist()
        ]
    )
    assert network_value(snap) == pytest.approx(nv, rel=1e-12)
    assert snap.n_ties == len(net.ties)


def test_unbounded_series_equals_katz_centrality(network: tuple[Network, Snapshot]) -> None:
    net, snap = network
    # scale beta so the spectral radius is 0.5: the series converges and Katz's power iteration too
    from graph_engine.compute import spectral_radius

    rho = spectral_radius(snap.L)
    beta = 0.7 * 0.5 / rho
    ours = scores(snap, hops="all", settings=GraphSettings(beta=beta)).stickiness
    # networkx Katz sums x_i = alpha * sum_j A_ji x_j + beta_i over edges j -> i, so the edges
    # must point from the customer who holds to the customer held: reverse the held-by graph
    g = held_by_graph(net, beta).reverse(copy=True)
    value = dict(zip(net.customers.ids.tolist(), net.customers.values.tolist(), strict=True))
    katz = nx.katz_centrality(
        g, alpha=1.0, beta=value, normalized=False, weight="weight", max_iter=5000, tol=1e-13
    )
    expected = np.array([katz[i] for i in snap.ids.tolist()])
    assert ours == pytest.approx(expected, rel=1e-7)
