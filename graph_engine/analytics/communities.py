"""Communities: modularity maximisation on the tie graph, and what each community holds.

The partition maximises the (weighted, generalised) modularity of the symmetric tie graph
``W = (L + L^T) / 2`` (``lambda``-weighted; a one-way tie counts half)::

    Q = sum_c [ w_c / m  -  gamma * (K_c / (2 m))^2 ]

with ``m`` the total tie weight, ``w_c`` the weight inside community ``c``, ``K_c`` the summed
weighted degree of its members and ``gamma`` the resolution (1 = classic modularity).

Two optimisers, both seeded and deterministic for a seed, chosen by measurement
(bench/analytics.py):
- up to 2M stored tie entries, igraph's C implementation of Leiden, iterated until stable: the
  best modularity we measured (the karate optimum; 0.429 on email-Eu-core where leidenalg
  stopped at 0.416-0.428), and its refinement guarantees connected communities;
- above that, networkit's PLM (Louvain with refinement) on ONE thread, so the same seed gives
  the same partition: on the 1M-customer / 10M-tie demo graph it is faster than networkit's
  parallel Leiden on two threads and reaches a higher modularity, while igraph's Leiden took
  about three times as long.

Community ids are ``0..k-1`` by size, largest first (ties: the community holding the smallest
customer index first), so they are stable for a given snapshot, settings and seed.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph_engine.analytics._graph import (
    cached,
    check_seed,
    check_top,
    igraph_graph,
    tie_matrix,
    upper_edges,
    weighted,
)
from graph_engine.compute.explain import network_value
from graph_engine.compute.stickiness import Hops, check_hops, scores
from graph_engine.errors import InvalidInput
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

_RNG_LOCK = threading.Lock()
_LEIDEN_LIMIT = 2_000_000  # stored entries up to which igraph's Leiden runs (until stable)

__all__ = [
    "Communities",
    "CommunitySummary",
    "community_members",
    "detect_communities",
    "modularity",
    "networkit_graph",
    "summarize_communities",
]


@dataclass(frozen=True)
class Communities:
    """A partition of the customers.

    Attributes
    ----------
    membership : ndarray of int64, shape (n,)
        Community id of every customer (aligned with ``Snapshot.ids``).
    modularity : float
        Classic modularity (gamma = 1) of the partition on the tie graph.
    resolution : float
        The resolution the partition was optimised for.
    seed : int
    """

    membership: np.ndarray
    modularity: float
    resolution: float
    seed: int

    @property
    def count(self) -> int:
        """Number of communities."""
        return int(self.membership.max()) + 1 if len(self.membership) else 0

    @property
    def sizes(self) -> np.ndarray:
        """Size of every community (shape (count,))."""
        return np.bincount(self.membership, minlength=self.count)


@dataclass(frozen=True)
class CommunitySummary:
    """What one community holds.

    ``density`` is the share of possible member pairs that are tied (0 for a single member);
    ``focus`` lists the community's most influential members by network value, largest first.
    """

    id: int
    size: int
    stickiness_total: float
    stickiness_mean: float
    density: float
    focus: list[str]


def modularity(snapshot: Snapshot, membership: np.ndarray, *, resolution: float = 1.0) -> float:
    """Weighted modularity of a partition on the tie graph (formula in the module docstring).

    Parameters
    ----------
    snapshot : Snapshot
    membership : array of int, shape (n,)
        Community of every customer (any non-negative integer labels).
    resolution : float
        gamma >= 0 (default 1).

    Returns
    -------
    float
        In [-1/2, 1); 0 for a graph without ties.

    References
    ----------
    Newman and Girvan, "Finding and evaluating community structure in networks", PRE 69, 2004.
    """
    membership = np.asarray(membership)
    if membership.shape != (snapshot.n,):
        raise InvalidInput(
            f"membership must have one entry per customer ({snapshot.n}), "
            f"got shape {membership.shape}"
        )
    return _modularity(tie_matrix(snapshot), membership.astype(np.int64), resolution)


def _modularity(W, membership: np.ndarray, resolution: float) -> float:  # type: ignore[no-untyped-def]
    """Modularity straight from the symmetric CSR ``W`` (each tie stored in both directions)."""
    two_m = float(W.data.sum())
    if two_m == 0:
        return 0.0
    row_comm = np.repeat(membership, np.diff(W.indptr))
    inside = float(W.data[row_comm == membership[W.indices]].sum())  # twice the inner weight
    k_c = np.bincount(membership, weights=np.asarray(W.sum(axis=1)).ravel())
    return inside / two_m - resolution * float(((k_c / two_m) ** 2).sum())


def detect_communities(
    snapshot: Snapshot,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    settings: GraphSettings | None = None,
) -> Communities:
    """Communities by Leiden modularity maximisation on the lambda-weighted tie graph.

    Runs igraph's ``community_leiden`` with the modularity objective at resolution gamma until
    an iteration changes nothing, with igraph's random source seeded, on graphs up to 2M
    stored tie entries; larger graphs use networkit's PLM (Louvain with refinement) on one
    thread with networkit's seed (see the module docstring for why). Customers without ties
    form communities of their own.

    Parameters
    ----------
    snapshot : Snapshot
    resolution : float
        gamma > 0 (default 1); higher gives smaller communities.
    seed : int
        Random seed (>= 0); the same snapshot, settings and seed give the same partition.
    settings : GraphSettings, optional
        Override beta and kind weights (only kind weights change the partition: beta scales
        every weight alike).

    Returns
    -------
    Communities

    Raises
    ------
    InvalidInput
        Non-positive resolution or negative seed.

    References
    ----------
    Traag, Waltman and van Eck, "From Louvain to Leiden: guaranteeing well-connected
    communities", Scientific Reports 9, 5233 (2019).
    Blondel, Guillaume, Lambiotte and Lefebvre, "Fast unfolding of communities in large
    networks", J. Stat. Mech. P10008 (2008).
    Staudt and Meyerhenke, "Engineering parallel algorithms for community detection in massive
    networks", IEEE TPDS 27(1) (2016) (networkit's PLM).
    """
    if not (isinstance(resolution, int | float) and 0 < resolution < float("inf")):
        raise InvalidInput(f"resolution must be a finite number > 0, got {resolution!r}")
    seed = check_seed(seed)
    snap = weighted(snapshot, settings)
    # beta scales every weight alike, so the partition depends on the kind weights only
    key = (
        "communities",
        tuple(sorted(snap.settings.kind_weights.items())),
        float(resolution),
        seed,
    )
    return cached(snap, key, lambda: _detect(snap, float(resolution), seed))


def _detect(snap: Snapshot, resolution: float, seed: int) -> Communities:
    n = snap.n
    if n == 0:
        return Communities(np.zeros(0, np.int64), 0.0, resolution, seed)
    W = tie_matrix(snap)
    if W.nnz == 0:
        raw = np.arange(n)
    else:
        if W.nnz <= _LEIDEN_LIMIT:
            raw = _leiden(igraph_graph(snap), resolution, seed)
        else:
            raw = _louvain_networkit(W, resolution, seed)
    membership = _canonical(raw)
    return Communities(membership, _modularity(W, membership, 1.0), resolution, seed)


def _leiden(graph: Any, resolution: float, seed: int) -> np.ndarray:
    """igraph's C Leiden on the weighted tie graph, its random source seeded (under a lock)."""
    import igraph as ig

    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            part = graph.community_leiden(
                objective_function="modularity",
                weights="weight",
                resolution=resolution,
                n_iterations=-1,
            )
        finally:
            ig.set_random_number_generator(random)
    return np.asarray(part.membership, dtype=np.int64)


