"""The lean read path: in-memory readers equal the waiting ones, key cache, revision checks."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from api.live import LiveScores
from api.security import CachedKeyRing
from graph_engine.compute import scores
from graph_engine.compute.explain import explain
from graph_engine.demo import demo_graph
from graph_engine.keys import KeyRing
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch
from graph_engine.snapshot import _row_major_order
from graph_engine.stores.memory import InMemoryStore
from graph_engine.stores.sqlite import SQLiteStore


def _star_with_equal_leaves() -> InMemoryStore:
    """A hub held by 12 leaves of equal value and closeness: equal contributions, id order."""
    store = InMemoryStore()
    leaves = [f"leaf{k:02d}" for k in (7, 3, 11, 0, 5, 9, 1, 10, 2, 8, 4, 6)]
    store.upsert_graph(
        [Customer(id="hub", value=1.0)] + [Customer(id=x, value=2.0) for x in leaves],
        [Tie(source="hub", target=x, closeness=0.5) for x in leaves]
        + [Tie(source="hub", target="leaf03", closeness=0.25, directed=True)],  # parallel tie
    )
    return store


@pytest.mark.parametrize("top", [0, 1, 3, 12, 1000])
def test_contributors_equal_explain(top: int) -> None:
    graph = demo_graph(200, seed=4)
    store = InMemoryStore()
    store.upsert_graph(graph.customers, graph.ties)
    for st in (store, _star_with_equal_leaves()):
        live = LiveScores(st)
        snap = st.snapshot()
        for cid in snap.ids.tolist():
            got = live.customer(cid, top=top)
            ref = explain(snap, cid, top=top)
            assert [c["id"] for c in got["contributors"]] == [c.id for c in ref.contributors]
            assert [c["contribution"] for c in got["contributors"]] == pytest.approx(
                [c.contribution for c in ref.contributors], rel=1e-12
            )
            assert got["network"] == pytest.approx(ref.network, rel=1e-12, abs=1e-12)


def test_nowait_readers_equal_the_waiting_ones() -> None:
    graph = demo_graph(150, seed=8)
    store = InMemoryStore()
    store.upsert_graph(graph.customers, graph.ties)
    live = LiveScores(store, recheck_seconds=3600.0, warm=[("stickiness", True)])
    live.sync()  # checked now: the next hour's reads need no check
    ids = graph.customers.ids.tolist()
    for cid in ids[:50]:
        assert live.customer_nowait(cid, top=5) == live.customer(cid, top=5)
        assert live.customer_nowait(cid, beta=0.3) == live.customer(cid, beta=0.3)
    with pytest.raises(LookupError):
        live.customer_nowait("nobody")
    # the warmed ranking is ready; an unsorted one is left to a worker thread
    page = live.ranked_nowait("stickiness", limit=20)
    assert page is not None and page == live.ranked("stickiness", limit=20)
    assert page[1] is not None
    assert live.ranked_nowait("stickiness", limit=20, after=page[1]) == live.ranked(
        "stickiness", limit=20, after=page[1]
    )
    assert live.ranked_nowait("own", desc=False) is None
    assert live.ranked_nowait("stickiness", segment="premium") is None
    # a write makes the ranking dirty: patched by the next waiting read, then ready again
    live.upsert(ties=TieBatch.from_records([Tie(source=ids[0], target=ids[1], closeness=0.9)]))
    assert live.ranked_nowait("stickiness") is None
    items, _ = live.ranked("stickiness", limit=1000)
    assert live.ranked_nowait("stickiness", limit=1000) == (items, None)
    full = scores(store.snapshot())
    assert [i["stickiness"] for i in items] == pytest.approx(
        sorted(full.stickiness.tolist(), reverse=True), rel=1e-12
    )
    # while a write holds the cache, the in-memory readers step aside instead of waiting
    held, release = threading.Event(), threading.Event()

    def writer() -> None:
        with live._lock:
            held.set()
            release.wait(30)

    t = threading.Thread(target=writer)
    t.start()
    held.wait(30)
    try:
        assert live.customer_nowait(ids[0]) is None
        assert live.ranked_nowait("stickiness") is None
    finally:
        release.set()
        t.join()
    assert live.customer_nowait(ids[0]) is not None
    assert live.n_customers == len(ids)


def test_other_process_writes_show_after_the_revision_check(tmp_path) -> None:  # type: ignore[no-untyped-def]
    graph = demo_graph(60, seed=2)
    with SQLiteStore(tmp_path / "r.db") as store, SQLiteStore(tmp_path / "r.db") as other:
        store.upsert_graph(graph.customers, graph.ties)
        live = LiveScores(store, recheck_seconds=3600.0)
        live.sync()
        other.upsert_customers(CustomerBatch.from_records([Customer(id="zz-new", value=4.0)]))
        # within the check interval reads answer from the cache (the documented bound) ...
        with pytest.raises(LookupError):
            live.customer("zz-new")
        # ... a forced check (what code that wrote to the store itself calls) rebuilds
        live.sync()
        assert live.customer("zz-new")["own"] == 4.0
        assert live.counts["rebuild"] == 1
        # with no interval every read checks, and the in-memory reader always steps aside
        eager = LiveScores(store)
        assert eager.check_due() and eager.customer_nowait("zz-new") is None
        other.upsert_customers(CustomerBatch.from_records([Customer(id="zz-2", value=1.0)]))
        assert eager.customer("zz-2")["own"] == 1.0
        live.check_consistent()


def test_key_cache_forgets_on_every_key_change(monkeypatch: pytest.MonkeyPatch) -> None:
    store = InMemoryStore()
    ring = CachedKeyRing(store, refresh_seconds=3600.0)
    key, record = ring.create("read")
    assert ring.cached(key) is None  # never verified yet
    assert ring.check(key) == record and ring.cached(key) == record
    assert ring.check("ge_00000000_wrong") is None and ring.cached("ge_00000000_wrong") is None
    other_key, _ = ring.create("write")  # any change of the key table forgets
    assert ring.cached(key) is None and ring.check(key) == record
    ring.revoke(record.key_id)
    assert ring.cached(key) is None and ring.check(key) is None
    # a check that raced a revocation is not remembered
    real_check = KeyRing.check

    def racing(self: KeyRing, presented: str) -> object:
        result = real_check(self, presented)
        ring.forget()
        return result

    monkeypatch.setattr(KeyRing, "check", racing)
    assert ring.check(other_key) is not None
    assert ring.cached(other_key) is None


def test_key_revoked_by_another_process_stops_after_refresh() -> None:
    store = InMemoryStore()
    ring = CachedKeyRing(store, refresh_seconds=0.0)  # trust nothing: re-read every time
    key, record = ring.create("admin")
    assert ring.check(key) == record
    KeyRing(store).revoke(record.key_id)  # e.g. `graph-engine keys revoke`
    assert ring.cached(key) is None and ring.check(key) is None


def test_row_major_order_equals_lexsort() -> None:
    rng = np.random.default_rng(0)
    for n, m in [(0, 0), (1, 3), (4, 60), (50, 2000), (3000, 20_000)]:
        rows = rng.integers(0, max(n, 1), m)
        cols = rng.integers(0, max(n, 1), m)
        np.testing.assert_array_equal(_row_major_order(rows, cols, n), np.lexsort((cols, rows)))
