"""Ingest into stores: round trip from a synthetic event log, as-of rebuilds, all or nothing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow.csv as pcsv
import pytest

from graph_engine.compute import scores
from graph_engine.demo import demo_graph
from graph_engine.errors import InvalidInput
from graph_engine.ingest.events import DAY, parse_time
from graph_engine.ingest.params import IngestParams, load_params, load_runs, save_params
from graph_engine.ingest.pipeline import (
    derive_interactions,
    derive_purchases,
    ingest_interactions,
    ingest_purchases,
)
from graph_engine.ingest.synthetic import write_demo_events
from graph_engine.model import Customer
from graph_engine.stores.memory import InMemoryStore
from graph_engine.stores.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def events(tmp_path_factory):  # type: ignore[no-untyped-def]
    graph = demo_graph(400, seed=5)
    folder = tmp_path_factory.mktemp("events")
    purchases, interactions = write_demo_events(graph, folder, seed=5)
    return graph, purchases, interactions


def test_round_trip_synthetic_log_to_scores(events, tmp_path) -> None:
    graph, purchases, interactions = events
    with SQLiteStore(tmp_path / "g.db") as store:
        bought = ingest_purchases(store, purchases, as_of="2024-12-31")
        met = ingest_interactions(store, interactions, as_of="2024-12-31")
        snap = store.snapshot()
    assert bought.malformed == met.malformed == 0
    # the log ends within 2024: nothing is after as-of; the 365-day window drops Jan 1 only
    assert bought.later == met.later == 0
    assert 0.99 * bought.rows < bought.used <= bought.rows
    assert 0.99 * met.rows < met.used <= met.rows
    ids = set(snap.ids.tolist())
    assert ids <= set(graph.customers.ids.tolist())
    result = scores(snap)
    assert np.all(result.stickiness >= result.own) and np.all(np.isfinite(result.stickiness))
    # ties follow the demo graph: every derived tie joins customers tied in the demo
    demo_pairs = set(zip(graph.ties.sources.tolist(), graph.ties.targets.tolist(), strict=True))
    demo_pairs |= {(t, s) for s, t in demo_pairs}
    derived = snap.L.tocoo()
    pairs = {(snap.ids[i], snap.ids[j]) for i, j in zip(derived.row, derived.col, strict=True)}
    assert pairs <= demo_pairs
    # customers with a higher demo own value buy more: values correlate
    demo_value = pd.Series(graph.customers.values, index=graph.customers.ids)
    derived_value = pd.Series(snap.values, index=snap.ids)
    both = pd.concat([demo_value, derived_value], axis=1, join="inner")
    assert both.corr(method="spearman").iloc[0, 1] > 0.3


def test_as_of_rebuilds_a_past_graph_exactly(events) -> None:
    _, purchases, interactions = events
    as_of = "2024-06-30"
    cut = parse_time(as_of)
    full_ids, full, _, _ = derive_interactions(interactions, as_of=as_of)
    log = pcsv.read_csv(interactions).to_pandas()
    past = log[log["timestamp"] <= cut]
    past_ids, truncated, _, _ = derive_interactions(past, as_of=as_of)
    np.testing.assert_array_equal(full_ids, past_ids)

    def frame(t):  # type: ignore[no-untyped-def]
        return (
            pd.DataFrame({"s": t.sources, "t": t.targets, "c": t.closeness, "d": t.directed})
            .sort_values(["s", "t"])
            .reset_index(drop=True)
        )

    pd.testing.assert_frame_equal(frame(full), frame(truncated), rtol=1e-12)
    ids, values, _, _ = derive_purchases(purchases, as_of=as_of)
    buys = pcsv.read_csv(purchases).to_pandas()
    stamps = pd.to_datetime(buys["timestamp"], utc=True)
    early = buys[(stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds() <= cut]
    ids2, values2, _, _ = derive_purchases(early.astype({"timestamp": str}), as_of=as_of)
    np.testing.assert_array_equal(ids, ids2)
    np.testing.assert_allclose(values.value, values2.value, rtol=1e-12)


def test_chunk_size_does_not_change_the_result(events) -> None:
    _, _, interactions = events
    _, big, _, _ = derive_interactions(interactions, as_of="2024-12-31")
    _, small, _, report = derive_interactions(interactions, as_of="2024-12-31", chunk_bytes=1 << 13)
    assert report.chunks > 50
    a = (
        pd.DataFrame({"s": big.sources, "t": big.targets, "c": big.closeness})
        .sort_values(["s", "t"])
        .reset_index(drop=True)
    )
    b = (
        pd.DataFrame({"s": small.sources, "t": small.targets, "c": small.closeness})
        .sort_values(["s", "t"])
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_default_as_of_is_the_latest_event() -> None:
    rows = [{"customer_id": "A", "timestamp": 1000 + i * DAY, "amount": 1} for i in range(3)]
    store = InMemoryStore()
    result = ingest_purchases(store, rows)
    assert load_runs(store)["purchases"]["as_of_unix"] == 1000 + 2 * DAY
    assert result.used == 3 and result.later == 0


def test_stored_customers_keep_their_fields_and_new_ones_get_zero() -> None:
    store = InMemoryStore()
    store.upsert_customers(
        [Customer(id="A", value=1.0, name="Ada", segment="premium", attributes={"city": "Oslo"})]
    )
    ingest_purchases(store, [{"customer_id": "A", "timestamp": 0, "amount": 10}])
    a = store.get_customer("A")
    assert (a.name, a.segment, a.attributes) == ("Ada", "premium", {"city": "Oslo"})
    assert a.value > 0 and a.value != 1.0
    ingest_interactions(store, [{"source": "A", "target": "Z", "timestamp": 0}])
    assert store.get_customer("Z").value == 0.0
    assert store.get_customer("A").value == a.value  # interactions leave values alone


class _CountingStore(InMemoryStore):
    """Counts the customer records the ingest reads back."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def list_customers(self, **kwargs):  # type: ignore[no-untyped-def]
        page = super().list_customers(**kwargs)
        self.read += len(page)
        return page

    def get_customer(self, customer_id):  # type: ignore[no-untyped-def]
        self.read += 1
        return super().get_customer(customer_id)


