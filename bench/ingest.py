"""Ingest rate and peak memory for interaction logs of 2.5 M, 10 M and 20 M events.

Run: ``.venv/bin/python -m bench.ingest [--events 10000000] [--customers 200000]``

The data is generated here (a demo community and its synthetic interaction log,
:mod:`graph_engine.ingest.synthetic`): the logs are 1, 4 and 8 draws of events over the same
demo ties, so they have about the same customers and pairs and differ in length only (the pair
count is printed: a single draw misses some weak ties). Each measurement runs in a fresh
subprocess that reports its wall time and peak resident memory (``VmHWM`` of
/proc/self/status; ``ru_maxrss`` would carry the parent's peak across exec) and its growth
above the interpreter with everything imported.

- ``derive``: stream the CSV, validate every row, aggregate per pair, derive closeness
  (``derive_interactions``); the target is >= 500,000 events/s and a peak memory that does not
  grow with the log (it is bounded by the customers, the pairs and the chunk size).
- ``ingest``: the same plus writing customers and ties to a fresh SQLite store.
- references, measured beside them: pyarrow reading the whole CSV into memory (the parser
  alone, no validation or aggregation: its rate is the ceiling, its memory grows with the
  file), and pyarrow streaming the CSV batch by batch and dropping each (memory floor of any
  streaming reader).

Generated files go to a temporary folder and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
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
elif mode == "stream":
    rows, pairs = 0, 0
    reader = pcsv.open_csv(
        path, read_options=pcsv.ReadOptions(block_size=1 << 20, use_threads=False),
        convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(
            ("source", "target", "timestamp", "kind"), pa.string())))
    for batch in reader:
        rows += batch.num_rows
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
    parser.add_argument(
        "--events", type=int, default=10_000_000, help="events of the middle log (4 draws)"
    )
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--ties", type=int, default=1_000_000)
    args = parser.parse_args()
    graph = demo_graph(args.customers, args.ties, seed=1)
    mean_closeness = float(graph.ties.closeness.mean())
    # events per draw ~ ties * 2 * per_tie * mean closeness (+ one per referral)
    per_tie = args.events / 4 / (2 * mean_closeness * len(graph.ties))
    # 1, 4 and 8 draws of events over the same ties: --events / 4, --events, 2 * --events
    sizes = [(f"{args.events * draws / 4 / 1e6:g}M", draws) for draws in (1, 4, 8)]
    modes = ("reference", "stream", "derive", "ingest")
    labels = {"reference": "pyarrow read_csv", "stream": "pyarrow stream"}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        print(
            f"{'log':<5} {'step':<17} {'events':>11} {'pairs':>9} {'seconds':>8} "
            f"{'events/s':>11} {'vs read_csv':>11} {'peak RSS MB':>12} {'above imports':>14}"
        )
        results: dict[tuple[str, str], dict[str, float]] = {}
        for name, draws in sizes:
            path = folder / f"interactions-{name}.csv"
            write_log(path, graph, draws, per_tie)
            for mode in modes:
                r = measure(mode, path, folder)
                results[name, mode] = r
                rate = r["rows"] / r["seconds"]
                ref = results[name, "reference"]
                ratio = rate / (ref["rows"] / ref["seconds"])
                print(
                    f"{name:<5} {labels.get(mode, mode):<17} {r['rows']:>11,} {r['pairs']:>9,} "
                    f"{r['seconds']:>8.2f} {rate:>11,.0f} {ratio:>10.2f}x {r['rss_mb']:>12.0f} "
                    f"{r['peak_mb']:>14.0f}",
                    flush=True,
                )
            path.unlink()  # one log on disk at a time
        print()
        first, last = sizes[0][0], sizes[-1][0]
        for mode in modes:
            small, large = results[first, mode], results[last, mode]
            pairs = (
                f" and {large['pairs'] / small['pairs']:.2f}x the pairs" if small["pairs"] else ""
            )
            print(
                f"{labels.get(mode, mode):<17} peak RSS {last}/{first}: "
                f"{large['rss_mb'] / small['rss_mb']:.2f} (above imports {large['peak_mb']:.0f} "
                f"vs {small['peak_mb']:.0f} MB) for {large['rows'] / small['rows']:.2f}x the "
                f"events{pairs}"
            )
        middle = sizes[1][0]
        derive = results[middle, "derive"]
        derive_rate = derive["rows"] / derive["seconds"]
        print(
            f"\nderive rate on the {middle} log: {derive_rate:,.0f} events/s "
            f"(target >= 500,000: {'met' if derive_rate >= 500_000 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
