"""Analytics routes: shapes, pagination, roles, errors; values equal the library's."""

from __future__ import annotations

import pytest

from graph_engine.analytics import (
    detect_communities,
    influencers,
    pareto,
    what_if_churn,
)
from tests.api.conftest import Api


def pages(api: Api, url: str, **params: object) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = api.client.get(url, params=query, headers=api.as_("read")).json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_influencers_paged_equal_the_library(demo_api: Api) -> None:
    snap = demo_api.store.snapshot()
    ref = influencers(snap, "pagerank", top=60)
    got = pages(demo_api, "/v1/influencers", method="pagerank", limit=7)
    assert [r["id"] for r in got[:60]] == [r.id for r in ref]
    assert len(got) == snap.n and len({r["id"] for r in got}) == snap.n
    first = got[0]
    assert set(first["scores"]) == {"network_value", "degree", "pagerank", "betweenness", "core"}
    assert first["community"] == ref[0].community


def test_communities_and_members(demo_api: Api) -> None:
    snap = demo_api.store.snapshot()
    comm = detect_communities(snap)
    body = demo_api.client.get("/v1/communities", headers=demo_api.as_("read")).json()
    assert body["modularity"] == pytest.approx(comm.modularity)
    listed = pages(demo_api, "/v1/communities", limit=3)
    assert [c["id"] for c in listed] == list(range(comm.count))
    assert sum(c["size"] for c in listed) == snap.n
    members = pages(demo_api, "/v1/communities/0/members", limit=5)
    assert len(members) == listed[0]["size"]
    ids = [m["id"] for m in members]
    assert ids == sorted(ids)
    r = demo_api.client.get("/v1/communities/9999/members", headers=demo_api.as_("read"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"


def test_what_if_routes(demo_api: Api) -> None:
    snap = demo_api.store.snapshot()
    rev = demo_api.store.revision()
    who = [str(snap.ids[0]), str(snap.ids[1])]
    h = demo_api.as_("read")
    r = demo_api.client.post(
        "/v1/what-if/churn", json={"customers": who, "threshold": 0.7}, headers=h
    )
    assert r.status_code == 200, r.text
    ref = what_if_churn(snap, who, threshold=0.7)
    body = r.json()
    assert body["total_loss"] == pytest.approx(ref.total_loss)
    assert body["rounds"] == ref.rounds
    assert [x["loss"] for x in body["losses"]] == sorted(
        (x["loss"] for x in body["losses"]), reverse=True
    )
    assert demo_api.store.revision() == rev  # nothing stored changes
    r = demo_api.client.post("/v1/what-if/protect", json={"k": 3, "threshold": 0.5}, headers=h)
    assert r.status_code == 200 and len(r.json()["customers"]) == 3
    r = demo_api.client.post("/v1/what-if/seeds", json={"k": 2, "runs": 20, "seed": 1}, headers=h)
    assert r.status_code == 200 and len(r.json()["seeds"]) == 2
    assert r.json()["standard_error"] >= 0


def test_pareto_route(demo_api: Api) -> None:
    snap = demo_api.store.snapshot()
    r = demo_api.client.get("/v1/pareto", params={"at": [0.2, 0.5]}, headers=demo_api.as_("read"))
    ref = pareto(snap, [0.2, 0.5])
    assert r.json()["gini"] == pytest.approx(ref.gini)
    assert [p["share"] for p in r.json()["points"]] == pytest.approx([s for _, s in ref.points])


def test_errors_and_roles(demo_api: Api) -> None:
    c, h = demo_api.client, demo_api.as_("read")
    assert c.get("/v1/influencers").status_code == 401
    r = c.post("/v1/what-if/churn", json={"customers": ["nobody"]}, headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_customer"
    r = c.post("/v1/what-if/churn", json={"customers": ["x"], "threshold": 2}, headers=h)
    assert r.status_code == 422 and "error" in r.json()
    r = c.get("/v1/influencers", params={"method": "eigen"}, headers=h)
    assert r.status_code == 422
    r = c.get("/v1/influencers", params={"cursor": "bogus"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
