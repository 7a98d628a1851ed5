"""Own values from purchase events: a recency-frequency-monetary (RFM) score.

For one customer, as of the time ``T``, take the purchases ``(t_k, m_k)`` with
``T - window < t_k <= T``; ``age_k = (T - t_k)`` in days, ``h`` the half-life in days::

    R = 2^(-age_last / h)                                 recency of the last purchase, in (0, 1]
    repeat = sum over all purchases but the earliest of 2^(-age_k / h)
    F = 1 - exp(-repeat / frequency_scale)                repeat purchasing, saturating, in [0, 1)
    L = ln(1 + spend / monetary_scale),  spend = sum m_k
    M = L / (1 + L)                                       log-scaled spend, saturating, in [0, 1)
    a = value_scale * (w_R R + w_F F + w_M M) / (w_R + w_F + w_M)

A customer with purchases but none in the window gets ``a = 0``. The defaults weigh frequency
twice as much as recency and spend (``w_F = 2``): repeat purchasing is what makes a customer
worth holding. ``2^(-age/h) = exp(-ln 2 * age / h)``, so a purchase one half-life old counts half.
Every term grows with more purchases, more recent purchases and more spend, so ``a`` never falls
when a customer buys more or more recently (property-tested).

Aggregation keeps per customer only sufficient statistics - the count, the decayed count, the
first and last time and the spend - so a purchase log of any length streams through in chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from graph_engine.ingest.aggregate import DenseSums, FirstSeen, IdIndex
from graph_engine.ingest.events import DAY
from graph_engine.ingest.params import RFMParams

__all__ = ["PurchaseAggregator", "RFMScores", "rfm_scores"]


@dataclass(frozen=True)
class RFMScores:
    """Per-customer RFM components and own value (arrays of shape (n,))."""

    value: np.ndarray
    recency: np.ndarray
    frequency: np.ndarray
    monetary: np.ndarray


def rfm_scores(
    decayed: np.ndarray,
    first_age: np.ndarray,
    last_age: np.ndarray,
    spend: np.ndarray,
    params: RFMParams,
) -> RFMScores:
    """Own values from per-customer sufficient statistics.

    Formula in the module docstring.

    Parameters
    ----------
    decayed : ndarray, shape (n,)
        ``sum_k 2^(-age_k / h)`` over the purchases in the window.
    first_age, last_age : ndarray, shape (n,)
        Age of the earliest and of the latest purchase in the window (days, >= 0).
    spend : ndarray, shape (n,)
        Sum of the amounts in the window (currency units, >= 0).
    params : RFMParams
        Half-life, scales and weights.

    Returns
    -------
    RFMScores
        ``value`` in [0, value_scale]; ``recency`` in (0, 1], ``frequency`` and ``monetary``
        in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> s = rfm_scores(np.array([1.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]),
    ...                RFMParams(weight_frequency=0, weight_monetary=0))
    >>> float(s.value[0])    # one purchase today, recency only
    100.0
    """
    h = params.half_life_days
    recency = np.exp2(-last_age / h)
    repeat = np.maximum(decayed - np.exp2(-first_age / h), 0.0)
    frequency = -np.expm1(-repeat / params.frequency_scale)
    log_spend = np.log1p(spend / params.monetary_scale)
    # L / (1 + L), and 1 where the spend overflowed to infinity
    monetary = np.divide(
        log_spend, 1.0 + log_spend, out=np.ones_like(log_spend), where=np.isfinite(log_spend)
    )
    w = (params.weight_recency, params.weight_frequency, params.weight_monetary)
    value = params.value_scale * (w[0] * recency + w[1] * frequency + w[2] * monetary) / sum(w)
    return RFMScores(value=value, recency=recency, frequency=frequency, monetary=monetary)


class PurchaseAggregator:
    """Per-customer purchase statistics as of one or more times, fed chunk by chunk.

    Parameters
    ----------
    as_ofs : sequence of float
        The times (Unix seconds) to derive values at; events after a time do not count for it.
    params : RFMParams
    index : IdIndex, optional
        Shared id codes (history shares one index between purchases and interactions).
    """

    def __init__(
        self, as_ofs: Sequence[float], params: RFMParams, index: IdIndex | None = None
    ) -> None:
        self.as_ofs = [float(t) for t in as_ofs]
        self.params = params
        self.index = index if index is not None else IdIndex()
        ops = {"n": "sum", "decayed": "sum", "first": "min", "last": "max", "spend": "sum"}
        self._sums = [DenseSums(ops) for _ in self.as_ofs]
        self.seen = FirstSeen()  # every customer with a purchase
        self.used = [0] * len(self.as_ofs)
        self.later = [0] * len(self.as_ofs)

    def add(self, table: pa.Table) -> None:
        """Add a clean chunk from :func:`~graph_engine.ingest.events.read_events`."""
        codes = self.index.codes(table.column("customer_id").combine_chunks())
        t = table.column("t").to_numpy()
        amount = table.column("amount").to_numpy()
        self.seen.add(codes, t)
        window = self.params.window_days
        for j, as_of in enumerate(self.as_ofs):
            keep = t <= as_of
            self.later[j] += int((~keep).sum())
            if window is not None:
                keep &= t > as_of - window * DAY
            tk, ck, ak = (t, codes, amount) if keep.all() else (t[keep], codes[keep], amount[keep])
            self.used[j] += len(tk)
            factor = np.exp2(-(as_of - tk) / (self.params.half_life_days * DAY))
            self._sums[j].add(
                ck, {"n": None, "decayed": factor, "first": tk, "last": tk, "spend": ak}
            )

    def result(self, j: int = 0) -> tuple[np.ndarray, RFMScores]:
        """Codes of the customers that exist at ``as_ofs[j]`` and their RFM scores.

        A customer exists from its first purchase; with purchases only before the window its
        value is 0.
        """
        as_of = self.as_ofs[j]
        exists = self.seen.existing(as_of)
        s = self._sums[j].result(len(self.index))
        codes = exists  # ascending
        bought = s["n"][codes] > 0  # a purchase inside the window
        decayed = s["decayed"][codes]
        first_age = np.where(bought, (as_of - s["first"][codes]) / DAY, np.inf)
        last_age = np.where(bought, (as_of - s["last"][codes]) / DAY, np.inf)
        spend = s["spend"][codes]
        scores = rfm_scores(decayed, first_age, last_age, spend, self.params)
        return codes, scores
