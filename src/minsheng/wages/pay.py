"""The monthly pay sheet (工资支付表) of a team, the workers' confirmation, the pay slip.

:func:`build_sheet` makes (or, while part of it is unpaid, makes again) a team's sheet for a
month from attendance (``wg_attendance_days``, classified by :func:`pay_rules.month_attendance`)
× each worker's agreed rate (:func:`pay_rules.gross`), one line per worker on the team that
month; pieces for piece-rate workers are given by the contractor. A worker's earlier month
that has a line with pay but no payment is carried onto the sheet as a **back-pay** line
(补发, ``for_month`` the month it makes good): whichever line is paid first pays it, and the
payment key (worker, month) is unique, so it is paid once. A sheet is refused for a closed
project, for a month not yet begun, and once every line of it is paid.

Workers confirm or dispute their line on the phone (:func:`respond`); a disputed line is held
out of the pay run until the sheet is built again. The pay slip (:func:`slip`) is each line
as the worker sees it. Pay records carry ``keep_until`` (3 years, a parameter) and nothing here
deletes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from minsheng.core import text
from minsheng.core.errors import ConflictError, ForbiddenError, NotFoundError, invalid
from minsheng.foundation import audit
from minsheng.foundation.principals import Principal
from minsheng.wages import access, attendance
from minsheng.wages.models import WgProject, WgTeam, WgWorker
from minsheng.wages.pay_accounts import params, require
from minsheng.wages.pay_models import WgPayLine, WgPayment, WgPaySheet
from minsheng.wages.pay_rules import (
    Attendance,
    gross,
    keep_until,
    month_attendance,
    month_bounds,
    month_text,
)

MAX_PIECES = 1_000_000  # engineering bound: pieces of one worker in one month


def check_month(month: object, today: dt.date) -> str:
    """``YYYY-MM`` of a month already begun (422 on ``month`` otherwise)."""
    if not isinstance(month, str):
        month = ""
    first, _ = attendance.month_bounds(month)
    if first > today:
        raise invalid(
            "month",
            "future",
            "不能为尚未开始的月份编制工资支付表",
            "a pay sheet cannot be made for a month not yet begun",
            bo="ཟླ་བ་མ་འགོ་ཚུགས་པའི་གླ་ཕོགས་རེའུ་མིག་བཟོ་མི་ཆོག",
        )
    return month


def refuse_closed(project: WgProject) -> None:
    if project.state == "closed":
        raise ConflictError(
            "project_id",
            "project_closed",
            "该项目已关闭，不能编制或发放工资",
            "the project is closed: no pay sheet or pay run for it",
            bo="ལས་གཞི་འདི་སྒོ་བརྒྱབ་ཟིན་པས་གླ་ཕོགས་རེའུ་མིག་བཟོ་མི་ཆོག",
        )


def pay_key(worker_id: int, month: str) -> str:
    return f"wg:w{worker_id}:{month}"


def _workers(session: Session, team: WgTeam, month: str) -> list[WgWorker]:
    first, last = month_bounds(month)
    return list(
        session.scalars(
            select(WgWorker)
            .where(
                WgWorker.team_id == team.id,
                WgWorker.entry_on <= last,
                or_(WgWorker.exit_on.is_(None), WgWorker.exit_on >= first),
            )
            .order_by(WgWorker.id)
        )
    )


def _attendance(session: Session, project_id: int, month: str, ids: list[int]) -> dict[int, Any]:
    days: dict[int, list[tuple[dt.date, int, int]]] = defaultdict(list)
    for d in attendance.days_in(session, month, project_id=project_id, worker_ids=ids):
        days[d.worker_id].append((d.day, d.minutes, d.overtime_minutes))
    return {wid: month_attendance(ds) for wid, ds in days.items()}


def _pieces(pieces: dict[int, int] | None, ids: set[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for wid, n in (pieces or {}).items():
        if wid not in ids:
            raise invalid(
                f"pieces.{wid}",
                "not_on_team",
                "该工人本月不在这个班组",
                "this worker is not on the team this month",
                bo="ལས་མི་འདི་ཟླ་བ་འདིར་རུ་ཁག་འདིར་མི་འདུག",
            )
        if type(n) is not int or not 0 <= n <= MAX_PIECES:
            raise invalid(
                f"pieces.{wid}",
                "pieces",
                f"计件数量须为0至{MAX_PIECES}的整数",
                f"pieces are a whole number from 0 to {MAX_PIECES}",
                bo="གྲངས་ཀ་ནོར་འདུག",
            )
        out[wid] = n
    return out


def _fill(line: WgPayLine, worker: WgWorker, a: Attendance, project: WgProject) -> None:
    first, _ = month_bounds(line.for_month)
    g = gross(
        worker.rate_kind,
        worker.rate,
        worker.overtime_rate,
        a,
        params(first, project.division_code),
    )
    figures = (a.days, a.minutes, a.pieces, *a.overtime, g.base, sum(g.overtime), g.total)
    old = (
        line.days,
        line.minutes,
        line.pieces,
        line.ot_working_minutes,
        line.ot_rest_minutes,
        line.ot_holiday_minutes,
        line.base,
        line.overtime_pay,
        line.gross,
    )
    if old != figures or line.rate != worker.rate:
        line.confirmation, line.confirmed_at, line.dispute_note = "pending", None, None
    (
        line.days,
        line.minutes,
        line.pieces,
        line.ot_working_minutes,
        line.ot_rest_minutes,
        line.ot_holiday_minutes,
        line.base,
        line.overtime_pay,
        line.gross,
    ) = figures
    line.rate_kind, line.rate, line.overtime_rate = (
        worker.rate_kind,
        worker.rate,
        worker.overtime_rate,
    )


def paid_keys(session: Session, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(session.scalars(select(WgPayment.pay_key).where(WgPayment.pay_key.in_(keys))))


def build_sheet(
    session: Session,
    project_id: int,
    team_id: int,
    month: str,
    by: Principal,
    today: dt.date | None = None,
    pieces: dict[int, int] | None = None,
) -> WgPaySheet:
    """Make the team's sheet for ``month`` (see the module docstring)."""
    today = today or dt.date.today()
    project = access.get_project(session, project_id, by, for_update=True)
    require(session, project, by, "wages:write", ("general", "sub"), "编制工资支付表")
    refuse_closed(project)
    month = check_month(month, today)
    team = session.get(WgTeam, team_id)
    if team is None or team.project_id != project.id:
        raise NotFoundError("team_id", "没有这个班组", "no such team", "རུ་ཁག་འདི་མེད།")
    workers = _workers(session, team, month)
    by_id = {w.id: w for w in workers}
    counted = _pieces(pieces, set(by_id))
    seen = _attendance(session, project.id, month, list(by_id))
    sheet = session.scalar(
        select(WgPaySheet).where(WgPaySheet.team_id == team.id, WgPaySheet.month == month)
    )
    if sheet is None:
        sheet = WgPaySheet(
            project_id=project.id,
            team_id=team.id,
            division_code=project.division_code,
            month=month,
            state="open",
            total=0,
            built_by=by.actor,
            keep_until=keep_until(today, params(today, project.division_code)),
        )
        session.add(sheet)
        session.flush()
    elif sheet.state == "paid":
        raise ConflictError(
            "month",
            "sheet_paid",
            "该班组本月工资已全部发放，不能重新编制",
            "the team's pay for this month is all paid; the sheet cannot be made again",
            bo="རུ་ཁག་འདིའི་ཟླ་བ་འདིའི་གླ་ཕོགས་ཚང་མ་སྤྲད་ཟིན།",
        )
    lines = {
        (ln.worker_id, ln.for_month): ln
        for ln in session.scalars(select(WgPayLine).where(WgPayLine.sheet_id == sheet.id))
    }
    keys = [pay_key(w.id, month) for w in workers]
    paid = paid_keys(session, keys)
    for w in workers:
        line = lines.get((w.id, month))
        if line is not None and pay_key(w.id, month) in paid:
            continue  # paid lines stay as they were paid
        if line is None:
            line = WgPayLine(
                sheet_id=sheet.id, worker_id=w.id, person_id=w.person_id, for_month=month
            )
            session.add(line)
            lines[(w.id, month)] = line
        got = seen.get(w.id, Attendance())
        a = Attendance(got.days, got.minutes, counted.get(w.id, line.pieces or 0), got.overtime)
        _fill(line, w, a, project)
    _carry_back_pay(session, sheet, workers, lines)
    session.flush()
    sheet.total = sum(ln.gross for ln in lines.values())
    sheet.built_by = by.actor
    audit.record(
        session,
        by,
        "build_sheet",
        "pay_sheet",
        sheet.id,
        project.division_code,
        {"month": month, "team_id": team.id, "lines": len(lines), "total": sheet.total},
    )
    return sheet


