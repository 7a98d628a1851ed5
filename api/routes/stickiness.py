"""Stickiness of one customer (with its contributors) and the ranked list.

Both handlers are ``async``: a hops=1 lookup or a page of a sorted ranking is answered from the
score cache on the event loop (``*_nowait``), which is far cheaper than the hop to a worker
thread; anything that may wait or compute (a revision check, a write holding the cache, other
hops, a ranking to sort or patch, a segment filter) runs in a worker thread. The result is sent
as JSON directly: the cache builds exactly the documented shape, so it is not validated again.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import LiveDep, ReadKey
from api.errors import ApiError
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from api.responses import FastJSON
from api.schemas import RankedOut, StickinessOut
from graph_engine.compute.stickiness import Hops
from graph_engine.settings import MAX_WEIGHT

__all__ = ["router"]

router = APIRouter(tags=["stickiness"])

_HOPS = "^([1-9]|[1-4][0-9]|50|all)$"


class OrderBy(StrEnum):
    stickiness = "stickiness"
    own = "own"
    network = "network"
    network_share = "network_share"


class Order(StrEnum):
    desc = "desc"
    asc = "asc"


@router.get(
    "/customers/{id}/stickiness",
    operation_id="get_customer_stickiness",
    response_model=StickinessOut,
    summary="One customer's stickiness and its top contributors",
    responses={404: {"description": "Unknown customer"}},
)
async def get_customer_stickiness(
    id: Annotated[str, Path(min_length=1, max_length=256, examples=["c000042"])],
    key: ReadKey,
    live: LiveDep,
    hops: Annotated[
        str,
        Query(
            pattern=_HOPS,
            description="1 (S = a + L a), K <= 50 (sum of L^k a, k <= K) or 'all' ((I - L)^-1 a).",
        ),
    ] = "1",
    beta: Annotated[
        float | None,
        Query(gt=0, le=MAX_WEIGHT, allow_inf_nan=False, description="Override the stored beta."),
    ] = None,
    top: Annotated[int, Query(ge=0, le=1000, description="How many contributors.")] = 10,
) -> FastJSON:
    result = live.customer_nowait(id, top=top, beta=beta) if hops == "1" else None
    if result is None:
        steps: Hops = "all" if hops == "all" else int(hops)
        result = await run_in_threadpool(live.customer, id, top=top, hops=steps, beta=beta)
    return FastJSON(result)


@router.get(
    "/stickiness",
    operation_id="list_stickiness",
    response_model=Page[RankedOut],
    summary="Customers ranked by stickiness, own value, network or network share",
)
async def list_stickiness(
    key: ReadKey,
    live: LiveDep,
    order_by: OrderBy = OrderBy.stickiness,
    order: Order = Order.desc,
    segment: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=2000, description="`next_cursor` of the previous page.")
    ] = None,
) -> FastJSON:
    position = decode_cursor(cursor, "stickiness")
    after = None
    if position is not None:
        if (
            (position.get("f"), position.get("o"), position.get("s"))
            != (order_by.value, order.value, segment)
            or not isinstance(position.get("v"), int | float)
            or not isinstance(position.get("i"), str)
        ):
            raise ApiError(
                422,
                "invalid_input",
                "cursor belongs to another order_by, order or "
                "segment; start again without a cursor",
            )
        after = (float(position["v"]), position["i"])
    field, desc = order_by.value, order is Order.desc
    page = live.ranked_nowait(field, desc=desc, segment=segment, limit=limit, after=after)
    if page is None:
        page = await run_in_threadpool(
            live.ranked, field, desc=desc, segment=segment, limit=limit, after=after
        )
    items, last = page
    next_cursor = (
        None
        if last is None
        else encode_cursor(
            "stickiness", f=order_by.value, o=order.value, s=segment, v=last[0], i=last[1]
        )
    )
    return FastJSON({"items": items, "next_cursor": next_cursor})
