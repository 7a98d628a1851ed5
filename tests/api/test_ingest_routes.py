"""POST /v1/ingest/purchases and /v1/ingest/interactions: roles, derivation, errors."""

from __future__ import annotations

import math

from graph_engine.ingest.params import ClosenessParams, load_runs

DAY = 86_400


def test_ingest_needs_the_write_role(api) -> None:  # type: ignore[no-untyped-def]
    body = {"rows": [{"customer_id": "A", "timestamp": 0, "amount": 1}]}
    assert api.client.post("/v1/ingest/purchases", json=body).status_code == 401
    reply = api.client.post("/v1/ingest/purchases", json=body, headers=api.as_("read"))
    assert reply.status_code == 403
    assert api.store.count_customers() == 0


def test_purchases_create_customers_with_rfm_values(api) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"customer_id": "A", "timestamp": "2024-06-01T00:00:00Z", "amount": 20},
        {"customer_id": "A", "timestamp": "2024-06-20T00:00:00Z", "amount": 30},
        {"customer_id": "B", "timestamp": 1717200000, "amount": 5},
    ]
    reply = api.client.post(
        "/v1/ingest/purchases",
        json={"rows": rows, "as_of": "2024-06-30"},
        headers=api.as_("write"),
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["customers_created"] == 2 and body["used"] == 3 and body["malformed"] == 0
    a, b = api.store.get_customer("A").value, api.store.get_customer("B").value
    assert a > b > 0  # a repeat buyer who spent more, more recently
    got = api.client.get("/v1/customers/A", headers=api.as_("read"))
    assert got.status_code == 200
    assert load_runs(api.store)["purchases"]["source"] == "rows"


def test_interactions_make_mutual_and_directed_ties(api) -> None:  # type: ignore[no-untyped-def]
    t = 1_717_200_000
    rows = [
        {"source": "A", "target": "B", "timestamp": t},
        {"source": "B", "target": "A", "timestamp": t, "kind": "message"},
        {"source": "A", "target": "C", "timestamp": t, "weight": 2},
    ]
    reply = api.client.post(
        "/v1/ingest/interactions", json={"rows": rows}, headers=api.as_("write")
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["ties"] == 2 and reply.json()["customers_created"] == 3
    k = ClosenessParams().k
    ties = {(x.source, x.target): x for x in api.store.ties_of("A")}
    assert not ties["A", "B"].directed
    assert math.isclose(ties["A", "B"].closeness, 1 - math.exp(-2 * k))
    assert ties["A", "C"].directed  # the initiator A is held by C
    assert math.isclose(ties["A", "C"].closeness, 1 - math.exp(-2 * k))
    assert api.store.get_customer("C").value == 0.0
    # the score cache sees the new ties
    reply = api.client.get("/v1/customers/A", headers=api.as_("read"))
    assert reply.status_code == 200


def test_malformed_rows_reject_the_batch_or_are_skipped(api) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"source": "A", "target": "B", "timestamp": 100},
        {"source": "A", "target": "A", "timestamp": 100},
        {"source": "A", "target": "B", "timestamp": "yesterday"},
        {"source": "", "target": "B", "timestamp": 100, "kind": "telepathy"},
    ]
    reply = api.client.post(
        "/v1/ingest/interactions", json={"rows": rows}, headers=api.as_("write")
    )
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "invalid_input"
    assert [e["row"] for e in error["details"]["examples"]] == [2, 3, 4]
    assert api.store.count_customers() == 0 and api.store.count_ties() == 0
    reply = api.client.post(
        "/v1/ingest/interactions",
        json={"rows": rows, "on_error": "skip"},
        headers=api.as_("write"),
    )
    assert reply.status_code == 200
    assert reply.json()["malformed"] == 3 and reply.json()["ties"] == 1


def test_batches_above_the_limit_get_413(api) -> None:  # type: ignore[no-untyped-def]
    rows = [{"customer_id": f"c{i}", "timestamp": i, "amount": 1} for i in range(51)]
    reply = api.client.post("/v1/ingest/purchases", json={"rows": rows}, headers=api.as_("write"))
    assert reply.status_code == 413
    assert api.store.count_customers() == 0


def test_bad_as_of_is_a_clear_error(api) -> None:  # type: ignore[no-untyped-def]
    body = {"rows": [{"customer_id": "A", "timestamp": 0, "amount": 1}], "as_of": "soon"}
    reply = api.client.post("/v1/ingest/purchases", json=body, headers=api.as_("write"))
    assert reply.status_code == 422
    assert "ISO 8601" in reply.json()["error"]["message"]


def test_wrongly_typed_fields_are_refused_before_reading(api) -> None:  # type: ignore[no-untyped-def]
    """A boolean is no date and no cell (lax parsing would read false as 1970-01-01)."""
    row = {"customer_id": "A", "timestamp": 0, "amount": 1}
    for body in (
        {"rows": [row], "as_of": False},
        {"rows": [{**row, "customer_id": True}]},
        {"rows": [{**row, "amount": [1]}]},
    ):
        reply = api.client.post("/v1/ingest/purchases", json=body, headers=api.as_("write"))
        assert reply.status_code == 422, body
        assert reply.json()["error"]["code"] == "invalid_request"
    assert api.store.count_customers() == 0


