"""Every notebook in notebooks/ runs end to end on a fresh kernel, offline, without an error.

The notebooks build their own demo store in a temporary directory. They are committed with
outputs cleared; this test also checks that, so a notebook saved with outputs fails here.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_the_three_analyst_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01-quick-start.ipynb",
        "02-influencers-and-communities.ipynb",
        "03-what-if-churn.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_end_to_end(path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError naming the cell on any error
    errors = [
        out
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []
    # every figure cell produced a plotly figure (the notebooks exist to show them)
    figures = [
        out
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "application/vnd.plotly.v1+json" in out.get("data", {})
    ]
    assert figures, f"{path.name} drew no figure"
