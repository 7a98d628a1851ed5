"""InMemoryStore: the reference store, kept in dicts; the unit-test fake for every store."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

from graph_engine.errors import UnknownCustomer, UnknownTie
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch, tie_key
from graph_engine.snapshot import Snapshot
from graph_engine.stores.base import (
    BaseStore,
    as_customer_batch,
    as_tie_batch,
    check_page,
    report_unknown,
)

__all__ = ["InMemoryStore"]

TieKey = tuple[str, str, bool]


class InMemoryStore(BaseStore):
    """A store that lives in this process only. Same contract as every other store."""

    def __init__(self) -> None:
        super().__init__()
        self.url = "memory://"
        self._customers: dict[str, Customer] = {}
        self._ties: dict[TieKey, tuple[float, str]] = {}
        self._meta: dict[str, str] = {}
        self._revision = 0
        self._lock = threading.RLock()

    def _bump(self) -> None:
        self._revision += 1

    def upsert_customers(self, customers: CustomerBatch | Iterable[Customer]) -> int:
        return self.upsert_graph(customers=customers)[0]

    def upsert_ties(self, ties: TieBatch | Iterable[Tie]) -> int:
        return self.upsert_graph(ties=ties)[1]

    def upsert_graph(
        self,
        customers: CustomerBatch | Iterable[Customer] | None = None,
        ties: TieBatch | Iterable[Tie] | None = None,
    ) -> tuple[int, int]:
        """Upsert customers, then ties, all or nothing."""
        records = as_customer_batch(customers).records() if customers is not None else []
        tbatch = as_tie_batch(ties) if ties is not None else None
        with self._lock:
            if tbatch is not None:
                new = {c.id for c in records}
                known = self._customers
                src_known = np.array([s in known or s in new for s in tbatch.sources], dtype=bool)
                dst_known = np.array([t in known or t in new for t in tbatch.targets], dtype=bool)
                report_unknown(tbatch, src_known, dst_known)
            for c in records:
                self._customers[c.id] = c
            if tbatch is not None:
                for i in range(len(tbatch)):
                    key = tie_key(tbatch.sources[i], tbatch.targets[i], bool(tbatch.directed[i]))
                    self._ties[key] = (float(tbatch.closeness[i]), str(tbatch.kinds[i]))
            self._bump()
        return len(records), (len(tbatch) if tbatch is not None else 0)

    def get_customer(self, customer_id: str) -> Customer:
        try:
            return self._customers[customer_id]
        except KeyError:
            raise UnknownCustomer(
                f"unknown customer {customer_id!r}", details={"id": customer_id}
            ) from None

    def list_customers(
        self, *, segment: str | None = None, limit: int = 100, after: str | None = None
    ) -> list[Customer]:
        check_page(limit)
        with self._lock:
            ids = sorted(
                cid
                for cid, c in self._customers.items()
                if (after is None or cid > after) and (segment is None or c.segment == segment)
            )
            return [self._customers[cid] for cid in ids[:limit]]

    def count_customers(self, segment: str | None = None) -> int:
        if segment is None:
            return len(self._customers)
        return sum(1 for c in self._customers.values() if c.segment == segment)

    def count_ties(self) -> int:
        return len(self._ties)

    def ties_of(self, customer_id: str) -> list[Tie]:
        self.get_customer(customer_id)
        with self._lock:
            return [
                Tie(source=u, target=v, closeness=c, kind=k, directed=d)
                for (u, v, d), (c, k) in sorted(self._ties.items())
                if customer_id in (u, v)
            ]

    def delete_customer(self, customer_id: str) -> None:
        with self._lock:
            self.get_customer(customer_id)
            del self._customers[customer_id]
            for key in [k for k in self._ties if customer_id in (k[0], k[1])]:
                del self._ties[key]
            self._bump()

    def delete_tie(self, source: str, target: str, directed: bool | None = None) -> int:
        with self._lock:
            keys: list[TieKey] = []
            if directed in (None, False):
                keys.append(tie_key(source, target, False))
            if directed in (None, True):
                keys.append((source, target, True))
            found = [k for k in keys if k in self._ties]
            if not found:
                raise UnknownTie(
                    f"no tie between {source!r} and {target!r}",
                    details={"source": source, "target": target},
                )
            for k in found:
                del self._ties[k]
            self._bump()
            return len(found)

    def get_meta(self, key: str) -> str | None:
        return self._meta.get(key)

    def put_meta(self, key: str, value: str | None) -> None:
        with self._lock:
            if value is None:
                self._meta.pop(key, None)
            else:
                self._meta[key] = value
            self._bump()

    def revision(self) -> int:
        return self._revision

    def _read_snapshot(self) -> Snapshot:
        with self._lock:
            ids = sorted(self._customers)
            pos = {cid: i for i, cid in enumerate(ids)}
            values = np.array([self._customers[c].value for c in ids], dtype=float)
            segments = np.array([self._customers[c].segment for c in ids], dtype=object)
            kinds = sorted({k for _, k in self._ties.values()})
            code = {k: i for i, k in enumerate(kinds)}
            items = sorted(self._ties.items())
            src = np.array([pos[u] for (u, _, _), _ in items], dtype=np.int64)
            dst = np.array([pos[v] for (_, v, _), _ in items], dtype=np.int64)
            directed = np.array([d for (_, _, d), _ in items], dtype=bool)
            close = np.array([c for _, (c, _) in items], dtype=float)
            codes = np.array([code[k] for _, (_, k) in items], dtype=np.int32)
            return Snapshot.from_edges(
                ids,
                values,
                src,
                dst,
                close,
                codes,
                kinds,
                directed,
                self.get_settings(),
                segments,
                self._revision,
            )

    def close(self) -> None:
        pass