def networkit_graph(W: Any) -> Any:
    """The symmetric tie matrix as an undirected weighted ``networkit.Graph``.

    Built from the CSR upper triangle (each tie once): at 10M ties 1 s, against 9 s for
    ``addEdges`` of COO triples, and PLM runs faster on the result.
    """
    import networkit as nk
    import scipy.sparse as sp

    upper = sp.triu(W, k=1, format="csr")
    return nk.GraphFromCsr(upper, directed=False, weighted=True)


def _louvain_networkit(W: Any, resolution: float, seed: int) -> np.ndarray:
    """networkit's PLM with refinement on one thread (deterministic for the seed)."""
    import networkit as nk

    graph = networkit_graph(W)
    with _RNG_LOCK:  # networkit's thread count and seed are process-wide
        threads = nk.getMaxNumberOfThreads()
        nk.setNumberOfThreads(1)
        nk.setSeed(seed, False)
        try:
            plm = nk.community.PLM(graph, refine=True, gamma=resolution, turbo=True)
            plm.run()
            return np.asarray(plm.getPartition().getVector(), dtype=np.int64)
        finally:
            nk.setNumberOfThreads(threads)


def _canonical(raw: np.ndarray) -> np.ndarray:
    """Relabel communities 0..k-1 by size descending, then by smallest member index."""
    labels, inverse = np.unique(raw, return_inverse=True)
    sizes = np.bincount(inverse)
    first = np.full(len(labels), len(raw))
    np.minimum.at(first, inverse, np.arange(len(raw)))
    order = np.lexsort((first, -sizes))
    new = np.empty(len(labels), dtype=np.int64)
    new[order] = np.arange(len(labels))
    return new[inverse]


