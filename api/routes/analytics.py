"""Community analytics: influencers, communities, what-if churn, protect, referral seeds, Pareto.

Handlers parse, call :mod:`graph_engine.analytics` on the current snapshot and shape the
response. Results are cached per snapshot inside the library, so paging through a ranking
computes it once per graph revision. Every list is cursor-paginated by keyset.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import JobsDep, ReadKey, SnapshotDep
from api.jobs import JobRunner, Work
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from api.routes.jobs import JOB_ACCEPTED, accepted
from api.security import ApiKey
from graph_engine.analytics import (
    community_members,
    detect_communities,
    influence_scores,
    pareto,
    protect,
    referral_seeds,
    summarize_communities,
    what_if_churn,
)
from graph_engine.analytics._celf import Progress
from graph_engine.analytics._graph import check_k_and_pool
from graph_engine.analytics.seeds import DEFAULT_RUNS
from graph_engine.compute import check_hops

__all__ = ["router"]

router = APIRouter(tags=["analytics"])

_HOPS = "^([1-9]|[1-4][0-9]|50|all)$"
Cursor = Annotated[
    str | None, Query(max_length=2000, description="`next_cursor` of the previous page.")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="Random seed (communities).")]
Background = Annotated[
    bool,
    Query(
        description="Run as a background job: answer 202 at once with the job, then follow "
        "GET /v1/jobs/{job_id} for its progress and result."
    ),
]


class Method(StrEnum):
    network_value = "network_value"
    degree = "degree"
    pagerank = "pagerank"
    betweenness = "betweenness"
    core = "core"


class InfluencerScores(BaseModel):
    network_value: float
    degree: float
    pagerank: float
    betweenness: float
    core: int


class InfluencerOut(BaseModel):
    id: str
    community: int
    scores: InfluencerScores


class CommunityOut(BaseModel):
    id: int
    size: int
    stickiness_total: float
    stickiness_mean: float
    density: float = Field(description="Share of member pairs that are tied.")
    focus: list[str] = Field(description="Most influential members by network value.")


class CommunityPage(Page[CommunityOut]):
    modularity: float


class MemberOut(BaseModel):
    id: str


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: float | None = Field(
        default=None, ge=0, le=1, description="Cascade rule: leave below this fraction of S."
    )
    hops: int | str = Field(default=1, description="1..50 or 'all'.")


class ChurnIn(_Body):
    customers: list[str] = Field(min_length=1, max_length=10_000, examples=[["c000042"]])
    limit: int = Field(default=100, ge=1, le=100_000, description="Losses listed at most.")


class LossOut(BaseModel):
    id: str
    before: float
    after: float
    loss: float


class ChurnOut(BaseModel):
    total_loss: float
    affected: int = Field(description="Customers who lost something (losses is cut at limit).")
    losses: list[LossOut]
    rounds: list[list[str]]


class ProtectIn(_Body):
    k: int = Field(default=10, ge=1, le=1000)
    candidates: int | None = Field(default=None, ge=1, le=100_000)


class ProtectOut(BaseModel):
    customers: list[str]
    gains: list[float]
    total_loss: float
    followers: list[str]
    candidates: int
    evaluations: int


class SeedsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    k: int = Field(default=10, ge=1, le=1000)
    runs: int = Field(default=DEFAULT_RUNS, ge=1, le=10_000)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    candidates: int | None = Field(default=None, ge=1, le=100_000)


class SeedsOut(BaseModel):
    seeds: list[str]
    marginal: list[float]
    expected_value: float
    standard_error: float
    expected_customers: float
    runs: int
    candidates: int
    evaluations: int


class ParetoPoint(BaseModel):
    top: float
    share: float


class ParetoOut(BaseModel):
    points: list[ParetoPoint]
    gini: float
    total: float
    n: int


@router.get(
    "/influencers",
    operation_id="list_influencers",
    response_model=Page[InfluencerOut],
    summary="Customers ranked by network value, degree, PageRank, betweenness or k-core",
)
def list_influencers(
    key: ReadKey,
    snap: SnapshotDep,
    method: Method = Method.network_value,
    community: Annotated[int | None, Query(ge=0)] = None,
    segment: Annotated[str | None, Query(max_length=200)] = None,
    top: Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="Alias of limit.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    seed: Seed = 0,
    cursor: Cursor = None,
) -> dict[str, object]:
    position = decode_cursor(cursor, f"influencers:{method.value}")
    size = top or limit
    scores = influence_scores(snap, seed=seed)
    comm = detect_communities(snap, seed=seed)
    mask = snap.segment_mask(segment)
    if community is not None:
        community_members(snap, comm, community)  # validates the id
        mask &= comm.membership == community
    value = scores.get(method.value).astype(np.float64)
    ids = snap.ids.astype(str)
    if position is not None:
        last, last_id = float(position["s"]), str(position["id"])
        mask &= (value < last) | ((value == last) & (ids > last_id))
    chosen = np.flatnonzero(mask)
    order = chosen[np.lexsort((ids[chosen], -value[chosen]))][: size + 1]
    page = order[:size]
    items = [
        {"id": str(ids[i]), "community": int(comm.membership[i]), "scores": scores.row(int(i))}
        for i in page.tolist()
    ]
    nxt = None
    if len(order) > size:
        last_i = int(page[-1])
        nxt = encode_cursor(f"influencers:{method.value}", s=float(value[last_i]), id=ids[last_i])
    return {"items": items, "next_cursor": nxt}


@router.get(
    "/communities",
    operation_id="list_communities",
    response_model=CommunityPage,
    summary="Communities (Leiden, modularity) with size, stickiness, density and focus",
)
def list_communities(
    key: ReadKey,
    snap: SnapshotDep,
    limit: Limit = DEFAULT_LIMIT,
    seed: Seed = 0,
    focus: Annotated[int, Query(ge=1, le=100)] = 3,
    cursor: Cursor = None,
) -> dict[str, object]:
    position = decode_cursor(cursor, "communities")
    start = int(position["after"]) + 1 if position is not None else 0
    comm = detect_communities(snap, seed=seed)
    summaries = summarize_communities(snap, comm, focus=focus)
    page = summaries[start : start + limit]
    nxt = None
    if start + limit < len(summaries):
        nxt = encode_cursor("communities", after=page[-1].id)
    return {
        "items": [s.__dict__ for s in page],
        "next_cursor": nxt,
        "modularity": comm.modularity,
    }


@router.get(
    "/communities/{cid}/members",
    operation_id="list_community_members",
    response_model=Page[MemberOut],
    summary="Members of one community, by id",
)
def list_community_members(
    cid: Annotated[int, Path(ge=0)],
    key: ReadKey,
    snap: SnapshotDep,
    limit: Limit = DEFAULT_LIMIT,
    seed: Seed = 0,
    cursor: Cursor = None,
) -> dict[str, object]:
    position = decode_cursor(cursor, "members")
    members = snap.ids[community_members(snap, detect_communities(snap, seed=seed), cid)]
    ids = members.astype(str)
    if position is not None:
        ids = ids[ids > str(position["id"])]
    page = ids[:limit].tolist()
    nxt = encode_cursor("members", id=page[-1]) if len(ids) > limit else None
    return {"items": [{"id": c} for c in page], "next_cursor": nxt}


def _background(
    jobs: JobRunner, kind: str, key: ApiKey, background: bool, work: Work
) -> dict[str, Any] | Response:
    """The result now, or 202 with a job that computes it (``background=true``)."""
    if background:
        return accepted(jobs, kind, key, work)
    return work(_no_progress)


def _no_progress(done: int, total: int) -> None:
    pass


@router.post(
    "/what-if/churn",
    operation_id="what_if_churn",
    response_model=ChurnOut,
    responses=JOB_ACCEPTED,
    summary="Who loses how much if these customers leave (cascade optional); stores nothing",
)
def post_what_if_churn(
    body: ChurnIn, key: ReadKey, snap: SnapshotDep, jobs: JobsDep, background: Background = False
) -> Any:
    hops = check_hops(body.hops)
    snap.indices_of(body.customers)  # unknown ids fail now, not in the job

    def work(progress: Progress) -> dict[str, Any]:
        result = what_if_churn(snap, body.customers, threshold=body.threshold, hops=hops)
        return {
            "total_loss": result.total_loss,
            "affected": result.n_affected,
            "losses": result.losses(body.limit),
            "rounds": result.rounds,
        }

    return _background(jobs, "what-if/churn", key, background, work)


@router.post(
    "/what-if/protect",
    operation_id="what_if_protect",
    response_model=ProtectOut,
    responses=JOB_ACCEPTED,
    summary="The k customers whose departure would cost the most (whom to retain first)",
)
def post_what_if_protect(
    body: ProtectIn, key: ReadKey, snap: SnapshotDep, jobs: JobsDep, background: Background = False
) -> Any:
    hops = check_hops(body.hops)
    check_k_and_pool(body.k, body.candidates, snap.n)

    def work(progress: Progress) -> dict[str, Any]:
        result = protect(
            snap,
            body.k,
            threshold=body.threshold,
            hops=hops,
            candidates=body.candidates,
            progress=progress,
        )
        return {
            "customers": result.customers,
            "gains": result.gains,
            "total_loss": result.total_loss,
            "followers": result.followers,
            "candidates": result.candidates,
            "evaluations": result.evaluations,
        }

    return _background(jobs, "what-if/protect", key, background, work)


@router.post(
    "/what-if/seeds",
    operation_id="what_if_seeds",
    response_model=SeedsOut,
    responses=JOB_ACCEPTED,
    summary="k referral seeds reaching the most customer value (independent cascade, CELF)",
)
def post_what_if_seeds(
    body: SeedsIn, key: ReadKey, snap: SnapshotDep, jobs: JobsDep, background: Background = False
) -> Any:
    check_k_and_pool(body.k, body.candidates, snap.n)

    def work(progress: Progress) -> dict[str, Any]:
        result = referral_seeds(
            snap,
            body.k,
            runs=body.runs,
            seed=body.seed,
            candidates=body.candidates,
            progress=progress,
        )
        return dict(result.__dict__)

    return _background(jobs, "what-if/seeds", key, background, work)


@router.get(
    "/pareto",
    operation_id="get_pareto",
    response_model=ParetoOut,
    summary="Share of total stickiness held by the top x of customers, and the Gini",
)
def get_pareto(
    key: ReadKey,
    snap: SnapshotDep,
    at: Annotated[list[float] | None, Query(description="Top fractions in [0, 1].")] = None,
    segment: Annotated[str | None, Query(max_length=200)] = None,
    hops: Annotated[str, Query(pattern=_HOPS)] = "1",
) -> dict[str, object]:
    parsed = check_hops(hops)
    result = (
        pareto(snap, at, hops=parsed, segment=segment)
        if at
        else pareto(snap, hops=parsed, segment=segment)
    )
    return {
        "points": [{"top": x, "share": s} for x, s in result.points],
        "gini": result.gini,
        "total": result.total,
        "n": result.n,
    }
