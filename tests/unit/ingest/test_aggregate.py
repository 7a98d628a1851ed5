"""Streaming aggregation: codes in first-seen order and per-code sums, against plain Python."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine.ingest.aggregate import DenseSums, IdIndex, KeyIndex, pair_keys, unpack_pairs

CHUNKS = st.lists(st.lists(st.integers(0, 60), max_size=40), min_size=1, max_size=12)


def _first_seen_codes(chunks: list[list[int]]) -> list[list[int]]:
    seen: dict[int, int] = {}
    return [[seen.setdefault(k, len(seen)) for k in chunk] for chunk in chunks]


@settings(max_examples=80, deadline=None)
@given(CHUNKS)
def test_key_index_codes_are_first_seen_order(chunks) -> None:
    index = KeyIndex()
    got = [index.codes(np.array(chunk, np.int64) * 7_919 - 3).tolist() for chunk in chunks]
    assert got == _first_seen_codes(chunks)
    expected_keys = list(dict.fromkeys(k for chunk in chunks for k in chunk))
    assert (index.keys() == np.array(expected_keys, np.int64) * 7_919 - 3).all()
    assert len(index) == len(expected_keys)


@settings(max_examples=60, deadline=None)
@given(CHUNKS)
def test_id_index_codes_are_first_seen_order(chunks) -> None:
    index = IdIndex()
    got = [
        index.codes(pa.array([f"id{k}" for k in chunk], pa.string())).tolist() for chunk in chunks
    ]
    assert got == _first_seen_codes(chunks)
    assert index.ids().tolist() == [f"id{k}" for k in dict.fromkeys(k for c in chunks for k in c)]


def test_key_index_levels_stay_few_while_keys_trickle_in() -> None:
    index = KeyIndex()
    rng = np.random.default_rng(0)
    for start in range(0, 200_000, 1_000):  # 200 chunks, each with new keys and old ones
        chunk = np.concatenate([np.arange(start, start + 1_000), rng.integers(0, start + 1, 500)])
        codes = index.codes(chunk)
        assert (index.keys()[codes] == chunk).all()
    assert len(index._levels) <= 2 * np.log2(200) + 1  # a binary counter, not one per chunk


def test_dense_sums_equal_a_groupby() -> None:
    rng = np.random.default_rng(1)
    sums = DenseSums({"s": "sum", "lo": "min", "hi": "max", "n": "sum", "w": "sum"}, {"w": 3})
    frames = []
    for _ in range(5):
        codes = rng.integers(0, 50, 300)
        x, slot = rng.normal(size=300), rng.integers(0, 3, 300)
        sums.add(codes, {"s": x, "lo": x, "hi": x, "n": None, "w": x}, {"w": slot})
        frames.append(pd.DataFrame({"code": codes, "x": x, "slot": slot}))
    frame = pd.concat(frames)
    got = sums.result()
    ref = frame.groupby("code")["x"].agg(["sum", "min", "max", "size"]).reindex(range(len(sums)))
    np.testing.assert_allclose(got["s"], ref["sum"].fillna(0.0))
    np.testing.assert_array_equal(got["lo"], ref["min"].fillna(np.inf))
    np.testing.assert_array_equal(got["hi"], ref["max"].fillna(-np.inf))
    np.testing.assert_array_equal(got["n"], ref["size"].fillna(0))
    by_slot = frame.pivot_table(index="code", columns="slot", values="x", aggfunc="sum")
    by_slot = by_slot.reindex(index=range(len(sums)), columns=range(3)).fillna(0.0)
    np.testing.assert_allclose(got["w"], by_slot.to_numpy())
    assert sums.result(len(sums) + 10)["lo"][-1] == np.inf  # codes beyond any event


def test_pair_keys_round_trip() -> None:
    u, v = np.array([0, 5, 2**31 - 1]), np.array([1, 2**31 - 2, 0])
    lo, hi = unpack_pairs(pair_keys(u, v))
    assert (lo == u).all() and (hi == v).all()
