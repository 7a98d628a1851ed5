"""Influence scores against networkx on every real network (graphs built independently)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph_engine.analytics import (
    betweenness,
    core_number,
    influencers,
    pagerank,
    weighted_degree,
)
from graph_engine.compute import network_value
from graph_engine.errors import InvalidInput
from graph_engine.settings import GraphSettings
from tests.unit.analytics._data import NAMES, as_array, holding_graph, snapshot, tie_graph

SMALL = {"karate", "lesmis", "dolphins", "football", "polbooks"}


@pytest.mark.parametrize("name", NAMES)
def test_pagerank_matches_networkx(name: str) -> None:
    snap = snapshot(name)
    ours = pagerank(snap, tol=1e-12)
    ref = nx.pagerank(holding_graph(name), alpha=0.85, tol=1e-13, max_iter=2000, weight="weight")
    assert np.abs(ours - as_array(snap, ref)).max() < 1e-8
    assert ours.sum() == pytest.approx(1.0)


def test_pagerank_of_subnormal_weights_is_finite_and_scale_free() -> None:
    # PageRank normalises each row, so scaling every weight leaves it unchanged; weights near the
    # smallest float must neither overflow (1 / row sum) nor turn into NaN
    base = snapshot("karate")
    tiny = base.with_settings(GraphSettings(beta=1e-315))  # every lambda subnormal
    assert tiny.L.data.max() < np.finfo(float).tiny
    assert np.abs(pagerank(tiny, tol=1e-12) - pagerank(base, tol=1e-12)).max() < 1e-9


@pytest.mark.parametrize("name", NAMES)
def test_betweenness_matches_networkx(name: str) -> None:
    snap = snapshot(name)
    g = nx.Graph(tie_graph(name).edges)  # hop distances: weights do not count
    g.add_nodes_from(snap.ids.tolist())
    n = snap.n
    if name in SMALL:
        ours = betweenness(snap)
        assert ours.exact
        ref = nx.betweenness_centrality(g, normalized=True)
    else:
        ours = betweenness(snap, samples=12, seed=3)
        assert not ours.exact and ours.sources is not None and len(ours.sources) == 12
        sources = snap.ids[ours.sources].tolist()
        sub = nx.betweenness_centrality_subset(g, sources, list(g.nodes), normalized=False)
        # subset betweenness over the sampled sources, scaled to all n sources, normalised
        ref = {v: b * (n / len(sources)) / ((n - 1) * (n - 2) / 2) for v, b in sub.items()}
    assert np.abs(ours.values - as_array(snap, ref)).max() < 1e-9


def test_sampled_betweenness_error_is_as_stated() -> None:
    snap = snapshot("email-eu-core")
    exact = betweenness(snap).values
    est = betweenness(snap, samples=400, seed=1)
    assert est.standard_error is not None
    err = np.abs(est.values - exact)
    assert err.max() <= est.error_bound
    assert np.mean(err <= 3 * est.standard_error + 1e-12) >= 0.9
    assert est.max_standard_error == pytest.approx(float(est.standard_error.max()))


@pytest.mark.parametrize("name", NAMES)
def test_degree_and_core_match_networkx(name: str) -> None:
    snap = snapshot(name)
    g = tie_graph(name)
    assert np.allclose(weighted_degree(snap), as_array(snap, dict(g.degree(weight="weight"))))
    assert np.array_equal(
        core_number(snap),
        as_array(snap, nx.core_number(nx.Graph(g.edges)) | {v: 0 for v in nx.isolates(g)}),
    )


def test_influencers_ranking_and_filters() -> None:
    snap = snapshot("polbooks")
    rows = influencers(snap, "betweenness", top=5)
    values = [r.scores["betweenness"] for r in rows]
    assert values == sorted(values, reverse=True)
    assert values[0] == pytest.approx(float(betweenness(snap).values.max()))
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5]
    assert all(type(v) in (float, int) for r in rows for v in r.scores.values())
    nv = network_value(snap)
    assert rows[0].scores["network_value"] == pytest.approx(nv[snap.index_of(rows[0].id)])
    inside = influencers(snap, "pagerank", top=100, community=1)
    assert inside and all(r.community == 1 for r in inside)
    page2 = influencers(snap, "pagerank", top=2, offset=2)
    assert [r.id for r in page2] == [r.id for r in influencers(snap, "pagerank", top=4)[2:]]
    assert influencers(snap, top=3, segment="no-such-segment") == []


def test_influencer_errors_are_clear() -> None:
    snap = snapshot("karate")
    with pytest.raises(InvalidInput, match="method must be one of"):
        influencers(snap, "eigen")
    with pytest.raises(InvalidInput, match="community must be an id"):
        influencers(snap, community=99)
    with pytest.raises(InvalidInput, match="top must be"):
        influencers(snap, top=0)
    with pytest.raises(InvalidInput, match="damping"):
        pagerank(snap, damping=1.0)
