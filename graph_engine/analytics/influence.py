"""Influencer rankings: network value, weighted degree, PageRank, betweenness and k-core.

Graph views (see ``_graph``): PageRank runs on the **holding graph** (edge ``i -> j`` with weight
``lambda_ij`` when customer ``i`` is held by ``j``), so rank flows to the customers who hold
others, the same way network value counts what a customer holds. Degree, betweenness and k-core
run on the **tie graph** ``W = (L + L^T) / 2`` (a mutual tie weighs ``lambda``, a one-way tie
``lambda / 2`` at both ends): a bridge between communities is a bridge whoever holds whom.

Libraries were chosen by measurement (bench/analytics.py): PageRank is a power iteration
straight on the snapshot's scipy matrix (faster than igraph and networkx at equal accuracy);
betweenness and k-core come from igraph's C core (networkx is about 30x slower).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

from graph_engine.analytics._graph import (
    cached,
    check_seed,
    check_top,
    holding_matrix,
    igraph_graph,
    tie_matrix,
    weighted,
)
from graph_engine.compute.explain import network_value as _network_value
from graph_engine.errors import InvalidInput
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

__all__ = [
    "EXACT_BETWEENNESS_LIMIT",
    "METHODS",
    "Betweenness",
    "InfluenceScores",
    "Influencer",
    "Method",
    "betweenness",
    "core_number",
    "influence_scores",
    "influencers",
    "pagerank",
    "weighted_degree",
]

Method = Literal["network_value", "degree", "pagerank", "betweenness", "core"]
METHODS: tuple[str, ...] = ("network_value", "degree", "pagerank", "betweenness", "core")
EXACT_BETWEENNESS_LIMIT = 5000
DEFAULT_BETWEENNESS_SAMPLES = 64
_BATCHES = 64


# ---------------------------------------------------------------------------------- PageRank
def pagerank(
    snapshot: Snapshot,
    *,
    damping: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 1000,
    settings: GraphSettings | None = None,
) -> np.ndarray:
    """PageRank of every customer on the holding graph, by power iteration on ``L``.

    With ``P = D^-1 L`` (rows normalised by the weight a customer is held with; rows of customers
    held by nobody are *dangling* and spread their rank uniformly, as networkx does)::

        x <- damping * (P^T x + (sum of x over dangling rows) / n) + (1 - damping) / n

    until ``||x_new - x||_1 < tol``. Rank flows from the held customer to its holder, so a
    customer who holds many customers who are themselves held ranks high.

    Parameters
    ----------
    snapshot : Snapshot
    damping : float
        Probability of following a tie, in (0, 1) (default 0.85).
    tol : float
        L1 change between iterations that stops the iteration, > 0 (default 1e-10).
    max_iter : int
        Iteration limit (the error shrinks by ``damping`` per iteration, so 1e-10 takes ~140).
    settings : GraphSettings, optional
        Override beta and kind weights (PageRank is invariant to beta, not to kind weights).

    Returns
    -------
    ndarray of float64, shape (n,)
        Sums to 1 (empty graph: empty array).

    Raises
    ------
    InvalidInput
        ``damping`` outside (0, 1) or ``tol`` not positive.

    References
    ----------
    Page, Brin, Motwani, Winograd, "The PageRank citation ranking", Stanford TR 1999-66.
    """
    if not 0 < damping < 1:
        raise InvalidInput(f"damping must be in (0, 1), got {damping}")
    if not tol > 0:
        raise InvalidInput(f"tol must be > 0, got {tol}")
    snap = weighted(snapshot, settings)
    key = ("pagerank", float(damping), float(tol), int(max_iter))
    return cached(snap, key, lambda: _pagerank_kernel(holding_matrix(snap), damping, tol, max_iter))


def _pagerank_kernel(
    L: sp.csr_matrix,
    damping: float,
    tol: float,
    max_iter: int,
) -> np.ndarray:
    n = L.shape[0]
    if n == 0:
        return np.zeros(0)
    out = np.asarray(L.sum(axis=1)).ravel()
    dangling = out == 0
    # each entry over its own row sum (never 1 / sum, which overflows for subnormal weights)
    rows = np.repeat(np.arange(n), np.diff(L.indptr))
    PT = sp.csr_matrix((L.data / out[rows], L.indices, L.indptr), shape=L.shape).T.tocsr()
    x = np.full(n, 1.0 / n)
    teleport = (1.0 - damping) / n
    for _ in range(max_iter):
        new = damping * (PT @ x)
        new += damping * x[dangling].sum() / n + teleport
        err = np.abs(new - x).sum()
        x = new
        if err < tol:
            break
    return x / x.sum()


# ---------------------------------------------------------------------------------- degree, core
def weighted_degree(snapshot: Snapshot, settings: GraphSettings | None = None) -> np.ndarray:
    """Weighted degree on the tie graph: ``deg_i = sum_j W_ij`` with ``W = (L + L^T) / 2``.

    Equals the sum of ``lambda`` over a customer's ties when every tie is mutual; a one-way tie
    adds ``lambda / 2`` to both ends.

    Returns
    -------
    ndarray of float64, shape (n,)
    """
    snap = weighted(snapshot, settings)
    return np.asarray(tie_matrix(snap).sum(axis=1)).ravel()


def core_number(snapshot: Snapshot) -> np.ndarray:
    """k-core number of every customer on the tie graph, unweighted (igraph ``coreness``).

    The k-core is the largest set of customers who each have at least k ties inside it; a
    customer's core number is the largest k whose core contains it (core members score high).

    Returns
    -------
    ndarray of int64, shape (n,)

    References
    ----------
    Batagelj and Zaversnik, "An O(m) algorithm for cores decomposition of networks", 2003.
    """
    if snapshot.n == 0:
        return np.zeros(0, dtype=np.int64)
    return cached(
        snapshot,
        ("core",),
        lambda: np.asarray(igraph_graph(snapshot).coreness(mode="all"), dtype=np.int64),
    )


# ---------------------------------------------------------------------------------- betweenness
@dataclass(frozen=True)
class Betweenness:
    """Normalised betweenness of every customer on the tie graph (hop distances).

    ``values[v] = sum_{s != v != t} sigma_st(v) / sigma_st / ((n-1)(n-2)/2)``, in [0, 1].
    When ``exact`` is False the values are the unbiased source-sampling estimate over
    ``sources``; ``standard_error`` is the per-customer standard error from up to 64 independent
    batches of sources and ``error_bound`` a Hoeffding bound that holds for every customer at
    once with 95% probability (usually far more pessimistic).
    """

    values: np.ndarray
    exact: bool
    sources: np.ndarray | None = None
    standard_error: np.ndarray | None = None
    error_bound: float = 0.0
    max_standard_error: float = field(default=0.0)


def betweenness(
    snapshot: Snapshot,
    *,
    samples: int | None = None,
    seed: int = 0,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
) -> Betweenness:
    """Betweenness centrality on the tie graph: exact for small graphs, source-sampled otherwise.

    Shortest paths count ties (hops), not weights: betweenness finds the bridges between groups
    of customers whatever the tie strength. Exact (Brandes) when ``samples`` is None and
    ``n <= exact_limit``; otherwise ``k = samples`` (default 64) source customers are drawn
    uniformly without replacement with ``seed`` and

        b_hat(v) = (n / k) * sum_{s in sample} delta_s(v) / 2 / ((n-1)(n-2)/2)

    which is unbiased for the exact value. Error: per-customer standard error from up to 64 batches,
    and the simultaneous 95% Hoeffding bound ``n/(n-1) * sqrt(ln(2 n / 0.05) / (2 k))``.

    Parameters
    ----------
    snapshot : Snapshot
    samples : int, optional
        Number of sampled sources (2..n); None = exact when the graph is small enough.
    seed : int
        Random seed of the source sample.
    exact_limit : int
        Largest customer count computed exactly when ``samples`` is None.

    Returns
    -------
    Betweenness

    Raises
    ------
    InvalidInput
        ``samples`` out of range or a negative ``seed``.

    References
    ----------
    Brandes, "A faster algorithm for betweenness centrality", J. Math. Sociol. 25, 2001.
    Brandes and Pich, "Centrality estimation in large networks", Int. J. Bifurc. Chaos 17, 2007.
    """
    seed = check_seed(seed)
    n = snapshot.n
    if samples is not None:
        samples = check_top(samples, "samples")
    if n < 3:
        return Betweenness(values=np.zeros(n), exact=True)
    if (samples is None and n <= exact_limit) or (samples is not None and samples >= n):
        return cached(
            snapshot,
            ("betweenness", None, 0),
            lambda: Betweenness(
                values=np.asarray(igraph_graph(snapshot).betweenness(directed=False), dtype=float)
                / ((n - 1) * (n - 2) / 2),
                exact=True,
            ),
        )
    k = samples or min(DEFAULT_BETWEENNESS_SAMPLES, n)
    return cached(snapshot, ("betweenness", k, seed), lambda: _sampled(snapshot, k, seed))


def _sampled(snapshot: Snapshot, k: int, seed: int) -> Betweenness:
    n = snapshot.n
    graph = igraph_graph(snapshot)
    sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
    batches = [b for b in np.array_split(sources, min(_BATCHES, k)) if len(b)]
    norm = (n - 1) * (n - 2) / 2
    estimates = np.stack(
        [
            np.asarray(
                graph.betweenness(directed=False, sources=b.tolist(), targets=None), dtype=float
            )
            * (n / len(b))
            / norm
            for b in batches
        ]
    )
    weights = np.array([len(b) for b in batches], dtype=float) / k
    values = weights @ estimates
    g = len(batches)
    se = estimates.std(axis=0, ddof=1) / math.sqrt(g) if g > 1 else np.zeros(n)
    bound = n / (n - 1) * math.sqrt(math.log(2 * n / 0.05) / (2 * k))
    return Betweenness(
        values=values,
        exact=False,
        sources=sources,
        standard_error=se,
        error_bound=float(bound),
        max_standard_error=float(se.max()),
    )


# ---------------------------------------------------------------------------------- rankings
@dataclass(frozen=True)
class InfluenceScores:
    """Every influence score of every customer (arrays of shape (n,), aligned with ids)."""

    network_value: np.ndarray
    degree: np.ndarray
    pagerank: np.ndarray
    betweenness: np.ndarray
    core: np.ndarray
    betweenness_info: Betweenness

    def get(self, method: str) -> np.ndarray:
        """The score array of one method."""
        return getattr(self, check_method(method))  # type: ignore[no-any-return]

    def row(self, i: int) -> dict[str, float]:
        """All scores of customer ``i`` as Python numbers."""
        return {
            "network_value": float(self.network_value[i]),
            "degree": float(self.degree[i]),
            "pagerank": float(self.pagerank[i]),
            "betweenness": float(self.betweenness[i]),
            "core": int(self.core[i]),
        }


@dataclass(frozen=True)
class Influencer:
    """One ranked customer: its id, community (or None) and every score."""

    id: str
    rank: int
    community: int | None
    scores: dict[str, float]


def check_method(method: object) -> str:
    """Validate a ranking method name."""
    if method not in METHODS:
        raise InvalidInput(
            f"method must be one of {', '.join(METHODS)}, got {method!r}",
            details={"method": str(method), "allowed": list(METHODS)},
        )
    return str(method)


def influence_scores(
    snapshot: Snapshot,
    *,
    settings: GraphSettings | None = None,
    betweenness_samples: int | None = None,
    seed: int = 0,
) -> InfluenceScores:
    """Network value, weighted degree, PageRank, betweenness and core number of every customer.

    Parameters
    ----------
    snapshot : Snapshot
    settings : GraphSettings, optional
        Override beta and kind weights.
    betweenness_samples : int, optional
        Sources sampled for betweenness (None: exact up to 5000 customers, 64 sources above).
    seed : int
        Seed of the betweenness source sample.

    Returns
    -------
    InfluenceScores
    """
    snap = weighted(snapshot, settings)
    return InfluenceScores(
        network_value=_network_value(snap),
        degree=weighted_degree(snap),
        pagerank=pagerank(snap),
        betweenness=(bt := betweenness(snap, samples=betweenness_samples, seed=seed)).values,
        core=core_number(snap),
        betweenness_info=bt,
    )


def influencers(
    snapshot: Snapshot,
    method: str = "network_value",
    *,
    top: int = 10,
    community: int | None = None,
    segment: str | None = None,
    membership: np.ndarray | None = None,
    settings: GraphSettings | None = None,
    betweenness_samples: int | None = None,
    seed: int = 0,
    offset: int = 0,
) -> list[Influencer]:
    """The top customers by one influence method, with every score and their community.

    Ranked by ``method`` descending, ties broken by id. ``community`` and ``segment`` restrict
    the ranking to the customers in that community / segment.

    Parameters
    ----------
    snapshot : Snapshot
    method : {"network_value", "degree", "pagerank", "betweenness", "core"}
    top : int
        How many customers (1..1,000,000).
    community : int, optional
        Only this community (an id of ``membership``).
    segment : str, optional
        Only customers of this segment.
    membership : ndarray of int, shape (n,), optional
        Community of every customer; by default
        :func:`graph_engine.analytics.communities.detect_communities` with ``seed``.
    settings : GraphSettings, optional
        Override beta and kind weights.
    betweenness_samples, seed : int, optional
        As in :func:`influence_scores`; ``seed`` also seeds community detection.
    offset : int
        Skip this many ranked customers first (pagination).

    Returns
    -------
    list of Influencer
        At most ``top``; ``rank`` starts at 1 (``offset + 1`` when paging).

    Raises
    ------
    InvalidInput
        Unknown method, bad ``top``/``offset``, or a community id that does not exist.
    """
    from graph_engine.analytics.communities import detect_communities

    method = check_method(method)
    top = check_top(top)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidInput(f"offset must be an integer >= 0, got {offset!r}")
    snap = weighted(snapshot, settings)
    sc = influence_scores(snap, betweenness_samples=betweenness_samples, seed=seed)
    if membership is None:
        membership = detect_communities(snap, seed=seed).membership
    mask = snap.segment_mask(segment)
    if community is not None:
        n_comm = int(membership.max()) + 1 if len(membership) else 0
        if (
            isinstance(community, bool)
            or not isinstance(community, int | np.integer)
            or not (0 <= community < n_comm)
        ):
            raise InvalidInput(
                f"community must be an id from 0 to {n_comm - 1}, got {community!r}",
                details={"community": str(community), "communities": n_comm},
            )
        mask &= membership == community
    chosen = np.flatnonzero(mask)
    score = sc.get(method)[chosen]
    order = chosen[np.lexsort((snap.ids[chosen].astype(str), -score))][offset : offset + top]
    return [
        Influencer(
            id=str(snap.ids[i]),
            rank=offset + r + 1,
            community=int(membership[i]),
            scores=sc.row(int(i)),
        )
        for r, i in enumerate(order.tolist())
    ]
