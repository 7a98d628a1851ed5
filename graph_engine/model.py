"""Customers and ties: record models for single writes, columnar batches for bulk writes.

A customer has an ``id`` (non-empty string), an own ``value`` a_i (finite, >= 0), an optional
``name`` and ``segment`` and free ``attributes``. A tie joins two different customers with a
``closeness`` c in (0, 1], a ``kind`` and a ``directed`` flag; an undirected tie is mutual, a
directed tie ``source -> target`` means the source is held by the target.

Bulk paths use :class:`CustomerBatch` and :class:`TieBatch`: numpy columns validated in one
vectorised pass, whose errors name the offending rows (the first few, and how many in all).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph_engine.errors import InvalidInput
from graph_engine.settings import DEFAULT_KIND

__all__ = [
    "MAX_ID_LENGTH",
    "MAX_VALUE",
    "Customer",
    "CustomerBatch",
    "Tie",
    "TieBatch",
    "tie_key",
    "unknown_ids_error",
]

MAX_ID_LENGTH = 256
# Own values are money-like scores; bounding them keeps every sum over a graph finite
# (1e12 x 1e8 customers x the largest weights stays far below the float64 limit).
MAX_VALUE = 1e12
_SHOWN_ROWS = 5


def _check_id(value: str) -> str:
    if not value or not value.strip():
        raise ValueError("id must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise ValueError(f"id must be at most {MAX_ID_LENGTH} characters")
    return value


class Customer(BaseModel):
    """One customer: id, own value a_i >= 0 and descriptive fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(examples=["c000001"])
    value: float = Field(ge=0, le=MAX_VALUE, allow_inf_nan=False, examples=[12.5])
    name: str | None = Field(default=None, max_length=1000)
    segment: str | None = Field(default=None, max_length=200)
    attributes: dict[str, Any] = Field(default_factory=dict)

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class Tie(BaseModel):
    """A tie between two different customers with closeness c in (0, 1]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(examples=["c000001"])
    target: str = Field(examples=["c000002"])
    closeness: float = Field(default=1.0, gt=0, le=1, allow_inf_nan=False)
    kind: str = Field(default=DEFAULT_KIND, min_length=1, max_length=100)
    directed: bool = False

    _ids = field_validator("source", "target")(classmethod(lambda cls, v: _check_id(v)))

    @model_validator(mode="after")
    def _no_self_tie(self) -> Tie:
        if self.source == self.target:
            raise ValueError("a tie must join two different customers (self-tie)")
        return self

    @property
    def key(self) -> tuple[str, str, bool]:
        """Identity of the tie: (u, v, directed), u < v for undirected ties."""
        return tie_key(self.source, self.target, self.directed)


def tie_key(source: str, target: str, directed: bool) -> tuple[str, str, bool]:
    """The stored identity of a tie: undirected ties are kept with the smaller id first."""
    if not directed and target < source:
        return target, source, False
    return source, target, directed


def _as_str_array(values: Iterable[Any]) -> np.ndarray:
    arr = np.asarray(
        list(values) if not isinstance(values, np.ndarray | pd.Series) else values, dtype=object
    )
    return arr


def _raise_rows(
    what: str, problems: list[tuple[np.ndarray, str]], ids: Any, first_row: int, row_label: str
) -> None:
    """Raise one InvalidInput that names the first few offending rows and counts them all."""
    bad: dict[int, list[str]] = {}
    for mask, reason in problems:
        for i in np.flatnonzero(mask):
            bad.setdefault(int(i), []).append(reason)
    if not bad:
        return
    rows = sorted(bad)
    shown = [
        {row_label: r + first_row, "id": _short(ids[r]), "problems": bad[r]}
        for r in rows[:_SHOWN_ROWS]
    ]
    text = "; ".join(
        f"{row_label} {s[row_label]} ({s['id']!r}): {', '.join(s['problems'])}" for s in shown
    )
    more = f"; and {len(rows) - len(shown)} more" if len(rows) > len(shown) else ""
    raise InvalidInput(
        f"{len(rows)} invalid {what} {row_label}{'s' if len(rows) != 1 else ''}: {text}{more}",
        details={"count": len(rows), "rows": shown},
    )


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bad_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of ids that are not non-empty strings, and of ids that are too long."""
    codes, uniques = pd.factorize(np.asarray(ids, dtype=object), use_na_sentinel=True)
    empty_u, long_u = _bad_unique_ids(uniques)
    missing = codes < 0
    safe = np.where(missing, 0, codes)
    empty = missing | (empty_u[safe] if len(uniques) else missing)
    too_long = ~missing & (long_u[safe] if len(uniques) else missing)
    return empty, too_long


