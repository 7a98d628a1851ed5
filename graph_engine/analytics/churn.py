"""What-if churn: who loses how much when customers leave, the cascade that follows, and whom
to protect first.

When the customers in a set ``R`` leave, their own stickiness becomes 0 and they stop holding
anyone. With ``D = diag(1 - 1_R)`` (1 for customers who stay)::

    hops = 1      S_after = D (a + L D a)            others lose lambda_ij * a_j per leaver j
    hops = K      S_after = D sum_{k=0..K} (L D)^k D a
    hops = "all"  S_after = D (I - D L D)^-1 D a

so for hops > 1 a leaver also stops passing on the value of customers further away (paths
through a leaver break). ``loss = S_before - S_after`` for every customer, the leavers' own
included, and ``total_loss = sum(loss)``.

**Cascade** (threshold rule): after each round every remaining customer whose stickiness fell
below ``threshold * S_before`` leaves too; rounds repeat until nobody new leaves. Customers whose
stickiness was 0 never follow, and one exactly on the threshold stays (a relative margin of
1e-10 absorbs rounding). At ``hops = 1`` a departure only touches the customers the leaver holds,
so rounds are followed through the leavers' ties alone (work proportional to them, not to the
graph); longer hops recompute the whole formula each round. Nothing in the store changes:
everything runs on the snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from graph_engine.analytics._celf import Progress, lazy_greedy
from graph_engine.analytics._graph import (
    cached,
    check_k_and_pool,
    holding_matrix,
    row_entries,
    weighted,
)
from graph_engine.compute.stickiness import Hops, _kernel, check_hops
from graph_engine.errors import InvalidInput
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

__all__ = [
    "ChurnResult",
    "ProtectResult",
    "check_threshold",
    "protect",
    "what_if_churn",
]

_BATCH_BYTES = 2**27  # memory budget of one batch of simulated departures (per array)
_MARGIN = 1e-10  # relative rounding margin of the cascade rule (see _limit)


@dataclass(frozen=True)
class ChurnResult:
    """Outcome of a what-if departure (arrays of shape (n,), aligned with ``ids``).

    ``left`` marks every customer gone at the end (the initial leavers and those who followed);
    ``rounds[r]`` lists the ids that followed in round ``r + 1`` (ascending).
    """

    ids: np.ndarray
    before: np.ndarray
    after: np.ndarray
    left: np.ndarray
    leavers: list[str]
    rounds: list[list[str]]
    total_loss: float
    threshold: float | None
    hops: Hops

    @property
    def loss(self) -> np.ndarray:
        """``before - after`` of every customer."""
        return self.before - self.after

    def losses(self, limit: int | None = None, offset: int = 0) -> list[dict[str, object]]:
        """Customers who lost something, largest loss first (ties by id), as plain dicts."""
        loss = self.loss
        hit = np.flatnonzero(loss > 0)
        order = hit[np.lexsort((self.ids[hit].astype(str), -loss[hit]))]
        end = None if limit is None else offset + limit
        return [
            {
                "id": str(self.ids[i]),
                "before": float(self.before[i]),
                "after": float(self.after[i]),
                "loss": float(loss[i]),
            }
            for i in order[offset:end].tolist()
        ]

    @property
    def n_affected(self) -> int:
        """Customers who lost something."""
        return int(np.count_nonzero(self.loss > 0))


def check_threshold(threshold: object) -> float | None:
    """Validate a cascade threshold: None (no cascade) or a fraction in [0, 1]."""
    if threshold is None:
        return None
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float | np.floating)
        or not (0.0 <= float(threshold) <= 1.0)
        or math.isnan(float(threshold))
    ):
        raise InvalidInput(
            f"threshold must be null or a fraction from 0 to 1, got {threshold!r}",
            details={"threshold": str(threshold)},
        )
    return float(threshold)


def _limit(before: np.ndarray, threshold: float) -> np.ndarray:
    """Stickiness below which a customer follows: ``threshold * before``, less a rounding margin.

    Sums of the same terms in another order differ in their last bits, so a customer sitting
    exactly on the threshold (common in regular graphs) must not leave or stay by rounding:
    it stays unless it is below by more than ``1e-10 * before``. A customer with nothing
    (before 0) never follows.
    """
    return threshold * before - _MARGIN * before


def _after(L: sp.csr_matrix, a: np.ndarray, stay: np.ndarray, hops: Hops) -> np.ndarray:
    """Stickiness with only the ``stay`` customers present; ``stay`` is (n,) or (n, B)."""
    stay_f = stay.astype(np.float64)
    if stay.ndim == 2:
        a = a[:, None]
    if hops == "all":
        if stay.ndim == 2:
            return np.column_stack(
                [_after(L, a[:, 0], stay[:, b], hops) for b in range(stay.shape[1])]
            )
        D = sp.diags(stay_f)
        return stay_f * _kernel((D @ L @ D).tocsr(), stay_f * a, "all")
    term = stay_f * a
    total = term.copy()
    for _ in range(int(hops)):
        term = stay_f * (L @ term)
        total += term
    return total


def _cascade(
    L: sp.csr_matrix,
    a: np.ndarray,
    before: np.ndarray,
    left: np.ndarray,
    threshold: float | None,
    hops: Hops,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Run departures to the end; ``left`` is (n,) or (n, B). Returns (after, left, rounds)."""
    left = left.copy()
    rounds: list[np.ndarray] = []
    while True:
        after = _after(L, a, ~left, hops)
        if threshold is None:
            return after, left, rounds
        base = before if left.ndim == 1 else before[:, None]
        new = ~left & (after < _limit(base, threshold))
        if not new.any():
            return after, left, rounds
        rounds.append(new)
        left |= new