def summarize_communities(
    snapshot: Snapshot,
    communities: Communities | None = None,
    *,
    focus: int = 3,
    hops: Hops = 1,
    seed: int = 0,
    settings: GraphSettings | None = None,
) -> list[CommunitySummary]:
    """Size, stickiness (total and mean), internal tie density and influence focus of each.

    ``density_c = (ties inside c) / (size_c (size_c - 1) / 2)`` counting each tied pair once;
    ``focus`` = the ``focus`` members with the highest network value ``a_j sum_i lambda_ij``.

    Parameters
    ----------
    snapshot : Snapshot
    communities : Communities, optional
        Default :func:`detect_communities` with ``seed``.
    focus : int
        Members listed as the influence focus (1..100).
    hops : int or "all"
        Hops of the stickiness that is summed.
    seed : int
    settings : GraphSettings, optional

    Returns
    -------
    list of CommunitySummary
        Ordered by community id (largest community first).
    """
    focus = check_top(focus, "focus", 100)
    hops = check_hops(hops)
    snap = weighted(snapshot, settings)
    comm = communities or detect_communities(snap, seed=seed)
    memb = comm.membership
    k = comm.count
    if k == 0:
        return []
    stick = scores(snap, hops).stickiness
    sizes = np.bincount(memb, minlength=k)
    total = np.bincount(memb, weights=stick, minlength=k)
    rows, cols, _ = upper_edges(tie_matrix(snap))
    inside = memb[rows] == memb[cols]
    ties_in = np.bincount(memb[rows[inside]], minlength=k).astype(float)
    pairs = sizes * (sizes - 1) / 2.0
    density = np.divide(ties_in, pairs, out=np.zeros(k), where=pairs > 0)
    nv = network_value(snap)
    # members grouped by community, each group by network value descending then index
    order = np.lexsort((np.arange(snap.n), -nv, memb))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    ids = snap.ids
    return [
        CommunitySummary(
            id=c,
            size=int(sizes[c]),
            stickiness_total=float(total[c]),
            stickiness_mean=float(total[c] / sizes[c]),
            density=float(density[c]),
            focus=[str(x) for x in ids[order[starts[c] : starts[c] + min(focus, sizes[c])]]],
        )
        for c in range(k)
    ]


def community_members(snapshot: Snapshot, communities: Communities, community: int) -> np.ndarray:
    """Indices of the members of one community, ascending (so ids ascend too).

    Raises
    ------
    InvalidInput
        ``community`` is not an id from 0 to count - 1.
    """
    if (
        isinstance(community, bool)
        or not isinstance(community, int | np.integer)
        or not (0 <= community < communities.count)
    ):
        raise InvalidInput(
            f"community must be an id from 0 to {communities.count - 1}, got {community!r}",
            details={"community": str(community), "communities": communities.count},
        )
    return np.flatnonzero(communities.membership == community)
