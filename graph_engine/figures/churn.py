"""What-if churn picture: who leaves, who follows round by round, and what it costs.

The simulation is :func:`graph_engine.analytics.churn.what_if_churn`; this module draws it in two
panels. Left, the customers involved as a small network: the initial leavers (round 0), the
followers coloured by the cascade round they leave in, and the remaining customers with the
largest losses, each sized by its loss of stickiness. Right, the cumulative loss of stickiness
after each round (the leavers' own included), so the cost of the cascade is visible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from graph_engine.analytics.churn import ChurnResult, what_if_churn
from graph_engine.compute.stickiness import Hops
from graph_engine.errors import InvalidInput
from graph_engine.figures._graph import induced_ties
from graph_engine.figures._style import TEMPLATE, line_segments, marker_sizes
from graph_engine.figures.layout import force_layout
from graph_engine.snapshot import Snapshot

__all__ = ["DEFAULT_MAX_NODES", "churn_figure", "churn_rounds"]

DEFAULT_MAX_NODES = 80
_MAX_NODES_LIMIT = 500
STAY_COLOR = "#4c78a8"
# round 0 (the initial leavers) darkest; later rounds fade towards orange
ROUND_COLORS = ("#67000d", "#cb181d", "#ef3b2c", "#fb6a4a", "#fd8d3c", "#fdae6b")


def churn_rounds(snapshot: Snapshot, result: ChurnResult) -> np.ndarray:
    """Round in which every customer left: 0 for the initial leavers, r for cascade round r, -1
    for those who stay (shape (n,), int64)."""
    out = np.full(snapshot.n, -1, dtype=np.int64)
    groups = [result.leavers, *result.rounds]
    for r, ids in enumerate(groups):
        if ids:
            out[snapshot.indices_of(ids)] = r
    return out


def _round_color(r: int) -> str:
    return ROUND_COLORS[min(r, len(ROUND_COLORS) - 1)]


def churn_figure(
    snapshot: Snapshot,
    customers: Sequence[str],
    *,
    threshold: float | None = None,
    hops: Hops = 1,
    result: ChurnResult | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    seed: int = 0,
) -> go.Figure:
    """Plotly picture of a what-if departure and its cascade, round by round.

    Left panel: the leavers and followers (all of them while they fit in ``max_nodes``, in round
    order, then the largest losses among those who stay), marker area proportional to the loss
    ``S_before - S_after``, colour by the round of departure, ties among them drawn. Right panel:
    the cumulative loss ``sum_i (S_before_i - S_after_i)`` once rounds ``0..r`` have left, one bar
    per round (the last bar is ``result.total_loss``).

    Parameters
    ----------
    snapshot : Snapshot
    customers : sequence of str
        Who leaves first.
    threshold : float, optional
        Cascade threshold (a fraction in [0, 1]); None for no cascade.
    hops : int or "all"
        As in :func:`graph_engine.compute.scores`.
    result : ChurnResult, optional
        An already computed :func:`graph_engine.analytics.churn.what_if_churn` of the same call.
    max_nodes : int
        Most customers drawn in the network panel (2 .. 500).
    seed : int
        Seed of the layout.

    Returns
    -------
    plotly.graph_objects.Figure
        Tie traces, one marker trace per departure round (``"round 0"`` = the leavers,
        ``"round r"``) and ``"stays"``, then a bar trace ``"cumulative loss"``; marker
        ``customdata`` rows are ``[id, before, after, loss, round]``.

    Raises
    ------
    UnknownCustomer, InvalidInput
    """
    if isinstance(max_nodes, bool) or not 2 <= max_nodes <= _MAX_NODES_LIMIT:
        raise InvalidInput(f"max_nodes must be from 2 to {_MAX_NODES_LIMIT}, got {max_nodes!r}")
    res = (
        result
        if result is not None
        else what_if_churn(snapshot, customers, threshold=threshold, hops=hops)
    )
    rnd = churn_rounds(snapshot, res)
    loss = res.loss
    gone = np.flatnonzero(rnd >= 0)
    gone = gone[np.lexsort((gone, -loss[gone], rnd[gone]))]  # by round, largest loss first
    hit = np.flatnonzero((rnd < 0) & (loss > 0))
    hit = hit[np.lexsort((hit, -loss[hit]))]
    nodes = np.concatenate([gone, hit])[:max_nodes]
    n_involved = len(gone) + len(hit)
    k = len(nodes)
    rows, cols, w = induced_ties(snapshot.L, nodes)
    pos = force_layout(k, rows, cols, w, seed=seed)

    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.64, 0.36],
        horizontal_spacing=0.08,
        subplot_titles=("customers who leave or lose", "cumulative loss by round"),
    )
    xs, ys = line_segments(pos, rows, cols)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            hoverinfo="skip",
            showlegend=False,
            name="ties",
            line={"width": 0.8, "color": "rgba(90,90,90,0.35)"},
        ),
        row=1,
        col=1,
    )
    sizes = marker_sizes(loss[nodes], smallest=7, largest=34)
    ids = snapshot.ids
    node_round = rnd[nodes]
    n_rounds = len(res.rounds) + 1
    for group in [*range(n_rounds), -1]:
        pick = np.flatnonzero(node_round == group)
        if not len(pick):
            continue
        sel = nodes[pick]
        custom = np.column_stack(
            [ids[sel].astype(str), res.before[sel], res.after[sel], loss[sel], rnd[sel]]
        ).tolist()
        label = (
            "stays"
            if group < 0
            else "leaves first (round 0)"
            if group == 0
            else f"follows in round {group}"
        )
        fig.add_trace(
            go.Scatter(
                x=pos[pick, 0].tolist(),
                y=pos[pick, 1].tolist(),
                mode="markers",
                name="stays" if group < 0 else f"round {group}",
                legendgroup=label,
                customdata=custom,
                showlegend=True,
                legendrank=group if group >= 0 else 999,
                marker={
                    "size": sizes[pick].tolist(),
                    "color": STAY_COLOR if group < 0 else _round_color(group),
                    "symbol": "circle" if group < 0 else "x" if group == 0 else "diamond",
                    "line": {"width": 0.6, "color": "white"},
                    "opacity": 0.9,
                },
                hovertemplate=(
                    f"<b>%{{customdata[0]}}</b> ({label})<br>stickiness before "
                    "%{customdata[1]:.2f}<br>after %{customdata[2]:.2f}"
                    "<br>loss %{customdata[3]:.2f}<extra></extra>"
                ),
            ),
            row=1,
            col=1,
        )
    cumulative = _cumulative_losses(snapshot, res)
    bar_labels = ["leavers"] + [f"round {r}" for r in range(1, n_rounds)]
    counts = [len(res.leavers)] + [len(r) for r in res.rounds]
    fig.add_trace(
        go.Bar(
            x=bar_labels,
            y=cumulative,
            name="cumulative loss",
            showlegend=False,
            marker={"color": [_round_color(r) for r in range(n_rounds)]},
            customdata=counts,
            hovertemplate="%{x}: %{customdata} customers leave<br>total loss so far %{y:.2f}"
            "<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(visible=False, row=1, col=1)
    fig.update_yaxes(visible=False, row=1, col=1, scaleanchor="x", scaleratio=1)
    fig.update_yaxes(title_text="stickiness lost", row=1, col=2)
    followers = int(sum(counts[1:]))
    rule = (
        "no cascade"
        if res.threshold is None
        else f"cascade below {res.threshold:.0%} of former stickiness"
    )
    drawn = (
        f"the {k} most affected of {n_involved} customers involved"
        if k < n_involved
        else f"all {k} customers involved"
    )
    fig.update_layout(
        title={
            "text": f"What if {len(res.leavers)} customer{'s' if len(res.leavers) > 1 else ''}"
            f" leave: {followers} follow, total loss {res.total_loss:.1f}"
            f"<br><sup>{rule}; {drawn}; size = loss of stickiness</sup>"
        },
        template=TEMPLATE,
        hovermode="closest",
        legend={"orientation": "h", "y": -0.05},
        margin={"l": 10, "r": 10, "t": 90, "b": 40},
        meta={
            "figure": "churn",
            "total_loss": res.total_loss,
            "rounds": n_rounds - 1,
            "drawn": k,
            "involved": n_involved,
        },
    )
    return fig


def _cumulative_losses(snapshot: Snapshot, res: ChurnResult) -> list[float]:
    """Total loss once rounds ``0..r`` have left, for every round (no further cascade)."""
    out = []
    gone: list[str] = []
    settings = snapshot.settings
    for group in [res.leavers, *res.rounds]:
        gone = gone + list(group)
        out.append(
            what_if_churn(
                snapshot, gone, threshold=None, hops=res.hops, settings=settings
            ).total_loss
        )
    return out
