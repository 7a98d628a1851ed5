"""Streaming readers of event logs: purchases and interactions, CSV or Parquet, in chunks.

Purchase events have the columns ``customer_id,timestamp,amount``; interaction events
``source,target,timestamp`` and optionally ``kind,weight`` (empty cells take the default kind
and weight 1). Other columns are ignored. Timestamps are ISO 8601 (``2024-05-01``,
``2024-05-01T12:30:00Z``, ``2024-05-01 12:30:00+02:00``; without an offset they are UTC) or Unix
seconds (integer or decimal); both may be mixed in one file. Times must lie in the years 1678 to
2261 (:data:`MIN_TIME` to :data:`MAX_TIME`, what nanosecond timestamps can hold).

Files are read in chunks of about ``chunk_bytes`` (CSV, with pyarrow's streaming reader in
blocks of 1 MiB, so a CSV line may be up to 1 MiB long) or
``chunk_rows`` (Parquet row batches), so a file larger than memory is never held whole: the
callers aggregate each chunk into per-customer or per-pair sums and drop it.

Every row is checked in one vectorised pass per chunk. A malformed row (missing or empty id,
an id longer than 256 characters, a timestamp that is neither ISO 8601 nor a finite number, a
negative, NaN, infinite or missing amount or weight, a self-interaction, an unknown kind, a CSV
line with the wrong number of fields) is reported by its line number (CSV, the header is line 1;
a quoted value spanning several lines counts as one) or its row number (Parquet and in-memory
rows, from 1). With ``on_error="reject"`` any malformed row rejects the whole batch
(:class:`~graph_engine.errors.InvalidInput` naming the first rows and the count, raised after the
whole file was checked, so nothing is written); with ``on_error="skip"`` the rows are dropped
and counted in the :class:`ReadReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from graph_engine.errors import InvalidInput
from graph_engine.model import MAX_ID_LENGTH

__all__ = [
    "DAY",
    "INTERACTIONS",
    "MAX_TIME",
    "MIN_TIME",
    "PURCHASES",
    "EventSpec",
    "OnError",
    "ReadReport",
    "check_on_error",
    "parse_time",
    "read_events",
]

DAY = 86_400.0  # seconds
MIN_TIME = datetime(1678, 1, 1, tzinfo=UTC).timestamp()  # earliest time accepted, Unix seconds
MAX_TIME = datetime(2262, 1, 1, tzinfo=UTC).timestamp() - 1  # latest: 2261-12-31T23:59:59Z
OnError: TypeAlias = Literal["reject", "skip"]
EventSource: TypeAlias = str | Path | pa.Table | pd.DataFrame | Sequence[Mapping[str, Any]]
Progress: TypeAlias = Callable[[int, int | None], None]

_SHOWN = 10  # malformed rows named in messages
_CHUNK_BYTES = 1 << 24  # 16 MiB of parsed CSV per chunk (about 400k interaction rows)
_READ_BLOCK = 1 << 20  # CSV parser blocks: the longest line a CSV file may have
_CHUNK_ROWS = 500_000  # Parquet / in-memory rows per chunk


@dataclass(frozen=True)
class EventSpec:
    """The columns of one kind of event log."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    ids: tuple[str, ...]
    numbers: tuple[str, ...]


PURCHASES = EventSpec(
    "purchases", ("customer_id", "timestamp", "amount"), (), ("customer_id",), ("amount",)
)
INTERACTIONS = EventSpec(
    "interactions",
    ("source", "target", "timestamp"),
    ("kind", "weight"),
    ("source", "target"),
    ("weight",),
)


