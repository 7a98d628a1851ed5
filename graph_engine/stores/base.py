"""The store protocol, the shared parts of every store, and ``open_store(url)``.

A store persists customers, ties, graph settings and small metadata (API-key hashes, ingest
parameters). It knows no HTTP and computes nothing: ``snapshot()`` hands compute the arrays.
Every store passes the contract suite in ``tests/contract``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from graph_engine.errors import InvalidInput, UnknownCustomer
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "BaseStore",
    "Store",
    "as_customer_batch",
    "as_tie_batch",
    "open_store",
    "report_unknown",
]

MAX_PAGE = 10_000


@runtime_checkable
class Store(Protocol):
    """What every store does. Ids are strings; errors are GraphEngineError subclasses."""

    url: str

    def upsert_customers(self, customers: CustomerBatch | Iterable[Customer]) -> int:
        """Insert or replace customers, all or nothing; returns how many were written."""

    def upsert_ties(self, ties: TieBatch | Iterable[Tie]) -> int:
        """Insert or update ties (key: pair, and direction for directed ties), all or nothing.

        Raises UnknownCustomer naming the rows whose ends are not stored.
        """

    def upsert_graph(
        self,
        customers: CustomerBatch | Iterable[Customer] | None = None,
        ties: TieBatch | Iterable[Tie] | None = None,
    ) -> tuple[int, int]:
        """Upsert customers then ties in one transaction: both or nothing.

        Ties may name customers of the same call. Returns (customers written, ties written).
        """

    def get_customer(self, customer_id: str) -> Customer:
        """One customer; raises UnknownCustomer."""

    def list_customers(
        self, *, segment: str | None = None, limit: int = 100, after: str | None = None
    ) -> list[Customer]:
        """Customers in ascending id order, ids > ``after``, at most ``limit``."""

    def count_customers(self, segment: str | None = None) -> int:
        """Number of customers (in ``segment`` when given)."""

    def count_ties(self) -> int:
        """Number of ties (an undirected tie counts once)."""

    def ties_of(self, customer_id: str) -> list[Tie]:
        """Every tie that touches a customer; raises UnknownCustomer."""

    def delete_customer(self, customer_id: str) -> None:
        """Delete a customer and its ties; raises UnknownCustomer."""

    def delete_tie(self, source: str, target: str, directed: bool | None = None) -> int:
        """Delete the tie(s) between two customers; returns the count; raises UnknownTie.

        ``directed=None`` deletes the undirected tie and the directed ``source -> target``.
        """

    def get_settings(self) -> GraphSettings:
        """The stored graph settings (defaults when never set)."""

    def put_settings(self, settings: GraphSettings) -> GraphSettings:
        """Replace the graph settings."""

    def get_meta(self, key: str) -> str | None:
        """A stored metadata string, or None."""

    def put_meta(self, key: str, value: str | None) -> None:
        """Store (or with None delete) a metadata string."""

    def revision(self) -> int:
        """A number that grows with every committed write (also by other processes)."""

    def snapshot(self) -> Snapshot:
        """The graph as arrays at the current revision (cached until the next write)."""

    def close(self) -> None:
        """Release connections and files."""

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...


def as_customer_batch(customers: CustomerBatch | Iterable[Customer]) -> CustomerBatch:
    """A validated columnar batch from a batch or records."""
    if isinstance(customers, CustomerBatch):
        return customers
    return CustomerBatch.from_records(customers)


def as_tie_batch(ties: TieBatch | Iterable[Tie]) -> TieBatch:
    """A validated columnar batch from a batch or records."""
    if isinstance(ties, TieBatch):
        if not ties._validated:  # built from raw arrays: check it before it is stored
            ties.validate()
        return ties
    return TieBatch.from_records(ties)


def report_unknown(batch: TieBatch, src_known: np.ndarray, dst_known: np.ndarray) -> None:
    """Raise UnknownCustomer naming the tie rows whose ends are not stored (if any)."""
    bad = ~(src_known & dst_known)
    if not bad.any():
        return
    rows = np.flatnonzero(bad)
    missing = list(
        dict.fromkeys(
            [str(s) for s in batch.sources[~src_known][:50]]
            + [str(t) for t in batch.targets[~dst_known][:50]]
        )
    )
    shown = [
        {
            batch.row_label: int(r) + batch.first_row,
            "tie": f"{batch.sources[r]}->{batch.targets[r]}",
        }
        for r in rows[:5]
    ]
    text = "; ".join(f"{batch.row_label} {s[batch.row_label]} ({s['tie']})" for s in shown)
    more = f"; and {len(rows) - len(shown)} more" if len(rows) > len(shown) else ""
    raise UnknownCustomer(
        f"{len(rows)} tie {batch.row_label}{'s' if len(rows) != 1 else ''} name unknown "
        f"customers ({', '.join(map(repr, missing[:5]))}): {text}{more}",
        details={"count": len(rows), "rows": shown, "unknown_ids": missing[:50]},
    )


def check_page(limit: int) -> None:
    """Validate a page size."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_PAGE}, got {limit}", details={"limit": limit}
        )


class BaseStore:
    """Shared behaviour: context manager, snapshot cache keyed by revision, settings as meta."""

    url: str = ""
    _SETTINGS_KEY = "graph_settings"

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._snapshot_lock = threading.Lock()

    # settings are one JSON document in the metadata
    def get_settings(self) -> GraphSettings:
        raw = self.get_meta(self._SETTINGS_KEY)  # type: ignore[attr-defined]
        return GraphSettings() if raw is None else GraphSettings.model_validate_json(raw)

    def put_settings(self, settings: GraphSettings) -> GraphSettings:
        settings = GraphSettings.model_validate(settings.model_dump())
        self.put_meta(self._SETTINGS_KEY, settings.model_dump_json())  # type: ignore[attr-defined]
        return settings

    def snapshot(self) -> Snapshot:
        with self._snapshot_lock:
            rev = self.revision()  # type: ignore[attr-defined]
            cached = self._snapshot
            if cached is None or cached.revision != rev:
                cached = self._read_snapshot()
                self._snapshot = cached
            return cached

    def _read_snapshot(self) -> Snapshot:
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:  # pragma: no cover - overridden
        pass


def open_store(url: str | Path, **options: Any) -> Store:
    """Open a store by URL.

    ``sqlite:///path/file.db`` or a bare path opens the embedded SQLite store (created on first
    use); ``neo4j://host:7687`` or ``bolt://host:7687`` opens a Neo4j store (``user`` and
    ``password`` options, or NEO4J_USER / NEO4J_PASSWORD read by the CLI); ``memory://`` opens an
    in-memory store.
    """
    text = str(url)
    if text.startswith("memory://"):
        from graph_engine.stores.memory import InMemoryStore

        return InMemoryStore()
    if text.startswith(
        ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")
    ):
        from graph_engine.stores.neo4j import Neo4jStore  # type: ignore[import-not-found]

        return Neo4jStore(text, **options)  # type: ignore[no-any-return]
    if text.startswith("sqlite://"):
        text = text.removeprefix("sqlite://")
        # sqlite:///abs/path keeps its leading slash; sqlite://rel/path is relative
    elif "://" in text:
        raise InvalidInput(
            f"unknown store URL scheme in {text!r}; use sqlite:///path, "
            "a bare path, neo4j://host:port or bolt://host:port"
        )
    from graph_engine.stores.sqlite import SQLiteStore

    return SQLiteStore(text, **options)
