from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph_engine.errors import InvalidInput
from graph_engine.figures.layout import MAX_LAYOUT_NODES, force_layout, ring_layout


def _path(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(n - 1), np.arange(1, n)


def test_same_seed_same_positions_other_seed_other_positions() -> None:
    rows, cols = _path(12)
    a = force_layout(12, rows, cols, seed=3)
    b = force_layout(12, rows, cols, seed=3)
    c = force_layout(12, rows, cols, seed=4)
    assert a.shape == (12, 2)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_positions_fit_the_unit_square_and_center_sits_at_origin() -> None:
    graph = nx.karate_club_graph()
    rows, cols = np.array(list(graph.edges())).T
    pos = force_layout(34, rows, cols, seed=0, center=0)
    assert np.allclose(pos[0], 0.0)
    assert np.abs(pos).max() == pytest.approx(1.0)


def test_strong_ties_pull_ends_closer_than_weak_ones() -> None:
    # a star whose first spoke is 50 times stronger than the others
    rows, cols = np.zeros(6, dtype=int), np.arange(1, 7)
    weights = np.array([50.0, 1, 1, 1, 1, 1])
    pos = force_layout(7, rows, cols, weights, seed=1, center=0)
    dist = np.linalg.norm(pos[1:], axis=1)
    assert dist[0] < dist[1:].min()


def test_repeated_links_are_merged_and_edge_cases_place_nothing_or_one_node() -> None:
    assert force_layout(0, np.array([]), np.array([])).shape == (0, 2)
    assert np.array_equal(force_layout(1, np.array([]), np.array([])), np.zeros((1, 2)))
    twice = force_layout(3, np.array([0, 1, 1]), np.array([1, 0, 2]), seed=2)
    assert np.isfinite(twice).all()


@pytest.mark.parametrize(
    ("n", "rows", "cols", "weights"),
    [
        (MAX_LAYOUT_NODES + 1, [], [], None),
        (3, [0], [3], None),
        (3, [0, 1], [1], None),
        (3, [0], [1], [0.0]),
        (3, [0], [1], [np.nan]),
    ],
)
def test_bad_links_are_refused(n: int, rows: list, cols: list, weights: list | None) -> None:
    with pytest.raises(InvalidInput):
        force_layout(
            n, np.array(rows), np.array(cols), None if weights is None else np.array(weights)
        )


def test_ring_layout_places_nodes_on_the_circle() -> None:
    pos = ring_layout(5, radius=2.0)
    assert np.allclose(np.linalg.norm(pos, axis=1), 2.0)
    with pytest.raises(InvalidInput):
        ring_layout(3, radius=0)
