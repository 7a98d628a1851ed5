"""What-if churn and cascade against hand computations; nothing stored changes."""

from __future__ import annotations

import numpy as np
import pytest

from graph_engine.analytics import what_if_churn
from graph_engine.errors import InvalidInput, UnknownCustomer
from graph_engine.model import Customer, Tie
from graph_engine.stores.memory import InMemoryStore
from tests.unit.analytics._data import NAMES, snapshot


def store_of(customers: list[Customer], ties: list[Tie]) -> InMemoryStore:
    store = InMemoryStore()
    store.upsert_graph(customers=customers, ties=ties)
    return store


def chain() -> InMemoryStore:
    """A - B - C - D mutual ties (closeness 0.5, 0.5, 0.2); values 10, 4, 2, 8."""
    values = {"A": 10.0, "B": 4.0, "C": 2.0, "D": 8.0}
    return store_of(
        [Customer(id=k, value=v) for k, v in values.items()],
        [
            Tie(source="A", target="B", closeness=0.5),
            Tie(source="B", target="C", closeness=0.5),
            Tie(source="C", target="D", closeness=0.2),
        ],
    )


def test_one_leaver_by_hand() -> None:
    # before: A 10+2=12, B 4+5+1=10, C 2+2+1.6=5.6, D 8+0.4=8.4
    r = what_if_churn(chain().snapshot(), ["A"])
    assert r.before.tolist() == pytest.approx([12.0, 10.0, 5.6, 8.4])
    assert r.after.tolist() == pytest.approx([0.0, 5.0, 5.6, 8.4])
    assert r.total_loss == pytest.approx(12.0 + 5.0)
    assert [row["id"] for row in r.losses()] == ["A", "B"]
    assert r.rounds == []


def test_cascade_rounds_by_hand() -> None:
    # A leaves: B 10 -> 5 (50%), below 0.6 -> B follows in round 1;
    # then C 5.6 -> 2 + 1.6 = 3.6 (64%) stays at 0.6 ... but follows at threshold 0.7 in round 2,
    # then D 8.4 -> 8 (95%) stays.
    snap = chain().snapshot()
    r = what_if_churn(snap, ["A"], threshold=0.6)
    assert r.rounds == [["B"]]
    assert r.after.tolist() == pytest.approx([0.0, 0.0, 3.6, 8.4])
    assert r.total_loss == pytest.approx(12 + 10 + 2.0)
    r = what_if_churn(snap, ["A"], threshold=0.7)
    assert r.rounds == [["B"], ["C"]]
    assert r.after.tolist() == pytest.approx([0.0, 0.0, 0.0, 8.0])
    assert r.total_loss == pytest.approx(12 + 10 + 5.6 + 0.4)
    assert r.left.tolist() == [True, True, True, False]


def test_directed_ties_only_hold_the_source() -> None:
    # R1 -> R2 (0.5), R2 -> R3 (0.25): R1 held by R2, R2 held by R3
    store = store_of(
        [Customer(id="R1", value=1.0), Customer(id="R2", value=2.0), Customer(id="R3", value=4.0)],
        [
            Tie(source="R1", target="R2", closeness=0.5, kind="referral", directed=True),
            Tie(source="R2", target="R3", closeness=0.25, kind="referral", directed=True),
        ],
    )
    r = what_if_churn(store.snapshot(), ["R2"])
    # R1 loses 0.5*2; R2 loses its 2 + 0.25*4; R3 held by nobody loses nothing
    assert r.loss.tolist() == pytest.approx([1.0, 3.0, 0.0])


def test_hops_two_breaks_paths_through_leavers() -> None:
    snap = chain().snapshot()
    L = snap.L.toarray()
    a = snap.values
    stay = np.array([0.0, 1.0, 1.0, 1.0])  # A leaves
    D = np.diag(stay)
    LD = L @ D
    expected = stay * (D @ a + LD @ D @ a + LD @ LD @ D @ a)
    before = a + L @ a + L @ L @ a
    r = what_if_churn(snap, ["A"], hops=2)
    assert r.after == pytest.approx(expected)
    assert r.before == pytest.approx(before)
    assert r.total_loss == pytest.approx(float((before - expected).sum()))
    r_all = what_if_churn(snap, ["A"], hops="all")
    keep = [1, 2, 3]
    solved = np.linalg.solve(np.eye(3) - L[np.ix_(keep, keep)], a[keep])
    assert r_all.after[keep] == pytest.approx(solved)


def test_every_round_meets_the_rule_on_a_real_network() -> None:
    snap = snapshot("dolphins", beta=0.3)
    r = what_if_churn(snap, [snap.ids[0], snap.ids[5]], threshold=0.9)
    stay = ~r.left
    assert np.all(r.after[stay] >= 0.9 * r.before[stay])  # nobody left below the threshold
    assert np.all(r.after[r.left] == 0)
    assert r.total_loss == pytest.approx(float(r.loss.sum()))
    losses = [row["loss"] for row in r.losses()]
    assert losses == sorted(losses, reverse=True)


def test_nothing_stored_changes_and_errors_are_clear() -> None:
    store = chain()
    rev = store.revision()
    what_if_churn(store.snapshot(), ["A", "B"], threshold=0.5)
    assert store.revision() == rev and store.count_customers() == 4
    with pytest.raises(UnknownCustomer, match="nobody"):
        what_if_churn(store.snapshot(), ["nobody"])
    with pytest.raises(InvalidInput, match="threshold"):
        what_if_churn(store.snapshot(), ["A"], threshold=1.5)
    with pytest.raises(InvalidInput, match="at least one"):
        what_if_churn(store.snapshot(), [])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("threshold", [None, 0.3, 0.6, 0.9])
def test_local_cascade_equals_full_products(name: str, threshold: float | None) -> None:
    """At hops=1 departures are followed through the ties of the leavers only; the result must
    be the one the full formula S_after = D (a + L D a), recomputed every round, gives."""
    from graph_engine.analytics._graph import holding_matrix
    from graph_engine.analytics.churn import _after, _cascade

    snap = snapshot(name, beta=0.3)
    L, a = holding_matrix(snap), snap.values
    before = _after(L, a, np.ones(snap.n, dtype=bool), 1)
    rng = np.random.default_rng(len(name))
    for size in (1, 3, 10):
        leavers = rng.choice(snap.n, size=min(size, snap.n), replace=False)
        start = np.zeros(snap.n, dtype=bool)
        start[leavers] = True
        after, left, rounds = _cascade(L, a, before, start, threshold, 1)
        got = what_if_churn(snap, [str(x) for x in snap.ids[leavers]], threshold=threshold)
        assert np.array_equal(got.left, left)
        assert got.rounds == [[str(x) for x in snap.ids[r]] for r in rounds]
        assert np.allclose(got.after, after, rtol=1e-12, atol=1e-9 * before.max())
        assert got.total_loss == pytest.approx(float((before - after).sum()), rel=1e-12)