@pytest.mark.parametrize("buyers", [1, 7, 300, 5_000])
def test_purchases_read_back_only_about_the_buyers_records(buyers) -> None:
    store = _CountingStore()
    n = 5_000
    store.upsert_customers(
        [Customer(id=f"c{i:05d}", value=1.0, name=f"n{i}", segment=str(i % 3)) for i in range(n)]
    )
    rng = np.random.default_rng(buyers)
    chosen = sorted(rng.choice(n, buyers, replace=False).tolist())
    rows = [{"customer_id": f"c{i:05d}", "timestamp": 0, "amount": 5} for i in chosen]
    rows.append({"customer_id": "new", "timestamp": 0, "amount": 5})
    result = ingest_purchases(store, rows)
    assert result.customers_updated == buyers and result.customers_created == 1
    assert store.read <= min(n, 65 * buyers)  # stretches of at most _GAP + 1 ids per buyer
    for i in chosen[:20]:
        c = store.get_customer(f"c{i:05d}")
        assert (c.name, c.segment) == (f"n{i}", str(i % 3)) and c.value != 1.0
    assert store.count_customers() == n + 1


def test_records_a_page_misses_are_read_one_by_one(monkeypatch) -> None:
    """A store that orders ids differently from Python still keeps every buyer's fields."""
    store = InMemoryStore()
    store.upsert_customers([Customer(id=f"c{i}", value=1.0, name=f"n{i}") for i in range(50)])
    monkeypatch.setattr(store, "list_customers", lambda **kwargs: [])
    ingest_purchases(
        store, [{"customer_id": f"c{i}", "timestamp": 0, "amount": 5} for i in (3, 40)]
    )
    assert store.get_customer("c3").name == "n3" and store.get_customer("c40").name == "n40"


def test_rejected_batches_write_nothing() -> None:
    store = InMemoryStore()
    revision = store.revision()
    rows = [
        {"source": "A", "target": "B", "timestamp": 0},
        {"source": "A", "target": "B", "timestamp": "never"},
    ]
    with pytest.raises(InvalidInput, match="row 2"):
        ingest_interactions(store, rows)
    assert store.revision() == revision and store.count_customers() == 0


def test_extreme_amounts_and_weights_stay_in_range() -> None:
    """Spend that overflows to infinity saturates M at 1; huge weights saturate closeness."""
    store = InMemoryStore()
    huge = [{"customer_id": "A", "timestamp": t, "amount": 1e308} for t in (0, 1)]
    ingest_purchases(store, [*huge, {"customer_id": "B", "timestamp": 1, "amount": 0}])
    a, b = store.get_customer("A").value, store.get_customer("B").value
    assert math.isfinite(a) and 0 < b < a <= IngestParams().rfm.value_scale
    rows = [{"source": "A", "target": "B", "timestamp": 1, "weight": 1e308}] * 2
    ingest_interactions(store, rows)
    (tie,) = store.ties_of("A")
    assert tie.closeness == 1.0


def test_a_log_without_good_rows_names_them() -> None:
    rows = [{"source": "A", "target": "A", "timestamp": 0}]
    with pytest.raises(InvalidInput, match=r"no well-formed event.*row 1: self-interaction"):
        ingest_interactions(InMemoryStore(), rows)


def test_params_are_stored_and_used(tmp_path) -> None:
    with SQLiteStore(tmp_path / "p.db") as store:
        params = IngestParams().replace(closeness={"k": 1.0, "half_life_days": 10})
        save_params(store, params)
        assert load_params(store) == params
        ingest_interactions(store, [{"source": "A", "target": "B", "timestamp": 0}])
        (tie,) = store.ties_of("A")
        assert math.isclose(tie.closeness, 1 - math.exp(-1.0))
        assert load_runs(store)["interactions"]["params"]["k"] == 1.0
    with pytest.raises(InvalidInput, match="half_life_days"):
        IngestParams().replace(rfm={"half_life_days": -1})
    with pytest.raises(InvalidInput, match="mutual_kinds"):
        IngestParams().replace(closeness={"kind_weights": {"message": 1}})
