"""Neo4jStore: customers and ties in a Neo4j 5 database, through the official driver.

Schema (version 1)::

    (:Customer {id, value, name, segment, attributes})
        id          unique (constraint ``graph_engine_customer_id``), a non-empty string
        value       the own value a_i (float)
        attributes  the free attributes as one JSON object string (absent when empty), so
                    that nested values and ints survive a round trip unchanged
        own, network, stickiness, network_share
                    written by :meth:`Neo4jStore.write_scores` (``score --write-back``)
    (:Customer)-[:TIE {closeness, kind, directed}]->(:Customer)
        an undirected tie is kept once, from the smaller id to the larger (like SQLite);
        a directed tie ``source -> target`` (the source is held by the target) as given
    (:GraphState {name: "graph", revision, schema_version})
        one node; ``revision`` grows in every write transaction, which also locks this node
        first, so concurrent writers queue up instead of interleaving
    (:GraphMeta {key, value})
        small metadata strings; the graph settings node also carries ``beta`` and one
        ``w_<kind>`` property per kind weight, so that Cypher (and :meth:`stickiness_of`) can
        weight ties without parsing JSON

Every write is one managed transaction (``session.execute_write``), all or nothing, whose
rows go in batched ``UNWIND`` statements; the driver retries it on transient errors
(``ServiceUnavailable``, ``SessionExpired``, deadlocks) for ``max_transaction_retry_time``
seconds. Queries are module constants and every value is a parameter. One import is one
transaction, so the server needs transaction memory for all of it: 1M ties overflow the
1.4 GiB limit of a 2g heap (a clear StoreError, nothing written) and fit in a 5g heap.

A snapshot is read in one read transaction as pages of the id index (one record of lists per
page: the driver's cost per record dominates otherwise), straight into preallocated arrays;
it starts again if the revision moved meanwhile. ``TIE`` relationships are the engine's:
write them through the store (or keep them between ``:Customer`` nodes, schema as above).

Example (a Cypher user reading written-back scores)::

    MATCH (c:Customer) RETURN c.id, c.stickiness ORDER BY c.stickiness DESC LIMIT 10
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import neo4j
import neo4j.exceptions as ne
import numpy as np
import orjson
import pandas as pd

from graph_engine.errors import (
    GraphEngineError,
    InvalidInput,
    SchemaMismatch,
    StoreError,
    StoreUnavailable,
    UnknownCustomer,
    UnknownTie,
)
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch, tie_key
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot
from graph_engine.stores.base import (
    BaseStore,
    as_customer_batch,
    as_tie_batch,
    check_page,
    report_unknown,
)

if TYPE_CHECKING:
    from graph_engine.compute.stickiness import Scores

__all__ = ["SCHEMA_VERSION", "Neo4jStore"]

SCHEMA_VERSION = 1
BATCH_ROWS = 10_000  # rows per UNWIND statement
_CUSTOMER_PAGE = 50_000  # customers per snapshot page
_TIE_PAGE = 100_000  # ties per snapshot page (about: pages are cut at customer boundaries)
_SNAPSHOT_ATTEMPTS = 5  # re-reads when another process writes while a snapshot streams
_WEIGHT_PREFIX = "w_"  # kind-weight properties of the settings node

T = TypeVar("T")

# ---------------------------------------------------------------------- schema
SCHEMA_STATEMENTS = (
    "CREATE CONSTRAINT graph_engine_customer_id IF NOT EXISTS "
    "FOR (c:Customer) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT graph_engine_meta_key IF NOT EXISTS "
    "FOR (m:GraphMeta) REQUIRE m.key IS UNIQUE",
    "CREATE CONSTRAINT graph_engine_state_name IF NOT EXISTS "
    "FOR (s:GraphState) REQUIRE s.name IS UNIQUE",
    "CREATE INDEX graph_engine_customer_segment IF NOT EXISTS FOR (c:Customer) ON (c.segment)",
)
READ_STATE = (
    "MATCH (s:GraphState {name: 'graph'}) RETURN s.revision AS revision, "
    "s.schema_version AS schema_version"
)
# The first statement of every write transaction: takes the write lock and bumps the revision.
BUMP_REVISION = """
MERGE (s:GraphState {name: 'graph'})
ON CREATE SET s.revision = 0, s.schema_version = $schema_version
SET s.revision = s.revision + 1
RETURN s.revision AS revision
"""

# ---------------------------------------------------------------------- customers
UPSERT_CUSTOMERS = """
UNWIND $rows AS row
MERGE (c:Customer {id: row[0]})
SET c.value = row[1], c.name = row[2], c.segment = row[3], c.attributes = row[4]
"""
MISSING_CUSTOMERS = """
UNWIND $ids AS id
OPTIONAL MATCH (c:Customer {id: id})
WITH id, c WHERE c IS NULL
RETURN collect(id) AS missing
"""
GET_CUSTOMER = """
MATCH (c:Customer {id: $id})
RETURN c.id AS id, c.value AS value, c.name AS name, c.segment AS segment,
       c.attributes AS attributes
