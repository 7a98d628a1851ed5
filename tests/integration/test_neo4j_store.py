"""Neo4jStore against a real Neo4j 5 server: parity with SQLite, Cypher push-down, write-back,
and clear errors that lose nothing (wrong port, wrong login, a connection cut mid-transaction).

Run with a server: ``make neo4j-start && NEO4J_URI=bolt://127.0.0.1:7687 pytest -m neo4j``.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graph_engine import analytics
from graph_engine.cli.core import write_demo_csv
from graph_engine.compute import explain, network_value, scores
from graph_engine.demo import demo_graph
from graph_engine.errors import InvalidInput, StoreError, StoreUnavailable, UnknownCustomer
from graph_engine.ingest.csv import read_customers_csv, read_ties_csv
from graph_engine.model import Customer, Tie, TieBatch
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot
from graph_engine.stores.base import open_store
from graph_engine.stores.neo4j import Neo4jStore
from graph_engine.stores.sqlite import SQLiteStore
from tests.conftest import neo4j_uri
from tests.real_networks import load

pytestmark = pytest.mark.neo4j

PASSWORD = os.environ.get("NEO4J_PASSWORD", "graph-engine-test")
USER = os.environ.get("NEO4J_USER", "neo4j")


@pytest.fixture(scope="module")
def uri() -> str:
    found = neo4j_uri()
    if found is None:
        pytest.skip("NEO4J_URI not set (run `make neo4j-start` and export NEO4J_URI)")
    return found


@pytest.fixture
def neo(uri: str) -> Iterator[Neo4jStore]:
    store = Neo4jStore(uri, user=USER, password=PASSWORD)
    store.wipe()
    yield store
    store.close()


def _import_csv(store, directory: Path) -> None:  # type: ignore[no-untyped-def]
    store.upsert_graph(
        customers=read_customers_csv(directory / "customers.csv"),
        ties=read_ties_csv(directory / "ties.csv"),
    )


def _write_network_csv(name: str, directory: Path) -> None:
    net = load(name)
    directory.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": net.customers.ids, "value": net.customers.values}).to_csv(
        directory / "customers.csv", index=False
    )
    t = net.ties
    pd.DataFrame(
        {
            "source": t.sources,
            "target": t.targets,
            "closeness": t.closeness,
            "kind": t.kinds,
            "directed": t.directed,
        }
    ).to_csv(directory / "ties.csv", index=False)


def _assert_same_snapshot(a: Snapshot, b: Snapshot) -> None:
    assert a.ids.tolist() == b.ids.tolist()
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.closeness, b.closeness)
    # kind codes are per store (SQLite numbers kinds as it meets them): compare the names
    assert (
        np.array(a.kinds, dtype=object)[a.kind_codes].tolist()
        == np.array(b.kinds, dtype=object)[b.kind_codes].tolist()
    )
    assert list(a.segments) == list(b.segments)  # type: ignore[arg-type]
    assert a.n_ties == b.n_ties and a.settings == b.settings


def _both(
    tmp_path: Path, directory: Path, neo: Neo4jStore, settings: GraphSettings
) -> tuple[Snapshot, Snapshot]:
    with SQLiteStore(tmp_path / "ref.db") as ref:
        _import_csv(ref, directory)
        ref.put_settings(settings)
        expected = ref.snapshot()
    _import_csv(neo, directory)
    neo.put_settings(settings)
    return expected, neo.snapshot()


SETTINGS = GraphSettings(beta=0.4, kind_weights={"family": 2.0, "referral": 0.5, "club": 0.0})


def test_demo_csv_gives_the_same_snapshot_scores_and_explanations(
    neo: Neo4jStore, tmp_path: Path
) -> None:
    write_demo_csv(demo_graph(800, seed=11), tmp_path / "demo")
    expected, got = _both(tmp_path, tmp_path / "demo", neo, SETTINGS)
    _assert_same_snapshot(expected, got)
    assert got.n_ties == neo.count_ties() and got.n == neo.count_customers() == 800
    for hops in (1, 3):
        a, b = scores(expected, hops), scores(got, hops)
        np.testing.assert_array_equal(a.stickiness, b.stickiness)
        np.testing.assert_array_equal(a.network_share, b.network_share)
    np.testing.assert_array_equal(network_value(expected), network_value(got))
    for cid in expected.ids[[0, 17, 399, 799]]:
        assert explain(expected, cid, top=5) == explain(got, cid, top=5)


def test_demo_graph_gives_the_same_analytics(neo: Neo4jStore, tmp_path: Path) -> None:
    write_demo_csv(demo_graph(500, seed=5), tmp_path / "demo")
    expected, got = _both(tmp_path, tmp_path / "demo", neo, GraphSettings(beta=0.2))
    np.testing.assert_array_equal(analytics.pagerank(expected), analytics.pagerank(got))
    np.testing.assert_array_equal(analytics.core_number(expected), analytics.core_number(got))
    np.testing.assert_array_equal(
        analytics.detect_communities(expected, seed=3).membership,
        analytics.detect_communities(got, seed=3).membership,
    )
    assert analytics.influencers(expected, top=10) == analytics.influencers(got, top=10)
    leavers = expected.ids[:5].tolist()
    a = analytics.what_if_churn(expected, leavers, threshold=0.8)
    b = analytics.what_if_churn(got, leavers, threshold=0.8)
    np.testing.assert_array_equal(a.after, b.after)
    assert a.rounds == b.rounds and a.total_loss == b.total_loss
    assert analytics.pareto(expected) == analytics.pareto(got)


@pytest.mark.parametrize("name", ["lesmis", "email-eu-core"])
def test_real_network_gives_the_same_snapshot_and_scores(
    neo: Neo4jStore, tmp_path: Path, name: str
) -> None:
    _write_network_csv(name, tmp_path / name)
    expected, got = _both(tmp_path, tmp_path / name, neo, GraphSettings(beta=0.05))
    _assert_same_snapshot(expected, got)
    np.testing.assert_array_equal(scores(expected).stickiness, scores(got).stickiness)
    top = expected.ids[np.argmax(scores(expected).stickiness)]
    assert explain(expected, top, top=10) == explain(got, top, top=10)


def _mixed_graph() -> tuple[list[Customer], list[Tie]]:
    """Undirected and directed ties, several kinds, a pair with both kinds of tie, a loner."""
    customers = [
        Customer(id=c, value=v)
        for c, v in [("a", 3.0), ("b", 5.0), ("c", 2.0), ("d", 7.5), ("e", 1.0), ("loner", 4.0)]
    ]
    ties = [
        Tie(source="a", target="b", closeness=0.5, kind="family"),
        Tie(source="b", target="a", closeness=0.25, kind="referral", directed=True),
        Tie(source="c", target="a", closeness=0.8),
        Tie(source="d", target="c", closeness=0.3, kind="referral", directed=True),
        Tie(source="e", target="d", closeness=1.0, kind="club"),
        Tie(source="b", target="e", closeness=0.6, kind="colleague", directed=True),
    ]
    return customers, ties


@pytest.mark.parametrize("given", [None, GraphSettings(beta=1.7, kind_weights={"friend": 0.1})])
def test_cypher_push_down_equals_the_snapshot(neo: Neo4jStore, given: GraphSettings | None) -> None:
    customers, ties = _mixed_graph()
    neo.upsert_graph(customers, ties)
    neo.put_settings(GraphSettings(beta=0.6, kind_weights={"family": 2.0, "referral": 0.5}))
    snap = neo.snapshot()
    expected = scores(snap, 1, given)
    for i, cid in enumerate(snap.ids.tolist()):
        got = neo.stickiness_of(cid, given)
        assert got == pytest.approx(expected.row(i), rel=1e-12, abs=1e-12)
        assert all(type(v) is float for v in got.values())
    with pytest.raises(UnknownCustomer):
        neo.stickiness_of("nobody")


def test_cypher_push_down_on_a_demo_graph(neo: Neo4jStore) -> None:
    graph = demo_graph(300, seed=2)
    neo.upsert_graph(graph.customers, graph.ties)
    neo.put_settings(SETTINGS)
    snap = neo.snapshot()
    expected = scores(snap)
    for i in range(0, snap.n, 7):
        assert neo.stickiness_of(snap.ids[i]) == pytest.approx(expected.row(i), rel=1e-12)


def test_written_back_scores_are_readable_in_cypher(neo: Neo4jStore) -> None:
    graph = demo_graph(400, seed=4)
    neo.upsert_graph(graph.customers, graph.ties)
    snap = neo.snapshot()
    result = scores(snap, 2)
    assert neo.write_scores(snap.ids, result) == snap.n
    records, _, _ = neo._driver.execute_query(
        "MATCH (c:Customer) RETURN c.id AS id, c.own AS own, c.network AS network, "
        "c.stickiness AS stickiness, c.network_share AS share ORDER BY c.id",
        database_="neo4j",
    )
    frame = pd.DataFrame([r.data() for r in records]).set_index("id").loc[snap.ids]
    np.testing.assert_array_equal(frame["stickiness"].to_numpy(), result.stickiness)
    np.testing.assert_array_equal(frame["network"].to_numpy(), result.network)
    np.testing.assert_array_equal(frame["own"].to_numpy(), snap.values)
    np.testing.assert_array_equal(frame["share"].to_numpy(), result.network_share)
    with pytest.raises(InvalidInput):
        neo.write_scores(snap.ids[:-1], result)


def test_schema_has_the_uniqueness_constraint_and_ties_as_relationships(neo: Neo4jStore) -> None:
    customers, ties = _mixed_graph()
    neo.upsert_graph(customers, ties)
    records, _, _ = neo._driver.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type", database_="neo4j"
    )
    found = {(tuple(r["labelsOrTypes"]), tuple(r["properties"]), r["type"]) for r in records}
    assert (("Customer",), ("id",), "UNIQUENESS") in found
    records, _, _ = neo._driver.execute_query(
        "MATCH (u:Customer)-[t:TIE]->(v:Customer) RETURN u.id AS u, v.id AS v, "
        "t.directed AS d, t.kind AS kind, t.closeness AS c",
        database_="neo4j",
    )
    stored = {(r["u"], r["v"], r["d"]): (r["c"], r["kind"]) for r in records}
    assert stored == {t.key: (t.closeness, t.kind) for t in ties}  # undirected: smaller id first


def test_another_store_object_sees_writes_through_the_revision(neo: Neo4jStore, uri: str) -> None:
    customers, ties = _mixed_graph()
    neo.upsert_graph(customers, ties)
    with Neo4jStore(uri, user=USER, password=PASSWORD) as other:
        first = other.snapshot()
        neo.upsert_ties([Tie(source="loner", target="a", closeness=0.9)])
        second = other.snapshot()
    assert second is not first and second.revision > first.revision
    assert second.n_ties == first.n_ties + 1


def test_a_big_all_or_nothing_import_with_one_unknown_customer_writes_nothing(
    neo: Neo4jStore,
) -> None:
    graph = demo_graph(3000, seed=9)
    t = graph.ties
    bad = TieBatch.from_columns(
        np.append(t.sources, "ghost"),
        np.append(t.targets, t.targets[0]),
        np.append(t.closeness, 0.5),
        np.append(t.kinds, "friend"),
        np.append(t.directed, False),
    )
    neo.upsert_customers([Customer(id="keep", value=1.0)])
    before = (neo.revision(), neo.count_customers(), neo.count_ties())
    with pytest.raises(UnknownCustomer) as err:
        neo.upsert_graph(graph.customers, bad)  # customers of the call count as known
    assert err.value.details["count"] == 1 and err.value.details["unknown_ids"] == ["ghost"]
    assert (neo.revision(), neo.count_customers(), neo.count_ties()) == before


def test_wrong_port_is_a_clear_store_unavailable(uri: str) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreUnavailable) as err:
        Neo4jStore(f"bolt://127.0.0.1:{port}", user=USER, password=PASSWORD)
    assert f"127.0.0.1:{port}" in str(err.value) and PASSWORD not in str(err.value)


def test_wrong_login_is_clear_and_never_shows_the_password(uri: str) -> None:
    secret = "not-the-password-123"
    with pytest.raises(StoreUnavailable) as err:
        Neo4jStore(uri, user="no-such-user", password=secret)
    assert "wrong user or password" in str(err.value)
    assert secret not in str(err.value) and secret not in repr(err.value.details)


def test_the_password_is_in_no_url_or_repr(uri: str) -> None:
    with_credentials = uri.replace("://", f"://{USER}:{PASSWORD}@")
    with open_store(with_credentials) as store:
        assert PASSWORD not in store.url and PASSWORD not in repr(store)
        assert PASSWORD not in repr(vars(store))
        assert store.count_customers() >= 0


def test_a_malformed_url_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        Neo4jStore("bolt://localhost:notaport", user=USER, password=PASSWORD)


class _Proxy:
    """A TCP forwarder to the server that can cut every connection once enough bytes went up."""

    def __init__(self, host: str, port: int, cut_after: int | None = None) -> None:
        self.target = (host, port)
        self.cut_after = cut_after
        self.sent = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upstream: bool) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
                if upstream:
                    self.sent += len(data)
                    if self.cut_after is not None and self.sent > self.cut_after:
                        self.cut()
                        return
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Stop accepting and reset every connection (as a crashed server or network would)."""
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def test_a_connection_cut_mid_transaction_is_clear_and_writes_nothing(
    neo: Neo4jStore, uri: str
) -> None:
    graph = demo_graph(2000, seed=1)
    neo.upsert_customers([Customer(id="keep", value=1.0)])
    before = (neo.revision(), neo.count_customers(), neo.count_ties())
    host, port = uri.split("://")[1].rsplit(":", 1)
    proxy = _Proxy(host, int(port))
    store = Neo4jStore(
        f"bolt://127.0.0.1:{proxy.port}",
        user=USER,
        password=PASSWORD,
        max_transaction_retry_time=1.0,
        connection_timeout=2.0,
        batch_rows=500,
    )
    try:
        proxy.cut_after = proxy.sent + 100_000  # well inside the ~1 MB of this import
        with pytest.raises(StoreUnavailable) as err:
            store.upsert_graph(graph.customers, graph.ties)
        assert f"127.0.0.1:{proxy.port}" in str(err.value) and PASSWORD not in str(err.value)
    finally:
        proxy.cut()
        store.close()
    assert (neo.revision(), neo.count_customers(), neo.count_ties()) == before


def test_a_write_too_large_for_the_server_memory_is_clear_and_not_retried(
    neo: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Community edition cannot lower the transaction memory limit at run time, so the server's
    # out-of-memory error (seen for real with 1M ties in a 2g heap) is raised from inside the
    # real transaction, after its real revision bump
    import neo4j.exceptions as ne

    graph = demo_graph(300, seed=8)
    calls = []

    def out_of_memory(*args: object) -> None:
        calls.append(args)
        raise ne.Neo4jError._hydrate_neo4j(
            code="Neo.TransientError.General.MemoryPoolOutOfMemoryError",
            message="The allocation of an extra 24.0 MiB would use more than the limit 1.4 GiB",
        )

    neo.upsert_customers(graph.customers)
    before = (neo.revision(), neo.count_customers(), neo.count_ties())
    monkeypatch.setattr(neo, "_check_tie_ends", out_of_memory)
    with pytest.raises(StoreError) as err:
        neo.upsert_graph([Customer(id="new", value=2.0)], graph.ties)
    assert len(calls) == 1  # not retried: it would run out of memory again
    assert "too large for one transaction" in str(err.value)
    assert "nothing was written" in str(err.value)
    assert (neo.revision(), neo.count_customers(), neo.count_ties()) == before
