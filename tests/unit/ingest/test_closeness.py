"""Closeness from interactions: hand-checked ties, direction rules, monotonicity, real data."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine.ingest.closeness import closeness
from graph_engine.ingest.events import DAY
from graph_engine.ingest.params import ClosenessParams, IngestParams
from graph_engine.ingest.pipeline import derive_interactions

T = 1_720_000_000.0
COLLEGE = Path("/work/shared/datasets/college-msg/CollegeMsg.txt")


def _ties(rows: list[dict], params: ClosenessParams | None = None) -> dict:
    _, ties, _, _ = derive_interactions(
        rows, as_of=T, params=IngestParams(closeness=params or ClosenessParams())
    )
    return {
        (s, t): (c, d, k, m)
        for s, t, c, d, k, m in zip(
            ties.sources.tolist(),
            ties.targets.tolist(),
            ties.closeness.tolist(),
            ties.directed.tolist(),
            ties.kinds.tolist(),
            ties.mass.tolist(),
            strict=True,
        )
    }


def _msg(s: str, t: str, age_days: float = 0.0, **extra) -> dict:
    return {"source": s, "target": t, "timestamp": T - age_days * DAY, **extra}


def test_reciprocal_messages_make_one_mutual_tie() -> None:
    k = ClosenessParams().k
    ties = _ties([_msg("A", "B"), _msg("B", "A")])
    assert list(ties) == [("A", "B")]
    c, directed, kind, _ = ties["A", "B"]
    assert not directed and kind == "message"
    assert math.isclose(c, 1 - math.exp(-2 * k), rel_tol=1e-12)


def test_one_way_messages_make_a_directed_tie_the_sender_held() -> None:
    k = ClosenessParams().k
    ties = _ties([_msg("B", "A"), _msg("B", "A", 1.0)])
    assert list(ties) == [("B", "A")]  # B keeps writing: B is held by A
    c, directed, _, mass = ties["B", "A"]
    assert directed
    assert math.isclose(mass, 1 + 2 ** (-1 / 30), rel_tol=1e-12)
    assert math.isclose(c, 1 - math.exp(-k * mass), rel_tol=1e-12)


def test_half_life_halves_a_weight_exactly() -> None:
    h = ClosenessParams().half_life_days
    fresh = _ties([_msg("A", "B")])["A", "B"][3]
    old = _ties([_msg("A", "B", h)])["A", "B"][3]
    assert old == fresh / 2
    older = _ties([_msg("A", "B", 3 * h)])["A", "B"][3]
    assert older == fresh / 8


def test_kinds_weights_mutual_and_reversed_kinds() -> None:
    p = ClosenessParams()
    ties = _ties(
        [
            _msg("A", "B", kind="shared_order"),  # mutual by nature
            _msg("C", "D", kind="referral"),  # C referred D: D is held by C
            _msg("E", "F", kind="call", weight=0.5),
            _msg("G", "H", weight=0),  # weightless: no tie
        ]
    )
    assert not ties["A", "B"][1]
    assert math.isclose(ties["A", "B"][3], p.kind_weights["shared_order"])
    assert ties["D", "C"][1] and ("C", "D") not in ties
    assert math.isclose(ties["E", "F"][3], 0.5 * p.kind_weights["call"])
    assert ("G", "H") not in ties and ("H", "G") not in ties


def test_tie_kind_is_the_dominant_kind() -> None:
    ties = _ties([_msg("A", "B"), _msg("B", "A", kind="call"), _msg("A", "B", 5)])
    assert ties["A", "B"][2] == "call"  # 2.0 beats 1 + 0.89 of messages


def test_closeness_is_in_zero_one() -> None:
    mass = np.array([0.0, 1e-12, 1.0, 1e3])
    c = closeness(mass, 0.2)
    assert c[0] == 0 and np.all(c[1:] > 0) and np.all(c <= 1)


event = st.tuples(
    st.sampled_from(["A", "B"]),
    st.floats(0, 200),
    st.sampled_from(["message", "call", "co_attendance", "referral"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(event, min_size=1, max_size=10), event, st.floats(0.1, 200))
def test_more_or_more_recent_events_never_lower_closeness(events, extra, shift) -> None:
    def rows(evts):
        return [_msg(s, "B" if s == "A" else "A", age, kind=k) for s, age, k in evts]

    def total(evts):  # closeness of the pair, whatever its direction
        return max((v[0] for v in _ties(rows(evts)).values()), default=0.0)

    base = total(events)
    assert total([*events, extra]) >= base
    s, age, k = events[0]
    assert total([(s, max(age - shift, 0.0), k), *events[1:]]) >= base


def test_college_messages_reciprocity_matches_networkx() -> None:
    data = np.loadtxt(COLLEGE, dtype=np.int64)
    table = pa.table(
        {
            "source": data[:, 0].astype(str),
            "target": data[:, 1].astype(str),
            "timestamp": data[:, 2],
        }
    )
    params = IngestParams(closeness=ClosenessParams(window_days=None))
    ids, ties, _, report = derive_interactions(table, params=params)
    graph = nx.DiGraph()
    graph.add_edges_from(zip(data[:, 0].tolist(), data[:, 1].tolist(), strict=True))
    mutual = sum(1 for u, v in graph.edges if graph.has_edge(v, u)) // 2
    assert report.rows == len(data) and report.malformed == 0
    assert len(ids) == graph.number_of_nodes()
    assert int((~ties.directed).sum()) == mutual
    assert int(ties.directed.sum()) == graph.number_of_edges() - 2 * mutual
    # a directed tie points from the only sender to the receiver
    directed = ties.directed
    for s, t in list(
        zip(
            ties.sources[directed][:200].tolist(),
            ties.targets[directed][:200].tolist(),
            strict=True,
        )
    ):
        assert graph.has_edge(int(s), int(t)) and not graph.has_edge(int(t), int(s))
    assert int(ties.events.sum()) == len(data)
