"""Load test of the HTTP API on loopback: reads, ranked pages, single-tie writes.

Builds a demo community (``graph_engine.demo.demo_graph``) once into a SQLite file cached under
``bench/data/`` (gitignored; never commit it), copies it for the run (the writes of a run do not
leak into the next), starts ``graph-engine serve`` on a free loopback port and drives it with
``wrk`` (C, one thread, keep-alive, a fixed number of connections, a bounded duration per route;
Lua scripts pick random customers). Prints throughput and p50/p99 latency of

- ``GET /v1/customers/{id}/stickiness`` (random customers),
- ``GET /v1/stickiness`` (ranked, 50 a page; 80% of requests follow the previous cursor),
- ``PUT /v1/ties`` with one tie (random pairs: each write is an incremental update),

each next to ``GET /v1/health`` measured just before it (the in-run reference: a trivial route
of the same server, so a machine shared with other work shows in both), then write-to-visible:
one client writes a new tie and reads its source at once, checking the read shows it. Also the
server's start time (snapshot read, scores, the default ranking) and its memory.

Run: ``.venv/bin/python -m bench.api_load --customers 1000000 --ties 10000000``
(defaults: 100,000 / 1,000,000; every route at 4 and 8 connections). Without ``wrk``
(``apt-get install wrk``) a pure-Python client is used instead; on a 2-core machine it
measures mostly itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from bench.common import report
from graph_engine.demo import demo_graph
from graph_engine.keys import KeyRing
from graph_engine.stores.sqlite import SQLiteStore

DATA = Path(__file__).resolve().parent / "data"

# wrk scripts: %(...)s are filled in per run. `done` prints one JSON line the bench parses.
_LUA_COMMON = """
local n_ids = %(n_ids)d
local fmt = "c%%0%(width)dd"
wrk.headers["Authorization"] = "Bearer %(key)s"
math.randomseed(%(seed)d)
local function cid() return string.format(fmt, math.random(1, n_ids)) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "seconds": %%f, "p50_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "non2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""
_LUA = {
    "health": 'request = function() return wrk.format("GET", "/v1/health") end\n',
    "stickiness": """
request = function()
  return wrk.format("GET", "/v1/customers/" .. cid() .. "/stickiness")
end
""",
    "ranked": """
local cursor = nil
request = function()
  local path = "/v1/stickiness?limit=50"
  if cursor ~= nil and math.random() < 0.8 then path = path .. "&cursor=" .. cursor end
  return wrk.format("GET", path)
end
response = function(status, headers, body)
  cursor = string.match(body, '"next_cursor":"([^"]+)"')
end
""",
    "write": """
wrk.headers["Content-Type"] = "application/json"
request = function()
  local a, b = cid(), cid()
  while b == a do b = cid() end
  local body = string.format(
    '{"items":[{"source":"%s","target":"%s","closeness":%.4f,"kind":"bench"}]}',
    a, b, 0.05 + 0.95 * math.random())
  return wrk.format("PUT", "/v1/ties", nil, body)
end
""",
}
ROUTES = [
    ("GET /v1/customers/{id}/stickiness", "stickiness", "read"),
    ("GET /v1/stickiness (ranked, 50 a page)", "ranked", "read"),
    ("PUT /v1/ties (1 tie)", "write", "write"),
]


