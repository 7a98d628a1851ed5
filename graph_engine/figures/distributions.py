"""How stickiness is spread over the customers: histogram, Pareto curve, own-versus-network.

The histogram and the Pareto curve are summarised on the server (bin counts, a curve of at most
``max_points`` points), so their figure stays a few kilobytes for a million customers. The
scatter draws one point per customer, with WebGL (``Scattergl``) once there are more than
``webgl_above`` of them, and a seeded sample above ``max_points``, said in the title.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from graph_engine.analytics.pareto import gini, top_share
from graph_engine.compute.stickiness import Scores, scores
from graph_engine.errors import InvalidInput
from graph_engine.figures._style import PALETTE, TEMPLATE
from graph_engine.snapshot import Snapshot

__all__ = [
    "QUADRANTS",
    "WEBGL_ABOVE",
    "own_vs_network_figure",
    "pareto_curve",
    "pareto_figure",
    "stickiness_histogram",
]

WEBGL_ABOVE = 5_000
MAX_SCATTER_POINTS = 50_000
# (own high?, network high?) -> what the quadrant means for retention
QUADRANTS = {
    (True, True): "anchored: valuable and held by the network",
    (False, True): "held by the network: little own value, many strong ties",
    (True, False): "on their own: valuable, few ties to hold them",
    (False, False): "loosely attached: low own value, few ties",
}


def _scores(
    snapshot: Snapshot, precomputed: Scores | None, segment: str | None
) -> tuple[Scores, np.ndarray]:
    sc = precomputed if precomputed is not None else scores(snapshot)
    if len(sc.stickiness) != snapshot.n:
        raise InvalidInput(
            f"precomputed scores cover {len(sc.stickiness)} customers, the "
            f"snapshot has {snapshot.n}"
        )
    return sc, snapshot.segment_mask(segment)


def _scope(segment: str | None, n: int) -> str:
    return f"{n} customers" + (f" in segment {segment!r}" if segment is not None else "")


def stickiness_histogram(
    snapshot: Snapshot,
    *,
    log: bool = False,
    bins: int = 50,
    segment: str | None = None,
    precomputed: Scores | None = None,
) -> go.Figure:
    """Histogram of the customers' stickiness ``S_i = a_i + sum_j lambda_ij a_j``.

    Bin counts come from :func:`numpy.histogram`; with ``log=True`` the bins are evenly spaced
    in ``log10 S`` and the x axis is logarithmic (customers with ``S = 0`` cannot be placed on
    it and are counted in the title instead).

    Parameters
    ----------
    snapshot : Snapshot
    log : bool
        Logarithmic x axis with log-spaced bins.
    bins : int
        Number of bins (1 .. 500).
    segment : str, optional
        Only the customers of this segment.
    precomputed : Scores, optional
        Scores of the whole graph (hops=1 computed when omitted).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace; its ``y`` values sum to the number of customers placed.

    Raises
    ------
    InvalidInput
        ``bins`` out of range.
    """
    if isinstance(bins, bool) or not 1 <= bins <= 500:
        raise InvalidInput(f"bins must be from 1 to 500, got {bins!r}")
    sc, mask = _scores(snapshot, precomputed, segment)
    s = sc.stickiness[mask]
    note = ""
    if log:
        positive = s[s > 0]
        note = (
            f"; {len(s) - len(positive)} customers with stickiness 0 not shown"
            if len(positive) < len(s)
            else ""
        )
        s = positive
        lo, hi = (float(s.min()), float(s.max())) if len(s) else (1.0, 10.0)
        hi = hi if hi > lo else lo * 10
        edges = np.logspace(np.log10(lo), np.log10(hi), bins + 1)
    else:
        edges = np.histogram_bin_edges(s if len(s) else np.zeros(1), bins=bins)
    counts, edges = np.histogram(s, bins=edges)
    centers = np.sqrt(edges[:-1] * edges[1:]) if log else (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(
        go.Bar(
            x=centers.tolist(),
            y=counts.tolist(),
            width=np.diff(edges).tolist(),
            name="customers",
            marker={"color": PALETTE[0], "line": {"width": 0.5, "color": "white"}},
            customdata=np.column_stack([edges[:-1], edges[1:]]).tolist(),
            hovertemplate=(
                "stickiness %{customdata[0]:.3g} to %{customdata[1]:.3g}"
                "<br>%{y} customers<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title={
            "text": f"Stickiness of {_scope(segment, int(counts.sum()))}"
            f"<br><sup>S = own + network{note}</sup>"
        },
        template=TEMPLATE,
        bargap=0,
        xaxis_title="stickiness S",
        yaxis_title="customers",
        meta={"figure": "distribution", "log": log},
    )
    if log:
        fig.update_xaxes(type="log")
    return fig


def pareto_curve(values: np.ndarray, *, max_points: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Share of the total held by the top share of customers: the Pareto (concentration) curve.

    With values sorted in decreasing order ``v_(1) >= ... >= v_(n)``, the curve passes through
    ``(k / n, sum_{i<=k} v_(i) / sum_i v_i)`` for ``k = 0..n``; it is returned at
    ``max_points + 1`` evenly spaced ``k`` (every ``k`` when ``n <= max_points``), always
    including ``(0, 0)`` and ``(1, 1)``.

    Parameters
    ----------
    values : ndarray of float, shape (n,)
        Non-negative values (stickiness).
    max_points : int
        Most points on the curve (>= 2).

    Returns
    -------
    (ndarray, ndarray)
        Customer share and value share, both non-decreasing in [0, 1].

    Examples
    --------
    >>> x, y = pareto_curve(np.array([1.0, 3.0]))
    >>> x.tolist(), y.tolist()
    ([0.0, 0.5, 1.0], [0.0, 0.75, 1.0])
    """
    v = np.sort(np.clip(np.asarray(values, dtype=np.float64), 0.0, None))[::-1]
    n = len(v)
    cum = np.concatenate([[0.0], np.cumsum(v)])
    total = cum[-1]
    k = np.unique(np.round(np.linspace(0, n, min(n, max(max_points, 2)) + 1)).astype(np.int64))
    x = k / max(n, 1)
    y = cum[k] / total if total > 0 else x.copy()
    return x, y