def test_null_cells_name_the_rows(api) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"customer_id": "A", "timestamp": 0, "amount": 1},
        {"customer_id": None, "timestamp": None, "amount": None},
    ]
    reply = api.client.post(
        "/v1/ingest/purchases", json={"rows": rows, "as_of": 10}, headers=api.as_("write")
    )
    assert reply.status_code == 422
    assert [e["row"] for e in reply.json()["error"]["details"]["examples"]] == [2]
    reply = api.client.post(
        "/v1/ingest/interactions",
        json={"rows": [{"source": None, "target": None, "timestamp": None}]},
        headers=api.as_("write"),
    )
    assert reply.status_code == 422 and "row 1" in reply.json()["error"]["message"]
    assert api.store.count_customers() == 0


def _history_body() -> dict:  # type: ignore[type-arg]
    t = 1_717_200_000  # 2024-06-01
    return {
        "interactions": [
            {"source": "A", "target": "B", "timestamp": t},
            {"source": "B", "target": "A", "timestamp": t + DAY},
            {"source": "A", "target": "C", "timestamp": t + 12 * DAY, "kind": "message"},
        ],
        "purchases": [
            {"customer_id": "A", "timestamp": t, "amount": 20},
            {"customer_id": "B", "timestamp": t + 3 * DAY, "amount": 8},
            {"customer_id": "C", "timestamp": t + 21 * DAY, "amount": 50},
        ],
        "from": "2024-06-01",
        "to": "2024-07-01",
        "every": "10d",
        "top": 5,
    }


def test_history_route_equals_the_library_and_stores_nothing(api) -> None:  # type: ignore[no-untyped-def]
    from graph_engine.ingest.history import date_series, stickiness_history

    body = _history_body()
    reply = api.client.post("/v1/history", json=body, headers=api.as_("read"))
    assert reply.status_code == 200, reply.text
    got = reply.json()
    ref = stickiness_history(
        date_series(body["from"], body["to"], body["every"]),
        interactions=body["interactions"],
        purchases=body["purchases"],
        on_error="reject",
    )
    assert got["dates"] == ref.report()["dates"] and len(got["dates"]) == 4
    assert got["summary"] == ref.report()["summary"]
    assert got["customers_total"] == 3
    by_id = {c["id"]: c for c in got["customers"]}
    for i, cid in enumerate(ref.ids.tolist()):
        assert by_id[cid]["stickiness"] == ref.stickiness[i].tolist()
        assert by_id[cid]["trend"] == ref.trend[i]
    assert by_id["C"]["stickiness"][0] == 0.0 and by_id["C"]["stickiness"][-1] > 0
    assert sum(got["trends"].values()) == 3
    assert api.store.count_customers() == 0  # an analysis: nothing written


def test_history_route_errors(api) -> None:  # type: ignore[no-untyped-def]
    read = api.as_("read")
    body = _history_body()
    assert api.client.post("/v1/history", json=body).status_code == 401
    backwards = {**body, "from": "2024-07-01", "to": "2024-06-01"}
    r = api.client.post("/v1/history", json=backwards, headers=read)
    assert r.status_code == 422 and "must not be before" in r.json()["error"]["message"]
    for every in ("0d", "soon", -3, 0, 0.0, "nan", "inf"):
        r = api.client.post("/v1/history", json={**body, "every": every}, headers=read)
        assert r.status_code == 422, every
    many = api.client.post("/v1/history", json={**body, "every": "1h"}, headers=read)
    assert many.status_code == 422 and "at most 500" in many.json()["error"]["message"]
    bad_row = {**body, "interactions": [{"source": "A", "target": "A", "timestamp": "x"}]}
    r = api.client.post("/v1/history", json=bad_row, headers=read)
    assert r.status_code == 422
    big = {**body, "interactions": body["interactions"] * 20}  # 60 + 3 rows > max_batch 50
    r = api.client.post("/v1/history", json=big, headers=read)
    assert r.status_code == 413 and r.json()["error"]["code"] == "batch_too_large"
    r = api.client.post("/v1/history", json={**body, "surprise": 1}, headers=read)
    assert r.status_code == 422


def test_history_without_purchases_uses_the_stored_values(api) -> None:  # type: ignore[no-untyped-def]
    from graph_engine.model import Customer

    api.store.upsert_customers([Customer(id="A", value=10.0), Customer(id="B", value=4.0)])
    body = {k: v for k, v in _history_body().items() if k != "purchases"}
    reply = api.client.post("/v1/history", json=body, headers=api.as_("read"))
    assert reply.status_code == 200, reply.text
    by_id = {c["id"]: c for c in reply.json()["customers"]}
    # at the first date only A -> B has happened (one-way): A is held by B
    closeness = api.store.snapshot().settings.beta  # beta 1, kind weight 1
    first_a = by_id["A"]["stickiness"][0]
    assert first_a > 10.0 and by_id["B"]["stickiness"][0] == 4.0
    assert first_a - 10.0 <= 4.0 * closeness
    # C is not stored (value 0) and A -> C is one-way: C holds A but is held by nobody
    assert by_id["C"]["stickiness"] == [0.0] * 4