"""
LIST_CUSTOMERS = """
MATCH (c:Customer) WHERE c.id > $after
RETURN c.id AS id, c.value AS value, c.name AS name, c.segment AS segment,
       c.attributes AS attributes
ORDER BY c.id LIMIT $limit
"""
LIST_CUSTOMERS_IN_SEGMENT = """
MATCH (c:Customer) WHERE c.segment = $segment AND c.id > $after
RETURN c.id AS id, c.value AS value, c.name AS name, c.segment AS segment,
       c.attributes AS attributes
ORDER BY c.id LIMIT $limit
"""
COUNT_CUSTOMERS = "MATCH (c:Customer) RETURN count(c) AS n"
COUNT_CUSTOMERS_IN_SEGMENT = "MATCH (c:Customer {segment: $segment}) RETURN count(c) AS n"
DELETE_CUSTOMER = """
MATCH (c:Customer {id: $id})
DETACH DELETE c
RETURN count(*) AS n
"""

# ---------------------------------------------------------------------- ties
UPSERT_TIES = """
UNWIND $rows AS row
MATCH (u:Customer {id: row[0]})
MATCH (v:Customer {id: row[1]})
MERGE (u)-[t:TIE {directed: row[2]}]->(v)
SET t.closeness = row[3], t.kind = row[4]
"""
# the first ties of an empty graph: nothing to merge with (the revision lock keeps other
# writers out until commit), so plain CREATE, which the server runs markedly faster
CREATE_TIES = """
UNWIND $rows AS row
MATCH (u:Customer {id: row[0]})
MATCH (v:Customer {id: row[1]})
CREATE (u)-[:TIE {directed: row[2], closeness: row[3], kind: row[4]}]->(v)
"""
TIES_OF = """
MATCH (c:Customer {id: $id})
OPTIONAL MATCH (c)-[t:TIE]-(:Customer)
RETURN c.id AS id, collect([startNode(t).id, endNode(t).id, t.closeness, t.kind,
                            t.directed]) AS ties
"""
# TIE relationships join Customers only; counting them all reads the count store
COUNT_TIES = "MATCH ()-[t:TIE]->() RETURN count(t) AS n"
DELETE_TIE = """
MATCH (u:Customer {id: $u})-[t:TIE {directed: $directed}]->(v:Customer {id: $v})
DELETE t
RETURN count(*) AS n
"""

# ---------------------------------------------------------------------- metadata
GET_META = "MATCH (m:GraphMeta {key: $key}) RETURN m.value AS value"
PUT_META = "MERGE (m:GraphMeta {key: $key}) SET m.value = $value"
# replaces every property, so kind weights dropped from the settings disappear too
PUT_META_PROPERTIES = "MERGE (m:GraphMeta {key: $key}) SET m = $properties"
DELETE_META = "MATCH (m:GraphMeta {key: $key}) DELETE m"

# ---------------------------------------------------------------------- snapshot
# Pages ordered by the unique id index: one record per page (lists), because the driver's
# per-record overhead (one Bolt message each) costs far more than decoding the values.
SNAPSHOT_CUSTOMER_PAGE = """
MATCH (c:Customer) WHERE c.id > $after
WITH c ORDER BY c.id LIMIT $limit
RETURN collect([c.id, c.value, c.segment]) AS rows
"""
# the ties that start at the customers of one page (after < id <= last, in index order)
SNAPSHOT_TIE_PAGE = """
MATCH (u:Customer) WHERE $after < u.id <= $last
MATCH (u)-[t:TIE]->(v)
RETURN collect(u.id) AS u, collect(v.id) AS v, collect(t.closeness) AS closeness,
       collect(t.kind) AS kind, collect(t.directed) AS directed
