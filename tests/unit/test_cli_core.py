"""The core CLI commands end to end: import, score, explain, demo (in a subprocess-free runner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from graph_engine.cli import app
from graph_engine.compute import scores
from graph_engine.stores.sqlite import SQLiteStore

runner = CliRunner()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point (exit codes and stderr as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-c", "from graph_engine.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def csvs(tmp_path: Path) -> tuple[Path, Path]:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,value,name,segment,city\nA,10,Ada,premium,Lyon\nB,4,,consumer,\nC,1,Cy,consumer,Oslo\n"
    )
    ties = tmp_path / "ties.csv"
    ties.write_text(
        "source,target,closeness,kind,directed\nA,B,0.5,friend,false\nC,A,,referral,true\n"
    )
    return customers, ties


def test_import_then_score_matches_the_library(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    db = tmp_path / "g.db"
    res = run("import", "--db", str(db), "--customers", str(csvs[0]), "--ties", str(csvs[1]))
    assert res.returncode == 0, res.stderr
    assert "imported 3 customers and 2 ties" in res.stderr
    with SQLiteStore(db) as store:
        assert store.get_customer("A").attributes == {"city": "Lyon"}
        assert store.get_customer("B").attributes == {}
        assert store.get_customer("B").name is None
        expected = scores(store.snapshot())
    out = tmp_path / "scores.csv"
    res = run("score", "--db", str(db), "--out", str(out))
    assert res.returncode == 0, res.stderr
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["id", "own", "network", "stickiness", "network_share"]
    assert frame["id"].tolist() == ["A", "B", "C"]
    assert frame["stickiness"].tolist() == pytest.approx(expected.stickiness.tolist())
    assert frame["stickiness"].tolist() == pytest.approx([12.0, 9.0, 11.0])


def test_score_beta_override_is_for_this_run_only(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    db = tmp_path / "g.db"
    run("import", "--db", str(db), "--customers", str(csvs[0]), "--ties", str(csvs[1]))
    res = run("score", "--db", str(db), "--beta", "2", "--format", "jsonl")
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows[0] == {
        "id": "A",
        "own": 10.0,
        "network": 4.0,
        "stickiness": 14.0,
        "network_share": pytest.approx(4 / 14),
    }
    with SQLiteStore(db) as store:
        assert store.get_settings().beta == 1.0
    res = run("score", "--db", str(db), "--hops", "all", "--beta", "0.1")
    assert res.returncode == 0 and res.stdout.startswith("id,own,network,stickiness,network_share")


@pytest.mark.parametrize(
    "args, message",
    [
        (("score", "--hops", "0"), "hops must be"),
        (("score", "--beta", "-1"), "--beta must be"),
        (("score", "--hops", "all"), "spectral radius"),
        (("explain", "nobody"), "unknown customer 'nobody'"),
    ],
)
def test_user_errors_print_one_line_and_exit_non_zero(
    tmp_path: Path, csvs: tuple[Path, Path], args: tuple[str, ...], message: str
) -> None:
    db = tmp_path / "g.db"
    run("import", "--db", str(db), "--customers", str(csvs[0]), "--ties", str(csvs[1]))
    res = run(*args, "--db", str(db), *(("--beta", "5") if args[-1] == "all" else ()))
    assert res.returncode != 0
    assert message in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_bad_rows_import_nothing_and_name_the_lines(
    tmp_path: Path, csvs: tuple[Path, Path]
) -> None:
    db = tmp_path / "g.db"
    bad_ties = tmp_path / "bad.csv"
    bad_ties.write_text("source,target,closeness\nA,B,0.5\nA,A,0.5\nB,C,7\nA,ghost,0.5\n")
    res = run("import", "--db", str(db), "--customers", str(csvs[0]), "--ties", str(bad_ties))
    assert res.returncode == 1
    assert "line 3" in res.stderr and "self-tie" in res.stderr and "line 4" in res.stderr
    with SQLiteStore(db) as store:
        assert store.count_customers() == 0 and store.count_ties() == 0
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("source,target\nA,B\nA,ghost\n")
    res = run("import", "--db", str(db), "--customers", str(csvs[0]), "--ties", str(unknown))
    assert res.returncode == 1 and "ghost" in res.stderr and "line 3" in res.stderr
    with SQLiteStore(db) as store:
        assert store.count_customers() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "is empty"),
        ("name,value\nA,1\n", "lacks the column(s) id"),
        ("id,value\nA,-3\nB,\nC,NaN\n", "3 invalid customer lines"),
        ("id,value\nA,1\nA,2\n", "repeated"),
        ("id,value,value\nA,1,2\n", "repeats"),
    ],
)
def test_bad_customer_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(content)
    res = run("import", "--db", str(tmp_path / "g.db"), "--customers", str(path))
    assert res.returncode == 1, res.stdout
    assert message in res.stderr


def test_missing_file_and_nothing_to_import(tmp_path: Path) -> None:
    res = run("import", "--db", str(tmp_path / "g.db"), "--customers", str(tmp_path / "nope.csv"))
    assert res.returncode == 1 and "no such file" in res.stderr
    res = run("import", "--db", str(tmp_path / "g.db"))
    assert res.returncode == 1 and "nothing to import" in res.stderr


def test_explain_prints_contributors(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    db = tmp_path / "g.db"
    run("import", "--db", str(db), "--customers", str(csvs[0]), "--ties", str(csvs[1]))
    result = runner.invoke(app, ["explain", "A", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["stickiness"] == 12.0
    assert payload["contributors"] == [{"id": "B", "contribution": 2.0, "lambda": 0.5}]
    result = runner.invoke(app, ["explain", "C", "--db", str(db), "--hops", "2"])
    assert "top 1 of 1 contributors" in result.output


def test_demo_is_deterministic_and_realistic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = runner.invoke(
            app,
            [
                "demo",
                "--db",
                str(tmp_path / f"{name}.db"),
                "--customers",
                "800",
                "--seed",
                "5",
                "--csv-dir",
                str(tmp_path / name),
            ],
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "ties.csv").read_bytes() == (tmp_path / "b" / "ties.csv").read_bytes()
    with SQLiteStore(tmp_path / "a.db") as store:
        snap = store.snapshot()
        assert snap.n == 800 and store.count_ties() == 4000
        degree = (snap.L != 0).sum(axis=1).A.ravel()
        assert degree.max() > 5 * degree.mean()  # heavy-tailed: hubs exist
        kinds = {t.kind for c in store.list_customers(limit=50) for t in store.ties_of(c.id)}
        assert {"friend", "family"} <= kinds
        assert len({c.segment for c in store.list_customers(limit=800)}) >= 3
    # the demo CSVs import into an identical graph
    db = tmp_path / "c.db"
    res = run(
        "import",
        "--db",
        str(db),
        "--customers",
        str(tmp_path / "a" / "customers.csv"),
        "--ties",
        str(tmp_path / "a" / "ties.csv"),
    )
    assert res.returncode == 0, res.stderr
    with SQLiteStore(db) as store:
        assert scores(store.snapshot()).stickiness == pytest.approx(scores(snap).stickiness)


def test_every_command_has_help_with_an_example() -> None:
    for command in ("import", "score", "explain", "demo"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example: graph-engine " + command in result.output
