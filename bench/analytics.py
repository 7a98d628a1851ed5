"""Benchmark the community analytics on the synthetic demo graph (default 1M customers, 10M ties).

Run: ``.venv/bin/python -m bench.analytics [--customers N] [--ties M] [--small N]``

Prints the time of every ranking and of community detection, each beside a reference run in the
same process: a bare scipy power iteration for PageRank (same tolerance), networkit's parallel
Leiden for communities (modularity compared on the same graph, needs ``pip install networkit``),
and networkx's own implementation on a smaller demo graph (``--small`` customers) it can finish.
Also prints the peak memory (RSS) of the process. Generates its own data; writes nothing.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from graph_engine.analytics import (
    betweenness,
    core_number,
    detect_communities,
    modularity,
    pagerank,
    pareto,
    protect,
    referral_seeds,
    weighted_degree,
    what_if_churn,
)
from graph_engine.analytics._graph import holding_matrix, igraph_graph, tie_matrix
from graph_engine.analytics.communities import networkit_graph
from graph_engine.compute import network_value
from graph_engine.demo import demo_graph
from graph_engine.snapshot import Snapshot


def snapshot_of(n: int, m: int, seed: int = 1) -> Snapshot:
    """The demo graph as a snapshot, built directly from its columns (no store)."""
    graph = demo_graph(n, m, seed=seed)
    c, t = graph.customers, graph.ties
    index = pd.Index(c.ids)
    kinds = pd.Categorical(t.kinds)
    return Snapshot.from_edges(
        c.ids,
        c.values,
        index.get_indexer(t.sources),
        index.get_indexer(t.targets),
        t.closeness,
        kinds.codes.astype(np.int32),
        [str(k) for k in kinds.categories],
        t.directed,
        None,
        c.segments,
    )


def timed(label: str, fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    took = time.perf_counter() - start
    print(f"  {label:<48} {took:9.2f} s", flush=True)
    return took, out


def bare_pagerank(L: sp.csr_matrix, damping: float = 0.85, tol: float = 1e-9) -> np.ndarray:
    """Reference: the textbook scipy power iteration, no checks, no caching."""
    n = L.shape[0]
    out = np.asarray(L.sum(axis=1)).ravel()
    dangling = out == 0
    P = sp.diags(np.where(dangling, 0, 1 / np.where(dangling, 1, out))) @ L
    PT = P.T.tocsr()
    x = np.full(n, 1 / n)
    for _ in range(1000):
        new = damping * (PT @ x) + (damping * x[dangling].sum() + 1 - damping) / n
        if np.abs(new - x).sum() < tol:
            return new
        x = new
    return x


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def big(n: int, m: int) -> None:
    print(f"demo graph {n} customers / {m} ties")
    _, snap = timed("generate + snapshot", lambda: snapshot_of(n, m))
    timed("tie matrices (L summed, W = (L + L^T)/2)", lambda: tie_matrix(snap))
    timed("network value", lambda: network_value(snap))
    timed("weighted degree", lambda: weighted_degree(snap))
    t_ref, ref = timed(
        "reference: bare scipy PageRank, tol 1e-9", lambda: bare_pagerank(holding_matrix(snap))
    )
    t_pr, pr = timed("ours: PageRank, tol 1e-9", lambda: pagerank(snap, tol=1e-9))
    print(
        f"    ratio ours/reference {t_pr / t_ref:.2f}, L1 difference "
        f"{np.abs(pr - ref / ref.sum()).sum():.1e}"
    )
    timed("igraph graph (for betweenness, core)", lambda: igraph_graph(snap))
    timed("k-core (igraph)", lambda: core_number(snap))
    _, bt = timed(
        "betweenness, 16 sampled sources (igraph)", lambda: betweenness(snap, samples=16, seed=0)
    )
    print(
        f"    stated error: max standard error {bt.max_standard_error:.2e}, "
        f"95% simultaneous Hoeffding bound {bt.error_bound:.2f}"
    )
    t_ours, comm = timed(
        "ours: communities (graph build + PLM + modularity)", lambda: detect_communities(snap)
    )
    print(f"    modularity {comm.modularity:.4f}, {comm.count} communities")
    try:
        import networkit as nk
    except ImportError:
        print("  networkit not installed: `pip install networkit` for the reference")
    else:
        # the reference gets the same graph ours builds (its build is not timed)
        g = networkit_graph(tie_matrix(snap))
        nk.setSeed(0, False)
        for label, algo in (
            ("networkit ParallelLeiden", nk.community.ParallelLeiden),
            ("networkit PLM (Louvain, refine)", nk.community.PLM),
        ):
            t_nk, part = timed(f"reference: {label}", lambda a=algo: a(g).run().getPartition())
            q = modularity(snap, np.asarray(part.getVector(), dtype=np.int64))
            print(f"    modularity {q:.4f}; ours/reference time {t_ours / t_nk:.2f}")
    someone = [str(x) for x in snap.ids[:10]]
    timed(
        "what-if churn of 10 customers, cascade 0.5",
        lambda: what_if_churn(snap, someone, threshold=0.5),
    )
    timed(
        "protect k=5, cascade 0.5, 20 candidates",
        lambda: protect(snap, 5, threshold=0.5, candidates=20),
    )
    low = snap.with_settings(snap.settings.replace(beta=0.05))
    timed(
        "seeds k=3, beta 0.05, 8 runs, 12 candidates",
        lambda: referral_seeds(low, 3, runs=8, candidates=12),
    )
    timed("pareto + gini", lambda: pareto(snap))
    print(f"  peak memory (RSS) {peak_mb():.0f} MB")


def small(n: int) -> None:
    import networkx as nx

    m = 5 * n
    print(f"\nnetworkx beside ours on a demo graph of {n} customers / {m} ties")
    snap = snapshot_of(n, m, seed=2)
    L = holding_matrix(snap)
    held = nx.from_scipy_sparse_array(L, create_using=nx.DiGraph)
    tie = nx.from_scipy_sparse_array(tie_matrix(snap))
    t_nx, ref = timed("networkx pagerank, tol 1e-12", lambda: nx.pagerank(held, tol=1e-12))
    t_us, ours = timed("ours pagerank, tol 1e-10", lambda: pagerank(snap))
    print(
        f"    speed-up {t_nx / t_us:.0f}x, max |diff| "
        f"{np.abs(ours - np.array([ref[i] for i in range(n)])).max():.1e}"
    )
    k = 16
    t_nx, _ = timed(
        f"networkx betweenness, {k} sources",
        lambda: nx.betweenness_centrality(tie, k=k, seed=0, weight=None),
    )
    t_us, _ = timed(f"ours betweenness, {k} sources", lambda: betweenness(snap, samples=k))
    print(f"    speed-up {t_nx / t_us:.0f}x")
    t_nx, _ = timed("networkx core_number", lambda: nx.core_number(tie))
    t_us, _ = timed("ours core number", lambda: core_number(snap))
    print(f"    speed-up {t_nx / t_us:.0f}x")
    t_nx, part = timed(
        "networkx louvain", lambda: nx.community.louvain_communities(tie, weight="weight", seed=0)
    )
    q_nx = nx.community.modularity(tie, part, weight="weight")
    t_us, comm = timed("ours communities", lambda: detect_communities(snap))
    print(
        f"    speed-up {t_nx / t_us:.0f}x, modularity ours {comm.modularity:.4f} "
        f"networkx {q_nx:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--ties", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=50_000)
    args = parser.parse_args()
    small(args.small)
    big(args.customers, args.ties)


if __name__ == "__main__":
    main()
