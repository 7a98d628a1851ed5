"""Background jobs: what-if analyses sent with background=true answer 202 and end with the same
result as an immediate call; progress, cancellation, visibility, errors and retention."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from api.jobs import JobRunner, JobStatus
from graph_engine.errors import InvalidInput
from tests.api.conftest import Api


def wait_final(api: Api, location: str, role: str = "read", timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = api.client.get(location, headers=api.as_(role))
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/what-if/seeds", {"k": 3, "runs": 50, "seed": 4}),
        ("/v1/what-if/protect", {"k": 3, "threshold": 0.5}),
        ("/v1/what-if/churn", {"customers": ["c000001", "c000002"], "threshold": 0.5}),
    ],
)
def test_background_job_equals_the_immediate_answer(demo_api: Api, path: str, body: dict) -> None:
    now = demo_api.client.post(path, json=body, headers=demo_api.as_("read"))
    assert now.status_code == 200, now.text
    queued = demo_api.client.post(
        path, params={"background": "true"}, json=body, headers=demo_api.as_("read")
    )
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert job["status"] in ("queued", "running", "succeeded")
    assert job["kind"] == path.removeprefix("/v1/")
    assert queued.headers["location"] == f"/v1/jobs/{job['id']}"
    done = wait_final(demo_api, queued.headers["location"])
    assert done["status"] == "succeeded"
    assert done["result"] == now.json()
    assert done["error"] is None
    assert done["started"] >= done["created"] and done["finished"] >= done["started"]
    if path != "/v1/what-if/churn":  # CELF searches count the customers chosen
        assert done["done"] == done["total"] == body["k"]


def test_jobs_are_listed_newest_first_and_paged(demo_api: Api) -> None:
    ids = []
    for seed in range(3):
        r = demo_api.client.post(
            "/v1/what-if/seeds?background=true",
            json={"k": 1, "runs": 5, "seed": seed},
            headers=demo_api.as_("read"),
        )
        ids.append(r.json()["id"])
    first = demo_api.client.get("/v1/jobs?limit=2", headers=demo_api.as_("read")).json()
    assert [j["id"] for j in first["items"]] == ids[::-1][:2]
    rest = demo_api.client.get(
        "/v1/jobs",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=demo_api.as_("read"),
    ).json()
    assert [j["id"] for j in rest["items"]] == ids[:1]
    assert rest["next_cursor"] is None


def test_a_job_is_visible_to_its_key_and_admins_only(demo_api: Api) -> None:
    r = demo_api.client.post(
        "/v1/what-if/seeds?background=true", json={"k": 1, "runs": 5}, headers=demo_api.as_("read")
    )
    location = r.headers["location"]
    wait_final(demo_api, location)
    other = demo_api.client.get(location, headers=demo_api.as_("write"))
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "unknown_job"
    assert demo_api.client.delete(location, headers=demo_api.as_("write")).status_code == 404
    assert demo_api.client.get(location, headers=demo_api.as_("admin")).status_code == 200
    assert demo_api.client.get("/v1/jobs", headers=demo_api.as_("write")).json()["items"] == []
    assert demo_api.client.get(location).status_code == 401


def test_bad_requests_fail_before_a_job_is_queued(demo_api: Api) -> None:
    read = demo_api.as_("read")
    unknown = demo_api.client.post(
        "/v1/what-if/churn?background=true", json={"customers": ["nobody"]}, headers=read
    )
    assert unknown.status_code in (404, 422)
    assert unknown.json()["error"]["code"] == "unknown_customer"
    too_many = demo_api.client.post(
        "/v1/what-if/protect?background=true", json={"k": 301}, headers=read
    )
    assert too_many.status_code == 422
    small_pool = demo_api.client.post(
        "/v1/what-if/seeds?background=true", json={"k": 5, "candidates": 2}, headers=read
    )
    assert small_pool.status_code == 422
    bad_flag = demo_api.client.post(
        "/v1/what-if/seeds?background=maybe", json={"k": 1}, headers=read
    )
    assert bad_flag.status_code == 422
    assert demo_api.client.get("/v1/jobs", headers=read).json()["items"] == []
    assert demo_api.client.get("/v1/jobs/job_nope", headers=read).status_code == 404


def test_a_failing_job_reports_the_error_an_immediate_call_would_give(demo_api: Api) -> None:
    # hops=all diverges at beta=50 (spectral radius >= 1): only the computation finds out
    assert (
        demo_api.client.put(
            "/v1/settings", json={"beta": 50}, headers=demo_api.as_("admin")
        ).status_code
        == 200
    )
    body = {"customers": ["c000001"], "hops": "all"}
    now = demo_api.client.post("/v1/what-if/churn", json=body, headers=demo_api.as_("read"))
    assert now.status_code == 422
    r = demo_api.client.post(
        "/v1/what-if/churn?background=true", json=body, headers=demo_api.as_("read")
    )
    assert r.status_code == 202
    job = wait_final(demo_api, r.headers["location"])
    assert job["status"] == "failed"
    assert job["result"] is None
    assert job["error"] == {"status": 422, **now.json()["error"]}


# ------------------------------------------------------------------------- the runner itself
def _wait(runner: JobRunner, job_id: str) -> Any:
    deadline = time.monotonic() + 10
    while (job := runner.get(job_id, "k")) is not None and not job.final:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return job


def test_cancel_stops_a_running_job_at_its_next_step_and_a_queued_one_before_it_starts() -> None:
    runner = JobRunner()
    started, release = threading.Event(), threading.Event()
    steps: list[int] = []

    def slow(progress: Any) -> dict[str, Any]:
        for i in range(100):
            progress(i, 100)
            steps.append(i)
            started.set()
            release.wait(5)
        return {"never": True}

    try:
        running = runner.submit("slow", "k", slow)
        queued = runner.submit("slow", "k", slow)
        assert started.wait(5)
        assert runner.get(queued.id, "k").status is JobStatus.queued  # one worker: it waits
        runner.cancel(queued)
        runner.cancel(running)
        release.set()
        assert _wait(runner, running.id).status is JobStatus.cancelled
        assert _wait(runner, queued.id).status is JobStatus.cancelled
        assert running.result is None and len(steps) == 1
        assert queued.started is None
    finally:
        runner.close()


def test_errors_and_crashes_end_as_failed_jobs() -> None:
    runner = JobRunner()

    def invalid(progress: Any) -> dict[str, Any]:
        raise InvalidInput("k must be small", details={"k": 9})

    def crash(progress: Any) -> dict[str, Any]:
        raise ZeroDivisionError("boom")

    try:
        a, b = runner.submit("x", "k", invalid), runner.submit("x", "k", crash)
        assert _wait(runner, a.id).error == {
            "status": 422,
            "code": "invalid_input",
            "message": "k must be small",
            "details": {"k": 9},
        }
        failed = _wait(runner, b.id)
        assert failed.status is JobStatus.failed
        assert failed.error["status"] == 500 and "boom" not in failed.error["message"]
    finally:
        runner.close()


def test_finished_jobs_are_forgotten_past_the_limit_and_the_age() -> None:
    by_count = JobRunner(keep=3)
    by_age = JobRunner(keep_seconds=0.2)
    try:
        jobs = [by_count.submit("x", "k", lambda progress: {"i": 1}) for _ in range(5)]
        for job in jobs:
            _wait(by_count, job.id)
        by_count.submit("x", "k", lambda progress: {"i": 2})  # forgets the two oldest
        assert [by_count.get(j.id, "k") is None for j in jobs] == [True, True, False, False, False]
        old = by_age.submit("x", "k", lambda progress: {"i": 3})
        _wait(by_age, old.id)
        time.sleep(0.3)
        assert by_age.list("k") == []
    finally:
        by_count.close()
        by_age.close()


def test_closing_cancels_what_is_left() -> None:
    runner = JobRunner()
    gate = threading.Event()

    def blocked(progress: Any) -> dict[str, Any]:
        gate.wait(5)
        progress(1, 2)
        raise AssertionError("progress must raise once cancelled")

    running = runner.submit("x", "k", blocked)
    queued = runner.submit("x", "k", blocked)
    time.sleep(0.05)
    closer = threading.Thread(target=runner.close)
    closer.start()
    gate.set()
    closer.join(10)
    assert not closer.is_alive()
    assert running.status is JobStatus.cancelled
    assert queued.status is JobStatus.cancelled and queued.started is None
