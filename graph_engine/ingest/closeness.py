"""Tie closeness from interaction events: saturating in the count, decaying with age.

For a pair of customers, as of the time ``T``, take the interactions between them with
``T - window < t_e <= T``; ``age_e = (T - t_e)`` in days, ``h`` the half-life in days::

    E = sum_e  w_kind(e) * weight_e * 2^(-age_e / h)       decayed, weighted event mass
    c = 1 - exp(-k * E)                                    closeness, in (0, 1)

so one fresh message (``w = 1``) gives ``c = 1 - exp(-k)``, an interaction one half-life old
counts exactly half, and closeness saturates towards 1 as interactions pile up.

Direction (DESIGN.md: a directed tie ``source -> target`` means the source is held by the target):

- **Mutual tie** when both customers initiated interactions in the window, or when they share
  an event of a mutual kind (``shared_order``, ``co_attendance`` by default).
- **Directed tie** when only one side initiated: the **initiator is held by the recipient**.
  The one who keeps writing or calling has invested in the relationship and would lose it by
  leaving; the recipient, who never answers, would not. Kinds in ``reverse_kinds`` (``referral``
  by default) go the other way: the referred customer (the event's target) is held by the
  referrer (its source), the convention of the demo graph.

The tie's kind is the interaction kind with the largest share of ``E`` (kind weights already
act inside ``c``; graph kind weights, if set in GraphSettings, act on top of it).

Aggregation keeps per pair only sufficient statistics - decayed mass per kind and the counts
of forward, backward and mutual events - so interaction logs of any length stream through in
chunks and memory grows with the number of pairs, not of events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph_engine.ingest.aggregate import (
    DenseSums,
    FirstSeen,
    IdIndex,
    KeyIndex,
    pair_keys,
    unpack_pairs,
)
from graph_engine.ingest.events import DAY
from graph_engine.ingest.params import ClosenessParams

__all__ = ["DerivedTies", "InteractionAggregator", "closeness"]


def closeness(mass: np.ndarray, k: float) -> np.ndarray:
    """Closeness ``c = 1 - exp(-k * E)`` of decayed, weighted event masses ``E >= 0``.

    Parameters
    ----------
    mass : ndarray
        Event mass ``E`` (dimensionless: weighted events, each discounted by its age).
    k : float
        Saturation rate (> 0).

    Returns
    -------
    ndarray
        Closeness in [0, 1), 0 exactly where ``E = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(closeness(np.array([1.0]), 0.2)[0]), 6)
    0.181269
    """
    return -np.expm1(-k * np.asarray(mass, dtype=np.float64))


@dataclass(frozen=True)
class DerivedTies:
    """Ties derived as of one time (arrays of shape (m,); ids as codes of the IdIndex)."""

    sources: np.ndarray
    targets: np.ndarray
    closeness: np.ndarray
    mass: np.ndarray
    kinds: np.ndarray
    directed: np.ndarray
    events: np.ndarray
    kind_codes: np.ndarray  # index into the aggregator's ``kinds``


class InteractionAggregator:
    """Per-pair interaction statistics as of one or more times, fed chunk by chunk.

    Parameters
    ----------
    as_ofs : sequence of float
        Times (Unix seconds); events after a time do not count for it.
    params : ClosenessParams
    index : IdIndex, optional
        Shared id codes.
    """

    def __init__(
        self, as_ofs: Sequence[float], params: ClosenessParams, index: IdIndex | None = None
    ) -> None:
        self.as_ofs = [float(t) for t in as_ofs]
        self.params = params
        self.index = index if index is not None else IdIndex()
        self.kinds = tuple(params.kind_weights)
        self._kind_set = pa.array(self.kinds, pa.string())
        self._kind_w = np.array([params.kind_weights[k] for k in self.kinds])
        self._mutual = np.isin(np.array(self.kinds, dtype=object), list(params.mutual_kinds))
        self._reverse = np.isin(np.array(self.kinds, dtype=object), list(params.reverse_kinds))
        self.pairs = KeyIndex()  # every pair (smaller code first) with an event
        self._sums = [
            DenseSums({"mass": "sum", "n": "sum"}, {"mass": len(self.kinds), "n": 3})
            for _ in self.as_ofs
        ]
        self.seen = FirstSeen()  # every customer in an interaction
        self.used = [0] * len(self.as_ofs)
        self.later = [0] * len(self.as_ofs)

    def add(self, table: pa.Table) -> None:
        """Add a clean chunk from :func:`~graph_engine.ingest.events.read_events`."""
        m = table.num_rows
        both = pa.concat_arrays(
            [table.column("source").combine_chunks(), table.column("target").combine_chunks()]
        )
        codes = self.index.codes(both)
        src, dst = codes[:m], codes[m:]
        t = table.column("t").to_numpy()
        kind = (
            pc.index_in(table.column("kind"), value_set=self._kind_set)
            .to_numpy(zero_copy_only=False)
            .astype(np.int64)
        )
        weight = table.column("weight").to_numpy() * self._kind_w[kind]
        self.seen.add(codes, np.concatenate([t, t]))
        rev = self._reverse[kind]
        src, dst = np.where(rev, dst, src), np.where(rev, src, dst)  # held one first
        # direction slot: 0 mutual kind, 1 forward (held one has the smaller code), 2 backward
        slot = np.where(self._mutual[kind], 0, np.where(src < dst, 1, 2))
        pair = self.pairs.codes(pair_keys(np.minimum(src, dst), np.maximum(src, dst)))
        window = self.params.window_days
        for j, as_of in enumerate(self.as_ofs):
            keep = t <= as_of
            self.later[j] += int(m - keep.sum())
            if window is not None:
                keep &= t > as_of - window * DAY
            self.used[j] += int(keep.sum())
            if keep.all():
                tk, wk, kk, sk, pk = t, weight, kind, slot, pair
            else:
                tk, wk, kk, sk, pk = t[keep], weight[keep], kind[keep], slot[keep], pair[keep]
            mass = wk * np.exp2(-(as_of - tk) / (self.params.half_life_days * DAY))
            self._sums[j].add(pk, {"mass": mass, "n": None}, {"mass": kk, "n": sk})

    def result(self, j: int = 0) -> tuple[np.ndarray, DerivedTies]:
        """Codes of the customers that exist at ``as_ofs[j]`` (sorted) and the ties then.

        A customer exists from its first interaction. Pairs whose mass is 0 (every event of
        weight 0, or no event at or before ``as_ofs[j]``) make no tie.
        """
        exists = self.seen.existing(self.as_ofs[j])
        keys = self.pairs.keys()
        s = self._sums[j].result(len(keys))
        per_kind = s["mass"]
        mass = per_kind.sum(axis=1)
        c = closeness(mass, self.params.k)
        keep = c > 0
        lo, hi = unpack_pairs(keys[keep])
        n_mut, n_fwd, n_bwd = s["n"][keep].T
        mutual = (n_mut > 0) | ((n_fwd > 0) & (n_bwd > 0))
        backward = ~mutual & (n_bwd > 0)  # only hi -> lo: hi is held by lo
        names = np.array(self.kinds, dtype=object)
        codes = per_kind[keep].argmax(axis=1) if keep.any() else np.zeros(0, np.int64)
        ties = DerivedTies(
            sources=np.where(backward, hi, lo),
            targets=np.where(backward, lo, hi),
            closeness=c[keep],
            mass=mass[keep],
            kinds=names[codes],
            directed=~mutual,
            events=(n_fwd + n_bwd + n_mut).astype(np.int64),
            kind_codes=codes,
        )
        return exists, ties
