from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from graph_engine.compute import scores
from graph_engine.errors import InvalidInput
from graph_engine.figures.distributions import (
    QUADRANTS,
    own_vs_network_figure,
    pareto_curve,
    pareto_figure,
    stickiness_histogram,
)
from graph_engine.snapshot import Snapshot


def test_histogram_counts_every_customer_once(snap: Snapshot) -> None:
    fig = stickiness_histogram(snap, bins=30)
    bar = fig.data[0]
    assert sum(bar.y) == snap.n and len(bar.y) == 30
    s = scores(snap).stickiness
    counts, _ = np.histogram(s, bins=30)
    assert list(bar.y) == counts.tolist()


def test_log_histogram_uses_log_bins_and_reports_zeros() -> None:
    values = np.array([0.0, 0.0, 1.0, 10.0, 100.0, 1000.0])
    e = np.zeros(0, dtype=np.int64)
    snap = Snapshot.from_edges(
        [f"c{i}" for i in range(6)], values, e, e, np.zeros(0), e, (), np.zeros(0, bool)
    )
    fig = stickiness_histogram(snap, log=True, bins=3)
    assert fig.layout.xaxis.type == "log"
    assert sum(fig.data[0].y) == 4
    assert "2 customers with stickiness 0 not shown" in fig.layout.title.text
    widths = np.array(fig.data[0].width)
    assert np.all(np.diff(widths) > 0)  # log-spaced bins widen


def test_histogram_segment_and_bad_bins(snap: Snapshot) -> None:
    seg = str(snap.segments[0])
    fig = stickiness_histogram(snap, segment=seg)
    assert sum(fig.data[0].y) == int((snap.segments == seg).sum())
    with pytest.raises(InvalidInput):
        stickiness_histogram(snap, bins=0)


def test_pareto_curve_matches_a_direct_computation() -> None:
    rng = np.random.default_rng(0)
    values = rng.lognormal(size=1001)
    x, y = pareto_curve(values, max_points=100)
    assert x[0] == 0 and y[0] == 0 and x[-1] == 1 and y[-1] == pytest.approx(1)
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) >= 0)
    desc = np.sort(values)[::-1]
    for xi, yi in zip(x, y, strict=True):
        k = round(float(xi) * len(values))
        assert yi == pytest.approx(desc[:k].sum() / values.sum())
    # concave: the stickiest customers come first
    slopes = np.diff(y) / np.diff(x)
    assert np.all(np.diff(slopes) <= 1e-9)


def test_pareto_figure_marks_the_top_20_percent(snap: Snapshot) -> None:
    fig = pareto_figure(snap)
    s = np.sort(scores(snap).stickiness)[::-1]
    expected = s[: int(np.ceil(0.2 * len(s)))].sum() / s.sum()
    assert fig.layout.meta["top_share"] == pytest.approx(expected)
    assert f"{expected:.1%}" in fig.layout.title.text
    assert any(shape.x0 == 0.2 and shape.x1 == 0.2 for shape in fig.layout.shapes)
    names = [t.name for t in fig.data]
    assert "pareto" in names and "equality" in names
    with pytest.raises(InvalidInput):
        pareto_figure(snap, mark=1.5)


def test_own_vs_network_scatter(snap: Snapshot) -> None:
    fig = own_vs_network_figure(snap)
    trace = fig.data[0]
    sc = scores(snap)
    assert isinstance(trace, go.Scatter) and len(trace.x) == snap.n
    assert np.allclose(trace.x, sc.own) and np.allclose(trace.y, sc.network)
    # quadrant lines at the medians, and every quadrant labelled
    xs = [s.x0 for s in fig.layout.shapes if s.x0 == s.x1]
    ys = [s.y0 for s in fig.layout.shapes if s.y0 == s.y1]
    assert xs == [pytest.approx(float(np.median(sc.own)))]
    assert ys == [pytest.approx(float(np.median(sc.network)))]
    labels = {a.text for a in fig.layout.annotations}
    assert labels == {text.split(":")[0] for text in QUADRANTS.values()}
    for field in ("own", "network", "stickiness"):
        assert field in trace.hovertemplate


def test_own_vs_network_switches_to_webgl_and_samples_above_the_limits(snap: Snapshot) -> None:
    fig = own_vs_network_figure(snap, webgl_above=100)
    assert isinstance(fig.data[0], go.Scattergl)
    fig = own_vs_network_figure(snap, max_points=50, seed=1)
    assert len(fig.data[0].x) == 50
    assert f"sample of 50 of {snap.n}" in fig.layout.title.text
    again = own_vs_network_figure(snap, max_points=50, seed=1)
    assert list(again.data[0].x) == list(fig.data[0].x)
