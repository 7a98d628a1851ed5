"""SQLiteStore: the embedded default store, one SQLite file in WAL mode.

Schema (version 1)::

    meta(key TEXT PRIMARY KEY, value TEXT)              revision, schema_version, settings, ...
    customers(idx INTEGER PRIMARY KEY, id TEXT UNIQUE, value REAL, name, segment, attributes)
    kinds(code INTEGER PRIMARY KEY, name TEXT UNIQUE)   tie kinds as small integers
    ties(u, v, directed, closeness, kind) PRIMARY KEY (u, v, directed), WITHOUT ROWID
         u, v are customers.idx; an undirected tie is kept once, with the smaller id as u

Each write is one transaction (BEGIN IMMEDIATE ... COMMIT) that also bumps ``meta.revision``,
so a batch with one bad row changes nothing and other processes see that the graph changed.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from graph_engine.errors import (
    SchemaMismatch,
    StoreUnavailable,
    UnknownCustomer,
    UnknownTie,
)
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch
from graph_engine.snapshot import Snapshot
from graph_engine.stores.base import (
    BaseStore,
    as_customer_batch,
    as_tie_batch,
    check_page,
    report_unknown,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

SCHEMA_VERSION = 1
_CHUNK = 200_000  # rows per executemany / fetchmany
_LOOKUP_FULL_MAP = 20_000  # above this many distinct ids, read the whole id map at once
_BULK_ROWS = 200_000  # tie batches at least this large rebuild the ties_v index once

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
    idx INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    value REAL NOT NULL,
    name TEXT,
    segment TEXT,
    attributes TEXT
);
CREATE INDEX IF NOT EXISTS customers_segment ON customers(segment, id);
CREATE TABLE IF NOT EXISTS kinds (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS ties (
    u INTEGER NOT NULL,
    v INTEGER NOT NULL,
    directed INTEGER NOT NULL,
    closeness REAL NOT NULL,
    kind INTEGER NOT NULL,
    PRIMARY KEY (u, v, directed)
) WITHOUT ROWID;
"""
_TIES_V_INDEX = "CREATE INDEX IF NOT EXISTS ties_v ON ties(v)"

_UPSERT_CUSTOMER = """
INSERT INTO customers (id, value, name, segment, attributes) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET value = excluded.value, name = excluded.name,
    segment = excluded.segment, attributes = excluded.attributes
"""
_UPSERT_TIE = """
INSERT INTO ties (u, v, directed, closeness, kind) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(u, v, directed) DO UPDATE SET closeness = excluded.closeness, kind = excluded.kind
"""
_SELECT_CUSTOMER = "SELECT id, value, name, segment, attributes FROM customers"


