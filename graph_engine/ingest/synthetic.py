"""A realistic synthetic event log for a demo community, deterministic for a seed.

Given a :class:`~graph_engine.demo.DemoGraph`, generate what a company would actually log:

- **purchases** (``customer_id,timestamp,amount``, ISO 8601 times): each customer buys at a
  rate that grows with its demo own value (heavy-tailed), amounts are log-normal around its
  value; about 10 % of the customers churn at a random time and buy nothing after it;
- **interactions** (``source,target,timestamp,kind``, Unix-seconds times): each tie carries a
  Poisson number of events growing with its closeness; family ties call and message, friends
  message and meet, clubs co-attend, colleagues message and share orders; undirected ties get
  events in both directions, referral ties (directed in the demo: the referred customer is
  held by the referrer) get one ``referral`` event from referrer to referred and one-way
  messages from the referred. A tie's events stop when either end churns, so network shares
  fall before the customer leaves - what ``graph-engine history`` should flag.

Everything is vectorised and produced in blocks of ties, so 10 M events take seconds and
bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from graph_engine.demo import DemoGraph
from graph_engine.ingest.events import DAY, parse_time

__all__ = ["demo_interactions", "demo_purchases", "write_demo_events"]

# interaction kinds of each demo tie kind, with probabilities
_KIND_MIX = {
    "family": (("call", "message"), (0.4, 0.6)),
    "friend": (("message", "call", "co_attendance"), (0.7, 0.1, 0.2)),
    "club": (("co_attendance", "message"), (0.7, 0.3)),
    "colleague": (("message", "shared_order"), (0.6, 0.4)),
    "referral": (("message",), (1.0,)),
}
_BLOCK_TIES = 200_000
_CHURN = 0.10


def _timeline(graph: DemoGraph, seed: int, start: float, days: float) -> np.ndarray:
    """End of activity of every customer (aligned with graph.customers.ids)."""
    rng = np.random.default_rng([seed, 1])
    n = len(graph.customers)
    end = np.full(n, start + days * DAY)
    churn = rng.random(n) < _CHURN
    end[churn] = start + rng.uniform(0.3, 0.95, int(churn.sum())) * days * DAY
    return end


def demo_purchases(
    graph: DemoGraph,
    *,
    seed: int = 0,
    start: str = "2024-01-01",
    days: float = 365.0,
    per_year: float = 8.0,
) -> pa.Table:
    """Purchase events of a demo community (one table; ISO 8601 timestamps).

    ``per_year`` is the mean number of purchases of a customer of median value.
    """
    t0 = parse_time(start) - DAY + 1  # a bare date parses as its end; start at 00:00 UTC
    rng = np.random.default_rng([seed, 2])
    values = np.asarray(graph.customers.values, float)
    end = _timeline(graph, seed, t0, days)
    rate = per_year * (values / max(float(np.median(values)), 1e-9)) ** 0.6
    counts = rng.poisson(rate * (end - t0) / (365.0 * DAY))
    who = np.repeat(np.arange(len(values)), counts)
    times = t0 + rng.random(len(who)) * (end[who] - t0)
    amounts = np.round(rng.lognormal(np.log(np.maximum(values[who], 1.0)), 0.6), 2)
    order = np.argsort(times, kind="stable")
    stamps = np.datetime_as_string(times[order].astype("datetime64[s]"), unit="s")
    return pa.table(
        {
            "customer_id": pa.array(graph.customers.ids[who[order]], pa.string()),
            "timestamp": pa.array(np.char.add(stamps.astype(str), "Z"), pa.string()),
            "amount": amounts[order],
        }
    )


def demo_interactions(
    graph: DemoGraph,
    *,
    seed: int = 0,
    start: str = "2024-01-01",
    days: float = 365.0,
    per_tie: float = 8.0,
    block_ties: int = _BLOCK_TIES,
) -> Iterator[pa.Table]:
    """Interaction events of a demo community, in blocks of ties (Unix-second timestamps).

    ``per_tie`` is the mean number of events of a tie of closeness 0.5 over the period.
    """
    t0 = parse_time(start) - DAY + 1
    end = _timeline(graph, seed, t0, days)
    ids = graph.customers.ids
    index = pd.Index(ids)
    ties = graph.ties
    src_all = index.get_indexer(ties.sources).astype(np.int64)
    dst_all = index.get_indexer(ties.targets).astype(np.int64)
    for b, first in enumerate(range(0, len(ties), block_ties)):
        rng = np.random.default_rng([seed, 3, b])
        sl = slice(first, first + block_ties)
        src, dst = src_all[sl], dst_all[sl]
        close, kinds, directed = ties.closeness[sl], ties.kinds[sl], ties.directed[sl]
        counts = rng.poisson(per_tie * 2.0 * close)
        tie = np.repeat(np.arange(len(src)), counts)
        stop = np.minimum(end[src], end[dst])[tie]
        times = np.floor(t0 + rng.random(len(tie)) * (stop - t0)).astype(np.int64)
        event_kind = np.empty(len(tie), dtype=object)
        for kind, (names, p) in _KIND_MIX.items():
            mask = kinds[tie] == kind
            event_kind[mask] = rng.choice(names, size=int(mask.sum()), p=p)
        # undirected ties: either side starts; directed (referral) ties: the referred writes
        flip = ~directed[tie] & (rng.random(len(tie)) < 0.5)
        s, d = np.where(flip, dst[tie], src[tie]), np.where(flip, src[tie], dst[tie])
        # one referral per referral tie, from the referrer (demo target) to the referred
        ref = np.flatnonzero(directed)
        ref_time = np.floor(t0 + rng.random(len(ref)) * 0.2 * (end[src[ref]] - t0))
        s = np.concatenate([s, dst[ref]])
        d = np.concatenate([d, src[ref]])
        times = np.concatenate([times, ref_time.astype(np.int64)])
        event_kind = np.concatenate([event_kind, np.full(len(ref), "referral", dtype=object)])
        order = np.argsort(times, kind="stable")
        yield pa.table(
            {
                "source": pa.array(ids[s[order]], pa.string()),
                "target": pa.array(ids[d[order]], pa.string()),
                "timestamp": times[order],
                "kind": pa.array(event_kind[order], pa.string()),
            }
        )


def write_demo_events(
    graph: DemoGraph,
    directory: str | Path,
    *,
    seed: int = 0,
    start: str = "2024-01-01",
    days: float = 365.0,
    per_tie: float = 8.0,
) -> tuple[Path, Path]:
    """Write ``purchases.csv`` and ``interactions.csv`` for a demo graph; returns both paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    purchases = folder / "purchases.csv"
    pcsv.write_csv(demo_purchases(graph, seed=seed, start=start, days=days), purchases)
    interactions = folder / "interactions.csv"
    writer = None
    try:
        for block in demo_interactions(graph, seed=seed, start=start, days=days, per_tie=per_tie):
            if writer is None:
                writer = pcsv.CSVWriter(interactions, block.schema)
            writer.write_table(block)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        pcsv.write_csv(
            pa.table(
                {
                    "source": pa.array([], pa.string()),
                    "target": pa.array([], pa.string()),
                    "timestamp": pa.array([], pa.int64()),
                    "kind": pa.array([], pa.string()),
                }
            ),
            interactions,
        )
    return purchases, interactions
