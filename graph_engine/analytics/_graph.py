"""Private helpers shared by the analytics modules: graph views of a snapshot and a cache.

Every analytic works on one of two views of the tie-weight matrix ``L`` (``L[i, j] = lambda_ij``,
customer ``i`` held by ``j``):

- the **holding graph**, ``L`` itself read as directed edges ``i -> j`` ("i is held by j"):
  PageRank flows along it, so rank collects at the customers who hold many others;
- the **tie graph** ``W = (L + L^T) / 2``, symmetric: a mutual tie keeps its weight ``lambda``,
  a one-way tie counts ``lambda / 2`` at both ends. Degree, k-core, betweenness and communities
  use it, because a bridge or a community does not depend on who holds whom.

Results are cached per snapshot object (snapshots are immutable and stores hand out the same
object for a revision), so a ranking followed by a community listing computes each thing once.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp

from graph_engine.errors import InvalidInput
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

T = TypeVar("T")

_CACHE: weakref.WeakKeyDictionary[Snapshot, dict[Hashable, Any]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()
_MAX_ENTRIES = 32


def cached(snapshot: Snapshot, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per (snapshot object, key); the entry dies with the snapshot."""
    with _CACHE_LOCK:
        entries = _CACHE.setdefault(snapshot, {})
        if key in entries:
            return entries[key]  # type: ignore[no-any-return]
    value = compute()
    with _CACHE_LOCK:
        entries = _CACHE.setdefault(snapshot, {})
        if len(entries) >= _MAX_ENTRIES:
            entries.pop(next(iter(entries)))
        entries[key] = value
    return value


def weighted(snapshot: Snapshot, settings: GraphSettings | None) -> Snapshot:
    """The snapshot weighted by ``settings`` (itself when None)."""
    return snapshot if settings is None else snapshot.with_settings(settings)


def holding_matrix(snapshot: Snapshot) -> sp.csr_matrix:
    """``L`` with repeated entries summed (a mutual and a one-way tie on one pair add up)."""

    def build() -> sp.csr_matrix:
        L = snapshot.L.copy()
        L.sum_duplicates()
        L.eliminate_zeros()
        return L

    return cached(snapshot, ("holding",), build)


def tie_matrix(snapshot: Snapshot) -> sp.csr_matrix:
    """Symmetric tie graph ``W = (L + L^T) / 2`` (CSR, summed duplicates, no zeros)."""

    def build() -> sp.csr_matrix:
        L = holding_matrix(snapshot)
        W = ((L + L.T) * 0.5).tocsr()
        W.sum_duplicates()
        W.eliminate_zeros()
        return W

    return cached(snapshot, ("tie",), build)


def upper_edges(W: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each undirected edge of a symmetric matrix once: (rows, cols, weights) with row < col."""
    U = sp.triu(W, k=1).tocoo()
    return U.row.astype(np.int64), U.col.astype(np.int64), U.data.astype(np.float64)


def igraph_graph(snapshot: Snapshot, weighted_edges: bool = True) -> Any:
    """The tie graph as an undirected simple ``igraph.Graph`` (edge attribute ``weight``)."""
    import igraph as ig

    def build() -> Any:
        rows, cols, data = upper_edges(tie_matrix(snapshot))
        graph = ig.Graph(n=snapshot.n, edges=np.column_stack([rows, cols]), directed=False)
        graph.es["weight"] = data
        return graph

    return cached(snapshot, ("igraph",), build)


def row_entries(matrix: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``matrix.data``/``indices`` of the entries of ``rows`` (in order, repeats
    allowed), and for each position which of ``rows`` it came from.

    Work is proportional to those rows' entries, not to the matrix: for following a few
    customers' ties in a large graph.
    """
    lo = matrix.indptr[rows]
    count = matrix.indptr[rows + 1] - lo
    total = int(count.sum())
    offsets = np.repeat(lo - (np.cumsum(count) - count), count)
    return offsets + np.arange(total), np.repeat(np.arange(len(rows)), count)


def check_top(top: object, name: str = "top", limit: int = 1_000_000) -> int:
    """Validate a positive count (1..limit)."""
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or not 1 <= top <= limit:
        raise InvalidInput(
            f"{name} must be an integer from 1 to {limit}, got {top!r}", details={name: str(top)}
        )
    return int(top)


def check_k_and_pool(k: object, candidates: object, n: int) -> tuple[int, int]:
    """Validate a choice of ``k`` customers among ``n`` and the candidate pool size.

    The pool defaults to ``max(100, 20 k)`` (at most n); it must hold at least k customers.
    """
    k = check_top(k, "k", 10_000)
    if k > n:
        raise InvalidInput(f"k must be at most the number of customers ({n}), got {k}")
    pool_size = min(
        n, max(100, 20 * k) if candidates is None else check_top(candidates, "candidates")
    )
    if pool_size < k:
        raise InvalidInput(f"candidates must be at least k ({k}), got {pool_size}")
    return k, pool_size


def check_seed(seed: object) -> int:
    """Validate a random seed (an integer >= 0)."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InvalidInput(
            f"seed must be an integer >= 0, got {seed!r}", details={"seed": str(seed)}
        )
    return int(seed)
