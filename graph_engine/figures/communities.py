"""Community map: one bubble per community, links weighted by the ties across communities.

The map draws communities, never customers, so it costs the same for a 1M-customer graph as
for a small one once the communities are known: the per-community sums are ``bincount`` calls
and the cross-community tie weights one sparse product ``C = P^T L P`` with ``P`` the (n x k)
membership indicator matrix, so ``C[c, d] = sum of lambda_ij over i in c, j in d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import scipy.sparse as sp

from graph_engine.compute.stickiness import Scores, scores
from graph_engine.errors import InvalidInput
from graph_engine.figures._style import (
    PALETTE,
    TEMPLATE,
    blank_axes,
    community_colors,
    link_traces,
    marker_sizes,
)
from graph_engine.figures.layout import force_layout
from graph_engine.snapshot import Snapshot

__all__ = ["DEFAULT_MAX_COMMUNITIES", "CommunityGraph", "community_graph", "community_map_figure"]

DEFAULT_MAX_COMMUNITIES = 80
_MAX_COMMUNITIES_LIMIT = 2_000
NODE_TRACE = "communities"


@dataclass(frozen=True)
class CommunityGraph:
    """Communities as a small weighted graph (arrays aligned with community ids ``0..k-1``).

    Attributes
    ----------
    sizes : ndarray of int64, shape (k,)
        Members of each community.
    stickiness_total, stickiness_mean : ndarray of float64, shape (k,)
        Sum and mean of the members' stickiness.
    internal : ndarray of float64, shape (k,)
        ``C[c, c]``: tie weight inside each community (a mutual tie counts in both directions).
    rows, cols : ndarray of int64, shape (m,)
        Pairs of communities with ties across them (rows < cols).
    weights : ndarray of float64, shape (m,)
        ``C[c, d] + C[d, c]``: total lambda of the ties across the pair.
    """

    sizes: np.ndarray
    stickiness_total: np.ndarray
    stickiness_mean: np.ndarray
    internal: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray

    @property
    def count(self) -> int:
        """Number of communities."""
        return len(self.sizes)


def community_graph(
    snapshot: Snapshot, membership: np.ndarray, *, precomputed: Scores | None = None
) -> CommunityGraph:
    """Aggregate customers into communities: sizes, stickiness and cross-community tie weights.

    ``C = P^T L P`` with ``P[i, c] = 1`` when customer ``i`` is in community ``c``; the link
    between communities ``c != d`` weighs ``C[c, d] + C[d, c]``.

    Parameters
    ----------
    snapshot : Snapshot
    membership : ndarray of int, shape (n,)
        Community id (``0..k-1``) of every customer, e.g.
        ``graph_engine.analytics.communities.detect_communities(snapshot).membership``.
    precomputed : Scores, optional
        Scores of the whole graph (hops=1 computed when omitted).

    Returns
    -------
    CommunityGraph

    Raises
    ------
    InvalidInput
        ``membership`` of the wrong length or with negative ids.
    """
    memb = np.asarray(membership)
    if memb.shape != (snapshot.n,) or (
        memb.size and (not np.issubdtype(memb.dtype, np.integer) or memb.min() < 0)
    ):
        raise InvalidInput(
            f"membership must hold one community id >= 0 per customer "
            f"({snapshot.n}), got shape {memb.shape}"
        )
    memb = memb.astype(np.int64)
    sc = precomputed if precomputed is not None else scores(snapshot)
    k = int(memb.max()) + 1 if memb.size else 0
    sizes = np.bincount(memb, minlength=k)
    total = np.bincount(memb, weights=sc.stickiness, minlength=k)
    mean = np.divide(total, sizes, out=np.zeros(k), where=sizes > 0)
    P = sp.csr_matrix((np.ones(snapshot.n), (np.arange(snapshot.n), memb)), shape=(snapshot.n, k))
    C = (P.T @ snapshot.L @ P).tocsr()
    internal = C.diagonal().astype(np.float64)
    sym = sp.triu(C + C.T, k=1).tocoo()
    return CommunityGraph(
        sizes=sizes.astype(np.int64),
        stickiness_total=total,
        stickiness_mean=mean,
        internal=internal,
        rows=sym.row.astype(np.int64),
        cols=sym.col.astype(np.int64),
        weights=sym.data.astype(np.float64),
    )


def community_map_figure(
    snapshot: Snapshot,
    membership: np.ndarray,
    *,
    max_communities: int = DEFAULT_MAX_COMMUNITIES,
    precomputed: Scores | None = None,
    focus: dict[int, list[str]] | None = None,
    highlight: int | None = None,
    seed: int = 0,
) -> go.Figure:
    """Plotly map of the communities: bubbles sized by members, coloured by mean stickiness.

    The ``max_communities`` largest communities are drawn (the title says how many of how many
    and the share of customers they hold); links between drawn communities have a width that
    grows with the total lambda of the ties across them, and pull them together in the seeded
    force layout (:func:`graph_engine.figures.layout.force_layout`).

    Parameters
    ----------
    snapshot : Snapshot
    membership : ndarray of int, shape (n,)
        Community id of every customer, ids ``0..k-1`` (largest first as the analytics number them).
    max_communities : int
        Most communities drawn (1 .. 2000), the largest ones.
    precomputed : Scores, optional
    focus : dict of int to list of str, optional
        The influence focus of each community (its most influential members), shown on hover.
    highlight : int, optional
        A community to outline (e.g. the one a dashboard user selected).
    seed : int
        Seed of the layout.

    Returns
    -------
    plotly.graph_objects.Figure
        Link traces, then one marker trace named ``"communities"``, one point per drawn
        community; ``customdata`` rows are ``[id, size, stickiness_mean, stickiness_total,
        internal, focus]``.
    """
    if isinstance(max_communities, bool) or not 1 <= max_communities <= _MAX_COMMUNITIES_LIMIT:
        raise InvalidInput(
            f"max_communities must be from 1 to {_MAX_COMMUNITIES_LIMIT}, got {max_communities!r}"
        )
    cg = community_graph(snapshot, membership, precomputed=precomputed)
    drawn = np.lexsort((np.arange(cg.count), -cg.sizes))[:max_communities]
    drawn = drawn[cg.sizes[drawn] > 0]
    k = len(drawn)
    local = np.full(cg.count, -1, dtype=np.int64)
    local[drawn] = np.arange(k)
    keep = (local[cg.rows] >= 0) & (local[cg.cols] >= 0)
    rows, cols, w = local[cg.rows[keep]], local[cg.cols[keep]], cg.weights[keep]
    pos = force_layout(k, rows, cols, w, seed=seed)
    focus_text = [", ".join((focus or {}).get(int(c), [])) for c in drawn]
    custom = [
        [
            int(c),
            int(cg.sizes[c]),
            float(cg.stickiness_mean[c]),
            float(cg.stickiness_total[c]),
            float(cg.internal[c]),
            f,
        ]
        for c, f in zip(drawn.tolist(), focus_text, strict=True)
    ]
    outline_color = community_colors(drawn, k)
    outline = np.full(k, 2.0)
    if highlight is not None and 0 <= highlight < cg.count and local[highlight] >= 0:
        outline[local[highlight]] = 6.0
    fig = go.Figure(
        link_traces(
            pos,
            rows,
            cols,
            w,
            label="ties across",
            widths=(0.5, 1.5, 3.0, 5.0),
            color="rgba(120,120,120,0.35)",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=pos[:, 0].tolist(),
            y=pos[:, 1].tolist(),
            mode="markers+text",
            name=NODE_TRACE,
            text=[str(int(c)) for c in drawn],
            textposition="middle center",
            textfont={"size": 9, "color": "white"},
            customdata=custom,
            showlegend=False,
            marker={
                "size": marker_sizes(cg.sizes[drawn], smallest=10, largest=60).tolist(),
                "color": cg.stickiness_mean[drawn].tolist(),
                "colorscale": "Viridis",
                "colorbar": {"title": {"text": "mean<br>stickiness"}},
                "line": {"width": outline.tolist(), "color": outline_color},
                "opacity": 0.9,
            },
            hovertemplate=(
                "<b>community %{customdata[0]}</b><br>%{customdata[1]} members"
                "<br>mean stickiness %{customdata[2]:.2f}<br>total stickiness "
                "%{customdata[3]:.1f}<br>tie weight inside %{customdata[4]:.2f}"
                "<br>focus: %{customdata[5]}<extra></extra>"
            ),
        )
    )
    covered = float(cg.sizes[drawn].sum() / max(snapshot.n, 1))
    cut = (
        f"the {k} largest of {cg.count} communities ({covered:.0%} of customers)"
        if k < cg.count
        else f"all {k} communities"
    )
    fig.update_layout(
        title={
            "text": f"Community map<br><sup>{cut}; size = members, colour = mean stickiness, "
            f"width = ties across</sup>"
        },
        template=TEMPLATE,
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        meta={"figure": "communities", "drawn": k, "communities": cg.count},
        colorway=list(PALETTE),
    )
    return blank_axes(fig)
