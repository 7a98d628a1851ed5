"""Small-subgraph extraction shared by the network figures (ego network, churn picture).

Both work on the stored entries of the tie-weight matrix ``L`` with array operations: row
slicing for the entries a set of customers is held by, one boolean scan of ``L.indices`` for
the entries they hold. The strength of a pair is ``max(lambda_ij, lambda_ji)``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["incident_entries", "induced_ties"]


def incident_entries(
    L: sp.csr_matrix, nodes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stored entries ``(row, col, lambda)`` of ``L`` with either end in ``nodes``.

    An entry with both ends in ``nodes`` may appear twice; callers take maxima, so it is harmless.
    """
    n = L.shape[0]
    inset = np.zeros(n, dtype=bool)
    inset[nodes] = True
    sub = L[nodes]  # the entries the nodes are held by: cheap CSR row slicing
    sub_rows = np.repeat(np.asarray(nodes, dtype=np.int64), np.diff(sub.indptr))
    hits = np.flatnonzero(inset[L.indices])  # the entries the nodes hold: one scan
    hit_rows = np.searchsorted(L.indptr, hits, side="right") - 1
    rows = np.concatenate([sub_rows, hit_rows]).astype(np.int64)
    cols = np.concatenate([sub.indices, L.indices[hits]]).astype(np.int64)
    return rows, cols, np.concatenate([sub.data, L.data[hits]]).astype(np.float64)


def induced_ties(L: sp.csr_matrix, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ties among ``nodes``: (position, position, strength), each pair once, first < second.

    Positions index into ``nodes``; strength is ``max(lambda_ij, lambda_ji)`` over the stored
    entries of the pair.
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    k = len(nodes)
    local = np.full(L.shape[0], -1, dtype=np.int64)
    local[nodes] = np.arange(k)
    sub = L[nodes]
    r = np.repeat(np.arange(k), np.diff(sub.indptr))
    c = local[sub.indices]
    keep = (c >= 0) & (r != c)
    r, c, w = r[keep], c[keep], sub.data[keep]
    lo, hi = np.minimum(r, c), np.maximum(r, c)
    keys, inverse = np.unique(lo * k + hi, return_inverse=True)
    strength = np.zeros(len(keys))
    np.maximum.at(strength, inverse, w)
    return keys // max(k, 1), keys % max(k, 1), strength