"""

# ---------------------------------------------------------------------- compute push-down
# S_i = a_i + sum over i's ties of beta * w_kind * closeness * a_j; an undirected tie holds
# both ends, a directed tie source -> target only its source (exactly like Snapshot.L).
# beta and the kind weights come from $beta/$weights when given, else from the settings node.
STICKINESS_OF = """
MATCH (c:Customer {id: $id})
OPTIONAL MATCH (s:GraphMeta {key: $settings_key})
WITH c, coalesce($beta, s.beta, 1.0) AS beta, coalesce($weights, s) AS w
OPTIONAL MATCH (c)-[t:TIE]-(o:Customer)
WHERE t.directed = false OR startNode(t) = c
WITH c, sum(beta * coalesce(w[$prefix + t.kind], 1.0) * t.closeness * o.value) AS network
RETURN c.value AS own, network
"""
WRITE_SCORES = """
UNWIND $rows AS row
MATCH (c:Customer {id: row[0]})
SET c.own = row[1], c.network = row[2], c.stickiness = row[3], c.network_share = row[4]
RETURN count(c) AS n
"""

# ---------------------------------------------------------------------- wipe (tests)
WIPE_CUSTOMERS = """
MATCH (c:Customer) WITH c LIMIT $batch
DETACH DELETE c
RETURN count(*) AS n
"""
WIPE_META = "MATCH (m:GraphMeta) DELETE m"


def _public_url(url: str) -> tuple[str, str | None, str | None]:
    """The URL without user info, and the user and password it named (if any)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise InvalidInput(
            f"a Neo4j URL needs a host, like bolt://localhost:7687; got {parts.scheme}://..."
        )
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(
            f"the port of Neo4j URL {parts.scheme}://{host} is not a number "
            "(expected e.g. bolt://localhost:7687)"
        ) from None
    netloc = host if port is None else f"{host}:{port}"
    return (
        urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")),
        parts.username,
        parts.password,
    )


def _chunks(n: int, size: int = BATCH_ROWS) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


