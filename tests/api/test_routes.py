"""Every route, role and error against the real app (TestClient)."""

from __future__ import annotations

import networkx as nx
import pytest

from graph_engine.compute import scores
from tests.api.conftest import Api

CUSTOMERS = [
    {"id": "A", "value": 10.0, "segment": "s1"},
    {"id": "B", "value": 4.0},
    {"id": "C", "value": 2.0, "segment": "s1"},
]
TIES = [
    {"source": "A", "target": "B", "closeness": 0.5},
    {"source": "C", "target": "A", "closeness": 1.0, "directed": True, "kind": "referral"},
]


def load(api: Api) -> None:
    w = api.as_("write")
    assert api.client.put("/v1/customers", json={"items": CUSTOMERS}, headers=w).status_code == 200
    assert api.client.put("/v1/ties", json={"items": TIES}, headers=w).status_code == 200


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    return str(body["error"]["code"])


def test_health_needs_no_key(api: Api) -> None:
    body = api.client.get("/v1/health").json()
    assert body["status"] == "ok" and body["customers"] == 0


def test_stickiness_matches_the_model(api: Api) -> None:
    load(api)
    r = api.client.get("/v1/customers/A/stickiness", headers=api.as_("read")).json()
    # A holds a mutual tie with B (lambda 0.5): S_A = 10 + 0.5 * 4; C -> A is directed (C held)
    assert r["own"] == 10.0 and r["network"] == pytest.approx(2.0)
    assert r["stickiness"] == pytest.approx(12.0)
    assert r["network_share"] == pytest.approx(2.0 / 12.0)
    assert r["contributors"] == [{"id": "B", "contribution": pytest.approx(2.0)}]
    c = api.client.get("/v1/customers/C/stickiness", headers=api.as_("read")).json()
    assert c["stickiness"] == pytest.approx(2.0 + 10.0)
    top0 = api.client.get("/v1/customers/C/stickiness?top=0", headers=api.as_("read")).json()
    assert top0["contributors"] == []


def test_beta_and_hops_overrides_match_a_reference(api: Api) -> None:
    load(api)
    read = api.as_("read")
    r = api.client.get("/v1/customers/B/stickiness?beta=0.2", headers=read).json()
    assert r["network"] == pytest.approx(0.2 * 0.5 * 10.0)
    # hops=all: (I - L)^-1 a, checked with networkx's adjacency and a dense solve
    g = nx.DiGraph()
    g.add_edge("A", "B", weight=0.5)
    g.add_edge("B", "A", weight=0.5)
    g.add_edge("C", "A", weight=1.0)
    import numpy as np

    order = ["A", "B", "C"]
    L = nx.to_numpy_array(g, nodelist=order)
    expected = np.linalg.solve(np.eye(3) - L, np.array([10.0, 4.0, 2.0]))
    for k, cid in enumerate(order):
        got = api.client.get(f"/v1/customers/{cid}/stickiness?hops=all", headers=read).json()
        assert got["stickiness"] == pytest.approx(expected[k])
    two = api.client.get("/v1/customers/A/stickiness?hops=2", headers=read).json()
    a = np.array([10.0, 4.0, 2.0])
    assert two["stickiness"] == pytest.approx((a + L @ a + L @ (L @ a))[0])


def test_divergent_series_is_422(api: Api) -> None:
    load(api)
    r = api.client.get("/v1/customers/A/stickiness?hops=all&beta=5", headers=api.as_("read"))
    assert r.status_code == 422 and error_code(r) == "divergent"


def test_ranked_route_orders_and_pages(api: Api) -> None:
    load(api)
    read = api.as_("read")
    seen, cursor = [], None
    while True:
        url = "/v1/stickiness?limit=1&order_by=own&order=asc" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = api.client.get(url, headers=read).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [i["id"] for i in seen] == ["C", "B", "A"]
    seg = api.client.get("/v1/stickiness?segment=s1", headers=read).json()
    assert [i["id"] for i in seg["items"]] == [
        "A",
        "C",
    ]  # both 12: id breaks the tie and seg["next_cursor"] is None
    wrong = api.client.get(
        f"/v1/stickiness?order_by=network&cursor={page['items'] and 'x'}", headers=read
    )
    assert wrong.status_code == 422 and error_code(wrong) == "invalid_input"


