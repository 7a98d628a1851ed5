"""Plotly figures of the graph and its scores.

Every builder returns a :class:`plotly.graph_objects.Figure` and never writes files; node
positions come from the seeded layouts of :mod:`graph_engine.figures.layout`, so a figure is the
same every time. :func:`build_figure` builds any of them by name (what the CLI and API call).
"""

from __future__ import annotations

from graph_engine.figures.catalog import FIGURE_NAMES, build_figure
from graph_engine.figures.churn import churn_figure
from graph_engine.figures.communities import CommunityGraph, community_graph, community_map_figure
from graph_engine.figures.distributions import (
    own_vs_network_figure,
    pareto_curve,
    pareto_figure,
    stickiness_histogram,
)
from graph_engine.figures.ego import EgoNetwork, ego_figure, ego_network
from graph_engine.figures.layout import force_layout, ring_layout
from graph_engine.figures.rankings import leaderboard_figure

__all__ = [
    "FIGURE_NAMES",
    "CommunityGraph",
    "EgoNetwork",
    "build_figure",
    "churn_figure",
    "community_graph",
    "community_map_figure",
    "ego_figure",
    "ego_network",
    "force_layout",
    "leaderboard_figure",
    "own_vs_network_figure",
    "pareto_curve",
    "pareto_figure",
    "ring_layout",
    "stickiness_histogram",
]
