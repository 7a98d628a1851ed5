"""Read customers and ties from CSV files into validated batches.

Customers CSV: columns ``id,value`` and optionally ``name,segment``; every other column becomes
an attribute (empty cells are left out). Ties CSV: ``source,target`` and optionally
``closeness,kind,directed`` (empty cells take the defaults 1, ``friend``, false).
Errors name CSV line numbers (the header is line 1).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from graph_engine.errors import InvalidInput
from graph_engine.model import CustomerBatch, TieBatch

__all__ = ["read_customers_csv", "read_table", "read_ties_csv"]

CUSTOMER_COLUMNS = ("id", "value", "name", "segment")
TIE_COLUMNS = ("source", "target", "closeness", "kind", "directed")
_CHUNK_ROWS = 1_000_000

Opener = Callable[[Path], IO[bytes]]


def read_table(
    path: str | Path, required: tuple[str, ...], opener: Opener | None = None
) -> pd.DataFrame:
    """Read a CSV of strings (no type guessing), checking the header has ``required`` columns.

    ``opener`` may wrap the file (e.g. a progress bar counting bytes read).
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", details={"path": str(path)})
    handle = opener(path) if opener else path.open("rb")
    try:
        chunks = pd.read_csv(
            handle,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            chunksize=_CHUNK_ROWS,
            skipinitialspace=True,
            encoding="utf-8",
        )
        frame = pd.concat(list(chunks), ignore_index=True)
    except pd.errors.EmptyDataError:
        raise InvalidInput(
            f"{path} is empty (expected a header with {', '.join(required)})",
            details={"path": str(path)},
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"{path} is not a readable CSV file: {exc}", details={"path": str(path)}
        ) from None
    finally:
        handle.close()
    frame.columns = [str(c).strip() for c in _header(path)]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InvalidInput(
            f"{path} lacks the column(s) {', '.join(missing)} (found: {', '.join(frame.columns)})",
            details={"path": str(path), "missing": missing, "found": list(frame.columns)},
        )
    dupes = frame.columns[frame.columns.duplicated()].tolist()
    if dupes:
        raise InvalidInput(
            f"{path} repeats the column(s) {', '.join(dupes)}",
            details={"path": str(path), "repeated": dupes},
        )
    return frame


def _header(path: Path) -> list[str]:
    """The header row as written (pandas renames repeated columns, which hides them)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh), [])


def _optional(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    """A column with empty cells as None, or None when the column is absent."""
    if column not in frame.columns:
        return None
    col = frame[column]
    return col.where(col.str.len() > 0, None).to_numpy(object)


def read_customers_csv(path: str | Path, opener: Opener | None = None) -> CustomerBatch:
    """A validated CustomerBatch from a customers CSV (see the module docstring)."""
    frame = read_table(path, ("id", "value"), opener)
    extra = [c for c in frame.columns if c not in CUSTOMER_COLUMNS]
    attributes = None
    if extra:
        records = frame[extra].to_dict("records")
        attributes = [{k: v for k, v in r.items() if v != ""} for r in records]
    values = frame["value"].where(frame["value"].str.len() > 0, None).to_numpy(object)
    return CustomerBatch.from_columns(
        frame["id"].to_numpy(object),
        values,
        _optional(frame, "name"),
        _optional(frame, "segment"),
        attributes,
        first_row=2,
        row_label="line",
    )


def read_ties_csv(path: str | Path, opener: Opener | None = None) -> TieBatch:
    """A validated TieBatch from a ties CSV (see the module docstring)."""
    frame = read_table(path, ("source", "target"), opener)
    unknown = [c for c in frame.columns if c not in TIE_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"{path} has unexpected column(s) {', '.join(unknown)}; a ties CSV has "
            f"{', '.join(TIE_COLUMNS)}",
            details={"unexpected": unknown},
        )
    return TieBatch.from_columns(
        frame["source"].to_numpy(object),
        frame["target"].to_numpy(object),
        _optional(frame, "closeness"),
        _optional(frame, "kind"),
        _optional(frame, "directed"),
        first_row=2,
        row_label="line",
    )
