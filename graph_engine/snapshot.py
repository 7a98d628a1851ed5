"""Snapshot: a frozen, array-only view of the graph that compute works on.

A snapshot holds
- ``ids``: customer ids in ascending order; position ``i`` is the customer's index,
- ``values``: the own-value vector ``a`` (float64, length n),
- the ties as a CSR matrix ``L`` (n x n) with ``L[i, j] = lambda_ij`` where customer ``i`` is
  held by ``j`` (so ``S = a + L a``): an undirected tie fills both ``(i, j)`` and ``(j, i)``,
  a directed tie ``source -> target`` only ``(source, target)``,
- per stored entry its closeness and kind, so a change of settings re-weights the matrix
  without reading the store again (:meth:`Snapshot.with_settings`).

Snapshots are immutable: writes make a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from graph_engine.errors import UnknownCustomer
from graph_engine.settings import GraphSettings

__all__ = ["Snapshot"]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Frozen graph arrays; build with :meth:`from_edges` (stores do this in ``snapshot()``).

    Attributes
    ----------
    ids : ndarray of str, shape (n,)
        Customer ids, ascending.
    values : ndarray of float64, shape (n,)
        Own values ``a``.
    indptr, indices : ndarray
        CSR structure of ``L`` (rows = held customer, columns = the customer holding it).
    closeness : ndarray of float64, shape (nnz,)
        Closeness of the tie behind each stored entry.
    kind_codes : ndarray of int32, shape (nnz,)
        Index into ``kinds`` of each entry.
    kinds : tuple of str
        Tie kinds present.
    settings : GraphSettings
        beta and kind weights that give ``L``.
    segments : ndarray of object or None, shape (n,)
        Segment of each customer (None where unset).
    revision : int
        Store revision the snapshot was read at.
    n_ties : int
        Number of stored ties (an undirected tie counts once).
    """

    ids: np.ndarray
    values: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    closeness: np.ndarray
    kind_codes: np.ndarray
    kinds: tuple[str, ...]
    settings: GraphSettings = field(default_factory=GraphSettings)
    segments: np.ndarray | None = None
    revision: int = 0
    n_ties: int = 0

    # ------------------------------------------------------------------ building
    @classmethod
    def from_edges(
        cls,
        ids: Sequence[str] | np.ndarray,
        values: np.ndarray,
        sources: np.ndarray,
        targets: np.ndarray,
        closeness: np.ndarray,
        kind_codes: np.ndarray,
        kinds: Sequence[str],
        directed: np.ndarray,
        settings: GraphSettings | None = None,
        segments: np.ndarray | None = None,
        revision: int = 0,
    ) -> Snapshot:
        """Build from one row per tie.

        ``ids`` must be ascending and unique; ``sources``/``targets`` are positions into ``ids``.
        Undirected ties are mirrored; ties are never summed, so each entry keeps its kind.
        """
        ids_arr = np.asarray(ids, dtype=object)
        n = len(ids_arr)
        sources = np.asarray(sources, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        directed = np.asarray(directed, dtype=bool)
        mirror = ~directed
        rows = np.concatenate([sources, targets[mirror]])
        cols = np.concatenate([targets, sources[mirror]])
        close = np.concatenate([closeness, np.asarray(closeness)[mirror]]).astype(np.float64)
        codes = np.concatenate([kind_codes, np.asarray(kind_codes)[mirror]]).astype(np.int32)
        order = _row_major_order(rows, cols, n)
        counts = np.bincount(rows, minlength=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        index_dtype = np.int32 if n < 2**31 else np.int64
        return cls(
            ids=ids_arr,
            values=np.ascontiguousarray(values, dtype=np.float64),
            indptr=indptr,
            indices=cols[order].astype(index_dtype),
            closeness=close[order],
            kind_codes=codes[order],
            kinds=tuple(kinds),
            settings=settings or GraphSettings(),
            segments=segments,
            revision=revision,
            n_ties=len(sources),
        )

    def with_settings(self, settings: GraphSettings) -> Snapshot:
        """The same graph weighted by other settings (no store read)."""
        if settings == self.settings:
            return self
        return Snapshot(
            self.ids,
            self.values,
            self.indptr,
            self.indices,
            self.closeness,
            self.kind_codes,
            self.kinds,
            settings,
            self.segments,
            self.revision,
            self.n_ties,
        )

    # ------------------------------------------------------------------ views
    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.ids)

    @cached_property
    def kind_lambda(self) -> np.ndarray:
        """``beta * w_kind`` for every kind code."""
        s = self.settings
        return np.array([s.beta * s.weight(k) for k in self.kinds] or [0.0], dtype=np.float64)

    @cached_property
    def L(self) -> sp.csr_matrix:
        """Tie-weight matrix, ``L[i, j] = beta * w_kind * closeness``, CSR (n x n)."""
        data = self.kind_lambda[self.kind_codes] * self.closeness
        n = self.n
        return sp.csr_matrix((data, self.indices, self.indptr), shape=(n, n))

    @cached_property
    def position(self) -> dict[str, int]:
        """Map from customer id to index."""
        return {cid: i for i, cid in enumerate(self.ids.tolist())}

    def index_of(self, customer_id: str) -> int:
        """Index of one customer; raises UnknownCustomer."""
        try:
            return self.position[customer_id]
        except KeyError:
            raise UnknownCustomer(
                f"unknown customer {customer_id!r}", details={"id": customer_id}
            ) from None

    def indices_of(self, customer_ids: Sequence[str]) -> np.ndarray:
        """Indices of several customers; raises UnknownCustomer naming the missing ones."""
        pos = self.position
        missing = [c for c in customer_ids if c not in pos]
        if missing:
            raise UnknownCustomer(
                f"{len(missing)} unknown customer(s): {', '.join(map(repr, missing[:5]))}",
                details={"ids": missing[:50]},
            )
        return np.array([pos[c] for c in customer_ids], dtype=np.int64)

    def segment_mask(self, segment: str | None) -> np.ndarray:
        """Boolean mask of the customers in ``segment`` (all when None)."""
        if segment is None:
            return np.ones(self.n, dtype=bool)
        if self.segments is None:
            return np.zeros(self.n, dtype=bool)
        return self.segments == segment

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the arrays (bytes)."""
        arrays = [self.values, self.indptr, self.indices, self.closeness, self.kind_codes]
        return int(sum(a.nbytes for a in arrays))

    @classmethod
    def empty(cls, settings: GraphSettings | None = None) -> Snapshot:
        """A snapshot of no customers."""
        e = np.zeros(0, dtype=np.int64)
        return cls.from_edges(
            np.zeros(0, object), np.zeros(0), e, e, np.zeros(0), e, (), np.zeros(0, bool), settings
        )


def _row_major_order(rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    """``np.lexsort((cols, rows))``, about 4x faster on tens of millions of entries.

    One unstable sort of the combined key ``rows * n + cols``, then the rare runs of equal keys
    (parallel entries of one pair) are put back in input order, so the result is the same
    stable order as the lexsort.
    """
    key = rows * max(n, 1) + cols
    order = np.argsort(key)
    if len(order) < 2:
        return order
    sorted_key = key[order]
    dup = sorted_key[1:] == sorted_key[:-1]
    if dup.any():
        involved = np.zeros(len(order), dtype=bool)
        involved[1:] |= dup
        involved[:-1] |= dup
        at = np.flatnonzero(involved)
        order[at] = order[at][np.lexsort((order[at], sorted_key[at]))]
    return order