# ---------------------------------------------------------------------- data and server
def cached_store(n_customers: int, n_ties: int) -> Path:
    """The SQLite file of the demo graph of this size, built once into ``bench/data``."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"api_load_{n_customers}_{n_ties}.db"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    for leftover in DATA.glob(partial.name + "*"):
        leftover.unlink()
    start = time.perf_counter()
    graph = demo_graph(n_customers, n_ties, seed=0)
    with SQLiteStore(partial) as store:
        store.upsert_graph(graph.customers, graph.ties)
    partial.rename(path)
    print(f"built {path} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return path


def free_port() -> int:
    """A TCP port nobody listens on (on 127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int, log: Path, timeout: float = 1800) -> subprocess.Popen[bytes]:
    """``graph-engine serve`` on 127.0.0.1:port; returns once /v1/health answers."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from graph_engine.cli import main; main()",
                "serve",
                "--db",
                str(db),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "info",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            cwd=Path(__file__).resolve().parents[1],
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start in time")


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process (MiB), from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return (
        int(fields["VmRSS"].split()[0]) / 1024,
        int(fields["VmHWM"].split()[0]) / 1024,
    )


# ---------------------------------------------------------------------- load generators
def run_wrk(
    base: str, kind: str, key: str, n_ids: int, width: int, seconds: float, conns: int, seed: int
) -> dict[str, float]:
    """One wrk run; returns req/s, p50 and p99 (ms) and error counts."""
    script = _LUA_COMMON % {"n_ids": n_ids, "width": width, "key": key, "seed": seed}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + _LUA[kind])
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{conns}",
                f"-d{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    r = json.loads(line.removeprefix("WRKJSON "))
    return {
        "rate": r["requests"] / r["seconds"],
        "p50": r["p50_us"] / 1000,
        "p99": r["p99_us"] / 1000,
        "errors": r["non2xx"] + r["socket_errors"],
        "requests": r["requests"],
    }


def run_python(
    base: str, kind: str, key: str, n_ids: int, width: int, seconds: float, conns: int, seed: int
) -> dict[str, float]:
    """The fallback without wrk: ``conns`` threads with keep-alive http.client connections."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(t: int) -> None:
        rng = np.random.default_rng(seed * 1000 + t)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        mine, cursor = [], None
        while time.perf_counter() < stop:
            a, b = (f"c{int(x) + 1:0{width}d}" for x in rng.choice(n_ids, 2, replace=False))
            method, path, body = "GET", "/v1/health", None
            if kind == "stickiness":
                path = f"/v1/customers/{a}/stickiness"
            elif kind == "ranked":
                path = "/v1/stickiness?limit=50"
                if cursor and rng.random() < 0.8:
                    path += f"&cursor={cursor}"
            elif kind == "write":
                method, path = "PUT", "/v1/ties"
                tie = {"source": a, "target": b, "closeness": 0.5, "kind": "bench"}
                body = json.dumps({"items": [tie]})
            begin = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response_body = response.read()
            mine.append(time.perf_counter() - begin)
            if response.status != 200:
                errors[0] += 1
            elif kind == "ranked":
                cursor = json.loads(response_body)["next_cursor"]
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(t,)) for t in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = np.asarray(latencies) * 1000
    return {
        "rate": len(lat) / seconds,
        "p50": float(np.percentile(lat, 50)),
        "p99": float(np.percentile(lat, 99)),
        "errors": errors[0],
        "requests": len(lat),
    }


