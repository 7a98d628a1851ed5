"""Figures as plotly JSON (``{"data": [...], "layout": {...}}``), and the dashboard that shows them.

``GET /v1/figures/{name}`` builds any figure of :mod:`graph_engine.figures` from query
parameters; ``POST /v1/figures/churn`` takes the what-if body (who leaves, the cascade
threshold). Layouts are seeded, so the same request gives the same figure.

``dashboard_router`` (mounted at the root, outside ``/v1``) serves the dashboard page at ``/``
and its three static files, plotly.js included (the copy bundled in the plotly package), so
the page works with no internet. The page needs no key; its calls to ``/v1`` send the read key
the user typed, like any client.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path as FilePath
from typing import Annotated, Any

import plotly
import plotly.io as pio
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import FileResponse, Response

from api.deps import ReadKey, SnapshotDep
from api.errors import ApiError
from graph_engine.errors import UnknownCustomer
from graph_engine.figures.catalog import FIGURE_NAMES, build_figure

__all__ = ["ChurnFigureIn", "dashboard_router", "router"]

router = APIRouter(prefix="/figures", tags=["figures"])

FigureName = StrEnum("FigureName", {n.replace("-", "_"): n for n in FIGURE_NAMES})  # type: ignore[misc]
_HOPS = "^([1-9]|[1-4][0-9]|50|all)$"
_FIGURE_JSON: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A plotly figure: `data` (traces) and `layout`.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["data", "layout"],
                    "properties": {
                        "data": {"type": "array", "items": {"type": "object"}},
                        "layout": {"type": "object"},
                    },
                }
            }
        },
    },
    404: {"description": "Unknown customer"},
}


class Method(StrEnum):
    network_value = "network_value"
    degree = "degree"
    pagerank = "pagerank"
    betweenness = "betweenness"
    core = "core"


class ChurnFigureIn(BaseModel):
    """The what-if body: who leaves and the cascade rule."""

    model_config = ConfigDict(extra="forbid")

    customers: list[Annotated[str, Field(min_length=1, max_length=256)]] = Field(
        min_length=1, max_length=10_000, examples=[["c000042"]]
    )
    threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="A customer follows when its stickiness falls below this fraction of what "
        "it was; null for no cascade.",
    )
    hops: Annotated[str, Field(pattern=_HOPS)] = "1"
    max_nodes: int = Field(default=80, ge=2, le=500, description="Most customers drawn.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


def _json(fig: object) -> Response:
    return Response(pio.to_json(fig, validate=False), media_type="application/json")


@router.get(
    "/{name}",
    operation_id="get_figure",
    summary="A figure as plotly JSON",
    description="Names: ego (needs `customer`), communities, influencers, distribution, pareto, "
    "own-vs-network, churn (one leaver: `customer`; use POST for several and a cascade).",
    response_class=Response,
    responses=_FIGURE_JSON,
)
def get_figure(
    name: Annotated[FigureName, Path(description="Which figure.")],
    key: ReadKey,
    snapshot: SnapshotDep,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=256, description="Focal customer (ego).")
    ] = None,
    community: Annotated[
        int | None, Query(ge=0, description="Community id (influencers within it; map outline).")
    ] = None,
    method: Annotated[Method, Query(description="Influencer ranking.")] = Method.network_value,
    depth: Annotated[int, Query(ge=1, le=2, description="Ego network depth.")] = 1,
    hops: Annotated[str, Query(pattern=_HOPS, description="Hops of the stickiness.")] = "1",
    top: Annotated[int, Query(ge=1, le=200, description="Influencers shown.")] = 20,
    log: Annotated[bool, Query(description="Log-scale distribution.")] = False,
    segment: Annotated[str | None, Query(max_length=200)] = None,
    max_nodes: Annotated[
        int | None, Query(ge=2, le=500, description="Cap of drawn customers / communities.")
    ] = None,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1, description="Layout seed.")] = 0,
) -> Response:
    fig = build_figure(
        name.value,
        snapshot,
        customer=customer,
        community=community,
        method=method.value,
        depth=depth,
        hops=hops,
        top=top,
        log=log,
        segment=segment,
        max_nodes=max_nodes,
        seed=seed,
    )
    return _json(fig)


@router.post(
    "/churn",
    operation_id="post_churn_figure",
    summary="The what-if churn picture as plotly JSON",
    response_class=Response,
    responses={**_FIGURE_JSON, 422: {"description": "Unknown customer in the body, bad input"}},
)
def post_churn_figure(body: ChurnFigureIn, key: ReadKey, snapshot: SnapshotDep) -> Response:
    try:
        fig = build_figure(
            "churn",
            snapshot,
            customers=body.customers,
            threshold=body.threshold,
            hops=body.hops,
            max_nodes=body.max_nodes,
            seed=body.seed,
        )
    except UnknownCustomer as exc:  # named in the body, not in the path: the body is invalid
        raise ApiError(422, exc.code, exc.message, details=exc.details) from None
    return _json(fig)


# ---------------------------------------------------------------------------------- dashboard
dashboard_router = APIRouter(include_in_schema=False)

STATIC_DIR = FilePath(__file__).resolve().parent.parent / "static"
_STATIC = {
    "dashboard.js": (STATIC_DIR / "dashboard.js", "text/javascript; charset=utf-8"),
    "dashboard.css": (STATIC_DIR / "dashboard.css", "text/css; charset=utf-8"),
    "plotly.min.js": (
        FilePath(plotly.__file__).parent / "package_data" / "plotly.min.js",
        "text/javascript; charset=utf-8",
    ),
}
# only this server: scripts and styles from here (plotly sets inline styles; its WebGL traces
# compile shaders with Function), data from /v1, images inline (plotly's SVG, the download)
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dashboard_router.get("/", response_class=FileResponse)
def dashboard_page() -> FileResponse:
    """The dashboard page (no key needed; the page asks for one)."""
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={**_SECURITY_HEADERS, "Cache-Control": "no-cache"},
    )


@dashboard_router.get("/static/{name}", response_class=FileResponse)
def dashboard_file(name: str) -> FileResponse:
    """One of the dashboard's static files (a fixed list: no path is read from the request)."""
    if name not in _STATIC:
        raise ApiError(404, "not_found", f"no static file {name!r}")
    path, media_type = _STATIC[name]
    return FileResponse(
        path,
        media_type=media_type,
        headers={**_SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"},
    )
