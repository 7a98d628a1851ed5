"""The ``graph-engine`` command line: parse, call the library, print.

Each command group lives in its own module and registers itself on :data:`app`; a
GraphEngineError becomes one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from graph_engine.cli.common import app
from graph_engine.errors import GraphEngineError

__all__ = ["app", "main"]

# modules that add commands to `app` (each imports `app` from graph_engine.cli.common)
COMMAND_MODULES = [
    "graph_engine.cli.core",
    "graph_engine.cli.analytics",
    "graph_engine.cli.figures",
    "graph_engine.cli.serve",
    "graph_engine.cli.ingest",
]

for _name in COMMAND_MODULES:
    importlib.import_module(_name)


def main() -> None:
    """Entry point of the console script."""
    try:
        app(standalone_mode=False)
    except GraphEngineError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, OSError):
            typer.echo(f"error: {exc}", err=True)
            sys.exit(1)
        raise
