"""Seeded node positions for the figures, computed apart from any rendering.

Every function returns plain arrays (``positions[k]`` is the ``(x, y)`` of node ``k``) and is
deterministic for a ``seed``: the same graph and seed give the same picture every time, on the
server and in a notebook. The figure modules only draw what these functions place.

Layouts run on small graphs (an ego network, the communities of a map), where networkx's
force-directed layout is fast enough; nothing here ever places a whole customer graph.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from graph_engine.errors import InvalidInput

__all__ = ["MAX_LAYOUT_NODES", "force_layout", "ring_layout"]

MAX_LAYOUT_NODES = 5_000


def force_layout(
    n_nodes: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    seed: int = 0,
    center: int | None = None,
    iterations: int = 100,
) -> np.ndarray:
    """Force-directed (Fruchterman-Reingold) positions of a small weighted graph.

    Stronger ties pull their ends closer: the attraction along a link is proportional to its
    weight, ``f_a = w_uv * d^2 / k`` against the repulsion ``f_r = k^2 / d`` between every pair,
    with ``k = 1 / sqrt(n)``. Positions are rescaled into ``[-1, 1]^2``; when ``center`` is given
    the whole picture is shifted so that node sits at the origin.

    Parameters
    ----------
    n_nodes : int
        Number of nodes (0 .. MAX_LAYOUT_NODES); nodes are ``0 .. n_nodes - 1``.
    rows, cols : ndarray of int, shape (m,)
        Ends of each link (positions into the nodes); the layout treats links as undirected.
    weights : ndarray of float, shape (m,), optional
        Link weights (> 0, e.g. lambda); all 1 when omitted. Repeated links add up.
    seed : int
        Seed of the initial random positions.
    center : int, optional
        A node to put at the origin (the focal customer of an ego network).
    iterations : int
        Iterations of the force simulation (>= 1).

    Returns
    -------
    ndarray of float64, shape (n_nodes, 2)
        ``(x, y)`` of each node.

    Raises
    ------
    InvalidInput
        Too many nodes, link ends out of range, non-positive weights, or a bad ``center``.

    References
    ----------
    .. [1] T. M. J. Fruchterman and E. M. Reingold, "Graph drawing by force-directed placement",
       Software: Practice and Experience 21(11), 1991.

    Examples
    --------
    >>> import numpy as np
    >>> pos = force_layout(3, np.array([0, 1]), np.array([1, 2]), seed=1)
    >>> pos.shape
    (3, 2)
    >>> bool(np.array_equal(pos, force_layout(3, np.array([0, 1]), np.array([1, 2]), seed=1)))
    True
    """
    rows, cols, weights = _check_links(n_nodes, rows, cols, weights)
    if center is not None and not 0 <= center < n_nodes:
        raise InvalidInput(f"center must be a node from 0 to {n_nodes - 1}, got {center}")
    if iterations < 1:
        raise InvalidInput(f"iterations must be >= 1, got {iterations}")
    if n_nodes == 0:
        return np.zeros((0, 2))
    if n_nodes == 1:
        return np.zeros((1, 2))
    graph = nx.Graph()
    graph.add_nodes_from(range(n_nodes))
    if len(rows):
        # merge repeated and mirrored links first so each pair is one weighted edge
        lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
        keys, inverse = np.unique(lo * n_nodes + hi, return_inverse=True)
        summed = np.bincount(inverse, weights=weights, minlength=len(keys))
        keep = keys // n_nodes != keys % n_nodes
        graph.add_weighted_edges_from(
            zip(
                (keys[keep] // n_nodes).tolist(),
                (keys[keep] % n_nodes).tolist(),
                (summed[keep] / summed[keep].max()).tolist(),
                strict=True,
            )
        )
    placed = nx.spring_layout(graph, weight="weight", seed=seed, iterations=iterations)
    pos = np.array([placed[k] for k in range(n_nodes)], dtype=np.float64)
    if center is not None:
        pos -= pos[center]
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos


def ring_layout(n_nodes: int, *, radius: float = 1.0, start: float = 0.0) -> np.ndarray:
    """Nodes evenly spaced on a circle: ``(r cos t_k, r sin t_k)``, ``t_k = start + 2 pi k / n``.

    Parameters
    ----------
    n_nodes : int
        Number of nodes (>= 0).
    radius : float
        Circle radius (> 0, in layout units).
    start : float
        Angle of node 0 (radians).

    Returns
    -------
    ndarray of float64, shape (n_nodes, 2)

    Examples
    --------
    >>> ring_layout(4).round(6).tolist()
    [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    if n_nodes < 0 or not radius > 0:
        raise InvalidInput(
            f"ring_layout needs n_nodes >= 0 and radius > 0, got {n_nodes}, {radius}"
        )
    t = start + 2 * np.pi * np.arange(n_nodes) / max(n_nodes, 1)
    return np.column_stack([radius * np.cos(t), radius * np.sin(t)])


def _check_links(
    n_nodes: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not 0 <= n_nodes <= MAX_LAYOUT_NODES:
        raise InvalidInput(
            f"a layout places 0 to {MAX_LAYOUT_NODES} nodes (draw communities, not customers, "
            f"for larger graphs), got {n_nodes}"
        )
    rows = np.asarray(rows, dtype=np.int64).ravel()
    cols = np.asarray(cols, dtype=np.int64).ravel()
    if rows.shape != cols.shape:
        raise InvalidInput(
            f"rows and cols must have the same length, got {rows.size} and {cols.size}"
        )
    if rows.size and (min(rows.min(), cols.min()) < 0 or max(rows.max(), cols.max()) >= n_nodes):
        raise InvalidInput(f"link ends must be nodes from 0 to {n_nodes - 1}")
    if weights is None:
        w = np.ones(rows.size)
    else:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != rows.shape:
            raise InvalidInput(f"weights must have one value per link ({rows.size}), got {w.size}")
        if w.size and not (np.all(np.isfinite(w)) and w.min() > 0):
            raise InvalidInput("link weights must be finite and > 0")
    return rows, cols, w
