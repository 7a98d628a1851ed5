"""Incremental per-key aggregation: memory grows with the distinct keys, not with the events.

- :class:`IdIndex` gives every customer id a dense integer code, chunk after chunk (one pyarrow
  hash lookup of the chunk against the ids seen so far; only the chunk's new ids are added).
- :class:`KeyIndex` does the same for int64 keys (a pair of customers packed as ``u << 32 | v``)
  with pandas hash tables kept between chunks.
- :class:`DenseSums` keeps per-code sums, minima and maxima in dense arrays indexed by those
  codes, updated in place with unbuffered ``ufunc.at`` scatters.

So the state of an aggregation is a few arrays per distinct customer and per distinct pair;
each chunk is folded into it and dropped, and no per-chunk partial results pile up.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["DenseSums", "FirstSeen", "IdIndex", "KeyIndex", "pair_keys", "unpack_pairs"]


def _grown(array: np.ndarray, size: int, fill: float) -> np.ndarray:
    """``array`` with at least ``size`` rows (1.5x growth), new rows set to ``fill``."""
    if size <= len(array):
        return array
    grown = np.full((max(size, len(array) * 3 // 2, 1024), *array.shape[1:]), fill, array.dtype)
    grown[: len(array)] = array
    return grown


class IdIndex:
    """Dense codes 0, 1, ... for ids in the order they are first seen."""

    def __init__(self) -> None:
        self._ids = pa.array([], pa.string())

    def __len__(self) -> int:
        return len(self._ids)

    def codes(self, ids: pa.Array) -> np.ndarray:
        """Code of every id (new ids get new codes, in order of first appearance)."""
        if len(self._ids):
            found = pc.fill_null(pc.index_in(ids, value_set=self._ids), -1)
            codes = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)
        else:
            codes = np.full(len(ids), -1, np.int64)
        missing = codes < 0
        if missing.any():
            # only the chunk's unseen ids are encoded again (one hash pass: codes and new ids)
            unseen = ids if missing.all() else pc.filter(ids, pa.array(missing))
            encoded = pc.dictionary_encode(unseen)
            local = encoded.indices.to_numpy(zero_copy_only=False)
            codes[missing] = np.asarray(local, dtype=np.int64) + len(self._ids)
            self._ids = pa.concat_arrays([self._ids, encoded.dictionary.cast(pa.string())])
        return codes

    def ids(self) -> np.ndarray:
        """Every id seen, by code (object array)."""
        return np.asarray(self._ids.to_numpy(zero_copy_only=False), dtype=object)


class KeyIndex:
    """Dense codes 0, 1, ... for int64 keys in the order they are first seen.

    The keys live in hash tables (``pandas.Index``) of doubling sizes, like a binary counter:
    new keys form a small table, and two tables of about equal size are merged into one. A
    lookup probes the few tables largest first, and adding ``m`` keys in total rebuilds tables
    of ``O(m log m)`` keys, however the new keys are spread over the chunks.
    """

    def __init__(self) -> None:
        self._levels: list[pd.Index] = []  # consecutive code ranges, oldest (largest) first
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def codes(self, keys: np.ndarray) -> np.ndarray:
        """Code of every key (new keys get new codes)."""
        keys = np.asarray(keys, dtype=np.int64)
        out = np.full(len(keys), -1, np.int64)
        todo = np.arange(len(keys))
        offset = 0
        for level in self._levels:
            if not len(todo):
                break
            found = level.get_indexer(keys[todo])
            hit = found >= 0
            out[todo[hit]] = found[hit] + offset
            todo = todo[~hit]
            offset += len(level)
        if len(todo):
            local, new = pd.factorize(keys[todo])
            out[todo] = local + self._size
            self._push(np.asarray(new, dtype=np.int64))
        return out

    def keys(self) -> np.ndarray:
        """Every key seen, by code."""
        if not self._levels:
            return np.zeros(0, np.int64)
        return np.concatenate([level.to_numpy() for level in self._levels])

    def _push(self, new: np.ndarray) -> None:
        self._levels.append(pd.Index(new))
        self._size += len(new)
        while len(self._levels) > 1 and len(self._levels[-1]) >= len(self._levels[-2]) // 2:
            last = self._levels.pop()
            self._levels[-1] = pd.Index(np.concatenate([self._levels[-1].to_numpy(), last]))


class FirstSeen:
    """Earliest event time of every id code (dense array, grown as codes appear)."""

    def __init__(self) -> None:
        self._first = np.zeros(0)

    def add(self, codes: np.ndarray, times: np.ndarray) -> None:
        """Record events of ``codes`` at ``times``."""
        size = int(codes.max()) + 1 if len(codes) else 0
        self._first = _grown(self._first, size, np.inf)
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


_INITIAL = {"sum": 0.0, "min": np.inf, "max": -np.inf}


class DenseSums:
    """Per-code ``sum``/``min``/``max`` of named columns, in dense arrays indexed by code.

    Parameters
    ----------
    ops : mapping of column name to "sum", "min" or "max"
    widths : mapping of column name to int, optional
        Columns of several slots (shape ``(codes, width)``); each event adds to one slot.
    """

    def __init__(self, ops: Mapping[str, str], widths: Mapping[str, int] | None = None) -> None:
        self.ops = dict(ops)
        widths = widths or {}
        self._acc = {
            name: np.zeros((0, widths[name]) if name in widths else 0) for name in self.ops
        }
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(
        self,
        codes: np.ndarray,
        columns: Mapping[str, np.ndarray | None],
        slots: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Fold one chunk in: ``acc[name][code] op= value`` for every event.

        A column given as None adds 1 per event (a count); ``slots[name]`` picks the slot of
        each event in a multi-slot column.
        """
        if not len(codes):
            return
        self._size = max(self._size, int(codes.max()) + 1)
        for name, op in self.ops.items():
            acc = _grown(self._acc[name], self._size, _INITIAL[op])
            self._acc[name] = acc
            index = codes
            if acc.ndim == 2:
                index = codes * acc.shape[1] + (slots or {})[name]
            flat = acc.reshape(-1)
            values = columns[name]
            if op == "sum":
                with np.errstate(over="ignore"):  # a sum beyond the float range is inf
                    np.add.at(flat, index, 1.0 if values is None else values)
            elif values is None:
                raise TypeError(f"column {name!r} ({op}) needs values")
            elif op == "min":
                np.minimum.at(flat, index, values)
            else:
                np.maximum.at(flat, index, values)

    def result(self, size: int | None = None) -> dict[str, np.ndarray]:
        """The accumulated columns for codes ``0 .. size - 1`` (views, not copies)."""
        size = self._size if size is None else size
        out = {}
        for name, op in self.ops.items():
            self._acc[name] = _grown(self._acc[name], size, _INITIAL[op])
            out[name] = self._acc[name][:size]
        return out
