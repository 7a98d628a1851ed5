"""Pin the package's public names: a change here is a public API change."""

from __future__ import annotations

import graph_engine


def test_public_names_are_sorted_and_importable() -> None:
    names = graph_engine.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(graph_engine, name), name


def test_version_is_single_sourced() -> None:
    from importlib.metadata import version

    assert version("graph-engine") == graph_engine.__version__
