"""Ties: bulk upsert (all or nothing) and delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import LiveDep, SettingsDep, WriteKey
from api.errors import ApiError
from api.routes.customers import ExpectedRevision, check_batch
from api.schemas import DeletedOut, TiesIn, WrittenOut
from graph_engine.errors import UnknownCustomer
from graph_engine.model import TieBatch

__all__ = ["router"]

router = APIRouter(prefix="/ties", tags=["ties"])

_Id = Annotated[str, Query(min_length=1, max_length=256, examples=["c000042"])]


@router.put(
    "",
    operation_id="upsert_ties",
    response_model=WrittenOut,
    summary="Bulk upsert of ties, all or nothing",
    description="At most `GRAPH_ENGINE_MAX_BATCH` ties (default 100,000); more gets "
    "413. Both ends must be stored customers (422 `unknown_customer` naming the rows). "
    "An undirected tie is keyed by its pair, a directed one by (source, target).",
    responses={
        413: {"description": "Batch too large"},
        409: {"description": "expected_revision is not the current revision"},
    },
)
def upsert_ties(
    body: TiesIn,
    key: WriteKey,
    live: LiveDep,
    settings: SettingsDep,
    expected_revision: ExpectedRevision = None,
) -> dict[str, int]:
    check_batch(len(body.items), settings.max_batch)
    batch = TieBatch.from_records(body.items)
    try:
        _, written = live.upsert(ties=batch, expected_revision=expected_revision)
    except UnknownCustomer as exc:  # named in the body, not in the path: the body is invalid
        raise ApiError(422, exc.code, exc.message, details=exc.details) from None
    return {"written": written, "revision": live.revision}


@router.delete(
    "",
    operation_id="delete_tie",
    response_model=DeletedOut,
    summary="Delete the tie(s) between two customers",
    description="Without `directed`, deletes the undirected tie and the directed "
    "tie source -> target.",
    responses={404: {"description": "No such tie"}},
)
def delete_tie(
    source: _Id, target: _Id, key: WriteKey, live: LiveDep, directed: bool | None = None
) -> dict[str, int]:
    deleted = live.delete_tie(source, target, directed)
    return {"deleted": deleted, "revision": live.revision}
