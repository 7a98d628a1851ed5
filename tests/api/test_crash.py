"""A bulk import killed mid-way (kill -9 of the real server) leaves the store readable and
either fully without or fully with the batch."""

from __future__ import annotations

import signal
import threading
import time

import httpx
import orjson

from graph_engine.keys import KeyRing
from graph_engine.stores.sqlite import SQLiteStore
from tests.api.server import free_port, start_server

N = 60_000


def test_kill_9_during_a_bulk_put(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "crash.db"
    with SQLiteStore(db) as store:
        store.upsert_customers([])
        key = KeyRing(store).create("write")[0]
    port = free_port()
    proc = start_server(db, port)
    body = orjson.dumps(
        {
            "items": [
                {"id": f"k{i:06d}", "value": float(i % 97), "attributes": {"batch": "big"}}
                for i in range(N)
            ]
        }
    )

    def send() -> None:
        try:
            httpx.put(
                f"http://127.0.0.1:{port}/v1/customers",
                content=body,
                timeout=60,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
        except httpx.HTTPError:
            pass  # the server dies under the request

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.6)  # parsing and validating 60k rows takes longer than this
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    sender.join(60)
    with SQLiteStore(db) as store:
        n = store.count_customers()
        assert n in (0, N)
        snap = store.snapshot()
        assert snap.n == n
        if n:
            assert store.get_customer(f"k{N - 1:06d}").attributes == {"batch": "big"}
