"""The incremental score cache equals a fresh full recomputation after any sequence of writes."""

from __future__ import annotations

import numpy as np
import pytest

from api.live import LiveScores
from graph_engine.compute import scores
from graph_engine.compute.incremental import patch_order, rank_order
from graph_engine.demo import demo_graph
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch
from graph_engine.stores.memory import InMemoryStore
from graph_engine.stores.sqlite import SQLiteStore


def test_patch_order_equals_a_fresh_sort() -> None:
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 20, 500).astype(float)  # many equal keys: the tiebreak matters
    tb = rng.permutation(500).astype(float)
    members = rng.random(500) < 0.9
    order, sk = rank_order(keys, tb, np.flatnonzero(members))
    for _ in range(20):
        changed = rng.choice(500, 7, replace=False)
        keys[changed] = rng.integers(0, 20, 7)
        members[changed] = rng.random(7) < 0.8
        order, sk = patch_order(order, sk, changed, keys, tb, members)
        fresh, fresh_keys = rank_order(keys, tb, np.flatnonzero(members))
        np.testing.assert_array_equal(order, fresh)
        np.testing.assert_array_equal(sk, fresh_keys)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_random_writes_keep_the_cache_exact(kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    graph = demo_graph(200, seed=5)
    store = InMemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "live.db")
    store.upsert_graph(graph.customers, graph.ties)
    live = LiveScores(store)
    ranked_before = live.ranked("stickiness", limit=5)  # a ranking to keep patched
    assert ranked_before[0]
    rng = np.random.default_rng(7)
    ids = graph.customers.ids.tolist()
    kinds = ["friend", "family", "brand-new-kind"]
    for step in range(60):
        action = rng.integers(0, 6)
        a, b = (str(x) for x in rng.choice(ids, 2, replace=False))
        if action == 0:
            live.upsert(
                ties=TieBatch.from_records(
                    [
                        Tie(
                            source=a,
                            target=b,
                            closeness=float(rng.uniform(0.1, 1)),
                            kind=kinds[step % 3],
                            directed=bool(rng.random() < 0.3),
                        )
                    ]
                )
            )
        elif action == 1:
            live.upsert(
                customers=CustomerBatch.from_records(
                    [Customer(id=a, value=float(rng.uniform(0, 50)), segment="vip")]
                )
            )
        elif action == 2:
            new = f"n{step:03d}"
            ids.append(new)
            live.upsert(
                customers=CustomerBatch.from_records([Customer(id=new, value=3.0)]),
                ties=TieBatch.from_records([Tie(source=new, target=a, closeness=0.7)]),
            )
        elif action == 3:
            try:
                live.delete_tie(a, b)
            except LookupError:
                pass
        elif action == 4 and step % 4 == 0:
            live.delete_customer(a)
            ids.remove(a)
        else:
            with pytest.raises(LookupError):  # a failed write changes nothing
                live.upsert(ties=TieBatch.from_records([Tie(source=a, target="nobody")]))
        live.check_consistent()
    assert live.counts["incremental"] > 20 and live.counts["rebuild"] == 0
    # the patched rankings equal a fresh ranking of a full recomputation
    snap = store.snapshot()
    full = scores(snap)
    for field in ("stickiness", "own", "network", "network_share"):
        for desc in (True, False):
            items, after = [], None
            while True:
                page, after = live.ranked(field, desc=desc, limit=37, after=after)
                items += page
                if after is None:
                    break
            values = getattr(full, field)
            expected = sorted(
                zip(snap.ids.tolist(), values.tolist(), strict=True),
                key=lambda t: (-t[1] if desc else t[1], t[0]),
            )
            assert [i["id"] for i in items] == [cid for cid, _ in expected]
            assert [i[field] for i in items] == pytest.approx(
                [v for _, v in expected], rel=1e-9, abs=1e-12
            )
    store.close()


def test_another_process_writing_triggers_a_rebuild(tmp_path) -> None:  # type: ignore[no-untyped-def]
    graph = demo_graph(50, seed=1)
    with SQLiteStore(tmp_path / "x.db") as store, SQLiteStore(tmp_path / "x.db") as other:
        store.upsert_graph(graph.customers, graph.ties)
        live = LiveScores(store)
        other.upsert_customers([Customer(id="zz-outsider", value=9.0)])
        assert live.customer("zz-outsider")["own"] == 9.0
        assert live.counts["rebuild"] == 1
        live.check_consistent()