@dataclass
class ReadReport:
    """What a read saw: rows, malformed rows (first few named), and chunks.

    ``rows`` counts data rows read (valid or not), ``malformed`` the rows rejected or skipped,
    ``examples`` the first few as ``{"line" or "row": n, "problems": [...]}``.
    """

    row_label: str = "line"
    rows: int = 0
    malformed: int = 0
    chunks: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def add(self, numbers: np.ndarray, problems: list[tuple[np.ndarray, str]]) -> np.ndarray:
        """Record the malformed rows of a chunk; returns the mask of good rows."""
        bad = np.zeros(len(numbers), bool)
        for mask, _ in problems:
            bad |= mask
        n_bad = int(bad.sum())
        if n_bad:
            self.malformed += n_bad
            room = _SHOWN - len(self.examples)
            for i in np.flatnonzero(bad)[: max(room, 0)]:
                reasons = [reason for mask, reason in problems if mask[i]]
                self.examples.append({self.row_label: int(numbers[i]), "problems": reasons})
            self.examples.sort(key=lambda e: e[self.row_label])
        return ~bad

    def add_lines(self, lines: list[tuple[int, str]]) -> None:
        """Record CSV lines the parser dropped (wrong number of fields)."""
        self.malformed += len(lines)
        for number, reason in lines[: max(_SHOWN - len(self.examples), 0)]:
            self.examples.append({self.row_label: number, "problems": [reason]})
        self.examples.sort(key=lambda e: e[self.row_label])
        del self.examples[_SHOWN:]

    def message(self, what: str) -> str:
        """One line naming the first malformed rows and the count."""
        label = self.row_label
        shown = "; ".join(f"{label} {e[label]}: {', '.join(e['problems'])}" for e in self.examples)
        more = (
            f"; and {self.malformed - len(self.examples)} more"
            if self.malformed > len(self.examples)
            else ""
        )
        return (
            f"{self.malformed} malformed {what} {label}{'s' if self.malformed != 1 else ''}: "
            f"{shown}{more}"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "rows": self.rows,
            "malformed": self.malformed,
            "chunks": self.chunks,
            "examples": self.examples,
        }


def check_on_error(on_error: str) -> OnError:
    """Validate ``on_error``: ``"reject"`` or ``"skip"``."""
    if on_error not in ("reject", "skip"):
        raise InvalidInput(
            f"on_error must be 'reject' or 'skip', got {on_error!r}", details={"on_error": on_error}
        )
    return on_error  # type: ignore[return-value]


def parse_time(value: str | float | int | datetime | date) -> float:
    """A point in time as Unix seconds (UTC).

    Accepts Unix seconds, a ``datetime`` (naive means UTC), a ``date`` or an ISO 8601 string.
    A date without a time (``2024-06-30``) means the **end** of that day, 23:59:59 UTC, so
    ``as_of=2024-06-30`` counts the events of that day.

    Raises
    ------
    InvalidInput
        The value is not a time, or lies outside the years 1678 to 2261.
    """
    seconds = _seconds(value)
    if not MIN_TIME <= seconds <= MAX_TIME:
        raise InvalidInput(
            f"expected a time between 1678-01-01 and 2261-12-31 (Unix seconds {MIN_TIME:.0f} to "
            f"{MAX_TIME:.0f}), got {value!r}",
            details={"value": str(value)},
        )
    return seconds


def _seconds(value: str | float | int | datetime | date) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"expected a date, a time or Unix seconds, got {value!r}")
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an int beyond the float range
            seconds = np.inf
        if not np.isfinite(seconds):
            raise InvalidInput(f"expected a finite number of Unix seconds, got {value!r}")
        return seconds
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 23, 59, 59, tzinfo=UTC).timestamp()
    text = str(value).strip()
    try:
        return float(text) if text and _is_number(text) else _iso(text)
    except ValueError:
        raise InvalidInput(
            f"expected an ISO 8601 date or time (2024-06-30, "
            f"2024-06-30T12:00:00Z) or Unix seconds, got {value!r}",
            details={"value": str(value)},
        ) from None


def _is_number(text: str) -> bool:
    try:
        return np.isfinite(float(text))
    except ValueError:
        return False


def _iso(text: str) -> float:
    if len(text) == 10:  # a bare date
        return _seconds(date.fromisoformat(text))
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return _seconds(stamp)


