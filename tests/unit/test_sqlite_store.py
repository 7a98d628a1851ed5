"""What only the SQLite store promises: one file shared by processes, a versioned schema."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from graph_engine.errors import SchemaMismatch, StoreUnavailable
from graph_engine.model import Customer, Tie
from graph_engine.stores.base import open_store
from graph_engine.stores.sqlite import SCHEMA_VERSION, SQLiteStore

WRITER = """
import sys
from graph_engine.stores.sqlite import SQLiteStore
from graph_engine.model import Customer, Tie
with SQLiteStore(sys.argv[1]) as s:
    s.upsert_customers([Customer(id="B", value=5.0)])
    s.upsert_ties([Tie(source="A", target="B", closeness=0.5)])
"""


def test_a_store_written_by_one_process_is_read_by_another(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    with SQLiteStore(db) as reader:
        reader.upsert_customers([Customer(id="A", value=2.0)])
        first = reader.snapshot()
        subprocess.run([sys.executable, "-c", WRITER, str(db)], check=True, timeout=60)
        second = reader.snapshot()  # the other process's write invalidates the cache
        assert second is not first
        assert second.ids.tolist() == ["A", "B"] and second.n_ties == 1


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    SQLiteStore(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(
        SCHEMA_VERSION
    )
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaMismatch):
        SQLiteStore(db)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable, match="cannot open SQLite store"):
        SQLiteStore(path)


def test_open_store_by_url(tmp_path: Path) -> None:
    for url in (str(tmp_path / "a.db"), f"sqlite:///{tmp_path}/b.db"):
        with open_store(url) as store:
            assert isinstance(store, SQLiteStore)
            store.upsert_customers([Customer(id="x", value=1.0)])
    assert (tmp_path / "b.db").exists()
    with pytest.raises(ValueError, match="unknown store URL scheme"):
        open_store("ftp://example/x")


def test_large_tie_batch_uses_the_bulk_id_lookup(tmp_path: Path) -> None:
    from graph_engine.demo import demo_graph

    g = demo_graph(30_000, 60_000, seed=1)  # more distinct ids than the per-id lookup handles
    with SQLiteStore(tmp_path / "g.db") as store:
        store.upsert_graph(customers=g.customers, ties=g.ties)
        assert store.count_ties() == 60_000
        store.upsert_ties(
            [
                Tie(
                    source=g.ties.sources[0],
                    target=g.ties.targets[0],
                    closeness=0.01,
                    directed=bool(g.ties.directed[0]),
                    kind="family",
                )
            ]
        )
        assert store.count_ties() == 60_000
