"""Incremental per-key aggregation: memory grows with the distinct keys, not with the events.

:class:`IdIndex` gives every customer id a dense integer code, chunk after chunk (hash lookups
in pyarrow). :class:`KeyedSums` keeps, for each integer key (a customer, or a pair packed as
``u << 32 | v``), sums, minima and maxima of event columns: each chunk is reduced on its own,
and the reduced parts are merged whenever they outgrow the merged table, so memory stays within
a small multiple of the number of keys.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FirstSeen", "IdIndex", "KeyedSums", "pair_keys", "unpack_pairs"]

_MIN_MERGE = 1_000_000


class IdIndex:
    """Dense codes 0, 1, ... for ids in the order they are first seen."""

    def __init__(self) -> None:
        self._ids = pa.array([], pa.string())

    def __len__(self) -> int:
        return len(self._ids)

    def codes(self, ids: pa.Array) -> np.ndarray:
        """Code of every id (new ids get new codes)."""
        found = pc.index_in(ids, value_set=self._ids)
        if found.null_count:
            new = pc.unique(pc.filter(ids, pc.is_null(found)))
            self._ids = pa.concat_arrays([self._ids, new.cast(pa.string())])
            found = pc.index_in(ids, value_set=self._ids)
        return found.to_numpy(zero_copy_only=False).astype(np.int64)

    def ids(self) -> np.ndarray:
        """Every id seen, by code (object array)."""
        return self._ids.to_numpy(zero_copy_only=False).astype(object)


class FirstSeen:
    """Earliest event time of every id code (dense array, grown as codes appear)."""

    def __init__(self) -> None:
        self._first = np.zeros(0)

    def add(self, codes: np.ndarray, times: np.ndarray) -> None:
        """Record events of ``codes`` at ``times``."""
        size = int(codes.max()) + 1 if len(codes) else 0
        if size > len(self._first):
            grown = np.full(max(size, 2 * len(self._first)), np.inf)
            grown[: len(self._first)] = self._first
            self._first = grown
        np.minimum.at(self._first, codes, times)

    def existing(self, as_of: float) -> np.ndarray:
        """Codes first seen at or before ``as_of``, ascending."""
        return np.flatnonzero(self._first <= as_of)


def pair_keys(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Pack two codes (< 2**31) into one int64 key."""
    return (u.astype(np.int64) << 32) | v.astype(np.int64)


def unpack_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`pair_keys`."""
    return keys >> 32, keys & 0xFFFFFFFF


class KeyedSums:
    """Per-key ``sum``/``min``/``max`` of named columns, added chunk by chunk.

    Parameters
    ----------
    ops : mapping of column name to "sum", "min" or "max"
    """

    def __init__(self, ops: Mapping[str, str]) -> None:
        self.ops = dict(ops)
        self._parts: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
        self._pending = 0
        self._merged = 0

    def add(self, keys: np.ndarray, columns: Mapping[str, np.ndarray]) -> None:
        """Reduce one chunk and keep it; merge when the kept parts outgrow the merged table."""
        if not len(keys):
            return
        self._parts.append(self._reduce(keys, columns))
        self._pending += len(self._parts[-1][0])
        if self._pending > max(2 * self._merged, _MIN_MERGE):
            self._merge()

    def result(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Distinct keys and the reduced columns (keys in no particular order)."""
        self._merge()
        if not self._parts:
            return np.zeros(0, np.int64), {c: np.zeros(0) for c in self.ops}
        return self._parts[0]

    def _merge(self) -> None:
        if len(self._parts) > 1:
            keys = np.concatenate([k for k, _ in self._parts])
            cols = {c: np.concatenate([p[c] for _, p in self._parts]) for c in self.ops}
            self._parts = [self._reduce(keys, cols)]
        self._merged = len(self._parts[0][0]) if self._parts else 0
        self._pending = self._merged

    def _reduce(
        self, keys: np.ndarray, columns: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        codes, uniq = pd.factorize(keys)
        m = len(uniq)
        out: dict[str, np.ndarray] = {}
        for name, op in self.ops.items():
            col = np.asarray(columns[name], dtype=np.float64)
            if op == "sum":
                out[name] = np.bincount(codes, weights=col, minlength=m)
            elif op == "min":
                acc = np.full(m, np.inf)
                np.minimum.at(acc, codes, col)
                out[name] = acc
            else:
                acc = np.full(m, -np.inf)
                np.maximum.at(acc, codes, col)
                out[name] = acc
        return np.asarray(uniq, dtype=np.int64), out
