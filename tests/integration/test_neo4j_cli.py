"""`graph-engine` with `--db bolt://...` end to end (subprocesses), against SQLite on the same CSVs.

The password travels only in the NEO4J_PASSWORD environment variable and never appears in any
output, also not when the login or the input is wrong.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest

from graph_engine.cli.core import write_demo_csv
from graph_engine.demo import demo_graph
from graph_engine.stores.neo4j import Neo4jStore
from tests.conftest import neo4j_uri

pytestmark = pytest.mark.neo4j

PASSWORD = os.environ.get("NEO4J_PASSWORD", "graph-engine-test")
USER = os.environ.get("NEO4J_USER", "neo4j")
CLI = str(Path(sys.executable).with_name("graph-engine"))


@pytest.fixture(scope="module")
def uri() -> str:
    found = neo4j_uri()
    if found is None:
        pytest.skip("NEO4J_URI not set (run `make neo4j-start` and export NEO4J_URI)")
    return found


@pytest.fixture
def neo(uri: str) -> Neo4jStore:
    store = Neo4jStore(uri, user=USER, password=PASSWORD)
    store.wipe()
    yield store  # type: ignore[misc]
    store.close()


def _run(
    *args: str, password: str = PASSWORD, db: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "GRAPH_ENGINE_DB")}
    env["NEO4J_PASSWORD"] = password
    env["NEO4J_USER"] = USER
    if db is not None:
        env["GRAPH_ENGINE_DB"] = db
    done = subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=300)
    assert password not in done.stdout and password not in done.stderr
    return done


def test_import_score_explain_match_sqlite(neo: Neo4jStore, uri: str, tmp_path: Path) -> None:
    write_demo_csv(demo_graph(600, seed=21), tmp_path)
    files = ("--customers", str(tmp_path / "customers.csv"), "--ties", str(tmp_path / "ties.csv"))
    sqlite = f"sqlite:///{tmp_path / 'ref.db'}"
    for db in (uri, sqlite):
        done = _run("import", "--db", db, *files)
        assert done.returncode == 0, done.stderr
        assert "imported 600 customers" in done.stderr
    # the store comes from GRAPH_ENGINE_DB too (as in docker-compose)
    neo_scores = _run("score", "--hops", "2", "--write-back", db=uri)
    ref_scores = _run("score", "--db", sqlite, "--hops", "2")
    assert neo_scores.returncode == 0 and ref_scores.returncode == 0, neo_scores.stderr
    assert neo_scores.stdout == ref_scores.stdout
    frame = pd.read_csv(io.StringIO(neo_scores.stdout)).set_index("id")
    records, _, _ = neo._driver.execute_query(
        "MATCH (c:Customer) RETURN c.id AS id, c.stickiness AS s", database_="neo4j"
    )
    stored = pd.Series({r["id"]: r["s"] for r in records})
    np.testing.assert_allclose(stored.loc[frame.index].to_numpy(), frame["stickiness"], rtol=1e-15)
    cid = frame["stickiness"].idxmax()
    ex_neo = _run("explain", cid, "--db", uri, "--top", "5", "--json")
    ex_ref = _run("explain", cid, "--db", sqlite, "--top", "5", "--json")
    assert ex_neo.returncode == 0, ex_neo.stderr
    assert orjson.loads(ex_neo.stdout) == orjson.loads(ex_ref.stdout)
    assert orjson.loads(ex_neo.stdout)["stickiness"] == pytest.approx(
        neo.stickiness_of(cid)["stickiness"], rel=1e-12
    )


def test_bad_input_is_one_clear_line_and_changes_nothing(
    neo: Neo4jStore, uri: str, tmp_path: Path
) -> None:
    graph = demo_graph(200, seed=2)
    neo.upsert_graph(graph.customers, graph.ties)
    before = (neo.revision(), neo.count_customers(), neo.count_ties())
    (tmp_path / "ghost.csv").write_text(
        "source,target,closeness\nc000001,c000002,0.5\nc000001,ghost,0.5\n"
    )
    (tmp_path / "bad.csv").write_text(
        "source,target,closeness\nc000001,c000003,0.5\nc000004,c000005,1.5\n"
    )
    for name, expected in (("ghost.csv", "ghost"), ("bad.csv", "line 3")):
        done = _run("import", "--db", uri, "--ties", str(tmp_path / name))
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0]
    assert (neo.revision(), neo.count_customers(), neo.count_ties()) == before


def test_wrong_password_and_unreachable_server_are_one_clear_line(uri: str) -> None:
    wrong = "definitely-wrong-pw"
    done = _run("score", "--db", uri, password=wrong)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "wrong user or password" in done.stderr
    done = _run("score", "--db", "bolt://127.0.0.1:9")
    assert done.returncode == 1 and done.stderr.startswith("error: cannot reach Neo4j at")
