"""Properties of the stickiness model that hold for every graph (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine.compute import scores
from graph_engine.settings import GraphSettings
from graph_engine.snapshot import Snapshot

KINDS = ("friend", "family", "referral")


@st.composite
def graphs(draw: st.DrawFn, max_n: int = 12) -> tuple[Snapshot, dict]:
    n = draw(st.integers(2, max_n))
    values = np.array(draw(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=n, max_size=n)))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    seen: dict[tuple[int, int, bool], tuple[float, int]] = {}
    for u, v in pairs:
        if u == v:
            continue
        directed = draw(st.booleans())
        key = (u, v, True) if directed else (min(u, v), max(u, v), False)
        seen[key] = (draw(st.floats(0.01, 1.0)), draw(st.integers(0, len(KINDS) - 1)))
    beta = draw(st.floats(0.01, 5.0))
    parts = dict(
        ids=[f"c{i:02d}" for i in range(n)],
        values=values,
        sources=np.array([k[0] for k in seen], dtype=np.int64),
        targets=np.array([k[1] for k in seen], dtype=np.int64),
        closeness=np.array([c for c, _ in seen.values()]),
        kind_codes=np.array([k for _, k in seen.values()], dtype=np.int64),
        kinds=KINDS,
        directed=np.array([k[2] for k in seen], dtype=bool),
        settings=GraphSettings(beta=beta),
    )
    return Snapshot.from_edges(**parts), parts


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_stickiness_is_at_least_own(g: tuple[Snapshot, dict]) -> None:
    snap, _ = g
    sc = scores(snap)
    assert np.all(sc.stickiness >= sc.own)
    assert np.all((sc.network_share >= 0) & (sc.network_share <= 1))


@settings(max_examples=100, deadline=None)
@given(
    graphs(),
    st.floats(0, 100, allow_nan=False),
    st.floats(0, 100, allow_nan=False),
    st.integers(1, 4),
)
def test_stickiness_is_linear_in_the_values(
    g: tuple[Snapshot, dict], x: float, y: float, hops: int
) -> None:
    snap, parts = g
    rng = np.random.default_rng(0)
    other = rng.random(snap.n) * 10

    def s(values: np.ndarray) -> np.ndarray:
        return scores(Snapshot.from_edges(**{**parts, "values": values}), hops).stickiness

    combined = s(x * snap.values + y * other)
    expected = x * s(snap.values) + y * s(other)
    assert np.allclose(combined, expected, rtol=1e-9, atol=1e-6 * max(1.0, np.abs(expected).max()))


@settings(max_examples=100, deadline=None)
@given(graphs(), st.data())
def test_adding_a_tie_never_lowers_anyones_stickiness(
    g: tuple[Snapshot, dict], data: st.DataObject
) -> None:
    snap, parts = g
    u = data.draw(st.integers(0, snap.n - 1))
    v = data.draw(st.integers(0, snap.n - 1).filter(lambda x: x != u))
    directed = data.draw(st.booleans())
    more = {
        **parts,
        "sources": np.append(parts["sources"], u),
        "targets": np.append(parts["targets"], v),
        "closeness": np.append(parts["closeness"], data.draw(st.floats(0.01, 1.0))),
        "kind_codes": np.append(parts["kind_codes"], 0),
        "directed": np.append(parts["directed"], directed),
    }
    before = scores(snap).stickiness
    after = scores(Snapshot.from_edges(**more)).stickiness
    assert np.all(after >= before - 1e-9 * np.maximum(1, before))
    changed = np.flatnonzero(~np.isclose(after, before, rtol=0, atol=0))
    if directed:  # a directed tie changes its source only
        assert set(changed.tolist()) <= {u}
    else:
        assert set(changed.tolist()) <= {u, v}
