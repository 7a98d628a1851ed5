"""Community analytics commands: influencers, communities, churn, protect, seeds, pareto."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from graph_engine.analytics import (
    METHODS,
    community_members,
    detect_communities,
    influencers,
    pareto,
    protect,
    referral_seeds,
    summarize_communities,
    what_if_churn,
)
from graph_engine.cli.common import (
    DbOption,
    Neo4jPassword,
    Neo4jUser,
    app,
    console,
    open_db,
    progress_bar,
    spinner,
)
from graph_engine.compute import check_hops
from graph_engine.errors import InvalidInput
from graph_engine.snapshot import Snapshot

__all__ = [
    "churn_command",
    "communities_command",
    "influencers_command",
    "pareto_command",
    "protect_command",
    "seeds_command",
]

HopsOption = Annotated[
    str,
    typer.Option(
        "--hops", help="1 (default), an integer K up to 50, or 'all' for the unbounded series."
    ),
]
BetaOption = Annotated[float | None, typer.Option("--beta", help="Override the stored beta.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Random seed.")]
ThresholdOption = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.0,
        max=1.0,
        help="Cascade rule: a customer follows when its stickiness falls below this fraction of "
        "what it was (default: no cascade).",
    ),
]


def _load(db: str, user: str | None, password: str | None, beta: float | None) -> Snapshot:
    with open_db(db, user, password) as store, spinner("reading the graph"):
        snap = store.snapshot()
    if beta is None:
        return snap
    try:
        return snap.with_settings(snap.settings.replace(beta=beta))
    except ValueError:
        raise InvalidInput(f"--beta must be a finite number > 0, got {beta}") from None


def _echo_json(payload: Any) -> None:
    typer.echo(
        orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY).decode()
    )


@app.command(
    "influencers",
    help="Rank influencers by network value, weighted degree, PageRank, "
    "betweenness (bridges) or k-core, with every score and their community.\n\n"
    "Example: graph-engine influencers --db shop.db --method betweenness --top 20",
)
def influencers_command(
    db: DbOption = "demo.db",
    method: Annotated[str, typer.Option(help=f"One of {', '.join(METHODS)}.")] = "network_value",
    top: Annotated[int, typer.Option(min=1, max=100_000, help="How many customers.")] = 10,
    community: Annotated[int | None, typer.Option(help="Only this community id.")] = None,
    segment: Annotated[str | None, typer.Option(help="Only this segment.")] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            min=2, help="Betweenness source samples (default: exact up to 5000 customers, else 64)."
        ),
    ] = None,
    seed: SeedOption = 0,
    beta: BetaOption = None,
    as_json: JsonOption = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    snap = _load(db, neo4j_user, neo4j_password, beta)
    with spinner("ranking"):
        rows = influencers(
            snap,
            method,
            top=top,
            community=community,
            segment=segment,
            betweenness_samples=samples,
            seed=seed,
        )
    if as_json:
        _echo_json([asdict(r) for r in rows])
        return
    table = Table(title=f"top {len(rows)} by {method}")
    for col in ("rank", "id", "community", *METHODS):
        table.add_column(col, justify="left" if col == "id" else "right")
    for r in rows:
        s = r.scores
        table.add_row(
            str(r.rank),
            r.id,
            str(r.community),
            f"{s['network_value']:.4g}",
            f"{s['degree']:.4g}",
            f"{s['pagerank']:.4g}",
            f"{s['betweenness']:.4g}",
            str(int(s["core"])),
        )
    console.print(table)


@app.command(
    "communities",
    help="Detect communities (Leiden, modularity, seeded) and show "
    "each one's size, stickiness, tie density and influence focus; --members lists "
    "one community's customers.\n\n"
    "Example: graph-engine communities --db shop.db --top 20 --seed 1",
)
def communities_command(
    db: DbOption = "demo.db",
    top: Annotated[int, typer.Option(min=1, help="How many communities to show.")] = 20,
    resolution: Annotated[float, typer.Option(help="Modularity resolution gamma > 0.")] = 1.0,
    focus: Annotated[int, typer.Option(min=1, max=100, help="Focus members per community.")] = 3,
    members: Annotated[int | None, typer.Option(help="List the members of this community.")] = None,
    hops: HopsOption = "1",
    seed: SeedOption = 0,
    beta: BetaOption = None,
    as_json: JsonOption = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    snap = _load(db, neo4j_user, neo4j_password, beta)
    with spinner("detecting communities"):
        comm = detect_communities(snap, resolution=resolution, seed=seed)
    if members is not None:
        ids = [str(x) for x in snap.ids[community_members(snap, comm, members)]]
        if as_json:
            _echo_json(ids)
        else:
            typer.echo("\n".join(ids))
        return
    summaries = summarize_communities(snap, comm, focus=focus, hops=check_hops(hops))
    if as_json:
        _echo_json(
            {
                "modularity": comm.modularity,
                "count": comm.count,
                "items": [asdict(s) for s in summaries[:top]],
            }
        )
        return
    table = Table(title=f"{comm.count} communities, modularity {comm.modularity:.4f}")
    for col in ("id", "size", "stickiness total", "mean", "density", "focus"):
        table.add_column(col, justify="left" if col == "focus" else "right")
    for s in summaries[:top]:
        table.add_row(
            str(s.id),
            str(s.size),
            f"{s.stickiness_total:.4g}",
            f"{s.stickiness_mean:.4g}",
            f"{s.density:.3f}",
            ", ".join(s.focus),
        )
    console.print(table)


@app.command(
    "churn",
    help="What if these customers leave: everyone's loss of stickiness, the "
    "total, and with --threshold who follows, round by round. Changes nothing stored."
    "\n\nExample: graph-engine churn --db shop.db c000042 c000107 --threshold 0.6",
)
def churn_command(
    customers: Annotated[list[str], typer.Argument(help="Ids of the customers who leave.")],
    db: DbOption = "demo.db",
    threshold: ThresholdOption = None,
    hops: HopsOption = "1",
    top: Annotated[int, typer.Option(min=1, help="How many losses to list.")] = 20,
    beta: BetaOption = None,
    as_json: JsonOption = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    snap = _load(db, neo4j_user, neo4j_password, beta)
    result = what_if_churn(snap, customers, threshold=threshold, hops=check_hops(hops))
    if as_json:
        _echo_json(
            {"total_loss": result.total_loss, "losses": result.losses(top), "rounds": result.rounds}
        )
        return
    console.print(f"total loss {result.total_loss:.4f} over {result.n_affected} customers")
    for r, ids in enumerate(result.rounds, start=1):
        shown = ", ".join(ids[:10]) + (f" ... (+{len(ids) - 10})" if len(ids) > 10 else "")
        console.print(f"round {r}: {len(ids)} follow: {shown}")
    table = Table(title=f"largest {top} losses")
    for col in ("id", "before", "after", "loss"):
        table.add_column(col, justify="left" if col == "id" else "right")
    for row in result.losses(top):
        table.add_row(
            str(row["id"]), f"{row['before']:.4f}", f"{row['after']:.4f}", f"{row['loss']:.4f}"
        )
    console.print(table)


@app.command(
    "protect",
    help="Choose the k customers whose departure would cost the most "
    "(greedy on the cascade loss): whom to retain first.\n\n"
    "Example: graph-engine protect --db shop.db --k 10 --threshold 0.6",
)
def protect_command(
    db: DbOption = "demo.db",
    k: Annotated[int, typer.Option("--k", min=1, max=10_000, help="How many customers.")] = 10,
    threshold: ThresholdOption = None,
    hops: HopsOption = "1",
    candidates: Annotated[
        int | None, typer.Option(min=1, help="Candidate pool (default max(100, 20k)).")
    ] = None,
    beta: BetaOption = None,
    as_json: JsonOption = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    snap = _load(db, neo4j_user, neo4j_password, beta)
    with progress_bar("choosing customers to protect") as bar:
        result = protect(
            snap,
            k,
            threshold=threshold,
            hops=check_hops(hops),
            candidates=candidates,
            progress=bar,
        )
    if as_json:
        _echo_json(asdict(result))
        return
    console.print(
        f"if all {len(result.customers)} left: total loss {result.total_loss:.4f}, "
        f"{len(result.followers)} would follow ({result.evaluations} simulations)"
    )
    for r, (cid, gain) in enumerate(zip(result.customers, result.gains, strict=True), start=1):
        console.print(f"  {r:>3}. {cid:<24} adds {gain:12.4f}")


@app.command(
    "seeds",
    help="Choose k referral seeds that reach the most customer value "
    "(independent cascade, p = 1 - exp(-lambda), CELF, seeded Monte-Carlo).\n\n"
    "Example: graph-engine seeds --db shop.db --k 5 --runs 200 --seed 1",
)
def seeds_command(
    db: DbOption = "demo.db",
    k: Annotated[int, typer.Option("--k", min=1, max=10_000, help="How many seeds.")] = 10,
    runs: Annotated[int, typer.Option(min=1, max=100_000, help="Monte-Carlo runs.")] = 200,
    candidates: Annotated[
        int | None, typer.Option(min=1, help="Candidate pool (default max(100, 20k)).")
    ] = None,
    seed: SeedOption = 0,
    beta: BetaOption = None,
    as_json: JsonOption = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    snap = _load(db, neo4j_user, neo4j_password, beta)
    with progress_bar("choosing referral seeds") as bar:
        result = referral_seeds(snap, k, runs=runs, seed=seed, candidates=candidates, progress=bar)
    if as_json:
        _echo_json(asdict(result))
        return
    console.print(
        f"expected value reached {result.expected_value:.4f} "
        f"(standard error {result.standard_error:.4f}, {result.runs} runs), "
        f"about {result.expected_customers:.1f} customers"
    )
    for r, (cid, gain) in enumerate(zip(result.seeds, result.marginal, strict=True), start=1):
        console.print(f"  {r:>3}. {cid:<24} adds {gain:12.4f}")


@app.command(
    "pareto",
    help="Share of total stickiness held by the top x of customers, and "
    "the Gini coefficient.\n\nExample: graph-engine pareto --db shop.db --at 0.2 --at 0.01",
)
def pareto_command(
    db: DbOption = "demo.db",
    at: Annotated[
        list[float] | None,
        typer.Option(
            "--at", min=0.0, max=1.0, help="Top fraction(s) (default 0.01 0.05 0.1 0.2 0.5)."
        ),
    ] = None,
    segment: Annotated[str | None, typer.Option(help="Only this segment.")] = None,
    hops: HopsOption = "1",
    beta: BetaOption = None,
    as_json: JsonOption = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    snap = _load(db, neo4j_user, neo4j_password, beta)
    kwargs: dict[str, Any] = {"hops": check_hops(hops), "segment": segment}
    result = pareto(snap, at, **kwargs) if at else pareto(snap, **kwargs)
    if as_json:
        _echo_json(
            {
                "points": [{"top": x, "share": s} for x, s in result.points],
                "gini": result.gini,
                "total": result.total,
                "n": result.n,
            }
        )
        return
    for x, s in result.points:
        console.print(f"top {x:7.2%} of customers hold {s:7.2%} of stickiness")
    console.print(f"Gini {result.gini:.4f} over {result.n} customers")
