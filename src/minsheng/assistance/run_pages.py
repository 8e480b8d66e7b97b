"""The supervisor's pages for the long jobs: the month's payment roll (发放) and the early-warning
scan (动态监测预警), started from a page and followed to their result.

Both run the very functions the CLI runs (``payroll.issue`` and ``rolls.write_roll``;
``monitoring.scan``) in a job (:mod:`minsheng.foundation.jobs`): the start answers at once with a
redirect to the job's page, which shows its progress while it runs (the page asks for itself
every few seconds through a small script; without JavaScript, a reload link) and its result
when it ends. A second
start of the same roll or scan while one runs (a double click, two tabs) leads to the running
job; a job whose process died reads as interrupted, not as running forever.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from minsheng.assistance import monitoring, payroll, rolls
from minsheng.assistance.household import parse_month
from minsheng.core import divisions, money
from minsheng.core.errors import MinshengError, NotFoundError
from minsheng.db import unit_of_work
from minsheng.foundation import jobs
from minsheng.foundation.principals import Principal
from minsheng.webkit import flash
from minsheng.webkit.deps import PathId, factory, lang, uow
from minsheng.webkit.forms import FormState, form_values
from minsheng.webkit.guards import permit
from minsheng.webkit.pager import MAX_PAGE_CHARS, paginate
from minsheng.webkit.render import N_, render

router = APIRouter(include_in_schema=False)
KINDS = ("payroll", "scan")
FORMS: dict[str, tuple[str, ...]] = {"payroll": ("month", "region"), "scan": ("region",)}
REFRESH_SECONDS = 2  # how often a running job's page asks for its progress (engineering bound)

flash.register("job_started", N_("The job has started."))
flash.register("job_running", N_("This job was already running: here it is."))


def regions_for(by: Principal, code: str) -> list[tuple[str, str]]:
    """The divisions a supervisor may run a job for: their own and the ones just below it."""
    if not by.region:
        return []
    own = divisions.get(by.region)
    below = (
        divisions.prefectures()
        if own.level == "region"
        else divisions.counties(own.code)
        if own.level == "prefecture"
        else []
    )
    return [(d.code, d.name(code)) for d in (own, *below)]


def scan_parts(region: str) -> list[str]:
    """The pieces a scan of ``region`` is run in, one step each (its prefectures, its counties,
    or the county itself): the same households as one scan of the whole, with progress."""
    d = divisions.get(region)
    if d.level == "region":
        return [p.code for p in divisions.prefectures()]
    if d.level == "prefecture":
        return [c.code for c in divisions.counties(d.code)]
    return [d.code]


def _region(raw: str, by: Principal) -> str:
    code = divisions.get(raw.strip(), "region").code
    by.require_covers(code, "household")
    return code


def payroll_work(month: str, region: str, by: Principal, directory: Path) -> jobs.Work:
    def work(report: jobs.Report) -> dict[str, Any]:
        report(0, "paying", total=2)
        r = payroll.issue(report.factory, month, region, by, directory)
        report(1, "roll")
        with unit_of_work(report.factory) as s:
            roll = rolls.write_roll(s, r.month, r.region, directory)
        return {**r.summary(), "roll": roll.name}

    return work


def scan_work(region: str, by: Principal, today: dt.date | None = None) -> jobs.Work:
    def work(report: jobs.Report) -> dict[str, Any]:
        parts = scan_parts(region)
        households = known = 0
        raised: dict[str, int] = {}
        report(0, "scanning", total=len(parts))
        for i, code in enumerate(parts, start=1):
            with unit_of_work(report.factory) as s:
                r = monitoring.scan(s, by, code, today)
            households += r.households
            known += r.already_known
            for cause, n in r.raised.items():
                raised[cause] = raised.get(cause, 0) + n
            report(i, "scanning")
        return {"region": region, "households": households, "raised": raised, "known": known}

    return work


def _launch(request: Request, job_id: int, work: jobs.Work) -> None:
    """Run the job (tests may swap the launcher for one that runs it at once)."""
    launcher = getattr(request.app.state, "job_launcher", jobs.launch)
    sessions: sessionmaker[Session] = factory(request)
    launcher(sessions, job_id, work)


def _files_dir(request: Request) -> Path:
    return payroll.files_dir(Path(request.app.state.settings.data_dir))


# ----------------------------------------------------------------------------- pages


def _labels(code: str) -> dict[str, Any]:
    return {
        "region_names": {d.code: d.name(code) for d in divisions.all_divisions()},
        "fmt": money.fmt,
    }


def _list_page(
    request: Request,
    by: Principal,
    page: str,
    failed: FormState | None = None,
    status: int = 200,
) -> HTMLResponse:
    code = lang(request)
    with uow(request, immediate=False) as s:
        rows = [(j, jobs.state_of(j), jobs.result_of(j)) for j in jobs.listed(s, by, KINDS)]
    listed = paginate(rows, page, "/assistance/runs")
    forms = {k: FormState.of(k, fields=FORMS[k]) for k in KINDS}
    if failed is not None:
        forms[failed.prefix] = failed
    this_month = f"{dt.date.today():%Y-%m}"
    return render(
        request,
        "assistance/run_list.html",
        status=status,
        jobs=listed,
        forms=forms,
        failed=failed,
        regions=regions_for(by, code),
        this_month=this_month,
        **_labels(code),
    )


@router.get("/assistance/runs", response_class=HTMLResponse)
def run_list(
    request: Request,
    page: str = Query("1", max_length=MAX_PAGE_CHARS),
    by: Principal = Depends(permit("assistance:run")),
) -> HTMLResponse:
    """Start a payment roll or a scan; the jobs of the caller's region, newest first."""
    return _list_page(request, by, page)