def pareto_figure(
    snapshot: Snapshot,
    *,
    mark: float = 0.2,
    segment: str | None = None,
    precomputed: Scores | None = None,
    max_points: int = 1000,
) -> go.Figure:
    """Pareto curve of stickiness: cumulative share of total stickiness against share of customers.

    The curve is :func:`pareto_curve` of ``S``; a dashed line marks the top ``mark`` share of
    customers and the title says the share of stickiness they hold and the Gini coefficient
    (:func:`graph_engine.analytics.pareto.top_share` and ``gini``, exact, not read off the
    sampled curve). The diagonal is what perfect equality would give.

    Parameters
    ----------
    snapshot : Snapshot
    mark : float
        Share of customers to mark, in (0, 1) (0.2 = the top 20%).
    segment : str, optional
    precomputed : Scores, optional
    max_points : int
        Most points drawn on the curve.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``"pareto"`` (the curve) and ``"equality"``; ``layout.meta["top_share"]`` is the
        share held by the marked customers.
    """
    if not 0 < mark < 1:
        raise InvalidInput(f"mark must be a share of customers between 0 and 1, got {mark!r}")
    sc, mask = _scores(snapshot, precomputed, segment)
    s = sc.stickiness[mask]
    x, y = pareto_curve(s, max_points=max_points)
    n = len(s)
    positive = np.clip(s, 0.0, None)
    top = top_share(positive, [mark])[0] if positive.sum() > 0 else mark
    inequality = gini(positive)
    fig = go.Figure(
        [
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="equality",
                line={"dash": "dot", "color": "#999999"},
                hoverinfo="skip",
            ),
            go.Scatter(
                x=x.tolist(),
                y=y.tolist(),
                mode="lines",
                name="pareto",
                line={"color": PALETTE[0], "width": 3},
                hovertemplate="top %{x:.1%} of customers hold %{y:.1%}<extra></extra>",
            ),
            go.Scatter(
                x=[mark],
                y=[top],
                mode="markers",
                name=f"top {mark:.0%}",
                marker={"size": 11, "color": PALETTE[1]},
                hovertemplate="top %{x:.0%} hold %{y:.1%}<extra></extra>",
            ),
        ]
    )
    fig.add_vline(x=mark, line_dash="dash", line_color=PALETTE[1])
    fig.add_annotation(
        x=mark, y=top, text=f"top {mark:.0%} hold {top:.0%}", showarrow=True, ax=60, ay=30
    )
    fig.update_layout(
        title={
            "text": f"Pareto curve of stickiness ({_scope(segment, n)})<br><sup>the top "
            f"{mark:.0%} of customers hold {top:.1%} of all stickiness; Gini {inequality:.2f}</sup>"
        },
        template=TEMPLATE,
        xaxis={
            "title": "share of customers (stickiest first)",
            "tickformat": ".0%",
            "range": [0, 1],
        },
        yaxis={"title": "share of total stickiness", "tickformat": ".0%", "range": [0, 1.02]},
        meta={"figure": "pareto", "mark": mark, "top_share": top, "gini": inequality},
        showlegend=False,
    )
    return fig


