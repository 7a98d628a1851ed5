"""Incremental upkeep of hops=1 scores and rankings after small writes (arrays only, no I/O).

At ``hops = 1`` the network part of customer ``i`` is one row of ``L`` times ``a``::

    network_i = sum_j L[i, j] * a_j

so a tie change between ``i`` and ``j`` only changes rows ``i`` and ``j``, and a change of the
own value ``a_j`` only changes ``j`` and the rows that hold ``j``. :func:`row_networks`
recomputes those rows; :func:`rank_order` and :func:`patch_order` keep a ranking by
``(key, tiebreak)`` sorted without re-sorting all ``n`` customers (a patch is ``O(n)`` memory
moves plus ``O(k log n)`` searches for ``k`` changed rows, against ``O(n log n)`` for a sort).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["after_position", "patch_order", "rank_order", "row_networks"]


def row_networks(rows: Sequence[tuple[np.ndarray, np.ndarray]], values: np.ndarray) -> np.ndarray:
    """Network part of several customers from their rows of ``L``.

    ``network_i = sum_k lam_k * a[cols_k]`` for each row ``(cols, lam)``.

    Parameters
    ----------
    rows : sequence of (ndarray of int, ndarray of float)
        Column positions and tie weights (lambda, dimensionless) of each row.
    values : ndarray of float, shape (n,)
        Own values ``a`` (units of value).

    Returns
    -------
    ndarray of float, shape (len(rows),)
        The network parts, in the units of ``values``.
    """
    if not rows:
        return np.zeros(0)
    lengths = np.fromiter((len(c) for c, _ in rows), dtype=np.int64, count=len(rows))
    if lengths.sum() == 0:
        return np.zeros(len(rows))
    cols = np.concatenate([c for c, _ in rows]).astype(np.int64)
    lam = np.concatenate([w for _, w in rows]).astype(np.float64)
    owner = np.repeat(np.arange(len(rows)), lengths)
    return np.bincount(owner, weights=lam * values[cols], minlength=len(rows))


def rank_order(
    keys: np.ndarray, tiebreak: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``members`` sorted by ``(keys, tiebreak)`` ascending.

    Parameters
    ----------
    keys : ndarray of float, shape (n,)
        Sort key of every position (negate for a descending ranking).
    tiebreak : ndarray of float, shape (n,)
        Second key, unique among members (e.g. the rank of the id).
    members : ndarray of int
        Positions to rank.

    Returns
    -------
    order : ndarray of int64
        Ranked positions.
    sorted_keys : ndarray of float
        ``keys[order]``.
    """
    members = np.asarray(members, dtype=np.int64)
    order = members[np.lexsort((tiebreak[members], keys[members]))]
    return order, keys[order]


def after_position(
    sorted_keys: np.ndarray, order: np.ndarray, tiebreak: np.ndarray, key: float, tb: float
) -> int:
    """Index in a ranking of the first entry strictly after ``(key, tb)``."""
    lo = int(np.searchsorted(sorted_keys, key, side="left"))
    hi = int(np.searchsorted(sorted_keys, key, side="right"))
    if lo == hi:
        return lo
    return lo + int(np.searchsorted(tiebreak[order[lo:hi]], tb, side="right"))


def patch_order(
    order: np.ndarray,
    sorted_keys: np.ndarray,
    changed: np.ndarray,
    keys: np.ndarray,
    tiebreak: np.ndarray,
    members: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Update a ranking after the keys (or membership) of a few positions changed.

    Removes every position of ``changed`` from the ranking and inserts again those that are
    still members, at the place their new ``(key, tiebreak)`` sorts to. The result equals
    :func:`rank_order` on the new keys.

    Parameters
    ----------
    order, sorted_keys : ndarray
        The ranking before the change (from :func:`rank_order` or this function).
    changed : ndarray of int
        Positions whose key, tiebreak or membership changed.
    keys, tiebreak : ndarray of float, shape (n,)
        The new keys and tiebreaks of every position.
    members : ndarray of bool, shape (n,)
        Which positions belong to the ranking now.

    Returns
    -------
    order, sorted_keys : ndarray
        The patched ranking (new arrays; the inputs are not modified).
    """
    changed = np.unique(np.asarray(changed, dtype=np.int64))
    mark = np.zeros(len(keys), dtype=bool)
    mark[changed] = True
    keep = ~mark[order]
    base_order, base_keys = order[keep], sorted_keys[keep]
    add = changed[members[changed]]
    if len(add) == 0:
        return base_order, base_keys
    add = add[np.lexsort((tiebreak[add], keys[add]))]
    at = np.fromiter(
        (
            after_position(base_keys, base_order, tiebreak, float(keys[p]), float(tiebreak[p]))
            for p in add
        ),
        dtype=np.int64,
        count=len(add),
    )
    return np.insert(base_order, at, add), np.insert(base_keys, at, keys[add])
