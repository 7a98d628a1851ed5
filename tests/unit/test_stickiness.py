"""Hand-checked stickiness on small graphs, hops, the unbounded series and explanations."""

from __future__ import annotations

import numpy as np
import pytest

from graph_engine.compute import explain, network_value, scores, spectral_radius
from graph_engine.compute.stickiness import check_hops
from graph_engine.errors import Divergent, InvalidInput, UnknownCustomer
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot
from graph_engine.stores.memory import InMemoryStore
from tests.graphs import referral_chain, star, two_customers


def snap_of(*graphs, settings: GraphSettings | None = None) -> Snapshot:  # type: ignore[no-untyped-def]
    store = InMemoryStore()
    for customers, ties in graphs:
        store.upsert_graph(customers=customers, ties=ties)
    if settings:
        store.put_settings(settings)
    return store.snapshot()


def by_id(snap: Snapshot, values: np.ndarray) -> dict[str, float]:
    return dict(zip(snap.ids.tolist(), values.tolist(), strict=True))


def test_two_customers_example_of_the_design() -> None:
    a, b, c, beta = 10.0, 4.0, 0.5, 0.8
    snap = snap_of(two_customers(a, b, c), settings=GraphSettings(beta=beta))
    sc = scores(snap)
    lam = beta * c
    assert by_id(snap, sc.stickiness) == pytest.approx({"A": a + lam * b, "B": b + lam * a})
    assert by_id(snap, sc.network) == pytest.approx({"A": lam * b, "B": lam * a})
    assert by_id(snap, sc.network_share)["A"] == pytest.approx(lam * b / (a + lam * b))
    assert np.all(sc.stickiness > sc.own)


def test_star_hub_collects_every_leaf() -> None:
    snap = snap_of(star(5))
    s = by_id(snap, scores(snap).stickiness)
    assert s["hub"] == pytest.approx(10 + 0.5 * (1 + 2 + 3 + 4 + 5))
    for i in range(1, 6):
        assert s[f"L{i}"] == pytest.approx(i + 0.5 * 10)
    nv = by_id(snap, network_value(snap))
    assert nv["hub"] == pytest.approx(10 * 0.5 * 5)  # five leaves each hold 0.5*10
    assert nv["L3"] == pytest.approx(3 * 0.5)


def test_directed_referral_chain_only_the_source_gains() -> None:
    snap = snap_of(referral_chain(), settings=GraphSettings(beta=1.0, kind_weights={"referral": 2}))
    s = by_id(snap, scores(snap).stickiness)
    assert s == pytest.approx({"R1": 1 + 2 * 0.5 * 2, "R2": 2 + 2 * 0.25 * 4, "R3": 4.0})


def test_kind_weights_scale_lambda() -> None:
    customers, ties = two_customers(10, 4, 0.5)
    ties = [t.model_copy(update={"kind": "family"}) for t in ties]
    snap = snap_of((customers, ties), settings=GraphSettings(beta=1, kind_weights={"family": 3}))
    assert by_id(snap, scores(snap).stickiness)["A"] == pytest.approx(10 + 3 * 0.5 * 4)
    zero = scores(snap, settings=GraphSettings(kind_weights={"family": 0}))
    assert by_id(snap, zero.stickiness)["A"] == pytest.approx(10)


def test_finite_hops_is_the_truncated_series() -> None:
    snap = snap_of(star(3), referral_chain(), settings=GraphSettings(beta=0.3))
    L, a = snap.L.toarray(), snap.values
    expected = a.copy()
    term = a.copy()
    for k in range(1, 5):
        term = L @ term
        expected = expected + term
        assert scores(snap, hops=k).stickiness == pytest.approx(expected)


def test_unbounded_series_solves_the_linear_system() -> None:
    snap = snap_of(star(4), referral_chain(), settings=GraphSettings(beta=0.2))
    L, a = snap.L.toarray(), snap.values
    assert spectral_radius(snap.L) < 1
    expected = np.linalg.solve(np.eye(snap.n) - L, a)
    assert scores(snap, hops="all").stickiness == pytest.approx(expected)
    # and it is the limit of the finite series
    assert scores(snap, hops=50).stickiness == pytest.approx(expected, rel=1e-9)


def test_unbounded_series_refuses_to_diverge_and_names_the_radius() -> None:
    snap = snap_of(star(4), settings=GraphSettings(beta=1.0))
    rho = float(np.max(np.abs(np.linalg.eigvals(snap.L.toarray()))))
    assert rho >= 1
    with pytest.raises(Divergent) as err:
        scores(snap, hops="all")
    assert err.value.details["spectral_radius"] == pytest.approx(rho)
    assert "spectral radius" in str(err.value)


def test_spectral_radius_of_large_sparse_matrices_uses_arpack() -> None:
    from graph_engine.demo import demo_graph

    g = demo_graph(600, seed=3)
    store = InMemoryStore()
    store.upsert_graph(customers=g.customers, ties=g.ties)
    L = store.snapshot().L
    dense = float(np.max(np.abs(np.linalg.eigvals(L.toarray()))))
    assert spectral_radius(L) == pytest.approx(dense, rel=1e-6)


@pytest.mark.parametrize("bad", [0, -1, 51, "two", 1.5, True, None])
def test_hops_must_be_valid(bad: object) -> None:
    with pytest.raises(InvalidInput):
        check_hops(bad)


def test_hops_accepts_strings() -> None:
    assert check_hops("3") == 3 and check_hops("ALL") == "all"


def test_explain_lists_top_contributors_largest_first() -> None:
    snap = snap_of(star(4))
    ex = explain(snap, "hub", top=3)
    assert [c.id for c in ex.contributors] == ["L4", "L3", "L2"]
    assert [c.contribution for c in ex.contributors] == pytest.approx([2.0, 1.5, 1.0])
    assert ex.n_contributors == 4
    assert ex.network == pytest.approx(5.0) and ex.further == 0.0
    assert ex.stickiness == pytest.approx(ex.own + ex.network)


def test_explain_with_hops_splits_direct_and_further() -> None:
    snap = snap_of(star(3), settings=GraphSettings(beta=0.5))
    ex = explain(snap, "L1", hops=2, top=5)
    full = scores(snap, hops=2)
    i = snap.index_of("L1")
    assert ex.stickiness == pytest.approx(full.stickiness[i])
    direct = sum(c.contribution for c in ex.contributors)
    assert direct == pytest.approx(0.25 * 10)
    assert ex.further == pytest.approx(full.network[i] - direct)
    assert ex.further > 0


def test_explain_unknown_customer() -> None:
    with pytest.raises(UnknownCustomer):
        explain(snap_of(star(2)), "nobody")


def test_mirrored_and_directed_ties_to_one_neighbour_add_up() -> None:
    from graph_engine.model import Tie

    customers, ties = two_customers(10, 4, 0.5)
    ties = [*ties, Tie(source="A", target="B", closeness=0.25, directed=True)]
    snap = snap_of((customers, ties))
    ex = explain(snap, "A")
    assert len(ex.contributors) == 1
    assert ex.contributors[0].contribution == pytest.approx((0.5 + 0.25) * 4)
    assert by_id(snap, scores(snap).stickiness) == pytest.approx({"A": 13.0, "B": 9.0})


def test_zero_value_customers_have_zero_share_not_nan() -> None:
    from graph_engine.model import Customer

    snap = snap_of(([Customer(id="x", value=0.0), Customer(id="y", value=0.0)], []))
    sc = scores(snap)
    assert sc.network_share.tolist() == [0.0, 0.0]
