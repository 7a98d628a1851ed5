"""The store contract: every store (memory, SQLite, Neo4j) must pass every test here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graph_engine.compute import explain, scores
from graph_engine.errors import GraphEngineError, InvalidInput, UnknownCustomer, UnknownTie
from graph_engine.model import Customer, CustomerBatch, Tie, TieBatch
from graph_engine.settings import GraphSettings
from graph_engine.stores.base import Store
from tests.graphs import referral_chain, star, two_customers


def _load(store: Store, graph: tuple[list[Customer], list[Tie]]) -> None:
    customers, ties = graph
    store.upsert_customers(customers)
    store.upsert_ties(ties)


def _state(store: Store) -> tuple[list[Customer], list[list[Tie]], int, int]:
    customers = store.list_customers(limit=10_000)
    return (
        customers,
        [store.ties_of(c.id) for c in customers],
        store.count_customers(),
        store.count_ties(),
    )


def test_round_trip_of_customers_keeps_every_field(store: Store) -> None:
    c = Customer(
        id="c-1",
        value=12.5,
        name="Ada Lopez",
        segment="premium",
        attributes={"city": "Lyon", "plan": "family", "age": 41},
    )
    store.upsert_customers([c, Customer(id="c-2", value=0.0)])
    assert store.get_customer("c-1") == c
    assert store.get_customer("c-2") == Customer(id="c-2", value=0.0)
    assert store.count_customers() == 2
    assert store.count_customers(segment="premium") == 1


def test_unicode_and_odd_ids_round_trip(store: Store) -> None:
    ids = ["Zoë", "名前", "a b", "x'y\"z", "semi;colon", "0"]
    store.upsert_customers([Customer(id=i, value=1.0) for i in ids])
    store.upsert_ties([Tie(source="Zoë", target="名前"), Tie(source="x'y\"z", target="0")])
    assert sorted(c.id for c in store.list_customers()) == sorted(ids)
    assert [t.key for t in store.ties_of("Zoë")] == [("Zoë", "名前", False)]
    assert [t.key for t in store.ties_of("0")] == [("0", "x'y\"z", False)]


def test_upsert_replaces_a_customer(store: Store) -> None:
    store.upsert_customers([Customer(id="a", value=1.0, name="old", segment="s1")])
    store.upsert_customers([Customer(id="a", value=2.0, segment="s2")])
    got = store.get_customer("a")
    assert (got.value, got.name, got.segment) == (2.0, None, "s2")
    assert store.count_customers() == 1


def test_listing_pages_in_id_order_without_gaps(store: Store) -> None:
    ids = [f"c{i:03d}" for i in range(25)]
    store.upsert_customers(
        [
            Customer(id=i, value=float(n), segment="even" if n % 2 == 0 else "odd")
            for n, i in enumerate(reversed(ids))
        ]
    )
    seen: list[str] = []
    after = None
    while page := store.list_customers(limit=7, after=after):
        seen += [c.id for c in page]
        after = page[-1].id
    assert seen == ids
    evens = store.list_customers(segment="even", limit=100)
    assert len(evens) == 13 and all(c.segment == "even" for c in evens)
    with pytest.raises(InvalidInput):
        store.list_customers(limit=0)


def test_unknown_customer_is_a_lookup_error(store: Store) -> None:
    with pytest.raises(UnknownCustomer):
        store.get_customer("nobody")
    with pytest.raises(LookupError):
        store.ties_of("nobody")
    with pytest.raises(UnknownCustomer):
        store.delete_customer("nobody")


def test_tie_upsert_updates_the_same_pair(store: Store) -> None:
    _load(store, two_customers())
    store.upsert_ties([Tie(source="B", target="A", closeness=0.9, kind="family")])
    ties = store.ties_of("A")
    assert len(ties) == 1 and store.count_ties() == 1
    assert (ties[0].closeness, ties[0].kind, ties[0].directed) == (0.9, "family", False)


def test_directed_ties_are_kept_per_direction(store: Store) -> None:
    _load(store, two_customers())
    store.upsert_ties(
        [
            Tie(source="A", target="B", closeness=0.2, directed=True),
            Tie(source="B", target="A", closeness=0.3, directed=True),
        ]
    )
    store.upsert_ties([Tie(source="A", target="B", closeness=0.4, directed=True)])
    ties = store.ties_of("A")
    assert store.count_ties() == 3
    by_key = {t.key: t.closeness for t in ties}
    assert by_key == {("A", "B", False): 0.5, ("A", "B", True): 0.4, ("B", "A", True): 0.3}


def test_ties_to_unknown_customers_write_nothing(store: Store) -> None:
    _load(store, two_customers())
    before = _state(store)
    with pytest.raises(UnknownCustomer) as err:
        store.upsert_ties(
            [
                Tie(source="A", target="B", closeness=0.1),
                Tie(source="A", target="ghost"),
                Tie(source="phantom", target="B"),
            ]
        )
    assert err.value.details["count"] == 2
    assert {"ghost", "phantom"} <= set(err.value.details["unknown_ids"])
    assert _state(store) == before


@pytest.mark.parametrize(
    "bad",
    [
        dict(ids=["a", ""], values=[1, 2]),
        dict(ids=["a", "b"], values=[1, -1]),
        dict(ids=["a", "b"], values=[1, float("nan")]),
        dict(ids=["a", "b"], values=[1, float("inf")]),
        dict(ids=["a", "b"], values=[1, 1.7e308]),
        dict(ids=["a", "a"], values=[1, 2]),
        dict(ids=["a", "b"], values=[1, "lots"]),
        dict(ids=["a", 7], values=[1, 2]),
    ],
)
def test_a_customer_batch_with_one_bad_row_changes_nothing(store: Store, bad: dict) -> None:
    _load(store, two_customers())
    before = _state(store)
    with pytest.raises(InvalidInput) as err:
        store.upsert_customers(CustomerBatch.from_columns(bad["ids"], bad["values"]))
    assert err.value.details["count"] >= 1 and err.value.details["rows"]
    assert _state(store) == before


@pytest.mark.parametrize(
    "bad",
    [
        dict(sources=["A", "A"], targets=["B", "A"]),  # self-tie
        dict(sources=["A", "A"], targets=["B", "B"]),  # repeated
        dict(sources=["A", "B"], targets=["B", "A"]),  # repeated, mirrored
        dict(sources=["A"], targets=["B"], closeness=[0.0]),
        dict(sources=["A"], targets=["B"], closeness=[1.5]),
        dict(sources=["A"], targets=["B"], closeness=[float("nan")]),
        dict(sources=["A"], targets=["B"], closeness=["close"]),
        dict(sources=[""], targets=["B"]),
        dict(sources=["A"], targets=["B"], directed=["maybe"]),
    ],
)
def test_a_tie_batch_with_one_bad_row_changes_nothing(store: Store, bad: dict) -> None:
    _load(store, two_customers())
    before = _state(store)
    with pytest.raises(InvalidInput):
        store.upsert_ties(TieBatch.from_columns(**bad))
    assert _state(store) == before


def test_upsert_graph_is_all_or_nothing(store: Store) -> None:
    _load(store, two_customers())
    before = _state(store)
    with pytest.raises(UnknownCustomer):
        store.upsert_graph(
            customers=[Customer(id="C", value=1.0)],
            ties=[Tie(source="C", target="A"), Tie(source="C", target="nobody")],
        )
    assert _state(store) == before
    store.upsert_graph(customers=[Customer(id="C", value=1.0)], ties=[Tie(source="C", target="A")])
    assert store.count_customers() == 3 and store.count_ties() == 2


def test_deleting_a_customer_takes_its_ties(store: Store) -> None:
    _load(store, star(3))
    store.upsert_ties([Tie(source="L1", target="L2", directed=True)])
    store.delete_customer("hub")
    assert store.count_customers() == 3
    assert store.count_ties() == 1
    assert store.ties_of("L3") == []
    with pytest.raises(UnknownCustomer):
        store.get_customer("hub")


def test_deleting_ties(store: Store) -> None:
    _load(store, two_customers())
    store.upsert_ties([Tie(source="A", target="B", directed=True)])
    assert store.delete_tie("B", "A", directed=False) == 1  # undirected: either order
    with pytest.raises(UnknownTie):
        store.delete_tie("B", "A", directed=True)
    assert store.delete_tie("A", "B") == 1
    assert store.count_ties() == 0
    with pytest.raises(UnknownTie):
        store.delete_tie("A", "B")
    with pytest.raises(UnknownTie):
        store.delete_tie("A", "nobody")


def test_settings_round_trip(store: Store) -> None:
    assert store.get_settings() == GraphSettings()
    s = GraphSettings(beta=0.3, kind_weights={"family": 2.0, "club": 0.5})
    store.put_settings(s)
    assert store.get_settings() == s


def test_meta_round_trip(store: Store) -> None:
    assert store.get_meta("k") is None
    store.put_meta("k", '{"a": 1}')
    assert store.get_meta("k") == '{"a": 1}'
    store.put_meta("k", None)
    assert store.get_meta("k") is None


def test_revision_grows_with_every_write_and_invalidates_the_snapshot(store: Store) -> None:
    r0 = store.revision()
    _load(store, two_customers())
    r1 = store.revision()
    snap1 = store.snapshot()
    assert store.snapshot() is snap1  # cached while nothing is written
    store.upsert_ties([Tie(source="A", target="B", closeness=1.0)])
    assert store.revision() > r1 > r0
    snap2 = store.snapshot()
    assert snap2 is not snap1
    assert scores(snap2).stickiness.tolist() == [14.0, 14.0]


def test_failed_write_keeps_the_revision(store: Store) -> None:
    _load(store, two_customers())
    r = store.revision()
    with pytest.raises(GraphEngineError):
        store.upsert_ties([Tie(source="A", target="zzz")])
    assert store.revision() == r


def test_snapshot_scores_match_the_hand_computation(store: Store) -> None:
    _load(store, star(4))
    _load(store, referral_chain())
    store.put_settings(GraphSettings(beta=2.0, kind_weights={"referral": 0.5}))
    snap = store.snapshot()
    sc = scores(snap)
    s = dict(zip(snap.ids.tolist(), sc.stickiness.tolist(), strict=True))
    assert s["hub"] == pytest.approx(10 + 2 * 0.5 * (1 + 2 + 3 + 4))
    assert s["L3"] == pytest.approx(3 + 2 * 0.5 * 10)
    assert s["R1"] == pytest.approx(1 + 2 * 0.5 * 0.5 * 2)
    assert s["R2"] == pytest.approx(2 + 2 * 0.5 * 0.25 * 4)
    assert s["R3"] == pytest.approx(4)
    ex = explain(snap, "hub", top=2)
    assert [c.id for c in ex.contributors] == ["L4", "L3"]
    assert snap.n_ties == store.count_ties() == 6


def test_snapshot_segments_and_order(store: Store) -> None:
    store.upsert_customers(
        [Customer(id=i, value=1.0, segment=s) for i, s in [("b", "x"), ("a", None), ("c", "x")]]
    )
    snap = store.snapshot()
    assert snap.ids.tolist() == ["a", "b", "c"]
    assert snap.segment_mask("x").tolist() == [False, True, True]
    assert np.all(np.isfinite(snap.values))
    assert math.isclose(float(snap.values.sum()), 3.0)


def test_empty_store_gives_an_empty_snapshot(store: Store) -> None:
    snap = store.snapshot()
    assert snap.n == 0 and scores(snap).stickiness.shape == (0,)
