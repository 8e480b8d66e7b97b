"""Long jobs started from a page (a month's payment roll, the early-warning scan): one record
per run, updated as the work goes, so the page that started it can follow it to its result.

- **One job, not two.** While a job runs, its ``active_key`` (kind, region and what it is for,
  e.g. ``payroll:540100:2026-11``) is set, and the column is unique: a second start of the same
  thing — a double click, two tabs, two supervisors — finds the running job and follows it
  instead of starting another (:func:`start`). The key is cleared when the job ends.
- **Progress.** The work reports each step (``done`` of ``total``, the stage it is in) through
  :func:`progress`, each in its own short transaction, so a reader sees it at once.
- **A dead job does not run forever.** While the work runs, a heartbeat touches
  ``heartbeat_at`` every :data:`HEARTBEAT` seconds. A job whose heartbeat is older than
  :data:`STALE_AFTER` (the process was killed, the machine restarted) reads as ``stale``
  (:func:`state_of`), and the next start of the same thing marks it ``failed`` and starts anew.
  Both figures are engineering bounds, not policy.

The job's work is a function of a :class:`Report` (to call with its progress); :func:`launch`
runs it in a thread of the server, after the transaction that made the job has committed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from minsheng.core import divisions
from minsheng.core.errors import MinshengError, NotFoundError
from minsheng.db import Base, unit_of_work
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal

log = logging.getLogger("minsheng.jobs")

HEARTBEAT = 10.0  # seconds between two heartbeats of a running job (engineering bound)
STALE_AFTER = dt.timedelta(seconds=120)  # no heartbeat for this long: the job died
STATES = ("running", "done", "failed")
MAX_JOBS_LISTED = 500  # a list page reads at most the newest this many (engineering bound)


class JobRun(Base):
    """One run of a long job: what, where, who started it, how far it is, how it ended."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # "payroll", "scan"
    region: Mapped[str] = mapped_column(String(6), index=True)
    subject: Mapped[str] = mapped_column(String(32), default="")  # e.g. the month "2026-11"
    # set while running, NULL once ended: the unique index lets one run of a thing at a time
    active_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="running")
    started_by: Mapped[str] = mapped_column(String(64))  # audit actor, e.g. user:3
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_steps: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str] = mapped_column(String(32), default="")
    result: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what the work answered
    error: Mapped[str | None] = mapped_column(Text)  # JSON: field, rule, zh, bo, en

    __table_args__ = (CheckConstraint("state IN ('running', 'done', 'failed')", name="state"),)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def state_of(job: JobRun, at: dt.datetime | None = None) -> str:
    """``running``, ``stale`` (running, but no heartbeat for STALE_AFTER), ``done`` or
    ``failed``."""
    if job.state == "running" and (at or now()) - _aware(job.heartbeat_at) > STALE_AFTER:
        return "stale"
    return job.state


def result_of(job: JobRun) -> dict[str, Any]:
    value = json.loads(job.result or "{}")
    return value if isinstance(value, dict) else {}


def error_of(job: JobRun) -> dict[str, str] | None:
    if not job.error:
        if state_of(job) == "stale":
            return dict(STALE_ERROR)
        return None
    value = json.loads(job.error)
    return value if isinstance(value, dict) else None


STALE_ERROR = {
    "field": "job",
    "rule": "stale",
    "zh": "任务中断（服务器停止或重启），没有完成；可以重新开始",
    "bo": "ལས་འགུལ་བར་ཆད་བྱུང་ནས་མཇུག་མ་སྒྲིལ། ཡང་བསྐྱར་འགོ་འཛུགས་ཆོག",
    "en": "the job was interrupted (the server stopped or restarted) and did not finish; "
    "it can be started again",
}


def key_of(kind: str, region: str, subject: str = "") -> str:
    return f"{kind}:{region}:{subject}"


def start(
    session: Session, by: Principal, kind: str, region: str, subject: str = "", total: int = 1
) -> tuple[JobRun, bool]:
    """The job for ``kind`` in ``region`` (for ``subject``): a new one, or the one already
    running (``(job, False)``). A stale one is marked failed first. The caller has checked
    that ``by`` may run it there; the caller's commit makes it visible, then :func:`launch`."""
    key = key_of(kind, region, subject)
    running = session.scalar(select(JobRun).where(JobRun.active_key == key))
    t = now()
    if running is not None:
        if state_of(running, t) != "stale":
            return running, False
        _end(running, "failed", error=dict(STALE_ERROR))
        session.flush()
    job = JobRun(
        kind=kind,
        region=region,
        subject=subject,
        active_key=key,
        state="running",
        started_by=by.actor,
        started_at=t,
        heartbeat_at=t,
        done_steps=0,
        total_steps=max(total, 1),
        stage="queued",
        result="{}",
    )
    try:
        with session.begin_nested():  # another start of the same thing won the race
            session.add(job)
    except IntegrityError:
        winner = session.scalar(select(JobRun).where(JobRun.active_key == key))
        if winner is None:
            raise
        return winner, False
    audit.record(session, by, "start", "job_run", job.id, region, {"kind": kind, "for": subject})
    return job, True