def build_month(
    session: Session, project_id: int, month: str, by: Principal, today: dt.date | None = None
) -> list[WgPaySheet]:
    """Every team's sheet of the project for ``month`` (what ``minsheng wages payroll``
    builds); a team whose sheet is all paid is left as it is."""
    project = access.get_project(session, project_id, by)
    refuse_closed(project)
    teams = session.scalars(
        select(WgTeam.id).where(WgTeam.project_id == project.id).order_by(WgTeam.id)
    ).all()
    out = []
    for team_id in teams:
        done = session.scalar(
            select(WgPaySheet).where(
                WgPaySheet.team_id == team_id, WgPaySheet.month == month, WgPaySheet.state == "paid"
            )
        )
        out.append(done or build_sheet(session, project.id, team_id, month, by, today))
    return out


def _carry_back_pay(
    session: Session,
    sheet: WgPaySheet,
    workers: list[WgWorker],
    lines: dict[tuple[int, str], WgPayLine],
) -> None:
    """Earlier months' unpaid pay of the sheet's workers, as back-pay lines."""
    ids = [w.id for w in workers]
    if not ids:
        return
    earlier = session.execute(
        select(WgPayLine, WgPaySheet.month)
        .join(WgPaySheet, WgPaySheet.id == WgPayLine.sheet_id)
        .where(
            WgPayLine.worker_id.in_(ids),
            WgPayLine.for_month < sheet.month,
            WgPayLine.gross > 0,
            WgPaySheet.project_id == sheet.project_id,
        )
        .order_by(WgPayLine.id)
    ).all()
    keys = [pay_key(ln.worker_id, ln.for_month) for ln, _ in earlier]
    paid = paid_keys(session, keys)
    for ln, _ in earlier:
        key = (ln.worker_id, ln.for_month)
        if pay_key(*key) in paid or key in lines or ln.confirmation == "disputed":
            continue
        back = WgPayLine(
            sheet_id=sheet.id,
            worker_id=ln.worker_id,
            person_id=ln.person_id,
            for_month=ln.for_month,
            back_pay=True,
            **{c: getattr(ln, c) for c in COPIED},
        )
        session.add(back)
        lines[key] = back