class Neo4jStore(BaseStore):
    """Customers and ties in a Neo4j 5 database (schema in the module docstring).

    Parameters
    ----------
    url : str
        ``neo4j://host:7687`` (routing, for clusters) or ``bolt://host:7687`` (one server);
        ``+s`` / ``+ssc`` variants for TLS. User info in the URL is accepted and stripped.
    user : str, optional
        Login user (default ``neo4j``).
    password : str, optional
        Login password. Kept only inside the driver: never printed, logged, or shown in
        ``repr`` or ``url``. None connects without authentication.
    database : str
        Database name (default ``neo4j``); passed to every query, which saves a round trip.
    connection_timeout : float
        Seconds to wait for a TCP connection.
    max_transaction_retry_time : float
        Seconds during which the driver retries a transaction that failed transiently.
    batch_rows : int
        Rows per ``UNWIND`` statement in bulk writes.

    Raises
    ------
    StoreUnavailable
        The server cannot be reached or rejects the login.
    SchemaMismatch
        The database was written by an incompatible schema version of this engine.
    InvalidInput
        The URL is malformed.
    """

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        database: str = "neo4j",
        connection_timeout: float = 10.0,
        max_transaction_retry_time: float = 15.0,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        super().__init__()
        self.url, url_user, url_password = _public_url(url)
        self.user = user or url_user or "neo4j"
        self.database = database
        self.batch_rows = batch_rows
        self._schema_ready = False
        secret = password if password is not None else url_password
        self._has_password = secret is not None
        try:
            self._driver = neo4j.GraphDatabase.driver(
                self.url,
                auth=(self.user, secret) if secret is not None else None,
                connection_timeout=connection_timeout,
                max_transaction_retry_time=max_transaction_retry_time,
                notifications_min_severity="OFF",
                user_agent="graph-engine",
            )
        except (neo4j.exceptions.ConfigurationError, ValueError) as exc:
            raise InvalidInput(f"cannot use Neo4j URL {self.url!r}: {exc}") from None
        del secret
        try:
            with self._errors():
                self._driver.verify_connectivity()
            self._check_schema_version()
        except BaseException:
            self._driver.close()
            raise

    def __repr__(self) -> str:
        return f"Neo4jStore({self.url!r}, user={self.user!r}, database={self.database!r})"

    # ------------------------------------------------------------------ plumbing
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn driver errors into GraphEngineErrors whose messages name no secret."""
        try:
            yield
        except GraphEngineError:
            raise
        except ne.AuthError as exc:
            hint = (
                ""
                if self._has_password
                else " (no password was given: set NEO4J_PASSWORD or --neo4j-password)"
            )
            raise StoreUnavailable(
                f"Neo4j at {self.url} rejected the login of user {self.user!r}: wrong user or "
                f"password{hint} [{exc.code}]",
                details={"url": self.url, "user": self.user},
            ) from None
        except (ne.ServiceUnavailable, ne.SessionExpired) as exc:
            raise StoreUnavailable(
                f"cannot reach Neo4j at {self.url}: {exc} (is the server running? "
                "`make neo4j-start` starts a local one)",
                details={"url": self.url},
            ) from None
        except ne.TransientError as exc:
            raise StoreUnavailable(
                f"Neo4j at {self.url} is busy: {exc.code}: {exc.message}",
                details={"url": self.url, "code": exc.code},
            ) from None
        except ne.Neo4jError as exc:
            raise StoreError(
                f"Neo4j at {self.url} refused a query: {exc.code}: {exc.message}",
                details={"url": self.url, "code": exc.code},
            ) from None
        except ne.DriverError as exc:
            raise StoreUnavailable(
                f"Neo4j driver error talking to {self.url}: {exc}", details={"url": self.url}
            ) from None

    def _session(self) -> neo4j.Session:
        """A session causally chained to this store's other queries (read your writes)."""
        return self._driver.session(
            database=self.database,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        )

    def _read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        with self._errors(), self._session() as session:
            return session.execute_read(work)

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in one write transaction that first bumps the revision."""
        self._ensure_schema()

        def unit(tx: neo4j.ManagedTransaction) -> T:
            tx.run(BUMP_REVISION, schema_version=SCHEMA_VERSION).consume()
            try:
                return work(tx)
            except ne.TransientError as exc:
                if "OutOfMemory" not in (exc.code or ""):
                    raise  # the driver retries it
                # the same transaction would run out of memory again: do not retry
                raise StoreError(
                    f"the write is too large for one transaction on Neo4j at {self.url} "
                    f"({exc.message}); nothing was written. Give the server more heap "
                    "(server.memory.heap.max_size; dbms.memory.transaction.total.max) or "
                    "write smaller batches",
                    details={"url": self.url, "code": exc.code},
                ) from None

        with self._errors(), self._session() as session:
            return session.execute_write(unit)

    def _value(self, query: str, **params: Any) -> Any:
        """The first value of the single record of a read query (None if no record)."""
        with self._errors():
            records, _, _ = self._driver.execute_query(
                query, params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        return records[0][0] if records else None

    def _ensure_schema(self) -> None:
        """Create the constraints and indexes once per store object (idempotent)."""
        if self._schema_ready:
            return
        with self._errors():
            for statement in SCHEMA_STATEMENTS:
                self._driver.execute_query(statement, database_=self.database)
        self._schema_ready = True

    def _check_schema_version(self) -> None:
        with self._errors():
            records, _, _ = self._driver.execute_query(
                READ_STATE, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        found = records[0]["schema_version"] if records else None
        if found is not None and found != SCHEMA_VERSION:
            raise SchemaMismatch(
                f"Neo4j database {self.database!r} at {self.url} has graph-engine schema version "
                f"{found}, this engine reads {SCHEMA_VERSION}",
                details={"found": found, "expected": SCHEMA_VERSION},
            )

    def close(self) -> None:
        self._driver.close()

    def revision(self) -> int:
        value = self._value(READ_STATE)
        return int(value) if value is not None else 0

    # ------------------------------------------------------------------ writes
    def upsert_customers(self, customers: CustomerBatch | Iterable[Customer]) -> int:
        return self.upsert_graph(customers=customers)[0]

    def upsert_ties(self, ties: TieBatch | Iterable[Tie]) -> int:
        return self.upsert_graph(ties=ties)[1]

    def upsert_graph(
        self,
        customers: CustomerBatch | Iterable[Customer] | None = None,
        ties: TieBatch | Iterable[Tie] | None = None,
    ) -> tuple[int, int]:
        """Upsert customers, then ties, in ONE transaction (all or nothing).

        Ties may name customers of the same call. Ties whose ends are neither stored nor in
        ``customers`` raise UnknownCustomer naming their rows, and nothing is written.
        """
        cbatch = as_customer_batch(customers) if customers is not None else None
        tbatch = as_tie_batch(ties) if ties is not None else None
        customer_rows = self._customer_rows(cbatch) if cbatch is not None else []
        tie_rows = self._tie_rows(tbatch) if tbatch is not None else []
        new_ids = cbatch.ids if cbatch is not None else np.zeros(0, dtype=object)

        def work(tx: neo4j.ManagedTransaction) -> None:
            if tbatch is not None:
                self._check_tie_ends(tx, tbatch, new_ids)
            for sl in _chunks(len(customer_rows), self.batch_rows):
                tx.run(UPSERT_CUSTOMERS, rows=customer_rows[sl]).consume()
            if tie_rows:
                # batches never repeat a tie (validated), so into an empty graph CREATE is safe
                empty = tx.run(COUNT_TIES).single(strict=True)["n"] == 0
                query = CREATE_TIES if empty else UPSERT_TIES
                for sl in _chunks(len(tie_rows), self.batch_rows):
                    tx.run(query, rows=tie_rows[sl]).consume()

        if customer_rows or tie_rows:
            self._write(work)
        return len(customer_rows), len(tie_rows)

    @staticmethod
    def _customer_rows(batch: CustomerBatch) -> list[list[Any]]:
        n = len(batch)
        names = batch.names.tolist() if batch.names is not None else [None] * n
        segments = batch.segments.tolist() if batch.segments is not None else [None] * n
        attrs = batch.attributes if batch.attributes is not None else [None] * n
        return [
            list(row)
            for row in zip(
                batch.ids.tolist(),
                batch.values.tolist(),
                names,
                segments,
                [orjson.dumps(a).decode() if a else None for a in attrs],
                strict=True,
            )
        ]

    @staticmethod
    def _tie_rows(batch: TieBatch) -> list[list[Any]]:
        """Rows (u, v, directed, closeness, kind), sorted by start node.

        Neighbouring rows then touch the same node's relationship chain and pages, which makes
        the server's writes markedly faster than in input order.
        """
        u, v = batch.keys()
        order = pd.DataFrame({"u": u, "v": v}).sort_values(["u", "v"]).index.to_numpy()
        return [
            list(row)
            for row in zip(
                u[order].tolist(),
                v[order].tolist(),
                batch.directed[order].tolist(),
                batch.closeness[order].tolist(),
                [str(k) for k in batch.kinds[order].tolist()],
                strict=True,
            )
        ]

    def _check_tie_ends(
        self, tx: neo4j.ManagedTransaction, batch: TieBatch, new_ids: np.ndarray
    ) -> None:
        """Raise UnknownCustomer (as every store does) for ties naming unknown customers."""
        ends = pd.unique(np.concatenate([batch.sources, batch.targets]))
        if len(new_ids):
            ends = ends[~pd.Index(ends).isin(new_ids)]
        values = ends.tolist()
        missing: list[str] = []
        for sl in _chunks(len(values), self.batch_rows * 5):
            missing += tx.run(MISSING_CUSTOMERS, ids=values[sl]).single(strict=True)["missing"]
        if missing:
            gone = pd.Index(missing)
            report_unknown(
                batch, gone.get_indexer(batch.sources) < 0, gone.get_indexer(batch.targets) < 0
            )

    def delete_customer(self, customer_id: str) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            if tx.run(DELETE_CUSTOMER, id=customer_id).single(strict=True)["n"] == 0:
                raise UnknownCustomer(
                    f"unknown customer {customer_id!r}", details={"id": customer_id}
                )

        self._write(work)

    def delete_tie(self, source: str, target: str, directed: bool | None = None) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            deleted = 0
            if directed in (None, False):
                u, v, _ = tie_key(source, target, False)
                deleted += tx.run(DELETE_TIE, u=u, v=v, directed=False).single(strict=True)["n"]
            if directed in (None, True):
                deleted += tx.run(DELETE_TIE, u=source, v=target, directed=True).single(
                    strict=True
                )["n"]
            if not deleted:
                raise UnknownTie(
                    f"no tie between {source!r} and {target!r}",
                    details={"source": source, "target": target},
                )
            return int(deleted)

        return self._write(work)

    def put_meta(self, key: str, value: str | None) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            if value is None:
                tx.run(DELETE_META, key=key).consume()
            else:
                tx.run(PUT_META, key=key, value=value).consume()

        self._write(work)

    def put_settings(self, settings: GraphSettings) -> GraphSettings:
        """Replace the graph settings; also kept as properties Cypher can read.

        The settings node gets ``beta`` and ``w_<kind>`` for every kind weight besides the
        JSON ``value`` that :meth:`get_settings` reads.
        """
        settings = GraphSettings.model_validate(settings.model_dump())
        properties: dict[str, Any] = {
            "key": self._SETTINGS_KEY,
            "value": settings.model_dump_json(),
            "beta": settings.beta,
        }
        properties.update({_WEIGHT_PREFIX + k: float(w) for k, w in settings.kind_weights.items()})

        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run(PUT_META_PROPERTIES, key=self._SETTINGS_KEY, properties=properties).consume()

        self._write(work)
        return settings

    def write_scores(self, ids: np.ndarray, scores: Scores) -> int:
        """Store every customer's scores as node properties, in one transaction.

        Sets ``own``, ``network``, ``stickiness`` and ``network_share`` on each ``:Customer``
        (rows aligned with ``ids``, as returned by ``compute.scores``), in batched ``UNWIND``
        statements, so Cypher users can query them. These are derived values, not graph data:
        the revision still grows, as with every write.

        Parameters
        ----------
        ids : ndarray of str, shape (n,)
            Customer ids (``Snapshot.ids``).
        scores : Scores
            Scores aligned with ``ids``.

        Returns
        -------
        int
            Number of customers updated (ids deleted since the snapshot are skipped).
        """
        if len(ids) != len(scores.stickiness):
            raise InvalidInput(
                f"{len(ids)} ids but {len(scores.stickiness)} scores: they must "
                "be aligned (Snapshot.ids and compute.scores of it)"
            )
        rows = [
            list(r)
            for r in zip(
                np.asarray(ids, dtype=object).tolist(),
                scores.own.tolist(),
                scores.network.tolist(),
                scores.stickiness.tolist(),
                scores.network_share.tolist(),
                strict=True,
            )
        ]

        def work(tx: neo4j.ManagedTransaction) -> int:
            return sum(
                int(tx.run(WRITE_SCORES, rows=rows[sl]).single(strict=True)["n"])
                for sl in _chunks(len(rows), self.batch_rows)
            )

        return self._write(work) if rows else 0

    def wipe(self) -> None:
        """Delete every customer, tie and metadata entry (for tests); the revision grows.

        Deletes in batches of separate transactions, so it is not atomic.
        """
        self._ensure_schema()
        with self._errors():
            while True:
                records, _, _ = self._driver.execute_query(
                    WIPE_CUSTOMERS, {"batch": self.batch_rows}, database_=self.database
                )
                if records[0]["n"] == 0:
                    break
        self._write(lambda tx: tx.run(WIPE_META).consume())

    # ------------------------------------------------------------------ reads
    @staticmethod
    def _customer(record: Any) -> Customer:
        attributes = record["attributes"]
        return Customer(
            id=record["id"],
            value=record["value"],
            name=record["name"],
            segment=record["segment"],
            attributes=orjson.loads(attributes) if attributes else {},
        )

    def get_customer(self, customer_id: str) -> Customer:
        with self._errors():
            records, _, _ = self._driver.execute_query(
                GET_CUSTOMER,
                {"id": customer_id},
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        if not records:
            raise UnknownCustomer(f"unknown customer {customer_id!r}", details={"id": customer_id})
        return self._customer(records[0])

    def list_customers(
        self, *, segment: str | None = None, limit: int = 100, after: str | None = None
    ) -> list[Customer]:
        check_page(limit)
        query = LIST_CUSTOMERS if segment is None else LIST_CUSTOMERS_IN_SEGMENT
        params = {"after": after if after is not None else "", "limit": limit, "segment": segment}
        with self._errors():
            records, _, _ = self._driver.execute_query(
                query, params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        return [self._customer(r) for r in records]

    def count_customers(self, segment: str | None = None) -> int:
        if segment is None:
            return int(self._value(COUNT_CUSTOMERS))
        return int(self._value(COUNT_CUSTOMERS_IN_SEGMENT, segment=segment))

    def count_ties(self) -> int:
        return int(self._value(COUNT_TIES))

    def ties_of(self, customer_id: str) -> list[Tie]:
        with self._errors():
            records, _, _ = self._driver.execute_query(
                TIES_OF,
                {"id": customer_id},
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        if not records:
            raise UnknownCustomer(f"unknown customer {customer_id!r}", details={"id": customer_id})
        ties = [
            Tie(source=s, target=t, closeness=c, kind=k, directed=d)
            for s, t, c, k, d in records[0]["ties"]
            if s is not None
        ]
        return sorted(ties, key=lambda t: (t.source, t.target, t.directed))

    def get_meta(self, key: str) -> str | None:
        value = self._value(GET_META, key=key)
        return None if value is None else str(value)

    # ------------------------------------------------------------------ compute push-down
    def stickiness_of(
        self, customer_id: str, settings: GraphSettings | None = None
    ) -> dict[str, float]:
        """One customer's scores computed inside Neo4j by one Cypher query (hops = 1).

        ``S_i = a_i + sum_j lambda_ij * a_j`` with ``lambda_ij = beta * w_kind * c_ij`` over
        the customer's ties: an undirected tie counts for both ends, a directed tie
        ``source -> target`` only for its source, as in :attr:`Snapshot.L`. Equal to
        ``compute.scores(store.snapshot()).row(i)`` up to floating-point rounding.

        Parameters
        ----------
        customer_id : str
        settings : GraphSettings, optional
            beta and kind weights; the stored settings when None.

        Returns
        -------
        dict
            ``own``, ``network``, ``stickiness`` and ``network_share`` as Python floats.

        Raises
        ------
        UnknownCustomer
        """
        params: dict[str, Any] = {
            "id": customer_id,
            "settings_key": self._SETTINGS_KEY,
            "prefix": _WEIGHT_PREFIX,
            "beta": None if settings is None else settings.beta,
            "weights": None
            if settings is None
            else {_WEIGHT_PREFIX + k: float(w) for k, w in settings.kind_weights.items()},
        }
        with self._errors():
            records, _, _ = self._driver.execute_query(
                STICKINESS_OF, params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        if not records:
            raise UnknownCustomer(f"unknown customer {customer_id!r}", details={"id": customer_id})
        own, network = float(records[0]["own"]), float(records[0]["network"])
        total = own + network
        return {
            "own": own,
            "network": network,
            "stickiness": total,
            "network_share": network / total if total > 0 else 0.0,
        }

    # ------------------------------------------------------------------ snapshot
    def _read_snapshot(self) -> Snapshot:
        """Stream customers then ties (one read transaction) into numpy arrays.

        Records are consumed one by one into chunks that are converted at once, so the graph
        is never held twice as Python objects. If another process writes meanwhile (the
        revision moved), the read starts again.
        """
        for _ in range(_SNAPSHOT_ATTEMPTS):
            snap = self._read(self._snapshot_work)
            if snap is not None:
                return snap
        raise StoreUnavailable(
            f"Neo4j at {self.url} changed during {_SNAPSHOT_ATTEMPTS} "
            "snapshot reads in a row; try again when writes calm down"
        )

    def _snapshot_work(self, tx: neo4j.ManagedTransaction) -> Snapshot | None:
        """Read the graph page by page into preallocated arrays (None: it changed meanwhile)."""
        state = tx.run(READ_STATE).single()
        revision = int(state["revision"]) if state else 0
        raw = tx.run(GET_META, key=self._SETTINGS_KEY).single()
        settings = (
            GraphSettings() if raw is None else GraphSettings.model_validate_json(raw["value"])
        )
        n = int(tx.run(COUNT_CUSTOMERS).single(strict=True)["n"])
        m = int(tx.run(COUNT_TIES).single(strict=True)["n"])

        # customers, in the server's id order (the tie pages below are ranges of it)
        ids = np.empty(n, dtype=object)
        values = np.empty(n, dtype=np.float64)
        segments = np.empty(n, dtype=object)
        filled, after = 0, ""
        while True:
            rows = tx.run(SNAPSHOT_CUSTOMER_PAGE, after=after, limit=_CUSTOMER_PAGE).single(
                strict=True
            )["rows"]
            if not rows:
                break
            if filled + len(rows) > n:
                return None  # more customers than counted: a concurrent write
            page = slice(filled, filled + len(rows))
            ids[page], values[page], segments[page] = zip(*rows, strict=True)
            filled += len(rows)
            after = rows[-1][0]
            del rows
        if filled != n:
            return None

        # ties, page by page of their start customers; about _TIE_PAGE ties per page
        index = pd.Index(ids)
        per_page = max(1, round(_TIE_PAGE * n / m) if m else n)
        src = np.empty(m, dtype=np.int64)
        dst = np.empty(m, dtype=np.int64)
        closeness = np.empty(m, dtype=np.float64)
        directed = np.empty(m, dtype=bool)
        kind_names: list[str] = []
        codes = np.empty(m, dtype=np.int32)
        filled = 0
        for first in range(0, n if m else 0, per_page):
            low = ids[first - 1] if first else ""
            high = ids[min(first + per_page, n) - 1]
            record = tx.run(SNAPSHOT_TIE_PAGE, after=low, last=high).single(strict=True)
            k = len(record["u"])
            if filled + k > m:
                return None
            sl = slice(filled, filled + k)
            src[sl] = index.get_indexer(record["u"])
            dst[sl] = index.get_indexer(record["v"])
            closeness[sl] = record["closeness"]
            directed[sl] = record["directed"]
            kinds = pd.Series(record["kind"], dtype=object)
            for name in kinds.unique().tolist():
                if name not in kind_names:
                    kind_names.append(name)
            codes[sl] = pd.Index(kind_names).get_indexer(kinds)
            filled += k
            del record, kinds
        if filled != m or (m and (src.min() < 0 or dst.min() < 0)):
            return None
        end = tx.run(READ_STATE).single()
        if (int(end["revision"]) if end else 0) != revision:
            return None

        order = np.argsort(ids, kind="stable")  # Python's string order, as the other stores
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        sorted_kinds = sorted(kind_names)
        remap = np.array([sorted_kinds.index(k) for k in kind_names] or [0], dtype=np.int32)
        return Snapshot.from_edges(
            ids[order],
            values[order],
            position[src],
            position[dst],
            closeness,
            remap[codes],
            sorted_kinds,
            directed,
            settings,
            segments[order],
            revision,
        )
