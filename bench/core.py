"""Core benchmark (issue 2): import, snapshot build, scoring and memory at 1M customers / 10M ties.

    .venv/bin/python -m bench.core [--customers 1000000] [--ties 10000000]

Each phase runs in its own process so its peak memory is its own:
1. generate the demo graph and import it into a fresh SQLite store (rows/s),
2. build the snapshot from the store, then time scoring all customers (hops=1) against one bare
   scipy CSR matrix-vector product on the same matrix, measured in the same run (ratio).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median_time, peak_rss_mb, report


def phase_import(db: str, customers: int, ties: int) -> dict[str, float]:
    from graph_engine.demo import demo_graph
    from graph_engine.stores.sqlite import SQLiteStore

    t0 = time.perf_counter()
    graph = demo_graph(customers, ties, seed=1)
    generated = time.perf_counter() - t0
    with SQLiteStore(db) as store:
        t0 = time.perf_counter()
        store.upsert_customers(graph.customers)
        t_customers = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.upsert_ties(graph.ties)
        t_ties = time.perf_counter() - t0
    return {
        "generate_s": generated,
        "customers_s": t_customers,
        "ties_s": t_ties,
        "customers": customers,
        "ties": len(graph.ties),
        "peak_mb": peak_rss_mb(),
    }


def phase_score(db: str) -> dict[str, float]:
    from graph_engine.compute import scores
    from graph_engine.stores.sqlite import SQLiteStore

    with SQLiteStore(db) as store:
        t0 = time.perf_counter()
        snap = store.snapshot()
        snapshot_s = time.perf_counter() - t0
    L, a = snap.L, snap.values
    bare = median_time(lambda: L @ a, repeat=9)
    ours = median_time(lambda: scores(snap), repeat=9)
    return {
        "snapshot_s": snapshot_s,
        "bare_matvec_s": bare,
        "score_s": ours,
        "nnz": int(L.nnz),
        "peak_mb": peak_rss_mb(),
        "snapshot_mb": snap.nbytes / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--ties", type=int, default=10_000_000)
    parser.add_argument("--phase", choices=["import", "score"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "import":
        print(json.dumps(phase_import(args.db, args.customers, args.ties)))
        return
    if args.phase == "score":
        print(json.dumps(phase_score(args.db)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")

        def run(phase: str) -> dict[str, float]:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.core",
                    "--phase",
                    phase,
                    "--db",
                    db,
                    "--customers",
                    str(args.customers),
                    "--ties",
                    str(args.ties),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            return json.loads(out.stdout.strip().splitlines()[-1])

        imp = run("import")
        sc = run("score")
    ratio = sc["score_s"] / sc["bare_matvec_s"]
    report(
        f"core: {imp['customers']:,} customers, {imp['ties']:,} ties "
        f"({sc['nnz']:,} stored matrix entries)",
        [
            ("generate demo graph", f"{imp['generate_s']:.1f} s"),
            (
                "import customers",
                f"{imp['customers'] / imp['customers_s']:,.0f} rows/s ({imp['customers_s']:.1f} s)",
            ),
            (
                "import ties",
                f"{imp['ties'] / imp['ties_s']:,.0f} ties/s ({imp['ties_s']:.1f} s)"
                "   target >= 200,000",
            ),
            ("peak memory, import", f"{imp['peak_mb']:,.0f} MiB"),
            ("snapshot build from store", f"{sc['snapshot_s']:.1f} s   target < 30 s"),
            ("bare scipy CSR matvec (ref)", f"{sc['bare_matvec_s'] * 1e3:.1f} ms (median of 9)"),
            ("score all customers, hops=1", f"{sc['score_s'] * 1e3:.1f} ms (median of 9)"),
            ("ratio score / bare matvec", f"{ratio:.2f}x   target <= 2x"),
            ("snapshot arrays", f"{sc['snapshot_mb']:,.0f} MiB"),
            ("peak memory, snapshot+score", f"{sc['peak_mb']:,.0f} MiB   target < 4096"),
        ],
    )


if __name__ == "__main__":
    main()
