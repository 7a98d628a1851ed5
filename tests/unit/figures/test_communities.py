from __future__ import annotations

import numpy as np
import pytest

from graph_engine.compute import scores
from graph_engine.errors import InvalidInput
from graph_engine.figures.communities import community_graph, community_map_figure
from graph_engine.snapshot import Snapshot


def test_aggregates_match_a_dense_reference(snap: Snapshot, planted: np.ndarray) -> None:
    cg = community_graph(snap, planted)
    k = int(planted.max()) + 1
    dense = snap.L.toarray()
    onehot = np.eye(k)[planted]
    C = onehot.T @ dense @ onehot
    assert cg.count == k
    assert cg.sizes.tolist() == np.bincount(planted, minlength=k).tolist()
    s = scores(snap).stickiness
    assert np.allclose(cg.stickiness_total, [s[planted == c].sum() for c in range(k)])
    assert np.allclose(cg.internal, np.diag(C))
    got = np.zeros((k, k))
    got[cg.rows, cg.cols] = cg.weights
    expected = np.triu(C + C.T, 1)
    assert np.allclose(got, expected)
    assert np.all(cg.rows < cg.cols)


def test_map_draws_the_largest_communities(snap: Snapshot, planted: np.ndarray) -> None:
    k = int(planted.max()) + 1
    fig = community_map_figure(snap, planted, max_communities=5)
    bubbles = fig.data[-1]
    assert bubbles.name == "communities" and len(bubbles.x) == 5
    sizes = np.bincount(planted)
    drawn = [row[0] for row in bubbles.customdata]
    assert sorted(sizes[drawn].tolist()) == sorted(sizes.tolist())[-5:]
    assert f"the 5 largest of {k} communities" in fig.layout.title.text
    # colour is the mean stickiness, bubble area grows with members
    s = scores(snap).stickiness
    assert np.allclose(bubbles.marker.color, [s[planted == c].mean() for c in drawn])
    order = np.argsort([row[1] for row in bubbles.customdata])
    assert np.all(np.diff(np.array(bubbles.marker.size)[order]) >= 0)
    for field in ("members", "mean stickiness"):
        assert field in bubbles.hovertemplate


def test_map_is_deterministic_and_outlines_a_community(snap: Snapshot, planted: np.ndarray) -> None:
    a = community_map_figure(snap, planted, highlight=2, seed=3)
    b = community_map_figure(snap, planted, highlight=2, seed=3)
    assert a.to_json() == b.to_json()
    widths = list(a.data[-1].marker.line.width)
    drawn = [row[0] for row in a.data[-1].customdata]
    assert widths[drawn.index(2)] == max(widths) > min(widths)


def test_map_size_does_not_grow_with_customers() -> None:
    """Many customers in few communities: the figure holds communities, not customers."""
    from graph_engine.demo import demo_graph
    from graph_engine.stores.memory import InMemoryStore

    graph = demo_graph(30_000, seed=2, mean_community=600)
    store = InMemoryStore()
    store.upsert_graph(customers=graph.customers, ties=graph.ties)
    snap = store.snapshot()
    fig = community_map_figure(snap, graph.community, max_communities=40)
    assert len(fig.data[-1].x) == 40
    assert len(fig.to_json()) < 200_000


def test_bad_membership(snap: Snapshot, planted: np.ndarray) -> None:
    with pytest.raises(InvalidInput):
        community_graph(snap, planted[:-1])
    with pytest.raises(InvalidInput):
        community_graph(snap, planted - 1)
    with pytest.raises(InvalidInput):
        community_map_figure(snap, planted, max_communities=0)
