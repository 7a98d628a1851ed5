"""The ``figure`` command: write any figure to a standalone HTML file or a PNG image.

HTML files embed plotly.js, so they open offline. PNG images are rendered by kaleido driving a
local headless Chromium (Debian's ``chromium``), with plotly.js taken from the plotly package and
MathJax off, so nothing is fetched from the network; when kaleido is unavailable, Chromium
screenshots the HTML file instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import plotly
import plotly.graph_objects as go
import typer

from graph_engine.cli.common import DbOption, Neo4jPassword, Neo4jUser, app, err_console, open_db
from graph_engine.errors import GraphEngineError, InvalidInput
from graph_engine.figures.catalog import FIGURE_NAMES, build_figure, check_figure_name

__all__ = ["figure_command", "write_figure"]

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


class FigureExportError(GraphEngineError):
    """A figure could not be rendered to an image (no usable headless Chromium)."""

    code = "figure_export_error"


def chromium_path() -> str | None:
    """The headless Chromium to render with: $BROWSER_PATH, else the first one on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).is_file():
        return env
    for name in _CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_figure(fig: go.Figure, out: Path, *, width: int = 1100, height: int = 750) -> str:
    """Write ``fig`` to ``out`` by its suffix (.html or .png); returns how it was rendered."""
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        fig.write_html(out, include_plotlyjs=True, full_html=True)
        return "html"
    if suffix != ".png":
        raise InvalidInput(f"--out must end in .html or .png, got {out.name!r}")
    try:
        out.write_bytes(_kaleido_png(fig, width, height))
        return "png (kaleido)"
    except ImportError:
        pass
    except Exception as exc:  # kaleido could not start its browser: try a plain screenshot
        err_console.print(f"kaleido failed ({type(exc).__name__}: {exc}); using a screenshot")
    _screenshot_png(fig, out, width, height)
    return "png (chromium screenshot)"


def _kaleido_png(fig: go.Figure, width: int, height: int) -> bytes:
    import kaleido

    browser = chromium_path()
    if browser and not os.environ.get("BROWSER_PATH"):
        os.environ["BROWSER_PATH"] = browser  # choreographer looks there first
    data = kaleido.calc_fig_sync(
        fig,
        opts={"format": "png", "width": width, "height": height},
        kopts={"mathjax": False, "plotlyjs": str(PLOTLY_JS)},
    )
    return bytes(data)


def _screenshot_png(fig: go.Figure, out: Path, width: int, height: int) -> None:
    browser = chromium_path()
    if browser is None:
        raise FigureExportError(
            "PNG output needs a headless Chromium (apt-get install chromium, "
            "or set BROWSER_PATH); write .html instead"
        )
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "figure.html"
        fig.update_layout(width=width, height=height, margin_autoexpand=True)
        fig.write_html(page, include_plotlyjs=True, full_html=True, config={"staticPlot": True})
        cmd = [
            browser,
            *_CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--window-size={width},{height}",
            f"--screenshot={out.resolve()}",
            "--virtual-time-budget=5000",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not out.is_file():
        raise FigureExportError(
            f"chromium could not screenshot the figure (exit "
            f"{done.returncode}): {done.stderr.strip()[-300:]}"
        )


@app.command(
    "figure",
    help="Write a figure to an HTML file (opens offline) or a PNG image.\n\n"
    f"NAME is one of: {', '.join(FIGURE_NAMES)}.\n\n"
    "Examples: graph-engine figure ego --db demo.db --customer c000042 --depth 2 "
    "--out ego.html ;  graph-engine figure churn --db demo.db --customer c000042 "
    "--customer c000007 --threshold 0.7 --out churn.png",
)
def figure_command(
    name: Annotated[str, typer.Argument(help=f"Figure: {', '.join(FIGURE_NAMES)}.")],
    out: Annotated[Path, typer.Option("--out", help="Output file, .html or .png.")],
    db: DbOption = "demo.db",
    customer: Annotated[
        list[str] | None,
        typer.Option(
            "--customer", help="Focal customer (ego); leaver(s) of churn (repeat the option)."
        ),
    ] = None,
    community: Annotated[
        int | None,
        typer.Option(help="Community id: influencers within it, or outlined on the community map."),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            help="Influencer ranking: network_value, degree, pagerank, betweenness, core."
        ),
    ] = "network_value",
    depth: Annotated[int, typer.Option(help="Ego network depth, 1 or 2.")] = 1,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Churn cascade threshold, a fraction of former stickiness (none: no cascade)."
        ),
    ] = None,
    top: Annotated[int, typer.Option(min=1, max=500, help="Influencers shown.")] = 20,
    log: Annotated[
        bool, typer.Option("--log", help="Logarithmic stickiness distribution.")
    ] = False,
    segment: Annotated[str | None, typer.Option(help="Only customers of this segment.")] = None,
    max_nodes: Annotated[
        int | None,
        typer.Option(help="Cap of drawn customers (ego, churn) or communities (community map)."),
    ] = None,
    hops: Annotated[str, typer.Option(help="Hops of the stickiness: 1, K or 'all'.")] = "1",
    seed: Annotated[int, typer.Option(help="Seed of layouts and community detection.")] = 0,
    width: Annotated[int, typer.Option(min=200, max=8000, help="PNG width (px).")] = 1100,
    height: Annotated[int, typer.Option(min=200, max=8000, help="PNG height (px).")] = 750,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    name = check_figure_name(name)
    if out.suffix.lower() not in (".html", ".htm", ".png"):
        raise InvalidInput(f"--out must end in .html or .png, got {out.name!r}")
    with open_db(db, neo4j_user, neo4j_password) as store:
        snap = store.snapshot()
    ids = list(customer or [])
    fig = build_figure(
        name,
        snap,
        customer=ids[0] if ids else None,
        customers=ids or None,
        community=community,
        method=method,
        depth=depth,
        threshold=threshold,
        top=top,
        log=log,
        segment=segment,
        max_nodes=max_nodes,
        hops=hops,
        seed=seed,
    )
    how = write_figure(fig, out, width=width, height=height)
    err_console.print(f"{name} figure written to {out} ({how})")