def _bad_unique_ids(uniques: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct id: (not a non-empty string, longer than MAX_ID_LENGTH).

    Checked once per distinct value: a tie batch names each customer many times.
    """
    values = list(uniques)
    # one pass: the length of a usable id, -1 for anything else (not a string, blank)
    lengths = np.fromiter(
        (len(v) if isinstance(v, str) and v and not v.isspace() else -1 for v in values),
        np.int64,
        len(values),
    )
    return lengths < 0, lengths > MAX_ID_LENGTH


def _is_nan(v: Any) -> bool:
    return isinstance(v, float | np.floating) and math.isnan(v)


def _float_column(
    values: Any, n: int, default: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Parse a numeric column; returns (floats, mask of entries that are not numbers)."""
    if values is None:
        return np.full(n, default, dtype=float), np.zeros(n, bool)
    series = (
        pd.Series(values, dtype=object)
        if not isinstance(values, np.ndarray) or values.dtype == object
        else pd.Series(values)
    )
    if series.dtype == object:
        is_bool = series.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(bool)
        numbers = pd.to_numeric(series.mask(is_bool), errors="coerce")
        missing = series.map(lambda v: v is None).to_numpy(bool)  # NaN is a value, not a gap
        not_number = (
            numbers.isna().to_numpy(bool) & ~missing & ~series.map(_is_nan).to_numpy(bool)
        ) | is_bool
        floats = numbers.to_numpy(float)
        if default is not None:
            floats = np.where(missing, default, floats)
        else:
            not_number |= missing
        return floats, not_number
    floats = series.to_numpy(float)
    return floats, np.zeros(n, bool)


@dataclass
class CustomerBatch:
    """Customers as columns, for bulk upserts.

    Build with :meth:`from_records` or :meth:`from_columns` (which validate), then hand to a
    store's ``upsert_customers``.
    """

    ids: np.ndarray
    values: np.ndarray
    names: np.ndarray | None = None
    segments: np.ndarray | None = None
    attributes: list[dict[str, Any]] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_records(cls, customers: Iterable[Customer]) -> CustomerBatch:
        items = list(customers)
        batch = cls(
            ids=np.array([c.id for c in items], dtype=object),
            values=np.array([c.value for c in items], dtype=float),
            names=np.array([c.name for c in items], dtype=object),
            segments=np.array([c.segment for c in items], dtype=object),
            attributes=[dict(c.attributes) for c in items],
        )
        batch.validate()
        return batch

    @classmethod
    def from_columns(
        cls,
        ids: Any,
        values: Any,
        names: Any = None,
        segments: Any = None,
        attributes: list[dict[str, Any]] | None = None,
        *,
        first_row: int = 0,
        row_label: str = "row",
    ) -> CustomerBatch:
        """Validate and build a batch from array-likes; errors name rows from ``first_row``."""
        id_arr = _as_str_array(ids)
        floats, not_number = _float_column(values, len(id_arr))
        batch = cls(
            ids=id_arr,
            values=floats,
            names=None if names is None else _optional_text(names),
            segments=None if segments is None else _optional_text(segments),
            attributes=attributes,
        )
        batch.validate(first_row=first_row, row_label=row_label, not_number=not_number)
        return batch

    def validate(
        self, *, first_row: int = 0, row_label: str = "row", not_number: np.ndarray | None = None
    ) -> None:
        """Check every row; raise InvalidInput naming the offending ones."""
        n = len(self.ids)
        empty, too_long = _bad_ids(self.ids)
        values = self.values
        problems = [
            (empty, "id is empty"),
            (too_long, f"id longer than {MAX_ID_LENGTH} characters"),
            (not_number if not_number is not None else np.zeros(n, bool), "value is not a number"),
            (np.isnan(values) & (not_number is None or ~not_number), "value is NaN"),
            (np.isinf(values), "value is infinite"),
            (values < 0, "value is negative"),
            (values > MAX_VALUE, f"value above {MAX_VALUE:g}"),
            (
                pd.Series(self.ids).duplicated(keep="first").to_numpy(bool) & ~empty,
                "id repeated in the batch",
            ),
        ]
        _raise_rows("customer", problems, self.ids, first_row, row_label)

    def records(self) -> list[Customer]:
        """The batch as Customer records (slow; for small batches and tests)."""
        out = []
        for i in range(len(self)):
            out.append(
                Customer(
                    id=self.ids[i],
                    value=float(self.values[i]),
                    name=None if self.names is None else self.names[i],
                    segment=None if self.segments is None else self.segments[i],
                    attributes=(self.attributes[i] if self.attributes else {}),
                )
            )
        return out


def _optional_text(values: Any) -> np.ndarray:
    series = pd.Series(values, dtype=object)
    series = series.where(series.notna(), None)
    return series.map(lambda v: v if v is None or isinstance(v, str) else str(v)).to_numpy(object)


def _bool_column(values: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Parse a directed column (bool, 0/1, true/false/yes/no); returns (flags, bad mask)."""
    if values is None:
        return np.zeros(n, bool), np.zeros(n, bool)
    series = pd.Series(values, dtype=object)
    mapping = {
        "true": True,
        "1": True,
        "yes": True,
        "y": True,
        "t": True,
        "false": False,
        "0": False,
        "no": False,
        "n": False,
        "f": False,
        "": False,
    }

    def parse(v: Any) -> bool | None:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return False
        if isinstance(v, bool | np.bool_):
            return bool(v)
        if isinstance(v, int | np.integer) and v in (0, 1):
            return bool(v)
        if isinstance(v, float) and v in (0.0, 1.0):
            return bool(v)
        if isinstance(v, str):
            return mapping.get(v.strip().lower())
        return None

    parsed = series.map(parse)
    bad = parsed.isna().to_numpy(bool)
    return np.array([v is True for v in parsed.tolist()], dtype=bool), bad


@dataclass
class TieBatch:
    """Ties as columns, for bulk upserts (see :class:`Tie` for the rules)."""

    sources: np.ndarray
    targets: np.ndarray
    closeness: np.ndarray
    kinds: np.ndarray
    directed: np.ndarray
    first_row: int = 0
    row_label: str = "row"
    _validated: bool = field(default=False, repr=False)
    _id_codes: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.sources)

    def id_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every distinct id once, and each tie's source and target as a position in it.

        Returns ``(source_codes, target_codes, uniques)`` with ``uniques[source_codes[i]] ==
        sources[i]`` (-1 for a missing id). Hashing millions of id strings is the dearest step
        of a bulk import, so :meth:`validate` keeps its factorisation for the stores.
        """
        codes, uniques = self._factorized()
        n = len(self.sources)
        return codes[:n], codes[n:], np.asarray(uniques, dtype=object)

    def _factorized(self) -> tuple[np.ndarray, np.ndarray]:
        """Codes of sources then targets in one array, and the distinct ids (computed once)."""
        if self._id_codes is None:
            self._id_codes = pd.factorize(
                np.concatenate([self.sources, self.targets]), use_na_sentinel=True
            )
        return self._id_codes

    @classmethod
    def from_records(cls, ties: Iterable[Tie]) -> TieBatch:
        items = list(ties)
        batch = cls(
            sources=np.array([t.source for t in items], dtype=object),
            targets=np.array([t.target for t in items], dtype=object),
            closeness=np.array([t.closeness for t in items], dtype=float),
            kinds=np.array([t.kind for t in items], dtype=object),
            directed=np.array([t.directed for t in items], dtype=bool),
        )
        batch.validate()
        return batch

    @classmethod
    def from_columns(
        cls,
        sources: Any,
        targets: Any,
        closeness: Any = None,
        kinds: Any = None,
        directed: Any = None,
        *,
        first_row: int = 0,
        row_label: str = "row",
    ) -> TieBatch:
        """Validate and build a batch from array-likes; errors name rows from ``first_row``."""
        src = _as_str_array(sources)
        n = len(src)
        close, close_bad = _float_column(closeness, n, default=1.0)
        if kinds is None:
            kind_arr = np.full(n, DEFAULT_KIND, dtype=object)
        else:
            kind_series = pd.Series(kinds, dtype=object)
            kind_arr = kind_series.where(
                kind_series.notna() & kind_series.ne(""), DEFAULT_KIND
            ).to_numpy(object)
        flags, flags_bad = _bool_column(directed, n)
        batch = cls(
            sources=src,
            targets=_as_str_array(targets),
            closeness=close,
            kinds=kind_arr,
            directed=flags,
            first_row=first_row,
            row_label=row_label,
        )
        batch.validate(not_number=close_bad, bad_directed=flags_bad)
        return batch

    def validate(
        self, *, not_number: np.ndarray | None = None, bad_directed: np.ndarray | None = None
    ) -> None:
        """Check every row; raise InvalidInput naming the offending ones."""
        n = len(self.sources)
        if len(self.targets) != n:
            raise InvalidInput("sources and targets differ in length")
        self._id_codes = None  # the columns may have changed since a previous call
        codes, uniques = self._factorized()
        empty_u, long_u = _bad_unique_ids(uniques)
        missing = codes < 0
        safe = np.where(missing, 0, codes)
        empty = missing | (empty_u[safe] if len(uniques) else missing)
        too_long = ~missing & (long_u[safe] if len(uniques) else missing)
        src_empty, dst_empty = empty[:n], empty[n:]
        src_long, dst_long = too_long[:n], too_long[n:]
        src_code, dst_code = codes[:n], codes[n:]
        c = self.closeness
        none = np.zeros(n, bool)
        nn = not_number if not_number is not None else none
        kind_codes, kind_values = pd.factorize(
            np.asarray(self.kinds, dtype=object), use_na_sentinel=True
        )
        good_kind = np.fromiter(
            (isinstance(v, str) and 0 < len(v.strip()) and len(v) <= 100 for v in kind_values),
            bool,
            len(kind_values),
        )
        kinds_ok = (kind_codes >= 0) & (
            good_kind[np.maximum(kind_codes, 0)] if len(kind_values) else False
        )
        # a repeated tie: same pair of distinct-id codes (either order if undirected), same flag
        lo = np.where(self.directed, src_code, np.minimum(src_code, dst_code)).astype(np.int64)
        hi = np.where(self.directed, dst_code, np.maximum(src_code, dst_code)).astype(np.int64)
        key = (lo * (len(uniques) + 1) + hi) * 2 + self.directed
        repeated = pd.Series(key).duplicated(keep="first").to_numpy(bool)
        same = (src_code == dst_code) & ~src_empty
        problems = [
            (src_empty, "source is empty"),
            (dst_empty, "target is empty"),
            (src_long | dst_long, f"id longer than {MAX_ID_LENGTH} characters"),
            (same, "self-tie (source equals target)"),
            (nn, "closeness is not a number"),
            (np.isnan(c) & ~nn, "closeness is NaN"),
            (~np.isnan(c) & ((c <= 0) | (c > 1)), "closeness outside (0, 1]"),
            (~kinds_ok, "kind must be a non-empty string of at most 100 characters"),
            (bad_directed if bad_directed is not None else none, "directed is not a boolean"),
            (repeated & ~(src_empty | dst_empty | same), "tie repeated in the batch"),
        ]
        labels = _TieLabels(self.sources, self.targets)
        _raise_rows("tie", problems, labels, self.first_row, self.row_label)
        self._validated = True

    def swapped(self) -> np.ndarray:
        """Where the canonical order swaps the ends: undirected ties whose target id is smaller."""
        swapped: np.ndarray = ~self.directed & (self.targets < self.sources)
        return swapped

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Canonical (u, v) of every tie: undirected ties with the smaller id first."""
        swap = self.swapped()
        u = np.where(swap, self.targets, self.sources)
        v = np.where(swap, self.sources, self.targets)
        return u, v

    def records(self) -> list[Tie]:
        """The batch as Tie records (slow; for small batches and tests)."""
        return [
            Tie(
                source=self.sources[i],
                target=self.targets[i],
                closeness=float(self.closeness[i]),
                kind=self.kinds[i],
                directed=bool(self.directed[i]),
            )
            for i in range(len(self))
        ]

    def take(self, mask: np.ndarray) -> TieBatch:
        """The rows where ``mask`` is true (already validated)."""
        return TieBatch(
            self.sources[mask],
            self.targets[mask],
            self.closeness[mask],
            self.kinds[mask],
            self.directed[mask],
            self.first_row,
            self.row_label,
            self._validated,
        )


class _TieLabels:
    """Lazy 'source->target' labels, so error reports do not build 10M strings."""

    def __init__(self, sources: np.ndarray, targets: np.ndarray) -> None:
        self._s, self._t = sources, targets

    def __getitem__(self, i: int) -> str:
        return f"{self._s[i]}->{self._t[i]}"


def unknown_ids_error(
    what: str,
    rows: np.ndarray,
    labels: Sequence[str] | Any,
    missing: Sequence[str],
    first_row: int = 0,
    row_label: str = "row",
) -> None:
    """Raise UnknownCustomer-flavoured InvalidInput for ties naming customers not stored."""
    from graph_engine.errors import UnknownCustomer

    rows = np.asarray(rows)
    shown = [
        {row_label: int(r) + first_row, "id": _short(labels[int(r)])} for r in rows[:_SHOWN_ROWS]
    ]
    names = ", ".join(repr(m) for m in list(missing)[:_SHOWN_ROWS])
    text = "; ".join(f"{row_label} {s[row_label]} ({s['id']})" for s in shown)
    more = f"; and {len(rows) - len(shown)} more" if len(rows) > len(shown) else ""
    raise UnknownCustomer(
        f"{len(rows)} {what} name unknown customers ({names}{'...' if len(missing) > 5 else ''}): "
        f"{text}{more}",
        details={
            "count": len(rows),
            "rows": shown,
            "unknown_ids": [str(m) for m in list(missing)[:50]],
        },
    )
