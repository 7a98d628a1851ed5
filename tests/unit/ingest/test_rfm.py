"""Own values from purchases: hand-checked derivations and monotonicity."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine.ingest.events import DAY
from graph_engine.ingest.params import IngestParams, RFMParams
from graph_engine.ingest.pipeline import derive_purchases

T = 1_720_000_000.0  # as-of time used throughout (Unix seconds)


def _value(rows: list[tuple[str, float, float]], params: RFMParams | None = None) -> dict:
    table = [{"customer_id": c, "timestamp": t, "amount": m} for c, t, m in rows]
    ids, s, _, _ = derive_purchases(table, as_of=T, params=IngestParams(rfm=params or RFMParams()))
    return dict(zip(ids.tolist(), s.value.tolist(), strict=True))


def test_one_customer_two_purchases_by_hand() -> None:
    p = RFMParams()
    h = p.half_life_days
    # today 50, and 90 days (one half-life) ago 30
    value = _value([("A", T, 50.0), ("A", T - h * DAY, 30.0)])["A"]
    recency = 1.0
    repeat = 1.0  # the earliest purchase is the first; today's counts 2^0 = 1
    frequency = 1 - math.exp(-repeat / p.frequency_scale)
    log_spend = math.log(1 + 80 / p.monetary_scale)
    monetary = log_spend / (1 + log_spend)
    expected = p.value_scale * (recency + 2 * frequency + monetary) / 4
    assert math.isclose(value, expected, rel_tol=1e-12)


def test_half_life_halves_recency_and_repeat_weight_exactly() -> None:
    only_r = RFMParams(weight_frequency=0, weight_monetary=0)
    fresh = _value([("A", T, 1.0)], only_r)["A"]
    old = _value([("A", T - only_r.half_life_days * DAY, 1.0)], only_r)["A"]
    assert old == fresh / 2
    only_f = RFMParams(weight_recency=0, weight_monetary=0, frequency_scale=1e9)
    # F ~ repeat / scale for a huge scale: a repeat one half-life old counts half
    recent = _value(
        [("A", T - 400 * DAY, 1.0), ("A", T, 1.0)], only_f.model_copy(update={"window_days": None})
    )["A"]
    half = _value(
        [("A", T - 400 * DAY, 1.0), ("A", T - 90 * DAY, 1.0)],
        only_f.model_copy(update={"window_days": None}),
    )["A"]
    assert math.isclose(half / recent, 0.5, rel_tol=1e-6)


def test_window_and_as_of_cut_events() -> None:
    values = _value([("A", T - 400 * DAY, 10.0), ("B", T + 1, 10.0), ("C", T - 10, 10.0)])
    assert values["A"] == 0.0  # exists, but no purchase in the 365-day window
    assert "B" not in values  # first purchase after as-of: not a customer yet
    assert values["C"] > 0


def test_frequency_weighs_most_by_default() -> None:
    # same spend and last purchase; the repeat buyer is worth more than the one-off buyer
    values = _value([("A", T, 100.0), ("B", T - 30 * DAY, 50.0), ("B", T, 50.0)])
    assert values["B"] > values["A"]


purchase = st.tuples(
    st.floats(0, 300), st.floats(0, 1000, allow_subnormal=False)
)  # (age in days, amount)


@settings(max_examples=60, deadline=None)
@given(st.lists(purchase, min_size=1, max_size=8), purchase, st.floats(0.1, 300))
def test_more_or_more_recent_purchases_never_lower_the_value(events, extra, shift) -> None:
    rows = [("A", T - age * DAY, m) for age, m in events]
    base = _value(rows)["A"]
    more = _value([*rows, ("A", T - extra[0] * DAY, extra[1])])["A"]
    assert more >= base - 1e-9 * max(base, 1)
    # move one purchase closer to as-of
    age, m = events[0]
    newer = _value([("A", T - max(age - shift, 0) * DAY, m), *rows[1:]])["A"]
    assert newer >= base - 1e-9 * max(base, 1)


def test_values_are_bounded_by_the_value_scale() -> None:
    rng = np.random.default_rng(0)
    rows = [
        ("A", T - float(a) * DAY, float(m))
        for a, m in zip(rng.uniform(0, 10, 500), rng.uniform(0, 1e6, 500), strict=True)
    ]
    value = _value(rows)["A"]
    assert 0 < value <= RFMParams().value_scale