class _LocalCascade:
    """Departures at ``hops = 1``, followed through their local effect only.

    At hops=1 a leaver ``j`` takes exactly ``lambda_ij a_j`` from each customer ``i`` it holds
    and nothing from anyone else. So a departure, and each cascade round, updates only the
    customers that the new leavers hold: the work is proportional to their ties, where a full
    product ``L D a`` per round costs every tie of the graph (20M multiply-adds per simulated
    scenario at 10M ties). Scenarios are simulated side by side in *cells*: cell ``i * B + b``
    is customer ``i`` in scenario ``b`` of ``B``.
    """

    def __init__(self, L: sp.csr_matrix, a: np.ndarray) -> None:
        self.held = L.T.tocsr()  # row j: the customers i that j holds, with lambda_ij
        self.a = a
        self.before = _after(L, a, np.ones(len(a), dtype=bool), 1)

    def run(
        self,
        after: np.ndarray,
        left: np.ndarray,
        cells: np.ndarray,
        threshold: float | None,
        scenarios: int = 1,
    ) -> list[np.ndarray]:
        """Let ``cells`` leave, then cascade; ``after`` and ``left`` (flat, n * B) change in place.

        Returns the cells that followed, one sorted array per round.
        """
        B, held = scenarios, self.held
        rounds: list[np.ndarray] = []
        cells = np.unique(cells)
        cells = cells[~left[cells]]
        while len(cells):
            left[cells] = True
            after[cells] = 0.0
            j, b = cells // B, cells % B
            pos, which = row_entries(held, j)
            target = held.indices[pos].astype(np.int64) * B + b[which]
            take = held.data[pos] * self.a[j[which]]
            keep = ~left[target]
            target, take = target[keep], take[keep]
            np.subtract.at(after, target, take)
            if threshold is None:
                break
            touched = np.unique(target)
            base = self.before[touched // B]
            cells = touched[after[touched] < _limit(base, threshold)]
            if len(cells):
                rounds.append(cells)
        return rounds


def _local(snap: Snapshot) -> _LocalCascade:
    return cached(
        snap, ("local-cascade",), lambda: _LocalCascade(holding_matrix(snap), snap.values)
    )


def what_if_churn(
    snapshot: Snapshot,
    customers: Sequence[str],
    *,
    threshold: float | None = None,
    hops: Hops = 1,
    settings: GraphSettings | None = None,
) -> ChurnResult:
    """Every customer's loss of stickiness when ``customers`` leave, with an optional cascade.

    Formulas in the module docstring. With ``threshold`` set, customer ``i`` follows in the
    first round where ``S_after_i < threshold * S_before_i``; rounds repeat until none follows.

    Parameters
    ----------
    snapshot : Snapshot
    customers : sequence of str
        Ids of the customers who leave (at least one, each known; repeats are ignored).
    threshold : float, optional
        Fraction in [0, 1] of its former stickiness below which a customer follows; None (the
        default) runs no cascade.
    hops : int or "all"
        As in :func:`graph_engine.compute.scores`.
    settings : GraphSettings, optional
        Override beta and kind weights.

    Returns
    -------
    ChurnResult
        ``total_loss = sum_i (S_before_i - S_after_i)``, leavers included (their after is 0),
        in the units of the own values.

    Raises
    ------
    InvalidInput
        No customers, or a threshold outside [0, 1].
    UnknownCustomer
        An id that is not in the snapshot (nothing is computed).

    Examples
    --------
    >>> import numpy as np
    >>> from graph_engine.snapshot import Snapshot
    >>> snap = Snapshot.from_edges(["A", "B"], np.array([10.0, 4.0]), np.array([0]),
    ...     np.array([1]), np.array([0.5]), np.array([0]), ["friend"], np.array([False]))
    >>> r = what_if_churn(snap, ["A"])      # B loses 0.5*10, A loses all of 12
    >>> r.total_loss, r.losses()[1]["loss"]
    (17.0, 5.0)
    """
    threshold = check_threshold(threshold)
    hops = check_hops(hops)
    if isinstance(customers, str):
        customers = [customers]
    customers = list(dict.fromkeys(customers))
    if not customers:
        raise InvalidInput("give at least one customer who leaves")
    snap = weighted(snapshot, settings)
    idx = snap.indices_of(customers)
    if hops == 1:
        local = _local(snap)
        before = local.before
        after = before.copy()
        left = np.zeros(snap.n, dtype=bool)
        rounds = local.run(after, left, np.asarray(idx, dtype=np.int64), threshold)
        np.maximum(after, 0.0, out=after)  # differences may leave -1e-17 where all is lost
    else:
        L = holding_matrix(snap)
        a = snap.values
        before = _after(L, a, np.ones(snap.n, dtype=bool), hops)
        start = np.zeros(snap.n, dtype=bool)
        start[idx] = True
        after, left, masks = _cascade(L, a, before, start, threshold, hops)
        rounds = [np.flatnonzero(m) for m in masks]
    ids = snap.ids
    return ChurnResult(
        ids=ids,
        before=before,
        after=after,
        left=left,
        leavers=customers,
        rounds=[[str(x) for x in ids[r]] for r in rounds],
        total_loss=float((before - after).sum()),
        threshold=threshold,
        hops=hops,
    )


# ---------------------------------------------------------------------------------- protect
@dataclass(frozen=True)
class ProtectResult:
    """Customers to protect first, in the order greedy chose them.

    ``gains[r]`` is the cascade loss the ``r``-th choice adds to the ones before it;
    ``total_loss`` the loss if all chosen customers left (cascade included); ``candidates`` how
    many customers were considered and ``evaluations`` how many cascades were simulated.
    """

    customers: list[str]
    gains: list[float]
    total_loss: float
    threshold: float | None
    hops: Hops
    candidates: int
    evaluations: int
    followers: list[str] = field(default_factory=list)


def protect(
    snapshot: Snapshot,
    k: int = 10,
    *,
    threshold: float | None = None,
    hops: Hops = 1,
    candidates: int | None = None,
    settings: GraphSettings | None = None,
    progress: Progress | None = None,
) -> ProtectResult:
    """The ``k`` customers whose departure would cost the most: whom to retain first.

    Greedy on the what-if loss ``f(R) = total_loss`` of :func:`what_if_churn` (cascade
    included): each step adds the customer with the largest marginal loss
    ``f(R + c) - f(R)``, evaluated lazily (CELF): a stale marginal is recomputed only when it
    still tops the list, and stale ones are recomputed in vectorised batches.

    Approximation: without a cascade (``threshold=None``) at ``hops=1``,
    ``f(R) = sum_{i in R} S_i + sum_{j in R} nv_j - sum_{i, j in R} lambda_ij a_j`` is monotone
    and submodular, so greedy (and CELF, which picks the same customers) is within ``1 - 1/e``
    of the best ``k``-set among the candidates (Nemhauser, Wolsey and Fisher 1978). With a
    cascade, or ``hops > 1``, ``f`` need not be submodular: greedy is then a heuristic without a
    guarantee (marginals are still exact, only the laziness may skip a better customer).
    Candidates are the ``candidates`` customers with the largest single-departure loss without
    cascade (``S_c + nv_c`` at hops=1), default ``max(100, 20 k)``.

    Parameters
    ----------
    snapshot : Snapshot
    k : int
        How many customers to choose (1..10,000; at most n).
    threshold : float, optional
        Cascade threshold as in :func:`what_if_churn`.
    hops : int or "all"
    candidates : int, optional
        Size of the candidate pool (>= k); None for the default, n for all customers.
    settings : GraphSettings, optional
    progress : callable, optional
        ``progress(chosen, k)``, called when the first gains are known and after each choice;
        an exception raised in it stops the search.

    Returns
    -------
    ProtectResult

    Raises
    ------
    InvalidInput
        ``k`` or ``candidates`` out of range, bad threshold or hops.

    References
    ----------
    Leskovec et al., "Cost-effective outbreak detection in networks", KDD 2007 (CELF).
    Nemhauser, Wolsey and Fisher, "An analysis of approximations for maximizing submodular set
    functions", Math. Programming 14, 1978.
    """
    threshold = check_threshold(threshold)
    hops = check_hops(hops)
    snap = weighted(snapshot, settings)
    n = snap.n
    k, pool_size = check_k_and_pool(k, candidates, n)
    L = holding_matrix(snap)
    a = snap.values
    local = _local(snap) if hops == 1 else None  # departures followed through their ties
    before = local.before if local is not None else _after(L, a, np.ones(n, dtype=bool), hops)
    held = np.bincount(L.indices, weights=L.data, minlength=n)
    direct = before + held * a  # loss of a single departure at hops=1, no cascade
    pool = np.lexsort((np.arange(n), -direct))[:pool_size]
    batch = max(1, min(64, _BATCH_BYTES // (8 * max(n, 1))))

    base_left = np.zeros(n, dtype=bool)
    base_after = before.copy()  # stickiness once the chosen ones (and followers) are gone
    base_loss = 0.0
    evaluations = 0

    def gains_of(cands: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        out = np.empty(len(cands))
        for s in range(0, len(cands), batch):
            chunk = cands[s : s + batch]
            B = len(chunk)
            if local is not None:  # each candidate leaves on top of the chosen ones
                after = np.repeat(base_after, B)
                left = np.repeat(base_left, B)
                local.run(after, left, chunk * B + np.arange(B), threshold, B)
                after = after.reshape(n, B)
            else:
                left = np.repeat(base_left[:, None], B, axis=1)
                left[chunk, np.arange(B)] = True
                after, _, _ = _cascade(L, a, before, left, threshold, hops)
            out[s : s + B] = (before[:, None] - after).sum(axis=0) - base_loss
            evaluations += B
        return out

    def pick(c: int) -> None:
        nonlocal base_left, base_after, base_loss
        if local is not None:
            local.run(base_after, base_left, np.array([c]), threshold)
        else:
            base_left[c] = True
            base_after, base_left, _ = _cascade(L, a, before, base_left, threshold, hops)
        base_loss = float((before - base_after).sum())

    chosen, gains = lazy_greedy(pool, k, gains_of, pick, batch, progress)
    ids = snap.ids
    chosen_mask = np.zeros(n, dtype=bool)
    chosen_mask[chosen] = True
    return ProtectResult(
        customers=[str(ids[i]) for i in chosen],
        gains=gains,
        total_loss=base_loss,
        threshold=threshold,
        hops=hops,
        candidates=int(pool_size),
        evaluations=evaluations,
        followers=[str(x) for x in ids[base_left & ~chosen_mask]],
    )
