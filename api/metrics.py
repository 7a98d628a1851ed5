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


class MetricsMiddleware:
    """Pure ASGI middleware that counts requests and times them by route template.

    Per request it costs two dict lookups and two metric updates: the template of each route
    (``/v1/customers/{id}/stickiness``) and the labelled children of the metrics are computed
    once and kept.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._templates: dict[int, str] = {}
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def _template(self, scope: Scope) -> str:
        """The route template of a request, or "unmatched"."""
        route = scope.get("route")
        if route is None:
            return "unmatched"
        known = self._templates.get(id(route))
        if known is not None:
            return known
        # the route knows its path below the prefix it was mounted at (/v1): keep the
        # request path's leading segments for that prefix
        fmt = str(getattr(route, "path_format", "") or getattr(route, "path", ""))
        parts = str(scope.get("path", "")).split("/")
        below = fmt.count("/")
        template = "/".join(parts[: len(parts) - below]) + fmt if fmt else "unmatched"
        self._templates[id(route)] = template
        return template

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "")
        name = self._template(scope)
        key = (method, name, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.metrics.requests.labels(method, name, str(status)),
                self.metrics.latency.labels(method, name),
            )
        children[0].inc()
        children[1].observe(seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self._observe(scope, status, time.perf_counter() - start)
