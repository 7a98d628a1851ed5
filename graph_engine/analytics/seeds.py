"""Referral seeds: whom to start a referral campaign with so it reaches the most customer value.

Model: independent cascade. A customer reached by the campaign gets one chance to pass it on
along each of its ties: customer ``j`` reaches customer ``i`` whom it holds (``L[i, j] > 0``)
with probability

    p_ij = 1 - exp(-lambda_ij)

which grows with the tie weight, is ``~lambda`` for weak ties and never reaches 1 (it is the
probability that a Poisson stream of referrals with rate ``lambda_ij`` fires at least once;
several ties on one pair combine as independent chances). The objective is the **value**
reached, ``sigma(S) = E[sum of a_i over reached customers i]`` (seeds included), not the number
of customers reached.

Estimation: ``runs`` Monte-Carlo worlds are drawn once from ``seed`` (live-edge sampling: each
tie is live in a world with probability ``p_ij``); a seed set reaches, in each world, the
customers reachable from it over live ties. Every candidate is evaluated on the same worlds, so
comparisons between seed sets are paired. Worlds are stacked into one block-diagonal sparse
matrix and a batch of candidates is propagated at once (a sparse frontier per candidate), so
there is no Python loop over ties or over worlds.

Selection: CELF lazy greedy (sigma is monotone and submodular under independent cascade, so
greedy on the sampled sigma is within ``1 - 1/e`` of the best ``k``-set on those worlds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from graph_engine.analytics._celf import Progress, lazy_greedy
from graph_engine.analytics._graph import (
    cached,
    check_k_and_pool,
    check_seed,
    check_top,
    holding_matrix,
    row_entries,
    weighted,
)
from graph_engine.errors import InvalidInput
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

__all__ = [
    "DEFAULT_RUNS",
    "Reach",
    "SeedResult",
    "activation_probability",
    "expected_reach",
    "referral_seeds",
]

DEFAULT_RUNS = 200
# Peak memory of the stacked worlds, measured (bench-sized demo graphs, beta 0.05 and 1): about
# 34 bytes per stacked customer (n * runs) and 48 per live tie, with a quarter more kept in hand.
_BYTES_PER_NODE, _BYTES_PER_LIVE_TIE, _HEADROOM = 34, 48, 1.25
MEMORY_BUDGET = 4 * 2**30  # bytes one referral-seeds search may use
_BATCH = 64  # candidates searched side by side at most
_BATCH_CELLS = 2**28  # cells of one search's visited array (bytes; only touched pages are used)


def activation_probability(lam: np.ndarray) -> np.ndarray:
    """``p = 1 - exp(-lambda)`` elementwise (probability that a tie passes the referral on)."""
    return -np.expm1(-np.asarray(lam, dtype=np.float64))


@dataclass(frozen=True)
class Reach:
    """Value reached by one seed set: mean over the runs and its standard error."""

    expected_value: float
    standard_error: float
    expected_customers: float
    runs: int


@dataclass(frozen=True)
class SeedResult:
    """Seeds in the order CELF chose them, with what they reach.

    ``marginal[r]`` is the expected value the ``r``-th seed adds to those before it;
    ``expected_value`` (mean over ``runs`` worlds) and ``standard_error`` (sample standard
    deviation over worlds / sqrt(runs)) are those of the whole seed set.
    """

    seeds: list[str]
    marginal: list[float]
    expected_value: float
    standard_error: float
    expected_customers: float
    runs: int
    candidates: int
    evaluations: int


class _Worlds:
    """``runs`` live-edge worlds stacked block-diagonally: node ``(r, i)`` is ``r * n + i``.

    Each world is condensed to its strongly connected components (a component reached at all is
    reached whole), so the search runs over components and their values, which is much smaller
    than the stacked graph when ties are strong.
    """

    def __init__(self, L: sp.csr_matrix, values: np.ndarray, runs: int, seed: int) -> None:
        n = L.shape[0]
        self.n, self.runs = n, runs
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(L.indptr))
        p = activation_probability(L.data)
        _check_memory(n, float(p.sum()), runs)
        rng = np.random.default_rng(seed)
        r_rows, r_cols = [], []
        for r in range(runs):  # one world at a time keeps the random draws small
            live = rng.random(len(p)) < p
            r_rows.append(rows[live] + r * n)
            r_cols.append(L.indices[live].astype(np.int64) + r * n)
        rr, cc = np.concatenate(r_rows), np.concatenate(r_cols)
        size = n * runs
        # F[(r, i), (r, j)] = 1: in world r the referral passes from j to i
        F = sp.csr_matrix((np.ones(len(rr), dtype=np.int8), (rr, cc)), shape=(size, size))
        n_comp, label = csgraph.connected_components(F, directed=True, connection="strong")
        self.label = label.astype(np.int64)  # component of each stacked node
        self.n_comp = int(n_comp)
        self.comp_world = np.zeros(n_comp, dtype=np.int64)
        self.comp_world[self.label] = np.arange(size, dtype=np.int64) // n
        self.comp_value = np.bincount(self.label, weights=np.tile(values, runs), minlength=n_comp)
        self.comp_size = np.bincount(self.label, minlength=n_comp)
        cr, cl = self.label[rr], self.label[cc]
        across = cr != cl
        # row cj: the components a referral passes to from component cj (duplicates merged)
        reach = sp.csr_matrix(
            (np.ones(int(across.sum()), dtype=np.int8), (cl[across], cr[across])),
            shape=(n_comp, n_comp),
        )
        reach.sum_duplicates()
        self.reach = reach
        self.passes = reach.T.tocsr()  # row ci: the components that pass to ci (for products)
        self._dense_from = (reach.nnz + n_comp) // 8

    def starts(self, customers: np.ndarray) -> np.ndarray:
        """Components of the given customers in every world: shape (len(customers), runs)."""
        offsets = np.arange(self.runs, dtype=np.int64) * self.n
        comps: np.ndarray = self.label[offsets[None, :] + customers[:, None]]
        return comps

    def spread(self, starts: np.ndarray, reached: np.ndarray) -> list[np.ndarray]:
        """Newly reached components from each start customer, given ``reached`` (n_comp,).

        A breadth-first search from every start in every world at once that follows only the
        frontier's own ties (work proportional to what is reached, not to the worlds' size);
        cell ``component * b + start`` of a zeroed ``visited`` array marks what a start has
        reached (calloc'd: pages nobody touches cost nothing). Returns one array of component
        ids per start (those not already in ``reached``).
        """
        b = len(starts)
        comps = self.starts(starts).ravel()
        cols = np.repeat(np.arange(b, dtype=np.int64), self.runs)
        keep = ~reached[comps]
        front = comps[keep] * b + cols[keep]
        visited = np.zeros(self.n_comp * b, dtype=bool)
        visited[front] = True
        found = [front]
        reach = self.reach
        while len(front):
            comp, col = front // b, front % b
            ties = int((reach.indptr[comp + 1] - reach.indptr[comp]).sum())
            if ties > self._dense_from:  # a wide front: one product over all ties is cheaper
                step = sp.csr_matrix(
                    (np.ones(len(front), dtype=np.float32), (comp, col)), shape=(self.n_comp, b)
                )
                nxt = (self.passes @ step).tocoo()
                keys = nxt.row.astype(np.int64) * b + nxt.col
            else:
                pos, which = row_entries(reach, comp)
                keys = np.unique(reach.indices[pos].astype(np.int64) * b + col[which])
            front = keys[~visited[keys] & ~reached[keys // b]]
            visited[front] = True
            found.append(front)
        cells = np.concatenate(found)
        col = cells % b
        order = np.argsort(col, kind="stable")
        bounds = np.searchsorted(col[order], np.arange(b + 1))
        comps_of = cells[order] // b
        return [comps_of[bounds[c] : bounds[c + 1]] for c in range(b)]

    def reach_of(self, reached: np.ndarray) -> Reach:
        """Mean value and customers over the worlds of the reached components, with the SE."""
        worlds = self.comp_world[reached]
        per_world = np.bincount(worlds, weights=self.comp_value[reached], minlength=self.runs)
        counts = np.bincount(worlds, weights=self.comp_size[reached], minlength=self.runs)
        runs = self.runs
        se = float(per_world.std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0
        return Reach(
            expected_value=float(per_world.mean()),
            standard_error=se,
            expected_customers=float(counts.mean()),
            runs=runs,
        )


def _check_memory(n: int, live_per_run: float, runs: int) -> None:
    """Refuse, before allocating, ``runs`` worlds that would not fit :data:`MEMORY_BUDGET`."""
    per_run = _HEADROOM * (_BYTES_PER_NODE * n + _BYTES_PER_LIVE_TIE * live_per_run)
    if per_run * runs > MEMORY_BUDGET:
        most = int(MEMORY_BUDGET // per_run)
        advice = f"use at most {most} runs" if most else "even one run does not fit"
        raise InvalidInput(
            f"{runs} Monte-Carlo runs over {n} customers would need about "
            f"{per_run * runs / 2**30:.1f} GiB (limit {MEMORY_BUDGET / 2**30:.0f} GiB): "
            f"{advice} (a lower beta keeps fewer ties live)",
            details={"runs": runs, "max_runs": most, "customers": n},
        )


def _worlds(snap: Snapshot, runs: int, seed: int) -> _Worlds:
    return cached(
        snap,
        ("worlds", runs, seed),
        lambda: _Worlds(holding_matrix(snap), snap.values, runs, seed),
    )


def _check_runs(runs: object) -> int:
    return check_top(runs, "runs", 100_000)


def expected_reach(
    snapshot: Snapshot,
    seeds: Sequence[str],
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    settings: GraphSettings | None = None,
) -> Reach:
    """Expected customer value reached by a referral campaign started at ``seeds``.

    ``sigma(S) = E[sum_{i reached} a_i]`` under the independent cascade of the module
    docstring, estimated on ``runs`` worlds drawn from ``seed`` (the same worlds as
    :func:`referral_seeds` with the same ``runs`` and ``seed``).

    Parameters
    ----------
    snapshot : Snapshot
    seeds : sequence of str
        Customer ids the campaign starts with (may be empty).
    runs : int
        Monte-Carlo worlds (1..100,000; default 200).
    seed : int
        Random seed of the worlds.
    settings : GraphSettings, optional

    Returns
    -------
    Reach

    Raises
    ------
    UnknownCustomer, InvalidInput

    References
    ----------
    Kempe, Kleinberg and Tardos, "Maximizing the spread of influence through a social
    network", KDD 2003.
    """
    runs, seed = _check_runs(runs), check_seed(seed)
    snap = weighted(snapshot, settings)
    idx = snap.indices_of(list(seeds))
    worlds = _worlds(snap, runs, seed)
    reached = np.zeros(worlds.n_comp, dtype=bool)
    for new in worlds.spread(np.unique(idx), reached) if len(idx) else []:
        reached[new] = True
    return worlds.reach_of(reached)


def referral_seeds(
    snapshot: Snapshot,
    k: int = 10,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    candidates: int | None = None,
    settings: GraphSettings | None = None,
    progress: Progress | None = None,
) -> SeedResult:
    """Choose ``k`` referral seeds that maximise the expected customer value reached.

    CELF lazy greedy on the Monte-Carlo estimate of ``sigma`` (module docstring): each step adds
    the candidate with the largest marginal value ``sigma(S + c) - sigma(S)`` on the shared
    worlds; a stale marginal (an upper bound, by submodularity) is recomputed only when it tops
    the list, in vectorised batches. Greedy is within ``1 - 1/e`` of the best ``k``-set among
    the candidates on the sampled worlds (Kempe et al. 2003); the sampling error of the result is
    its ``standard_error``. Candidates are the customers with the largest one-step expected
    reach ``a_c + sum_i p_ic a_i``, ``max(100, 20 k)`` of them by default.

    Parameters
    ----------
    snapshot : Snapshot
    k : int
        Number of seeds (1..10,000; at most n).
    runs : int
        Monte-Carlo worlds (default 200); the standard error shrinks as ``1 / sqrt(runs)``.
    seed : int
        Random seed of the worlds.
    candidates : int, optional
        Candidate pool size (>= k); n considers every customer.
    settings : GraphSettings, optional
    progress : callable, optional
        ``progress(chosen, k)``, called when the first gains are known and after each choice;
        an exception raised in it stops the search.

    Returns
    -------
    SeedResult

    Raises
    ------
    InvalidInput
        ``k``, ``runs``, ``candidates`` or ``seed`` out of range, or too many live ties for
        memory.

    References
    ----------
    Kempe, Kleinberg and Tardos, "Maximizing the spread of influence through a social
    network", KDD 2003.
    Leskovec et al., "Cost-effective outbreak detection in networks", KDD 2007 (CELF).
    """
    runs, seed = _check_runs(runs), check_seed(seed)
    snap = weighted(snapshot, settings)
    n = snap.n
    k, pool_size = check_k_and_pool(k, candidates, n)
    L = holding_matrix(snap)
    a = snap.values
    one_step = a + np.bincount(
        L.indices,
        weights=activation_probability(L.data) * a[np.repeat(np.arange(n), np.diff(L.indptr))],
        minlength=n,
    )
    pool = np.lexsort((np.arange(n), -one_step))[:pool_size]
    worlds = _worlds(snap, runs, seed)
    batch = max(1, min(_BATCH, _BATCH_CELLS // max(worlds.n_comp, 1)))
    reached = np.zeros(worlds.n_comp, dtype=bool)
    evaluations = 0

    def gains_of(cands: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        out = np.empty(len(cands))
        for s in range(0, len(cands), batch):
            chunk = worlds.spread(cands[s : s + batch], reached)
            out[s : s + len(chunk)] = [worlds.comp_value[new].sum() / runs for new in chunk]
            evaluations += len(chunk)
        return out

    def pick(c: int) -> None:
        (new,) = worlds.spread(np.array([c], dtype=np.int64), reached)
        reached[new] = True

    chosen, marginal = lazy_greedy(pool, k, gains_of, pick, batch, progress)
    total = worlds.reach_of(reached)
    return SeedResult(
        seeds=[str(snap.ids[i]) for i in chosen],
        marginal=marginal,
        expected_value=total.expected_value,
        standard_error=total.standard_error,
        expected_customers=total.expected_customers,
        runs=runs,
        candidates=int(pool_size),
        evaluations=evaluations,
    )
