"""Protect and referral seeds: at least as good as top-degree, better than random, on every
real network (same seed, same runs), and CELF equal to plain greedy where the loss is submodular.
"""

from __future__ import annotations

import numpy as np
import pytest

from graph_engine.analytics import (
    expected_reach,
    protect,
    referral_seeds,
    weighted_degree,
    what_if_churn,
)
from graph_engine.errors import InvalidInput
from tests.unit.analytics._data import NAMES, snapshot

K = 5


def top_degree(snap, k: int) -> list[str]:  # type: ignore[no-untyped-def]
    deg = weighted_degree(snap)
    return [str(x) for x in snap.ids[np.lexsort((np.arange(snap.n), -deg))[:k]]]


def random_choice(snap, k: int, seed: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(x) for x in np.random.default_rng(seed).choice(snap.ids, size=k, replace=False)]


@pytest.mark.parametrize("name", NAMES)
def test_protect_beats_top_degree_and_random(name: str) -> None:
    snap = snapshot(name, beta=0.3)
    chosen = protect(snap, K, threshold=0.5)
    loss = what_if_churn(snap, chosen.customers, threshold=0.5).total_loss
    assert loss == pytest.approx(chosen.total_loss)
    assert loss >= what_if_churn(snap, top_degree(snap, K), threshold=0.5).total_loss - 1e-9
    assert loss > what_if_churn(snap, random_choice(snap, K), threshold=0.5).total_loss
    assert sum(chosen.gains) == pytest.approx(chosen.total_loss)


@pytest.mark.parametrize("name", NAMES)
def test_seeds_beat_top_degree_and_random(name: str) -> None:
    snap = snapshot(name, beta=0.02)
    runs = 40
    chosen = referral_seeds(snap, K, runs=runs, seed=1)
    same = expected_reach(snap, chosen.seeds, runs=runs, seed=1)
    assert same.expected_value == pytest.approx(chosen.expected_value)
    assert chosen.standard_error == pytest.approx(same.standard_error)
    degree = expected_reach(snap, top_degree(snap, K), runs=runs, seed=1)
    rand = expected_reach(snap, random_choice(snap, K), runs=runs, seed=1)
    assert chosen.expected_value >= degree.expected_value - 1e-9
    assert chosen.expected_value > rand.expected_value
    assert sum(chosen.marginal) == pytest.approx(chosen.expected_value)


def test_celf_protect_equals_plain_greedy_without_cascade() -> None:
    snap = snapshot("karate", beta=0.4)
    chosen = protect(snap, 4, candidates=snap.n)
    picked: list[str] = []
    for _ in range(4):  # plain greedy over every customer, by brute force
        gains = {
            c: what_if_churn(snap, [*picked, c]).total_loss
            for c in snap.ids.tolist()
            if c not in picked
        }
        picked.append(max(sorted(gains), key=lambda c: gains[c]))
    assert chosen.customers == picked


def test_celf_seeds_equal_plain_greedy() -> None:
    snap = snapshot("dolphins", beta=0.3)
    chosen = referral_seeds(snap, 3, runs=30, seed=2, candidates=snap.n)
    picked: list[str] = []
    for _ in range(3):
        value = {
            c: expected_reach(snap, [*picked, c], runs=30, seed=2).expected_value
            for c in snap.ids.tolist()
            if c not in picked
        }
        best = max(value.values())
        # ties by customer index, as CELF breaks them
        picked.append(min(c for c, v in value.items() if v >= best - 1e-9))
    assert chosen.seeds == picked


def test_independent_cascade_by_hand() -> None:
    # two customers, one mutual tie with lambda = 1: p = 1 - e^-1 each way
    from graph_engine.model import Customer, Tie
    from graph_engine.stores.memory import InMemoryStore

    store = InMemoryStore()
    store.upsert_graph(
        customers=[Customer(id="A", value=10.0), Customer(id="B", value=4.0)],
        ties=[Tie(source="A", target="B", closeness=1.0)],
    )
    reach = expected_reach(store.snapshot(), ["A"], runs=20_000, seed=0)
    expected = 10 + 4 * (1 - np.exp(-1.0))
    assert abs(reach.expected_value - expected) < 4 * reach.standard_error


def test_targeting_errors() -> None:
    snap = snapshot("karate")
    with pytest.raises(InvalidInput, match="k must be"):
        protect(snap, 0)
    with pytest.raises(InvalidInput, match="at most the number of customers"):
        referral_seeds(snap, 35)
    with pytest.raises(InvalidInput, match="runs"):
        referral_seeds(snap, 2, runs=0)
    with pytest.raises(InvalidInput, match="candidates must be at least k"):
        protect(snap, 5, candidates=3)


def test_seeds_refuse_runs_that_would_not_fit_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    import graph_engine.analytics.seeds as seeds

    snap = snapshot("karate")
    monkeypatch.setattr(seeds, "MEMORY_BUDGET", 200_000)  # bytes: a few dozen karate worlds
    with pytest.raises(InvalidInput, match="use at most") as caught:
        referral_seeds(snap, 2, runs=5000)
    most = caught.value.details["max_runs"]
    assert 0 < most < 5000
    assert referral_seeds(snap, 2, runs=most).runs == most  # the advice is one that works
    with pytest.raises(InvalidInput, match="use at most"):
        referral_seeds(snap, 2, runs=most + 1)
