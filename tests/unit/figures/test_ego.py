from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest

from graph_engine.compute import scores
from graph_engine.errors import InvalidInput, UnknownCustomer
from graph_engine.figures._style import PALETTE
from graph_engine.figures.ego import ego_figure, ego_network
from graph_engine.snapshot import Snapshot


def _busy(snap: Snapshot, nxgraph: nx.Graph, at_least: int) -> str:
    """A customer with at least ``at_least`` neighbours."""
    degrees = np.array([nxgraph.degree(i) for i in range(snap.n)])
    return str(snap.ids[int(np.flatnonzero(degrees >= at_least)[0])])


@pytest.mark.parametrize("depth", [1, 2])
def test_uncapped_ego_network_matches_networkx(
    snap: Snapshot, nxgraph: nx.Graph, depth: int
) -> None:
    for cid in snap.ids[:25].tolist():
        ego = ego_network(snap, cid, depth=depth, max_nodes=500)
        ref = nx.ego_graph(nxgraph, snap.index_of(cid), radius=depth)
        assert ego.n_within == ref.number_of_nodes()
        assert not ego.capped
        assert set(ego.nodes.tolist()) == set(ref.nodes)
        assert ego.nodes[0] == snap.index_of(cid)
        lengths = nx.single_source_shortest_path_length(nxgraph, snap.index_of(cid))
        assert ego.hop.tolist() == [lengths[int(i)] for i in ego.nodes]
        # every tie among the shown customers, once, with the larger lambda of both directions
        ties = {
            (int(ego.nodes[a]), int(ego.nodes[b])): w
            for a, b, w in zip(ego.rows, ego.cols, ego.weights, strict=True)
        }
        assert len(ties) == ref.number_of_edges()
        for (u, v), w in ties.items():
            assert w == pytest.approx(nxgraph[u][v]["weight"])


def test_cap_keeps_the_strongest_ties(snap: Snapshot, nxgraph: nx.Graph) -> None:
    cid = _busy(snap, nxgraph, 12)
    focal = snap.index_of(cid)
    ego = ego_network(snap, cid, depth=1, max_nodes=6)
    assert len(ego.nodes) == 6 and ego.capped
    assert ego.n_within == nxgraph.degree(focal) + 1
    strength = {v: d["weight"] for v, d in nxgraph[focal].items()}
    kept = [strength[int(v)] for v in ego.nodes[1:]]
    dropped = [w for v, w in strength.items() if v not in set(ego.nodes.tolist())]
    assert min(kept) >= max(dropped)


def test_depth_two_fills_the_first_ring_first(snap: Snapshot, nxgraph: nx.Graph) -> None:
    cid = _busy(snap, nxgraph, 5)
    degree = nxgraph.degree(snap.index_of(cid))
    ego = ego_network(snap, cid, depth=2, max_nodes=1 + degree + 3)
    assert (ego.hop == 1).sum() == degree
    assert (ego.hop == 2).sum() == min(3, ego.n_within - degree - 1)


def test_figure_structure(snap: Snapshot, nxgraph: nx.Graph, planted: np.ndarray) -> None:
    cid = _busy(snap, nxgraph, 15)
    fig = ego_figure(snap, cid, depth=2, max_nodes=20, communities=planted)
    nodes = fig.data[-1]
    ego = ego_network(snap, cid, depth=2, max_nodes=20)
    # node count and the cut said in the title
    assert nodes.name == "customers" and len(nodes.x) == 20
    assert f"20 of {ego.n_within}" in fig.layout.title.text
    assert "strongest ties kept" in fig.layout.title.text
    # hover fields: id, own, network, stickiness of the shown customers
    sc = scores(snap)
    for row, i in zip(nodes.customdata, ego.nodes, strict=True):
        assert row[0] == snap.ids[i]
        assert float(row[1]) == pytest.approx(sc.own[i])
        assert float(row[2]) == pytest.approx(sc.network[i])
        assert float(row[3]) == pytest.approx(sc.stickiness[i])
    for field in ("own", "network", "stickiness"):
        assert field in nodes.hovertemplate
    # colours by community: same community, same colour; different, different
    labels = planted[ego.nodes]
    colors = list(nodes.marker.color)
    for a in range(len(labels)):
        for b in range(len(labels)):
            same = labels[a] % len(PALETTE) == labels[b] % len(PALETTE)
            assert (colors[a] == colors[b]) == same
    # the focal customer is highlighted and named
    assert nodes.marker.symbol[0] == "diamond" and set(nodes.marker.symbol[1:]) == {"circle"}
    assert nodes.marker.line.width[0] > max(nodes.marker.line.width[1:])
    assert nodes.text[0] == cid
    # larger stickiness, larger marker
    size = np.array(nodes.marker.size)
    stick = sc.stickiness[ego.nodes]
    assert np.all(np.diff(size[np.argsort(stick)]) >= -1e-9)
    # ties: every shown tie is drawn once (3 list entries per segment), wider for larger lambda
    lines = [t for t in fig.data[:-1]]
    assert sum(len(t.x) for t in lines) == 3 * len(ego.rows)
    widths = [t.line.width for t in lines]
    assert widths == sorted(widths)


def test_same_seed_same_figure(snap: Snapshot) -> None:
    cid = str(snap.ids[7])
    a = ego_figure(snap, cid, depth=2, seed=5).to_json()
    b = ego_figure(snap, cid, depth=2, seed=5).to_json()
    c = ego_figure(snap, cid, depth=2, seed=6)
    assert a == b
    assert json.loads(a)["data"][-1]["x"] != list(c.data[-1].x)


def test_without_communities_every_node_has_one_colour(snap: Snapshot) -> None:
    fig = ego_figure(snap, str(snap.ids[3]))
    assert len(set(fig.data[-1].marker.color)) == 1


def test_bad_requests(snap: Snapshot, planted: np.ndarray) -> None:
    with pytest.raises(UnknownCustomer):
        ego_figure(snap, "nobody")
    with pytest.raises(InvalidInput, match="depth"):
        ego_network(snap, str(snap.ids[0]), depth=3)
    with pytest.raises(InvalidInput, match="max_nodes"):
        ego_network(snap, str(snap.ids[0]), max_nodes=1)
    with pytest.raises(InvalidInput, match="one label per customer"):
        ego_figure(snap, str(snap.ids[0]), communities=planted[:-1])


def test_isolated_customer_is_drawn_alone() -> None:
    snap = Snapshot.from_edges(
        ["A", "B", "C"],
        np.array([1.0, 2.0, 3.0]),
        np.array([0]),
        np.array([1]),
        np.array([0.5]),
        np.array([0]),
        ["friend"],
        np.array([False]),
    )
    fig = ego_figure(snap, "C", depth=2)
    assert len(fig.data[-1].x) == 1
    assert "all 1 customers" in fig.layout.title.text
