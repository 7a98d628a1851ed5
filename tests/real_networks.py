"""Load the real networks in ../shared/datasets as customers and ties (for tests and benches).

Each network becomes customers with a deterministic own value (1 + (node id mod 7), so values
differ but tests need no random state) and ties of closeness 1, or closeness from the data where
it has weights (karate, lesmis counts scaled into (0, 1]). Self-loops are dropped (a customer is
not tied to itself); directed data gives directed ties.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from graph_engine.model import CustomerBatch, TieBatch

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
if not DATASETS.exists():  # CI clones the repo with shared/ beside it
    DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"

NAMES = (
    "karate",
    "lesmis",
    "dolphins",
    "football",
    "polbooks",
    "email-eu-core",
    "college-msg",
    "bitcoin-otc",
    "ego-facebook",
)


@dataclass
class Network:
    name: str
    customers: CustomerBatch
    ties: TieBatch
    directed: bool


def _value(node: str) -> float:
    return 1.0 + (int(node) % 7 if node.isdigit() else len(node) % 7)


def _from_edges(
    name: str, edges: list[tuple[str, str, float]], directed: bool, nodes: list[str] | None = None
) -> Network:
    seen: dict[tuple[str, str], float] = {}
    for u, v, w in edges:
        if u == v:
            continue
        key = (u, v) if directed or u < v else (v, u)
        seen[key] = seen.get(key, 0.0) + w
    ids = sorted(set(nodes or []) | {x for pair in seen for x in pair})
    weights = np.array(list(seen.values()), dtype=float)
    closeness = weights / weights.max() if len(weights) else weights
    customers = CustomerBatch.from_columns(ids, [_value(i) for i in ids])
    ties = TieBatch.from_columns(
        [k[0] for k in seen], [k[1] for k in seen], closeness, None, np.full(len(seen), directed)
    )
    return Network(name, customers, ties, directed)


def load(name: str) -> Network:
    """One network by name (see NAMES)."""
    if name in ("karate", "lesmis", "dolphins", "football", "polbooks"):
        graph = nx.read_gml(DATASETS / "newman-classics" / f"{name}.gml", label="id")
        edges = [(str(u), str(v), float(d.get("value", 1.0))) for u, v, d in graph.edges(data=True)]
        return _from_edges(name, edges, False, [str(n) for n in graph.nodes])
    if name == "email-eu-core":
        rows = (DATASETS / "email-eu-core" / "email-Eu-core.txt").read_text().split("\n")
        edges = [(a, b, 1.0) for a, b in (r.split() for r in rows if r.strip())]
        return _from_edges(name, edges, True)
    if name == "college-msg":
        rows = (DATASETS / "college-msg" / "CollegeMsg.txt").read_text().split("\n")
        edges = [(r.split()[0], r.split()[1], 1.0) for r in rows if r.strip()]
        return _from_edges(name, edges, True)  # closeness grows with the message count
    if name == "bitcoin-otc":
        with gzip.open(DATASETS / "bitcoin-otc" / "soc-sign-bitcoinotc.csv.gz", "rt") as fh:
            rows = [line.split(",") for line in fh if line.strip()]
        # ratings -10..10: keep the positive ones as ties of closeness rating/10
        edges = [(a, b, float(r)) for a, b, r, _ in rows if float(r) > 0]
        return _from_edges(name, edges, True)
    if name == "ego-facebook":
        with gzip.open(DATASETS / "ego-facebook" / "facebook_combined.txt.gz", "rt") as fh:
            edges = [(a, b, 1.0) for a, b in (line.split() for line in fh if line.strip())]
        return _from_edges(name, edges, False)
    raise KeyError(name)
