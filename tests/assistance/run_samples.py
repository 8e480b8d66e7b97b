"""The route matrix's samples for the supervisor's roll and scan pages (gathered by
``route_samples``): a finished Lhasa job, and starts of a Lhasa roll and scan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from minsheng.foundation.jobs import JobRun
from tests.route_kit import INSIDE, Samples, World

COLLECTIONS: set[tuple[str, str]] = {("GET", "/assistance/runs")}
REGION_FREE: set[tuple[str, str]] = set()
MARKER = "1999-09"  # the month of a Lhasa job no one outside Lhasa may see


def populate(s: Session, w: World) -> None:
    t = dt.datetime.now(dt.UTC)
    job = JobRun(
        kind="payroll",
        region="540102",
        subject=MARKER,
        state="done",
        started_by="system:test",
        started_at=t,
        heartbeat_at=t,
        finished_at=t,
        done_steps=2,
        total_steps=2,
        stage="done",
        result='{"new_payments": 0, "new_total": 0, "already_paid": 0, "month_payments": 0, "month_total": 0, "run_id": 1}',
    )
    s.add(job)
    s.flush()
    w.ids["job"] = job.id


def samples(w: World) -> Samples:
    month = f"{dt.date.today():%Y-%m}"
    return {
        ("GET", "/assistance/runs"): {"marker": MARKER},
        ("GET", "/assistance/runs/{job_id}"): {"path": {"job_id": w.ids["job"]}},
        ("POST", "/assistance/runs/payroll"): {"data": {"month": month, "region": INSIDE}},
        ("POST", "/assistance/runs/scan"): {"data": {"region": INSIDE}},
    }
