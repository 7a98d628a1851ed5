"""Progress of protect and seeds: a bar of customers chosen on a terminal, nothing in pipes."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from graph_engine.analytics import protect, referral_seeds
from graph_engine.cli import common
from tests.unit.analytics._data import snapshot


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=out, force_terminal=True, width=100))
    return out


def test_searches_report_each_choice() -> None:
    snap = snapshot("karate", beta=0.3)
    for search in (
        lambda p: protect(snap, 4, threshold=0.5, progress=p),
        lambda p: referral_seeds(snap, 4, runs=20, progress=p),
    ):
        calls: list[tuple[int, int]] = []
        search(lambda done, total, seen=calls: seen.append((done, total)))
        assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_an_exception_in_progress_stops_the_search() -> None:
    snap = snapshot("karate", beta=0.3)

    def stop(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        referral_seeds(snap, 4, runs=20, progress=stop)


def test_bar_draws_on_a_terminal_only(terminal: io.StringIO) -> None:
    with common.progress_bar("choosing referral seeds") as bar:
        assert bar is not None
        for done in range(4):
            bar(done, 3)
    assert "choosing referral seeds" in terminal.getvalue()
    assert "3/3" in terminal.getvalue()


def test_no_bar_in_pipes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "err_console", Console(file=io.StringIO(), force_terminal=False))
    with common.progress_bar("x") as bar, common.spinner("y"):
        assert bar is None
