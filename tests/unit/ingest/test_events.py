"""Reading event logs: formats, timestamps, chunks, and malformed inputs of every kind."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine.errors import InvalidInput
from graph_engine.ingest.events import (
    INTERACTIONS,
    MAX_TIME,
    MIN_TIME,
    PURCHASES,
    ReadReport,
    parse_time,
    read_events,
)
from graph_engine.ingest.params import ClosenessParams

KINDS = tuple(ClosenessParams().kind_weights)


def _read(source, spec=PURCHASES, **kwargs):
    report = ReadReport()
    tables = list(
        read_events(
            source, spec, report=report, kinds=KINDS if spec is INTERACTIONS else None, **kwargs
        )
    )
    table = pa.concat_tables(tables) if tables else None
    return table, report


def _write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_iso_and_unix_timestamps_mix() -> None:
    rows = [
        {"customer_id": "A", "timestamp": "2024-01-01", "amount": 1},
        {"customer_id": "A", "timestamp": "2024-01-01T00:00:00Z", "amount": 1},
        {"customer_id": "A", "timestamp": "2024-01-01T02:00:00+02:00", "amount": 1},
        {"customer_id": "A", "timestamp": "1704067200", "amount": 1},
        {"customer_id": "A", "timestamp": 1704067200.0, "amount": 1},
    ]
    table, report = _read(rows)
    assert report.malformed == 0
    assert table.column("t").to_pylist() == [1704067200.0] * 5


def test_parse_time_reads_dates_as_the_end_of_the_day() -> None:
    assert parse_time("2024-01-01") == 1704067200 + 86_399
    assert parse_time("2024-01-01T00:00:00Z") == 1704067200
    assert parse_time(1704067200) == 1704067200
    with pytest.raises(InvalidInput, match="ISO 8601"):
        parse_time("next tuesday")


@pytest.mark.parametrize(
    "value", [1e300, -1e20, 10**400, "9999-12-31", "1e300", float("nan"), True]
)
def test_parse_time_refuses_what_no_timestamp_holds(value) -> None:
    with pytest.raises(InvalidInput, match="expected"):
        parse_time(value)
    assert parse_time(MIN_TIME) == MIN_TIME and parse_time(MAX_TIME) == MAX_TIME


def test_null_and_out_of_range_cells_are_malformed_rows() -> None:
    rows = [
        {"customer_id": None, "timestamp": None, "amount": None},
        {"customer_id": "A", "timestamp": 1e300, "amount": 1},
        {"customer_id": "A", "timestamp": "2024-01-01", "amount": 1},
    ]
    table, report = _read(rows, on_error="skip")
    assert table.num_rows == 1 and report.malformed == 2
    assert [e["row"] for e in report.examples] == [1, 2]
    assert "customer_id is empty" in report.examples[0]["problems"]
    nulls = [{"source": None, "target": None, "timestamp": None, "kind": None, "weight": None}]
    with pytest.raises(InvalidInput, match="row 1: source is empty, target is empty"):
        _read(nulls, INTERACTIONS)


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2024-01-01", "1e300", "-0", "nan", " message ", "referral"]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"source": CELLS, "target": CELLS, "timestamp": CELLS, "kind": CELLS, "weight": CELLS}
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["reject", "skip"]),
)
def test_any_cells_give_rows_or_a_clear_error(rows, on_error) -> None:
    """Whatever the cells hold, a read yields clean rows or raises InvalidInput, nothing else."""
    purchases = [
        {"customer_id": r["source"], "timestamp": r["timestamp"], "amount": r["weight"]}
        for r in rows
    ]
    for spec, source in ((INTERACTIONS, rows), (PURCHASES, purchases)):
        try:
            table, report = _read(source, spec, on_error=on_error)
        except InvalidInput as exc:
            assert on_error == "reject" and exc.details["malformed"] >= 1
            continue
        assert report.rows == len(rows)
        kept = table.num_rows if table is not None else 0
        assert kept + report.malformed == len(rows)
        if table is not None:
            t = table.column("t").to_numpy()
            assert ((t >= MIN_TIME) & (t <= MAX_TIME)).all()


MALFORMED = [
    ("A,2024-01-01,-5", "amount is negative"),
    ("A,2024-01-01,nan", "amount is NaN"),
    ("A,2024-01-01,inf", "amount is infinite"),
    ("A,2024-01-01,ten", "amount is missing or not a number"),
    ("A,2024-01-01,", "amount is missing or not a number"),
    (",2024-01-01,5", "customer_id is empty"),
    ("   ,2024-01-01,5", "customer_id is empty"),
    ("A,2024-13-45,5", "timestamp is not ISO 8601"),
    ("A,,5", "timestamp is not ISO 8601"),
    ("A,yesterday,5", "timestamp is not ISO 8601"),
    ("A,2024-01-01", "expected 3 fields, got 2"),
    ("A,2024-01-01,5,extra", "expected 3 fields, got 4"),
    ("x" * 300 + ",2024-01-01,5", "longer than 256"),
]


@pytest.mark.parametrize(("line", "problem"), MALFORMED)
def test_malformed_purchase_rows_are_named_by_line(tmp_path, line, problem) -> None:
    path = _write(tmp_path, f"customer_id,timestamp,amount\nB,2024-01-01,1\n{line}\nC,1,2\n")
    with pytest.raises(InvalidInput) as info:
        _read(path)
    assert "line 3" in str(info.value) and problem in str(info.value)
    assert info.value.details["malformed"] == 1
    table, report = _read(path, on_error="skip")
    assert table.column("customer_id").to_pylist() == ["B", "C"]
    assert report.malformed == 1 and report.examples[0]["line"] == 3


INTERACTION_MALFORMED = [
    ("A,A,1", "self-interaction"),
    ("A,,1", "target is empty"),
    (",B,1", "source is empty"),
    ("A,B,1,telepathy", "unknown kind"),
    ("A,B,1,message,-1", "weight is negative"),
    ("A,B,1,message,NaN", "weight is NaN"),
    ("A,B,soon", "timestamp is not ISO 8601"),
]


@pytest.mark.parametrize(("line", "problem"), INTERACTION_MALFORMED)
def test_malformed_interaction_rows(tmp_path, line, problem) -> None:
    fields = line.split(",")
    line = ",".join(fields + [""] * (5 - len(fields)))
    path = _write(tmp_path, f"source,target,timestamp,kind,weight\nA,B,1,,\n{line}\n")
    with pytest.raises(InvalidInput, match=problem) as info:
        _read(path, INTERACTIONS)
    assert "line 3" in str(info.value)
    table, report = _read(path, INTERACTIONS, on_error="skip")
    assert table.num_rows == 1 and report.malformed == 1
    assert table.column("kind").to_pylist() == ["message"]  # empty kind: the default
    assert table.column("weight").to_pylist() == [1.0]  # empty weight: 1


def test_line_numbers_stay_right_after_blank_and_short_lines(tmp_path) -> None:
    text = "customer_id,timestamp,amount\nA,1,1\n\nB,1\nC,1,1\nD,1,-1\n"
    _, report = _read(_write(tmp_path, text), on_error="skip")
    assert [e["line"] for e in report.examples] == [3, 4, 6]


def test_missing_columns_and_empty_files(tmp_path) -> None:
    with pytest.raises(InvalidInput, match=r"lacks the column.*amount"):
        _read(_write(tmp_path, "customer_id,timestamp\nA,1\n"))
    with pytest.raises(InvalidInput, match="empty"):
        _read(_write(tmp_path, ""))
    with pytest.raises(InvalidInput, match="no such file"):
        _read(tmp_path / "nope.csv")
    with pytest.raises(InvalidInput, match=r"lacks the column.*target"):
        _read([{"source": "A", "timestamp": 1}], INTERACTIONS)
    with pytest.raises(InvalidInput, match="on_error"):
        _read([{"customer_id": "A", "timestamp": 1, "amount": 1}], on_error="ignore")


def test_header_only_file_reads_nothing(tmp_path) -> None:
    table, report = _read(_write(tmp_path, "customer_id,timestamp,amount\n"))
    assert table is None and report.rows == 0


def test_parquet_and_gzip_read_like_csv(tmp_path) -> None:
    frame = pa.table(
        {"customer_id": ["A", "B", ""], "timestamp": [1.0, 2.0, 3.0], "amount": [1.0, -2.0, 3.0]}
    )
    pq.write_table(frame, tmp_path / "p.parquet")
    with pytest.raises(InvalidInput, match=r"row 2: amount is negative; row 3: customer_id"):
        _read(tmp_path / "p.parquet")
    stamps = pa.table(
        {
            "customer_id": ["A"],
            "timestamp": pa.array([1_000_000_000_000], pa.timestamp("ms")),
            "amount": [1.0],
        }
    )
    pq.write_table(stamps, tmp_path / "s.parquet")
    table, _ = _read(tmp_path / "s.parquet")
    assert table.column("t").to_pylist() == [1e9]
    with gzip.open(tmp_path / "p.csv.gz", "wt") as handle:
        handle.write("customer_id,timestamp,amount\nA,1,1\nB,2,2\n")
    table, _ = _read(tmp_path / "p.csv.gz")
    assert table.num_rows == 2


def test_large_files_are_read_in_chunks(tmp_path) -> None:
    rng = np.random.default_rng(1)
    n = 60_000
    ids = np.array([f"c{i:05d}" for i in range(500)])
    lines = ["source,target,timestamp"] + [
        f"{a},{b},{t}"
        for a, b, t in zip(
            ids[rng.integers(0, 250, n)],
            ids[rng.integers(250, 500, n)],
            rng.integers(0, 10**6, n),
            strict=True,
        )
    ]
    lines[30_001] = "bad,bad,1"  # a self-interaction deep in the file (line 30002)
    path = _write(tmp_path, "\n".join(lines) + "\n")
    chunks = list(
        read_events(
            path,
            INTERACTIONS,
            chunk_bytes=1 << 14,
            kinds=KINDS,
            on_error="skip",
            report=(report := ReadReport()),
        )
    )
    assert len(chunks) > 20 and report.chunks == len(chunks)
    assert sum(c.num_rows for c in chunks) == n - 1
    assert report.examples == [
        {"line": 30_002, "problems": ["self-interaction (source equals target)"]}
    ]


def test_chunks_gather_parser_blocks_and_keep_line_numbers(tmp_path) -> None:
    """Chunks larger than the 1 MiB parser blocks gather several; dropped lines keep numbers."""
    n = 150_000  # about 3.3 MB
    lines = ["source,target,timestamp"] + [f"a{i % 997:04d},b{i % 991:04d},{i}" for i in range(n)]
    short = [11, 70_000, 140_001]  # file lines of rows with a field missing
    for line in short:
        lines[line - 1] = "x,1"
    path = _write(tmp_path, "\n".join(lines) + "\n")
    report = ReadReport()
    chunks = list(
        read_events(path, INTERACTIONS, chunk_bytes=3 << 19, on_error="skip", report=report)
    )
    assert 2 <= len(chunks) < 4  # 1.5 MiB chunks of about 3 MiB of parsed columns
    table = pa.concat_tables(chunks)
    assert table.num_rows == n - len(short)
    assert [e["line"] for e in report.examples] == short
    expected = [i for i in range(n) if i + 2 not in short]
    assert table.column("t").to_numpy().astype(int).tolist() == expected
