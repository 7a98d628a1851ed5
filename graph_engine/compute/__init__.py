"""Pure numpy/scipy computations over Snapshot arrays (no I/O)."""

from graph_engine.compute.explain import (
    Contributor,
    Explanation,
    contributions,
    explain,
    network_value,
)
from graph_engine.compute.stickiness import Scores, check_hops, scores, spectral_radius

__all__ = [
    "Contributor",
    "Explanation",
    "Scores",
    "check_hops",
    "contributions",
    "explain",
    "network_value",
    "scores",
    "spectral_radius",
]
