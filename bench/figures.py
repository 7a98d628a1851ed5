"""Figures on a large graph: what each builder costs next to one sparse matrix-vector product.

Builds a synthetic community (default 1M customers, 10M ties, with its planted communities) as
a snapshot in memory, then times every figure builder that must work at that size: the
community map (sparse aggregation ``P^T L P`` plus a layout of the drawn communities), the ego
network of the busiest customer, the histogram, the Pareto curve and the own-vs-network
scatter (sampled, WebGL). Each time is printed with its ratio to a bare ``L @ a`` measured in
the same run, and the size of the figure's JSON (what the API sends).

    .venv/bin/python -m bench.figures [--customers 1000000 --ties 10000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench.common import median_time, peak_rss_mb, report
from graph_engine.compute import scores
from graph_engine.demo import demo_graph
from graph_engine.figures import (
    community_graph,
    community_map_figure,
    ego_figure,
    own_vs_network_figure,
    pareto_figure,
    stickiness_histogram,
)
from graph_engine.snapshot import Snapshot


def build(customers: int, ties: int) -> tuple[Snapshot, np.ndarray]:
    graph = demo_graph(customers, ties, seed=1)
    c, t = graph.customers, graph.ties
    ids = np.asarray(c.ids, dtype=object)
    kinds, codes = np.unique(np.asarray(t.kinds, dtype=str), return_inverse=True)
    snap = Snapshot.from_edges(
        ids,
        np.asarray(c.values, dtype=np.float64),
        np.searchsorted(ids, np.asarray(t.sources, dtype=object)),
        np.searchsorted(ids, np.asarray(t.targets, dtype=object)),
        np.asarray(t.closeness, dtype=np.float64),
        codes,
        kinds.tolist(),
        np.asarray(t.directed, dtype=bool),
    )
    return snap, np.asarray(graph.community, dtype=np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--ties", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    snap, membership = build(args.customers, args.ties)
    build_s = time.perf_counter() - start
    L, a = snap.L, snap.values
    bare = median_time(lambda: L @ a, repeat=args.repeat)
    sc = scores(snap)
    degree = np.diff(L.indptr)
    hub = str(snap.ids[int(np.argmax(degree))])

    cases = {
        "community aggregation P^T L P": lambda: community_graph(snap, membership, precomputed=sc),
        "community map (80 drawn)": lambda: community_map_figure(snap, membership, precomputed=sc),
        f"ego network depth 2 (hub, {int(degree.max())} ties)": lambda: ego_figure(
            snap, hub, depth=2, communities=membership, precomputed=sc
        ),
        "stickiness histogram (log)": lambda: stickiness_histogram(snap, log=True, precomputed=sc),
        "Pareto curve": lambda: pareto_figure(snap, precomputed=sc),
        "own vs network (50k sample, WebGL)": lambda: own_vs_network_figure(snap, precomputed=sc),
    }
    rows = [
        (
            "graph",
            f"{snap.n:,} customers, {snap.n_ties:,} ties, "
            f"{int(membership.max()) + 1:,} planted communities (built in {build_s:.1f} s)",
        ),
        ("reference: bare L @ a", f"{bare * 1e3:.1f} ms"),
    ]
    for label, make in cases.items():
        seconds = median_time(make, repeat=args.repeat)
        fig = make()
        size = len(fig.to_json()) if hasattr(fig, "to_json") else 0
        json_note = f", JSON {size / 1e3:,.0f} kB" if size else ""
        rows.append((label, f"{seconds * 1e3:9.1f} ms  = {seconds / bare:6.1f} x L@a{json_note}"))
    rows.append(("peak memory", f"{peak_rss_mb():,.0f} MiB"))
    report(
        "figures on a large graph (median of "
        f"{args.repeat} runs; ratios against one sparse matrix-vector product)",
        rows,
    )


if __name__ == "__main__":
    main()
