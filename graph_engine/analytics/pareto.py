"""Where stickiness is concentrated: the Pareto (Lorenz) curve and the Gini coefficient.

With customers sorted by stickiness descending, ``share(x)`` is the share of total stickiness
held by the top fraction ``x`` of customers. Between whole customers the curve is interpolated
linearly (the top 2.5 of 5 customers hold the first two plus half of the third), so ``share`` is
defined for every ``x`` in [0, 1], increasing and concave, with ``share(0) = 0`` and
``share(1) = 1``. The Gini coefficient of non-negative values ``x`` (ascending, ``i = 1..n``)::

    G = 2 sum_i i x_(i) / (n sum_i x_i) - (n + 1) / n        (0 = equal, (n-1)/n = one holds all)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph_engine.compute.stickiness import Hops, check_hops, scores
from graph_engine.errors import InvalidInput
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

__all__ = ["Pareto", "gini", "pareto", "top_share"]

DEFAULT_POINTS = (0.01, 0.05, 0.1, 0.2, 0.5)


@dataclass(frozen=True)
class Pareto:
    """Shares of total stickiness held by the top fractions, and the Gini coefficient."""

    points: list[tuple[float, float]]  # (top fraction x, share of the total held)
    gini: float
    total: float
    n: int


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    x = np.asarray(list(fractions), dtype=np.float64)
    if x.ndim != 1 or np.any(~np.isfinite(x)) or np.any((x < 0) | (x > 1)):
        raise InvalidInput(f"top fractions must be numbers from 0 to 1, got {list(fractions)!r}")
    return x


def _check_values(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or np.any(~np.isfinite(v)) or np.any(v < 0):
        raise InvalidInput("values must be a one-dimensional array of finite numbers >= 0")
    return v


def top_share(values: np.ndarray, fractions: Sequence[float]) -> list[float]:
    """Share of ``sum(values)`` held by the top fraction ``x`` of entries, for each ``x``.

    Parameters
    ----------
    values : array of float >= 0, shape (n,)
    fractions : sequence of float in [0, 1]

    Returns
    -------
    list of float
        One share in [0, 1] per fraction (all 0 when the values sum to 0).
    """
    v = _check_values(values)
    x = _check_fractions(fractions)
    total = v.sum()
    if len(v) == 0 or total == 0:
        return [0.0] * len(x)
    cum = np.concatenate([[0.0], np.cumsum(np.sort(v)[::-1])]) / total
    return [float(s) for s in np.interp(x * len(v), np.arange(len(v) + 1), cum)]


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (formula in the module docstring).

    Returns 0 for fewer than one value or an all-zero vector.

    References
    ----------
    Gini, "Variabilità e mutabilità", 1912; formula as in Damgaard and Weiner, "Describing
    inequality in plant size or fecundity", Ecology 81, 2000.
    """
    v = np.sort(_check_values(values))
    n = len(v)
    total = v.sum()
    if n == 0 or total == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(2.0 * (i * v).sum() / (n * total) - (n + 1) / n)


def pareto(
    snapshot: Snapshot,
    fractions: Sequence[float] = DEFAULT_POINTS,
    *,
    hops: Hops = 1,
    segment: str | None = None,
    settings: GraphSettings | None = None,
) -> Pareto:
    """Pareto curve of stickiness: share held by the top ``x`` of customers, and the Gini.

    Parameters
    ----------
    snapshot : Snapshot
    fractions : sequence of float in [0, 1]
        Top fractions to report (default 1%, 5%, 10%, 20%, 50%).
    hops : int or "all"
    segment : str, optional
        Only the customers of this segment.
    settings : GraphSettings, optional

    Returns
    -------
    Pareto

    Raises
    ------
    InvalidInput
        A fraction outside [0, 1], or bad hops.

    Examples
    --------
    >>> import numpy as np
    >>> top_share(np.array([6.0, 2.0, 1.0, 1.0]), [0.25, 0.5])
    [0.6, 0.8]
    """
    x = _check_fractions(fractions)
    snap = snapshot if settings is None else snapshot.with_settings(settings)
    stick = scores(snap, check_hops(hops)).stickiness[snap.segment_mask(segment)]
    shares = top_share(stick, x.tolist())
    return Pareto(
        points=[(float(f), s) for f, s in zip(x.tolist(), shares, strict=True)],
        gini=gini(stick),
        total=float(stick.sum()),
        n=len(stick),
    )
