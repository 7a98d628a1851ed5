"""Background jobs: long analyses answered with 202 and followed at ``GET /v1/jobs/{id}``.

A what-if search on a large graph (referral seeds, whom to protect, a cascade) can take longer
than a client should hold a request open. Sent with ``background=true``, it becomes a job: the
route answers ``202 Accepted`` at once with the job and a ``Location`` header, the work runs in
one worker thread (jobs queue behind each other so that two cores keep serving reads), and the
job reports its status, its progress (``done`` of ``total`` steps, e.g. seeds chosen of k) and,
once finished, its result or its error (the same body an immediate call would have returned).

A job runs on the snapshot of the graph taken when it was submitted, so later writes do not
change its answer. A job is visible to the key that submitted it and to admin keys. Finished
jobs are kept for ``keep_seconds`` (default one hour), at most ``keep`` of them; a cancelled
job stops at its next progress step.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from api.errors import error_detail, status_of
from graph_engine.errors import GraphEngineError

__all__ = ["Job", "JobCancelled", "JobRunner", "JobStatus", "Work"]

_log = logging.getLogger("uvicorn.error")

Work = Callable[[Callable[[int, int], None]], dict[str, Any]]
"""A job's work: called with a progress callback ``(done, total)``, returns the result body."""


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


_FINAL = {JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled}


class JobCancelled(Exception):
    """Raised inside a job's progress callback once the job was cancelled."""


@dataclass
class Job:
    """One background job; times are Unix seconds."""

    id: str
    kind: str
    owner: str
    created: float
    seq: int
    status: JobStatus = JobStatus.queued
    started: float | None = None
    finished: float | None = None
    done: int = 0
    total: int | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    cancel_requested: bool = field(default=False, repr=False)

    @property
    def final(self) -> bool:
        return self.status in _FINAL

    def public(self) -> dict[str, Any]:
        """The job as the API shows it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status.value,
            "done": self.done,
            "total": self.total,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "result": self.result,
            "error": self.error,
        }


class JobRunner:
    """Runs jobs one at a time in a worker thread and remembers them for a while."""

    def __init__(self, *, keep: int = 200, keep_seconds: float = 3600.0) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-engine-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._keep, self._keep_seconds = keep, keep_seconds
        self._closed = False

    def submit(self, kind: str, owner: str, work: Work) -> Job:
        """Queue ``work`` as a job of ``kind`` owned by the key ``owner``."""
        job = Job(
            id="job_" + secrets.token_hex(8),
            kind=kind,
            owner=owner,
            created=time.time(),
            seq=next(self._seq),
        )
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str, owner: str, admin: bool = False) -> Job | None:
        """The job, when it exists and the caller may see it (its owner, or an admin)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not (admin or job.owner == owner):
            return None
        return job

    def list(self, owner: str, admin: bool = False) -> list[Job]:
        """Jobs the caller may see, newest first."""
        with self._lock:
            self._forget_old()
            jobs = [j for j in self._jobs.values() if admin or j.owner == owner]
        return sorted(jobs, key=lambda j: -j.seq)

    def cancel(self, job: Job) -> Job:
        """Ask a job to stop: a queued job never starts, a running one stops at its next step."""
        with self._lock:
            if not job.final:
                job.cancel_requested = True
                if job.status is JobStatus.queued:
                    job.status, job.finished = JobStatus.cancelled, time.time()
        return job

    def close(self) -> None:
        """Cancel every unfinished job and wait for the worker to stop."""
        with self._lock:
            self._closed = True
            pending = [j for j in self._jobs.values() if not j.final]
        for job in pending:
            self.cancel(job)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: Job, work: Work) -> None:
        with self._lock:
            if job.cancel_requested or self._closed:
                job.status, job.finished = JobStatus.cancelled, job.finished or time.time()
                return
            job.status, job.started = JobStatus.running, time.time()

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            if job.cancel_requested:
                raise JobCancelled

        try:
            result = work(progress)
        except JobCancelled:
            status, result, error = JobStatus.cancelled, None, None
        except GraphEngineError as exc:
            status, result = JobStatus.failed, None
            error = {"status": status_of(exc), **error_detail(exc)}
        except Exception:  # a job must end with a status, never vanish
            _log.exception("job %s (%s) failed", job.id, job.kind)
            status, result = JobStatus.failed, None
            error = {
                "status": 500,
                "code": "internal_error",
                "message": "the job failed unexpectedly; the server log has the cause",
                "details": None,
            }
        else:
            status, error = JobStatus.succeeded, None
        with self._lock:
            job.status, job.result, job.error, job.finished = status, result, error, time.time()

    def _forget_old(self) -> None:
        """Drop finished jobs past their time or beyond ``keep`` (called under the lock)."""
        now = time.time()
        finished = sorted((j for j in self._jobs.values() if j.final), key=lambda j: j.seq)
        extra = len(self._jobs) - self._keep
        for job in finished:
            expired = job.finished is not None and now - job.finished > self._keep_seconds
            if expired or extra > 0:
                del self._jobs[job.id]
                extra -= 1
