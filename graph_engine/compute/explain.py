"""Why a customer is sticky (its contributors) and what each customer holds for others.

- **contribution** of j to i: ``lambda_ij * a_j``; the explanation of ``S_i`` lists them.
- **network value** of j: ``sum_i lambda_ij * a_j``, what the others lose if j leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from graph_engine.compute.stickiness import Hops, Scores, check_hops, scores
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

__all__ = ["Contributor", "Explanation", "contributions", "explain", "network_value"]


@dataclass(frozen=True)
class Contributor:
    """One neighbour's share of a customer's stickiness (``lambda_ij * a_j``)."""

    id: str
    contribution: float
    lam: float


@dataclass(frozen=True)
class Explanation:
    """A customer's scores and where its network part comes from.

    ``contributors`` are the direct neighbours (largest contribution first, at most ``top``);
    ``further`` is the part of ``network`` that comes from more than one hop away (0 for hops=1).
    """

    id: str
    own: float
    network: float
    stickiness: float
    network_share: float
    hops: Hops
    contributors: list[Contributor] = field(default_factory=list)
    n_contributors: int = 0
    further: float = 0.0


def contributions(snapshot: Snapshot, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Direct contributors of customer index ``i``: (neighbour indices, lambda, contribution).

    Several ties to the same neighbour (an undirected and a directed one) are added together.
    """
    L = snapshot.L
    start, end = L.indptr[i], L.indptr[i + 1]
    cols = L.indices[start:end]
    lam = L.data[start:end]
    if len(cols) and np.any(cols[1:] == cols[:-1]):
        cols, inverse = np.unique(cols, return_inverse=True)
        lam = np.bincount(inverse, weights=lam, minlength=len(cols))
    return cols.astype(np.int64), lam, lam * snapshot.values[cols]


def explain(
    snapshot: Snapshot,
    customer_id: str,
    *,
    top: int = 10,
    hops: Hops = 1,
    settings: GraphSettings | None = None,
    precomputed: Scores | None = None,
) -> Explanation:
    """Scores of one customer and its top contributors.

    Parameters
    ----------
    snapshot : Snapshot
    customer_id : str
    top : int
        How many contributors to list (>= 0), largest first; ties broken by id.
    hops : int or "all"
        As in :func:`graph_engine.compute.stickiness.scores`.
    settings : GraphSettings, optional
        Override beta and kind weights for this call.
    precomputed : Scores, optional
        Scores of the whole graph at the same hops and settings (avoids recomputing them).

    Raises
    ------
    UnknownCustomer, InvalidInput, Divergent
    """
    hops = check_hops(hops)
    snap = snapshot if settings is None else snapshot.with_settings(settings)
    i = snap.index_of(customer_id)
    cols, lam, contrib = contributions(snap, i)
    direct = float(contrib.sum())
    own = float(snap.values[i])
    if hops == 1 and precomputed is None:
        total = own + direct
        network, further = direct, 0.0
    else:
        sc = precomputed if precomputed is not None else scores(snap, hops)
        total = float(sc.stickiness[i])
        network = float(sc.network[i])
        further = max(network - direct, 0.0) if hops != 1 else 0.0
    order = np.lexsort((snap.ids[cols].astype(str), -contrib))[: max(top, 0)]
    listed = [
        Contributor(id=str(snap.ids[cols[k]]), contribution=float(contrib[k]), lam=float(lam[k]))
        for k in order
    ]
    return Explanation(
        id=customer_id,
        own=own,
        network=network,
        stickiness=total,
        network_share=network / total if total > 0 else 0.0,
        hops=hops,
        contributors=listed,
        n_contributors=len(cols),
        further=further,
    )


def network_value(snapshot: Snapshot, settings: GraphSettings | None = None) -> np.ndarray:
    """Network value of every customer: ``nv_j = a_j * sum_i lambda_ij`` (shape (n,)).

    What the other customers' stickiness loses (at hops=1) if customer j leaves.
    """
    snap = snapshot if settings is None else snapshot.with_settings(settings)
    L = snap.L
    held = np.bincount(L.indices, weights=L.data, minlength=snap.n)
    return held * snap.values