def own_vs_network_figure(
    snapshot: Snapshot,
    *,
    segment: str | None = None,
    precomputed: Scores | None = None,
    communities: np.ndarray | None = None,
    webgl_above: int = WEBGL_ABOVE,
    max_points: int = MAX_SCATTER_POINTS,
    seed: int = 0,
) -> go.Figure:
    """Scatter of own value ``a_i`` against network part ``sum_j lambda_ij a_j``, in quadrants.

    The quadrants split at the medians of own and network; each is labelled with what it means
    for retention (:data:`QUADRANTS`). Above ``webgl_above`` points the scatter is drawn with
    WebGL (``Scattergl``); above ``max_points`` a seeded uniform sample is drawn and the title
    says so (the medians still use every customer).

    Parameters
    ----------
    snapshot : Snapshot
    segment : str, optional
    precomputed : Scores, optional
    communities : ndarray of int, shape (n,), optional
        Community labels, shown in the hover text.
    webgl_above : int
        Point count above which WebGL is used.
    max_points : int
        Most points drawn (>= 1).
    seed : int
        Seed of the sample.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Scatter`` or ``Scattergl`` trace named ``"customers"``: ``text`` holds the ids,
        ``customdata`` rows are ``[stickiness, network_share, community]`` (-1: none given).
    """
    if max_points < 1:
        raise InvalidInput(f"max_points must be >= 1, got {max_points}")
    sc, mask = _scores(snapshot, precomputed, segment)
    idx = np.flatnonzero(mask)
    n = len(idx)
    own_mid = float(np.median(sc.own[idx])) if n else 0.0
    net_mid = float(np.median(sc.network[idx])) if n else 0.0
    note = ""
    if n > max_points:
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(idx, size=max_points, replace=False))
        note = f"; a random sample of {max_points} of {n} customers drawn"
    labels = np.asarray(communities)[idx] if communities is not None else np.full(len(idx), -1)
    trace_type = go.Scattergl if len(idx) > webgl_above else go.Scatter
    # numeric arrays stay numpy (plotly sends them as typed arrays); ids go in ``text``
    custom = np.column_stack([sc.stickiness[idx], sc.network_share[idx], labels.astype(float)])
    fig = go.Figure(
        trace_type(
            x=sc.own[idx],
            y=sc.network[idx],
            mode="markers",
            name="customers",
            text=snapshot.ids[idx].astype(str),
            customdata=custom,
            marker={
                "size": 5 if len(idx) > webgl_above else 7,
                "color": PALETTE[0],
                "opacity": 0.6,
            },
            hovertemplate=(
                "<b>%{text}</b><br>own %{x:.2f}<br>network %{y:.2f}"
                "<br>stickiness %{customdata[0]:.2f}<br>network share %{customdata[1]:.1%}"
                "<br>community %{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.add_vline(x=own_mid, line_dash="dot", line_color="#777777")
    fig.add_hline(y=net_mid, line_dash="dot", line_color="#777777")
    for (own_high, net_high), text in QUADRANTS.items():
        fig.add_annotation(
            text=text.split(":")[0],
            xref="paper",
            yref="paper",
            showarrow=False,
            x=0.98 if own_high else 0.02,
            y=0.98 if net_high else 0.02,
            xanchor="right" if own_high else "left",
            yanchor="top" if net_high else "bottom",
            font={"size": 12, "color": "#555555"},
            bgcolor="rgba(255,255,255,0.7)",
            hovertext=text,
        )
    fig.update_layout(
        title={
            "text": f"Own value against network part ({_scope(segment, n)})<br><sup>quadrants "
            f"split at the medians (own {own_mid:.3g}, network {net_mid:.3g}){note}"
            "</sup>"
        },
        template=TEMPLATE,
        xaxis_title="own value a",
        yaxis_title="network part (sum lambda a)",
        meta={
            "figure": "own-vs-network",
            "own_median": own_mid,
            "network_median": net_mid,
            "drawn": len(idx),
            "customers": n,
        },
    )
    return fig
