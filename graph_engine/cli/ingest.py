"""Ingest commands: event logs -> own values and ties; stickiness history over dates."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import pandas as pd
import typer

from graph_engine.cli.common import (
    DbOption,
    Neo4jPassword,
    Neo4jUser,
    app,
    console,
    err_console,
    open_db,
    progress_bar,
)
from graph_engine.errors import InvalidInput
from graph_engine.ingest.history import date_series, stickiness_history
from graph_engine.ingest.params import load_params, load_runs, save_params
from graph_engine.ingest.pipeline import IngestResult, ingest_interactions, ingest_purchases, iso

__all__ = ["history_command", "ingest_app"]

ingest_app = typer.Typer(
    help="Derive own values from purchase events and ties from interaction events.",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")


class OnErrorChoice(StrEnum):
    reject = "reject"
    skip = "skip"


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Only events at or before this time count, ages are measured from it "
        "(ISO 8601 date or time, or Unix seconds; a bare date means the end of that day). "
        "Default: the log's latest event (the file is then read twice).",
    ),
]
OnErrorOption = Annotated[
    OnErrorChoice,
    typer.Option(
        "--on-error",
        help="reject: any malformed row rejects the whole file (nothing is written); "
        "skip: malformed rows are skipped and counted.",
    ),
]


def _report(result: IngestResult, url: str) -> None:
    err_console.print(
        f"{result.kind} as of {result.as_of}: {result.rows} rows read, {result.used} counted, "
        f"{result.later} after as-of, {result.malformed} malformed skipped; "
        f"{result.customers_created} customers created, {result.customers_updated} updated, "
        f"{result.ties} ties written to {url}"
    )
    for example in result.examples:
        label = "line" if "line" in example else "row"
        err_console.print(f"  skipped {label} {example[label]}: {', '.join(example['problems'])}")


@ingest_app.command(
    "purchases",
    help="Derive every buying customer's own value (recency, frequency, monetary) from a "
    "purchase log with customer_id,timestamp,amount (CSV or Parquet) and write it; new "
    "customers are created.\n\n"
    "Example: graph-engine ingest purchases purchases.csv --db shop.db --as-of 2024-06-30",
)
def purchases_command(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet purchase log.")],
    db: DbOption = "demo.db",
    as_of: AsOfOption = None,
    on_error: OnErrorOption = OnErrorChoice.reject,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    with (
        open_db(db, neo4j_user, neo4j_password) as store,
        progress_bar("reading purchases", "bytes") as bar,
    ):
        result = ingest_purchases(store, file, as_of=as_of, on_error=on_error.value, progress=bar)
        _report(result, store.url)


@ingest_app.command(
    "interactions",
    help="Derive ties and their closeness from an interaction log with "
    "source,target,timestamp[,kind,weight] (CSV or Parquet) and write them; new customers "
    "are created with value 0.\n\n"
    "Example: graph-engine ingest interactions interactions.csv --db shop.db --on-error skip",
)
def interactions_command(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet interaction log.")],
    db: DbOption = "demo.db",
    as_of: AsOfOption = None,
    on_error: OnErrorOption = OnErrorChoice.reject,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    with (
        open_db(db, neo4j_user, neo4j_password) as store,
        progress_bar("reading interactions", "bytes") as bar,
    ):
        result = ingest_interactions(
            store, file, as_of=as_of, on_error=on_error.value, progress=bar
        )
        _report(result, store.url)


def _assignments(items: list[str], option: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"{option} takes NAME=VALUE, got {item!r}")
        text = raw.strip()
        try:
            value: Any = orjson.loads(text)
        except orjson.JSONDecodeError:
            value = text
        if text.lower() in ("none", "null"):
            value = None
        out[name.strip()] = value
    return out


@ingest_app.command(
    "params",
    help="Show or set the derivation parameters stored with the graph (JSON values; "
    "kind_weights as a JSON object).\n\n"
    "Example: graph-engine ingest params --db shop.db --rfm half_life_days=60 "
    '--closeness k=0.3 --closeness \'kind_weights={"message": 1, "call": 3}\'',
)
def params_command(
    db: DbOption = "demo.db",
    rfm: Annotated[
        list[str] | None,
        typer.Option(
            "--rfm",
            help="NAME=VALUE: window_days, half_life_days, weight_recency, weight_frequency, "
            "weight_monetary, frequency_scale, monetary_scale, value_scale.",
        ),
    ] = None,
    closeness: Annotated[
        list[str] | None,
        typer.Option(
            "--closeness",
            help="NAME=VALUE: window_days, half_life_days, k, kind_weights, mutual_kinds, "
            "reverse_kinds, default_kind.",
        ),
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the defaults first.")] = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    from graph_engine.ingest.params import IngestParams

    with open_db(db, neo4j_user, neo4j_password) as store:
        params = IngestParams() if reset else load_params(store)
        if rfm or closeness or reset:
            params = params.replace(
                rfm=_assignments(rfm or [], "--rfm"),
                closeness=_assignments(closeness or [], "--closeness"),
            )
            save_params(store, params)
        payload = {"params": params.model_dump(mode="json"), "last_runs": load_runs(store)}
    typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())


@app.command(
    "history",
    help="Score the graph the event logs describe at a series of dates: each customer's "
    "stickiness trend (rising/falling/flat) and the customers whose network share fell the "
    "most (early churn warning). Uses the logs of the last ingests unless given.\n\n"
    "Example: graph-engine history --db shop.db --from 2024-03-01 --to 2024-12-31 --every 30d "
    "--out history.csv",
)
def history_command(
    db: DbOption = "demo.db",
    start: Annotated[str, typer.Option("--from", help="First date (ISO 8601).")] = "",
    end: Annotated[str, typer.Option("--to", help="Last date (ISO 8601).")] = "",
    every: Annotated[str, typer.Option("--every", help="Step: 30d, 2w, 12h.")] = "30d",
    interactions: Annotated[
        Path | None, typer.Option(help="Interaction log (default: the one last ingested).")
    ] = None,
    purchases: Annotated[
        Path | None,
        typer.Option(
            help="Purchase log (default: the one last ingested; without any, the store's "
            "current own values)."
        ),
    ] = None,
    top: Annotated[int, typer.Option(min=0, max=10_000, help="How many share drops.")] = 10,
    threshold: Annotated[
        float, typer.Option(min=0.0, help="Relative change that makes a trend.")
    ] = 0.05,
    out: Annotated[
        Path | None, typer.Option(help="Write per-customer stickiness per date and trends (CSV).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    neo4j_user: Neo4jUser = None,
    neo4j_password: Neo4jPassword = None,
) -> None:
    if not start or not end:
        raise InvalidInput("give --from and --to (ISO 8601 dates)")
    dates = date_series(start, end, every)
    with open_db(db, neo4j_user, neo4j_password) as store:
        runs = load_runs(store)
        params = load_params(store)
        inter = interactions or _logged(runs, "interactions")
        if inter is None:
            raise InvalidInput(
                "no interaction log: give --interactions or run `graph-engine ingest "
                "interactions` first"
            )
        buys = purchases or _logged(runs, "purchases")
        snap = store.snapshot()
        values = None if buys is not None else (snap.ids, snap.values)
        with progress_bar("reading logs", "bytes") as bar:
            result = stickiness_history(
                dates,
                interactions=inter,
                purchases=buys,
                params=params,
                settings=snap.settings,
                values=values,
                threshold=threshold,
                progress=bar,
            )
    report = result.report(top)
    counts, drops = report["trends"], report["biggest_share_drops"]
    if out is not None:
        _write_history(result, out)
    if as_json:
        typer.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    console.print("date                  customers      ties    stickiness  mean share")
    for row in result.summary():
        console.print(
            f"{iso(float(row['date'])):<20} {row['customers']:>10} {row['ties']:>9} "
            f"{row['stickiness']:>13.1f} {row['network_share']:>10.1%}"
        )
    console.print(
        "trends: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("rising", "flat", "falling"))
    )
    console.print(f"biggest network-share drops (early churn warning), top {len(drops)}:")
    for d in drops:
        console.print(
            f"  {d['id']:<24} share {d['share_first']:6.1%} -> {d['share_last']:6.1%}  "
            f"stickiness {d['stickiness_first']:.1f} -> {d['stickiness_last']:.1f}"
        )
    if out is not None:
        err_console.print(f"per-customer history of {len(result.ids)} customers -> {out}")


def _logged(runs: dict[str, Any], kind: str) -> Path | None:
    source = runs.get(kind, {}).get("source")
    if source is None or source == "rows":
        return None
    path = Path(source)
    if not path.is_file():
        raise InvalidInput(
            f"the {kind} log last ingested, {path}, is gone; give --{kind} FILE",
            details={"path": str(path)},
        )
    return path


def _write_history(result: Any, out: Path) -> None:
    columns: dict[str, Any] = {"id": result.ids}
    for j, when in enumerate(result.dates):
        columns[f"stickiness_{iso(when)[:10]}"] = result.stickiness[:, j]
    columns["trend"] = result.trend
    columns["relative_change"] = result.change
    columns["share_first"] = result.network_share[:, 0]
    columns["share_last"] = result.network_share[:, -1]
    columns["share_change"] = result.share_change
    target: IO[str] = out.open("w", encoding="utf-8", newline="") if str(out) != "-" else sys.stdout
    try:
        pd.DataFrame(columns).to_csv(target, index=False)
    finally:
        if target is not sys.stdout:
            target.close()
