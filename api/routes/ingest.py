"""Small batches of events: purchases -> own values, interactions -> ties (write role), and the
stickiness history those events describe over a series of dates (read role, stores nothing)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from api.deps import LiveDep, ReadKey, SettingsDep, SnapshotDep, StoreDep, WriteKey
from api.routes.customers import check_batch
from graph_engine.ingest.history import date_series, stickiness_history
from graph_engine.ingest.params import load_params
from graph_engine.ingest.pipeline import ingest_interactions, ingest_purchases

__all__ = ["router"]

router = APIRouter(tags=["ingest"])

# a cell is text, a number or null; the library checks its content and names the malformed rows.
# Strict: a boolean is neither an id, a time nor an amount (lax mode would read true as 1.0).
_Cell = StrictStr | StrictInt | StrictFloat | None


class PurchaseRow(BaseModel):
    """One purchase."""

    model_config = ConfigDict(extra="ignore")

    customer_id: _Cell = Field(examples=["c000042"])
    timestamp: _Cell = Field(examples=["2024-06-30T12:00:00Z"])
    amount: _Cell = Field(examples=[49.9])


class InteractionRow(BaseModel):
    """One interaction: the source initiated it (kind and weight optional)."""

    model_config = ConfigDict(extra="ignore")

    source: _Cell = Field(examples=["c000042"])
    target: _Cell = Field(examples=["c000007"])
    timestamp: _Cell = Field(examples=[1719748800])
    kind: _Cell = Field(default=None, examples=["message"])
    weight: _Cell = Field(default=None, examples=[1.0])


class _Batch(BaseModel):
    as_of: StrictStr | StrictInt | StrictFloat | None = Field(
        default=None,
        description="Only events at or before it count (ISO 8601 or Unix seconds; a bare date "
        "is the end of that day). Default: the batch's latest event.",
    )
    on_error: Literal["reject", "skip"] = Field(
        default="reject",
        description="reject: a malformed row rejects the batch (422, nothing written); "
        "skip: malformed rows are skipped and counted.",
    )


class PurchasesIn(_Batch):
    rows: list[PurchaseRow] = Field(min_length=1)


class InteractionsIn(_Batch):
    rows: list[InteractionRow] = Field(min_length=1)


class IngestOut(BaseModel):
    """What an ingest did (see ``graph_engine.ingest.pipeline.IngestResult``)."""

    kind: str
    as_of: str
    rows: int
    malformed: int
    used: int
    later: int
    customers_created: int
    customers_updated: int
    ties: int
    examples: list[dict[str, Any]]
    revision: int


_Time = StrictStr | StrictInt | StrictFloat


class HistoryIn(BaseModel):
    """Event logs and the dates to score them at."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    interactions: list[InteractionRow] = Field(min_length=1)
    purchases: list[PurchaseRow] | None = Field(
        default=None, description="Own values from purchases; without them, the stored values."
    )
    start: _Time = Field(alias="from", examples=["2024-03-01"], description="First date.")
    end: _Time = Field(alias="to", examples=["2024-12-31"], description="Last date.")
    every: _Time = Field(
        default="30d", examples=["30d"], description="Step: 30d, 2w, 12h (a bare number: days)."
    )
    threshold: float = Field(
        default=0.05, ge=0, le=1e6, description="Relative change that makes a trend."
    )
    top: int = Field(default=10, ge=0, le=10_000, description="How many share drops.")
    limit: int = Field(
        default=100, ge=0, le=10_000, description="Customers listed (by id) with their series."
    )
    on_error: Literal["reject", "skip"] = "reject"


class HistoryDate(BaseModel):
    date: str
    customers: int
    ties: int
    stickiness: float
    network_share: float


class ShareDrop(BaseModel):
    id: str
    share_first: float
    share_last: float
    share_change: float
    stickiness_first: float
    stickiness_last: float


class CustomerHistory(BaseModel):
    id: str
    trend: Literal["rising", "flat", "falling"]
    change: float
    share_change: float
    stickiness: list[float]


class HistoryOut(BaseModel):
    dates: list[str]
    summary: list[HistoryDate]
    trends: dict[str, int]
    biggest_share_drops: list[ShareDrop]
    customers: list[CustomerHistory]
    customers_total: int


def _rows(body: PurchasesIn | InteractionsIn) -> list[dict[str, Any]]:
    return [row.model_dump() for row in body.rows]


@router.post(
    "/ingest/purchases",
    operation_id="ingest_purchases",
    response_model=IngestOut,
    summary="Derive own values from a batch of purchases",
    description="Each buying customer's own value becomes its RFM score as of `as_of` over "
    "the purchases of this batch (parameters stored with the graph); new customers are "
    "created. At most `GRAPH_ENGINE_MAX_BATCH` rows; larger logs go through "
    "`graph-engine ingest purchases`.",
    responses={413: {"description": "Batch too large"}},
)
def post_purchases(
    body: PurchasesIn, key: WriteKey, live: LiveDep, settings: SettingsDep
) -> dict[str, Any]:
    check_batch(len(body.rows), settings.max_batch)
    result = ingest_purchases(live.store, _rows(body), as_of=body.as_of, on_error=body.on_error)
    live.sync()
    return {**result.as_dict(), "revision": live.store.revision()}


@router.post(
    "/ingest/interactions",
    operation_id="ingest_interactions",
    response_model=IngestOut,
    summary="Derive ties from a batch of interactions",
    description="Ties between the customers of this batch get the closeness of their "
    "interactions as of `as_of`; reciprocal interactions make mutual ties, one-way ones "
    "directed ties (the initiator is held). New customers are created with value 0. At most "
    "`GRAPH_ENGINE_MAX_BATCH` rows.",
    responses={413: {"description": "Batch too large"}},
)
def post_interactions(
    body: InteractionsIn, key: WriteKey, live: LiveDep, settings: SettingsDep
) -> dict[str, Any]:
    check_batch(len(body.rows), settings.max_batch)
    result = ingest_interactions(live.store, _rows(body), as_of=body.as_of, on_error=body.on_error)
    live.sync()
    return {**result.as_dict(), "revision": live.store.revision()}


@router.post(
    "/history",
    operation_id="post_history",
    response_model=HistoryOut,
    summary="Stickiness over a series of dates from a small batch of events (stores nothing)",
    description="Scores the graph the events describe at each date from `from` to `to`, "
    "`every` apart (at most 500 dates): per-date totals, each customer's trend "
    "(rising/flat/falling) and the customers whose network share fell the most (early churn "
    "warning). Derivation parameters, beta and kind weights are the stored ones. At most "
    "`GRAPH_ENGINE_MAX_BATCH` events in all; larger logs go through `graph-engine history`.",
    responses={413: {"description": "Batch too large"}},
)
def post_history(
    body: HistoryIn, key: ReadKey, store: StoreDep, snap: SnapshotDep, settings: SettingsDep
) -> dict[str, Any]:
    check_batch(len(body.interactions) + len(body.purchases or []), settings.max_batch)
    dates = date_series(body.start, body.end, str(body.every))  # a bare number counts days
    result = stickiness_history(
        dates,
        interactions=[row.model_dump() for row in body.interactions],
        purchases=None if body.purchases is None else [r.model_dump() for r in body.purchases],
        params=load_params(store),
        settings=snap.settings,
        values=None if body.purchases is not None else (snap.ids, snap.values),
        threshold=body.threshold,
        on_error=body.on_error,
    )
    return {
        **result.report(body.top),
        "customers": result.customers(body.limit),
        "customers_total": len(result.ids),
    }
