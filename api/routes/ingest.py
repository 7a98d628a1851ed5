"""Ingest small batches of events: purchases -> own values, interactions -> ties."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from api.deps import LiveDep, SettingsDep, WriteKey
from api.routes.customers import check_batch
from graph_engine.ingest.pipeline import ingest_interactions, ingest_purchases

__all__ = ["router"]

router = APIRouter(prefix="/ingest", tags=["ingest"])

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


def _rows(body: PurchasesIn | InteractionsIn) -> list[dict[str, Any]]:
    return [row.model_dump() for row in body.rows]


@router.post(
    "/purchases",
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
    "/interactions",
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
