"""Communities: karate factions and modularity optimum, networkx modularity, summaries."""

from __future__ import annotations

import csv

import networkx as nx
import numpy as np
import pytest

from graph_engine.analytics import (
    community_members,
    detect_communities,
    modularity,
    summarize_communities,
)
from graph_engine.compute import network_value, scores
from graph_engine.errors import InvalidInput
from graph_engine.stores.sqlite import SQLiteStore
from tests.real_networks import DATASETS
from tests.unit.analytics._data import NAMES, network, snapshot, tie_graph

KARATE_OPTIMUM = 0.4197896120973046  # igraph's exact optimum (REFERENCE.md)


def karate_factions() -> dict[str, str]:
    """Club after the split, keyed by our customer id (the GML id)."""
    path = DATASETS / "newman-classics" / "karate_factions_from_networkx.csv"
    with path.open() as fh:
        return {row["gml_id"]: row["club"] for row in csv.DictReader(fh)}


def test_karate_modularity_near_the_published_optimum() -> None:
    comm = detect_communities(snapshot("karate"), seed=0)
    assert KARATE_OPTIMUM - 0.02 <= comm.modularity <= KARATE_OPTIMUM + 1e-9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_karate_communities_recover_the_two_factions(seed: int) -> None:
    snap = snapshot("karate")
    comm = detect_communities(snap, seed=seed)
    factions = karate_factions()
    club = np.array([factions[c] for c in snap.ids.tolist()])
    misplaced = 0
    for c in range(comm.count):
        members = club[comm.membership == c]
        _, counts = np.unique(members, return_counts=True)
        misplaced += len(members) - counts.max()  # members outside their community's faction
    assert misplaced <= 2


@pytest.mark.parametrize("name", NAMES)
def test_modularity_agrees_with_networkx(name: str) -> None:
    snap = snapshot(name)
    comm = detect_communities(snap, seed=0)
    g = tie_graph(name)
    groups: dict[int, list[str]] = {}
    for cid, c in zip(snap.ids.tolist(), comm.membership.tolist(), strict=True):
        groups.setdefault(c, []).append(cid)
    ref = nx.community.modularity(g, list(groups.values()), weight="weight")
    assert comm.modularity == pytest.approx(ref, abs=1e-9)
    assert modularity(snap, comm.membership) == pytest.approx(ref, abs=1e-9)
    if snap.n > 2000:
        return
    # Leiden at least matches networkx's own Louvain run (a lower bound, not a target)
    louvain = nx.community.louvain_communities(g, weight="weight", seed=0)
    assert comm.modularity >= nx.community.modularity(g, louvain, weight="weight") - 0.01


def test_deterministic_for_a_seed_and_the_same_from_every_store(tmp_path) -> None:
    net = network("football")
    with SQLiteStore(tmp_path / "g.db") as store:
        store.upsert_graph(customers=net.customers, ties=net.ties)
        from_sqlite = store.snapshot()
    a = detect_communities(snapshot("football"), seed=5)
    b = detect_communities(from_sqlite, seed=5)
    assert np.array_equal(a.membership, b.membership)
    assert a.modularity == b.modularity
    sizes = a.sizes
    assert list(sizes) == sorted(sizes, reverse=True)  # ids ordered by size


def test_summaries_hold_what_they_say() -> None:
    snap = snapshot("polbooks")
    comm = detect_communities(snap, seed=0)
    summaries = summarize_communities(snap, comm, focus=3)
    stick = scores(snap).stickiness
    nv = network_value(snap)
    g = nx.Graph(tie_graph("polbooks").edges)
    assert sum(s.size for s in summaries) == snap.n
    assert sum(s.stickiness_total for s in summaries) == pytest.approx(stick.sum())
    for s in summaries:
        idx = community_members(snap, comm, s.id)
        assert len(idx) == s.size
        assert s.stickiness_mean == pytest.approx(stick[idx].mean())
        assert s.density == pytest.approx(nx.density(g.subgraph(snap.ids[idx].tolist())))
        focus_nv = [nv[snap.index_of(c)] for c in s.focus]
        assert focus_nv == sorted(focus_nv, reverse=True)
        assert focus_nv[0] == pytest.approx(nv[idx].max())
        assert set(s.focus) <= set(snap.ids[idx].tolist())


def test_community_errors() -> None:
    snap = snapshot("karate")
    comm = detect_communities(snap)
    with pytest.raises(InvalidInput, match="community must be an id"):
        community_members(snap, comm, comm.count)
    with pytest.raises(InvalidInput, match="resolution"):
        detect_communities(snap, resolution=0)
    with pytest.raises(InvalidInput, match="seed"):
        detect_communities(snap, seed=-1)


@pytest.mark.parametrize("name", ["karate", "football", "email-eu-core", "ego-facebook"])
def test_large_graph_path_is_deterministic_and_near_leiden(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Graphs above the Leiden limit go to networkit's one-thread PLM: same seed, same
    partition, and a modularity close to igraph's Leiden on the same graph."""
    import graph_engine.analytics.communities as communities

    snap = snapshot(name)
    leiden = communities._detect(snap, 1.0, 0)
    monkeypatch.setattr(communities, "_LEIDEN_LIMIT", 0)
    first = communities._detect(snap, 1.0, 3)
    again = communities._detect(snap, 1.0, 3)
    assert np.array_equal(first.membership, again.membership)
    assert first.modularity == pytest.approx(modularity(snap, first.membership))
    assert first.modularity >= leiden.modularity - 0.02
    if name == "karate":
        assert first.modularity <= KARATE_OPTIMUM + 1e-9