def write_to_visible(
    port: int, key: str, n_ids: int, width: int, rounds: int
) -> tuple[list[float], list[float], int]:
    """Write a new tie, then read its source at once: (ms to visible, ms of the PUT, misses).

    The read must show the network part grown by exactly the new tie's contribution
    ``beta * closeness * a_target`` (the bench kind has weight 1); a read that does not is a
    miss (counted, then read again until it shows).
    """
    rng = np.random.default_rng(99)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def call(method: str, path: str, body: object = None) -> dict[str, object]:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        data = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {data}")
        return data  # type: ignore[no-any-return]

    beta = float(call("GET", "/v1/settings")["beta"])  # type: ignore[arg-type]
    visible, puts, misses = [], [], 0
    while len(visible) < rounds:
        a, b = (f"c{int(x) + 1:0{width}d}" for x in rng.choice(n_ids, 2, replace=False))
        before = call("GET", f"/v1/customers/{a}/stickiness?top=1000")
        held_by = before["contributors"]
        if len(held_by) == 1000 or b in {c["id"] for c in held_by}:  # type: ignore[attr-defined,index]
            continue  # a tie a-b exists already: the write would not add a contribution
        own_b = call("GET", f"/v1/customers/{b}/stickiness?top=0")["own"]
        close = float(np.round(rng.uniform(0.05, 1), 4))
        expected = float(before["network"]) + beta * close * float(own_b)  # type: ignore[arg-type]
        start = time.perf_counter()
        call(
            "PUT",
            "/v1/ties",
            {"items": [{"source": a, "target": b, "closeness": close, "kind": "bench-visible"}]},
        )
        put_done = time.perf_counter()
        for attempt in range(1000):
            now = call("GET", f"/v1/customers/{a}/stickiness?top=0")
            if abs(float(now["network"]) - expected) <= 1e-9 * max(1.0, abs(expected)):  # type: ignore[arg-type]
                break
            misses += attempt == 0
        else:
            raise RuntimeError(f"the tie {a}-{b} never showed in the scores of {a}")
        visible.append((time.perf_counter() - start) * 1000)
        puts.append((put_done - start) * 1000)
    conn.close()
    return visible, puts, misses


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=None, help="default 10 per customer")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each wrk run")
    parser.add_argument(
        "--connections",
        type=lambda text: [int(x) for x in text.split(",")],
        default=[4, 8],
        help="open connections, comma-separated: every route runs at each (default 4,8)",
    )
    parser.add_argument("--visible-rounds", type=int, default=200)
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    args = parser.parse_args(argv)
    n_ties = args.ties or 10 * args.customers
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    run = run_wrk if use_wrk else run_python
    if not use_wrk and not args.python_client:
        print("wrk not found (apt-get install wrk): using the Python client", file=sys.stderr)

    cached = cached_store(args.customers, n_ties)
    with tempfile.TemporaryDirectory(prefix="api_load_") as tmp:
        db = Path(tmp) / "load.db"
        shutil.copyfile(cached, db)
        with SQLiteStore(db) as store:
            n_ids = store.count_customers()
            width = len(store.list_customers(limit=1)[0].id) - 1  # demo ids: c0000001, ...
            ring = KeyRing(store)
            keys = {"read": ring.create("read")[0], "write": ring.create("write")[0]}
        port = free_port()
        log = Path(tmp) / "server.log"
        t0 = time.perf_counter()
        proc = start_server(db, port, log)
        startup = time.perf_counter() - t0
        ready = [x for x in log.read_text().splitlines() if "ready in" in x]
        base = f"http://127.0.0.1:{port}"
        client = (
            "wrk, 1 thread, closed loop with c connections"
            if use_wrk
            else "Python http.client, closed loop with c threads"
        )
        rows = [
            ("graph", f"{n_ids:,} customers, {n_ties:,} ties (demo_graph, seed 0)"),
            (
                "server start (to /v1/health)",
                f"{startup:.1f} s"
                + (f"  [{ready[0].split('INFO:')[-1].strip()}]" if ready else ""),
            ),
            ("memory after start", "RSS {:.0f} MiB, peak {:.0f} MiB".format(*memory_mb(proc.pid))),
            ("load", f"{client}, {args.seconds:g} s per run, same 2 cores as the server"),
        ]
        try:
            run(base, "health", keys["read"], n_ids, width, 2, 4, 0)  # warm-up
            runs = [(route, c) for route in ROUTES for c in args.connections]
            for seed, ((label, kind, role), conns) in enumerate(runs, start=1):
                ref = run(base, "health", keys["read"], n_ids, width, args.seconds, conns, seed)
                got = run(base, kind, keys[role], n_ids, width, args.seconds, conns, seed)
                if got["errors"] or ref["errors"]:
                    raise RuntimeError(f"{label}: {got['errors']} failed requests")
                rows.append(
                    (
                        f"{label} c={conns}",
                        f"{got['rate']:7.0f} req/s  p50 {got['p50']:5.2f} ms  "
                        f"p99 {got['p99']:6.2f} ms   | health just before: "
                        f"{ref['rate']:5.0f} req/s, p99 {ref['p99']:5.2f} ms "
                        f"(ratio {got['rate'] / ref['rate']:.2f})",
                    )
                )
            visible, puts, misses = write_to_visible(
                port, keys["write"], n_ids, width, args.visible_rounds
            )
            rows.append(
                (
                    "write -> next read shows it",
                    f"PUT+GET p50 {statistics.median(visible):.2f} ms, "
                    f"p99 {float(np.percentile(visible, 99)):.2f} ms, max {max(visible):.2f} ms "
                    f"(PUT alone p50 {statistics.median(puts):.2f} ms); "
                    f"{misses} of {len(visible)} first reads missed the write",
                )
            )
            rows.append(
                (
                    "memory at the end",
                    "RSS {:.0f} MiB, peak {:.0f} MiB".format(*memory_mb(proc.pid)),
                )
            )
        finally:
            proc.terminate()
            proc.wait(60)
    report("API load on loopback", rows)


if __name__ == "__main__":
    main()