class SQLiteStore(BaseStore):
    """Customers and ties in one SQLite file (created on first use).

    Parameters
    ----------
    path : str or Path
        The database file; ``":memory:"`` for a throw-away database.
    timeout : float
        Seconds to wait for another process's write lock before giving up.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        super().__init__()
        self.path = str(path)
        self.url = (
            f"sqlite:///{Path(self.path).resolve()}"
            if self.path != ":memory:"
            else "sqlite:///:memory:"
        )
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=OFF")
            self._conn.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(
                f"cannot open SQLite store {self.path!r}: {exc}", details={"path": self.path}
            ) from exc

    # ------------------------------------------------------------------ plumbing
    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that bumps the revision; rolls back on any error."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreUnavailable(f"SQLite store is busy: {exc}") from exc
            try:
                yield conn
                conn.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _init_schema(self) -> None:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in [*_SCHEMA.split(";"), _TIES_V_INDEX]:
                    if statement.strip():
                        conn.execute(statement)
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                    )
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('revision', '0')")
                elif int(row[0]) != SCHEMA_VERSION:
                    raise SchemaMismatch(
                        f"{self.path} has schema version {row[0]}, this engine reads "
                        f"{SCHEMA_VERSION}",
                        details={"found": row[0], "expected": SCHEMA_VERSION},
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def revision(self) -> int:
        row = self._query("SELECT value FROM meta WHERE key='revision'")
        return int(row[0][0])

    # ------------------------------------------------------------------ customers
    def upsert_customers(self, customers: CustomerBatch | Iterable[Customer]) -> int:
        return self.upsert_graph(customers=customers)[0]

    def upsert_graph(
        self,
        customers: CustomerBatch | Iterable[Customer] | None = None,
        ties: TieBatch | Iterable[Tie] | None = None,
    ) -> tuple[int, int]:
        """Upsert customers, then ties, in ONE transaction (all or nothing)."""
        cbatch = as_customer_batch(customers) if customers is not None else None
        tbatch = as_tie_batch(ties) if ties is not None else None
        with self._write() as conn:
            if cbatch is not None:
                self._write_customers(conn, cbatch)
            if tbatch is not None:
                self._write_ties(conn, tbatch)
        return (len(cbatch) if cbatch else 0), (len(tbatch) if tbatch else 0)

    @staticmethod
    def _write_customers(conn: sqlite3.Connection, batch: CustomerBatch) -> None:
        n = len(batch)
        names = batch.names if batch.names is not None else [None] * n
        segments = batch.segments if batch.segments is not None else [None] * n
        attrs = batch.attributes if batch.attributes is not None else [None] * n
        rows = zip(
            batch.ids.tolist(),
            batch.values.tolist(),
            list(names),
            list(segments),
            [orjson.dumps(a).decode() if a else None for a in attrs],
            strict=True,
        )
        conn.executemany(_UPSERT_CUSTOMER, rows)

    @staticmethod
    def _customer(row: tuple[Any, ...]) -> Customer:
        cid, value, name, segment, attributes = row
        return Customer(
            id=cid,
            value=value,
            name=name,
            segment=segment,
            attributes=orjson.loads(attributes) if attributes else {},
        )

    def get_customer(self, customer_id: str) -> Customer:
        rows = self._query(_SELECT_CUSTOMER + " WHERE id = ?", (customer_id,))
        if not rows:
            raise UnknownCustomer(f"unknown customer {customer_id!r}", details={"id": customer_id})
        return self._customer(rows[0])

    def list_customers(
        self, *, segment: str | None = None, limit: int = 100, after: str | None = None
    ) -> list[Customer]:
        check_page(limit)
        where, params = [], []
        if segment is not None:
            where.append("segment = ?")
            params.append(segment)
        if after is not None:
            where.append("id > ?")
            params.append(after)
        sql = _SELECT_CUSTOMER + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._query(sql + " ORDER BY id LIMIT ?", (*params, limit))
        return [self._customer(r) for r in rows]

    def count_customers(self, segment: str | None = None) -> int:
        if segment is None:
            return int(self._query("SELECT COUNT(*) FROM customers")[0][0])
        return int(
            self._query("SELECT COUNT(*) FROM customers WHERE segment = ?", (segment,))[0][0]
        )

    def delete_customer(self, customer_id: str) -> None:
        with self._write() as conn:
            row = conn.execute("SELECT idx FROM customers WHERE id = ?", (customer_id,)).fetchone()
            if row is None:
                raise UnknownCustomer(
                    f"unknown customer {customer_id!r}", details={"id": customer_id}
                )
            conn.execute("DELETE FROM ties WHERE u = ?", row)
            conn.execute("DELETE FROM ties WHERE v = ?", row)
            conn.execute("DELETE FROM customers WHERE idx = ?", row)

    # ------------------------------------------------------------------ ties
    def _lookup(self, conn: sqlite3.Connection, ids: np.ndarray) -> np.ndarray:
        """Store index of every id (-1 where unknown)."""
        unique = pd.unique(ids)
        if len(unique) > _LOOKUP_FULL_MAP:
            known = conn.execute("SELECT id, idx FROM customers").fetchall()
            index = pd.Index([k for k, _ in known])
            idx_of = np.fromiter((i for _, i in known), dtype=np.int64, count=len(known))
        else:
            found: list[tuple[str, int]] = []
            values = unique.tolist()
            for start in range(0, len(values), 900):
                chunk = values[start : start + 900]
                marks = ",".join("?" * len(chunk))
                found += conn.execute(
                    f"SELECT id, idx FROM customers WHERE id IN ({marks})", chunk
                ).fetchall()
            index = pd.Index([k for k, _ in found], dtype=object)
            idx_of = np.array([i for _, i in found], dtype=np.int64)
        pos = index.get_indexer(ids)
        return np.where(pos >= 0, idx_of[pos] if len(idx_of) else -1, -1)

    def _kind_codes(self, conn: sqlite3.Connection, kinds: np.ndarray) -> np.ndarray:
        unique = pd.unique(kinds).tolist()
        conn.executemany("INSERT OR IGNORE INTO kinds (name) VALUES (?)", [(k,) for k in unique])
        # codes start at 1 (INTEGER PRIMARY KEY); snapshots use code - 1
        table = dict(conn.execute("SELECT name, code FROM kinds").fetchall())
        return pd.Series(kinds, dtype=object).map(table).to_numpy(np.int64)

    def upsert_ties(self, ties: TieBatch | Iterable[Tie]) -> int:
        return self.upsert_graph(ties=ties)[1]

    def _write_ties(self, conn: sqlite3.Connection, batch: TieBatch) -> None:
        # look up each distinct id once (a batch names every customer many times)
        src_code, dst_code, uniques = batch.id_codes()
        idx_of = self._lookup(conn, uniques)
        src, dst = idx_of[src_code], idx_of[dst_code]
        report_unknown(batch, src >= 0, dst >= 0)
        swap = batch.swapped()  # canonical ends, as TieBatch.keys()
        u, v = np.where(swap, dst, src), np.where(swap, src, dst)
        codes = self._kind_codes(conn, batch.kinds)
        d = batch.directed.astype(np.int64)
        # rows in primary-key order append to the B-tree instead of splitting random pages
        # (one argsort of the packed key (u, v, d) while store indices fit in 30 bits)
        top = int(max(u.max(), v.max())) if len(u) else 0
        order = np.argsort((u << 31 | v) << 1 | d) if top < 2**30 else np.lexsort((d, v, u))
        u, v, d, close, codes = u[order], v[order], d[order], batch.closeness[order], codes[order]
        bulk = len(batch) >= _BULK_ROWS
        if bulk:  # rebuilding the secondary index once is far cheaper than 10M random inserts
            conn.execute("DROP INDEX IF EXISTS ties_v")
        for start in range(0, len(batch), _CHUNK):
            sl = slice(start, start + _CHUNK)
            conn.executemany(
                _UPSERT_TIE,
                zip(
                    u[sl].tolist(),
                    v[sl].tolist(),
                    d[sl].tolist(),
                    close[sl].tolist(),
                    codes[sl].tolist(),
                    strict=True,
                ),
            )
        if bulk:
            conn.execute(_TIES_V_INDEX)

    def _tie_rows(self, where: str, params: Sequence[Any]) -> list[Tie]:
        rows = self._query(
            "SELECT cu.id, cv.id, t.closeness, k.name, t.directed FROM ties t "
            "JOIN customers cu ON cu.idx = t.u JOIN customers cv ON cv.idx = t.v "
            f"JOIN kinds k ON k.code = t.kind WHERE {where}",
            params,
        )
        ties = [
            Tie(source=s, target=t, closeness=c, kind=k, directed=bool(d)) for s, t, c, k, d in rows
        ]
        return sorted(ties, key=lambda t: (t.source, t.target, t.directed))

    def ties_of(self, customer_id: str) -> list[Tie]:
        rows = self._query("SELECT idx FROM customers WHERE id = ?", (customer_id,))
        if not rows:
            raise UnknownCustomer(f"unknown customer {customer_id!r}", details={"id": customer_id})
        idx = rows[0][0]
        return self._tie_rows("t.u = ? OR t.v = ?", (idx, idx))

    def count_ties(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM ties")[0][0])

    def delete_tie(self, source: str, target: str, directed: bool | None = None) -> int:
        with self._write() as conn:
            idx = dict(
                conn.execute(
                    "SELECT id, idx FROM customers WHERE id IN (?, ?)", (source, target)
                ).fetchall()
            )
            deleted = 0
            if source in idx and target in idx:
                s, t = idx[source], idx[target]
                if directed in (None, False):
                    u, v = (s, t) if source < target else (t, s)
                    deleted += conn.execute(
                        "DELETE FROM ties WHERE u=? AND v=? AND directed=0", (u, v)
                    ).rowcount
                if directed in (None, True):
                    deleted += conn.execute(
                        "DELETE FROM ties WHERE u=? AND v=? AND directed=1", (s, t)
                    ).rowcount
            if not deleted:
                raise UnknownTie(
                    f"no tie between {source!r} and {target!r}",
                    details={"source": source, "target": target},
                )
            return deleted

    # ------------------------------------------------------------------ metadata
    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def put_meta(self, key: str, value: str | None) -> None:
        with self._write() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                    "SET value = excluded.value",
                    (key, value),
                )

    # ------------------------------------------------------------------ snapshot
    def _read_snapshot(self) -> Snapshot:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN")  # one read transaction: a consistent view
            try:
                revision = int(
                    conn.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0]
                )
                settings = self.get_settings()
                cur = conn.execute("SELECT idx, id, value, segment FROM customers ORDER BY id")
                frame = pd.DataFrame(cur.fetchall(), columns=["idx", "id", "value", "segment"])
                kinds = conn.execute("SELECT code, name FROM kinds ORDER BY code").fetchall()
                # three packed columns instead of five: fewer Python objects per row
                cur = conn.execute("SELECT (u << 32) | v, closeness, kind * 2 + directed FROM ties")
                dtype = np.dtype([("uv", np.int64), ("c", np.float64), ("kd", np.int64)])
                parts = []
                while rows := cur.fetchmany(_CHUNK):
                    parts.append(np.array(rows, dtype=dtype))
            finally:
                conn.execute("COMMIT")
        edges = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
        u_idx, v_idx = edges["uv"] >> 32, edges["uv"] & 0xFFFFFFFF
        kind_code, directed = edges["kd"] >> 1, (edges["kd"] & 1).astype(bool)
        store_idx = frame["idx"].to_numpy(np.int64)
        pos_of = np.full(int(store_idx.max()) + 1 if len(store_idx) else 1, -1, dtype=np.int64)
        pos_of[store_idx] = np.arange(len(store_idx))
        # kind codes are 1-based and may have gaps; map them to positions in `names`
        names = [name for _, name in kinds]
        code_pos = np.zeros(max((c for c, _ in kinds), default=0) + 1, dtype=np.int32)
        code_pos[[c for c, _ in kinds]] = np.arange(len(kinds), dtype=np.int32)
        return Snapshot.from_edges(
            frame["id"].to_numpy(object),
            frame["value"].to_numpy(np.float64),
            pos_of[u_idx],
            pos_of[v_idx],
            edges["c"],
            code_pos[kind_code],
            names,
            directed,
            settings,
            frame["segment"].to_numpy(object),
            revision,
        )
