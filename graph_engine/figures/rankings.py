"""Influencer leaderboard: the top customers by one influence method, as horizontal bars.

The ranking itself comes from :func:`graph_engine.analytics.influence.influencers` (network value,
weighted degree, PageRank, betweenness or k-core number); this module only draws it. Bars are
coloured by the customer's community with the same colours as the ego network.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from graph_engine.analytics.influence import Influencer, check_method, influencers
from graph_engine.figures._style import TEMPLATE, community_colors
from graph_engine.snapshot import Snapshot

__all__ = ["METHOD_LABELS", "leaderboard_figure"]

METHOD_LABELS = {
    "network_value": "network value (what the others lose if they leave)",
    "degree": "weighted degree (sum of tie weights)",
    "pagerank": "PageRank on the holding graph",
    "betweenness": "betweenness (bridges between communities)",
    "core": "k-core number (core members)",
}
_SCORE_KEYS = ("network_value", "degree", "pagerank", "betweenness", "core")


def leaderboard_figure(
    snapshot: Snapshot,
    method: str = "network_value",
    *,
    top: int = 20,
    community: int | None = None,
    segment: str | None = None,
    membership: np.ndarray | None = None,
    ranking: Sequence[Influencer] | None = None,
    seed: int = 0,
) -> go.Figure:
    """Bar chart of the ``top`` customers by an influence ``method``, best at the top.

    Parameters
    ----------
    snapshot : Snapshot
    method : {"network_value", "degree", "pagerank", "betweenness", "core"}
        The ranking (see :func:`graph_engine.analytics.influence.influencers`).
    top : int
        Number of customers shown (1 .. 1,000,000; a readable chart has up to about 50).
    community : int, optional
        Rank only the members of this community.
    segment : str, optional
        Rank only the customers of this segment.
    membership : ndarray of int, shape (n,), optional
        Community of every customer (detected with ``seed`` when omitted).
    ranking : sequence of Influencer, optional
        An already computed ranking by ``method`` to draw instead of computing one.
    seed : int
        Seed of community detection and of sampled betweenness.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar trace named ``"influencers"``; ``customdata`` rows are
        ``[id, rank, community, network_value, degree, pagerank, betweenness, core]``.

    Raises
    ------
    InvalidInput
        Unknown method, bad ``top`` or community.
    """
    method = check_method(method)
    rows = (
        list(ranking)
        if ranking is not None
        else influencers(
            snapshot,
            method,
            top=top,
            community=community,
            segment=segment,
            membership=membership,
            seed=seed,
        )
    )
    labels = np.array([-1 if r.community is None else r.community for r in rows], dtype=np.int64)
    custom = [
        [
            r.id,
            r.rank,
            -1 if r.community is None else r.community,
            *(r.scores[key] for key in _SCORE_KEYS),
        ]
        for r in rows
    ]
    fig = go.Figure(
        go.Bar(
            x=[r.scores[method] for r in rows],
            y=[r.id for r in rows],
            orientation="h",
            name="influencers",
            customdata=custom,
            marker={"color": community_colors(labels, len(rows))},
            hovertemplate=(
                "<b>#%{customdata[1]} %{customdata[0]}</b><br>community %{customdata[2]}"
                "<br>network value %{customdata[3]:.2f}<br>degree %{customdata[4]:.3f}"
                "<br>PageRank %{customdata[5]:.2e}<br>betweenness %{customdata[6]:.3g}"
                "<br>core %{customdata[7]}<extra></extra>"
            ),
        )
    )
    scope = []
    if community is not None:
        scope.append(f"community {community}")
    if segment is not None:
        scope.append(f"segment {segment!r}")
    where = f" in {' and '.join(scope)}" if scope else ""
    fig.update_layout(
        title={
            "text": f"Top {len(rows)} influencers{where}<br><sup>by "
            f"{METHOD_LABELS[method]}; colour = community</sup>"
        },
        template=TEMPLATE,
        xaxis_title=method.replace("_", " "),
        yaxis={"autorange": "reversed", "title": None, "type": "category"},
        height=max(320, 110 + 22 * len(rows)),
        margin={"l": 90},
        meta={"figure": "influencers", "method": method},
    )
    return fig