async def _start(
    request: Request,
    by: Principal,
    kind: str,
    make: Callable[[dict[str, str], str], jobs.Work],
    subject_of: Callable[[dict[str, str]], str],
    total_of: Callable[[str], int],
) -> Response:
    form = await request.form()
    values = form_values(form, FORMS[kind])

    def begin() -> tuple[int, bool, jobs.Work]:
        region = _region(values.get("region", ""), by)
        subject = subject_of(values)
        work = make(values, region)
        with uow(request) as s:
            job, new = jobs.start(s, by, kind, region, subject, total_of(region))
            return job.id, new, work

    try:
        job_id, new, work = await run_in_threadpool(begin)
    except MinshengError as err:
        failed = FormState.of(kind, values, err, FORMS[kind])
        return _list_page(request, by, "1", failed, err.status)
    if new:
        _launch(request, job_id, work)
    return flash.redirect(
        f"/assistance/runs/{job_id}", "job_started" if new else "job_running", request
    )


@router.post("/assistance/runs/payroll", response_class=HTMLResponse)
async def start_payroll(
    request: Request, by: Principal = Depends(permit("assistance:run"))
) -> Response:
    """Pay a month in a region (the CLI's ``assistance payroll``), as a job."""
    directory = _files_dir(request)

    def month_of(values: dict[str, str]) -> str:
        return f"{parse_month(values.get('month', '').strip()):%Y-%m}"

    def make(values: dict[str, str], region: str) -> jobs.Work:
        return payroll_work(month_of(values), region, by, directory)

    return await _start(request, by, "payroll", make, month_of, lambda _: 2)


@router.post("/assistance/runs/scan", response_class=HTMLResponse)
async def start_scan(
    request: Request, by: Principal = Depends(permit("assistance:run"))
) -> Response:
    """Run the early-warning scan over a region now (the CLI's ``assistance scan``), as a job."""

    def make(values: dict[str, str], region: str) -> jobs.Work:
        return scan_work(region, by)

    def today(_: dict[str, str]) -> str:
        return f"{dt.date.today():%Y-%m-%d}"

    return await _start(request, by, "scan", make, today, lambda region: len(scan_parts(region)))


@router.get("/assistance/runs/{job_id}", response_class=HTMLResponse)
def run_job(
    job_id: PathId, request: Request, by: Principal = Depends(permit("assistance:run"))
) -> HTMLResponse:
    """One job: its progress while it runs (the page reloads itself), then its result."""
    with uow(request, immediate=False) as s:
        job = jobs.get(s, job_id, by)
        if job.kind not in KINDS:
            raise NotFoundError("job_id", "没有这个任务", "no such job", bo="ལས་འགུལ་འདི་མི་འདུག")
        state = jobs.state_of(job)
        view: dict[str, Any] = {
            "job": job,
            "state": state,
            "result": jobs.result_of(job),
            "error": jobs.error_of(job),
            "percent": round(100 * job.done_steps / max(job.total_steps, 1)),
        }
    return render(
        request,
        "assistance/run_job.html",
        poll=REFRESH_SECONDS if state == "running" else None,
        **view,
        **_labels(lang(request)),
    )
