"""Liveness (no key) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from api.deps import LiveDep, ReadKey, app_state
from api.responses import FastJSON
from api.schemas import HealthOut
from graph_engine import __version__

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    operation_id="get_health",
    response_model=HealthOut,
    summary="Liveness and graph size (no key needed)",
)
async def get_health(live: LiveDep) -> FastJSON:
    # answered on the event loop from memory: the benchmarks' in-run reference route
    return FastJSON(
        {
            "status": "ok",
            "version": __version__,
            "customers": live.n_customers,
            "revision": live.revision,
        }
    )


@router.get(
    "/metrics",
    operation_id="get_metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text exposition format.",
        }
    },
)
def get_metrics(request: Request, key: ReadKey) -> Response:
    state = app_state(request)
    m = state.metrics
    m.customers.set(state.live.n_customers)
    m.ties.set(state.store.count_ties())
    m.revision.set(state.live.revision)
    for kind, count in state.live.counts.items():
        counter = m.updates.labels(kind)
        counter.inc(count - counter._value.get())
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)
