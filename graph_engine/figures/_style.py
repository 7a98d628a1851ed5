"""Shared drawing conventions of the figures: colours, marker sizes, link widths, hover text.

One place decides how a community is coloured and how a value becomes a marker size, so the ego
network, the community map and the churn picture agree with each other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

__all__ = [
    "FOCAL_COLOR",
    "NO_COMMUNITY_COLOR",
    "PALETTE",
    "community_colors",
    "line_segments",
    "marker_sizes",
    "width_classes",
]

# 10 + 24 + 24 distinct colours; community c gets PALETTE[c % len(PALETTE)]
PALETTE: tuple[str, ...] = tuple(
    dict.fromkeys(qualitative.Plotly + qualitative.Dark24 + qualitative.Light24)
)
NO_COMMUNITY_COLOR = "#8c8c8c"
FOCAL_COLOR = "#111111"
TEMPLATE = "plotly_white"


def community_colors(labels: np.ndarray | None, n: int) -> list[str]:
    """Colour of each of ``n`` nodes by its community label (grey where the label is < 0).

    The colour of community ``c`` is ``PALETTE[c % len(PALETTE)]`` in every figure.
    """
    if labels is None:
        return [PALETTE[0]] * n
    lab = np.asarray(labels, dtype=np.int64)
    palette = np.asarray((*PALETTE, NO_COMMUNITY_COLOR), dtype=object)
    idx = np.where(lab >= 0, lab % len(PALETTE), len(PALETTE))
    colors: list[str] = palette[idx].tolist()
    return colors


def marker_sizes(values: np.ndarray, *, smallest: float = 8.0, largest: float = 36.0) -> np.ndarray:
    """Marker diameters (px) whose area grows with the value.

    ``d = smallest + (largest - smallest) * sqrt(v / max v)``; negative values count as 0.
    """
    v = np.clip(np.asarray(values, dtype=np.float64), 0.0, None)
    top = v.max() if v.size else 0.0
    if top <= 0:
        return np.full(v.shape, smallest)
    return smallest + (largest - smallest) * np.sqrt(v / top)


def width_classes(weights: np.ndarray, n_classes: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Bin link weights into a few line widths (plotly draws one width per trace).

    Returns (class of each link, shape (m,); edges of the classes, shape (n_classes + 1,)).
    Classes split the range ``[min, max]`` evenly, so a wider line always means a larger weight.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(n_classes + 1)
    edges = np.linspace(w.min(), w.max(), n_classes + 1)
    cls = np.clip(np.searchsorted(edges, w, side="right") - 1, 0, n_classes - 1)
    return cls.astype(np.int64), edges


def line_segments(
    pos: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[list[float | None], list[float | None]]:
    """x and y lists drawing each link ``rows[k] -- cols[k]`` as a segment, separated by None."""
    m = len(rows)
    xs = np.empty(3 * m, dtype=object)
    ys = np.empty(3 * m, dtype=object)
    xs[0::3], xs[1::3], xs[2::3] = pos[rows, 0], pos[cols, 0], None
    ys[0::3], ys[1::3], ys[2::3] = pos[rows, 1], pos[cols, 1], None
    return [None if v is None else float(v) for v in xs], [
        None if v is None else float(v) for v in ys
    ]


def link_traces(
    pos: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    *,
    label: str,
    widths: Sequence[float] = (0.6, 1.4, 2.6, 4.2),
    color: str = "rgba(90, 90, 90, 0.45)",
) -> list[go.Scatter]:
    """One line trace per width class (plotly cannot vary width inside a trace), thin first."""
    cls, edges = width_classes(weights, len(widths))
    traces = []
    for c, width in enumerate(widths):
        pick = cls == c
        if not pick.any():
            continue
        xs, ys = line_segments(pos, rows[pick], cols[pick])
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line={"width": width, "color": color},
                name=f"{label} {edges[c]:.3g}-{edges[c + 1]:.3g}",
            )
        )
    return traces


def blank_axes(fig: go.Figure) -> go.Figure:
    """Hide axes, grid and ticks (for network drawings) and keep the aspect ratio."""
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis, scaleanchor="x", scaleratio=1)
    return fig
