"""Commands that run the HTTP API: ``serve`` and ``keys create|list|revoke``.

The app is named by string (``api.main:create_app``) so nothing in graph_engine imports the
API; its settings travel in ``GRAPH_ENGINE_*`` environment variables, which is also how a
container configures it.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from graph_engine.cli.common import DbOption, app, err_console, open_db
from graph_engine.errors import InvalidInput
from graph_engine.keys import KeyRing

__all__ = ["keys_app", "serve_command"]

keys_app = typer.Typer(help="API keys: create (printed once), list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

_ROLES = ("read", "write", "admin")


def _loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command(
    "serve",
    help="Serve the HTTP API (uvicorn) over a store.\n\n"
    "Refuses to start without an API key unless --no-auth, which is only accepted on "
    "a loopback address. --demo fills an empty store with the demo community and "
    "prints a read key to try.\n\n"
    "Example: graph-engine serve --db shop.db --host 127.0.0.1 --port 8000",
)
def serve_command(
    db: DbOption = "demo.db",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Serve without keys (loopback addresses only).")
    ] = False,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Load the demo community into an empty store and print a new read key."
        ),
    ] = False,
    demo_customers: Annotated[
        int, typer.Option(min=2, help="Customers of the demo community.")
    ] = 2000,
    max_batch: Annotated[int, typer.Option(min=1, help="Largest bulk write (rows).")] = 100_000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    if no_auth and not _loopback(host):
        raise InvalidInput(
            f"--no-auth is only accepted on a loopback address (127.0.0.1, ::1, "
            f"localhost), not {host}"
        )
    key = None
    with open_db(db) as store:
        if demo:
            if store.count_customers() == 0:
                from graph_engine.demo import demo_graph

                graph = demo_graph(demo_customers, seed=0)
                store.upsert_graph(graph.customers, graph.ties)
                err_console.print(
                    f"loaded the demo community: {len(graph.customers)} customers,"
                    f" {len(graph.ties)} ties into {store.url}"
                )
            if not no_auth:
                key, _ = KeyRing(store).create("read", name="serve --demo")
        elif not no_auth and not KeyRing(store).any_keys():
            raise InvalidInput(
                f"no API key is configured in {store.url}: run `graph-engine keys "
                f"create --db {db} --role read` first, or serve on a loopback "
                "address with --no-auth"
            )
    os.environ["GRAPH_ENGINE_DB"] = db
    os.environ["GRAPH_ENGINE_HOST"] = host
    os.environ["GRAPH_ENGINE_NO_AUTH"] = "true" if no_auth else "false"
    os.environ["GRAPH_ENGINE_MAX_BATCH"] = str(max_batch)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}"
    err_console.print(f"serving {db} at {address}/v1 (docs: {address}/v1/docs)")
    if key is not None:
        err_console.print("a read key to try (shown once):")
        typer.echo(key)
        err_console.print(
            f"  curl -H 'Authorization: Bearer {key}' '{address}/v1/stickiness?limit=5'"
        )
    err_console.print(
        "reading the graph and scoring it before the first request (a 1M-customer, 10M-tie "
        "SQLite graph takes about 20 s)"
    )
    import uvicorn

    # loop and http "auto" pick uvloop and httptools (dependencies): measured 1.6x the
    # requests per second of asyncio + h11 on a trivial route, 1.1-1.5x on a lookup
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        loop="auto",
        http="auto",
    )


@keys_app.command(
    "create",
    help="Create an API key and print it once (only its hash is "
    "stored).\n\nExample: graph-engine keys create --db shop.db --role read",
)
def keys_create(
    db: DbOption = "demo.db",
    role: Annotated[str, typer.Option(help="read, write or admin (cumulative).")] = "read",
    name: Annotated[str | None, typer.Option(help="A label for listings.")] = None,
) -> None:
    if role not in _ROLES:
        raise InvalidInput(f"--role must be one of {', '.join(_ROLES)}, got {role!r}")
    with open_db(db) as store:
        key, record = KeyRing(store).create(role, name=name)
    err_console.print(f"created {record.role.name} key {record.key_id}; it is shown only now:")
    typer.echo(key)


@keys_app.command(
    "list",
    help="List API keys (ids and roles, never the keys).\n\n"
    "Example: graph-engine keys list --db shop.db",
)
def keys_list(db: DbOption = "demo.db") -> None:
    with open_db(db) as store:
        for k in KeyRing(store).list():
            typer.echo(f"{k.key_id}\t{k.role.name}\t{k.created}\t{k.name or ''}")


@keys_app.command(
    "revoke",
    help="Revoke an API key by its id.\n\nExample: graph-engine keys revoke --db shop.db 1a2b3c4d",
)
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id (from keys list).")],
    db: DbOption = "demo.db",
) -> None:
    with open_db(db) as store:
        KeyRing(store).revoke(key_id)
    err_console.print(f"revoked key {key_id}")