COPIED = (
    "days",
    "minutes",
    "pieces",
    "ot_working_minutes",
    "ot_rest_minutes",
    "ot_holiday_minutes",
    "rate_kind",
    "rate",
    "overtime_rate",
    "base",
    "overtime_pay",
    "gross",
)


def get_sheet(session: Session, sheet_id: int, by: Principal) -> WgPaySheet:
    sheet = session.get(WgPaySheet, sheet_id)
    missing = NotFoundError("sheet_id", "没有这张工资支付表", "no such pay sheet", "རེའུ་མིག་མེད།")
    if sheet is None:
        raise missing
    try:
        access.get_project(session, sheet.project_id, by)
    except NotFoundError:
        raise missing from None
    return sheet


def sheet_lines(session: Session, sheet_id: int) -> list[WgPayLine]:
    return list(
        session.scalars(
            select(WgPayLine)
            .where(WgPayLine.sheet_id == sheet_id)
            .order_by(WgPayLine.back_pay, WgPayLine.worker_id, WgPayLine.for_month)
        )
    )


def sheets_of(session: Session, project_id: int, by: Principal) -> list[WgPaySheet]:
    project = access.get_project(session, project_id, by)
    return list(
        session.scalars(
            select(WgPaySheet)
            .where(WgPaySheet.project_id == project.id)
            .order_by(WgPaySheet.month.desc(), WgPaySheet.team_id)
        )
    )


