"""Load test of the HTTP API on loopback: reads, ranked pages, single-tie writes.

Builds a demo community (``graph_engine.demo.demo_graph``) in a SQLite file, starts
``graph-engine serve`` on a free loopback port, and drives it for a fixed time per phase with
self-stopping client processes (httpx, keep-alive). Prints throughput and p50/p99 latency of

- ``GET /v1/health`` (the reference: a trivial route on the same server, same run),
- ``GET /v1/customers/{id}/stickiness`` (random customers),
- ``GET /v1/stickiness`` (first page, then following cursors),
- ``PUT /v1/ties`` with one tie (random pairs, so each write is an incremental update),
- write-to-visible: a tie written, then the next read of its source polled until the new
  contribution shows (sequential, one client).

Run: ``.venv/bin/python -m bench.api_load --customers 1000000 --ties 10000000``
(the defaults are 100,000 / 1,000,000 so it finishes in about a minute).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from bench.common import report
from graph_engine.demo import demo_graph
from graph_engine.keys import KeyRing
from graph_engine.stores.sqlite import SQLiteStore
from tests.api.server import free_port, start_server


def _worker(args: tuple[str, str, str, float, int, int, int, int]) -> list[float]:
    """One client process: ``threads`` threads hit ``kind`` until ``seconds`` pass."""
    import threading

    base, key, kind, seconds, n_ids, seed, threads, width = args

    def cid(k: int) -> str:
        return f"c{k + 1:0{width}d}"

    out: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(t: int) -> None:
        rng = np.random.default_rng(seed * 100 + t)
        mine: list[float] = []
        cursor = None
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as c:
            while time.perf_counter() < stop:
                i, j = (int(x) for x in rng.integers(0, n_ids, 2))
                start = time.perf_counter()
                if kind == "health":
                    r = c.get("/health")
                elif kind == "stickiness":
                    r = c.get(f"/customers/{cid(i)}/stickiness")
                elif kind == "ranked":
                    params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
                    r = c.get("/stickiness", params=params)
                    cursor = r.json()["next_cursor"] if rng.random() < 0.8 else None
                else:
                    if i == j:
                        continue
                    r = c.put(
                        "/ties",
                        json={
                            "items": [
                                {
                                    "source": cid(i),
                                    "target": cid(j),
                                    "closeness": float(rng.uniform(0.05, 1)),
                                    "kind": "club",
                                }
                            ]
                        },
                    )
                elapsed = time.perf_counter() - start
                if r.status_code != 200:
                    raise RuntimeError(f"{kind}: {r.status_code} {r.text[:200]}")
                mine.append(elapsed)
        with lock:
            out.extend(mine)

    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return out


def _phase(
    base: str,
    key: str,
    kind: str,
    seconds: float,
    n_ids: int,
    procs: int,
    threads: int,
    width: int,
) -> tuple[float, float, float, int]:
    """Throughput (req/s), p50 and p99 (ms) and count of one phase."""
    with mp.get_context("spawn").Pool(procs) as pool:
        start = time.perf_counter()
        parts = pool.map(
            _worker, [(base, key, kind, seconds, n_ids, p, threads, width) for p in range(procs)]
        )
        wall = time.perf_counter() - start
    lat = np.concatenate([np.asarray(p) for p in parts]) * 1000
    return (
        len(lat) / seconds,
        float(np.percentile(lat, 50)),
        float(np.percentile(lat, 99)),
        len(lat) if wall > 0 else 0,
    )


def _visible(base: str, key: str, n_ids: int, rounds: int, width: int) -> list[float]:
    """Milliseconds from sending a tie write until a read of its source shows it."""
    rng = np.random.default_rng(99)
    out = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
        for _ in range(rounds):
            i, j = (int(x) for x in rng.integers(0, n_ids, 2))
            if i == j:
                continue
            close = float(np.round(rng.uniform(0.05, 1), 6))
            a, b = f"c{i + 1:0{width}d}", f"c{j + 1:0{width}d}"
            start = time.perf_counter()
            c.put(
                "/ties",
                json={
                    "items": [
                        {
                            "source": a,
                            "target": b,
                            "closeness": close,
                            "kind": "bench",
                        }
                    ]
                },
            )
            while True:
                s = c.get(f"/customers/{a}/stickiness", params={"top": 1000}).json()
                if any(x["id"] == b for x in s["contributors"]):
                    break
            out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=None, help="default 10 per customer")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each phase")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per client process")
    parser.add_argument("--db", type=Path, default=None, help="reuse/keep this SQLite file")
    args = parser.parse_args(argv)
    n_ties = args.ties or 10 * args.customers
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "load.db"
    t0 = time.perf_counter()
    with SQLiteStore(db) as store:
        if store.count_customers() == 0:
            graph = demo_graph(args.customers, n_ties, seed=0)
            t_gen = time.perf_counter() - t0
            store.upsert_graph(graph.customers, graph.ties)
            print(
                f"generated in {t_gen:.1f} s, imported in {time.perf_counter() - t0 - t_gen:.1f} s",
                file=sys.stderr,
            )
            del graph
        n_ids = store.count_customers()
        width = len(store.list_customers(limit=1)[0].id) - 1  # demo ids: c000001, ...
        ring = KeyRing(store)
        read_key, write_key = ring.create("read")[0], ring.create("write")[0]
    port = free_port()
    t1 = time.perf_counter()
    proc = start_server(db, port, timeout=900)
    startup = time.perf_counter() - t1
    base = f"http://127.0.0.1:{port}/v1"
    rows = [
        ("graph", f"{n_ids:,} customers, {n_ties:,} ties"),
        ("server start (snapshot + scores)", f"{startup:.1f} s"),
        (
            "clients",
            f"{args.procs} processes x {args.threads} threads, {args.seconds:.0f} s"
            " per phase, same 2-core machine as the server",
        ),
    ]
    try:
        ref = None
        for label, kind, key in [
            ("GET /v1/health (reference)", "health", read_key),
            ("GET /v1/customers/{id}/stickiness", "stickiness", read_key),
            ("GET /v1/stickiness (ranked, limit 50)", "ranked", read_key),
            ("PUT /v1/ties (1 tie)", "write", write_key),
        ]:
            rate, p50, p99, _ = _phase(
                base, key, kind, args.seconds, n_ids, args.procs, args.threads, width
            )
            ref = ref or rate
            rows.append(
                (
                    label,
                    f"{rate:8.0f} req/s ({rate / ref:.2f}x health)  "
                    f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms",
                )
            )
        vis = _visible(base, write_key, n_ids, 200, width)
        rows.append(
            (
                "write -> visible to next read",
                f"p50 {statistics.median(vis):.2f} ms  "
                f"p99 {float(np.percentile(vis, 99)):.2f} ms  (PUT + GET, sequential)",
            )
        )
    finally:
        proc.terminate()
        proc.wait(60)
        tmp.cleanup()
    report("API load on loopback", rows)


if __name__ == "__main__":
    main()
