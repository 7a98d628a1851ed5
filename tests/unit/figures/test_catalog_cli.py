from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from typer.testing import CliRunner

from graph_engine.cli import app
from graph_engine.demo import demo_graph
from graph_engine.errors import InvalidInput, UnknownCustomer
from graph_engine.figures import FIGURE_NAMES, build_figure
from graph_engine.snapshot import Snapshot
from graph_engine.stores.sqlite import SQLiteStore

runner = CliRunner()


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_every_figure_builds_by_name(snap: Snapshot, name: str) -> None:
    fig = build_figure(name, snap, customer=str(snap.ids[4]), depth=2, threshold=0.5)
    assert isinstance(fig, go.Figure)
    assert fig.layout.meta["figure"] == name
    assert fig.to_plotly_json()["data"]


def test_catalog_refuses_bad_requests(snap: Snapshot) -> None:
    with pytest.raises(InvalidInput, match="figure must be one of"):
        build_figure("heatmap", snap)
    with pytest.raises(InvalidInput, match="needs a customer"):
        build_figure("ego", snap)
    with pytest.raises(InvalidInput, match="who leave"):
        build_figure("churn", snap)
    with pytest.raises(UnknownCustomer):
        build_figure("ego", snap, customer="nobody")
    with pytest.raises(InvalidInput, match="hops"):
        build_figure("pareto", snap, hops=0)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    graph = demo_graph(300, seed=4)
    with SQLiteStore(path) as store:
        store.upsert_graph(graph.customers, graph.ties)
    return path


def test_cli_writes_a_standalone_html_that_needs_no_network(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "ego.html"
    with SQLiteStore(db) as store:
        cid = str(store.snapshot().ids[10])
    result = runner.invoke(
        app,
        ["figure", "ego", "--db", str(db), "--customer", cid, "--depth", "2", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert f"Ego network of {cid}" in html
    # plotly.js is inlined: no script is loaded from anywhere
    assert re.findall(r"<script[^>]*\bsrc=", html) == []
    assert "Plotly.newPlot" in html


def test_cli_churn_takes_several_leavers(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "churn.html"
    with SQLiteStore(db) as store:
        a, b = (str(x) for x in store.snapshot().ids[:2])
    result = runner.invoke(
        app,
        [
            "figure",
            "churn",
            "--db",
            str(db),
            "--customer",
            a,
            "--customer",
            b,
            "--threshold",
            "0.6",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "What if 2 customers leave" in out.read_text(encoding="utf-8")


def test_cli_refuses_unknown_names_and_suffixes(db: Path, tmp_path: Path) -> None:
    bad_name = runner.invoke(
        app, ["figure", "heatmap", "--db", str(db), "--out", str(tmp_path / "x.html")]
    )
    assert isinstance(bad_name.exception, InvalidInput)
    bad_suffix = runner.invoke(
        app, ["figure", "pareto", "--db", str(db), "--out", str(tmp_path / "x.svg")]
    )
    assert isinstance(bad_suffix.exception, InvalidInput)
    assert not (tmp_path / "x.svg").exists()
