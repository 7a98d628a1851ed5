"""Shared pieces of the CLI: the typer app, the --db option, store opening, progress bars."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from graph_engine.stores.base import Store, open_store

__all__ = [
    "DbOption",
    "app",
    "console",
    "err_console",
    "open_db",
    "progress_bar",
    "progress_enabled",
    "spinner",
]

app = typer.Typer(
    name="graph-engine",
    help="Customer-community relationship-graph engine: stickiness S = a + L a over customer ties.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        help="Store URL: a SQLite file path (default demo.db), sqlite:///path, or "
        "neo4j://host:7687 / bolt://host:7687 (user and password from --neo4j-user/"
        "--neo4j-password or NEO4J_USER/NEO4J_PASSWORD).",
        envvar="GRAPH_ENGINE_DB",
    ),
]
Neo4jUser = Annotated[
    str | None,
    typer.Option("--neo4j-user", envvar="NEO4J_USER", help="Neo4j user (default neo4j)."),
]
Neo4jPassword = Annotated[
    str | None,
    typer.Option(
        "--neo4j-password",
        envvar="NEO4J_PASSWORD",
        help="Neo4j password (never printed).",
        show_default=False,
    ),
]


def open_db(url: str, user: str | None = None, password: str | None = None) -> Store:
    """Open the store named on the command line (Neo4j credentials from options or env)."""
    options: dict[str, Any] = {}
    if url.startswith(("neo4j", "bolt")):
        options["user"] = user or os.environ.get("NEO4J_USER", "neo4j")
        options["password"] = password if password is not None else os.environ.get("NEO4J_PASSWORD")
    return open_store(url, **options)


def progress_enabled() -> bool:
    """Progress bars only on a terminal (never in pipes, CI logs or tests)."""
    return err_console.is_terminal


@contextlib.contextmanager
def spinner(text: str) -> Iterator[None]:
    """A spinner with ``text`` on a terminal while the block runs (work of unknown length)."""
    if not progress_enabled():
        yield
        return
    with Progress(console=err_console, transient=True) as progress:
        progress.add_task(text, total=None)
        yield


@contextlib.contextmanager
def progress_bar(
    label: str, unit: Literal["bytes", "steps"] = "steps"
) -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress callback ``(done, total)`` that draws a bar on a terminal (None elsewhere).

    ``unit="bytes"`` shows sizes (file reads), ``"steps"`` shows ``done/total``.
    """
    if not progress_enabled():
        yield None
        return
    count = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
    columns = (TextColumn(label), BarColumn(), count, TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield update
