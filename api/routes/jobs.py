"""Background jobs (read role): follow, list and cancel the analyses sent with ``background=true``.

See :mod:`api.jobs` for how jobs run. A job is visible to the key that submitted it and to admin
keys; to anyone else it does not exist (404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import JobsDep, ReadKey
from api.errors import ApiError
from api.jobs import Job, JobRunner, JobStatus, Work
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from api.responses import FastJSON
from api.security import ApiKey, Role

__all__ = ["JOB_ACCEPTED", "JobOut", "accepted", "router"]

router = APIRouter(prefix="/jobs", tags=["jobs"])


class JobError(BaseModel):
    """Why a job failed: the status and error an immediate call would have answered."""

    status: int = Field(examples=[422])
    code: str = Field(examples=["invalid_input"])
    message: str
    details: Any = None


class JobOut(BaseModel):
    """A background job; times are Unix seconds, ``done`` of ``total`` steps (e.g. seeds)."""

    id: str = Field(examples=["job_5f0c2a9b1d3e4f60"])
    kind: str = Field(examples=["what-if/seeds"])
    status: JobStatus
    done: int = Field(ge=0)
    total: int | None = None
    created: float
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = Field(
        default=None, description="The body an immediate call would have returned (succeeded)."
    )
    error: JobError | None = None


JOB_ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {
        "model": JobOut,
        "description": "Queued as a background job (with background=true); follow the "
        "Location header (GET /v1/jobs/{job_id}).",
    }
}

JobId = Annotated[str, Path(max_length=64, description="The job's id from the 202 answer.")]


def accepted(jobs: JobRunner, kind: str, key: ApiKey, work: Work) -> Response:
    """Queue ``work`` and answer 202 with the job and its Location."""
    job = jobs.submit(kind, key.key_id, work)
    return FastJSON(job.public(), status_code=202, headers={"Location": f"/v1/jobs/{job.id}"})


def _visible(jobs: JobRunner, job_id: str, key: ApiKey) -> Job:
    job = jobs.get(job_id, key.key_id, admin=key.role >= Role.admin)
    if job is None:
        raise ApiError(
            404, "unknown_job", f"unknown job {job_id!r} (finished jobs are kept for an hour)"
        )
    return job


@router.get(
    "",
    operation_id="list_jobs",
    response_model=Page[JobOut],
    summary="Your background jobs, newest first (every job for an admin key)",
)
def list_jobs(
    key: ReadKey,
    jobs: JobsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> dict[str, object]:
    position = decode_cursor(cursor, "jobs")
    visible = jobs.list(key.key_id, admin=key.role >= Role.admin)
    if position is not None:
        visible = [j for j in visible if j.seq < int(position["seq"])]
    page = visible[:limit]
    nxt = encode_cursor("jobs", seq=page[-1].seq) if len(visible) > limit else None
    return {"items": [j.public() for j in page], "next_cursor": nxt}


@router.get(
    "/{job_id}",
    operation_id="get_job",
    response_model=JobOut,
    summary="A job's status and progress, and its result once it succeeded",
)
def get_job(job_id: JobId, key: ReadKey, jobs: JobsDep) -> dict[str, object]:
    return _visible(jobs, job_id, key).public()


@router.delete(
    "/{job_id}",
    operation_id="cancel_job",
    response_model=JobOut,
    summary="Cancel a job: a queued job never runs, a running one stops at its next step",
)
def cancel_job(job_id: JobId, key: ReadKey, jobs: JobsDep) -> dict[str, object]:
    return jobs.cancel(_visible(jobs, job_id, key)).public()
