"""Schemathesis against the app's own OpenAPI document, in process: no 500s, responses conform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.config import ApiSettings
from api.main import create_app
from graph_engine.demo import demo_graph
from graph_engine.keys import KeyRing
from graph_engine.stores.memory import InMemoryStore

_store = InMemoryStore()
_graph = demo_graph(60, seed=2)
_store.upsert_graph(_graph.customers, _graph.ties)
_ADMIN = {"Authorization": f"Bearer {KeyRing(_store).create('admin')[0]}"}
_app = create_app(ApiSettings(db="memory://", max_batch=20), store=_store)

# revoking keys at random would revoke the fuzzer's own key; test_routes covers that route
schema = schemathesis.openapi.from_asgi("/v1/openapi.json", _app).exclude(
    path="/v1/keys/{key_id}", method="DELETE"
)

_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def _lifespan() -> Iterator[None]:
    with TestClient(_app):  # runs the lifespan: the app state exists while the module runs
        yield


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=_ADMIN, checks=_CHECKS)
