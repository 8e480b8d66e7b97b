"""The job machinery under the run pages (foundation/jobs.py): a failure is stored without its
internal detail, the heartbeat moves while the work runs, and progress stays within bounds."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import Engine

from minsheng.core.errors import invalid
from minsheng.db import make_sessionmaker
from minsheng.foundation import jobs
from minsheng.foundation.principals import system


def new_job(engine: Engine, subject: str = "") -> int:
    with make_sessionmaker(engine)() as s:
        job, created = jobs.start(s, system("test"), "scan", "540100", subject, total=3)
        s.commit()
        assert created
        return job.id


def stored(engine: Engine, job_id: int) -> jobs.JobRun:
    with make_sessionmaker(engine)() as s:
        job = s.get(jobs.JobRun, job_id)
        assert job is not None
        s.expunge(job)
        return job


def test_an_unexpected_failure_is_stored_without_its_detail(engine: Engine) -> None:
    job_id = new_job(engine)

    def work(report: jobs.Report) -> dict[str, Any]:
        raise RuntimeError("connection string postgresql://secret@db")

    jobs.execute(make_sessionmaker(engine), job_id, work)
    job = stored(engine, job_id)
    error = jobs.error_of(job)
    assert job.state == "failed" and job.active_key is None and error is not None
    assert error["rule"] == "internal" and "secret" not in (job.error or "")


def test_a_refusal_keeps_its_three_languages(engine: Engine) -> None:
    job_id = new_job(engine)

    def work(report: jobs.Report) -> dict[str, Any]:
        raise invalid("month", "future", "不能发放未来月份", "a month in the future", bo="མ་འོངས།")

    jobs.execute(make_sessionmaker(engine), job_id, work)
    assert jobs.error_of(stored(engine, job_id)) == {
        "field": "month",
        "rule": "future",
        "zh": "不能发放未来月份",
        "bo": "མ་འོངས།",
        "en": "a month in the future",
    }


def test_the_heartbeat_moves_while_the_work_runs(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "HEARTBEAT", 0.05)
    job_id = new_job(engine)
    seen: list[Any] = []

    def work(report: jobs.Report) -> dict[str, Any]:
        first = stored(engine, job_id).heartbeat_at
        time.sleep(0.4)  # no progress reported: only the heartbeat touches the job
        seen.extend([first, stored(engine, job_id).heartbeat_at])
        report(99, "scanning")  # past the end: clamped to the total
        assert stored(engine, job_id).done_steps == 3
        return {"households": 0}

    jobs.execute(make_sessionmaker(engine), job_id, work)
    assert seen[1] > seen[0]
    job = stored(engine, job_id)
    assert (job.state, job.done_steps, jobs.result_of(job)) == ("done", 3, {"households": 0})
    # once ended, the same thing may start again: a new job
    again = new_job(engine)
    assert again != job_id
