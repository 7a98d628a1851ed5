from __future__ import annotations

import numpy as np
import pytest

from graph_engine.analytics.churn import what_if_churn
from graph_engine.analytics.influence import influencers
from graph_engine.errors import InvalidInput, UnknownCustomer
from graph_engine.figures._style import community_colors
from graph_engine.figures.churn import churn_figure, churn_rounds
from graph_engine.figures.rankings import leaderboard_figure
from graph_engine.snapshot import Snapshot


@pytest.mark.parametrize("method", ["network_value", "pagerank", "core"])
def test_leaderboard_draws_the_ranking(snap: Snapshot, planted: np.ndarray, method: str) -> None:
    fig = leaderboard_figure(snap, method, top=12, membership=planted)
    bar = fig.data[0]
    ranking = influencers(snap, method, top=12, membership=planted)
    assert list(bar.y) == [r.id for r in ranking]
    assert list(bar.x) == pytest.approx([r.scores[method] for r in ranking])
    assert list(bar.marker.color) == community_colors(np.array([r.community for r in ranking]), 12)
    assert fig.layout.yaxis.autorange == "reversed"  # best at the top
    assert "Top 12 influencers" in fig.layout.title.text


def test_leaderboard_within_a_community(snap: Snapshot, planted: np.ndarray) -> None:
    fig = leaderboard_figure(snap, top=5, community=1, membership=planted)
    assert {row[2] for row in fig.data[0].customdata} == {1}
    assert "in community 1" in fig.layout.title.text
    with pytest.raises(InvalidInput):
        leaderboard_figure(snap, "fame", membership=planted)


def test_churn_picture_round_by_round(snap: Snapshot) -> None:
    leavers = [str(x) for x in snap.ids[[0, 5]]]
    result = what_if_churn(snap, leavers, threshold=0.7)
    fig = churn_figure(snap, leavers, threshold=0.7, max_nodes=500)
    rnd = churn_rounds(snap, result)
    assert set(snap.ids[rnd == 0].tolist()) == set(leavers)
    assert (rnd >= 1).sum() == sum(len(r) for r in result.rounds)
    markers = {t.name: t for t in fig.data if t.type == "scatter" and t.mode == "markers"}
    assert {row[0] for row in markers["round 0"].customdata} == set(leavers)
    for r, ids in enumerate(result.rounds, start=1):
        assert {row[0] for row in markers[f"round {r}"].customdata} == set(ids)
    shown = sum(len(t.x) for t in markers.values())
    assert shown == int(((rnd >= 0) | (result.loss > 0)).sum())
    # the last cumulative bar is the whole loss; bars never decrease
    bars = fig.data[-1]
    assert bars.y[-1] == pytest.approx(result.total_loss)
    assert np.all(np.diff(bars.y) >= -1e-9)
    assert len(bars.y) == 1 + len(result.rounds)
    for field in ("before", "after", "loss"):
        assert field in markers["round 0"].hovertemplate


def test_churn_picture_caps_and_keeps_leavers_first(snap: Snapshot) -> None:
    leavers = [str(x) for x in snap.ids[:3]]
    fig = churn_figure(snap, leavers, max_nodes=10)
    shown = sum(len(t.x) for t in fig.data if t.type == "scatter" and t.mode == "markers")
    assert shown == 10
    assert "the 10 most affected of" in fig.layout.title.text
    assert len(fig.data[-1].y) == 1  # no cascade: one bar


def test_churn_picture_errors(snap: Snapshot) -> None:
    with pytest.raises(UnknownCustomer):
        churn_figure(snap, ["nobody"])
    with pytest.raises(InvalidInput):
        churn_figure(snap, [str(snap.ids[0])], max_nodes=1)
