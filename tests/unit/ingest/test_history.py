"""Stickiness history: each date equals an ingest as of that date; trends and churn warnings."""

from __future__ import annotations

import numpy as np
import pytest

from graph_engine.compute import scores
from graph_engine.demo import demo_graph
from graph_engine.errors import InvalidInput
from graph_engine.ingest.events import DAY, parse_time
from graph_engine.ingest.history import date_series, parse_every, stickiness_history
from graph_engine.ingest.pipeline import ingest_interactions, ingest_purchases
from graph_engine.ingest.synthetic import write_demo_events
from graph_engine.stores.memory import InMemoryStore


@pytest.fixture(scope="module")
def logs(tmp_path_factory):  # type: ignore[no-untyped-def]
    graph = demo_graph(300, seed=2)
    return write_demo_events(graph, tmp_path_factory.mktemp("h"), seed=2)


def test_each_date_scores_like_an_ingest_as_of_it(logs) -> None:
    purchases, interactions = logs
    dates = date_series("2024-04-01", "2024-10-01", "61d")
    history = stickiness_history(dates, interactions=interactions, purchases=purchases)
    for j, when in enumerate(dates):
        store = InMemoryStore()
        ingest_purchases(store, purchases, as_of=when)
        ingest_interactions(store, interactions, as_of=when)
        snap = store.snapshot()
        expected = scores(snap).stickiness
        pos = np.searchsorted(history.ids, snap.ids)
        np.testing.assert_allclose(history.stickiness[pos, j], expected, rtol=1e-10)
        absent = np.setdiff1d(np.arange(len(history.ids)), pos)
        assert np.all(history.stickiness[absent, j] == 0)


def test_trends_and_share_drops(logs) -> None:
    purchases, interactions = logs
    dates = date_series("2024-03-01", "2024-12-31", "30d")
    history = stickiness_history(dates, interactions=interactions, purchases=purchases)
    slope_sign = np.sign(np.polyfit(np.asarray(dates) / DAY, history.stickiness.T, 1)[0])
    rising = history.trend == "rising"
    falling = history.trend == "falling"
    assert np.all(slope_sign[rising] > 0) and np.all(slope_sign[falling] < 0)
    assert rising.any() and falling.any()
    drops = history.biggest_share_drops(5)
    changes = [d["share_change"] for d in drops]
    assert changes == sorted(changes) and all(c < 0 for c in changes)
    eligible = history.own[:, 0] > 0
    assert changes[0] == pytest.approx(history.share_change[eligible].min())
    assert sum(r["customers"] for r in history.summary()) > 0


def test_store_values_stand_in_without_a_purchase_log(logs) -> None:
    _, interactions = logs
    when = [parse_time("2024-09-01")]
    ids = np.array(["c000001", "c000002"], dtype=object)
    history = stickiness_history(
        when, interactions=interactions, values=(ids, np.array([5.0, 7.0]))
    )
    own = dict(zip(history.ids.tolist(), history.own[:, 0].tolist(), strict=True))
    assert own.get("c000001", 5.0) == 5.0 and own.get("c000002", 7.0) == 7.0
    assert sum(own.values()) <= 12.0


def test_date_series_and_steps() -> None:
    assert parse_every("2w") == 14 * DAY and parse_every("12h") == 12 * 3600
    assert parse_every("3") == 3 * DAY
    assert len(date_series("2024-01-01", "2024-01-31", "10d")) == 4
    for bad in ("0d", "-1w", "soon", "nand"):
        with pytest.raises(InvalidInput, match="--every"):
            parse_every(bad)
    with pytest.raises(InvalidInput, match="before"):
        date_series("2024-02-01", "2024-01-01", "1d")
    with pytest.raises(InvalidInput, match="at most"):
        date_series("2000-01-01", "2024-01-01", "1d")


def test_date_series_refuses_steps_that_are_not_positive() -> None:
    import pytest

    from graph_engine.errors import InvalidInput
    from graph_engine.ingest.history import date_series

    for step in (0, 0.0, -86_400, float("nan"), float("inf"), "0d", "-1w"):
        with pytest.raises(InvalidInput):
            date_series("2024-01-01", "2024-02-01", step)
    assert len(date_series("2024-01-01", "2024-01-03", 86_400)) == 3  # seconds when a number