def _end(job: JobRun, state: str, result: dict[str, Any] | None = None, error: Any = None) -> None:
    job.state = state
    job.active_key = None
    job.finished_at = now()
    if result is not None:
        job.result = json.dumps(result, ensure_ascii=False, sort_keys=True)
    if error is not None:
        job.error = json.dumps(error, ensure_ascii=False, sort_keys=True)


def get(session: Session, job_id: int, by: Principal) -> JobRun:
    """A job ``by`` may see (outside the caller's region it answers as missing)."""
    job = session.get(JobRun, job_id)
    if job is None or not by.covers(job.region):
        raise NotFoundError("job_id", "没有这个任务", "no such job", bo="ལས་འགུལ་འདི་མི་འདུག")
    return job


def listed(session: Session, by: Principal, kinds: tuple[str, ...]) -> list[JobRun]:
    """The newest jobs of ``kinds`` in the caller's region, newest first."""
    stmt = select(JobRun).where(JobRun.kind.in_(kinds))
    scope = by.covered_codes()  # the region's own code, its prefectures' and its counties'
    if scope is not None:
        codes = set(scope) | {d for c in scope for d in divisions.ancestors(c) if by.covers(d)}
        stmt = stmt.where(JobRun.region.in_(sorted(codes)))
    rows = session.scalars(stmt.order_by(JobRun.id.desc()).limit(MAX_JOBS_LISTED)).all()
    return [j for j in rows if by.covers(j.region)]


# ----------------------------------------------------------------------------- running


@dataclass
class Report:
    """What the work calls to say how far it is (each call is its own short transaction)."""

    factory: sessionmaker[Session]
    job_id: int

    def __call__(self, done: int, stage: str, total: int | None = None) -> None:
        progress(self.factory, self.job_id, done, stage, total)


def progress(
    factory: sessionmaker[Session], job_id: int, done: int, stage: str, total: int | None = None
) -> None:
    with unit_of_work(factory) as s:
        job = s.get(JobRun, job_id)
        if job is None or job.state != "running":
            return
        if total is not None:
            job.total_steps = max(total, 1)
        job.done_steps = max(0, min(done, job.total_steps))
        job.stage = stage[:32]
        job.heartbeat_at = now()


def beat(factory: sessionmaker[Session], job_id: int) -> None:
    with unit_of_work(factory) as s:
        job = s.get(JobRun, job_id)
        if job is not None and job.state == "running":
            job.heartbeat_at = now()


def finish(factory: sessionmaker[Session], job_id: int, result: dict[str, Any]) -> None:
    with unit_of_work(factory) as s:
        job = s.get(JobRun, job_id)
        if job is not None and job.state == "running":
            job.done_steps = job.total_steps
            job.stage = "done"
            _end(job, "done", result=result)


def fail(factory: sessionmaker[Session], job_id: int, exc: BaseException) -> None:
    """End the job as failed: a refusal keeps its message (zh, bo, en); anything else says
    only that it failed (the detail goes to the log, never to the page)."""
    if isinstance(exc, MinshengError):
        error = {"field": exc.field, "rule": exc.rule, "zh": exc.zh, "bo": exc.tibetan}
        error["en"] = exc.en
    else:
        error = {
            "field": "job",
            "rule": "internal",
            "zh": "任务出错，没有完成；详情见服务器日志",
            "bo": "ལས་འགུལ་ནང་ནོར་འཁྲུལ་བྱུང་ནས་མཇུག་མ་སྒྲིལ།",
            "en": "the job failed and did not finish; the server's log has the detail",
        }
    with unit_of_work(factory) as s:
        job = s.get(JobRun, job_id)
        if job is not None and job.state == "running":
            _end(job, "failed", error=error)


Work = Callable[[Report], dict[str, Any]]


def execute(factory: sessionmaker[Session], job_id: int, work: Work) -> None:
    """Run ``work`` for the job here and now, with a heartbeat beside it; store its result, or
    its failure. Never raises."""
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT):
            try:
                beat(factory, job_id)
            except Exception:  # a missed beat is not worth killing the job for
                log.warning("job %s: heartbeat failed", job_id)

    ticker = threading.Thread(target=heartbeat, name=f"job-{job_id}-beat", daemon=True)
    ticker.start()
    try:
        result = work(Report(factory, job_id))
    except Exception as exc:
        log.warning("job %s failed: %s", job_id, type(exc).__name__, exc_info=exc)
        fail(factory, job_id, exc)
        return
    finally:
        stop.set()
    finish(factory, job_id, result)


def launch(factory: sessionmaker[Session], job_id: int, work: Work) -> threading.Thread:
    """Run the job in a thread of this process (call after the job's record is committed)."""
    thread = threading.Thread(
        target=execute, args=(factory, job_id, work), name=f"job-{job_id}", daemon=True
    )
    thread.start()
    return thread