# ---------------------------------------------------------------------------- reading
def read_events(
    source: EventSource,
    spec: EventSpec,
    *,
    on_error: OnError = "reject",
    kinds: Sequence[str] | None = None,
    default_kind: str = "message",
    chunk_bytes: int = _CHUNK_BYTES,
    chunk_rows: int = _CHUNK_ROWS,
    progress: Progress | None = None,
    report: ReadReport | None = None,
) -> Iterator[pa.Table]:
    """Read an event log chunk by chunk, yielding clean, typed tables.

    Parameters
    ----------
    source : path, pyarrow Table, pandas DataFrame or list of dicts
        A CSV file (optionally ``.gz``/``.bz2``/``.zst``), a Parquet file (``.parquet``,
        ``.pq``), or rows in memory.
    spec : EventSpec
        :data:`PURCHASES` or :data:`INTERACTIONS`.
    on_error : {"reject", "skip"}
        Reject the whole batch on any malformed row (raised after the last chunk), or skip them.
    kinds : sequence of str, optional
        Known interaction kinds; other kinds are malformed (None accepts every kind).
    default_kind : str
        Kind of interaction rows with no kind.
    chunk_bytes, chunk_rows : int
        CSV block size in bytes; Parquet and in-memory rows per chunk.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk (bytes for CSV, rows otherwise).
    report : ReadReport, optional
        Filled with counts and the first malformed rows.

    Yields
    ------
    pyarrow.Table
        Purchases: ``customer_id`` (string), ``t`` (float64 Unix seconds), ``amount``
        (float64). Interactions: ``source``, ``target``, ``t``, ``kind`` (string), ``weight``.
        Only good rows; ids stripped of surrounding whitespace.

    Raises
    ------
    InvalidInput
        Unreadable or empty file, missing columns, or (``on_error="reject"``) malformed rows.
    """
    on_error = check_on_error(on_error)
    report = report if report is not None else ReadReport()
    known = pa.array(sorted(set(kinds)), pa.string()) if kinds is not None else None
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise InvalidInput(f"no such file: {path}", details={"path": str(path)})
        if path.suffix.lower() in (".parquet", ".pq"):
            report.row_label = "row"
            raw = _parquet_chunks(path, spec, chunk_rows, progress)
        else:
            report.row_label = "line"
            raw = _csv_chunks(path, spec, chunk_bytes, progress, report)
    else:
        report.row_label = "row"
        raw = _memory_chunks(_as_table(source), spec, chunk_rows, progress)
    for table, numbers in raw:
        report.rows += table.num_rows
        report.chunks += 1
        clean = _clean(table, numbers, spec, known, default_kind, report)
        if on_error == "skip" and clean.num_rows:
            yield clean
        elif on_error == "reject" and not report.malformed and clean.num_rows:
            yield clean
    if report.malformed and on_error == "reject":
        raise InvalidInput(
            report.message(spec.name) + " (nothing was written; fix them or use --on-error skip)",
            details=report.as_dict(),
        )


