"""Ego network of one customer: its neighbourhood to depth 1 or 2, drawn as a small graph.

Nodes are sized by stickiness and coloured by community; ties are drawn with a width that grows
with lambda; hovering a node shows its own value, network part and stickiness; the focal customer
is highlighted. Busy customers have hundreds of neighbours, so the picture keeps at most
``max_nodes`` customers, those with the strongest ties, and says the cut in its title.

The strength of the tie between two customers is the larger lambda of the two directions
(``max(lambda_ij, lambda_ji)``), so a directed referral counts the same from either end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from graph_engine.compute.stickiness import Scores, scores
from graph_engine.errors import InvalidInput
from graph_engine.figures._graph import incident_entries, induced_ties
from graph_engine.figures._style import (
    FOCAL_COLOR,
    TEMPLATE,
    blank_axes,
    community_colors,
    link_traces,
    marker_sizes,
)
from graph_engine.figures.layout import force_layout
from graph_engine.snapshot import Snapshot

__all__ = ["DEFAULT_MAX_NODES", "EgoNetwork", "ego_figure", "ego_network"]

DEFAULT_MAX_NODES = 60
_MAX_NODES_LIMIT = 500
NODE_TRACE = "customers"


@dataclass(frozen=True)
class EgoNetwork:
    """The customers and ties of an ego network, as arrays.

    Attributes
    ----------
    nodes : ndarray of int64, shape (k,)
        Snapshot indices of the customers shown; ``nodes[0]`` is the focal customer.
    hop : ndarray of int64, shape (k,)
        Distance of each shown customer from the focal one (0, 1 or 2).
    rows, cols : ndarray of int64, shape (m,)
        Ties among the shown customers as positions into ``nodes`` (each pair once, rows < cols).
    weights : ndarray of float64, shape (m,)
        Strength of each tie, ``max(lambda_ij, lambda_ji)``.
    n_within : int
        Customers within ``depth`` hops before the cap (the focal one included).
    depth : int
        1 or 2.
    """

    nodes: np.ndarray
    hop: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    n_within: int
    depth: int

    @property
    def capped(self) -> bool:
        """Whether customers within the depth were left out."""
        return len(self.nodes) < self.n_within


def ego_network(
    snapshot: Snapshot, customer_id: str, *, depth: int = 1, max_nodes: int = DEFAULT_MAX_NODES
) -> EgoNetwork:
    """The customers within ``depth`` ties of a customer, strongest ties first, capped.

    First ring: the focal customer's neighbours, by tie strength ``max(lambda_ij, lambda_ji)``
    (largest first). Second ring (``depth=2``): customers tied to a kept first-ring customer and
    not yet shown, by their strongest tie into the first ring. Customers are added ring by ring,
    strongest first, until ``max_nodes`` are shown; ties among the shown customers are all kept.

    Parameters
    ----------
    snapshot : Snapshot
        The graph.
    customer_id : str
        The focal customer.
    depth : int
        1 (neighbours) or 2 (neighbours of neighbours too).
    max_nodes : int
        Most customers shown, the focal one included (2 .. 500).

    Returns
    -------
    EgoNetwork

    Raises
    ------
    UnknownCustomer
        ``customer_id`` is not in the graph.
    InvalidInput
        ``depth`` not 1 or 2, or ``max_nodes`` out of range.
    """
    _check(depth, max_nodes)
    focal = snapshot.index_of(customer_id)
    L = snapshot.L
    n = snapshot.n
    ids = snapshot.ids

    shown = np.array([focal], dtype=np.int64)
    hop = np.array([0], dtype=np.int64)
    n_within = 1
    frontier = shown
    for ring in range(1, depth + 1):
        a, b, w = incident_entries(L, frontier)
        known = np.zeros(n, dtype=bool)
        known[shown] = True
        # the far end of each tie touching the frontier, and its strength
        far = np.where(known[a], b, a)
        fresh = ~known[far] & (known[a] | known[b])
        far, w = far[fresh], w[fresh]
        cand, inverse = np.unique(far, return_inverse=True)
        best = np.zeros(len(cand))
        np.maximum.at(best, inverse, w)
        n_within += len(cand)
        room = max_nodes - len(shown)
        if room <= 0 or len(cand) == 0:
            frontier = cand[:0]
            continue
        order = np.lexsort((ids[cand].astype(str), -best))[:room]
        frontier = cand[order]
        shown = np.concatenate([shown, frontier])
        hop = np.concatenate([hop, np.full(len(frontier), ring)])

    rows, cols, weights = induced_ties(L, shown)
    return EgoNetwork(
        nodes=shown,
        hop=hop,
        rows=rows,
        cols=cols,
        weights=weights,
        n_within=int(n_within),
        depth=depth,
    )


def ego_figure(
    snapshot: Snapshot,
    customer_id: str,
    *,
    depth: int = 1,
    max_nodes: int = DEFAULT_MAX_NODES,
    communities: np.ndarray | None = None,
    precomputed: Scores | None = None,
    seed: int = 0,
) -> go.Figure:
    """Plotly figure of a customer's ego network.

    Node diameter grows with the square root of stickiness ``S_i = a_i + sum_j lambda_ij a_j``
    (area proportional to S); colour is the community; tie width is the tie strength in four
    classes; the focal customer is a dark-outlined diamond with its id written beside it. The
    title says how many of the customers within ``depth`` are shown.

    Parameters
    ----------
    snapshot : Snapshot
        The graph.
    customer_id : str
        The focal customer.
    depth : int
        1 or 2 hops.
    max_nodes : int
        Most customers drawn (2 .. 500); the strongest ties are kept.
    communities : ndarray of int, shape (n,), optional
        Community label of every customer (aligned with ``snapshot.ids``, -1 for none); one
        colour for all when omitted.
    precomputed : Scores, optional
        Scores of the whole graph (computed at hops=1 when omitted).
    seed : int
        Seed of the layout.

    Returns
    -------
    plotly.graph_objects.Figure
        Line traces (one per width class), then one marker trace named ``"customers"`` with one
        point per shown customer, focal first; ``customdata`` rows are
        ``[id, own, network, stickiness, network_share, community, hop]``.

    Raises
    ------
    UnknownCustomer, InvalidInput
    """
    ego = ego_network(snapshot, customer_id, depth=depth, max_nodes=max_nodes)
    if communities is not None and len(communities) != snapshot.n:
        raise InvalidInput(
            f"communities must have one label per customer ({snapshot.n}), got {len(communities)}"
        )
    sc = precomputed if precomputed is not None else scores(snapshot)
    k = len(ego.nodes)
    pos = force_layout(k, ego.rows, ego.cols, ego.weights, seed=seed, center=0)
    labels = (
        np.asarray(communities)[ego.nodes].astype(np.int64)
        if communities is not None
        else np.full(k, -1, dtype=np.int64)
    )
    colors = community_colors(labels if communities is not None else None, k)
    sizes = marker_sizes(sc.stickiness[ego.nodes])
    outline = np.full(k, 0.8)
    outline[0] = 3.5
    symbols = ["diamond"] + ["circle"] * (k - 1)
    text = [customer_id] + [""] * (k - 1)
    custom = np.column_stack(
        [
            snapshot.ids[ego.nodes].astype(str),
            sc.own[ego.nodes],
            sc.network[ego.nodes],
            sc.stickiness[ego.nodes],
            sc.network_share[ego.nodes],
            labels,
            ego.hop,
        ]
    ).tolist()
    fig = go.Figure(link_traces(pos, ego.rows, ego.cols, ego.weights, label="lambda"))
    fig.add_trace(
        go.Scatter(
            x=pos[:, 0].tolist(),
            y=pos[:, 1].tolist(),
            mode="markers+text",
            name=NODE_TRACE,
            text=text,
            textposition="top center",
            customdata=custom,
            showlegend=False,
            marker={
                "size": sizes.tolist(),
                "color": colors,
                "symbol": symbols,
                "line": {"width": outline.tolist(), "color": FOCAL_COLOR},
                "opacity": 0.95,
            },
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>own %{customdata[1]:.2f}"
                "<br>network %{customdata[2]:.2f}<br>stickiness %{customdata[3]:.2f}"
                "<br>network share %{customdata[4]:.1%}<br>community %{customdata[5]}"
                "<br>hops from focal %{customdata[6]}<extra></extra>"
            ),
        )
    )
    cut = (
        f"{k} of {ego.n_within} customers within {depth} hop{'s' if depth > 1 else ''}, "
        f"strongest ties kept"
        if ego.capped
        else f"all {k} customers within {depth} hop{'s' if depth > 1 else ''}"
    )
    fig.update_layout(
        title={
            "text": f"Ego network of {customer_id}<br><sup>{cut}; size = stickiness, "
            f"colour = community, width = lambda</sup>"
        },
        template=TEMPLATE,
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        meta={
            "figure": "ego",
            "customer": customer_id,
            "depth": depth,
            "shown": k,
            "within": ego.n_within,
        },
    )
    return blank_axes(fig)


def _check(depth: int, max_nodes: int) -> None:
    if isinstance(depth, bool) or depth not in (1, 2):
        raise InvalidInput(f"depth must be 1 or 2, got {depth!r}")
    if isinstance(max_nodes, bool) or not 2 <= max_nodes <= _MAX_NODES_LIMIT:
        raise InvalidInput(f"max_nodes must be from 2 to {_MAX_NODES_LIMIT}, got {max_nodes!r}")
