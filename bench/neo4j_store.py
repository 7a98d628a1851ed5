"""Neo4j store benchmark (issue 6): import rate and snapshot read time beside the SQLite store.

    make neo4j-start        # or: NEO4J_HEAP_MAX=3g scripts/neo4j-server.sh start
    .venv/bin/python -m bench.neo4j_store [--customers 100000] [--ties 1000000]

Both stores get the same demo graph (graph_engine.demo, seed 1) in ONE all-or-nothing
``upsert_graph`` transaction each; then each reads its snapshot back cold (median of
``--repeat`` reads) and the two snapshots are checked equal. Also timed: the one-customer Cypher
push-down (``stickiness_of``) against reading a whole snapshot, and ``write_scores``. Ratios are
Neo4j / SQLite measured in the same run. The server is the one at NEO4J_URI (default
bolt://127.0.0.1:7687, password NEO4J_PASSWORD); its database is wiped first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from bench.common import report


def _timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _median_read(store, repeat: int):  # type: ignore[no-untyped-def]
    times = []
    snap = None
    for _ in range(repeat):
        snap, seconds = _timed(store._read_snapshot)  # the uncached read
        times.append(seconds)
    return snap, statistics.median(times)


def _read_peak_mib(store) -> float:  # type: ignore[no-untyped-def]
    """Peak Python-heap growth (numpy included) during one uncached snapshot read, MiB."""
    tracemalloc.start()
    try:
        store._read_snapshot()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="snapshot reads per store")
    parser.add_argument("--lookups", type=int, default=200, help="push-down queries timed")
    args = parser.parse_args()

    from graph_engine.compute import scores
    from graph_engine.demo import demo_graph
    from graph_engine.stores.neo4j import Neo4jStore
    from graph_engine.stores.sqlite import SQLiteStore

    uri = os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    password = os.environ.get("NEO4J_PASSWORD", "graph-engine-test")
    graph, generated = _timed(lambda: demo_graph(args.customers, args.ties, seed=1))
    n_ties = len(graph.ties)
    print(f"demo graph: {args.customers} customers, {n_ties} ties ({generated:.1f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        with SQLiteStore(Path(tmp) / "bench.db") as lite:
            _, lite_import = _timed(lambda: lite.upsert_graph(graph.customers, graph.ties))
            lite_snap, lite_read = _median_read(lite, args.repeat)
            lite_peak = _read_peak_mib(lite)

    with Neo4jStore(uri, user=os.environ.get("NEO4J_USER", "neo4j"), password=password) as neo:
        _, wiped = _timed(neo.wipe)
        print(f"wiped the Neo4j database ({wiped:.1f} s)")
        _, neo_import = _timed(lambda: neo.upsert_graph(graph.customers, graph.ties))
        neo_snap, neo_read = _median_read(neo, args.repeat)
        neo_peak = _read_peak_mib(neo)
        same = (
            neo_snap.ids.tolist() == lite_snap.ids.tolist()
            and np.array_equal(neo_snap.indptr, lite_snap.indptr)
            and np.array_equal(neo_snap.indices, lite_snap.indices)
            and np.array_equal(neo_snap.closeness, lite_snap.closeness)
        )
        result = scores(neo_snap)
        _, wrote = _timed(lambda: neo.write_scores(neo_snap.ids, result))
        rng = np.random.default_rng(0)
        picks = neo_snap.ids[
            rng.choice(neo_snap.n, size=min(args.lookups, neo_snap.n), replace=False)
        ]
        lookups = []
        for cid in picks:
            _, seconds = _timed(lambda cid=cid: neo.stickiness_of(cid))
            lookups.append(seconds)
        lookup = statistics.median(lookups)

    imported = (
        f"Neo4j {neo_import:7.1f} s = {n_ties / neo_import:9,.0f} ties/s | SQLite "
        f"{lite_import:6.1f} s = {n_ties / lite_import:9,.0f} ties/s | Neo4j/SQLite time "
        f"x{neo_import / lite_import:.1f}"
    )
    read = (
        f"Neo4j {neo_read:7.2f} s | SQLite {lite_read:6.2f} s | Neo4j/SQLite x"
        f"{neo_read / lite_read:.1f}"
    )
    report(
        f"Neo4j store vs SQLite store, {n_ties} ties, {args.customers} customers",
        [
            ("import, one transaction", imported),
            ("snapshot read (median)", read),
            ("snapshots identical", str(same)),
            (
                "peak memory of one read",
                f"Neo4j {neo_peak:.0f} MiB | SQLite {lite_peak:.0f} MiB (the snapshot's "
                f"numeric arrays {neo_snap.nbytes / 2**20:.0f} MiB + ids)",
            ),
            ("write_scores (write-back)", f"{wrote:.1f} s = {neo_snap.n / wrote:,.0f} customers/s"),
            (
                "stickiness_of push-down",
                f"median {lookup * 1e3:.2f} ms per customer; one snapshot "
                f"read = {neo_read / lookup:,.0f} push-down queries",
            ),
        ],
    )


if __name__ == "__main__":
    main()