def _as_table(source: Any) -> pa.Table:
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pd.DataFrame):
        return pa.Table.from_pandas(source, preserve_index=False)
    rows = list(source)
    if not rows:
        return pa.table({})
    columns: dict[str, list[Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidInput(f"row {i + 1} is not an object with named fields")
        for key in row:
            columns.setdefault(str(key), [None] * len(rows))
    for i, row in enumerate(rows):
        for key, value in row.items():
            columns[str(key)][i] = value
    # keep every cell as text (or None) so one odd value cannot fail a whole column
    return pa.table(
        {
            k: pa.array([None if v is None else _text(v) for v in vals], pa.string())
            for k, vals in columns.items()
        }
    )


def _text(value: Any) -> str:
    return "" if isinstance(value, bool) else str(value)  # a boolean is no id, time or number


def _check_columns(names: Sequence[str], spec: EventSpec, where: str) -> None:
    missing = [c for c in spec.required if c not in names]
    if missing:
        optional = f" and optionally {', '.join(spec.optional)}" if spec.optional else ""
        raise InvalidInput(
            f"{where} lacks the column(s) {', '.join(missing)} (expected "
            f"{', '.join(spec.required)}{optional}; found: {', '.join(names) or 'none'})",
            details={"missing": missing, "found": list(names)},
        )
    wanted = spec.required + spec.optional
    dupes = sorted({c for c in names if list(names).count(c) > 1 and c in wanted})
    if dupes:
        raise InvalidInput(
            f"{where} repeats the column(s) {', '.join(dupes)}", details={"repeated": dupes}
        )


def _memory_chunks(
    table: pa.Table, spec: EventSpec, chunk_rows: int, progress: Progress | None
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    if table.num_columns == 0:
        raise InvalidInput(f"no {spec.name} rows given")
    names = [c.strip() for c in table.column_names]
    _check_columns(names, spec, f"the {spec.name} rows")
    table = table.rename_columns(names)
    for start in range(0, table.num_rows, chunk_rows):
        part = table.slice(start, chunk_rows)
        yield part, np.arange(start + 1, start + 1 + part.num_rows)
        if progress:
            progress(start + part.num_rows, table.num_rows)


def _parquet_chunks(
    path: Path, spec: EventSpec, chunk_rows: int, progress: Progress | None
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInput(
            f"{path} is not a readable Parquet file: {exc}", details={"path": str(path)}
        ) from None
    names = handle.schema_arrow.names
    _check_columns(names, spec, str(path))
    columns = [c for c in spec.required + spec.optional if c in names]
    total = handle.metadata.num_rows
    done = 0
    for batch in handle.iter_batches(batch_size=chunk_rows, columns=columns):
        yield pa.Table.from_batches([batch]), np.arange(done + 1, done + 1 + batch.num_rows)
        done += batch.num_rows
        if progress:
            progress(done, total)


def _csv_chunks(
    path: Path, spec: EventSpec, chunk_bytes: int, progress: Progress | None, report: ReadReport
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    compressed = path.suffix.lower() in (".gz", ".bz2", ".zst", ".lz4")

    def open_stream() -> Any:
        return pa.input_stream(str(path), compression="detect") if compressed else path.open("rb")

    # the header, to type every wanted column as text (bad cells must not fail the read)
    head = open_stream()
    try:
        probe = pcsv.open_csv(
            head,
            read_options=pcsv.ReadOptions(block_size=1 << 16, use_threads=False),
            parse_options=pcsv.ParseOptions(invalid_row_handler=_skip_row),
        )
        header = probe.schema.names
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise InvalidInput(
                f"{path} is empty (expected a header with {', '.join(spec.required)})",
                details={"path": str(path)},
            ) from None
        raise InvalidInput(
            f"{path} is not a readable CSV file: {exc}", details={"path": str(path)}
        ) from None
    finally:
        head.close()
    stripped = [c.strip().lstrip("\ufeff") for c in header]
    _check_columns(stripped, spec, str(path))
    wanted = {
        orig: name
        for orig, name in zip(header, stripped, strict=True)
        if name in spec.required + spec.optional
    }

    bad_lines: list[tuple[int, str]] = []  # (line, reason) of rows the parser dropped

    def on_invalid(row: Any) -> str:
        bad_lines.append(
            (
                int(row.number) if row.number is not None else -1,
                f"expected {row.expected_columns} fields, got {row.actual_columns}",
            )
        )
        return "skip"

    handle = open_stream()
    total = None if compressed else path.stat().st_size
    try:
        reader = pcsv.open_csv(
            handle,
            # one thread: row numbers of dropped lines are exact, and it is faster on 2 cores.
            # Small blocks: the reader queues up to 32 blocks ahead of the parser, so the block
            # size, not the file size, bounds that buffer; chunks gather blocks up to chunk_bytes.
            read_options=pcsv.ReadOptions(
                block_size=min(chunk_bytes, _READ_BLOCK), use_threads=False
            ),
            parse_options=pcsv.ParseOptions(
                invalid_row_handler=on_invalid, ignore_empty_lines=False
            ),
            convert_options=pcsv.ConvertOptions(
                include_columns=list(wanted),
                column_types=dict.fromkeys(wanted, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        emitted = 0
        dropped: list[int] = []  # sorted line numbers of dropped lines, seen so far
        reported = 0
        pending: list[pa.RecordBatch] = []
        size = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                batch = None
            except pa.ArrowInvalid as exc:
                raise InvalidInput(
                    f"{path} could not be read after {report.rows} rows (a line longer than "
                    f"{_READ_BLOCK >> 20} MiB, or broken quoting?): {exc}",
                    details={"path": str(path)},
                ) from None
            if batch is not None:
                pending.append(batch)
                size += batch.nbytes
                if size < chunk_bytes:
                    continue
            if len(bad_lines) > reported:
                new = bad_lines[reported:]
                reported = len(bad_lines)
                report.add_lines(new)
                dropped.extend(n for n, _ in new)
            if pending:
                table = pa.Table.from_batches(pending).rename_columns(
                    [wanted[c] for c in pending[0].schema.names]
                )
                pending, size = [], 0
                rows = np.arange(emitted, emitted + table.num_rows)
                emitted += table.num_rows
                yield table, _line_numbers(rows, np.asarray(dropped, dtype=np.int64))
                if progress:
                    progress(handle.tell() if not compressed else emitted, total)
            if batch is None:
                break
        if len(bad_lines) > reported:
            report.add_lines(bad_lines[reported:])
    finally:
        handle.close()


def _skip_row(row: Any) -> str:
    return "skip"


def _line_numbers(rows: np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """File line of each emitted record (0-based index), given the sorted dropped lines."""
    if not len(dropped):
        return rows + 2
    before = dropped - 2 - np.arange(len(dropped))  # records emitted before each dropped line
    return rows + 2 + np.searchsorted(before, rows, side="right")


# ---------------------------------------------------------------------------- validation
def _clean(
    table: pa.Table,
    numbers: np.ndarray,
    spec: EventSpec,
    known: pa.Array | None,
    default_kind: str,
    report: ReadReport,
) -> pa.Table:
    """Typed columns of the good rows of one chunk; malformed ones go to the report."""
    n = table.num_rows
    problems: list[tuple[np.ndarray, str]] = []
    out: dict[str, Any] = {}
    for name in spec.ids:
        ids, empty, long = _ids(table.column(name))
        problems += [
            (empty, f"{name} is empty"),
            (long, f"{name} longer than {MAX_ID_LENGTH} characters"),
        ]
        out[name] = ids
    times, bad_time = _times(table.column("timestamp"))
    problems.append((bad_time, "timestamp is not ISO 8601 or Unix seconds in 1678..2261"))
    out["t"] = times
    if spec is PURCHASES:
        amount, not_number = _numbers(table.column("amount"), None)
        problems += _number_problems("amount", amount, not_number)
        out["amount"] = amount
    else:
        same = pc.fill_null(pc.equal(out["source"], out["target"]), False)
        same = same.to_numpy(zero_copy_only=False)
        problems.append((same & ~problems[0][0], "self-interaction (source equals target)"))
        if "kind" in table.column_names:
            kind = pc.utf8_trim_whitespace(
                table.column("kind").combine_chunks()
                if isinstance(table.column("kind"), pa.ChunkedArray)
                else table.column("kind")
            )
            kind = pc.if_else(
                pc.fill_null(pc.equal(pc.utf8_length(kind), 0), True), pa.scalar(default_kind), kind
            )
        else:
            kind = pa.array(np.full(n, default_kind, dtype=object), pa.string())
        if known is not None:
            unknown = pc.is_null(pc.index_in(kind, value_set=known)).to_numpy(zero_copy_only=False)
            names = ", ".join(known.to_pylist())
            problems.append((unknown, f"unknown kind (known: {names})"))
        out["kind"] = kind
        if "weight" in table.column_names:
            weight, not_number = _numbers(table.column("weight"), 1.0)
        else:
            weight, not_number = np.ones(n), np.zeros(n, bool)
        problems += _number_problems("weight", weight, not_number)
        out["weight"] = weight
    good = report.add(numbers, problems)
    clean = pa.table(out)
    return clean if good.all() else clean.filter(pa.array(good))


def _flat(column: Any) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _ids(column: Any) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    col = _flat(column)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = pc.cast(col, pa.string())
    col = pc.utf8_trim_whitespace(col)
    length = pc.fill_null(pc.utf8_length(col), 0).to_numpy(zero_copy_only=False)
    return col, length == 0, length > MAX_ID_LENGTH


def _numbers(column: Any, default: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Floats of a column and the mask of cells that are not numbers (empty -> default)."""
    col = _flat(column)
    if (
        pa.types.is_integer(col.type)
        or pa.types.is_floating(col.type)
        or pa.types.is_decimal(col.type)
    ):
        values = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        missing = np.isnan(values) & col.is_null().to_numpy(zero_copy_only=False)
    elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        empty = pc.fill_null(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0), True)
        missing = empty.to_numpy(zero_copy_only=False)
        try:  # fast path: every cell a number
            values = pc.cast(pc.if_else(empty, pa.scalar("nan"), col), pa.float64()).to_numpy(
                zero_copy_only=False
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            series = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
            values = pd.to_numeric(series.str.strip(), errors="coerce").to_numpy(float)
            text = series.str.strip().str.lower()
            nan_text = text.isin(["nan", "+nan", "-nan"]).to_numpy(bool)
            bad = np.isnan(values) & ~missing & ~nan_text
            values = np.where(missing, np.nan, values)
            return _fill(values, missing, bad, default)
    else:
        n = len(col)
        return np.full(n, np.nan), np.ones(n, bool)
    return _fill(values, missing, np.zeros(len(values), bool), default)


def _fill(
    values: np.ndarray, missing: np.ndarray, bad: np.ndarray, default: float | None
) -> tuple[np.ndarray, np.ndarray]:
    if default is not None:
        return np.where(missing, default, values), bad
    return values, bad | missing


def _number_problems(
    name: str, values: np.ndarray, not_number: np.ndarray
) -> list[tuple[np.ndarray, str]]:
    with np.errstate(invalid="ignore"):
        return [
            (not_number, f"{name} is missing or not a number"),
            (np.isnan(values) & ~not_number, f"{name} is NaN"),
            (np.isinf(values), f"{name} is infinite"),
            (values < 0, f"{name} is negative"),
        ]


def _times(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """Unix seconds of a timestamp column and the mask of cells that are not times."""
    col = _flat(column)
    if pa.types.is_timestamp(col.type):
        unit = col.type.unit
        scale = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[unit]
        raw = pc.cast(col, pa.int64()).to_numpy(zero_copy_only=False)
        values = raw.astype(np.float64) / scale
        bad = col.is_null().to_numpy(zero_copy_only=False)
        return np.where(bad, np.nan, values), bad
    if pa.types.is_date(col.type):
        col = pc.cast(col, pa.string())
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        values, bad = _numbers(col, None)
        return values, bad | ~_in_range(values)
    try:  # fast path: Unix seconds everywhere
        values = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        bad = ~_in_range(values)
        if not bad.any():
            return values, bad
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    trimmed = pc.utf8_trim_whitespace(col)
    present = pc.fill_null(pc.utf8_length(trimmed), 0).to_numpy(zero_copy_only=False) > 0
    series = pd.Series(trimmed.to_numpy(zero_copy_only=False), dtype=object)
    values = pd.to_numeric(series, errors="coerce").to_numpy(float)
    values[~np.isfinite(values)] = np.nan
    rest = np.isnan(values) & present
    if rest.any():
        # ISO 8601; an event logged with a bare date counts from 00:00 UTC of that day
        stamps = pd.to_datetime(series[rest], format="ISO8601", utc=True, errors="coerce")
        secs = (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
        values[rest] = secs.to_numpy(float)
    return values, ~_in_range(values)


def _in_range(values: np.ndarray) -> np.ndarray:
    """Mask of finite times within MIN_TIME..MAX_TIME (NaN is out)."""
    return (values >= MIN_TIME) & (values <= MAX_TIME)
