"""Monitoring and early warning of wage arrears (农民工工资支付监控预警): :func:`scan` reads the
figures of every project of a region in a handful of grouped queries
(:mod:`minsheng.wages.monitoring_figures`), runs each cause's pure rule
(:mod:`minsheng.wages.warning_rules`) over them, and reconciles the result with the open
warnings in one pass:

- a cause found with no open warning for its project → a new warning (level, reasons, the
  inspector's deadline by level) — unless the last one for it was confirmed unfounded on the
  same figures;
- a cause found again at a higher level → escalated (the level, the day, the earlier of the
  old deadline and the new level's);
- the same level with other figures → its reasons updated;
- an open warning whose cause is no longer found → resolved (closed, with the reason).

Writes are set-based (one insert of new warnings, one update per kind, one insert of events)
and the run leaves one audit entry with its counts. A rerun on the same day finds the same
figures and changes nothing. On PostgreSQL two scans at once are serialised by an advisory
lock; on SQLite the unit of work already holds the write lock.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from minsheng.core import divisions
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.policy import load
from minsheng.wages import warning_rules as wr
from minsheng.wages.monitoring_figures import ProjectFigures, gather
from minsheng.wages.warning_models import WgWarning, WgWarningEvent
from minsheng.wages.warning_workflow import OPEN_STATES

LOCK_KEY = 0x4D53_5753  # pg_advisory_xact_lock key of the warning scan ("MSWS")
SCAN_ACTOR = "system:scan"
RESOLVED_NOTE = "扫描：预警原因已消除 / scan: the cause is no longer found"
ARREARS_CAUSES = ("no_pay_sheet", "attendance_unpaid", "pay_below")


@dataclass(frozen=True)
class ScanResult:
    projects: int
    raised: dict[str, int]
    escalated: dict[str, int]
    updated: int
    resolved: int
    unchanged: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "projects": self.projects,
            "raised": self.raised,
            "escalated": self.escalated,
            "updated": self.updated,
            "resolved": self.resolved,
            "unchanged": self.unchanged,
            "seconds": round(self.seconds, 3),
        }


def open_key(project_id: int, cause: str) -> str:
    return f"p{project_id}:{cause}"


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def findings(
    f: ProjectFigures, today: dt.date, p: wr.WarningParams
) -> list[tuple[wr.Finding, dict[str, Any]]]:
    """Each cause found on one project, with the figures that raised it (``reasons``). The
    reasons hold dates and amounts, not the day count, so they change only with the facts."""
    out: list[tuple[wr.Finding, dict[str, Any]]] = []

    def add(found: wr.Finding | None, reasons: dict[str, Any]) -> None:
        if found is not None:
            out.append((found, {"due_on": _iso(found.due), **reasons}))

    active = f.state == "active" and f.start_date <= today
    if active:
        add(
            wr.transfer_late(f.last_transfer, f.start_date, today, p),
            {"last_transfer": _iso(f.last_transfer)},
        )
        opened, filed = (f.account[0], f.account[1]) if f.account else (None, None)
        add(
            wr.account_missing(f.contract_signed_on, opened, filed, today, p),
            {"step": "open" if opened is None else "file", "opened_on": _iso(opened)},
        )
        lodged = f.deposit is not None and (f.deposit[0] or f.deposit[1] is not None)
        due = f.deposit[2] if f.deposit is not None else None
        add(
            wr.deposit_missing(f.contract_signed_on, lodged, today, p, lodge_by=due),
            {"recorded": f.deposit is not None},
        )
    due_months = set(wr.due_months(today, p))
    months = sorted(m for m in f.attendance if m in due_months)
    no_sheet = [m for m in months if m not in f.sheets]
    if no_sheet:
        add(
            wr.no_pay_sheet(no_sheet[0], today, p),
            {"months": no_sheet, "workers": max(f.attendance[m][0] for m in no_sheet)},
        )
    unpaid = [m for m in months if f.attendance[m][1] > 0]
    if unpaid:
        add(
            wr.attendance_unpaid(unpaid[0], today, p),
            {
                "months": unpaid,
                "workers": max(f.attendance[m][1] for m in unpaid),
                "amount": sum(f.attendance[m][2] for m in unpaid),
            },
        )
    short = [m for m in months if f.attendance[m][4] > 0]
    if short:
        add(
            wr.pay_below(short[0], sum(f.attendance[m][4] for m in short), today, p),
            {
                "months": short,
                "workers": max(f.attendance[m][3] for m in short),
                "amount": sum(f.attendance[m][4] for m in short),
            },
        )
    if f.state == "active" and f.no_contract is not None:
        workers, first = f.no_contract
        add(wr.no_contract(first, today, p), {"workers": workers, "first_day": _iso(first)})
    if active and f.account is not None and f.sheets:
        unpaid_total = sum(s[1] for s in f.sheets.values())
        latest = f.sheets[max(f.sheets)][2]
        needed = unpaid_total or latest
        _month, payday = wr.next_pay_day(today, p)
        add(
            wr.balance_low(f.account[2], needed, payday, today, p),
            {"balance": f.account[2], "next_sheet": needed, "pay_day": _iso(payday)},
        )
    found = wr.complaint_cluster(f.complaints, p)
    if found is not None:
        out.append((found, {"complaints": f.complaints, "window_days": p.complaint_window_days}))
    return out


def _params(today: dt.date) -> Any:
    tree = load()
    cache: dict[str, wr.WarningParams] = {}

    def of(division: str) -> wr.WarningParams:
        if division not in cache:
            cache[division] = wr.WarningParams.from_snapshot(tree.at(today, division))
        return cache[division]

    return of


def scan(session: Session, today: dt.date, by: Principal, region: str | None = None) -> ScanResult:
    """Run the monitoring scan over ``region`` (a division code; default: all ``by`` covers)."""
    t0 = time.perf_counter()
    code = divisions.get(region or by.region or divisions.REGION_CODE).code
    by.require_covers(code, "project")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    d = divisions.get(code)
    codes = (
        None
        if code == divisions.REGION_CODE
        else [d.code] + [c.code for c in divisions.counties(d.code)]
        if d.level != "county"
        else [d.code]
    )
    params = _params(today)
    base = params(code)
    window = (wr.month_of(today, base.lookback_months), wr.month_of(today))
    since = today - dt.timedelta(days=base.complaint_window_days - 1)
    figures = gather(session, codes, today, window, since)

    found: dict[str, tuple[int, str, wr.Finding, str]] = {}
    for f in figures.values():
        for finding, why in findings(f, today, params(f.division_code)):
            key = open_key(f.id, finding.cause)
            found[key] = (f.id, f.division_code, finding, json.dumps(why, sort_keys=True))

    q = select(
        WgWarning.id,
        WgWarning.open_key,
        WgWarning.level,
        WgWarning.reasons,
        WgWarning.state,
        WgWarning.deadline,
        WgWarning.division_code,
    ).where(WgWarning.open_key.is_not(None))
    if codes is not None:
        q = q.where(WgWarning.division_code.in_(codes))
    open_rows = {r.open_key: r for r in session.execute(q)}
    unfounded_q = select(WgWarning.project_id, WgWarning.cause, WgWarning.reasons).where(
        WgWarning.state == "unfounded"
    )
    if codes is not None:
        unfounded_q = unfounded_q.where(WgWarning.division_code.in_(codes))
    unfounded = {(r[0], r[1], r[2]) for r in session.execute(unfounded_q)}

    new_rows: list[dict[str, Any]] = []
    escalations: list[dict[str, Any]] = []
    reason_updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    raised: dict[str, int] = {}
    escalated: dict[str, int] = {}
    unchanged = 0
    for key, (pid, division, finding, reasons) in found.items():
        row = open_rows.get(key)
        p = params(division)
        if row is None:
            if (pid, finding.cause, reasons) in unfounded:
                continue
            new_rows.append(
                {
                    "project_id": pid,
                    "division_code": division,
                    "cause": finding.cause,
                    "open_key": key,
                    "level": finding.level,
                    "reasons": reasons,
                    "state": "new",
                    "raised_on": today,
                    "deadline": wr.deadline(finding.level, today, p),
                }
            )
            raised[finding.cause] = raised.get(finding.cause, 0) + 1
            continue
        level = wr.escalate(row.level, finding.level)
        if level != row.level:
            escalations.append(
                {
                    "id": row.id,
                    "level": level,
                    "escalated_on": today,
                    "deadline": min(row.deadline, wr.deadline(level, today, p)),
                    "reasons": reasons,
                }
            )
            events.append(_event(row.id, "escalate", row.state, row.state, today, level))
            escalated[finding.cause] = escalated.get(finding.cause, 0) + 1
        elif row.reasons != reasons:
            reason_updates.append({"id": row.id, "reasons": reasons})
        else:
            unchanged += 1
    gone = [r for k, r in open_rows.items() if k not in found and r.state in OPEN_STATES]

    if new_rows:
        session.execute(insert(WgWarning), new_rows)
        # their ids in one query (a RETURNING in parameter order is row by row on SQLite)
        fresh = select(WgWarning.id, WgWarning.open_key).where(
            WgWarning.open_key.is_not(None), WgWarning.raised_on == today
        )
        if codes is not None:
            fresh = fresh.where(WgWarning.division_code.in_(codes))
        id_of = {k: i for i, k in session.execute(fresh)}
        events += [
            _event(id_of[r["open_key"]], "raise", None, "new", today, r["level"]) for r in new_rows
        ]
    if escalations:
        session.execute(update(WgWarning), escalations)
    if reason_updates:
        session.execute(update(WgWarning), reason_updates)
    if gone:
        session.execute(
            update(WgWarning),
            [
                {
                    "id": r.id,
                    "state": "resolved",
                    "open_key": None,
                    "closed_on": today,
                    "handled_by": SCAN_ACTOR,
                    "resolution": RESOLVED_NOTE,
                }
                for r in gone
            ],
        )
        events += [_event(r.id, "resolve", r.state, "resolved", today, RESOLVED_NOTE) for r in gone]
    if events:
        session.execute(insert(WgWarningEvent), events)
    result = ScanResult(
        projects=len(figures),
        raised=raised,
        escalated=escalated,
        updated=len(reason_updates),
        resolved=len(gone),
        unchanged=unchanged,
        seconds=time.perf_counter() - t0,
    )
    detail = result.as_dict()
    detail.pop("seconds")
    detail["today"] = today.isoformat()
    audit.record(session, by, "scan", "wg_warnings", None, code, detail)
    return result


def _event(
    warning_id: int, action: str, before: str | None, after: str, day: dt.date, note: str | None
) -> dict[str, Any]:
    return {
        "warning_id": warning_id,
        "day": day,
        "action": action,
        "from_state": before,
        "to_state": after,
        "note": note,
        "by": SCAN_ACTOR,
    }