def test_customers_crud_and_list(api: Api) -> None:
    load(api)
    read, write = api.as_("read"), api.as_("write")
    assert api.client.get("/v1/customers/A", headers=read).json()["segment"] == "s1"
    r = api.client.put("/v1/customers/D", json={"value": 1.5, "name": "Dee"}, headers=write)
    assert r.status_code == 200 and r.json()["id"] == "D"
    ids, cursor = [], None
    while True:
        page = api.client.get(
            "/v1/customers?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=read
        ).json()
        ids += [c["id"] for c in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert ids == ["A", "B", "C", "D"]
    ties = api.client.get("/v1/customers/A/ties?limit=1", headers=read).json()
    assert len(ties["items"]) == 1 and ties["next_cursor"] is not None
    rest = api.client.get(f"/v1/customers/A/ties?cursor={ties['next_cursor']}", headers=read).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert api.client.delete("/v1/customers/A", headers=write).status_code == 200
    gone = api.client.get("/v1/customers/A/stickiness", headers=read)
    assert gone.status_code == 404 and error_code(gone) == "unknown_customer"
    b = api.client.get("/v1/customers/B/stickiness", headers=read).json()
    assert b["network"] == 0.0


def test_tie_delete_and_value_change_are_visible_at_once(api: Api) -> None:
    load(api)
    read, write = api.as_("read"), api.as_("write")
    api.client.put("/v1/customers/B", json={"value": 8.0}, headers=write)
    assert api.client.get("/v1/customers/A/stickiness", headers=read).json()[
        "network"
    ] == pytest.approx(4.0)
    r = api.client.delete("/v1/ties?source=B&target=A", headers=write)
    assert r.status_code == 200 and r.json()["deleted"] == 1
    assert api.client.get("/v1/customers/A/stickiness", headers=read).json()["network"] == 0.0
    again = api.client.delete("/v1/ties?source=B&target=A", headers=write)
    assert again.status_code == 404 and error_code(again) == "unknown_tie"


def test_auth_roles(api: Api) -> None:
    c = api.client
    assert c.get("/v1/customers").status_code == 401
    bad = c.get("/v1/customers", headers={"Authorization": "Bearer ge_00000000_nope"})
    assert bad.status_code == 401 and error_code(bad) == "unauthorized"
    for role in ("read", "write", "admin"):
        assert c.get("/v1/customers", headers=api.as_(role)).status_code == 200
    r = c.put("/v1/customers/X", json={"value": 1}, headers=api.as_("read"))
    assert r.status_code == 403 and error_code(r) == "forbidden"
    assert c.put("/v1/customers/X", json={"value": 1}, headers=api.as_("write")).status_code == 200
    s = c.put("/v1/settings", json={"beta": 0.5}, headers=api.as_("write"))
    assert s.status_code == 403
    assert c.get("/v1/keys", headers=api.as_("write")).status_code == 403
    assert c.get("/v1/metrics").status_code == 401


def test_settings_change_rescores(api: Api) -> None:
    load(api)
    admin = api.as_("admin")
    r = api.client.put(
        "/v1/settings", json={"beta": 0.5, "kind_weights": {"referral": 2.0}}, headers=admin
    )
    assert r.status_code == 200 and r.json()["beta"] == 0.5
    assert api.client.get("/v1/settings", headers=api.as_("read")).json()["kind_weights"] == {
        "referral": 2.0
    }
    c = api.client.get("/v1/customers/C/stickiness", headers=admin).json()
    assert c["network"] == pytest.approx(0.5 * 2.0 * 1.0 * 10.0)
    bad = api.client.put("/v1/settings", json={"beta": -1}, headers=admin)
    assert bad.status_code == 422 and "beta" in bad.json()["error"]["message"]


def test_keys_lifecycle(api: Api) -> None:
    admin = api.as_("admin")
    made = api.client.post("/v1/keys", json={"role": "read", "name": "dash"}, headers=admin)
    assert made.status_code == 201
    key = made.json()["key"]
    listed = api.client.get("/v1/keys", headers=admin).json()["items"]
    assert made.json()["key_id"] in {k["key_id"] for k in listed}
    assert all("key" not in k and "hash" not in k for k in listed)
    assert key not in (api.store.get_meta("api_keys") or "")
    h = {"Authorization": f"Bearer {key}"}
    assert api.client.get("/v1/customers", headers=h).status_code == 200
    assert api.client.delete(f"/v1/keys/{made.json()['key_id']}", headers=admin).status_code == 204
    assert api.client.get("/v1/customers", headers=h).status_code == 401
    assert api.client.delete("/v1/keys/nokey", headers=admin).status_code == 404


def test_bad_input_errors(api: Api) -> None:
    load(api)
    write, read = api.as_("write"), api.as_("read")
    big = {"items": [{"id": f"x{i}", "value": 1} for i in range(51)]}
    r = api.client.put("/v1/customers", json=big, headers=write)
    assert r.status_code == 413 and error_code(r) == "batch_too_large"
    r = api.client.put(
        "/v1/customers",
        json={"items": [{"id": "Z", "value": 1}, {"id": "Z", "value": 2}]},
        headers=write,
    )
    assert r.status_code == 422 and "repeated" in r.json()["error"]["message"]
    r = api.client.put(
        "/v1/ties",
        json={"items": [{"source": "A", "target": "B"}, {"source": "A", "target": "nobody"}]},
        headers=write,
    )
    assert r.status_code == 422 and error_code(r) == "unknown_customer"
    r = api.client.put("/v1/customers", json={"items": [{"id": "Q", "value": -1}]}, headers=write)
    assert r.status_code == 422 and "items.0.value" in r.json()["error"]["message"]
    r = api.client.put(
        "/v1/customers", content=b"{not json", headers={**write, "Content-Type": "application/json"}
    )
    assert r.status_code == 422 and error_code(r) == "invalid_request"
    assert api.client.get("/v1/customers/A/stickiness?hops=0", headers=read).status_code == 422
    assert api.client.get("/v1/stickiness?cursor=bad!", headers=read).status_code == 422
    r = api.client.put("/v1/ties?expected_revision=0", json={"items": []}, headers=write)
    assert r.status_code == 409 and error_code(r) == "conflict"
    r = api.client.patch("/v1/customers/A", headers=write)
    assert r.status_code == 405 and error_code(r) == "method_not_allowed"
    assert api.client.get("/v1/customers", headers=read).json()["items"][0]["id"] == "A"
    # nothing of the failed batches was written
    ids = [c["id"] for c in api.client.get("/v1/customers", headers=read).json()["items"]]
    assert ids == ["A", "B", "C"]


def test_metrics_count_requests_and_graph(demo_api: Api) -> None:
    read = demo_api.as_("read")
    demo_api.client.get("/v1/customers/c000001/stickiness", headers=read)
    text = demo_api.client.get("/v1/metrics", headers=read).text
    assert 'route="/v1/customers/{id}/stickiness"' in text
    assert "graph_engine_http_request_seconds_bucket" in text
    assert "graph_engine_customers 300.0" in text


def test_demo_scores_equal_full_recomputation(demo_api: Api) -> None:
    snap = demo_api.store.snapshot()
    full = scores(snap)
    read = demo_api.as_("read")
    items, cursor = [], None
    while True:
        page = demo_api.client.get(
            "/v1/stickiness?limit=97" + (f"&cursor={cursor}" if cursor else ""), headers=read
        ).json()
        items += page["items"]
        if (cursor := page["next_cursor"]) is None:
            break
    assert sorted(i["id"] for i in items) == sorted(snap.ids.tolist())
    got = {i["id"]: i["stickiness"] for i in items}
    for k, cid in enumerate(snap.ids.tolist()):
        assert got[cid] == pytest.approx(full.stickiness[k], rel=1e-12)
    values = [i["stickiness"] for i in items]
    assert values == sorted(values, reverse=True)
