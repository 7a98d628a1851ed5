"""Pareto shares and Gini against brute-force definitions."""

from __future__ import annotations

import numpy as np
import pytest

from graph_engine.analytics import gini, pareto, top_share
from graph_engine.compute import scores
from graph_engine.errors import InvalidInput
from tests.unit.analytics._data import snapshot


def test_gini_equals_mean_absolute_difference() -> None:
    v = np.random.default_rng(0).lognormal(size=300)
    mad = np.abs(v[:, None] - v[None, :]).sum() / (2 * len(v) ** 2 * v.mean())
    assert gini(v) == pytest.approx(mad)
    assert gini(np.full(10, 3.0)) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 5.0])) == pytest.approx(3 / 4)  # (n-1)/n
    assert gini(np.zeros(3)) == 0.0


def test_top_share_at_whole_customers_is_the_sum_of_the_largest() -> None:
    v = np.random.default_rng(1).exponential(size=50)
    desc = np.sort(v)[::-1]
    for k in (0, 1, 10, 25, 50):
        assert top_share(v, [k / 50])[0] == pytest.approx(desc[:k].sum() / v.sum())
    shares = top_share(v, np.linspace(0, 1, 101).tolist())
    assert np.all(np.diff(shares) >= -1e-12)


def test_pareto_of_a_real_network() -> None:
    snap = snapshot("lesmis")
    result = pareto(snap, [0.2, 1.0])
    stick = scores(snap).stickiness
    assert result.points[1] == (1.0, pytest.approx(1.0))
    assert result.gini == pytest.approx(gini(stick))
    assert result.total == pytest.approx(stick.sum()) and result.n == snap.n
    with pytest.raises(InvalidInput, match="from 0 to 1"):
        pareto(snap, [1.2])
