"""Stickiness of every customer: own, network, stickiness and network share.

With ``L`` the tie-weight matrix of a snapshot and ``a`` the own values::

    hops = 1      S = a + L a                        (the model of DESIGN.md, the default)
    hops = K      S = sum_{k=0..K} L^k a             (K matrix-vector products)
    hops = "all"  S = (I - L)^-1 a                   (only when the spectral radius of L < 1)

``network = S - a`` and ``network_share = network / S`` (0 where S = 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from graph_engine.errors import Divergent, InvalidInput
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

__all__ = [
    "MAX_HOPS",
    "Hops",
    "Scores",
    "check_hops",
    "scores",
    "spectral_radius",
]

MAX_HOPS = 50
Hops = int | Literal["all"]
_DENSE_LIMIT = 400  # below this many customers, eigenvalues and solves are done densely


@dataclass(frozen=True)
class Scores:
    """Scores of every customer, aligned with ``Snapshot.ids`` (arrays of shape (n,))."""

    own: np.ndarray
    network: np.ndarray
    stickiness: np.ndarray
    network_share: np.ndarray
    hops: Hops

    def row(self, i: int) -> dict[str, float]:
        """The four scores of customer ``i`` as Python floats."""
        return {
            "own": float(self.own[i]),
            "network": float(self.network[i]),
            "stickiness": float(self.stickiness[i]),
            "network_share": float(self.network_share[i]),
        }


def check_hops(hops: object) -> Hops:
    """Validate ``hops``: an integer 1..MAX_HOPS or ``"all"`` (also given as a string)."""
    if isinstance(hops, str):
        if hops.strip().lower() == "all":
            return "all"
        try:
            hops = int(hops)
        except ValueError:
            raise InvalidInput(
                f"hops must be an integer from 1 to {MAX_HOPS} or 'all', got {hops!r}",
                details={"hops": hops},
            ) from None
    if (
        isinstance(hops, bool)
        or not isinstance(hops, int | np.integer)
        or not 1 <= hops <= MAX_HOPS
    ):
        raise InvalidInput(
            f"hops must be an integer from 1 to {MAX_HOPS} or 'all', got {hops!r}",
            details={"hops": str(hops)},
        )
    return int(hops)


def scores(snapshot: Snapshot, hops: Hops = 1, settings: GraphSettings | None = None) -> Scores:
    """Own, network, stickiness and network share of every customer.

    Parameters
    ----------
    snapshot : Snapshot
        The graph.
    hops : int or "all"
        1 (default) for ``S = a + L a``; K for ``sum_{k<=K} L^k a``; ``"all"`` for the
        unbounded series ``(I - L)^-1 a``.
    settings : GraphSettings, optional
        Override the snapshot's beta and kind weights for this call only.

    Returns
    -------
    Scores
        Arrays of shape (n,), in the units of the own values.

    Raises
    ------
    InvalidInput
        ``hops`` out of range.
    Divergent
        ``hops="all"`` while the spectral radius of ``L`` is >= 1 (``details["spectral_radius"]``).

    Examples
    --------
    >>> import numpy as np
    >>> from graph_engine.snapshot import Snapshot
    >>> snap = Snapshot.from_edges(["A", "B"], np.array([10.0, 4.0]), np.array([0]),
    ...     np.array([1]), np.array([0.5]), np.array([0]), ["friend"], np.array([False]))
    >>> scores(snap).stickiness.tolist()    # A: 10 + 0.5*4, B: 4 + 0.5*10
    [12.0, 9.0]
    """
    hops = check_hops(hops)
    snap = snapshot if settings is None else snapshot.with_settings(settings)
    a = snap.values
    total = _kernel(snap.L, a, hops)
    network = total - a
    # tiny negative round-off would make a share of -0.0 or a network of -1e-17
    network = np.maximum(network, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, network / np.where(total > 0, total, 1.0), 0.0)
    return Scores(own=a, network=network, stickiness=total, network_share=share, hops=hops)


def _kernel(L: sp.csr_matrix, a: np.ndarray, hops: Hops) -> np.ndarray:
    """``sum_{k=0..hops} L^k a`` (or the unbounded series) on raw arrays."""
    if hops == "all":
        return _series(L, a)
    total = a.copy()
    term = a
    for _ in range(hops):
        term = L @ term
        total += term
    return total


def spectral_radius(L: sp.spmatrix) -> float:
    """Spectral radius of a non-negative matrix (largest eigenvalue modulus).

    Uses the Perron bound ``max row sum`` first: when it is below 1 the exact value is not needed
    by callers that only ask "below 1?", but this function always returns the exact radius
    (dense eigenvalues for small matrices, ARPACK for large ones).
    """
    n = L.shape[0]
    if n == 0 or L.nnz == 0:
        return 0.0
    if n <= _DENSE_LIMIT:
        return float(np.max(np.abs(np.linalg.eigvals(L.toarray()))))
    symmetric = (abs(L - L.T) > 1e-12 * abs(L).max()).nnz == 0
    try:
        if symmetric:
            value = spla.eigsh(
                L.astype(np.float64), k=1, which="LA", return_eigenvectors=False, tol=1e-8
            )
        else:
            value = spla.eigs(
                L.astype(np.float64), k=1, which="LM", return_eigenvectors=False, tol=1e-8
            )
        return float(np.max(np.abs(value)))
    except spla.ArpackNoConvergence:
        return _power_radius(L)


def _power_radius(L: sp.spmatrix, iterations: int = 2000) -> float:
    """Power-iteration estimate of the Perron root (fallback when ARPACK does not converge)."""
    x = np.ones(L.shape[0]) / L.shape[0]
    rho = 0.0
    for _ in range(iterations):
        y = L @ x + 1e-12 * x  # the shift keeps periodic (bipartite) graphs from oscillating
        norm = np.abs(y).sum()
        if norm == 0:
            return 0.0
        new = norm / np.abs(x).sum()
        x = y / norm
        if abs(new - rho) < 1e-12 * max(new, 1.0):
            return float(new)
        rho = new
    return float(rho)


def _series(L: sp.csr_matrix, a: np.ndarray) -> np.ndarray:
    """Solve ``(I - L) S = a`` after checking the spectral radius is below 1."""
    row_sums = np.asarray(L.sum(axis=1)).ravel() if L.nnz else np.zeros(L.shape[0])
    if row_sums.size == 0:
        return a.copy()
    if row_sums.max() >= 1.0:  # the cheap Perron bound is inconclusive: compute the radius
        rho = spectral_radius(L)
        if rho >= 1.0 - 1e-9:
            raise Divergent(
                f"the unbounded multi-hop series diverges: the spectral radius of the tie-weight "
                f"matrix is {rho:.6g} (it must be below 1); lower beta or use a finite hops",
                details={"spectral_radius": rho},
            )
    n = L.shape[0]
    if n <= _DENSE_LIMIT:
        return np.linalg.solve(np.eye(n) - L.toarray(), a)
    system = sp.identity(n, format="csr") - L
    solution, info = spla.bicgstab(system, a, x0=a.copy(), rtol=1e-12, atol=0.0, maxiter=10_000)
    residual = np.linalg.norm(system @ solution - a) / max(np.linalg.norm(a), 1e-300)
    if info != 0 and residual > 1e-8:
        solution = spla.spsolve(system.tocsc(), a)
    return np.asarray(solution, dtype=np.float64)
