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
