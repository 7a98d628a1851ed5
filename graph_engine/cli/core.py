"""Core commands: import, score, explain, demo."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import orjson
import pandas as pd
import typer
from rich.progress import wrap_file

from graph_engine.cli.common import (
    DbOption,
    Neo4jPassword,
    Neo4jUser,
    app,
    console,
    err_console,
    open_db,
    progress_enabled,
    spinner,
)
from graph_engine.compute import check_hops, explain, scores
from graph_engine.errors import InvalidInput
from graph_engine.ingest.csv import read_customers_csv, read_ties_csv

__all__ = ["demo_command", "explain_command", "import_command", "score_command"]

HopsOption = Annotated[
    str,
    typer.Option(
        "--hops", help="1 (default), an integer K up to 50, or 'all' for the unbounded series."
    ),
]


class OutputFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _opener(label: str):  # type: ignore[no-untyped-def]
    """A file opener that shows a byte progress bar on a terminal."""
    if not progress_enabled():
        return None

    def open_with_bar(path: Path) -> IO[bytes]:
        return wrap_file(
            path.open("rb"),
            total=path.stat().st_size,  # type: ignore[return-value]
            description=f"reading {label}",
            console=err_console,
        )

    return open_with_bar


@app.command(
    "import",
    help="Import customers and/or ties from CSV files, all or nothing.\n\n"
    "Example: graph-engine import --db shop.db --customers customers.csv --ties ties.csv",
)
def import_command(
    db: DbOption = "demo.db",
    customers: Annotated[
        Path | None, typer.Option(help="CSV with id,value[,name,segment,...]")
    ] = None,
    ties: Annotated[
        Path | None, typer.Option(help="CSV with source,target[,closeness,kind,directed]")
    ] = None,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    if customers is None and ties is None:
        raise InvalidInput("nothing to import: give --customers and/or --ties")
    cbatch = read_customers_csv(customers, _opener("customers")) if customers else None
    tbatch = read_ties_csv(ties, _opener("ties")) if ties else None
    with open_db(db, neo4j_user, neo4j_password) as store, spinner("writing to the store"):
        n_c, n_t = store.upsert_graph(customers=cbatch, ties=tbatch)
        total_c, total_t = store.count_customers(), store.count_ties()
    err_console.print(
        f"imported {n_c} customers and {n_t} ties into {store.url} "
        f"(now {total_c} customers, {total_t} ties)"
    )


@app.command(
    "score",
    help="Score every customer: CSV (or JSON lines) with id,own,network,"
    "stickiness,network_share, sorted by id.\n\n"
    "Example: graph-engine score --db shop.db --beta 0.5 --out scores.csv",
)
def score_command(
    db: DbOption = "demo.db",
    beta: Annotated[
        float | None, typer.Option(help="Override the stored beta for this run.")
    ] = None,
    hops: HopsOption = "1",
    out: Annotated[
        Path | None, typer.Option(help="Output file (default: standard output).")
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.csv,
    write_back: Annotated[
        bool,
        typer.Option(
            "--write-back", help="Also store the scores as customer properties (Neo4j stores)."
        ),
    ] = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    parsed_hops = check_hops(hops)
    with open_db(db, neo4j_user, neo4j_password) as store:
        with spinner("reading the graph"):
            snap = store.snapshot()
        settings = snap.settings if beta is None else _beta(snap.settings, beta)
        result = scores(snap, parsed_hops, settings)
        if write_back:
            writer = getattr(store, "write_scores", None)
            if writer is None:
                raise InvalidInput(f"--write-back is for Neo4j stores; {store.url} keeps no scores")
            writer(snap.ids, result)
    frame = pd.DataFrame(
        {
            "id": snap.ids,
            "own": result.own,
            "network": result.network,
            "stickiness": result.stickiness,
            "network_share": result.network_share,
        }
    )
    target: IO[str] = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if format is OutputFormat.csv:
            frame.to_csv(target, index=False)
        else:
            for row in frame.itertuples(index=False):
                target.write(orjson.dumps(row._asdict()).decode() + "\n")
    finally:
        if out:
            target.close()
    if out:
        err_console.print(f"scored {len(frame)} customers -> {out}")


def _beta(settings, beta: float):  # type: ignore[no-untyped-def]
    try:
        return settings.replace(beta=beta)
    except ValueError:
        raise InvalidInput(f"--beta must be a finite number > 0, got {beta}") from None


@app.command(
    "explain",
    help="Show one customer's own value, network part, stickiness and top "
    "contributors.\n\nExample: graph-engine explain --db shop.db c000042 --top 5",
)
def explain_command(
    customer: Annotated[str, typer.Argument(help="Customer id.")],
    db: DbOption = "demo.db",
    top: Annotated[int, typer.Option(min=0, max=1000, help="How many contributors.")] = 10,
    hops: HopsOption = "1",
    beta: Annotated[float | None, typer.Option(help="Override the stored beta.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    with open_db(db, neo4j_user, neo4j_password) as store:
        snap = store.snapshot()
    settings = None if beta is None else _beta(snap.settings, beta)
    ex = explain(snap, customer, top=top, hops=check_hops(hops), settings=settings)
    if as_json:
        payload = {
            "id": ex.id,
            "own": ex.own,
            "network": ex.network,
            "stickiness": ex.stickiness,
            "network_share": ex.network_share,
            "hops": ex.hops,
            "further": ex.further,
            "contributors": [
                {"id": c.id, "contribution": c.contribution, "lambda": c.lam}
                for c in ex.contributors
            ],
        }
        typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        return
    console.print(f"customer {ex.id}  (hops={ex.hops})")
    console.print(f"  own           {ex.own:14.4f}")
    console.print(f"  network       {ex.network:14.4f}")
    console.print(f"  stickiness    {ex.stickiness:14.4f}")
    console.print(f"  network share {ex.network_share:14.2%}")
    if ex.hops != 1:
        console.print(f"  from further than one hop {ex.further:.4f}")
    console.print(
        f"  top {len(ex.contributors)} of {ex.n_contributors} contributors "
        "(lambda x their own value):"
    )
    for c in ex.contributors:
        console.print(f"    {c.id:<24} {c.contribution:12.4f}   (lambda {c.lam:.3f})")


@app.command(
    "demo",
    help="Build a realistic synthetic customer community in the store "
    "(deterministic for a seed).\n\n"
    "Example: graph-engine demo --db demo.db --customers 5000 --seed 7",
)
def demo_command(
    db: DbOption = "demo.db",
    customers: Annotated[
        int, typer.Option(min=2, max=50_000_000, help="Number of customers.")
    ] = 2000,
    ties: Annotated[
        int | None, typer.Option(min=0, help="Number of ties (default 5 per customer).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete an existing SQLite file first.")
    ] = False,
    csv_dir: Annotated[
        Path | None, typer.Option(help="Also write customers.csv and ties.csv here.")
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option(
            "--events",
            help="Also write a synthetic event log (purchases.csv, interactions.csv) here.",
        ),
    ] = None,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    from graph_engine.demo import demo_graph

    with spinner("generating"):
        graph = demo_graph(customers, ties, seed=seed)
    if replace and "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    with open_db(db, neo4j_user, neo4j_password) as store, spinner("writing to the store"):
        store.upsert_graph(customers=graph.customers, ties=graph.ties)
        total_c, total_t = store.count_customers(), store.count_ties()
    if csv_dir is not None:
        write_demo_csv(graph, csv_dir)
    if events is not None:
        from graph_engine.ingest.synthetic import write_demo_events

        write_demo_events(graph, events, seed=seed)
    err_console.print(
        f"demo community: {len(graph.customers)} customers, {len(graph.ties)} ties "
        f"written to {store.url} (now {total_c} customers, {total_t} ties)"
    )


def write_demo_csv(graph, directory: Path) -> None:  # type: ignore[no-untyped-def]
    """Write a demo graph as the two CSV files that `graph-engine import` reads."""
    directory.mkdir(parents=True, exist_ok=True)
    c = graph.customers
    pd.DataFrame({"id": c.ids, "value": c.values, "name": c.names, "segment": c.segments}).to_csv(
        directory / "customers.csv", index=False
    )
    t = graph.ties
    pd.DataFrame(
        {
            "source": t.sources,
            "target": t.targets,
            "closeness": t.closeness,
            "kind": t.kinds,
            "directed": t.directed,
        }
    ).to_csv(directory / "ties.csv", index=False)