def payments_of_lines(session: Session, line_ids: list[int]) -> dict[int, WgPayment]:
    if not line_ids:
        return {}
    return {
        p.line_id: p
        for p in session.scalars(select(WgPayment).where(WgPayment.line_id.in_(line_ids)))
    }


def paid_for(session: Session, worker_id: int, month: str) -> WgPayment | None:
    """The payment of the worker's ``month``, by whichever line paid it."""
    return session.scalar(select(WgPayment).where(WgPayment.pay_key == pay_key(worker_id, month)))


# ------------------------------------------------------------------ the worker's own


def my_lines(session: Session, by: Principal) -> list[WgPayLine]:
    """The citizen's own pay lines, newest month first."""
    if by.kind != "citizen" or by.person_id is None:
        raise ForbiddenError("person", "citizen_only", "仅限本人查看", "for the worker only")
    return list(
        session.scalars(
            select(WgPayLine)
            .where(WgPayLine.person_id == by.person_id)
            .order_by(WgPayLine.for_month.desc(), WgPayLine.id.desc())
        )
    )


def _my_line(session: Session, line_id: int, by: Principal) -> WgPayLine:
    line = session.get(WgPayLine, line_id)
    if line is None or by.kind != "citizen" or line.person_id != by.person_id:
        raise NotFoundError("line_id", "没有这条工资记录", "no such pay line", "གླ་ཕོགས་མི་འདུག")
    return line


def respond(
    session: Session,
    line_id: int,
    by: Principal,
    agree: bool,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> WgPayLine:
    """The worker confirms (``agree``) or disputes their line, on the phone. A line already
    paid is not disputed here: arrears are reported through the complaint channel."""
    line = _my_line(session, line_id, by)
    if paid_for(session, line.worker_id, line.for_month) is not None:
        raise ConflictError(
            "line_id",
            "already_paid",
            "该月工资已发放；如有拖欠或少发，请通过“反映欠薪”投诉",
            "this month is paid; report any arrears or short pay as a complaint",
            bo="ཟླ་བ་འདིའི་གླ་ཕོགས་སྤྲད་ཟིན། གླ་ཕོགས་བསྒྱངས་ན་ཞུ་གཏུག་བྱེད་རོགས།",
        )
    cleaned = None if not note else text.clean(note, "note", "free", max_length=400)
    if not agree and not cleaned:
        raise invalid(
            "note",
            "reason_required",
            "有异议时请写明原因（例如出勤天数不对）",
            "say what is wrong (for example the days worked)",
            bo="རྒྱུ་མཚན་འབྲི་རོགས།",
        )
    line.confirmation = "confirmed" if agree else "disputed"
    line.confirmed_at = now or dt.datetime.now(dt.UTC)
    line.dispute_note = None if agree else cleaned
    sheet = session.get(WgPaySheet, line.sheet_id)
    assert sheet is not None
    audit.record(session, by, line.confirmation, "pay_line", line.id, sheet.division_code, {})
    return line


@dataclass(frozen=True)
class Slip:
    """A pay slip (工资条): one line as its worker sees it."""

    line: WgPayLine
    sheet: WgPaySheet
    project: WgProject
    team: WgTeam
    payment: WgPayment | None


def slip(session: Session, line_id: int, by: Principal) -> Slip:
    """The slip of a line: the worker's own, or a line of a project ``by`` sees."""
    if by.kind == "citizen":
        line = _my_line(session, line_id, by)
    else:
        found = session.get(WgPayLine, line_id)
        if found is None:
            raise NotFoundError("line_id", "没有这条工资记录", "no such pay line", "གླ་ཕོགས་མི་འདུག")
        get_sheet(session, found.sheet_id, by)
        line = found
    sheet = session.get(WgPaySheet, line.sheet_id)
    assert sheet is not None
    project = session.get(WgProject, sheet.project_id)
    team = session.get(WgTeam, sheet.team_id)
    assert project is not None and team is not None
    payment = paid_for(session, line.worker_id, line.for_month)
    return Slip(line, sheet, project, team, payment)


def this_month(today: dt.date | None = None) -> str:
    return month_text(today or dt.date.today())
