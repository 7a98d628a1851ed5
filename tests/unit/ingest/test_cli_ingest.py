"""The ingest and history commands end to end (typer runner and the console script)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from graph_engine.cli import app, main
from graph_engine.stores.sqlite import SQLiteStore

runner = CliRunner()


def _run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_demo_events_ingest_and_history(tmp_path: Path) -> None:
    db, events = str(tmp_path / "g.db"), tmp_path / "events"
    assert (
        _run(
            "demo", "--db", db, "--customers", "300", "--seed", "4", "--events", str(events)
        ).exit_code
        == 0
    )
    assert (events / "purchases.csv").is_file() and (events / "interactions.csv").is_file()
    fresh = str(tmp_path / "fresh.db")
    result = _run(
        "ingest", "purchases", str(events / "purchases.csv"), "--db", fresh, "--as-of", "2024-11-30"
    )
    assert result.exit_code == 0, result.output
    result = _run(
        "ingest",
        "interactions",
        str(events / "interactions.csv"),
        "--db",
        fresh,
        "--as-of",
        "2024-11-30",
    )
    assert result.exit_code == 0, result.output
    with SQLiteStore(fresh) as store:
        assert store.count_customers() > 250 and store.count_ties() > 500
    out = tmp_path / "history.csv"
    result = _run(
        "history",
        "--db",
        fresh,
        "--from",
        "2024-04-01",
        "--to",
        "2024-11-30",
        "--every",
        "30d",
        "--json",
        "--out",
        str(out),
        "--top",
        "3",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert len(payload["dates"]) == 9 and len(payload["biggest_share_drops"]) == 3
    frame = pd.read_csv(out)
    assert set(frame["trend"]) <= {"rising", "falling", "flat"}
    assert sum(payload["trends"].values()) == len(frame)


def test_params_command_sets_and_shows(tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    result = _run(
        "ingest",
        "params",
        "--db",
        db,
        "--rfm",
        "half_life_days=45",
        "--closeness",
        "window_days=null",
        "--closeness",
        "k=0.5",
    )
    assert result.exit_code == 0, result.output
    params = json.loads(result.output)["params"]
    assert params["rfm"]["half_life_days"] == 45
    assert params["closeness"]["window_days"] is None and params["closeness"]["k"] == 0.5
    shown = json.loads(_run("ingest", "params", "--db", db).output)["params"]
    assert shown == params


def _main(monkeypatch, capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["graph-engine", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_user_errors_are_one_line(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,timestamp,amount\nA,2024-01-01,-1\nB,2024-01-02,5\n")
    db = str(tmp_path / "e.db")
    for args in (
        ["ingest", "purchases", str(bad), "--db", db],
        ["ingest", "interactions", str(tmp_path / "missing.csv"), "--db", db],
        ["ingest", "params", "--db", db, "--rfm", "half_life_days=-2"],
        ["history", "--db", db, "--from", "2024-01-01", "--to", "2024-02-01"],
    ):
        code, err = _main(monkeypatch, capsys, *args)
        assert code == 1, (args, err)
        assert err.startswith("error: ") and err.count("\n") == 1, err
    code, err = _main(
        monkeypatch, capsys, "ingest", "purchases", str(bad), "--db", db, "--on-error", "skip"
    )
    assert code == 0 and "line 2: amount is negative" in err
    with SQLiteStore(db) as store:
        assert [c.id for c in store.list_customers()] == ["B"]


def test_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from graph_engine.cli import main; main()", "ingest", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "purchases" in proc.stdout and "interactions" in proc.stdout
