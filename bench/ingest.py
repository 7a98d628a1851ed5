"""Ingest rate and peak memory for interaction logs of 2.5 M and 10 M events.

Run: ``.venv/bin/python -m bench.ingest [--events 10000000] [--customers 200000]``

The data is generated here (a demo community and its synthetic interaction log,
:mod:`graph_engine.ingest.synthetic`): the small log is one draw of events over the demo ties,
the large one four draws over the same ties, so both logs have about the same pairs and differ
in length only. Each measurement runs in a fresh subprocess that reports its wall time and peak
resident memory (``VmHWM`` of /proc/self/status; ``ru_maxrss`` would carry the parent's
peak across exec) and its growth above the interpreter with everything imported.

- ``derive``: stream the CSV, validate every row, aggregate per pair, derive closeness
  (``derive_interactions``); the target is >= 500,000 events/s and a peak memory that does not
  grow with the log.
- ``ingest``: the same plus writing customers and ties to a fresh SQLite store.
- reference, measured beside it: pyarrow reading the whole CSV into memory (the parser alone,
  no validation or aggregation) - its rate is the ceiling, its memory grows with the file.

Generated files go to a temporary folder and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pcsv

from graph_engine.demo import demo_graph
from graph_engine.ingest.synthetic import demo_interactions

AS_OF = "2024-12-31"

_CHILD = r"""
import json, sys, time
import pyarrow as pa, pyarrow.csv as pcsv
from graph_engine.ingest.pipeline import derive_interactions, ingest_interactions
from graph_engine.stores.sqlite import SQLiteStore


def hwm_mb():
    # VmHWM is this process's own peak (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


mode, path, db, as_of = sys.argv[1:5]
base = hwm_mb()
t0 = time.perf_counter()
if mode == "derive":
    ids, ties, agg, report = derive_interactions(path, as_of=as_of)
    rows, pairs = report.rows, len(ties.sources)
elif mode == "ingest":
    with SQLiteStore(db) as store:
        result = ingest_interactions(store, path, as_of=as_of)
    rows, pairs = result.rows, result.ties
else:
    table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
        column_types={c: pa.string() for c in ("source", "target", "timestamp", "kind")}))
    rows, pairs = table.num_rows, 0
seconds = time.perf_counter() - t0
peak = hwm_mb()
print(json.dumps({"rows": rows, "pairs": pairs, "seconds": seconds,
                  "peak_mb": peak - base, "rss_mb": peak}))
"""


def write_log(path: Path, graph, draws: int, per_tie: float) -> int:  # type: ignore[no-untyped-def]
    """Write ``draws`` independent draws of interactions over the graph's ties; returns rows."""
    rows = 0
    writer = None
    try:
        for draw in range(draws):
            for block in demo_interactions(
                graph, seed=100 + draw, per_tie=per_tie, block_ties=500_000
            ):
                if writer is None:
                    writer = pcsv.CSVWriter(path, block.schema)
                writer.write_table(block)
                rows += block.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def measure(mode: str, path: Path, folder: Path) -> dict[str, float]:
    """Run one measurement in a fresh interpreter."""
    db = folder / f"bench-{mode}-{path.stem}.db"
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path), str(db), AS_OF],
        capture_output=True,
        text=True,
        check=True,
    )
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events of the large log")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--ties", type=int, default=1_000_000)
    args = parser.parse_args()
    graph = demo_graph(args.customers, args.ties, seed=1)
    mean_closeness = float(graph.ties.closeness.mean())
    # events per draw ~ ties * 2 * per_tie * mean closeness (+ one per referral)
    per_tie = args.events / 4 / (2 * mean_closeness * len(graph.ties))
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        logs = {}
        for name, draws in (("small", 1), ("large", 4)):
            t0 = time.perf_counter()
            path = folder / f"interactions-{name}.csv"
            rows = write_log(path, graph, draws, per_tie)
            logs[name] = path
            print(
                f"generated {name}: {rows:,} events, {path.stat().st_size / 1e6:,.0f} MB "
                f"in {time.perf_counter() - t0:.1f} s"
            )
        print()
        print(
            f"{'log':<6} {'step':<18} {'events':>11} {'pairs':>10} {'seconds':>8} "
            f"{'events/s':>11} {'peak RSS MB':>12} {'vs parser':>10}"
        )
        results: dict[tuple[str, str], dict[str, float]] = {}
        for name, path in logs.items():
            for mode in ("reference", "derive", "ingest"):
                r = measure(mode, path, folder)
                results[name, mode] = r
                rate = r["rows"] / r["seconds"]
                ref = results[name, "reference"]
                ratio = rate / (ref["rows"] / ref["seconds"])
                label = "pyarrow read_csv" if mode == "reference" else mode
                print(
                    f"{name:<6} {label:<18} {r['rows']:>11,} {r['pairs']:>10,} "
                    f"{r['seconds']:>8.2f} {rate:>11,.0f} {r['rss_mb']:>12.0f} {ratio:>9.2f}x"
                )
        print()
        for mode in ("reference", "derive", "ingest"):
            small, large = results["small", mode], results["large", mode]
            print(
                f"{mode:<10} peak RSS large/small: {large['rss_mb'] / small['rss_mb']:.2f} "
                f"(growth {large['peak_mb']:.0f} vs {small['peak_mb']:.0f} MB above the "
                f"imports) for {large['rows'] / small['rows']:.2f}x the events"
            )
        derive_rate = results["large", "derive"]["rows"] / results["large", "derive"]["seconds"]
        print(
            f"\nderive rate on the large log: {derive_rate:,.0f} events/s "
            f"(target >= 500,000: {'met' if derive_rate >= 500_000 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
