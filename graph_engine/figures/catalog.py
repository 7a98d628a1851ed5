"""Every figure by name, with one set of parameters: what the CLI and the API call.

``build_figure("ego", snapshot, customer="c000042", depth=2)`` validates the parameters the
figure needs, computes what it depends on (scores once, communities when the figure shows them)
and returns the plotly figure. Names: ``ego``, ``communities``, ``influencers``, ``distribution``,
``pareto``, ``own-vs-network``, ``churn``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from graph_engine.compute.stickiness import Hops, check_hops, scores
from graph_engine.errors import InvalidInput
from graph_engine.snapshot import Snapshot

__all__ = ["FIGURE_NAMES", "build_figure", "check_figure_name"]

FIGURE_NAMES = (
    "ego",
    "communities",
    "influencers",
    "distribution",
    "pareto",
    "own-vs-network",
    "churn",
)


def check_figure_name(name: object) -> str:
    """Validate a figure name (one of :data:`FIGURE_NAMES`)."""
    if name not in FIGURE_NAMES:
        raise InvalidInput(
            f"figure must be one of {', '.join(FIGURE_NAMES)}, got {name!r}",
            details={"figure": str(name), "allowed": list(FIGURE_NAMES)},
        )
    return str(name)


def _membership(snapshot: Snapshot, seed: int) -> Any:
    from graph_engine.analytics.communities import detect_communities

    return detect_communities(snapshot, seed=seed).membership


def build_figure(
    name: str,
    snapshot: Snapshot,
    *,
    customer: str | None = None,
    community: int | None = None,
    method: str = "network_value",
    depth: int = 1,
    customers: Sequence[str] | None = None,
    threshold: float | None = None,
    hops: Hops | str = 1,
    top: int = 20,
    log: bool = False,
    segment: str | None = None,
    max_nodes: int | None = None,
    seed: int = 0,
) -> go.Figure:
    """Build one figure by name.

    Parameters
    ----------
    name : str
        One of :data:`FIGURE_NAMES`.
    snapshot : Snapshot
        The graph.
    customer : str, optional
        Focal customer of ``ego`` (required there); for ``churn``, a single leaver when
        ``customers`` is not given.
    community : int, optional
        Restricts ``influencers`` to one community; outlines it on ``communities``.
    method : str
        Ranking method of ``influencers``.
    depth : int
        Depth of ``ego`` (1 or 2).
    customers : sequence of str, optional
        Leavers of ``churn``.
    threshold : float, optional
        Cascade threshold of ``churn``.
    hops : int, "all" or its string form ("2")
        Hops of the stickiness (every figure but ``influencers`` and ``communities`` layout).
    top : int
        Customers on the ``influencers`` leaderboard.
    log : bool
        Logarithmic ``distribution``.
    segment : str, optional
        Restricts ``distribution``, ``pareto``, ``own-vs-network`` and ``influencers``.
    max_nodes : int, optional
        Cap of ``ego`` / ``churn`` (customers) or ``communities`` (communities drawn).
    seed : int
        Seed of layouts, community detection and samples.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    InvalidInput
        Unknown name or a missing / bad parameter.
    UnknownCustomer
        A customer not in the graph.
    """
    name = check_figure_name(name)
    hops_ = check_hops(hops)
    if name == "ego":
        from graph_engine.figures.ego import DEFAULT_MAX_NODES as EGO_MAX_NODES
        from graph_engine.figures.ego import ego_figure

        if not customer:
            raise InvalidInput("the ego figure needs a customer id (customer=...)")
        snapshot.index_of(customer)  # unknown customer before any heavy work
        return ego_figure(
            snapshot,
            customer,
            depth=depth,
            communities=_membership(snapshot, seed),
            precomputed=scores(snapshot, hops_),
            seed=seed,
            max_nodes=max_nodes or EGO_MAX_NODES,
        )
    if name == "communities":
        from graph_engine.analytics.communities import detect_communities, summarize_communities
        from graph_engine.figures.communities import (
            DEFAULT_MAX_COMMUNITIES,
            community_map_figure,
        )

        comm = detect_communities(snapshot, seed=seed)
        focus = {s.id: s.focus for s in summarize_communities(snapshot, comm, hops=hops_)}
        return community_map_figure(
            snapshot,
            comm.membership,
            precomputed=scores(snapshot, hops_),
            focus=focus,
            highlight=community,
            seed=seed,
            max_communities=max_nodes or DEFAULT_MAX_COMMUNITIES,
        )
    if name == "influencers":
        from graph_engine.figures.rankings import leaderboard_figure

        return leaderboard_figure(
            snapshot,
            method,
            top=top,
            community=community,
            segment=segment,
            membership=_membership(snapshot, seed),
            seed=seed,
        )
    if name == "distribution":
        from graph_engine.figures.distributions import stickiness_histogram

        return stickiness_histogram(
            snapshot, log=log, segment=segment, precomputed=scores(snapshot, hops_)
        )
    if name == "pareto":
        from graph_engine.figures.distributions import pareto_figure

        return pareto_figure(snapshot, segment=segment, precomputed=scores(snapshot, hops_))
    if name == "own-vs-network":
        from graph_engine.figures.distributions import own_vs_network_figure

        return own_vs_network_figure(
            snapshot, segment=segment, precomputed=scores(snapshot, hops_), seed=seed
        )
    from graph_engine.figures.churn import DEFAULT_MAX_NODES as CHURN_MAX_NODES
    from graph_engine.figures.churn import churn_figure

    leavers = list(customers or ([customer] if customer else []))
    if not leavers:
        raise InvalidInput("the churn figure needs the customers who leave (customers=[...])")
    return churn_figure(
        snapshot,
        leavers,
        threshold=threshold,
        hops=hops_,
        seed=seed,
        max_nodes=max_nodes or CHURN_MAX_NODES,
    )
