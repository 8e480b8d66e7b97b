"""The supervisor's roll and scan pages over HTTP: a start runs the CLI's functions as a job
and the job's page shows how it ended; a double start makes one job; a dead job is not shown
running; another region's supervisor and a caseworker are refused."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from minsheng.assistance.models import PayrollRun, Warning
from minsheng.db import make_sessionmaker
from minsheng.foundation import jobs
from minsheng.foundation.jobs import JobRun
from tests.conftest import staff_client

MONTH = f"{dt.date.today():%Y-%m}"


def supervisor(app: Any, engine: Engine, region: str = "540000", name: str = "") -> TestClient:
    c = staff_client(app, engine, "supervisor", region, name or f"sup.{region}")
    assert isinstance(c, TestClient)
    return c


def count(engine: Engine, model: Any) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def at_once(app: Any) -> None:
    """Run each job inside the request that starts it (the server runs it in a thread)."""
    app.state.job_launcher = lambda factory, job_id, work: jobs.execute(factory, job_id, work)


def test_a_roll_started_from_the_page_runs_and_shows_its_result(app: Any, engine: Engine) -> None:
    at_once(app)
    c = supervisor(app, engine)
    r = c.post(
        "/assistance/runs/payroll",
        data={"month": MONTH, "region": "540100"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/assistance/runs/")
    page = c.get(r.headers["location"])
    assert 'data-state="done"' in page.text and 'id="job-result"' in page.text
    assert 'value="2"' in page.text  # both steps: the payments, then the roll
    assert count(engine, PayrollRun) == 1  # the CLI's use case ran (payroll.issue)
    assert "/api/assistance/payroll/" in page.text  # the roll to download
    listing = c.get("/assistance/runs").text
    assert MONTH in listing and "拉萨市" in listing


def test_a_scan_reports_each_prefecture(app: Any, engine: Engine) -> None:
    at_once(app)
    c = supervisor(app, engine)
    r = c.post("/assistance/runs/scan", data={"region": "540000"}, follow_redirects=False)
    with make_sessionmaker(engine)() as s:
        job = s.scalars(select(JobRun)).one()
        assert (job.state, job.done_steps, job.total_steps) == ("done", 7, 7)
    assert 'data-state="done"' in c.get(r.headers["location"]).text


def test_a_double_start_makes_one_job(app: Any, engine: Engine) -> None:
    started: list[int] = []
    app.state.job_launcher = lambda factory, job_id, work: started.append(job_id)  # stays running
    c = supervisor(app, engine)
    data = {"month": MONTH, "region": "540100"}
    answers: list[str] = []

    def click() -> None:
        answers.append(
            c.post("/assistance/runs/payroll", data=data, follow_redirects=False).headers[
                "location"
            ]
        )

    clicks = [threading.Thread(target=click) for _ in range(3)]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    assert count(engine, JobRun) == 1 and len(started) == 1  # one job, launched once
    assert len(set(answers)) == 1  # every click leads to it
    page = c.get(answers[0]).text
    assert 'data-state="running"' in page and 'id="job-reload"' in page  # reload without JS
    assert "admin-jobs.js" in page and 'data-poll="2"' in page  # and the script that polls
    # another month is another job
    c.post("/assistance/runs/payroll", data={"month": "2026-01", "region": "540100"})
    assert count(engine, JobRun) == 2


def test_a_job_that_died_reads_as_interrupted_and_can_start_again(app: Any, engine: Engine) -> None:
    app.state.job_launcher = lambda factory, job_id, work: None  # the process "dies" at once
    c = supervisor(app, engine)
    first = c.post("/assistance/runs/scan", data={"region": "540100"}, follow_redirects=False)
    old = dt.datetime.now(dt.UTC) - jobs.STALE_AFTER - dt.timedelta(seconds=1)
    with make_sessionmaker(engine)() as s:
        s.execute(update(JobRun).values(heartbeat_at=old))
        s.commit()
    page = c.get(first.headers["location"]).text
    assert 'data-state="stale"' in page and "任务中断" in page and 'role="alert"' in page
    assert "data-poll" not in page  # nothing to wait for
    at_once(app)
    again = c.post("/assistance/runs/scan", data={"region": "540100"}, follow_redirects=False)
    assert again.headers["location"] != first.headers["location"]
    with make_sessionmaker(engine)() as s:
        states = [j.state for j in s.scalars(select(JobRun).order_by(JobRun.id))]
    assert states == ["failed", "done"]


def test_a_refused_roll_fails_with_its_reason(app: Any, engine: Engine) -> None:
    at_once(app)
    c = supervisor(app, engine)
    future = f"{dt.date.today().year + 1}-01"
    r = c.post("/assistance/runs/payroll", data={"month": future, "region": "540100"})
    assert 'data-state="failed"' in r.text and "不能发放未来月份" in r.text
    assert "ཟླ་བ་མ་འོངས་པའི་འགྲེམ་སྤྲོད་བྱེད་མི་ཆོག" in r.text  # in Tibetan too
    assert count(engine, PayrollRun) == 0
    # a malformed month is refused on the form, next to the field, before any job
    bad = c.post("/assistance/runs/payroll", data={"month": "2026-13", "region": "540100"})
    assert bad.status_code == 422 and 'id="payroll-month-error"' in bad.text
    assert 'value="2026-13"' in bad.text and count(engine, JobRun) == 1


def test_another_regions_supervisor_cannot_run_or_read_this_regions_jobs(
    app: Any, engine: Engine
) -> None:
    at_once(app)
    lhasa = supervisor(app, engine, "540100")
    r = lhasa.post(
        "/assistance/runs/payroll",
        data={"month": MONTH, "region": "540100"},
        follow_redirects=False,
    )
    job_path = r.headers["location"]
    shigatse = supervisor(app, engine, "540200")
    for path in ("/assistance/runs/payroll", "/assistance/runs/scan"):
        refused = shigatse.post(path, data={"month": MONTH, "region": "540100"})
        assert refused.status_code == 403 and "不在您的管辖区域内" in refused.text
    assert count(engine, JobRun) == 1 and count(engine, Warning) == 0
    assert shigatse.get(job_path).status_code == 404
    assert f'href="{job_path}"' not in shigatse.get("/assistance/runs").text
    assert f'href="{job_path}"' in lhasa.get("/assistance/runs").text
    cw = staff_client(app, engine, "caseworker", "540100")
    assert cw.get("/assistance/runs").status_code == 403  # type: ignore[attr-defined]
    assert cw.post("/assistance/runs/scan", data={"region": "540100"}).status_code == 403  # type: ignore[attr-defined]
