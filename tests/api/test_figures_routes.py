"""GET /v1/figures/{name}, POST /v1/figures/churn and the dashboard page at /."""

from __future__ import annotations

import pytest

from graph_engine.figures import FIGURE_NAMES
from graph_engine.figures.ego import ego_network
from tests.api.conftest import Api


def _ids(api: Api, n: int) -> list[str]:
    return [str(x) for x in api.store.snapshot().ids[:n]]


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_every_figure_is_plotly_json(demo_api: Api, name: str) -> None:
    cid = _ids(demo_api, 1)[0]
    r = demo_api.client.get(
        f"/v1/figures/{name}", params={"customer": cid}, headers=demo_api.as_("read")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"data", "layout"}
    assert isinstance(body["data"], list) and body["data"]
    assert body["layout"]["meta"]["figure"] == name


def test_ego_route_matches_the_builder(demo_api: Api) -> None:
    cid = _ids(demo_api, 3)[2]
    r = demo_api.client.get(
        "/v1/figures/ego", params={"customer": cid, "depth": 2}, headers=demo_api.as_("read")
    )
    nodes = r.json()["data"][-1]
    expected = ego_network(demo_api.store.snapshot(), cid, depth=2)
    assert len(nodes["x"]) == len(expected.nodes)
    assert [row[0] for row in nodes["customdata"]] == [
        str(x) for x in demo_api.store.snapshot().ids[expected.nodes]
    ]
    again = demo_api.client.get(
        "/v1/figures/ego", params={"customer": cid, "depth": 2}, headers=demo_api.as_("read")
    )
    assert again.content == r.content  # seeded: the same request, the same figure


def test_churn_post(demo_api: Api) -> None:
    ids = _ids(demo_api, 2)
    r = demo_api.client.post(
        "/v1/figures/churn", json={"customers": ids, "threshold": 0.5}, headers=demo_api.as_("read")
    )
    assert r.status_code == 200, r.text
    assert r.json()["layout"]["meta"]["figure"] == "churn"
    bad = demo_api.client.post(
        "/v1/figures/churn", json={"customers": [ids[0], "nobody"]}, headers=demo_api.as_("read")
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_customer"
    empty = demo_api.client.post(
        "/v1/figures/churn", json={"customers": []}, headers=demo_api.as_("read")
    )
    assert empty.status_code == 422


def test_figure_errors(demo_api: Api) -> None:
    read = demo_api.as_("read")
    assert demo_api.client.get("/v1/figures/pareto").status_code == 401
    r = demo_api.client.get("/v1/figures/ego", headers=read)
    assert r.status_code == 422 and "customer" in r.json()["error"]["message"]
    r = demo_api.client.get("/v1/figures/ego", params={"customer": "nobody"}, headers=read)
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_customer"
    assert demo_api.client.get("/v1/figures/heatmap", headers=read).status_code == 422
    r = demo_api.client.get("/v1/figures/ego", params={"customer": "x", "depth": 3}, headers=read)
    assert r.status_code == 422


def test_dashboard_page_and_files_need_no_key_and_no_cdn(demo_api: Api) -> None:
    page = demo_api.client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    js = demo_api.client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    for name in ("dashboard.js", "dashboard.css"):
        r = demo_api.client.get(f"/static/{name}")
        assert r.status_code == 200
        assert "https://" not in r.text
    assert demo_api.client.get("/static/index.py").status_code == 404
    assert demo_api.client.get("/static/..%2Fmain.py").status_code == 404
