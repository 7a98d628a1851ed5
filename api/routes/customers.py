"""Customers: read, write one, bulk upsert (all or nothing), delete, list, and their ties."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import LiveDep, ReadKey, SettingsDep, StoreDep, WriteKey
from api.errors import ApiError
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from api.schemas import CustomerIn, CustomerOut, CustomersIn, DeletedOut, TieOut, WrittenOut
from graph_engine.errors import BatchTooLarge
from graph_engine.model import Customer, CustomerBatch

__all__ = ["check_batch", "router"]

router = APIRouter(prefix="/customers", tags=["customers"])

CustomerId = Annotated[str, Path(min_length=1, max_length=256, examples=["c000042"])]
ExpectedRevision = Annotated[
    int | None,
    Query(ge=0, le=2**62, description="Only write if the store is at this revision (else 409)."),
]


def check_batch(size: int, limit: int) -> None:
    """Refuse a bulk write above the documented size (413)."""
    if size > limit:
        raise BatchTooLarge(
            f"a bulk write takes at most {limit} rows, got {size}; split it",
            details={"rows": size, "max_batch": limit},
        )


@router.get(
    "",
    operation_id="list_customers",
    response_model=Page[CustomerOut],
    summary="Customers in id order (optionally of one segment)",
)
def list_customers(
    key: ReadKey,
    store: StoreDep,
    segment: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> dict[str, object]:
    position = decode_cursor(cursor, "customers")
    after = position.get("i") if position else None
    if position is not None and (not isinstance(after, str) or position.get("s") != segment):
        raise ApiError(
            422, "invalid_input", "cursor belongs to another segment; start again without a cursor"
        )
    rows = store.list_customers(segment=segment, limit=limit + 1, after=after)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [c.model_dump() for c in rows],
        "next_cursor": encode_cursor("customers", s=segment, i=rows[-1].id) if more else None,
    }


@router.put(
    "",
    operation_id="upsert_customers",
    response_model=WrittenOut,
    summary="Bulk upsert of customers, all or nothing",
    description="At most `GRAPH_ENGINE_MAX_BATCH` customers (default 100,000); more "
    "gets 413. One bad row fails the whole batch (422 naming the rows).",
    responses={
        413: {"description": "Batch too large"},
        409: {"description": "expected_revision is not the current revision"},
    },
)
def upsert_customers(
    body: CustomersIn,
    key: WriteKey,
    live: LiveDep,
    settings: SettingsDep,
    expected_revision: ExpectedRevision = None,
) -> dict[str, int]:
    check_batch(len(body.items), settings.max_batch)
    batch = CustomerBatch.from_records(body.items)
    written, _ = live.upsert(customers=batch, expected_revision=expected_revision)
    return {"written": written, "revision": live.revision}


@router.get(
    "/{id}",
    operation_id="get_customer",
    response_model=CustomerOut,
    summary="One customer",
    responses={404: {"description": "Unknown customer"}},
)
def get_customer(id: CustomerId, key: ReadKey, store: StoreDep) -> dict[str, object]:
    return store.get_customer(id).model_dump()


@router.put(
    "/{id}",
    operation_id="put_customer",
    response_model=CustomerOut,
    summary="Create or replace one customer",
)
def put_customer(
    id: CustomerId, body: CustomerIn, key: WriteKey, live: LiveDep
) -> dict[str, object]:
    customer = Customer(id=id, **body.model_dump())
    live.upsert(customers=CustomerBatch.from_records([customer]))
    return customer.model_dump()


@router.delete(
    "/{id}",
    operation_id="delete_customer",
    response_model=DeletedOut,
    summary="Delete a customer and its ties",
    responses={404: {"description": "Unknown customer"}},
)
def delete_customer(id: CustomerId, key: WriteKey, live: LiveDep) -> dict[str, int]:
    live.delete_customer(id)
    return {"deleted": 1, "revision": live.revision}


@router.get(
    "/{id}/ties",
    operation_id="list_customer_ties",
    response_model=Page[TieOut],
    summary="Every tie that touches a customer",
    responses={404: {"description": "Unknown customer"}},
)
def list_customer_ties(
    id: CustomerId,
    key: ReadKey,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> dict[str, object]:
    position = decode_cursor(cursor, "ties")
    ties = store.ties_of(id)
    if position is not None:
        mark = position.get("t")
        if not (isinstance(mark, list) and len(mark) == 3):
            raise ApiError(422, "invalid_input", "cursor is not one this route gave out")
        after = (str(mark[0]), str(mark[1]), bool(mark[2]))
        ties = [t for t in ties if (t.source, t.target, t.directed) > after]
    page = ties[:limit]
    more = len(ties) > limit
    last = page[-1] if page else None
    return {
        "items": [t.model_dump() for t in page],
        "next_cursor": encode_cursor("ties", t=[last.source, last.target, last.directed])
        if more and last
        else None,
    }
