"""Prometheus metrics: request counts and latencies by route, and the size of the graph."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Metrics", "MetricsMiddleware"]

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "graph_engine_http_requests",
            "HTTP requests served.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "graph_engine_http_request_seconds",
            "Time from request to the end of the response (seconds).",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.customers = Gauge(
            "graph_engine_customers", "Customers in the graph served.", registry=self.registry
        )
        self.ties = Gauge("graph_engine_ties", "Ties in the graph served.", registry=self.registry)
        self.revision = Gauge(
            "graph_engine_revision", "Store revision served.", registry=self.registry
        )
        self.updates = Counter(
            "graph_engine_score_updates",
            "Score cache updates by kind.",
            ["kind"],
            registry=self.registry,
        )


def _template(scope: Scope) -> str:
    """The route template of a request (``/v1/customers/{id}``), or "unmatched"."""
    if scope.get("route") is None:
        return "unmatched"
    params: dict[str, Any] = scope.get("path_params") or {}
    by_value = {str(v): k for k, v in params.items()}
    parts = str(scope.get("path", "")).split("/")
    return "/".join(f"{{{by_value[p]}}}" if p in by_value else p for p in parts)


class MetricsMiddleware:
    """Pure ASGI middleware that counts requests and times them by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            name = _template(scope)
            method = scope.get("method", "")
            self.metrics.requests.labels(method, name, str(status[0])).inc()
            self.metrics.latency.labels(method, name).observe(time.perf_counter() - start)
